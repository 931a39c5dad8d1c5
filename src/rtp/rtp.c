/* rtp: header parsing into a borrowed view, header extension lookup, packet writer.
 * RFC 3550 §5.1 (fixed header), RFC 8285 (one- and two-byte header extensions), RFC 6464, RFC 5761 §4. */
#include "rtp/rtp.h"

#include <errno.h>
#include <string.h>

#include "base/util.h"

bool rtp_is_rtcp(const uint8_t *buf, size_t len)
{
	return len >= 2 && buf[1] >= 192 && buf[1] <= 223;
}

int rtp_parse(struct rtp_hdr *h, const uint8_t *buf, size_t len)
{
	if (len < RTP_HDR_LEN || (buf[0] >> 6) != 2)
		return EBADMSG;
	memset(h, 0, sizeof(*h));
	h->padding = buf[0] & 0x20;
	h->extension = buf[0] & 0x10;
	h->csrc_count = buf[0] & 0x0f;
	h->marker = buf[1] & 0x80;
	h->pt = buf[1] & 0x7f;
	h->seq = rd16(buf + 2);
	h->ts = rd32(buf + 4);
	h->ssrc = rd32(buf + 8);

	size_t off = RTP_HDR_LEN + 4u * h->csrc_count;
	if (off > len)
		return EBADMSG;
	if (h->csrc_count)
		h->csrc = buf + RTP_HDR_LEN;
	if (h->extension) {
		if (len - off < 4)
			return EBADMSG;
		h->ext_profile = rd16(buf + off);
		size_t ext_len = 4u * rd16(buf + off + 2);
		off += 4;
		if (ext_len > len - off)
			return EBADMSG;
		h->ext = buf + off;
		h->ext_len = ext_len;
		off += ext_len;
	}
	h->header_len = off;

	size_t end = len;
	if (h->padding) {
		uint8_t pad = buf[len - 1];
		if (pad == 0 || pad > len - off)
			return EBADMSG;
		h->padding_len = pad;
		end -= pad;
	}
	h->payload = buf + off;
	h->payload_len = end - off;
	return 0;
}

static bool ext_is_one_byte(uint16_t profile)
{
	return profile == RTP_EXT_PROFILE_ONE_BYTE;
}

static bool ext_is_two_byte(uint16_t profile)
{
	return (profile & 0xfff0) == RTP_EXT_PROFILE_TWO_BYTE;
}

int rtp_ext_for_each(const struct rtp_hdr *h, int (*cb)(void *arg, uint8_t id, const uint8_t *val, size_t len), void *arg)
{
	if (!h->extension)
		return 0;
	bool one = ext_is_one_byte(h->ext_profile);
	if (!one && !ext_is_two_byte(h->ext_profile))
		return 0; /* a profile we do not interpret: no elements */
	const uint8_t *p = h->ext;
	size_t n = h->ext_len, i = 0;
	while (i < n) {
		uint8_t id;
		size_t len;
		if (one) {
			id = p[i] >> 4;
			if (id == 0) { /* padding byte */
				i++;
				continue;
			}
			if (id == 15) /* reserved: stop processing */
				return 0;
			len = (size_t)(p[i] & 0x0f) + 1;
			i += 1;
		} else {
			id = p[i];
			if (id == 0) {
				i++;
				continue;
			}
			if (n - i < 2)
				return EBADMSG;
			len = p[i + 1];
			i += 2;
		}
		if (len > n - i)
			return EBADMSG;
		if (cb(arg, id, p + i, len))
			return 0;
		i += len;
	}
	return 0;
}

struct ext_find_ctx { uint8_t id; const uint8_t *val; size_t len; bool found; };

static int ext_find_cb(void *arg, uint8_t id, const uint8_t *val, size_t len)
{
	struct ext_find_ctx *c = arg;
	if (id != c->id)
		return 0;
	c->val = val;
	c->len = len;
	c->found = true;
	return 1;
}

int rtp_ext_find(const struct rtp_hdr *h, uint8_t id, const uint8_t **val, size_t *len)
{
	struct ext_find_ctx c = { .id = id };
	if (id == 0)
		return ENOENT;
	rtp_ext_for_each(h, ext_find_cb, &c);
	if (!c.found)
		return ENOENT;
	*val = c.val;
	*len = c.len;
	return 0;
}

int rtp_ext_audio_level(const uint8_t *val, size_t len, bool *voice, uint8_t *level)
{
	if (len < 1)
		return EBADMSG;
	*voice = val[0] & 0x80;
	*level = val[0] & 0x7f;
	return 0;
}

/* Bytes of the extension block's elements (without the 4-byte header and padding), or 0 when invalid. */
static size_t ext_elems_len(const struct rtp_ext_elem *ext, size_t n, bool one)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		if (ext[i].id == 0 || (ext[i].len && !ext[i].val))
			return 0;
		if (one && (ext[i].id > 14 || ext[i].len < 1 || ext[i].len > 16))
			return 0;
		total += (one ? 1u : 2u) + ext[i].len;
	}
	return total;
}

static bool ext_fits_one_byte(const struct rtp_ext_elem *ext, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ext[i].id < 1 || ext[i].id > 14 || ext[i].len < 1 || ext[i].len > 16)
			return false;
	return true;
}

static size_t ext_write(uint8_t *p, const struct rtp_ext_elem *ext, size_t n, bool one)
{
	size_t off = 0;
	for (size_t i = 0; i < n; i++) {
		if (one) {
			p[off++] = (uint8_t)(ext[i].id << 4 | (ext[i].len - 1));
		} else {
			p[off++] = ext[i].id;
			p[off++] = ext[i].len;
		}
		if (ext[i].len)
			memcpy(p + off, ext[i].val, ext[i].len);
		off += ext[i].len;
	}
	while (off % 4)
		p[off++] = 0;
	return off;
}

size_t rtp_write(uint8_t *out, size_t cap, bool marker, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc,
                 const struct rtp_ext_elem *ext, size_t n_ext, const uint8_t *payload, size_t payload_len)
{
	if (pt > 127 || (payload_len && !payload))
		return 0;
	bool one = ext_fits_one_byte(ext, n_ext);
	size_t ext_block = 0;
	if (n_ext) {
		size_t elems = ext_elems_len(ext, n_ext, one);
		if (!elems)
			return 0;
		ext_block = 4 + (elems + 3) / 4 * 4;
		if ((ext_block - 4) / 4 > 0xffff)
			return 0;
	}
	size_t total = RTP_HDR_LEN + ext_block;
	if (total > cap || payload_len > cap - total)
		return 0;
	total += payload_len;

	out[0] = (uint8_t)(0x80 | (n_ext ? 0x10 : 0));
	out[1] = (uint8_t)((marker ? 0x80 : 0) | pt);
	wr16(out + 2, seq);
	wr32(out + 4, ts);
	wr32(out + 8, ssrc);
	size_t off = RTP_HDR_LEN;
	if (n_ext) {
		wr16(out + off, one ? RTP_EXT_PROFILE_ONE_BYTE : RTP_EXT_PROFILE_TWO_BYTE);
		wr16(out + off + 2, (uint16_t)((ext_block - 4) / 4));
		off += 4;
		off += ext_write(out + off, ext, n_ext, one);
	}
	if (payload_len)
		memcpy(out + off, payload, payload_len);
	return total;
}
