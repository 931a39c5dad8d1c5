/* test_sdp_capture: the SDP that Chromium and Firefox ESR were shown in tests/vectors/sdp/ (captured
 * from the running server by capture/capture.mjs) is what the production path writes today.
 * Each committed browser offer goes through sfu_publish, and a second participant's subscribe offer
 * through the sfu, exactly as the server runs them; the texts must equal the captured ones byte for
 * byte once the per-session values are set aside: ICE ufrag and password, certificate fingerprint,
 * session id, media port, SSRCs and participant ids. A change in what plenum writes fails here until
 * the vectors are captured again (so the browsers have taken the new text). RFC 8829, RFC 8853. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "base/log.h"
#include "sfu/sfu.h"

#define VEC "tests/vectors/sdp/"

static const char *const browsers[] = { "chromium", "firefox" };
static const char *const cases[] = { "transceivers", "gum", "datachannel", "datachannel-first", "maxbundle", "simulcast" };
#define N_CASES 6

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s (run from the repository root)", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Numbers that differ per session, renamed by order of first appearance ("#1", "#2", …). */
struct names { unsigned long long v[64]; size_t n; };

static size_t name_of(struct names *t, unsigned long long v)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i] == v)
			return i + 1;
	ck_assert_uint_lt(t->n, 64);
	t->v[t->n++] = v;
	return t->n;
}

/* Appends `line` (without its end) to out with the per-session values replaced. */
static void norm_line(char *out, size_t cap, const char *line, struct names *ssrcs, struct names *pids)
{
	size_t o = strlen(out);
	char *w = out + o;
	size_t room = cap - o;
	unsigned long long a, b, c;
	char rest[512], kind[64];
	int n;
	if (sscanf(line, "o=- %llu %llu %511[^\n]", &a, &b, rest) == 3)
		snprintf(w, room, "o=- <session> %llu %s", b, rest);
	else if (strncmp(line, "a=ice-ufrag:", 12) == 0)
		snprintf(w, room, "a=ice-ufrag:<ufrag>");
	else if (strncmp(line, "a=ice-pwd:", 10) == 0)
		snprintf(w, room, "a=ice-pwd:<pwd>");
	else if (strncmp(line, "a=fingerprint:sha-256 ", 22) == 0)
		snprintf(w, room, "a=fingerprint:sha-256 <fingerprint>");
	else if (sscanf(line, "m=%63s %llu %511[^\n]", kind, &a, rest) == 3 && a != 0)
		snprintf(w, room, "m=%s <port> %s", kind, rest);
	else if (sscanf(line, "a=candidate:1 1 udp %llu %63[^ ] %llu %511[^\n]", &a, kind, &b, rest) == 4)
		snprintf(w, room, "a=candidate:1 1 udp %llu %s <port> %s", a, kind, rest);
	else if (sscanf(line, "a=ssrc-group:FID %llu %llu", &a, &b) == 2)
		snprintf(w, room, "a=ssrc-group:FID #%zu #%zu", name_of(ssrcs, a), name_of(ssrcs, b));
	else if (sscanf(line, "a=ssrc:%llu cname:plenum-%llu%n", &a, &b, &n) == 2 && line[n] == '\0')
		snprintf(w, room, "a=ssrc:#%zu cname:plenum-P%zu", name_of(ssrcs, a), name_of(pids, b));
	else if (sscanf(line, "a=ssrc:%llu msid:p%llu p%*u-t%llu%n", &a, &b, &c, &n) == 3 && line[n] == '\0')
		snprintf(w, room, "a=ssrc:#%zu msid:pP%zu pP%zu-t%llu", name_of(ssrcs, a), name_of(pids, b), name_of(pids, b), c);
	else if (sscanf(line, "a=msid:p%llu p%*u-t%llu%n", &b, &c, &n) == 2 && line[n] == '\0')
		snprintf(w, room, "a=msid:pP%zu pP%zu-t%llu", name_of(pids, b), name_of(pids, b), c);
	else
		snprintf(w, room, "%s", line);
}

/* The text with its per-session values replaced; line ends kept. */
static char *norm(const char *text)
{
	size_t cap = strlen(text) * 2 + 64;
	char *out = calloc(1, cap);
	struct names ssrcs = { .n = 0 }, pids = { .n = 0 };
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\r\n");
		char line[1024];
		snprintf(line, sizeof line, "%.*s", (int)len, p);
		norm_line(out, cap, line, &ssrcs, &pids);
		p += len;
		size_t end = strspn(p, "\r\n") > 2 ? 2 : strspn(p, "\r\n");
		strncat(out, p, end);
		p += end;
	}
	return out;
}

/* Equal texts, or a failure naming the first differing line. */
static void same_text(const char *got, const char *want, const char *what)
{
	size_t i = 0, line = 1;
	while (got[i] && got[i] == want[i])
		line += got[i++] == '\n';
	if (got[i] == want[i])
		return;
	size_t s = i;
	while (s > 0 && got[s - 1] != '\n')
		s--;
	ck_abort_msg("%s: line %zu differs from what the browser was shown (capture again with "
	             "tests/vectors/sdp/capture/capture.sh):\n  now: %.*s\n  was: %.*s", what, line,
	             (int)strcspn(got + s, "\r\n"), got + s, (int)strcspn(want + s, "\r\n"), want + s);
}

/* ---- an sfu as the server runs it, on a loop of its own ---- */

struct rec {
	unsigned offers;
	uint32_t version;
	char *sdp;
	char *last;   /* the latest offer */
};

static void ev_joined(void *arg, const struct sfu_participant_info *p) {}
static void ev_left(void *arg, uint32_t id, enum sfu_leave_reason why) {}
static void ev_updated(void *arg, const struct sfu_participant_info *p) {}
static void ev_offer(void *arg, uint32_t version, const char *sdp, const struct sfu_track_info *t, size_t n)
{
	struct rec *r = arg;
	if (r->offers++ == 0) {   /* the page answers the first offer */
		r->version = version;
		r->sdp = strdup(sdp);
	}
	free(r->last);
	r->last = strdup(sdp);
}
static void ev_dropped(void *arg, enum sfu_leave_reason why) {}
static void ev_speaker(void *arg, uint32_t id) {}
static const struct sfu_events events = { ev_joined, ev_left, ev_updated, ev_offer, ev_dropped, ev_speaker };

static uv_loop_t loop;
static struct sfu *sfu;

static void setup(void)
{
	log_set_level(LOG_LEVEL_WARN);
	ck_assert_int_eq(uv_loop_init(&loop), 0);
	/* what main.c gives the sfu, bar the ports: see src/app/main.c */
	struct sfu_config cfg = { .public_ip = "127.0.0.1", .media_port = 0, .max_room_participants = 200,
	                          .max_videos = 25, .workers = 0 };
	ck_assert_int_eq(sfu_new(&sfu, &loop, &cfg), 0);
}

static void teardown(void)
{
	sfu_free(sfu);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(uv_loop_close(&loop), 0);
}

/* A committed publish offer, answered by sfu_publish now, gives the answer the browser took. */
static void publish_as_captured(const char *b, const char *c)
{
	char path[256], what[300];
	snprintf(path, sizeof path, VEC "%s-offer-%s.sdp", b, c);
	char *offer = slurp(path);
	snprintf(path, sizeof path, VEC "%s-publish-answer-%s.sdp", b, c);
	char *shown = slurp(path);
	struct rec r = { 0 };
	struct sfu_participant *p;
	ck_assert_int_eq(sfu_join(sfu, "capture", "Capture", &events, &r, &p), 0);
	char *answer = NULL;
	ck_assert_int_eq(sfu_publish(p, offer, NULL, &answer), 0);
	char *now = norm(answer), *was = norm(shown);
	snprintf(what, sizeof what, "%s's publish answer, %s", b, path);
	same_text(now, was, what);
	/* the normalisation leaves what matters: simulcast offers get their rids back */
	if (strstr(c, "simulcast"))
		ck_assert_ptr_nonnull(strstr(now, "a=simulcast:recv q;h;f"));
	/* VP8 when offered, H.264 (mode 1, Constrained Baseline) for an offer of H.264 alone */
	bool h264 = strncmp(c, "h264", 4) == 0;
	ck_assert(!h264 || strstr(now, " H264/90000\r\na=rtcp-fb:") != NULL);
	ck_assert(!h264 || strstr(now, ";packetization-mode=1;profile-level-id=42e01f\r\n") != NULL);
	ck_assert(h264 || strstr(now, " VP8/90000\r\n") != NULL);
	sfu_leave(p, SFU_LEFT_BYE);
	free(now);
	free(was);
	free(answer);
	free(shown);
	free(offer);
	free(r.sdp);
	free(r.last);
}

START_TEST(publish_answers_as_captured)
{
	publish_as_captured(browsers[_i / N_CASES], cases[_i % N_CASES]);
}
END_TEST

/* Chromium's offer with H.264 alone (setCodecPreferences), simulcast; Firefox ESR has no H.264. */
START_TEST(h264_publish_answer_as_captured)
{
	publish_as_captured("chromium", "h264-simulcast");
}
END_TEST

/* A viewer joining a publisher of the committed offer gets the subscribe offer the browser was
 * shown, and the browser's captured answer to it passes the server's check. */
/* pub_b: whose publish offer (Firefox answers Chromium's H.264 publisher). refuses: the browser's
 * answer rejects the video, which later offers then keep rejected (port 0, outside BUNDLE). */
static void subscribe_as_captured(const char *pub_b, const char *b, const char *name, bool refuses)
{
	char path[256], what[300];
	snprintf(path, sizeof path, VEC "%s-%s-publisher-offer.sdp", pub_b, name);
	char *pub_offer = slurp(path);
	snprintf(path, sizeof path, VEC "%s-%s-offer.sdp", b, name);
	char *shown = slurp(path);
	snprintf(path, sizeof path, VEC "%s-%s-answer.sdp", b, name);
	char *browser_answer = slurp(path);

	struct rec rp = { 0 }, rv = { 0 };
	struct sfu_participant *pub, *viewer;
	ck_assert_int_eq(sfu_join(sfu, "capture", "Publisher", &events, &rp, &pub), 0);
	char *answer = NULL;
	ck_assert_int_eq(sfu_publish(pub, pub_offer, NULL, &answer), 0);
	free(answer);
	ck_assert_int_eq(sfu_join(sfu, "capture", "Viewer", &events, &rv, &viewer), 0);
	ck_assert_uint_ge(rv.offers, 1);
	char *now = norm(rv.sdp), *was = norm(shown);
	snprintf(what, sizeof what, "the subscribe offer %s was shown", b);
	same_text(now, was, what);
	ck_assert_int_eq(sfu_subscribe_answer(viewer, rv.version, browser_answer), 0);
	if (refuses) {
		/* a second publisher: the viewer's next offer keeps the refused video rejected */
		struct rec r2 = { 0 };
		struct sfu_participant *pub2;
		char *gum = slurp(VEC "chromium-offer-gum.sdp");
		ck_assert_int_eq(sfu_join(sfu, "capture", "Second", &events, &r2, &pub2), 0);
		ck_assert_int_eq(sfu_publish(pub2, gum, NULL, &answer), 0);
		free(answer);
		ck_assert_uint_ge(rv.offers, 2);
		ck_assert_ptr_nonnull(strstr(rv.last, "m=video 0 UDP/TLS/RTP/SAVPF 98\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\n"));
		ck_assert_ptr_nonnull(strstr(rv.last, "a=group:BUNDLE 0 2 3\r\n"));
		ck_assert_ptr_nonnull(strstr(rv.last, "a=rtpmap:96 VP8/90000"));   /* the second one's video */
		sfu_leave(pub2, SFU_LEFT_BYE);
		free(gum);
		free(r2.sdp);
		free(r2.last);
	}

	sfu_leave(viewer, SFU_LEFT_BYE);
	sfu_leave(pub, SFU_LEFT_BYE);
	free(now);
	free(was);
	free(rv.sdp);
	free(rv.last);
	free(rp.sdp);
	free(rp.last);
	free(browser_answer);
	free(shown);
	free(pub_offer);
}

START_TEST(subscribe_offer_as_captured)
{
	subscribe_as_captured(browsers[_i], browsers[_i], "subscribe", false);
}
END_TEST

/* An H.264 publisher's video is offered in H.264 (PT 98, RTX 99) and Chromium answers it. */
START_TEST(h264_subscribe_offer_as_captured)
{
	subscribe_as_captured("chromium", "chromium", "subscribe-h264", false);
	char *shown = slurp(VEC "chromium-subscribe-h264-offer.sdp");
	ck_assert_ptr_nonnull(strstr(shown, "a=rtpmap:98 H264/90000\r\n"));
	ck_assert_ptr_nonnull(strstr(shown, "a=fmtp:99 apt=98\r\n"));
	free(shown);
}
END_TEST

/* The capture recorded that each browser applied every answer and the subscribe offer. */
START_TEST(browsers_accepted)
{
	for (size_t i = 0; i < 2; i++) {
		char path[256];
		snprintf(path, sizeof path, VEC "%s-results.txt", browsers[i]);
		char *r = slurp(path);
		ck_assert_msg(strstr(r, "ERROR") == NULL, "%s records an error:\n%s", path, r);
		for (size_t c = 0; c < N_CASES; c++) {
			char want[64];
			snprintf(want, sizeof want, "publish %s: accepted", cases[c]);
			ck_assert_msg(strstr(r, want) != NULL, "%s lacks \"%s\"", path, want);
		}
		ck_assert_ptr_nonnull(strstr(r, "subscribe: accepted (0:audio:recvonly 1:video:recvonly)"));
		/* H.264: Chromium takes both answers; Firefox ESR here has no H.264 to offer */
		const char *h264 = i == 0 ? "publish h264-simulcast: accepted" : "publish h264-simulcast: skipped";
		ck_assert_msg(strstr(r, h264) != NULL, "%s lacks \"%s\"", path, h264);
		const char *sub = i == 0 ? "subscribe-h264: accepted (0:audio:recvonly 1:video:recvonly)\n"
		                         : "subscribe-h264: accepted (0:audio:recvonly)\n";   /* Firefox stops the video */
		ck_assert_msg(strstr(r, sub) != NULL, "%s lacks \"%s\"", path, sub);
		free(r);
	}
}
END_TEST

/* The normalisation sets aside only per-session values: a change elsewhere still shows. */
START_TEST(normalisation_keeps_the_rest)
{
	char *shown = slurp(VEC "chromium-publish-answer-simulcast.sdp");
	char *a = norm(shown);
	ck_assert_ptr_nonnull(strstr(a, "a=ice-ufrag:<ufrag>\r\n"));
	ck_assert_ptr_nonnull(strstr(a, "a=ice-pwd:<pwd>\r\n"));
	ck_assert_ptr_nonnull(strstr(a, "a=rid:q recv\r\n"));
	ck_assert_ptr_nonnull(strstr(a, "a=candidate:1 1 udp 2130706431 127.0.0.1 <port> typ host\r\n"));
	const char *edits[][2] = { { "a=rid:q recv", "a=rid:q send" }, { "a=simulcast:recv q;h;f", "a=simulcast:recv f;h;q" },
	                           { "a=setup:passive", "a=setup:active" }, { "a=ice-lite\r\n", "" },
	                           { "127.0.0.1 ", "127.0.0.2 " }, { "a=rtcp-fb:96 nack pli", "a=rtcp-fb:96 pli" } };
	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		char *hit = strstr(shown, edits[i][0]);
		ck_assert_msg(hit != NULL, "%s not in the vector", edits[i][0]);
		char *changed = malloc(strlen(shown) + strlen(edits[i][1]) + 1);
		size_t at = (size_t)(hit - shown);
		memcpy(changed, shown, at);
		strcpy(changed + at, edits[i][1]);
		strcat(changed, hit + strlen(edits[i][0]));
		char *b = norm(changed);
		ck_assert_msg(strcmp(a, b) != 0, "normalisation hides the edit %s", edits[i][0]);
		free(b);
		free(changed);
	}
	free(a);
	free(shown);
}
END_TEST

/* Firefox ESR without OpenH264 answers the offer of Chromium's H.264 video with that m-line
 * rejected (port 0): the answer is taken, the video is not sent to it, later offers keep the
 * m-line rejected and Firefox takes them (the browser test shows it decoding the next VP8 video). */
START_TEST(firefox_refuses_h264_as_captured)
{
	char *ans = slurp(VEC "firefox-subscribe-h264-answer.sdp");
	ck_assert_ptr_nonnull(strstr(ans, "m=video 0 "));
	free(ans);
	subscribe_as_captured("chromium", "firefox", "subscribe-h264", true);
}
END_TEST

static Suite *capture_suite(void)
{
	Suite *s = suite_create("sdp_capture");
	TCase *tc = tcase_create("production");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, publish_answers_as_captured, 0, 2 * N_CASES);
	tcase_add_loop_test(tc, subscribe_offer_as_captured, 0, 2);
	tcase_add_test(tc, h264_publish_answer_as_captured);
	tcase_add_test(tc, h264_subscribe_offer_as_captured);
	tcase_add_test(tc, firefox_refuses_h264_as_captured);
	tcase_add_test(tc, browsers_accepted);
	tcase_add_test(tc, normalisation_keeps_the_rest);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(capture_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
