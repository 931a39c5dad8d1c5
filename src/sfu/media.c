/* media: the forwarding path — publishers' RTP to every subscriber (rewritten per down-track),
 * subscribers' NACKs answered from the cache, PLI/FIR relayed (throttled) to publishers,
 * receiver reports to publishers and translated sender reports to subscribers (RFC 3550). */
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "codec/vp8.h"
#include "rtcp/rtcp.h"
#include "sdp/sdp.h"
#include "sfu/sfu_internal.h"

#define SFU_REMB_BPS 2500000u   /* what a publisher may send per video track, until BWE lands */

static bool peer_up(const struct peer *p)
{
	return p && p->state == PEER_CONNECTED;
}

/* ---- publisher side ---------------------------------------------------------------------- */

static struct sfu_track *track_by_ssrc(struct sfu_participant *p, const struct rtp_hdr *h, bool *is_rtx)
{
	*is_rtx = false;
	for (size_t k = 0; k < p->n_tracks; k++) {
		struct sfu_track *t = p->tracks[k];
		if (t->ssrc == h->ssrc)
			return t;
		if (t->rtx_ssrc && t->rtx_ssrc == h->ssrc) {
			*is_rtx = true;
			return t;
		}
	}
	/* Not signalled (or changed): learn it from the mid header extension (RFC 8843 §15). */
	for (size_t k = 0; k < p->n_tracks; k++) {
		struct sfu_track *t = p->tracks[k];
		const uint8_t *val;
		size_t len;
		if (!t->ext_mid || rtp_ext_find(h, t->ext_mid, &val, &len) != 0)
			continue;
		if (len != strlen(t->mid) || memcmp(val, t->mid, len) != 0)
			continue;
		if (t->rtx_pt && h->pt == t->rtx_pt) {
			t->rtx_ssrc = h->ssrc;
			*is_rtx = true;
		} else if (h->pt == t->pt) {
			if (t->ssrc && t->receiving)   /* a new source on the same m-line */
				for (size_t i = 0; i < t->n_downs; i++)
					sfu_fwd_rebase(&t->downs[i]->fwd);
			t->ssrc = h->ssrc;
			t->receiving = false;
		} else {
			return NULL;
		}
		return t;
	}
	return NULL;
}

void sfu_track_request_keyframe(struct sfu_track *t, bool force)
{
	struct sfu_participant *p = t->owner;
	struct sfu *sfu = p->sfu;
	if (t->kind != SFU_KIND_VIDEO || !t->ssrc || !peer_up(p->pub))
		return;
	uint64_t now = clock_now(sfu->clock);
	if (!force && t->last_pli_us && now - t->last_pli_us < SFU_PLI_MIN_INTERVAL_US)
		return;
	t->last_pli_us = now;
	uint8_t *buf = sfu->scratch;
	size_t n = rtcp_write_rr(buf, sizeof sfu->scratch, p->rtcp_ssrc, NULL, 0);
	n += rtcp_write_pli(buf + n, sizeof sfu->scratch - n, p->rtcp_ssrc, t->ssrc);
	if (peer_send_rtcp(p->pub, buf, n, sizeof sfu->scratch) == 0)
		sfu->keyframe_requests++;
}

static void forward(struct sfu_track *t, const struct rtp_hdr *h, uint16_t seq,
                    const uint8_t *payload, size_t payload_len)
{
	struct sfu *sfu = t->owner->sfu;
	uint64_t now = clock_now(sfu->clock);
	bool video = t->kind == SFU_KIND_VIDEO;
	bool keyframe = video && vp8_is_keyframe(payload, payload_len);
	uint8_t out_pt = video ? SDP_SUB_VP8_PT : SDP_SUB_OPUS_PT;
	for (size_t i = 0; i < t->n_downs; i++) {
		struct sfu_down *d = t->downs[i];
		if (!peer_up(d->sub->sub))
			continue;
		uint16_t so;
		uint32_t to;
		if (!sfu_fwd_map(&d->fwd, seq, h->ts, keyframe, now, &so, &to)) {
			if (sfu_fwd_waiting(&d->fwd))
				sfu_track_request_keyframe(t, false);
			continue;
		}
		size_t n = rtp_write(sfu->scratch, sizeof sfu->scratch, h->marker, out_pt, so, to, d->ssrc,
		                     NULL, 0, payload, payload_len);
		if (n && peer_send_rtp(d->sub->sub, sfu->scratch, n, sizeof sfu->scratch) == 0) {
			d->packets++;
			d->octets += payload_len;
		}
	}
}

static void pub_on_rtp(void *arg, struct peer *peer, uint8_t *pkt, size_t len)
{
	struct sfu_participant *p = arg;
	struct sfu *sfu = p->sfu;
	struct rtp_hdr h;
	if (rtp_parse(&h, pkt, len) != 0) {
		sfu->dropped_malformed_rtp++;
		return;
	}
	bool is_rtx;
	struct sfu_track *t = track_by_ssrc(p, &h, &is_rtx);
	if (!t) {
		sfu->dropped_unknown_ssrc++;
		return;
	}
	const uint8_t *payload = h.payload;
	size_t payload_len = h.payload_len;
	uint16_t seq = h.seq;
	if (is_rtx) {   /* RFC 4588: the original sequence number leads the payload */
		if (payload_len < 2)
			return;   /* padding-only probe */
		seq = rd16(payload);
		payload += 2;
		payload_len -= 2;
	} else {
		uint32_t arrival = (uint32_t)(clock_now(sfu->clock) * t->clock_rate / 1000000u);
		if (!t->receiving) {
			rtp_recv_stats_init(&t->rstats, h.seq);
			t->receiving = true;
		}
		rtp_recv_stats_update(&t->rstats, h.seq, h.ts, arrival);
		if (t->cache)
			rtp_cache_put(t->cache, h.seq, pkt, len, clock_now(sfu->clock));
	}
	if (payload_len == 0)
		return;   /* padding only */
	forward(t, &h, seq, payload, payload_len);
}

static void on_sender_report(struct sfu_participant *p, const struct rtcp_pkt *pk)
{
	struct sfu *sfu = p->sfu;
	uint32_t ssrc, rtp_ts, pkts, octets;
	uint64_t ntp;
	if (rtcp_sr_parse(pk, &ssrc, &ntp, &rtp_ts, &pkts, &octets) != 0)
		return;
	for (size_t k = 0; k < p->n_tracks; k++) {
		struct sfu_track *t = p->tracks[k];
		if (t->ssrc != ssrc)
			continue;
		t->sr_ntp_mid = (uint32_t)(ntp >> 16);
		t->sr_recv_us = clock_now(sfu->clock);
		/* Translate for each subscriber: same wall clock, its own RTP timeline and counts. */
		for (size_t i = 0; i < t->n_downs; i++) {
			struct sfu_down *d = t->downs[i];
			if (!peer_up(d->sub->sub) || !d->fwd.started)
				continue;
			size_t n = rtcp_write_sr(sfu->scratch, sizeof sfu->scratch, d->ssrc, ntp, rtp_ts + d->fwd.ts_offset,
			                         (uint32_t)d->packets, (uint32_t)d->octets, NULL, 0);
			if (n)
				peer_send_rtcp(d->sub->sub, sfu->scratch, n, sizeof sfu->scratch);
		}
	}
}

static void pub_on_rtcp(void *arg, struct peer *peer, uint8_t *pkt, size_t len)
{
	struct sfu_participant *p = arg;
	struct rtcp_iter it;
	struct rtcp_pkt pk;
	int r;
	rtcp_iter_init(&it, pkt, len);
	while ((r = rtcp_iter_next(&it, &pk)) == 1)
		if (pk.pt == RTCP_SR)
			on_sender_report(p, &pk);
	if (r < 0)
		p->sfu->dropped_malformed_rtcp++;
}

static void on_peer_state(void *arg, struct peer *peer, enum peer_state st)
{
	struct sfu_participant *p = arg;
	if (st == PEER_FAILED || st == PEER_CLOSED) {
		p->failed = true;   /* dropped at the next tick, outside the packet path */
		return;
	}
	if (st == PEER_CONNECTED && peer == p->sub) {
		for (size_t i = 0; i < p->n_downs; i++)
			if (p->downs[i]->src)
				sfu_track_request_keyframe(p->downs[i]->src, false);
	}
}

/* ---- subscriber side --------------------------------------------------------------------- */

static struct sfu_down *down_by_ssrc(struct sfu_participant *sub, uint32_t ssrc)
{
	for (size_t i = 0; i < sub->n_downs; i++)
		if (sub->downs[i]->ssrc == ssrc)
			return sub->downs[i];
	return NULL;
}

struct nack_ctx { struct sfu_down *d; };

static void retransmit(void *arg, uint16_t seq_out)
{
	struct nack_ctx *c = arg;
	struct sfu_down *d = c->d;
	struct sfu *sfu = d->sub->sfu;
	uint16_t src_seq;
	size_t len;
	uint64_t stored;
	if (!d->src || !d->src->cache || !sfu_fwd_unmap_seq(&d->fwd, seq_out, &src_seq))
		return;
	const uint8_t *orig = rtp_cache_get(d->src->cache, src_seq, &len, &stored);
	struct rtp_hdr h;
	if (!orig || rtp_parse(&h, orig, len) != 0)
		return;
	size_t n = rtp_write(sfu->scratch, sizeof sfu->scratch, h.marker, SDP_SUB_VP8_PT, seq_out,
	                     h.ts + d->fwd.ts_offset, d->ssrc, NULL, 0, h.payload, h.payload_len);
	if (n && peer_send_rtp(d->sub->sub, sfu->scratch, n, sizeof sfu->scratch) == 0)
		sfu->nack_retransmits++;
}

static void sub_on_rtcp(void *arg, struct peer *peer, uint8_t *pkt, size_t len)
{
	struct sfu_participant *sub = arg;
	struct rtcp_iter it;
	struct rtcp_pkt pk;
	int r;
	rtcp_iter_init(&it, pkt, len);
	while ((r = rtcp_iter_next(&it, &pk)) == 1) {
		bool nack = pk.pt == RTCP_RTPFB && pk.fmt == RTCP_RTPFB_NACK;
		bool kf = pk.pt == RTCP_PSFB && (pk.fmt == RTCP_PSFB_PLI || pk.fmt == RTCP_PSFB_FIR);
		if (!nack && !kf)
			continue;
		struct sfu_down *d = down_by_ssrc(sub, pk.media_ssrc);
		if (kf && pk.fmt == RTCP_PSFB_FIR && !d && pk.len >= 20)
			d = down_by_ssrc(sub, rd32(pk.buf + 12));   /* FIR names the SSRC in its FCI */
		if (!d || !d->src)
			continue;
		if (nack) {
			struct nack_ctx c = { d };
			rtcp_nack_for_each(&pk, retransmit, &c);
		} else {
			sfu_track_request_keyframe(d->src, false);
		}
	}
	if (r < 0)
		sub->sfu->dropped_malformed_rtcp++;
}

static void sub_on_rtp(void *arg, struct peer *peer, uint8_t *pkt, size_t len)
{
	/* The subscribe side is receive-only; a browser sends nothing here but RTCP. */
}

const struct peer_cbs sfu_pub_peer_cbs = { pub_on_rtp, pub_on_rtcp, on_peer_state };
const struct peer_cbs sfu_sub_peer_cbs = { sub_on_rtp, sub_on_rtcp, on_peer_state };

/* ---- periodic reports -------------------------------------------------------------------- */

static void report_to_publisher(struct sfu_participant *p, uint64_t now)
{
	struct sfu *sfu = p->sfu;
	struct rtcp_report_block blocks[SFU_MAX_TRACKS];
	uint32_t video_ssrcs[SFU_MAX_TRACKS];
	size_t nb = 0, nv = 0;
	for (size_t k = 0; k < p->n_tracks; k++) {
		struct sfu_track *t = p->tracks[k];
		if (!t->receiving)
			continue;
		struct rtcp_report_block *b = &blocks[nb++];
		memset(b, 0, sizeof *b);
		b->ssrc = t->ssrc;
		rtp_recv_stats_report(&t->rstats, &b->fraction_lost, &b->cumulative_lost, &b->ext_highest_seq, &b->jitter);
		if (t->sr_recv_us) {
			b->lsr = t->sr_ntp_mid;
			b->dlsr = (uint32_t)((now - t->sr_recv_us) * 65536u / 1000000u);
		}
		if (t->kind == SFU_KIND_VIDEO)
			video_ssrcs[nv++] = t->ssrc;
	}
	if (!nb)
		return;
	uint8_t *buf = sfu->scratch;
	size_t n = rtcp_write_rr(buf, sizeof sfu->scratch, p->rtcp_ssrc, blocks, nb);
	if (nv)
		n += rtcp_write_remb(buf + n, sizeof sfu->scratch - n, p->rtcp_ssrc, SFU_REMB_BPS * nv, video_ssrcs, nv);
	peer_send_rtcp(p->pub, buf, n, sizeof sfu->scratch);
}

void sfu_send_reports(struct sfu *sfu)
{
	uint64_t now = clock_now(sfu->clock);
	struct sfu_room *r;
	for (size_t i = 0; hmap_next(&sfu->rooms, &i, (void **)&r);)
		for (struct sfu_participant *p = r->members; p; p = p->next)
			if (peer_up(p->pub))
				report_to_publisher(p, now);
}
