/* demux: the media port's front door — RFC 7983 demultiplexing of STUN, DTLS and SRTP, and
 * the registry that finds a transport by ICE ufrag (STUN) or by remote address (the rest). */
#ifndef PLENUM_PEER_DEMUX_H
#define PLENUM_PEER_DEMUX_H

#include <stdint.h>
#include <uv.h>

#include "base/clock.h"
#include "base/hmap.h"
#include "base/log.h"
#include "net/tcp_link.h"
#include "net/udp.h"

struct dtls_cert;
struct peer;

/* Counters for metrics; drops are by reason. */
struct peer_stats {
	uint64_t rtp_rx, rtp_rx_bytes, rtp_tx, rtp_tx_bytes, rtcp_rx, rtcp_tx;
	uint64_t drop_stun_malformed, drop_stun_auth, drop_dtls, drop_srtp_malformed,
	         drop_srtp_auth, drop_srtp_replay, drop_unknown_source, drop_unknown_kind, drop_send;
	uint64_t tcp_foreign_check;   /* a check for a second transport on a TCP link already bound */
	uint64_t tcp_unbound_closed;  /* TCP links closed for carrying no valid check in PEER_TCP_UNBOUND_US */
	uint64_t tcp_unbound_evicted; /* unbound TCP links closed to make room for a newcomer */
};

struct peer_demux {
	unsigned index;                /* the worker's number, written into every local ufrag */
	struct net_udp udp;
	struct net_tcp_set tcp;        /* ICE-TCP links handed to this worker */
	_Atomic unsigned *tcp_open;    /* NULL, or a count of open links to decrement as one closes */
	struct dtls_cert *cert;
	const struct clock_src *clock;
	struct hmap by_ufrag, by_addr;
	struct peer *peers;            /* all transports, for timers */
	struct peer_stats stats;
	struct log_limit drop_log;
	uint64_t next_sweep_us;
	int pending_closes;
	void (*closed)(void *arg);
	void *closed_arg;
};

int peer_demux_open(struct peer_demux *d, uv_loop_t *loop, unsigned index, const char *ip, uint16_t port,
                    struct dtls_cert *cert, const struct clock_src *clock);
/* Takes over a TCP connection whose first RFC 4571 frame (in pre) is an ICE check for one of
 * this demux's transports; the fd is the demux's from now on, also on failure. 0 or an errno. */
int peer_demux_adopt_tcp(struct peer_demux *d, int fd, const uint8_t *pre, size_t pre_len);

/* Local ufrags carry their worker: the first character is the worker's number in the ICE
 * alphabet, so a TCP check arriving on a shared listener finds its worker without a lookup
 * table shared between threads. -1 when the ufrag names no worker. */
#define PEER_MAX_WORKERS 64
#define PEER_TCP_UNBOUND_US 10000000ull   /* a TCP link without a valid check lives this long */
int peer_ufrag_worker(const char *ufrag, size_t len);
void peer_ufrag_mark(char *ufrag, unsigned index);
/* Drives DTLS retransmissions; call every few tens of milliseconds. */
void peer_demux_tick(struct peer_demux *d);
/* Closes the oldest TCP link not bound to a transport that has had at least min_age_us to carry
 * a valid check (so, in practice, one whose checks were for nobody); false if there is none. */
bool peer_demux_evict_unbound(struct peer_demux *d, uint64_t min_age_us);
/* Frees every transport and closes the socket; `closed` runs once libuv released it. */
void peer_demux_close(struct peer_demux *d, void (*closed)(void *arg), void *arg);

/* Used by peer.c */
void peer_demux_add_addr(struct peer_demux *d, struct peer *p, const struct sockaddr *addr);
void peer_demux_remove(struct peer_demux *d, struct peer *p);

#endif
