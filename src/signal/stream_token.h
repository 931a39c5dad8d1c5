/* stream_token: the bearer tokens of stream links — HS256 JWTs (RFC 7519, minted by src/auth) under the
 * server's stream key that let an encoder publish into one room (WHIP, RFC 9725) or a viewer watch it (WHEP). */
#ifndef PLENUM_SIGNAL_STREAM_TOKEN_H
#define PLENUM_SIGNAL_STREAM_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define SIGNAL_STREAM_TOKEN_MAX 1024        /* bytes of a token, its NUL included */
#define SIGNAL_STREAM_TTL_MAX (7 * 86400)   /* seconds a token may live at most */
#define SIGNAL_STREAM_NAME_MAX 64           /* bytes of the name claim */

/* whip: an encoder publishes; whep: a viewer watches; recordings: a host lists and downloads the
 * room's recordings (GET /recordings/<room>?t=…). */
enum signal_stream_use { SIGNAL_STREAM_WHIP = 0, SIGNAL_STREAM_WHEP = 1, SIGNAL_STREAM_RECORDINGS = 2 };

struct signal;
struct proto_server;

/* Mints a token for `use` in the room of room_key ("TENANT/NAME" as meetings are keyed, or a bare
 * NAME; canonical), valid ttl_s (1..SIGNAL_STREAM_TTL_MAX) seconds from now. `name` is the display
 * name a WHIP publisher joins with (required for WHIP, a valid display name; optional for WHEP).
 * out (cap bytes) gets the token. 0, EINVAL, ENOSPC. */
int signal_stream_token_make(struct signal *s, enum signal_stream_use use, const char *room_key,
                             const char *name, unsigned ttl_s, char *out, size_t cap);
/* 0 when `token` (len bytes) is valid for `use` and `room_key` now (name copied out, may be NULL), else -1. */
int signal_stream_token_check(struct signal *s, const char *token, size_t len, enum signal_stream_use use,
                              const char *room_key, char name_out[65]);

/* The same at the protocol layer, which owns the key (proto_server_set_stream_secret), at unix time
 * now_s (tests drive it). The check returns 0 or a jwt_err verdict (>0), or -1 for a wrong use, room
 * or name, so that callers may count why. */
int proto_stream_token_make(struct proto_server *s, enum signal_stream_use use, const char *room_key,
                            const char *name, unsigned ttl_s, int64_t now_s, char *out, size_t cap);
int proto_stream_token_check(struct proto_server *s, const char *token, size_t len, enum signal_stream_use use,
                             const char *room_key, int64_t now_s, char name_out[65]);

#endif
