/* udp: libuv UDP socket for the media port. Receives with recvmmsg into one preallocated
 * buffer (libuv's UV_UDP_RECVMMSG), sends with sendmmsg from a preallocated batch; nothing is
 * allocated per datagram. */
#include "net/udp.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define UDP_DGRAM_MAX 65536                       /* libuv's per-datagram slot with mmsg */
#define UDP_RX_SLOTS 32
#define UDP_SOCKBUF (4 * 1024 * 1024)

struct net_udp_out {
	struct mmsghdr msgs[NET_UDP_BATCH];
	struct iovec iov[NET_UDP_BATCH];
	struct sockaddr_storage to[NET_UDP_BATCH];
	uint8_t data[NET_UDP_BATCH][NET_UDP_MTU];
	unsigned n;
};

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct net_udp *u = h->data;
	(void)suggested;
	buf->base = (char *)u->rxbuf;
	buf->len = u->rxcap;
}

static void on_read(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *addr, unsigned flags)
{
	struct net_udp *u = h->data;
	if (nread > 0 && addr && !(flags & UV_UDP_PARTIAL)) {
		u->received++;
		u->on_recv(u->arg, (uint8_t *)buf->base, (size_t)nread, addr);
	}
	/* The end of a recvmmsg batch (or a single read): send what the batch produced. */
	if (!(flags & UV_UDP_MMSG_CHUNK)) {
		u->recv_batches++;
		net_udp_flush(u);
	}
}

static void on_prepare(uv_prepare_t *p)
{
	struct net_udp *u = p->data;
	net_udp_flush(u);
}

int net_udp_open(struct net_udp *u, uv_loop_t *loop, const char *ip, uint16_t port,
                 net_udp_recv_fn on_recv, void *arg)
{
	memset(u, 0, sizeof *u);
	u->fd = -1;
	struct sockaddr_storage ss;
	if (uv_ip4_addr(ip, port, (struct sockaddr_in *)&ss) != 0 &&
	    uv_ip6_addr(ip, port, (struct sockaddr_in6 *)&ss) != 0)
		return EINVAL;
	u->rxcap = (size_t)UDP_DGRAM_MAX * UDP_RX_SLOTS;
	u->rxbuf = malloc(u->rxcap);
	u->out = calloc(1, sizeof *u->out);
	if (!u->rxbuf || !u->out)
		return ENOMEM;
	u->on_recv = on_recv;
	u->arg = arg;
	int r = uv_udp_init_ex(loop, &u->handle, ss.ss_family | UV_UDP_RECVMMSG);
	if (r != 0)
		return -r;
	u->handle.data = u;
	u->open = 1;
	uv_prepare_init(loop, &u->flusher);
	u->flusher.data = u;
	uv_prepare_start(&u->flusher, on_prepare);
	r = uv_udp_bind(&u->handle, (const struct sockaddr *)&ss, 0);
	if (r == 0) {
		int sz = UDP_SOCKBUF;
		uv_send_buffer_size((uv_handle_t *)&u->handle, &sz);
		sz = UDP_SOCKBUF;
		uv_recv_buffer_size((uv_handle_t *)&u->handle, &sz);
		uv_os_fd_t fd;
		r = uv_fileno((uv_handle_t *)&u->handle, &fd);
		u->fd = fd;
	}
	if (r == 0)
		r = uv_udp_recv_start(&u->handle, on_alloc, on_read);
	return r ? -r : 0;   /* on failure the caller closes u (net_udp_close) */
}

uint16_t net_udp_port(const struct net_udp *u)
{
	struct sockaddr_storage ss;
	int len = sizeof ss;
	if (uv_udp_getsockname(&u->handle, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

int net_udp_send(struct net_udp *u, const uint8_t *buf, size_t len, const struct sockaddr *to)
{
	struct net_udp_out *o = u->out;
	if (!o || u->fd < 0 || len > NET_UDP_MTU) {
		u->send_errors++;
		return EMSGSIZE;
	}
	if (o->n == NET_UDP_BATCH)
		net_udp_flush(u);
	unsigned i = o->n++;
	memcpy(o->data[i], buf, len);
	socklen_t alen = net_addr_len(to);
	memcpy(&o->to[i], to, alen);
	o->iov[i].iov_base = o->data[i];
	o->iov[i].iov_len = len;
	struct msghdr *m = &o->msgs[i].msg_hdr;
	memset(m, 0, sizeof *m);
	m->msg_name = &o->to[i];
	m->msg_namelen = alen;
	m->msg_iov = &o->iov[i];
	m->msg_iovlen = 1;
	return 0;
}

void net_udp_flush(struct net_udp *u)
{
	struct net_udp_out *o = u->out;
	if (!o || !o->n)
		return;
	unsigned done = 0;
	while (done < o->n) {
		int r = sendmmsg(u->fd, o->msgs + done, o->n - done, MSG_DONTWAIT);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* EAGAIN (socket buffer full) or an error for the first datagram: drop it, go on */
			u->send_errors++;
			done++;
			continue;
		}
		done += (unsigned)r;
		u->sent += (unsigned)r;
	}
	u->send_batches++;
	o->n = 0;
}

static void on_closed(uv_handle_t *h)
{
	struct net_udp *u = h->data;
	if (--u->pending_closes == 0 && u->closed)
		u->closed(u->closed_arg);   /* may free the memory that holds u */
}

void net_udp_close(struct net_udp *u, void (*closed)(void *arg), void *arg)
{
	if (u->open)
		net_udp_flush(u);
	free(u->rxbuf);   /* no more reads after recv_stop */
	u->rxbuf = NULL;
	free(u->out);
	u->out = NULL;
	u->closed = closed;
	u->closed_arg = arg;
	if (u->open) {
		u->open = 0;
		u->pending_closes = 2;
		uv_udp_recv_stop(&u->handle);
		uv_prepare_stop(&u->flusher);
		uv_close((uv_handle_t *)&u->handle, on_closed);
		uv_close((uv_handle_t *)&u->flusher, on_closed);
	} else if (closed) {
		closed(arg);
	}
}

size_t net_addr_key(const struct sockaddr *sa, uint8_t out[20])
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		out[0] = 4;
		memcpy(out + 1, &in->sin_port, 2);
		memcpy(out + 3, &in->sin_addr, 4);
		return 7;
	}
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
	out[0] = 6;
	memcpy(out + 1, &in6->sin6_port, 2);
	memcpy(out + 3, &in6->sin6_addr, 16);
	return 19;
}

socklen_t net_addr_len(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}
