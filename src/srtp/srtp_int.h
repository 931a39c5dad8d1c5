/* srtp_int: the session layout and per-SSRC state shared by the srtp/ files; not a public API.
 * RFC 3711 §3.2.1 (cryptographic context), §3.3.1 (index estimation), §3.3.2 (replay list). */
#ifndef PLENUM_SRTP_SRTP_INT_H
#define PLENUM_SRTP_SRTP_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "srtp/srtp.h"

#define SRTP_REPLAY_WINDOW 128
#define SRTP_HMAC_TAG_LEN 10   /* HMAC-SHA1-80 */
#define SRTP_GCM_TAG_LEN 16
#define SRTCP_TRAILER_LEN 4    /* E flag and 31-bit SRTCP index */
#define SRTCP_E_FLAG 0x80000000u

/* Session keys for RTP or for RTCP. */
struct srtp_keys {
	EVP_CIPHER_CTX *cipher; /* AES-128-CTR or AES-128-GCM, keyed once; only the IV changes */
	EVP_MAC_CTX *mac;       /* HMAC-SHA1 keyed once (CM only) */
	uint8_t salt[SRTP_SESS_MAX_SALT_LEN];
};

/* A replay window: the highest index accepted and a bitmap of the SRTP_REPLAY_WINDOW indices up
 * to it (bit k set: index hi - k was accepted). */
struct srtp_replay {
	uint64_t hi;
	uint64_t bits[SRTP_REPLAY_WINDOW / 64];
};

struct srtp_ssrc {
	uint32_t ssrc;
	bool used;
	bool rtp_seen;       /* an RTP packet of this SSRC went through */
	bool rtcp_seen;      /* an SRTCP packet was accepted (receive side) */
	uint32_t rtcp_next;  /* send side: the next SRTCP index */
	struct srtp_replay rtp;  /* hi = ROC << 16 | s_l; the bitmap is used on receive only */
	struct srtp_replay rtcp;
};

struct srtp_sess {
	enum srtp_profile profile;
	bool gcm;
	uint32_t tab_cap;    /* a power of two */
	uint32_t tab_count;
	struct srtp_ssrc *tab;
	struct srtp_keys rtp;
	struct srtp_keys rtcp;
};

/* The state of ssrc, or NULL when it has none yet. */
struct srtp_ssrc *srtp_sess_ssrc_find(struct srtp_sess *s, uint32_t ssrc);
/* Inserts a copy of st (st->used set by the callee); grows the table. 0 or ENOMEM. */
int srtp_sess_ssrc_insert(struct srtp_sess *s, const struct srtp_ssrc *st, struct srtp_ssrc **out);

/* RFC 3711 §3.3.1: the 48-bit index of seq given the highest index so far, or -1 when it would
 * fall outside 0 .. 2^48-1. */
int64_t srtp_sess_estimate_index(uint64_t hi, uint16_t seq);
/* 0 when idx may be accepted, EALREADY when it was seen or is older than the window. */
int srtp_sess_replay_check(const struct srtp_replay *r, bool seen, uint64_t idx);
/* Records idx as accepted (after authentication). */
void srtp_sess_replay_add(struct srtp_replay *r, bool seen, uint64_t idx);

/* The transforms (crypto.c). idx is the 48-bit SRTP packet index or the 31-bit SRTCP index. */
/* AES-CM (RFC 3711 §4.1.1) in place. 0 or EIO. */
int srtp_sess_ctr(struct srtp_keys *k, uint32_t ssrc, uint64_t idx, uint8_t *buf, size_t len);
/* HMAC-SHA1 of a || b, truncated to SRTP_HMAC_TAG_LEN bytes. 0 or EIO. */
int srtp_sess_hmac(struct srtp_keys *k, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		   uint8_t tag[SRTP_HMAC_TAG_LEN]);
/* AES-GCM (RFC 7714 §8) in place, AAD a || b. seal writes the tag: 0 or EIO. open checks it:
 * 0 or EACCES. */
int srtp_sess_gcm_seal(struct srtp_keys *k, uint32_t ssrc, uint64_t idx, const uint8_t *a, size_t alen,
		       const uint8_t *b, size_t blen, uint8_t *buf, size_t len, uint8_t tag[SRTP_GCM_TAG_LEN]);
int srtp_sess_gcm_open(struct srtp_keys *k, uint32_t ssrc, uint64_t idx, const uint8_t *a, size_t alen,
		       const uint8_t *b, size_t blen, uint8_t *buf, size_t len, const uint8_t tag[SRTP_GCM_TAG_LEN]);

#endif
