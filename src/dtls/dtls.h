/* dtls: DTLS 1.2 handshakes over memory BIOs for DTLS-SRTP, the process certificate and its
 * fingerprint. RFC 6347 (DTLS 1.2), RFC 5764 (DTLS-SRTP), RFC 8122 (fingerprints in SDP). */
#ifndef PLENUM_DTLS_DTLS_H
#define PLENUM_DTLS_DTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srtp/srtp.h"

/* The largest datagram a connection sends. */
#define DTLS_MTU 1200

/* One per process: ECDSA P-256, self-signed, valid 30 days, random serial and CN. Holds the
 * SSL_CTXs (one per role, made on first use) that its connections share. */
struct dtls_cert;
int dtls_cert_new(struct dtls_cert **out);
void dtls_cert_free(struct dtls_cert *c);   /* after all of its connections are freed */
/* SHA-256 of the DER certificate, "AB:CD:…" (uppercase, colons), for a=fingerprint:sha-256. */
const char *dtls_cert_fingerprint(const struct dtls_cert *c);

struct dtls_conn;
/* Called with each datagram to send, from within the dtls_conn_* calls. */
typedef void (*dtls_send_fn)(void *arg, const uint8_t *buf, size_t len);

/* 0, ENOMEM or EIO. The connection keeps a reference to cert. */
int dtls_conn_new(struct dtls_conn **out, struct dtls_cert *cert, bool is_server, dtls_send_fn send,
		  void *arg);
/* The remote certificate must match this (from the SDP): alg "sha-256" (or sha-1, sha-384,
 * sha-512), hex pairs with colons, case-insensitive. 0 or EINVAL. Without one, every peer
 * certificate is refused. */
int dtls_conn_set_remote_fingerprint(struct dtls_conn *c, const char *alg, const char *fingerprint);

enum dtls_state { DTLS_HANDSHAKING = 0, DTLS_CONNECTED, DTLS_FAILED, DTLS_CLOSED };

/* Client role: sends the ClientHello. The server role just waits for it. */
enum dtls_state dtls_conn_start(struct dtls_conn *c);
/* One received datagram; may call send (records coalesced into datagrams of at most DTLS_MTU).
 * Application data is not used by DTLS-SRTP and is discarded. */
enum dtls_state dtls_conn_feed(struct dtls_conn *c, const uint8_t *buf, size_t len);
/* Milliseconds until dtls_conn_on_timer is due (0: now), or -1 when no timer runs. */
int dtls_conn_timeout_ms(struct dtls_conn *c);
/* Retransmits the last flight when its timer expired (RFC 6347 §4.2.4); fails the connection
 * after too many tries. */
enum dtls_state dtls_conn_on_timer(struct dtls_conn *c);
enum dtls_state dtls_conn_state(const struct dtls_conn *c);
/* After CONNECTED: the negotiated profile and the keys from the exporter "EXTRACTOR-dtls_srtp"
 * (RFC 5764 §4.2); local = what this side protects with, remote = what it unprotects with.
 * Buffers of SRTP_SESS_MAX_KEY_LEN / SRTP_SESS_MAX_SALT_LEN bytes suffice. 0, EAGAIN (not
 * connected) or EIO. */
int dtls_conn_srtp_keys(struct dtls_conn *c, enum srtp_profile *profile, uint8_t *local_key,
			uint8_t *local_salt, uint8_t *remote_key, uint8_t *remote_salt);
/* Sends close_notify (once) and moves to DTLS_CLOSED. */
void dtls_conn_close(struct dtls_conn *c);
void dtls_conn_free(struct dtls_conn *c);

#endif
