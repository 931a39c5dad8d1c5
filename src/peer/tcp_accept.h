/* tcp_accept: the ICE-TCP listener (RFC 6544 passive candidate) on the signaling loop. It reads a
 * new connection's first bytes, tells an RFC 4571-framed ICE check (handed to the media worker
 * its ufrag names) from a TLS ClientHello (handed to the HTTPS server when they share a port),
 * and closes everything else. It only peeks (MSG_PEEK): whoever takes a connection reads it
 * from its first byte. Budgets: connections waiting for their first bytes (in total and
 * per address), the seconds they may take, and the media links open at once. */
#ifndef PLENUM_PEER_TCP_ACCEPT_H
#define PLENUM_PEER_TCP_ACCEPT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "base/log.h"

#define PEER_TCP_PENDING_MAX 256        /* connections not yet classified */
#define PEER_TCP_PENDING_PER_ADDR 16    /* of those, from one IP address (IPv6: one /64) */
#define PEER_TCP_FIRST_BYTES_MS 5000    /* to send a first frame or a ClientHello */
#define PEER_TCP_SNIFF_MAX 1024         /* bytes peeked at before deciding */
#define PEER_TCP_PEEK_RETRY_MS 50       /* a connection with too few bytes is looked at again */

enum peer_tcp_kind { PEER_TCP_NEED_MORE = 0, PEER_TCP_ICE, PEER_TCP_TLS, PEER_TCP_OTHER };

/* What a stream that starts with these bytes carries: an RFC 4571 frame holding a STUN binding
 * request (→ *worker from its USERNAME's local ufrag, -1 when it names none), a TLS handshake
 * record, or neither. NEED_MORE until the first frame or record header is complete. */
enum peer_tcp_kind peer_tcp_classify(const uint8_t *buf, size_t len, int *worker);

struct peer_tcp_handoff {
	/* An ICE connection for worker `worker`; the fd (its bytes unread) is the callee's to keep
	 * or close. */
	void (*ice)(void *arg, unsigned worker, int fd);
	/* Any other connection (a TLS ClientHello, plain HTTP), when the web server shares the
	 * port; NULL: not shared, such connections are closed. */
	void (*other)(void *arg, int fd);
	void *arg, *other_arg;
	/* At max_open: close a link that carries nothing (see peer_demux_evict_unbound) so that a
	 * newcomer gets in; true if one was closed. NULL: the newcomer is refused. Called with arg. */
	bool (*make_room)(void *arg);
};

struct peer_tcp_accept_stats {
	uint64_t accepted, ice, tls, web, refused_full, refused_pending, timed_out, not_ice, accept_errors;
};

struct peer_tcp_pending;

struct peer_tcp_accept {
	uv_loop_t *loop;
	uv_poll_t listener;
	int listen_fd, reserve_fd;        /* reserve: given up to accept-and-close at EMFILE */
	bool listening;
	uv_timer_t sweep;
	struct peer_tcp_handoff to;
	unsigned workers;
	unsigned max_open;
	_Atomic unsigned open;            /* media links open now; the workers decrement it */
	struct peer_tcp_pending *pending;
	unsigned n_pending;
	struct peer_tcp_accept_stats stats;
	struct log_limit log;
	int handles_open;
	void (*closed)(void *arg);
	void *closed_arg;
};

/* Listens on ip:port (0: any free port) for media links to `workers` workers, at most max_open
 * open at once. 0 or an errno; either way end with peer_tcp_accept_close. */
int peer_tcp_accept_open(struct peer_tcp_accept *a, uv_loop_t *loop, const char *ip, uint16_t port,
                         unsigned workers, unsigned max_open, const struct peer_tcp_handoff *to);
uint16_t peer_tcp_accept_port(const struct peer_tcp_accept *a);
/* Closes the listener and every waiting connection; `closed` runs once libuv released them. */
void peer_tcp_accept_close(struct peer_tcp_accept *a, void (*closed)(void *arg), void *arg);

#endif
