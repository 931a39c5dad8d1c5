/* signal_int: state shared by http.c (context, routes) and ws.c (WebSocket connections).
 * Private to src/signal/. */
#ifndef PLENUM_SIGNAL_SIGNAL_INT_H
#define PLENUM_SIGNAL_SIGNAL_INT_H

#include <libwebsockets.h>
#include <stdbool.h>

#include "base/hmap.h"
#include "base/log.h"
#include "meet/meet.h"
#include "signal/protocol.h"
#include "signal/signal.h"
#include "signal/wish.h"

#define SIGNAL_WS_PROTOCOL "plenum.v1"
#define SIGNAL_WS_PATH "/ws"

/* An origin or a Host authority, host lower-cased; port 0 in a Host without one. */
struct signal_origin {
	bool https;
	char host[256];
	uint16_t port;
};

struct signal_peer;
struct signal_static;
struct whip_session;
struct signal_whep;

/* whip.c: encoders publishing through WHIP, their budgets, and why requests were refused */
#define WHIP_ROOM_MAX 4                  /* WHIP resources per meeting */
#define WHIP_SERVER_MAX 32               /* … and on the whole server */
#define WHIP_BUCKETS 256                 /* POST budgets, by a keyed hash of the address group */
enum whip_refused {
	WHIP_REFUSED_TOKEN, WHIP_REFUSED_NO_MEETING, WHIP_REFUSED_TOO_LARGE, WHIP_REFUSED_TYPE, WHIP_REFUSED_SDP,
	WHIP_REFUSED_RATE, WHIP_REFUSED_ROOM_BUDGET, WHIP_REFUSED_SERVER_BUDGET, WHIP_REFUSED_ROOM_FULL,
	WHIP_REFUSED_E2EE, WHIP_REFUSED_COUNT
};
struct signal_whip {
	struct whip_session *sessions;
	unsigned n_sessions;
	struct meet_bucket *buckets;     /* WHIP_BUCKETS */
	uint8_t salt[16];
	uint64_t refused[WHIP_REFUSED_COUNT];
	struct log_limit log;
};
struct signal_tenant;
struct ws_conn;

struct signal {
	uv_loop_t *loop;
	struct sfu *sfu;
	struct lws_context *ctx;
	struct lws_vhost *vhost;
	uint16_t shared_port;            /* the port plenum's ICE-TCP listener shares; 0: lws listens */
	char *web_root;                  /* canonical absolute path */
	char *live_dir;                  /* HLS streams' directory (hls.c); NULL: none */
	char *site_json;                 /* /assets/site.json: the operator's settings for the client */
	struct signal_static *files;     /* static_files.c: the web root in memory; NULL: from disk */
	uint64_t files_checked_us;       /* when the web root was last looked at for changes */
	signal_metrics_fn metrics;
	void *metrics_arg;
	unsigned n_ws;
	struct proto_stats stats;
	struct proto_server *proto;      /* shared by the connections: meetings, rate limits */
	struct signal_tenant *tenants;   /* tenants.c: the towns, chosen by host name */
	size_t n_tenants;
	struct signal_tenant *default_tenant;   /* unknown host names; NULL: a 404 page */
	struct usage *usage;             /* /admin/stats reads it; NULL: no statistics */
	unsigned usage_threshold;
	struct log_limit log_admin;      /* refused admin requests */
	uint64_t admin_refused;          /* refused admin requests, for their rate limit */
	uint64_t admin_window_us;
	bool tls;
	char listen_host[64];
	struct signal_origin *allowed;   /* --allowed-origin */
	size_t n_allowed;
	char **server_names;             /* --server-name, lower-cased */
	size_t n_server_names;
	struct signal_cidr *metrics_allow;
	size_t n_metrics_allow;
	/* conns.c: every accepted TCP connection, grouped by address (IPv6 by /64) */
	struct hmap groups;
	struct hmap peers;               /* wsi → struct signal_peer */
	struct signal_peer *pending_head, *pending_tail;   /* accepted, no request yet: oldest first */
	struct signal_peer *accepting;   /* between FILTER_NETWORK_CONNECTION and WSI_CREATE */
	unsigned n_open, n_dying, max_conns, max_per_ip;
	struct signal_cidr *per_ip_exempt;   /* addresses the per-address cap does not apply to */
	size_t n_per_ip_exempt;
	uint64_t refused_per_ip, refused_total, evicted_idle, hello_timeout;
	struct log_limit log_refused;
	/* proxy.c: --trusted-proxy, and connections from them judged by the proxy's own address */
	struct signal_cidr *trusted;
	size_t n_trusted;
	uint64_t fwd_absent, fwd_invalid;
	struct log_limit log_fwd;
	/* ws.c: WebSocket connections, oldest first, swept for the hello timeout */
	struct ws_conn *ws_head, *ws_tail;
	uv_timer_t sweep;
	bool sweep_started;
	struct log_limit log_ws;
	char *recording_dir;             /* recordings.c: the hosts' pages of recordings; NULL: none */
	unsigned recording_keep_days;
	struct signal_whep *whep;        /* whep.c: viewers by resource id, the offers' rate */
	struct signal_whip whip;
};

/* Per-connection user space lws allocates for both protocols (HTTP and WebSocket). */
struct signal_pss {
	char *body;                      /* an in-memory HTTP response body it owns, or NULL */
	const unsigned char *data;       /* the body being sent: `body`, or a file of `held` */
	size_t body_len, body_sent;
	struct signal_static *held;      /* the web files generation `data` lies in (a reference) */
	const char *csp;                 /* the request's tenant's frame-ancestors (NULL: 'none') */
	struct ws_conn *ws;
	bool close_after;                /* the connection closes once the response is out */
	struct wish_body offer;          /* wish.c: the SDP offer of a WHIP or WHEP POST being read */
};

/* http.c: signal_http_reply (below) with its own Cache-Control. */
int signal_http_reply_cached(struct lws *wsi, struct signal_pss *pss, unsigned status, const char *type, char *body,
                             size_t len, const char *cache_control, const char *const *headers);

/* hls.c: the HLS livestream's files (RFC 8216) under /hls/<room>/, public while the room streams */
#define SIGNAL_HLS_PREFIX "/hls/"
#define SIGNAL_HLS_FILE_MAX (32u << 20)     /* bytes of one file served (a 2 s segment is ~1 MB) */
/* Whether `name` is one the encoder writes: "index.m3u8" or "seg-<digits>.ts" (no path, no dot file). */
bool signal_hls_name_ok(const char *name);
struct signal_tenant;
/* A GET/HEAD/OPTIONS under /hls/ (`rest` after the prefix) for tenant t. */
int signal_hls_request(struct signal *s, struct lws *wsi, struct signal_pss *pss, const struct signal_tenant *t,
                       const char *rest);

/* ws.c: the WebSocket reasons of the shared lws callback. */
int signal_ws_callback(struct signal *s, struct lws *wsi, enum lws_callback_reasons reason,
                       struct signal_pss *pss, void *in, size_t len);
/* Whether an upgrade to the protocol of wsi may proceed (path, subprotocol, Host, Origin). */
bool signal_ws_allowed(struct signal *s, struct lws *wsi);
/* Closes WebSockets that have not said hello within SIGNAL_HELLO_TIMEOUT_S (called each second). */
void signal_ws_sweep(struct signal *s, uint64_t now_us);

/* origin.c: Origin and Host checks (RFC 6454, RFC 9110 §7.2). */
int signal_origin_parse(const char *text, struct signal_origin *out);
int signal_authority_parse(const char *text, bool https, struct signal_origin *out);
/* Whether wsi's Host names this server: 1 yes, 0 no (a missing Host is allowed: not a browser). */
bool signal_host_allowed(struct signal *s, struct lws *wsi);
/* Whether wsi's Origin is absent or one of this server's origins. */
bool signal_origin_allowed(struct signal *s, struct lws *wsi);
int signal_origins_init(struct signal *s, const struct signal_config *cfg);
/* "https://host[:port]" of the request (its scheme as signal_request_https says, its Host; the
 * default port left off); 0, or -1 with out empty when there is no usable Host. */
int signal_request_base_url(struct signal *s, struct lws *wsi, char *out, size_t cap);
void signal_origins_free(struct signal *s);

/* conns.c: connection limits (per address and in total), through lws' accept callbacks. */
void signal_conns_init(struct signal *s, const struct signal_config *cfg);
void signal_conns_free(struct signal *s);
/* LWS_CALLBACK_FILTER_NETWORK_CONNECTION: 0 admits the accepted fd, 1 closes it. */
int signal_conns_filter(struct signal *s, struct lws *listen_wsi, int fd);
void signal_conns_created(struct signal *s, struct lws *wsi);
void signal_conns_destroyed(struct signal *s, struct lws *wsi);
/* The connection made a request (HTTP) or an upgrade: no longer evicted as idle. */
void signal_conns_progress(struct signal *s, struct lws *wsi);
/* The peer's address of wsi as family and 4 or 16 bytes; 0 or -1. */
int signal_peer_addr(struct lws *wsi, int *family, uint8_t addr[16]);
/* Called when accept() failed for lack of fds: accept one waiting connection on a reserve fd
 * and close it, so a full fd table never leaves the listener readable in a loop. */
void signal_conns_emfile(void);

/* proxy.c: who a request comes from. The TCP peer, unless that is a trusted proxy (--trusted-proxy):
 * then the client its X-Forwarded-For names. */
struct signal_client {
	int family;
	uint8_t addr[16];
	bool via_proxy;                  /* the TCP peer is a trusted proxy */
	enum signal_fwd fwd;             /* via a proxy: what X-Forwarded-For gave (ABSENT otherwise) */
};
int signal_proxy_init(struct signal *s, const struct signal_config *cfg);
void signal_proxy_free(struct signal *s);
/* The client of wsi's current request; 0, or -1 when the connection has no IP peer. */
int signal_client_get(struct signal *s, struct lws *wsi, struct signal_client *out);
/* Counts and logs (rate-limited) a request from a trusted proxy judged by the proxy's address. */
void signal_client_note(struct signal *s, const struct signal_client *c);
/* The scheme the browser used: X-Forwarded-Proto "http"/"https" from a trusted proxy, else what
 * this server serves. */
bool signal_request_https(struct signal *s, struct lws *wsi);

/* conns.c, behind a proxy: the first request of a connection from a trusted proxy moves it into its
 * client's address group; 0, or -1 when that group is at the per-address cap (refuse the request). */
int signal_conns_client(struct signal *s, struct lws *wsi, const struct signal_client *c);

/* http.c: a response from memory — `body` (malloc'd, len bytes, may be NULL when len is 0) is taken
 * over; headers are pairs "name:", "value" ending in NULL (may be NULL). 0, or non-zero to close. */
int signal_http_reply(struct lws *wsi, struct signal_pss *pss, unsigned status, const char *type, char *body,
                      size_t len, const char *const *headers);

/* http.c: a request header into buf (cap bytes); NULL when absent or longer than buf. */
const char *signal_http_header(struct lws *wsi, enum lws_token_indexes h, char *buf, int cap);

/* http.c: a plain-text response; a file from disk (no web root check: the caller checked the
 * path) with Content-Disposition `disposition` (may be NULL), private and not cached. */
int signal_http_text(struct lws *wsi, struct signal_pss *pss, unsigned status, const char *text);
int signal_http_file(struct lws *wsi, struct signal_pss *pss, const char *path, const char *type,
                     const char *disposition);
/* recordings.c: GET /recordings/<room>[/<file>]?t=TOKEN of tenant t (rest: after the prefix). */
#define SIGNAL_RECORDINGS_PREFIX "/recordings/"
int signal_recordings_request(struct signal *s, struct lws *wsi, struct signal_pss *pss, struct signal_tenant *t,
                              const char *rest);

/* http.c: the HTTP reasons. */
int signal_http_callback(struct signal *s, struct lws *wsi, enum lws_callback_reasons reason,
                         struct signal_pss *pss, void *in, size_t len);

#endif
