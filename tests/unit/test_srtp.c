/* test_srtp: plenum's SRTP against RFC 3711 vectors and against libsrtp2 as an independent oracle.
 * RFC 3711 (B.3 key derivation, SRTP/SRTCP), RFC 7714 (AEAD AES-128-GCM). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "base/util.h"
#include "srtp/srtp.h"

static const enum srtp_profile profiles[] = { SRTP_PROFILE_AES128_CM_SHA1_80, SRTP_PROFILE_AEAD_AES_128_GCM };

static const uint8_t master_key[16] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
					0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf0, 0x01 };
static const uint8_t master_salt[14] = { 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07,
					 0x18, 0x29, 0x3a, 0x4b, 0x5c, 0x6d, 0x7e };

static void unhex(const char *hex, uint8_t *out, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned v;
		ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/* An RTP packet with `ncsrc` CSRCs, an optional one-byte header extension and a payload. */
static size_t make_rtp(uint8_t *p, uint32_t ssrc, uint16_t seq, unsigned ncsrc, int ext, size_t payload)
{
	size_t n = 12;
	p[0] = (uint8_t)(0x80 | (ext ? 0x10 : 0) | ncsrc);
	p[1] = 96;
	wr16(p + 2, seq);
	wr32(p + 4, (uint32_t)seq * 3000u);
	wr32(p + 8, ssrc);
	for (unsigned i = 0; i < ncsrc; i++, n += 4)
		wr32(p + n, 0x1000 + i);
	if (ext) {
		wr16(p + n, 0xbede);
		wr16(p + n + 2, 2);
		memcpy(p + n + 4, "\x10\x55\x22\x01\x02\x03\x00\x00", 8);
		n += 12;
	}
	for (size_t i = 0; i < payload; i++)
		p[n + i] = (uint8_t)(seq + i * 7);
	return n + payload;
}

/* A compound RTCP packet: SR (with one report block) then SDES-like filler. */
static size_t make_rtcp(uint8_t *p, uint32_t ssrc, uint8_t salt)
{
	p[0] = 0x81;
	p[1] = 200;
	wr16(p + 2, 12);
	wr32(p + 4, ssrc);
	for (size_t i = 8; i < 52; i++)
		p[i] = (uint8_t)(i * 13 + salt);
	return 52;
}

static srtp_t lib_new(enum srtp_profile prof, int inbound)
{
	srtp_policy_t pol;
	memset(&pol, 0, sizeof pol);
	if (prof == SRTP_PROFILE_AEAD_AES_128_GCM) {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
	} else {
		srtp_crypto_policy_set_rtp_default(&pol.rtp);
		srtp_crypto_policy_set_rtcp_default(&pol.rtcp);
	}
	static uint8_t key[30];
	memcpy(key, master_key, 16);
	memcpy(key + 16, master_salt, srtp_profile_salt_len(prof));
	pol.key = key;
	pol.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	pol.window_size = 128;
	srtp_t ctx = NULL;
	ck_assert_int_eq(srtp_create(&ctx, &pol), srtp_err_status_ok);
	return ctx;
}

static struct srtp_sess *sess_new(enum srtp_profile prof)
{
	struct srtp_sess *s = NULL;
	ck_assert_int_eq(srtp_sess_new(&s, prof, master_key, master_salt), 0);
	return s;
}

START_TEST(kdf_rfc3711_b3)
{
	uint8_t mk[16], ms[14], want[94], got[94];
	unhex("E1F97A0D3E018BE0D64FA32C06DE4139", mk, 16);
	unhex("0EC675AD498AFEEBB6960B3AABE6", ms, 14);

	unhex("C61E7A93744F39EE10734AFE3FF7A087", want, 16);
	ck_assert_int_eq(srtp_sess_derive(mk, ms, 14, 0, got, 16), 0);
	ck_assert_mem_eq(got, want, 16);

	unhex("30CBBC08863D8C85D49DB34A9AE1", want, 14);
	ck_assert_int_eq(srtp_sess_derive(mk, ms, 14, 2, got, 14), 0);
	ck_assert_mem_eq(got, want, 14);

	unhex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE"
	      "E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25"
	      "6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2", want, 94);
	ck_assert_int_eq(srtp_sess_derive(mk, ms, 14, 1, got, 94), 0);
	ck_assert_mem_eq(got, want, 94);
}
END_TEST

START_TEST(profile_sizes)
{
	ck_assert_uint_eq(srtp_profile_key_len(SRTP_PROFILE_AES128_CM_SHA1_80), 16);
	ck_assert_uint_eq(srtp_profile_salt_len(SRTP_PROFILE_AES128_CM_SHA1_80), 14);
	ck_assert_uint_eq(srtp_profile_salt_len(SRTP_PROFILE_AEAD_AES_128_GCM), 12);
	ck_assert_uint_eq(srtp_profile_rtp_overhead(SRTP_PROFILE_AES128_CM_SHA1_80), 10);
	ck_assert_uint_eq(srtp_profile_rtp_overhead(SRTP_PROFILE_AEAD_AES_128_GCM), 16);
	ck_assert_uint_eq(srtp_profile_rtcp_overhead(SRTP_PROFILE_AES128_CM_SHA1_80), 14);
	ck_assert_uint_eq(srtp_profile_rtcp_overhead(SRTP_PROFILE_AEAD_AES_128_GCM), 20);
	ck_assert_uint_eq(srtp_profile_key_len((enum srtp_profile)2), 0);
	struct srtp_sess *s = (struct srtp_sess *)1;
	ck_assert_int_eq(srtp_sess_new(&s, (enum srtp_profile)2, master_key, master_salt), EINVAL);
	ck_assert_ptr_null(s);
}
END_TEST

/* The packet stream of the RTP cross-checks: three SSRCs, one crossing the sequence number
 * wrap, with CSRCs and header extensions on some packets. */
struct stream_pkt {
	uint32_t ssrc;
	uint16_t seq;
	unsigned ncsrc;
	int ext;
	size_t payload;
};

static size_t stream(struct stream_pkt *out, size_t max)
{
	static const uint32_t ssrcs[] = { 0x11111111, 0xcafebabe, 0x00000001 };
	static const uint16_t starts[] = { 65500, 1000, 32760 };
	size_t n = 0;
	for (unsigned i = 0; i < 80 && n + 3 <= max; i++)
		for (unsigned j = 0; j < 3; j++)
			out[n++] = (struct stream_pkt){ ssrcs[j], (uint16_t)(starts[j] + i), (i + j) % 3,
							(int)((i + j) % 2), 20 + (i * 37 + j * 101) % 1100 };
	return n;
}

START_TEST(rtp_plenum_to_libsrtp)
{
	enum srtp_profile prof = profiles[_i];
	struct srtp_sess *tx = sess_new(prof);
	srtp_t lib_tx = lib_new(prof, 0), lib_rx = lib_new(prof, 1);
	struct stream_pkt sp[300];
	size_t n = stream(sp, 300);
	for (size_t k = 0; k < n; k++) {
		uint8_t orig[1500], a[1500], b[1500];
		size_t len = make_rtp(orig, sp[k].ssrc, sp[k].seq, sp[k].ncsrc, sp[k].ext, sp[k].payload), out;
		memcpy(a, orig, len);
		memcpy(b, orig, len);
		ck_assert_int_eq(srtp_sess_protect_rtp(tx, a, len, sizeof a, &out), 0);
		ck_assert_uint_eq(out, len + srtp_profile_rtp_overhead(prof));
		int blen = (int)len;
		ck_assert_int_eq(srtp_protect(lib_tx, b, &blen), srtp_err_status_ok);
		ck_assert_int_eq(blen, (int)out);
		ck_assert_mem_eq(a, b, out);   /* the same key, index and packet give the same bytes */
		int alen = (int)out;
		ck_assert_int_eq(srtp_unprotect(lib_rx, a, &alen), srtp_err_status_ok);
		ck_assert_int_eq(alen, (int)len);
		ck_assert_mem_eq(a, orig, len);
	}
	srtp_dealloc(lib_tx);
	srtp_dealloc(lib_rx);
	srtp_sess_free(tx);
}
END_TEST

START_TEST(rtp_libsrtp_to_plenum)
{
	enum srtp_profile prof = profiles[_i];
	struct srtp_sess *rx = sess_new(prof);
	srtp_t lib_tx = lib_new(prof, 0);
	struct stream_pkt sp[300];
	size_t n = stream(sp, 300);
	for (size_t k = 0; k < n; k++) {
		uint8_t orig[1500], a[1500];
		size_t len = make_rtp(orig, sp[k].ssrc, sp[k].seq, sp[k].ncsrc, sp[k].ext, sp[k].payload), out;
		memcpy(a, orig, len);
		int alen = (int)len;
		ck_assert_int_eq(srtp_protect(lib_tx, a, &alen), srtp_err_status_ok);
		ck_assert_int_eq(srtp_sess_unprotect_rtp(rx, a, (size_t)alen, &out), 0);
		ck_assert_uint_eq(out, len);
		ck_assert_mem_eq(a, orig, len);
	}
	srtp_dealloc(lib_tx);
	srtp_sess_free(rx);
}
END_TEST

/* Reordering across the wrap: the receiver must guess ROC-1 for a late 65535 after 0. */
START_TEST(rtp_rollover_reordered)
{
	enum srtp_profile prof = profiles[_i];
	struct srtp_sess *tx = sess_new(prof), *rx = sess_new(prof);
	srtp_t lib_rx = lib_new(prof, 1);
	static const uint16_t send_order[] = { 65533, 65534, 65535, 0, 1, 2, 3 };
	static const int recv_order[] = { 0, 1, 3, 2, 5, 4, 6 };
	uint8_t wire[7][1500];
	size_t wlen[7];
	for (int i = 0; i < 7; i++) {
		size_t len = make_rtp(wire[i], 0x5150, send_order[i], 1, 1, 200);
		ck_assert_int_eq(srtp_sess_protect_rtp(tx, wire[i], len, sizeof wire[i], &wlen[i]), 0);
	}
	/* A retransmission of 65535 after 3 was sent keeps its old ROC (same bytes as before). */
	uint8_t again[1500];
	size_t alen = make_rtp(again, 0x5150, 65535, 1, 1, 200), aout;
	ck_assert_int_eq(srtp_sess_protect_rtp(tx, again, alen, sizeof again, &aout), 0);
	ck_assert_mem_eq(again, wire[2], aout);

	for (int k = 0; k < 7; k++) {
		int i = recv_order[k];
		uint8_t a[1500], b[1500];
		memcpy(a, wire[i], wlen[i]);
		memcpy(b, wire[i], wlen[i]);
		size_t out;
		ck_assert_int_eq(srtp_sess_unprotect_rtp(rx, a, wlen[i], &out), 0);
		ck_assert_uint_eq(rd16(a + 2), send_order[i]);
		int blen = (int)wlen[i];
		ck_assert_int_eq(srtp_unprotect(lib_rx, b, &blen), srtp_err_status_ok);
		ck_assert_mem_eq(a, b, out);
	}
	srtp_dealloc(lib_rx);
	srtp_sess_free(tx);
	srtp_sess_free(rx);
}
END_TEST

START_TEST(rtcp_both_ways)
{
	enum srtp_profile prof = profiles[_i];
	struct srtp_sess *tx = sess_new(prof), *rx = sess_new(prof);
	srtp_t lib_tx = lib_new(prof, 0), lib_rx = lib_new(prof, 1);
	static const uint32_t ssrcs[] = { 0xdeadbeef, 7, 0x80000000 };
	for (int i = 0; i < 30; i++) {
		uint32_t ssrc = ssrcs[i % 3];
		uint8_t orig[200], a[200], b[200];
		size_t len = make_rtcp(orig, ssrc, (uint8_t)i), out;
		memcpy(a, orig, len);
		memcpy(b, orig, len);
		/* plenum → libsrtp */
		ck_assert_int_eq(srtp_sess_protect_rtcp(tx, a, len, sizeof a, &out), 0);
		ck_assert_uint_eq(out, len + srtp_profile_rtcp_overhead(prof));
		ck_assert_uint_eq(rd32(a + out - (prof == SRTP_PROFILE_AEAD_AES_128_GCM ? 4 : 14)),
				  0x80000000u | (uint32_t)(i / 3));
		int alen = (int)out;
		ck_assert_int_eq(srtp_unprotect_rtcp(lib_rx, a, &alen), srtp_err_status_ok);
		ck_assert_int_eq(alen, (int)len);
		ck_assert_mem_eq(a, orig, len);
		/* libsrtp → plenum */
		int blen = (int)len;
		ck_assert_int_eq(srtp_protect_rtcp(lib_tx, b, &blen), srtp_err_status_ok);
		ck_assert_int_eq(srtp_sess_unprotect_rtcp(rx, b, (size_t)blen, &out), 0);
		ck_assert_uint_eq(out, len);
		ck_assert_mem_eq(b, orig, len);
	}
	srtp_dealloc(lib_tx);
	srtp_dealloc(lib_rx);
	srtp_sess_free(tx);
	srtp_sess_free(rx);
}
END_TEST

static size_t protect_one(struct srtp_sess *tx, uint8_t *buf, uint16_t seq, int rtcp)
{
	size_t len = rtcp ? make_rtcp(buf, 0x4242, 1) : make_rtp(buf, 0x4242, seq, 2, 1, 300), out;
	int err = rtcp ? srtp_sess_protect_rtcp(tx, buf, len, 1500, &out) : srtp_sess_protect_rtp(tx, buf, len, 1500, &out);
	ck_assert_int_eq(err, 0);
	return out;
}

static int unprotect(struct srtp_sess *rx, const uint8_t *wire, size_t len, int rtcp)
{
	uint8_t b[1500];
	size_t out;
	memcpy(b, wire, len);
	return rtcp ? srtp_sess_unprotect_rtcp(rx, b, len, &out) : srtp_sess_unprotect_rtp(rx, b, len, &out);
}

/* Every single-bit flip anywhere in the packet is caught (the RTCP E flag included); _i: profile
 * and RTP/RTCP. */
START_TEST(tampered_rejected)
{
	enum srtp_profile prof = profiles[_i / 2];
	int rtcp = _i % 2;
	struct srtp_sess *tx = sess_new(prof), *rx = sess_new(prof);
	uint8_t wire[1500];
	size_t len = protect_one(tx, wire, 100, rtcp);
	size_t hdr = rtcp ? 8 : 12 + 8 + 12;
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			uint8_t t[1500];
			memcpy(t, wire, len);
			t[i] ^= (uint8_t)(1 << bit);
			int err = unprotect(rx, t, len, rtcp);
			/* Flipping the version bits makes the packet unparseable instead; the CSRC count or
			 * extension length may push the header past the end. */
			if (i < hdr && err == EBADMSG)
				continue;
			ck_assert_msg(err == EACCES, "byte %zu bit %d: %d", i, bit, err);
		}
	}
	/* The untouched packet still goes through after all those failures. */
	ck_assert_int_eq(unprotect(rx, wire, len, rtcp), 0);
	srtp_sess_free(tx);
	srtp_sess_free(rx);
}
END_TEST

START_TEST(replay_rtp)
{
	enum srtp_profile prof = profiles[_i];
	struct srtp_sess *tx = sess_new(prof), *rx = sess_new(prof);
	static uint8_t wire[400][1500];
	size_t wlen[400];
	for (int i = 0; i < 400; i++)
		wlen[i] = protect_one(tx, wire[i], (uint16_t)(65400 + i), 0);

	ck_assert_int_eq(unprotect(rx, wire[0], wlen[0], 0), 0);
	ck_assert_int_eq(unprotect(rx, wire[0], wlen[0], 0), EALREADY);
	ck_assert_int_eq(unprotect(rx, wire[200], wlen[200], 0), 0);   /* a jump across the wrap */
	ck_assert_int_eq(unprotect(rx, wire[200], wlen[200], 0), EALREADY);
	ck_assert_int_eq(unprotect(rx, wire[150], wlen[150], 0), 0);   /* late, inside the window */
	ck_assert_int_eq(unprotect(rx, wire[150], wlen[150], 0), EALREADY);
	ck_assert_int_eq(unprotect(rx, wire[73], wlen[73], 0), 0);     /* 127 behind: the window's edge */
	ck_assert_int_eq(unprotect(rx, wire[72], wlen[72], 0), EALREADY);  /* 128 behind: too old */
	ck_assert_int_eq(unprotect(rx, wire[1], wlen[1], 0), EALREADY);
	ck_assert_int_eq(unprotect(rx, wire[399], wlen[399], 0), 0);
	for (int i = 272; i < 399; i++)
		ck_assert_int_eq(unprotect(rx, wire[i], wlen[i], 0), 0);
	ck_assert_int_eq(unprotect(rx, wire[271], wlen[271], 0), EALREADY);
	for (int i = 272; i < 400; i++)
		ck_assert_int_eq(unprotect(rx, wire[i], wlen[i], 0), EALREADY);
	srtp_sess_free(tx);
	srtp_sess_free(rx);
}
END_TEST

START_TEST(replay_rtcp)
{
	enum srtp_profile prof = profiles[_i];
	struct srtp_sess *tx = sess_new(prof), *rx = sess_new(prof);
	static uint8_t wire[200][1500];
	size_t wlen[200];
	for (int i = 0; i < 200; i++)
		wlen[i] = protect_one(tx, wire[i], 0, 1);
	ck_assert_int_eq(unprotect(rx, wire[5], wlen[5], 1), 0);
	ck_assert_int_eq(unprotect(rx, wire[5], wlen[5], 1), EALREADY);
	ck_assert_int_eq(unprotect(rx, wire[0], wlen[0], 1), 0);
	ck_assert_int_eq(unprotect(rx, wire[0], wlen[0], 1), EALREADY);
	ck_assert_int_eq(unprotect(rx, wire[199], wlen[199], 1), 0);
	ck_assert_int_eq(unprotect(rx, wire[71], wlen[71], 1), EALREADY);
	ck_assert_int_eq(unprotect(rx, wire[72], wlen[72], 1), 0);
	srtp_sess_free(tx);
	srtp_sess_free(rx);
}
END_TEST

START_TEST(malformed)
{
	enum srtp_profile prof = profiles[_i];
	struct srtp_sess *tx = sess_new(prof), *rx = sess_new(prof);
	size_t tag = srtp_profile_rtp_overhead(prof), out;
	uint8_t p[1500], w[1500];

	/* Truncated protected packets: every length short of the whole is refused or fails auth. */
	size_t wl = protect_one(tx, w, 7, 0);
	for (size_t l = 0; l < wl; l++) {
		int err = unprotect(rx, w, l, 0);
		ck_assert_msg(err == EBADMSG || err == EACCES, "len %zu: %d", l, err);
		if (l < 12 + 8 + 12 + tag)   /* shorter than header, CSRCs, extension and tag */
			ck_assert_int_eq(err, EBADMSG);
	}
	wl = protect_one(tx, w, 0, 1);
	for (size_t l = 0; l < wl; l++) {
		int err = unprotect(rx, w, l, 1);
		ck_assert_msg(err == EBADMSG || err == EACCES, "rtcp len %zu: %d", l, err);
		if (l < 8 + srtp_profile_rtcp_overhead(prof))
			ck_assert_int_eq(err, EBADMSG);
	}

	/* protect: version, CSRC count and extension length past the end, capacity. */
	size_t len = make_rtp(p, 1, 1, 0, 0, 0);
	ck_assert_int_eq(srtp_sess_protect_rtp(tx, p, 11, sizeof p, &out), EBADMSG);
	p[0] = 0x40;
	ck_assert_int_eq(srtp_sess_protect_rtp(tx, p, len, sizeof p, &out), EBADMSG);
	p[0] = 0x81;
	ck_assert_int_eq(srtp_sess_protect_rtp(tx, p, len, sizeof p, &out), EBADMSG);
	p[0] = 0x90;
	ck_assert_int_eq(srtp_sess_protect_rtp(tx, p, len, sizeof p, &out), EBADMSG);
	len = make_rtp(p, 1, 1, 0, 1, 0);
	p[15] = 3;   /* extension of 3 words where 2 are present */
	ck_assert_int_eq(srtp_sess_protect_rtp(tx, p, len, sizeof p, &out), EBADMSG);
	len = make_rtp(p, 1, 1, 0, 0, 100);
	ck_assert_int_eq(srtp_sess_protect_rtp(tx, p, len, len + tag - 1, &out), ENOSPC);
	ck_assert_int_eq(srtp_sess_protect_rtp(tx, p, len, len + tag, &out), 0);
	len = make_rtcp(p, 1, 0);
	ck_assert_int_eq(srtp_sess_protect_rtcp(tx, p, 7, sizeof p, &out), EBADMSG);
	ck_assert_int_eq(srtp_sess_protect_rtcp(tx, p, len, len + tag + 3, &out), ENOSPC);
	ck_assert_int_eq(srtp_sess_protect_rtcp(tx, p, len, len + tag + 4, &out), 0);

	/* Random garbage never authenticates and never crashes. */
	for (int i = 0; i < 2000; i++) {
		size_t l = (size_t)(util_random_u32() % 1400);
		util_random(p, l);
		if (i & 1)
			p[0] = (uint8_t)(0x80 | (p[0] & 0x3f));
		ck_assert_int_ne(unprotect(rx, p, l, i & 2), 0);
	}
	srtp_sess_free(tx);
	srtp_sess_free(rx);
}
END_TEST

/* Many SSRCs grow the table; each keeps its own ROC and window. */
START_TEST(many_ssrcs)
{
	enum srtp_profile prof = profiles[_i];
	struct srtp_sess *tx = sess_new(prof), *rx = sess_new(prof);
	srtp_t lib_rx = lib_new(prof, 1);
	for (int round = 0; round < 3; round++) {
		for (uint32_t k = 0; k < 300; k++) {
			uint8_t a[1500], b[1500], orig[1500];
			uint32_t ssrc = k * 0x01000193u;
			size_t len = make_rtp(orig, ssrc, (uint16_t)(65530 + round * 20 + k % 2), 0, 0, 100), out;
			if (round == 0 && k % 2)
				continue;
			memcpy(a, orig, len);
			ck_assert_int_eq(srtp_sess_protect_rtp(tx, a, len, sizeof a, &out), 0);
			memcpy(b, a, out);
			int blen = (int)out;
			ck_assert_int_eq(srtp_unprotect(lib_rx, b, &blen), srtp_err_status_ok);
			ck_assert_int_eq(srtp_sess_unprotect_rtp(rx, a, out, &out), 0);
			ck_assert_mem_eq(a, orig, len);
			ck_assert_mem_eq(b, orig, len);
		}
	}
	srtp_dealloc(lib_rx);
	srtp_sess_free(tx);
	srtp_sess_free(rx);
}
END_TEST

static Suite *srtp_suite(void)
{
	Suite *s = suite_create("srtp");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, kdf_rfc3711_b3);
	tcase_add_test(tc, profile_sizes);
	tcase_add_loop_test(tc, rtp_plenum_to_libsrtp, 0, 2);
	tcase_add_loop_test(tc, rtp_libsrtp_to_plenum, 0, 2);
	tcase_add_loop_test(tc, rtp_rollover_reordered, 0, 2);
	tcase_add_loop_test(tc, rtcp_both_ways, 0, 2);
	tcase_add_loop_test(tc, tampered_rejected, 0, 4);
	tcase_add_loop_test(tc, replay_rtp, 0, 2);
	tcase_add_loop_test(tc, replay_rtcp, 0, 2);
	tcase_add_loop_test(tc, malformed, 0, 2);
	tcase_add_loop_test(tc, many_ssrcs, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (srtp_init() != srtp_err_status_ok)
		return 1;
	SRunner *sr = srunner_create(srtp_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	srtp_shutdown();
	return failed ? 1 : 0;
}
