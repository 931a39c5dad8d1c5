/* tcp_framing: RFC 4571 framing of datagrams on a TCP stream (ICE-TCP, RFC 6544 §3): each
 * datagram behind a 16-bit big-endian length. An in-place deframer for the receive side. */
#ifndef PLENUM_NET_TCP_FRAMING_H
#define PLENUM_NET_TCP_FRAMING_H

#include <stddef.h>
#include <stdint.h>

/* The longest datagram taken from a media TCP stream. Browsers frame what they would send over
 * UDP (at most an MTU); a longer frame ends the stream. */
#define NET_FRAME_MAX 4096
#define NET_DEFRAME_BUF (4 * (NET_FRAME_MAX + 2))

typedef void (*net_frame_fn)(void *arg, uint8_t *frame, size_t len);

struct net_deframer {
	size_t len;                    /* bytes held: at most one partial frame after a commit */
	uint8_t buf[NET_DEFRAME_BUF];
};

/* Where the next bytes read from the stream go, and how many fit (never 0 after a commit). */
uint8_t *net_deframer_space(struct net_deframer *d, size_t *avail);
/* Takes n bytes just written at net_deframer_space: calls fn for every complete frame (the frame
 * may be modified and is valid during the call; empty frames are skipped) and keeps the rest.
 * 0, or EMSGSIZE when a frame announces more than NET_FRAME_MAX bytes (the stream is unusable). */
int net_deframer_commit(struct net_deframer *d, size_t n, net_frame_fn fn, void *arg);
/* Copies bytes in (for bytes already read elsewhere) and commits them; as net_deframer_commit. */
int net_deframer_feed(struct net_deframer *d, const uint8_t *in, size_t n, net_frame_fn fn, void *arg);

/* The two length bytes for a datagram of len bytes (len ≤ 65535). */
static inline void net_frame_header(uint8_t out[2], size_t len)
{
	out[0] = (uint8_t)(len >> 8);
	out[1] = (uint8_t)len;
}

#endif
