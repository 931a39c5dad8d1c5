/* test_h264: RFC 6184 payloads (single NAL unit, STAP-A, FU-A), keyframe detection and the picture
 * size of real sequence parameter sets. The packets are libx264's as aiortc packetizes them
 * (STAP-A of SPS and PPS, FU-A fragments; Chromium's packetizer sends the same shapes), the SPS of
 * High and Main profile from ffmpeg's libx264, truncated where only the head matters. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/h264.h"
#include "test_util.h"

/* Constrained Baseline (42c01f) SPS and PPS of libx264 at three sizes; 320x180 and 1280x720 crop. */
#define SPS_640x480 "67 42 c0 1f d9 00 a0 3d a1 00 00 03 00 01 00 00 03 00 3c 8f 18 32 48"
#define SPS_320x180 "67 42 c0 1f d9 01 41 9f 9e 10 00 00 03 00 10 00 00 03 03 c8 f1 83 24 80"
#define SPS_1280x720 "67 42 c0 1f d9 00 50 05 ba 10 00 00 03 00 10 00 00 03 03 c8 f1 83 24 80"
#define SPS_HIGH_1920x1080 "67 64 00 28 ac d9 40 78 02 27 e5 c0 44 00 00 03 00 04 00 00 03 00 c8 3c 60 c6 58"
#define SPS_MAIN_854x480 "67 4d 40 1e ec a0 6c 1e f3 78 08 80 00 00 03 00 80 00 00 19 07 8b 16 cb"
#define PPS "68 cb 8c b2"

struct pkt_case {
	const char *name, *hex;
	int rc;
	uint8_t packet_type, nal_type, n_nals;
	bool frame_start, fu_end, sps, pps, idr, keyframe;
	uint16_t width, height;   /* 0: no size */
};

static const struct pkt_case pkt_cases[] = {
	{ "STAP-A of SPS and PPS (640x480)", "78 00 17 " SPS_640x480 " 00 04 " PPS, 0, 24, 7, 2, true, false, true, true, false,
	  true, 640, 480 },
	{ "STAP-A of SPS, PPS and an IDR (320x180)", "78 00 18 " SPS_320x180 " 00 04 " PPS " 00 05 65 88 84 00 33", 0, 24, 7, 3,
	  true, false, true, true, true, true, 320, 180 },
	{ "STAP-A of SPS and PPS (1280x720)", "78 00 18 " SPS_1280x720 " 00 04 " PPS, 0, 24, 7, 2, true, false, true, true, false,
	  true, 1280, 720 },
	{ "single NAL IDR slice (head)", "65 00 4b 22 21 01 3b c9 8a 00 03 41", 0, 5, 5, 1, true, false, false, false, true, false, 0, 0 },
	{ "single NAL SPS", SPS_640x480, 0, 7, 7, 1, true, false, true, false, false, true, 640, 480 },
	{ "single NAL PPS", PPS, 0, 8, 8, 1, true, false, false, true, false, false, 0, 0 },
	{ "FU-A start of an IDR (head)", "7c 85 88 84 0a bc 98 a0 00 26 bf 27", 0, 28, 5, 1, true, false, false, false, true, false, 0, 0 },
	{ "FU-A end of an IDR (head)", "7c 45 d7 5d 75 d7 5d 75 d7 5d", 0, 28, 5, 1, false, true, false, false, false, false, 0, 0 },
	{ "FU-A start of a P slice", "5c 81 88 88 2e f2 62 80 00 95", 0, 28, 1, 1, true, false, false, false, false, false, 0, 0 },
	{ "STAP-A of a P slice (head)", "58 00 05 41 88 88 16 bc", 0, 24, 1, 1, true, false, false, false, false, false, 0, 0 },
	{ "STAP-A with SEI only", "78 00 03 06 05 ff", 0, 24, 6, 1, true, false, false, false, false, false, 0, 0 },
	{ "empty", "", .rc = EBADMSG },
	{ "forbidden bit", "e5 00 4b", .rc = EBADMSG },
	{ "STAP-B", "79 00 00 00 03 67 42 c0", .rc = EBADMSG },
	{ "MTAP16", "7a 00 00", .rc = EBADMSG },
	{ "FU-B", "7d 85 00 00 88", .rc = EBADMSG },
	{ "reserved type 30", "7e 00", .rc = EBADMSG },
	{ "NAL type 0", "00 01 02", .rc = EBADMSG },
	{ "STAP-A header only", "78", .rc = EBADMSG },
	{ "STAP-A size past the end", "78 00 05 67 42", .rc = EBADMSG },
	{ "STAP-A one size byte", "78 00 02 68 cb 00", .rc = EBADMSG },
	{ "STAP-A zero size", "78 00 00", .rc = EBADMSG },
	{ "STAP-A NAL with forbidden bit", "78 00 02 e8 cb", .rc = EBADMSG },
	{ "FU-A without fragment", "7c 85", .rc = EBADMSG },
	{ "FU-A with S and E", "7c c5 88", .rc = EBADMSG },
};

START_TEST(test_packets)
{
	const struct pkt_case *c = &pkt_cases[_i];
	uint8_t buf[256];
	size_t n = hex(c->hex, buf);
	struct h264_info h;
	ck_assert_msg(h264_parse(&h, buf, n) == c->rc, "%s: rc", c->name);
	ck_assert(h264_is_keyframe(buf, n) == (c->rc == 0 && c->keyframe));
	if (c->rc)
		return;
	ck_assert_msg(h.packet_type == c->packet_type && h.nal_type == c->nal_type && h.n_nals == c->n_nals,
	              "%s: types %u %u %u", c->name, h.packet_type, h.nal_type, h.n_nals);
	ck_assert_msg(h.frame_start == c->frame_start && h.fu_end == c->fu_end, "%s: start/end", c->name);
	ck_assert_msg(h.has_sps == c->sps && h.has_pps == c->pps && h.has_idr == c->idr, "%s: nal units", c->name);
	ck_assert_msg(h264_info_is_keyframe(&h) == c->keyframe, "%s: keyframe", c->name);
	uint16_t w = 0, ht = 0;
	int rc = h264_info_keyframe_size(&h, &w, &ht);
	if (c->width) {
		ck_assert_msg(rc == 0 && w == c->width && ht == c->height, "%s: %d %ux%u", c->name, rc, w, ht);
		w = ht = 0;
		ck_assert_int_eq(h264_keyframe_size(buf, n, &w, &ht), 0);
		ck_assert(w == c->width && ht == c->height);
	} else {
		ck_assert_int_eq(rc, ENOENT);
	}
}
END_TEST

struct sps_case { const char *name, *hex; int rc; uint16_t w, h; };

static const struct sps_case sps_cases[] = {
	{ "baseline 640x480", SPS_640x480, 0, 640, 480 },
	{ "baseline 320x180 (cropped from 192 lines)", SPS_320x180, 0, 320, 180 },
	{ "baseline 1280x720", SPS_1280x720, 0, 1280, 720 },
	{ "high 1920x1080 (chroma format, cropped from 1088)", SPS_HIGH_1920x1080, 0, 1920, 1080 },
	{ "main 854x480 (cropped from 864)", SPS_MAIN_854x480, 0, 854, 480 },
	/* by hand: 42c01f, poc type 1 with offset_for_non_ref_pic 2^23 (an exp-Golomb code of 49 bits,
	 * two emulation prevention bytes 00 00 03 inside it), 1 ref, 4x3 macroblocks, no crop */
	{ "hand-made 64x48 across emulation prevention", "67 42 c0 1f d0 00 00 03 02 00 00 03 01 a1 1e 40", 0, 64, 48 },
	{ "truncated after the level", "67 42 c0 1f", .rc = EBADMSG },
	{ "truncated before the size", "67 42 c0 1f d9 00", .rc = EBADMSG },
	{ "not an SPS", PPS, .rc = EBADMSG },
	{ "header only", "67", .rc = EBADMSG },
	{ "exp-Golomb with 32 leading zeros", "67 42 c0 1f 00 00 00 00 80", .rc = EBADMSG },
	{ "poc type 3", "67 42 c0 1f 98", .rc = EBADMSG },
	{ "crop wider than the picture", "67 42 c0 1f f4 43 bc 00 08 10 00 00", .rc = EBADMSG },
};

START_TEST(test_sps)
{
	const struct sps_case *c = &sps_cases[_i];
	uint8_t buf[128];
	size_t n = hex(c->hex, buf);
	uint16_t w = 0, h = 0;
	int rc = h264_sps_size(buf, n, &w, &h);
	ck_assert_msg(rc == c->rc, "%s: rc %d", c->name, rc);
	if (!rc)
		ck_assert_msg(w == c->w && h == c->h, "%s: %ux%u", c->name, w, h);
}
END_TEST

/* Every prefix of a real keyframe STAP-A parses or fails cleanly, never reading past its end
 * (the ASan build checks the bound); only the whole packet gives a size. */
START_TEST(test_prefixes)
{
	uint8_t buf[128];
	size_t n = hex("78 00 18 " SPS_320x180 " 00 04 " PPS, buf);
	unsigned ok = 0;
	for (size_t len = 0; len <= n; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		memcpy(copy, buf, len);
		struct h264_info h;
		if (h264_parse(&h, copy, len) == 0) {
			ok++;
			uint16_t w, ht;
			(void)h264_info_keyframe_size(&h, &w, &ht);
		}
		free(copy);
	}
	ck_assert_uint_eq(ok, 2);   /* the SPS alone (a valid STAP-A of one unit) and the whole packet */
}
END_TEST

static Suite *h264_suite(void)
{
	Suite *s = suite_create("h264");
	TCase *tc = tcase_create("payload");
	tcase_add_loop_test(tc, test_packets, 0, sizeof pkt_cases / sizeof pkt_cases[0]);
	tcase_add_test(tc, test_prefixes);
	suite_add_tcase(s, tc);
	tc = tcase_create("sps");
	tcase_add_loop_test(tc, test_sps, 0, sizeof sps_cases / sizeof sps_cases[0]);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(h264_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
