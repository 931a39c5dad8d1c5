/* media: the forwarding path — publishers' RTP (each simulcast layer) to every subscriber,
 * rewritten per down-track; subscribers' NACKs answered from the cache; PLI/FIR relayed
 * (throttled) to publishers; receiver reports and REMB to publishers and translated sender
 * reports to subscribers (RFC 3550, RFC 4585, RFC 8853). */
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "codec/vp8.h"
#include "rtcp/rtcp.h"
#include "sdp/sdp.h"
#include "sfu/sfu_internal.h"

#define SFU_REMB_BPS 2500000u   /* what a publisher may send per video track (all layers) */

static bool peer_up(const struct peer *p)
{
	return p && p->state == PEER_CONNECTED;
}

/* ---- publisher side ---------------------------------------------------------------------- */

struct pkt_src {
	struct sfu_track *t;
	int layer;
	bool rtx;
};

static bool ext_equals(const struct rtp_hdr *h, uint8_t id, const char *s)
{
	const uint8_t *val;
	size_t len;
	return id && rtp_ext_find(h, id, &val, &len) == 0 && len == strlen(s) && memcmp(val, s, len) == 0;
}

static int layer_by_rid(const struct sfu_track *t, const struct rtp_hdr *h, uint8_t id)
{
	const uint8_t *val;
	size_t len;
	if (!id || rtp_ext_find(h, id, &val, &len) != 0)
		return -1;
	for (size_t i = 0; i < t->n_layers; i++)
		if (strlen(t->layers[i].rid) == len && memcmp(t->layers[i].rid, val, len) == 0)
			return (int)i;
	return -1;
}

/* Binds an unknown SSRC through the mid and rid header extensions (RFC 8843 §15, RFC 8852). */
static bool learn_ssrc(struct sfu_participant *p, const struct rtp_hdr *h, struct pkt_src *o)
{
	for (size_t k = 0; k < p->n_tracks; k++) {
		struct sfu_track *t = p->tracks[k];
		if (!ext_equals(h, t->ext_mid, t->mid))
			continue;
		int layer = 0;
		bool rtx = t->rtx_pt && h->pt == t->rtx_pt;
		if (t->simulcast) {
			layer = layer_by_rid(t, h, rtx ? t->ext_rrid : t->ext_rid);
			if (layer < 0)
				return false;
		} else if (!rtx && h->pt != t->pt) {
			return false;
		}
		struct sfu_layer *l = &t->layers[layer];
		if (rtx) {
			l->rtx_ssrc = h->ssrc;
		} else {
			if (l->ssrc && l->receiving)   /* a new source on the same m-line */
				for (size_t i = 0; i < t->n_downs; i++)
					sfu_fwd_rebase(&t->downs[i]->fwd);
			l->ssrc = h->ssrc;
			l->receiving = false;
		}
		*o = (struct pkt_src){ t, layer, rtx };
		return true;
	}
	return false;
}

static bool find_src(struct sfu_participant *p, const struct rtp_hdr *h, struct pkt_src *o)
{
	for (size_t k = 0; k < p->n_tracks; k++) {
		struct sfu_track *t = p->tracks[k];
		for (size_t i = 0; i < t->n_layers; i++) {
			if (t->layers[i].ssrc == h->ssrc) {
				*o = (struct pkt_src){ t, (int)i, false };
				return true;
			}
			if (t->layers[i].rtx_ssrc && t->layers[i].rtx_ssrc == h->ssrc) {
				*o = (struct pkt_src){ t, (int)i, true };
				return true;
			}
		}
	}
	return learn_ssrc(p, h, o);
}

void sfu_track_request_keyframe(struct sfu_track *t, int layer, bool force)
{
	struct sfu_participant *p = t->owner;
	struct sfu_worker *sfu = p->w;
	if (layer < 0 || (size_t)layer >= t->n_layers)
		return;
	struct sfu_layer *l = &t->layers[layer];
	if (t->kind != SFU_KIND_VIDEO || !l->ssrc || !peer_up(p->pub))
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

/* Audio goes out for the few loudest speakers, for musicians, and for publishers whose
 * browser sends no audio levels; never for a participant a host muted. */
static bool audio_wanted(const struct sfu_track *t)
{
	const struct sfu_participant *p = t->owner;
	if (p->forced_mute[SFU_SOURCE_MICROPHONE])
		return false;
	if (p->music || !t->ext_audio_level || !p->room)
		return true;
	for (size_t i = 0; i < p->room->n_loudest; i++)
		if (p->room->loudest[i] == p->id)
			return true;
	return false;
}

/* Writes an RTP packet for subscriber `sub` with its next transport-wide sequence number
 * into the scratch buffer; returns its length (0 when it does not fit). */
static size_t write_for(struct sfu_participant *sub, bool marker, uint8_t pt, uint16_t seq, uint32_t ts,
                        uint32_t ssrc, const uint8_t *payload, size_t payload_len, uint16_t *tseq)
{
	struct sfu_worker *sfu = sub->w;
	uint8_t tw[2];
	*tseq = sub->twcc_seq;
	wr16(tw, *tseq);
	struct rtp_ext_elem ext = { SFU_TWCC_EXT_ID, 2, tw };
	return rtp_write(sfu->scratch, sizeof sfu->scratch, marker, pt, seq, ts, ssrc, &ext, 1, payload, payload_len);
}

/* Protects and sends the scratch packet; tells the bandwidth estimator. */
static int send_scratch(struct sfu_participant *sub, size_t n, uint16_t tseq)
{
	struct sfu_worker *sfu = sub->w;
	int err = peer_send_rtp(sub->sub, sfu->scratch, n, sizeof sfu->scratch);
	if (err)
		return err;
	sub->twcc_seq++;
	if (sub->bwe)
		bwe_on_sent(sub->bwe, tseq, n + srtp_profile_rtp_overhead(sub->sub->profile), clock_now(sfu->clock));
	return 0;
}

static void send_down(struct sfu_down *d, const struct rtp_hdr *h, uint16_t seq, const uint8_t *payload,
                      size_t payload_len, bool keyframe, uint64_t now)
{
	struct sfu_worker *sfu = d->sub->w;
	bool video = d->kind == SFU_KIND_VIDEO, rebased;
	uint16_t so;
	uint32_t to;
	if (!sfu_fwd_map(&d->fwd, seq, h->ts, keyframe, now, &so, &to, &rebased))
		return;
	uint16_t tseq;
	size_t n = write_for(d->sub, h->marker, video ? SDP_SUB_VP8_PT : SDP_SUB_OPUS_PT, so, to, d->ssrc,
	                     payload, payload_len, &tseq);
	if (!n)
		return;
	if (video)
		sfu_fwd_vp8(&d->fwd, sfu->scratch + n - payload_len, payload_len, rebased);
	if (send_scratch(d->sub, n, tseq) == 0) {
		d->packets++;
		d->octets += payload_len;
	}
}

static void forward(const struct pkt_src *s, const struct rtp_hdr *h, uint16_t seq,
                    const uint8_t *payload, size_t payload_len)
{
	struct sfu_track *t = s->t;
	struct sfu_worker *sfu = t->owner->w;
	uint64_t now = clock_now(sfu->clock);
	bool video = t->kind == SFU_KIND_VIDEO;
	bool keyframe = video && vp8_is_keyframe(payload, payload_len);
	if (keyframe) {
		struct sfu_layer *l = &t->layers[s->layer];
		vp8_keyframe_size(payload, payload_len, &l->width, &l->height);
	}
	bool audio_on = video || audio_wanted(t);
	bool muted = video && t->owner->forced_mute[t->source];
	for (size_t i = 0; i < t->n_downs; i++) {
		struct sfu_down *d = t->downs[i];
		if (!peer_up(d->sub->sub))
			continue;
		if (!audio_on || muted || d->target_layer < 0) {
			if (d->fwd.started)
				sfu_fwd_rebase(&d->fwd);   /* resumes seamlessly later */
			d->cur_layer = -1;
			continue;
		}
		if (s->layer != d->cur_layer) {
			/* switch to the target layer at its next keyframe (RFC 7667 §3.7) */
			if (s->layer != d->target_layer)
				continue;
			if (video && !keyframe) {
				sfu_track_request_keyframe(t, d->target_layer, false);
				continue;
			}
			if (d->cur_layer >= 0)
				sfu->layer_switches++;
			d->cur_layer = s->layer;
			sfu_fwd_rebase(&d->fwd);
		}
		send_down(d, h, seq, payload, payload_len, keyframe, now);
	}
}

static bool layer_forwarded(const struct sfu_track *t, int layer)
{
	for (size_t i = 0; i < t->n_downs; i++)
		if (t->downs[i]->cur_layer == layer)
			return true;
	return false;
}

/* The retransmission cache of a layer someone receives, made on first use: each layer keeps a
 * second or more of its packets at the rates browsers send simulcast with (the top layer ~1.5
 * Mbit/s, each one below about a third); layers nobody receives keep nothing. */
static struct rtp_cache *cache_for(struct sfu_track *t, int layer)
{
	struct sfu_layer *l = &t->layers[layer];
	if (!l->cache) {
		int below_top = (int)t->n_layers - 1 - layer;
		size_t slots = below_top == 0 ? SFU_CACHE_SLOTS_TOP : below_top == 1 ? SFU_CACHE_SLOTS_MID : SFU_CACHE_SLOTS_LOW;
		if (rtp_cache_new(&l->cache, slots, SFU_CACHE_PACKET_MAX) != 0)
			l->cache = NULL;
	}
	return l->cache;
}

static void measure(struct sfu_layer *l, size_t len, uint64_t now)
{
	if (!l->win_start_us)
		l->win_start_us = now;
	l->win_bytes += len;
	l->last_packet_us = now;
	if (now - l->win_start_us >= 1000000u) {
		l->rate_bps = l->win_bytes * 8u * 1000000u / (now - l->win_start_us);
		l->win_start_us = now;
		l->win_bytes = 0;
	}
}

static void pub_on_rtp(void *arg, struct peer *peer, uint8_t *pkt, size_t len)
{
	struct sfu_participant *p = arg;
	struct sfu_worker *sfu = p->w;
	struct rtp_hdr h;
	if (rtp_parse(&h, pkt, len) != 0) {
		sfu->dropped_malformed_rtp++;
		return;
	}
	/* Every packet counts for the publisher's congestion control — retransmissions and
	 * padding-only bandwidth probes too, even before their SSRC is known. */
	const uint8_t *tw;
	size_t twlen;
	if (p->twcc_rec && rtp_ext_find(&h, p->pub_twcc_ext, &tw, &twlen) == 0 && twlen >= 2)
		twcc_recorder_add(p->twcc_rec, rd16(tw), clock_now(sfu->clock));
	struct pkt_src s;
	if (!find_src(p, &h, &s)) {
		if (h.payload_len)
			sfu->dropped_unknown_ssrc++;   /* padding on an RTX SSRC not yet seen is no loss */
		return;
	}
	struct sfu_track *t = s.t;
	struct sfu_layer *l = &t->layers[s.layer];
	uint64_t now = clock_now(sfu->clock);
	const uint8_t *payload = h.payload;
	size_t payload_len = h.payload_len;
	uint16_t seq = h.seq;
	if (s.rtx) {   /* RFC 4588: the original sequence number leads the payload */
		if (payload_len < 2)
			return;   /* padding-only probe */
		seq = rd16(payload);
		payload += 2;
		payload_len -= 2;
	} else {
		uint32_t arrival = (uint32_t)(now * t->clock_rate / 1000000u);
		if (!l->receiving) {
			rtp_recv_stats_init(&l->rstats, h.seq);
			l->receiving = true;
		}
		rtp_recv_stats_update(&l->rstats, h.seq, h.ts, arrival);
		if (t->kind == SFU_KIND_VIDEO && layer_forwarded(t, s.layer) && cache_for(t, s.layer))
			rtp_cache_put(l->cache, h.seq, pkt, len, now);
		measure(l, len, now);
		const uint8_t *lv;
		size_t lvlen;
		if (t->kind == SFU_KIND_AUDIO && t->ext_audio_level &&
		    rtp_ext_find(&h, t->ext_audio_level, &lv, &lvlen) == 0 && lvlen >= 1)
			sfu_speaker_observe(&p->speech, lv[0] & 0x7f, now);
	}
	if (payload_len == 0)
		return;   /* padding only */
	forward(&s, &h, seq, payload, payload_len);
}

static void on_sender_report(struct sfu_participant *p, const struct rtcp_pkt *pk)
{
	struct sfu_worker *sfu = p->w;
	uint32_t ssrc, rtp_ts, pkts, octets;
	uint64_t ntp;
	if (rtcp_sr_parse(pk, &ssrc, &ntp, &rtp_ts, &pkts, &octets) != 0)
		return;
	for (size_t k = 0; k < p->n_tracks; k++) {
		struct sfu_track *t = p->tracks[k];
		for (size_t li = 0; li < t->n_layers; li++) {
			struct sfu_layer *l = &t->layers[li];
			if (l->ssrc != ssrc)
				continue;
			l->sr_ntp_mid = (uint32_t)(ntp >> 16);
			l->sr_recv_us = clock_now(sfu->clock);
			/* Translate for subscribers of this layer: same wall clock, their RTP timeline. */
			for (size_t i = 0; i < t->n_downs; i++) {
				struct sfu_down *d = t->downs[i];
				if (!peer_up(d->sub->sub) || !d->fwd.started || d->cur_layer != (int)li)
					continue;
				size_t n = rtcp_write_sr(sfu->scratch, sizeof sfu->scratch, d->ssrc, ntp, rtp_ts + d->fwd.ts_offset,
				                         (uint32_t)d->packets, (uint32_t)d->octets, NULL, 0);
				if (n)
					peer_send_rtcp(d->sub->sub, sfu->scratch, n, sizeof sfu->scratch);
			}
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
		p->w->dropped_malformed_rtcp++;
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
				sfu_track_request_keyframe(p->downs[i]->src, p->downs[i]->target_layer, false);
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

static void retransmit(void *arg, uint16_t seq_out)
{
	struct sfu_down *d = arg;
	struct sfu_worker *sfu = d->sub->w;
	uint16_t src_seq;
	size_t len;
	uint64_t stored;
	if (!d->src || d->cur_layer < 0 || !sfu_fwd_unmap_seq(&d->fwd, seq_out, &src_seq))
		return;
	struct rtp_cache *cache = d->src->layers[d->cur_layer].cache;
	const uint8_t *orig = cache ? rtp_cache_get(cache, src_seq, &len, &stored) : NULL;
	struct rtp_hdr h;
	if (!orig || rtp_parse(&h, orig, len) != 0)
		return;
	/* RFC 4588: on the RTX stream, the original sequence number ahead of the payload */
	uint8_t body[SFU_CACHE_PACKET_MAX + 2];
	if (h.payload_len > SFU_CACHE_PACKET_MAX)
		return;
	wr16(body, seq_out);
	memcpy(body + 2, h.payload, h.payload_len);
	uint16_t tseq;
	size_t n = write_for(d->sub, h.marker, SDP_SUB_VP8_RTX_PT, d->rtx_seq, h.ts + d->fwd.ts_offset, d->rtx_ssrc,
	                     body, h.payload_len + 2, &tseq);
	if (!n)
		return;
	d->rtx_seq++;
	/* the same picture id as when it was first sent */
	uint16_t keep_pid = d->fwd.last_pid_out;
	uint8_t keep_tl0 = d->fwd.last_tl0_out;
	sfu_fwd_vp8(&d->fwd, sfu->scratch + n - h.payload_len, h.payload_len, false);
	d->fwd.last_pid_out = keep_pid;
	d->fwd.last_tl0_out = keep_tl0;
	if (send_scratch(d->sub, n, tseq) == 0)
		sfu->nack_retransmits++;
}

static void sub_on_rtcp(void *arg, struct peer *peer, uint8_t *pkt, size_t len)
{
	struct sfu_participant *sub = arg;
	struct rtcp_iter it;
	struct rtcp_pkt pk;
	int r;
	rtcp_iter_init(&it, pkt, len);
	uint64_t now = clock_now(sub->w->clock);
	while ((r = rtcp_iter_next(&it, &pk)) == 1) {
		if (pk.pt == RTCP_RTPFB && pk.fmt == RTCP_RTPFB_TWCC) {
			if (sub->bwe)
				bwe_on_twcc(sub->bwe, pk.buf, pk.len, now);
			sub->w->twcc_feedback_rx++;
			continue;
		}
		if (pk.pt == RTCP_PSFB && pk.fmt == RTCP_PSFB_AFB) {
			uint64_t bps;
			uint32_t ssrcs[8];
			size_t n;
			if (sub->bwe && rtcp_remb_parse(&pk, &bps, ssrcs, 8, &n) == 0)
				bwe_on_remb(sub->bwe, bps, now);
			continue;
		}
		if (pk.pt == RTCP_RR || pk.pt == RTCP_SR) {
			struct rtcp_report_block b[8];
			size_t n = 0;
			uint8_t worst = 0;
			if (sub->bwe && rtcp_report_blocks(&pk, b, 8, &n) == 0 && n) {
				for (size_t i = 0; i < n; i++)
					worst = b[i].fraction_lost > worst ? b[i].fraction_lost : worst;
				bwe_on_loss(sub->bwe, worst, now);
			}
			continue;
		}
		bool nack = pk.pt == RTCP_RTPFB && pk.fmt == RTCP_RTPFB_NACK;
		bool kf = pk.pt == RTCP_PSFB && (pk.fmt == RTCP_PSFB_PLI || pk.fmt == RTCP_PSFB_FIR);
		if (!nack && !kf)
			continue;
		struct sfu_down *d = down_by_ssrc(sub, pk.media_ssrc);
		if (kf && pk.fmt == RTCP_PSFB_FIR && !d && pk.len >= 20)
			d = down_by_ssrc(sub, rd32(pk.buf + 12));   /* FIR names the SSRC in its FCI */
		if (!d || !d->src)
			continue;
		if (nack)
			rtcp_nack_for_each(&pk, retransmit, d);
		else
			sfu_track_request_keyframe(d->src, d->cur_layer >= 0 ? d->cur_layer : d->target_layer, false);
	}
	if (r < 0)
		sub->w->dropped_malformed_rtcp++;
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
	struct sfu_worker *sfu = p->w;
	struct rtcp_report_block blocks[SFU_MAX_TRACKS * SFU_MAX_LAYERS];
	uint32_t video_ssrcs[SFU_MAX_TRACKS * SFU_MAX_LAYERS];
	size_t nb = 0, nv = 0, nvt = 0;
	for (size_t k = 0; k < p->n_tracks; k++) {
		struct sfu_track *t = p->tracks[k];
		if (t->kind == SFU_KIND_VIDEO)
			nvt++;
		for (size_t li = 0; li < t->n_layers; li++) {
			struct sfu_layer *l = &t->layers[li];
			if (!l->receiving)
				continue;
			struct rtcp_report_block *b = &blocks[nb++];
			memset(b, 0, sizeof *b);
			b->ssrc = l->ssrc;
			rtp_recv_stats_report(&l->rstats, &b->fraction_lost, &b->cumulative_lost, &b->ext_highest_seq, &b->jitter);
			if (l->sr_recv_us) {
				b->lsr = l->sr_ntp_mid;
				b->dlsr = (uint32_t)((now - l->sr_recv_us) * 65536u / 1000000u);
			}
			if (t->kind == SFU_KIND_VIDEO)
				video_ssrcs[nv++] = l->ssrc;
		}
	}
	if (!nb)
		return;
	uint8_t *buf = sfu->scratch;
	size_t n = rtcp_write_rr(buf, sizeof sfu->scratch, p->rtcp_ssrc, blocks, nb);
	if (nv)
		n += rtcp_write_remb(buf + n, sizeof sfu->scratch - n, p->rtcp_ssrc, SFU_REMB_BPS * nvt, video_ssrcs, nv);
	peer_send_rtcp(p->pub, buf, n, sizeof sfu->scratch);
}

void sfu_worker_reports(struct sfu_worker *w)
{
	uint64_t now = clock_now(w->clock);
	for (struct sfu_room *r = w->rooms; r; r = r->wnext)
		for (struct sfu_participant *p = r->members; p; p = p->next)
			if (peer_up(p->pub))
				report_to_publisher(p, now);
}

void sfu_worker_feedback(struct sfu_worker *w)
{
	for (struct sfu_room *r = w->rooms; r; r = r->wnext)
		for (struct sfu_participant *p = r->members; p; p = p->next)
			sfu_send_feedback(p);
}

/* ---- congestion control feedback --------------------------------------------------------- */

void sfu_send_feedback(struct sfu_participant *p)
{
	struct sfu_worker *sfu = p->w;
	if (!p->twcc_rec || !twcc_recorder_pending(p->twcc_rec) || !peer_up(p->pub))
		return;
	uint32_t media_ssrc = 0;
	for (size_t k = 0; k < p->n_tracks && !media_ssrc; k++)
		media_ssrc = p->tracks[k]->layers[0].ssrc;
	uint8_t fb[1400];
	size_t n = twcc_recorder_write(p->twcc_rec, fb, sizeof fb, p->rtcp_ssrc, media_ssrc);
	/* one datagram per feedback packet: each may carry padding */
	for (size_t off = 0; off + 4 <= n;) {
		size_t len = ((size_t)rd16(fb + off + 2) + 1) * 4;
		if (off + len > n || len > sizeof sfu->scratch - 32)
			break;
		memcpy(sfu->scratch, fb + off, len);
		if (peer_send_rtcp(p->pub, sfu->scratch, len, sizeof sfu->scratch) == 0)
			sfu->twcc_feedback_tx++;
		off += len;
	}
}

void sfu_update_budget(struct sfu_participant *sub)
{
	if (sub->bwe && sub->sub && peer_up(sub->sub))
		sub->budget_bps = bwe_estimate(sub->bwe, clock_now(sub->w->clock));
	sfu_layers_assign(sub);
}
