/* h264: RTP payload parsing (single NAL unit, STAP-A, FU-A), keyframes, and the picture size of a
 * sequence parameter set read with exp-Golomb codes. RFC 6184 §5.6-5.8, ITU-T H.264 §7.3.2.1.1, §9.1. */
#include "codec/h264.h"

#include <errno.h>
#include <string.h>

#define H264_F 0x80
#define H264_TYPE 0x1f
#define FU_S 0x80
#define FU_E 0x40

static void saw_nal(struct h264_info *h, const uint8_t *nal, size_t len)
{
	uint8_t type = nal[0] & H264_TYPE;
	if (type == H264_NAL_SPS && !h->has_sps) {
		h->has_sps = true;
		h->sps = nal;
		h->sps_len = len;
	}
	h->has_pps |= type == H264_NAL_PPS;
	h->has_idr |= type == H264_NAL_IDR;
}

static int parse_stap_a(struct h264_info *h, const uint8_t *p, size_t len)
{
	size_t off = 1;
	if (off >= len)
		return EBADMSG;
	while (off < len) {
		if (len - off < 2)
			return EBADMSG;
		size_t n = (size_t)p[off] << 8 | p[off + 1];
		off += 2;
		if (n == 0 || n > len - off || (p[off] & H264_F))
			return EBADMSG;
		if (h->n_nals == 0)
			h->nal_type = p[off] & H264_TYPE;
		if (h->n_nals < UINT8_MAX)
			h->n_nals++;
		saw_nal(h, p + off, n);
		off += n;
	}
	return 0;
}

int h264_parse(struct h264_info *h, const uint8_t *payload, size_t len)
{
	memset(h, 0, sizeof *h);
	if (len < 1 || (payload[0] & H264_F))
		return EBADMSG;
	uint8_t type = payload[0] & H264_TYPE;
	h->packet_type = type;
	if (type >= 1 && type <= 23) {
		h->nal_type = type;
		h->frame_start = true;
		h->n_nals = 1;
		saw_nal(h, payload, len);
		return 0;
	}
	if (type == H264_STAP_A) {
		h->frame_start = true;
		return parse_stap_a(h, payload, len);
	}
	if (type == H264_FU_A) {
		if (len < 3)   /* indicator, FU header, at least one byte of the fragment */
			return EBADMSG;
		uint8_t fu = payload[1];
		if ((fu & FU_S) && (fu & FU_E))
			return EBADMSG;
		h->nal_type = fu & H264_TYPE;
		h->frame_start = fu & FU_S;
		h->fu_end = fu & FU_E;
		h->n_nals = 1;
		h->has_idr = h->frame_start && h->nal_type == H264_NAL_IDR;
		/* an SPS fragmented across packets is not read (browsers' SPS are a few dozen bytes) */
		return 0;
	}
	return EBADMSG;
}

bool h264_info_is_keyframe(const struct h264_info *h)
{
	if (!h->has_sps)
		return false;
	return h->packet_type == H264_NAL_SPS || h->has_pps;
}

/* ---- sequence parameter set ------------------------------------------------------------------ */

/* A bit reader over a NAL unit's payload that skips emulation prevention bytes (00 00 03, §7.4.1). */
struct bits {
	const uint8_t *p;
	size_t len, byte;
	unsigned bit;        /* next bit in p[byte], 7 = most significant */
	unsigned zeros;      /* zero bytes just before p[byte] */
	bool bad;
};

static void bits_init(struct bits *b, const uint8_t *p, size_t len)
{
	*b = (struct bits){ .p = p, .len = len, .bit = 7 };
}

static void next_byte(struct bits *b)
{
	b->zeros = b->p[b->byte] == 0 ? b->zeros + 1 : 0;
	b->byte++;
	b->bit = 7;
	if (b->zeros >= 2 && b->byte < b->len && b->p[b->byte] == 3) {
		b->byte++;
		b->zeros = 0;
	}
}

static unsigned read_bit(struct bits *b)
{
	if (b->bad || b->byte >= b->len) {
		b->bad = true;
		return 0;
	}
	unsigned v = (b->p[b->byte] >> b->bit) & 1u;
	if (b->bit == 0)
		next_byte(b);
	else
		b->bit--;
	return v;
}

static uint32_t read_bits(struct bits *b, unsigned n)
{
	uint32_t v = 0;
	while (n--)
		v = v << 1 | read_bit(b);
	return v;
}

/* ue(v), §9.1: up to 31 leading zeros (values below 2^32 - 1). */
static uint32_t read_ue(struct bits *b)
{
	unsigned zeros = 0;
	while (!b->bad && read_bit(b) == 0) {
		if (++zeros > 31) {
			b->bad = true;
			return 0;
		}
	}
	if (b->bad)
		return 0;
	return (uint32_t)(((uint64_t)1 << zeros) - 1 + read_bits(b, zeros));
}

static int32_t read_se(struct bits *b)
{
	uint32_t k = read_ue(b);
	return (k & 1u) ? (int32_t)((k + 1) / 2) : -(int32_t)(k / 2);
}

/* scaling_list(), §7.3.2.1.1.1: only read past. */
static void skip_scaling_list(struct bits *b, unsigned size)
{
	int32_t last = 8, next = 8;
	for (unsigned j = 0; j < size && !b->bad; j++) {
		if (next != 0) {
			int32_t delta = read_se(b);
			if (delta < -128 || delta > 127) {
				b->bad = true;
				return;
			}
			next = (last + delta + 256) % 256;
		}
		last = next == 0 ? last : next;
	}
}

static bool high_profile(uint32_t profile_idc)
{
	static const uint8_t high[] = { 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135 };
	for (size_t i = 0; i < sizeof high; i++)
		if (profile_idc == high[i])
			return true;
	return false;
}

int h264_sps_size(const uint8_t *sps, size_t len, uint16_t *width, uint16_t *height)
{
	if (len < 4 || (sps[0] & H264_TYPE) != H264_NAL_SPS)
		return EBADMSG;
	struct bits b;
	bits_init(&b, sps + 1, len - 1);
	uint32_t profile_idc = read_bits(&b, 8);
	read_bits(&b, 16);   /* constraint flags, level_idc */
	if (read_ue(&b) > 31)   /* seq_parameter_set_id */
		return EBADMSG;
	uint32_t chroma_format_idc = 1;
	bool separate_planes = false;
	if (high_profile(profile_idc)) {
		chroma_format_idc = read_ue(&b);
		if (chroma_format_idc > 3)
			return EBADMSG;
		if (chroma_format_idc == 3)
			separate_planes = read_bit(&b);
		if (read_ue(&b) > 6 || read_ue(&b) > 6)   /* bit depths minus 8 */
			return EBADMSG;
		read_bit(&b);   /* qpprime_y_zero_transform_bypass_flag */
		if (read_bit(&b)) {   /* seq_scaling_matrix_present_flag */
			unsigned lists = chroma_format_idc == 3 ? 12 : 8;
			for (unsigned i = 0; i < lists && !b.bad; i++)
				if (read_bit(&b))
					skip_scaling_list(&b, i < 6 ? 16 : 64);
		}
	}
	if (read_ue(&b) > 12)   /* log2_max_frame_num_minus4 */
		return EBADMSG;
	uint32_t poc_type = read_ue(&b);
	if (poc_type == 0) {
		if (read_ue(&b) > 12)   /* log2_max_pic_order_cnt_lsb_minus4 */
			return EBADMSG;
	} else if (poc_type == 1) {
		read_bit(&b);
		read_se(&b);
		read_se(&b);
		uint32_t cycle = read_ue(&b);
		if (cycle > 255)
			return EBADMSG;
		for (uint32_t i = 0; i < cycle && !b.bad; i++)
			read_se(&b);
	} else if (poc_type != 2) {
		return EBADMSG;
	}
	read_ue(&b);    /* max_num_ref_frames */
	read_bit(&b);   /* gaps_in_frame_num_value_allowed_flag */
	uint32_t w_mbs = read_ue(&b) + 1, h_units = read_ue(&b) + 1;
	uint32_t frame_mbs_only = read_bit(&b);
	if (!frame_mbs_only)
		read_bit(&b);   /* mb_adaptive_frame_field_flag */
	read_bit(&b);       /* direct_8x8_inference_flag */
	uint32_t crop[4] = { 0, 0, 0, 0 };   /* left, right, top, bottom */
	if (read_bit(&b))
		for (int i = 0; i < 4; i++)
			crop[i] = read_ue(&b);
	if (b.bad || w_mbs > 4096 || h_units > 4096)
		return EBADMSG;
	uint32_t array_type = separate_planes ? 0 : chroma_format_idc;
	uint32_t unit_x = array_type == 0 || array_type == 3 ? 1 : 2;
	uint32_t unit_y = (array_type == 1 ? 2 : 1) * (2 - frame_mbs_only);
	uint64_t w = (uint64_t)w_mbs * 16, h = (uint64_t)h_units * 16 * (2 - frame_mbs_only);
	uint64_t cx = (uint64_t)unit_x * ((uint64_t)crop[0] + crop[1]), cy = (uint64_t)unit_y * ((uint64_t)crop[2] + crop[3]);
	if (cx >= w || cy >= h || w - cx > UINT16_MAX || h - cy > UINT16_MAX)
		return EBADMSG;
	*width = (uint16_t)(w - cx);
	*height = (uint16_t)(h - cy);
	return 0;
}

int h264_info_keyframe_size(const struct h264_info *h, uint16_t *width, uint16_t *height)
{
	if (!h->sps)
		return ENOENT;
	return h264_sps_size(h->sps, h->sps_len, width, height);
}

/* ---- the same on a payload not parsed yet --------------------------------------------------- */

bool h264_is_keyframe(const uint8_t *payload, size_t len)
{
	struct h264_info h;
	return h264_parse(&h, payload, len) == 0 && h264_info_is_keyframe(&h);
}

int h264_keyframe_size(const uint8_t *payload, size_t len, uint16_t *width, uint16_t *height)
{
	struct h264_info h;
	if (h264_parse(&h, payload, len))
		return EBADMSG;
	return h264_info_keyframe_size(&h, width, height);
}
