/* forward: the one place where a forwarded stream's sequence numbers and timestamps are
 * rewritten, so a subscriber sees one continuous stream across source restarts and switches. */
#ifndef PLENUM_SFU_FORWARD_H
#define PLENUM_SFU_FORWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/vp8.h"

struct sfu_fwd {
	bool video;
	bool started;            /* something was forwarded since the last (re)base */
	bool ever;               /* something was ever forwarded */
	uint16_t seq_offset;     /* out = src + offset (mod 2^16) */
	uint32_t ts_offset;
	uint16_t base_out_seq;   /* first output sequence number since the last (re)base */
	uint16_t last_out_seq;
	uint32_t last_out_ts;
	uint64_t last_out_us;
	uint32_t clock_rate;
	/* VP8 (RFC 7741): picture id and TL0PICIDX continue across re-bases too */
	bool vp8_started;
	uint16_t pid_offset, last_pid_out;
	uint8_t tl0_offset, last_tl0_out;
};

/* A fresh forwarder; the first output sequence number and timestamp are random (RFC 3550 §5.1). */
void sfu_fwd_init(struct sfu_fwd *f, bool video, uint32_t clock_rate, uint16_t first_seq, uint32_t first_ts);
/* The source changes (new SSRC, a restart): the next accepted packet re-bases the mapping so
 * the output continues from the last forwarded packet. */
void sfu_fwd_rebase(struct sfu_fwd *f);
/* Maps a source packet. Video waits for a keyframe after init or rebase. Returns false when the
 * packet must not be forwarded (waiting for a keyframe, or too old to map). */
bool sfu_fwd_map(struct sfu_fwd *f, uint16_t seq, uint32_t ts, bool keyframe, uint64_t now_us,
                 uint16_t *seq_out, uint32_t *ts_out, bool *rebased);
/* For a subscriber's NACK: the source sequence number of an output sequence number that was
 * sent since the last re-base. */
bool sfu_fwd_unmap_seq(const struct sfu_fwd *f, uint16_t seq_out, uint16_t *src_seq);
/* Rewrites the VP8 payload descriptor of an already mapped packet in place (picture id and
 * TL0PICIDX continue across re-bases). Call right after sfu_fwd_map accepted the packet. `d` is
 * the descriptor parsed once from the received packet this payload copies. */
void sfu_fwd_vp8(struct sfu_fwd *f, uint8_t *payload, size_t len, const struct vp8_desc *d, bool rebased);
/* True while a video forwarder waits for a keyframe. */
static inline bool sfu_fwd_waiting(const struct sfu_fwd *f) { return f->video && !f->started; }

#endif
