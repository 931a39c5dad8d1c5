/* proto_int: the connection state shared by protocol.c (framing, dispatch), methods.c, meeting.c
 * and moderation.c (the request handlers), rooms.c (meetings: who is where, room-wide events) and
 * events.c (sfu events → JSON). Private to src/signal/. */
#ifndef PLENUM_SIGNAL_PROTO_INT_H
#define PLENUM_SIGNAL_PROTO_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/log.h"
#include "meet/meet.h"
#include "sfu/sfu.h"
#include "signal/protocol.h"
#include "turn/turn.h"

struct proto_pending {
	struct proto_pending *next;
	size_t len;
	char text[];
};

/* A town this server serves (tenant_policy.c): its rooms are apart from other towns', with their
 * own limits, and its portal's keys make host tokens. */
#define PROTO_TENANT_KEYS 2
struct proto_tenant {
	struct proto_tenant *next;
	char id[33];
	unsigned max_room_participants;   /* 0: the server-wide limit */
	unsigned max_rooms;               /* 0: no limit */
	bool token_required;              /* rooms open when a host token's holder arrives */
	struct jwt_key *keys[PROTO_TENANT_KEYS];
	size_t n_keys;
	unsigned rooms, participants;     /* now */
	uint64_t joins, token_refused, rooms_refused;   /* since start, for metrics */
	void *usage;                      /* the usage statistics' view of the town (usage_tenant), or NULL */
	bool out_off[SIGNAL_OUT_COUNT];   /* recording / streaming switched off for this town */
};

struct proto_server {
	struct sfu *sfu;
	struct proto_tenant *tenants;     /* the first is "default": connections use it unless told otherwise */
	struct usage *usage;              /* the usage statistics (no names, no addresses), or NULL */
	struct proto_stats *stats;
	struct meet *meet;                /* meetings by canonical room name; members point to conns */
	const struct clock_src *clock;    /* monotonic, for rate limits */
	uint8_t addr_key[32];             /* keys the hash of client addresses */
	struct log_limit log_guess;       /* lines an outsider's guesses and knocks trigger */
	uint64_t next_sweep_us;           /* next look for rooms left only with expired seats */
	/* ice_servers.c: TURN for the join results */
	json_t *turn_urls;                /* the URIs as a JSON array; NULL: no TURN configured */
	uint8_t turn_secret[TURN_SECRET_MAX];
	size_t turn_secret_len;
	unsigned turn_ttl_s;
	bool force_relay;
	/* out.c: the media side that records and streams (NULL: not offered), and the server's switches */
	const struct signal_out_ops *out_ops;
	void *out_arg;
	bool out_off[SIGNAL_OUT_COUNT];
	struct jwt_key *stream_key;       /* stream_token.c: signs the stream links' tokens (HS256) */
};

struct proto_conn {
	struct proto_server *srv;
	struct sfu *sfu;
	proto_send_fn send;
	void *send_arg;
	struct proto_stats *stats;
	bool hello_done;
	bool joining;                     /* inside sfu_join: events are ours before *out is set */
	struct sfu_participant *participant;
	struct meet_room *room;           /* the meeting joined, or whose lobby this waits in */
	struct meet_member *member;       /* set with participant */
	uint32_t lobby_id;                /* waiting in room's lobby when non-zero */
	uint64_t addr;                    /* keyed hash of the client's address group (never logged) */
	struct proto_tenant *tenant;      /* the town of the host name this connection came to */
	bool awaiting_host;               /* waits (in the room's lobby) for a host token's holder */
	bool camera;                      /* the camera was on at join: for statistics only */
	bool e2ee;                        /* the join asked for an end-to-end encrypted meeting */
	int browser;                      /* enum usage_browser, from the User-Agent: for statistics only */
	unsigned busy;                    /* handling a request: events wait until its response */
	struct meet_bucket join_limit;    /* join attempts (meet_limit_join): tokens cost signature checks */
	struct meet_bucket status_limit;  /* room_status before joining (meet_limit_out_status) */
	/* proto_conn_set_admitted: joins of this room key skip lock, password and lobby, never open it */
	char admitted_key[MEET_ROOM_KEY_MAX + 1];
	char base_url[PROTO_BASE_URL_MAX]; /* "https://host[:port]" the client addressed; "" unknown */
	struct meet_bucket stream_links;  /* stream_links requests */
	struct proto_pending *pending, **pending_tail;
};

/* One request being handled. A handler returns SIGNAL_OK with `result` set (a new reference),
 * or an error; `message` optionally replaces the table's default message. */
struct proto_req {
	struct proto_conn *c;
	json_t *params;                   /* always an object */
	json_t *result;
	const char *message;
	char message_buf[128];            /* for messages built at run time */
};

typedef enum signal_err (*proto_handler_fn)(struct proto_req *r);

/* Checks the dispatcher runs before a handler (after hello). */
enum {
	PROTO_JOINED = 1,                 /* not_joined unless in a room */
	PROTO_ACTION = 2,                 /* forbidden unless meet_may(role, action) */
};

struct proto_method {
	const char *name;
	proto_handler_fn handler;
	unsigned checks;
	enum meet_action action;
};

/* methods.c: the dispatch table. NULL when the name is unknown. */
const struct proto_method *proto_method_find(const char *name);
extern const struct sfu_events proto_sfu_events;

/* Param helpers (methods.c): bad_request with a message when missing or of the wrong type. */
enum signal_err proto_param_string(struct proto_req *r, const char *key, enum signal_err nul_err,
                                   const char **out, size_t *len);
enum signal_err proto_param_bool(struct proto_req *r, const char *key, bool *out);
enum signal_err proto_param_int(struct proto_req *r, const char *key, json_int_t *out);
/* A participant id param of this room: bad_request, or not_found when nobody has it. */
enum signal_err proto_param_member(struct proto_req *r, const char *key, struct meet_member **out);
/* "microphone" | "camera" | "screen" → enum; -1 when none. */
int proto_source_parse(const char *s);
const char *proto_source_name(enum sfu_source s);
const char *proto_quality_name(enum sfu_quality q);
/* rate_limited with a message saying when to retry. */
enum signal_err proto_rate_limited(struct proto_req *r, const char *what, uint64_t retry_us);

/* Handlers in meeting.c (everyone's) and moderation.c (hosts'). */
enum signal_err proto_m_raise_hand(struct proto_req *r);
enum signal_err proto_m_lower_hand(struct proto_req *r);
enum signal_err proto_m_reaction(struct proto_req *r);
enum signal_err proto_m_chat_send(struct proto_req *r);
enum signal_err proto_m_set_music(struct proto_req *r);
enum signal_err proto_m_set_video_prefs(struct proto_req *r);
enum signal_err proto_m_set_password(struct proto_req *r);
enum signal_err proto_m_set_lobby(struct proto_req *r);
enum signal_err proto_m_lobby_admit(struct proto_req *r);
enum signal_err proto_m_lobby_deny(struct proto_req *r);
enum signal_err proto_m_set_locked(struct proto_req *r);
enum signal_err proto_m_make_host(struct proto_req *r);
enum signal_err proto_m_mute(struct proto_req *r);
enum signal_err proto_m_mute_all(struct proto_req *r);
enum signal_err proto_m_ask_unmute(struct proto_req *r);
enum signal_err proto_m_remove(struct proto_req *r);
enum signal_err proto_m_end_meeting(struct proto_req *r);
enum signal_err proto_m_set_room_music(struct proto_req *r);
enum signal_err proto_m_password_guard_reset(struct proto_req *r);
/* out.c: recording and streaming (hosts'), and room_status (anyone's after hello). */
enum signal_err proto_m_recording_start(struct proto_req *r);
enum signal_err proto_m_recording_stop(struct proto_req *r);
enum signal_err proto_m_streaming_start(struct proto_req *r);
enum signal_err proto_m_streaming_stop(struct proto_req *r);
enum signal_err proto_m_room_status(struct proto_req *r);
/* The room's recording and streaming for room_state: {recording: {…}, streaming: {…}} set into obj. */
void proto_room_out_json(const struct meet_room *r, json_t *obj);
/* What the connection's tenant is offered, for the join result: {recording, streaming}. */
json_t *proto_out_features_json(const struct proto_conn *c);
/* Nobody is left in the meeting: what runs is stopped (reason "empty"). */
void proto_room_out_end(struct proto_server *s, struct meet_room *r);
enum signal_err proto_m_stream_links(struct proto_req *r);
/* breakout.c: breakout groups (hosts' but join and call_host); the state to a newcomer (and the
 * hosts' lists), and to everyone when someone left. */
enum signal_err proto_m_breakout_setup(struct proto_req *r);
enum signal_err proto_m_breakout_assign(struct proto_req *r);
enum signal_err proto_m_breakout_move(struct proto_req *r);
enum signal_err proto_m_breakout_open(struct proto_req *r);
enum signal_err proto_m_breakout_close(struct proto_req *r);
enum signal_err proto_m_breakout_cancel(struct proto_req *r);
enum signal_err proto_m_breakout_broadcast(struct proto_req *r);
enum signal_err proto_m_breakout_join(struct proto_req *r);
enum signal_err proto_m_breakout_call_host(struct proto_req *r);
void proto_breakout_joined(struct proto_conn *c);
/* polls.c: what the hosts' pace held back in r, sent when due (from proto_server_tick). */
void proto_polls_tick(struct meet_room *r, uint64_t now_us);
void proto_breakout_left(struct meet_room *r);
/* Sends an event to the members of r in breakout group `group` (0: the main room); steals data. */
void proto_group_broadcast(struct meet_room *r, unsigned group, const char *name, json_t *data);
/* moderation.c: a room's on/off setting from the bool param `key`; room_updated to all when it
 * changed; the result {}. */
enum signal_err proto_room_set_flag(struct proto_req *r, const char *key, bool *flag);
/* polls.c: polls (poll_create: hosts, or anyone when allowed; poll_vote: everyone; the rest hosts'). */
enum signal_err proto_m_poll_create(struct proto_req *r);
enum signal_err proto_m_poll_vote(struct proto_req *r);
enum signal_err proto_m_poll_close(struct proto_req *r);
enum signal_err proto_m_poll_show_results(struct proto_req *r);
enum signal_err proto_m_set_polls_open(struct proto_req *r);
/* Every poll of c's room as c may see it (`poll` events): after a join, to a new host. */
void proto_polls_send_all(struct proto_conn *c);
enum signal_err proto_m_recordings_link(struct proto_req *r);

/* protocol.c: serialises and sends (or queues while busy); steals `msg`. */
void proto_emit(struct proto_conn *c, json_t *msg, bool is_event);
/* An event, {"event": name, "data": data}; steals data (NULL: nothing is sent). */
void proto_event(struct proto_conn *c, const char *name, json_t *data);
/* The same, sent now even while busy (it precedes the events the request queued). */
void proto_event_now(struct proto_conn *c, const char *name, json_t *data);
/* Drops the events queued while busy. */
void proto_pending_clear(struct proto_conn *c);
/* Sends what was queued while busy, when no longer busy. */
void proto_pending_flush(struct proto_conn *c);
/* Whether sfu events for this connection are still wanted. */
static inline bool proto_conn_listening(const struct proto_conn *c)
{
	return c->joining || c->participant != NULL;
}

/* ice_servers.c: what a join result says about TURN — a new credential each time — and frees it. */
json_t *proto_ice_servers_json(const struct proto_server *s);
void proto_turn_free(struct proto_server *s);
/* rooms.c: the result of a join (and the data of `joined` after the lobby): participant_id, room,
 * role, room_state, rejoin_token, and with TURN configured ice_servers (ice_transport_policy). */
json_t *proto_join_result(struct proto_conn *c);

/* rooms.c: meetings as seen by signaling. */
json_t *proto_room_state_json(const struct meet_room *r);
/* End-to-end encryption (e2ee.c): the join's optional `e2ee` boolean (kept in c->e2ee) and
 * whether room mr (may be NULL) takes it; entering decides an undecided room; what the server
 * cannot do for an encrypted room is refused with SIGNAL_ERR_E2EE (proto_e2ee_out). */
enum signal_err proto_e2ee_join(struct proto_req *r, const struct meet_room *mr);
enum signal_err proto_e2ee_enter(struct proto_conn *c, struct meet_room *r);
enum signal_err proto_e2ee_out(const struct meet_room *r);
bool proto_e2ee_room(struct proto_server *s, const char *room_key);
/* A participant as events show it: sfu info (may be NULL) plus the meeting's view of it. */
json_t *proto_participant_json(struct meet_room *r, const struct meet_member *m,
                               const struct sfu_participant_info *info);
/* Sends an event to every member of r (but `except`); steals data. */
void proto_room_broadcast(struct meet_room *r, const char *name, json_t *data, const struct proto_conn *except);
/* The same to the room's hosts only. */
void proto_room_to_hosts(struct meet_room *r, const char *name, json_t *data);
void proto_room_broadcast_member(struct meet_room *r, const struct meet_member *m);
void proto_room_broadcast_state(struct meet_room *r);
void proto_room_broadcast_hands(struct meet_room *r);
/* The raised hands in breakout group `group` (0: the main room), in the order raised. */
json_t *proto_hands_json(const struct meet_room *r, unsigned group);
/* The lobby snapshot, lobby_updated, to one host (when it becomes host); after that hosts get
 * deltas: lobby_knock when someone starts waiting, lobby_left when someone stops. */
void proto_room_lobby_updated(struct meet_room *r, struct proto_conn *to);
void proto_room_lobby_knock(struct meet_room *r, uint32_t lobby_id, const char *name);
void proto_room_lobby_left(struct meet_room *r, uint32_t lobby_id);
/* password_guard to every host when due (coalesced; force: now). */
void proto_room_guard_notify(struct meet_room *r, uint64_t now_us, bool force);
/* A new host is announced: participant_updated, room_updated, and its lobby snapshot. */
void proto_room_host_announce(struct meet_room *r, struct meet_member *host);
/* Seats that expired may leave a room without host (the longest present is promoted) or with
 * nobody (it closes): checks c's room, and every room at most once a second. */
void proto_room_seats_check(struct proto_conn *c);
/* Joins c to the sfu room `canon` and to the meeting (r NULL: a new one). */
/* tenant_policy.c: the built-in tenant "default", made with the server; all of them freed. */
int proto_tenants_init(struct proto_server *s);
void proto_tenants_free(struct proto_server *s);
/* A join's token checked against the connection's tenant and the room (canon);
 * SIGNAL_OK with the claims, or the token_* error. */
struct jwt_claims;
enum signal_err proto_token_check(struct proto_conn *c, const char *token, size_t len, const char *canon,
                                  struct jwt_claims *out);
/* Whether the tenant may open one more room (else its refusal is counted). */
bool proto_tenant_room_allowed(struct proto_tenant *t);
/* A room of the tenant was made / is gone. */
void proto_tenant_room_opened(struct meet_room *r, struct proto_tenant *t);
void proto_tenant_room_closed(struct meet_room *r);
/* The waiters of r who waited for a host (open-rooms = token) are let in. */
void proto_room_host_arrived(struct meet_room *r);

enum signal_err proto_room_enter(struct proto_conn *c, struct meet_room *r, const char *key,
                                 const char *name);
/* After c left the sfu room: leaves the meeting (host handover, hands, an empty room closes). */
void proto_room_forget(struct proto_conn *c);
/* The same for a lost connection: a host's seat is held for the grace period (no handover, and
 * the room stays while a seat is held). */
void proto_room_drop(struct proto_conn *c);
/* c stops waiting in the lobby (it left, or closed); hosts hear of it. */
void proto_room_lobby_cancel(struct proto_conn *c);
/* A waiter's fate: admitted (joins now) or denied with `reason`. */
void proto_room_admit(struct meet_room *r, const struct meet_waiter *w);
void proto_room_deny(const struct meet_waiter *w, const char *reason, const char *code);
/* Monotonic microseconds of the server's clock. */
uint64_t proto_now_us(const struct proto_conn *c);
/* Wall-clock milliseconds since 1970 (what clients show as a time). */
uint64_t proto_wall_ms(void);

#endif
