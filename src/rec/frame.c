/* frame: RTP of one track → whole frames. VP8 (RFC 7741 §4): the S bit with partition 0 starts a
 * frame, the marker bit ends it; a sequence gap inside or between frames drops what follows up
 * to the next keyframe (which the tap asks the publisher for). Opus (RFC 7587): one
 * packet, one frame. RTP time (90 or 48 kHz) unwrapped into ms from the first frame's arrival. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec/vp8.h"
#include "rec/frame.h"

#define FRAME_MAX (2u << 20)   /* one VP8 frame at most (a 4K keyframe is well below) */

int rec_frames_init(struct rec_frames *a, bool video)
{
	memset(a, 0, sizeof *a);
	a->video = video;
	a->need_key = video;
	if (video && !(a->buf = malloc(FRAME_MAX)))
		return ENOMEM;
	return 0;
}

void rec_frames_free(struct rec_frames *a)
{
	free(a->buf);
	a->buf = NULL;
}

void rec_frames_restart(struct rec_frames *a)
{
	a->have_ts = false;
}

static uint64_t frame_ms(struct rec_frames *a, uint32_t ts, uint64_t at_ms)
{
	unsigned khz = a->video ? 90 : 48;
	if (!a->have_ts) {
		a->have_ts = true;
		a->last_ts = ts;
		a->ts_ext = 0;
		a->first_at_ms = at_ms;
	} else {
		a->ts_ext += (int32_t)(ts - a->last_ts);
		a->last_ts = ts;
	}
	int64_t ms = (int64_t)a->first_at_ms + a->ts_ext / khz;
	return ms < 0 ? 0 : (uint64_t)ms;
}

static bool put_vp8(struct rec_frames *a, const struct track_pkt *p, struct rec_frame *out)
{
	struct vp8_desc d;
	if (vp8_parse_descriptor(&d, p->payload, p->len) != 0)
		return false;
	const uint8_t *vp = p->payload + d.desc_len;
	size_t vlen = p->len - d.desc_len;
	if (d.start_of_partition && d.partition_id == 0) {
		/* packets lost between frames (a whole frame, or the end of the last): what follows
		 * refers to what is missing, so only a keyframe helps */
		if (a->seq_known && p->seq != a->next_seq && !p->keyframe)
			a->need_key = true;
		a->in_frame = !(a->need_key && !p->keyframe);
		a->len = 0;
		a->key = p->keyframe;
		a->frame_ts = p->ts;
	} else if (!a->in_frame || p->seq != a->next_seq || p->ts != a->frame_ts) {
		if (a->in_frame)
			a->need_key = true;      /* a lost packet: the following frames cannot be decoded */
		a->in_frame = false;
		return false;
	}
	if (!a->in_frame)
		return false;
	if (a->len + vlen > FRAME_MAX) {
		a->in_frame = false;
		a->need_key = true;
		return false;
	}
	memcpy(a->buf + a->len, vp, vlen);
	a->len += vlen;
	a->next_seq = (uint16_t)(p->seq + 1);
	a->seq_known = true;
	if (!p->marker)
		return false;
	a->in_frame = false;
	if (a->key)
		a->need_key = false;
	*out = (struct rec_frame){ a->buf, a->len, a->key, frame_ms(a, a->frame_ts, p->at_ms), p->width, p->height };
	return true;
}

bool rec_frames_put(struct rec_frames *a, const struct track_pkt *p, struct rec_frame *out)
{
	if (a->video)
		return put_vp8(a, p, out);
	*out = (struct rec_frame){ p->payload, p->len, true, frame_ms(a, p->ts, p->at_ms), 0, 0 };
	return true;
}
