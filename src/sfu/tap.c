/* tap: a room's unencrypted RTP payloads and speaker changes for its recorders (src/rec: a
 * recording, an HLS stream), on the room's media thread. Audio as it arrives; of a video, the
 * best simulcast layer arriving; each packet marked with its track's slot in the composed
 * programme (the programme's video, the speaker beside a shared screen, the loudest voices). */
#include <errno.h>
#include <string.h>

#include "base/log.h"
#include "sfu/sfu_internal.h"

static const char *MOD = "tap";

_Static_assert(SFU_TAP_VOICES == SFU_AUDIO_TOP_N, "a voice slot for each forwarded speaker");

#define TAP_LAYER_FRESH_US 500000ull   /* a layer with no packet for this long is not arriving */

static int best_layer(const struct sfu_track *t, uint64_t now_us)
{
	for (int i = (int)t->n_layers - 1; i > 0; i--)
		if (t->layers[i].last_packet_us && now_us - t->layers[i].last_packet_us < TAP_LAYER_FRESH_US)
			return i;
	return 0;
}

static int slot_of(const struct sfu_room *r, const struct sfu_track *t)
{
	if (t == r->tap_video)
		return SFU_TAP_MAIN;
	if (t == r->tap_side)
		return SFU_TAP_SIDE;
	for (int i = 0; i < SFU_AUDIO_TOP_N; i++)
		if (t == r->tap_voice[i])
			return i;
	return -1;
}

void sfu_tap_packet(struct sfu_track *t, int layer, const struct rtp_hdr *h, uint16_t seq,
                    const uint8_t *payload, size_t payload_len, bool keyframe, uint64_t now_us)
{
	struct sfu_room *r = t->owner->room;
	if (!r || !r->n_taps)
		return;
	if (t->kind == SFU_KIND_VIDEO && t->codec != SDP_VIDEO_VP8) {
		/* the recorders reassemble VP8 only (src/rec/frame.c): an H.264 video is left out */
		if (!t->tap_skip_logged)
			log_info(MOD, "participant %u's video is H.264: recordings and streams leave it out", t->owner->id);
		t->tap_skip_logged = true;
		return;
	}
	if (t->kind == SFU_KIND_VIDEO) {
		int best = best_layer(t, now_us);
		if (best != t->tap_layer) {
			t->tap_layer = best;
			sfu_track_request_keyframe(t, best, false);
		}
		if (layer != best)
			return;
	}
	const struct sfu_layer *l = &t->layers[layer];
	struct sfu_tap_media m = {
		.participant_id = t->owner->id, .track_no = t->track_no, .kind = t->kind, .source = t->source,
		.layer = layer, .marker = h->marker, .keyframe = keyframe, .seq = seq, .ts = h->ts,
		.slot = slot_of(r, t),
		.width = l->width, .height = l->height, .payload = payload, .payload_len = payload_len,
		.now_us = now_us,
	};
	bool key = false;
	for (size_t i = 0; i < r->n_taps; i++)
		key |= r->taps[i].ops->media(r->taps[i].arg, &m);
	if (key && t->kind == SFU_KIND_VIDEO)
		sfu_track_request_keyframe(t, layer, false);
}

void sfu_tap_speaker(struct sfu_room *r, uint64_t now_us)
{
	for (size_t i = 0; i < r->n_taps; i++)
		if (r->taps[i].ops->speaker)
			r->taps[i].ops->speaker(r->taps[i].arg, r->dominant, now_us);
}

void sfu_tap_tick(struct sfu_room *r)
{
	if (!r->n_taps)
		return;
	struct sfu_track *video, *audio, *voices[SFU_AUDIO_TOP_N];
	sfu_programme_pick(r, &video, &audio);
	struct sfu_track *side = sfu_programme_side(r, video);
	if (video && video != r->tap_video)
		sfu_track_request_keyframe(video, video->tap_layer >= 0 ? video->tap_layer : 0, true);
	if (side && side != r->tap_side)
		sfu_track_request_keyframe(side, side->tap_layer >= 0 ? side->tap_layer : 0, true);
	r->tap_video = video;
	r->tap_side = side;
	/* a voice keeps its slot while it stays among the loudest; a new one takes a free slot */
	size_t n = sfu_programme_voices(r, voices);
	bool placed[SFU_AUDIO_TOP_N] = { false };
	for (size_t s = 0; s < SFU_AUDIO_TOP_N; s++) {
		size_t k = 0;
		while (k < n && voices[k] != r->tap_voice[s])
			k++;
		if (k < n)
			placed[k] = true;
		else
			r->tap_voice[s] = NULL;
	}
	for (size_t k = 0, s = 0; k < n; k++)
		if (!placed[k]) {
			while (r->tap_voice[s])
				s++;
			r->tap_voice[s] = voices[k];
		}
}

bool sfu_tap_wants(const struct sfu_track *t, int layer)
{
	const struct sfu_room *r = t->owner->room;
	return r && r->n_taps && layer == (int)t->n_layers - 1;
}

void sfu_tap_room_gone(struct sfu_room *r)
{
	struct sfu_tap_slot taps[SFU_TAPS_MAX];
	size_t n = r->n_taps;
	memcpy(taps, r->taps, sizeof taps);
	r->n_taps = 0;
	for (size_t i = 0; i < n; i++)
		if (taps[i].ops->ended)
			taps[i].ops->ended(taps[i].arg);
}

struct tap_call {
	struct sfu_room *r;
	const struct sfu_tap_ops *ops;
	void *arg;
	int err;
};

static size_t find_tap(const struct sfu_room *r, const struct sfu_tap_ops *ops, const void *arg)
{
	size_t i = 0;
	while (i < r->n_taps && !(r->taps[i].ops == ops && r->taps[i].arg == arg))
		i++;
	return i;
}

static void add_tap(void *arg)
{
	struct tap_call *c = arg;
	struct sfu_room *r = c->r;
	if (r->n_taps == SFU_TAPS_MAX || find_tap(r, c->ops, c->arg) < r->n_taps) {
		c->err = EBUSY;
		return;
	}
	r->taps[r->n_taps++] = (struct sfu_tap_slot){ c->ops, c->arg };
	uint64_t now = clock_now(r->w->clock);
	for (struct sfu_participant *p = r->members; p; p = p->next)
		for (size_t k = 0; k < p->n_tracks; k++) {
			struct sfu_track *t = p->tracks[k];
			if (r->n_taps == 1)
				t->tap_layer = -1;
			if (t->kind == SFU_KIND_VIDEO)
				sfu_track_request_keyframe(t, best_layer(t, now), true);
		}
	sfu_tap_tick(r);
	if (c->ops->speaker)
		c->ops->speaker(c->arg, r->dominant, now);
}

static void remove_tap(void *arg)
{
	struct tap_call *c = arg;
	struct sfu_room *r = c->r;
	size_t i = find_tap(r, c->ops, c->arg);
	if (i == r->n_taps)
		return;
	memmove(&r->taps[i], &r->taps[i + 1], (r->n_taps - i - 1) * sizeof r->taps[0]);
	r->n_taps--;
}

static int call(struct sfu *sfu, const char *room_key, void (*fn)(void *), const struct sfu_tap_ops *ops, void *arg)
{
	struct sfu_room *r = hmap_get(&sfu->rooms, room_key, strlen(room_key));
	if (!r)
		return ENOENT;
	struct tap_call c = { .r = r, .ops = ops, .arg = arg };
	sfu_worker_call(r->w, fn, &c);
	return c.err;
}

int sfu_tap(struct sfu *sfu, const char *room_key, const struct sfu_tap_ops *ops, void *arg)
{
	return ops && ops->media ? call(sfu, room_key, add_tap, ops, arg) : EINVAL;
}

void sfu_untap(struct sfu *sfu, const char *room_key, const struct sfu_tap_ops *ops, void *arg)
{
	call(sfu, room_key, remove_tap, ops, arg);
}
