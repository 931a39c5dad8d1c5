/* signal_int: state shared by http.c (context, routes) and ws.c (WebSocket connections).
 * Private to src/signal/. */
#ifndef PLENUM_SIGNAL_SIGNAL_INT_H
#define PLENUM_SIGNAL_SIGNAL_INT_H

#include <libwebsockets.h>
#include <stdbool.h>

#include "signal/protocol.h"
#include "signal/signal.h"

#define SIGNAL_WS_PROTOCOL "plenum.v1"
#define SIGNAL_WS_PATH "/ws"

struct signal {
	uv_loop_t *loop;
	struct sfu *sfu;
	struct lws_context *ctx;
	struct lws_vhost *vhost;
	char *web_root;                  /* canonical absolute path */
	char *site_json;                 /* /assets/site.json: the operator's settings for the client */
	signal_metrics_fn metrics;
	void *metrics_arg;
	unsigned n_ws;
	struct proto_stats stats;
	struct proto_server *proto;      /* shared by the connections: meetings, rate limits */
};

struct ws_conn;

/* Per-connection user space lws allocates for both protocols (HTTP and WebSocket). */
struct signal_pss {
	char *body;                      /* an in-memory HTTP response body */
	size_t body_len, body_sent;
	struct ws_conn *ws;
};

/* ws.c: the WebSocket reasons of the shared lws callback. */
int signal_ws_callback(struct signal *s, struct lws *wsi, enum lws_callback_reasons reason,
                       struct signal_pss *pss, void *in, size_t len);
/* Whether an upgrade to the protocol of wsi may proceed (path, subprotocol, Origin). */
bool signal_ws_allowed(struct lws *wsi);

/* http.c: the HTTP reasons. */
int signal_http_callback(struct signal *s, struct lws *wsi, enum lws_callback_reasons reason,
                         struct signal_pss *pss, void *in, size_t len);

#endif
