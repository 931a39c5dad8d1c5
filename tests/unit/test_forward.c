/* test_forward: sequence number, timestamp and VP8 picture-id rewriting across source switches
 * (table-driven, with wraparound), NACK unmapping, and the active-speaker choice. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "codec/vp8.h"
#include "sfu/forward.h"
#include "sfu/speaker.h"

struct step {
	const char *what;
	bool rebase;          /* call sfu_fwd_rebase before this packet */
	uint16_t seq;
	uint32_t ts;
	bool key;
	uint64_t now_us;
	bool accepted;
	uint16_t seq_out;
	uint32_t ts_out;
};

struct fwd_case {
	const char *name;
	bool video;
	uint16_t first_seq;
	uint32_t first_ts;
	struct step steps[10];
};

static const struct fwd_case fwd_cases[] = {
	{ "audio starts at the random base; source wraps", false, 1000, 5000, {
		{ "first", false, 65534, 100, false, 0, true, 1000, 5000 },
		{ "next", false, 65535, 1060, false, 20000, true, 1001, 5960 },
		{ "source seq wraps", false, 0, 2020, false, 40000, true, 1002, 6920 },
		{ "reordered late packet still maps", false, 65535, 1060, false, 41000, true, 1001, 5960 },
		{ "new source continues after a 100 ms gap", true, 300, 9000000, false, 140000, true, 1003, 6920 + 4800 },
		{ "a packet from before the re-base is refused", false, 299, 8999040, false, 141000, false, 0, 0 },
		{ "and the new source goes on", false, 301, 9000960, false, 160000, true, 1004, 6920 + 4800 + 960 },
		{ .what = NULL } } },
	{ "video waits for a keyframe; output wraps", true, 65535, 0xfffffff0u, {
		{ "delta frame before any keyframe", false, 10, 3000, false, 0, false, 0, 0 },
		{ "keyframe starts it", false, 11, 3000, true, 1000, true, 65535, 0xfffffff0u },
		{ "output seq wraps", false, 12, 3000, false, 2000, true, 0, 0xfffffff0u },
		{ "output ts wraps", false, 13, 6000, false, 35000, true, 1, 0xfffffff0u + 3000 },
		{ "switch: delta frames of the new layer wait", true, 500, 777, false, 40000, false, 0, 0 },
		{ "switch: keyframe of the new layer continues seq, ts by wall clock", false, 501, 777, true, 68334, true, 2,
		  0xfffffff0u + 3000 + 3000 },
		{ "new layer continues", false, 502, 3777, false, 101666, true, 3, 0xfffffff0u + 6000 + 3000 },
		{ .what = NULL } } },
};

START_TEST(fwd_table)
{
	const struct fwd_case *c = &fwd_cases[_i];
	struct sfu_fwd f;
	sfu_fwd_init(&f, c->video, c->video ? 90000 : 48000, c->first_seq, c->first_ts);
	for (const struct step *s = c->steps; s->what; s++) {
		if (s->rebase)
			sfu_fwd_rebase(&f);
		uint16_t so = 0;
		uint32_t to = 0;
		bool rebased;
		bool ok = sfu_fwd_map(&f, s->seq, s->ts, s->key, s->now_us, &so, &to, &rebased);
		ck_assert_msg(ok == s->accepted, "%s / %s: accepted %d", c->name, s->what, ok);
		if (!ok)
			continue;
		ck_assert_msg(so == s->seq_out, "%s / %s: seq %u, want %u", c->name, s->what, so, s->seq_out);
		ck_assert_msg(to == s->ts_out, "%s / %s: ts %u, want %u", c->name, s->what, to, s->ts_out);
	}
}
END_TEST

START_TEST(nack_unmap)
{
	struct sfu_fwd f;
	uint16_t so, src;
	uint32_t to;
	bool rebased;
	sfu_fwd_init(&f, true, 90000, 65534, 0);
	ck_assert(!sfu_fwd_unmap_seq(&f, 65534, &src));   /* nothing sent yet */
	for (uint16_t s = 100; s < 105; s++)
		ck_assert(sfu_fwd_map(&f, s, 0, s == 100, 0, &so, &to, &rebased));
	ck_assert_uint_eq(so, 2);   /* 65534, 65535, 0, 1, 2 */
	ck_assert(sfu_fwd_unmap_seq(&f, 65535, &src));
	ck_assert_uint_eq(src, 101);
	ck_assert(sfu_fwd_unmap_seq(&f, 1, &src));
	ck_assert_uint_eq(src, 103);
	ck_assert(!sfu_fwd_unmap_seq(&f, 3, &src));       /* not sent yet */
	ck_assert(!sfu_fwd_unmap_seq(&f, 65533, &src));   /* before the first */
	sfu_fwd_rebase(&f);
	ck_assert(sfu_fwd_map(&f, 9000, 0, true, 1000, &so, &to, &rebased));
	ck_assert_uint_eq(so, 3);
	ck_assert(!sfu_fwd_unmap_seq(&f, 1, &src));       /* from the old source: gone */
	ck_assert(sfu_fwd_unmap_seq(&f, 3, &src));
	ck_assert_uint_eq(src, 9000);
}
END_TEST

/* A VP8 packet: descriptor with 15-bit picture id and TL0PICIDX, then a frame tag. */
static size_t vp8_pkt(uint8_t *b, uint16_t pid, uint8_t tl0, bool key)
{
	static const uint8_t keyframe[] = { 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01 };
	static const uint8_t delta[] = { 0x11, 0x02, 0x00, 0x00, 0x00, 0x00 };
	b[0] = 0x90;
	b[1] = 0xc0;
	b[2] = (uint8_t)(0x80 | (pid >> 8));
	b[3] = (uint8_t)pid;
	b[4] = tl0;
	memcpy(b + 5, key ? keyframe : delta, key ? sizeof keyframe : sizeof delta);
	return 5 + (key ? sizeof keyframe : sizeof delta);
}

START_TEST(vp8_picture_id_continues_across_switch)
{
	struct sfu_fwd f;
	uint8_t b[32];
	struct vp8_desc d;
	uint16_t so;
	uint32_t to;
	bool rebased;
	sfu_fwd_init(&f, true, 90000, 1, 1);
	/* layer A: picture ids 0x7ffe, 0x7fff (wrap next), tl0 250, 251 */
	const struct { uint16_t pid; uint8_t tl0; bool key; bool rebase; uint16_t want_pid; uint8_t want_tl0; } steps[] = {
		{ 0x7ffe, 250, true, false, 0x7ffe, 250 },
		{ 0x7fff, 251, false, false, 0x7fff, 251 },
		{ 0x0000, 252, false, false, 0x0000, 252 },
		/* switch to layer B with unrelated numbering: continues at 1 / 253 */
		{ 1234, 17, true, true, 0x0001, 253 },
		{ 1235, 18, false, false, 0x0002, 254 },
		{ 1236, 19, false, false, 0x0003, 255 },
		{ 1237, 20, false, false, 0x0004, 0 },
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		if (steps[i].rebase)
			sfu_fwd_rebase(&f);
		size_t n = vp8_pkt(b, steps[i].pid, steps[i].tl0, steps[i].key);
		ck_assert(vp8_is_keyframe(b, n) == steps[i].key);
		ck_assert(sfu_fwd_map(&f, (uint16_t)(10 * i), (uint32_t)(3000 * i), steps[i].key, 33000 * i, &so, &to, &rebased));
		ck_assert_int_eq(vp8_parse_descriptor(&d, b, n), 0);
		sfu_fwd_vp8(&f, b, n, &d, rebased);
		ck_assert_int_eq(vp8_parse_descriptor(&d, b, n), 0);
		ck_assert_msg(d.picture_id == steps[i].want_pid, "step %zu: pid %u want %u", i, d.picture_id, steps[i].want_pid);
		ck_assert_msg(d.tl0picidx == steps[i].want_tl0, "step %zu: tl0 %u want %u", i, d.tl0picidx, steps[i].want_tl0);
	}
}
END_TEST

START_TEST(speaker_scores)
{
	struct sfu_speaker_state loud = { 0 }, quiet = { 0 }, silent = { 0 };
	uint64_t t = 1000000;
	for (int i = 0; i < 50; i++, t += 20000) {
		sfu_speaker_observe(&loud, 20, t);     /* -20 dBov: speech */
		sfu_speaker_observe(&quiet, 55, t);    /* -55 dBov: barely */
		sfu_speaker_observe(&silent, 127, t);  /* silence */
	}
	ck_assert(sfu_speaker_active(&loud, t));
	ck_assert(!sfu_speaker_active(&quiet, t));
	ck_assert_uint_eq(sfu_speaker_score(&silent, t), 0);
	ck_assert_uint_gt(sfu_speaker_score(&loud, t), sfu_speaker_score(&quiet, t));
	/* nothing arrives for 600 ms (muted, left, DTX): the score is gone */
	ck_assert_uint_eq(sfu_speaker_score(&loud, t + 600000), 0);
}
END_TEST

START_TEST(speaker_dominant_hysteresis)
{
	uint32_t ids[] = { 1, 2, 3 };
	uint32_t s1[] = { 30, 0, 0 };
	ck_assert_uint_eq(sfu_speaker_dominant(0, ids, s1, 3), 1);
	uint32_t s2[] = { 30, 33, 0 };   /* only a little louder: 1 keeps the floor */
	ck_assert_uint_eq(sfu_speaker_dominant(1, ids, s2, 3), 1);
	uint32_t s3[] = { 30, 45, 0 };   /* clearly louder */
	ck_assert_uint_eq(sfu_speaker_dominant(1, ids, s3, 3), 2);
	uint32_t s4[] = { 0, 0, 20 };    /* the dominant fell silent */
	ck_assert_uint_eq(sfu_speaker_dominant(2, ids, s4, 3), 3);
	uint32_t s5[] = { 0, 0, 0 };     /* nobody speaks: the last speaker stays */
	ck_assert_uint_eq(sfu_speaker_dominant(3, ids, s5, 3), 3);
}
END_TEST

START_TEST(speaker_loudest)
{
	uint32_t ids[] = { 1, 2, 3, 4, 5, 6 };
	uint32_t sc[] = { 15, 40, 5, 30, 50, 20 };
	uint32_t out[3];
	size_t n = sfu_speaker_loudest(ids, sc, 6, out, 3);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(out[0], 5);
	ck_assert_uint_eq(out[1], 2);
	ck_assert_uint_eq(out[2], 4);
	uint32_t quiet[] = { 0, 13, 0, 0, 0, 0 };
	n = sfu_speaker_loudest(ids, quiet, 6, out, 3);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(out[0], 2);
}
END_TEST

static Suite *forward_suite(void)
{
	Suite *s = suite_create("forward");
	TCase *tc = tcase_create("rewrite");
	tcase_add_loop_test(tc, fwd_table, 0, sizeof fwd_cases / sizeof fwd_cases[0]);
	tcase_add_test(tc, nack_unmap);
	tcase_add_test(tc, vp8_picture_id_continues_across_switch);
	suite_add_tcase(s, tc);
	TCase *sp = tcase_create("speaker");
	tcase_add_test(sp, speaker_scores);
	tcase_add_test(sp, speaker_dominant_hysteresis);
	tcase_add_test(sp, speaker_loudest);
	suite_add_tcase(s, sp);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(forward_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
