/* test_rtcp: compound iteration and validation, reports, SDES, BYE, NACK/PLI/FIR/REMB, writer→parser round trips.
 * RFC 3550, RFC 4585, RFC 5104, RFC 5506, draft-alvestrand-rmcat-remb. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtcp/rtcp.h"
#include "test_util.h"


/* Collects the packets of a compound; returns the count, or -1 when iteration failed. */
static int collect(const uint8_t *buf, size_t len, struct rtcp_pkt *pkts, int cap)
{
	struct rtcp_iter it;
	int n = 0, r;
	rtcp_iter_init(&it, buf, len);
	while ((r = rtcp_iter_next(&it, &pkts[n < cap ? n : cap - 1])) == 1)
		n++;
	return r == 0 ? n : -1;
}

/* ---- validation tables ---- */

struct compound_case { const char *name, *hex; int rc; int n; };

static const struct compound_case compound_cases[] = {
	{ "RR count 1 without its block", "81 c9 00 01 00 00 00 01", EBADMSG, -1 },
	{ "RR empty count", "80 c9 00 01 00 00 00 01", 0, 1 },
	{ "PLI alone (reduced size)", "81 ce 00 02 00 00 00 01 00 00 00 02", 0, 1 },
	{ "RR + PLI", "80 c9 00 01 00 00 00 01 81 ce 00 02 00 00 00 01 00 00 00 02", 0, 2 },
	{ "SR + SDES", "80 c8 00 06 00 00 00 01 e0 00 00 00 00 00 00 00 00 00 00 64 00 00 00 05 00 00 01 00"
	               " 81 ca 00 03 00 00 00 01 01 04 61 62 63 64 00 00", 0, 2 },
	{ "padded last packet", "80 c9 00 01 00 00 00 01 a1 ce 00 03 00 00 00 01 00 00 00 02 00 00 00 04", 0, 2 },
	{ "BYE", "81 cb 00 01 00 00 00 09", 0, 1 },
	{ "unknown type inside range (XR)", "80 cf 00 01 00 00 00 01", 0, 1 },
	{ "empty", "", EBADMSG, -1 },
	{ "truncated header", "80 c9 00", EBADMSG, -1 },
	{ "version 1", "41 c9 00 01 00 00 00 01", EBADMSG, -1 },
	{ "version 3", "c0 c9 00 01 00 00 00 01", EBADMSG, -1 },
	{ "length past end", "80 c9 00 02 00 00 00 01", EBADMSG, -1 },
	{ "trailing bytes", "80 c9 00 01 00 00 00 01 80 c9", EBADMSG, -1 },
	{ "RR count exceeds length", "82 c9 00 07 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", EBADMSG, -1 },
	{ "SR too short", "80 c8 00 02 00 00 00 01 00 00 00 00", EBADMSG, -1 },
	{ "feedback without media SSRC", "81 ce 00 01 00 00 00 01", EBADMSG, -1 },
	{ "BYE count exceeds length", "82 cb 00 01 00 00 00 09", EBADMSG, -1 },
	{ "not an RTCP type (RTP PT 72)", "80 48 00 01 00 00 00 01", EBADMSG, -1 },
	{ "padding before the last packet", "a0 c9 00 02 00 00 00 01 00 00 00 04 81 ce 00 02 00 00 00 01 00 00 00 02", EBADMSG, 2 },
	{ "padding count zero", "a1 ce 00 02 00 00 00 01 00 00 00 00", EBADMSG, -1 },
	{ "padding count eats the header", "a1 ce 00 02 00 00 00 01 00 00 00 0c", EBADMSG, -1 },
	{ "padding eats the media SSRC", "a1 ce 00 02 00 00 00 01 00 00 00 04", EBADMSG, -1 },
};

START_TEST(test_compound_table)
{
	const struct compound_case *c = &compound_cases[_i];
	uint8_t buf[256];
	size_t len = hex(c->hex, buf);
	int rc = rtcp_validate_compound(buf, len);
	ck_assert_msg(rc == c->rc, "%s: rc %d want %d", c->name, rc, c->rc);
	struct rtcp_pkt pkts[8];
	int n = collect(buf, len, pkts, 8);
	if (len == 0)
		ck_assert_int_eq(n, 0);
	else
		ck_assert_msg(n == c->n, "%s: %d packets, want %d", c->name, n, c->n);
}
END_TEST

START_TEST(test_iter_stops_after_error)
{
	uint8_t buf[32];
	size_t len = hex("80 c9 00 01 00 00 00 01 41 c9 00 01 00 00 00 01 80 c9 00 01 00 00 00 02", buf);
	struct rtcp_iter it;
	struct rtcp_pkt p;
	rtcp_iter_init(&it, buf, len);
	ck_assert_int_eq(rtcp_iter_next(&it, &p), 1);
	ck_assert_uint_eq(p.sender_ssrc, 1);
	ck_assert_int_eq(rtcp_iter_next(&it, &p), -EBADMSG);
	ck_assert_int_eq(rtcp_iter_next(&it, &p), 0);
}
END_TEST

/* ---- SR + SDES ---- */

struct cname_seen { uint32_t ssrc[4]; char name[4][64]; int n; };

static void cname_cb(void *arg, uint32_t ssrc, const char *cname, size_t len)
{
	struct cname_seen *s = arg;
	ck_assert_int_lt(s->n, 4);
	s->ssrc[s->n] = ssrc;
	memcpy(s->name[s->n], cname, len);
	s->name[s->n][len] = 0;
	s->n++;
}

START_TEST(test_sr_sdes_roundtrip)
{
	struct rtcp_report_block blocks[2] = {
		{ 0x11111111, 25, 1000, 0x0001ffff, 42, 0xaabbccdd, 65536 },
		{ 0x22222222, 255, -5, 0x00020001, 0, 0, 0 },
	};
	uint8_t buf[256];
	size_t n1 = rtcp_write_sr(buf, sizeof(buf), 0xcafebabe, 0xe1234567890abcdeull, 90000, 1234, 567890, blocks, 2);
	ck_assert_uint_eq(n1, 28 + 48);
	static const char *cnames[] = { "", "a", "ab", "abc", "abcd", "{8f2c1ce0-2d3c-4e39-9a53-62aa14b7b43d}" };
	for (size_t k = 0; k < sizeof(cnames) / sizeof(cnames[0]); k++) {
		size_t n2 = rtcp_write_sdes_cname(buf + n1, sizeof(buf) - n1, 0xcafebabe, cnames[k]);
		ck_assert_uint_gt(n2, 0);
		ck_assert_uint_eq(n2 % 4, 0);
		ck_assert_uint_ge(n2, 4 + 4 + 2 + strlen(cnames[k]) + 1);
		ck_assert_int_eq(rtcp_validate_compound(buf, n1 + n2), 0);

		struct rtcp_pkt p[4];
		ck_assert_int_eq(collect(buf, n1 + n2, p, 4), 2);
		ck_assert_uint_eq(p[0].pt, RTCP_SR);
		ck_assert_uint_eq(p[0].fmt, 2);
		ck_assert_uint_eq(p[0].sender_ssrc, 0xcafebabe);
		uint32_t ssrc, ts, pkts, octets;
		uint64_t ntp;
		ck_assert_int_eq(rtcp_sr_parse(&p[0], &ssrc, &ntp, &ts, &pkts, &octets), 0);
		ck_assert_uint_eq(ssrc, 0xcafebabe);
		ck_assert(ntp == 0xe1234567890abcdeull);
		ck_assert_uint_eq(ts, 90000);
		ck_assert_uint_eq(pkts, 1234);
		ck_assert_uint_eq(octets, 567890);
		struct rtcp_report_block out[4];
		size_t nb;
		ck_assert_int_eq(rtcp_report_blocks(&p[0], out, 4, &nb), 0);
		ck_assert_uint_eq(nb, 2);
		for (size_t i = 0; i < 2; i++) {
			ck_assert_uint_eq(out[i].ssrc, blocks[i].ssrc);
			ck_assert_uint_eq(out[i].fraction_lost, blocks[i].fraction_lost);
			ck_assert_int_eq(out[i].cumulative_lost, blocks[i].cumulative_lost);
			ck_assert_uint_eq(out[i].ext_highest_seq, blocks[i].ext_highest_seq);
			ck_assert_uint_eq(out[i].jitter, blocks[i].jitter);
			ck_assert_uint_eq(out[i].lsr, blocks[i].lsr);
			ck_assert_uint_eq(out[i].dlsr, blocks[i].dlsr);
		}
		ck_assert_int_eq(rtcp_report_blocks(&p[0], out, 1, &nb), 0);
		ck_assert_uint_eq(nb, 1);

		ck_assert_uint_eq(p[1].pt, RTCP_SDES);
		struct cname_seen seen = { .n = 0 };
		ck_assert_int_eq(rtcp_sdes_cname_for_each(&p[1], cname_cb, &seen), 0);
		ck_assert_int_eq(seen.n, 1);
		ck_assert_uint_eq(seen.ssrc[0], 0xcafebabe);
		ck_assert_str_eq(seen.name[0], cnames[k]);
	}
	char longname[257];
	memset(longname, 'x', 256);
	longname[256] = 0;
	ck_assert_uint_eq(rtcp_write_sdes_cname(buf, sizeof(buf), 1, longname), 0);
}
END_TEST

START_TEST(test_sdes_multi_chunk)
{
	uint8_t buf[64];
	/* two chunks: (ssrc 1: NOTE "hi", CNAME "ab") and (ssrc 2: CNAME "xyz") */
	size_t len = hex("82 ca 00 07 00 00 00 01 07 02 68 69 01 02 61 62 00 00 00 00 00 00 00 02 01 03 78 79 7a 00 00 00", buf);
	struct rtcp_pkt p[2];
	ck_assert_int_eq(collect(buf, len, p, 2), 1);
	struct cname_seen seen = { .n = 0 };
	ck_assert_int_eq(rtcp_sdes_cname_for_each(&p[0], cname_cb, &seen), 0);
	ck_assert_int_eq(seen.n, 2);
	ck_assert_uint_eq(seen.ssrc[0], 1);
	ck_assert_str_eq(seen.name[0], "ab");
	ck_assert_uint_eq(seen.ssrc[1], 2);
	ck_assert_str_eq(seen.name[1], "xyz");
	/* an item running past the packet */
	len = hex("81 ca 00 02 00 00 00 01 01 09 61 62", buf);
	ck_assert_int_eq(collect(buf, len, p, 2), 1);
	seen.n = 0;
	ck_assert_int_eq(rtcp_sdes_cname_for_each(&p[0], cname_cb, &seen), EBADMSG);
	/* a chunk count larger than the chunks present */
	len = hex("82 ca 00 02 00 00 00 01 01 01 61 00", buf);
	ck_assert_int_eq(collect(buf, len, p, 2), 1);
	seen.n = 0;
	ck_assert_int_eq(rtcp_sdes_cname_for_each(&p[0], cname_cb, &seen), EBADMSG);
	ck_assert_int_eq(seen.n, 1);
}
END_TEST

START_TEST(test_report_block_clamp)
{
	struct rtcp_report_block b[2] = { { .ssrc = 1, .cumulative_lost = 0x7fffff + 10 }, { .ssrc = 2, .cumulative_lost = -0x800000 - 10 } };
	uint8_t buf[128];
	size_t n = rtcp_write_rr(buf, sizeof(buf), 9, b, 2);
	ck_assert_uint_eq(n, 8 + 48);
	struct rtcp_pkt p[2];
	ck_assert_int_eq(collect(buf, n, p, 2), 1);
	struct rtcp_report_block out[2];
	size_t nb;
	ck_assert_int_eq(rtcp_report_blocks(&p[0], out, 2, &nb), 0);
	ck_assert_int_eq(out[0].cumulative_lost, 0x7fffff);
	ck_assert_int_eq(out[1].cumulative_lost, -0x800000);
	struct rtcp_report_block many[32] = { { 0 } };
	ck_assert_uint_eq(rtcp_write_rr(buf, sizeof(buf), 9, many, 32), 0);
	uint32_t ssrc, ts, pk, oc;
	uint64_t ntp;
	ck_assert_int_eq(rtcp_sr_parse(&p[0], &ssrc, &ntp, &ts, &pk, &oc), EINVAL);
}
END_TEST

/* ---- RR + REMB ---- */

START_TEST(test_rr_remb_roundtrip)
{
	static const uint64_t rates[] = { 0, 1, 262143, 262144, 1500000, 2500000, 30000000, 10000000000ull, UINT64_MAX };
	uint32_t ssrcs[3] = { 0x1234, 0x5678, 0x9abc };
	for (size_t k = 0; k < sizeof(rates) / sizeof(rates[0]); k++) {
		uint8_t buf[256];
		struct rtcp_report_block b = { .ssrc = 0x1234, .fraction_lost = 3 };
		size_t n1 = rtcp_write_rr(buf, sizeof(buf), 0x42, &b, 1);
		size_t n2 = rtcp_write_remb(buf + n1, sizeof(buf) - n1, 0x42, rates[k], ssrcs, 3);
		ck_assert_uint_eq(n2, 12 + 8 + 12);
		ck_assert_int_eq(rtcp_validate_compound(buf, n1 + n2), 0);
		struct rtcp_pkt p[4];
		ck_assert_int_eq(collect(buf, n1 + n2, p, 4), 2);
		ck_assert_uint_eq(p[0].pt, RTCP_RR);
		ck_assert_uint_eq(p[1].pt, RTCP_PSFB);
		ck_assert_uint_eq(p[1].fmt, RTCP_PSFB_AFB);
		ck_assert_uint_eq(p[1].sender_ssrc, 0x42);
		ck_assert_uint_eq(p[1].media_ssrc, 0);
		uint64_t br;
		uint32_t got[4];
		size_t n;
		ck_assert_int_eq(rtcp_remb_parse(&p[1], &br, got, 4, &n), 0);
		ck_assert_uint_eq(n, 3);
		ck_assert_mem_eq(got, ssrcs, sizeof(ssrcs));
		/* 18-bit mantissa: exact below 2^18, otherwise truncated by less than one part in 2^17 */
		ck_assert(br <= rates[k]);
		ck_assert_msg(rates[k] - br <= rates[k] >> 17, "rate %llu parsed %llu", (unsigned long long)rates[k], (unsigned long long)br);
		if (rates[k] < 262144 || rates[k] == 1500000 || rates[k] == 2500000)
			ck_assert(br == rates[k]);
		ck_assert_int_eq(rtcp_remb_parse(&p[1], &br, got, 2, &n), 0);
		ck_assert_uint_eq(n, 2);
	}
}
END_TEST

START_TEST(test_remb_malformed)
{
	uint8_t buf[64];
	struct rtcp_pkt p[2];
	uint64_t br;
	uint32_t s[4];
	size_t n;
	/* exponent 63, full mantissa: saturates */
	size_t len = hex("8f ce 00 04 00 00 00 01 00 00 00 00 52 45 4d 42 00 ff ff ff", buf);
	ck_assert_int_eq(collect(buf, len, p, 2), 1);
	ck_assert_int_eq(rtcp_remb_parse(&p[0], &br, s, 4, &n), 0);
	ck_assert(br == UINT64_MAX);
	ck_assert_uint_eq(n, 0);
	/* not REMB */
	len = hex("8f ce 00 04 00 00 00 01 00 00 00 00 41 42 43 44 00 00 00 01", buf);
	ck_assert_int_eq(collect(buf, len, p, 2), 1);
	ck_assert_int_eq(rtcp_remb_parse(&p[0], &br, s, 4, &n), ENOENT);
	/* two SSRCs announced, one present */
	len = hex("8f ce 00 05 00 00 00 01 00 00 00 00 52 45 4d 42 02 00 00 01 00 00 00 07", buf);
	ck_assert_int_eq(collect(buf, len, p, 2), 1);
	ck_assert_int_eq(rtcp_remb_parse(&p[0], &br, s, 4, &n), EBADMSG);
	/* truncated after the identifier */
	len = hex("8f ce 00 03 00 00 00 01 00 00 00 00 52 45 4d 42", buf);
	ck_assert_int_eq(collect(buf, len, p, 2), 1);
	ck_assert_int_eq(rtcp_remb_parse(&p[0], &br, s, 4, &n), EBADMSG);
	/* PLI is not AFB */
	len = rtcp_write_pli(buf, sizeof(buf), 1, 2);
	ck_assert_int_eq(collect(buf, len, p, 2), 1);
	ck_assert_int_eq(rtcp_remb_parse(&p[0], &br, s, 4, &n), EINVAL);
}
END_TEST

/* ---- NACK ---- */

struct seqs { uint16_t v[64]; size_t n; };

static void seq_cb(void *arg, uint16_t seq)
{
	struct seqs *s = arg;
	ck_assert_uint_lt(s->n, 64);
	s->v[s->n++] = seq;
}

struct nack_case { const char *name; uint16_t in[24]; size_t n; size_t pairs; };

static const struct nack_case nack_cases[] = {
	{ "single", { 100 }, 1, 1 },
	{ "one pair, full mask", { 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26 }, 17, 1 },
	{ "17 apart needs two pairs", { 10, 27 }, 2, 2 },
	{ "sparse", { 100, 101, 105, 116, 117, 200 }, 6, 3 },
	{ "across the wrap", { 65530, 65535, 0, 3, 9 }, 5, 1 },
	{ "pid at 65535", { 65535, 0, 15 }, 3, 1 },
	{ "far apart across the wrap", { 65000, 10 }, 2, 2 },
};

START_TEST(test_nack_table)
{
	const struct nack_case *c = &nack_cases[_i];
	uint8_t buf[256];
	size_t len = rtcp_write_nack(buf, sizeof(buf), 0xaaaa, 0xbbbb, c->in, c->n);
	ck_assert_msg(len == 12 + 4 * c->pairs, "%s: len %zu", c->name, len);
	ck_assert_int_eq(rtcp_validate_compound(buf, len), 0);
	struct rtcp_pkt p[2];
	ck_assert_int_eq(collect(buf, len, p, 2), 1);
	ck_assert_uint_eq(p[0].pt, RTCP_RTPFB);
	ck_assert_uint_eq(p[0].fmt, RTCP_RTPFB_NACK);
	ck_assert_uint_eq(p[0].sender_ssrc, 0xaaaa);
	ck_assert_uint_eq(p[0].media_ssrc, 0xbbbb);
	struct seqs got = { .n = 0 };
	ck_assert_int_eq(rtcp_nack_for_each(&p[0], seq_cb, &got), 0);
	ck_assert_msg(got.n == c->n, "%s: %zu seqs", c->name, got.n);
	ck_assert_mem_eq(got.v, c->in, c->n * sizeof(uint16_t));
	for (size_t cap = 0; cap < len; cap++)
		ck_assert_uint_eq(rtcp_write_nack(buf, cap, 1, 2, c->in, c->n), 0);
}
END_TEST

START_TEST(test_nack_parse_wrap)
{
	uint8_t buf[64];
	/* PID 0xfffe, BLP bits 0, 1, 15: 65534, 65535, 0, 14; then PID 7 with no BLP */
	size_t len = hex("81 cd 00 04 00 00 00 01 00 00 00 02 ff fe 80 03 00 07 00 00", buf);
	struct rtcp_pkt p[2];
	ck_assert_int_eq(collect(buf, len, p, 2), 1);
	struct seqs got = { .n = 0 };
	ck_assert_int_eq(rtcp_nack_for_each(&p[0], seq_cb, &got), 0);
	static const uint16_t want[] = { 65534, 65535, 0, 14, 7 };
	ck_assert_uint_eq(got.n, 5);
	ck_assert_mem_eq(got.v, want, sizeof(want));
	/* no FCI */
	len = hex("81 cd 00 02 00 00 00 01 00 00 00 02", buf);
	ck_assert_int_eq(collect(buf, len, p, 2), 1);
	ck_assert_int_eq(rtcp_nack_for_each(&p[0], seq_cb, &got), EBADMSG);
	/* padding leaves a partial FCI */
	len = hex("a1 cd 00 03 00 00 00 01 00 00 00 02 00 05 00 02", buf);
	ck_assert_int_eq(collect(buf, len, p, 2), 1);
	ck_assert_int_eq(rtcp_nack_for_each(&p[0], seq_cb, &got), EBADMSG);
	/* TWCC is not NACK */
	len = hex("8f cd 00 03 00 00 00 01 00 00 00 02 00 05 00 02", buf);
	ck_assert_int_eq(collect(buf, len, p, 2), 1);
	ck_assert_int_eq(rtcp_nack_for_each(&p[0], seq_cb, &got), EINVAL);
	uint16_t none = 0;
	ck_assert_uint_eq(rtcp_write_nack(buf, sizeof(buf), 1, 2, &none, 0), 0);
}
END_TEST

/* ---- PLI, FIR, BYE ---- */

START_TEST(test_pli)
{
	uint8_t buf[64];
	size_t len = rtcp_write_pli(buf, sizeof(buf), 0x01020304, 0x05060708);
	ck_assert_uint_eq(len, 12);
	uint8_t want[12];
	hex("81 ce 00 02 01 02 03 04 05 06 07 08", want);
	ck_assert_mem_eq(buf, want, 12);
	struct rtcp_pkt p[2];
	ck_assert_int_eq(collect(buf, len, p, 2), 1);
	ck_assert_uint_eq(p[0].pt, RTCP_PSFB);
	ck_assert_uint_eq(p[0].fmt, RTCP_PSFB_PLI);
	ck_assert_uint_eq(p[0].media_ssrc, 0x05060708);
	ck_assert_uint_eq(rtcp_write_pli(buf, 11, 1, 2), 0);
}
END_TEST

struct firs { uint32_t ssrc[4]; uint8_t seq[4]; int n; };

static void fir_cb(void *arg, uint32_t ssrc, uint8_t seq_nr)
{
	struct firs *f = arg;
	ck_assert_int_lt(f->n, 4);
	f->ssrc[f->n] = ssrc;
	f->seq[f->n++] = seq_nr;
}

START_TEST(test_fir)
{
	uint8_t buf[64];
	size_t len = rtcp_write_fir(buf, sizeof(buf), 0x11, 0x22, 7);
	ck_assert_uint_eq(len, 20);
	struct rtcp_pkt p[2];
	ck_assert_int_eq(collect(buf, len, p, 2), 1);
	ck_assert_uint_eq(p[0].fmt, RTCP_PSFB_FIR);
	ck_assert_uint_eq(p[0].media_ssrc, 0);
	struct firs f = { .n = 0 };
	ck_assert_int_eq(rtcp_fir_for_each(&p[0], fir_cb, &f), 0);
	ck_assert_int_eq(f.n, 1);
	ck_assert_uint_eq(f.ssrc[0], 0x22);
	ck_assert_uint_eq(f.seq[0], 7);
	/* two FCI entries */
	len = hex("84 ce 00 06 00 00 00 01 00 00 00 00 00 00 00 0a 05 00 00 00 00 00 00 0b ff 00 00 00", buf);
	ck_assert_int_eq(collect(buf, len, p, 2), 1);
	f.n = 0;
	ck_assert_int_eq(rtcp_fir_for_each(&p[0], fir_cb, &f), 0);
	ck_assert_int_eq(f.n, 2);
	ck_assert_uint_eq(f.ssrc[1], 0x0b);
	ck_assert_uint_eq(f.seq[1], 255);
	/* half an FCI entry */
	len = hex("84 ce 00 03 00 00 00 01 00 00 00 00 00 00 00 0a", buf);
	ck_assert_int_eq(collect(buf, len, p, 2), 1);
	ck_assert_int_eq(rtcp_fir_for_each(&p[0], fir_cb, &f), EBADMSG);
	ck_assert_uint_eq(rtcp_write_fir(buf, 19, 1, 2, 3), 0);
}
END_TEST

static void bye_cb(void *arg, uint32_t ssrc)
{
	struct firs *f = arg;
	f->ssrc[f->n++] = ssrc;
}

START_TEST(test_bye)
{
	uint8_t buf[64];
	uint32_t ssrcs[2] = { 5, 6 };
	size_t len = rtcp_write_bye(buf, sizeof(buf), ssrcs, 2);
	ck_assert_uint_eq(len, 12);
	struct rtcp_pkt p[2];
	ck_assert_int_eq(collect(buf, len, p, 2), 1);
	ck_assert_uint_eq(p[0].pt, RTCP_BYE);
	struct firs f = { .n = 0 };
	ck_assert_int_eq(rtcp_bye_for_each(&p[0], bye_cb, &f), 0);
	ck_assert_int_eq(f.n, 2);
	ck_assert_uint_eq(f.ssrc[0], 5);
	ck_assert_uint_eq(f.ssrc[1], 6);
	p[0].pt = RTCP_RR;
	ck_assert_int_eq(rtcp_bye_for_each(&p[0], bye_cb, &f), EINVAL);
}
END_TEST

START_TEST(test_writers_refuse_small_buffers)
{
	uint8_t buf[128];
	struct rtcp_report_block b = { .ssrc = 1 };
	uint32_t ssrcs[2] = { 1, 2 };
	for (size_t cap = 0; cap < 128; cap++) {
		size_t n;
		n = rtcp_write_sr(buf, cap, 1, 2, 3, 4, 5, &b, 1);
		ck_assert(n == 0 || (cap >= 52 && n == 52));
		n = rtcp_write_rr(buf, cap, 1, &b, 1);
		ck_assert(n == 0 || (cap >= 32 && n == 32));
		n = rtcp_write_sdes_cname(buf, cap, 1, "abcdef");
		ck_assert(n == 0 || (cap >= 20 && n == 20));
		n = rtcp_write_remb(buf, cap, 1, 1000000, ssrcs, 2);
		ck_assert(n == 0 || (cap >= 28 && n == 28));
		n = rtcp_write_bye(buf, cap, ssrcs, 2);
		ck_assert(n == 0 || (cap >= 12 && n == 12));
	}
}
END_TEST

static Suite *rtcp_suite(void)
{
	Suite *s = suite_create("rtcp");
	TCase *tc = tcase_create("compound");
	tcase_add_loop_test(tc, test_compound_table, 0, sizeof(compound_cases) / sizeof(compound_cases[0]));
	tcase_add_test(tc, test_iter_stops_after_error);
	suite_add_tcase(s, tc);
	tc = tcase_create("reports");
	tcase_add_test(tc, test_sr_sdes_roundtrip);
	tcase_add_test(tc, test_sdes_multi_chunk);
	tcase_add_test(tc, test_report_block_clamp);
	tcase_add_test(tc, test_bye);
	suite_add_tcase(s, tc);
	tc = tcase_create("feedback");
	tcase_add_test(tc, test_rr_remb_roundtrip);
	tcase_add_test(tc, test_remb_malformed);
	tcase_add_loop_test(tc, test_nack_table, 0, sizeof(nack_cases) / sizeof(nack_cases[0]));
	tcase_add_test(tc, test_nack_parse_wrap);
	tcase_add_test(tc, test_pli);
	tcase_add_test(tc, test_fir);
	tcase_add_test(tc, test_writers_refuse_small_buffers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rtcp_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
