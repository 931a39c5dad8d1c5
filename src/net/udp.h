/* udp: the one UDP socket that carries all media (STUN, DTLS, SRTP), on a libuv loop.
 * Receives into one preallocated buffer and hands each datagram to a callback. */
#ifndef PLENUM_NET_UDP_H
#define PLENUM_NET_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

typedef void (*net_udp_recv_fn)(void *arg, uint8_t *buf, size_t len, const struct sockaddr *from);

struct net_udp {
	uv_udp_t handle;
	net_udp_recv_fn on_recv;
	void *arg;
	uint8_t *rxbuf;
	size_t rxcap;
	uint64_t send_errors;
	int open;
	void (*closed)(void *arg);
	void *closed_arg;
};

/* Binds ip:port (port 0 picks a free one; net_udp_port tells which). 0 or an errno; either
 * way the caller ends with net_udp_close. */
int net_udp_open(struct net_udp *u, uv_loop_t *loop, const char *ip, uint16_t port,
                 net_udp_recv_fn on_recv, void *arg);
uint16_t net_udp_port(const struct net_udp *u);
/* Sends one datagram now (non-blocking); 0 or an errno (the datagram is dropped). */
int net_udp_send(struct net_udp *u, const uint8_t *buf, size_t len, const struct sockaddr *to);
/* Stops receiving and closes; `closed` (may be NULL) runs when libuv released the handle. */
void net_udp_close(struct net_udp *u, void (*closed)(void *arg), void *arg);

/* A compact key for a socket address (family, port, address bytes): for hash lookups. */
size_t net_addr_key(const struct sockaddr *sa, uint8_t out[20]);
/* Address length for a sockaddr of its family. */
socklen_t net_addr_len(const struct sockaddr *sa);

#endif
