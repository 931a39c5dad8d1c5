/* conn: one DTLS 1.2 association over memory BIOs: handshake, retransmission timer, fingerprint
 * check, SRTP keys from the exporter. RFC 6347 §4.2.4 (timers), RFC 5764 §4.2, RFC 8122 §5. */
#include "dtls/dtls_int.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "base/log.h"

#define MOD "dtls"
/* Retransmission timer: 250 ms first, doubling up to 3 s (OpenSSL gives up after 12 tries).
 * RFC 6347 suggests 1 s; a lost packet on a call's set-up path should cost less than that. */
#define TIMER_FIRST_US 250000u
#define TIMER_MAX_US 3000000u

static unsigned int timer_cb(SSL *ssl, unsigned int prev_us)
{
	if (prev_us == 0)
		return TIMER_FIRST_US;
	return prev_us >= TIMER_MAX_US / 2 ? TIMER_MAX_US : prev_us * 2;
}

int dtls_conn_new(struct dtls_conn **out, struct dtls_cert *cert, bool is_server, dtls_send_fn send, void *arg)
{
	*out = NULL;
	struct dtls_conn *c = calloc(1, sizeof *c);
	if (!c)
		return ENOMEM;
	c->cert = cert;
	c->is_server = is_server;
	c->send = send;
	c->arg = arg;
	c->state = DTLS_HANDSHAKING;

	BIO *wbio = NULL;
	c->ssl = SSL_new(cert->ctx[is_server ? 1 : 0]);
	c->rbio = BIO_new(BIO_s_mem());
	wbio = BIO_new(cert->out_method);
	if (!c->ssl || !c->rbio || !wbio) {
		BIO_free(c->rbio);
		BIO_free(wbio);
		SSL_free(c->ssl);
		free(c);
		ERR_clear_error();
		return ENOMEM;
	}
	BIO_set_mem_eof_return(c->rbio, -1);   /* empty means "wait for more", not end of stream */
	BIO_set_data(wbio, c);
	SSL_set_bio(c->ssl, c->rbio, wbio);
	SSL_set_app_data(c->ssl, c);
	SSL_set_mtu(c->ssl, DTLS_MTU);
	DTLS_set_timer_cb(c->ssl, timer_cb);
	if (is_server)
		SSL_set_accept_state(c->ssl);
	else
		SSL_set_connect_state(c->ssl);
	*out = c;
	return 0;
}

void dtls_conn_free(struct dtls_conn *c)
{
	if (!c)
		return;
	SSL_free(c->ssl);   /* frees both BIOs */
	OPENSSL_cleanse(c->out, sizeof c->out);
	free(c);
}

/* ---- the write side: OpenSSL writes records and flushes when a datagram is full or a flight
 * ends (it sizes records from BIO_wpending), so a flush is exactly one datagram. */

void dtls_conn_flush(struct dtls_conn *c)
{
	if (c->out_len) {
		size_t n = c->out_len;
		c->out_len = 0;
		c->send(c->arg, c->out, n);
	}
}

int dtls_conn_out(struct dtls_conn *c, const uint8_t *data, size_t len)
{
	if (c->out_len && c->out_len + len > DTLS_MTU)
		dtls_conn_flush(c);
	if (len > sizeof c->out) {   /* never with records sized for the MTU; sent alone */
		c->send(c->arg, data, len);
		return (int)len;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	return (int)len;
}

/* ---- fingerprints */

static const EVP_MD *md_by_name(const char *alg)
{
	if (!strcasecmp(alg, "sha-256"))
		return EVP_sha256();
	if (!strcasecmp(alg, "sha-1"))
		return EVP_sha1();
	if (!strcasecmp(alg, "sha-384"))
		return EVP_sha384();
	if (!strcasecmp(alg, "sha-512"))
		return EVP_sha512();
	return NULL;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int dtls_conn_set_remote_fingerprint(struct dtls_conn *c, const char *alg, const char *fingerprint)
{
	const EVP_MD *md = alg && fingerprint ? md_by_name(alg) : NULL;
	if (!md)
		return EINVAL;
	size_t want = (size_t)EVP_MD_get_size(md), n = 0;
	uint8_t fp[EVP_MAX_MD_SIZE];
	for (const char *p = fingerprint;; p += 3) {
		int hi = hexval(p[0]), lo = hi < 0 ? -1 : hexval(p[1]);
		if (lo < 0 || n == want)
			return EINVAL;
		fp[n++] = (uint8_t)(hi << 4 | lo);
		if (p[2] == '\0')
			break;
		if (p[2] != ':')
			return EINVAL;
	}
	if (n != want)
		return EINVAL;
	memcpy(c->fp, fp, n);
	c->fp_len = (unsigned)n;
	c->fp_md = md;
	return 0;
}

int dtls_conn_verify_cb(X509_STORE_CTX *store, void *arg)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct dtls_conn *c = ssl ? SSL_get_app_data(ssl) : NULL;
	X509 *peer = X509_STORE_CTX_get0_cert(store);
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	/* Self-signed is expected: the fingerprint signalled over the authenticated channel is the
	 * trust anchor, so no chain is built. */
	if (c && peer && c->fp_md && X509_digest(peer, c->fp_md, md, &n) == 1 && n == c->fp_len &&
	    CRYPTO_memcmp(md, c->fp, n) == 0)
		return 1;
	log_debug(MOD, "peer certificate does not match the signalled fingerprint");
	X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
	return 0;
}

/* ---- the handshake and the state */

static void set_failed(struct dtls_conn *c, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	log_debug(MOD, "%s failed: %s", what, e ? ERR_reason_error_string(e) : "-");
	ERR_clear_error();
	c->state = DTLS_FAILED;
}

/* Maps the result of an SSL call that did not succeed. */
static void on_ssl_result(struct dtls_conn *c, int r, const char *what)
{
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return;
	case SSL_ERROR_ZERO_RETURN:   /* close_notify received */
		c->state = DTLS_CLOSED;
		return;
	default:
		set_failed(c, what);
	}
}

/* The shortest record the negotiated AEAD can produce: AES-GCM's 8-byte explicit nonce and 16-byte
 * tag, ChaCha20-Poly1305's tag alone (no CBC suites are offered; cert.c). */
static size_t protected_min_len(const SSL_CIPHER *ciph)
{
	const EVP_CIPHER *ec = ciph ? EVP_get_cipherbynid(SSL_CIPHER_get_cipher_nid(ciph)) : NULL;
	if (ec && EVP_CIPHER_get_mode(ec) == EVP_CIPH_GCM_MODE)
		return EVP_GCM_TLS_EXPLICIT_IV_LEN + EVP_GCM_TLS_TAG_LEN;
	return EVP_CHACHAPOLY_TLS_TAG_LEN;
}

/* OpenSSL 3.0 does not drop a protected record shorter than its cipher's overhead: it fails the
 * read with an empty error queue, and every later read too. Such a record (or one longer than any
 * record may be) is invalid, so its datagram is dropped here (RFC 6347 §4.1.2.7). Records that
 * run past the datagram's end are left to OpenSSL, which drops them. */
static bool has_malformed_record(const struct dtls_conn *c, const uint8_t *buf, size_t len)
{
	for (size_t off = 0; len - off >= DTLS1_RT_HEADER_LENGTH;) {
		const uint8_t *h = buf + off;
		unsigned epoch = (unsigned)h[3] << 8 | h[4];
		size_t rlen = (size_t)h[11] << 8 | h[12];
		if (rlen > len - off - DTLS1_RT_HEADER_LENGTH)
			return false;
		if (epoch != 0 && (rlen < c->min_protected || rlen > SSL3_RT_MAX_ENCRYPTED_LENGTH))
			return true;
		off += DTLS1_RT_HEADER_LENGTH + rlen;
	}
	return false;
}

static void handshake(struct dtls_conn *c)
{
	ERR_clear_error();
	int r = SSL_do_handshake(c->ssl);
	dtls_conn_flush(c);
	if (r != 1) {
		on_ssl_result(c, r, "handshake");
		return;
	}
	if (!SSL_get_selected_srtp_profile(c->ssl)) {
		log_debug(MOD, "handshake without an SRTP profile");
		SSL_shutdown(c->ssl);
		dtls_conn_flush(c);
		c->state = DTLS_FAILED;
		return;
	}
	c->min_protected = protected_min_len(SSL_get_current_cipher(c->ssl));
	c->state = DTLS_CONNECTED;
}

/* After the handshake: DTLS-SRTP carries no application data, but reading processes alerts,
 * close_notify and the peer's retransmitted final flight (which we answer). */
static void read_records(struct dtls_conn *c)
{
	uint8_t buf[2048];
	for (;;) {
		ERR_clear_error();
		int r = SSL_read(c->ssl, buf, sizeof buf);
		if (r > 0)
			continue;
		dtls_conn_flush(c);
		/* RFC 6347 §4.1.2.7: a datagram that is not a valid record is dropped. Only an alert the
		 * peer sent (or its close_notify) ends an established association; keys stay as they are,
		 * and consent freshness notices a peer that went away. */
		unsigned long err = ERR_peek_error();
		if (SSL_get_error(c->ssl, r) == SSL_ERROR_SSL && ERR_GET_REASON(err) < SSL_AD_REASON_OFFSET) {
			log_debug(MOD, "dropped an invalid record after the handshake");
			return;
		}
		on_ssl_result(c, r, "read");
		return;
	}
}

enum dtls_state dtls_conn_start(struct dtls_conn *c)
{
	if (c->state == DTLS_HANDSHAKING)
		handshake(c);
	return c->state;
}

enum dtls_state dtls_conn_feed(struct dtls_conn *c, const uint8_t *buf, size_t len)
{
	if (c->state != DTLS_HANDSHAKING && c->state != DTLS_CONNECTED)
		return c->state;
	if (len == 0 || len > INT_MAX)
		return c->state;
	/* One datagram at a time: whatever of it OpenSSL leaves unread is dropped below. */
	if (BIO_write(c->rbio, buf, (int)len) != (int)len)
		return c->state;
	if (c->state == DTLS_HANDSHAKING)
		handshake(c);
	if (c->state == DTLS_CONNECTED) {
		if (has_malformed_record(c, buf, len))
			log_debug(MOD, "dropped a datagram with a record malformed for its cipher");
		else
			read_records(c);
	}
	(void)BIO_reset(c->rbio);
	return c->state;
}

int dtls_conn_timeout_ms(struct dtls_conn *c)
{
	struct timeval tv;
	if (c->state != DTLS_HANDSHAKING || DTLSv1_get_timeout(c->ssl, &tv) != 1)
		return -1;
	long long ms = (long long)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

enum dtls_state dtls_conn_on_timer(struct dtls_conn *c)
{
	if (c->state != DTLS_HANDSHAKING)
		return c->state;
	ERR_clear_error();
	int r = DTLSv1_handle_timeout(c->ssl);
	dtls_conn_flush(c);
	if (r < 0)
		set_failed(c, "retransmission");
	return c->state;
}

enum dtls_state dtls_conn_state(const struct dtls_conn *c)
{
	return c->state;
}

static enum srtp_profile profile_of(unsigned long id)
{
	switch (id) {
	case SRTP_AES128_CM_SHA1_80: return SRTP_PROFILE_AES128_CM_SHA1_80;
	case SRTP_AEAD_AES_128_GCM: return SRTP_PROFILE_AEAD_AES_128_GCM;
	}
	return 0;
}

int dtls_conn_srtp_keys(struct dtls_conn *c, enum srtp_profile *profile, uint8_t *local_key,
			uint8_t *local_salt, uint8_t *remote_key, uint8_t *remote_salt)
{
	if (c->state != DTLS_CONNECTED)
		return EAGAIN;
	SRTP_PROTECTION_PROFILE *sp = SSL_get_selected_srtp_profile(c->ssl);
	enum srtp_profile p = sp ? profile_of(sp->id) : 0;
	size_t kl = srtp_profile_key_len(p), sl = srtp_profile_salt_len(p);
	if (!kl)
		return EIO;
	/* client key | server key | client salt | server salt */
	uint8_t km[2 * (SRTP_SESS_MAX_KEY_LEN + SRTP_SESS_MAX_SALT_LEN)];
	static const char label[] = "EXTRACTOR-dtls_srtp";
	if (SSL_export_keying_material(c->ssl, km, 2 * (kl + sl), label, sizeof label - 1, NULL, 0, 0) != 1) {
		ERR_clear_error();
		return EIO;
	}
	const uint8_t *ck = km, *sk = km + kl, *cs = km + 2 * kl, *ss = km + 2 * kl + sl;
	memcpy(local_key, c->is_server ? sk : ck, kl);
	memcpy(local_salt, c->is_server ? ss : cs, sl);
	memcpy(remote_key, c->is_server ? ck : sk, kl);
	memcpy(remote_salt, c->is_server ? cs : ss, sl);
	*profile = p;
	OPENSSL_cleanse(km, sizeof km);
	return 0;
}

void dtls_conn_close(struct dtls_conn *c)
{
	if (c->state == DTLS_CONNECTED || c->state == DTLS_HANDSHAKING) {
		ERR_clear_error();
		if (c->state == DTLS_CONNECTED)
			SSL_shutdown(c->ssl);
		dtls_conn_flush(c);
		ERR_clear_error();
		c->state = DTLS_CLOSED;
	}
}
