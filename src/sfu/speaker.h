/* speaker: who speaks, from the RFC 6464 audio levels publishers put on every audio packet —
 * a smoothed loudness score per participant; pure functions on an injected clock. */
#ifndef PLENUM_SFU_SPEAKER_H
#define PLENUM_SFU_SPEAKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SFU_AUDIO_TOP_N 3            /* audio of at most this many speakers is forwarded at once */
#define SFU_SPEECH_LEVEL_MAX 60      /* -dBov; quieter packets count as silence */
#define SFU_SPEECH_THRESHOLD 12      /* score above which a participant counts as speaking */

struct sfu_speaker_state {
	uint32_t score_x16;              /* smoothed loudness (dB above the floor) × 16 */
	uint64_t last_packet_us;
	uint64_t last_loud_us;
};

/* One audio packet's level (0 = loudest .. 127 = silence, in -dBov). */
void sfu_speaker_observe(struct sfu_speaker_state *s, uint8_t level, uint64_t now_us);
/* The score now: 0 when nothing arrived for 500 ms (muted, gone, or DTX silence). */
uint32_t sfu_speaker_score(const struct sfu_speaker_state *s, uint64_t now_us);
static inline bool sfu_speaker_active(const struct sfu_speaker_state *s, uint64_t now_us)
{
	return sfu_speaker_score(s, now_us) >= SFU_SPEECH_THRESHOLD;
}

/* Chooses the dominant speaker among n candidates (ids and scores); keeps `current` unless a
 * candidate is clearly louder (hysteresis) or current fell silent. Returns the id, 0 for none. */
uint32_t sfu_speaker_dominant(uint32_t current, const uint32_t *ids, const uint32_t *scores, size_t n);
/* The up-to-k loudest active candidates, loudest first; returns how many. */
size_t sfu_speaker_loudest(const uint32_t *ids, const uint32_t *scores, size_t n, uint32_t *out, size_t k);

#endif
