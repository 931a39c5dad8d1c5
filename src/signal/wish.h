/* wish: what the HTTP sides of WHIP (RFC 9725) and WHEP (draft-ietf-wish-whep) share in src/signal —
 * the path "<room>[/<id>]", the SDP media type, the bearer token, resource ids, the offer's body. */
#ifndef PLENUM_SIGNAL_WISH_H
#define PLENUM_SIGNAL_WISH_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>

#include "meet/meet.h"
#include "sfu/sfu.h"
#include "signal/stream_token.h"

#define WISH_ID_HEX 32                   /* hex digits of a resource id: 128 random bits */
#define WISH_SDP_TYPE "application/sdp"
#define WISH_BODY_MAX 65536              /* bytes of an SDP offer */
/* WHIP and WHEP of an end-to-end encrypted meeting: refused, and why */
#define WISH_E2EE_TEXT "the meeting is end-to-end encrypted: this server cannot read its media, so it cannot take or pass it on\n"

struct signal;
struct signal_pss;
struct signal_tenant;

/* What the POST whose body is being read is for. */
enum wish_post { WISH_NONE, WISH_WHIP, WISH_WHEP };

/* A request's path after its prefix: the room's canonical name, its key in the request's tenant,
 * and the resource id ("" for the endpoint itself). */
struct wish_path {
	char room[SFU_ROOM_NAME_MAX + 1];
	char key[MEET_ROOM_KEY_MAX + 1];
	char id[WISH_ID_HEX + 1];
};

/* The offer of a POST as it arrives (one per connection, in signal_pss). */
struct wish_body {
	enum wish_post post;             /* WISH_NONE: no body is read */
	struct wish_path path;
	char *data;                      /* NUL-terminated; NULL while empty */
	size_t len, cap;                 /* cap: the most bytes taken */
	bool too_big;                    /* more came than cap: the rest was dropped */
};

/* "<room>" or "<room>/<id>" (rest: after "/whip/" or "/whep/") of tenant t: 0, or -1 for no tenant,
 * a room name that is not one, or an id that is not 32 characters. */
int wish_path_parse(const struct signal_tenant *t, const char *rest, struct wish_path *out);
/* Whether the request's method is m (WSI_TOKEN_POST_URI, …). */
bool wish_method(struct lws *wsi, enum lws_token_indexes m);
/* Whether Content-Type is application/sdp (parameters allowed). */
bool wish_sdp_type(struct lws *wsi);
/* Content-Length, 0 when absent. */
unsigned long long wish_content_length(struct lws *wsi);
/* Whether Authorization carries a bearer token (RFC 6750 §2.1) valid for `use` in the room of key;
 * the name claim goes to name (may be NULL). The header's copy is wiped. */
bool wish_token_ok(struct signal *s, struct lws *wsi, enum signal_stream_use use, const char *key,
                   char name[SIGNAL_STREAM_NAME_MAX + 1]);
/* An unguessable resource id: 128 random bits in hex. 0 or an errno. */
int wish_random_id(char out[WISH_ID_HEX + 1]);
/* A response of text (copied; "" sends no body) with the header pairs of `base` and then `extra`
 * ("name:", "value", …, NULL; either may be NULL). 0, or non-zero to close. */
int wish_text(struct lws *wsi, struct signal_pss *pss, unsigned status, const char *type, const char *text,
              const char *const *base, const char *const *extra);
/* The answer: body (malloc'd) is taken over. */
int wish_reply(struct lws *wsi, struct signal_pss *pss, unsigned status, const char *type, char *body,
               const char *const *base, const char *const *extra);

/* Starts reading the body of a POST for `post` to path, taking at most cap bytes. */
void wish_body_start(struct wish_body *b, enum wish_post post, const struct wish_path *path, size_t cap);
/* LWS_CALLBACK_HTTP_BODY: 0, or -1 when out of memory. Beyond cap the body is dropped (too_big). */
int wish_body_add(struct wish_body *b, const void *in, size_t len);
/* The body as text ("" when empty). */
const char *wish_body_text(const struct wish_body *b);
/* Drops the body (the POST is answered, or the connection closed). */
void wish_body_free(struct wish_body *b);

#endif
