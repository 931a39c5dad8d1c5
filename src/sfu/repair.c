/* repair: what subscribers ask for to repair their pictures — NACKed packets resent from the
 * cache on the RTX stream within a per-subscriber budget, duplicates ignored, and keyframe
 * requests (PLI) to publishers, throttled per layer. RFC 4585 §6.2.1, §6.3.1, RFC 4588. */
#include <string.h>

#include "base/util.h"
#include "codec/vp8.h"
#include "rtcp/rtcp.h"
#include "sdp/sdp.h"
#include "sfu/sfu_internal.h"

/* ---- budgets -------------------------------------------------------------------------------- */

uint32_t sfu_rtx_rate_pps(uint64_t budget_bps)
{
	uint64_t pps = budget_bps / 4u / (8u * SFU_RTX_PACKET_BYTES);
	return (uint32_t)(pps < SFU_RTX_MIN_PPS ? SFU_RTX_MIN_PPS : pps > SFU_RTX_MAX_PPS ? SFU_RTX_MAX_PPS : pps);
}

bool sfu_rtx_budget_take(struct sfu_rtx_budget *b, uint32_t rate_pps, uint64_t now_us)
{
	uint64_t full = (uint64_t)rate_pps * SFU_RTX_BURST_MS;   /* thousandths: pps × ms */
	if (!b->started) {
		b->started = true;
		b->tokens_milli = full;
		b->last_us = now_us;
	}
	if (now_us > b->last_us) {
		/* rate_pps retransmissions per second = rate_pps thousandths per millisecond */
		uint64_t ms = (now_us - b->last_us) / 1000u;
		b->tokens_milli += ms * rate_pps;
		b->last_us += ms * 1000u;
		if (b->tokens_milli >= full) {
			b->tokens_milli = full;
			b->last_us = now_us;
		}
	}
	if (b->tokens_milli < 1000u)
		return false;
	b->tokens_milli -= 1000u;
	return true;
}

static uint32_t rtx_ms(uint64_t now_us)
{
	return (uint32_t)(now_us / 1000u) | 1u;   /* never 0, which marks a free slot */
}

bool sfu_rtx_recent_seen(const struct sfu_rtx_recent *r, uint16_t seq, uint64_t now_us)
{
	size_t i = seq & (SFU_RTX_RECENT - 1);
	return r->at_ms[i] && r->seq[i] == seq && (uint32_t)(rtx_ms(now_us) - r->at_ms[i]) < SFU_RTX_DEDUP_US / 1000u;
}

void sfu_rtx_recent_mark(struct sfu_rtx_recent *r, uint16_t seq, uint64_t now_us)
{
	size_t i = seq & (SFU_RTX_RECENT - 1);
	r->seq[i] = seq;
	r->at_ms[i] = rtx_ms(now_us);
}

/* ---- NACK answers --------------------------------------------------------------------------- */

/* Resends one packet the subscriber lists in a NACK, when it is in the cache, not resent
 * lately, and the subscriber's budget allows. */
static void retransmit(void *arg, uint16_t seq_out)
{
	struct sfu_down *d = arg;
	struct sfu_participant *sub = d->sub;
	struct sfu_worker *sfu = sub->w;
	uint16_t src_seq;
	size_t len;
	uint64_t stored, now = clock_now(sfu->clock);
	if (!d->src || d->cur_layer < 0 || !d->rtx_pt || !sfu_fwd_unmap_seq(&d->fwd, seq_out, &src_seq))
		return;
	struct rtp_cache *cache = d->src->layers[d->cur_layer].cache;
	const uint8_t *orig = cache ? rtp_cache_get(cache, src_seq, &len, &stored) : NULL;
	struct rtp_hdr h;
	if (!orig || rtp_parse(&h, orig, len) != 0 || h.payload_len > SFU_CACHE_PACKET_MAX)
		return;
	if (sfu_rtx_recent_seen(&d->rtx_recent, seq_out, now)) {
		sfu->nack_duplicates++;
		return;
	}
	if (!sfu_rtx_budget_take(&sub->rtx_budget, sfu_rtx_rate_pps(sub->budget_bps), now)) {
		sfu->nack_retransmits_dropped++;
		return;
	}
	/* RFC 4588: on the RTX stream, the original sequence number ahead of the payload */
	uint8_t body[SFU_CACHE_PACKET_MAX + 2];
	wr16(body, seq_out);
	memcpy(body + 2, h.payload, h.payload_len);
	uint16_t tseq;
	size_t n = sfu_media_write(sub, h.marker, d->rtx_pt, d->rtx_seq, h.ts + d->fwd.ts_offset, d->rtx_ssrc,
	                           body, h.payload_len + 2, &tseq);
	if (!n)
		return;
	d->rtx_seq++;
	/* the same picture id as when it was first sent */
	struct vp8_desc desc;
	uint8_t *payload = sfu->scratch + n - h.payload_len;
	if (d->src->codec == SDP_VIDEO_VP8 && vp8_parse_descriptor(&desc, payload, h.payload_len) == 0) {
		uint16_t keep_pid = d->fwd.last_pid_out;
		uint8_t keep_tl0 = d->fwd.last_tl0_out;
		sfu_fwd_vp8(&d->fwd, payload, h.payload_len, &desc, false);
		d->fwd.last_pid_out = keep_pid;
		d->fwd.last_tl0_out = keep_tl0;
	}
	sfu_rtx_recent_mark(&d->rtx_recent, seq_out, now);
	if (sfu_media_send(sub, n, tseq, true) == 0)
		sfu->nack_retransmits++;
}

static struct sfu_down *down_by_ssrc(struct sfu_participant *sub, uint32_t ssrc)
{
	for (size_t i = 0; i < sub->n_downs; i++)
		if (sub->downs[i]->ssrc == ssrc)
			return sub->downs[i];
	return NULL;
}

void sfu_repair_on_feedback(struct sfu_participant *sub, const struct rtcp_pkt *pk)
{
	bool nack = pk->pt == RTCP_RTPFB && pk->fmt == RTCP_RTPFB_NACK;
	bool kf = pk->pt == RTCP_PSFB && (pk->fmt == RTCP_PSFB_PLI || pk->fmt == RTCP_PSFB_FIR);
	if (!nack && !kf)
		return;
	struct sfu_down *d = down_by_ssrc(sub, pk->media_ssrc);
	if (kf && pk->fmt == RTCP_PSFB_FIR && !d && pk->len >= 20)
		d = down_by_ssrc(sub, rd32(pk->buf + 12));   /* FIR names the SSRC in its FCI */
	if (!d || !d->src)
		return;
	if (nack)
		rtcp_nack_for_each(pk, retransmit, d);
	else
		sfu_track_request_keyframe(d->src, d->cur_layer >= 0 ? d->cur_layer : d->target_layer, false);
}

/* ---- keyframe requests ---------------------------------------------------------------------- */

void sfu_track_request_keyframe(struct sfu_track *t, int layer, bool force)
{
	struct sfu_participant *p = t->owner;
	struct sfu_worker *sfu = p->w;
	if (layer < 0 || (size_t)layer >= t->n_layers)
		return;
	struct sfu_layer *l = &t->layers[layer];
	if (t->kind != SFU_KIND_VIDEO || !l->ssrc || !sfu_peer_up(p->pub))
		return;
	uint64_t now = clock_now(sfu->clock);
	if (!force && l->last_pli_us && now - l->last_pli_us < SFU_PLI_MIN_INTERVAL_US)
		return;
	l->last_pli_us = now;
	uint8_t *buf = sfu->scratch;
	size_t n = rtcp_write_rr(buf, sizeof sfu->scratch, p->rtcp_ssrc, NULL, 0);
	n += rtcp_write_pli(buf + n, sizeof sfu->scratch - n, p->rtcp_ssrc, l->ssrc);
	if (peer_send_rtcp(p->pub, buf, n, sizeof sfu->scratch) == 0)
		sfu->keyframe_requests++;
}
