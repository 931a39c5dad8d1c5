/* bwe: send-side bandwidth estimation for one subscriber transport: send history, feedback
 * accounting, AIMD rate control, loss-based cap, REMB. draft-ietf-rmcat-gcc-02 §5–6. */
#include "bwe/bwe.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bwe/bwe_delay.h"
#include "bwe/bwe_probe.h"
#include "rtcp/rtcp.h"
#include "rtcp/twcc.h"

#define HIST 1024                   /* sent packets remembered (power of 2): ~1 s at 10 Mbit/s, feedback comes every 50-100 ms */
#define HIST_MAX_AGE_US 10000000    /* feedback for older packets is ignored */
#define ACK_BUCKET_US 50000         /* acknowledged throughput: 10 buckets of 50 ms of arrival time */
#define ACK_BUCKETS 10
#define BETA 0.85                   /* overuse: back to this share of the acknowledged throughput */
#define GROWTH 0.08                 /* multiplicative increase per second */
#define STARTUP_GROWTH 0.5          /* ... until the first decrease */
#define ACKED_HEADROOM 1.5          /* the delay-based rate stays below this × acknowledged + 10 kbit/s */
#define REMB_FRESH_US 5000000
#define LOSS_HIGH 0.10
#define LOSS_LOW 0.02
#define LOSS_MIN_PKTS 100           /* transport-cc loss is judged over at least this many packets: over fewer, a few %
                                       of random loss often looks like more than 10 % */
#define PROBE_CALM_US 1000000       /* no probe within this long of a decrease */

enum rc_state { RC_HOLD, RC_INCREASE };

struct sent { uint64_t at_us; uint32_t bytes; uint16_t seq; uint8_t cluster; bool valid, acked; };

struct bwe {
	uint64_t min_bps, max_bps;
	struct sent hist[HIST];
	/* the receiver's timeline: reference times unwrapped */
	bool have_ref;
	uint32_t last_ref;
	int64_t ref;
	/* acknowledged throughput */
	struct { int64_t epoch; uint64_t bytes; } bucket[ACK_BUCKETS];
	int64_t first_arrival, newest_arrival;
	bool have_arrival;
	/* delay-based */
	struct bwe_delay delay;
	double rate;
	enum rc_state rc;
	bool startup;
	uint64_t last_rc_us, last_decrease_us;
	bool cap_known;                 /* the link capacity seen at decreases: mean and normalised variance, kbit/s */
	double cap_kbps, cap_var;
	uint64_t rtt_us;
	/* loss-based */
	double loss_bps;
	uint64_t last_loss_us, last_loss_cut_us;
	uint32_t fb_lost, fb_total;
	/* REMB */
	uint64_t remb_bps, remb_us;
	bool have_remb, have_twcc;
	uint64_t overuses, loss_cuts, feedback, feedback_bad;
	uint64_t reported_lost, reported;   /* packets transport-cc feedback said lost, and reported at all */
	/* probing */
	struct bwe_probe probe;
	uint64_t probe_overuses;        /* overuses when the running cluster began */
	uint64_t probes, probes_raised, probes_done, last_probe_bps;
};

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

int bwe_new(struct bwe **out, uint64_t start_bps, uint64_t min_bps, uint64_t max_bps)
{
	if (!min_bps || min_bps > max_bps)
		return EINVAL;
	struct bwe *b = calloc(1, sizeof(*b));
	if (!b)
		return ENOMEM;
	b->min_bps = min_bps;
	b->max_bps = max_bps;
	b->rate = clampd((double)start_bps, (double)min_bps, (double)max_bps);
	b->loss_bps = (double)max_bps;
	b->startup = true;
	b->rc = RC_INCREASE;
	b->rtt_us = 100000;
	bwe_delay_init(&b->delay);
	bwe_probe_init(&b->probe);
	*out = b;
	return 0;
}

void bwe_free(struct bwe *b) { free(b); }

void bwe_on_sent(struct bwe *b, uint16_t tseq, size_t bytes, uint64_t now_us)
{
	b->hist[tseq & (HIST - 1)] = (struct sent){ now_us, bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes, tseq,
	                                            bwe_probe_on_sent(&b->probe, now_us), true, false };
}

/* ---- acknowledged throughput, on the receiver's clock ---- */

static void acked_add(struct bwe *b, int64_t arrival, uint32_t bytes)
{
	int64_t epoch = arrival / ACK_BUCKET_US;
	if (b->have_arrival && epoch <= b->newest_arrival / ACK_BUCKET_US - ACK_BUCKETS)
		return;                     /* older than the window */
	if (!b->have_arrival || arrival < b->first_arrival)
		b->first_arrival = arrival;
	if (!b->have_arrival || arrival > b->newest_arrival)
		b->newest_arrival = arrival;
	b->have_arrival = true;
	size_t i = (size_t)(epoch % ACK_BUCKETS);
	if (b->bucket[i].epoch != epoch) {
		if (b->bucket[i].epoch > epoch)
			return;
		b->bucket[i].epoch = epoch;
		b->bucket[i].bytes = 0;
	}
	b->bucket[i].bytes += bytes;
}

/* Bits per second received over the last 500 ms of arrivals; 0 while under 100 ms were seen. */
static double acked_bps(const struct bwe *b)
{
	if (!b->have_arrival)
		return 0;
	int64_t newest = b->newest_arrival / ACK_BUCKET_US, oldest = newest - ACK_BUCKETS + 1;
	int64_t start = oldest * ACK_BUCKET_US;
	if (start < b->first_arrival)
		start = b->first_arrival;
	int64_t span = b->newest_arrival - start;
	if (span < 100000)
		return 0;
	uint64_t bytes = 0;
	for (size_t i = 0; i < ACK_BUCKETS; i++)
		if (b->bucket[i].epoch >= oldest && b->bucket[i].epoch <= newest)
			bytes += b->bucket[i].bytes;
	return (double)bytes * 8e6 / (double)span;
}

/* ---- delay-based rate control (AIMD) ---- */

static double cap_std_kbps(const struct bwe *b) { return sqrt(b->cap_var * b->cap_kbps); }

/* At each decrease the acknowledged throughput is a sample of the link capacity. */
static void cap_update(struct bwe *b, double acked)
{
	double x = acked / 1000;
	if (!b->cap_known || x < b->cap_kbps - 3 * cap_std_kbps(b)) {
		b->cap_known = true;
		b->cap_kbps = x;
		b->cap_var = 0.4;
		return;
	}
	b->cap_kbps = 0.95 * b->cap_kbps + 0.05 * x;
	double dev = b->cap_kbps - x;
	b->cap_var = clampd(0.95 * b->cap_var + 0.05 * dev * dev / fmax(b->cap_kbps, 1), 0.4, 2.5);
}

/* Additive increase near the known capacity: about one packet per response time. */
static double additive_bps_per_s(const struct bwe *b)
{
	double bits_per_frame = b->rate / 30, pkts = ceil(bits_per_frame / (1200 * 8));
	double pkt_bits = pkts > 0 ? bits_per_frame / pkts : 1200 * 8;
	double response_s = 0.1 + (double)b->rtt_us / 1e6;
	return fmax(4000, pkt_bits / response_s);
}

static void rate_control(struct bwe *b, uint64_t now_us)
{
	double dt = b->last_rc_us && now_us > b->last_rc_us ? fmin((double)(now_us - b->last_rc_us) / 1e6, 1.0) : 0;
	b->last_rc_us = now_us;
	double acked = acked_bps(b);
	switch (b->delay.signal) {
	case BWE_OVERUSE: {
		uint64_t interval = b->rtt_us < 10000 ? 10000 : b->rtt_us > 200000 ? 200000 : b->rtt_us;
		if (b->last_decrease_us && now_us - b->last_decrease_us < interval)
			break;
		double target = BETA * (acked > 0 ? acked : b->rate);
		if (target < b->rate) {
			b->rate = target;
			b->overuses++;
		}
		if (acked > 0)
			cap_update(b, acked);
		b->last_decrease_us = now_us;
		b->startup = false;
		b->rc = RC_HOLD;
		break;
	}
	case BWE_UNDERUSE:
		b->rc = RC_HOLD;            /* queues drain: wait */
		break;
	case BWE_NORMAL:
		if (b->rc == RC_HOLD) {
			b->rc = RC_INCREASE;
			break;
		}
		if (b->cap_known && acked / 1000 > b->cap_kbps + 3 * cap_std_kbps(b))
			b->cap_known = false;   /* the link got better: forget its old capacity */
		double r = b->rate;
		if (b->startup)
			r *= pow(1 + STARTUP_GROWTH, dt);
		else if (b->cap_known)
			r += additive_bps_per_s(b) * dt;
		else
			r *= pow(1 + GROWTH, dt);
		/* grow only while the path shows it carries close to the rate (no growth while the
		 * application sends far less), but do not cut for that either */
		if (acked > 0 && r > ACKED_HEADROOM * acked + 10000)
			r = fmax(b->rate, ACKED_HEADROOM * acked + 10000);
		b->rate = r;
		break;
	}
	b->rate = clampd(b->rate, (double)b->min_bps, (double)b->max_bps);
}

/* ---- loss-based cap ---- */

static void loss_update(struct bwe *b, double loss, uint64_t now_us)
{
	double dt = b->last_loss_us && now_us > b->last_loss_us ? fmin((double)(now_us - b->last_loss_us) / 1e6, 1.0) : 1.0;
	b->last_loss_us = now_us;
	if (loss > LOSS_HIGH) {
		if (b->last_loss_cut_us && now_us - b->last_loss_cut_us < 300000 + b->rtt_us)
			return;
		double cur = (double)bwe_estimate(b, now_us);
		b->loss_bps = fmin(b->loss_bps, cur) * (1 - 0.5 * loss);
		b->last_loss_cut_us = now_us;
		b->loss_cuts++;
		b->startup = false;
	} else if (loss < LOSS_LOW) {
		b->loss_bps *= pow(1 + GROWTH, dt);
	}
	b->loss_bps = clampd(b->loss_bps, (double)b->min_bps, (double)b->max_bps);
}

/* Receiver reports judge loss only without transport-cc feedback, which counts every packet (a
 * report's fraction is per stream and noisier). */
void bwe_on_loss(struct bwe *b, uint8_t fraction_lost, uint64_t now_us)
{
	if (!b->have_twcc)
		loss_update(b, fraction_lost / 256.0, now_us);
}

void bwe_on_remb(struct bwe *b, uint64_t bps, uint64_t now_us)
{
	b->remb_bps = bps;
	b->remb_us = now_us;
	b->have_remb = true;
}

/* ---- probing ---- */

int bwe_probe_start(struct bwe *b, uint64_t rate_bps, uint64_t duration_us, uint64_t now_us)
{
	if (b->delay.signal == BWE_OVERUSE || (b->last_decrease_us && now_us < b->last_decrease_us + PROBE_CALM_US))
		return EAGAIN;
	if (!bwe_probe_begin(&b->probe, rate_bps, duration_us, now_us))
		return EBUSY;
	b->probe_overuses = b->overuses;
	b->probes++;
	return 0;
}

uint64_t bwe_probe_rate(const struct bwe *b, uint64_t now_us) { return bwe_probe_target(&b->probe, now_us); }

uint64_t bwe_probes_done(const struct bwe *b, uint64_t *last_bps)
{
	*last_bps = b->last_probe_bps;
	return b->probes_done;
}

/* A cluster the path carried without overuse raises the delay-based rate to what it carried,
 * and the loss-based cap with it when the cluster lost (almost) nothing. */
static void probe_result(struct bwe *b, uint64_t now_us)
{
	uint64_t lost = b->probe.lost_pkts, total = b->probe.acked_pkts + lost;
	uint64_t bps;
	if (!bwe_probe_finish(&b->probe, now_us, &bps))
		return;
	b->last_probe_bps = bps;
	b->probes_done++;
	if (!bps || b->overuses != b->probe_overuses)
		return;
	double carried = clampd((double)bps, (double)b->min_bps, (double)b->max_bps);
	bool raised = false;
	if (carried > b->rate) {
		b->rate = carried;
		b->cap_known = false;
		raised = true;
	}
	if ((double)lost < LOSS_LOW * (double)total && carried > b->loss_bps) {
		b->loss_bps = carried;
		raised = true;
	}
	b->probes_raised += raised;
}

/* ---- transport-cc feedback ---- */

struct fb_ctx { struct bwe *b; int64_t ref_us; uint64_t now_us, newest_sent_us; uint32_t lost, total; bool any; };

static void fb_packet(void *arg, uint16_t seq, bool received, int64_t arrival_us)
{
	struct fb_ctx *c = arg;
	struct bwe *b = c->b;
	struct sent *s = &b->hist[seq & (HIST - 1)];
	if (!s->valid || s->seq != seq || s->acked || c->now_us > s->at_us + HIST_MAX_AGE_US)
		return;
	c->total++;
	int64_t arrival = c->ref_us + arrival_us;
	if (received && arrival < 0)
		return;                     /* only a forged packet gets here */
	bwe_probe_on_feedback(&b->probe, s->cluster, received, s->bytes, (int64_t)s->at_us, received ? arrival : 0);
	if (!received) {
		c->lost++;
		return;
	}
	s->acked = true;
	acked_add(b, arrival, s->bytes);
	bwe_delay_on_packet(&b->delay, (int64_t)s->at_us, arrival);
	if (!c->any || s->at_us > c->newest_sent_us)
		c->newest_sent_us = s->at_us;
	c->any = true;
}

static void on_feedback(struct bwe *b, const struct rtcp_pkt *p, uint64_t now_us)
{
	struct twcc_fb fb;
	if (twcc_parse(p, &fb, NULL, NULL)) {
		b->feedback_bad++;
		return;
	}
	if (!b->have_ref) {
		b->have_ref = true;
		b->ref = (int64_t)fb.ref_time + TWCC_REF_WRAP;
	} else {
		int32_t d = (int32_t)((fb.ref_time - b->last_ref) & (TWCC_REF_WRAP - 1));
		if (d >= (int32_t)(TWCC_REF_WRAP / 2))
			d -= (int32_t)TWCC_REF_WRAP;
		b->ref += d;
	}
	b->last_ref = fb.ref_time;
	struct fb_ctx c = { .b = b, .ref_us = b->ref * TWCC_REF_UNIT_US, .now_us = now_us };
	twcc_parse(p, NULL, fb_packet, &c);
	b->feedback++;
	b->have_twcc = true;
	if (c.any && now_us >= c.newest_sent_us) {
		uint64_t rtt = now_us - c.newest_sent_us;
		b->rtt_us = (7 * b->rtt_us + rtt) / 8;
	}
	b->fb_lost += c.lost;
	b->fb_total += c.total;
	b->reported_lost += c.lost;
	b->reported += c.total;
	if (b->fb_total >= LOSS_MIN_PKTS) {
		loss_update(b, (double)b->fb_lost / b->fb_total, now_us);
		b->fb_lost = b->fb_total = 0;
	}
	probe_result(b, now_us);
	rate_control(b, now_us);
}

void bwe_on_twcc(struct bwe *b, const uint8_t *rtcp_fb, size_t len, uint64_t now_us)
{
	struct rtcp_iter it;
	struct rtcp_pkt p;
	rtcp_iter_init(&it, rtcp_fb, len);
	while (rtcp_iter_next(&it, &p) == 1)
		if (p.pt == RTCP_RTPFB && p.fmt == RTCP_RTPFB_TWCC)
			on_feedback(b, &p, now_us);
}

uint64_t bwe_estimate(const struct bwe *b, uint64_t now_us)
{
	double est = b->rate;
	if (!b->have_twcc && b->have_remb)
		est = (double)b->remb_bps;
	est = fmin(est, b->loss_bps);
	if (b->have_remb && now_us < b->remb_us + REMB_FRESH_US)
		est = fmin(est, (double)b->remb_bps);
	return (uint64_t)clampd(est, (double)b->min_bps, (double)b->max_bps);
}

void bwe_get_stats(const struct bwe *b, struct bwe_stats *s)
{
	*s = (struct bwe_stats){
		.delay_bps = (uint64_t)b->rate, .loss_bps = (uint64_t)b->loss_bps,
		.remb_bps = b->have_remb ? b->remb_bps : 0, .acked_bps = (uint64_t)acked_bps(b),
		.rtt_us = b->rtt_us, .signal = (int)b->delay.signal,
		.overuses = b->overuses, .loss_cuts = b->loss_cuts,
		.feedback = b->feedback, .feedback_bad = b->feedback_bad,
		.probes = b->probes, .probes_raised = b->probes_raised, .probes_done = b->probes_done, .last_probe_bps = b->last_probe_bps,
		.last_decrease_us = b->last_decrease_us,
		.reported_lost = b->reported_lost, .reported = b->reported,
	};
}
