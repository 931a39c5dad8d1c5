/* test_view: what WHEP viewers get — the programme of a room (sfu_programme_pick) and plenum's
 * answer to a viewer's offer (sdp_answer_view), against Chromium-like and aiortc offers.
 * draft-ietf-wish-whep, RFC 8829 §5.3, RFC 8843. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdp.h"
#include "sfu/sfu_internal.h"

#define VEC "tests/vectors/sdp/"

/* ---- the programme ---------------------------------------------------------------------------- */

static struct sfu_room room;
static struct sfu_participant people[3];
static struct sfu_track tracks[3][3];   /* per participant: microphone, camera, screen */

static void add_track(int who, enum sfu_source source, bool receiving)
{
	struct sfu_participant *p = &people[who];
	struct sfu_track *t = &tracks[who][source];
	t->owner = p;
	t->source = source;
	t->kind = source == SFU_SOURCE_MICROPHONE ? SFU_KIND_AUDIO : SFU_KIND_VIDEO;
	t->n_layers = 1;
	t->layers[0].receiving = receiving;
	p->tracks[p->n_tracks++] = t;
}

/* Three members, 11 and 12 with microphone and camera, 13 with a camera only. */
static void programme_setup(void)
{
	memset(&room, 0, sizeof room);
	memset(people, 0, sizeof people);
	memset(tracks, 0, sizeof tracks);
	for (int i = 0; i < 3; i++) {
		people[i].id = 11 + (uint32_t)i;
		people[i].room = &room;
		people[i].next = i < 2 ? &people[i + 1] : NULL;
	}
	room.members = &people[0];
	room.count = 3;
	add_track(0, SFU_SOURCE_MICROPHONE, true);
	add_track(0, SFU_SOURCE_CAMERA, true);
	add_track(1, SFU_SOURCE_MICROPHONE, true);
	add_track(1, SFU_SOURCE_CAMERA, true);
	add_track(2, SFU_SOURCE_CAMERA, true);
}

/* 12 speaks now, 11 spoke before */
static void speaking_12_then_11(void)
{
	room.dominant = 12;
	room.recent[0] = 12;
	room.recent[1] = 11;
	room.n_recent = 2;
}

static void pick(struct sfu_track **video, struct sfu_track **audio)
{
	*video = *audio = (struct sfu_track *)&room;   /* overwritten, NULL included */
	sfu_programme_pick(&room, video, audio);
}

START_TEST(programme_follows_the_speaker)
{
	struct sfu_track *v, *a;
	speaking_12_then_11();
	pick(&v, &a);
	ck_assert_ptr_eq(v, &tracks[1][SFU_SOURCE_CAMERA]);
	ck_assert_ptr_eq(a, &tracks[1][SFU_SOURCE_MICROPHONE]);
	/* the speaker changes */
	room.dominant = 11;
	room.recent[0] = 11;
	room.recent[1] = 12;
	pick(&v, &a);
	ck_assert_ptr_eq(v, &tracks[0][SFU_SOURCE_CAMERA]);
	ck_assert_ptr_eq(a, &tracks[0][SFU_SOURCE_MICROPHONE]);
	/* silence: the most recent speaker stays on */
	room.dominant = 0;
	pick(&v, &a);
	ck_assert_ptr_eq(v, &tracks[0][SFU_SOURCE_CAMERA]);
	ck_assert_ptr_eq(a, &tracks[0][SFU_SOURCE_MICROPHONE]);
}
END_TEST

START_TEST(programme_screen_first)
{
	struct sfu_track *v, *a;
	room.dominant = 12;
	add_track(2, SFU_SOURCE_SCREEN, true);
	pick(&v, &a);
	ck_assert_ptr_eq(v, &tracks[2][SFU_SOURCE_SCREEN]);   /* 13 shares, 12 speaks */
	ck_assert_ptr_eq(a, &tracks[1][SFU_SOURCE_MICROPHONE]);
	people[2].forced_mute[SFU_SOURCE_SCREEN] = true;      /* a host stopped the share */
	pick(&v, &a);
	ck_assert_ptr_eq(v, &tracks[1][SFU_SOURCE_CAMERA]);
}
END_TEST

START_TEST(programme_skips_muted_and_silent_tracks)
{
	struct sfu_track *v, *a;
	speaking_12_then_11();
	people[1].video_muted = true;                         /* the speaker's camera is off */
	pick(&v, &a);
	ck_assert_ptr_eq(v, &tracks[0][SFU_SOURCE_CAMERA]);   /* the speaker before */
	ck_assert_ptr_eq(a, &tracks[1][SFU_SOURCE_MICROPHONE]);
	tracks[0][SFU_SOURCE_CAMERA].layers[0].receiving = false;   /* nothing arrives from it */
	pick(&v, &a);
	ck_assert_ptr_eq(v, &tracks[2][SFU_SOURCE_CAMERA]);   /* any camera */
	people[1].forced_mute[SFU_SOURCE_MICROPHONE] = true;
	pick(&v, &a);
	ck_assert_ptr_eq(a, &tracks[0][SFU_SOURCE_MICROPHONE]);
}
END_TEST

/* Viewers and recordings take VP8 only: the speaker's H.264 camera is passed over for the next
 * VP8 one, its microphone stays the programme's audio, and an H.264 screen share is not shown. */
START_TEST(programme_skips_h264_videos)
{
	struct sfu_track *v, *a;
	speaking_12_then_11();
	tracks[1][SFU_SOURCE_CAMERA].codec = SDP_VIDEO_H264;
	pick(&v, &a);
	ck_assert_ptr_eq(v, &tracks[0][SFU_SOURCE_CAMERA]);
	ck_assert_ptr_eq(a, &tracks[1][SFU_SOURCE_MICROPHONE]);
	add_track(2, SFU_SOURCE_SCREEN, true);
	tracks[2][SFU_SOURCE_SCREEN].codec = SDP_VIDEO_H264;
	pick(&v, &a);
	ck_assert_ptr_eq(v, &tracks[0][SFU_SOURCE_CAMERA]);
	tracks[0][SFU_SOURCE_CAMERA].codec = SDP_VIDEO_H264;
	tracks[2][SFU_SOURCE_CAMERA].codec = SDP_VIDEO_H264;
	pick(&v, &a);
	ck_assert_ptr_null(v);   /* every video is H.264: none */
	ck_assert_ptr_eq(a, &tracks[1][SFU_SOURCE_MICROPHONE]);
}
END_TEST

START_TEST(programme_nobody_speaks_yet)
{
	struct sfu_track *v, *a;
	pick(&v, &a);   /* no speaker ever: the first member with a camera, with a microphone */
	ck_assert_ptr_eq(v, &tracks[0][SFU_SOURCE_CAMERA]);
	ck_assert_ptr_eq(a, &tracks[0][SFU_SOURCE_MICROPHONE]);
	room.members = NULL;
	pick(&v, &a);
	ck_assert_ptr_null(v);
	ck_assert_ptr_null(a);
}
END_TEST

/* ---- the answer ------------------------------------------------------------------------------- */

static const struct sdp_local local = {
	.ice_ufrag = "plnm",
	.ice_pwd = "plenumplenumplenumplenum",
	.fingerprint = "9A:3C:1E:55:07:B2:6F:D4:88:10:EE:42:39:7C:C1:05:6B:2F:90:AD:13:4E:F7:62:08:5C:B9:31:DA:74:0E:A6",
	.ip = "127.0.0.1",
	.port = 40000,
	.sess_id = 77,
	.sess_version = 1,
};

static const struct sdp_view_send send_ids = { 1111, 2222, 2223, "plenum-live", "plenum-live-1" };

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s (run from the repository root)", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = calloc(1, (size_t)n + 1);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

struct answered {
	struct sdp_session *offer, *answer;
	struct sdp_view_media out[SDP_MAX_MEDIA];
	size_t n;
	char text[16384];
	int err;
};

static struct answered *answer_text(const char *offer)
{
	struct answered *a = calloc(1, sizeof *a);
	ck_assert_int_eq(sdp_session_new(&a->offer), 0);
	ck_assert_int_eq(sdp_session_new(&a->answer), 0);
	ck_assert_int_eq(sdp_parse(a->offer, offer, strlen(offer)), 0);
	a->err = sdp_answer_view(a->offer, &local, &send_ids, a->out, SDP_MAX_MEDIA, &a->n, a->text, sizeof a->text);
	if (!a->err)
		ck_assert_int_eq(sdp_parse(a->answer, a->text, strlen(a->text)), 0);
	return a;
}

static struct answered *answer_file(const char *path)
{
	char *text = slurp(path);
	struct answered *a = answer_text(text);
	free(text);
	return a;
}

static void answered_free(struct answered *a)
{
	sdp_session_free(a->offer);
	sdp_session_free(a->answer);
	free(a);
}

/* The answer sends audio and video on the offer's payload types, one bundle, plenum's SSRCs. */
static void check_sends(const struct answered *a, uint8_t opus, uint8_t vp8, uint8_t rtx)
{
	ck_assert_int_eq(a->err, 0);
	ck_assert_uint_eq(a->n, 2);
	ck_assert(a->out[0].accepted && a->out[1].accepted);
	ck_assert_uint_eq(a->out[0].pt, opus);
	ck_assert_uint_eq(a->out[1].pt, vp8);
	ck_assert_uint_eq(a->out[1].rtx_pt, rtx);
	const struct sdp_session *s = a->answer;
	ck_assert(s->ice_lite);
	ck_assert_uint_eq(s->n_bundle, 2);
	ck_assert_uint_eq(s->n_media, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct sdp_media *m = &s->media[i];
		ck_assert_int_eq(m->dir, SDP_DIR_SENDONLY);
		ck_assert_str_eq(m->setup, "passive");
		ck_assert(m->rtcp_mux);
		ck_assert_str_eq(m->mid, a->offer->media[i].mid);
	}
	ck_assert_uint_eq(s->media[0].ssrcs[0], 1111);
	ck_assert_str_eq(sdp_media_codec(&s->media[0], opus)->name, "opus");
	ck_assert_str_eq(sdp_media_codec(&s->media[1], vp8)->name, "VP8");
	ck_assert_uint_eq(s->media[1].fid_primary, 2222);
	ck_assert_uint_eq(s->media[1].fid_rtx, 2223);
	ck_assert_uint_eq(sdp_media_codec(&s->media[1], rtx)->rtx_apt, vp8);
	ck_assert_ptr_null(sdp_media_codec(&s->media[1], 102));   /* H.264 not answered */
	ck_assert_ptr_nonnull(strstr(a->text, "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\n"));
}

START_TEST(answer_chromium)
{
	struct answered *a = answer_file(VEC "chromium-whep-offer.sdp");
	check_sends(a, 111, 96, 97);
	ck_assert_uint_eq(a->out[1].ext_twcc, 3);   /* transport-cc offered with its feedback */
	ck_assert(a->out[1].fb_nack && a->out[1].fb_pli);
	ck_assert_uint_eq(sdp_media_ext_id(&a->answer->media[1], SDP_EXT_TWCC), 3);
	ck_assert_uint_eq(sdp_media_ext_id(&a->answer->media[1], SDP_EXT_ABS_SEND_TIME), 0);
	ck_assert(sdp_media_codec(&a->answer->media[1], 96)->fb_nack_pli);
	answered_free(a);
}
END_TEST

START_TEST(answer_aiortc)
{
	struct answered *a = answer_file(VEC "aiortc-whep-offer.sdp");
	check_sends(a, 96, 97, 98);
	ck_assert_uint_eq(a->out[1].ext_twcc, 0);   /* aiortc offers no transport-cc */
	ck_assert(a->out[1].fb_remb && a->out[1].fb_nack);
	ck_assert_ptr_null(strstr(a->text, "transport-cc"));
	answered_free(a);
}
END_TEST

static char *replaced(const char *text, const char *from, const char *to)
{
	char *out = calloc(1, strlen(text) + strlen(to) + 1);
	const char *hit = strstr(text, from);
	ck_assert_ptr_nonnull(hit);
	memcpy(out, text, (size_t)(hit - text));
	strcat(out, to);
	strcat(out, hit + strlen(from));
	return out;
}

START_TEST(answer_refusals)
{
	char *base = slurp(VEC "aiortc-whep-offer.sdp");
	/* one offer change each: what must make the answer fail */
	static const char *const bad[][2] = {
		{ "a=recvonly", "a=sendonly" },   /* the first (audio) m-line sends instead */
		{ "a=setup:actpass", "a=setup:passive" },
		{ "a=group:BUNDLE 0 1", "a=group:LS 0 1" },
		{ "a=ice-ufrag:", "a=x-ice-ufrag:" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *t = replaced(base, bad[i][0], bad[i][1]);
		struct answered *a = answer_text(t);
		if (i == 0) {   /* the audio m-line turns inactive in the answer, video is still sent */
			ck_assert_int_eq(a->err, 0);
			ck_assert(!a->out[0].accepted && a->out[1].accepted);
			ck_assert_uint_eq(a->answer->media[0].port, 0);
		} else {
			ck_assert_msg(a->err == EPROTO, "change %zu: %d", i, a->err);
		}
		answered_free(a);
		free(t);
	}
	/* no VP8 and no Opus: nothing to send */
	char *t = replaced(base, "a=rtpmap:97 VP8/90000", "a=rtpmap:97 AV1/90000");
	char *t2 = replaced(t, "a=rtpmap:96 opus/48000/2", "a=rtpmap:96 G722/8000");
	struct answered *a = answer_text(t2);
	ck_assert_int_eq(a->err, EPROTO);
	answered_free(a);
	/* plenum's own side must be sane */
	struct sdp_view_send zero = { 0 };
	a = answer_text(base);
	ck_assert_int_eq(sdp_answer_view(a->offer, &local, &zero, a->out, SDP_MAX_MEDIA, &a->n, a->text, sizeof a->text),
	                 EINVAL);
	ck_assert_int_eq(sdp_answer_view(a->offer, &local, &send_ids, a->out, SDP_MAX_MEDIA, &a->n, a->text, 200), ENOSPC);
	answered_free(a);
	free(t);
	free(t2);
	free(base);
}
END_TEST

START_TEST(answer_second_video_rejected)
{
	char *base = slurp(VEC "chromium-whep-offer.sdp");
	/* a third m-line, a second video: only the first of a kind is sent */
	const char *video = strstr(base, "m=video");
	size_t head = (size_t)(video - base);
	char *t = calloc(1, strlen(base) * 2 + 64);
	memcpy(t, base, head);
	strcat(t, video);
	strcat(t, video);
	char *t2 = replaced(t, "a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2");
	char *second = strstr(strstr(t2, "a=mid:1") + 7, "a=mid:1");
	second[6] = '2';
	struct answered *a = answer_text(t2);
	ck_assert_int_eq(a->err, 0);
	ck_assert_uint_eq(a->n, 3);
	ck_assert(a->out[1].accepted && !a->out[2].accepted);
	ck_assert_uint_eq(a->answer->media[2].port, 0);
	ck_assert_uint_eq(a->answer->n_bundle, 2);
	answered_free(a);
	free(t);
	free(t2);
	free(base);
}
END_TEST

static Suite *view_suite(void)
{
	Suite *s = suite_create("view");
	TCase *tc = tcase_create("programme");
	tcase_add_checked_fixture(tc, programme_setup, NULL);
	tcase_add_test(tc, programme_follows_the_speaker);
	tcase_add_test(tc, programme_screen_first);
	tcase_add_test(tc, programme_skips_muted_and_silent_tracks);
	tcase_add_test(tc, programme_nobody_speaks_yet);
	tcase_add_test(tc, programme_skips_h264_videos);
	suite_add_tcase(s, tc);
	tc = tcase_create("answer");
	tcase_add_test(tc, answer_chromium);
	tcase_add_test(tc, answer_aiortc);
	tcase_add_test(tc, answer_refusals);
	tcase_add_test(tc, answer_second_video_rejected);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(view_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
