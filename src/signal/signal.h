/* signal: the signaling server — HTTP (static web client, /healthz, /metrics) and the WebSocket
 * protocol of docs/protocol.md, on libwebsockets running on the process' libuv loop. */
#ifndef PLENUM_SIGNAL_SIGNAL_H
#define PLENUM_SIGNAL_SIGNAL_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct signal;
struct sfu;

struct signal_config {
	const char *listen_host;         /* default 127.0.0.1 */
	uint16_t listen_port;            /* default 8080; see signal_port() */
	const char *web_root;            /* directory with index.html, room.html, assets/ */
	const char *cert_path, *key_path; /* both set: HTTPS/WSS; else plain HTTP */
	const char *imprint_url, *privacy_url;   /* the operator's legal pages, linked on every page */
};

/* Writes the Prometheus text for /metrics into out (at most cap bytes); returns the length. */
typedef size_t (*signal_metrics_fn)(void *arg, char *out, size_t cap);

/* Listens on cfg's address on `loop`. The sfu must outlive the signal server. 0 or an errno. */
int signal_new(struct signal **out, uv_loop_t *loop, struct sfu *sfu, const struct signal_config *cfg,
               signal_metrics_fn metrics, void *metrics_arg);
/* Closes every connection (each leaves its room) and the listener. Call before sfu_free; then
 * close the application's own handles and run the loop until it has no more (uv_run DEFAULT),
 * so that libwebsockets' handles finish closing, before uv_loop_close. */
void signal_free(struct signal *s);
/* After that loop run: releases what lws keeps until its handles closed, and s itself. */
void signal_finish(struct signal *s);
/* Open WebSocket connections, for metrics. */
unsigned signal_connections(const struct signal *s);
/* The TCP port actually listened on (useful with listen_port 0 in tests). */
uint16_t signal_port(const struct signal *s);

#endif
