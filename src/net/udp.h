/* udp: the one UDP socket that carries all media (STUN, DTLS, SRTP), on a libuv loop.
 * Receives in batches (recvmmsg through libuv) and sends in batches (sendmmsg): datagrams
 * queued while handling a batch go out together before the loop next waits. One socket belongs to
 * the thread whose loop it runs on; nothing here locks. */
#ifndef PLENUM_NET_UDP_H
#define PLENUM_NET_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#define NET_UDP_BATCH 64           /* datagrams per sendmmsg */
#define NET_UDP_MTU 1500

typedef void (*net_udp_recv_fn)(void *arg, uint8_t *buf, size_t len, const struct sockaddr *from);

struct net_udp_out;   /* the send batch */

struct net_udp {
	uv_udp_t handle;
	uv_prepare_t flusher;         /* sends what is queued before the loop waits */
	net_udp_recv_fn on_recv;
	void *arg;
	uint8_t *rxbuf;
	size_t rxcap;
	struct net_udp_out *out;
	int fd;
	uint64_t send_errors, send_batches, sent, recv_batches, received;
	int open;
	int pending_closes;
	void (*closed)(void *arg);
	void *closed_arg;
};

/* Binds ip:port (port 0 picks a free one; net_udp_port tells which). 0 or an errno; either
 * way the caller ends with net_udp_close. */
int net_udp_open(struct net_udp *u, uv_loop_t *loop, const char *ip, uint16_t port,
                 net_udp_recv_fn on_recv, void *arg);
uint16_t net_udp_port(const struct net_udp *u);
/* Queues one datagram (copied); it leaves with the batch, at the latest before the loop next
 * waits for I/O. 0 or an errno (the datagram is dropped). */
int net_udp_send(struct net_udp *u, const uint8_t *buf, size_t len, const struct sockaddr *to);
/* Sends everything queued now. */
void net_udp_flush(struct net_udp *u);
/* Stops receiving and closes; `closed` (may be NULL) runs when libuv released the handles. */
void net_udp_close(struct net_udp *u, void (*closed)(void *arg), void *arg);

/* A compact key for a socket address (family, port, address bytes): for hash lookups. */
size_t net_addr_key(const struct sockaddr *sa, uint8_t out[20]);
/* Address length for a sockaddr of its family. */
socklen_t net_addr_len(const struct sockaddr *sa);

#endif
