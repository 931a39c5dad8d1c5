/* test_media: the SFU's packet path driven through its peer callbacks with an injected clock —
 * forwarding, NACK answers within the retransmission budget, keyframe throttling, RTCP reports. */
#include <check.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/util.h"
#include "dtls/dtls.h"
#include "rtcp/rtcp.h"
#include "rtp/rtp.h"
#include "sfu/sfu_internal.h"
#include "sdp/sdp.h"
#include "srtp/srtp.h"

#define MS 1000ull
#define SEC 1000000ull
#define PUB_SSRC 0x1111u
#define DOWN_SSRC 0x2222u
#define DOWN_RTX_SSRC 0x2223u

static uint64_t fake_us;
static uint64_t fake_now(void *arg) { return fake_us; }
static const struct clock_src fake_clock = { fake_now, NULL };

/* One worker without a thread, a publisher with one VP8 track and a subscriber receiving it;
 * both transports are marked connected and send to `browser`, a UDP socket on 127.0.0.1. */
static struct {
	uv_loop_t loop;
	struct dtls_cert *cert;
	struct sfu_worker w;
	struct sfu_room room;
	struct sfu_participant pub, sub;
	struct sfu_track *track;
	struct sfu_down down;
	int browser;
	struct srtp_sess *rtcp_in;   /* the publisher's side of our RTCP towards it */
	uint16_t next_seq;
} rig;

static const uint8_t key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const uint8_t salt[12] = { 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9 };

static struct peer *connected_peer(const struct peer_cbs *cbs, void *arg, const struct sockaddr_in *to)
{
	struct peer *p;
	ck_assert_int_eq(peer_new(&p, &rig.w.demux, cbs, arg), 0);
	ck_assert_int_eq(srtp_sess_new(&p->srtp_out, SRTP_PROFILE_AEAD_AES_128_GCM, key, salt), 0);
	p->profile = SRTP_PROFILE_AEAD_AES_128_GCM;
	memcpy(&p->ice.selected, to, sizeof *to);
	p->ice.has_selected = true;
	p->state = PEER_CONNECTED;
	return p;
}

static void setup(void)
{
	memset(&rig, 0, sizeof rig);
	fake_us = 10 * SEC;
	ck_assert_int_eq(uv_loop_init(&rig.loop), 0);
	ck_assert_int_eq(dtls_cert_new(&rig.cert), 0);
	rig.w.clock = &fake_clock;
	ck_assert_int_eq(peer_demux_open(&rig.w.demux, &rig.loop, 0, "127.0.0.1", 0, rig.cert, &fake_clock), 0);
	rig.browser = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in b = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001u) };
	ck_assert_int_eq(bind(rig.browser, (struct sockaddr *)&b, sizeof b), 0);
	socklen_t sl = sizeof b;
	ck_assert_int_eq(getsockname(rig.browser, (struct sockaddr *)&b, &sl), 0);
	int big = 1 << 22;
	setsockopt(rig.browser, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	ck_assert_int_eq(srtp_sess_new(&rig.rtcp_in, SRTP_PROFILE_AEAD_AES_128_GCM, key, salt), 0);

	struct sfu_participant *pub = &rig.pub, *sub = &rig.sub;
	pub->w = sub->w = &rig.w;
	pub->room = sub->room = &rig.room;
	pub->id = 1;
	sub->id = 2;
	pub->rtcp_ssrc = 0xabc;
	pub->next = sub;
	sub->prev = pub;
	rig.room.members = pub;
	rig.room.w = &rig.w;
	rig.w.rooms = &rig.room;
	pub->pub = connected_peer(&sfu_pub_peer_cbs, pub, &b);
	sub->sub = connected_peer(&sfu_sub_peer_cbs, sub, &b);

	struct sfu_track *t = calloc(1, sizeof *t);
	t->owner = pub;
	t->kind = SFU_KIND_VIDEO;
	t->source = SFU_SOURCE_CAMERA;
	t->pt = 96;
	t->clock_rate = 90000;
	t->n_layers = 1;
	t->layers[0].ssrc = PUB_SSRC;
	t->downs = calloc(1, sizeof *t->downs);
	t->downs[0] = &rig.down;
	t->n_downs = t->cap_downs = 1;
	pub->tracks[0] = t;
	pub->n_tracks = 1;
	rig.track = t;

	struct sfu_down *d = &rig.down;
	d->sub = sub;
	d->src = t;
	d->kind = SFU_KIND_VIDEO;
	d->live = true;
	d->ssrc = DOWN_SSRC;
	d->rtx_ssrc = DOWN_RTX_SSRC;
	d->pt = SDP_SUB_VP8_PT;
	d->rtx_pt = SDP_SUB_VP8_RTX_PT;
	sub->down_twcc_ext = SFU_TWCC_EXT_ID;
	d->cur_layer = -1;
	d->target_layer = 0;
	sfu_fwd_init(&d->fwd, true, 90000, 100, 5000);
	sub->downs[0] = d;
	sub->n_downs = 1;
	rig.next_seq = 40000;
}

static void teardown(void)
{
	rtp_cache_free(rig.track->layers[0].cache);
	free(rig.track->downs);
	free(rig.track);
	peer_free(rig.pub.pub);
	peer_free(rig.sub.sub);
	srtp_sess_free(rig.rtcp_in);
	peer_demux_close(&rig.w.demux, NULL, NULL);
	uv_run(&rig.loop, UV_RUN_DEFAULT);
	uv_loop_close(&rig.loop);
	dtls_cert_free(rig.cert);
	close(rig.browser);
}

/* Sends what the demux queued; returns how many datagrams the browser socket got. */
static unsigned drain(void)
{
	net_udp_flush(&rig.w.demux.udp);
	unsigned n = 0;
	uint8_t buf[2048];
	while (recv(rig.browser, buf, sizeof buf, 0) > 0)
		n++;
	return n;
}

/* One VP8 packet from the publisher (a keyframe when asked), 1000 bytes of payload. */
static void publish(bool keyframe)
{
	uint8_t payload[1000], pkt[1200];
	memset(payload, 0x55, sizeof payload);
	payload[0] = 0x90;   /* X, S, partition 0 */
	payload[1] = 0x80;   /* I: picture id */
	payload[2] = 0x80 | 0x01;
	payload[3] = (uint8_t)rig.next_seq;
	payload[4] = keyframe ? 0x10 : 0x11;   /* frame tag P bit */
	payload[7] = 0x9d, payload[8] = 0x01, payload[9] = 0x2a;
	payload[10] = 0x80, payload[11] = 0x02, payload[12] = 0xe0, payload[13] = 0x01;   /* 640x480 */
	size_t n = rtp_write(pkt, sizeof pkt, true, 96, rig.next_seq++, 90 * (uint32_t)(fake_us / 1000), PUB_SSRC,
	                     NULL, 0, payload, sizeof payload);
	ck_assert_uint_gt(n, 0);
	sfu_pub_peer_cbs.on_rtp(&rig.pub, rig.pub.pub, pkt, n);
}

/* The subscriber's NACK for n output sequence numbers from first, as one RTCP packet. */
static void nack(uint16_t first, size_t n)
{
	uint16_t seqs[512];
	uint8_t buf[1500];
	ck_assert_uint_le(n, 512);
	for (size_t i = 0; i < n; i++)
		seqs[i] = (uint16_t)(first + i);
	size_t len = rtcp_write_nack(buf, sizeof buf, 0x5555, DOWN_SSRC, seqs, n);
	ck_assert_uint_gt(len, 0);
	sfu_sub_peer_cbs.on_rtcp(&rig.sub, rig.sub.sub, buf, len);
}

/* 200 packets forwarded; the first output sequence number is 100. */
static void forward_200(void)
{
	publish(true);
	for (int i = 1; i < 200; i++) {
		fake_us += 5 * MS;
		publish(false);
	}
	ck_assert_int_eq(rig.down.cur_layer, 0);
	ck_assert_uint_eq(rig.down.packets, 200);
	ck_assert_uint_eq(drain(), 200);
}

/* A down-track the subscriber has not answered yet gets nothing: its browser has no receiver
 * for it, and a keyframe sent then would be lost for good. */
START_TEST(waits_for_the_answer)
{
	rig.down.live = false;
	publish(true);
	publish(false);
	ck_assert_uint_eq(rig.down.packets, 0);
	ck_assert_uint_eq(rig.w.keyframe_requests, 0);
	ck_assert_uint_eq(drain(), 0);
	rig.down.live = true;
	fake_us += 400 * MS;
	publish(false);   /* now it waits for a keyframe and asks for one */
	ck_assert_uint_eq(rig.w.keyframe_requests, 1);
	publish(true);
	ck_assert_uint_eq(rig.down.packets, 1);
}
END_TEST

START_TEST(forwards_after_keyframe)
{
	publish(false);   /* waits for a keyframe and asks for one */
	ck_assert_uint_eq(rig.down.packets, 0);
	ck_assert_uint_eq(rig.w.keyframe_requests, 1);
	publish(true);
	publish(false);
	ck_assert_uint_eq(rig.down.packets, 2);
	ck_assert_uint_eq(rig.track->layers[0].width, 640);
	ck_assert_uint_eq(rig.track->layers[0].height, 480);
	ck_assert_uint_eq(drain(), 3);   /* the PLI and two packets */
}
END_TEST

/* One NACK packet listing 199 packets (12 FCIs with all BLP bits set) is answered with the
 * budget's burst only; the rest is refused and counted. */
START_TEST(nack_storm_capped)
{
	forward_200();
	uint32_t rate = sfu_rtx_rate_pps(rig.sub.budget_bps);
	ck_assert_uint_eq(rate, SFU_RTX_MIN_PPS);
	uint64_t burst = (uint64_t)rate * SFU_RTX_BURST_MS / 1000u;
	nack(101, 199);
	ck_assert_uint_eq(rig.w.nack_retransmits, burst);
	ck_assert_uint_eq(rig.w.nack_retransmits_dropped, 199 - burst);
	ck_assert_uint_eq(drain(), burst);
	/* A storm: 50 such NACKs a second for 4 s of the injected clock. */
	uint64_t start = fake_us, before = rig.w.nack_retransmits;
	for (int i = 0; i < 200; i++) {
		fake_us += 20 * MS;
		nack(101, 199);
	}
	uint64_t sent = rig.w.nack_retransmits - before, secs = (fake_us - start) / SEC;
	printf("media: NACK storm of %d NACKs x 199 packets over %llu s: %llu resent, %llu refused, %llu duplicates\n",
	       200, (unsigned long long)secs, (unsigned long long)sent,
	       (unsigned long long)rig.w.nack_retransmits_dropped, (unsigned long long)rig.w.nack_duplicates);
	ck_assert_uint_le(sent, rate * secs + 1);
	ck_assert_uint_ge(sent, rate * secs - 1);
	ck_assert_uint_gt(rig.w.nack_retransmits_dropped, 199u * 150u);
	drain();
}
END_TEST

/* A higher estimate buys a larger budget, within its ceiling. */
START_TEST(nack_budget_follows_estimate)
{
	ck_assert_uint_eq(sfu_rtx_rate_pps(0), SFU_RTX_MIN_PPS);
	ck_assert_uint_eq(sfu_rtx_rate_pps(4000000), 4000000 / 4 / (8 * SFU_RTX_PACKET_BYTES));
	ck_assert_uint_eq(sfu_rtx_rate_pps(30000000), SFU_RTX_MAX_PPS);
	forward_200();
	rig.sub.budget_bps = 4000000;
	uint32_t rate = sfu_rtx_rate_pps(rig.sub.budget_bps);
	nack(101, 199);
	ck_assert_uint_eq(rig.w.nack_retransmits, (uint64_t)rate * SFU_RTX_BURST_MS / 1000u);
	drain();
}
END_TEST

/* The same packet NACKed again within the window is not resent twice; later it is. */
START_TEST(nack_duplicates_ignored)
{
	forward_200();
	rig.sub.budget_bps = 50u * 4u * 8u * SFU_RTX_PACKET_BYTES;   /* 50 retransmissions a second */
	nack(150, 1);
	ck_assert_uint_eq(rig.w.nack_retransmits, 1);
	fake_us += 30 * MS;
	nack(150, 1);
	nack(150, 1);
	ck_assert_uint_eq(rig.w.nack_retransmits, 1);
	ck_assert_uint_eq(rig.w.nack_duplicates, 2);
	fake_us += SFU_RTX_DEDUP_US;
	nack(150, 1);
	ck_assert_uint_eq(rig.w.nack_retransmits, 2);
	/* Not in the cache (never sent, or too old): nothing, and no budget spent. */
	nack(5000, 17);
	ck_assert_uint_eq(rig.w.nack_retransmits, 2);
	ck_assert_uint_eq(rig.w.nack_retransmits_dropped, 0);
	/* Refused packets are not taken for resent ones: asked again at once, the resent ones are
	 * duplicates and the refused ones are refused again (not duplicates). */
	nack(101, 40);
	uint64_t sent = rig.w.nack_retransmits - 2, refused = rig.w.nack_retransmits_dropped;
	ck_assert_uint_gt(sent, 0);
	ck_assert_uint_eq(sent + refused, 40);
	fake_us += 10 * MS;
	nack(101, 40);
	ck_assert_uint_eq(rig.w.nack_duplicates, 2 + sent);
	ck_assert_uint_eq(rig.w.nack_retransmits_dropped, 2 * refused);
	ck_assert_uint_eq(rig.w.nack_retransmits, 2 + sent);
	/* A second later the window has passed and the budget has refilled. */
	fake_us += SEC;
	nack(101, 20);
	ck_assert_uint_eq(rig.w.nack_retransmits, 2 + sent + 20);
	drain();
}
END_TEST

/* The retransmission goes out on the RTX SSRC with the original sequence number first. */
START_TEST(retransmission_on_rtx)
{
	forward_200();
	struct srtp_sess *in;
	ck_assert_int_eq(srtp_sess_new(&in, SRTP_PROFILE_AEAD_AES_128_GCM, key, salt), 0);
	nack(120, 1);
	net_udp_flush(&rig.w.demux.udp);
	uint8_t buf[2048];
	struct pollfd pfd = { .fd = rig.browser, .events = POLLIN };
	ck_assert_int_eq(poll(&pfd, 1, 1000), 1);
	ssize_t n = recv(rig.browser, buf, sizeof buf, 0);
	ck_assert_int_gt(n, 0);
	size_t len;
	ck_assert_int_eq(srtp_sess_unprotect_rtp(in, buf, (size_t)n, &len), 0);
	struct rtp_hdr h;
	ck_assert_int_eq(rtp_parse(&h, buf, len), 0);
	ck_assert_uint_eq(h.ssrc, DOWN_RTX_SSRC);
	ck_assert_uint_eq(h.pt, SDP_SUB_VP8_RTX_PT);
	ck_assert_uint_eq(rd16(h.payload), 120);
	ck_assert_uint_eq(h.payload_len, 1002);
	srtp_sess_free(in);
}
END_TEST

/* An H.264 track (RFC 6184): forwarding starts at a packet with the frame's SPS and PPS (a
 * STAP-A of a P slice, which VP8's rules would take for a keyframe, waits), the size comes from
 * the SPS, and the payloads reach the subscriber byte for byte under the H.264 payload type. */
static void publish_h264(const uint8_t *payload, size_t len)
{
	uint8_t pkt[1500];
	size_t n = rtp_write(pkt, sizeof pkt, true, 102, rig.next_seq++, 90 * (uint32_t)(fake_us / 1000), PUB_SSRC,
	                     NULL, 0, payload, len);
	ck_assert_uint_gt(n, 0);
	sfu_pub_peer_cbs.on_rtp(&rig.pub, rig.pub.pub, pkt, n);
}

static unsigned tapped;
static bool tap_media(void *arg, const struct sfu_tap_media *m) { tapped++; return false; }
static const struct sfu_tap_ops tap_ops = { tap_media, NULL, NULL };

START_TEST(h264_forwarded_untouched)
{
	rig.room.taps[0] = (struct sfu_tap_slot){ &tap_ops, NULL };   /* a recording: VP8 only */
	rig.room.n_taps = 1;
	tapped = 0;
	rig.track->codec = SDP_VIDEO_H264;
	rig.track->pt = 102;
	rig.down.pt = SDP_SUB_H264_PT;
	rig.down.rtx_pt = SDP_SUB_H264_RTX_PT;
	static const uint8_t delta_stap[] = { 0x58, 0x00, 0x05, 0x41, 0x88, 0x88, 0x16, 0xbc };
	static const uint8_t key_stap[] = { 0x78, 0x00, 0x18, 0x67, 0x42, 0xc0, 0x1f, 0xd9, 0x01, 0x41, 0x9f, 0x9e, 0x10,
	                                    0x00, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0xc8, 0xf1, 0x83, 0x24,
	                                    0x80, 0x00, 0x04, 0x68, 0xcb, 0x8c, 0xb2 };
	static const uint8_t fu_start[] = { 0x7c, 0x85, 0x88, 0x84, 0x0a, 0xbc, 0x98, 0xa0 };
	static const uint8_t fu_end[] = { 0x7c, 0x45, 0xd7, 0x5d, 0x75, 0xd7, 0x5d, 0x75 };
	publish_h264(delta_stap, sizeof delta_stap);
	ck_assert_uint_eq(rig.down.packets, 0);
	ck_assert_uint_eq(rig.w.keyframe_requests, 1);
	publish_h264(key_stap, sizeof key_stap);
	publish_h264(fu_start, sizeof fu_start);
	publish_h264(fu_end, sizeof fu_end);
	publish_h264(delta_stap, sizeof delta_stap);
	ck_assert_uint_eq(rig.down.packets, 4);
	ck_assert_uint_eq(rig.track->layers[0].width, 320);
	ck_assert_uint_eq(rig.track->layers[0].height, 180);

	const uint8_t *sent[] = { key_stap, fu_start, fu_end, delta_stap };
	size_t lens[] = { sizeof key_stap, sizeof fu_start, sizeof fu_end, sizeof delta_stap };
	struct srtp_sess *in;
	ck_assert_int_eq(srtp_sess_new(&in, SRTP_PROFILE_AEAD_AES_128_GCM, key, salt), 0);
	net_udp_flush(&rig.w.demux.udp);
	uint8_t buf[2048];
	size_t got = 0;
	struct pollfd pfd = { .fd = rig.browser, .events = POLLIN };
	while (got < 4 && poll(&pfd, 1, 1000) == 1) {
		ssize_t n = recv(rig.browser, buf, sizeof buf, 0);
		size_t len;
		struct rtp_hdr h;
		if (n <= 0 || rtp_is_rtcp(buf, (size_t)n) || srtp_sess_unprotect_rtp(in, buf, (size_t)n, &len) != 0 ||
		    rtp_parse(&h, buf, len) != 0)
			continue;
		ck_assert_uint_eq(h.pt, SDP_SUB_H264_PT);
		ck_assert_uint_eq(h.ssrc, DOWN_SSRC);
		ck_assert_uint_eq(h.seq, 100 + got);
		ck_assert_uint_eq(h.payload_len, lens[got]);
		ck_assert_mem_eq(h.payload, sent[got], lens[got]);
		got++;
	}
	ck_assert_uint_eq(got, 4);
	srtp_sess_free(in);
	ck_assert_uint_eq(tapped, 0);   /* the tap leaves the H.264 video out, and says so once */
	ck_assert(rig.track->tap_skip_logged);
	rig.track->codec = SDP_VIDEO_VP8;   /* the same track in VP8 reaches it */
	publish(true);
	ck_assert_uint_eq(tapped, 1);
	rig.room.n_taps = 0;
	drain();
}
END_TEST

/* PLIs from a subscriber reach the publisher at most once per SFU_PLI_MIN_INTERVAL_US. */
START_TEST(keyframe_requests_throttled)
{
	forward_200();
	uint8_t pli[64];
	size_t n = rtcp_write_pli(pli, sizeof pli, 0x5555, DOWN_SSRC);
	uint64_t base = rig.w.keyframe_requests;
	for (int i = 0; i < 100; i++) {   /* 100 PLIs in 100 ms */
		uint8_t copy[64];
		memcpy(copy, pli, n);
		sfu_sub_peer_cbs.on_rtcp(&rig.sub, rig.sub.sub, copy, n);
		fake_us += MS;
	}
	ck_assert_uint_eq(rig.w.keyframe_requests - base, 1);
	fake_us += SFU_PLI_MIN_INTERVAL_US;
	for (int i = 0; i < 1000; i++) {   /* 1,000 PLIs and FIRs over one second */
		uint8_t copy[64];
		size_t m = i % 2 ? rtcp_write_fir(copy, sizeof copy, 0x5555, DOWN_SSRC, (uint8_t)i) : (memcpy(copy, pli, n), n);
		sfu_sub_peer_cbs.on_rtcp(&rig.sub, rig.sub.sub, copy, m);
		fake_us += MS;
	}
	uint64_t got = rig.w.keyframe_requests - base;
	ck_assert_uint_le(got, 2 + SEC / SFU_PLI_MIN_INTERVAL_US);
	ck_assert_uint_ge(got, 2);
	drain();
}
END_TEST

/* Each report round sends the publisher one RR (with REMB) per receiving publisher; a sender
 * report from the publisher goes to the subscriber translated to its SSRC. */
START_TEST(rtcp_reports)
{
	sfu_worker_reports(&rig.w);
	ck_assert_uint_eq(drain(), 0);   /* nothing received yet: nothing to report */
	forward_200();
	uint64_t tx = rig.w.demux.stats.rtcp_tx;
	for (int s = 0; s < 5; s++) {
		fake_us += SEC;
		sfu_worker_reports(&rig.w);
	}
	ck_assert_uint_eq(rig.w.demux.stats.rtcp_tx - tx, 5);
	net_udp_flush(&rig.w.demux.udp);
	uint8_t buf[2048];
	ssize_t n = recv(rig.browser, buf, sizeof buf, 0);
	ck_assert_int_gt(n, 0);
	size_t len;
	ck_assert_int_eq(srtp_sess_unprotect_rtcp(rig.rtcp_in, buf, (size_t)n, &len), 0);
	struct rtcp_iter it;
	struct rtcp_pkt pk;
	rtcp_iter_init(&it, buf, len);
	ck_assert_int_eq(rtcp_iter_next(&it, &pk), 1);
	ck_assert_uint_eq(pk.pt, RTCP_RR);
	struct rtcp_report_block b[2];
	size_t nb = 0;
	ck_assert_int_eq(rtcp_report_blocks(&pk, b, 2, &nb), 0);
	ck_assert_uint_eq(nb, 1);
	ck_assert_uint_eq(b[0].ssrc, PUB_SSRC);
	ck_assert_int_eq(rtcp_iter_next(&it, &pk), 1);
	ck_assert(pk.pt == RTCP_PSFB && pk.fmt == RTCP_PSFB_AFB);
	drain();
	/* The publisher's SR → one SR to the subscriber. */
	uint8_t sr[128];
	size_t m = rtcp_write_sr(sr, sizeof sr, PUB_SSRC, 0x1234567890ull, 777, 200, 200000, NULL, 0);
	tx = rig.w.demux.stats.rtcp_tx;
	sfu_pub_peer_cbs.on_rtcp(&rig.pub, rig.pub.pub, sr, m);
	ck_assert_uint_eq(rig.w.demux.stats.rtcp_tx - tx, 1);
	ck_assert_uint_eq(drain(), 1);
}
END_TEST

static Suite *media_suite(void)
{
	Suite *s = suite_create("media");
	TCase *t = tcase_create("path");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, forwards_after_keyframe);
	tcase_add_test(t, waits_for_the_answer);
	tcase_add_test(t, nack_storm_capped);
	tcase_add_test(t, nack_budget_follows_estimate);
	tcase_add_test(t, nack_duplicates_ignored);
	tcase_add_test(t, retransmission_on_rtx);
	tcase_add_test(t, keyframe_requests_throttled);
	tcase_add_test(t, rtcp_reports);
	tcase_add_test(t, h264_forwarded_untouched);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(media_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
