/* vp8: RTP payload descriptor and keyframe header of VP8, for forwarding and layer selection.
 * RFC 7741 §4.2 (payload descriptor), RFC 6386 §9.1 (frame tag and keyframe start code). */
#ifndef PLENUM_CODEC_VP8_H
#define PLENUM_CODEC_VP8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vp8_desc {
	bool start_of_partition, non_reference;
	uint8_t partition_id;
	bool has_picture_id, picture_id_15bit;
	uint16_t picture_id;
	bool has_tl0picidx;
	uint8_t tl0picidx;
	bool has_tid;
	uint8_t tid;
	bool layer_sync;
	bool has_keyidx;
	uint8_t keyidx;
	size_t desc_len;                  /* bytes of payload descriptor before the VP8 payload */
};

/* 0 or EBADMSG (truncated descriptor, or no VP8 payload byte after it). */
int vp8_parse_descriptor(struct vp8_desc *d, const uint8_t *payload, size_t len);
/* From a descriptor parsed from this payload once (the forwarding path parses each received
 * packet once and rewrites every subscriber's copy from it): the same results as the functions
 * below, which parse first. The payload (or a copy of it) must be the one d was parsed from. */
bool vp8_desc_is_keyframe(const struct vp8_desc *d, const uint8_t *payload, size_t len);
int vp8_desc_keyframe_size(const struct vp8_desc *d, const uint8_t *payload, size_t len, uint16_t *width,
			   uint16_t *height);
int vp8_desc_rewrite_picture_id(uint8_t *payload, size_t len, const struct vp8_desc *d, uint16_t picture_id);
int vp8_desc_rewrite_tl0picidx(uint8_t *payload, size_t len, const struct vp8_desc *d, uint8_t tl0picidx);

/* S=1, PID=0, and the frame tag's P bit == 0. */
bool vp8_is_keyframe(const uint8_t *payload, size_t len);
/* Width and height (14 bits each, scaling bits dropped) from the keyframe header after start code 9d 01 2a.
 * 0, ENOENT when the packet does not start a keyframe, EBADMSG when it is malformed. */
int vp8_keyframe_size(const uint8_t *payload, size_t len, uint16_t *width, uint16_t *height);
/* In place, keeping the 7/15-bit width (a 7-bit field takes the low 7 bits). 0, ENOENT when absent, EBADMSG. */
int vp8_rewrite_picture_id(uint8_t *payload, size_t len, uint16_t picture_id);
int vp8_rewrite_tl0picidx(uint8_t *payload, size_t len, uint8_t tl0picidx);

#endif
