/* tcp_link: one media TCP connection (ICE-TCP, RFC 6544) on a media worker's loop — RFC 4571
 * frames in, frames out through a bounded send queue that sheds droppable frames (video) first.
 * A set of links shares one flusher: what the loop iteration queued leaves in one write per
 * link before the loop next waits. Knows nothing of STUN, DTLS or SRTP; nothing here locks. */
#ifndef PLENUM_NET_TCP_LINK_H
#define PLENUM_NET_TCP_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "net/tcp_framing.h"

/* Send queue bounds per link: past NET_TCP_SHED_BYTES queued, droppable frames are dropped;
 * past NET_TCP_QUEUE_MAX, every frame. A reader that stalls costs at most twice the latter. */
#define NET_TCP_SHED_BYTES (64 * 1024)
#define NET_TCP_QUEUE_MAX (256 * 1024)

struct net_tcp_link;
struct net_tcp_set;

struct net_tcp_cbs {
	/* One received frame (modifiable, valid during the call). */
	void (*on_frame)(void *arg, struct net_tcp_link *l, uint8_t *frame, size_t len);
	/* The link is closing (remote end, error, bad framing or net_tcp_link_close): called once;
	 * after it returns the link must not be used. */
	void (*on_gone)(void *arg, struct net_tcp_link *l);
};

struct net_tcp_stats {
	uint64_t frames_rx, frames_tx, bytes_tx;
	uint64_t shed_droppable, shed_all;   /* frames dropped at the two queue bounds */
	uint64_t bad_framing;
	uint64_t opened, closed;
};

struct net_tcp_set {
	uv_loop_t *loop;
	uv_prepare_t flusher;
	struct net_tcp_cbs cbs;
	void *arg;
	struct net_tcp_link *links;       /* every open link */
	struct net_tcp_link *dirty;       /* links with queued bytes and no write in flight */
	unsigned n_links;
	struct net_tcp_stats stats;
	bool open;
	void (*closed)(void *arg);
	void *closed_arg;
};

struct net_tcp_buf {
	uint8_t *data;
	size_t len, cap;
};

struct net_tcp_link {
	uv_tcp_t handle;
	uv_write_t wreq;
	struct net_tcp_set *set;
	struct net_tcp_link *prev, *next;  /* the set's links */
	struct net_tcp_link *dirty_next;
	bool is_dirty, writing, gone;
	struct sockaddr_storage remote;
	struct net_tcp_buf queue;          /* frames waiting */
	struct net_tcp_buf inflight;       /* being written by libuv */
	size_t inflight_off;
	void *owner;                       /* the set owner's: e.g. the transport it belongs to */
	uint64_t since_us;                 /* the set owner's: when it took the link */
	struct net_deframer rx;
};

/* Starts the flusher on loop; cbs and arg receive every link's frames. 0 or an errno. */
int net_tcp_set_init(struct net_tcp_set *s, uv_loop_t *loop, const struct net_tcp_cbs *cbs, void *arg);
/* Closes every link and the flusher; `closed` (may be NULL) runs once libuv released the set's
 * own handle (links free themselves as their handles close). */
void net_tcp_set_close(struct net_tcp_set *s, void (*closed)(void *arg), void *arg);

/* Adopts a connected, non-blocking TCP socket (from another loop's accept) with the bytes
 * already read from it, which are fed as if just received. The fd is the set's from now on,
 * also on failure (closed then). 0 or an errno. Frames in `pre` may arrive before this returns,
 * so *out is set first. */
int net_tcp_link_adopt(struct net_tcp_set *s, int fd, const uint8_t *pre, size_t pre_len, struct net_tcp_link **out);
/* Frames and queues one datagram; it leaves before the loop next waits. 0, or ENOBUFS when
 * dropped at a queue bound, ENOTCONN when the link is closing. */
int net_tcp_link_send(struct net_tcp_link *l, const uint8_t *buf, size_t len, bool droppable);
/* Closes the link: on_gone runs now, the memory goes once libuv is done with it. */
void net_tcp_link_close(struct net_tcp_link *l);
/* Bytes queued and not yet written (both buffers). */
size_t net_tcp_link_backlog(const struct net_tcp_link *l);

#endif
