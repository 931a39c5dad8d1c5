/* lg_ws: the load generator's WebSocket clients — one per participant, libwebsockets on the shared
 * libuv loop, a queue of outgoing text messages, fragments joined into whole messages. RFC 6455. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "lg.h"

struct lg_ws_msg { struct lg_ws_msg *next; size_t len; unsigned char data[]; /* LWS_PRE + text */ };

struct lg_ws {
	struct lg_part *p;
	struct lws *wsi;
	struct lg_ws_msg *head, *tail;
	char *rx; size_t rx_len, rx_cap;
	bool open, closing;
};

static int ws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct lg_ws *ws = lws_get_opaque_user_data(wsi);
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (ws) {
			ws->wsi = NULL;
			lg_part_fail(ws->p, "websocket connect failed: %s", in ? (const char *)in : "?");
			ws->p->ws_closed = true;
		}
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (!ws)
			return -1;
		ws->open = true;
		ws->p->lg->sig->open(ws->p);
		if (ws->head)
			lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (!ws)
			return -1;
		if (ws->rx_len + len + 1 > ws->rx_cap) {
			size_t cap = ws->rx_cap ? ws->rx_cap : 8192;
			while (cap < ws->rx_len + len + 1)
				cap *= 2;
			char *n = realloc(ws->rx, cap);
			if (!n)
				return -1;
			ws->rx = n;
			ws->rx_cap = cap;
		}
		memcpy(ws->rx + ws->rx_len, in, len);
		ws->rx_len += len;
		if (lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi)) {
			ws->rx[ws->rx_len] = '\0';
			size_t n = ws->rx_len;
			ws->rx_len = 0;
			ws->p->lg->sig->message(ws->p, ws->rx, n);
		}
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE: {
		if (!ws)
			return -1;
		if (ws->closing && !ws->head)
			return -1;
		struct lg_ws_msg *m = ws->head;
		if (!m)
			return 0;
		ws->head = m->next;
		if (!ws->head)
			ws->tail = NULL;
		int n = lws_write(wsi, m->data + LWS_PRE, m->len, LWS_WRITE_TEXT);
		free(m);
		if (n < 0)
			return -1;
		if (ws->head || ws->closing)
			lws_callback_on_writable(wsi);
		return 0;
	}
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (ws) {
			ws->wsi = NULL;
			ws->open = false;
			ws->p->ws_closed = true;
			if (!ws->closing && !ws->p->lg->done)
				lg_part_fail(ws->p, "websocket closed by the server");
		}
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static const struct lws_protocols protocols[] = {
	{ "plenum.v1", ws_cb, 0, 65536, 0, NULL, 0 },
	{ "janus-protocol", ws_cb, 0, 65536, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

int lg_ws_init(struct lg *lg)
{
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	void *loops[] = { lg->loop };
	lws_set_log_level(lg->o.verbose ? LLL_ERR | LLL_WARN : LLL_ERR, NULL);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.foreign_loops = loops;
	info.options = LWS_SERVER_OPTION_LIBUV;
	info.fd_limit_per_thread = 4096;
	info.timeout_secs = 30;
	lg->lws = lws_create_context(&info);
	return lg->lws ? 0 : EIO;
}

void lg_ws_done(struct lg *lg)
{
	if (lg->lws)
		lws_context_destroy(lg->lws);
	lg->lws = NULL;
}

int lg_ws_open(struct lg_part *p)
{
	struct lg *lg = p->lg;
	struct lg_ws *ws = calloc(1, sizeof *ws);
	if (!ws)
		return ENOMEM;
	ws->p = p;
	p->ws = ws;
	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof ci);
	ci.context = lg->lws;
	ci.address = lg->o.host;
	ci.port = lg->o.port;
	ci.path = lg->o.path;
	ci.host = lg->o.host;
	ci.protocol = lg->sig->subprotocol;
	ci.local_protocol_name = lg->sig->subprotocol;
	ci.opaque_user_data = ws;
	ci.pwsi = &ws->wsi;
	if (!lws_client_connect_via_info(&ci) && !ws->wsi) {
		lg_part_fail(p, "websocket connect failed");
		return EIO;
	}
	return 0;
}

int lg_ws_send(struct lg_part *p, const char *text, size_t len)
{
	struct lg_ws *ws = p->ws;
	if (!ws || ws->closing)
		return EPIPE;
	struct lg_ws_msg *m = malloc(sizeof *m + LWS_PRE + len);
	if (!m)
		return ENOMEM;
	m->next = NULL;
	m->len = len;
	memcpy(m->data + LWS_PRE, text, len);
	if (ws->tail)
		ws->tail->next = m;
	else
		ws->head = m;
	ws->tail = m;
	if (p->lg->o.verbose)
		lg_log(p->lg, LG_DBG, "%s -> %.*s", p->name, (int)(len > 300 ? 300 : len), text);
	if (ws->open && ws->wsi)
		lws_callback_on_writable(ws->wsi);
	return 0;
}

int lg_ws_send_json(struct lg_part *p, json_t *msg)
{
	if (!msg)
		return ENOMEM;
	char *s = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (!s)
		return ENOMEM;
	int rc = lg_ws_send(p, s, strlen(s));
	free(s);
	return rc;
}

void lg_ws_close(struct lg_part *p)
{
	struct lg_ws *ws = p->ws;
	if (!ws)
		return;
	ws->closing = true;
	if (ws->wsi && ws->open)
		lws_callback_on_writable(ws->wsi);
}
