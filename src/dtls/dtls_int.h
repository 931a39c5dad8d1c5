/* dtls_int: the certificate and connection layout shared by the dtls/ files; not a public API.
 * RFC 6347 (DTLS 1.2 over datagrams: records packed into datagrams up to the MTU). */
#ifndef PLENUM_DTLS_DTLS_INT_H
#define PLENUM_DTLS_DTLS_INT_H

#include <openssl/ssl.h>

#include "dtls/dtls.h"

struct dtls_cert {
	EVP_PKEY *pkey;
	X509 *x509;
	SSL_CTX *ctx[2];            /* [0] client, [1] server */
	BIO_METHOD *out_method;     /* the write side: records collected into datagrams */
	char fingerprint[3 * 64];   /* "AB:CD:…" of 32 bytes */
};

struct dtls_conn {
	struct dtls_cert *cert;
	SSL *ssl;
	BIO *rbio;                  /* memory BIO: the datagram being fed */
	bool is_server;
	enum dtls_state state;
	dtls_send_fn send;
	void *arg;
	const EVP_MD *fp_md;        /* NULL until the remote fingerprint is set */
	uint8_t fp[EVP_MAX_MD_SIZE];
	unsigned fp_len;
	size_t min_protected;       /* shortest valid record of the negotiated AEAD (epoch ≥ 1) */
	size_t out_len;
	uint8_t out[DTLS_MTU + 512];   /* the datagram being assembled */
};

/* The write BIO's hooks (conn.c): take one record, send the datagram assembled so far. */
int dtls_conn_out(struct dtls_conn *c, const uint8_t *data, size_t len);
void dtls_conn_flush(struct dtls_conn *c);
/* SSL_CTX_set_cert_verify_callback: the peer's leaf certificate against the SDP fingerprint. */
int dtls_conn_verify_cb(X509_STORE_CTX *store, void *arg);

#endif
