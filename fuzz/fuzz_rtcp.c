/* fuzz_rtcp: compound validation and iteration, and every sub-parser on every packet.
 * RFC 3550, RFC 4585, RFC 5104, RFC 5506, draft-alvestrand-rmcat-remb. */
#include <stdlib.h>
#include <string.h>

#include "rtcp/rtcp.h"

static size_t sink;

static void seq_cb(void *arg, uint16_t seq) { sink += seq; }
static void fir_cb(void *arg, uint32_t ssrc, uint8_t seq_nr) { sink += ssrc + seq_nr; }
static void ssrc_cb(void *arg, uint32_t ssrc) { sink += ssrc; }
static void cname_cb(void *arg, uint32_t ssrc, const char *cname, size_t len)
{
	const struct rtcp_pkt *p = arg;
	if ((const uint8_t *)cname < p->buf || (const uint8_t *)cname + len > p->buf + p->len)
		abort();
	sink += len;
}

static int same_blocks(const struct rtcp_report_block *a, const struct rtcp_report_block *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].ssrc != b[i].ssrc || a[i].fraction_lost != b[i].fraction_lost || a[i].cumulative_lost != b[i].cumulative_lost ||
		    a[i].ext_highest_seq != b[i].ext_highest_seq || a[i].jitter != b[i].jitter || a[i].lsr != b[i].lsr || a[i].dlsr != b[i].dlsr)
			return 0;
	return 1;
}

static void sub_parsers(const struct rtcp_pkt *p)
{
	uint32_t ssrc, rtp_ts, pkts, octets, ssrcs[8];
	uint64_t ntp, br;
	struct rtcp_report_block blocks[RTCP_MAX_REPORT_BLOCKS];
	size_t n;
	uint8_t out[512];

	if (rtcp_sr_parse(p, &ssrc, &ntp, &rtp_ts, &pkts, &octets) == 0)
		sink += rtcp_write_sr(out, sizeof(out), ssrc, ntp, rtp_ts, pkts, octets, NULL, 0);
	if (rtcp_report_blocks(p, blocks, RTCP_MAX_REPORT_BLOCKS, &n) == 0) {
		if (n != p->fmt)
			abort();
		/* written back, the blocks read the same */
		size_t len = rtcp_write_rr(out, sizeof(out), p->sender_ssrc, blocks, n);
		struct rtcp_iter it;
		struct rtcp_pkt q;
		struct rtcp_report_block again[RTCP_MAX_REPORT_BLOCKS];
		size_t m;
		rtcp_iter_init(&it, out, len);
		if (!len || rtcp_iter_next(&it, &q) != 1 || rtcp_report_blocks(&q, again, RTCP_MAX_REPORT_BLOCKS, &m) ||
		    m != n || !same_blocks(again, blocks, n))
			abort();
	}
	(void)rtcp_nack_for_each(p, seq_cb, NULL);
	(void)rtcp_fir_for_each(p, fir_cb, NULL);
	if (rtcp_remb_parse(p, &br, ssrcs, 8, &n) == 0)
		sink += rtcp_write_remb(out, sizeof(out), p->sender_ssrc, br, ssrcs, n);
	(void)rtcp_bye_for_each(p, ssrc_cb, NULL);
	(void)rtcp_sdes_cname_for_each(p, cname_cb, (void *)p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int valid = rtcp_validate_compound(data, size);
	struct rtcp_iter it;
	struct rtcp_pkt p;
	int r, n = 0;
	rtcp_iter_init(&it, data, size);
	while ((r = rtcp_iter_next(&it, &p)) == 1) {
		if (p.buf < data || p.buf + p.len > data + size || p.len < 4 || p.len % 4)
			abort();
		sub_parsers(&p);
		n++;
	}
	if (valid == 0 && (r != 0 || n == 0))
		abort();
	return 0;
}
