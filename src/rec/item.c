/* item: tapped packets into ring records and back — the head copied as it is (the ring lives in
 * one process), the payload after it. */
#include <string.h>

#include "rec/item.h"

bool rec_item_put_media(struct rec_ring *r, const struct sfu_tap_media *m)
{
	if (m->payload_len > REC_ITEM_MAX - sizeof(struct rec_item))
		return false;
	struct rec_item it = {
		.type = REC_ITEM_MEDIA, .kind = (uint8_t)m->kind, .source = (uint8_t)m->source, .marker = m->marker,
		.keyframe = m->keyframe, .slot = (int8_t)m->slot, .seq = m->seq, .width = m->width,
		.height = m->height, .participant_id = m->participant_id, .track_no = m->track_no, .ts = m->ts,
		.now_us = m->now_us,
	};
	return rec_ring_put(r, &it, sizeof it, m->payload, m->payload_len);
}

void rec_item_read(struct rec_item *it, struct track_pkt *p, const uint8_t *rec, size_t n, uint64_t at_ms)
{
	memcpy(it, rec, sizeof *it);
	*p = (struct track_pkt){
		.marker = it->marker, .keyframe = it->keyframe, .seq = it->seq, .ts = it->ts, .width = it->width,
		.height = it->height, .payload = rec + sizeof *it, .len = n - sizeof *it, .at_ms = at_ms,
	};
}
