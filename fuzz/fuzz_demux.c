/* fuzz_demux: arbitrary datagrams on the media port, through the demux as the UDP socket hands
 * them over — RFC 7983 §7 classes, STUN by ufrag, DTLS and SRTP by address. RFC 7983, RFC 5764.
 *
 * The first input byte picks the sender, the rest is the datagram:
 *   0: the address of a transport that finished DTLS (SRTP is unprotected and parsed there)
 *   1: the address of a transport that passed ICE and awaits DTLS
 *   2: an address without a valid check (must be dropped as unroutable, or by class)
 *   3: as 0, the datagram first protected with the browser's SRTP keys, so that arbitrary RTP and
 *      RTCP headers pass authentication and reach the transport's callbacks
 * Transports use fixed ICE credentials (those of fuzz_stun) so seeded checks authenticate. */
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dtls/dtls.h"
#include "ice/ice_lite.h"
#include "peer/demux.h"
#include "peer/peer.h"
#include "rtp/rtp.h"
#include "srtp/srtp.h"

#define FUZZ_UFRAG "fuzzufrg"
#define FUZZ_PWD "fuzzpasswordfuzzpassword"
#define FUZZ_UFRAG_B "fuzzufrb"

struct endpoint {
	int fd;
	struct sockaddr_in addr;
};

static struct {
	uv_loop_t loop;
	struct dtls_cert *cert, *bcert;
	struct peer_demux d;
	struct peer *connected, *waiting;
	struct endpoint a, b, stranger;
	struct dtls_conn *client;
	struct srtp_sess *client_out;
	unsigned inputs;
} F;

static void on_rtp(void *arg, struct peer *p, uint8_t *pkt, size_t len)
{
	struct rtp_hdr h;
	if (rtp_parse(&h, pkt, len) == 0 && (h.header_len + h.payload_len + h.padding_len != len ||
	                                     h.payload + h.payload_len > pkt + len))
		abort();
}

static void on_rtcp(void *arg, struct peer *p, uint8_t *pkt, size_t len)
{
	if (len < 4)
		abort();   /* SRTCP never hands over less than a header */
}

static const struct peer_cbs cbs = { on_rtp, on_rtcp, NULL };

static void endpoint_open(struct endpoint *e, uint8_t host)
{
	e->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	memset(&e->addr, 0, sizeof e->addr);
	e->addr.sin_family = AF_INET;
	e->addr.sin_addr.s_addr = htonl(0x7f000000u | host);
	socklen_t sl = sizeof e->addr;
	if (e->fd < 0 || bind(e->fd, (struct sockaddr *)&e->addr, sizeof e->addr) != 0 ||
	    getsockname(e->fd, (struct sockaddr *)&e->addr, &sl) != 0)
		abort();
}

static void deliver(const struct endpoint *e, const uint8_t *data, size_t len)
{
	static uint8_t buf[NET_UDP_MTU];
	if (len > sizeof buf)
		len = sizeof buf;
	memcpy(buf, data, len);
	F.d.udp.on_recv(F.d.udp.arg, buf, len, (const struct sockaddr *)&e->addr);
	net_udp_flush(&F.d.udp);
}

static size_t receive(const struct endpoint *e, uint8_t *out, size_t cap, int wait_ms)
{
	struct pollfd pfd = { .fd = e->fd, .events = POLLIN };
	if (poll(&pfd, 1, wait_ms) != 1)
		return 0;
	ssize_t n = recv(e->fd, out, cap, 0);
	return n > 0 ? (size_t)n : 0;
}

static void drain(const struct endpoint *e)
{
	uint8_t buf[2048];
	while (recv(e->fd, buf, sizeof buf, 0) > 0)
		;
}

/* A transport with the given ufrag that passed an ICE check from e. */
static struct peer *checked_peer(const char *ufrag, const struct endpoint *e)
{
	struct peer *p;
	if (peer_new(&p, &F.d, &cbs, NULL) != 0)
		abort();
	hmap_del(&F.d.by_ufrag, p->ice.local_ufrag, strlen(p->ice.local_ufrag), p);
	strcpy(p->ice.local_ufrag, ufrag);
	strcpy(p->ice.local_pwd, FUZZ_PWD);
	if (hmap_put(&F.d.by_ufrag, ufrag, strlen(ufrag), p) != 0 ||
	    peer_set_remote(p, "brws", "browserpasswordbrowserpw", "sha-256", dtls_cert_fingerprint(F.bcert)) != 0)
		abort();
	uint8_t req[512], tid[12] = { 7 };
	size_t len = 0;
	if (ice_write_check(req, sizeof req, &len, tid, ufrag, "brws", FUZZ_PWD, 1, 1, true) != 0)
		abort();
	deliver(e, req, len);
	drain(e);
	if (p->state != PEER_CONNECTING)
		abort();
	return p;
}

static void client_send(void *arg, const uint8_t *buf, size_t len)
{
	deliver(&F.a, buf, len);
}

/* (Re)builds the transport on address a that finished DTLS, and the browser's SRTP session. */
static void connect_a(void)
{
	if (F.connected)
		peer_free(F.connected);
	if (F.client_out)
		srtp_sess_free(F.client_out);
	if (F.client)
		dtls_conn_free(F.client);
	F.connected = checked_peer(FUZZ_UFRAG, &F.a);
	if (dtls_conn_new(&F.client, F.bcert, false, client_send, NULL) != 0 ||
	    dtls_conn_set_remote_fingerprint(F.client, "sha-256", dtls_cert_fingerprint(F.cert)) != 0)
		abort();
	dtls_conn_start(F.client);
	for (int i = 0; i < 100 && (F.connected->state != PEER_CONNECTED || dtls_conn_state(F.client) != DTLS_CONNECTED); i++) {
		uint8_t buf[2048];
		size_t n = receive(&F.a, buf, sizeof buf, 100);
		if (n)
			dtls_conn_feed(F.client, buf, n);
	}
	enum srtp_profile prof;
	uint8_t lk[SRTP_SESS_MAX_KEY_LEN], ls[SRTP_SESS_MAX_SALT_LEN], rk[SRTP_SESS_MAX_KEY_LEN], rs[SRTP_SESS_MAX_SALT_LEN];
	if (F.connected->state != PEER_CONNECTED || dtls_conn_srtp_keys(F.client, &prof, lk, ls, rk, rs) != 0 ||
	    srtp_sess_new(&F.client_out, prof, lk, ls) != 0)
		abort();
}

static void setup(void)
{
	if (uv_loop_init(&F.loop) != 0 || dtls_cert_new(&F.cert) != 0 || dtls_cert_new(&F.bcert) != 0)
		abort();
	if (peer_demux_open(&F.d, &F.loop, 0, "127.0.0.1", 0, F.cert, &clock_system) != 0)
		abort();
	endpoint_open(&F.a, 2);
	endpoint_open(&F.b, 3);
	endpoint_open(&F.stranger, 4);
	connect_a();
	F.waiting = checked_peer(FUZZ_UFRAG_B, &F.b);
}

static struct peer *owner_of(const struct endpoint *e)
{
	uint8_t key[20];
	size_t klen = net_addr_key((const struct sockaddr *)&e->addr, key);
	return hmap_get(&F.d.by_addr, key, klen);
}

static uint64_t counted(const struct peer_stats *s)
{
	return s->drop_stun_malformed + s->drop_stun_auth + s->drop_dtls + s->drop_srtp_malformed + s->drop_srtp_auth +
	       s->drop_srtp_replay + s->drop_unknown_source + s->drop_unknown_kind + s->rtp_rx + s->rtcp_rx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!F.cert)
		setup();
	if (size < 1)
		return 0;
	unsigned mode = data[0] & 3;
	data++;
	size--;
	const struct endpoint *from = mode == 1 ? &F.b : mode == 2 ? &F.stranger : &F.a;
	static uint8_t pkt[NET_UDP_MTU + SRTP_SESS_MAX_OVERHEAD];
	if (size > NET_UDP_MTU)
		size = NET_UDP_MTU;
	memcpy(pkt, data, size);
	size_t len = size;
	if (mode == 3 && size && pkt[0] >= 128 && pkt[0] <= 191) {
		size_t out = 0;
		int err = rtp_is_rtcp(pkt, size) ? srtp_sess_protect_rtcp(F.client_out, pkt, size, sizeof pkt, &out)
		                                 : srtp_sess_protect_rtp(F.client_out, pkt, size, sizeof pkt, &out);
		if (!err && out <= NET_UDP_MTU)
			len = out;
		else
			memcpy(pkt, data, size);
	}

	struct peer_stats before = F.d.stats;
	bool stranger_known = owner_of(&F.stranger) != NULL;
	deliver(from, pkt, len);
	const struct peer_stats *s = &F.d.stats;
	/* one datagram is counted once at most */
	if (counted(s) - counted(&before) > 1)
		abort();
	/* RFC 7983 classes from an address nobody checked */
	uint8_t b = len ? pkt[0] : 0xff;
	if (mode == 2 && b > 3 && !stranger_known) {
		bool routable = (b >= 20 && b <= 63) || (b >= 128 && b <= 191);
		if (routable ? s->drop_unknown_source != before.drop_unknown_source + 1
		             : s->drop_unknown_kind != before.drop_unknown_kind + 1)
			abort();
	}
	if (mode != 2 && len && b > 3 && !(b >= 20 && b <= 63) && !(b >= 128 && b <= 191) &&
	    s->drop_unknown_kind != before.drop_unknown_kind + 1)
		abort();

	/* an input that ended a transport (an alert, a check from elsewhere) gets a fresh one, and one
	 * that made the stranger's address known is undone, so each input meets the same registry */
	struct peer *owner = owner_of(&F.stranger);
	if (owner == F.connected || F.connected->state != PEER_CONNECTED || owner_of(&F.a) != F.connected)
		connect_a();
	if (owner == F.waiting || F.waiting->state != PEER_CONNECTING || owner_of(&F.b) != F.waiting) {
		peer_free(F.waiting);
		F.waiting = checked_peer(FUZZ_UFRAG_B, &F.b);
	}
	if ((++F.inputs & 255) == 0) {
		drain(&F.a);
		drain(&F.b);
		drain(&F.stranger);
	}
	return 0;
}
