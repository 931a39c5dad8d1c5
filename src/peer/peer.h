/* peer: one PeerConnection's transport on the shared media port — ICE-lite, DTLS-SRTP
 * (plenum is always the DTLS server), SRTP/SRTCP. Knows nothing of rooms or tracks. */
#ifndef PLENUM_PEER_PEER_H
#define PLENUM_PEER_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ice/ice_lite.h"
#include "stun/stun.h"
#include "srtp/srtp.h"

struct peer;
struct peer_demux;
struct net_tcp_link;

enum peer_state { PEER_NEW = 0, PEER_CONNECTING, PEER_CONNECTED, PEER_FAILED, PEER_CLOSED };

struct peer_cbs {
	/* Decrypted RTP or RTCP; the buffer may be modified and is valid during the call. */
	void (*on_rtp)(void *arg, struct peer *p, uint8_t *pkt, size_t len);
	void (*on_rtcp)(void *arg, struct peer *p, uint8_t *pkt, size_t len);
	void (*on_state)(void *arg, struct peer *p, enum peer_state state);
};

#define PEER_MAX_ADDRS 4

struct peer {
	struct peer_demux *demux;
	struct peer *prev, *next;          /* the demux's list of all peers */
	struct ice_lite ice;
	struct dtls_conn *dtls;
	struct srtp_sess *srtp_in, *srtp_out;
	enum srtp_profile profile;
	enum peer_state state;
	struct peer_cbs cbs;
	void *arg;
	bool has_remote;
	struct sockaddr_storage addrs[PEER_MAX_ADDRS];   /* validated remote addresses (UDP) */
	struct net_tcp_link *link;         /* media goes over this TCP link; NULL: UDP to `selected` */
	unsigned n_addrs;
	uint64_t created_us;
};

/* A new transport with fresh ICE credentials, registered with the demux. */
int peer_new(struct peer **out, struct peer_demux *d, const struct peer_cbs *cbs, void *arg);
/* The remote side's ICE credentials and DTLS fingerprint from its SDP. 0 or EINVAL. */
int peer_set_remote(struct peer *p, const char *ufrag, const char *pwd, const char *fp_alg, const char *fp);
/* Protects in place (cap must leave room for the SRTP trailer) and sends on the selected path.
 * `droppable` (video): shed first when a TCP path backs up. */
int peer_send_rtp(struct peer *p, uint8_t *pkt, size_t len, size_t cap, bool droppable);
int peer_send_rtcp(struct peer *p, uint8_t *pkt, size_t len, size_t cap);
/* True when no valid ICE check arrived for timeout_us (or since creation, if none ever did). */
bool peer_consent_expired(const struct peer *p, uint64_t now_us, uint64_t timeout_us);
/* Sends close_notify if connected, unregisters and frees. */
void peer_free(struct peer *p);

/* Used by the demux. */
/* `via`: the TCP link the check arrived on (NULL: UDP); a valid check binds the link to p. */
void peer_input_stun(struct peer *p, const struct stun_msg *m, const struct sockaddr *from, struct net_tcp_link *via);
/* The link closes: media on it stops until a check selects another path. */
void peer_link_gone(struct peer *p, struct net_tcp_link *l);
void peer_input_dtls(struct peer *p, const uint8_t *buf, size_t len);
void peer_input_srtp(struct peer *p, uint8_t *buf, size_t len);
void peer_on_timer(struct peer *p);

#endif
