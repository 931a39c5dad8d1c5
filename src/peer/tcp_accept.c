/* tcp_accept: accepting ICE-TCP connections (RFC 6544 §7.2, passive side) and sorting them by
 * their first bytes (RFC 4571 frame with a STUN binding request, or a TLS record). */
#include "peer/tcp_accept.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ice/ice_lite.h"
#include "peer/demux.h"
#include "stun/stun.h"

static const char *MOD = "ice-tcp";

struct peer_tcp_pending {
	uv_tcp_t handle;
	struct peer_tcp_accept *a;
	struct peer_tcp_pending *prev, *next;
	uint64_t deadline_ms;
	uint8_t ip[16];                   /* IPv4 in the first 4 bytes; IPv6: its /64 */
	sa_family_t family;
	bool done;
	size_t len;
	uint8_t buf[PEER_TCP_SNIFF_MAX];
};

enum peer_tcp_kind peer_tcp_classify(const uint8_t *buf, size_t len, int *worker)
{
	*worker = -1;
	if (len < 1)
		return PEER_TCP_NEED_MORE;
	if (buf[0] == 0x16) {   /* TLS handshake record: version 3.x, a sane length */
		if (len < 5)
			return PEER_TCP_NEED_MORE;
		size_t rlen = (size_t)buf[3] << 8 | buf[4];
		return buf[1] == 3 && rlen > 0 && rlen <= 16384 ? PEER_TCP_TLS : PEER_TCP_OTHER;
	}
	if (len < 2)
		return PEER_TCP_NEED_MORE;
	size_t flen = (size_t)buf[0] << 8 | buf[1];
	if (flen < STUN_HEADER_LEN || flen > PEER_TCP_SNIFF_MAX - 2)
		return PEER_TCP_OTHER;
	if (len >= 3 && buf[2] > 3)
		return PEER_TCP_OTHER;
	if (len >= 10 && (((uint32_t)buf[6] << 24 | (uint32_t)buf[7] << 16 | (uint32_t)buf[8] << 8 | buf[9]) != STUN_MAGIC_COOKIE))
		return PEER_TCP_OTHER;
	if (len < 2 + flen)
		return PEER_TCP_NEED_MORE;
	struct stun_msg m;
	char ufrag[64];
	if (stun_msg_decode(&m, buf + 2, flen) != 0 || m.type != STUN_BINDING_REQUEST ||
	    ice_lite_local_ufrag(&m, ufrag, sizeof ufrag) != 0)
		return PEER_TCP_OTHER;
	*worker = peer_ufrag_worker(ufrag, strlen(ufrag));
	return PEER_TCP_ICE;
}

static void on_pending_closed(uv_handle_t *h)
{
	struct peer_tcp_pending *c = h->data;
	struct peer_tcp_accept *a = c->a;
	free(c);
	if (--a->handles_open == 0 && a->closed)
		a->closed(a->closed_arg);
}

/* Unlinks c and closes its handle; with keep_fd the socket lives on as a duplicate, returned. */
static int finish(struct peer_tcp_pending *c, bool keep_fd)
{
	struct peer_tcp_accept *a = c->a;
	int fd = -1;
	if (keep_fd) {
		uv_os_fd_t ofd;
		if (uv_fileno((uv_handle_t *)&c->handle, &ofd) == 0)
			fd = dup(ofd);
	}
	c->done = true;
	if (c->prev)
		c->prev->next = c->next;
	else
		a->pending = c->next;
	if (c->next)
		c->next->prev = c->prev;
	a->n_pending--;
	uv_read_stop((uv_stream_t *)&c->handle);
	uv_close((uv_handle_t *)&c->handle, on_pending_closed);
	return fd;
}

static void decide(struct peer_tcp_pending *c)
{
	struct peer_tcp_accept *a = c->a;
	int worker;
	enum peer_tcp_kind k = peer_tcp_classify(c->buf, c->len, &worker);
	if (k == PEER_TCP_NEED_MORE && c->len < sizeof c->buf)
		return;
	if (k == PEER_TCP_ICE && worker >= 0 && (unsigned)worker < a->workers) {
		if (atomic_load(&a->open) >= a->max_open) {
			a->stats.refused_full++;
			if (log_limit_allow(&a->log, uv_now(a->loop) * 1000))
				log_warn(MOD, "media TCP connections at their limit (%u): refused one", a->max_open);
			finish(c, false);
			return;
		}
		int fd = finish(c, true);
		if (fd < 0)
			return;
		a->stats.ice++;
		atomic_fetch_add(&a->open, 1);
		a->to.ice(a->to.arg, (unsigned)worker, fd, c->buf, c->len);
		return;
	}
	if (k == PEER_TCP_TLS && a->to.tls) {
		int fd = finish(c, true);
		if (fd < 0)
			return;
		a->stats.tls++;
		a->to.tls(a->to.arg, fd, c->buf, c->len);
		return;
	}
	a->stats.not_ice++;
	finish(c, false);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct peer_tcp_pending *c = h->data;
	(void)suggested;
	buf->base = (char *)c->buf + c->len;
	buf->len = sizeof c->buf - c->len;
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
	struct peer_tcp_pending *c = st->data;
	(void)buf;
	if (c->done)
		return;
	if (n < 0) {
		finish(c, false);
		return;
	}
	c->len += (size_t)n;
	if (n > 0)
		decide(c);
}

static void peer_ip(const struct sockaddr_storage *ss, uint8_t ip[16], sa_family_t *family)
{
	memset(ip, 0, 16);
	*family = ss->ss_family;
	if (ss->ss_family == AF_INET)
		memcpy(ip, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	else if (ss->ss_family == AF_INET6)
		memcpy(ip, &((const struct sockaddr_in6 *)ss)->sin6_addr, 8);   /* the /64 */
}

static unsigned pending_from(const struct peer_tcp_accept *a, const uint8_t ip[16], sa_family_t family)
{
	unsigned n = 0;
	for (const struct peer_tcp_pending *c = a->pending; c; c = c->next)
		n += c->family == family && memcmp(c->ip, ip, 16) == 0;
	return n;
}

static void on_connection(uv_stream_t *server, int status)
{
	struct peer_tcp_accept *a = server->data;
	if (status < 0) {
		a->stats.accept_errors++;
		if (log_limit_allow(&a->log, uv_now(a->loop) * 1000))
			log_warn(MOD, "accept: %s", uv_strerror(status));
		return;
	}
	struct peer_tcp_pending *c = calloc(1, sizeof *c);
	if (!c || uv_tcp_init(a->loop, &c->handle) != 0) {
		free(c);
		a->stats.accept_errors++;
		return;   /* libuv keeps the connection queued; the next attempt takes it */
	}
	c->a = a;
	c->handle.data = c;
	a->handles_open++;
	if (uv_accept(server, (uv_stream_t *)&c->handle) != 0) {
		a->stats.accept_errors++;
		c->done = true;
		uv_close((uv_handle_t *)&c->handle, on_pending_closed);
		return;
	}
	a->stats.accepted++;
	struct sockaddr_storage ss;
	int len = sizeof ss;
	memset(&ss, 0, sizeof ss);
	uv_tcp_getpeername(&c->handle, (struct sockaddr *)&ss, &len);
	peer_ip(&ss, c->ip, &c->family);
	c->next = a->pending;
	if (a->pending)
		a->pending->prev = c;
	a->pending = c;
	a->n_pending++;
	if (a->n_pending > PEER_TCP_PENDING_MAX || pending_from(a, c->ip, c->family) > PEER_TCP_PENDING_PER_ADDR) {
		a->stats.refused_pending++;
		finish(c, false);
		return;
	}
	c->deadline_ms = uv_now(a->loop) + PEER_TCP_FIRST_BYTES_MS;
	if (uv_read_start((uv_stream_t *)&c->handle, on_alloc, on_read) != 0)
		finish(c, false);
}

static void on_sweep(uv_timer_t *t)
{
	struct peer_tcp_accept *a = t->data;
	uint64_t now = uv_now(a->loop);
	for (struct peer_tcp_pending *c = a->pending, *next; c; c = next) {
		next = c->next;
		if (now >= c->deadline_ms) {
			a->stats.timed_out++;
			finish(c, false);
		}
	}
}

static void on_own_closed(uv_handle_t *h)
{
	struct peer_tcp_accept *a = h->data;
	if (--a->handles_open == 0 && a->closed)
		a->closed(a->closed_arg);
}

int peer_tcp_accept_open(struct peer_tcp_accept *a, uv_loop_t *loop, const char *ip, uint16_t port,
                         unsigned workers, unsigned max_open, const struct peer_tcp_handoff *to)
{
	memset(a, 0, sizeof *a);
	a->loop = loop;
	a->to = *to;
	a->workers = workers;
	a->max_open = max_open;
	a->log.per_sec = 1;
	atomic_init(&a->open, 0);
	uv_tcp_init(loop, &a->listener);
	a->listener.data = a;
	uv_timer_init(loop, &a->sweep);
	a->sweep.data = a;
	a->handles_open = 2;
	struct sockaddr_storage ss;
	if (uv_ip4_addr(ip, port, (struct sockaddr_in *)&ss) != 0 && uv_ip6_addr(ip, port, (struct sockaddr_in6 *)&ss) != 0)
		return EINVAL;
	int r = uv_tcp_bind(&a->listener, (const struct sockaddr *)&ss, 0);
	if (r == 0)
		r = uv_listen((uv_stream_t *)&a->listener, 128, on_connection);
	if (r != 0)
		return -r;
	uv_timer_start(&a->sweep, on_sweep, 1000, 1000);
	return 0;
}

uint16_t peer_tcp_accept_port(const struct peer_tcp_accept *a)
{
	struct sockaddr_storage ss;
	int len = sizeof ss;
	if (uv_tcp_getsockname(&a->listener, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
	                                     : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

void peer_tcp_accept_close(struct peer_tcp_accept *a, void (*closed)(void *arg), void *arg)
{
	a->closed = closed;
	a->closed_arg = arg;
	while (a->pending)
		finish(a->pending, false);
	uv_timer_stop(&a->sweep);
	uv_close((uv_handle_t *)&a->sweep, on_own_closed);
	uv_close((uv_handle_t *)&a->listener, on_own_closed);
}
