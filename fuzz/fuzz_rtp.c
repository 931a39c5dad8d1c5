/* fuzz_rtp: RTP header view, every header extension id, the VP8 descriptor and keyframe header of the payload,
 * and a writer→parser round trip. RFC 3550, RFC 8285, RFC 6464, RFC 7741. */
#include <stdlib.h>
#include <string.h>

#include "codec/vp8.h"
#include "rtp/rtp.h"
#include "rtp/rtp_cache.h"

struct elems { struct rtp_ext_elem e[16]; size_t n; };

static int collect(void *arg, uint8_t id, const uint8_t *val, size_t len)
{
	struct elems *c = arg;
	if (c->n == 16 || len > 255)
		return 1;
	c->e[c->n++] = (struct rtp_ext_elem){ id, (uint8_t)len, val };
	return 0;
}

static void check_vp8(const uint8_t *payload, size_t len)
{
	struct vp8_desc d;
	uint16_t w, h;
	static uint8_t copy[2048];
	if (vp8_parse_descriptor(&d, payload, len) == 0 && d.desc_len >= len)
		abort();
	(void)vp8_is_keyframe(payload, len);
	(void)vp8_keyframe_size(payload, len, &w, &h);
	if (len > sizeof(copy))
		return;
	memcpy(copy, payload, len);
	if (vp8_rewrite_picture_id(copy, len, 0x1234) == 0) {
		struct vp8_desc d2;
		if (vp8_parse_descriptor(&d2, copy, len) || d2.desc_len != d.desc_len ||
		    d2.picture_id != (d.picture_id_15bit ? 0x1234 : 0x34))
			abort();
	}
	if (vp8_rewrite_tl0picidx(copy, len, 0xab) == 0) {
		struct vp8_desc d2;
		if (vp8_parse_descriptor(&d2, copy, len) || d2.tl0picidx != 0xab)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtp_hdr h;
	(void)rtp_is_rtcp(data, size);
	if (rtp_parse(&h, data, size))
		return 0;
	if (h.header_len + h.payload_len + h.padding_len != size)
		abort();
	for (unsigned id = 0; h.extension && id < 256; id++) {
		const uint8_t *val;
		size_t len;
		if (rtp_ext_find(&h, (uint8_t)id, &val, &len) == 0) {
			if (val < data || val + len > data + size)
				abort();
			bool voice;
			uint8_t level;
			(void)rtp_ext_audio_level(val, len, &voice, &level);
		}
	}
	check_vp8(h.payload, h.payload_len);

	/* write what was parsed and read it back */
	struct elems el = { .n = 0 };
	(void)rtp_ext_for_each(&h, collect, &el);
	static uint8_t out[4096];
	size_t n = rtp_write(out, sizeof(out), h.marker, h.pt, h.seq, h.ts, h.ssrc, el.e, el.n, h.payload, h.payload_len);
	if (n) {
		struct rtp_hdr h2;
		if (rtp_parse(&h2, out, n) || h2.seq != h.seq || h2.ts != h.ts || h2.ssrc != h.ssrc || h2.pt != h.pt ||
		    h2.marker != h.marker || h2.payload_len != h.payload_len || memcmp(h2.payload, h.payload, h.payload_len))
			abort();
		for (size_t i = 0; i < el.n; i++) {
			const uint8_t *val;
			size_t len;
			if (rtp_ext_find(&h2, el.e[i].id, &val, &len))
				abort();
		}
	}

	/* the NACK cache keeps what it was given */
	static struct rtp_cache *cache;
	if (!cache && rtp_cache_new(&cache, 64, 1500))
		abort();
	rtp_cache_put(cache, h.seq, data, size, h.ts);
	size_t len;
	const uint8_t *p = rtp_cache_get(cache, h.seq, &len, NULL);
	if (size <= 1500 && (!p || len != size || memcmp(p, data, size)))
		abort();
	return 0;
}
