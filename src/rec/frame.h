/* frame: the RTP payloads of one track as whole frames with times — VP8 frames reassembled
 * (RFC 7741 §4), Opus packets as they come (RFC 7587) — for the recorder's files and the HLS feed. */
#ifndef PLENUM_REC_FRAME_H
#define PLENUM_REC_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What one RTP packet of the track brings (see struct sfu_tap_media). */
struct track_pkt {
	bool marker, keyframe;
	uint16_t seq;
	uint32_t ts;
	uint16_t width, height;
	const uint8_t *payload;
	size_t len;
	uint64_t at_ms;                  /* arrival, ms since the recording started */
};

struct rec_frames {
	bool video;
	bool need_key;                   /* video: frames are dropped until a keyframe starts */
	/* timestamps: the first frame's RTP time and arrival, unwrapped from there */
	bool have_ts;
	uint32_t last_ts;
	int64_t ts_ext;
	uint64_t first_at_ms;
	/* the VP8 frame being assembled */
	uint8_t *buf;
	size_t len;
	bool in_frame, key;
	uint16_t next_seq;
	bool seq_known;                  /* next_seq holds: a frame was taken since the start */
	uint32_t frame_ts;
};

/* A whole frame: data borrowed until the next rec_frames_put. */
struct rec_frame {
	const uint8_t *data;
	size_t len;
	bool key;
	uint64_t ms;                     /* the arrival clock's ms, from RTP time */
	uint16_t width, height;          /* video: the layer's size as the packet said (0: unknown) */
};

/* 0 or ENOMEM. */
int rec_frames_init(struct rec_frames *a, bool video);
void rec_frames_free(struct rec_frames *a);
/* true when p completed a frame (*out). A gap inside a VP8 frame drops it and waits for a keyframe. */
bool rec_frames_put(struct rec_frames *a, const struct track_pkt *p, struct rec_frame *out);
/* Starts the times afresh at the next frame (another source follows on the same timeline). */
void rec_frames_restart(struct rec_frames *a);

#endif
