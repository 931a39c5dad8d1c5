/* srtp_rtp: protect and unprotect SRTP packets: header parsing, index and ROC, replay, transforms.
 * RFC 3711 §3.1/§3.3 (SRTP packet processing), RFC 7714 §8 (AEAD: the header is the AAD). */
#include "srtp/srtp_int.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/util.h"

/* The length of the RTP header with CSRCs and header extension; they stay in the clear. */
static int header_len(const uint8_t *p, size_t len, size_t *out)
{
	if (len < 12 || (p[0] >> 6) != 2)
		return EBADMSG;
	size_t h = 12 + 4 * (size_t)(p[0] & 0x0f);
	if (p[0] & 0x10) {
		if (len < h + 4)
			return EBADMSG;
		h += 4 + 4 * (size_t)rd16(p + h + 2);
	}
	if (h > len)
		return EBADMSG;
	*out = h;
	return 0;
}

int srtp_sess_protect_rtp(struct srtp_sess *s, uint8_t *pkt, size_t len, size_t cap, size_t *out_len)
{
	size_t hl, tag_len = s->gcm ? SRTP_GCM_TAG_LEN : SRTP_HMAC_TAG_LEN;
	int err = header_len(pkt, len, &hl);
	if (err)
		return err;
	if (len > cap || cap - len < tag_len || len > INT32_MAX)
		return ENOSPC;

	uint32_t ssrc = rd32(pkt + 8);
	uint16_t seq = rd16(pkt + 2);
	struct srtp_ssrc *st = srtp_sess_ssrc_find(s, ssrc);
	if (!st) {
		struct srtp_ssrc fresh = { .ssrc = ssrc };
		if ((err = srtp_sess_ssrc_insert(s, &fresh, &st)))
			return err;
	}
	/* The sender estimates too, so that a retransmission of an older sequence number gets the
	 * ROC it was first sent with. */
	int64_t idx = st->rtp_seen ? srtp_sess_estimate_index(st->rtp.hi, seq) : seq;
	if (idx < 0)
		return EOVERFLOW;

	if (s->gcm) {
		err = srtp_sess_gcm_seal(&s->rtp, ssrc, (uint64_t)idx, pkt, hl, NULL, 0, pkt + hl, len - hl,
					 pkt + len);
	} else {
		uint8_t roc[4];
		wr32(roc, (uint32_t)((uint64_t)idx >> 16));
		err = srtp_sess_ctr(&s->rtp, ssrc, (uint64_t)idx, pkt + hl, len - hl);
		if (!err)
			err = srtp_sess_hmac(&s->rtp, pkt, len, roc, sizeof roc, pkt + len);
	}
	if (err)
		return err;
	if (!st->rtp_seen || (uint64_t)idx > st->rtp.hi)
		st->rtp.hi = (uint64_t)idx;
	st->rtp_seen = true;
	*out_len = len + tag_len;
	return 0;
}

int srtp_sess_unprotect_rtp(struct srtp_sess *s, uint8_t *pkt, size_t len, size_t *out_len)
{
	size_t hl, tag_len = s->gcm ? SRTP_GCM_TAG_LEN : SRTP_HMAC_TAG_LEN;
	if (len < tag_len || len > INT32_MAX)
		return EBADMSG;
	int err = header_len(pkt, len - tag_len, &hl);
	if (err)
		return err;
	size_t body = len - tag_len;

	uint32_t ssrc = rd32(pkt + 8);
	uint16_t seq = rd16(pkt + 2);
	struct srtp_ssrc *st = srtp_sess_ssrc_find(s, ssrc);
	/* A new SSRC is tracked only once one of its packets authenticates. */
	int64_t idx = st && st->rtp_seen ? srtp_sess_estimate_index(st->rtp.hi, seq) : seq;
	if (idx < 0)
		return EALREADY;
	if (st && (err = srtp_sess_replay_check(&st->rtp, st->rtp_seen, (uint64_t)idx)))
		return err;

	if (s->gcm) {
		err = srtp_sess_gcm_open(&s->rtp, ssrc, (uint64_t)idx, pkt, hl, NULL, 0, pkt + hl, body - hl,
					 pkt + body);
	} else {
		uint8_t roc[4], tag[SRTP_HMAC_TAG_LEN];
		wr32(roc, (uint32_t)((uint64_t)idx >> 16));
		err = srtp_sess_hmac(&s->rtp, pkt, body, roc, sizeof roc, tag);
		if (!err && CRYPTO_memcmp(tag, pkt + body, sizeof tag) != 0)
			err = EACCES;
		if (!err)
			err = srtp_sess_ctr(&s->rtp, ssrc, (uint64_t)idx, pkt + hl, body - hl);
	}
	if (err)
		return err;

	if (!st) {
		struct srtp_ssrc fresh = { .ssrc = ssrc };
		if ((err = srtp_sess_ssrc_insert(s, &fresh, &st)))
			return err;
	}
	srtp_sess_replay_add(&st->rtp, st->rtp_seen, (uint64_t)idx);
	st->rtp_seen = true;
	*out_len = body;
	return 0;
}
