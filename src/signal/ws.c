/* ws: WebSocket connections of signaling (RFC 6455 via libwebsockets) — message reassembly up to
 * PROTO_MAX_MESSAGE, an outbound queue drained on SERVER_WRITEABLE, the upgrade checks, the hello
 * timeout, and the hand-off of each complete message to the protocol layer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/clock.h"
#include "base/log.h"
#include "signal/signal_int.h"
#include "signal/signal_tenant.h"
#include "stats/usage.h"

#define WS_OUT_MAX (8u << 20)   /* queued outbound bytes before a stalled client is dropped */

struct ws_msg {
	struct ws_msg *next;
	size_t len;
	unsigned char buf[];        /* LWS_PRE bytes, then the message */
};

struct ws_conn {
	struct signal *sig;
	struct lws *wsi;
	struct proto_conn *proto;
	char *rx;                   /* the message being reassembled */
	size_t rx_len, rx_cap;
	bool rx_in_msg, rx_discard, rx_binary;
	struct ws_msg *out, **out_tail;
	size_t out_bytes;
	bool overflow;              /* the client stopped reading: close on the next write */
	bool expired;               /* closed for not saying hello in time */
	uint64_t opened_us;
	struct ws_conn *prev, *next;   /* sig's list, oldest first */
};

static int ws_send(void *arg, const char *text, size_t len)
{
	struct ws_conn *w = arg;
	if (w->overflow)
		return EPIPE;
	if (w->out_bytes + len > WS_OUT_MAX) {
		if (log_limit_allow(&w->sig->log_ws, clock_mono_us()))
			log_info("signal", "closing a connection whose client does not read");
		w->overflow = true;
		lws_callback_on_writable(w->wsi);
		return ENOBUFS;
	}
	struct ws_msg *m = malloc(sizeof *m + LWS_PRE + len);
	if (!m)
		return ENOMEM;
	m->next = NULL;
	m->len = len;
	memcpy(m->buf + LWS_PRE, text, len);
	*w->out_tail = m;
	w->out_tail = &m->next;
	w->out_bytes += len;
	lws_callback_on_writable(w->wsi);
	return 0;
}

static int on_established(struct signal *s, struct lws *wsi, struct signal_pss *pss)
{
	struct ws_conn *w = calloc(1, sizeof *w);
	if (!w)
		return -1;
	w->sig = s;
	w->wsi = wsi;
	w->out_tail = &w->out;
	if (proto_conn_new(&w->proto, s->proto, ws_send, w) != 0) {
		free(w);
		return -1;
	}
	/* The client address, for per-address rate limits (kept only as a keyed hash): the TCP peer, or
	 * behind a trusted proxy the client it names. */
	char peer[64] = "";
	struct signal_client client;
	if (signal_client_get(s, wsi, &client) == 0)
		signal_addr_text(client.family, client.addr, peer, sizeof peer);
	proto_conn_set_peer(w->proto, peer);
	struct signal_tenant *tenant = signal_tenant_for(s, wsi);
	if (tenant)
		proto_conn_set_tenant(w->proto, tenant->proto);
	char base[PROTO_BASE_URL_MAX];
	if (signal_request_base_url(s, wsi, base, sizeof base) == 0)
		proto_conn_set_base_url(w->proto, base);
	/* Only the browser's family is kept, for the usage statistics. */
	char ua[1024];
	int ua_len = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_USER_AGENT);
	bool have_ua = ua_len > 0 && lws_hdr_copy(wsi, ua, sizeof ua, WSI_TOKEN_HTTP_USER_AGENT) > 0;
	proto_conn_set_browser(w->proto, (int)usage_browser_family(have_ua ? ua : NULL));
	pss->ws = w;
	w->opened_us = clock_mono_us();
	w->prev = s->ws_tail;
	if (s->ws_tail)
		s->ws_tail->next = w;
	else
		s->ws_head = w;
	s->ws_tail = w;
	s->n_ws++;
	signal_conns_progress(s, wsi);
	if (log_limit_allow(&s->log_ws, w->opened_us))
		log_debug("signal", "websocket opened (%u open)", s->n_ws);
	return 0;
}

static void rx_append(struct ws_conn *w, const void *in, size_t len)
{
	if (w->rx_discard)
		return;
	if (len > PROTO_MAX_MESSAGE - w->rx_len) {
		w->rx_discard = true;
		return;
	}
	if (w->rx_len + len > w->rx_cap) {
		size_t cap = w->rx_cap ? w->rx_cap : 4096;
		while (cap < w->rx_len + len)
			cap *= 2;
		if (cap > PROTO_MAX_MESSAGE)
			cap = PROTO_MAX_MESSAGE;
		char *rx = realloc(w->rx, cap);
		if (!rx) {
			w->rx_discard = true;
			return;
		}
		w->rx = rx;
		w->rx_cap = cap;
	}
	memcpy(w->rx + w->rx_len, in, len);
	w->rx_len += len;
}

static void on_receive(struct ws_conn *w, const void *in, size_t len)
{
	if (!w->rx_in_msg) {
		w->rx_in_msg = true;
		w->rx_len = 0;
		w->rx_discard = false;
		w->rx_binary = lws_frame_is_binary(w->wsi);
	}
	rx_append(w, in, len);
	if (!lws_is_final_fragment(w->wsi) || lws_remaining_packet_payload(w->wsi) != 0)
		return;
	w->rx_in_msg = false;
	if (w->rx_discard)
		proto_conn_reject(w->proto, SIGNAL_ERR_MESSAGE_TOO_LARGE, NULL);
	else if (w->rx_binary)
		proto_conn_reject(w->proto, SIGNAL_ERR_BAD_REQUEST, "Messages are text frames.");
	else
		proto_conn_receive(w->proto, w->rx, w->rx_len);
	/* Keep small buffers for the next message; give back large ones. */
	if (w->rx_cap > 16384) {
		free(w->rx);
		w->rx = NULL;
		w->rx_cap = 0;
	}
}

static int on_writeable(struct ws_conn *w)
{
	if (w->overflow) {
		lws_close_reason(w->wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)"too slow", 8);
		return -1;
	}
	if (w->expired) {
		lws_close_reason(w->wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)"no hello", 8);
		return -1;
	}
	struct ws_msg *m = w->out;
	if (!m)
		return 0;
	w->out = m->next;
	if (!w->out)
		w->out_tail = &w->out;
	w->out_bytes -= m->len;
	int n = lws_write(w->wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT);
	size_t sent = m->len;
	free(m);
	if (n < 0 || (size_t)n < sent)
		return -1;
	if (w->out)
		lws_callback_on_writable(w->wsi);
	return 0;
}

static void on_closed(struct signal *s, struct signal_pss *pss)
{
	struct ws_conn *w = pss->ws;
	if (!w)
		return;
	pss->ws = NULL;
	/* Leaving may send events to other connections, never to this one. */
	proto_conn_free(w->proto);
	w->proto = NULL;
	struct ws_msg *m = w->out;
	while (m) {
		struct ws_msg *next = m->next;
		free(m);
		m = next;
	}
	free(w->rx);
	if (w->prev)
		w->prev->next = w->next;
	else
		s->ws_head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		s->ws_tail = w->prev;
	free(w);
	s->n_ws--;
	if (log_limit_allow(&s->log_ws, clock_mono_us()))
		log_debug("signal", "websocket closed (%u open)", s->n_ws);
}

int signal_ws_callback(struct signal *s, struct lws *wsi, enum lws_callback_reasons reason,
                       struct signal_pss *pss, void *in, size_t len)
{
	if (!pss)
		return -1;
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		return on_established(s, wsi, pss);
	case LWS_CALLBACK_RECEIVE:
		if (pss->ws)
			on_receive(pss->ws, in, len);
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return pss->ws ? on_writeable(pss->ws) : 0;
	case LWS_CALLBACK_CLOSED:
		on_closed(s, pss);
		return 0;
	default:
		return 0;
	}
}

void signal_ws_sweep(struct signal *s, uint64_t now_us)
{
	const uint64_t limit = (uint64_t)SIGNAL_HELLO_TIMEOUT_S * 1000000u;
	/* Oldest first: stop at the first connection younger than the timeout. */
	for (struct ws_conn *w = s->ws_head; w && now_us - w->opened_us >= limit; w = w->next) {
		if (w->expired || !w->proto || proto_conn_greeted(w->proto))
			continue;
		w->expired = true;
		s->hello_timeout++;
		lws_callback_on_writable(w->wsi);   /* closes it there */
	}
}

bool signal_ws_allowed(struct signal *s, struct lws *wsi)
{
	const struct lws_protocols *proto = lws_get_protocol(wsi);
	if (!proto || !proto->name || strcmp(proto->name, SIGNAL_WS_PROTOCOL) != 0)
		return false;
	char uri[64];
	if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0 || strcmp(uri, SIGNAL_WS_PATH) != 0)
		return false;
	/* Behind a trusted proxy: counted from now on against its client's per-address cap. */
	struct signal_client client;
	if (signal_client_get(s, wsi, &client) == 0 && signal_conns_client(s, wsi, &client) != 0)
		return false;
	/* A browser on another site must not open a session here (cross-site WebSocket hijacking),
	 * nor a page whose name was rebound to this server's address. */
	if (!signal_host_allowed(s, wsi) || !signal_tenant_for(s, wsi))
		return false;
	if (!signal_origin_allowed(s, wsi)) {
		if (log_limit_allow(&s->log_ws, clock_mono_us()))
			log_debug("signal", "websocket from a foreign origin refused");
		return false;
	}
	return true;
}
