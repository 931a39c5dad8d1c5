/* reports: RTCP between plenum and its peers — publishers' sender reports translated for each
 * subscriber, receiver reports and REMB to publishers, transport-cc feedback, and the dispatch of
 * subscribers' RTCP (congestion feedback here, repair requests to repair.c). RFC 3550 §6.4,
 * RFC 4585, draft-alvestrand-rmcat-remb, draft-holmer-rmcat-transport-wide-cc-extensions. */
#include <string.h>

#include "base/util.h"
#include "rtcp/rtcp.h"
#include "sfu/sfu_internal.h"

#define SFU_REMB_BPS 2500000u   /* what a publisher may send per video track (all layers) */

/* ---- from publishers ------------------------------------------------------------------------ */

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
				if (!sfu_peer_up(d->sub->sub) || !d->fwd.started || d->cur_layer != (int)li)
					continue;
				size_t n = rtcp_write_sr(sfu->scratch, sizeof sfu->scratch, d->ssrc, ntp, rtp_ts + d->fwd.ts_offset,
				                         (uint32_t)d->packets, (uint32_t)d->octets, NULL, 0);
				if (n)
					peer_send_rtcp(d->sub->sub, sfu->scratch, n, sizeof sfu->scratch);
			}
		}
	}
}

void sfu_reports_pub_rtcp(void *arg, struct peer *peer, uint8_t *pkt, size_t len)
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

/* ---- from subscribers ----------------------------------------------------------------------- */

/* What each audio down-track lost on its way to the subscriber, for the publisher's Opus FEC. */
static void note_audio_loss(struct sfu_participant *sub, const struct rtcp_report_block *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < sub->n_downs; k++)
			if (sub->downs[k]->kind == SFU_KIND_AUDIO && sub->downs[k]->ssrc == b[i].ssrc)
				sub->downs[k]->loss = b[i].fraction_lost;
}

void sfu_reports_sub_rtcp(void *arg, struct peer *peer, uint8_t *pkt, size_t len)
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
				sub->down_loss = worst;
				note_audio_loss(sub, b, n);
			}
			continue;
		}
		sfu_repair_on_feedback(sub, &pk);   /* NACK, PLI, FIR */
	}
	if (r < 0)
		sub->w->dropped_malformed_rtcp++;
}

/* ---- periodic reports -------------------------------------------------------------------- */

/* A publisher's Opus encoder adds in-band FEC as the loss its receiver reports grows (RFC 6716
 * §2.1.7; browsers do so from RTCP). plenum forwards one encoding to everybody, so the audio's
 * report carries the worst loss among its subscribers too — capped at SFU_AUDIO_FEC_LOSS_MAX,
 * enough for FEC, too little for the publisher's congestion control to cut its rate (it holds
 * between 2 and 10 %). */
#define SFU_AUDIO_FEC_LOSS_MAX 20   /* /256: about 8 % */

static uint8_t audio_loss_to_report(const struct sfu_track *t, uint8_t own)
{
	uint8_t worst = 0;
	for (size_t i = 0; i < t->n_downs; i++)
		if (t->downs[i]->loss > worst)
			worst = t->downs[i]->loss;
	if (worst > SFU_AUDIO_FEC_LOSS_MAX)
		worst = SFU_AUDIO_FEC_LOSS_MAX;
	return own > worst ? own : worst;
}

static void report_to_publisher(struct sfu_participant *p, uint64_t now)
{
	struct sfu_worker *sfu = p->w;
	struct rtcp_report_block blocks[SFU_MAX_TRACKS * SFU_MAX_LAYERS];
	uint32_t video_ssrcs[SFU_MAX_TRACKS * SFU_MAX_LAYERS];
	size_t nb = 0, nv = 0, nvt = 0;
	uint8_t own_worst = 0;
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
			own_worst = b->fraction_lost > own_worst ? b->fraction_lost : own_worst;
			if (t->kind == SFU_KIND_AUDIO)
				b->fraction_lost = audio_loss_to_report(t, b->fraction_lost);
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
	p->up_loss = own_worst;   /* the uplink's own loss, for its connection quality */
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
			if (sfu_peer_up(p->pub))
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
	if (!p->twcc_rec || !twcc_recorder_pending(p->twcc_rec) || !sfu_peer_up(p->pub))
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

