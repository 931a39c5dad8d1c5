/* test_bwe: the send-side estimator against a simulated bottleneck (queue, serialisation, tail
 * drop, random loss, feedback through the real transport-cc recorder), on an injected clock. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bwe/bwe.h"
#include "rtcp/rtcp.h"
#include "rtcp/twcc.h"

#define MS 1000ull
#define S 1000000ull
#define PKT_BYTES 1200
#define PROP_US (20 * MS)           /* one-way propagation, both directions */
#define QUEUE_MAX_US (100 * MS)     /* the bottleneck drops what would wait longer */
#define FB_INTERVAL_US (50 * MS)
#define RR_INTERVAL_US (1 * S)
#define FLY 8192
#define TRACE_STEP_US (100 * MS)
#define TRACE_MAX 1200

/* ---- a deterministic link ---- */

struct sim_cfg {
	uint64_t start_bps, min_bps, max_bps;
	double cap1_bps, cap2_bps;      /* capacity, and from switch_us on */
	uint64_t switch_us;
	double loss;                    /* random loss from loss_from_us on */
	uint64_t loss_from_us;
	uint64_t remb_bps;              /* sent every second when non-zero */
	int no_twcc;                    /* the receiver sends no transport-cc feedback */
	int no_rr;
	double app_bps;                 /* the sender has only this much to send until app_until_us */
	uint64_t app_until_us;
	double probe_want_bps;          /* probes every second (500 ms clusters) while the estimate is below this */
	uint64_t duration_us;
	uint32_t seed;
};

struct sim {
	struct sim_cfg c;
	struct bwe *b;
	uint64_t now, link_free;
	uint32_t rng;
	double budget;
	uint16_t tseq;
	struct { uint64_t at; uint16_t seq; } fly[FLY];
	size_t fly_head, fly_tail;
	struct twcc_recorder rec;
	struct fb_msg { uint64_t at; size_t len; uint8_t buf[1500]; } fb[64];
	size_t fb_head, fb_tail;
	uint32_t rr_sent, rr_lost;
	/* trace: the estimate every 100 ms */
	uint64_t est[TRACE_MAX];
	size_t n_est;
	uint64_t queue_drops, random_drops, sent;
};

static double rnd(struct sim *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 17;
	s->rng ^= s->rng << 5;
	return (s->rng >> 8) / 16777216.0;
}

static double capacity(const struct sim *s) { return s->now >= s->c.switch_us ? s->c.cap2_bps : s->c.cap1_bps; }

static void send_one(struct sim *s)
{
	uint16_t seq = s->tseq++;
	bwe_on_sent(s->b, seq, PKT_BYTES, s->now);
	s->sent++;
	s->rr_sent++;
	if (s->c.loss > 0 && s->now >= s->c.loss_from_us && rnd(s) < s->c.loss) {
		s->random_drops++;
		s->rr_lost++;
		return;
	}
	uint64_t start = s->link_free > s->now ? s->link_free : s->now;
	if (start - s->now > QUEUE_MAX_US) {
		s->queue_drops++;
		s->rr_lost++;
		return;
	}
	s->link_free = start + (uint64_t)(PKT_BYTES * 8 * 1e6 / capacity(s));
	ck_assert_uint_lt(s->fly_tail - s->fly_head, FLY);
	s->fly[s->fly_tail % FLY].at = s->link_free + PROP_US;
	s->fly[s->fly_tail % FLY].seq = seq;
	s->fly_tail++;
}

static void step(struct sim *s)
{
	/* sender: paced at the estimate */
	double est = (double)bwe_estimate(s->b, s->now);
	if (s->c.app_bps > 0 && s->now < s->c.app_until_us && est > s->c.app_bps)
		est = s->c.app_bps;
	if (s->c.probe_want_bps > 0 && s->now % S == 0 && (double)bwe_estimate(s->b, s->now) < s->c.probe_want_bps) {
		double cur = (double)bwe_estimate(s->b, s->now), target = cur * 2 > 250000 ? cur * 2 : 250000;
		bwe_probe_start(s->b, (uint64_t)(target < s->c.probe_want_bps ? target : s->c.probe_want_bps), 500 * MS, s->now);
	}
	double probe = (double)bwe_probe_rate(s->b, s->now);
	if (probe > est)
		est = probe;                /* padding up to the probe's rate */
	s->budget += est * 1e-3;
	if (s->budget > 2 * PKT_BYTES * 8)
		s->budget = 2 * PKT_BYTES * 8;
	while (s->budget >= PKT_BYTES * 8) {
		s->budget -= PKT_BYTES * 8;
		send_one(s);
	}
	/* receiver: arrivals, on a clock of its own */
	while (s->fly_head < s->fly_tail && s->fly[s->fly_head % FLY].at <= s->now) {
		twcc_recorder_add(&s->rec, s->fly[s->fly_head % FLY].seq, s->fly[s->fly_head % FLY].at + 987654321);
		s->fly_head++;
	}
	if (!s->c.no_twcc && s->now % FB_INTERVAL_US == 0 && twcc_recorder_pending(&s->rec)) {
		ck_assert_uint_lt(s->fb_tail - s->fb_head, 64);
		struct fb_msg *f = &s->fb[s->fb_tail % 64];
		f->len = twcc_recorder_write(&s->rec, f->buf, sizeof(f->buf), 0xfa17fa17, 0x1234);
		ck_assert_uint_gt(f->len, 0);
		f->at = s->now + PROP_US;
		s->fb_tail++;
	}
	/* sender: feedback */
	while (s->fb_head < s->fb_tail && s->fb[s->fb_head % 64].at <= s->now) {
		bwe_on_twcc(s->b, s->fb[s->fb_head % 64].buf, s->fb[s->fb_head % 64].len, s->now);
		s->fb_head++;
	}
	if (s->now % RR_INTERVAL_US == 0 && s->now) {
		if (!s->c.no_rr && s->rr_sent)
			bwe_on_loss(s->b, (uint8_t)(s->rr_lost * 256 / s->rr_sent > 255 ? 255 : s->rr_lost * 256 / s->rr_sent), s->now);
		s->rr_sent = s->rr_lost = 0;
		if (s->c.remb_bps)
			bwe_on_remb(s->b, s->c.remb_bps, s->now);
	}
	if (s->now % TRACE_STEP_US == 0 && s->n_est < TRACE_MAX)
		s->est[s->n_est++] = bwe_estimate(s->b, s->now);
}

static struct sim *sim_run(const struct sim_cfg *c)
{
	struct sim *s = calloc(1, sizeof(*s));
	ck_assert_ptr_nonnull(s);
	s->c = *c;
	s->rng = c->seed ? c->seed : 1;
	twcc_recorder_init(&s->rec);
	ck_assert_int_eq(bwe_new(&s->b, c->start_bps, c->min_bps, c->max_bps), 0);
	for (s->now = 0; s->now <= c->duration_us; s->now += MS)
		step(s);
	if (getenv("BWE_TRACE"))
		for (size_t i = 0; i < s->n_est; i++)
			printf("trace %.1f s %llu\n", i * 0.1, (unsigned long long)s->est[i]);
	return s;
}

static void sim_free(struct sim *s)
{
	bwe_free(s->b);
	free(s);
}

static uint64_t at(const struct sim *s, double t_s) { return s->est[(size_t)(t_s * 10 + 0.5)]; }

static double mean(const struct sim *s, double from_s, double to_s)
{
	double sum = 0;
	size_t n = 0;
	for (size_t i = (size_t)(from_s * 10); i <= (size_t)(to_s * 10) && i < s->n_est; i++, n++)
		sum += (double)s->est[i];
	return n ? sum / n : 0;
}

static uint64_t max_est(const struct sim *s, double from_s, double to_s)
{
	uint64_t m = 0;
	for (size_t i = (size_t)(from_s * 10); i <= (size_t)(to_s * 10) && i < s->n_est; i++)
		if (s->est[i] > m)
			m = s->est[i];
	return m;
}

static uint64_t min_est(const struct sim *s, double from_s, double to_s)
{
	uint64_t m = UINT64_MAX;
	for (size_t i = (size_t)(from_s * 10); i <= (size_t)(to_s * 10) && i < s->n_est; i++)
		if (s->est[i] < m)
			m = s->est[i];
	return m;
}

/* First time (s) from which the estimate stays at or above v for a second; -1 if never. */
static double reaches(const struct sim *s, double v)
{
	for (size_t i = 0; i + 10 < s->n_est; i++) {
		size_t k = 0;
		while (k <= 10 && (double)s->est[i + k] >= v)
			k++;
		if (k > 10)
			return i / 10.0;
	}
	return -1;
}

static double falls_below(const struct sim *s, double from_s, double v)
{
	for (size_t i = (size_t)(from_s * 10); i < s->n_est; i++)
		if ((double)s->est[i] < v)
			return i / 10.0;
	return -1;
}

/* ---- scenarios ---- */

START_TEST(test_converges_2mbps)
{
	struct sim_cfg c = { .start_bps = 300000, .min_bps = 50000, .max_bps = 10000000,
	                     .cap1_bps = 2e6, .cap2_bps = 2e6, .switch_us = UINT64_MAX, .duration_us = 60 * S, .seed = 7 };
	struct sim *s = sim_run(&c);
	double t = reaches(s, 1.8e6), m = mean(s, 20, 60);
	uint64_t mx = max_est(s, 20, 60), mn = min_est(s, 20, 60);
	printf("bwe 2 Mbit/s: ≥1.8M from %.1f s; 20–60 s mean %.0f, min %llu, max %llu; queue drops %llu of %llu\n", t, m,
	       (unsigned long long)mn, (unsigned long long)mx, (unsigned long long)s->queue_drops, (unsigned long long)s->sent);
	ck_assert(t >= 0 && t <= 20);
	ck_assert(m > 1.8e6 && m < 2.2e6);
	ck_assert_uint_le(mx, 2300000);
	ck_assert_uint_ge(mn, 1400000);
	ck_assert_uint_le(s->queue_drops, s->sent / 100);
	sim_free(s);
}
END_TEST

START_TEST(test_capacity_drop)
{
	struct sim_cfg c = { .start_bps = 300000, .min_bps = 50000, .max_bps = 10000000,
	                     .cap1_bps = 3e6, .cap2_bps = 1e6, .switch_us = 30 * S, .duration_us = 50 * S, .seed = 11 };
	struct sim *s = sim_run(&c);
	double t = falls_below(s, 30, 1.1e6);
	printf("bwe 3→1 Mbit/s at 30 s: before %.0f (25–30 s mean), below 1.1M at %.1f s, 35–50 s mean %.0f max %llu\n",
	       mean(s, 25, 30), t, mean(s, 35, 50), (unsigned long long)max_est(s, 35, 50));
	ck_assert(mean(s, 25, 30) > 2.5e6);
	ck_assert(t >= 30 && t <= 32);
	ck_assert(mean(s, 35, 50) > 0.75e6 && mean(s, 35, 50) < 1.1e6);
	ck_assert_uint_le(max_est(s, 35, 50), 1200000);
	sim_free(s);
}
END_TEST

START_TEST(test_random_loss)
{
	/* a wide link (no queueing) with 20 % random loss from 10 s on */
	struct sim_cfg c = { .start_bps = 1000000, .min_bps = 50000, .max_bps = 3000000,
	                     .cap1_bps = 20e6, .cap2_bps = 20e6, .switch_us = UINT64_MAX,
	                     .loss = 0.2, .loss_from_us = 10 * S, .duration_us = 25 * S, .seed = 3 };
	struct sim *s = sim_run(&c);
	printf("bwe 20 %% loss from 10 s: %llu at 10 s, %llu at 15 s, %llu at 25 s\n", (unsigned long long)at(s, 10),
	       (unsigned long long)at(s, 15), (unsigned long long)at(s, 25));
	ck_assert_uint_ge(at(s, 10), 2000000);
	ck_assert_uint_lt(at(s, 15), at(s, 10) / 2);
	ck_assert_uint_le(at(s, 25), at(s, 15));
	struct bwe_stats st;
	bwe_get_stats(s->b, &st);
	ck_assert_uint_gt(st.loss_cuts, 3);
	ck_assert_uint_eq(st.overuses, 0);
	sim_free(s);
	/* the same loss from receiver reports alone (no transport-cc) still cuts */
	c.no_twcc = 1;
	c.remb_bps = 2500000;
	s = sim_run(&c);
	ck_assert_uint_eq(at(s, 9), 2500000);
	ck_assert_uint_lt(at(s, 20), 1500000);
	sim_free(s);
}
END_TEST

START_TEST(test_remb_caps)
{
	struct sim_cfg c = { .start_bps = 300000, .min_bps = 50000, .max_bps = 10000000,
	                     .cap1_bps = 5e6, .cap2_bps = 5e6, .switch_us = UINT64_MAX,
	                     .remb_bps = 700000, .duration_us = 20 * S, .seed = 5 };
	struct sim *s = sim_run(&c);
	ck_assert_uint_le(max_est(s, 1, 20), 700000);
	ck_assert_uint_eq(at(s, 20), 700000);
	sim_free(s);
	/* without transport-cc, REMB is the estimate */
	c.no_twcc = 1;
	c.remb_bps = 1200000;
	s = sim_run(&c);
	ck_assert_uint_eq(at(s, 0.9), 300000);
	ck_assert_uint_eq(at(s, 1), 1200000);
	ck_assert_uint_eq(at(s, 20), 1200000);
	sim_free(s);
}
END_TEST

START_TEST(test_remb_expires)
{
	struct bwe *b;
	ck_assert_int_eq(bwe_new(&b, 1000000, 100000, 5000000), 0);
	bwe_on_remb(b, 400000, 1 * S);
	ck_assert_uint_eq(bwe_estimate(b, 2 * S), 400000);
	ck_assert_uint_eq(bwe_estimate(b, 5 * S), 400000);
	/* no transport-cc: the last REMB stands in for the delay-based estimate even when old */
	ck_assert_uint_eq(bwe_estimate(b, 7 * S), 400000);
	bwe_free(b);
}
END_TEST

START_TEST(test_app_limited)
{
	/* a wide link but only 500 kbit/s to send for 20 s, then as much as allowed */
	struct sim_cfg c = { .start_bps = 300000, .min_bps = 50000, .max_bps = 10000000,
	                     .cap1_bps = 5e6, .cap2_bps = 5e6, .switch_us = UINT64_MAX,
	                     .app_bps = 500000, .app_until_us = 20 * S, .duration_us = 35 * S, .seed = 13 };
	struct sim *s = sim_run(&c);
	printf("bwe app-limited at 500 kbit/s: %llu at 10 s, %llu at 20 s; unlimited: ≥4M from %.1f s\n",
	       (unsigned long long)at(s, 10), (unsigned long long)at(s, 20), reaches(s, 4e6));
	ck_assert_uint_ge(min_est(s, 5, 20), 500000);
	ck_assert_uint_le(max_est(s, 5, 20), 800000);
	double t = reaches(s, 4e6);
	ck_assert(t > 20 && t < 30);
	sim_free(s);
}
END_TEST

START_TEST(test_probe_finds_room)
{
	/* audio alone (50 kbit/s) wants 1 Mbit/s of video: 150 kbit/s of capacity for 20 s, then 3 Mbit/s */
	struct sim_cfg c = { .start_bps = 300000, .min_bps = 30000, .max_bps = 10000000,
	                     .cap1_bps = 150e3, .cap2_bps = 3e6, .switch_us = 20 * S,
	                     .app_bps = 50000, .app_until_us = UINT64_MAX, .probe_want_bps = 1e6,
	                     .duration_us = 30 * S, .seed = 17 };
	struct sim *s = sim_run(&c);
	struct bwe_stats st;
	bwe_get_stats(s->b, &st);
	double t = reaches(s, 4e5);
	printf("bwe probing, 150 kbit/s then 3 Mbit/s at 20 s: max %llu over 8–20 s; ≥400k from %.1f s; %llu probes, %llu raised; queue drops %llu\n",
	       (unsigned long long)max_est(s, 8, 20), t, (unsigned long long)st.probes, (unsigned long long)st.probes_raised,
	       (unsigned long long)s->queue_drops);
	fflush(stdout);
	ck_assert_uint_le(max_est(s, 8, 20), 200000);   /* the capped link is never taken for more */
	ck_assert(t >= 20 && t <= 25);                  /* room found within 5 s of the cap lifting */
	ck_assert_uint_gt(st.probes_raised, 0);
	sim_free(s);
	/* without probes an application-limited sender never finds that room */
	c.probe_want_bps = 0;
	s = sim_run(&c);
	ck_assert(reaches(s, 4e5) < 0);
	sim_free(s);
}
END_TEST

START_TEST(test_random_loss_is_not_congestion)
{
	/* 3 % random loss on a wide link, the sender application-limited at 600 kbit/s (a 360p video
	 * and audio): the estimate must not fall (GCC holds between 2 and 10 % loss) */
	struct sim_cfg c = { .start_bps = 1500000, .min_bps = 50000, .max_bps = 30000000,
	                     .cap1_bps = 20e6, .cap2_bps = 20e6, .switch_us = UINT64_MAX,
	                     .loss = 0.03, .loss_from_us = 0, .app_bps = 600000, .app_until_us = UINT64_MAX,
	                     .probe_want_bps = 2e6, .duration_us = 30 * S, .seed = 23 };
	struct sim *s = sim_run(&c);
	struct bwe_stats st;
	bwe_get_stats(s->b, &st);
	printf("bwe 3 %% random loss, 600 kbit/s to send: min %llu over 5–30 s, %llu loss cuts, %llu overuses\n",
	       (unsigned long long)min_est(s, 5, 30), (unsigned long long)st.loss_cuts, (unsigned long long)st.overuses);
	fflush(stdout);
	ck_assert_uint_ge(min_est(s, 5, 30), 600000);
	sim_free(s);
}
END_TEST

START_TEST(test_probe_api)
{
	struct bwe *b;
	ck_assert_int_eq(bwe_new(&b, 300000, 30000, 5000000), 0);
	ck_assert_uint_eq(bwe_probe_rate(b, 0), 0);
	ck_assert_int_eq(bwe_probe_start(b, 600000, 250 * MS, 1 * S), 0);
	ck_assert_uint_eq(bwe_probe_rate(b, 1 * S + 100 * MS), 600000);
	ck_assert_int_eq(bwe_probe_start(b, 600000, 250 * MS, 1 * S + 100 * MS), EBUSY);
	ck_assert_uint_eq(bwe_probe_rate(b, 1 * S + 250 * MS), 0);
	/* no feedback at all: the cluster times out and a new one may start */
	ck_assert_int_eq(bwe_probe_start(b, 600000, 250 * MS, 2 * S), EBUSY);
	ck_assert_int_eq(bwe_probe_start(b, 600000, 250 * MS, 3 * S), 0);
	ck_assert_uint_eq(bwe_estimate(b, 3 * S), 300000);   /* a probe alone raises nothing */
	bwe_free(b);
}
END_TEST

START_TEST(test_deterministic)
{
	struct sim_cfg c = { .start_bps = 300000, .min_bps = 50000, .max_bps = 10000000,
	                     .cap1_bps = 2e6, .cap2_bps = 1.5e6, .switch_us = 10 * S, .loss = 0.01,
	                     .duration_us = 15 * S, .seed = 99 };
	struct sim *a = sim_run(&c), *b = sim_run(&c);
	ck_assert_uint_eq(a->n_est, b->n_est);
	ck_assert_int_eq(memcmp(a->est, b->est, a->n_est * sizeof(a->est[0])), 0);
	sim_free(a);
	sim_free(b);
}
END_TEST

/* ---- API edges ---- */

START_TEST(test_new_and_clamps)
{
	struct bwe *b;
	ck_assert_int_eq(bwe_new(&b, 1000, 0, 100), EINVAL);
	ck_assert_int_eq(bwe_new(&b, 1000, 200, 100), EINVAL);
	ck_assert_int_eq(bwe_new(&b, 10, 100000, 200000), 0);
	ck_assert_uint_eq(bwe_estimate(b, 0), 100000);
	bwe_on_remb(b, 1, 0);
	ck_assert_uint_eq(bwe_estimate(b, 0), 100000);
	bwe_free(b);
	ck_assert_int_eq(bwe_new(&b, 1 << 30, 100000, 200000), 0);
	ck_assert_uint_eq(bwe_estimate(b, 0), 200000);
	bwe_on_remb(b, UINT64_MAX, 0);
	ck_assert_uint_eq(bwe_estimate(b, 0), 200000);
	bwe_free(b);
}
END_TEST

START_TEST(test_loss_reports)
{
	struct bwe *b;
	ck_assert_int_eq(bwe_new(&b, 1000000, 100000, 5000000), 0);
	bwe_on_loss(b, 128, 1 * S);                      /* 50 %: × 0.75 */
	ck_assert_uint_eq(bwe_estimate(b, 1 * S), 750000);
	bwe_on_loss(b, 128, 1 * S + 100 * MS);           /* too soon after the last cut */
	ck_assert_uint_eq(bwe_estimate(b, 1 * S + 100 * MS), 750000);
	bwe_on_loss(b, 13, 2 * S);                       /* 5 %: hold */
	ck_assert_uint_eq(bwe_estimate(b, 2 * S), 750000);
	bwe_on_loss(b, 2, 3 * S);                        /* < 2 %: the cap grows 8 % per second */
	ck_assert_uint_eq(bwe_estimate(b, 3 * S), 810000);
	bwe_free(b);
}
END_TEST

START_TEST(test_feedback_garbage)
{
	struct bwe *b;
	ck_assert_int_eq(bwe_new(&b, 500000, 100000, 5000000), 0);
	for (uint16_t i = 0; i < 100; i++)
		bwe_on_sent(b, i, 1000, i * MS);
	uint8_t bad[] = { 0x8f, 0xcd, 0x00, 0x05, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 9, 0, 0, 0, 0, 0x20, 0x02, 0, 0 };
	bwe_on_twcc(b, bad, sizeof(bad), 200 * MS);
	bwe_on_twcc(b, bad, 7, 200 * MS);
	bwe_on_twcc(b, NULL, 0, 200 * MS);
	/* a valid one for numbers never sent is harmless */
	static struct twcc_recorder r;
	twcc_recorder_init(&r);
	for (uint16_t i = 0; i < 50; i++)
		twcc_recorder_add(&r, (uint16_t)(30000 + i), i * MS);
	uint8_t buf[512];
	size_t len = twcc_recorder_write(&r, buf, sizeof(buf), 1, 2);
	bwe_on_twcc(b, buf, len, 300 * MS);
	struct bwe_stats st;
	bwe_get_stats(b, &st);
	ck_assert_uint_eq(st.feedback_bad, 1);
	ck_assert_uint_eq(st.feedback, 1);
	ck_assert_uint_eq(st.acked_bps, 0);
	ck_assert_uint_eq(bwe_estimate(b, 300 * MS), 500000);
	bwe_free(b);
}
END_TEST

static Suite *bwe_suite(void)
{
	Suite *s = suite_create("bwe");
	TCase *tc = tcase_create("api");
	tcase_add_test(tc, test_new_and_clamps);
	tcase_add_test(tc, test_loss_reports);
	tcase_add_test(tc, test_remb_expires);
	tcase_add_test(tc, test_feedback_garbage);
	tcase_add_test(tc, test_probe_api);
	suite_add_tcase(s, tc);
	tc = tcase_create("sim");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_converges_2mbps);
	tcase_add_test(tc, test_capacity_drop);
	tcase_add_test(tc, test_random_loss);
	tcase_add_test(tc, test_remb_caps);
	tcase_add_test(tc, test_app_limited);
	tcase_add_test(tc, test_probe_finds_room);
	tcase_add_test(tc, test_random_loss_is_not_congestion);
	tcase_add_test(tc, test_deterministic);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(bwe_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
