/* speaker: loudness scores from RFC 6464 levels (an exponential average over ~200 ms of
 * packets), dominant-speaker choice with hysteresis, and the loudest few; plus the per-room
 * update that tells everybody when the dominant speaker changes. */
#include "sfu/speaker.h"

#include <stddef.h>
#include <string.h>

#include "sfu/sfu_internal.h"

#define SILENT_AFTER_US 500000u

void sfu_speaker_observe(struct sfu_speaker_state *s, uint8_t level, uint64_t now_us)
{
	level &= 0x7f;
	uint32_t loud = level <= SFU_SPEECH_LEVEL_MAX ? (uint32_t)(SFU_SPEECH_LEVEL_MAX + 1 - level) : 0;
	if (s->last_packet_us && now_us - s->last_packet_us > SILENT_AFTER_US)
		s->score_x16 = 0;
	/* score += (loud - score) / 10 per 20 ms packet: a time constant of about 200 ms */
	int64_t target = (int64_t)loud * 16, cur = s->score_x16;
	s->score_x16 = (uint32_t)(cur + (target - cur) / 10);
	s->last_packet_us = now_us;
	if (loud)
		s->last_loud_us = now_us;
}

uint32_t sfu_speaker_score(const struct sfu_speaker_state *s, uint64_t now_us)
{
	if (!s->last_packet_us || now_us - s->last_packet_us > SILENT_AFTER_US)
		return 0;
	return s->score_x16 / 16;
}

uint32_t sfu_speaker_dominant(uint32_t current, const uint32_t *ids, const uint32_t *scores, size_t n)
{
	uint32_t best = 0, best_score = 0, cur_score = 0;
	for (size_t i = 0; i < n; i++) {
		if (ids[i] == current)
			cur_score = scores[i];
		if (scores[i] > best_score) {
			best = ids[i];
			best_score = scores[i];
		}
	}
	if (best_score < SFU_SPEECH_THRESHOLD)
		return current;   /* nobody speaks: the last speaker stays dominant */
	if (best == current || cur_score < SFU_SPEECH_THRESHOLD)
		return best;
	/* both speak: switch only when the other is clearly louder */
	return best_score * 4 > cur_score * 5 ? best : current;
}

size_t sfu_speaker_loudest(const uint32_t *ids, const uint32_t *scores, size_t n, uint32_t *out, size_t k)
{
	uint32_t sc[16];
	size_t m = 0;
	if (k > sizeof sc / sizeof sc[0])
		k = sizeof sc / sizeof sc[0];
	for (size_t i = 0; i < n && k; i++) {
		if (scores[i] < SFU_SPEECH_THRESHOLD || (m == k && scores[i] <= sc[m - 1]))
			continue;
		size_t pos = m < k ? m : k - 1;   /* when full, the quietest makes room */
		while (pos > 0 && sc[pos - 1] < scores[i]) {
			sc[pos] = sc[pos - 1];
			out[pos] = out[pos - 1];
			pos--;
		}
		sc[pos] = scores[i];
		out[pos] = ids[i];
		if (m < k)
			m++;
	}
	return m;
}

static void note_recent(struct sfu_room *r, uint32_t id)
{
	size_t cap = sizeof r->recent / sizeof r->recent[0], i;
	for (i = 0; i < r->n_recent && r->recent[i] != id; i++)
		;
	if (i == r->n_recent && r->n_recent < cap)
		r->n_recent++;
	if (i >= r->n_recent)
		i = r->n_recent - 1;
	memmove(&r->recent[1], &r->recent[0], i * sizeof r->recent[0]);
	r->recent[0] = id;
}

void sfu_speakers_update(struct sfu_room *r, uint64_t now_us)
{
	uint32_t ids[256], scores[256];
	size_t n = 0;
	for (struct sfu_participant *p = r->members; p && n < 256; p = p->next) {
		ids[n] = p->id;
		scores[n++] = (p->audio_muted || p->forced_mute[SFU_SOURCE_MICROPHONE]) ? 0 : sfu_speaker_score(&p->speech, now_us);
	}
	r->n_loudest = sfu_speaker_loudest(ids, scores, n, r->loudest, SFU_AUDIO_TOP_N);
	uint32_t dom = sfu_speaker_dominant(r->dominant, ids, scores, n);
	if (dom == r->dominant)
		return;
	r->dominant = dom;
	note_recent(r, dom);
	sfu_tap_speaker(r, now_us);
	for (struct sfu_participant *p = r->members; p; p = p->next)
		if (p->ev->active_speaker)
			p->ev->active_speaker(p->ev_arg, dom);
	sfu_layers_room(r);   /* last-N follows the speakers */
}
