/* peer: ICE-lite checks, the DTLS-SRTP handshake (RFC 5764) and SRTP for one PeerConnection.
 * Keys come from the DTLS exporter once the remote certificate matched the SDP fingerprint. */
#include "peer/peer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/dtls.h"
#include "peer/demux.h"
#include "rtp/rtp.h"

static const char *MOD = "peer";

static void set_state(struct peer *p, enum peer_state st)
{
	if (p->state == st)
		return;
	p->state = st;
	if (p->cbs.on_state)
		p->cbs.on_state(p->arg, p, st);
}

static const struct sockaddr *selected(const struct peer *p)
{
	return p->ice.has_selected ? (const struct sockaddr *)&p->ice.selected : NULL;
}

/* Sends one datagram on the selected path: the TCP link the selected check came on, or UDP. */
static int path_send(struct peer *p, const uint8_t *buf, size_t len, bool droppable)
{
	if (p->link)
		return net_tcp_link_send(p->link, buf, len, droppable);
	const struct sockaddr *to = selected(p);
	return to ? net_udp_send(&p->demux->udp, buf, len, to) : ENOTCONN;
}

static void dtls_send(void *arg, const uint8_t *buf, size_t len)
{
	struct peer *p = arg;
	if (path_send(p, buf, len, false) != 0)
		p->demux->stats.drop_send++;
}

int peer_new(struct peer **out, struct peer_demux *d, const struct peer_cbs *cbs, void *arg)
{
	struct peer *p = calloc(1, sizeof *p);
	if (!p)
		return ENOMEM;
	p->demux = d;
	p->cbs = *cbs;
	p->arg = arg;
	p->created_us = clock_now(d->clock);
	int err = ice_lite_init(&p->ice, p->created_us);
	peer_ufrag_mark(p->ice.local_ufrag, d->index);
	if (!err)
		err = dtls_conn_new(&p->dtls, d->cert, true, dtls_send, p);
	if (!err)
		err = hmap_put(&d->by_ufrag, p->ice.local_ufrag, strlen(p->ice.local_ufrag), p);
	if (err) {
		if (p->dtls)
			dtls_conn_free(p->dtls);
		free(p);
		return err;
	}
	p->next = d->peers;
	if (d->peers)
		d->peers->prev = p;
	d->peers = p;
	*out = p;
	return 0;
}

int peer_set_remote(struct peer *p, const char *ufrag, const char *pwd, const char *fp_alg, const char *fp)
{
	if (!ufrag || !pwd || !fp_alg || !fp || !*ufrag || !*pwd)
		return EINVAL;
	if (dtls_conn_set_remote_fingerprint(p->dtls, fp_alg, fp) != 0)
		return EINVAL;
	ice_lite_set_remote(&p->ice, ufrag, pwd);
	p->has_remote = true;
	return 0;
}

void peer_input_stun(struct peer *p, const struct stun_msg *m, const struct sockaddr *from, struct net_tcp_link *via)
{
	struct peer_demux *d = p->demux;
	/* Until the remote description is known, checks go unanswered; the browser retries. */
	if (!p->has_remote || p->state >= PEER_FAILED)
		return;
	uint8_t resp[512];
	size_t resp_len = 0;
	enum ice_result r = ice_lite_handle_request(&p->ice, m, from, clock_now(d->clock), resp, sizeof resp, &resp_len);
	if (r == ICE_IGNORE)
		return;
	int sent = !resp_len ? 0 : via ? net_tcp_link_send(via, resp, resp_len, false)
	                                : net_udp_send(&d->udp, resp, resp_len, from);
	if (sent != 0)
		d->stats.drop_send++;
	if (r == ICE_RESPOND_ERROR) {
		d->stats.drop_stun_auth++;
		return;
	}
	if (via)
		via->owner = p;
	else
		peer_demux_add_addr(d, p, from);
	/* the path media takes follows the selected address, over the transport it was checked on */
	if (p->ice.has_selected && ice_addr_equal((const struct sockaddr *)&p->ice.selected, from))
		p->link = via;
	if (p->state == PEER_NEW)
		set_state(p, PEER_CONNECTING);
}

static int start_srtp(struct peer *p)
{
	uint8_t lk[32], ls[16], rk[32], rs[16];
	enum srtp_profile prof;
	int err = dtls_conn_srtp_keys(p->dtls, &prof, lk, ls, rk, rs);
	if (!err)
		err = srtp_sess_new(&p->srtp_out, prof, lk, ls);
	if (!err)
		err = srtp_sess_new(&p->srtp_in, prof, rk, rs);
	memset(lk, 0, sizeof lk);
	memset(rk, 0, sizeof rk);
	p->profile = prof;
	return err;
}

static void after_dtls(struct peer *p, enum dtls_state st)
{
	if (st == DTLS_CONNECTED && p->state != PEER_CONNECTED) {
		if (start_srtp(p) != 0) {
			log_warn(MOD, "SRTP setup failed");
			set_state(p, PEER_FAILED);
			return;
		}
		log_debug(MOD, "transport %s connected (SRTP profile %d)", p->ice.local_ufrag, (int)p->profile);
		set_state(p, PEER_CONNECTED);
	} else if (st == DTLS_FAILED) {
		log_debug(MOD, "transport %s: DTLS failed", p->ice.local_ufrag);
		set_state(p, PEER_FAILED);
	} else if (st == DTLS_CLOSED) {
		set_state(p, PEER_CLOSED);
	}
}

void peer_link_gone(struct peer *p, struct net_tcp_link *l)
{
	if (p->link != l)
		return;
	p->link = NULL;
	p->ice.has_selected = false;   /* not to be sent to over UDP instead */
	p->ice.nominated = false;
}

void peer_input_dtls(struct peer *p, const uint8_t *buf, size_t len)
{
	if (p->state >= PEER_FAILED)
		return;
	after_dtls(p, dtls_conn_feed(p->dtls, buf, len));
}

void peer_on_timer(struct peer *p)
{
	if (p->state == PEER_CONNECTING && dtls_conn_timeout_ms(p->dtls) == 0)
		after_dtls(p, dtls_conn_on_timer(p->dtls));
}

void peer_input_srtp(struct peer *p, uint8_t *buf, size_t len)
{
	struct peer_stats *st = &p->demux->stats;
	if (p->state != PEER_CONNECTED) {
		st->drop_unknown_source++;
		return;
	}
	size_t out_len = 0;
	int err;
	bool rtcp = rtp_is_rtcp(buf, len);
	err = rtcp ? srtp_sess_unprotect_rtcp(p->srtp_in, buf, len, &out_len)
	           : srtp_sess_unprotect_rtp(p->srtp_in, buf, len, &out_len);
	if (err == EACCES) {
		st->drop_srtp_auth++;
		return;
	} else if (err == EALREADY) {
		st->drop_srtp_replay++;
		return;
	} else if (err) {
		st->drop_srtp_malformed++;
		return;
	}
	if (rtcp) {
		st->rtcp_rx++;
		p->cbs.on_rtcp(p->arg, p, buf, out_len);
	} else {
		st->rtp_rx++;
		st->rtp_rx_bytes += out_len;
		p->cbs.on_rtp(p->arg, p, buf, out_len);
	}
}

static int send_protected(struct peer *p, uint8_t *pkt, size_t len, size_t cap, bool rtcp, bool droppable)
{
	struct peer_stats *st = &p->demux->stats;
	if (p->state != PEER_CONNECTED || !selected(p))
		return ENOTCONN;
	size_t out_len = 0;
	int err = rtcp ? srtp_sess_protect_rtcp(p->srtp_out, pkt, len, cap, &out_len)
	               : srtp_sess_protect_rtp(p->srtp_out, pkt, len, cap, &out_len);
	if (!err)
		err = path_send(p, pkt, out_len, droppable);
	if (err) {
		st->drop_send++;
		return err;
	}
	if (rtcp) {
		st->rtcp_tx++;
	} else {
		st->rtp_tx++;
		st->rtp_tx_bytes += len;
	}
	return 0;
}

int peer_send_rtp(struct peer *p, uint8_t *pkt, size_t len, size_t cap, bool droppable)
{
	return send_protected(p, pkt, len, cap, false, droppable);
}

int peer_send_rtcp(struct peer *p, uint8_t *pkt, size_t len, size_t cap)
{
	return send_protected(p, pkt, len, cap, true, false);
}

bool peer_consent_expired(const struct peer *p, uint64_t now_us, uint64_t timeout_us)
{
	uint64_t last = p->ice.last_consent_us > p->created_us ? p->ice.last_consent_us : p->created_us;
	return now_us > last && now_us - last > timeout_us;
}

void peer_free(struct peer *p)
{
	if (!p)
		return;
	if (p->state == PEER_CONNECTED)
		dtls_conn_close(p->dtls);
	peer_demux_remove(p->demux, p);
	dtls_conn_free(p->dtls);
	if (p->srtp_in)
		srtp_sess_free(p->srtp_in);
	if (p->srtp_out)
		srtp_sess_free(p->srtp_out);
	free(p);
}
