/* pub_layers: data saver at the publisher — a simulcast layer that no subscriber's tile and
 * downlink ask for is switched off at the publisher's browser (publish_layers event →
 * encodings[i].active = false) once nobody wanted it for SFU_PUB_LAYER_IDLE_US, and on again as
 * soon as someone does. The lowest layer always stays on, so a newcomer sees video at once. */
#include <stdio.h>

#include "sfu/sfu_internal.h"

#define SFU_PUB_LAYER_IDLE_US 3000000ull

static void tell(struct sfu_participant *p, const struct sfu_track *t)
{
	struct sfu_publish_layers l = { .n = t->n_layers };
	snprintf(l.mid, sizeof l.mid, "%s", t->mid);
	for (size_t i = 0; i < t->n_layers; i++) {
		snprintf(l.rids[i], sizeof l.rids[i], "%s", t->layers[i].rid);
		l.active[i] = !t->layer_off[i];
	}
	if (p->ev && p->ev->publish_layers)
		p->ev->publish_layers(p->ev_arg, &l);
}

static void track_update(struct sfu_track *t, uint64_t now)
{
	if (t->kind != SFU_KIND_VIDEO || !t->simulcast || t->n_layers < 2 || !t->layers[0].rid[0])
		return;
	bool needed[SFU_MAX_LAYERS] = { true };
	for (size_t i = 0; i < t->n_downs; i++) {
		const struct sfu_down *d = t->downs[i];
		if (d->desired_layer >= 0 && (size_t)d->desired_layer < t->n_layers)
			needed[d->desired_layer] = true;
		if (d->target_layer >= 0 && (size_t)d->target_layer < t->n_layers)
			needed[d->target_layer] = true;
	}
	for (size_t li = 1; li < t->n_layers; li++)
		if (sfu_tap_wants(t, (int)li))
			needed[li] = true;   /* a recording takes the best layer */
	struct sfu_worker *w = t->owner->w;
	bool changed = false;
	for (size_t li = 1; li < t->n_layers; li++) {
		if (needed[li]) {
			t->layer_unneeded_since[li] = 0;
			if (t->layer_off[li]) {
				t->layer_off[li] = false;
				w->pub_layers_resumed++;
				changed = true;
			}
		} else if (!t->layer_unneeded_since[li]) {
			t->layer_unneeded_since[li] = now;
		} else if (!t->layer_off[li] && now - t->layer_unneeded_since[li] >= SFU_PUB_LAYER_IDLE_US) {
			t->layer_off[li] = true;
			w->pub_layers_paused++;
			changed = true;
		}
	}
	if (changed)
		tell(t->owner, t);
}

void sfu_pub_layers_room(struct sfu_room *r, uint64_t now)
{
	if (r->sfu && r->sfu->cfg.keep_unused_layers)
		return;
	for (struct sfu_participant *p = r->members; p; p = p->next)
		for (size_t k = 0; k < p->n_tracks; k++)
			track_update(p->tracks[k], now);
}
