/* test_tcp: media over TCP — RFC 4571 deframing (src/net/tcp_framing.c), the first-bytes sorting
 * of the ICE-TCP listener (src/peer/tcp_accept.c), the worker number in local ufrags
 * (src/peer/demux.c) and a link's bounded send queue (src/net/tcp_link.c) over a socket pair. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ice/ice_lite.h"
#include "net/tcp_framing.h"
#include "net/tcp_link.h"
#include "peer/demux.h"
#include "peer/tcp_accept.h"

struct frames {
	unsigned n;
	size_t lens[64];
	uint8_t first[64];
};

static void collect(void *arg, uint8_t *frame, size_t len)
{
	struct frames *f = arg;
	if (f->n < 64) {
		f->lens[f->n] = len;
		f->first[f->n] = frame[0];
	}
	f->n++;
}

/* n frames of lengths lens[i], each filled with byte i+1, framed back to back. */
static size_t framed(uint8_t *out, const size_t *lens, unsigned n)
{
	size_t off = 0;
	for (unsigned i = 0; i < n; i++) {
		net_frame_header(out + off, lens[i]);
		memset(out + off + 2, (int)(i + 1), lens[i]);
		off += 2 + lens[i];
	}
	return off;
}

START_TEST(deframe_whole_and_split)
{
	static const size_t lens[] = { 1, 100, 1500, 0, NET_FRAME_MAX, 3 };
	uint8_t stream[2 * NET_FRAME_MAX];
	size_t total = framed(stream, lens, 6);
	/* in one piece, then byte by byte, then in chunks of 7: the same frames */
	for (size_t chunk = total; chunk >= 1; chunk = chunk == total ? 1 : chunk == 1 ? 7 : 0) {
		static struct net_deframer d;
		memset(&d, 0, sizeof d);
		struct frames f = { 0 };
		for (size_t off = 0; off < total; off += chunk) {
			size_t k = total - off < chunk ? total - off : chunk;
			ck_assert_int_eq(net_deframer_feed(&d, stream + off, k, collect, &f), 0);
		}
		ck_assert_uint_eq(f.n, 5);   /* the empty frame is skipped */
		ck_assert_uint_eq(f.lens[0], 1);
		ck_assert_uint_eq(f.lens[1], 100);
		ck_assert_uint_eq(f.lens[2], 1500);
		ck_assert_uint_eq(f.lens[3], NET_FRAME_MAX);
		ck_assert_uint_eq(f.first[3], 5);
		ck_assert_uint_eq(f.lens[4], 3);
		ck_assert_uint_eq(d.len, 0);
		if (chunk == 7)
			break;
	}
}
END_TEST

START_TEST(deframe_oversized_ends_stream)
{
	static struct net_deframer d;
	memset(&d, 0, sizeof d);
	struct frames f = { 0 };
	uint8_t hdr[2];
	net_frame_header(hdr, NET_FRAME_MAX + 1);
	ck_assert_int_eq(net_deframer_feed(&d, hdr, 2, collect, &f), EMSGSIZE);
	ck_assert_uint_eq(f.n, 0);
	/* a partial frame is kept, not delivered */
	uint8_t part[5] = { 0, 10, 1, 2, 3 };
	memset(&d, 0, sizeof d);
	ck_assert_int_eq(net_deframer_feed(&d, part, sizeof part, collect, &f), 0);
	ck_assert_uint_eq(f.n, 0);
	ck_assert_uint_eq(d.len, 5);
}
END_TEST

/* A binding request as a browser sends it to ufrag `local` (USERNAME "local:remote"), framed. */
static size_t framed_check(uint8_t *out, size_t cap, const char *local)
{
	uint8_t tid[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	size_t len = 0;
	ck_assert_int_eq(ice_write_check(out + 2, cap - 2, &len, tid, local, "brws", "pwdpwdpwdpwdpwdpwdpwdpwd", 1, 2, true), 0);
	net_frame_header(out, len);
	return 2 + len;
}

START_TEST(classify_first_bytes)
{
	uint8_t buf[512];
	int worker;
	char ufrag[16] = "xBCDEFGH";
	peer_ufrag_mark(ufrag, 3);
	ck_assert_int_eq(peer_ufrag_worker(ufrag, strlen(ufrag)), 3);
	size_t n = framed_check(buf, sizeof buf, ufrag);
	ck_assert_int_eq(peer_tcp_classify(buf, n, &worker), PEER_TCP_ICE);
	ck_assert_int_eq(worker, 3);
	/* every shorter prefix: wait for more */
	for (size_t k = 0; k < n; k++)
		ck_assert_int_eq(peer_tcp_classify(buf, k, &worker), PEER_TCP_NEED_MORE);
	/* a TLS ClientHello record header */
	const uint8_t hello[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 };
	ck_assert_int_eq(peer_tcp_classify(hello, 4, &worker), PEER_TCP_NEED_MORE);
	ck_assert_int_eq(peer_tcp_classify(hello, sizeof hello, &worker), PEER_TCP_TLS);
	/* HTTP, a frame too long for a check, a frame of DTLS, a broken cookie: neither */
	ck_assert_int_eq(peer_tcp_classify((const uint8_t *)"GET / HTTP/1.1\r\n", 16, &worker), PEER_TCP_OTHER);
	const uint8_t big[] = { 0x7f, 0xff, 0x00, 0x01 };
	ck_assert_int_eq(peer_tcp_classify(big, sizeof big, &worker), PEER_TCP_OTHER);
	const uint8_t dtls[] = { 0x00, 0x40, 0x16, 0xfe, 0xfd };
	ck_assert_int_eq(peer_tcp_classify(dtls, sizeof dtls, &worker), PEER_TCP_OTHER);
	buf[2 + 4] ^= 0xff;
	ck_assert_int_eq(peer_tcp_classify(buf, n, &worker), PEER_TCP_OTHER);
	/* a check whose ufrag starts with no worker's character */
	ck_assert_int_eq(peer_ufrag_worker("-abc", 4), -1);
	ck_assert_int_eq(peer_ufrag_worker("", 0), -1);
}
END_TEST

struct link_rig {
	uv_loop_t loop;
	struct net_tcp_set set;
	struct frames got;
	unsigned gone;
};

static void rig_frame(void *arg, struct net_tcp_link *l, uint8_t *frame, size_t len)
{
	struct link_rig *r = arg;
	(void)l;
	collect(&r->got, frame, len);
}

static void rig_gone(void *arg, struct net_tcp_link *l)
{
	struct link_rig *r = arg;
	(void)l;
	r->gone++;
}

/* A loop, a link set on it, and a connected socket pair: sv[0] for the link, sv[1] the peer. */
static void rig_open(struct link_rig *r, int sv[2])
{
	memset(r, 0, sizeof *r);
	ck_assert_int_eq(uv_loop_init(&r->loop), 0);
	static const struct net_tcp_cbs cbs = { rig_frame, rig_gone };
	ck_assert_int_eq(net_tcp_set_init(&r->set, &r->loop, &cbs, r), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
}

static void rig_close(struct link_rig *r)
{
	net_tcp_set_close(&r->set, NULL, NULL);
	uv_run(&r->loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(uv_loop_close(&r->loop), 0);
}

static void run_a_while(uv_loop_t *loop)
{
	for (int i = 0; i < 20; i++)
		uv_run(loop, UV_RUN_NOWAIT);
}

START_TEST(link_round_trip_and_shedding)
{
	static struct link_rig r;
	int sv[2];
	rig_open(&r, sv);
	/* two frames already read by the listener, then one more from the peer */
	uint8_t pre[64];
	static const size_t lens[] = { 20, 30 };
	size_t pn = framed(pre, lens, 2);
	struct net_tcp_link *l;
	ck_assert_int_eq(net_tcp_link_adopt(&r.set, sv[0], pre, pn, &l), 0);
	ck_assert_uint_eq(r.got.n, 2);
	uint8_t more[16];
	static const size_t one[] = { 5 };
	ck_assert_int_eq(write(sv[1], more, framed(more, one, 1)), 7);
	run_a_while(&r.loop);
	ck_assert_uint_eq(r.got.n, 3);
	ck_assert_uint_eq(r.got.lens[2], 5);

	/* the peer reads nothing: video is shed past NET_TCP_SHED_BYTES, the rest past the queue's
	 * bound, and what was queued stays below it */
	int small = 4096;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	uint8_t pkt[1200];
	memset(pkt, 0xab, sizeof pkt);
	unsigned video_ok = 0, audio_ok = 0;
	for (int i = 0; i < 6000; i++) {
		if (net_tcp_link_send(l, pkt, sizeof pkt, true) == 0)
			video_ok++;
		if (net_tcp_link_send(l, pkt, 100, false) == 0)
			audio_ok++;
		if (i % 50 == 0)
			run_a_while(&r.loop);
		ck_assert_uint_le(net_tcp_link_backlog(l), NET_TCP_QUEUE_MAX);
	}
	ck_assert_uint_gt(r.set.stats.shed_droppable, 0);
	ck_assert_uint_gt(r.set.stats.shed_all, 0);
	ck_assert_uint_gt(audio_ok, video_ok);   /* audio kept going after video was shed */
	/* what got through arrives framed and intact */
	uint8_t rx[4096];
	ssize_t k = read(sv[1], rx, sizeof rx);
	ck_assert_int_gt(k, 2);
	ck_assert_uint_eq((size_t)rx[0] << 8 | rx[1], sizeof pkt);
	ck_assert_uint_eq(rx[2], 0xab);

	/* the peer hangs up: the link goes, once */
	close(sv[1]);
	for (int i = 0; i < 200 && !r.gone; i++)
		run_a_while(&r.loop);
	ck_assert_uint_eq(r.gone, 1);
	ck_assert_uint_eq(r.set.n_links, 0);
	rig_close(&r);
}
END_TEST

START_TEST(link_bad_framing_closes)
{
	static struct link_rig r;
	int sv[2];
	rig_open(&r, sv);
	struct net_tcp_link *l;
	ck_assert_int_eq(net_tcp_link_adopt(&r.set, sv[0], NULL, 0, &l), 0);
	const uint8_t bad[] = { 0xff, 0xff, 1, 2, 3 };
	ck_assert_int_eq(write(sv[1], bad, sizeof bad), (ssize_t)sizeof bad);
	for (int i = 0; i < 200 && !r.gone; i++)
		run_a_while(&r.loop);
	ck_assert_uint_eq(r.gone, 1);
	ck_assert_uint_eq(r.set.stats.bad_framing, 1);
	close(sv[1]);
	rig_close(&r);
}
END_TEST

static Suite *tcp_suite(void)
{
	Suite *s = suite_create("tcp");
	TCase *tc = tcase_create("tcp");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, deframe_whole_and_split);
	tcase_add_test(tc, deframe_oversized_ends_stream);
	tcase_add_test(tc, classify_first_bytes);
	tcase_add_test(tc, link_round_trip_and_shedding);
	tcase_add_test(tc, link_bad_framing_closes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tcp_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
