/* demux: RFC 7983 §7 first-byte demultiplexing on the one media port (STUN 0–3, DTLS 20–63,
 * RTP/RTCP 128–191); STUN finds its transport by ufrag, everything else by remote address. */
#include "peer/demux.h"

#include <stdatomic.h>
#include <string.h>

#include "peer/peer.h"
#include "stun/stun.h"

static const char *MOD = "demux";

static void drop(struct peer_demux *d, uint64_t *counter, const char *why)
{
	(*counter)++;
	if (log_get_level() <= LOG_LEVEL_DEBUG && log_limit_allow(&d->drop_log, clock_now(d->clock)))
		log_debug(MOD, "dropped a datagram: %s", why);
}

static struct peer *by_addr(struct peer_demux *d, const struct sockaddr *from)
{
	uint8_t key[20];
	size_t klen = net_addr_key(from, key);
	return hmap_get(&d->by_addr, key, klen);
}

static const char UFRAG_ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int peer_ufrag_worker(const char *ufrag, size_t len)
{
	if (!len || !ufrag[0])
		return -1;
	const char *c = memchr(UFRAG_ALPHABET, ufrag[0], sizeof UFRAG_ALPHABET - 1);
	return c ? (int)(c - UFRAG_ALPHABET) : -1;
}

void peer_ufrag_mark(char *ufrag, unsigned index)
{
	ufrag[0] = UFRAG_ALPHABET[index % PEER_MAX_WORKERS];
}

/* `via`: the TCP link the check came on, NULL for UDP. */
static void input_stun(struct peer_demux *d, const uint8_t *buf, size_t len, const struct sockaddr *from,
                       struct net_tcp_link *via)
{
	struct stun_msg m;
	if (stun_msg_decode(&m, buf, len) != 0) {
		drop(d, &d->stats.drop_stun_malformed, "malformed STUN");
		return;
	}
	if (m.type != STUN_BINDING_REQUEST)
		return;   /* indications (keepalives) and stray responses need nothing */
	char ufrag[64];
	if (ice_lite_local_ufrag(&m, ufrag, sizeof ufrag) != 0) {
		drop(d, &d->stats.drop_stun_malformed, "STUN without a usable USERNAME");
		return;
	}
	struct peer *p = hmap_get(&d->by_ufrag, ufrag, strlen(ufrag));
	if (!p) {
		drop(d, &d->stats.drop_unknown_source, "STUN for an unknown ufrag");
		return;
	}
	if (via && via->owner && via->owner != p) {
		/* one TCP connection carries one transport (RFC 6544 §6: one pair per connection) */
		drop(d, &d->stats.tcp_foreign_check, "ICE check for another transport on a bound TCP link");
		return;
	}
	peer_input_stun(p, &m, from, via);
}

/* RFC 7983 §7 on one datagram or TCP frame: STUN finds its transport by ufrag; DTLS and SRTP go
 * to the transport a valid check bound their path to — the UDP source address, or the TCP link
 * (`via`, NULL for UDP). */
static void input(struct peer_demux *d, uint8_t *buf, size_t len, const struct sockaddr *from, struct net_tcp_link *via)
{
	uint8_t b = len ? buf[0] : 0xff;
	if (b <= 3) {
		input_stun(d, buf, len, from, via);
		return;
	}
	if (!((b >= 20 && b <= 63) || (b >= 128 && b <= 191))) {
		drop(d, &d->stats.drop_unknown_kind, "first byte matches no protocol");
		return;
	}
	struct peer *p = via ? via->owner : by_addr(d, from);
	if (!p) {
		drop(d, &d->stats.drop_unknown_source, via ? "TCP frame before a valid ICE check"
		                                           : "packet from an address without a valid ICE check");
		return;
	}
	if (b <= 63)
		peer_input_dtls(p, buf, len);
	else
		peer_input_srtp(p, buf, len);
}

static void on_datagram(void *arg, uint8_t *buf, size_t len, const struct sockaddr *from)
{
	input(arg, buf, len, from, NULL);
}

static void on_tcp_frame(void *arg, struct net_tcp_link *l, uint8_t *buf, size_t len)
{
	input(arg, buf, len, (const struct sockaddr *)&l->remote, l);
}

static void on_tcp_gone(void *arg, struct net_tcp_link *l)
{
	struct peer_demux *d = arg;
	struct peer *p = l->owner;
	if (p)
		peer_link_gone(p, l);
	l->owner = NULL;
	if (d->tcp_open)
		atomic_fetch_sub(d->tcp_open, 1);
}

int peer_demux_adopt_tcp(struct peer_demux *d, int fd, const uint8_t *pre, size_t pre_len)
{
	struct net_tcp_link *l;
	uint64_t now = clock_now(d->clock);
	int err = net_tcp_link_adopt(&d->tcp, fd, pre, pre_len, &l);
	if (l)
		l->since_us = now;
	return err;
}

int peer_demux_open(struct peer_demux *d, uv_loop_t *loop, unsigned index, const char *ip, uint16_t port,
                    struct dtls_cert *cert, const struct clock_src *clock)
{
	memset(d, 0, sizeof *d);
	d->index = index;
	d->cert = cert;
	d->clock = clock;
	d->drop_log.per_sec = 5;
	hmap_init(&d->by_ufrag);
	hmap_init(&d->by_addr);
	static const struct net_tcp_cbs tcp_cbs = { on_tcp_frame, on_tcp_gone };
	int err = net_tcp_set_init(&d->tcp, loop, &tcp_cbs, d);
	if (err)
		return err;
	return net_udp_open(&d->udp, loop, ip, port, on_datagram, d);
}

/* A link whose checks never bind it to a transport is closed after PEER_TCP_UNBOUND_US. */
static void sweep_unbound(struct peer_demux *d, uint64_t now)
{
	for (struct net_tcp_link *l = d->tcp.links, *next; l; l = next) {
		next = l->next;
		if (!l->owner && now > l->since_us + PEER_TCP_UNBOUND_US) {
			d->stats.tcp_unbound_closed++;
			net_tcp_link_close(l);
		}
	}
}

bool peer_demux_evict_unbound(struct peer_demux *d, uint64_t min_age_us)
{
	uint64_t now = clock_now(d->clock);
	struct net_tcp_link *oldest = NULL;
	for (struct net_tcp_link *l = d->tcp.links; l; l = l->next)
		if (!l->owner && now >= l->since_us + min_age_us && (!oldest || l->since_us < oldest->since_us))
			oldest = l;
	if (!oldest)
		return false;
	d->stats.tcp_unbound_evicted++;
	net_tcp_link_close(oldest);
	return true;
}

void peer_demux_tick(struct peer_demux *d)
{
	uint64_t now = clock_now(d->clock);
	if (now >= d->next_sweep_us) {
		d->next_sweep_us = now + 1000000u;
		sweep_unbound(d, now);
	}
	for (struct peer *p = d->peers, *next; p; p = next) {
		next = p->next;
		peer_on_timer(p);
	}
}

void peer_demux_add_addr(struct peer_demux *d, struct peer *p, const struct sockaddr *addr)
{
	uint8_t key[20];
	size_t klen = net_addr_key(addr, key);
	struct peer *owner = hmap_get(&d->by_addr, key, klen);
	if (owner == p)
		return;
	if (owner) {   /* the address moved to another transport (a new PeerConnection reused the port) */
		for (unsigned i = 0; i < owner->n_addrs; i++) {
			uint8_t k2[20];
			if (net_addr_key((struct sockaddr *)&owner->addrs[i], k2) == klen && memcmp(k2, key, klen) == 0) {
				owner->addrs[i] = owner->addrs[--owner->n_addrs];
				break;
			}
		}
	}
	if (p->n_addrs == PEER_MAX_ADDRS) {   /* forget the oldest */
		uint8_t k0[20];
		size_t k0len = net_addr_key((struct sockaddr *)&p->addrs[0], k0);
		hmap_del(&d->by_addr, k0, k0len, p);
		memmove(&p->addrs[0], &p->addrs[1], sizeof p->addrs[0] * (PEER_MAX_ADDRS - 1));
		p->n_addrs--;
	}
	memcpy(&p->addrs[p->n_addrs++], addr, net_addr_len(addr));
	hmap_put(&d->by_addr, key, klen, p);
}

void peer_demux_remove(struct peer_demux *d, struct peer *p)
{
	hmap_del(&d->by_ufrag, p->ice.local_ufrag, strlen(p->ice.local_ufrag), p);
	for (unsigned i = 0; i < p->n_addrs; i++) {
		uint8_t key[20];
		size_t klen = net_addr_key((struct sockaddr *)&p->addrs[i], key);
		hmap_del(&d->by_addr, key, klen, p);
	}
	/* its TCP links carry nothing else: close them */
	for (struct net_tcp_link *l = d->tcp.links, *next; l; l = next) {
		next = l->next;
		if (l->owner == p) {
			l->owner = NULL;
			net_tcp_link_close(l);
		}
	}
	p->link = NULL;
	if (p->prev)
		p->prev->next = p->next;
	else if (d->peers == p)
		d->peers = p->next;
	if (p->next)
		p->next->prev = p->prev;
	p->prev = p->next = NULL;
}

static void part_closed(void *arg)
{
	struct peer_demux *d = arg;
	if (--d->pending_closes == 0 && d->closed)
		d->closed(d->closed_arg);   /* may free the memory that holds d */
}

void peer_demux_close(struct peer_demux *d, void (*closed)(void *arg), void *arg)
{
	while (d->peers)
		peer_free(d->peers);
	hmap_free(&d->by_ufrag);
	hmap_free(&d->by_addr);
	d->closed = closed;
	d->closed_arg = arg;
	d->pending_closes = 2;
	net_tcp_set_close(&d->tcp, part_closed, d);
	net_udp_close(&d->udp, part_closed, d);
}
