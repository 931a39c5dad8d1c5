/* protocol: plenum signaling v1 — one connection's JSON requests, responses and events,
 * independent of the transport (no libwebsockets here), so tests and fuzzers drive it directly. */
#ifndef PLENUM_SIGNAL_PROTOCOL_H
#define PLENUM_SIGNAL_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>

#include "signal/errors.h"
#include "signal/signal_out.h"

#define PROTO_VERSION 1
#define PROTO_SERVER_VERSION "0.1.0"
#define PROTO_MAX_MESSAGE 262144   /* bytes of one inbound message: SDP of a 120-person room fits */

struct sfu;
struct clock_src;
struct proto_server;
struct proto_conn;

/* Sends one complete text message (a JSON object, `len` bytes, not NUL-terminated in general).
 * The transport copies it. Returns 0 or an errno; on failure the transport closes the
 * connection later (never from inside this call). */
typedef int (*proto_send_fn)(void *arg, const char *text, size_t len);

/* Counters shared by all connections of one server (may be NULL). */
struct proto_stats {
	unsigned long long requests, errors, events, malformed;
};

/* What all connections of one signaling server share: the sfu, the counters, the meetings (roles,
 * passwords, lobbies, …) and the clock for rate limits. stats may be NULL. Free it after its
 * connections. */
int proto_server_new(struct proto_server **out, struct sfu *sfu, struct proto_stats *stats);
void proto_server_free(struct proto_server *s);
/* Once a second: what time asks of the meetings (breakout timers and countdowns). */
void proto_server_tick(struct proto_server *s);
/* Replaces the monotonic clock of the rate limits (tests); NULL restores the system clock. */
void proto_server_set_clock(struct proto_server *s, const struct clock_src *clock);

/* The TURN servers every join hands out (docs/protocol.md: ice_servers), with credentials for
 * coturn's use-auth-secret made from `secret` that stay valid for ttl_s seconds. */
struct proto_turn {
	const char *const *uris;          /* turn:/turns: URIs, checked by turn_uri_parse */
	size_t n_uris;                    /* 0: joins carry no ice_servers */
	const void *secret;               /* coturn's static-auth-secret, 1..TURN_SECRET_MAX bytes */
	size_t secret_len;
	unsigned ttl_s;
	bool force_relay;                 /* tests only: joins also say ice_transport_policy "relay" */
};
/* Copies t into s (the secret too; it is wiped when s is freed). 0, EINVAL, or ENOMEM. */
int proto_server_set_turn(struct proto_server *s, const struct proto_turn *t);

/* The secret the stream links' tokens are signed with (at least 32 bytes, copied); without one the
 * server signs with 32 random bytes chosen at start. 0, EINVAL, ENOMEM. */
int proto_server_set_stream_secret(struct proto_server *s, const void *secret, size_t len);

/* A town (tenant): rooms of one tenant are apart from every other's; its limits, who may open a
 * room, its portal's keys for host tokens. The server has the tenant "default" from the start
 * (no limits, no keys), which connections use until proto_conn_set_tenant. */
struct proto_tenant;
struct proto_tenant_config {
	const char *id;                   /* [a-z0-9-]{1,32} */
	unsigned max_room_participants, max_rooms;   /* 0: no own limit */
	bool token_required;              /* a room opens only when a host token's holder arrives */
	const void *token_secret;         /* HS256, or NULL */
	size_t token_secret_len;
	const char *token_public_pem;     /* RS256 / ES256, or NULL */
	bool out_off[SIGNAL_OUT_COUNT];   /* recording / streaming switched off for this tenant */
};
/* Adds a tenant (the id "default" configures the built-in one). 0, EEXIST, EINVAL (a key that
 * cannot be used: the reason is logged), ENOMEM. */
int proto_server_add_tenant(struct proto_server *s, const struct proto_tenant_config *cfg, struct proto_tenant **out);
struct proto_tenant *proto_server_tenant(struct proto_server *s, const char *id);
/* The usage statistics meetings and joins are counted in (NULL: none); it outlives s. */
struct usage;
void proto_server_set_usage(struct proto_server *s, struct usage *u);
/* Per-tenant figures for /metrics ("tenant" label); returns the length written (≤ cap). */
size_t proto_server_tenant_metrics(const struct proto_server *s, char *out, size_t cap);

/* The media side that records and streams (NULL: neither is offered), and what the server
 * switched off. A feature is offered to a tenant when ops is set and neither the server nor the
 * tenant switched it off. */
void proto_server_set_out(struct proto_server *s, const struct signal_out_ops *ops, void *arg,
                          const bool off[SIGNAL_OUT_COUNT]);
/* signal_out_report and signal_out_active on the protocol's side (room_key: the sfu room's). */
void proto_server_out_report(struct proto_server *s, const char *room_key, enum signal_out what,
                             enum signal_out_status status, const char *detail);
bool proto_server_out_active(struct proto_server *s, const char *room_key, enum signal_out what);

int proto_conn_new(struct proto_conn **out, struct proto_server *srv, proto_send_fn send, void *send_arg);
/* The tenant of the host name the connection came to (before hello). */
void proto_conn_set_tenant(struct proto_conn *c, struct proto_tenant *t);
/* The browser family of the User-Agent (enum usage_browser), for the usage statistics only. */
void proto_conn_set_browser(struct proto_conn *c, int family);
/* The client's network address (text), kept only as a keyed hash for per-address rate limits. */
void proto_conn_set_peer(struct proto_conn *c, const char *address);
/* The origin the client addressed ("https://meet.example.org", no path), from which links handed to
 * it are built (stream_links); longer than PROTO_BASE_URL_MAX - 1 bytes: ignored. */
#define PROTO_BASE_URL_MAX 300
void proto_conn_set_base_url(struct proto_conn *c, const char *url);
/* A participant a stream token authorised (WHIP): its join of room_key ("TENANT/NAME") skips lock,
 * password and lobby, and is refused (not_found) when no meeting is open there. */
void proto_conn_set_admitted(struct proto_conn *c, const char *room_key);
/* Leaves the room (or the lobby) if joined (others see participant_left) and frees the connection state. */
void proto_conn_free(struct proto_conn *c);
/* Handles one complete inbound message: exactly one response or error goes out for it,
 * followed by any events it caused. */
void proto_conn_receive(struct proto_conn *c, const char *msg, size_t len);
/* Answers a message the transport could not accept (too large, binary) with {"id": null, error};
 * message NULL: the table's default. */
void proto_conn_reject(struct proto_conn *c, enum signal_err err, const char *message);
bool proto_conn_joined(const struct proto_conn *c);
/* Whether the client has said hello (the transport closes connections that never do). */
bool proto_conn_greeted(const struct proto_conn *c);

#endif
