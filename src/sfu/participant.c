/* participant: what signaling changes about one participant after it joined — its mute state,
 * a host's forced mute, and its wishes for the video it receives — each run on its worker. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sfu/sfu_internal.h"

struct media_call {
	struct sfu_participant *p;
	bool audio_muted, video_muted;
	enum sfu_source source;
	int err;
};

static void set_media_state(void *arg)
{
	struct media_call *c = arg;
	struct sfu_participant *p = c->p;
	if (p->gone) {
		c->err = -SFU_ERR_STATE;
		return;
	}
	/* Unmuting oneself lifts a host's mute: a host can mute, only the participant unmutes. */
	if (!c->audio_muted)
		p->forced_mute[SFU_SOURCE_MICROPHONE] = false;
	if (!c->video_muted)
		p->forced_mute[SFU_SOURCE_CAMERA] = false;
	if (p->audio_muted == c->audio_muted && p->video_muted == c->video_muted)
		return;
	p->audio_muted = c->audio_muted;
	p->video_muted = c->video_muted;
	if (p->room)
		sfu_room_broadcast_update(p->room, p);
}

int sfu_set_media_state(struct sfu_participant *p, bool audio_muted, bool video_muted)
{
	struct media_call c = { .p = p, .audio_muted = audio_muted, .video_muted = video_muted };
	sfu_worker_call(p->w, set_media_state, &c);
	return c.err;
}

static void force_mute(void *arg)
{
	struct media_call *c = arg;
	struct sfu_participant *p = c->p;
	if (p->gone) {
		c->err = -SFU_ERR_STATE;
		return;
	}
	p->forced_mute[c->source] = true;
	if (c->source == SFU_SOURCE_MICROPHONE)
		p->audio_muted = true;
	else if (c->source == SFU_SOURCE_CAMERA)
		p->video_muted = true;
	if (p->room)
		sfu_room_broadcast_update(p->room, p);
}

int sfu_force_mute(struct sfu_participant *p, enum sfu_source source)
{
	if (source >= SFU_SOURCE_COUNT)
		return EINVAL;
	struct media_call c = { .p = p, .source = source };
	sfu_worker_call(p->w, force_mute, &c);
	return c.err;
}

struct prefs_call {
	struct sfu_participant *p;
	unsigned last_n;
	struct sfu_video_pref *prefs;   /* copies, handed over to p */
	size_t n_prefs;
	uint32_t *pinned;
	size_t n_pinned;
	int err;
};

static void set_video_prefs(void *arg)
{
	struct prefs_call *c = arg;
	struct sfu_participant *p = c->p;
	if (p->gone) {
		c->err = -SFU_ERR_STATE;
		return;
	}
	free(p->prefs);
	free(p->pinned);
	p->prefs = c->prefs;
	p->n_prefs = c->n_prefs;
	p->pinned = c->pinned;
	p->n_pinned = c->n_pinned;
	p->last_n = c->last_n;
	c->prefs = NULL;
	c->pinned = NULL;
	sfu_layers_assign(p);
}

int sfu_set_video_prefs(struct sfu_participant *p, unsigned last_n, const struct sfu_video_pref *prefs,
                        size_t n_prefs, const uint32_t *pinned, size_t n_pinned)
{
	struct prefs_call c = { .p = p, .last_n = last_n, .n_prefs = n_prefs, .n_pinned = n_pinned };
	c.prefs = n_prefs ? malloc(n_prefs * sizeof *c.prefs) : NULL;
	c.pinned = n_pinned ? malloc(n_pinned * sizeof *c.pinned) : NULL;
	if ((n_prefs && !c.prefs) || (n_pinned && !c.pinned)) {
		free(c.prefs);
		free(c.pinned);
		return ENOMEM;
	}
	if (n_prefs)
		memcpy(c.prefs, prefs, n_prefs * sizeof *c.prefs);
	if (n_pinned)
		memcpy(c.pinned, pinned, n_pinned * sizeof *c.pinned);
	sfu_worker_call(p->w, set_video_prefs, &c);
	free(c.prefs);   /* not taken: p was gone */
	free(c.pinned);
	return c.err;
}
