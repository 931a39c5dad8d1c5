/* test_rec: the recorder's pure parts — the media thread's SPSC ring (order, wrap-around, a full
 * ring drops and counts, records larger than the reader's buffer skipped), the render plan (the
 * speaker large, the screen large with the speaker beside it, silence keeps the last speaker, a
 * speaker without a camera falls back to another camera, touching pieces joined), refusals of bad
 * timelines, the retention sweep (old recordings go, fresh ones and the tenants' folders stay), and
 * a recording's writer asking for keyframes while its video file waits for one (start, a lost frame). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "base/log.h"
#include "rec/rec.h"
#include "rec/render.h"
#include "rec/ring.h"
#include "rec/session.h"
#include "base/clock.h"

START_TEST(ring_order_wrap_and_drops)
{
	struct rec_ring r;
	ck_assert_int_eq(rec_ring_init(&r, 4096), 0);
	uint8_t out[256], payload[200];
	for (int round = 0; round < 100; round++) {   /* many times around the 4 kB ring */
		for (int k = 0; k < 10; k++) {
			uint32_t head = (uint32_t)(round * 10 + k);
			memset(payload, k, sizeof payload);
			ck_assert(rec_ring_put(&r, &head, sizeof head, payload, 100 + (size_t)k));
		}
		for (int k = 0; k < 10; k++) {
			size_t n = rec_ring_take(&r, out, sizeof out);
			ck_assert_uint_eq(n, 4 + 100 + (size_t)k);
			uint32_t head;
			memcpy(&head, out, 4);
			ck_assert_uint_eq(head, (uint32_t)(round * 10 + k));
			ck_assert_uint_eq(out[4 + 99], (uint8_t)k);
		}
		ck_assert_uint_eq(rec_ring_take(&r, out, sizeof out), 0);
	}
	/* full: the producer never waits, it drops and counts */
	uint32_t x = 7;
	size_t put = 0;
	while (rec_ring_put(&r, &x, sizeof x, payload, sizeof payload))
		put++;
	ck_assert_uint_eq(put, 4096 / (4 + 4 + sizeof payload));
	ck_assert_uint_eq(r.dropped, 1);
	/* a record too large for the reader's buffer is skipped (and counted), the next one read */
	while (rec_ring_take(&r, out, sizeof out))
		;
	uint8_t big[300] = { 0 };
	ck_assert(rec_ring_put(&r, big, sizeof big, NULL, 0));
	ck_assert(rec_ring_put(&r, &x, sizeof x, NULL, 0));
	ck_assert_uint_eq(rec_ring_take(&r, out, sizeof out), 4);
	ck_assert_uint_eq(r.dropped, 2);
	rec_ring_free(&r);
}
END_TEST

static char dir[64];

static void write_text(const char *name, const char *text)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static char *read_text(const char *name)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static void make_dir(void)
{
	snprintf(dir, sizeof dir, "/tmp/plenum-test-rec-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_tree(const char *path)
{
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
	ck_assert_int_eq(system(cmd), 0);
}

/* Anna (1) speaks 0–10 s, silence, Bernd (2) from 12 s; Clara (3) shares a screen 5–15 s; Dora (4)
 * speaks at 17 s but has no camera: Bernd stays. */
static const char *timeline =
	"{\"version\":1,\"duration_ms\":20000,\"tracks\":["
	"{\"file\":\"p1-t0-microphone.webm\",\"participant_id\":1,\"kind\":\"audio\",\"source\":\"microphone\",\"start_ms\":0,\"end_ms\":20000},"
	"{\"file\":\"p1-t1-camera.webm\",\"participant_id\":1,\"kind\":\"video\",\"source\":\"camera\",\"start_ms\":0,\"end_ms\":19900},"
	"{\"file\":\"p2-t1-camera.webm\",\"participant_id\":2,\"kind\":\"video\",\"source\":\"camera\",\"start_ms\":0,\"end_ms\":19900},"
	"{\"file\":\"p3-t1-screen.webm\",\"participant_id\":3,\"kind\":\"video\",\"source\":\"screen\",\"start_ms\":5000,\"end_ms\":14900},"
	"{\"file\":\"p4-t0-microphone.webm\",\"participant_id\":4,\"kind\":\"audio\",\"source\":\"microphone\",\"start_ms\":3000,\"end_ms\":20000},"
	"{\"file\":\"../escape.webm\",\"participant_id\":9,\"kind\":\"video\",\"source\":\"camera\",\"start_ms\":0,\"end_ms\":1}],"
	"\"speakers\":[{\"at_ms\":100,\"participant_id\":1},{\"at_ms\":10000,\"participant_id\":0},"
	"{\"at_ms\":12000,\"participant_id\":2},{\"at_ms\":17000,\"participant_id\":4}]}";

START_TEST(render_plan)
{
	make_dir();
	write_text("timeline.json", timeline);
	struct rec_render_config cfg = { .ffmpeg = "/usr/bin/ffmpeg", .nice = 12, .max_memory = 1u << 30 };
	char **argv;
	ck_assert_int_eq(rec_render_args(&cfg, dir, "/tmp/out.mp4", &argv), 0);
	/* prlimit --as=… nice -n 12 ffmpeg …, one -i per usable track (the ../ one is left out) */
	ck_assert_str_eq(argv[0], "prlimit");
	ck_assert_str_eq(argv[1], "--as=1073741824");
	ck_assert_str_eq(argv[4], "12");
	ck_assert_str_eq(argv[5], "/usr/bin/ffmpeg");
	size_t inputs = 0, i;
	for (i = 0; argv[i]; i++) {
		if (strcmp(argv[i], "-i") == 0)
			inputs++;
		ck_assert_ptr_null(strstr(argv[i], "escape"));
	}
	ck_assert_uint_eq(inputs, 5);
	ck_assert_str_eq(argv[i - 1], "/tmp/out.mp4");
	rec_render_args_free(argv);
	const char *g = read_text("compose.filter");
	/* Anna large until the screen comes, then small beside it; Bernd small from 12 s while the screen
	 * is up, large after it, and still at 17 s (Dora has no camera) */
	ck_assert_msg(strstr(g, "[p1b]overlay=0:0:eof_action=pass:enable='between(t,0.000,5.000)'"), "%s", g);
	ck_assert_msg(strstr(g, "[p1s]overlay=960:240:eof_action=pass:enable='between(t,5.000,12.000)'"), "%s", g);
	ck_assert_msg(strstr(g, "[p2s]overlay=960:240:eof_action=pass:enable='between(t,12.000,15.000)'"), "%s", g);
	ck_assert_msg(strstr(g, "[p2b]overlay=0:0:eof_action=pass:enable='between(t,15.000,20.000)'"), "%s", g);
	ck_assert_msg(strstr(g, "[p3b]overlay=0:0:eof_action=pass:enable='between(t,5.000,15.000)'"), "%s", g);
	ck_assert_msg(strstr(g, "scale=960:720"), "the screen's box: %s", g);
	ck_assert_msg(strstr(g, "amix=inputs=2"), "both voices mixed: %s", g);
	ck_assert_msg(strstr(g, "adelay") == NULL && strstr(g, "+3.000/TB"), "Dora's voice from 3 s: %s", g);
	remove_tree(dir);
}
END_TEST

START_TEST(render_refusals)
{
	make_dir();
	struct rec_render_config cfg = { 0 };
	char **argv = NULL;
	ck_assert_int_eq(rec_render_args(&cfg, dir, "/tmp/x.mp4", &argv), ENOENT);
	write_text("timeline.json", "{not json");
	ck_assert_int_eq(rec_render_args(&cfg, dir, "/tmp/x.mp4", &argv), EINVAL);
	write_text("timeline.json", "{\"version\":1,\"duration_ms\":1000,\"tracks\":[],\"speakers\":[]}");
	ck_assert_int_eq(rec_render_args(&cfg, dir, "/tmp/x.mp4", &argv), ENODATA);
	remove_tree(dir);
}
END_TEST

static void make_old(const char *path, int days)
{
	struct utimbuf t = { time(NULL) - days * 86400, time(NULL) - days * 86400 };
	ck_assert_int_eq(utime(path, &t), 0);
}

START_TEST(retention_sweep)
{
	make_dir();
	char p[200];
	snprintf(p, sizeof p, "%s/stadt", dir);
	ck_assert_int_eq(mkdir(p, 0750), 0);
	snprintf(p, sizeof p, "%s/stadt/rat-20260101-100000", dir);
	ck_assert_int_eq(mkdir(p, 0750), 0);
	snprintf(p, sizeof p, "%s/stadt/rat-20260101-100000/p1-t0-microphone.webm", dir);
	FILE *f = fopen(p, "w");
	fclose(f);
	make_old(p, 9);
	snprintf(p, sizeof p, "%s/stadt/rat-20260101-100000", dir);
	make_old(p, 9);
	snprintf(p, sizeof p, "%s/stadt/rat-20260101-100000.mp4", dir);
	f = fopen(p, "w");
	fclose(f);
	make_old(p, 9);
	snprintf(p, sizeof p, "%s/stadt/rat-20261201-100000.mp4", dir);
	f = fopen(p, "w");
	fclose(f);
	make_old(p, 2);
	snprintf(p, sizeof p, "%s/stadt", dir);
	make_old(p, 30);   /* the tenant's folder stays, however old */
	struct rec *r;
	uv_loop_t *loop = uv_default_loop();
	struct rec_config cfg = { .dir = dir, .keep_days = 7 };
	ck_assert_int_eq(rec_new(&r, loop, NULL, &cfg), 0);
	ck_assert_uint_eq(rec_sweep(r), 2);   /* the old folder (with its track) and the old MP4 */
	snprintf(p, sizeof p, "%s/stadt/rat-20261201-100000.mp4", dir);
	ck_assert_int_eq(access(p, F_OK), 0);
	snprintf(p, sizeof p, "%s/stadt/rat-20260101-100000.mp4", dir);
	ck_assert_int_ne(access(p, F_OK), 0);
	snprintf(p, sizeof p, "%s/stadt/rat-20260101-100000", dir);
	ck_assert_int_ne(access(p, F_OK), 0);
	snprintf(p, sizeof p, "%s/stadt", dir);
	ck_assert_int_eq(access(p, F_OK), 0);
	char metrics[4096];
	rec_metrics(r, metrics, sizeof metrics);
	ck_assert_ptr_nonnull(strstr(metrics, "plenum_recordings_deleted_total 2\n"));
	rec_free(r);
	uv_run(loop, UV_RUN_DEFAULT);
	remove_tree(dir);
}
END_TEST


static void session_done(void *arg, struct rec_session *s, int err, bool finished)
{
	if (finished)
		*(bool *)arg = true;
}

static struct sfu_tap_media vp8_media(bool start, bool key, uint16_t seq, uint32_t ts, uint8_t *buf)
{
	/* descriptor (S, partition 0), then a keyframe's tag and start code (9d 01 2a, 320x240) or a
	 * delta frame's tag */
	static const uint8_t kf[] = { 0x10, 0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00 };
	static const uint8_t df[] = { 0x10, 0x51, 0x02, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
	memcpy(buf, key ? kf : df, sizeof kf);
	if (!start)
		buf[0] = 0x00;
	return (struct sfu_tap_media){ .participant_id = 5, .track_no = 1, .kind = SFU_KIND_VIDEO,
	                               .source = SFU_SOURCE_CAMERA, .slot = -1, .marker = true, .keyframe = key && start,
	                               .seq = seq, .ts = ts, .width = 320, .height = 240, .payload = buf,
	                               .payload_len = sizeof kf, .now_us = clock_mono_us() };
}

/* Whether the session asks for a keyframe on a delta frame, within 2 s (its writer is a thread). */
static bool asks(struct rec_session *s, uint16_t *seq, uint32_t *ts)
{
	uint8_t buf[16];
	for (int i = 0; i < 200; i++) {
		struct sfu_tap_media m = vp8_media(true, false, (*seq)++, *ts += 3000, buf);
		if (rec_session_tap_media(s, &m))
			return true;
		usleep(10000);
	}
	return false;
}

START_TEST(session_asks_for_keyframes)
{
	make_dir();
	char sub[128];
	snprintf(sub, sizeof sub, "%s/rat-1", dir);
	bool finished = false;
	struct rec_session *s;
	uv_loop_t *loop = uv_default_loop();
	ck_assert_int_eq(rec_session_new(&s, loop, sub, 1 << 16, 0, clock_mono_us(), session_done, &finished), 0);
	uint16_t seq = 100;
	uint32_t ts = 0;
	uint8_t buf[16];
	/* the first packets: no keyframe yet, so the file asks for one */
	ck_assert(asks(s, &seq, &ts));
	struct sfu_tap_media m = vp8_media(true, true, seq++, ts += 3000, buf);
	ck_assert(!rec_session_tap_media(s, &m));     /* a keyframe is never answered with a request */
	/* after the keyframe: delta frames flow, nothing asked */
	usleep(100000);
	for (int i = 0; i < 5; i++) {
		m = vp8_media(true, false, seq++, ts += 3000, buf);
		ck_assert(!rec_session_tap_media(s, &m));
		usleep(20000);
	}
	/* a lost frame: asked again, until the next keyframe */
	seq += 2;
	ck_assert(asks(s, &seq, &ts));
	m = vp8_media(true, true, seq++, ts += 3000, buf);
	rec_session_tap_media(s, &m);
	usleep(100000);
	m = vp8_media(true, false, seq++, ts += 3000, buf);
	ck_assert(!rec_session_tap_media(s, &m));
	rec_session_stop(s);
	while (!finished)
		uv_run(loop, UV_RUN_ONCE);
	rec_session_free(s);
	uv_run(loop, UV_RUN_DEFAULT);
	remove_tree(dir);
}
END_TEST

int main(void)
{
	log_set_level(LOG_LEVEL_ERROR);
	Suite *s = suite_create("rec");
	TCase *tc = tcase_create("rec");
	tcase_add_test(tc, ring_order_wrap_and_drops);
	tcase_add_test(tc, render_plan);
	tcase_add_test(tc, render_refusals);
	tcase_add_test(tc, retention_sweep);
	tcase_add_test(tc, session_asks_for_keyframes);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
