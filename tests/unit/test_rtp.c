/* test_rtp: RTP header view, header extensions, writer, receive statistics and the NACK cache.
 * RFC 3550, RFC 8285, RFC 6464. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtp/rtp.h"
#include "rtp/rtp_cache.h"
#include "test_util.h"


/* ---- parse ---- */

struct parse_case {
	const char *name, *hex;
	int rc;
	bool marker, padding, extension;
	uint8_t pt, cc;
	uint16_t seq;
	uint32_t ts, ssrc;
	size_t header_len, payload_len, ext_len;
	uint16_t ext_profile;
	uint8_t padding_len;
};

static const struct parse_case parse_cases[] = {
	{ "minimal", "80 60 00 01 00 00 00 02 00 00 00 03 ab cd", 0, false, false, false, 96, 0, 1, 2, 3, 12, 2, 0, 0, 0 },
	{ "marker, opus, no payload", "80 ef ff ff 12 34 56 78 9a bc de f0", 0, true, false, false, 111, 0, 65535, 0x12345678, 0x9abcdef0, 12, 0, 0, 0, 0 },
	{ "two csrcs", "82 60 00 05 00 00 00 00 00 00 00 01 00 00 00 0a 00 00 00 0b 01 02 03", 0, false, false, false, 96, 2, 5, 0, 1, 20, 3, 0, 0, 0 },
	{ "one-byte extension", "90 60 00 05 00 00 00 00 00 00 00 01 be de 00 01 10 ff 00 00 aa", 0, false, false, true, 96, 0, 5, 0, 1, 20, 1, 4, 0xBEDE, 0 },
	{ "two-byte extension", "90 60 00 05 00 00 00 00 00 00 00 01 10 00 00 01 01 00 00 00 aa", 0, false, false, true, 96, 0, 5, 0, 1, 20, 1, 4, 0x1000, 0 },
	{ "empty extension block", "90 60 00 05 00 00 00 00 00 00 00 01 be de 00 00 aa", 0, false, false, true, 96, 0, 5, 0, 1, 16, 1, 0, 0xBEDE, 0 },
	{ "padding", "a0 60 00 05 00 00 00 00 00 00 00 01 aa bb 00 00 03", 0, false, true, false, 96, 0, 5, 0, 1, 12, 2, 0, 0, 3 },
	{ "padding is all the payload", "a0 60 00 05 00 00 00 00 00 00 00 01 00 00 00 04", 0, false, true, false, 96, 0, 5, 0, 1, 12, 0, 0, 0, 4 },
	{ "csrc+ext+padding", "b1 e0 00 05 00 00 00 00 00 00 00 01 00 00 00 0a be de 00 01 30 01 00 00 11 22 01", 0, true, true, true, 96, 1, 5, 0, 1, 24, 2, 4, 0xBEDE, 1 },
	{ "short", "80 60 00 01 00 00 00 02 00 00 00", .rc = EBADMSG },
	{ "empty", "", .rc = EBADMSG },
	{ "version 1", "40 60 00 01 00 00 00 02 00 00 00 03", .rc = EBADMSG },
	{ "version 0", "00 60 00 01 00 00 00 02 00 00 00 03", .rc = EBADMSG },
	{ "csrc count past end", "8f 60 00 01 00 00 00 02 00 00 00 03 00 00 00 01", .rc = EBADMSG },
	{ "csrc truncated", "81 60 00 01 00 00 00 02 00 00 00 03 00 00 00", .rc = EBADMSG },
	{ "extension header truncated", "90 60 00 01 00 00 00 02 00 00 00 03 be de 00", .rc = EBADMSG },
	{ "extension length past end", "90 60 00 01 00 00 00 02 00 00 00 03 be de 00 02 10 ff 00 00", .rc = EBADMSG },
	{ "padding zero", "a0 60 00 01 00 00 00 02 00 00 00 03 aa 00", .rc = EBADMSG },
	{ "padding past header", "a0 60 00 01 00 00 00 02 00 00 00 03 aa 03", .rc = EBADMSG },
	{ "padding with no payload", "a0 60 00 01 00 00 00 02 00 00 00 03", .rc = EBADMSG },
};

START_TEST(test_parse_table)
{
	const struct parse_case *c = &parse_cases[_i];
	uint8_t buf[256];
	size_t len = hex(c->hex, buf);
	struct rtp_hdr h;
	int rc = rtp_parse(&h, buf, len);
	ck_assert_msg(rc == c->rc, "%s: rc %d, want %d", c->name, rc, c->rc);
	if (rc)
		return;
	ck_assert_msg(h.marker == c->marker && h.padding == c->padding && h.extension == c->extension, "%s: flags", c->name);
	ck_assert_msg(h.pt == c->pt && h.csrc_count == c->cc, "%s: pt %u cc %u", c->name, h.pt, h.csrc_count);
	ck_assert_msg(h.seq == c->seq && h.ts == c->ts && h.ssrc == c->ssrc, "%s: seq/ts/ssrc", c->name);
	ck_assert_msg(h.header_len == c->header_len, "%s: header_len %zu", c->name, h.header_len);
	ck_assert_msg(h.payload_len == c->payload_len, "%s: payload_len %zu", c->name, h.payload_len);
	ck_assert_msg(h.payload == buf + c->header_len, "%s: payload pointer", c->name);
	ck_assert_msg(h.ext_len == c->ext_len && h.ext_profile == c->ext_profile, "%s: ext", c->name);
	ck_assert_msg(h.padding_len == c->padding_len, "%s: padding_len", c->name);
	ck_assert_msg(h.header_len + h.payload_len + h.padding_len == len, "%s: lengths add up", c->name);
}
END_TEST

START_TEST(test_parse_csrcs)
{
	uint8_t buf[64];
	size_t len = hex("82 60 00 05 00 00 00 00 00 00 00 01 00 00 00 0a 00 00 00 0b 01", buf);
	struct rtp_hdr h;
	ck_assert_int_eq(rtp_parse(&h, buf, len), 0);
	ck_assert_ptr_eq(h.csrc, buf + 12);
	ck_assert_uint_eq(h.csrc[3], 0x0a);
	ck_assert_uint_eq(h.csrc[7], 0x0b);
}
END_TEST

START_TEST(test_is_rtcp)
{
	uint8_t b[2] = { 0x80, 0 };
	for (unsigned v = 0; v < 256; v++) {
		b[1] = (uint8_t)v;
		ck_assert_int_eq(rtp_is_rtcp(b, 2), v >= 192 && v <= 223);
	}
	ck_assert(!rtp_is_rtcp(b, 1));
	b[1] = 200;
	ck_assert(rtp_is_rtcp(b, 2));
}
END_TEST

/* ---- extensions ---- */

struct ext_case {
	const char *name, *hex;          /* complete packet */
	uint8_t id;
	int rc;
	const char *val_hex;
};

#define HDR_X "90 60 00 05 00 00 00 00 00 00 00 01 "
static const struct ext_case ext_cases[] = {
	/* one-byte: id1 audio level, padding byte, id3 len2, id 5 len 16 */
	{ "one-byte first", HDR_X "be de 00 02 10 8a 00 31 aa bb 00 00", 1, 0, "8a" },
	{ "one-byte after padding", HDR_X "be de 00 02 10 8a 00 31 aa bb 00 00", 3, 0, "aa bb" },
	{ "one-byte missing", HDR_X "be de 00 02 10 8a 00 31 aa bb 00 00", 2, ENOENT, NULL },
	{ "one-byte id 0 never matches", HDR_X "be de 00 02 10 8a 00 31 aa bb 00 00", 0, ENOENT, NULL },
	{ "one-byte 16 bytes", HDR_X "be de 00 05 5f 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 00 00 00", 5, 0,
	  "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f" },
	{ "one-byte id 15 stops", HDR_X "be de 00 01 f0 20 aa 00", 2, ENOENT, NULL },
	{ "one-byte element past end", HDR_X "be de 00 01 13 aa bb cc", 1, ENOENT, NULL },
	{ "one-byte second element past end", HDR_X "be de 00 01 10 aa 21 bb", 2, ENOENT, NULL },
	{ "one-byte first ok before bad one", HDR_X "be de 00 01 10 aa 21 bb", 1, 0, "aa" },
	/* two-byte: padding, id 1 len 0, id 200 len 3, padding */
	{ "two-byte zero length", HDR_X "10 00 00 02 00 01 00 c8 03 aa bb cc 00 00", 1, 0, "" },
	{ "two-byte id 200", HDR_X "10 00 00 02 00 01 00 c8 03 aa bb cc 00 00", 200, 0, "aa bb cc" },
	{ "two-byte appbits", HDR_X "10 05 00 01 07 02 01 02", 7, 0, "01 02" },
	{ "two-byte missing", HDR_X "10 00 00 02 00 01 00 c8 03 aa bb cc 00 00", 2, ENOENT, NULL },
	{ "two-byte length past end", HDR_X "10 00 00 01 07 05 01 02", 7, ENOENT, NULL },
	{ "two-byte id at the last byte", HDR_X "10 00 00 01 00 00 00 07", 7, ENOENT, NULL },
	{ "unknown profile", HDR_X "12 34 00 01 10 8a 00 00", 1, ENOENT, NULL },
	{ "no extension", "80 60 00 05 00 00 00 00 00 00 00 01 10 8a", 1, ENOENT, NULL },
};

START_TEST(test_ext_table)
{
	const struct ext_case *c = &ext_cases[_i];
	uint8_t buf[256], want[64];
	size_t len = hex(c->hex, buf);
	struct rtp_hdr h;
	ck_assert_msg(rtp_parse(&h, buf, len) == 0, "%s: parse", c->name);
	const uint8_t *val = NULL;
	size_t vlen = 99;
	int rc = rtp_ext_find(&h, c->id, &val, &vlen);
	ck_assert_msg(rc == c->rc, "%s: rc %d want %d", c->name, rc, c->rc);
	if (rc)
		return;
	size_t wlen = hex(c->val_hex, want);
	ck_assert_msg(vlen == wlen, "%s: len %zu want %zu", c->name, vlen, wlen);
	ck_assert_msg(val >= buf && val + vlen <= buf + len, "%s: value inside packet", c->name);
	ck_assert_msg(memcmp(val, want, wlen) == 0, "%s: value", c->name);
}
END_TEST

static int count_cb(void *arg, uint8_t id, const uint8_t *val, size_t len)
{
	(*(int *)arg)++;
	return 0;
}

START_TEST(test_ext_for_each)
{
	uint8_t buf[64];
	size_t len = hex(HDR_X "be de 00 02 10 8a 00 31 aa bb 00 00", buf);
	struct rtp_hdr h;
	ck_assert_int_eq(rtp_parse(&h, buf, len), 0);
	int n = 0;
	ck_assert_int_eq(rtp_ext_for_each(&h, count_cb, &n), 0);
	ck_assert_int_eq(n, 2);
	len = hex(HDR_X "be de 00 01 10 aa 21 bb", buf);
	ck_assert_int_eq(rtp_parse(&h, buf, len), 0);
	n = 0;
	ck_assert_int_eq(rtp_ext_for_each(&h, count_cb, &n), EBADMSG);
	ck_assert_int_eq(n, 1);
}
END_TEST

START_TEST(test_audio_level)
{
	static const struct { uint8_t byte; bool voice; uint8_t level; } t[] = {
		{ 0x00, false, 0 }, { 0x7f, false, 127 }, { 0x80, true, 0 }, { 0x8a, true, 10 }, { 0xff, true, 127 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bool v;
		uint8_t l;
		ck_assert_int_eq(rtp_ext_audio_level(&t[i].byte, 1, &v, &l), 0);
		ck_assert_int_eq(v, t[i].voice);
		ck_assert_uint_eq(l, t[i].level);
	}
	bool v;
	uint8_t l, b = 0x80;
	ck_assert_int_eq(rtp_ext_audio_level(&b, 0, &v, &l), EBADMSG);
}
END_TEST

/* ---- writer ---- */

START_TEST(test_write_roundtrip)
{
	static const uint8_t level = 0x9e, mid[] = { '0' }, twcc[] = { 0x12, 0x34 }, big[17] = { 1, 2, 3 };
	static const uint8_t payload[] = { 0x10, 0x02, 0x03, 0x04, 0x05 };
	struct rtp_ext_elem one[] = { { 1, 1, &level }, { 4, 1, mid }, { 3, 2, twcc } };
	struct rtp_ext_elem two[] = { { 1, 1, &level }, { 20, 17, big }, { 9, 0, NULL } };
	struct { const char *name; const struct rtp_ext_elem *ext; size_t n; uint16_t profile; size_t len; } t[] = {
		{ "no ext", NULL, 0, 0, 12 + 5 },
		{ "one-byte", one, 3, 0xBEDE, 12 + 4 + 8 + 5 },
		{ "two-byte fallback", two, 3, 0x1000, 12 + 4 + 24 + 5 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t buf[128];
		size_t len = rtp_write(buf, sizeof(buf), true, 96, 65535, 0xdeadbeef, 0x01020304, t[i].ext, t[i].n, payload, sizeof(payload));
		ck_assert_msg(len == t[i].len, "%s: len %zu", t[i].name, len);
		struct rtp_hdr h;
		ck_assert_int_eq(rtp_parse(&h, buf, len), 0);
		ck_assert(h.marker);
		ck_assert_uint_eq(h.pt, 96);
		ck_assert_uint_eq(h.seq, 65535);
		ck_assert_uint_eq(h.ts, 0xdeadbeef);
		ck_assert_uint_eq(h.ssrc, 0x01020304);
		ck_assert_uint_eq(h.ext_profile, t[i].profile);
		ck_assert_uint_eq(h.payload_len, sizeof(payload));
		ck_assert_mem_eq(h.payload, payload, sizeof(payload));
		for (size_t e = 0; e < t[i].n; e++) {
			const uint8_t *v;
			size_t vl;
			ck_assert_msg(rtp_ext_find(&h, t[i].ext[e].id, &v, &vl) == 0, "%s: ext %u", t[i].name, t[i].ext[e].id);
			ck_assert_uint_eq(vl, t[i].ext[e].len);
			if (vl)
				ck_assert_mem_eq(v, t[i].ext[e].val, vl);
		}
		/* every smaller buffer is refused */
		for (size_t cap = 0; cap < len; cap++)
			ck_assert_msg(rtp_write(buf, cap, true, 96, 1, 2, 3, t[i].ext, t[i].n, payload, sizeof(payload)) == 0,
			              "%s: cap %zu", t[i].name, cap);
	}
}
END_TEST

START_TEST(test_write_invalid)
{
	uint8_t buf[64], v = 1;
	struct rtp_ext_elem id0 = { 0, 1, &v };
	ck_assert_uint_eq(rtp_write(buf, sizeof(buf), false, 96, 1, 2, 3, &id0, 1, NULL, 0), 0);
	ck_assert_uint_eq(rtp_write(buf, sizeof(buf), false, 128, 1, 2, 3, NULL, 0, NULL, 0), 0);
	ck_assert_uint_eq(rtp_write(buf, sizeof(buf), false, 0, 1, 2, 3, NULL, 0, NULL, 0), 12);
}
END_TEST

START_TEST(test_set_fields)
{
	uint8_t buf[32];
	size_t len = rtp_write(buf, sizeof(buf), false, 96, 1, 2, 3, NULL, 0, (const uint8_t *)"x", 1);
	rtp_set_seq(buf, 0xabcd);
	rtp_set_ts(buf, 0x11223344);
	rtp_set_ssrc(buf, 0x55667788);
	struct rtp_hdr h;
	ck_assert_int_eq(rtp_parse(&h, buf, len), 0);
	ck_assert_uint_eq(h.seq, 0xabcd);
	ck_assert_uint_eq(h.ts, 0x11223344);
	ck_assert_uint_eq(h.ssrc, 0x55667788);
}
END_TEST

START_TEST(test_seq_diff)
{
	static const struct { uint16_t a, b; int16_t d; } t[] = {
		{ 1, 0, 1 }, { 0, 1, -1 }, { 0, 65535, 1 }, { 65535, 0, -1 }, { 5, 65530, 11 },
		{ 32767, 0, 32767 }, { 32768, 0, -32768 }, { 100, 100, 0 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_int_eq(rtp_seq_diff(t[i].a, t[i].b), t[i].d);
}
END_TEST

/* ---- receive statistics ---- */

struct report { uint8_t fraction; int32_t cum; uint32_t ext_max, jitter; };

static struct report report(struct rtp_recv_stats *s)
{
	struct report r;
	rtp_recv_stats_report(s, &r.fraction, &r.cum, &r.ext_max, &r.jitter);
	return r;
}

START_TEST(test_stats_loss_reorder_wrap)
{
	struct rtp_recv_stats s;
	rtp_recv_stats_init(&s, 65530);
	/* 65532 and 1 lost; 65534 arrives late; across the wrap */
	static const uint16_t seqs[] = { 65530, 65531, 65533, 65535, 0, 65534, 2, 3 };
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++)
		rtp_recv_stats_update(&s, seqs[i], 1000, 1000);
	struct report r = report(&s);
	ck_assert_uint_eq(r.ext_max, 65536 + 3);
	ck_assert_int_eq(r.cum, 2);
	ck_assert_uint_eq(r.fraction, 2 * 256 / 10);
	ck_assert_uint_eq(r.jitter, 0);

	/* next interval: 4, 5, 7 (6 lost) */
	rtp_recv_stats_update(&s, 4, 1000, 1000);
	rtp_recv_stats_update(&s, 5, 1000, 1000);
	rtp_recv_stats_update(&s, 7, 1000, 1000);
	r = report(&s);
	ck_assert_uint_eq(r.ext_max, 65536 + 7);
	ck_assert_int_eq(r.cum, 3);
	ck_assert_uint_eq(r.fraction, 64);

	/* nothing new: no loss in the interval */
	r = report(&s);
	ck_assert_uint_eq(r.fraction, 0);
	ck_assert_int_eq(r.cum, 3);

	/* duplicates drive cumulative loss negative (RFC 3550 §6.4.1) */
	for (int i = 0; i < 5; i++)
		rtp_recv_stats_update(&s, 7, 1000, 1000);
	r = report(&s);
	ck_assert_int_eq(r.cum, -2);
	ck_assert_uint_eq(r.fraction, 0);
}
END_TEST

START_TEST(test_stats_all_lost_interval)
{
	struct rtp_recv_stats s;
	rtp_recv_stats_init(&s, 100);
	rtp_recv_stats_update(&s, 100, 0, 0);
	report(&s);
	rtp_recv_stats_update(&s, 200, 0, 0); /* 99 lost, 1 received of 100 */
	struct report r = report(&s);
	ck_assert_int_eq(r.cum, 99);
	ck_assert_uint_eq(r.fraction, 99 * 256 / 100);
}
END_TEST

START_TEST(test_stats_restart)
{
	struct rtp_recv_stats s;
	rtp_recv_stats_init(&s, 10);
	for (uint16_t q = 10; q < 20; q++)
		rtp_recv_stats_update(&s, q, 0, 0);
	/* a jump of 20000 is ignored until the next packet confirms it */
	rtp_recv_stats_update(&s, 20000, 0, 0);
	struct report r = report(&s);
	ck_assert_uint_eq(r.ext_max, 19);
	ck_assert_int_eq(r.cum, 0);
	rtp_recv_stats_update(&s, 20001, 0, 0);
	rtp_recv_stats_update(&s, 20002, 0, 0);
	r = report(&s);
	ck_assert_uint_eq(r.ext_max, 20002);
	ck_assert_int_eq(r.cum, 0);
	/* a lone stray packet far away does not move anything */
	rtp_recv_stats_update(&s, 50000, 0, 0);
	rtp_recv_stats_update(&s, 20003, 0, 0);
	r = report(&s);
	ck_assert_uint_eq(r.ext_max, 20003);
	ck_assert_int_eq(r.cum, 0);
}
END_TEST

START_TEST(test_stats_jitter)
{
	struct rtp_recv_stats s;
	rtp_recv_stats_init(&s, 0);
	/* 20 ms packets at 90 kHz; the second arrives 160 ticks late: J = 160/16 = 10 */
	rtp_recv_stats_update(&s, 0, 0, 5000);
	rtp_recv_stats_update(&s, 1, 1800, 5000 + 1800 + 160);
	ck_assert_uint_eq(report(&s).jitter, 10);
	/* back on time: D = 160 again, J = 10 + (160 - 10)/16 = 19.375 */
	rtp_recv_stats_update(&s, 2, 3600, 5000 + 3600);
	ck_assert_uint_eq(report(&s).jitter, 19);

	/* alternating delay of 0/160 converges to 160 */
	rtp_recv_stats_init(&s, 0);
	for (uint32_t i = 0; i < 400; i++)
		rtp_recv_stats_update(&s, (uint16_t)i, i * 1800, 7 + i * 1800 + (i % 2 ? 160 : 0));
	uint32_t j = report(&s).jitter;
	ck_assert_msg(j >= 158 && j <= 160, "jitter %u", j);

	/* constant transit: no jitter, even across RTP timestamp wrap */
	rtp_recv_stats_init(&s, 0);
	for (uint32_t i = 0; i < 100; i++)
		rtp_recv_stats_update(&s, (uint16_t)i, 0xffffff00u + i * 960, 123 + 0xffffff00u + i * 960);
	ck_assert_uint_eq(report(&s).jitter, 0);
}
END_TEST

/* ---- cache ---- */

START_TEST(test_cache_new_invalid)
{
	struct rtp_cache *c = NULL;
	ck_assert_int_eq(rtp_cache_new(&c, 0, 1500), EINVAL);
	ck_assert_int_eq(rtp_cache_new(&c, 500, 1500), EINVAL);
	ck_assert_int_eq(rtp_cache_new(&c, 131072, 1500), EINVAL);
	ck_assert_int_eq(rtp_cache_new(&c, 512, 0), EINVAL);
	ck_assert_int_eq(rtp_cache_new(&c, 1, 10), 0);
	rtp_cache_free(c);
	rtp_cache_free(NULL);
}
END_TEST

START_TEST(test_cache_put_get)
{
	struct rtp_cache *c;
	ck_assert_int_eq(rtp_cache_new(&c, 8, 100), 0);
	uint8_t pkt[100];
	size_t len;
	uint64_t at;
	ck_assert_ptr_null(rtp_cache_get(c, 0, &len, &at));
	for (unsigned i = 0; i < 8; i++) {
		memset(pkt, (int)i, sizeof(pkt));
		rtp_cache_put(c, (uint16_t)(65532 + i), pkt, 10 + i, 1000 + i);
	}
	/* 65532..65535 and 0..3 across the wrap */
	for (unsigned i = 0; i < 8; i++) {
		const uint8_t *p = rtp_cache_get(c, (uint16_t)(65532 + i), &len, &at);
		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq(len, 10 + i);
		ck_assert_uint_eq(at, 1000 + i);
		ck_assert_uint_eq(p[0], i);
		ck_assert_uint_eq(p[len - 1], i);
	}
	ck_assert_ptr_null(rtp_cache_get(c, 4, &len, &at));
	ck_assert_ptr_null(rtp_cache_get(c, 65531, &len, &at));
	/* 4 overwrites 65532's slot */
	memset(pkt, 0xee, sizeof(pkt));
	rtp_cache_put(c, 4, pkt, 100, 2000);
	ck_assert_ptr_null(rtp_cache_get(c, 65532, &len, &at));
	const uint8_t *p = rtp_cache_get(c, 4, &len, NULL);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(len, 100);
	ck_assert_uint_eq(p[99], 0xee);
	/* too long: not stored, and the slot's previous packet is gone */
	rtp_cache_put(c, 5, pkt, 101, 3000);
	ck_assert_ptr_null(rtp_cache_get(c, 5, &len, NULL));
	ck_assert_ptr_null(rtp_cache_get(c, 65533, &len, NULL));
	ck_assert_ptr_nonnull(rtp_cache_get(c, 65534, &len, NULL));
	rtp_cache_clear(c);
	ck_assert_ptr_null(rtp_cache_get(c, 65534, &len, NULL));
	rtp_cache_free(c);
}
END_TEST

START_TEST(test_cache_long_run)
{
	struct rtp_cache *c;
	ck_assert_int_eq(rtp_cache_new(&c, 512, 1500), 0);
	uint8_t pkt[1200];
	for (uint32_t i = 0; i < 70000; i++) {
		uint16_t seq = (uint16_t)(i + 60000);
		memcpy(pkt, &i, sizeof(i));
		rtp_cache_put(c, seq, pkt, sizeof(pkt), i);
		/* the last 512 are present, the 513th back is gone */
		size_t len;
		uint64_t at;
		const uint8_t *p = rtp_cache_get(c, (uint16_t)(seq - (i >= 511 ? 511 : i)), &len, &at);
		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq(at, i >= 511 ? i - 511 : 0);
		if (i >= 512)
			ck_assert_ptr_null(rtp_cache_get(c, (uint16_t)(seq - 512), &len, &at));
	}
	rtp_cache_free(c);
}
END_TEST

static Suite *rtp_suite(void)
{
	Suite *s = suite_create("rtp");
	TCase *tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_parse_table, 0, sizeof(parse_cases) / sizeof(parse_cases[0]));
	tcase_add_test(tc, test_parse_csrcs);
	tcase_add_test(tc, test_is_rtcp);
	suite_add_tcase(s, tc);
	tc = tcase_create("ext");
	tcase_add_loop_test(tc, test_ext_table, 0, sizeof(ext_cases) / sizeof(ext_cases[0]));
	tcase_add_test(tc, test_ext_for_each);
	tcase_add_test(tc, test_audio_level);
	suite_add_tcase(s, tc);
	tc = tcase_create("write");
	tcase_add_test(tc, test_write_roundtrip);
	tcase_add_test(tc, test_write_invalid);
	tcase_add_test(tc, test_set_fields);
	tcase_add_test(tc, test_seq_diff);
	suite_add_tcase(s, tc);
	tc = tcase_create("stats");
	tcase_add_test(tc, test_stats_loss_reorder_wrap);
	tcase_add_test(tc, test_stats_all_lost_interval);
	tcase_add_test(tc, test_stats_restart);
	tcase_add_test(tc, test_stats_jitter);
	suite_add_tcase(s, tc);
	tc = tcase_create("cache");
	tcase_add_test(tc, test_cache_new_invalid);
	tcase_add_test(tc, test_cache_put_get);
	tcase_add_test(tc, test_cache_long_run);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rtp_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
