/* cert: the process's self-signed ECDSA P-256 certificate, its SHA-256 fingerprint, and the
 * DTLS 1.2 SSL_CTXs (one per role) that its connections share. RFC 5764 §4.1, RFC 8122 §5. */
#include "dtls/dtls_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "base/log.h"
#include "base/util.h"

#define MOD "dtls"
#define VALID_DAYS 30

/* ECDHE and AEAD only (RFC 8827 §6.5 asks for ECDHE-ECDSA-AES128-GCM-SHA256, which every browser
 * offers); ECDSA suites for our own certificate, RSA ones too for a client talking to an RSA-keyed
 * server. No CBC suites: OpenSSL fails a DTLS association on one forged CBC record instead of
 * dropping it. */
static const char CIPHERS[] =
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384:"
	"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384";
/* GCM first: OpenSSL as server picks the SRTP profile by its own order (RFC 5764 §4.1.1). */
static const char SRTP_PROFILES[] = "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80";

static X509 *make_x509(EVP_PKEY *pkey)
{
	X509 *x = X509_new();
	BIGNUM *bn = NULL;
	uint8_t rnd[8];
	char cn[2 * sizeof rnd + 1];
	if (!x || util_random(rnd, sizeof rnd))
		goto fail;
	rnd[0] &= 0x7f;   /* a positive serial */
	bn = BN_bin2bn(rnd, sizeof rnd, NULL);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
		goto fail;
	if (util_random(rnd, sizeof rnd))
		goto fail;
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(cn + 2 * i, 3, "%02x", rnd[i]);

	X509_NAME *name = X509_get_subject_name(x);
	if (X509_set_version(x, 2) != 1 ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -24 * 3600L) ||   /* tolerate a peer's clock skew */
	    !X509_gmtime_adj(X509_getm_notAfter(x), VALID_DAYS * 24 * 3600L) ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1 || X509_set_pubkey(x, pkey) != 1 ||
	    X509_sign(x, pkey, EVP_sha256()) <= 0)
		goto fail;
	BN_free(bn);
	return x;
fail:
	BN_free(bn);
	X509_free(x);
	return NULL;
}

static long out_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct dtls_conn *c = BIO_get_data(b);
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		dtls_conn_flush(c);
		return 1;
	case BIO_CTRL_WPENDING:
		return (long)c->out_len;
	case BIO_CTRL_PENDING:
		return 0;
	case BIO_CTRL_DGRAM_QUERY_MTU:
	case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
		return DTLS_MTU;
	}
	return 0;
}

static int out_bio_write(BIO *b, const char *data, int len)
{
	struct dtls_conn *c = BIO_get_data(b);
	return dtls_conn_out(c, (const uint8_t *)data, len > 0 ? (size_t)len : 0);
}

static int out_bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static SSL_CTX *make_ctx(struct dtls_cert *c, bool server)
{
	SSL_CTX *ctx = SSL_CTX_new(server ? DTLS_server_method() : DTLS_client_method());
	if (!ctx)
		return NULL;
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET |
				 SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_cert_verify_callback(ctx, dtls_conn_verify_cb, NULL);
	if (SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_cipher_list(ctx, CIPHERS) != 1 ||
	    SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") != 1 ||
	    SSL_CTX_set_tlsext_use_srtp(ctx, SRTP_PROFILES) != 0 ||   /* 0 is success here */
	    SSL_CTX_use_certificate(ctx, c->x509) != 1 || SSL_CTX_use_PrivateKey(ctx, c->pkey) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int dtls_cert_new(struct dtls_cert **out)
{
	*out = NULL;
	struct dtls_cert *c = calloc(1, sizeof *c);
	if (!c)
		return ENOMEM;
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	c->pkey = EVP_EC_gen("P-256");
	if (c->pkey)
		c->x509 = make_x509(c->pkey);
	if (!c->x509 || X509_digest(c->x509, EVP_sha256(), md, &md_len) != 1)
		goto fail;
	for (unsigned i = 0; i < md_len; i++)
		snprintf(c->fingerprint + 3 * i, 4, i + 1 < md_len ? "%02X:" : "%02X", md[i]);

	/* Both contexts are made here rather than on first use: the certificate is then immutable
	 * and can be shared by connections on several threads. */
	c->out_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "plenum-dtls-out");
	if (!c->out_method || !BIO_meth_set_write(c->out_method, out_bio_write) ||
	    !BIO_meth_set_ctrl(c->out_method, out_bio_ctrl) || !BIO_meth_set_create(c->out_method, out_bio_create))
		goto fail;
	c->ctx[0] = make_ctx(c, false);
	c->ctx[1] = make_ctx(c, true);
	if (!c->ctx[0] || !c->ctx[1])
		goto fail;
	*out = c;
	return 0;
fail:
	log_error(MOD, "certificate set-up failed: %s", ERR_reason_error_string(ERR_peek_last_error()));
	ERR_clear_error();
	dtls_cert_free(c);
	return EIO;
}

void dtls_cert_free(struct dtls_cert *c)
{
	if (!c)
		return;
	SSL_CTX_free(c->ctx[0]);
	SSL_CTX_free(c->ctx[1]);
	BIO_meth_free(c->out_method);
	X509_free(c->x509);
	EVP_PKEY_free(c->pkey);
	free(c);
}

const char *dtls_cert_fingerprint(const struct dtls_cert *c)
{
	return c->fingerprint;
}
