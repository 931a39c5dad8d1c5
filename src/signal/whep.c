/* whep: the public livestream's HTTP face — WHEP (draft-ietf-wish-whep): POST /whep/<room> with an SDP
 * offer and a stream token makes a viewer (201, Location: its resource), DELETE ends it; CORS for players. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/util.h"
#include "meet/meet.h"
#include "sfu/sfu.h"
#include "signal/proto_int.h"
#include "signal/signal_int.h"
#include "signal/signal_out.h"
#include "signal/signal_tenant.h"
#include "signal/stream_token.h"

#define WHEP_ID_LEN 32   /* hex digits of a resource id: 128 random bits */

struct whep_viewer {
	struct signal *s;
	struct sfu_viewer *v;
	char id[WHEP_ID_LEN + 1];
	char key[SFU_ROOM_KEY_MAX + 1];
};

struct signal_whep {
	struct hmap viewers;          /* id → struct whep_viewer */
	uint64_t tokens_milli, last_us;   /* the offers' rate (a token bucket) */
	struct log_limit log;
	uint64_t refused_rate;
};

/* A POST under way: its room key and the offer as it arrives. */
struct signal_whep_post {
	char key[SFU_ROOM_KEY_MAX + 1];
	char *body;
	size_t len;
	bool too_big;
};

static const char *const cors[] = {
	"access-control-allow-origin:", "*",
	"access-control-allow-methods:", "POST, DELETE, OPTIONS",
	"access-control-allow-headers:", "Authorization, Content-Type",
	"access-control-expose-headers:", "Location",
	"access-control-max-age:", "600",
	NULL,
};

static struct signal_whep *whep_of(struct signal *s)
{
	if (!s->whep && (s->whep = calloc(1, sizeof *s->whep)) != NULL) {
		hmap_init(&s->whep->viewers);
		s->whep->log.per_sec = 1;
		s->whep->tokens_milli = SIGNAL_WHEP_BURST * 1000u;
		s->whep->last_us = clock_mono_us();
	}
	return s->whep;
}

/* An answer (body malloc'd, taken over) with the CORS headers and one more (name h1, value v1). */
static int reply_with(struct lws *wsi, struct signal_pss *pss, unsigned status, const char *type, char *body,
                      const char *h1, const char *v1)
{
	const char *hdrs[16];
	size_t n = 0;
	for (; cors[n]; n++)
		hdrs[n] = cors[n];
	if (h1) {
		hdrs[n++] = h1;
		hdrs[n++] = v1;
	}
	hdrs[n] = NULL;
	return signal_http_reply(wsi, pss, status, type, body, body ? strlen(body) : 0, hdrs);
}

/* A plain-text answer. */
static int reply(struct signal *s, struct lws *wsi, struct signal_pss *pss, unsigned status, const char *text,
                 const char *h1, const char *v1)
{
	char *body = *text ? strdup(text) : NULL;
	if (*text && !body)
		return 1;
	return reply_with(wsi, pss, status, "text/plain; charset=utf-8", body, h1, v1);
}

/* Takes one offer from the server-wide bucket; false when none is left. */
static bool rate_take(struct signal_whep *w)
{
	uint64_t now = clock_mono_us(), full = SIGNAL_WHEP_BURST * 1000u;
	uint64_t ms = (now - w->last_us) / 1000u;
	w->tokens_milli += ms * SIGNAL_WHEP_RATE;
	w->last_us += ms * 1000u;
	if (w->tokens_milli > full)
		w->tokens_milli = full;
	if (w->tokens_milli < 1000u)
		return false;
	w->tokens_milli -= 1000u;
	return true;
}

/* "<room>" or "<room>/<id>" (rest after /whep/) into the room key of tenant t and the id. */
static bool parse_path(const struct signal_tenant *t, const char *rest, char key[SFU_ROOM_KEY_MAX + 1],
                       const char **id)
{
	char name[SFU_ROOM_NAME_MAX + 1], canon[SFU_ROOM_NAME_MAX + 1];
	const char *slash = strchr(rest, '/');
	size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
	if (!t || n == 0 || n > SFU_ROOM_NAME_MAX)
		return false;
	memcpy(name, rest, n);
	name[n] = '\0';
	if (sfu_room_name_normalize(name, canon) != 0)
		return false;
	*id = slash ? slash + 1 : NULL;
	snprintf(key, SFU_ROOM_KEY_MAX + 1, "%s/%s", t->id, canon);
	return !slash || (strlen(slash + 1) == WHEP_ID_LEN && !strchr(slash + 1, '/'));
}

static bool method(struct lws *wsi, enum lws_token_indexes m)
{
	return lws_hdr_total_length(wsi, m) > 0;
}

static int delete_viewer(struct signal *s, struct lws *wsi, struct signal_pss *pss, const char *key, const char *id)
{
	struct signal_whep *w = whep_of(s);
	struct whep_viewer *wv = w && id ? hmap_get(&w->viewers, id, strlen(id)) : NULL;
	if (!wv || strcmp(wv->key, key) != 0)
		return reply(s, wsi, pss, 404, "no such viewer\n", NULL, NULL);
	hmap_del(&w->viewers, wv->id, strlen(wv->id), wv);
	sfu_viewer_close(wv->v);
	free(wv);
	return reply(s, wsi, pss, 200, "", NULL, NULL);
}

static bool content_type_sdp(struct lws *wsi)
{
	char ct[128];
	int n = lws_hdr_copy(wsi, ct, sizeof ct, WSI_TOKEN_HTTP_CONTENT_TYPE);
	if (n <= 0)
		return false;
	size_t k = strlen("application/sdp");
	return strncasecmp(ct, "application/sdp", k) == 0 && (ct[k] == '\0' || ct[k] == ';' || ct[k] == ' ');
}

int signal_whep_request(struct signal *s, struct lws *wsi, struct signal_pss *pss, struct signal_tenant *t,
                        const char *rest)
{
	char key[SFU_ROOM_KEY_MAX + 1];
	const char *id = NULL;
	bool ok = parse_path(t, rest, key, &id);
	if (method(wsi, WSI_TOKEN_OPTIONS_URI))
		return reply(s, wsi, pss, ok ? 204 : 404, "", NULL, NULL);
	if (!ok)
		return reply(s, wsi, pss, 404, "no such stream\n", NULL, NULL);
	if (method(wsi, WSI_TOKEN_DELETE_URI))
		return delete_viewer(s, wsi, pss, key, id);
	if (!method(wsi, WSI_TOKEN_POST_URI) || id) {
		pss->close_after = method(wsi, WSI_TOKEN_PATCH_URI) || method(wsi, WSI_TOKEN_PUT_URI);   /* a body may follow */
		return reply(s, wsi, pss, 405, "method not allowed (no trickle ICE: send the whole offer)\n", "allow:",
		             id ? "DELETE, OPTIONS" : "POST, OPTIONS");
	}
	struct signal_whep *w = whep_of(s);
	char cl[24];
	long long declared = lws_hdr_copy(wsi, cl, sizeof cl, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 ? atoll(cl) : 0;
	unsigned status = 0;
	const char *why = NULL;
	if (!w) {
		status = 503, why = "out of memory\n";
	} else if (!rate_take(w)) {
		w->refused_rate++;
		if (log_limit_allow(&w->log, clock_mono_us()))
			log_warn("whep", "offers over the rate of %d/s refused (%llu in all)", SIGNAL_WHEP_RATE,
			         (unsigned long long)w->refused_rate);
		status = 429, why = "too many offers; try again in a few seconds\n";
	} else if (!content_type_sdp(wsi)) {
		status = 415, why = "the offer must be application/sdp\n";
	} else if (declared > SIGNAL_WHEP_BODY_MAX) {
		status = 413, why = "the offer is too large\n";
	}
	if (status) {
		pss->close_after = true;   /* its body is not read */
		return reply(s, wsi, pss, status, why, status == 429 ? "retry-after:" : NULL, "5");
	}
	struct signal_whep_post *post = calloc(1, sizeof *post);
	if (!post)
		return 1;
	snprintf(post->key, sizeof post->key, "%s", key);
	signal_whep_pss_free(pss);
	pss->whep = post;
	return 0;   /* the body follows */
}

/* ---- the offer arrived ---------------------------------------------------------------------- */

static void viewer_closed(void *arg)
{
	struct whep_viewer *wv = arg;
	struct signal_whep *w = wv->s->whep;
	log_info("whep", "viewer %s ended", wv->id);
	hmap_del(&w->viewers, wv->id, strlen(wv->id), wv);
	sfu_viewer_close(wv->v);
	free(wv);
}

/* The bearer token of the request, checked for watching `key`. */
static bool token_ok(struct signal *s, struct lws *wsi, const char *key)
{
	char auth[SIGNAL_STREAM_TOKEN_MAX + 16];
	int n = lws_hdr_copy(wsi, auth, sizeof auth, WSI_TOKEN_HTTP_AUTHORIZATION);
	if (n <= 7 || strncasecmp(auth, "Bearer ", 7) != 0)
		return false;
	bool ok = signal_stream_token_check(s, auth + 7, (size_t)n - 7, SIGNAL_STREAM_WHEP, key, NULL) == 0;
	explicit_bzero(auth, sizeof auth);
	return ok;
}

static int admit(struct signal *s, struct lws *wsi, struct signal_pss *pss, struct signal_whep_post *post)
{
	if (post->too_big)
		return reply(s, wsi, pss, 413, "the offer is too large\n", NULL, NULL);
	if (!token_ok(s, wsi, post->key))
		return reply(s, wsi, pss, 401, "a valid stream token is needed (Authorization: Bearer)\n",
		             "www-authenticate:", "Bearer realm=\"plenum\"");
	/* a room kept only for a dropped host's held seat has no meeting to watch */
	const struct meet_room *mr = meet_room_find(s->proto->meet, post->key);
	if (!mr || mr->n_members == 0)
		return reply(s, wsi, pss, 404, "the livestream has not started or has ended\n", NULL, NULL);
	if (!signal_out_active(s, post->key, SIGNAL_OUT_STREAMING))
		return reply(s, wsi, pss, 403, "the meeting is not streamed now\n", NULL, NULL);
	struct whep_viewer *wv = calloc(1, sizeof *wv);
	uint8_t rnd[WHEP_ID_LEN / 2];
	if (!wv || util_random(rnd, sizeof rnd) != 0) {
		free(wv);
		return reply(s, wsi, pss, 503, "out of memory\n", NULL, NULL);
	}
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(wv->id + 2 * i, 3, "%02x", rnd[i]);
	wv->s = s;
	snprintf(wv->key, sizeof wv->key, "%s", post->key);
	char *answer = NULL;
	int err = sfu_view(s->sfu, post->key, post->body ? post->body : "", viewer_closed, wv, &wv->v, &answer);
	if (!err && hmap_put(&s->whep->viewers, wv->id, strlen(wv->id), wv) != 0) {
		sfu_viewer_close(wv->v);
		free(answer);
		err = -SFU_ERR_INTERNAL;
	}
	if (err) {
		free(wv);
		unsigned status = err == -SFU_ERR_BUSY ? 503 : err == -SFU_ERR_SDP ? 400 : err == -SFU_ERR_NO_ROOM ? 404 : 500;
		const char *text = status == 503 ? "as many people watch as this server allows; try again later\n"
		                 : status == 400 ? "the offer cannot be answered (recvonly Opus and VP8, BUNDLE, rtcp-mux)\n"
		                 : status == 404 ? "the livestream has not started or has ended\n" : "internal error\n";
		return reply(s, wsi, pss, status, text, status == 503 ? "retry-after:" : NULL, "30");
	}
	char location[sizeof SIGNAL_WHEP_PREFIX + SFU_ROOM_NAME_MAX + WHEP_ID_LEN + 2];
	const char *name = strchr(wv->key, '/') + 1;
	snprintf(location, sizeof location, "%s%s/%s", SIGNAL_WHEP_PREFIX, name, wv->id);
	log_info("whep", "viewer %s admitted", wv->id);
	return reply_with(wsi, pss, 201, "application/sdp", answer, "location:", location);
}

int signal_whep_body(struct signal *s, struct lws *wsi, struct signal_pss *pss, bool done, const void *in, size_t len)
{
	struct signal_whep_post *post = pss ? pss->whep : NULL;
	if (!post)
		return 0;
	if (!done) {
		if (post->too_big || post->len + len > SIGNAL_WHEP_BODY_MAX) {
			post->too_big = true;
			return 0;
		}
		char *nb = realloc(post->body, post->len + len + 1);
		if (!nb)
			return -1;
		memcpy(nb + post->len, in, len);
		post->len += len;
		nb[post->len] = '\0';
		post->body = nb;
		return 0;
	}
	pss->whep = NULL;
	int rc = admit(s, wsi, pss, post);
	free(post->body);
	free(post);
	return rc;
}

void signal_whep_pss_free(struct signal_pss *pss)
{
	if (!pss->whep)
		return;
	free(pss->whep->body);
	free(pss->whep);
	pss->whep = NULL;
}

void signal_whep_free(struct signal *s)
{
	struct signal_whep *w = s->whep;
	if (!w)
		return;
	void *val;
	for (size_t i = 0; hmap_next(&w->viewers, &i, &val);) {
		struct whep_viewer *wv = val;
		sfu_viewer_close(wv->v);
		free(wv);
	}
	hmap_free(&w->viewers);
	free(w);
	s->whep = NULL;
}
