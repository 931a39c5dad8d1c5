/* layers: what each subscriber receives of each video — which simulcast layer, or nothing
 * (last-N). Screens and pinned participants first, then cameras of the most recent speakers,
 * each at the layer that fits its tile, then the whole set fitted into the subscriber's
 * downlink budget by stepping layers down and pausing videos, the least important first, so
 * that audio always fits (audio first). */
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

uint64_t sfu_layer_bps(const struct sfu_track *t, int i)
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

/* The highest layer whose height fits the tile (the lowest when none does). */
static int fit_layer(const struct sfu_track *t, unsigned height)
{
	for (int li = (int)t->n_layers - 1; li > 0; li--)
		if (layer_height(t, li) <= height * 5 / 4)
			return li;
	return 0;
}

/* What is forwarded for a desired layer: the highest arriving layer at or below it; else the
 * lowest arriving one (the publisher may send only some layers: its own estimate ramps up, or
 * plenum paused the others); before anything arrives, the desired one. */
static int arriving_layer(const struct sfu_track *t, int desired, uint64_t now)
{
	if (desired < 0)
		return -1;
	int lowest = -1;
	for (int li = (int)t->n_layers - 1; li >= 0; li--) {
		if (!arriving(t, li, now))
			continue;
		if (li <= desired)
			return li;
		lowest = li;
	}
	return lowest >= 0 ? lowest : desired;
}

struct cand {
	struct sfu_down *d;
	unsigned rank;
	int layer;
	int fit;                      /* the tile's layer before the budget */
	uint64_t cost[SFU_MAX_LAYERS];   /* what each layer counts for in the budget (with hysteresis) */
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

/* What each layer of a video counts for in the budget. Hysteresis both ways, so that a noisy
 * estimate does not flip layers: a layer at or below the one sent now counts SFU_KEEP_SHARE of
 * its rate (an overuse cuts the estimate to 85 % of what arrives; that alone must not drop a
 * layer), and a paused video's way back counts SFU_RESUME_SHARE of its lowest layer. */
#define SFU_KEEP_SHARE 80
#define SFU_RESUME_SHARE 125

static void layer_costs(struct cand *c)
{
	const struct sfu_track *t = c->d->src;
	int now = c->d->desired_layer;
	for (size_t li = 0; li < t->n_layers; li++) {
		uint64_t bps = sfu_layer_bps(t, (int)li);
		if (now >= 0 && (int)li <= now)
			bps = bps * SFU_KEEP_SHARE / 100;
		else if (now < 0 && c->d->paused_bw)
			bps = bps * SFU_RESUME_SHARE / 100;
		c->cost[li] = bps;
	}
}

/* Fits the videos into the downlink budget, least important first: each steps down a layer at
 * a time, and when even its lowest layer does not fit it is paused — the most important one
 * (the screen, a pinned tile, the latest speaker) last, and audio never (audio first). */
static void fit_budget(struct cand *c, size_t n, uint64_t want, uint64_t budget)
{
	for (size_t i = n; budget && want > budget && i-- > 0;) {
		while (want > budget && c[i].layer > 0) {
			want -= c[i].cost[c[i].layer] - c[i].cost[c[i].layer - 1];
			c[i].layer--;
		}
		if (want > budget && c[i].layer == 0) {
			want -= c[i].cost[0];
			c[i].layer = -1;
		}
	}
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
		if (d->refused) {   /* its browser cannot decode the codec */
			apply(d, -1);
			continue;
		}
		if (d->kind == SFU_KIND_AUDIO) {
			audio++;
			continue;
		}
		c[n++] = (struct cand){ .d = d, .rank = rank_of(sub, d), .fit = -1 };
	}
	qsort(c, n, sizeof c[0], by_rank);   /* stable enough: equal ranks keep offer order mostly */
	/* the client's wish (its layout), never past the operator's cap */
	unsigned cap = sub->sfu && sub->sfu->cfg.max_videos ? sub->sfu->cfg.max_videos : SFU_DEFAULT_LAST_N;
	unsigned last_n = sub->last_n ? sub->last_n : SFU_DEFAULT_LAST_N;
	if (last_n > cap)
		last_n = cap;
	unsigned cams = 0;
	uint64_t audio_bps = (uint64_t)(audio < SFU_AUDIO_TOP_N ? audio : SFU_AUDIO_TOP_N) * SFU_AUDIO_BPS;
	uint64_t want = audio_bps, resume = 0;
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
		c[i].fit = c[i].layer = fit_layer(t, height);
		layer_costs(&c[i]);
		want += c[i].cost[c[i].layer];
		if (!resume)
			resume = audio_bps + sfu_layer_bps(t, 0) * SFU_RESUME_SHARE / 100;   /* the most important video's lowest layer */
	}
	sub->want_bps = want;
	sub->resume_bps = resume;
	fit_budget(c, n, want, sub->budget_bps);
	sub->n_paused_bw = sub->n_lowered = 0;
	for (size_t i = 0; i < n; i++) {
		struct sfu_down *d = c[i].d;
		d->paused_bw = c[i].fit >= 0 && c[i].layer < 0;
		d->desired_layer = c[i].layer;
		sub->n_paused_bw += d->paused_bw;
		sub->n_lowered += c[i].layer >= 0 && c[i].layer < c[i].fit;
		apply(d, arriving_layer(d->src, c[i].layer, now));
	}
}

void sfu_layers_room(struct sfu_room *r)
{
	for (struct sfu_participant *p = r->members; p; p = p->next)
		sfu_layers_assign(p);
	sfu_pub_layers_room(r, clock_now(r->w->clock));
}

void sfu_update_budget(struct sfu_participant *sub)
{
	if (sub->bwe && sub->sub && sfu_peer_up(sub->sub))
		sub->budget_bps = bwe_estimate(sub->bwe, clock_now(sub->w->clock));
	sfu_layers_assign(sub);
}
