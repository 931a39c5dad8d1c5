/* test_demux: the media port's front door (src/peer/demux.c) — RFC 7983 §7 first-byte classes
 * (STUN 0–3, DTLS 20–63, RTP/RTCP 128–191), STUN routed by ICE ufrag, everything else by the
 * address a valid check came from, and malformed or unroutable datagrams dropped and counted.
 * Datagrams enter where the UDP socket hands them over; replies are read on loopback sockets. */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dtls/dtls.h"
#include "peer/demux.h"
#include "peer/peer.h"
#include "srtp/srtp.h"
#include "stun/stun.h"

static uint64_t now_us = 1000000;
static uint64_t fake_now(void *arg)
{
	(void)arg;
	return now_us;
}
static const struct clock_src fake_clock = { fake_now, NULL };

/* A "browser" endpoint: a UDP socket on 127.0.0.x. */
struct browser {
	int fd;
	struct sockaddr_in addr;
};

struct rig {
	uv_loop_t loop;
	struct dtls_cert *cert;
	struct peer_demux d;
	unsigned rtp, rtcp;          /* packets delivered to the transport's callbacks */
	size_t last_len;
};

static void on_rtp(void *arg, struct peer *p, uint8_t *pkt, size_t len)
{
	struct rig *r = arg;
	r->rtp++;
	r->last_len = len;
}

static void on_rtcp(void *arg, struct peer *p, uint8_t *pkt, size_t len)
{
	struct rig *r = arg;
	r->rtcp++;
	r->last_len = len;
}

static const struct peer_cbs cbs = { on_rtp, on_rtcp, NULL };

static void rig_open(struct rig *r)
{
	memset(r, 0, sizeof *r);
	ck_assert_int_eq(uv_loop_init(&r->loop), 0);
	ck_assert_int_eq(dtls_cert_new(&r->cert), 0);
	ck_assert_int_eq(peer_demux_open(&r->d, &r->loop, 0, "127.0.0.1", 0, r->cert, &fake_clock), 0);
	ck_assert_ptr_nonnull(r->d.udp.on_recv);
}

static void rig_close(struct rig *r)
{
	peer_demux_close(&r->d, NULL, NULL);
	uv_run(&r->loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(uv_loop_close(&r->loop), 0);
	dtls_cert_free(r->cert);
}

static void browser_open(struct browser *b, uint8_t host)
{
	b->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	ck_assert_int_ge(b->fd, 0);
	memset(&b->addr, 0, sizeof b->addr);
	b->addr.sin_family = AF_INET;
	b->addr.sin_addr.s_addr = htonl(0x7f000000u | host);
	ck_assert_int_eq(bind(b->fd, (struct sockaddr *)&b->addr, sizeof b->addr), 0);
	socklen_t sl = sizeof b->addr;
	ck_assert_int_eq(getsockname(b->fd, (struct sockaddr *)&b->addr, &sl), 0);
}

/* One datagram from b, as the socket hands it to the demux (the buffer is the demux's to modify). */
static void feed(struct rig *r, const struct browser *b, const void *data, size_t len)
{
	uint8_t buf[NET_UDP_MTU];
	ck_assert_uint_le(len, sizeof buf);
	memcpy(buf, data, len);
	r->d.udp.on_recv(r->d.udp.arg, buf, len, (const struct sockaddr *)&b->addr);
}

/* Sends what the demux queued and returns the next datagram b receives (0 when none comes
 * within wait_ms). */
static size_t reply(struct rig *r, const struct browser *b, uint8_t *out, size_t cap, int wait_ms)
{
	net_udp_flush(&r->d.udp);
	uv_run(&r->loop, UV_RUN_NOWAIT);
	struct pollfd pfd = { .fd = b->fd, .events = POLLIN };
	if (poll(&pfd, 1, wait_ms) != 1)
		return 0;
	ssize_t n = recv(b->fd, out, cap, 0);
	return n > 0 ? (size_t)n : 0;
}

static void drain(const struct browser *b)
{
	uint8_t buf[2048];
	while (recv(b->fd, buf, sizeof buf, 0) > 0)
		;
}

/* A valid binding request from the browser "brws" to transport p, nominating. */
static size_t check_for(const struct peer *p, uint8_t *out, size_t cap, const char *pwd)
{
	uint8_t tid[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	size_t len = 0;
	ck_assert_int_eq(ice_write_check(out, cap, &len, tid, p->ice.local_ufrag, "brws", pwd, 0x6e7f1eff,
	                                 0x1122334455667788ull, true), 0);
	return len;
}

static uint64_t drops(const struct peer_stats *s)
{
	return s->drop_stun_malformed + s->drop_stun_auth + s->drop_dtls + s->drop_srtp_malformed + s->drop_srtp_auth +
	       s->drop_srtp_replay + s->drop_unknown_source + s->drop_unknown_kind + s->drop_send;
}

/* ---- first-byte classes ---- */

START_TEST(first_byte_classes)
{
	struct rig r;
	struct browser b;
	rig_open(&r);
	browser_open(&b, 2);
	/* every first byte once, 40 bytes that are no valid STUN message, with no transport known */
	for (unsigned v = 0; v < 256; v++) {
		uint8_t pkt[40];
		memset(pkt, 0x5a, sizeof pkt);
		pkt[0] = (uint8_t)v;
		feed(&r, &b, pkt, sizeof pkt);
	}
	feed(&r, &b, "", 0);   /* an empty datagram matches no class */
	const struct peer_stats *s = &r.d.stats;
	ck_assert_uint_eq(s->drop_stun_malformed, 4);                 /* 0..3 */
	ck_assert_uint_eq(s->drop_unknown_source, 44 + 64);           /* 20..63 and 128..191, nobody there */
	ck_assert_uint_eq(s->drop_unknown_kind, 256 - 4 - 44 - 64 + 1);
	ck_assert_uint_eq(drops(s), 257);
	ck_assert_uint_eq(s->rtp_rx + s->rtcp_rx, 0);
	uint8_t buf[64];
	ck_assert_uint_eq(reply(&r, &b, buf, sizeof buf, 50), 0);      /* nothing is ever answered */
	close(b.fd);
	rig_close(&r);
}
END_TEST

START_TEST(class_edges)
{
	struct rig r;
	struct browser b;
	rig_open(&r);
	browser_open(&b, 2);
	static const uint8_t edge[] = { 3, 4, 19, 20, 63, 64, 127, 128, 191, 192 };
	static const int want_kind[] = { 0, 1, 1, 0, 0, 1, 1, 0, 0, 1 };   /* 1: no protocol */
	for (size_t i = 0; i < sizeof edge; i++) {
		uint64_t before = r.d.stats.drop_unknown_kind;
		uint8_t pkt[24] = { edge[i] };
		feed(&r, &b, pkt, sizeof pkt);
		ck_assert_msg(r.d.stats.drop_unknown_kind - before == (uint64_t)want_kind[i], "first byte %u", edge[i]);
	}
	/* a single byte of each class: counted, never read past */
	static const uint8_t one[] = { 0x00, 0x16, 0x80 };
	for (size_t i = 0; i < sizeof one; i++)
		feed(&r, &b, &one[i], 1);
	ck_assert_uint_eq(drops(&r.d.stats), sizeof edge + sizeof one);
	close(b.fd);
	rig_close(&r);
}
END_TEST

/* ---- STUN: by ufrag ---- */

START_TEST(stun_by_ufrag)
{
	struct rig r;
	struct browser b;
	rig_open(&r);
	browser_open(&b, 2);
	struct dtls_cert *bcert;
	ck_assert_int_eq(dtls_cert_new(&bcert), 0);
	struct peer *p, *q;
	ck_assert_int_eq(peer_new(&p, &r.d, &cbs, &r), 0);
	ck_assert_int_eq(peer_new(&q, &r.d, &cbs, &r), 0);
	ck_assert_int_eq(peer_set_remote(p, "brws", "browserpasswordbrowserpw", "sha-256", dtls_cert_fingerprint(bcert)), 0);
	ck_assert_int_eq(peer_set_remote(q, "brws", "browserpasswordbrowserpw", "sha-256", dtls_cert_fingerprint(bcert)), 0);

	uint8_t req[512], resp[512];
	size_t len = check_for(p, req, sizeof req, p->ice.local_pwd);
	feed(&r, &b, req, len);
	size_t n = reply(&r, &b, resp, sizeof resp, 1000);
	struct stun_msg m;
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(stun_msg_decode(&m, resp, n), 0);
	ck_assert_uint_eq(m.type, STUN_BINDING_SUCCESS);
	ck_assert(stun_msg_integrity_ok(&m, (const uint8_t *)p->ice.local_pwd, strlen(p->ice.local_pwd)));
	/* p, not q, now knows the browser's address */
	ck_assert_int_eq(p->state, PEER_CONNECTING);
	ck_assert_uint_eq(p->n_addrs, 1);
	ck_assert_int_eq(q->state, PEER_NEW);
	ck_assert_uint_eq(q->n_addrs, 0);
	ck_assert_uint_eq(drops(&r.d.stats), 0);

	/* the right ufrag with the wrong password: an error response, counted as an auth drop */
	len = check_for(q, req, sizeof req, "wrongpasswordwrongpasswo");
	feed(&r, &b, req, len);
	n = reply(&r, &b, resp, sizeof resp, 1000);
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(stun_msg_decode(&m, resp, n), 0);
	ck_assert_uint_eq(m.type, STUN_BINDING_ERROR);
	ck_assert_uint_eq(r.d.stats.drop_stun_auth, 1);
	ck_assert_uint_eq(q->n_addrs, 0);

	/* a ufrag nobody has */
	uint8_t tid[12] = { 9 };
	ck_assert_int_eq(ice_write_check(req, sizeof req, &len, tid, "nobody", "brws", "x", 1, 1, false), 0);
	feed(&r, &b, req, len);
	ck_assert_uint_eq(r.d.stats.drop_unknown_source, 1);

	/* USERNAME without the colon, and no USERNAME at all: malformed */
	struct stun_writer w;
	stun_writer_init(&w, req, sizeof req, STUN_BINDING_REQUEST, tid);
	stun_writer_add(&w, STUN_ATTR_USERNAME, "nocolon", 7);
	stun_writer_finish(&w, NULL, 0, true);
	feed(&r, &b, req, w.len);
	stun_writer_init(&w, req, sizeof req, STUN_BINDING_REQUEST, tid);
	stun_writer_finish(&w, NULL, 0, true);
	feed(&r, &b, req, w.len);
	ck_assert_uint_eq(r.d.stats.drop_stun_malformed, 2);
	/* a truncated check: malformed */
	len = check_for(p, req, sizeof req, p->ice.local_pwd);
	feed(&r, &b, req, len - 9);
	ck_assert_uint_eq(r.d.stats.drop_stun_malformed, 3);

	/* indications (keepalives) and stray responses are neither answered nor counted */
	uint64_t before = drops(&r.d.stats);
	stun_writer_init(&w, req, sizeof req, STUN_BINDING_INDICATION, tid);
	stun_writer_finish(&w, NULL, 0, true);
	feed(&r, &b, req, w.len);
	stun_writer_init(&w, req, sizeof req, STUN_BINDING_SUCCESS, tid);
	stun_writer_finish(&w, NULL, 0, true);
	feed(&r, &b, req, w.len);
	ck_assert_uint_eq(drops(&r.d.stats), before);
	drain(&b);
	ck_assert_uint_eq(reply(&r, &b, resp, sizeof resp, 50), 0);

	close(b.fd);
	rig_close(&r);   /* frees p and q */
	dtls_cert_free(bcert);
}
END_TEST

/* ---- the rest: by address ---- */

struct client {
	struct rig *r;
	struct browser *b;
	struct dtls_conn *dtls;
};

static void client_send(void *arg, const uint8_t *buf, size_t len)
{
	struct client *c = arg;
	feed(c->r, c->b, buf, len);
}

/* Runs the DTLS handshake between a client on b and transport p; returns the client. */
static struct dtls_conn *handshake(struct rig *r, struct browser *b, struct peer *p, struct dtls_cert *bcert,
                                   struct client *c)
{
	c->r = r;
	c->b = b;
	ck_assert_int_eq(dtls_conn_new(&c->dtls, bcert, false, client_send, c), 0);
	ck_assert_int_eq(dtls_conn_set_remote_fingerprint(c->dtls, "sha-256", dtls_cert_fingerprint(r->cert)), 0);
	dtls_conn_start(c->dtls);
	for (int round = 0; round < 50 && (p->state != PEER_CONNECTED || dtls_conn_state(c->dtls) != DTLS_CONNECTED);
	     round++) {
		uint8_t buf[2048];
		size_t n = reply(r, b, buf, sizeof buf, 200);
		if (n)
			dtls_conn_feed(c->dtls, buf, n);
	}
	ck_assert_int_eq(p->state, PEER_CONNECTED);
	ck_assert_int_eq(dtls_conn_state(c->dtls), DTLS_CONNECTED);
	return c->dtls;
}

static size_t rtp_packet(uint8_t *pkt, uint16_t seq)
{
	static const uint8_t hdr[12] = { 0x80, 96, 0, 0, 0, 0, 0x10, 0, 0x11, 0x22, 0x33, 0x44 };
	memcpy(pkt, hdr, 12);
	pkt[2] = (uint8_t)(seq >> 8);
	pkt[3] = (uint8_t)seq;
	memset(pkt + 12, 0xab, 100);
	return 112;
}

START_TEST(by_address)
{
	struct rig r;
	struct browser a, a2, stranger;
	rig_open(&r);
	browser_open(&a, 2);
	browser_open(&a2, 3);
	browser_open(&stranger, 4);
	struct dtls_cert *bcert;
	ck_assert_int_eq(dtls_cert_new(&bcert), 0);
	struct peer *p, *q;
	ck_assert_int_eq(peer_new(&p, &r.d, &cbs, &r), 0);
	ck_assert_int_eq(peer_new(&q, &r.d, &cbs, &r), 0);
	peer_set_remote(p, "brws", "browserpasswordbrowserpw", "sha-256", dtls_cert_fingerprint(bcert));
	peer_set_remote(q, "brws", "browserpasswordbrowserpw", "sha-256", dtls_cert_fingerprint(bcert));

	/* a's check goes to p, a2's to q */
	uint8_t req[512], buf[2048];
	feed(&r, &a, req, check_for(p, req, sizeof req, p->ice.local_pwd));
	feed(&r, &a2, req, check_for(q, req, sizeof req, q->ice.local_pwd));
	ck_assert_uint_gt(reply(&r, &a, buf, sizeof buf, 1000), 0);
	ck_assert_uint_gt(reply(&r, &a2, buf, sizeof buf, 1000), 0);

	/* DTLS and SRTP from an address without a valid check reach nobody */
	struct client c;
	struct dtls_conn *hello;
	c.r = &r;
	c.b = &stranger;
	ck_assert_int_eq(dtls_conn_new(&hello, bcert, false, client_send, &c), 0);
	dtls_conn_start(hello);   /* its ClientHello is fed from the stranger */
	uint8_t pkt[256];
	feed(&r, &stranger, pkt, rtp_packet(pkt, 1));
	ck_assert_uint_eq(r.d.stats.drop_unknown_source, 2);
	ck_assert_uint_eq(reply(&r, &stranger, buf, sizeof buf, 50), 0);
	ck_assert_int_eq(p->state, PEER_CONNECTING);
	ck_assert_int_eq(q->state, PEER_CONNECTING);
	dtls_conn_free(hello);

	/* SRTP from a checked address before DTLS finished: dropped as unroutable */
	feed(&r, &a, pkt, rtp_packet(pkt, 1));
	ck_assert_uint_eq(r.d.stats.drop_unknown_source, 3);

	/* the handshake from a2 reaches q only */
	struct dtls_conn *cl = handshake(&r, &a2, q, bcert, &c);
	ck_assert_int_eq(p->state, PEER_CONNECTING);
	drain(&a);

	/* SRTP from a2 reaches q's callbacks; the same bytes from a (p, not connected) or the stranger do not */
	enum srtp_profile prof;
	uint8_t lk[SRTP_SESS_MAX_KEY_LEN], ls[SRTP_SESS_MAX_SALT_LEN], rk[SRTP_SESS_MAX_KEY_LEN], rs[SRTP_SESS_MAX_SALT_LEN];
	ck_assert_int_eq(dtls_conn_srtp_keys(cl, &prof, lk, ls, rk, rs), 0);
	struct srtp_sess *out;
	ck_assert_int_eq(srtp_sess_new(&out, prof, lk, ls), 0);
	size_t len = rtp_packet(pkt, 7), plen;
	ck_assert_int_eq(srtp_sess_protect_rtp(out, pkt, len, sizeof pkt, &plen), 0);
	uint8_t sent[256];
	memcpy(sent, pkt, plen);
	feed(&r, &a, sent, plen);
	feed(&r, &stranger, sent, plen);
	ck_assert_uint_eq(r.rtp, 0);
	ck_assert_uint_eq(r.d.stats.drop_unknown_source, 5);
	feed(&r, &a2, sent, plen);
	ck_assert_uint_eq(r.rtp, 1);
	ck_assert_uint_eq(r.last_len, len);
	ck_assert_uint_eq(r.d.stats.rtp_rx, 1);
	ck_assert_uint_eq(r.d.stats.rtp_rx_bytes, len);

	/* replayed, tampered, truncated: each dropped under its own reason */
	feed(&r, &a2, sent, plen);
	ck_assert_uint_eq(r.d.stats.drop_srtp_replay, 1);
	len = rtp_packet(pkt, 8);
	ck_assert_int_eq(srtp_sess_protect_rtp(out, pkt, len, sizeof pkt, &plen), 0);
	pkt[20] ^= 1;
	feed(&r, &a2, pkt, plen);
	ck_assert_uint_eq(r.d.stats.drop_srtp_auth, 1);
	feed(&r, &a2, pkt, 8);
	ck_assert_uint_eq(r.d.stats.drop_srtp_malformed, 1);
	ck_assert_uint_eq(r.rtp, 1);

	/* RTCP (payload types 192–223 in the second byte) is told apart from RTP on the same first bytes */
	uint8_t rr[64] = { 0x80, 201, 0, 1, 0x11, 0x22, 0x33, 0x44 };
	ck_assert_int_eq(srtp_sess_protect_rtcp(out, rr, 8, sizeof rr, &plen), 0);
	feed(&r, &a2, rr, plen);
	ck_assert_uint_eq(r.rtcp, 1);
	ck_assert_uint_eq(r.d.stats.rtcp_rx, 1);
	ck_assert_uint_eq(r.rtp, 1);

	srtp_sess_free(out);
	dtls_conn_free(cl);
	close(a.fd);
	close(a2.fd);
	close(stranger.fd);
	rig_close(&r);
	dtls_cert_free(bcert);
}
END_TEST

/* A transport that is freed leaves the registry: its ufrag and addresses route nowhere after. */
START_TEST(removed_transport)
{
	struct rig r;
	struct browser a;
	rig_open(&r);
	browser_open(&a, 2);
	struct dtls_cert *bcert;
	ck_assert_int_eq(dtls_cert_new(&bcert), 0);
	struct peer *p;
	ck_assert_int_eq(peer_new(&p, &r.d, &cbs, &r), 0);
	peer_set_remote(p, "brws", "browserpasswordbrowserpw", "sha-256", dtls_cert_fingerprint(bcert));
	uint8_t req[512], buf[512];
	size_t len = check_for(p, req, sizeof req, p->ice.local_pwd);
	feed(&r, &a, req, len);
	ck_assert_uint_gt(reply(&r, &a, buf, sizeof buf, 1000), 0);
	ck_assert_uint_eq(r.d.by_addr.count, 1);
	ck_assert_uint_eq(r.d.by_ufrag.count, 1);
	peer_free(p);
	ck_assert_uint_eq(r.d.by_addr.count, 0);
	ck_assert_uint_eq(r.d.by_ufrag.count, 0);
	ck_assert_ptr_null(r.d.peers);
	feed(&r, &a, req, len);
	uint8_t hello[32] = { 22, 0xfe, 0xfd };
	feed(&r, &a, hello, sizeof hello);
	ck_assert_uint_eq(r.d.stats.drop_unknown_source, 2);
	ck_assert_uint_eq(reply(&r, &a, buf, sizeof buf, 50), 0);
	close(a.fd);
	rig_close(&r);
	dtls_cert_free(bcert);
}
END_TEST

/* A browser that checks from more addresses than a transport keeps: the oldest is forgotten. */
START_TEST(address_limit)
{
	struct rig r;
	rig_open(&r);
	struct dtls_cert *bcert;
	ck_assert_int_eq(dtls_cert_new(&bcert), 0);
	struct peer *p;
	ck_assert_int_eq(peer_new(&p, &r.d, &cbs, &r), 0);
	peer_set_remote(p, "brws", "browserpasswordbrowserpw", "sha-256", dtls_cert_fingerprint(bcert));
	struct browser b[PEER_MAX_ADDRS + 2];
	uint8_t req[512];
	for (unsigned i = 0; i < PEER_MAX_ADDRS + 2; i++) {
		browser_open(&b[i], (uint8_t)(10 + i));
		feed(&r, &b[i], req, check_for(p, req, sizeof req, p->ice.local_pwd));
		ck_assert_uint_le(p->n_addrs, PEER_MAX_ADDRS);
		ck_assert_uint_eq(r.d.by_addr.count, p->n_addrs);
	}
	ck_assert_uint_eq(p->n_addrs, PEER_MAX_ADDRS);
	/* the first two no longer route to p; the newest four do */
	for (unsigned i = 0; i < PEER_MAX_ADDRS + 2; i++) {
		uint8_t key[20];
		size_t klen = net_addr_key((const struct sockaddr *)&b[i].addr, key);
		ck_assert_ptr_eq(hmap_get(&r.d.by_addr, key, klen), i < 2 ? NULL : p);
	}
	for (unsigned i = 0; i < PEER_MAX_ADDRS + 2; i++)
		close(b[i].fd);
	rig_close(&r);
	dtls_cert_free(bcert);
}
END_TEST

static Suite *demux_suite(void)
{
	Suite *s = suite_create("demux");
	TCase *tc = tcase_create("demux");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, first_byte_classes);
	tcase_add_test(tc, class_edges);
	tcase_add_test(tc, stun_by_ufrag);
	tcase_add_test(tc, by_address);
	tcase_add_test(tc, removed_transport);
	tcase_add_test(tc, address_limit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(demux_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
