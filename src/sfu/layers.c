/* layers: what each subscriber receives of each video — which simulcast layer, or nothing
 * (last-N). Screens and pinned participants first, then cameras of the most recent speakers,
 * each at the layer that fits its tile, then the whole set fitted into the subscriber's
 * downlink budget by stepping layers down and dropping the least recent cameras. */
#include <stdlib.h>
#include <string.h>

#include "sfu/sfu_internal.h"

#define SFU_DEFAULT_TILE_HEIGHT 360
#define SFU_SCREEN_TILE_HEIGHT 1080
#define SFU_AUDIO_BPS 40000u

/* Nominal heights and bitrates of layers whose first keyframe or second of data has not come. */
static uint16_t layer_height(const struct sfu_track *t, int i)
{
	const struct sfu_layer *l = &t->layers[i];
	if (l->height)
		return l->height;
	static const uint16_t nominal[] = { 180, 360, 720 };
	int top = (int)t->n_layers - 1;
	return t->source == SFU_SOURCE_SCREEN ? 1080 : nominal[2 - (top - i)];
}

static uint64_t layer_bps(const struct sfu_track *t, int i)
{
	if (i < 0)
		return 0;
	const struct sfu_layer *l = &t->layers[i];
	if (l->rate_bps)
		return l->rate_bps;
	static const uint64_t nominal[] = { 150000, 500000, 1500000 };
	int top = (int)t->n_layers - 1;
	return t->simulcast ? nominal[2 - (top - i)] : 1000000;
}

static const struct sfu_video_pref *pref_of(const struct sfu_participant *sub, const struct sfu_down *d)
{
	for (size_t i = 0; i < sub->n_prefs; i++)
		if (sub->prefs[i].participant_id == d->src_participant && sub->prefs[i].source == d->source)
			return &sub->prefs[i];
	return NULL;
}

static bool pinned(const struct sfu_participant *sub, uint32_t id)
{
	for (size_t i = 0; i < sub->n_pinned; i++)
		if (sub->pinned[i] == id)
			return true;
	return false;
}

/* Lower rank = more important. */
static unsigned rank_of(const struct sfu_participant *sub, const struct sfu_down *d)
{
	if (d->source == SFU_SOURCE_SCREEN)
		return 0;
	if (pinned(sub, d->src_participant))
		return 1;
	const struct sfu_room *r = sub->room;
	if (r) {
		for (size_t i = 0; i < r->n_recent; i++)
			if (r->recent[i] == d->src_participant)
				return 2 + (unsigned)i;
	}
	return 2 + SFU_DEFAULT_LAST_N * 2;   /* never spoke: join order breaks the tie */
}

/* A layer counts as arriving when a packet came within the last second. */
static bool arriving(const struct sfu_track *t, int i, uint64_t now)
{
	const struct sfu_layer *l = &t->layers[i];
	return l->last_packet_us && now - l->last_packet_us < 1000000u;
}

/* The highest arriving layer that fits the tile; else the lowest arriving one (the publisher
 * may send only its low layers while its own bandwidth estimate ramps up); before anything
 * arrives, the layer that fits. */
static int pick_layer(const struct sfu_track *t, unsigned height, uint64_t now)
{
	int fit = 0, fit_arriving = -1, lowest_arriving = -1;
	for (int li = (int)t->n_layers - 1; li >= 0; li--) {
		bool fits = layer_height(t, li) <= height * 5 / 4;
		if (fits && !fit)
			fit = li;
		if (arriving(t, li, now)) {
			lowest_arriving = li;
			if (fits && fit_arriving < 0)
				fit_arriving = li;
		}
	}
	if (fit_arriving >= 0)
		return fit_arriving;
	return lowest_arriving >= 0 ? lowest_arriving : fit;
}

struct cand {
	struct sfu_down *d;
	unsigned rank;
	int layer;
};

static int by_rank(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	return x->rank != y->rank ? (x->rank < y->rank ? -1 : 1) : 0;
}

static void apply(struct sfu_down *d, int layer)
{
	if (layer == d->target_layer)
		return;
	d->target_layer = layer;
	if (layer >= 0 && d->src)
		sfu_track_request_keyframe(d->src, layer, false);
}

void sfu_layers_assign(struct sfu_participant *sub)
{
	uint64_t now = clock_now(sub->w->clock);
	struct cand c[SFU_MAX_DOWNS];
	size_t n = 0, audio = 0;
	for (size_t i = 0; i < sub->n_downs; i++) {
		struct sfu_down *d = sub->downs[i];
		if (!d->src)
			continue;
		if (d->kind == SFU_KIND_AUDIO) {
			audio++;
			continue;
		}
		c[n++] = (struct cand){ d, rank_of(sub, d), 0 };
	}
	qsort(c, n, sizeof c[0], by_rank);   /* stable enough: equal ranks keep offer order mostly */
	/* the client's wish (its layout), never past the operator's cap */
	unsigned cap = sub->sfu && sub->sfu->cfg.max_videos ? sub->sfu->cfg.max_videos : SFU_DEFAULT_LAST_N;
	unsigned last_n = sub->last_n ? sub->last_n : SFU_DEFAULT_LAST_N;
	if (last_n > cap)
		last_n = cap;
	unsigned cams = 0;
	uint64_t want = (uint64_t)(audio < SFU_AUDIO_TOP_N ? audio : SFU_AUDIO_TOP_N) * SFU_AUDIO_BPS;
	for (size_t i = 0; i < n; i++) {
		const struct sfu_track *t = c[i].d->src;
		const struct sfu_video_pref *pf = pref_of(sub, c[i].d);
		unsigned height = pf ? pf->max_height : (t->source == SFU_SOURCE_SCREEN ? SFU_SCREEN_TILE_HEIGHT : SFU_DEFAULT_TILE_HEIGHT);
		bool camera = t->source != SFU_SOURCE_SCREEN;
		if (height == 0 || (camera && c[i].rank > 1 && cams >= last_n)) {
			c[i].layer = -1;
			continue;
		}
		if (camera)
			cams++;
		int layer = pick_layer(t, height, now);
		c[i].layer = layer;
		want += layer_bps(t, layer);
	}
	/* Over budget: step the least important videos down a layer, then drop them. */
	uint64_t budget = sub->budget_bps;
	for (size_t i = n; budget && want > budget && i-- > 0;) {
		const struct sfu_track *t = c[i].d->src;
		while (want > budget && c[i].layer > 0) {
			want -= layer_bps(t, c[i].layer) - layer_bps(t, c[i].layer - 1);
			c[i].layer--;
		}
		if (want > budget && c[i].layer == 0 && c[i].rank > 0 && i > 0) {
			want -= layer_bps(t, 0);
			c[i].layer = -1;
		}
	}
	for (size_t i = 0; i < n; i++)
		apply(c[i].d, c[i].layer);
}

void sfu_layers_room(struct sfu_room *r)
{
	for (struct sfu_participant *p = r->members; p; p = p->next)
		sfu_layers_assign(p);
}

void sfu_update_budget(struct sfu_participant *sub)
{
	if (sub->bwe && sub->sub && sfu_peer_up(sub->sub))
		sub->budget_bps = bwe_estimate(sub->bwe, clock_now(sub->w->clock));
	sfu_layers_assign(sub);
}
