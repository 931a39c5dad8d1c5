/* programme: what the public sees and hears of a room — a pure choice over the room's members,
 * speakers (RFC 6464 levels, speaker.c) and tracks, for WHEP viewers and the HLS feed. */
#include "sfu/sfu_internal.h"

static const struct sfu_participant *member(const struct sfu_room *r, uint32_t id)
{
	for (const struct sfu_participant *p = r->members; id && p; p = p->next)
		if (p->id == id)
			return p;
	return NULL;
}

static bool arriving(const struct sfu_track *t)
{
	for (size_t i = 0; i < t->n_layers; i++)
		if (t->layers[i].receiving)
			return true;
	return false;
}

/* p's track of `source` that can be shown: not muted by p or a host, arriving, and (a video) in
 * VP8, which every viewer decodes and the recorders reassemble. */
static struct sfu_track *track_of(const struct sfu_participant *p, enum sfu_source source)
{
	if (!p || p->forced_mute[source] || (source == SFU_SOURCE_CAMERA && p->video_muted) ||
	    (source == SFU_SOURCE_MICROPHONE && p->audio_muted))
		return NULL;
	for (size_t k = 0; k < p->n_tracks; k++)
		if (p->tracks[k]->source == source && arriving(p->tracks[k]) &&
		    (p->tracks[k]->kind == SFU_KIND_AUDIO || p->tracks[k]->codec == SDP_VIDEO_VP8))
			return p->tracks[k];
	return NULL;
}

/* The first track of `source` among: the dominant speaker, the recent speakers (most recent
 * first), then (when `anyone`) every member. */
static struct sfu_track *by_speech(const struct sfu_room *r, enum sfu_source source, bool anyone)
{
	struct sfu_track *t = track_of(member(r, r->dominant), source);
	for (size_t i = 0; !t && i < r->n_recent; i++)
		t = track_of(member(r, r->recent[i]), source);
	for (const struct sfu_participant *p = r->members; !t && anyone && p; p = p->next)
		t = track_of(p, source);
	return t;
}

void sfu_programme_pick(const struct sfu_room *r, struct sfu_track **video, struct sfu_track **audio)
{
	*video = by_speech(r, SFU_SOURCE_SCREEN, true);
	if (!*video)
		*video = by_speech(r, SFU_SOURCE_CAMERA, true);
	*audio = by_speech(r, SFU_SOURCE_MICROPHONE, true);
}

struct sfu_track *sfu_programme_side(const struct sfu_room *r, const struct sfu_track *video)
{
	return video && video->source == SFU_SOURCE_SCREEN ? by_speech(r, SFU_SOURCE_CAMERA, true) : NULL;
}

size_t sfu_programme_voices(const struct sfu_room *r, struct sfu_track **out)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n_loudest; i++)
		if ((out[n] = track_of(member(r, r->loudest[i]), SFU_SOURCE_MICROPHONE)))
			n++;
	return n;
}
