/* srtp_rtcp: protect and unprotect SRTCP packets: the E flag and SRTCP index, replay, transforms.
 * RFC 3711 §3.4 (SRTCP), RFC 7714 §9 (AEAD SRTCP: AAD is the first 8 octets and E || index). */
#include "srtp/srtp_int.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/util.h"

#define RTCP_HEADER 8   /* V/P/RC, PT, length, sender SSRC: never encrypted */

static int rtcp_header_ok(const uint8_t *p, size_t len)
{
	return len >= RTCP_HEADER && (p[0] >> 6) == 2;
}

int srtp_sess_protect_rtcp(struct srtp_sess *s, uint8_t *pkt, size_t len, size_t cap, size_t *out_len)
{
	size_t tag_len = s->gcm ? SRTP_GCM_TAG_LEN : SRTP_HMAC_TAG_LEN;
	if (!rtcp_header_ok(pkt, len))
		return EBADMSG;
	if (len > cap || cap - len < tag_len + SRTCP_TRAILER_LEN || len > INT32_MAX)
		return ENOSPC;

	uint32_t ssrc = rd32(pkt + 4);
	struct srtp_ssrc *st = srtp_sess_ssrc_find(s, ssrc);
	int err;
	if (!st) {
		struct srtp_ssrc fresh = { .ssrc = ssrc };
		if ((err = srtp_sess_ssrc_insert(s, &fresh, &st)))
			return err;
	}
	uint32_t index = st->rtcp_next;
	if (index > 0x7fffffffu)
		return EOVERFLOW;
	uint8_t trailer[SRTCP_TRAILER_LEN];
	wr32(trailer, SRTCP_E_FLAG | index);

	if (s->gcm) {
		/* header | ciphertext | tag | E || index */
		err = srtp_sess_gcm_seal(&s->rtcp, ssrc, index, pkt, RTCP_HEADER, trailer, sizeof trailer,
					 pkt + RTCP_HEADER, len - RTCP_HEADER, pkt + len);
		memcpy(pkt + len + SRTP_GCM_TAG_LEN, trailer, sizeof trailer);
	} else {
		/* header | ciphertext | E || index | tag over all before it */
		err = srtp_sess_ctr(&s->rtcp, ssrc, index, pkt + RTCP_HEADER, len - RTCP_HEADER);
		memcpy(pkt + len, trailer, sizeof trailer);
		if (!err)
			err = srtp_sess_hmac(&s->rtcp, pkt, len + sizeof trailer, NULL, 0, pkt + len + sizeof trailer);
	}
	if (err)
		return err;
	st->rtcp_next = index + 1;
	*out_len = len + tag_len + SRTCP_TRAILER_LEN;
	return 0;
}

/* The authentication and decryption of one SRTCP packet whose layout has been checked. */
static int open_rtcp(struct srtp_sess *s, uint8_t *pkt, size_t body, const uint8_t *trailer,
		     const uint8_t *tag, uint32_t ssrc, uint32_t index, bool encrypted)
{
	if (s->gcm) {
		/* Unencrypted SRTCP under GCM: the whole packet is AAD, nothing is ciphertext. */
		size_t aad = encrypted ? RTCP_HEADER : body;
		return srtp_sess_gcm_open(&s->rtcp, ssrc, index, pkt, aad, trailer, SRTCP_TRAILER_LEN,
					  pkt + aad, body - aad, tag);
	}
	uint8_t want[SRTP_HMAC_TAG_LEN];
	int err = srtp_sess_hmac(&s->rtcp, pkt, body + SRTCP_TRAILER_LEN, NULL, 0, want);
	if (err)
		return err;
	if (CRYPTO_memcmp(want, tag, sizeof want) != 0)
		return EACCES;
	return encrypted ? srtp_sess_ctr(&s->rtcp, ssrc, index, pkt + RTCP_HEADER, body - RTCP_HEADER) : 0;
}

int srtp_sess_unprotect_rtcp(struct srtp_sess *s, uint8_t *pkt, size_t len, size_t *out_len)
{
	size_t tag_len = s->gcm ? SRTP_GCM_TAG_LEN : SRTP_HMAC_TAG_LEN;
	if (len < RTCP_HEADER + tag_len + SRTCP_TRAILER_LEN || len > INT32_MAX || !rtcp_header_ok(pkt, len))
		return EBADMSG;
	size_t body = len - tag_len - SRTCP_TRAILER_LEN;
	const uint8_t *trailer, *tag;
	if (s->gcm) {
		tag = pkt + body;
		trailer = pkt + body + tag_len;
	} else {
		trailer = pkt + body;
		tag = pkt + body + SRTCP_TRAILER_LEN;
	}
	uint32_t word = rd32(trailer);
	uint32_t index = word & ~SRTCP_E_FLAG;
	bool encrypted = word & SRTCP_E_FLAG;
	uint32_t ssrc = rd32(pkt + 4);

	struct srtp_ssrc *st = srtp_sess_ssrc_find(s, ssrc);
	int err;
	if (st && (err = srtp_sess_replay_check(&st->rtcp, st->rtcp_seen, index)))
		return err;
	if ((err = open_rtcp(s, pkt, body, trailer, tag, ssrc, index, encrypted)))
		return err;
	if (!st) {
		struct srtp_ssrc fresh = { .ssrc = ssrc };
		if ((err = srtp_sess_ssrc_insert(s, &fresh, &st)))
			return err;
	}
	srtp_sess_replay_add(&st->rtcp, st->rtcp_seen, index);
	st->rtcp_seen = true;
	*out_len = body;
	return 0;
}
