/* rtcp: compound iterator and validation; sender/receiver reports, SDES CNAME, BYE.
 * RFC 3550 §6.4-6.6 and appendix A.2, RFC 5506 (reduced-size RTCP). */
#include "rtcp/rtcp.h"

#include <errno.h>
#include <string.h>

#include "base/util.h"

#define RTCP_HDR_LEN 4
#define RTCP_SR_LEN 28 /* header, SSRC, sender info */
#define RTCP_RR_LEN 8  /* header, SSRC */
#define RTCP_BLOCK_LEN 24

void rtcp_iter_init(struct rtcp_iter *it, const uint8_t *buf, size_t len)
{
	it->buf = buf;
	it->len = len;
	it->off = 0;
}

size_t rtcp_pkt_body_len(const struct rtcp_pkt *p)
{
	if (p->len < RTCP_HDR_LEN)
		return 0;
	if (!(p->buf[0] & 0x20))
		return p->len;
	uint8_t pad = p->buf[p->len - 1];
	if (pad == 0 || pad > p->len - RTCP_HDR_LEN)
		return 0;
	return p->len - pad;
}

/* Minimum body length each type needs beyond what the header promises. */
static size_t min_body_len(uint8_t pt, uint8_t count)
{
	switch (pt) {
	case RTCP_SR: return RTCP_SR_LEN + (size_t)count * RTCP_BLOCK_LEN;
	case RTCP_RR: return RTCP_RR_LEN + (size_t)count * RTCP_BLOCK_LEN;
	case RTCP_BYE: return RTCP_HDR_LEN + (size_t)count * 4;
	case RTCP_APP: return 12;
	case RTCP_RTPFB:
	case RTCP_PSFB: return 12;
	default: return RTCP_HDR_LEN;
	}
}

int rtcp_iter_next(struct rtcp_iter *it, struct rtcp_pkt *p)
{
	if (it->off >= it->len)
		return 0;
	const uint8_t *b = it->buf + it->off;
	size_t left = it->len - it->off;
	if (left < RTCP_HDR_LEN || (b[0] >> 6) != 2 || b[1] < 192 || b[1] > 223)
		goto bad;
	size_t len = ((size_t)rd16(b + 2) + 1) * 4;
	if (len > left)
		goto bad;
	memset(p, 0, sizeof(*p));
	p->pt = b[1];
	p->fmt = b[0] & 0x1f;
	p->buf = b;
	p->len = len;
	size_t body = rtcp_pkt_body_len(p);
	if (body < min_body_len(p->pt, p->fmt))
		goto bad;
	if (body >= 8)
		p->sender_ssrc = rd32(b + 4);
	if (p->pt == RTCP_RTPFB || p->pt == RTCP_PSFB)
		p->media_ssrc = rd32(b + 8);
	it->off += len;
	return 1;
bad:
	it->off = it->len;
	return -EBADMSG;
}

int rtcp_validate_compound(const uint8_t *buf, size_t len)
{
	struct rtcp_iter it;
	struct rtcp_pkt p;
	int r, n = 0;
	if (len == 0)
		return EBADMSG;
	rtcp_iter_init(&it, buf, len);
	while ((r = rtcp_iter_next(&it, &p)) == 1) {
		n++;
		if ((p.buf[0] & 0x20) && p.buf + p.len != buf + len)
			return EBADMSG; /* only the last packet may be padded */
	}
	return r == 0 && n > 0 ? 0 : EBADMSG;
}

int rtcp_sr_parse(const struct rtcp_pkt *p, uint32_t *ssrc, uint64_t *ntp, uint32_t *rtp_ts, uint32_t *pkts, uint32_t *octets)
{
	if (p->pt != RTCP_SR)
		return EINVAL;
	if (rtcp_pkt_body_len(p) < RTCP_SR_LEN)
		return EBADMSG;
	const uint8_t *b = p->buf;
	*ssrc = rd32(b + 4);
	*ntp = (uint64_t)rd32(b + 8) << 32 | rd32(b + 12);
	*rtp_ts = rd32(b + 16);
	*pkts = rd32(b + 20);
	*octets = rd32(b + 24);
	return 0;
}

int rtcp_report_blocks(const struct rtcp_pkt *p, struct rtcp_report_block *out, size_t cap, size_t *n)
{
	size_t off;
	if (p->pt == RTCP_SR)
		off = RTCP_SR_LEN;
	else if (p->pt == RTCP_RR)
		off = RTCP_RR_LEN;
	else
		return EINVAL;
	size_t count = p->fmt;
	if (rtcp_pkt_body_len(p) < off + count * RTCP_BLOCK_LEN)
		return EBADMSG;
	size_t i;
	for (i = 0; i < count && i < cap; i++) {
		const uint8_t *b = p->buf + off + i * RTCP_BLOCK_LEN;
		struct rtcp_report_block *r = &out[i];
		r->ssrc = rd32(b);
		r->fraction_lost = b[4];
		uint32_t cl = rd24(b + 5);
		r->cumulative_lost = (cl & 0x800000) ? (int32_t)cl - 0x1000000 : (int32_t)cl;
		r->ext_highest_seq = rd32(b + 8);
		r->jitter = rd32(b + 12);
		r->lsr = rd32(b + 16);
		r->dlsr = rd32(b + 20);
	}
	*n = i;
	return 0;
}

int rtcp_bye_for_each(const struct rtcp_pkt *p, void (*cb)(void *arg, uint32_t ssrc), void *arg)
{
	if (p->pt != RTCP_BYE)
		return EINVAL;
	if (rtcp_pkt_body_len(p) < RTCP_HDR_LEN + (size_t)p->fmt * 4)
		return EBADMSG;
	for (size_t i = 0; i < p->fmt; i++)
		cb(arg, rd32(p->buf + RTCP_HDR_LEN + 4 * i));
	return 0;
}

int rtcp_sdes_cname_for_each(const struct rtcp_pkt *p, void (*cb)(void *arg, uint32_t ssrc, const char *cname, size_t len), void *arg)
{
	if (p->pt != RTCP_SDES)
		return EINVAL;
	size_t end = rtcp_pkt_body_len(p), off = RTCP_HDR_LEN;
	for (size_t c = 0; c < p->fmt; c++) {
		if (end < off || end - off < 4)
			return EBADMSG;
		uint32_t ssrc = rd32(p->buf + off);
		off += 4;
		for (;;) { /* items until a null octet */
			if (off >= end)
				return EBADMSG;
			uint8_t type = p->buf[off];
			if (type == 0)
				break;
			if (end - off < 2 || end - off - 2 < p->buf[off + 1])
				return EBADMSG;
			size_t ilen = p->buf[off + 1];
			if (type == RTCP_SDES_CNAME)
				cb(arg, ssrc, (const char *)p->buf + off + 2, ilen);
			off += 2 + ilen;
		}
		off = (off + 4) & ~(size_t)3; /* the null octet, then padding to a 32-bit boundary */
	}
	return 0;
}

/* Writers */

static void write_hdr(uint8_t *out, uint8_t fmt, uint8_t pt, size_t len)
{
	out[0] = (uint8_t)(0x80 | fmt);
	out[1] = pt;
	wr16(out + 2, (uint16_t)(len / 4 - 1));
}

static void write_block(uint8_t *o, const struct rtcp_report_block *b)
{
	int32_t cl = b->cumulative_lost;
	if (cl > 0x7fffff)
		cl = 0x7fffff;
	else if (cl < -0x800000)
		cl = -0x800000;
	wr32(o, b->ssrc);
	o[4] = b->fraction_lost;
	wr24(o + 5, (uint32_t)cl & 0xffffff);
	wr32(o + 8, b->ext_highest_seq);
	wr32(o + 12, b->jitter);
	wr32(o + 16, b->lsr);
	wr32(o + 20, b->dlsr);
}

size_t rtcp_write_rr(uint8_t *out, size_t cap, uint32_t sender_ssrc, const struct rtcp_report_block *b, size_t n)
{
	size_t len = RTCP_RR_LEN + n * RTCP_BLOCK_LEN;
	if (n > RTCP_MAX_REPORT_BLOCKS || len > cap)
		return 0;
	write_hdr(out, (uint8_t)n, RTCP_RR, len);
	wr32(out + 4, sender_ssrc);
	for (size_t i = 0; i < n; i++)
		write_block(out + RTCP_RR_LEN + i * RTCP_BLOCK_LEN, &b[i]);
	return len;
}

size_t rtcp_write_sr(uint8_t *out, size_t cap, uint32_t ssrc, uint64_t ntp, uint32_t rtp_ts, uint32_t pkts, uint32_t octets, const struct rtcp_report_block *b, size_t n)
{
	size_t len = RTCP_SR_LEN + n * RTCP_BLOCK_LEN;
	if (n > RTCP_MAX_REPORT_BLOCKS || len > cap)
		return 0;
	write_hdr(out, (uint8_t)n, RTCP_SR, len);
	wr32(out + 4, ssrc);
	wr32(out + 8, (uint32_t)(ntp >> 32));
	wr32(out + 12, (uint32_t)ntp);
	wr32(out + 16, rtp_ts);
	wr32(out + 20, pkts);
	wr32(out + 24, octets);
	for (size_t i = 0; i < n; i++)
		write_block(out + RTCP_SR_LEN + i * RTCP_BLOCK_LEN, &b[i]);
	return len;
}

size_t rtcp_write_sdes_cname(uint8_t *out, size_t cap, uint32_t ssrc, const char *cname)
{
	size_t n = strlen(cname);
	if (n > 255)
		return 0;
	size_t chunk = (4 + 2 + n + 1 + 3) & ~(size_t)3; /* SSRC, item, at least one null octet */
	size_t len = RTCP_HDR_LEN + chunk;
	if (len > cap)
		return 0;
	write_hdr(out, 1, RTCP_SDES, len);
	wr32(out + 4, ssrc);
	out[8] = RTCP_SDES_CNAME;
	out[9] = (uint8_t)n;
	memcpy(out + 10, cname, n);
	memset(out + 10 + n, 0, len - 10 - n);
	return len;
}

size_t rtcp_write_bye(uint8_t *out, size_t cap, const uint32_t *ssrcs, size_t n)
{
	size_t len = RTCP_HDR_LEN + 4 * n;
	if (n > 31 || len > cap)
		return 0;
	write_hdr(out, (uint8_t)n, RTCP_BYE, len);
	for (size_t i = 0; i < n; i++)
		wr32(out + RTCP_HDR_LEN + 4 * i, ssrcs[i]);
	return len;
}
