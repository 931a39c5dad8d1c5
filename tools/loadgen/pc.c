/* pc: one simulated PeerConnection's transport — its UDP socket, ICE as a controlling full agent
 * (aggressive nomination, answers the peer's checks, consent every 2.5 s), the DTLS client
 * handshake, SRTP keys, RFC 7983 demultiplexing, and batched protected sends (sendmmsg).
 * With --tcp-subscribers a subscribe PC connects to the server's passive TCP candidate instead
 * (ICE-TCP, RFC 6544) and frames every datagram (RFC 4571).
 * RFC 8445, RFC 7675, RFC 5764, RFC 7983. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "base/util.h"
#include "dtls/dtls.h"
#include "ice/ice_lite.h"
#include "rtp/rtp.h"
#include "sdp/sdp.h"
#include "srtp/srtp.h"
#include "stun/stun.h"

#include "lg.h"

#define CHECK_INTERVAL_US 50000
#define CONSENT_INTERVAL_US 2500000
#define CONNECT_TIMEOUT_US 15000000
#define RX_BATCH 32

static uint8_t rx_bufs[RX_BATCH][LG_PKT_CAP];

static void pc_on_readable(uv_poll_t *h, int status, int events);

/* The TCP side: a blocking socket (writes are framed and must not be cut), read without waiting
 * when poll says so; connected once the server's description names its TCP candidate. */
static int tcp_pc_init(struct lg *lg, struct lg_pc *pc, struct lg_pc **out)
{
	pc->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (pc->fd < 0) {
		int e = errno;
		free(pc->deframer);
		free(pc);
		return e;
	}
	int sz = 2 << 20;
	setsockopt(pc->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	util_random_token(pc->lufrag, 4);
	util_random_token(pc->lpwd, 24);
	util_random(&pc->tiebreaker, sizeof pc->tiebreaker);
	pc->tiebreaker |= 1ull << 63;
	pc->rtcp_ssrc = util_random_u32();
	uv_poll_init(lg->loop, &pc->poll, pc->fd);
	pc->poll.data = pc;
	pc->poll_init = true;
	pc->state = PC_IDLE;
	*out = pc;
	return 0;
}

static int tcp_connect(struct lg_pc *pc)
{
	/* uv_poll_init made the socket non-blocking: writes must not be cut, so block again */
	int fl = fcntl(pc->fd, F_GETFL);
	if (fl >= 0)
		fcntl(pc->fd, F_SETFL, fl & ~O_NONBLOCK);
	if (connect(pc->fd, (struct sockaddr *)&pc->remote, sizeof pc->remote) != 0)
		return errno;
	int one = 1;
	setsockopt(pc->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	uv_poll_start(&pc->poll, UV_READABLE, pc_on_readable);
	return 0;
}

/* One datagram, framed, in one write. */
static int tcp_send(struct lg_pc *pc, const uint8_t *buf, size_t len)
{
	uint8_t hdr[2];
	net_frame_header(hdr, len);
	struct iovec v[2] = { { hdr, 2 }, { (void *)buf, len } };
	ssize_t n = writev(pc->fd, v, 2);
	return n == (ssize_t)(len + 2) ? 0 : EIO;
}

int lg_pc_new(struct lg *lg, struct lg_part *p, bool is_pub, struct lg_pc **out)
{
	struct lg_pc *pc = calloc(1, sizeof *pc);
	if (!pc)
		return ENOMEM;
	pc->lg = lg;
	pc->part = p;
	pc->is_pub = is_pub;
	pc->tcp = !is_pub && lg->o.tcp_subscribers;
	if (pc->tcp) {
		pc->deframer = calloc(1, sizeof *pc->deframer);
		if (!pc->deframer) {
			free(pc);
			return ENOMEM;
		}
		return tcp_pc_init(lg, pc, out);
	}
	pc->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (pc->fd < 0) {
		int e = errno;
		free(pc);
		return e;
	}
	int sz = 2 << 20;
	if (setsockopt(pc->fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) != 0)
		setsockopt(pc->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	if (setsockopt(pc->fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof sz) != 0)
		setsockopt(pc->fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	if (bind(pc->fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(pc->fd, (struct sockaddr *)&a, &al) != 0) {
		int e = errno;
		close(pc->fd);
		free(pc);
		return e;
	}
	pc->local_port = ntohs(a.sin_port);
	util_random_token(pc->lufrag, 4);
	util_random_token(pc->lpwd, 24);
	util_random(&pc->tiebreaker, sizeof pc->tiebreaker);
	pc->tiebreaker |= 1ull << 63;   /* stay controlling against a full-ICE offerer */
	pc->rtcp_ssrc = util_random_u32();
	uv_poll_init(lg->loop, &pc->poll, pc->fd);
	pc->poll.data = pc;
	pc->poll_init = true;
	uv_poll_start(&pc->poll, UV_READABLE, pc_on_readable);
	pc->state = PC_IDLE;
	*out = pc;
	return 0;
}

static void pc_close_cb(uv_handle_t *h)
{
	struct lg_pc *pc = h->data;
	for (size_t i = 0; i < pc->n_tx; i++)
		free(pc->tx[i].hist);
	free(pc->rx);
	free(pc->twcc);
	free(pc->fail_reason);
	free(pc->deframer);
	free(pc);
}

void lg_pc_free(struct lg_pc *pc)
{
	if (!pc)
		return;
	if (pc->lg->batch_pc == pc)
		lg_tx_flush(pc->lg);
	if (pc->dtls)
		dtls_conn_free(pc->dtls);
	srtp_sess_free(pc->srtp_tx);
	srtp_sess_free(pc->srtp_rx);
	close(pc->fd);
	uv_poll_stop(&pc->poll);
	uv_close((uv_handle_t *)&pc->poll, pc_close_cb);
}

void lg_pc_fail(struct lg_pc *pc, const char *why)
{
	if (pc->state == PC_FAILED)
		return;
	pc->state = PC_FAILED;
	free(pc->fail_reason);
	pc->fail_reason = strdup(why);
	lg_part_fail(pc->part, "%s PC: %s", pc->is_pub ? "publish" : "subscribe", why);
}

int lg_pc_send_raw(struct lg_pc *pc, const uint8_t *buf, size_t len)
{
	if (!pc->have_remote)
		return ENOTCONN;
	if (pc->tcp)
		return tcp_send(pc, buf, len);
	if (sendto(pc->fd, buf, len, 0, (struct sockaddr *)&pc->remote, sizeof pc->remote) < 0)
		return errno;
	return 0;
}

/* ---- remote description ------------------------------------------------------------------------ */

/* The first IPv4 host candidate of the protocol ("udp", "tcp") in the SDP text (any m-line). */
static int find_candidate(const char *sdp, const char *want, struct sockaddr_in *out)
{
	for (const char *l = strstr(sdp, "a=candidate:"); l; l = strstr(l + 1, "a=candidate:")) {
		char found[64], proto[8], ip[64];
		unsigned comp, port;
		unsigned long prio;
		if (sscanf(l, "a=candidate:%63s %u %7s %lu %63s %u", found, &comp, proto, &prio, ip, &port) != 6)
			continue;
		if (comp != 1 || strcasecmp(proto, want) != 0 || port == 0 || port > 65535)
			continue;
		struct in_addr ia;
		if (inet_pton(AF_INET, ip, &ia) != 1)
			continue;
		memset(out, 0, sizeof *out);
		out->sin_family = AF_INET;
		out->sin_addr = ia;
		out->sin_port = htons((uint16_t)port);
		return 0;
	}
	return ENOENT;
}

int lg_pc_set_remote(struct lg_pc *pc, const char *sdp_text, const struct sdp_session *s)
{
	const char *ufrag, *pwd, *fp_alg, *fp, *setup;
	if (sdp_session_transport(s, &ufrag, &pwd, &fp_alg, &fp, &setup) != 0)
		return EPROTO;
	bool same = pc->state != PC_IDLE && pc->state != PC_FAILED && strcmp(ufrag, pc->rufrag) == 0 &&
	            strcmp(pwd, pc->rpwd) == 0 && strcasecmp(fp, pc->fp) == 0;
	struct sockaddr_in cand;
	int crc = find_candidate(sdp_text, pc->tcp ? "tcp" : "udp", &cand);
	if (same)
		return 0;
	if (crc != 0 && !pc->have_remote)
		return ENOENT;   /* no trickle here: the server's description carries its candidate */
	if (crc == 0 && !(pc->tcp && pc->have_remote)) {
		pc->remote = cand;
		pc->have_remote = true;
		if (pc->tcp) {
			int err = tcp_connect(pc);
			if (err)
				return err;
		}
	}
	snprintf(pc->rufrag, sizeof pc->rufrag, "%s", ufrag);
	snprintf(pc->rpwd, sizeof pc->rpwd, "%s", pwd);
	snprintf(pc->fp_alg, sizeof pc->fp_alg, "%s", fp_alg);
	snprintf(pc->fp, sizeof pc->fp, "%s", fp);
	pc->dtls_server = setup && strcmp(setup, "active") == 0;
	if (pc->dtls) {
		dtls_conn_free(pc->dtls);
		pc->dtls = NULL;
	}
	srtp_sess_free(pc->srtp_tx);
	srtp_sess_free(pc->srtp_rx);
	pc->srtp_tx = pc->srtp_rx = NULL;
	pc->state = PC_ICE;
	pc->t_begin = lg_now();
	pc->next_check_us = 0;
	pc->checks_sent = 0;
	pc->dtls_restarts = 0;
	lg_pc_tick(pc, pc->t_begin);
	return 0;
}

/* ---- ICE --------------------------------------------------------------------------------------- */

static void send_check(struct lg_pc *pc, uint64_t now, bool nominate)
{
	uint8_t buf[512];
	size_t len;
	uint8_t *tid = pc->tid[pc->tid_next++ % 16];
	util_random(tid, 12);
	/* host candidate priority as RFC 8445 §5.1.2.1 with type preference 126 */
	uint32_t prio = (126u << 24) | (65535u << 8) | 255u;
	if (ice_write_check(buf, sizeof buf, &len, tid, pc->rufrag, pc->lufrag, pc->rpwd, prio,
	                    pc->tiebreaker, nominate) == 0)
		lg_pc_send_raw(pc, buf, len);
	pc->checks_sent++;
}

static void dtls_send_cb(void *arg, const uint8_t *buf, size_t len)
{
	lg_pc_send_raw(arg, buf, len);
}

static void start_dtls(struct lg_pc *pc)
{
	if (dtls_conn_new(&pc->dtls, pc->lg->cert, pc->dtls_server, dtls_send_cb, pc) != 0) {
		lg_pc_fail(pc, "dtls_conn_new failed");
		return;
	}
	if (dtls_conn_set_remote_fingerprint(pc->dtls, pc->fp_alg, pc->fp) != 0) {
		lg_pc_fail(pc, "bad remote fingerprint");
		return;
	}
	pc->state = PC_DTLS;
	pc->dtls_heard = false;
	pc->dtls_start_us = lg_now();
	if (dtls_conn_start(pc->dtls) == DTLS_FAILED)
		lg_pc_fail(pc, "DTLS start failed");
}

static void dtls_connected(struct lg_pc *pc)
{
	enum srtp_profile prof;
	uint8_t lk[SRTP_SESS_MAX_KEY_LEN], ls[SRTP_SESS_MAX_SALT_LEN], rk[SRTP_SESS_MAX_KEY_LEN], rs[SRTP_SESS_MAX_SALT_LEN];
	if (dtls_conn_srtp_keys(pc->dtls, &prof, lk, ls, rk, rs) != 0 ||
	    srtp_sess_new(&pc->srtp_tx, prof, lk, ls) != 0 || srtp_sess_new(&pc->srtp_rx, prof, rk, rs) != 0) {
		lg_pc_fail(pc, "SRTP keys");
		return;
	}
	pc->state = PC_UP;
	pc->t_up = lg_now();
	pc->next_consent_us = pc->t_up + CONSENT_INTERVAL_US;
	pc->next_rtcp_us = pc->t_up + 1000000;
	lg_log(pc->lg, LG_DBG, "%s %s PC up in %.1f ms (%s)", pc->part->name, pc->is_pub ? "publish" : "subscribe",
	       (pc->t_up - pc->t_begin) / 1000.0, srtp_profile_name(prof));
}

/* A binding request from a full-ICE peer: answer it (short-term credentials, our pwd). */
static void answer_check(struct lg_pc *pc, const struct stun_msg *m, const struct sockaddr_in *from)
{
	size_t ul = strlen(pc->lufrag);
	if (!m->username || m->username_len <= ul || memcmp(m->username, pc->lufrag, ul) != 0 || m->username[ul] != ':' ||
	    !stun_msg_integrity_ok(m, (const uint8_t *)pc->lpwd, strlen(pc->lpwd))) {
		pc->stun_bad++;
		return;
	}
	uint8_t buf[256];
	struct stun_writer w;
	stun_writer_init(&w, buf, sizeof buf, STUN_BINDING_SUCCESS, m->tid);
	stun_writer_add_xor_addr(&w, STUN_ATTR_XOR_MAPPED_ADDRESS, (const struct sockaddr *)from);
	stun_writer_finish(&w, (const uint8_t *)pc->lpwd, strlen(pc->lpwd), true);
	if (!w.err && pc->tcp)
		tcp_send(pc, buf, w.len);
	else if (!w.err)
		sendto(pc->fd, buf, w.len, 0, (const struct sockaddr *)from, sizeof *from);
	if (!pc->have_remote) {
		pc->remote = *from;
		pc->have_remote = true;
	}
}

static void stun_in(struct lg_pc *pc, const uint8_t *buf, size_t len, const struct sockaddr_in *from, uint64_t now)
{
	struct stun_msg m;
	if (stun_msg_decode(&m, buf, len) != 0) {
		pc->stun_bad++;
		return;
	}
	if (m.type == STUN_BINDING_REQUEST) {
		answer_check(pc, &m, from);
		return;
	}
	bool ours = false;
	for (unsigned i = 0; i < 16 && !ours; i++)
		ours = memcmp(m.tid, pc->tid[i], 12) == 0;
	if (m.type != STUN_BINDING_SUCCESS || !ours ||
	    !stun_msg_integrity_ok(&m, (const uint8_t *)pc->rpwd, strlen(pc->rpwd))) {
		if (m.type == STUN_BINDING_ERROR) {
			pc->stun_errors++;
			pc->last_stun_error = m.error_code;
		}
		return;
	}
	pc->last_resp_us = now;
	if (pc->state == PC_ICE) {
		pc->remote = *from;
		pc->have_remote = true;
		start_dtls(pc);
	}
}

/* ---- receive ----------------------------------------------------------------------------------- */

static void dtls_in(struct lg_pc *pc, const uint8_t *buf, size_t len)
{
	if (!pc->dtls && pc->state == PC_ICE && pc->dtls_server)
		start_dtls(pc);   /* the peer's ClientHello overtook our check's response */
	if (!pc->dtls)
		return;
	pc->dtls_heard = true;
	enum dtls_state st = dtls_conn_feed(pc->dtls, buf, len);
	if (st == DTLS_CONNECTED && pc->state == PC_DTLS)
		dtls_connected(pc);
	else if (st == DTLS_FAILED && pc->state == PC_DTLS)
		lg_pc_fail(pc, "DTLS handshake failed");
}

static void datagram_in(struct lg_pc *pc, uint8_t *buf, size_t len, const struct sockaddr_in *from, uint64_t now)
{
	if (len < 1)
		return;
	uint8_t b = buf[0];
	if (b < 4) {
		stun_in(pc, buf, len, from, now);
	} else if (b >= 20 && b < 64) {
		dtls_in(pc, buf, len);
	} else if (b >= 128 && b < 192 && pc->state == PC_UP) {
		size_t out;
		if (rtp_is_rtcp(buf, len)) {
			if (srtp_sess_unprotect_rtcp(pc->srtp_rx, buf, len, &out) != 0) {
				pc->srtp_bad++;
				return;
			}
			pc->rtcp_in++;
			lg_media_rtcp_in(pc, buf, out, now);
		} else {
			if (srtp_sess_unprotect_rtp(pc->srtp_rx, buf, len, &out) != 0) {
				pc->srtp_bad++;
				return;
			}
			lg_media_rtp_in(pc, buf, out, len, now);
		}
	}
}

struct tcp_rx {
	struct lg_pc *pc;
	uint64_t now;
};

static void tcp_frame_in(void *arg, uint8_t *frame, size_t len)
{
	struct tcp_rx *r = arg;
	datagram_in(r->pc, frame, len, &r->pc->remote, r->now);
}

static void tcp_readable(struct lg_pc *pc)
{
	for (int round = 0; round < 8; round++) {
		size_t avail;
		uint8_t *dst = net_deframer_space(pc->deframer, &avail);
		ssize_t n = recv(pc->fd, dst, avail, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			uv_poll_stop(&pc->poll);
			lg_pc_fail(pc, "TCP connection closed by the server");
			return;
		}
		if (n < 0)
			break;
		struct tcp_rx r = { pc, lg_now() };
		if (net_deframer_commit(pc->deframer, (size_t)n, tcp_frame_in, &r) != 0) {
			uv_poll_stop(&pc->poll);
			lg_pc_fail(pc, "bad RFC 4571 framing from the server");
			return;
		}
		lg_tx_flush(pc->lg);
		if ((size_t)n < avail)
			break;
	}
}

static void pc_on_readable(uv_poll_t *h, int status, int events)
{
	struct lg_pc *pc = h->data;
	if (status < 0)
		return;
	if (pc->tcp) {
		tcp_readable(pc);
		return;
	}
	static struct mmsghdr mm[RX_BATCH];
	static struct iovec iov[RX_BATCH];
	static struct sockaddr_in from[RX_BATCH];
	for (int round = 0; round < 8; round++) {
		for (int i = 0; i < RX_BATCH; i++) {
			iov[i].iov_base = rx_bufs[i];
			iov[i].iov_len = LG_PKT_CAP;
			memset(&mm[i].msg_hdr, 0, sizeof mm[i].msg_hdr);
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
			mm[i].msg_hdr.msg_name = &from[i];
			mm[i].msg_hdr.msg_namelen = sizeof from[i];
		}
		int n = recvmmsg(pc->fd, mm, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		uint64_t now = lg_now();
		for (int i = 0; i < n; i++)
			datagram_in(pc, rx_bufs[i], mm[i].msg_len, &from[i], now);
		lg_tx_flush(pc->lg);   /* retransmissions, keyframes, NACKs queued while receiving */
		if (n < RX_BATCH)
			break;
	}
}

/* ---- timers ------------------------------------------------------------------------------------ */

void lg_pc_tick(struct lg_pc *pc, uint64_t now)
{
	switch (pc->state) {
	case PC_ICE:
		if (now >= pc->next_check_us) {
			send_check(pc, now, true);
			pc->next_check_us = now + CHECK_INTERVAL_US;
		}
		if (now - pc->t_begin > CONNECT_TIMEOUT_US) {
			char why[96];
			snprintf(why, sizeof why, "ICE timed out (%u checks, %u errors, last %u, %llu bad)", pc->checks_sent,
			         pc->stun_errors, pc->last_stun_error, (unsigned long long)pc->stun_bad);
			lg_pc_fail(pc, why);
		}
		break;
	case PC_DTLS:
		/* Browsers retransmit the first flight after 50 ms; libplenum's timer starts at 250 ms. A
		 * server whose DTLS was not ready for the first ClientHello gets a fresh one. */
		if (!pc->dtls_server && !pc->dtls_heard && pc->dtls_restarts < 3 && now - pc->dtls_start_us >= 60000) {
			pc->dtls_restarts++;
			dtls_conn_free(pc->dtls);
			pc->dtls = NULL;
			start_dtls(pc);
			break;
		}
		if (dtls_conn_timeout_ms(pc->dtls) == 0) {
			if (dtls_conn_on_timer(pc->dtls) == DTLS_FAILED)
				lg_pc_fail(pc, "DTLS timed out");
			else if (dtls_conn_state(pc->dtls) == DTLS_CONNECTED)
				dtls_connected(pc);
		}
		if (pc->state == PC_DTLS && now - pc->t_begin > CONNECT_TIMEOUT_US)
			lg_pc_fail(pc, "DTLS timed out");
		break;
	case PC_UP:
		if (now >= pc->next_consent_us) {
			send_check(pc, now, false);
			pc->next_consent_us = now + CONSENT_INTERVAL_US;
		}
		if (pc->is_pub)
			lg_media_tx_tick(pc, now);
		else
			lg_media_rx_tick(pc, now);
		break;
	default:
		break;
	}
}

/* ---- batched sends ----------------------------------------------------------------------------- */

uint8_t *lg_tx_slot(struct lg_pc *pc)
{
	struct lg *lg = pc->lg;
	if (lg->batch_pc != pc || lg->n_batch == LG_BATCH)
		lg_tx_flush(lg);
	lg->batch_pc = pc;
	return lg->bufs[lg->n_batch];
}

void lg_tx_commit(struct lg_pc *pc, size_t len, bool rtcp)
{
	struct lg *lg = pc->lg;
	uint8_t *b = lg->bufs[lg->n_batch];
	size_t out;
	int rc = rtcp ? srtp_sess_protect_rtcp(pc->srtp_tx, b, len, LG_PKT_CAP, &out)
	              : srtp_sess_protect_rtp(pc->srtp_tx, b, len, LG_PKT_CAP, &out);
	if (rc != 0)
		return;
	lg->iov[lg->n_batch].iov_base = b;
	lg->iov[lg->n_batch].iov_len = out;
	if (lg->measuring) {
		pc->win_bytes_sent += out;
		if (pc->is_pub)
			lg->pub_bytes += out;
	}
	lg->n_batch++;
}

void lg_tx_flush(struct lg *lg)
{
	struct lg_pc *pc = lg->batch_pc;
	if (pc && lg->n_batch && pc->have_remote && pc->tcp) {
		for (size_t i = 0; i < lg->n_batch; i++)
			tcp_send(pc, lg->iov[i].iov_base, lg->iov[i].iov_len);
	} else if (pc && lg->n_batch && pc->have_remote) {
		for (size_t i = 0; i < lg->n_batch; i++) {
			memset(&lg->mm[i].msg_hdr, 0, sizeof lg->mm[i].msg_hdr);
			lg->mm[i].msg_hdr.msg_iov = &lg->iov[i];
			lg->mm[i].msg_hdr.msg_iovlen = 1;
			lg->mm[i].msg_hdr.msg_name = &pc->remote;
			lg->mm[i].msg_hdr.msg_namelen = sizeof pc->remote;
		}
		size_t off = 0;
		while (off < lg->n_batch) {
			int n = sendmmsg(pc->fd, lg->mm + off, (unsigned)(lg->n_batch - off), 0);
			if (n <= 0)
				break;
			off += (size_t)n;
		}
	}
	lg->n_batch = 0;
	lg->batch_pc = NULL;
}
