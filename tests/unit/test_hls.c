/* test_hls: the pure parts of the HLS livestream — the names /hls/ serves, the encoder's arguments,
 * VP8 frames reassembled from RTP (rec/frame.c), and the feed: nothing before the programme's
 * keyframe, then Matroska into the pipe; a keyframe asked for; a stalled encoder drops (counted). */
#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "rec/frame.h"
#include "rec/hls.h"
#include "rec/hls_feed.h"
#include "signal/signal_int.h"

START_TEST(name_rule)
{
	const char *good[] = { "index.m3u8", "seg-0.ts", "seg-000123.ts", "seg-99999999999999999999999.ts" };
	const char *bad[] = { "", "index.m3u8.tmp", ".index.m3u8", "seg-.ts", "seg-1.mp4", "seg-1a.ts", "../index.m3u8",
	                      "seg-1.ts/x", "seg-1.ts.tmp", "SEG-1.ts", "seg--1.ts", "seg-1/../2.ts",
	                      "seg-999999999999999999999999999.ts" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		ck_assert_msg(signal_hls_name_ok(good[i]), "refused %s", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!signal_hls_name_ok(bad[i]), "accepted %s", bad[i]);
}
END_TEST

static ptrdiff_t find_arg(char **argv, const char *a)
{
	for (ptrdiff_t i = 0; argv[i]; i++)
		if (strcmp(argv[i], a) == 0)
			return i;
	return -1;
}

START_TEST(encoder_arguments)
{
	struct rec_render_config cfg = { .ffmpeg = "/usr/bin/ffmpeg", .nice = 12, .max_memory = 1u << 30 };
	char **argv;
	ck_assert_int_eq(hls_args(&cfg, "/run/live/default/rat", &argv), 0);
	ck_assert_str_eq(argv[0], "prlimit");
	ck_assert_str_eq(argv[1], "--as=1073741824");
	ck_assert_str_eq(argv[2], "nice");
	ck_assert_str_eq(argv[4], "12");
	ck_assert_str_eq(argv[5], "/usr/bin/ffmpeg");
	ptrdiff_t i = find_arg(argv, "-i");
	ck_assert(i > 0 && strcmp(argv[i - 1], "matroska") == 0 && strcmp(argv[i + 1], "pipe:0") == 0);
	ck_assert_str_eq(argv[find_arg(argv, "-c:v") + 1], "libx264");
	ck_assert_str_eq(argv[find_arg(argv, "-c:a") + 1], "aac");
	ck_assert_str_eq(argv[find_arg(argv, "-tune") + 1], "zerolatency");
	ck_assert_str_eq(argv[find_arg(argv, "-g") + 1], "50");
	ck_assert_str_eq(argv[find_arg(argv, "-hls_time") + 1], "2");
	ck_assert_str_eq(argv[find_arg(argv, "-hls_list_size") + 1], "6");
	const char *flags = argv[find_arg(argv, "-hls_flags") + 1];
	ck_assert(strstr(flags, "delete_segments") && strstr(flags, "independent_segments") && strstr(flags, "temp_file"));
	ck_assert_str_eq(argv[find_arg(argv, "-hls_segment_filename") + 1], "/run/live/default/rat/seg-%06d.ts");
	size_t n = 0;
	while (argv[n])
		n++;
	ck_assert_str_eq(argv[n - 1], "/run/live/default/rat/index.m3u8");
	const char *graph = argv[find_arg(argv, "-filter_complex") + 1];
	ck_assert(strstr(graph, "scale=1280:720") && strstr(graph, "overlay=") && strstr(graph, "[0:v:1]"));
	ck_assert(strstr(graph, "[0:a:2]") && strstr(graph, "amix=inputs=3") && strstr(graph, "normalize=0"));
	ck_assert_str_eq(argv[find_arg(argv, "-preset") + 1], "veryfast");
	rec_render_args_free(argv);
	struct rec_render_config dflt = { 0 };
	ck_assert_int_eq(hls_args(&dflt, "/x", &argv), 0);
	ck_assert_str_eq(argv[1], "--as=2147483648");
	ck_assert_str_eq(argv[4], "10");
	ck_assert_str_eq(argv[5], "ffmpeg");
	rec_render_args_free(argv);
}
END_TEST

/* A VP8 packet: payload descriptor (S bit when `start`, partition 0) and `len` bytes of `fill`. */
static struct track_pkt vp8(uint8_t *buf, bool start, bool marker, bool key, uint16_t seq, uint32_t ts, uint8_t fill,
                            size_t len, uint64_t at_ms)
{
	buf[0] = start ? 0x10 : 0x00;
	memset(buf + 1, fill, len);
	return (struct track_pkt){ .marker = marker, .keyframe = key && start, .seq = seq, .ts = ts, .width = 320,
	                           .height = 240, .payload = buf, .len = len + 1, .at_ms = at_ms };
}

START_TEST(vp8_frames)
{
	struct rec_frames a;
	ck_assert_int_eq(rec_frames_init(&a, true), 0);
	uint8_t b[64];
	struct rec_frame f;
	struct track_pkt p = vp8(b, true, false, false, 1, 1000, 7, 10, 50);
	ck_assert(!rec_frames_put(&a, &p, &f));       /* a delta frame first: waits for a keyframe */
	p = vp8(b, true, false, true, 2, 2000, 1, 10, 100);
	ck_assert(!rec_frames_put(&a, &p, &f));
	p = vp8(b, false, true, true, 3, 2000, 2, 5, 101);
	ck_assert(rec_frames_put(&a, &p, &f));
	ck_assert(f.key && f.len == 15 && f.data[0] == 1 && f.data[14] == 2 && f.ms == 101 && f.width == 320);
	p = vp8(b, true, true, false, 4, 2000 + 9000, 3, 8, 190);
	ck_assert(rec_frames_put(&a, &p, &f));
	ck_assert(!f.key && f.len == 8 && f.ms == 201);   /* RTP time, from the first frame's arrival */
	p = vp8(b, true, false, false, 5, 20000, 4, 8, 300);
	ck_assert(!rec_frames_put(&a, &p, &f));
	p = vp8(b, false, true, false, 7, 20000, 4, 8, 300);   /* seq 6 lost */
	ck_assert(!rec_frames_put(&a, &p, &f));
	ck_assert(a.need_key);
	p = vp8(b, true, true, false, 8, 29000, 5, 8, 400);
	ck_assert(!rec_frames_put(&a, &p, &f));       /* undecodable until the next keyframe */
	p = vp8(b, true, true, true, 9, 38000, 6, 8, 500);
	ck_assert(rec_frames_put(&a, &p, &f) && f.key && !a.need_key);
	p = vp8(b, true, true, false, 11, 47000, 7, 8, 600);   /* seq 10, a whole frame, lost */
	ck_assert(!rec_frames_put(&a, &p, &f) && a.need_key);
	p = vp8(b, true, false, true, 12, 56000, 8, 8, 700);   /* a keyframe that breaks off … */
	ck_assert(!rec_frames_put(&a, &p, &f));
	p = vp8(b, true, true, true, 20, 65000, 8, 8, 800);    /* … and the next one heals */
	ck_assert(rec_frames_put(&a, &p, &f) && f.key && !a.need_key);
	p = vp8(b, true, false, true, 21, 74000, 9, 8, 900);
	ck_assert(!rec_frames_put(&a, &p, &f));
	p = vp8(b, false, true, true, 23, 74000, 9, 8, 900);   /* a keyframe missing its middle */
	ck_assert(!rec_frames_put(&a, &p, &f) && a.need_key);
	rec_frames_free(&a);
	struct rec_frames o;
	ck_assert_int_eq(rec_frames_init(&o, false), 0);
	uint8_t opus[3] = { 0xfc, 0xff, 0xfe };
	struct track_pkt q = { .ts = 960, .payload = opus, .len = 3, .at_ms = 40 };
	ck_assert(rec_frames_put(&o, &q, &f) && f.len == 3 && f.ms == 40);
	q.ts = 960 * 2;
	ck_assert(rec_frames_put(&o, &q, &f) && f.ms == 60);
	rec_frames_free(&o);
}
END_TEST

static struct sfu_tap_media media(bool video, int slot, bool key, uint16_t seq, uint32_t ts, const uint8_t *pl,
                                  size_t len)
{
	return (struct sfu_tap_media){ .participant_id = 7, .track_no = video ? 1 : 0,
	                               .kind = video ? SFU_KIND_VIDEO : SFU_KIND_AUDIO,
	                               .source = video ? SFU_SOURCE_CAMERA : SFU_SOURCE_MICROPHONE, .marker = true,
	                               .keyframe = key, .slot = slot, .seq = seq, .ts = ts, .width = 320,
	                               .height = 240, .payload = pl, .payload_len = len, .now_us = clock_mono_us() };
}

static size_t drain(int fd, uint8_t *buf, size_t cap, int wait_ms)
{
	size_t got = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	while (got < cap && poll(&p, 1, wait_ms) == 1) {
		ssize_t n = read(fd, buf + got, cap - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		wait_ms = 100;
	}
	return got;
}

START_TEST(feed_starts_at_the_keyframe)
{
	int fds[2];
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	struct hls_feed *f;
	ck_assert_int_eq(hls_feed_new(&f, fds[1], 1 << 20, clock_mono_us()), 0);
	uint8_t pl[200];
	memset(pl, 0x55, sizeof pl);
	pl[0] = 0x10;   /* VP8 descriptor: start of partition 0 */
	uint8_t opus[3] = { 0xfc, 0xff, 0xfe };
	struct sfu_tap_media m = media(true, -1, false, 1, 0, pl, sizeof pl);
	ck_assert(!hls_feed_tap_media(f, &m));          /* not the programme: not taken, nothing asked */
	m = media(true, 0, false, 2, 3000, pl, sizeof pl);
	hls_feed_tap_media(f, &m);   /* the programme's delta frame: taken, but no stream starts with it */
	m = media(false, 0, false, 1, 960, opus, sizeof opus);
	hls_feed_tap_media(f, &m);
	uint8_t out[1 << 16];
	ck_assert_uint_eq(drain(fds[0], out, sizeof out, 300), 0);   /* no keyframe yet: no stream */
	m = media(true, 0, false, 3, 6000, pl, sizeof pl);
	ck_assert_msg(hls_feed_tap_media(f, &m), "a keyframe of the programme is asked for");
	/* the keyframe: VP8 frame tag with the key bit clear, start code, 320x240 */
	uint8_t key[20] = { 0x10, 0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00 };
	m = media(true, 0, true, 4, 9000, key, sizeof key);
	hls_feed_tap_media(f, &m);
	for (int i = 0; i < 30; i++) {
		m = media(false, 0, false, (uint16_t)(2 + i), 960u * (2 + i), opus, sizeof opus);
		hls_feed_tap_media(f, &m);
	}
	size_t n = drain(fds[0], out, sizeof out, 2000);
	ck_assert_uint_gt(n, 4);
	ck_assert(out[0] == 0x1a && out[1] == 0x45 && out[2] == 0xdf && out[3] == 0xa3);   /* EBML */
	/* the side track has no source: the black 16x16 keyframe keeps it going (VP8 start code, 16x16) */
	static const uint8_t black[] = { 0x9d, 0x01, 0x2a, 0x10, 0x00, 0x10, 0x00 };
	ck_assert_msg(memmem(out, n, black, sizeof black), "a black frame in the side track");
	m = media(true, 0, false, 40, 12000, pl, sizeof pl);
	ck_assert_msg(!hls_feed_tap_media(f, &m), "the shown programme asks for nothing");
	ck_assert_uint_eq(hls_feed_dropped(f), 0);
	hls_feed_free(f);
	close(fds[0]);
}
END_TEST

START_TEST(stalled_encoder_drops)
{
	int fds[2];
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	struct hls_feed *f;
	ck_assert_int_eq(hls_feed_new(&f, fds[1], 4096, clock_mono_us()), 0);
	uint8_t key[1000] = { 0x10, 0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00 };
	uint64_t t0 = clock_mono_us();
	for (unsigned i = 0; i < 2000; i++) {   /* nobody reads the pipe: the writer blocks, the ring fills */
		struct sfu_tap_media m = media(true, 0, true, (uint16_t)i, 3000u * i, key, sizeof key);
		hls_feed_tap_media(f, &m);
		if (i % 100 == 0) {
			struct timespec ts = { 0, 2 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	ck_assert_uint_lt(clock_mono_us() - t0, 2000000);   /* the media thread never waited */
	ck_assert_uint_gt(hls_feed_dropped(f), 1500);
	hls_feed_free(f);   /* returns although the pipe is full */
	close(fds[0]);
}
END_TEST

static Suite *hls_suite(void)
{
	Suite *s = suite_create("hls");
	TCase *tc = tcase_create("hls");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, name_rule);
	tcase_add_test(tc, encoder_arguments);
	tcase_add_test(tc, vp8_frames);
	tcase_add_test(tc, feed_starts_at_the_keyframe);
	tcase_add_test(tc, stalled_encoder_drops);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(hls_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
