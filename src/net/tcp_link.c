/* tcp_link: media over TCP (RFC 6544 passive candidates, RFC 4571 framing) on libuv streams.
 * Sending appends to a per-link queue that one uv_try_write (or one uv_write) empties per loop
 * iteration; the queue grows only up to its bound, so nothing is allocated per frame. */
#include "net/tcp_link.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TCP_QUEUE_START (16 * 1024)

static void flush(struct net_tcp_link *l);

static void unlink_dirty(struct net_tcp_link *l)
{
	if (!l->is_dirty)
		return;
	for (struct net_tcp_link **pp = &l->set->dirty; *pp; pp = &(*pp)->dirty_next)
		if (*pp == l) {
			*pp = l->dirty_next;
			break;
		}
	l->is_dirty = false;
	l->dirty_next = NULL;
}

static void mark_dirty(struct net_tcp_link *l)
{
	if (l->is_dirty || l->writing)
		return;
	l->is_dirty = true;
	l->dirty_next = l->set->dirty;
	l->set->dirty = l;
}

static void on_closed(uv_handle_t *h)
{
	struct net_tcp_link *l = h->data;
	free(l->queue.data);
	free(l->inflight.data);
	free(l);
}

void net_tcp_link_close(struct net_tcp_link *l)
{
	if (l->gone)
		return;
	l->gone = true;
	struct net_tcp_set *s = l->set;
	unlink_dirty(l);
	if (l->prev)
		l->prev->next = l->next;
	else
		s->links = l->next;
	if (l->next)
		l->next->prev = l->prev;
	l->prev = l->next = NULL;
	s->n_links--;
	s->stats.closed++;
	if (s->cbs.on_gone)
		s->cbs.on_gone(s->arg, l);
	uv_read_stop((uv_stream_t *)&l->handle);
	uv_close((uv_handle_t *)&l->handle, on_closed);
}

size_t net_tcp_link_backlog(const struct net_tcp_link *l)
{
	return l->queue.len + (l->inflight.len - l->inflight_off);
}

static void on_frame(void *arg, uint8_t *frame, size_t len)
{
	struct net_tcp_link *l = arg;
	if (l->gone)
		return;   /* closed by an earlier frame of the same read */
	l->set->stats.frames_rx++;
	l->set->cbs.on_frame(l->set->arg, l, frame, len);
}

static void deliver(struct net_tcp_link *l, int err)
{
	if (err && !l->gone) {
		l->set->stats.bad_framing++;
		net_tcp_link_close(l);
	}
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct net_tcp_link *l = h->data;
	size_t avail;
	(void)suggested;
	buf->base = (char *)net_deframer_space(&l->rx, &avail);
	buf->len = avail;
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
	struct net_tcp_link *l = st->data;
	(void)buf;
	if (n < 0) {
		net_tcp_link_close(l);   /* EOF or an error */
		return;
	}
	if (n > 0)
		deliver(l, net_deframer_commit(&l->rx, (size_t)n, on_frame, l));
}

int net_tcp_link_adopt(struct net_tcp_set *s, int fd, const uint8_t *pre, size_t pre_len, struct net_tcp_link **out)
{
	*out = NULL;
	struct net_tcp_link *l = s->open ? calloc(1, sizeof *l) : NULL;
	if (!l) {
		close(fd);
		return s->open ? ENOMEM : ESHUTDOWN;
	}
	int r = uv_tcp_init(s->loop, &l->handle);
	if (r != 0) {
		close(fd);
		free(l);
		return -r;
	}
	l->handle.data = l;
	l->set = s;
	r = uv_tcp_open(&l->handle, fd);
	if (r != 0) {
		close(fd);   /* libuv did not take it */
		uv_close((uv_handle_t *)&l->handle, on_closed);
		return -r;
	}
	int len = sizeof l->remote;
	uv_tcp_getpeername(&l->handle, (struct sockaddr *)&l->remote, &len);
	uv_tcp_nodelay(&l->handle, 1);
	l->next = s->links;
	if (s->links)
		s->links->prev = l;
	s->links = l;
	s->n_links++;
	s->stats.opened++;
	*out = l;
	r = uv_read_start((uv_stream_t *)&l->handle, on_alloc, on_read);
	if (r != 0) {
		net_tcp_link_close(l);
		*out = NULL;
		return -r;
	}
	if (pre_len)
		deliver(l, net_deframer_feed(&l->rx, pre, pre_len, on_frame, l));
	return 0;
}

static int reserve(struct net_tcp_buf *b, size_t need)
{
	if (b->cap - b->len >= need)
		return 0;
	size_t cap = b->cap ? b->cap : TCP_QUEUE_START;
	while (cap - b->len < need)
		cap *= 2;
	if (cap > NET_TCP_QUEUE_MAX + 2 + 65535)
		return ENOBUFS;
	uint8_t *d = realloc(b->data, cap);
	if (!d)
		return ENOBUFS;
	b->data = d;
	b->cap = cap;
	return 0;
}

int net_tcp_link_send(struct net_tcp_link *l, const uint8_t *buf, size_t len, bool droppable)
{
	if (l->gone)
		return ENOTCONN;
	if (!len || len > 65535)
		return EMSGSIZE;
	struct net_tcp_stats *st = &l->set->stats;
	size_t backlog = net_tcp_link_backlog(l);
	if (droppable && backlog + 2 + len > NET_TCP_SHED_BYTES) {
		st->shed_droppable++;
		return ENOBUFS;
	}
	if (backlog + 2 + len > NET_TCP_QUEUE_MAX || reserve(&l->queue, 2 + len) != 0) {
		st->shed_all++;
		return ENOBUFS;
	}
	net_frame_header(l->queue.data + l->queue.len, len);
	memcpy(l->queue.data + l->queue.len + 2, buf, len);
	l->queue.len += 2 + len;
	st->frames_tx++;
	mark_dirty(l);
	return 0;
}

static void on_write(uv_write_t *req, int status)
{
	struct net_tcp_link *l = req->data;
	l->writing = false;
	if (l->gone)
		return;
	if (status < 0) {
		net_tcp_link_close(l);
		return;
	}
	l->set->stats.bytes_tx += l->inflight.len - l->inflight_off;
	l->inflight.len = 0;
	l->inflight_off = 0;
	flush(l);
}

static void flush(struct net_tcp_link *l)
{
	if (l->gone || l->writing || !l->queue.len)
		return;
	uv_buf_t b = uv_buf_init((char *)l->queue.data, (unsigned)l->queue.len);
	int n = uv_try_write((uv_stream_t *)&l->handle, &b, 1);
	if (n < 0 && n != UV_EAGAIN) {
		net_tcp_link_close(l);
		return;
	}
	if (n < 0)
		n = 0;
	l->set->stats.bytes_tx += (size_t)n;
	if ((size_t)n == l->queue.len) {
		l->queue.len = 0;
		return;
	}
	/* The kernel took part: the rest goes with one uv_write from the other buffer, and new
	 * frames queue behind it meanwhile. */
	struct net_tcp_buf t = l->inflight;
	l->inflight = l->queue;
	l->queue = t;
	l->queue.len = 0;
	l->inflight_off = (size_t)n;
	b = uv_buf_init((char *)l->inflight.data + n, (unsigned)(l->inflight.len - (size_t)n));
	l->wreq.data = l;
	if (uv_write(&l->wreq, (uv_stream_t *)&l->handle, &b, 1, on_write) != 0) {
		net_tcp_link_close(l);
		return;
	}
	l->writing = true;
}

static void on_prepare(uv_prepare_t *p)
{
	struct net_tcp_set *s = p->data;
	while (s->dirty) {
		struct net_tcp_link *l = s->dirty;
		s->dirty = l->dirty_next;
		l->dirty_next = NULL;
		l->is_dirty = false;
		flush(l);
	}
}

int net_tcp_set_init(struct net_tcp_set *s, uv_loop_t *loop, const struct net_tcp_cbs *cbs, void *arg)
{
	memset(s, 0, sizeof *s);
	s->loop = loop;
	s->cbs = *cbs;
	s->arg = arg;
	int r = uv_prepare_init(loop, &s->flusher);
	if (r != 0)
		return -r;
	s->flusher.data = s;
	s->open = true;
	uv_prepare_start(&s->flusher, on_prepare);
	return 0;
}

static void on_set_closed(uv_handle_t *h)
{
	struct net_tcp_set *s = h->data;
	if (s->closed)
		s->closed(s->closed_arg);
}

void net_tcp_set_close(struct net_tcp_set *s, void (*closed)(void *arg), void *arg)
{
	if (!s->open) {
		if (closed)
			closed(arg);
		return;
	}
	while (s->links)
		net_tcp_link_close(s->links);
	s->open = false;
	s->closed = closed;
	s->closed_arg = arg;
	uv_prepare_stop(&s->flusher);
	uv_close((uv_handle_t *)&s->flusher, on_set_closed);
}
