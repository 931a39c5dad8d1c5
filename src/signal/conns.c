/* conns: the TCP connections of signaling — counted per client address (IPv4 address, IPv6 /64;
 * behind a trusted proxy the forwarded one) and in total, refused early, idle ones evicted when full. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/clock.h"
#include "signal/signal_int.h"

#define CONNS_FLOOR 16u          /* the fewest connections a tiny fd limit still allows */
#define CONNS_HEADROOM 64u       /* fds kept for media sockets, the loop, files being served */
#define CONNS_DYING_MAX 32u      /* evicted connections that may still hold an fd */

/* The connections of one address group. */
struct signal_group {
	uint8_t key[9];              /* family, then 4 (IPv4) or 8 (an IPv6 /64) bytes */
	uint8_t klen;
	unsigned count;
};

/* One accepted connection, found by its wsi in s->peers (lws' adoption takes the wsi's opaque
 * user data for itself). */
struct signal_peer {
	struct signal_group *group;
	struct lws *wsi;
	struct signal_peer *prev, *next;   /* the pending list while no request came */
	bool pending, dying;
	bool placed;                 /* its first request was seen (and it moved to its client's group) */
};

/* Process-wide, as the fd table is: the listener's fd and one fd kept back for accept-and-close. */
static int listen_fd = -1;
static int reserve_fd = -1;

/* What RLIMIT_NOFILE leaves for connections after the headroom, and a per-address share of it. */
static void derive_limits(unsigned *total, unsigned *per_ip)
{
	struct rlimit rl;
	rlim_t nofile = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 1024;
	if (nofile == RLIM_INFINITY || nofile > (1u << 20))
		nofile = 1u << 20;
	rlim_t headroom = CONNS_HEADROOM + nofile / 8;
	rlim_t t = nofile > headroom + CONNS_FLOOR ? nofile - headroom : CONNS_FLOOR;
	*total = (unsigned)t;
	unsigned p = *total / 8;
	*per_ip = p < 8 ? 8 : p > 64 ? 64 : p;
}

static const char *const default_exempt[] = { "127.0.0.1", "::1" };

void signal_conns_init(struct signal *s, const struct signal_config *cfg)
{
	/* This machine itself (a reverse proxy on it carries everybody) is not limited per address. */
	size_t n = cfg->n_per_ip_exempt ? cfg->n_per_ip_exempt : 2;
	s->per_ip_exempt = calloc(n, sizeof *s->per_ip_exempt);
	for (size_t i = 0; s->per_ip_exempt && i < n; i++) {
		if (cfg->n_per_ip_exempt)
			s->per_ip_exempt[i] = cfg->per_ip_exempt[i];
		else
			signal_cidr_parse(default_exempt[i], &s->per_ip_exempt[i]);
	}
	s->n_per_ip_exempt = s->per_ip_exempt ? n : 0;
	unsigned total, per_ip;
	derive_limits(&total, &per_ip);
	s->max_conns = total;
	if (cfg->max_connections) {
		if (cfg->max_connections > total)
			log_warn("signal", "--max-connections %u is more than the fd limit allows; using %u "
			         "(raise LimitNOFILE / ulimit -n)", cfg->max_connections, total);
		else
			s->max_conns = cfg->max_connections;
	}
	s->max_per_ip = cfg->max_connections_per_ip ? cfg->max_connections_per_ip : per_ip;
	if (s->max_per_ip > s->max_conns)
		s->max_per_ip = s->max_conns;
	hmap_init(&s->groups);
	hmap_init(&s->peers);
	s->log_refused.per_sec = 5;
	if (reserve_fd < 0)
		reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	log_info("signal", "at most %u connections, %u per address (%zu ranges exempt, %zu trusted proxy ranges)",
	         s->max_conns, s->max_per_ip, s->n_per_ip_exempt, s->n_trusted);
}

void signal_conns_free(struct signal *s)
{
	void *val;
	for (size_t i = 0; hmap_next(&s->peers, &i, &val);)
		free(val);
	for (size_t i = 0; hmap_next(&s->groups, &i, &val);)
		free(val);
	hmap_free(&s->peers);
	hmap_free(&s->groups);
	free(s->per_ip_exempt);
	s->per_ip_exempt = NULL;
	s->n_per_ip_exempt = 0;
	free(s->accepting);
	s->accepting = NULL;
	listen_fd = -1;
}

/* The peer of socket fd as family and 4 or 16 address bytes; 0, or -1 when it has no IP peer. */
static int fd_peer(int fd, int *family, uint8_t addr[16])
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET) {
		*family = AF_INET;
		memcpy(addr, &((struct sockaddr_in *)&ss)->sin_addr, 4);
		return 0;
	}
	if (ss.ss_family == AF_INET6) {
		*family = AF_INET6;
		memcpy(addr, ((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr, 16);
		return 0;
	}
	return -1;
}

/* The group of an address: IPv4 (IPv4-mapped IPv6 too) by address, IPv6 by its /64 — what one
 * subscriber line usually gets. */
static void group_key(int family, const uint8_t *addr, uint8_t key[9], uint8_t *klen)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (family == AF_INET6 && memcmp(addr, mapped, 12) == 0) {
		family = AF_INET;
		addr += 12;
	}
	key[0] = family == AF_INET ? 4 : 6;
	memcpy(key + 1, addr, family == AF_INET ? 4 : 8);
	*klen = family == AF_INET ? 5 : 9;
}

static bool exempt(const struct signal *s, int family, const uint8_t *addr)
{
	return signal_cidr_list_contains(s->per_ip_exempt, s->n_per_ip_exempt, family, addr);
}

/* Behind a reverse proxy every client's connections come from the proxy's address. So at accept a
 * trusted proxy (--trusted-proxy) is not held to the per-address cap (the total still holds); once
 * its request headers are read, the connection moves to the group of the client X-Forwarded-For
 * names and counts against that client's cap (signal_conns_client). */
static bool trusted_proxy(const struct signal *s, int family, const uint8_t *addr)
{
	return signal_cidr_list_contains(s->trusted, s->n_trusted, family, addr);
}

static void pending_remove(struct signal *s, struct signal_peer *p)
{
	if (!p->pending)
		return;
	if (p->prev)
		p->prev->next = p->next;
	else
		s->pending_head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		s->pending_tail = p->prev;
	p->prev = p->next = NULL;
	p->pending = false;
}

static void pending_append(struct signal *s, struct signal_peer *p)
{
	p->prev = s->pending_tail;
	p->next = NULL;
	if (s->pending_tail)
		s->pending_tail->next = p;
	else
		s->pending_head = p;
	s->pending_tail = p;
	p->pending = true;
}

static void peer_release(struct signal *s, struct signal_peer *p)
{
	pending_remove(s, p);
	if (p->dying && s->n_dying)
		s->n_dying--;
	if (p->group && --p->group->count == 0) {
		hmap_del(&s->groups, p->group->key, p->group->klen, p->group);
		free(p->group);
	}
	if (s->n_open)
		s->n_open--;
	free(p);
}

static void log_refusal(struct signal *s, const char *why)
{
	if (log_limit_allow(&s->log_refused, clock_mono_us()))
		log_info("signal", "connection refused: %s (%llu per address, %llu in total so far)", why,
		         (unsigned long long)s->refused_per_ip, (unsigned long long)s->refused_total);
}

/* At the total: the oldest connection that has not made a request yet gives way. */
static bool evict_idle(struct signal *s)
{
	struct signal_peer *victim = s->pending_head;
	if (!victim || !victim->wsi || s->n_dying >= CONNS_DYING_MAX)
		return false;
	pending_remove(s, victim);
	victim->dying = true;
	s->n_dying++;
	s->evicted_idle++;
	lws_set_timeout(victim->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
	return true;
}

int signal_conns_filter(struct signal *s, struct lws *listen_wsi, int fd)
{
	if (listen_wsi)   /* NULL: a connection accepted on the shared port */
		listen_fd = lws_get_socket_fd(listen_wsi);
	if (s->accepting) {
		/* the previous accept was not adopted (lws closed it): forget it */
		peer_release(s, s->accepting);
		s->accepting = NULL;
	}
	int family;
	uint8_t addr[16], key[9], klen;
	if (fd_peer(fd, &family, addr) != 0)
		return 1;
	group_key(family, addr, key, &klen);
	struct signal_group *g = hmap_get(&s->groups, key, klen);
	if (g && g->count >= s->max_per_ip && !exempt(s, family, addr) && !trusted_proxy(s, family, addr)) {
		s->refused_per_ip++;
		log_refusal(s, "too many from one address");
		return 1;
	}
	if (s->n_open - s->n_dying >= s->max_conns && !evict_idle(s)) {
		s->refused_total++;
		log_refusal(s, "too many in total");
		return 1;
	}
	struct signal_peer *p = calloc(1, sizeof *p);
	if (!p)
		return 1;
	if (!g) {
		g = calloc(1, sizeof *g);
		if (!g || hmap_put(&s->groups, key, klen, g) != 0) {
			free(g);
			free(p);
			return 1;
		}
		memcpy(g->key, key, klen);
		g->klen = klen;
	}
	g->count++;
	p->group = g;
	s->n_open++;
	s->accepting = p;
	return 0;
}

static struct signal_group *group_take(struct signal *s, const uint8_t *key, uint8_t klen)
{
	struct signal_group *g = hmap_get(&s->groups, key, klen);
	if (g)
		return g;
	g = calloc(1, sizeof *g);
	if (!g || hmap_put(&s->groups, key, klen, g) != 0) {
		free(g);
		return NULL;
	}
	memcpy(g->key, key, klen);
	g->klen = klen;
	return g;
}

int signal_conns_client(struct signal *s, struct lws *wsi, const struct signal_client *c)
{
	struct lws *nwsi = lws_get_network_wsi(wsi);
	struct signal_peer *p = hmap_get(&s->peers, &nwsi, sizeof nwsi);
	if (!p || p->placed)
		return 0;
	p->placed = true;
	signal_client_note(s, c);
	if (!c->via_proxy || c->fwd != SIGNAL_FWD_OK || !p->group)
		return 0;   /* a direct client was counted at accept; a proxy without a client stays its own */
	uint8_t key[9], klen;
	group_key(c->family, c->addr, key, &klen);
	if (klen == p->group->klen && memcmp(key, p->group->key, klen) == 0)
		return 0;
	struct signal_group *g = hmap_get(&s->groups, key, klen);
	if (g && g->count >= s->max_per_ip && !exempt(s, c->family, c->addr)) {
		s->refused_per_ip++;
		log_refusal(s, "too many from one address (behind a proxy)");
		return -1;
	}
	if (!(g = group_take(s, key, klen)))
		return 0;   /* out of memory: it stays counted with its proxy */
	if (--p->group->count == 0) {
		hmap_del(&s->groups, p->group->key, p->group->klen, p->group);
		free(p->group);
	}
	g->count++;
	p->group = g;
	return 0;
}

void signal_conns_created(struct signal *s, struct lws *wsi)
{
	struct signal_peer *p = s->accepting;
	if (!p)
		return;   /* the listener's own wsi, lws' pipes */
	s->accepting = NULL;
	p->wsi = wsi;
	if (hmap_put(&s->peers, &wsi, sizeof wsi, p) != 0) {
		peer_release(s, p);   /* not tracked: counted out again now */
		return;
	}
	pending_append(s, p);
}

void signal_conns_destroyed(struct signal *s, struct lws *wsi)
{
	struct signal_peer *p = hmap_get(&s->peers, &wsi, sizeof wsi);
	if (!p)
		return;
	hmap_del(&s->peers, &wsi, sizeof wsi, p);
	peer_release(s, p);
}

void signal_conns_progress(struct signal *s, struct lws *wsi)
{
	struct lws *nwsi = lws_get_network_wsi(wsi);
	struct signal_peer *p = hmap_get(&s->peers, &nwsi, sizeof nwsi);
	if (p)
		pending_remove(s, p);
}

int signal_peer_addr(struct lws *wsi, int *family, uint8_t addr[16])
{
	return fd_peer(lws_get_socket_fd(lws_get_network_wsi(wsi)), family, addr);
}

void signal_conns_emfile(void)
{
	if (listen_fd < 0 || reserve_fd < 0)
		return;
	/* Give the reserve back, take the waiting connection with it and close that; then keep the
	 * reserve again. The listener stops being readable once its queue is empty. */
	close(reserve_fd);
	int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd >= 0)
		close(fd);
	reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

void signal_get_conn_stats(const struct signal *s, struct signal_conn_stats *out)
{
	memset(out, 0, sizeof *out);
	if (!s)
		return;
	out->open = s->n_open;
	out->refused_per_ip = s->refused_per_ip;
	out->refused_total = s->refused_total;
	out->evicted_idle = s->evicted_idle;
	out->hello_timeout = s->hello_timeout;
	out->forwarded_absent = s->fwd_absent;
	out->forwarded_invalid = s->fwd_invalid;
	out->max_connections = s->max_conns;
	out->max_connections_per_ip = s->max_per_ip;
}
