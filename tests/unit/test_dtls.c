/* test_dtls: two DTLS-SRTP endpoints in memory: handshake, fingerprints, lost flights, garbage,
 * close, and SRTP with the exported keys. RFC 6347, RFC 5764, RFC 8122. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "base/util.h"
#include "dtls/dtls.h"
#include "dtls/dtls_int.h"   /* the client's SSL, to offer one cipher suite */
#include "srtp/srtp.h"

#define QMAX 64

/* The datagrams in flight towards one endpoint. */
struct queue {
	uint8_t buf[QMAX][1600];
	size_t len[QMAX];
	int n;
};

struct side {
	struct dtls_conn *conn;
	struct queue *to_peer;
	int sent;            /* datagrams sent so far */
	int drop_at;         /* the index of a datagram to lose, -1 none */
	size_t max_len;
};

static void on_send(void *arg, const uint8_t *buf, size_t len)
{
	struct side *s = arg;
	int idx = s->sent++;
	if (len > s->max_len)
		s->max_len = len;
	ck_assert_uint_le(len, DTLS_MTU);
	if (idx == s->drop_at)
		return;
	struct queue *q = s->to_peer;
	ck_assert_int_lt(q->n, QMAX);
	memcpy(q->buf[q->n], buf, len);
	q->len[q->n++] = len;
}

struct pair {
	struct dtls_cert *ccert, *scert;
	struct queue to_client, to_server;
	struct side client, server;
};

static struct pair *pair_new(int drop_client, int drop_server)
{
	struct pair *p = calloc(1, sizeof *p);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(dtls_cert_new(&p->ccert), 0);
	ck_assert_int_eq(dtls_cert_new(&p->scert), 0);
	p->client = (struct side){ .to_peer = &p->to_server, .drop_at = drop_client };
	p->server = (struct side){ .to_peer = &p->to_client, .drop_at = drop_server };
	ck_assert_int_eq(dtls_conn_new(&p->client.conn, p->ccert, false, on_send, &p->client), 0);
	ck_assert_int_eq(dtls_conn_new(&p->server.conn, p->scert, true, on_send, &p->server), 0);
	ck_assert_int_eq(dtls_conn_set_remote_fingerprint(p->client.conn, "sha-256", dtls_cert_fingerprint(p->scert)), 0);
	ck_assert_int_eq(dtls_conn_set_remote_fingerprint(p->server.conn, "sha-256", dtls_cert_fingerprint(p->ccert)), 0);
	return p;
}

static void pair_free(struct pair *p)
{
	dtls_conn_free(p->client.conn);
	dtls_conn_free(p->server.conn);
	dtls_cert_free(p->ccert);
	dtls_cert_free(p->scert);
	free(p);
}

/* Delivers what is queued towards c (taking a snapshot: replies queue up behind). */
static int deliver(struct queue *q, struct dtls_conn *c)
{
	int n = q->n;
	static uint8_t buf[QMAX][1600];
	size_t len[QMAX];
	for (int i = 0; i < n; i++) {
		memcpy(buf[i], q->buf[i], q->len[i]);
		len[i] = q->len[i];
	}
	q->n = 0;
	for (int i = 0; i < n; i++)
		dtls_conn_feed(c, buf[i], len[i]);
	return n;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Runs the exchange, firing timers when nothing is in flight, until neither side is
 * handshaking; returns the number of timer waits. */
static int run(struct pair *p)
{
	int waits = 0;
	for (int round = 0; round < 200; round++) {
		enum dtls_state cs = dtls_conn_state(p->client.conn), ss = dtls_conn_state(p->server.conn);
		if (cs != DTLS_HANDSHAKING && ss != DTLS_HANDSHAKING && !p->to_client.n && !p->to_server.n)
			break;
		if (deliver(&p->to_server, p->server.conn) + deliver(&p->to_client, p->client.conn))
			continue;
		int tc = dtls_conn_timeout_ms(p->client.conn), ts = dtls_conn_timeout_ms(p->server.conn);
		int t = tc < 0 ? ts : ts < 0 ? tc : tc < ts ? tc : ts;
		if (t < 0)
			break;   /* stuck: nothing in flight and no timer */
		ck_assert_int_le(t, 3000);
		sleep_ms(t + 1);
		waits++;
		dtls_conn_on_timer(p->client.conn);
		dtls_conn_on_timer(p->server.conn);
	}
	return waits;
}

static void check_keys(struct pair *p, enum srtp_profile want)
{
	enum srtp_profile cp, sp;
	uint8_t clk[16], cls[14], crk[16], crs[14], slk[16], sls[14], srk[16], srs[14];
	ck_assert_int_eq(dtls_conn_srtp_keys(p->client.conn, &cp, clk, cls, crk, crs), 0);
	ck_assert_int_eq(dtls_conn_srtp_keys(p->server.conn, &sp, slk, sls, srk, srs), 0);
	ck_assert_int_eq(cp, want);
	ck_assert_int_eq(sp, want);
	size_t kl = srtp_profile_key_len(want), sl = srtp_profile_salt_len(want);
	ck_assert_mem_eq(clk, srk, kl);
	ck_assert_mem_eq(cls, srs, sl);
	ck_assert_mem_eq(crk, slk, kl);
	ck_assert_mem_eq(crs, sls, sl);
	ck_assert(memcmp(clk, crk, kl) != 0);   /* each direction has its own key */
}

START_TEST(fingerprint_format)
{
	struct dtls_cert *c, *d;
	ck_assert_int_eq(dtls_cert_new(&c), 0);
	ck_assert_int_eq(dtls_cert_new(&d), 0);
	const char *fp = dtls_cert_fingerprint(c);
	ck_assert_uint_eq(strlen(fp), 32 * 3 - 1);
	for (int i = 0; fp[i]; i++) {
		if (i % 3 == 2)
			ck_assert_int_eq(fp[i], ':');
		else
			ck_assert(strchr("0123456789ABCDEF", fp[i]));
	}
	ck_assert_str_ne(fp, dtls_cert_fingerprint(d));   /* a fresh key each time */

	struct dtls_conn *conn;
	ck_assert_int_eq(dtls_conn_new(&conn, c, true, on_send, NULL), 0);
	char lower[128];
	for (size_t i = 0; i <= strlen(fp); i++)
		lower[i] = (char)(fp[i] >= 'A' && fp[i] <= 'F' ? fp[i] + 32 : fp[i]);
	ck_assert_int_eq(dtls_conn_set_remote_fingerprint(conn, "SHA-256", lower), 0);
	ck_assert_int_eq(dtls_conn_set_remote_fingerprint(conn, "sha-256", fp), 0);
	ck_assert_int_eq(dtls_conn_set_remote_fingerprint(conn, "sha-1", "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33"), 0);
	ck_assert_int_eq(dtls_conn_set_remote_fingerprint(conn, "sha-1", "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22"), EINVAL);
	ck_assert_int_eq(dtls_conn_set_remote_fingerprint(conn, "sha-1", "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44"), EINVAL);
	ck_assert_int_eq(dtls_conn_set_remote_fingerprint(conn, "md5", fp), EINVAL);
	ck_assert_int_eq(dtls_conn_set_remote_fingerprint(conn, "sha-256", ""), EINVAL);
	ck_assert_int_eq(dtls_conn_set_remote_fingerprint(conn, "sha-256", "zz"), EINVAL);
	lower[5] = '-';
	ck_assert_int_eq(dtls_conn_set_remote_fingerprint(conn, "sha-256", lower), EINVAL);
	lower[5] = ':';
	lower[strlen(lower) - 1] = '\0';
	ck_assert_int_eq(dtls_conn_set_remote_fingerprint(conn, "sha-256", lower), EINVAL);
	dtls_conn_free(conn);
	dtls_cert_free(c);
	dtls_cert_free(d);
}
END_TEST

START_TEST(handshake_gcm)
{
	struct pair *p = pair_new(-1, -1);
	ck_assert_int_eq(dtls_conn_start(p->server.conn), DTLS_HANDSHAKING);   /* the server waits */
	ck_assert_int_eq(p->to_client.n, 0);
	ck_assert_int_eq(dtls_conn_start(p->client.conn), DTLS_HANDSHAKING);
	ck_assert_int_eq(p->to_server.n, 1);
	ck_assert_int_eq(run(p), 0);
	ck_assert_int_eq(dtls_conn_state(p->client.conn), DTLS_CONNECTED);
	ck_assert_int_eq(dtls_conn_state(p->server.conn), DTLS_CONNECTED);
	ck_assert_int_eq(dtls_conn_timeout_ms(p->server.conn), -1);
	check_keys(p, SRTP_PROFILE_AEAD_AES_128_GCM);
	/* Certificate flights are coalesced, never past the MTU (checked in on_send). */
	ck_assert_uint_gt(p->server.max_len, 400);
	printf("handshake: client sent %d datagrams (largest %zu B), server %d (largest %zu B)\n",
	       p->client.sent, p->client.max_len, p->server.sent, p->server.max_len);
	pair_free(p);
}
END_TEST

START_TEST(wrong_fingerprint)
{
	/* _i = 0: the server refuses the client's certificate; 1: the client refuses the server's. */
	struct pair *p = pair_new(-1, -1);
	struct dtls_cert *other;
	ck_assert_int_eq(dtls_cert_new(&other), 0);
	struct dtls_conn *refuser = _i == 0 ? p->server.conn : p->client.conn;
	ck_assert_int_eq(dtls_conn_set_remote_fingerprint(refuser, "sha-256", dtls_cert_fingerprint(other)), 0);
	dtls_conn_start(p->client.conn);
	run(p);
	ck_assert_int_eq(dtls_conn_state(refuser), DTLS_FAILED);
	/* The refused side learns it from the alert. */
	struct dtls_conn *refused = _i == 0 ? p->client.conn : p->server.conn;
	ck_assert_int_eq(dtls_conn_state(refused), DTLS_FAILED);
	enum srtp_profile prof;
	uint8_t k[16], s[14], k2[16], s2[14];
	ck_assert_int_eq(dtls_conn_srtp_keys(refuser, &prof, k, s, k2, s2), EAGAIN);
	dtls_cert_free(other);
	pair_free(p);
}
END_TEST

START_TEST(no_fingerprint_refused)
{
	struct pair *p = pair_new(-1, -1);
	dtls_conn_free(p->server.conn);
	ck_assert_int_eq(dtls_conn_new(&p->server.conn, p->scert, true, on_send, &p->server), 0);
	dtls_conn_start(p->client.conn);
	run(p);
	ck_assert_int_eq(dtls_conn_state(p->server.conn), DTLS_FAILED);
	pair_free(p);
}
END_TEST

/* Loses one datagram of the handshake, each in turn (client datagrams for _i even, server
 * datagrams for _i odd; each side sends two flights of one datagram); the timers recover. */
START_TEST(lost_datagram)
{
	int idx = _i / 2;
	struct pair *p = pair_new(_i % 2 ? -1 : idx, _i % 2 ? idx : -1);
	dtls_conn_start(p->client.conn);
	int waits = run(p);
	ck_assert_int_eq(dtls_conn_state(p->client.conn), DTLS_CONNECTED);
	ck_assert_int_eq(dtls_conn_state(p->server.conn), DTLS_CONNECTED);
	int lost_sender_sent = _i % 2 ? p->server.sent : p->client.sent;
	ck_assert_int_lt(idx, lost_sender_sent);   /* the lost one was part of the handshake */
	ck_assert_int_ge(waits, 1);                /* and a timer brought it back */
	check_keys(p, SRTP_PROFILE_AEAD_AES_128_GCM);
	pair_free(p);
}
END_TEST

START_TEST(garbage_input)
{
	struct pair *p = pair_new(-1, -1);
	uint8_t junk[1500];
	/* Before, during and after the handshake, random datagrams and mangled DTLS records are
	 * ignored. */
	for (int i = 0; i < 200; i++) {
		size_t l = 1 + util_random_u32() % sizeof junk;
		util_random(junk, l);
		if (i % 2) {
			junk[0] = (uint8_t)(20 + i % 4);   /* a record content type */
			junk[1] = 0xfe;
			junk[2] = 0xfd;
		}
		dtls_conn_feed(p->server.conn, junk, l);
	}
	ck_assert_int_eq(dtls_conn_state(p->server.conn), DTLS_HANDSHAKING);
	dtls_conn_start(p->client.conn);
	deliver(&p->to_server, p->server.conn);
	for (int i = 0; i < 100; i++) {
		size_t l = 1 + util_random_u32() % 200;
		util_random(junk, l);
		dtls_conn_feed(p->client.conn, junk, l);
		dtls_conn_feed(p->server.conn, junk, l);
	}
	ck_assert_int_eq(run(p), 0);
	ck_assert_int_eq(dtls_conn_state(p->client.conn), DTLS_CONNECTED);
	ck_assert_int_eq(dtls_conn_state(p->server.conn), DTLS_CONNECTED);
	for (int i = 0; i < 200; i++) {
		size_t l = 1 + util_random_u32() % sizeof junk;
		util_random(junk, l);
		if (i % 2) {
			junk[0] = 23;
			junk[1] = 0xfe;
			junk[2] = 0xfd;
			junk[3] = 0;
			junk[4] = 1;   /* epoch 1, as the real records */
		}
		ck_assert_int_eq(dtls_conn_feed(p->server.conn, junk, l), DTLS_CONNECTED);
		ck_assert_int_eq(dtls_conn_feed(p->client.conn, junk, l), DTLS_CONNECTED);
	}
	ck_assert_int_eq(dtls_conn_feed(p->server.conn, junk, 0), DTLS_CONNECTED);
	check_keys(p, SRTP_PROFILE_AEAD_AES_128_GCM);
	dtls_conn_close(p->client.conn);   /* the association still works: close_notify is heard */
	deliver(&p->to_server, p->server.conn);
	ck_assert_int_eq(dtls_conn_state(p->server.conn), DTLS_CLOSED);
	pair_free(p);
}
END_TEST

/* Records of the connected epoch shorter than the cipher's overhead (GCM: nonce and tag, 24 bytes;
 * ChaCha20-Poly1305: tag, 16), or forged at any length, of every content type, are dropped; the
 * association still ends on the peer's close_notify. A CBC suite is refused. */
START_TEST(forged_records_dropped)
{
	static const char *suites[] = { "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305",
					"ECDHE-ECDSA-AES128-SHA" };
	struct pair *p = pair_new(-1, -1);
	ck_assert_int_eq(SSL_set_cipher_list(p->client.conn->ssl, suites[_i]), 1);
	dtls_conn_start(p->client.conn);
	run(p);
	if (_i == 2) {
		ck_assert_int_eq(dtls_conn_state(p->server.conn), DTLS_FAILED);
		pair_free(p);
		return;
	}
	ck_assert_int_eq(dtls_conn_state(p->server.conn), DTLS_CONNECTED);
	ck_assert_str_eq(SSL_CIPHER_get_name(SSL_get_current_cipher(p->server.conn->ssl)), suites[_i]);
	uint8_t rec[13 + 64];
	for (uint8_t type = 20; type <= 23; type++) {
		for (size_t len = 0; len <= 64; len++) {
			memset(rec, 0x5a, sizeof rec);
			rec[0] = type;
			rec[1] = 0xfe;
			rec[2] = 0xfd;
			rec[3] = 0;
			rec[4] = 1;   /* epoch 1 */
			memset(rec + 5, 0, 6);
			rec[10] = (uint8_t)(50 + len);   /* a sequence number ahead of the real ones */
			rec[11] = 0;
			rec[12] = (uint8_t)len;
			ck_assert_int_eq(dtls_conn_feed(p->server.conn, rec, 13 + len), DTLS_CONNECTED);
			ck_assert_int_eq(dtls_conn_feed(p->client.conn, rec, 13 + len), DTLS_CONNECTED);
		}
	}
	dtls_conn_close(p->client.conn);
	deliver(&p->to_server, p->server.conn);
	ck_assert_int_eq(dtls_conn_state(p->server.conn), DTLS_CLOSED);
	pair_free(p);
}
END_TEST

START_TEST(close_notify)
{
	struct pair *p = pair_new(-1, -1);
	dtls_conn_start(p->client.conn);
	run(p);
	ck_assert_int_eq(dtls_conn_state(p->server.conn), DTLS_CONNECTED);
	struct side *closer = _i ? &p->server : &p->client, *other = _i ? &p->client : &p->server;
	dtls_conn_close(closer->conn);
	ck_assert_int_eq(dtls_conn_state(closer->conn), DTLS_CLOSED);
	ck_assert_int_eq(closer->to_peer->n, 1);
	deliver(closer->to_peer, other->conn);
	ck_assert_int_eq(dtls_conn_state(other->conn), DTLS_CLOSED);
	dtls_conn_close(closer->conn);   /* once only */
	ck_assert_int_eq(closer->to_peer->n, 0);
	pair_free(p);
}
END_TEST

START_TEST(srtp_with_exported_keys)
{
	struct pair *p = pair_new(-1, -1);
	dtls_conn_start(p->client.conn);
	run(p);
	enum srtp_profile cp, sp;
	uint8_t clk[16], cls[14], crk[16], crs[14], slk[16], sls[14], srk[16], srs[14];
	ck_assert_int_eq(dtls_conn_srtp_keys(p->client.conn, &cp, clk, cls, crk, crs), 0);
	ck_assert_int_eq(dtls_conn_srtp_keys(p->server.conn, &sp, slk, sls, srk, srs), 0);
	struct srtp_sess *c_out, *c_in, *s_out, *s_in;
	ck_assert_int_eq(srtp_sess_new(&c_out, cp, clk, cls), 0);
	ck_assert_int_eq(srtp_sess_new(&c_in, cp, crk, crs), 0);
	ck_assert_int_eq(srtp_sess_new(&s_out, sp, slk, sls), 0);
	ck_assert_int_eq(srtp_sess_new(&s_in, sp, srk, srs), 0);

	uint8_t pkt[1500], orig[1500];
	size_t len = 12 + 500, out;
	memset(orig, 0x5a, len);
	orig[0] = 0x80;
	orig[1] = 111;
	wr16(orig + 2, 4711);
	wr32(orig + 8, 0xabcdef01);
	/* client → server */
	memcpy(pkt, orig, len);
	ck_assert_int_eq(srtp_sess_protect_rtp(c_out, pkt, len, sizeof pkt, &out), 0);
	ck_assert_int_eq(srtp_sess_unprotect_rtp(s_in, pkt, out, &out), 0);
	ck_assert_mem_eq(pkt, orig, len);
	/* server → client */
	memcpy(pkt, orig, len);
	ck_assert_int_eq(srtp_sess_protect_rtp(s_out, pkt, len, sizeof pkt, &out), 0);
	ck_assert_int_eq(srtp_sess_unprotect_rtp(c_in, pkt, out, &out), 0);
	ck_assert_mem_eq(pkt, orig, len);
	/* the wrong direction's keys do not authenticate */
	memcpy(pkt, orig, len);
	wr16(pkt + 2, 4712);
	ck_assert_int_eq(srtp_sess_protect_rtp(s_out, pkt, len, sizeof pkt, &out), 0);
	ck_assert_int_eq(srtp_sess_unprotect_rtp(s_in, pkt, out, &out), EACCES);

	srtp_sess_free(c_out);
	srtp_sess_free(c_in);
	srtp_sess_free(s_out);
	srtp_sess_free(s_in);
	pair_free(p);
}
END_TEST

/* ---- a plain OpenSSL client standing in for a browser, to choose what is offered */

struct raw_client {
	SSL_CTX *ctx;
	SSL *ssl;
	BIO *rbio, *wbio;
	EVP_PKEY *pkey;
	X509 *x509;
	char fp[128];
};

static void raw_new(struct raw_client *r, const char *profiles, int max_version)
{
	r->pkey = EVP_EC_gen("P-256");
	r->x509 = X509_new();
	ck_assert_ptr_nonnull(r->pkey);
	ASN1_INTEGER_set(X509_get_serialNumber(r->x509), 1);
	X509_gmtime_adj(X509_getm_notBefore(r->x509), 0);
	X509_gmtime_adj(X509_getm_notAfter(r->x509), 3600);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(r->x509), "CN", MBSTRING_ASC, (const unsigned char *)"browser", -1, -1, 0);
	X509_set_issuer_name(r->x509, X509_get_subject_name(r->x509));
	X509_set_pubkey(r->x509, r->pkey);
	ck_assert_int_gt(X509_sign(r->x509, r->pkey, EVP_sha256()), 0);
	uint8_t md[32];
	unsigned n;
	X509_digest(r->x509, EVP_sha256(), md, &n);
	for (unsigned i = 0; i < n; i++)
		snprintf(r->fp + 3 * i, 4, i + 1 < n ? "%02x:" : "%02x", md[i]);

	r->ctx = SSL_CTX_new(DTLS_client_method());
	SSL_CTX_set_max_proto_version(r->ctx, max_version);
	SSL_CTX_set_security_level(r->ctx, 0);   /* DTLS 1.0 is below the default level */
	SSL_CTX_set_cipher_list(r->ctx, "ALL:@SECLEVEL=0");
	ck_assert_int_eq(SSL_CTX_set_tlsext_use_srtp(r->ctx, profiles), 0);
	SSL_CTX_use_certificate(r->ctx, r->x509);
	SSL_CTX_use_PrivateKey(r->ctx, r->pkey);
	SSL_CTX_set_verify(r->ctx, SSL_VERIFY_NONE, NULL);
	r->ssl = SSL_new(r->ctx);
	r->rbio = BIO_new(BIO_s_mem());
	r->wbio = BIO_new(BIO_s_mem());
	BIO_set_mem_eof_return(r->rbio, -1);
	SSL_set_bio(r->ssl, r->rbio, r->wbio);
	SSL_set_connect_state(r->ssl);
}

static void raw_free(struct raw_client *r)
{
	SSL_free(r->ssl);
	SSL_CTX_free(r->ctx);
	X509_free(r->x509);
	EVP_PKEY_free(r->pkey);
}

/* Drives the plain client against a plenum server; returns the client's handshake result. */
static int raw_run(struct raw_client *r, struct pair *p)
{
	int ok = 0;
	for (int round = 0; round < 20; round++) {
		ok = SSL_do_handshake(r->ssl);
		char *data;
		long n = BIO_get_mem_data(r->wbio, &data);
		if (n > 0)
			dtls_conn_feed(p->server.conn, (uint8_t *)data, (size_t)n);
		(void)BIO_reset(r->wbio);
		for (int i = 0; i < p->to_client.n; i++)
			BIO_write(r->rbio, p->to_client.buf[i], (int)p->to_client.len[i]);
		int more = p->to_client.n;
		p->to_client.n = 0;
		if (!more && n <= 0)
			break;
	}
	ERR_clear_error();
	return ok;
}

/* The server's order wins: GCM whenever the client offers it, in any order (Chromium offers
 * AES-CM first); AES-CM when that is all it offers. */
START_TEST(server_picks_profile)
{
	static const char *offers[] = { "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM", "SRTP_AES128_CM_SHA1_80",
					"SRTP_AEAD_AES_128_GCM" };
	static const enum srtp_profile want[] = { SRTP_PROFILE_AEAD_AES_128_GCM, SRTP_PROFILE_AES128_CM_SHA1_80,
						  SRTP_PROFILE_AEAD_AES_128_GCM };
	struct pair *p = pair_new(-1, -1);
	struct raw_client r;
	raw_new(&r, offers[_i], DTLS1_2_VERSION);
	ck_assert_int_eq(dtls_conn_set_remote_fingerprint(p->server.conn, "sha-256", r.fp), 0);
	ck_assert_int_eq(raw_run(&r, p), 1);
	ck_assert_int_eq(dtls_conn_state(p->server.conn), DTLS_CONNECTED);

	enum srtp_profile prof;
	uint8_t lk[16], ls[14], rk[16], rs[14], km[60];
	ck_assert_int_eq(dtls_conn_srtp_keys(p->server.conn, &prof, lk, ls, rk, rs), 0);
	ck_assert_int_eq(prof, want[_i]);
	ck_assert_uint_eq(SSL_get_selected_srtp_profile(r.ssl)->id, (unsigned long)want[_i]);
	size_t kl = srtp_profile_key_len(prof), sl = srtp_profile_salt_len(prof);
	ck_assert_int_eq(SSL_export_keying_material(r.ssl, km, 2 * (kl + sl), "EXTRACTOR-dtls_srtp", 19, NULL, 0, 0), 1);
	ck_assert_mem_eq(rk, km, kl);                 /* client write key */
	ck_assert_mem_eq(lk, km + kl, kl);            /* server write key */
	ck_assert_mem_eq(rs, km + 2 * kl, sl);
	ck_assert_mem_eq(ls, km + 2 * kl + sl, sl);
	raw_free(&r);
	pair_free(p);
}
END_TEST

/* DTLS 1.0 is refused, and so is a client with no SRTP profile in common (its handshake may
 * complete, but the server fails and closes). */
START_TEST(refuses_old_or_plain)
{
	struct pair *p = pair_new(-1, -1);
	struct raw_client r;
	raw_new(&r, _i ? "SRTP_AES128_CM_SHA1_32" : "SRTP_AEAD_AES_128_GCM", _i ? DTLS1_2_VERSION : DTLS1_VERSION);
	ck_assert_int_eq(dtls_conn_set_remote_fingerprint(p->server.conn, "sha-256", r.fp), 0);
	int ok = raw_run(&r, p);
	if (_i == 0)
		ck_assert_int_ne(ok, 1);
	ck_assert_int_eq(dtls_conn_state(p->server.conn), DTLS_FAILED);
	raw_free(&r);
	pair_free(p);
}
END_TEST

static Suite *dtls_suite(void)
{
	Suite *s = suite_create("dtls");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fingerprint_format);
	tcase_add_test(tc, handshake_gcm);
	tcase_add_loop_test(tc, wrong_fingerprint, 0, 2);
	tcase_add_test(tc, no_fingerprint_refused);
	tcase_add_loop_test(tc, lost_datagram, 0, 4);
	tcase_add_test(tc, garbage_input);
	tcase_add_loop_test(tc, forged_records_dropped, 0, 3);
	tcase_add_loop_test(tc, close_notify, 0, 2);
	tcase_add_test(tc, srtp_with_exported_keys);
	tcase_add_loop_test(tc, server_picks_profile, 0, 3);
	tcase_add_loop_test(tc, refuses_old_or_plain, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(dtls_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
