/* meet: meeting policy of plenum — roles, password, lobby, lock, hands, rate limits, chat and
 * reaction rules. Pure C: no JSON, no sockets, no media; signaling asks, meet decides. */
#ifndef PLENUM_MEET_MEET_H
#define PLENUM_MEET_MEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hmap.h"

#define MEET_ROOM_NAME_MAX 64
#define MEET_NAME_MAX 64            /* display name bytes */
#define MEET_PASSWORD_MAX 128       /* bytes of UTF-8 */
#define MEET_CHAT_MAX 2000          /* bytes of UTF-8 */
#define MEET_LIMITER_SLOTS 256      /* client addresses remembered per room for the password limit */

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
};

enum meet_role { MEET_GUEST = 0, MEET_HOST = 1 };

/* What a participant wants to do; meet_may says whether its role allows it. */
enum meet_action {
	MEET_ACT_SET_PASSWORD, MEET_ACT_SET_LOBBY, MEET_ACT_LOBBY_ADMIT, MEET_ACT_LOBBY_DENY,
	MEET_ACT_SET_LOCKED, MEET_ACT_MAKE_HOST, MEET_ACT_MUTE, MEET_ACT_MUTE_ALL, MEET_ACT_ASK_UNMUTE,
	MEET_ACT_REMOVE, MEET_ACT_END_MEETING, MEET_ACT_LOWER_OTHER_HAND, MEET_ACT_SET_ROOM_MUSIC,
	/* everyone's */
	MEET_ACT_RAISE_HAND, MEET_ACT_LOWER_OWN_HAND, MEET_ACT_REACTION, MEET_ACT_CHAT, MEET_ACT_SET_MUSIC,
	MEET_ACT_SET_VIDEO_PREFS, MEET_ACT_COUNT
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

extern const struct meet_limit meet_limit_password;   /* 5 wrong passwords per minute per address */
extern const struct meet_limit meet_limit_chat;       /* 10 messages per 10 s per participant */
extern const struct meet_limit meet_limit_reaction;   /* 5 reactions per 10 s per participant */

/* ---- chat and reactions ---- */
/* 1..2000 bytes of valid UTF-8, no control characters but '\n'. MEET_OK or MEET_ERR_INVALID. */
enum meet_err meet_chat_check(const char *text, size_t len);
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
	struct meet_bucket chat, reaction;
};

struct meet_waiter {
	struct meet_waiter *next;   /* in knock order */
	uint32_t lobby_id;
	void *arg;
	char name[MEET_NAME_MAX + 1];
};

struct meet_addr_bucket {
	uint64_t addr;              /* keyed hash of the client address; 0 = free slot */
	struct meet_bucket b;
};

struct meet_room {
	char name[MEET_ROOM_NAME_MAX + 1];
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
	struct meet_addr_bucket limits[MEET_LIMITER_SLOTS];
	uint32_t next_lobby_id;
	uint64_t next_message_id;
};

struct meet {
	struct hmap rooms;
};

int meet_new(struct meet **out);
/* Frees every room (callers' args are not touched). */
void meet_free(struct meet *m);
struct meet_room *meet_room_find(struct meet *m, const char *name);
/* Creates an empty room (0, ENOMEM, EEXIST, EINVAL). */
int meet_room_new(struct meet *m, const char *name, struct meet_room **out);
/* Removes and frees a room; the caller has told members and waiters. */
void meet_room_free(struct meet_room *r);

/* Whether a newcomer from `addr` may enter (or knock): locked, then password (rate-limited per
 * address: wrong passwords use up tokens). *retry_us is set for MEET_ERR_RATE_LIMITED. */
enum meet_err meet_room_admission(struct meet_room *r, uint64_t addr, const char *password, size_t len,
                                  uint64_t now_us, uint64_t *retry_us);

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

/* Lobby. */
int meet_lobby_add(struct meet_room *r, const char *name, void *arg, uint32_t *lobby_id);
/* Removes the waiter (copied into *out, may be NULL); MEET_ERR_NOT_FOUND when unknown. */
enum meet_err meet_lobby_take(struct meet_room *r, uint32_t lobby_id, struct meet_waiter *out);
/* The first waiter, removed (false when none). */
bool meet_lobby_pop(struct meet_room *r, struct meet_waiter *out);
/* The lobby_id waiting with this arg, or 0. */
uint32_t meet_lobby_find_arg(const struct meet_room *r, const void *arg);

/* Hands: FIFO by time of raising. Both return whether anything changed. */
bool meet_hand_raise(struct meet_room *r, struct meet_member *m);
bool meet_hand_lower(struct meet_room *r, struct meet_member *m);

/* Chat and reactions of one member, rate-limited. */
enum meet_err meet_chat_take(struct meet_member *m, uint64_t now_us, uint64_t *retry_us);
enum meet_err meet_reaction_take(struct meet_member *m, uint64_t now_us, uint64_t *retry_us);

#endif
