/* test_twcc: transport-cc feedback parsing (hand-built and captured Chromium packets, malformed ones) and
 * recorder→writer→parser round trips. draft-holmer-rmcat-transport-wide-cc-extensions-01. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtcp/rtcp.h"
#include "rtcp/twcc.h"
#include "test_util.h"


/* ---- parse table ---- */

struct st { int received; int64_t arrival_us; };
struct parse_case {
	const char *name, *hex;
	int rc;
	uint16_t base;
	uint32_t ref;
	uint8_t fb_count;
	int n;
	struct st s[16];
};

#define LOST { 0, 0 }
static const struct parse_case parse_cases[] = {
	/* Chromium 156 as a plenum subscriber (sender SSRC 0xfa17fa17: a receive-only libwebrtc),
	 * decrypted by plenum during a two-browser meeting; the second is padded with the P bit. */
	{ "chromium: run of 6 small", "8f cd 00 06 fa 17 fa 17 27 c8 17 8f 00 45 00 06 02 99 e8 18 20 06 73 00 26 70 26 07",
	  0, 69, 170472, 24, 6, { { 1, 28750 }, { 1, 28750 }, { 1, 38250 }, { 1, 66250 }, { 1, 75750 }, { 1, 77500 } } },
	{ "chromium: run of 5 small, padded", "af cd 00 06 fa 17 fa 17 a9 4c e7 65 00 a6 00 05 02 9a 00 31 20 05 9b 00 0d 9d 00 01",
	  0, 166, 170496, 49, 5, { { 1, 38750 }, { 1, 38750 }, { 1, 42000 }, { 1, 81250 }, { 1, 81250 } } },
	/* hand-built, in the draft's terms */
	{ "run of 3 small, zero padded without P", "8f cd 00 06 00 00 00 01 11 22 33 44 00 01 00 03 00 00 10 01 20 03 01 04 08 00 00 00",
	  0, 1, 16, 1, 3, { { 1, 250 }, { 1, 1250 }, { 1, 3250 } } },
	{ "1-bit vector R L R R", "8f cd 00 06 00 00 00 01 00 00 00 02 ff fe 00 04 00 00 01 00 ac 00 04 08 0c 00 00 00",
	  0, 0xfffe, 1, 0, 4, { { 1, 1000 }, LOST, { 1, 3000 }, { 1, 6000 } } },
	{ "2-bit vector small large lost large(negative)", "8f cd 00 06 00 00 00 01 00 00 00 02 00 10 00 04 7f ff ff 09 d8 80 10 01 90 ff 38 00",
	  0, 16, 0x7fffff, 9, 4, { { 1, 4000 }, { 1, 104000 }, LOST, { 1, 54000 } } },
	{ "draft run of 221 lost, then 2 small", "8f cd 00 06 00 00 00 01 00 00 00 02 00 00 00 df 00 00 02 00 00 dd 20 02 ff 01 00 00",
	  0, 0, 2, 0, -1, { { 0 } } },
	{ "draft 1-bit vector example 0x9f1c", "8f cd 00 07 00 00 00 01 00 00 00 02 00 00 00 0e 00 00 00 00 9f 1c 01 01 01 01 01 01 01 01 00 00",
	  0, 0, 0, 0, 14, { LOST, { 1, 250 }, { 1, 500 }, { 1, 750 }, { 1, 1000 }, { 1, 1250 }, LOST, LOST, LOST, { 1, 1500 }, { 1, 1750 }, { 1, 2000 }, LOST, LOST } },
	{ "run past the status count is cut", "8f cd 00 05 00 00 00 01 00 00 00 02 00 05 00 02 00 00 00 00 20 09 02 03",
	  0, 5, 0, 0, 2, { { 1, 500 }, { 1, 1250 } } },
	{ "zero-length runs are skipped", "8f cd 00 06 00 00 00 01 00 00 00 02 00 05 00 01 00 00 00 00 00 00 00 00 20 01 07 00",
	  0, 5, 0, 0, 1, { { 1, 1750 } } },
	{ "status count 0", "8f cd 00 05 00 00 00 01 00 00 00 02 00 05 00 00 00 00 00 00 20 01 02 00", EBADMSG, .n = 0 },
	{ "reserved symbol in a run", "8f cd 00 05 00 00 00 01 00 00 00 02 00 05 00 01 00 00 00 00 60 01 02 00", EBADMSG, .n = 0 },
	{ "reserved symbol in a 2-bit vector", "8f cd 00 05 00 00 00 01 00 00 00 02 00 05 00 02 00 00 00 00 f0 00 02 00", EBADMSG, .n = 0 },
	{ "chunks run out", "8f cd 00 05 00 00 00 01 00 00 00 02 00 05 00 09 00 00 00 00 20 02 00 00", EBADMSG, .n = 0 },
	{ "deltas run out", "8f cd 00 05 00 00 00 01 00 00 00 02 00 05 00 03 00 00 00 00 20 03 02 00", EBADMSG, .n = 0 },
	{ "large delta cut in half", "8f cd 00 05 00 00 00 01 00 00 00 02 00 05 00 02 00 00 00 00 40 02 02 00", EBADMSG, .n = 0 },
	{ "deltas hidden by padding", "af cd 00 05 00 00 00 01 00 00 00 02 00 05 00 02 00 00 00 00 20 02 02 02", EBADMSG, .n = 0 },
	{ "no room for the fields", "8f cd 00 03 00 00 00 01 00 00 00 02 00 05 00 01", EBADMSG, .n = 0 },
	{ "NACK, not TWCC", "81 cd 00 03 00 00 00 01 00 00 00 02 00 05 00 01", EINVAL, .n = 0 },
};

static int draft221_seen;
static void draft221_cb(void *arg, uint16_t seq, bool received, int64_t arrival_us)
{
	ck_assert_int_eq(received, seq >= 221);
	if (seq == 221)
		ck_assert_int_eq(arrival_us, 255 * 250);
	if (seq == 222)
		ck_assert_int_eq(arrival_us, 256 * 250);
	draft221_seen++;
}

START_TEST(test_parse_table)
{
	const struct parse_case *c = &parse_cases[_i];
	uint8_t buf[128];
	size_t len = hex(c->hex, buf);
	struct rtcp_iter it;
	struct rtcp_pkt p;
	rtcp_iter_init(&it, buf, len);
	ck_assert_msg(rtcp_iter_next(&it, &p) == 1, "%s: not an RTCP packet", c->name);
	struct twcc_fb fb;
	struct twcc_status out[16];
	size_t n = 99;
	if (c->n < 0) {
		draft221_seen = 0;
		ck_assert_int_eq(twcc_parse(&p, &fb, draft221_cb, NULL), 0);
		ck_assert_int_eq(draft221_seen, 223);
		return;
	}
	int rc = twcc_parse_array(&p, &fb, out, 16, &n);
	ck_assert_msg(rc == c->rc, "%s: rc %d want %d", c->name, rc, c->rc);
	if (rc) {
		ck_assert_uint_eq(n, 0);
		return;
	}
	ck_assert_uint_eq(fb.base_seq, c->base);
	ck_assert_uint_eq(fb.ref_time, c->ref);
	ck_assert_uint_eq(fb.fb_count, c->fb_count);
	ck_assert_uint_eq(fb.status_count, (unsigned)c->n);
	ck_assert_uint_eq(n, (size_t)c->n);
	for (int i = 0; i < c->n; i++) {
		ck_assert_msg(out[i].seq == (uint16_t)(c->base + i), "%s: seq at %d", c->name, i);
		ck_assert_msg(out[i].received == c->s[i].received, "%s: received at %d", c->name, i);
		if (c->s[i].received)
			ck_assert_msg(out[i].arrival_us == c->s[i].arrival_us, "%s: arrival at %d: %lld want %lld", c->name, i,
			              (long long)out[i].arrival_us, (long long)c->s[i].arrival_us);
	}
}
END_TEST

/* ---- writer round trips ---- */

struct rec { uint16_t seq; uint64_t arrival_us; };

#define MAXSEQ 70000
/* What the parsed feedback said, by extended sequence number relative to the first one recorded. */
struct seen {
	int count[MAXSEQ];
	int received[MAXSEQ];
	uint64_t arrival[MAXSEQ];       /* modulo the reference time's wrap */
	int packets;
	size_t bytes;
};

#define WRAP_US ((uint64_t)TWCC_REF_WRAP * TWCC_REF_UNIT_US)

struct collect_ctx { struct seen *s; uint16_t first; uint64_t ref_us; };

static void collect_cb(void *arg, uint16_t seq, bool received, int64_t arrival_us)
{
	struct collect_ctx *c = arg;
	int i = (uint16_t)(seq - c->first);
	ck_assert_int_lt(i, MAXSEQ);
	c->s->count[i]++;
	c->s->received[i] = received;
	if (received)
		c->s->arrival[i] = (uint64_t)((int64_t)c->ref_us + arrival_us + (int64_t)WRAP_US) % WRAP_US;
}

/* Parses every packet in buf (each must be a valid TWCC packet on its own). */
static void collect_fb(const uint8_t *buf, size_t len, uint16_t first, struct seen *s, size_t max_pkt_len)
{
	struct rtcp_iter it;
	struct rtcp_pkt p;
	int r;
	rtcp_iter_init(&it, buf, len);
	while ((r = rtcp_iter_next(&it, &p)) == 1) {
		ck_assert_int_eq(rtcp_validate_compound(p.buf, p.len), 0);
		ck_assert_uint_le(p.len, max_pkt_len);
		ck_assert_uint_eq(p.sender_ssrc, 0x11111111);
		ck_assert_uint_eq(p.media_ssrc, 0x22222222);
		struct twcc_fb fb;
		ck_assert_int_eq(twcc_parse(&p, &fb, NULL, NULL), 0);
		struct collect_ctx c = { s, first, (uint64_t)fb.ref_time * TWCC_REF_UNIT_US };
		ck_assert_int_eq(twcc_parse(&p, &fb, collect_cb, &c), 0);
		s->packets++;
	}
	ck_assert_int_eq(r, 0);
	s->bytes += len;
}

/* Records in, writes (in buffers of cap bytes until nothing is pending), and checks that every
 * number from the first to the highest is reported exactly once, received iff recorded, at the
 * recorded time to 250 µs. Returns the feedback seen (caller frees). */
static struct seen *roundtrip(const struct rec *in, size_t n, size_t max_pkt_len, size_t cap)
{
	static struct twcc_recorder r;
	struct seen *s = calloc(1, sizeof(*s));
	uint8_t *buf = malloc(cap);
	twcc_recorder_init(&r);
	if (max_pkt_len)
		r.max_pkt_len = max_pkt_len;
	for (size_t i = 0; i < n; i++)
		twcc_recorder_add(&r, in[i].seq, in[i].arrival_us);
	ck_assert(twcc_recorder_pending(&r));
	int guard = 0;
	while (twcc_recorder_pending(&r)) {
		size_t len = twcc_recorder_write(&r, buf, cap, 0x11111111, 0x22222222);
		ck_assert_uint_gt(len, 0);
		ck_assert_uint_le(len, cap);
		collect_fb(buf, len, in[0].seq, s, r.max_pkt_len);
		ck_assert_int_lt(++guard, 10000);
	}
	ck_assert_uint_eq(twcc_recorder_write(&r, buf, cap, 0x11111111, 0x22222222), 0);
	free(buf);

	static int expect_rx[MAXSEQ];
	static uint64_t expect_at[MAXSEQ];
	memset(expect_rx, 0, sizeof(expect_rx));
	int hi = 0, prev = 0;
	for (size_t i = 0; i < n; i++) {
		int e = prev + (int16_t)(uint16_t)(in[i].seq - (uint16_t)(in[0].seq + prev));
		ck_assert_int_ge(e, 0);
		if (!expect_rx[e]) {
			expect_rx[e] = 1;
			expect_at[e] = (in[i].arrival_us / TWCC_DELTA_UNIT_US * TWCC_DELTA_UNIT_US) % WRAP_US;
		}
		if (e > hi)
			hi = e;
		prev = hi;
	}
	for (int e = 0; e <= hi; e++) {
		ck_assert_msg(s->count[e] == 1, "seq +%d reported %d times", e, s->count[e]);
		ck_assert_msg(s->received[e] == expect_rx[e], "seq +%d received %d want %d", e, s->received[e], expect_rx[e]);
		if (expect_rx[e])
			ck_assert_msg(s->arrival[e] == expect_at[e], "seq +%d at %llu want %llu", e,
			              (unsigned long long)s->arrival[e], (unsigned long long)expect_at[e]);
	}
	ck_assert_int_eq(s->count[hi + 1], 0);
	return s;
}

static struct rec recs[8192];

/* n packets from seq0, one every step_us from t0, each dropped when (i % lose_every) == lose_at. */
static size_t gen(uint16_t seq0, size_t n, uint64_t t0, uint64_t step_us, int lose_every, int lose_at)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!lose_every || (int)(i % (size_t)lose_every) != lose_at)
			recs[k++] = (struct rec){ (uint16_t)(seq0 + i), t0 + i * step_us };
	return k;
}

START_TEST(test_write_in_order_run)
{
	size_t n = gen(100, 10, 1000000, 1000, 0, 0);
	static struct twcc_recorder r;
	twcc_recorder_init(&r);
	for (size_t i = 0; i < n; i++)
		twcc_recorder_add(&r, recs[i].seq, recs[i].arrival_us);
	uint8_t buf[256];
	size_t len = twcc_recorder_write(&r, buf, sizeof(buf), 0x11111111, 0x22222222);
	/* 20 header + one run chunk (T=0 S=01 n=10) + 10 one-byte deltas = 32, no padding */
	ck_assert_uint_eq(len, 32);
	ck_assert_uint_eq(buf[0], 0x8f);
	ck_assert_uint_eq(buf[20], 0x20);
	ck_assert_uint_eq(buf[21], 10);
	ck_assert_uint_eq(buf[22], (1000000 % 64000) / 250);
	ck_assert_uint_eq(buf[23], 4);
	ck_assert_uint_eq(buf[19], 0);  /* fb count starts at 0 */
	free(roundtrip(recs, n, 0, 256));
}
END_TEST

START_TEST(test_write_wrap)
{
	size_t n = gen(65530, 12, 5000, 3000, 0, 0);
	struct seen *s = roundtrip(recs, n, 0, 256);
	ck_assert_int_eq(s->packets, 1);
	free(s);
}
END_TEST

START_TEST(test_write_one_bit_vector)
{
	/* every other packet lost: 1-bit vectors of 14 */
	size_t n = gen(7, 28, 0, 2000, 2, 1);
	static struct twcc_recorder r;
	twcc_recorder_init(&r);
	for (size_t i = 0; i < n; i++)
		twcc_recorder_add(&r, recs[i].seq, recs[i].arrival_us);
	uint8_t buf[256];
	size_t len = twcc_recorder_write(&r, buf, sizeof(buf), 0x11111111, 0x22222222);
	ck_assert_uint_gt(len, 0);
	/* 27 numbers (7..33): a 1-bit vector of 14 then a run? no: 13 alternating left → 1-bit vector */
	ck_assert_uint_eq(buf[14] << 8 | buf[15], 27);
	ck_assert_uint_eq(buf[20], 0xaa);
	ck_assert_uint_eq(buf[21], 0xaa);
	ck_assert_uint_eq(buf[22] & 0xc0, 0x80);
	free(roundtrip(recs, n, 0, 256));
}
END_TEST

START_TEST(test_write_two_bit_vector_large_negative)
{
	/* small, large (100 ms later), lost, negative (reordered: arrived before the previous one) */
	struct rec in[] = { { 10, 64000 }, { 11, 164000 }, { 13, 120000 }, { 14, 120250 }, { 15, 200000 } };
	static struct twcc_recorder r;
	twcc_recorder_init(&r);
	for (size_t i = 0; i < (sizeof(in) / sizeof(in[0])); i++)
		twcc_recorder_add(&r, in[i].seq, in[i].arrival_us);
	uint8_t buf[256];
	size_t len = twcc_recorder_write(&r, buf, sizeof(buf), 0x11111111, 0x22222222);
	ck_assert_uint_gt(len, 0);
	/* symbols 1 2 0 2 1 2: one 2-bit vector */
	ck_assert_uint_eq(buf[20], 0xd8);
	ck_assert_uint_eq(buf[21], 0x98);
	ck_assert_uint_eq(buf[0] & 0x20, 0x20);  /* 20+2+1+2+2+1+2 = 30 → 2 bytes padding */
	ck_assert_uint_eq(len, 32);
	ck_assert_uint_eq(buf[31], 2);
	free(roundtrip(in, (sizeof(in) / sizeof(in[0])), 0, 256));
}
END_TEST

START_TEST(test_write_long_gap_run)
{
	/* 10 received, 990 lost, 10 received: a run-length chunk carries the gap */
	size_t n = gen(500, 10, 0, 1000, 0, 0);
	for (size_t i = 0; i < 10; i++)
		recs[n++] = (struct rec){ (uint16_t)(1500 + i), 50000 + i * 1000 };
	struct seen *s = roundtrip(recs, n, 0, 256);
	ck_assert_int_eq(s->packets, 1);
	ck_assert_uint_le(s->bytes, 20 + 6 + 20 + 2);
	free(s);
}
END_TEST

START_TEST(test_write_time_gap_splits)
{
	/* 9 s between two arrivals does not fit a 16-bit delta of 250 µs: a second packet */
	struct rec in[] = { { 1, 1000 }, { 2, 2000 }, { 3, 9002000 }, { 4, 9003000 } };
	struct seen *s = roundtrip(in, 4, 0, 256);
	ck_assert_int_eq(s->packets, 2);
	free(s);
	/* 8 s fits as a large delta: one packet */
	struct rec in2[] = { { 1, 1000 }, { 2, 2000 }, { 3, 8002000 }, { 4, 8003000 } };
	s = roundtrip(in2, 4, 0, 256);
	ck_assert_int_eq(s->packets, 1);
	free(s);
}
END_TEST

START_TEST(test_write_splits_by_size)
{
	/* 2000 packets with jittered arrivals and 10 % loss in 100-byte packets, and in buffers of 1 kB */
	uint32_t x = 12345;
	size_t k = 0;
	for (size_t i = 0; i < 2000; i++) {
		x = x * 1103515245u + 12345u;
		if ((x >> 16) % 10 == 0)
			continue;
		recs[k++] = (struct rec){ (uint16_t)(60000 + i), 1000000 + i * 900 + (x >> 8) % 700 };
	}
	struct seen *s = roundtrip(recs, k, 100, 1000);
	ck_assert_int_gt(s->packets, 20);
	free(s);
	s = roundtrip(recs, k, 0, 1000);
	ck_assert_int_ge(s->packets, 2);
	free(s);
}
END_TEST

START_TEST(test_write_reference_wrap)
{
	/* arrivals across the 24-bit reference time wrap (2^24 × 64 ms ≈ 12.4 days) */
	size_t n = gen(0, 40, WRAP_US - 20000, 1000, 5, 2);
	free(roundtrip(recs, n, 0, 256));
}
END_TEST

START_TEST(test_write_reordering_random)
{
	/* seeded random: loss, swaps of neighbours, duplicates, jitter, varied packet sizes */
	uint32_t x = 777;
	for (int round = 0; round < 50; round++) {
		size_t k = 0;
		uint16_t seq0 = (uint16_t)(x >> 3);
		uint64_t t = (uint64_t)(x % 100000) * 1000;
		for (size_t i = 0; i < 500; i++) {
			x = x * 1664525u + 1013904223u;
			t += (x >> 10) % 4000;
			if ((x >> 20) % 8 == 0)
				continue;
			recs[k++] = (struct rec){ (uint16_t)(seq0 + i), t };
			if ((x >> 24) % 16 == 0)
				recs[k++] = (struct rec){ (uint16_t)(seq0 + i), t + 50 };   /* duplicate */
		}
		for (size_t i = 2; i + 1 < k; i++) {
			x = x * 1664525u + 1013904223u;
			if ((x >> 16) % 6 == 0) {
				struct rec tmp = recs[i];
				recs[i] = recs[i + 1];
				recs[i + 1] = tmp;
			}
		}
		size_t lens[] = { 0, 64, 200 };
		free(roundtrip(recs, k, lens[round % 3], 4096));
	}
}
END_TEST

START_TEST(test_recorder_late_and_forgotten)
{
	static struct twcc_recorder r;
	uint8_t buf[512];
	twcc_recorder_init(&r);
	ck_assert(!twcc_recorder_pending(&r));
	ck_assert_uint_eq(twcc_recorder_write(&r, buf, sizeof(buf), 1, 2), 0);
	twcc_recorder_add(&r, 10, 1000);
	twcc_recorder_add(&r, 12, 3000);
	ck_assert_uint_gt(twcc_recorder_write(&r, buf, sizeof(buf), 1, 2), 0);
	/* 11 was reported lost; arriving now it is late */
	twcc_recorder_add(&r, 11, 4000);
	ck_assert_uint_eq(r.late, 1);
	ck_assert(!twcc_recorder_pending(&r));
	/* a jump past the ring forgets the oldest unreported numbers */
	twcc_recorder_add(&r, 13, 5000);
	twcc_recorder_add(&r, 13 + TWCC_RING + 100, 6000);
	ck_assert_uint_eq(r.forgotten, 101);
	size_t len = twcc_recorder_write(&r, buf, sizeof(buf), 1, 2);
	ck_assert_uint_gt(len, 0);
	struct rtcp_iter it;
	struct rtcp_pkt p;
	rtcp_iter_init(&it, buf, len);
	ck_assert_int_eq(rtcp_iter_next(&it, &p), 1);
	struct twcc_fb fb;
	ck_assert_int_eq(twcc_parse(&p, &fb, NULL, NULL), 0);
	ck_assert_uint_eq(fb.base_seq, 13 + 101);
	ck_assert_uint_eq(fb.status_count, TWCC_RING);
	ck_assert_uint_eq(fb.fb_count, 1);
	/* a too small buffer writes nothing and keeps what is pending */
	twcc_recorder_add(&r, 13 + TWCC_RING + 101, 7000);
	ck_assert_uint_eq(twcc_recorder_write(&r, buf, 20, 1, 2), 0);
	ck_assert(twcc_recorder_pending(&r));
	ck_assert_uint_eq(twcc_recorder_write(&r, buf, 24, 1, 2), 24);
	ck_assert(!twcc_recorder_pending(&r));
}
END_TEST

static Suite *twcc_suite(void)
{
	Suite *s = suite_create("twcc");
	TCase *tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_parse_table, 0, sizeof(parse_cases) / sizeof(parse_cases[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("write");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_write_in_order_run);
	tcase_add_test(tc, test_write_wrap);
	tcase_add_test(tc, test_write_one_bit_vector);
	tcase_add_test(tc, test_write_two_bit_vector_large_negative);
	tcase_add_test(tc, test_write_long_gap_run);
	tcase_add_test(tc, test_write_time_gap_splits);
	tcase_add_test(tc, test_write_splits_by_size);
	tcase_add_test(tc, test_write_reference_wrap);
	tcase_add_test(tc, test_write_reordering_random);
	tcase_add_test(tc, test_recorder_late_and_forgotten);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(twcc_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
