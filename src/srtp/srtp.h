/* srtp: SRTP and SRTCP protect/unprotect for one direction of a DTLS-SRTP association.
 * RFC 3711 (AES-CM + HMAC-SHA1-80, key derivation), RFC 7714 (AEAD AES-128-GCM), RFC 5764 ids. */
#ifndef PLENUM_SRTP_SRTP_H
#define PLENUM_SRTP_SRTP_H

#include <stddef.h>
#include <stdint.h>

/* The DTLS-SRTP protection profile ids (RFC 5764 §4.1.2, RFC 7714 §14.2). */
enum srtp_profile {
	SRTP_PROFILE_AES128_CM_SHA1_80 = 0x0001,
	SRTP_PROFILE_AEAD_AES_128_GCM = 0x0007,
};

#define SRTP_SESS_MAX_KEY_LEN 16
#define SRTP_SESS_MAX_SALT_LEN 14
/* The most bytes protect adds to any packet, for sizing buffers. */
#define SRTP_SESS_MAX_OVERHEAD 20

/* Master key and salt lengths for a profile; 0 for an unknown profile. */
size_t srtp_profile_key_len(enum srtp_profile p);
size_t srtp_profile_salt_len(enum srtp_profile p);
/* Bytes protect adds: RTP 10 (CM) or 16 (GCM); RTCP 14 or 20 (SRTCP index included). */
size_t srtp_profile_rtp_overhead(enum srtp_profile p);
size_t srtp_profile_rtcp_overhead(enum srtp_profile p);
/* "AES128_CM_SHA1_80", "AEAD_AES_128_GCM", or NULL. */
const char *srtp_profile_name(enum srtp_profile p);

/* One direction (send or receive) of one DTLS-SRTP association, for all of its SSRCs.
 * Holds per-SSRC rollover counters, replay windows and SRTCP indices. Not thread-safe. */
struct srtp_sess;

/* Derives the session keys (RFC 3711 §4.3, key_derivation_rate 0) from a master key of
 * srtp_profile_key_len(p) bytes and a master salt of srtp_profile_salt_len(p) bytes.
 * 0, EINVAL (unknown profile), ENOMEM or EIO (OpenSSL failure). */
int srtp_sess_new(struct srtp_sess **out, enum srtp_profile p, const uint8_t *master_key,
		  const uint8_t *master_salt);
void srtp_sess_free(struct srtp_sess *s);

/* All four work in place on pkt. protect writes at most len + overhead bytes (cap is the size of
 * the buffer) and returns 0, ENOSPC (cap too small), EBADMSG (not an RTP/RTCP packet), ENOMEM (a
 * new SSRC could not be tracked) or EOVERFLOW (the packet index space of the key is used up).
 * unprotect returns 0, EBADMSG (malformed or truncated), EACCES (authentication failed),
 * EALREADY (replayed, or too old for the replay window) or ENOMEM; on error the packet is to be
 * dropped and its bytes are unspecified. Both may also return EIO when OpenSSL fails. */
int srtp_sess_protect_rtp(struct srtp_sess *s, uint8_t *pkt, size_t len, size_t cap, size_t *out_len);
int srtp_sess_unprotect_rtp(struct srtp_sess *s, uint8_t *pkt, size_t len, size_t *out_len);
int srtp_sess_protect_rtcp(struct srtp_sess *s, uint8_t *pkt, size_t len, size_t cap, size_t *out_len);
int srtp_sess_unprotect_rtcp(struct srtp_sess *s, uint8_t *pkt, size_t len, size_t *out_len);

/* The SRTP key derivation PRF (RFC 3711 §4.3.1/§4.3.3, AES-128-CM, r = 0): derives out_len
 * bytes for `label` (0..5) from a 16-byte master key and a master salt of salt_len <= 14 bytes
 * (a shorter salt, as with GCM's 12 bytes, is padded with zeros on the right). 0 or EIO. */
int srtp_sess_derive(const uint8_t *master_key, const uint8_t *master_salt, size_t salt_len,
		     uint8_t label, uint8_t *out, size_t out_len);

#endif
