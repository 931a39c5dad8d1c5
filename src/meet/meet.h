/* meet: meeting policy of plenum — roles, password, lobby, lock, hands, rate limits, chat and
 * reaction rules. Pure C: no JSON, no sockets, no media; signaling asks, meet decides. */
#ifndef PLENUM_MEET_MEET_H
#define PLENUM_MEET_MEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hmap.h"
#include "meet/poll.h"

#define MEET_ROOM_NAME_MAX 64
#define MEET_ROOM_KEY_MAX (32 + 1 + MEET_ROOM_NAME_MAX)   /* "SCOPE/NAME": a tenant's rooms apart from another's */
#define MEET_NAME_MAX 64            /* display name bytes */
#define MEET_PASSWORD_MAX 128       /* bytes of UTF-8 */
#define MEET_CHAT_MAX 2000          /* bytes of UTF-8 */
#define MEET_GROUP_SLOTS 256        /* address groups remembered per room (then one shared overflow slot) */
#define MEET_GUARD_BUDGET 30        /* wrong passwords per room, all addresses together, before backoff */
#define MEET_GUARD_FREE 3           /* wrong passwords per address group before its delay grows */
#define MEET_GUARD_DELAY_MAX_US 30000000u   /* longest delay of one address group after a failure */
#define MEET_GUARD_ROOM_MIN_US 2000000u     /* in backoff: at most one guess per this (growing) … */
#define MEET_GUARD_ROOM_MAX_US 30000000u    /* … up to one per this */
#define MEET_GROUP_FORGET_US 600000000u     /* a group slot quiet this long is free again (10 min) */
#define MEET_LOBBY_MAX 100          /* waiting in one room's lobby */
#define MEET_LOBBY_PER_GROUP 3      /* waiting from one address group */
#define MEET_SEAT_GRACE_US 30000000u        /* a dropped host's seat is kept this long */
#define MEET_SEATS_MAX 32           /* held seats per room */
#define MEET_TOKEN_LEN 32           /* hex characters of a rejoin token */
#define MEET_POLLS_MAX 20           /* polls a room keeps (then its oldest closed one goes) */
#define MEET_POLLS_RUNNING_MAX 3    /* polls running at once in a room */

enum meet_err {
	MEET_OK = 0,
	MEET_ERR_FORBIDDEN,
	MEET_ERR_NOT_FOUND,
	MEET_ERR_PASSWORD_REQUIRED,
	MEET_ERR_PASSWORD_WRONG,
	MEET_ERR_RATE_LIMITED,
	MEET_ERR_LOCKED,
	MEET_ERR_INVALID,           /* input outside the rules (length, characters, value) */
	MEET_ERR_NOMEM,
	MEET_ERR_LOBBY_FULL,
	MEET_ERR_STATE,             /* not now (e.g. breakout groups not open) */
	MEET_ERR_BUSY,              /* another activity excludes it (recording vs. breakout groups) */
	MEET_ERR_TOO_MANY,          /* MEET_POLLS_RUNNING_MAX polls run already */
	MEET_ERR_E2EE_REQUIRED,     /* an end-to-end encrypted room, a join that cannot encrypt */
	MEET_ERR_E2EE_OFF,          /* a room in the clear, a join that would encrypt */
	MEET_ERR_E2EE,              /* the server cannot read the media of an encrypted room */
};

enum meet_role { MEET_GUEST = 0, MEET_HOST = 1 };

/* What a participant wants to do; meet_may says whether its role allows it. */
enum meet_action {
	MEET_ACT_SET_PASSWORD, MEET_ACT_SET_LOBBY, MEET_ACT_LOBBY_ADMIT, MEET_ACT_LOBBY_DENY,
	MEET_ACT_SET_LOCKED, MEET_ACT_MAKE_HOST, MEET_ACT_MUTE, MEET_ACT_MUTE_ALL, MEET_ACT_ASK_UNMUTE,
	MEET_ACT_REMOVE, MEET_ACT_END_MEETING, MEET_ACT_LOWER_OTHER_HAND, MEET_ACT_SET_ROOM_MUSIC,
	MEET_ACT_RECORD, MEET_ACT_STREAM, MEET_ACT_STREAM_LINKS, MEET_ACT_BREAKOUT,
	MEET_ACT_POLL_CREATE,       /* guests too once a host allows it (meet_poll_may_create) */
	MEET_ACT_POLL_MANAGE,       /* close a poll, show its results */
	MEET_ACT_SET_POLLS_OPEN,
	/* everyone's */
	MEET_ACT_RAISE_HAND, MEET_ACT_LOWER_OWN_HAND, MEET_ACT_REACTION, MEET_ACT_CHAT, MEET_ACT_SET_MUSIC,
	MEET_ACT_SET_VIDEO_PREFS, MEET_ACT_BREAKOUT_HELP, MEET_ACT_POLL_VOTE, MEET_ACT_COUNT
};
bool meet_may(enum meet_role role, enum meet_action action);

/* ---- rate limits: GCRA token buckets on an injected clock (microseconds) ---- */
struct meet_limit {
	uint32_t burst;             /* events allowed at once … */
	uint64_t window_us;         /* … and again per window (refilled evenly) */
};
struct meet_bucket {
	uint64_t tat;               /* theoretical arrival time; 0 = full */
};
/* Takes one token: true when allowed; else *retry_us (may be NULL) says how long to wait. */
bool meet_bucket_take(struct meet_bucket *b, const struct meet_limit *l, uint64_t now_us, uint64_t *retry_us);
/* Whether one token is available, without taking it. */
bool meet_bucket_ready(const struct meet_bucket *b, const struct meet_limit *l, uint64_t now_us,
                       uint64_t *retry_us);

extern const struct meet_limit meet_limit_join;       /* 6 joins with a token at once, then one per 2 s, per connection */
extern const struct meet_limit meet_limit_chat;       /* 10 messages per 10 s per participant */
extern const struct meet_limit meet_limit_reaction;   /* 5 reactions per 10 s per participant */
extern const struct meet_limit meet_limit_hand;       /* 10 raise/lower per 10 s per participant */
extern const struct meet_limit meet_limit_media;      /* 20 media_state per 10 s per participant */
extern const struct meet_limit meet_limit_music;      /* 5 set_music per 10 s per participant */
extern const struct meet_limit meet_limit_knock_room; /* 20 knocks per 10 s per room */
extern const struct meet_limit meet_limit_knock_group;/* 5 knocks per minute per address group */
extern const struct meet_limit meet_limit_out;        /* 6 recording/streaming starts and stops per 10 s per room */
extern const struct meet_limit meet_limit_out_status; /* 5 room_status per 10 s per connection */
extern const struct meet_limit meet_limit_breakout;   /* 30 breakout commands per 10 s per host */
extern const struct meet_limit meet_limit_breakout_help; /* 1 call for the host per 30 s per participant */
extern const struct meet_limit meet_limit_poll_create;      /* 5 polls per minute per participant */
extern const struct meet_limit meet_limit_poll_create_room; /* 10 polls per minute per room */
extern const struct meet_limit meet_limit_poll_vote;        /* 10 votes per 10 s per participant */

/* ---- chat and reactions ---- */
/* 1..2000 bytes of valid UTF-8, no control characters but '\n'. MEET_OK or MEET_ERR_INVALID. */
enum meet_err meet_chat_check(const char *text, size_t len);
/* The same rule for any text of 1..max bytes; newline_ok: '\n' is allowed. */
enum meet_err meet_text_check(const char *text, size_t len, size_t max, bool newline_ok);
/* The canonical form of an allowed reaction emoji, or NULL. */
const char *meet_reaction_canonical(const char *emoji, size_t len);

/* ---- rooms ---- */
struct meet_member {
	struct meet_member *next;   /* in join order, oldest first */
	uint32_t id;                /* the sfu's participant id */
	void *arg;                  /* the caller's (signaling connection) */
	enum meet_role role;
	bool hand_raised;
	/* presentation state the caller keeps here for events */
	char name[MEET_NAME_MAX + 1];
	bool audio_muted, video_muted, music, screen;
	int quality;                  /* the media server's view of its connection (enum sfu_quality), copied for events */
	struct meet_bucket chat, reaction, hand, media, music_limit, poll_create, poll_vote;
	char token[MEET_TOKEN_LEN + 1];   /* single-use rejoin token of this seat */
	unsigned group;             /* breakout group it is in (0: the main room) */
	unsigned planned;           /* breakout group it goes to when groups open (0: stays) */
	struct meet_bucket breakout, help;   /* meet_limit_breakout, meet_limit_breakout_help */
	void *tally;                /* the caller's (signaling: the usage statistics' seat) */
};

/* A dropped host's seat, held for MEET_SEAT_GRACE_US. */
struct meet_seat {
	char token[MEET_TOKEN_LEN + 1];
	enum meet_role role;
	uint64_t expires_us;
};

struct meet_waiter {
	struct meet_waiter *next;   /* in knock order */
	uint32_t lobby_id;
	void *arg;
	uint64_t group;             /* the knocking address group */
	char name[MEET_NAME_MAX + 1];
};

/* What leaves the meeting for people outside it: its recording, its public stream. A host starts
 * and stops each; everyone is told who did it and when (out.c). */
enum meet_out { MEET_OUT_RECORDING = 0, MEET_OUT_STREAMING = 1, MEET_OUT_COUNT };
struct meet_out_state {
	bool active;
	char started_by[MEET_NAME_MAX + 1];   /* the host who started the last run ("" before any) */
	uint64_t since_ms;                    /* wall-clock ms of that start; 0 before any */
	char stopped_by[MEET_NAME_MAX + 1];   /* the host who stopped it; "" when it ended by itself */
	uint64_t stopped_ms;                  /* 0 while running or before any run */
	char reason[32];                      /* why it ended by itself ("disk_full", "empty"); "" when stopped */
};

/* Breakout groups: a host names 1..MEET_GROUPS_MAX groups and plans who goes where (PLANNED),
 * opens them (OPEN, with an optional timer), and closes them with a countdown (CLOSING), after
 * which everyone returns to the main room (NONE). Times are wall-clock milliseconds. */
#define MEET_GROUPS_MAX 20
#define MEET_BREAKOUT_MINUTES_MAX 480
#define MEET_BREAKOUT_CLOSE_MAX_S 300
#define MEET_BREAKOUT_CLOSE_DEFAULT_S 60   /* the countdown when the timer ends them */
enum meet_breakout_state { MEET_BREAKOUT_NONE = 0, MEET_BREAKOUT_PLANNED, MEET_BREAKOUT_OPEN, MEET_BREAKOUT_CLOSING };
struct meet_breakout {
	enum meet_breakout_state state;
	unsigned n_groups;
	char names[MEET_GROUPS_MAX][MEET_NAME_MAX + 1];   /* group g's name is names[g - 1] */
	bool allow_choose;          /* guests may pick their group while open */
	uint64_t ends_ms;           /* OPEN: the timer closes them then (0: no timer) */
	uint64_t closing_ms;        /* CLOSING: everyone returns then */
};

/* What a room remembers of one address group (IPv4 /32, IPv6 /64, as a keyed hash). */
struct meet_group {
	uint64_t group;             /* 0 = free slot */
	uint32_t failures;          /* wrong passwords */
	uint64_t next_us;           /* no guess of this group is evaluated before this */
	uint64_t last_us;           /* last activity, for forgetting quiet slots */
	struct meet_bucket knock;
};

/* The room-wide password guard: failures of all groups; past the budget, guesses are evaluated
 * at a bounded room-wide rate. */
struct meet_guard {
	uint32_t failures;
	uint64_t next_us;           /* in backoff: next room-wide evaluation */
	uint32_t notified_failures; /* what the hosts were last told … */
	uint32_t notified_delay_s;
	uint64_t notified_us;       /* … and when */
};

struct meet_room {
	char key[MEET_ROOM_KEY_MAX + 1];    /* what the room is found by: NAME or SCOPE/NAME */
	char name[MEET_ROOM_NAME_MAX + 1];  /* the room's name (the key's part after '/') */
	void *owner;                /* the caller's (signaling: the tenant the room belongs to) */
	void *tally;                /* the caller's (signaling: the usage statistics' meeting) */
	struct meet *meet;
	struct meet_member *members;
	unsigned n_members;
	struct meet_waiter *lobby;
	unsigned n_waiting;
	bool locked, lobby_on, music;
	bool has_password;
	uint8_t salt[16], hash[32];   /* SHA-256(salt ‖ password); the password itself is not kept */
	uint32_t *hands;              /* raised hands, FIFO */
	size_t n_hands, cap_hands;
	struct meet_group groups[MEET_GROUP_SLOTS];
	struct meet_group overflow; /* every group that found the table full shares this one */
	struct meet_guard guard;
	struct meet_bucket knock;   /* the room's knock rate */
	struct meet_seat seats[MEET_SEATS_MAX];
	unsigned n_seats;
	uint32_t next_lobby_id;
	uint64_t next_message_id;
	struct meet_out_state out[MEET_OUT_COUNT];
	struct meet_bucket out_limit; /* starts and stops, all hosts together (meet_limit_out) */
	struct meet_breakout breakout;
	struct meet_poll *polls[MEET_POLLS_MAX];   /* oldest first (poll.c) */
	unsigned n_polls;
	uint32_t next_poll_id;
	bool polls_anyone;          /* guests may create polls */
	struct meet_bucket poll_limit;   /* creations, all members together (meet_limit_poll_create_room) */
	bool e2ee;                  /* end-to-end encrypted: decided by the meeting's first member (e2ee.c) */
};

struct meet {
	struct hmap rooms;
};

int meet_new(struct meet **out);
/* Frees every room (callers' args are not touched). */
void meet_free(struct meet *m);
/* Rooms by key: a room name, or "SCOPE/NAME" (the same name in two scopes is two rooms). */
struct meet_room *meet_room_find(struct meet *m, const char *key);
/* Creates an empty room (0, ENOMEM, EEXIST, EINVAL). */
int meet_room_new(struct meet *m, const char *key, struct meet_room **out);
/* Removes and frees a room; the caller has told members and waiters. */
void meet_room_free(struct meet_room *r);

/* Whether a newcomer from address group `group` may enter (or knock): locked, then password.
 * A guess is evaluated only when both the group's delay (growing with its failures past
 * MEET_GUARD_FREE) and, once the room's budget of MEET_GUARD_BUDGET failures is spent, the
 * room-wide backoff allow it; else MEET_ERR_RATE_LIMITED with *retry_us. A right password clears
 * the group's failures. */
enum meet_err meet_room_admission(struct meet_room *r, uint64_t group, const char *password, size_t len,
                                  uint64_t now_us, uint64_t *retry_us);
/* The slot of one address group: found, a free (or long quiet) one, else the shared overflow
 * slot — a full table never hands out a fresh allowance. */
struct meet_group *meet_group_get(struct meet_room *r, uint64_t group, uint64_t now_us);
/* The room's backoff in whole seconds (0: none). */
uint32_t meet_guard_delay_s(const struct meet_room *r, uint64_t now_us);
/* Whether the hosts should hear of the guard now (changed, and not told within a second);
 * marks it told. */
bool meet_guard_notify_due(struct meet_room *r, uint64_t now_us);
/* Clears the room's failure budget, backoff and every group's failures (a host's reset). */
void meet_guard_reset(struct meet_room *r);
/* A keyed 64-bit hash of an address group: IPv4 (and v4-mapped IPv6) by /32, IPv6 by /64;
 * text that is no address is hashed as it is. Never 0. */
uint64_t meet_addr_group(const uint8_t key[32], const char *address);

/* Members. The first member of a room is host. */
int meet_member_add(struct meet_room *r, uint32_t id, const char *name, void *arg, struct meet_member **out);
struct meet_member *meet_member_find(const struct meet_room *r, uint32_t id);
/* Removes and frees m (its hand is lowered). When it took the last host with it, the longest-present
 * member becomes host and is returned; else NULL. *hand_lowered: whether the hand queue changed. */
struct meet_member *meet_member_remove(struct meet_room *r, struct meet_member *m, bool *hand_lowered);
/* Makes m host; false when it already was. */
bool meet_make_host(struct meet_room *r, struct meet_member *m);
/* Host ids in join order; returns the count (≤ cap written). */
size_t meet_hosts(const struct meet_room *r, uint32_t *ids, size_t cap);

/* 1..128 bytes of UTF-8 without NUL: MEET_OK or MEET_ERR_INVALID. */
enum meet_err meet_password_valid(const char *password, size_t len);
/* Password: NULL removes it; else 1..128 bytes of UTF-8 without NUL (MEET_ERR_INVALID). */
enum meet_err meet_password_set(struct meet_room *r, const char *password, size_t len);
bool meet_password_matches(const struct meet_room *r, const char *password, size_t len);

/* Lobby: at most MEET_LOBBY_MAX waiting (MEET_LOBBY_PER_GROUP per group), knocks rate-limited per
 * room and per group: MEET_OK, MEET_ERR_LOBBY_FULL, MEET_ERR_RATE_LIMITED (*retry_us) or
 * MEET_ERR_NOMEM. */
enum meet_err meet_lobby_add(struct meet_room *r, const char *name, void *arg, uint64_t group, uint64_t now_us,
                             uint32_t *lobby_id, uint64_t *retry_us);
/* Removes the waiter (copied into *out, may be NULL); MEET_ERR_NOT_FOUND when unknown. */
enum meet_err meet_lobby_take(struct meet_room *r, uint32_t lobby_id, struct meet_waiter *out);
/* The first waiter, removed (false when none). */
bool meet_lobby_pop(struct meet_room *r, struct meet_waiter *out);
/* The lobby_id waiting with this arg, or 0. */
uint32_t meet_lobby_find_arg(const struct meet_room *r, const void *arg);

/* Rejoin seats. A member gets a fresh token at each join (meet_member_add). meet_member_drop
 * removes m like meet_member_remove but holds a host's seat for MEET_SEAT_GRACE_US: nobody is
 * promoted meanwhile, and a newcomer to a room without members is no host. */
struct meet_member *meet_member_drop(struct meet_room *r, struct meet_member *m, uint64_t now_us,
                                     bool *hand_lowered);
/* Takes the seat of `token` (single use): its role, or -1 when unknown or expired. */
int meet_seat_take(struct meet_room *r, const char *token, uint64_t now_us);
/* Forgets expired seats; when that leaves no host while members remain, the longest present
 * becomes host and is returned. */
struct meet_member *meet_seats_expire(struct meet_room *r, uint64_t now_us);
/* Whether a live host seat is held (a newcomer then joins as guest). */
bool meet_seat_host_held(const struct meet_room *r, uint64_t now_us);

/* Hands: FIFO by time of raising. Both return whether anything changed. */
bool meet_hand_raise(struct meet_room *r, struct meet_member *m);
bool meet_hand_lower(struct meet_room *r, struct meet_member *m);

/* Recording and streaming. Start: false when it was running already (nothing changes). Stop:
 * `by` is the host's name, or NULL when it ended by itself for `reason`; false when it was not
 * running. Names and reasons are cut to fit. */
bool meet_out_start(struct meet_room *r, enum meet_out what, const char *by, uint64_t now_ms);
bool meet_out_stop(struct meet_room *r, enum meet_out what, const char *by, const char *reason, uint64_t now_ms);

/* Breakout groups (breakout.c). Setup (re)names the groups while none are open: 1..MEET_GROUPS_MAX
 * distinct names of 1..64 bytes of UTF-8 without control characters; plans for groups that no
 * longer exist go back to the main room. MEET_ERR_INVALID, MEET_ERR_STATE. */
enum meet_err meet_breakout_setup(struct meet_room *r, const char *const *names, const size_t *lens, size_t n,
                                  bool allow_choose);
/* Plans m for group 0..n (while planned or open: open groups move at once, the caller does it). */
enum meet_err meet_breakout_plan(struct meet_room *r, struct meet_member *m, unsigned group);
/* Spreads every guest evenly at random over the groups (hosts keep their plans); rnd(arg) gives
 * uniformly random 32-bit numbers. MEET_ERR_STATE when no groups are set up. */
enum meet_err meet_breakout_spread(struct meet_room *r, uint32_t (*rnd)(void *arg), void *arg);
/* Opens the planned groups (0..MEET_BREAKOUT_MINUTES_MAX minutes, 0: no timer); MEET_ERR_BUSY
 * while the meeting is recorded or streamed. The caller moves everyone to their plan. */
enum meet_err meet_breakout_open(struct meet_room *r, unsigned minutes, uint64_t now_ms);
/* Starts the countdown (0..MEET_BREAKOUT_CLOSE_MAX_S seconds) after which everyone returns. */
enum meet_err meet_breakout_close(struct meet_room *r, unsigned seconds, uint64_t now_ms);
/* What time asks of the groups: the timer ran out (they are now CLOSING: tell everyone), or the
 * countdown ran out (move everyone back, then meet_breakout_end). */
enum meet_breakout_due { MEET_BREAKOUT_DUE_NOTHING = 0, MEET_BREAKOUT_DUE_CLOSING, MEET_BREAKOUT_DUE_RETURN };
enum meet_breakout_due meet_breakout_tick(struct meet_room *r, uint64_t now_ms);
/* Forgets groups and plans (state NONE); members' `group` is the caller's to set as they move. */
void meet_breakout_end(struct meet_room *r);
/* Whether m may go to `group` itself: a host to any group (or back) while open; a guest only
 * while open and the host allows choosing. */
bool meet_breakout_may_join(const struct meet_room *r, const struct meet_member *m, unsigned group);
/* Whether groups are open (or closing): recording and streaming wait for the main room. */
bool meet_breakout_active(const struct meet_room *r);
/* End-to-end encryption (e2ee.c). A room's first member decides, for as long as the room exists
 * (held seats included): everyone after joins alike or is refused. meet_e2ee_check tells a
 * newcomer (MEET_OK, MEET_ERR_E2EE_REQUIRED, MEET_ERR_E2EE_OFF) and changes nothing — a room
 * nobody has entered yet has decided nothing; meet_e2ee_enter also decides it when none has.
 * meet_e2ee_out: MEET_ERR_E2EE when the room's media cannot leave it (recording, streaming,
 * WHEP viewers, WHIP encoders, stream links), else MEET_OK. */
enum meet_err meet_e2ee_check(const struct meet_room *r, bool e2ee);
enum meet_err meet_e2ee_enter(struct meet_room *r, bool e2ee);
enum meet_err meet_e2ee_out(const struct meet_room *r);

/* Chat and reactions of one member, rate-limited. */
enum meet_err meet_chat_take(struct meet_member *m, uint64_t now_us, uint64_t *retry_us);
enum meet_err meet_reaction_take(struct meet_member *m, uint64_t now_us, uint64_t *retry_us);
/* One fan-out request of m against one of its buckets (hand, media, music). */
enum meet_err meet_take(struct meet_bucket *b, const struct meet_limit *l, uint64_t now_us, uint64_t *retry_us);

/* Polls of a room (poll.c). Whether m may create one: a host, or anyone when polls_anyone. */
bool meet_poll_may_create(const struct meet_room *r, const struct meet_member *m);
/* Takes a new poll into the room under its next id: MEET_ERR_TOO_MANY while MEET_POLLS_RUNNING_MAX
 * run (p is not taken). With MEET_POLLS_MAX kept, the oldest closed one is freed; its id in
 * *dropped (0: none). */
enum meet_err meet_room_poll_add(struct meet_room *r, struct meet_poll *p, uint32_t *dropped);
struct meet_poll *meet_room_poll_find(const struct meet_room *r, uint32_t id);
/* Frees every poll of the room (with the room). */
void meet_room_polls_free(struct meet_room *r);

#endif
