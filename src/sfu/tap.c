/* tap: a room's unencrypted RTP payloads and speaker changes for a recorder (src/rec), on the
 * room's media thread. Audio as it arrives; of a video, the best simulcast layer arriving. */
#include <errno.h>
#include <string.h>

#include "sfu/sfu_internal.h"

#define TAP_LAYER_FRESH_US 500000ull   /* a layer with no packet for this long is not arriving */

static int best_layer(const struct sfu_track *t, uint64_t now_us)
{
	for (int i = (int)t->n_layers - 1; i > 0; i--)
		if (t->layers[i].last_packet_us && now_us - t->layers[i].last_packet_us < TAP_LAYER_FRESH_US)
			return i;
	return 0;
}

void sfu_tap_packet(struct sfu_track *t, int layer, const struct rtp_hdr *h, uint16_t seq,
                    const uint8_t *payload, size_t payload_len, bool keyframe, uint64_t now_us)
{
	struct sfu_room *r = t->owner->room;
	if (!r || !r->tap)
		return;
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
		.width = l->width, .height = l->height, .payload = payload, .payload_len = payload_len,
		.now_us = now_us,
	};
	r->tap->media(r->tap_arg, &m);
}

void sfu_tap_speaker(struct sfu_room *r, uint64_t now_us)
{
	if (r->tap && r->tap->speaker)
		r->tap->speaker(r->tap_arg, r->dominant, now_us);
}

bool sfu_tap_wants(const struct sfu_track *t, int layer)
{
	const struct sfu_room *r = t->owner->room;
	return r && r->tap && layer == (int)t->n_layers - 1;
}

void sfu_tap_room_gone(struct sfu_room *r)
{
	const struct sfu_tap_ops *ops = r->tap;
	r->tap = NULL;
	if (ops && ops->ended)
		ops->ended(r->tap_arg);
}

struct tap_call {
	struct sfu_room *r;
	const struct sfu_tap_ops *ops;
	void *arg;
	int err;
};

static void set_tap(void *arg)
{
	struct tap_call *c = arg;
	struct sfu_room *r = c->r;
	if (c->ops && r->tap) {
		c->err = EBUSY;
		return;
	}
	r->tap = c->ops;
	r->tap_arg = c->arg;
	if (!c->ops)
		return;
	uint64_t now = clock_now(r->w->clock);
	for (struct sfu_participant *p = r->members; p; p = p->next)
		for (size_t k = 0; k < p->n_tracks; k++) {
			struct sfu_track *t = p->tracks[k];
			t->tap_layer = -1;
			if (t->kind == SFU_KIND_VIDEO)
				sfu_track_request_keyframe(t, best_layer(t, now), true);
		}
	if (c->ops->speaker)
		c->ops->speaker(c->arg, r->dominant, now);
}

int sfu_tap(struct sfu *sfu, const char *room_key, const struct sfu_tap_ops *ops, void *arg)
{
	struct sfu_room *r = hmap_get(&sfu->rooms, room_key, strlen(room_key));
	if (!r)
		return ENOENT;
	struct tap_call c = { .r = r, .ops = ops, .arg = arg };
	sfu_worker_call(r->w, set_tap, &c);
	return c.err;
}
