/* fuzz_h264: an H.264 RTP payload (single NAL unit, STAP-A, FU-A) and the SPS it carries: the parse
 * stays inside the payload, the pieces agree with one another. RFC 6184 §5.6-5.8, ITU-T H.264 §7.3.2.1.1. */
#include <stdlib.h>
#include <string.h>

#include "codec/h264.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly `size` bytes, so that a read past the payload is a sanitizer report */
	uint8_t *p = malloc(size ? size : 1);
	if (!p)
		return 0;
	memcpy(p, data, size);
	struct h264_info h;
	uint16_t w = 0, ht = 0;
	if (h264_parse(&h, p, size) == 0) {
		if (h.sps && (h.sps < p || h.sps_len == 0 || h.sps + h.sps_len > p + size))
			abort();
		if (h.has_sps != (h.sps != NULL) || !h.n_nals || h.packet_type == 0 || h.packet_type > 28)
			abort();
		if (h264_info_is_keyframe(&h) && (!h.has_sps || !h.frame_start))
			abort();
		int rc = h264_info_keyframe_size(&h, &w, &ht);
		if (rc == 0 && (!w || !ht))
			abort();
		if (h264_is_keyframe(p, size) != h264_info_is_keyframe(&h))
			abort();
	} else if (h264_is_keyframe(p, size)) {
		abort();
	}
	/* the whole input as one SPS NAL unit too */
	if (h264_sps_size(p, size, &w, &ht) == 0 && (!w || !ht))
		abort();
	free(p);
	return 0;
}
