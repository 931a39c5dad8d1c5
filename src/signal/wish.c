/* wish: the request plumbing WHIP (RFC 9725) and WHEP (draft-ietf-wish-whep) share — path to room key,
 * application/sdp, the bearer token (RFC 6750 §2.1), resource ids, plain replies, the offer's body. */
#include "signal/wish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "signal/signal_int.h"
#include "signal/signal_tenant.h"

#define HEADERS_MAX 24   /* entries of a reply's extra header list, names and values */

int wish_path_parse(const struct signal_tenant *t, const char *rest, struct wish_path *out)
{
	const char *slash = strchr(rest, '/');
	size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
	char raw[SFU_ROOM_NAME_MAX + 1];
	if (!t || n == 0 || n > SFU_ROOM_NAME_MAX)
		return -1;
	memcpy(raw, rest, n);
	raw[n] = '\0';
	if (sfu_room_name_normalize(raw, out->room) != 0)
		return -1;
	snprintf(out->key, sizeof out->key, "%s/%s", t->id, out->room);
	out->id[0] = '\0';
	if (!slash)
		return 0;
	if (strlen(slash + 1) != WISH_ID_HEX || strchr(slash + 1, '/'))
		return -1;
	memcpy(out->id, slash + 1, WISH_ID_HEX + 1);
	return 0;
}

bool wish_method(struct lws *wsi, enum lws_token_indexes m)
{
	return lws_hdr_total_length(wsi, m) > 0;
}

bool wish_sdp_type(struct lws *wsi)
{
	char type[128];
	if (!signal_http_header(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, type, sizeof type))
		return false;
	size_t n = strcspn(type, ";");
	while (n && type[n - 1] == ' ')
		n--;
	return n == strlen(WISH_SDP_TYPE) && strncasecmp(type, WISH_SDP_TYPE, n) == 0;
}

unsigned long long wish_content_length(struct lws *wsi)
{
	char cl[32];
	return signal_http_header(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, cl, sizeof cl) ? strtoull(cl, NULL, 10) : 0;
}

bool wish_token_ok(struct signal *s, struct lws *wsi, enum signal_stream_use use, const char *key,
                   char name[SIGNAL_STREAM_NAME_MAX + 1])
{
	char auth[SIGNAL_STREAM_TOKEN_MAX + 16];
	bool ok = false;
	if (signal_http_header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION, auth, sizeof auth) && strncasecmp(auth, "Bearer ", 7) == 0) {
		const char *t = auth + 7;
		while (*t == ' ')
			t++;
		size_t len = strlen(t);
		ok = len && signal_stream_token_check(s, t, len, use, key, name) == 0;
	}
	explicit_bzero(auth, sizeof auth);
	return ok;
}

int wish_random_id(char out[WISH_ID_HEX + 1])
{
	uint8_t raw[WISH_ID_HEX / 2];
	int err = util_random(raw, sizeof raw);
	for (size_t i = 0; !err && i < sizeof raw; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return err;
}

/* Appends the pairs of list (may be NULL) to hdrs, which holds n entries; the new count. */
static size_t add_pairs(const char **hdrs, size_t n, const char *const *list)
{
	for (size_t i = 0; list && list[i] && n + 2 <= HEADERS_MAX; i += 2) {
		hdrs[n++] = list[i];
		hdrs[n++] = list[i + 1];
	}
	return n;
}

int wish_reply(struct lws *wsi, struct signal_pss *pss, unsigned status, const char *type, char *body,
               const char *const *base, const char *const *extra)
{
	const char *hdrs[HEADERS_MAX + 1];
	size_t n = add_pairs(hdrs, add_pairs(hdrs, 0, base), extra);
	hdrs[n] = NULL;
	return signal_http_reply(wsi, pss, status, type, body, body ? strlen(body) : 0, hdrs);
}

int wish_text(struct lws *wsi, struct signal_pss *pss, unsigned status, const char *type, const char *text,
              const char *const *base, const char *const *extra)
{
	char *body = *text ? strdup(text) : NULL;
	if (*text && !body)
		return 1;
	return wish_reply(wsi, pss, status, type, body, base, extra);
}

void wish_body_start(struct wish_body *b, enum wish_post post, const struct wish_path *path, size_t cap)
{
	wish_body_free(b);
	b->post = post;
	b->path = *path;
	b->cap = cap;
}

int wish_body_add(struct wish_body *b, const void *in, size_t len)
{
	if (b->post == WISH_NONE || b->too_big)
		return 0;
	if (len > b->cap - b->len) {
		b->too_big = true;
		free(b->data);
		b->data = NULL;
		b->len = 0;
		return 0;
	}
	char *nb = realloc(b->data, b->len + len + 1);
	if (!nb)
		return -1;
	memcpy(nb + b->len, in, len);
	b->len += len;
	nb[b->len] = '\0';
	b->data = nb;
	return 0;
}

const char *wish_body_text(const struct wish_body *b)
{
	return b->data ? b->data : "";
}

void wish_body_free(struct wish_body *b)
{
	free(b->data);
	*b = (struct wish_body){ .post = WISH_NONE };
}
