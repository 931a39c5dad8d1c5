/* signal: the signaling server — HTTP (static web client, /healthz, /metrics) and the WebSocket
 * protocol of docs/protocol.md, on libwebsockets running on the process' libuv loop. */
#ifndef PLENUM_SIGNAL_SIGNAL_H
#define PLENUM_SIGNAL_SIGNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "signal/signal_out.h"

struct signal;
struct sfu;

/* An address range ("127.0.0.0/8", "::1/128", "10.1.2.3"): family AF_INET or AF_INET6. */
struct signal_cidr {
	int family;
	uint8_t addr[16];
	unsigned prefix;
};
/* Parses "ADDRESS[/PREFIX]" (no prefix: the single address); 0, or -1 when malformed. */
int signal_cidr_parse(const char *text, struct signal_cidr *out);
/* Whether the address (4 or 16 bytes of `family`; IPv4-mapped IPv6 counts as IPv4) is in c. */
bool signal_cidr_contains(const struct signal_cidr *c, int family, const uint8_t *addr);

/* Whether the address is in one of the n ranges of list. */
bool signal_cidr_list_contains(const struct signal_cidr *list, size_t n, int family, const uint8_t *addr);

/* What X-Forwarded-For says about the client of a request that came from a trusted proxy. */
enum signal_fwd {
	SIGNAL_FWD_ABSENT,               /* no header (or an empty one): the TCP peer is the client */
	SIGNAL_FWD_OK,                   /* the client's address was found */
	SIGNAL_FWD_INVALID,              /* an entry that is not an address, or too many hops */
};
#define SIGNAL_FWD_TEXT_MAX 8192         /* longer headers are INVALID */
#define SIGNAL_FWD_HOPS_MAX 32           /* entries walked at most */
/* The client named by an X-Forwarded-For value (`len` bytes, comma-separated entries with optional
 * spaces: "192.0.2.1", "192.0.2.1:443", "2001:db8::1", "[2001:db8::1]:443"). Walks from the
 * right and takes the first entry that is not inside `trusted` (every proxy appends the address it
 * was connected from, and only the proxies' entries are believed); when all are trusted, the
 * left-most. An entry that cannot be read before the client is found makes the whole header
 * INVALID. On OK, family (IPv4-mapped IPv6 as AF_INET) and 4 or 16 bytes are set. */
enum signal_fwd signal_forwarded_for(const char *text, size_t len, const struct signal_cidr *trusted,
                                     size_t n_trusted, int *family, uint8_t addr[16]);
/* An address as text (inet_ntop); 0, or -1 with out empty. */
int signal_addr_text(int family, const uint8_t *addr, char *out, size_t cap);

/* Checks whether text is an origin "http(s)://host[:port]" (no path); 0 or -1. */
int signal_origin_check(const char *text);

#define SIGNAL_HELLO_TIMEOUT_S 10        /* a WebSocket that has not said hello by then is closed */

#define SIGNAL_TENANTS_MAX 64
#define SIGNAL_TENANT_ID_MAX 32          /* [a-z0-9-] */
#define SIGNAL_TENANT_HOSTS_MAX 8
#define SIGNAL_EMBED_ORIGINS_MAX 8
#define SIGNAL_LOGO_MAX (256 * 1024)

/* One town served by this server: chosen by the request's host name; its own brand, rooms, limits,
 * tokens and embedding origins. Strings are the caller's (they must outlive the server); secrets
 * are copied by signal_new and wiped at signal_finish. */
struct signal_tenant_config {
	char id[SIGNAL_TENANT_ID_MAX + 1];
	const char *hosts[SIGNAL_TENANT_HOSTS_MAX];   /* lower-case host names, no port */
	size_t n_hosts;
	const char *name;                /* display name; NULL: "plenum" */
	const char *imprint_url, *privacy_url;   /* NULL: the server-wide ones */
	const char *language;            /* "de", "en" or NULL */
	const char *welcome;             /* the landing page's lead text, or NULL */
	const unsigned char *logo;       /* the logo's bytes (NULL: plenum's mark) and its media type */
	size_t logo_len;
	const char *logo_type;
	/* brand colours as "#rrggbb", checked for WCAG AA by the configuration; color[0] == 0: none */
	char color[8], color_strong[8], color_contrast[8], color_soft[8];
	unsigned max_room_participants;  /* 0: the server-wide limit */
	unsigned max_rooms;              /* 0: no limit */
	bool token_required;             /* open_rooms = token: a room opens when a host token's holder arrives */
	const char *embed_origins[SIGNAL_EMBED_ORIGINS_MAX];   /* may frame the pages (frame-ancestors) */
	size_t n_embed_origins;
	const unsigned char *token_secret;   /* HS256 secret, or NULL */
	size_t token_secret_len;
	const char *token_public_pem;    /* RS256/ES256 public key (PEM), or NULL */
	const char *admin_token;         /* for /admin/stats, or NULL */
	bool out_off[SIGNAL_OUT_COUNT];  /* recording / streaming switched off for this town */
};

struct signal_config {
	const char *listen_host;         /* default 127.0.0.1 */
	uint16_t listen_port;            /* default 8080; see signal_port() */
	const char *web_root;            /* directory with index.html, room.html, assets/ */
	const char *cert_path, *key_path; /* both set: HTTPS/WSS; else plain HTTP */
	const char *imprint_url, *privacy_url;   /* the operator's legal pages, linked on every page */
	/* Origins besides this server's own (scheme://host[:port]), e.g. a proxy's public name. */
	const char *const *allowed_origins;
	size_t n_allowed_origins;
	/* Host names accepted in Host (DNS rebinding); none given: IP literals and localhost only. */
	const char *const *server_names;
	size_t n_server_names;
	/* Who may read /metrics; none given: 127.0.0.0/8 and ::1. */
	const struct signal_cidr *metrics_allow;
	size_t n_metrics_allow;
	unsigned max_connections;        /* TCP connections in all; 0: derived from RLIMIT_NOFILE */
	unsigned max_connections_per_ip; /* per IPv4 address or IPv6 /64; 0: derived from the total */
	/* Peers the per-address cap does not apply to; none given: 127.0.0.1 and ::1 (a local proxy). */
	const struct signal_cidr *per_ip_exempt;
	size_t n_per_ip_exempt;
	/* The port is shared with ICE-TCP: plenum's own listener accepts and hands web connections
	 * over through signal_adopt; libwebsockets does not listen. */
	bool shared_listener;
	/* Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed; none: no one's. */
	const struct signal_cidr *trusted_proxies;
	size_t n_trusted_proxies;
	/* TURN servers handed to browsers in each join result, with coturn use-auth-secret credentials
	 * (none: no ice_servers). The secret is copied and wiped at signal_finish. */
	const char *const *turn_uris;
	size_t n_turn_uris;
	const char *turn_secret;
	size_t turn_secret_len;
	unsigned turn_ttl_s;
	bool test_force_relay;           /* tests only: clients are told to relay everything */
	/* The key of the stream links' tokens (WHIP, WHEP; at least 32 bytes, copied); NULL: 32 random
	 * bytes chosen at start, so links stop working at a restart. */
	const char *stream_secret;
	size_t stream_secret_len;
	/* The towns; none: one implicit tenant "default" with the settings above, any host name. */
	const struct signal_tenant_config *tenants;
	size_t n_tenants;
	/* The tenant id unknown host names get; NULL: they get a 404 page (with tenants configured). */
	const char *default_tenant;
	/* The usage statistics (src/stats/usage.h) meetings are counted in and /admin/stats shows; NULL:
	 * none. usage_threshold: counts below it are shown as "< N" (0: all exact). */
	struct usage *usage;
	unsigned usage_threshold;
	/* What records and streams meetings (signal_out.h; NULL: neither is offered), and what the
	 * server switched off for every tenant. */
	const struct signal_out_ops *out_ops;
	/* Where the recordings are (per tenant), for the hosts' recordings pages; NULL: none. */
	const char *recording_dir;
	unsigned recording_keep_days;
	void *out_arg;
	bool out_off[SIGNAL_OUT_COUNT];
	/* Where the media side writes HLS streams (<live_dir>/<TENANT>/<ROOM>/index.m3u8 and its
	 * segments), served under /hls/<ROOM>/ while the room streams; NULL: no HLS. */
	const char *live_dir;
};

/* Connections refused or closed by the limits, for metrics. */
struct signal_conn_stats {
	uint64_t open;                   /* TCP connections now (HTTP and WebSocket) */
	uint64_t refused_per_ip, refused_total, evicted_idle, hello_timeout;
	/* connections from trusted proxies judged by the proxy's own address: no X-Forwarded-For, or
	 * one that could not be read */
	uint64_t forwarded_absent, forwarded_invalid;
	unsigned max_connections, max_connections_per_ip;   /* the limits in force */
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
/* A connection accepted elsewhere (the shared port), nothing read from it yet: served like one
 * lws accepted, within the same connection limits. The fd is closed on failure. 0 or an errno. */
int signal_adopt(struct signal *s, int fd);
/* After that loop run: releases what lws keeps until its handles closed, and s itself. */
void signal_finish(struct signal *s);
/* Open WebSocket connections, for metrics. */
unsigned signal_connections(const struct signal *s);
/* Loads the certificate chain and key again from the paths the server started with (after a
 * renewal): new TLS connections get them, open ones keep theirs. A pair that does not match is
 * refused and the old one stays. 0 or an errno. */
int signal_reload_tls(struct signal *s, const char *cert_path, const char *key_path);
void signal_get_conn_stats(const struct signal *s, struct signal_conn_stats *out);
/* The per-tenant figures (rooms, participants, joins, refusals) as Prometheus text with a
 * `tenant` label; the length written (≤ cap). */
size_t signal_tenant_metrics(const struct signal *s, char *out, size_t cap);
/* The WHIP figures (plenum_whip_sessions, plenum_whip_refused_total{reason}) as Prometheus text;
 * the length written (≤ cap). */
size_t signal_whip_metrics(const struct signal *s, char *out, size_t cap);
/* The TCP port actually listened on (useful with listen_port 0 in tests). */
uint16_t signal_port(const struct signal *s);

#endif
