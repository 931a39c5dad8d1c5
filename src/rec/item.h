/* item: a tapped packet (or speaker change) as a ring record — the head below and the RTP payload
 * after it — shared by the recording's writer (session.c) and the HLS feed (hls_feed.c). */
#ifndef PLENUM_REC_ITEM_H
#define PLENUM_REC_ITEM_H

#include <stdbool.h>
#include <stdint.h>

#include "rec/frame.h"
#include "rec/ring.h"
#include "sfu/sfu.h"

#define REC_ITEM_MAX 2048        /* a record at most (head and payload); longer packets are not taken */

enum rec_item_type { REC_ITEM_MEDIA = 1, REC_ITEM_SPEAKER = 2 };

struct rec_item {
	uint8_t type, kind, source;
	int8_t slot;                     /* struct sfu_tap_media's slot */
	bool marker, keyframe;
	uint16_t seq, width, height;
	uint32_t participant_id, track_no, ts;
	uint64_t now_us;
};

/* Media thread: m into the ring (false: too long, or dropped for want of room, counted). */
bool rec_item_put_media(struct rec_ring *r, const struct sfu_tap_media *m);
/* Writer: the record's head (rec holds n ≥ sizeof head bytes) and its packet, at_ms given. */
void rec_item_read(struct rec_item *it, struct track_pkt *p, const uint8_t *rec, size_t n, uint64_t at_ms);

#endif
