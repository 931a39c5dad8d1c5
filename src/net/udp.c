/* udp: libuv UDP socket for the media port; one receive buffer reused for every datagram. */
#include "net/udp.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define UDP_RXBUF 65536
#define UDP_SOCKBUF (4 * 1024 * 1024)

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
	(void)buf;
	if (nread <= 0 || !addr || (flags & UV_UDP_PARTIAL))
		return;
	u->on_recv(u->arg, u->rxbuf, (size_t)nread, addr);
}

int net_udp_open(struct net_udp *u, uv_loop_t *loop, const char *ip, uint16_t port,
                 net_udp_recv_fn on_recv, void *arg)
{
	memset(u, 0, sizeof *u);
	struct sockaddr_storage ss;
	if (uv_ip4_addr(ip, port, (struct sockaddr_in *)&ss) != 0 &&
	    uv_ip6_addr(ip, port, (struct sockaddr_in6 *)&ss) != 0)
		return EINVAL;
	u->rxbuf = malloc(UDP_RXBUF);
	if (!u->rxbuf)
		return ENOMEM;
	u->rxcap = UDP_RXBUF;
	u->on_recv = on_recv;
	u->arg = arg;
	int r = uv_udp_init(loop, &u->handle);
	if (r == 0) {
		u->handle.data = u;
		u->open = 1;
		r = uv_udp_bind(&u->handle, (const struct sockaddr *)&ss, 0);
	}
	if (r == 0) {
		int sz = UDP_SOCKBUF;
		uv_send_buffer_size((uv_handle_t *)&u->handle, &sz);
		sz = UDP_SOCKBUF;
		uv_recv_buffer_size((uv_handle_t *)&u->handle, &sz);
		r = uv_udp_recv_start(&u->handle, on_alloc, on_read);
	}
	if (r != 0)
		return -r;   /* the caller closes u (net_udp_close), which releases the handle */
	return 0;
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
	uv_buf_t b = uv_buf_init((char *)buf, (unsigned)len);
	int r = uv_udp_try_send(&u->handle, &b, 1, to);
	if (r < 0) {
		u->send_errors++;
		return -r;
	}
	return 0;
}

static void on_closed(uv_handle_t *h)
{
	struct net_udp *u = h->data;
	if (u->closed)
		u->closed(u->closed_arg);   /* may free the memory that holds u */
}

void net_udp_close(struct net_udp *u, void (*closed)(void *arg), void *arg)
{
	free(u->rxbuf);   /* no more reads after recv_stop */
	u->rxbuf = NULL;
	u->closed = closed;
	u->closed_arg = arg;
	if (u->open) {
		u->open = 0;
		uv_udp_recv_stop(&u->handle);
		uv_close((uv_handle_t *)&u->handle, on_closed);
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
