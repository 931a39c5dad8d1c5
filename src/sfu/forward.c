/* forward: sequence number and timestamp rewriting (RFC 3550 §5.1, RFC 7667 §3.7 switching
 * middlebox): out = src + offset, with the offsets recomputed at each re-base. */
#include "sfu/forward.h"

#include <string.h>

#include "codec/vp8.h"

void sfu_fwd_init(struct sfu_fwd *f, bool video, uint32_t clock_rate, uint16_t first_seq, uint32_t first_ts)
{
	memset(f, 0, sizeof *f);
	f->video = video;
	f->clock_rate = clock_rate ? clock_rate : 90000;
	f->last_out_seq = (uint16_t)(first_seq - 1);
	f->last_out_ts = first_ts;
}

void sfu_fwd_rebase(struct sfu_fwd *f)
{
	f->started = false;
}

bool sfu_fwd_map(struct sfu_fwd *f, uint16_t seq, uint32_t ts, bool keyframe, uint64_t now_us,
                 uint16_t *seq_out, uint32_t *ts_out, bool *rebased)
{
	*rebased = false;
	if (!f->started) {
		*rebased = true;
		if (f->video && !keyframe)
			return false;
		/* Continue right after the last forwarded packet; advance the timestamp by the
		 * wall-clock time that passed, so the receiver's jitter buffer sees real time. */
		uint16_t next_seq = (uint16_t)(f->last_out_seq + 1);
		uint32_t next_ts = f->last_out_ts;
		if (f->ever) {
			uint64_t gap_us = now_us > f->last_out_us ? now_us - f->last_out_us : 0;
			uint64_t ticks = gap_us * f->clock_rate / 1000000u;
			next_ts += (uint32_t)(ticks ? ticks : 1);
		}
		f->seq_offset = (uint16_t)(next_seq - seq);
		f->ts_offset = next_ts - ts;
		f->base_out_seq = next_seq;
		f->started = true;
		f->ever = true;
	}
	uint16_t so = (uint16_t)(seq + f->seq_offset);
	/* Packets from before the current base (reordered across a re-base) cannot be mapped. */
	if ((int16_t)(uint16_t)(so - f->base_out_seq) < 0)
		return false;
	uint32_t to = ts + f->ts_offset;
	if ((int16_t)(uint16_t)(so - f->last_out_seq) > 0) {
		f->last_out_seq = so;
		f->last_out_ts = to;
		f->last_out_us = now_us;
	}
	*seq_out = so;
	*ts_out = to;
	return true;
}

bool sfu_fwd_unmap_seq(const struct sfu_fwd *f, uint16_t seq_out, uint16_t *src_seq)
{
	if (!f->started)
		return false;
	if ((int16_t)(uint16_t)(seq_out - f->base_out_seq) < 0 || (int16_t)(uint16_t)(seq_out - f->last_out_seq) > 0)
		return false;
	*src_seq = (uint16_t)(seq_out - f->seq_offset);
	return true;
}

void sfu_fwd_vp8(struct sfu_fwd *f, uint8_t *payload, size_t len, const struct vp8_desc *desc, bool rebased)
{
	const struct vp8_desc d = *desc;
	if (d.has_picture_id) {
		uint16_t mask = d.picture_id_15bit ? 0x7fff : 0x7f;
		if (rebased || !f->vp8_started)
			f->pid_offset = (uint16_t)((f->vp8_started ? f->last_pid_out + 1 : d.picture_id) - d.picture_id);
		uint16_t out = (uint16_t)((d.picture_id + f->pid_offset) & mask);
		vp8_desc_rewrite_picture_id(payload, len, &d, out);
		if ((int16_t)(uint16_t)((uint16_t)(out - f->last_pid_out) << 1) > 0 || !f->vp8_started)
			f->last_pid_out = out;
	}
	if (d.has_tl0picidx) {
		if (rebased || !f->vp8_started)
			f->tl0_offset = (uint8_t)((f->vp8_started ? f->last_tl0_out + 1 : d.tl0picidx) - d.tl0picidx);
		uint8_t out = (uint8_t)(d.tl0picidx + f->tl0_offset);
		vp8_desc_rewrite_tl0picidx(payload, len, &d, out);
		f->last_tl0_out = out;
	}
	f->vp8_started = true;
}
