/* vp8: payload descriptor parsing and in-place rewriting, keyframe detection and dimensions.
 * RFC 7741 §4.2-4.3, RFC 6386 §9.1. */
#include "codec/vp8.h"

#include <errno.h>
#include <string.h>

#define VP8_X 0x80
#define VP8_N 0x20
#define VP8_S 0x10
#define VP8_I 0x80
#define VP8_L 0x40
#define VP8_T 0x20
#define VP8_K 0x10
#define VP8_M 0x80

int vp8_parse_descriptor(struct vp8_desc *d, const uint8_t *payload, size_t len)
{
	if (len < 1)
		return EBADMSG;
	memset(d, 0, sizeof(*d));
	uint8_t b0 = payload[0];
	d->non_reference = b0 & VP8_N;
	d->start_of_partition = b0 & VP8_S;
	d->partition_id = b0 & 0x07;
	size_t off = 1;
	if (b0 & VP8_X) {
		if (off >= len)
			return EBADMSG;
		uint8_t x = payload[off++];
		if (x & VP8_I) {
			if (off >= len)
				return EBADMSG;
			d->has_picture_id = true;
			if (payload[off] & VP8_M) {
				if (len - off < 2)
					return EBADMSG;
				d->picture_id_15bit = true;
				d->picture_id = (uint16_t)((payload[off] & 0x7f) << 8 | payload[off + 1]);
				off += 2;
			} else {
				d->picture_id = payload[off] & 0x7f;
				off += 1;
			}
		}
		if (x & VP8_L) {
			if (off >= len)
				return EBADMSG;
			d->has_tl0picidx = true;
			d->tl0picidx = payload[off++];
		}
		if (x & (VP8_T | VP8_K)) {
			if (off >= len)
				return EBADMSG;
			uint8_t tk = payload[off++];
			if (x & VP8_T) {
				d->has_tid = true;
				d->tid = tk >> 6;
				d->layer_sync = tk & 0x20;
			}
			if (x & VP8_K) {
				d->has_keyidx = true;
				d->keyidx = tk & 0x1f;
			}
		}
	}
	if (off >= len)
		return EBADMSG; /* a descriptor with no VP8 payload */
	d->desc_len = off;
	return 0;
}

/* The descriptor's fields sit at fixed places after the first two bytes: the picture id, then
 * TL0PICIDX; a parsed descriptor says which are there, so rewriting needs no second parse. */
#define VP8_PID_OFF 2u   /* byte 0, the X byte, then the picture id */
static size_t vp8_tl0_off(const struct vp8_desc *d)
{
	return VP8_PID_OFF + (d->has_picture_id ? (d->picture_id_15bit ? 2u : 1u) : 0u);
}

bool vp8_desc_is_keyframe(const struct vp8_desc *d, const uint8_t *payload, size_t len)
{
	return d->desc_len < len && d->start_of_partition && d->partition_id == 0 &&
	       !(payload[d->desc_len] & 0x01);
}

int vp8_desc_keyframe_size(const struct vp8_desc *d, const uint8_t *payload, size_t len, uint16_t *width,
			   uint16_t *height)
{
	if (d->desc_len >= len)
		return EBADMSG;
	const uint8_t *f = payload + d->desc_len;
	size_t n = len - d->desc_len;
	if (!d->start_of_partition || d->partition_id != 0 || (f[0] & 0x01))
		return ENOENT;
	/* 3-byte frame tag, start code 9d 01 2a, then 16-bit little-endian width and height (2 scaling bits each) */
	if (n < 10 || f[3] != 0x9d || f[4] != 0x01 || f[5] != 0x2a)
		return EBADMSG;
	*width = (uint16_t)((f[6] | f[7] << 8) & 0x3fff);
	*height = (uint16_t)((f[8] | f[9] << 8) & 0x3fff);
	return 0;
}

int vp8_desc_rewrite_picture_id(uint8_t *payload, size_t len, const struct vp8_desc *d, uint16_t picture_id)
{
	if (!d->has_picture_id)
		return ENOENT;
	size_t off = VP8_PID_OFF;
	if (off + (d->picture_id_15bit ? 2u : 1u) > d->desc_len || d->desc_len > len)
		return EBADMSG;
	if (d->picture_id_15bit) {
		payload[off] = (uint8_t)(VP8_M | ((picture_id >> 8) & 0x7f));
		payload[off + 1] = (uint8_t)picture_id;
	} else {
		payload[off] = (uint8_t)(picture_id & 0x7f);
	}
	return 0;
}

int vp8_desc_rewrite_tl0picidx(uint8_t *payload, size_t len, const struct vp8_desc *d, uint8_t tl0picidx)
{
	if (!d->has_tl0picidx)
		return ENOENT;
	size_t off = vp8_tl0_off(d);
	if (off >= d->desc_len || d->desc_len > len)
		return EBADMSG;
	payload[off] = tl0picidx;
	return 0;
}

/* ---- the same on a payload not parsed yet --------------------------------------------------- */

bool vp8_is_keyframe(const uint8_t *payload, size_t len)
{
	struct vp8_desc d;
	return vp8_parse_descriptor(&d, payload, len) == 0 && vp8_desc_is_keyframe(&d, payload, len);
}

int vp8_keyframe_size(const uint8_t *payload, size_t len, uint16_t *width, uint16_t *height)
{
	struct vp8_desc d;
	if (vp8_parse_descriptor(&d, payload, len))
		return EBADMSG;
	return vp8_desc_keyframe_size(&d, payload, len, width, height);
}

int vp8_rewrite_picture_id(uint8_t *payload, size_t len, uint16_t picture_id)
{
	struct vp8_desc d;
	if (vp8_parse_descriptor(&d, payload, len))
		return EBADMSG;
	return vp8_desc_rewrite_picture_id(payload, len, &d, picture_id);
}

int vp8_rewrite_tl0picidx(uint8_t *payload, size_t len, uint8_t tl0picidx)
{
	struct vp8_desc d;
	if (vp8_parse_descriptor(&d, payload, len))
		return EBADMSG;
	return vp8_desc_rewrite_tl0picidx(payload, len, &d, tl0picidx);
}
