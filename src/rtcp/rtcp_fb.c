/* rtcp_fb: transport- and payload-specific feedback: generic NACK, PLI, FIR, REMB.
 * RFC 4585 §6.2.1 and §6.3.1, RFC 5104 §4.3.1, draft-alvestrand-rmcat-remb-03. */
#include "rtcp/rtcp.h"

#include <errno.h>

#include "base/util.h"
#include "rtp/rtp.h"

#define FB_HDR_LEN 12 /* header, sender SSRC, media SSRC */
#define REMB_MANTISSA_MAX 0x3ffffu

static void write_fb_hdr(uint8_t *out, uint8_t fmt, uint8_t pt, size_t len, uint32_t sender, uint32_t media)
{
	out[0] = (uint8_t)(0x80 | fmt);
	out[1] = pt;
	wr16(out + 2, (uint16_t)(len / 4 - 1));
	wr32(out + 4, sender);
	wr32(out + 8, media);
}

/* The FCI of a feedback packet of type pt/fmt: 0, EINVAL or EBADMSG. */
static int fb_fci(const struct rtcp_pkt *p, uint8_t pt, uint8_t fmt, size_t unit, const uint8_t **fci, size_t *n)
{
	if (p->pt != pt || p->fmt != fmt)
		return EINVAL;
	size_t body = rtcp_pkt_body_len(p);
	if (body < FB_HDR_LEN || (body - FB_HDR_LEN) % unit)
		return EBADMSG;
	*fci = p->buf + FB_HDR_LEN;
	*n = (body - FB_HDR_LEN) / unit;
	return 0;
}

int rtcp_nack_for_each(const struct rtcp_pkt *p, void (*cb)(void *arg, uint16_t seq), void *arg)
{
	const uint8_t *fci;
	size_t n;
	int r = fb_fci(p, RTCP_RTPFB, RTCP_RTPFB_NACK, 4, &fci, &n);
	if (r)
		return r;
	if (n == 0)
		return EBADMSG; /* at least one PID+BLP */
	for (size_t i = 0; i < n; i++) {
		uint16_t pid = rd16(fci + 4 * i), blp = rd16(fci + 4 * i + 2);
		cb(arg, pid);
		for (unsigned bit = 0; bit < 16; bit++)
			if (blp & (1u << bit))
				cb(arg, (uint16_t)(pid + bit + 1));
	}
	return 0;
}

int rtcp_fir_for_each(const struct rtcp_pkt *p, void (*cb)(void *arg, uint32_t ssrc, uint8_t seq_nr), void *arg)
{
	const uint8_t *fci;
	size_t n;
	int r = fb_fci(p, RTCP_PSFB, RTCP_PSFB_FIR, 8, &fci, &n);
	if (r)
		return r;
	if (n == 0)
		return EBADMSG;
	for (size_t i = 0; i < n; i++)
		cb(arg, rd32(fci + 8 * i), fci[8 * i + 4]);
	return 0;
}

int rtcp_remb_parse(const struct rtcp_pkt *p, uint64_t *bitrate_bps, uint32_t *ssrcs, size_t cap, size_t *n)
{
	if (p->pt != RTCP_PSFB || p->fmt != RTCP_PSFB_AFB)
		return EINVAL;
	size_t body = rtcp_pkt_body_len(p);
	if (body < FB_HDR_LEN + 4)
		return EBADMSG;
	const uint8_t *f = p->buf + FB_HDR_LEN;
	if (f[0] != 'R' || f[1] != 'E' || f[2] != 'M' || f[3] != 'B')
		return ENOENT;
	if (body < FB_HDR_LEN + 8)
		return EBADMSG;
	size_t num = f[4];
	if (body - FB_HDR_LEN - 8 < num * 4)
		return EBADMSG;
	unsigned exp = f[5] >> 2;
	uint64_t mantissa = (uint64_t)(f[5] & 3) << 16 | rd16(f + 6);
	*bitrate_bps = mantissa > (UINT64_MAX >> exp) ? UINT64_MAX : mantissa << exp;
	size_t i;
	for (i = 0; i < num && i < cap; i++)
		ssrcs[i] = rd32(f + 8 + 4 * i);
	*n = i;
	return 0;
}

size_t rtcp_write_pli(uint8_t *out, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc)
{
	if (cap < FB_HDR_LEN)
		return 0;
	write_fb_hdr(out, RTCP_PSFB_PLI, RTCP_PSFB, FB_HDR_LEN, sender_ssrc, media_ssrc);
	return FB_HDR_LEN;
}

size_t rtcp_write_fir(uint8_t *out, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t seq_nr)
{
	size_t len = FB_HDR_LEN + 8;
	if (cap < len)
		return 0;
	/* RFC 5104 §4.3.1.2: the media source SSRC field is unused (0); the FCI names the stream. */
	write_fb_hdr(out, RTCP_PSFB_FIR, RTCP_PSFB, len, sender_ssrc, 0);
	wr32(out + 12, media_ssrc);
	out[16] = seq_nr;
	out[17] = out[18] = out[19] = 0;
	return len;
}

size_t rtcp_write_nack(uint8_t *out, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc, const uint16_t *seqs, size_t n)
{
	if (n == 0 || cap < FB_HDR_LEN + 4)
		return 0;
	size_t off = FB_HDR_LEN;
	uint16_t pid = seqs[0], blp = 0;
	for (size_t i = 1; i <= n; i++) {
		if (i < n) {
			int d = rtp_seq_diff(seqs[i], pid);
			if (d == 0)
				continue;
			if (d >= 1 && d <= 16) {
				blp |= (uint16_t)(1u << (d - 1));
				continue;
			}
		}
		/* flush the current pair */
		if (cap - off < 4 || off + 4 > 4 * 65536)
			return 0;
		wr16(out + off, pid);
		wr16(out + off + 2, blp);
		off += 4;
		if (i < n) {
			pid = seqs[i];
			blp = 0;
		}
	}
	write_fb_hdr(out, RTCP_RTPFB_NACK, RTCP_RTPFB, off, sender_ssrc, media_ssrc);
	return off;
}

size_t rtcp_write_remb(uint8_t *out, size_t cap, uint32_t sender_ssrc, uint64_t bitrate_bps, const uint32_t *ssrcs, size_t n)
{
	size_t len = FB_HDR_LEN + 8 + 4 * n;
	if (n > 255 || len > cap)
		return 0;
	unsigned exp = 0;
	while ((bitrate_bps >> exp) > REMB_MANTISSA_MAX)
		exp++;
	uint32_t mantissa = (uint32_t)(bitrate_bps >> exp);
	write_fb_hdr(out, RTCP_PSFB_AFB, RTCP_PSFB, len, sender_ssrc, 0);
	uint8_t *f = out + FB_HDR_LEN;
	f[0] = 'R'; f[1] = 'E'; f[2] = 'M'; f[3] = 'B';
	f[4] = (uint8_t)n;
	f[5] = (uint8_t)(exp << 2 | mantissa >> 16);
	wr16(f + 6, (uint16_t)mantissa);
	for (size_t i = 0; i < n; i++)
		wr32(f + 8 + 4 * i, ssrcs[i]);
	return len;
}
