/* stream_token: minting and checking the stream links' tokens (RFC 7519 HS256 under the server's own
 * key, src/auth): {"aud": "stream:TENANT", "room": NAME, "use": "whip"|"whep", "name", "iat", "exp"}.
 * The room key's scope goes into "aud", so a token of one town's room is refused in another's. */
#include "signal/stream_token.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/jwt.h"
#include "sfu/sfu.h"
#include "signal/proto_int.h"
#include "signal/signal_int.h"

static const char *const use_names[] = { [SIGNAL_STREAM_WHIP] = "whip", [SIGNAL_STREAM_WHEP] = "whep",
	                                        [SIGNAL_STREAM_RECORDINGS] = "recordings" };

/* A canonical room key split into the audience ("stream:SCOPE", or "stream" for a bare name) and the
 * room name; -1 when the key is not canonical. */
static int split_key(const char *room_key, char aud[8 + SFU_ROOM_SCOPE_MAX], char name[SFU_ROOM_NAME_MAX + 1])
{
	char canon[SFU_ROOM_KEY_MAX + 1];
	if (!room_key || sfu_room_key_normalize(room_key, canon) != 0 || strcmp(canon, room_key) != 0)
		return -1;
	const char *slash = strchr(canon, '/');
	if (slash)
		snprintf(aud, 8 + SFU_ROOM_SCOPE_MAX, "stream:%.*s", (int)(slash - canon), canon);
	else
		snprintf(aud, 8 + SFU_ROOM_SCOPE_MAX, "stream");
	const char *n = slash ? slash + 1 : canon;
	size_t len = strlen(n);
	if (len > SFU_ROOM_NAME_MAX)
		return -1;
	memcpy(name, n, len + 1);
	return 0;
}

int proto_stream_token_make(struct proto_server *s, enum signal_stream_use use, const char *room_key,
                            const char *name, unsigned ttl_s, int64_t now_s, char *out, size_t cap)
{
	char aud[8 + SFU_ROOM_SCOPE_MAX], room[SFU_ROOM_NAME_MAX + 1];
	bool named = name && *name;
	if (!s || !s->stream_key || (unsigned)use > SIGNAL_STREAM_RECORDINGS || ttl_s == 0 ||
	    ttl_s > SIGNAL_STREAM_TTL_MAX || split_key(room_key, aud, room) != 0 ||
	    (use == SIGNAL_STREAM_WHIP && !named) || (named && sfu_display_name_check(name) != 0))
		return EINVAL;
	json_t *claims = json_pack("{s:s, s:s, s:s, s:I, s:I}", "aud", aud, "room", room, "use", use_names[use], "iat",
	                           (json_int_t)now_s, "exp", (json_int_t)(now_s + ttl_s));
	if (claims && named)
		json_object_set_new(claims, "name", json_string(name));
	char *text = claims ? json_dumps(claims, JSON_COMPACT) : NULL;
	json_decref(claims);
	if (!text)
		return ENOMEM;
	int err = jwt_sign_hs256(s->stream_key, text, strlen(text), out, cap);
	free(text);
	return err;
}

int proto_stream_token_check(struct proto_server *s, const char *token, size_t len, enum signal_stream_use use,
                             const char *room_key, int64_t now_s, char name_out[65])
{
	char aud[8 + SFU_ROOM_SCOPE_MAX], room[SFU_ROOM_NAME_MAX + 1];
	if (name_out)
		name_out[0] = '\0';
	if (!s || !s->stream_key || (unsigned)use > SIGNAL_STREAM_RECORDINGS ||
	    split_key(room_key, aud, room) != 0)
		return -1;
	struct jwt_claims c;
	const struct jwt_key *keys[] = { s->stream_key };
	/* minted and checked by this server: no clock skew to allow for */
	enum jwt_err e = jwt_verify(token, len, keys, 1, aud, now_s, 0, &c);
	if (e != JWT_OK)
		return (int)e;
	if (strcmp(c.use, use_names[use]) != 0 || strcmp(c.room, room) != 0 || (use == SIGNAL_STREAM_WHIP && !c.name[0]))
		return -1;
	if (name_out)
		snprintf(name_out, SIGNAL_STREAM_NAME_MAX + 1, "%s", c.name);
	return 0;
}

int signal_stream_token_make(struct signal *s, enum signal_stream_use use, const char *room_key,
                             const char *name, unsigned ttl_s, char *out, size_t cap)
{
	return proto_stream_token_make(s ? s->proto : NULL, use, room_key, name, ttl_s, (int64_t)time(NULL), out, cap);
}

int signal_stream_token_check(struct signal *s, const char *token, size_t len, enum signal_stream_use use,
                              const char *room_key, char name_out[65])
{
	return proto_stream_token_check(s ? s->proto : NULL, token, len, use, room_key, (int64_t)time(NULL), name_out)
	       ? -1 : 0;
}
