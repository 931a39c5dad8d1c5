/* tcp_accept: accepting ICE-TCP connections (RFC 6544 §7.2, passive side) and sorting them by
 * their first bytes (RFC 4571 frame with a STUN binding request, or a TLS record). */
#include "peer/tcp_accept.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ice/ice_lite.h"
#include "peer/demux.h"
#include "stun/stun.h"

static const char *MOD = "ice-tcp";

struct peer_tcp_pending {
	uv_poll_t poll;
	int fd;
	uint64_t retry_ms;                /* peek again then (0: polling) */
	struct peer_tcp_accept *a;
	struct peer_tcp_pending *prev, *next;
	uint64_t deadline_ms;
	uint8_t ip[16];                   /* IPv4 in the first 4 bytes; IPv6: its /64 */
	sa_family_t family;
	bool done;
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
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	if (--a->handles_open == 0 && a->closed)
		a->closed(a->closed_arg);
}

/* Unlinks c and closes its poll handle; with keep_fd the socket is returned, else closed. */
static int finish(struct peer_tcp_pending *c, bool keep_fd)
{
	struct peer_tcp_accept *a = c->a;
	int fd = keep_fd ? c->fd : -1;
	if (keep_fd)
		c->fd = -1;
	c->done = true;
	if (c->prev)
		c->prev->next = c->next;
	else
		a->pending = c->next;
	if (c->next)
		c->next->prev = c->prev;
	a->n_pending--;
	uv_poll_stop(&c->poll);
	uv_close((uv_handle_t *)&c->poll, on_pending_closed);
	return fd;
}

static void decide(struct peer_tcp_pending *c, const uint8_t *buf, size_t len, bool full)
{
	struct peer_tcp_accept *a = c->a;
	int worker;
	enum peer_tcp_kind k = peer_tcp_classify(buf, len, &worker);
	if (k == PEER_TCP_NEED_MORE && !full) {
		/* peeking again at once would spin: look again in a moment */
		uv_poll_stop(&c->poll);
		c->retry_ms = uv_now(a->loop) + PEER_TCP_PEEK_RETRY_MS;
		return;
	}
	if (k == PEER_TCP_NEED_MORE)
		k = PEER_TCP_OTHER;
	if (k == PEER_TCP_ICE && worker >= 0 && (unsigned)worker < a->workers) {
		if (atomic_load(&a->open) >= a->max_open && !(a->to.make_room && a->to.make_room(a->to.arg))) {
			a->stats.refused_full++;
			if (log_limit_allow(&a->log, uv_now(a->loop) * 1000))
				log_warn(MOD, "media TCP connections at their limit (%u): refused one", a->max_open);
			finish(c, false);
			return;
		}
		a->stats.ice++;
		atomic_fetch_add(&a->open, 1);
		a->to.ice(a->to.arg, (unsigned)worker, finish(c, true));
		return;
	}
	if (k != PEER_TCP_ICE && a->to.other) {
		a->stats.web++;
		a->stats.tls += k == PEER_TCP_TLS;
		a->to.other(a->to.other_arg, finish(c, true));
		return;
	}
	a->stats.not_ice++;
	finish(c, false);
}

static void on_readable(uv_poll_t *h, int status, int events)
{
	struct peer_tcp_pending *c = h->data;
	if (c->done)
		return;
	uint8_t buf[PEER_TCP_SNIFF_MAX];
	ssize_t n = status < 0 ? -1 : recv(c->fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR) && status >= 0)
		return;
	if (n <= 0) {   /* closed before deciding, or an error */
		finish(c, false);
		return;
	}
	decide(c, buf, (size_t)n, (size_t)n == sizeof buf);
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

static void take(struct peer_tcp_accept *a, int fd, const struct sockaddr_storage *ss)
{
	struct peer_tcp_pending *c = calloc(1, sizeof *c);
	if (!c) {
		close(fd);
		a->stats.accept_errors++;
		return;
	}
	c->a = a;
	c->fd = fd;
	if (uv_poll_init(a->loop, &c->poll, fd) != 0) {
		close(fd);
		free(c);
		a->stats.accept_errors++;
		return;
	}
	c->poll.data = c;
	a->handles_open++;
	a->stats.accepted++;
	peer_ip(ss, c->ip, &c->family);
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
	if (uv_poll_start(&c->poll, UV_READABLE | UV_DISCONNECT, on_readable) != 0)
		finish(c, false);
}

/* Out of fds: give up the reserve, take the waiting connection with it and close that, so the
 * listener does not stay readable (and the loop spinning) while nothing can be accepted. */
static void shed_one(struct peer_tcp_accept *a)
{
	if (a->reserve_fd < 0)
		return;
	close(a->reserve_fd);
	int fd = accept4(a->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd >= 0)
		close(fd);
	a->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static void on_connection(uv_poll_t *h, int status, int events)
{
	struct peer_tcp_accept *a = h->data;
	for (int i = 0; status >= 0 && i < 64; i++) {   /* a burst, then the loop's other work */
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		memset(&ss, 0, sizeof ss);
		int fd = accept4(a->listen_fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			int one = 1;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			take(a, fd, &ss);
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		a->stats.accept_errors++;
		if (log_limit_allow(&a->log, uv_now(a->loop) * 1000))
			log_warn(MOD, "accept: %s", strerror(errno));
		if (errno == EMFILE || errno == ENFILE)
			shed_one(a);
		return;
	}
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
		} else if (c->retry_ms && now >= c->retry_ms) {
			c->retry_ms = 0;
			if (uv_poll_start(&c->poll, UV_READABLE | UV_DISCONNECT, on_readable) != 0)
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

static int listen_on(struct peer_tcp_accept *a, const char *ip, uint16_t port)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	if (uv_ip4_addr(ip, port, (struct sockaddr_in *)&ss) != 0 && uv_ip6_addr(ip, port, (struct sockaddr_in6 *)&ss) != 0)
		return EINVAL;
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	socklen_t len = ss.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 511) != 0) {
		int err = errno;
		close(fd);
		return err;
	}
	a->listen_fd = fd;
	return 0;
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
	a->listen_fd = -1;
	a->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	atomic_init(&a->open, 0);
	uv_timer_init(loop, &a->sweep);
	a->sweep.data = a;
	a->handles_open = 1;
	int err = listen_on(a, ip, port);
	if (err)
		return err;
	if (uv_poll_init(loop, &a->listener, a->listen_fd) != 0)
		return EINVAL;
	a->listener.data = a;
	a->listening = true;
	a->handles_open++;
	uv_poll_start(&a->listener, UV_READABLE, on_connection);
	uv_timer_start(&a->sweep, on_sweep, PEER_TCP_PEEK_RETRY_MS, PEER_TCP_PEEK_RETRY_MS);
	return 0;
}

uint16_t peer_tcp_accept_port(const struct peer_tcp_accept *a)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (a->listen_fd < 0 || getsockname(a->listen_fd, (struct sockaddr *)&ss, &len) != 0)
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
	if (a->listening) {
		uv_poll_stop(&a->listener);
		uv_close((uv_handle_t *)&a->listener, on_own_closed);
	}
	if (a->listen_fd >= 0)
		close(a->listen_fd);   /* libuv's poll handle never owns the fd */
	if (a->reserve_fd >= 0)
		close(a->reserve_fd);
	a->listen_fd = a->reserve_fd = -1;
}
