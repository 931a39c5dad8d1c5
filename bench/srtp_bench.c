/* srtp_bench: µs per protect/unprotect of a 1,100-byte RTP packet, plenum's SRTP vs libsrtp2.
 * Build: make build/bench/srtp_bench */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <srtp2/srtp.h>

#include "base/util.h"
#include "srtp/srtp.h"

#define PKT 1100
#define ITER 200000

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static const uint8_t key[30] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30 };

static void make(uint8_t *p, uint16_t seq)
{
	memset(p, 0xab, PKT);
	p[0] = 0x80;
	p[1] = 96;
	wr16(p + 2, seq);
	wr32(p + 4, seq * 3000u);
	wr32(p + 8, 0x12345678);
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
	pol.key = (uint8_t *)key;
	pol.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	pol.window_size = 1024;
	srtp_t ctx = NULL;
	srtp_create(&ctx, &pol);
	return ctx;
}

static uint8_t wire[ITER / 4][PKT + 32];
static size_t wlen[ITER / 4];

static void bench(enum srtp_profile prof)
{
	static uint8_t buf[PKT + 32];
	struct srtp_sess *tx, *rx;
	srtp_sess_new(&tx, prof, key, key + 16);
	srtp_sess_new(&rx, prof, key, key + 16);
	srtp_t ltx = lib_new(prof, 0), lrx = lib_new(prof, 1);
	size_t out;
	int n;

	double t0 = now_us();
	for (int i = 0; i < ITER; i++) {
		make(buf, (uint16_t)i);
		srtp_sess_protect_rtp(tx, buf, PKT, sizeof buf, &out);
	}
	double t1 = now_us();
	for (int i = 0; i < ITER; i++) {
		make(buf, (uint16_t)i);
		n = PKT;
		srtp_protect(ltx, buf, &n);
	}
	double t2 = now_us();
	double t_make0 = now_us();
	for (int i = 0; i < ITER; i++)
		make(buf, (uint16_t)i);
	double t_make = (now_us() - t_make0) / ITER;

	/* unprotect: a fresh sender, packets prepared in advance */
	struct srtp_sess *tx2;
	srtp_sess_new(&tx2, prof, key, key + 16);
	for (int i = 0; i < ITER / 4; i++) {
		make(wire[i], (uint16_t)i);
		srtp_sess_protect_rtp(tx2, wire[i], PKT, sizeof wire[i], &wlen[i]);
	}
	double t3 = now_us();
	int bad = 0;
	for (int i = 0; i < ITER / 4; i++) {
		memcpy(buf, wire[i], wlen[i]);
		bad += srtp_sess_unprotect_rtp(rx, buf, wlen[i], &out) != 0;
	}
	double t4 = now_us();
	for (int i = 0; i < ITER / 4; i++) {
		memcpy(buf, wire[i], wlen[i]);
		n = (int)wlen[i];
		bad += srtp_unprotect(lrx, buf, &n) != srtp_err_status_ok;
	}
	double t5 = now_us();
	printf("%-18s protect   plenum %6.2f µs  libsrtp2 %6.2f µs\n", srtp_profile_name(prof),
	       (t1 - t0) / ITER - t_make, (t2 - t1) / ITER - t_make);
	printf("%-18s unprotect plenum %6.2f µs  libsrtp2 %6.2f µs%s\n", srtp_profile_name(prof),
	       (t4 - t3) / (ITER / 4), (t5 - t4) / (ITER / 4), bad ? "  (FAILURES)" : "");
	srtp_sess_free(tx);
	srtp_sess_free(tx2);
	srtp_sess_free(rx);
	srtp_dealloc(ltx);
	srtp_dealloc(lrx);
}

int main(void)
{
	srtp_init();
	printf("%d-byte RTP packets, %d iterations\n", PKT, ITER);
	bench(SRTP_PROFILE_AES128_CM_SHA1_80);
	bench(SRTP_PROFILE_AEAD_AES_128_GCM);
	srtp_shutdown();
	return 0;
}
