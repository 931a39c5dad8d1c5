/* h264: RTP payload of H.264 (single NAL unit, STAP-A, FU-A), keyframe detection and picture size.
 * RFC 6184 §5.6-5.8 (payload structures), ITU-T H.264 §7.3.2.1.1 (sequence parameter set). */
#ifndef PLENUM_CODEC_H264_H
#define PLENUM_CODEC_H264_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum h264_nal_type {
	H264_NAL_SLICE = 1, H264_NAL_IDR = 5, H264_NAL_SEI = 6, H264_NAL_SPS = 7, H264_NAL_PPS = 8,
	H264_NAL_AUD = 9, H264_STAP_A = 24, H264_FU_A = 28,
};

/* What one RTP payload carries. Pointers point into the parsed payload. */
struct h264_info {
	uint8_t packet_type;        /* 1-23: a single NAL unit; 24: STAP-A; 28: FU-A */
	uint8_t nal_type;           /* single NAL / FU-A: the NAL unit's type; STAP-A: the first one's */
	bool frame_start;           /* a single NAL unit, a STAP-A, or the first fragment of a FU-A */
	bool fu_end;                /* FU-A: the last fragment */
	bool has_sps, has_pps, has_idr;   /* NAL units (or an IDR's first fragment) in this payload */
	uint8_t n_nals;             /* NAL units (STAP-A: aggregated ones; else 1) */
	const uint8_t *sps;         /* the first SPS (with its NAL header byte), NULL when none */
	size_t sps_len;
};

/* 0, or EBADMSG: empty, forbidden bit set, a NAL type plenum does not forward (STAP-B, MTAP,
 * FU-B: packetization-mode=1 allows only single NAL, STAP-A and FU-A), a STAP-A whose sizes run
 * past the payload or hold an empty NAL unit, a FU-A without header or with both S and E. */
int h264_parse(struct h264_info *h, const uint8_t *payload, size_t len);
/* The first packet of a keyframe: a frame's parameter sets (an SPS, with its PPS when they are
 * aggregated, as browsers send them before every IDR), from which a decoder can start. */
bool h264_info_is_keyframe(const struct h264_info *h);
/* Width and height in pixels (cropping applied) of the SPS that h carries. 0, ENOENT when there
 * is none, EBADMSG when it is malformed or the size does not fit 16 bits. */
int h264_info_keyframe_size(const struct h264_info *h, uint16_t *width, uint16_t *height);
/* The same from an SPS NAL unit (header byte first, emulation prevention bytes in place). */
int h264_sps_size(const uint8_t *sps, size_t len, uint16_t *width, uint16_t *height);

/* The same on a payload not parsed yet. */
bool h264_is_keyframe(const uint8_t *payload, size_t len);
int h264_keyframe_size(const uint8_t *payload, size_t len, uint16_t *width, uint16_t *height);

#endif
