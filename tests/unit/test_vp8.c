/* test_vp8: RFC 7741 payload descriptors, keyframe detection and size, in-place rewrites. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/vp8.h"
#include "test_util.h"


struct desc_case {
	const char *name, *hex;
	int rc;
	struct vp8_desc want;
};

static const struct desc_case desc_cases[] = {
	{ "minimal, start of partition 0", "10 ff", 0, { .start_of_partition = true, .desc_len = 1 } },
	{ "non-reference, partition 3", "23 ff", 0, { .non_reference = true, .partition_id = 3, .desc_len = 1 } },
	{ "X with nothing set", "80 00 ff", 0, { .desc_len = 2 } },
	{ "7-bit picture id", "90 80 7f ff", 0, { .start_of_partition = true, .has_picture_id = true, .picture_id = 127, .desc_len = 3 } },
	{ "15-bit picture id", "90 80 ff ff 00", 0,
	  { .start_of_partition = true, .has_picture_id = true, .picture_id_15bit = true, .picture_id = 0x7fff, .desc_len = 4 } },
	{ "15-bit picture id + TL0PICIDX", "90 c0 81 23 05 00", 0,
	  { .start_of_partition = true, .has_picture_id = true, .picture_id_15bit = true, .picture_id = 0x0123,
	    .has_tl0picidx = true, .tl0picidx = 5, .desc_len = 5 } },
	{ "7-bit id, TL0PICIDX, TID 2 sync", "90 e0 12 34 a0 00", 0,
	  { .start_of_partition = true, .has_picture_id = true, .picture_id = 0x12, .has_tl0picidx = true, .tl0picidx = 0x34,
	    .has_tid = true, .tid = 2, .layer_sync = true, .desc_len = 5 } },
	{ "KEYIDX only", "80 10 1f 00", 0, { .has_keyidx = true, .keyidx = 31, .desc_len = 3 } },
	{ "TID and KEYIDX share a byte", "80 30 45 00", 0, { .has_tid = true, .tid = 1, .has_keyidx = true, .keyidx = 5, .desc_len = 3 } },
	{ "all fields", "b1 f0 80 00 ff ff 00", 0,
	  { .non_reference = true, .start_of_partition = true, .partition_id = 1, .has_picture_id = true, .picture_id_15bit = true,
	    .picture_id = 0, .has_tl0picidx = true, .tl0picidx = 255, .has_tid = true, .tid = 3, .layer_sync = true,
	    .has_keyidx = true, .keyidx = 31, .desc_len = 6 } },
	{ "empty", "", .rc = EBADMSG },
	{ "descriptor only", "10", .rc = EBADMSG },
	{ "X byte missing", "80", .rc = EBADMSG },
	{ "picture id missing", "90 80", .rc = EBADMSG },
	{ "15-bit picture id truncated", "90 80 80", .rc = EBADMSG },
	{ "15-bit picture id without payload", "90 80 80 01", .rc = EBADMSG },
	{ "TL0PICIDX missing", "90 40", .rc = EBADMSG },
	{ "TID byte missing", "90 20", .rc = EBADMSG },
	{ "KEYIDX byte missing", "90 c0 01 02", .rc = EBADMSG },
};

START_TEST(test_descriptor_table)
{
	const struct desc_case *c = &desc_cases[_i];
	uint8_t buf[64];
	size_t len = hex(c->hex, buf);
	struct vp8_desc d;
	int rc = vp8_parse_descriptor(&d, buf, len);
	ck_assert_msg(rc == c->rc, "%s: rc %d want %d", c->name, rc, c->rc);
	if (rc)
		return;
	const struct vp8_desc *w = &c->want;
	ck_assert_msg(d.start_of_partition == w->start_of_partition && d.non_reference == w->non_reference &&
	              d.partition_id == w->partition_id, "%s: first byte", c->name);
	ck_assert_msg(d.has_picture_id == w->has_picture_id && d.picture_id_15bit == w->picture_id_15bit &&
	              d.picture_id == w->picture_id, "%s: picture id %u", c->name, d.picture_id);
	ck_assert_msg(d.has_tl0picidx == w->has_tl0picidx && d.tl0picidx == w->tl0picidx, "%s: tl0picidx", c->name);
	ck_assert_msg(d.has_tid == w->has_tid && d.tid == w->tid && d.layer_sync == w->layer_sync, "%s: tid", c->name);
	ck_assert_msg(d.has_keyidx == w->has_keyidx && d.keyidx == w->keyidx, "%s: keyidx", c->name);
	ck_assert_msg(d.desc_len == w->desc_len, "%s: desc_len %zu", c->name, d.desc_len);
}
END_TEST

/* The start of a real 640x480 keyframe from libvpx (horizontal scale bits set to 1 here to check they are dropped):
 * frame tag 50 42 00 (key frame, version 0, shown, first partition 0x212 bytes), start code, 16-bit LE sizes. */
#define KEY_HDR "50 42 00 9d 01 2a 80 42 e0 01 00 47 08 85 85 88 99 84 88 0f 02"

struct key_case { const char *name, *hex; bool key; int size_rc; uint16_t w, h; };

static const struct key_case key_cases[] = {
	{ "keyframe, 15-bit picture id", "90 80 80 01 " KEY_HDR, true, 0, 640, 480 },
	{ "keyframe, minimal descriptor", "10 " KEY_HDR, true, 0, 640, 480 },
	{ "keyframe 1280x720 with TL0/TID", "90 e0 05 00 20 10 02 00 9d 01 2a 00 05 d0 02", true, 0, 1280, 720 },
	{ "delta frame", "90 80 80 02 51 42 00 00 00 00 00 00 00 00", false, ENOENT, 0, 0 },
	{ "keyframe continuation (S=0)", "80 80 80 01 50 42 00 9d 01 2a 80 02 e0 01", false, ENOENT, 0, 0 },
	{ "keyframe other partition", "11 50 42 00 9d 01 2a 80 02 e0 01", false, ENOENT, 0, 0 },
	{ "keyframe, bad start code", "10 50 42 00 9d 01 2b 80 02 e0 01", true, EBADMSG, 0, 0 },
	{ "keyframe, header truncated", "10 50 42 00 9d 01 2a 80 02 e0", true, EBADMSG, 0, 0 },
	{ "keyframe tag only", "10 50", true, EBADMSG, 0, 0 },
	{ "no payload", "90 80 80", false, EBADMSG, 0, 0 },
};

START_TEST(test_keyframe_table)
{
	const struct key_case *c = &key_cases[_i];
	uint8_t buf[64];
	size_t len = hex(c->hex, buf);
	ck_assert_msg(vp8_is_keyframe(buf, len) == c->key, "%s: keyframe", c->name);
	uint16_t w = 0, h = 0;
	int rc = vp8_keyframe_size(buf, len, &w, &h);
	ck_assert_msg(rc == c->size_rc, "%s: size rc %d", c->name, rc);
	if (rc == 0)
		ck_assert_msg(w == c->w && h == c->h, "%s: %ux%u", c->name, w, h);
}
END_TEST

START_TEST(test_rewrite_picture_id)
{
	uint8_t buf[64], orig[64];
	struct vp8_desc d;
	/* 15-bit: full width kept, top bit of the value dropped */
	size_t len = hex("90 e0 81 23 05 40 " KEY_HDR, buf);
	memcpy(orig, buf, len);
	ck_assert_int_eq(vp8_rewrite_picture_id(buf, len, 0x7ffe), 0);
	ck_assert_int_eq(vp8_parse_descriptor(&d, buf, len), 0);
	ck_assert(d.picture_id_15bit);
	ck_assert_uint_eq(d.picture_id, 0x7ffe);
	ck_assert_uint_eq(d.tl0picidx, 5);
	ck_assert_uint_eq(d.tid, 1);
	ck_assert_int_eq(vp8_rewrite_picture_id(buf, len, 0x8001), 0);
	ck_assert_int_eq(vp8_parse_descriptor(&d, buf, len), 0);
	ck_assert_uint_eq(d.picture_id, 1);
	ck_assert_mem_eq(buf + 4, orig + 4, len - 4);
	ck_assert_uint_eq(buf[0], orig[0]);
	ck_assert_uint_eq(buf[1], orig[1]);

	/* 7-bit stays 7-bit */
	len = hex("90 80 05 aa bb", buf);
	ck_assert_int_eq(vp8_rewrite_picture_id(buf, len, 200), 0);
	ck_assert_int_eq(vp8_parse_descriptor(&d, buf, len), 0);
	ck_assert(!d.picture_id_15bit);
	ck_assert_uint_eq(d.picture_id, 200 & 0x7f);
	ck_assert_uint_eq(d.desc_len, 3);
	ck_assert_uint_eq(buf[3], 0xaa);

	len = hex("10 aa", buf);
	ck_assert_int_eq(vp8_rewrite_picture_id(buf, len, 1), ENOENT);
	len = hex("90 80 80", buf);
	ck_assert_int_eq(vp8_rewrite_picture_id(buf, len, 1), EBADMSG);
}
END_TEST

START_TEST(test_rewrite_tl0picidx)
{
	static const struct { const char *hex; size_t off; } t[] = {
		{ "90 40 07 aa", 2 },          /* no picture id */
		{ "90 c0 07 07 aa", 3 },       /* 7-bit picture id */
		{ "90 e0 87 07 07 20 aa", 4 }, /* 15-bit picture id, then TID */
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t buf[16], orig[16];
		size_t len = hex(t[i].hex, buf);
		memcpy(orig, buf, len);
		ck_assert_int_eq(vp8_rewrite_tl0picidx(buf, len, 0xc3), 0);
		struct vp8_desc d;
		ck_assert_int_eq(vp8_parse_descriptor(&d, buf, len), 0);
		ck_assert_uint_eq(d.tl0picidx, 0xc3);
		for (size_t k = 0; k < len; k++)
			if (k != t[i].off)
				ck_assert_uint_eq(buf[k], orig[k]);
	}
	uint8_t buf[8];
	size_t len = hex("90 80 07 aa", buf);
	ck_assert_int_eq(vp8_rewrite_tl0picidx(buf, len, 1), ENOENT);
	len = hex("90 40", buf);
	ck_assert_int_eq(vp8_rewrite_tl0picidx(buf, len, 1), EBADMSG);
}
END_TEST

/* The rewrites as plenum did them before the parsed descriptor was passed in: parse again, then
 * write at the offsets that parse gives. The reference for the test below. */
static int ref_rewrite_picture_id(uint8_t *payload, size_t len, uint16_t picture_id)
{
	struct vp8_desc d;
	if (vp8_parse_descriptor(&d, payload, len))
		return EBADMSG;
	if (!d.has_picture_id)
		return ENOENT;
	if (d.picture_id_15bit) {
		payload[2] = (uint8_t)(0x80 | ((picture_id >> 8) & 0x7f));
		payload[3] = (uint8_t)picture_id;
	} else {
		payload[2] = (uint8_t)(picture_id & 0x7f);
	}
	return 0;
}

static int ref_rewrite_tl0picidx(uint8_t *payload, size_t len, uint8_t tl0picidx)
{
	struct vp8_desc d;
	if (vp8_parse_descriptor(&d, payload, len))
		return EBADMSG;
	if (!d.has_tl0picidx)
		return ENOENT;
	payload[2 + (d.has_picture_id ? (d.picture_id_15bit ? 2 : 1) : 0)] = tl0picidx;
	return 0;
}

/* Every descriptor shape (each X-byte flag combination, 7- and 15-bit ids, each length up to
 * eight bytes, keyframe or not): parsing once and rewriting from the descriptor gives the same
 * bytes, return codes and keyframe answers as parsing inside each call. */
START_TEST(test_rewrite_from_descriptor_equals_reparse)
{
	unsigned compared = 0, rewritten = 0;
	for (unsigned b0 = 0; b0 < 4; b0++)
		for (unsigned x = 0; x < 16; x++)
			for (unsigned m = 0; m < 2; m++)
				for (size_t len = 1; len <= 14; len++)
					for (unsigned key = 0; key < 2; key++) {
						static const uint8_t first[4] = { 0x90, 0x80, 0xb0, 0x10 };
						uint8_t src[16], a[16], b[16];
						for (size_t k = 0; k < sizeof src; k++)
							src[k] = (uint8_t)(0x11 * k + 3);
						src[0] = first[b0];
						src[1] = (uint8_t)(x << 4);
						src[2] = (uint8_t)(m ? 0x81 : 0x05);
						if (len > 6) {   /* a keyframe header after the longest descriptor */
							src[6] = key ? 0x10 : 0x11;
							src[9] = 0x9d, src[10] = 0x01, src[11] = 0x2a;
						}
						struct vp8_desc d;
						int prc = vp8_parse_descriptor(&d, src, len);
						if (prc)
							continue;
						memcpy(a, src, len);
						memcpy(b, src, len);
						int r1 = ref_rewrite_picture_id(a, len, 0x1234);
						int r2 = vp8_desc_rewrite_picture_id(b, len, &d, 0x1234);
						ck_assert_int_eq(r1, r2);
						r1 = ref_rewrite_tl0picidx(a, len, 0x5a);
						r2 = vp8_desc_rewrite_tl0picidx(b, len, &d, 0x5a);
						ck_assert_int_eq(r1, r2);
						ck_assert_mem_eq(a, b, len);
						rewritten += memcmp(a, src, len) != 0;
						ck_assert(vp8_is_keyframe(src, len) == vp8_desc_is_keyframe(&d, src, len));
						uint16_t w1 = 0, h1 = 0, w2 = 0, h2 = 0;
						ck_assert_int_eq(vp8_keyframe_size(src, len, &w1, &h1),
								 vp8_desc_keyframe_size(&d, src, len, &w2, &h2));
						ck_assert(w1 == w2 && h1 == h2);
						compared++;
					}
	printf("vp8: %u descriptors compared, %u rewritten\n", compared, rewritten);
	ck_assert_uint_gt(compared, 500);
	ck_assert_uint_gt(rewritten, 200);
}
END_TEST

static Suite *vp8_suite(void)
{
	Suite *s = suite_create("vp8");
	TCase *tc = tcase_create("descriptor");
	tcase_add_loop_test(tc, test_descriptor_table, 0, sizeof(desc_cases) / sizeof(desc_cases[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("keyframe");
	tcase_add_loop_test(tc, test_keyframe_table, 0, sizeof(key_cases) / sizeof(key_cases[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("rewrite");
	tcase_add_test(tc, test_rewrite_picture_id);
	tcase_add_test(tc, test_rewrite_tl0picidx);
	tcase_add_test(tc, test_rewrite_from_descriptor_equals_reparse);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(vp8_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
