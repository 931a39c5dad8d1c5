/* probe: finding room in a subscriber's downlink that media alone never shows — while its tiles
 * ask for more than its estimate (a paused video, a lowered layer), plenum opens a short probe
 * cluster now and then and fills it up to the probe's rate with padding-only packets on a video's
 * RTX stream (RFC 3550 §5.1 padding, RFC 4588), as libwebrtc does. The estimator judges the
 * cluster from transport-cc feedback (src/bwe/bwe_probe.c). */
#include <string.h>

#include "sdp/sdp.h"
#include "sfu/sfu_internal.h"

#define SFU_PROBE_DURATION_US 500000ull       /* well over a shaper's burst (a few kB), so its later half sees the bottleneck */
#define SFU_PROBE_MIN_INTERVAL_US 1000000ull    /* after a probe that raised the estimate */
#define SFU_PROBE_MAX_INTERVAL_US 3000000ull    /* backing off after ones that did not */
#define SFU_PAD_BYTES 224u                      /* padding per packet (≤ 255) */
#define SFU_PAD_MAX_PER_TICK 32u

void sfu_probe_consider(struct sfu_participant *sub, uint64_t now)
{
	if (!sub->bwe || !sfu_peer_up(sub->sub) || !sub->budget_bps || sub->want_bps <= sub->budget_bps)
		return;
	if (now < sub->next_probe_us)
		return;
	struct bwe_stats st;
	bwe_get_stats(sub->bwe, &st);
	/* a probe the path carried at (nearly) its rate: the next one soon; else back off */
	if (st.probes && st.last_probe_bps * 10 < sub->probe_target_bps * 9) {
		uint64_t next = sub->probe_interval_us * 2;
		sub->probe_interval_us = next > SFU_PROBE_MAX_INTERVAL_US ? SFU_PROBE_MAX_INTERVAL_US : next;
	} else {
		sub->probe_interval_us = SFU_PROBE_MIN_INTERVAL_US;
	}
	/* a link that cannot carry even the most important video: just what brings that one back (it
	 * is probed gently: the cluster queues on it); else twice the estimate; never more than the
	 * tiles ask for */
	uint64_t target = sub->budget_bps < sub->resume_bps ? sub->resume_bps : sub->budget_bps * 2;
	if (target > sub->want_bps)
		target = sub->want_bps;
	if (bwe_probe_start(sub->bwe, target, SFU_PROBE_DURATION_US, now) != 0)
		return;
	sub->probe_target_bps = target;
	sub->next_probe_us = now + sub->probe_interval_us;
	sub->pad_last_us = 0;
}

/* A video down-track whose RTX stream carries the padding (its m-line is negotiated). */
static struct sfu_down *pad_stream(struct sfu_participant *sub)
{
	for (size_t i = 0; i < sub->n_downs; i++) {
		struct sfu_down *d = sub->downs[i];
		if (d->src && d->kind == SFU_KIND_VIDEO && d->rtx_ssrc)
			return d;
	}
	return NULL;
}

static bool send_padding(struct sfu_participant *sub, struct sfu_down *d)
{
	uint8_t pad[SFU_PAD_BYTES];
	memset(pad, 0, sizeof pad);
	pad[sizeof pad - 1] = (uint8_t)sizeof pad;   /* RFC 3550: the last octet counts the padding */
	uint16_t tseq;
	size_t n = sfu_media_write(sub, false, d->rtx_pt, d->rtx_seq, d->fwd.last_out_ts, d->rtx_ssrc,
	                           pad, sizeof pad, &tseq);
	if (!n)
		return false;
	sub->w->scratch[0] |= 0x20;                  /* P: the payload is all padding */
	if (sfu_media_send(sub, n, tseq, true) != 0)
		return false;
	d->rtx_seq++;
	sub->w->probe_padding_packets++;
	return true;
}

/* Sends what the running cluster lacks: its rate from its start to the end of this tick, less
 * what media already sent. */
/* A judged cluster that raised the estimate brings paused or lowered videos back at once, not
 * at the next second. */
static void on_probe_judged(struct sfu_participant *sub)
{
	uint64_t last;
	uint64_t done = bwe_probes_done(sub->bwe, &last);   /* every tick: no full stats */
	if (done == sub->probes_done_seen)
		return;
	sub->probes_done_seen = done;
	if (last > sub->budget_bps)
		sfu_update_budget(sub);
}

void sfu_probe_tick(struct sfu_participant *sub, uint64_t now)
{
	uint64_t rate = sub->bwe && sfu_peer_up(sub->sub) ? bwe_probe_rate(sub->bwe, now) : 0;
	if (!rate) {
		sub->pad_last_us = 0;
		if (sub->bwe)
			on_probe_judged(sub);
		return;
	}
	if (!sub->pad_last_us) {
		sub->pad_last_us = now;
		sub->pad_sent_mark = sub->sent_bytes;
	}
	struct sfu_down *d = pad_stream(sub);
	if (!d)
		return;
	uint64_t due = rate * (now - sub->pad_last_us + SFU_TICK_MS * 1000u) / 8000000u;
	for (unsigned k = 0; k < SFU_PAD_MAX_PER_TICK && sub->sent_bytes - sub->pad_sent_mark < due; k++)
		if (!send_padding(sub, d))
			break;
}
