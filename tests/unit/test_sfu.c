/* test_sfu: room and participant lifecycle through the sfu API (real loop, port 0), publish
 * answers for real browser offers, subscribe offers to the others, moderation hooks, media
 * workers on their own threads (events on the main thread, drops from the worker's tick), and
 * the per-subscriber layer choice (tile size, last-N, downlink budget). */
#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfu/sfu_internal.h"

struct rec {
	int joined, left, updated, offers, dropped, speakers;
	int off_main;               /* callbacks that ran on another thread than the test's */
	uint32_t last_left;
	enum sfu_leave_reason last_reason, drop_reason;
	uint32_t offer_version;
	size_t offer_tracks;
	struct sfu_track_info tracks[8];
	bool last_audio_muted;
};

static uv_thread_t main_thread;

static void note_thread(struct rec *r)
{
	uv_thread_t self = uv_thread_self();
	if (!uv_thread_equal(&self, &main_thread))
		r->off_main++;
}

static void ev_joined(void *arg, const struct sfu_participant_info *p)
{
	note_thread(arg);
	((struct rec *)arg)->joined++;
}
static void ev_left(void *arg, uint32_t id, enum sfu_leave_reason why)
{
	struct rec *r = arg;
	note_thread(r);
	r->left++;
	r->last_left = id;
	r->last_reason = why;
}
static void ev_updated(void *arg, const struct sfu_participant_info *p)
{
	struct rec *r = arg;
	note_thread(r);
	r->updated++;
	r->last_audio_muted = p->audio_muted;
}
static void ev_offer(void *arg, uint32_t version, const char *sdp, const struct sfu_track_info *t, size_t n)
{
	struct rec *r = arg;
	note_thread(r);
	r->offers++;
	r->offer_version = version;
	r->offer_tracks = n;
	memcpy(r->tracks, t, (n < 8 ? n : 8) * sizeof *t);
	ck_assert_ptr_nonnull(strstr(sdp, "a=ice-lite"));
}
static void ev_dropped(void *arg, enum sfu_leave_reason why)
{
	struct rec *r = arg;
	note_thread(r);
	r->dropped++;
	r->drop_reason = why;
}
static void ev_speaker(void *arg, uint32_t id)
{
	note_thread(arg);
	((struct rec *)arg)->speakers++;
}

static const struct sfu_events events = { .participant_joined = ev_joined, .participant_left = ev_left, .participant_updated = ev_updated,
                                          .subscribe_offer = ev_offer, .dropped = ev_dropped, .active_speaker = ev_speaker };

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	char *buf = calloc(1, 1 << 16);
	size_t n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static uv_loop_t loop;
static struct sfu *sfu;

static void setup(void)
{
	main_thread = uv_thread_self();
	uv_loop_init(&loop);
	struct sfu_config cfg = { .public_ip = "127.0.0.1", .media_port = 0, .max_room_participants = 3 };
	ck_assert_int_eq(sfu_new(&sfu, &loop, &cfg), 0);
	ck_assert_uint_gt(sfu_media_port(sfu), 0);
}

static void teardown(void)
{
	sfu_free(sfu);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(uv_loop_close(&loop), 0);
}

/* ---- media workers on their own threads ---- */

/* The test's clock: the real one plus a jump the test makes (read by the workers' threads). */
static _Atomic uint64_t clock_jump_us;
static uint64_t test_now(void *arg) { return clock_mono_us() + atomic_load(&clock_jump_us); }
static const struct clock_src test_clock = { test_now, NULL };

static void setup_threaded(void)
{
	main_thread = uv_thread_self();
	atomic_store(&clock_jump_us, 0);
	uv_loop_init(&loop);
	struct sfu_config cfg = { .public_ip = "127.0.0.1", .media_port = 0, .max_room_participants = 3,
	                          .workers = 2, .clock = &test_clock };
	ck_assert_int_eq(sfu_new(&sfu, &loop, &cfg), 0);
	ck_assert_uint_eq(sfu_worker_count(sfu), 2);
}

START_TEST(threaded_lifecycle)
{
	struct rec ra = { 0 }, rb = { 0 }, rc = { 0 };
	struct sfu_participant *a, *b, *c;
	struct sfu_stats st;
	ck_assert_int_eq(sfu_join(sfu, "familie", "Oma", &events, &ra, &a), 0);
	ck_assert_int_eq(sfu_join(sfu, "familie", "Enkel", &events, &rb, &b), 0);
	ck_assert_int_eq(sfu_join(sfu, "nachbarn", "Nachbar", &events, &rc, &c), 0);
	ck_assert_ptr_ne(a->w, c->w);   /* two rooms, one per worker */
	ck_assert_int_eq(ra.joined, 1);
	ck_assert_int_eq(rb.joined, 1);   /* delivered before sfu_join returned */
	char *offer = slurp("tests/vectors/sdp/chromium-offer-gum.sdp");
	char *answer = NULL;
	ck_assert_int_eq(sfu_publish(a, offer, NULL, &answer), 0);
	ck_assert_ptr_nonnull(strstr(answer, "a=setup:passive"));
	ck_assert_int_eq(rb.offers, 1);
	ck_assert_uint_eq(rb.offer_tracks, 2);
	free(answer);
	answer = NULL;
	ck_assert_int_eq(sfu_publish(c, offer, NULL, &answer), 0);   /* alone: nobody is offered */
	free(answer);
	free(offer);
	ck_assert_int_eq(sfu_subscribe_answer(b, rb.offer_version, "garbage"), -SFU_ERR_SDP);
	ck_assert_int_eq(sfu_force_mute(a, SFU_SOURCE_MICROPHONE), 0);
	ck_assert(rb.last_audio_muted);
	ck_assert_int_eq(sfu_set_media_state(a, false, false), 0);
	ck_assert(!rb.last_audio_muted);
	struct sfu_video_pref pref = { sfu_participant_id(a), SFU_SOURCE_CAMERA, 720 };
	ck_assert_int_eq(sfu_set_video_prefs(b, 2, &pref, 1, NULL, 0), 0);
	/* counters come from the workers while their ticks run */
	for (int i = 0; i < 50; i++) {
		sfu_get_stats(sfu, &st);
		ck_assert_uint_eq(st.rooms, 2);
		ck_assert_uint_eq(st.participants, 3);
		uv_run(&loop, UV_RUN_NOWAIT);
		uv_sleep(2);
	}
	sfu_remove(b, SFU_LEFT_REMOVED);
	ck_assert_int_eq(rb.dropped, 1);
	ck_assert_int_eq(ra.last_reason, SFU_LEFT_REMOVED);
	sfu_leave(a, SFU_LEFT_BYE);
	sfu_leave(c, SFU_LEFT_BYE);
	sfu_get_stats(sfu, &st);
	ck_assert_uint_eq(st.rooms, 0);
	ck_assert_uint_eq(st.participants, 0);
	ck_assert_int_eq(ra.off_main + rb.off_main + rc.off_main, 0);   /* every event on this thread */
}
END_TEST

/* Breakout groups: rooms "KEY~N" on the meeting's worker; moving keeps the participant and
 * re-offers the new room's tracks; a family stays on one worker even when its main room emptied. */
START_TEST(breakout_moves)
{
	struct rec ra = { 0 }, rb = { 0 }, rc = { 0 }, rd = { 0 }, re = { 0 };
	struct sfu_participant *a, *b, *c, *d, *e;
	struct sfu_stats st;
	ck_assert_int_eq(sfu_join(sfu, "kurs", "Lehrerin", &events, &ra, &a), 0);
	ck_assert_int_eq(sfu_join(sfu, "kurs", "Ben", &events, &rb, &b), 0);
	ck_assert_int_eq(sfu_join(sfu, "kurs", "Cem", &events, &rc, &c), 0);
	ck_assert_int_eq(sfu_join(sfu, "andere", "Dora", &events, &rd, &d), 0);
	ck_assert_ptr_ne(a->w, d->w);
	char *offer = slurp("tests/vectors/sdp/chromium-offer-gum.sdp");
	char *answer = NULL;
	ck_assert_int_eq(sfu_publish(a, offer, NULL, &answer), 0);
	free(answer);
	free(offer);
	ck_assert_int_eq(rb.offers, 1);
	ck_assert_int_eq(sfu_move(b, SFU_GROUPS_MAX + 1), -SFU_ERR_STATE);
	ck_assert_int_eq(sfu_move(b, 0), 0);   /* already there */
	/* Ben into group 1: both others hear "moved", Ben hears it of both; his offer loses Oma's tracks */
	ck_assert_int_eq(sfu_move(b, 1), 0);
	ck_assert_uint_eq(sfu_participant_group(b), 1);
	ck_assert_str_eq(sfu_participant_room(b), "kurs");
	ck_assert_ptr_eq(b->w, a->w);
	ck_assert_int_eq(ra.last_reason, SFU_LEFT_MOVED);
	ck_assert_int_eq(rc.last_reason, SFU_LEFT_MOVED);
	ck_assert_int_eq(rb.left, 2);
	ck_assert_int_eq(rb.last_reason, SFU_LEFT_MOVED);
	ck_assert(b->renegotiate);   /* the re-offer waits for Ben's answer to the first */
	for (size_t i = 0; i < b->n_downs; i++)
		ck_assert_ptr_null(b->downs[i]->src);
	sfu_get_stats(sfu, &st);
	ck_assert_uint_eq(st.rooms, 3);
	ck_assert_uint_eq(st.participants, 4);
	/* the teacher follows: Ben meets her and gets her two tracks, Cem stays alone in the main room */
	int b_joined = rb.joined;
	ck_assert_int_eq(sfu_move(a, 1), 0);
	ck_assert_int_eq(rb.joined, b_joined + 1);
	size_t active = 0;
	for (size_t i = 0; i < b->n_downs; i++)
		active += b->downs[i]->src && b->downs[i]->src->owner == a;
	ck_assert_uint_eq(active, 2);
	ck_assert_int_eq(rc.last_reason, SFU_LEFT_MOVED);
	/* Cem too: the main room empties and closes; Dora's room goes, so her worker is the idle one */
	ck_assert_int_eq(sfu_move(c, 1), 0);
	sfu_leave(d, SFU_LEFT_BYE);
	sfu_get_stats(sfu, &st);
	ck_assert_uint_eq(st.rooms, 1);
	/* a late joiner of "kurs" lands on the family's worker, not the idle one */
	ck_assert_int_eq(sfu_join(sfu, "kurs", "Emil", &events, &re, &e), 0);
	ck_assert_ptr_eq(e->w, a->w);
	ck_assert_int_eq(re.joined, 0);   /* the groups are other rooms */
	/* group 1 is full (3): Emil cannot go there */
	ck_assert_int_eq(sfu_move(e, 1), -SFU_ERR_ROOM_FULL);
	ck_assert_uint_eq(sfu_participant_group(e), 0);
	/* back to the main room; the group room closes with its last member */
	ck_assert_int_eq(sfu_move(a, 0), 0);
	ck_assert_int_eq(sfu_move(b, 0), 0);
	ck_assert_int_eq(sfu_move(c, 0), -SFU_ERR_ROOM_FULL);   /* the main room has 3 again */
	ck_assert_int_eq(re.joined, 2);
	sfu_leave(e, SFU_LEFT_BYE);
	ck_assert_int_eq(sfu_move(c, 0), 0);
	sfu_get_stats(sfu, &st);
	ck_assert_uint_eq(st.rooms, 1);
	ck_assert_uint_eq(st.participants, 3);
	sfu_leave(a, SFU_LEFT_BYE);
	sfu_leave(b, SFU_LEFT_BYE);
	sfu_leave(c, SFU_LEFT_BYE);
	sfu_get_stats(sfu, &st);
	ck_assert_uint_eq(st.rooms, 0);
	ck_assert_uint_eq(st.participants, 0);
	ck_assert_int_eq(ra.off_main + rb.off_main + rc.off_main + re.off_main, 0);
}
END_TEST

/* Waits (bounded) until `*count` reaches `want`. The main loop does not run: what the workers
 * queued is delivered by the next sfu call (here sfu_get_stats). */
static void wait_for(const int *count, int want)
{
	struct sfu_stats st;
	for (int i = 0; i < 500 && *count < want; i++) {
		uv_sleep(10);
		sfu_get_stats(sfu, &st);
	}
}

/* Waits (bounded) until w's event queue holds `want` events; returns how many it holds. */
static size_t wait_queued(struct sfu_worker *w, size_t want)
{
	size_t queued = 0;
	for (int i = 0; i < 500 && queued < want; i++) {
		uv_sleep(10);
		uv_mutex_lock(&w->qlock);
		queued = w->n_events;
		uv_mutex_unlock(&w->qlock);
	}
	return queued;
}

/* Consent is checked on the worker's own tick: a participant whose transport saw no ICE
 * consent is dropped by its worker, and signaling hears it on the main thread. */
START_TEST(worker_tick_drops_timed_out)
{
	struct rec ra = { 0 }, rb = { 0 };
	struct sfu_participant *a, *b;
	struct sfu_stats st;
	ck_assert_int_eq(sfu_join(sfu, "rat", "A", &events, &ra, &a), 0);
	ck_assert_int_eq(sfu_join(sfu, "rat", "B", &events, &rb, &b), 0);
	char *offer = slurp("tests/vectors/sdp/chromium-offer-gum.sdp");
	char *answer = NULL;
	ck_assert_int_eq(sfu_publish(a, offer, NULL, &answer), 0);
	free(answer);
	free(offer);
	atomic_store(&clock_jump_us, SFU_CONSENT_TIMEOUT_US + 2000000u);
	wait_for(&ra.dropped, 1);
	ck_assert_int_eq(ra.dropped, 1);
	ck_assert_int_eq(ra.drop_reason, SFU_LEFT_TIMEOUT);
	ck_assert_int_eq(rb.left, 1);
	ck_assert_int_eq(rb.last_reason, SFU_LEFT_TIMEOUT);
	ck_assert_int_eq(rb.dropped, 0);   /* B publishes nothing and was offered no answer yet */
	sfu_get_stats(sfu, &st);
	ck_assert_uint_eq(st.participants, 1);   /* A is freed after its `dropped` */
	ck_assert_int_eq(ra.off_main + rb.off_main, 0);
	sfu_leave(b, SFU_LEFT_BYE);
	sfu_get_stats(sfu, &st);
	ck_assert_uint_eq(st.rooms, 0);
}
END_TEST

/* Signaling leaves a participant whose worker just dropped it (the drop still queued): the
 * participant is released once, hears nothing more, and the others hear of it once. */
START_TEST(leave_racing_a_drop)
{
	struct rec ra = { 0 }, rb = { 0 };
	struct sfu_participant *a, *b;
	struct sfu_stats st;
	ck_assert_int_eq(sfu_join(sfu, "rat", "A", &events, &ra, &a), 0);
	ck_assert_int_eq(sfu_join(sfu, "rat", "B", &events, &rb, &b), 0);
	char *offer = slurp("tests/vectors/sdp/chromium-offer-gum.sdp");
	char *answer = NULL;
	ck_assert_int_eq(sfu_publish(a, offer, NULL, &answer), 0);
	free(answer);
	free(offer);
	atomic_store(&clock_jump_us, SFU_CONSENT_TIMEOUT_US + 2000000u);
	/* a's `dropped`, B's participant_left, a's release */
	ck_assert_uint_ge(wait_queued(a->w, 3), 3);
	sfu_leave(a, SFU_LEFT_BYE);   /* the worker has let go of a already; a is freed here */
	ck_assert_int_eq(ra.dropped, 0);
	ck_assert_int_eq(rb.left, 1);
	ck_assert_int_eq(rb.last_reason, SFU_LEFT_TIMEOUT);
	sfu_get_stats(sfu, &st);
	ck_assert_uint_eq(st.participants, 1);
	sfu_leave(b, SFU_LEFT_BYE);
	sfu_get_stats(sfu, &st);
	ck_assert_uint_eq(st.participants, 0);
	ck_assert_uint_eq(st.rooms, 0);
}
END_TEST

/* A command reaches the worker after it dropped the participant: it fails with a state error,
 * and the drop it overtook is delivered on its way back. */
START_TEST(command_racing_a_drop)
{
	struct rec ra = { 0 }, rb = { 0 };
	struct sfu_participant *a, *b;
	struct sfu_stats st;
	ck_assert_int_eq(sfu_join(sfu, "rat", "A", &events, &ra, &a), 0);
	ck_assert_int_eq(sfu_join(sfu, "rat", "B", &events, &rb, &b), 0);
	char *offer = slurp("tests/vectors/sdp/chromium-offer-gum.sdp");
	char *answer = NULL;
	ck_assert_int_eq(sfu_publish(a, offer, NULL, &answer), 0);
	free(answer);
	free(offer);
	atomic_store(&clock_jump_us, SFU_CONSENT_TIMEOUT_US + 2000000u);
	ck_assert_uint_ge(wait_queued(a->w, 3), 3);
	int updates = rb.updated;
	ck_assert_int_eq(sfu_force_mute(a, SFU_SOURCE_MICROPHONE), -SFU_ERR_STATE);
	ck_assert_int_eq(ra.dropped, 1);   /* and a is gone now, as `dropped` promises */
	ck_assert_int_eq(rb.updated, updates);   /* the mute reached nobody */
	sfu_get_stats(sfu, &st);
	ck_assert_uint_eq(st.participants, 1);
	sfu_leave(b, SFU_LEFT_BYE);
}
END_TEST

START_TEST(names)
{
	char out[SFU_ROOM_NAME_MAX + 1];
	ck_assert_int_eq(sfu_room_name_normalize("Rat-Sitzung_2026.11", out), 0);
	ck_assert_str_eq(out, "rat-sitzung_2026.11");
	const char *bad[] = { "", "-lead", "trail.", "has space", "ümlaut", "a/b", NULL };
	for (int i = 0; bad[i]; i++)
		ck_assert_int_eq(sfu_room_name_normalize(bad[i], out), -SFU_ERR_ROOM_NAME);
	char long_name[70];
	memset(long_name, 'a', 65);
	long_name[65] = '\0';
	ck_assert_int_eq(sfu_room_name_normalize(long_name, out), -SFU_ERR_ROOM_NAME);
	long_name[64] = '\0';
	ck_assert_int_eq(sfu_room_name_normalize(long_name, out), 0);
	ck_assert_int_eq(sfu_display_name_check("Jürgen Müller"), 0);
	ck_assert_int_eq(sfu_display_name_check("李小龙 🎻"), 0);
	const char *bad_names[] = { "", "   ", "tab\there", "nl\n", "\xc3", "\xc0\xaf", "bidi\xe2\x80\xae", NULL };
	for (int i = 0; bad_names[i]; i++)
		ck_assert_int_eq(sfu_display_name_check(bad_names[i]), -SFU_ERR_DISPLAY_NAME);
}
END_TEST

START_TEST(lifecycle)
{
	struct rec ra = { 0 }, rb = { 0 }, rc = { 0 };
	struct sfu_participant *a, *b, *c, *d;
	struct sfu_stats st;
	ck_assert_int_eq(sfu_join(sfu, "Familie", "Oma", &events, &ra, &a), 0);
	ck_assert_int_eq(sfu_join(sfu, "familie", "Enkel", &events, &rb, &b), 0);
	ck_assert_str_eq(sfu_participant_room(b), "familie");
	ck_assert_int_eq(ra.joined, 1);   /* told about Enkel */
	ck_assert_int_eq(rb.joined, 1);   /* told about Oma */
	sfu_get_stats(sfu, &st);
	ck_assert_uint_eq(st.rooms, 1);
	ck_assert_uint_eq(st.participants, 2);
	ck_assert_int_eq(sfu_join(sfu, "familie", "Onkel", &events, &rc, &c), 0);
	ck_assert_int_eq(sfu_join(sfu, "familie", "Zu viele", &events, &rc, &d), -SFU_ERR_ROOM_FULL);
	ck_assert_int_eq(sfu_join(sfu, "bad name", "x", &events, &rc, &d), -SFU_ERR_ROOM_NAME);
	sfu_leave(c, SFU_LEFT_CLOSED);
	ck_assert_int_eq(ra.left, 1);
	ck_assert_int_eq(ra.last_reason, SFU_LEFT_CLOSED);
	/* Oma publishes with a real Chromium offer; Enkel is offered her two tracks */
	char *offer = slurp("tests/vectors/sdp/chromium-offer-gum.sdp");
	char *answer = NULL;
	ck_assert_int_eq(sfu_publish(a, offer, NULL, &answer), 0);
	ck_assert_ptr_nonnull(strstr(answer, "a=setup:passive"));
	ck_assert_ptr_nonnull(strstr(answer, "a=recvonly"));
	ck_assert_int_eq(rb.offers, 1);
	ck_assert_uint_eq(rb.offer_tracks, 2);
	ck_assert_int_eq(rb.tracks[0].kind, SFU_KIND_AUDIO);
	ck_assert_int_eq(rb.tracks[1].kind, SFU_KIND_VIDEO);
	ck_assert_int_eq(rb.tracks[1].source, SFU_SOURCE_CAMERA);
	ck_assert_uint_eq(rb.tracks[1].participant_id, sfu_participant_id(a));
	/* answers: a garbage SDP is refused, an older version is stale */
	ck_assert_int_eq(sfu_subscribe_answer(b, rb.offer_version, "garbage"), -SFU_ERR_SDP);
	ck_assert_int_eq(sfu_subscribe_answer(b, rb.offer_version + 1, "v=0"), -SFU_ERR_STATE);
	free(answer);
	free(offer);
	/* a host mutes Oma; Enkel sees it; only Oma unmutes herself */
	ck_assert_int_eq(sfu_force_mute(a, SFU_SOURCE_MICROPHONE), 0);
	ck_assert(rb.last_audio_muted);
	ck_assert(a->forced_mute[SFU_SOURCE_MICROPHONE]);
	ck_assert_int_eq(sfu_set_media_state(a, false, false), 0);
	ck_assert(!a->forced_mute[SFU_SOURCE_MICROPHONE]);
	ck_assert(!rb.last_audio_muted);
	/* removal: Enkel's own events say so, Oma sees "removed"; the room closes with the last */
	sfu_remove(b, SFU_LEFT_REMOVED);
	ck_assert_int_eq(rb.dropped, 1);
	ck_assert_int_eq(rb.drop_reason, SFU_LEFT_REMOVED);
	ck_assert_int_eq(ra.last_reason, SFU_LEFT_REMOVED);
	sfu_leave(a, SFU_LEFT_BYE);
	sfu_get_stats(sfu, &st);
	ck_assert_uint_eq(st.rooms, 0);
	ck_assert_uint_eq(st.participants, 0);
}
END_TEST

START_TEST(publish_refuses_bad_offers)
{
	struct rec ra = { 0 };
	struct sfu_participant *a;
	char *answer = (char *)1;
	ck_assert_int_eq(sfu_join(sfu, "r", "A", &events, &ra, &a), 0);
	ck_assert_int_eq(sfu_publish(a, "not sdp at all", NULL, &answer), -SFU_ERR_SDP);
	ck_assert_ptr_null(answer);
	ck_assert_int_eq(sfu_publish(a, "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", NULL, &answer), -SFU_ERR_SDP);
	/* and a good one still works afterwards */
	char *offer = slurp("tests/vectors/sdp/firefox-offer-gum.sdp");
	ck_assert_int_eq(sfu_publish(a, offer, NULL, &answer), 0);
	free(answer);
	free(offer);
	sfu_leave(a, SFU_LEFT_BYE);
}
END_TEST

START_TEST(simulcast_answer)
{
	struct rec ra = { 0 }, rb = { 0 };
	struct sfu_participant *a, *b;
	ck_assert_int_eq(sfu_join(sfu, "sim", "A", &events, &ra, &a), 0);
	ck_assert_int_eq(sfu_join(sfu, "sim", "B", &events, &rb, &b), 0);
	char *offer = slurp("tests/vectors/sdp/chromium-offer-simulcast.sdp");
	char *answer = NULL;
	ck_assert_int_eq(sfu_publish(a, offer, NULL, &answer), 0);
	ck_assert_ptr_nonnull(strstr(answer, "a=simulcast:recv"));
	struct sfu_track *video = NULL;
	for (size_t k = 0; k < a->n_tracks; k++)
		if (a->tracks[k]->kind == SFU_KIND_VIDEO)
			video = a->tracks[k];
	ck_assert_ptr_nonnull(video);
	ck_assert(video->simulcast);
	ck_assert_uint_eq(video->n_layers, 3);
	free(answer);
	free(offer);
	sfu_leave(a, SFU_LEFT_BYE);
	sfu_leave(b, SFU_LEFT_BYE);
}
END_TEST

/* ---- layer choice on hand-built objects (no transports: keyframe requests are no-ops) ---- */

static struct sfu_track *fake_track(struct sfu_participant *owner, enum sfu_source src, size_t layers)
{
	struct sfu_track *t = calloc(1, sizeof *t);
	t->owner = owner;
	t->kind = SFU_KIND_VIDEO;
	t->source = src;
	t->n_layers = layers;
	t->simulcast = layers > 1;
	static const uint16_t h[] = { 180, 360, 720 };
	static const uint64_t bps[] = { 150000, 500000, 1500000 };
	for (size_t i = 0; i < layers; i++) {
		t->layers[i].height = h[3 - layers + i];
		t->layers[i].rate_bps = bps[3 - layers + i];
	}
	return t;
}

START_TEST(layer_choice)
{
	struct sfu_room room = { 0 };
	struct sfu_participant sub = { 0 }, pubs[4] = { { 0 } };
	struct sfu_down downs[4];
	struct sfu_track *tracks[4];
	static struct sfu_worker w;   /* no thread: its commands run inline */
	w.clock = &clock_system;
	sub.w = &w;
	sub.room = &room;
	sub.id = 100;
	for (int i = 0; i < 4; i++) {
		pubs[i].id = (uint32_t)(i + 1);
		tracks[i] = fake_track(&pubs[i], i == 3 ? SFU_SOURCE_SCREEN : SFU_SOURCE_CAMERA, i == 3 ? 1 : 3);
		memset(&downs[i], 0, sizeof downs[i]);
		downs[i].src = tracks[i];
		downs[i].kind = SFU_KIND_VIDEO;
		downs[i].source = tracks[i]->source;
		downs[i].src_participant = pubs[i].id;
		downs[i].target_layer = -1;
		downs[i].cur_layer = -1;
		sub.downs[sub.n_downs++] = &downs[i];
	}
	/* defaults: 360p tiles → middle layer for cameras, the screen's one layer */
	sfu_layers_assign(&sub);
	ck_assert_int_eq(downs[0].target_layer, 1);
	ck_assert_int_eq(downs[3].target_layer, 0);
	/* the client reports tile sizes: 1 big (720), 2 small (120), 3 hidden (0) */
	struct sfu_video_pref prefs[] = {
		{ 1, SFU_SOURCE_CAMERA, 720 }, { 2, SFU_SOURCE_CAMERA, 120 }, { 3, SFU_SOURCE_CAMERA, 0 },
	};
	ck_assert_int_eq(sfu_set_video_prefs(&sub, 0, prefs, 3, NULL, 0), 0);
	ck_assert_int_eq(downs[0].target_layer, 2);
	ck_assert_int_eq(downs[1].target_layer, 0);
	ck_assert_int_eq(downs[2].target_layer, -1);
	ck_assert_int_eq(downs[3].target_layer, 0);
	/* last-N 1: only the most recent speaker's camera (2 spoke last), screens always */
	room.recent[0] = 2;
	room.recent[1] = 1;
	room.n_recent = 2;
	struct sfu_video_pref all[] = {
		{ 1, SFU_SOURCE_CAMERA, 360 }, { 2, SFU_SOURCE_CAMERA, 360 }, { 3, SFU_SOURCE_CAMERA, 360 },
	};
	ck_assert_int_eq(sfu_set_video_prefs(&sub, 1, all, 3, NULL, 0), 0);
	ck_assert_int_eq(downs[1].target_layer, 1);
	ck_assert_int_eq(downs[0].target_layer, -1);
	ck_assert_int_eq(downs[2].target_layer, -1);
	ck_assert_int_eq(downs[3].target_layer, 0);
	/* pinned 3 comes in too */
	uint32_t pin = 3;
	ck_assert_int_eq(sfu_set_video_prefs(&sub, 1, all, 3, &pin, 1), 0);
	ck_assert_int_eq(downs[2].target_layer, 1);
	/* a tight downlink: 1.2 Mbit/s for screen (1 Mbit/s nominal) + cameras → cameras step down, then drop */
	ck_assert_int_eq(sfu_set_video_prefs(&sub, 3, all, 3, NULL, 0), 0);
	tracks[3]->layers[0].rate_bps = 1000000;
	sub.budget_bps = 1400000;
	sfu_layers_assign(&sub);
	ck_assert_int_eq(downs[3].target_layer, 0);   /* the screen stays */
	uint64_t sum = 1000000;
	for (int i = 0; i < 3; i++)
		if (downs[i].target_layer >= 0)
			sum += tracks[i]->layers[downs[i].target_layer].rate_bps;
	ck_assert_uint_le(sum * 80 / 100, 1400000);   /* layers already sent count 80 % (hysteresis) */
	ck_assert_int_ge(downs[1].target_layer, 0);   /* the latest speaker is kept longest */
	/* starting afresh (nothing sent yet), the budget holds exactly */
	for (int i = 0; i < 4; i++)
		downs[i].desired_layer = -1;
	sfu_layers_assign(&sub);
	sum = 1000000;
	for (int i = 0; i < 3; i++)
		if (downs[i].target_layer >= 0)
			sum += tracks[i]->layers[downs[i].target_layer].rate_bps;
	ck_assert_uint_le(sum, 1400000);
	ck_assert_int_eq(downs[3].target_layer, 0);
	/* the publisher sends only its low layer (its own estimate is still low): a big tile gets
	 * what arrives instead of waiting for a layer that does not */
	sub.budget_bps = 0;
	struct sfu_video_pref big[] = { { 1, SFU_SOURCE_CAMERA, 720 } };
	tracks[0]->layers[0].last_packet_us = clock_now(&clock_system);
	ck_assert_int_eq(sfu_set_video_prefs(&sub, 0, big, 1, NULL, 0), 0);
	ck_assert_int_eq(downs[0].target_layer, 0);
	tracks[0]->layers[1].last_packet_us = clock_now(&clock_system);
	ck_assert_int_eq(sfu_set_video_prefs(&sub, 0, big, 1, NULL, 0), 0);
	ck_assert_int_eq(downs[0].target_layer, 1);
	tracks[0]->layers[2].last_packet_us = clock_now(&clock_system);
	ck_assert_int_eq(sfu_set_video_prefs(&sub, 0, big, 1, NULL, 0), 0);
	ck_assert_int_eq(downs[0].target_layer, 2);
	free(sub.prefs);
	free(sub.pinned);
	for (int i = 0; i < 4; i++)
		free(tracks[i]);
}
END_TEST

static int layers_told;
static struct sfu_publish_layers last_layers;
static void ev_pub_layers(void *arg, const struct sfu_publish_layers *l)
{
	layers_told++;
	last_layers = *l;
}

/* Audio first: a video the downlink cannot carry beside audio is paused (and says so), comes
 * back only with headroom, steps down before it pauses; layers nobody wants are switched off at
 * the publisher after 3 s and on again at once when someone does. */
START_TEST(audio_first_and_data_saver)
{
	struct sfu_room room = { 0 };
	struct sfu_participant sub = { 0 }, pub = { 0 };
	struct sfu_down video = { 0 }, audio = { 0 };
	static struct sfu_worker w;
	static const struct sfu_events pub_ev = { .publish_layers = ev_pub_layers };
	w.clock = &clock_system;
	sub.w = pub.w = room.w = &w;
	sub.room = pub.room = &room;
	sub.id = 100;
	pub.id = 1;
	pub.ev = &pub_ev;
	struct sfu_track *t = fake_track(&pub, SFU_SOURCE_CAMERA, 3);
	snprintf(t->mid, sizeof t->mid, "1");
	static const char *rids[] = { "q", "h", "f" };
	for (int i = 0; i < 3; i++)
		snprintf(t->layers[i].rid, sizeof t->layers[i].rid, "%s", rids[i]);
	struct sfu_track mic = { .owner = &pub, .kind = SFU_KIND_AUDIO };
	t->downs = (struct sfu_down *[]){ &video };
	t->n_downs = 1;
	pub.tracks[0] = t;
	pub.n_tracks = 1;
	room.members = &pub;
	video = (struct sfu_down){ .sub = &sub, .src = t, .kind = SFU_KIND_VIDEO, .source = SFU_SOURCE_CAMERA,
	                           .src_participant = 1, .target_layer = -1, .cur_layer = -1, .desired_layer = -1 };
	audio = (struct sfu_down){ .sub = &sub, .src = &mic, .kind = SFU_KIND_AUDIO, .src_participant = 1, .target_layer = 0 };
	sub.downs[sub.n_downs++] = &audio;
	sub.downs[sub.n_downs++] = &video;
	/* each downlink estimate in turn, and what the subscriber gets then */
	static const struct { uint64_t budget; int layer; bool paused; const char *why; } steps[] = {
		{ 2000000, 1, false, "plenty: the tile's layer (360p → h)" },
		{ 400000, 0, false, "one layer down, not paused" },
		{ 150000, -1, true, "audio (40 kbit/s) and the lowest layer (150) do not fit: paused, audio stays" },
		{ 200000, -1, true, "just enough for both is not enough to come back: headroom first" },
		{ 240000, 0, false, "back with 25 % headroom over the lowest layer" },
		{ 200000, 0, false, "once back, 200 kbit/s keeps it" },
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		sub.budget_bps = steps[i].budget;
		sfu_layers_assign(&sub);
		ck_assert_msg(video.target_layer == steps[i].layer && video.paused_bw == steps[i].paused,
		              "%s: layer %d paused %d", steps[i].why, video.target_layer, video.paused_bw);
		ck_assert_uint_eq(sub.n_paused_bw, steps[i].paused);
		ck_assert_int_eq(audio.target_layer, 0);
		if (i == 1)
			ck_assert_uint_eq(sub.n_lowered, 1);
		if (i == 2) {
			ck_assert_uint_gt(sub.want_bps, sub.budget_bps);   /* so probing starts */
			ck_assert_uint_eq(sub.resume_bps, 40000 + 150000 * 5 / 4);
		}
	}
	/* data saver: h and f unwanted since now; off after 3 s, not before */
	uint64_t t0 = 1000000000;
	sfu_pub_layers_room(&room, t0);
	sfu_pub_layers_room(&room, t0 + 2900000);
	ck_assert_int_eq(layers_told, 0);
	sfu_pub_layers_room(&room, t0 + 3000000);
	ck_assert_int_eq(layers_told, 1);
	ck_assert_str_eq(last_layers.mid, "1");
	ck_assert_uint_eq(last_layers.n, 3);
	ck_assert_str_eq(last_layers.rids[2], "f");
	ck_assert(last_layers.active[0] && !last_layers.active[1] && !last_layers.active[2]);
	sfu_pub_layers_room(&room, t0 + 4000000);
	ck_assert_int_eq(layers_told, 1);   /* told once */
	/* the downlink recovers and the tile grows to 720p: f is wanted again and switched on at once */
	sub.budget_bps = 3000000;
	struct sfu_video_pref big[] = { { 1, SFU_SOURCE_CAMERA, 720 } };
	ck_assert_int_eq(sfu_set_video_prefs(&sub, 0, big, 1, NULL, 0), 0);
	ck_assert_int_eq(video.desired_layer, 2);
	ck_assert_int_eq(layers_told, 2);
	ck_assert(last_layers.active[0] && !last_layers.active[1] && last_layers.active[2]);
	ck_assert_uint_eq(w.pub_layers_paused, 2);
	ck_assert_uint_eq(w.pub_layers_resumed, 1);
	free(sub.prefs);
	free(t);
}
END_TEST

static Suite *sfu_suite(void)
{
	Suite *s = suite_create("sfu");
	TCase *tc = tcase_create("lifecycle");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, lifecycle);
	tcase_add_test(tc, publish_refuses_bad_offers);
	tcase_add_test(tc, simulcast_answer);
	suite_add_tcase(s, tc);
	TCase *threads = tcase_create("threads");
	tcase_add_checked_fixture(threads, setup_threaded, teardown);
	tcase_set_timeout(threads, 60);
	tcase_add_test(threads, threaded_lifecycle);
	tcase_add_test(threads, breakout_moves);
	tcase_add_test(threads, worker_tick_drops_timed_out);
	tcase_add_test(threads, leave_racing_a_drop);
	tcase_add_test(threads, command_racing_a_drop);
	suite_add_tcase(s, threads);
	TCase *pure = tcase_create("pure");
	tcase_add_test(pure, names);
	tcase_add_test(pure, layer_choice);
	tcase_add_test(pure, audio_first_and_data_saver);
	suite_add_tcase(s, pure);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sfu_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
