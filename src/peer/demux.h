/* demux: the media port's front door — RFC 7983 demultiplexing of STUN, DTLS and SRTP, and
 * the registry that finds a transport by ICE ufrag (STUN) or by remote address (the rest). */
#ifndef PLENUM_PEER_DEMUX_H
#define PLENUM_PEER_DEMUX_H

#include <stdint.h>
#include <uv.h>

#include "base/clock.h"
#include "base/hmap.h"
#include "base/log.h"
#include "net/udp.h"

struct dtls_cert;
struct peer;

/* Counters for metrics; drops are by reason. */
struct peer_stats {
	uint64_t rtp_rx, rtp_rx_bytes, rtp_tx, rtp_tx_bytes, rtcp_rx, rtcp_tx;
	uint64_t drop_stun_malformed, drop_stun_auth, drop_dtls, drop_srtp_malformed,
	         drop_srtp_auth, drop_srtp_replay, drop_unknown_source, drop_unknown_kind, drop_send;
};

struct peer_demux {
	struct net_udp udp;
	struct dtls_cert *cert;
	const struct clock_src *clock;
	struct hmap by_ufrag, by_addr;
	struct peer *peers;            /* all transports, for timers */
	struct peer_stats stats;
	struct log_limit drop_log;
};

int peer_demux_open(struct peer_demux *d, uv_loop_t *loop, const char *ip, uint16_t port,
                    struct dtls_cert *cert, const struct clock_src *clock);
/* Drives DTLS retransmissions; call every few tens of milliseconds. */
void peer_demux_tick(struct peer_demux *d);
/* Frees every transport and closes the socket; `closed` runs once libuv released it. */
void peer_demux_close(struct peer_demux *d, void (*closed)(void *arg), void *arg);

/* Used by peer.c */
void peer_demux_add_addr(struct peer_demux *d, struct peer *p, const struct sockaddr *addr);
void peer_demux_remove(struct peer_demux *d, struct peer *p);

#endif
