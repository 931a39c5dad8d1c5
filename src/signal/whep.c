/* whep: the public livestream's HTTP face — WHEP (draft-ietf-wish-whep): POST /whep/<room> with an SDP
 * offer and a stream token makes a viewer (201, Location: its resource), DELETE ends it; CORS for players. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "meet/meet.h"
#include "sfu/sfu.h"
#include "signal/proto_int.h"
#include "signal/signal_int.h"
#include "signal/signal_out.h"
#include "signal/signal_tenant.h"
#include "signal/stream_token.h"
#include "signal/whep.h"
#include "signal/wish.h"

/* The offers, server-wide: SIGNAL_WHEP_BURST at once, then SIGNAL_WHEP_RATE a second */
static const struct meet_limit limit_offers = { SIGNAL_WHEP_BURST, SIGNAL_WHEP_BURST * 1000000ull / SIGNAL_WHEP_RATE };

struct whep_viewer {
	struct signal *s;
	struct sfu_viewer *v;
	char id[WISH_ID_HEX + 1];
	char key[SFU_ROOM_KEY_MAX + 1];
};

struct signal_whep {
	struct hmap viewers;          /* id → struct whep_viewer */
	struct meet_bucket offers;    /* limit_offers */
	struct log_limit log;
	uint64_t refused_rate;
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
	}
	return s->whep;
}

/* A plain-text answer ("" for none) with the CORS headers and one more (name h1, value v1). */
static int reply(struct lws *wsi, struct signal_pss *pss, unsigned status, const char *text, const char *h1,
                 const char *v1)
{
	const char *const extra[] = { h1, v1, NULL };
	return wish_text(wsi, pss, status, "text/plain; charset=utf-8", text, cors, extra);
}

static int delete_viewer(struct signal *s, struct lws *wsi, struct signal_pss *pss, const struct wish_path *p)
{
	struct signal_whep *w = whep_of(s);
	struct whep_viewer *wv = w && p->id[0] ? hmap_get(&w->viewers, p->id, strlen(p->id)) : NULL;
	if (!wv || strcmp(wv->key, p->key) != 0)
		return reply(wsi, pss, 404, "no such viewer\n", NULL, NULL);
	hmap_del(&w->viewers, wv->id, strlen(wv->id), wv);
	sfu_viewer_close(wv->v);
	free(wv);
	return reply(wsi, pss, 200, "", NULL, NULL);
}

int signal_whep_request(struct signal *s, struct lws *wsi, struct signal_pss *pss, struct signal_tenant *t,
                        const char *rest)
{
	struct wish_path p;
	bool ok = wish_path_parse(t, rest, &p) == 0;
	if (wish_method(wsi, WSI_TOKEN_OPTIONS_URI))
		return reply(wsi, pss, ok ? 204 : 404, "", NULL, NULL);
	if (!ok)
		return reply(wsi, pss, 404, "no such stream\n", NULL, NULL);
	if (wish_method(wsi, WSI_TOKEN_DELETE_URI))
		return delete_viewer(s, wsi, pss, &p);
	if (!wish_method(wsi, WSI_TOKEN_POST_URI) || p.id[0]) {
		/* a body may follow */
		pss->close_after = wish_method(wsi, WSI_TOKEN_PATCH_URI) || wish_method(wsi, WSI_TOKEN_PUT_URI);
		return reply(wsi, pss, 405, "method not allowed (no trickle ICE: send the whole offer)\n", "allow:",
		             p.id[0] ? "DELETE, OPTIONS" : "POST, OPTIONS");
	}
	struct signal_whep *w = whep_of(s);
	unsigned status = 0;
	const char *why = NULL;
	if (!w) {
		status = 503, why = "out of memory\n";
	} else if (!meet_bucket_take(&w->offers, &limit_offers, clock_mono_us(), NULL)) {
		w->refused_rate++;
		if (log_limit_allow(&w->log, clock_mono_us()))
			log_warn("whep", "offers over the rate of %d/s refused (%llu in all)", SIGNAL_WHEP_RATE,
			         (unsigned long long)w->refused_rate);
		status = 429, why = "too many offers; try again in a few seconds\n";
	} else if (!wish_sdp_type(wsi)) {
		status = 415, why = "the offer must be application/sdp\n";
	} else if (wish_content_length(wsi) > WISH_BODY_MAX) {
		status = 413, why = "the offer is too large\n";
	}
	if (status) {
		pss->close_after = true;   /* its body is not read */
		return reply(wsi, pss, status, why, status == 429 ? "retry-after:" : NULL, "5");
	}
	wish_body_start(&pss->offer, WISH_WHEP, &p, WISH_BODY_MAX);
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

static int admit(struct signal *s, struct lws *wsi, struct signal_pss *pss, const struct wish_body *offer)
{
	const char *key = offer->path.key;
	if (offer->too_big)
		return reply(wsi, pss, 413, "the offer is too large\n", NULL, NULL);
	if (!wish_token_ok(s, wsi, SIGNAL_STREAM_WHEP, key, NULL))
		return reply(wsi, pss, 401, "a valid stream token is needed (Authorization: Bearer)\n",
		             "www-authenticate:", "Bearer realm=\"plenum\"");
	/* a room kept only for a dropped host's held seat has no meeting to watch */
	const struct meet_room *mr = meet_room_find(s->proto->meet, key);
	if (!mr || mr->n_members == 0)
		return reply(wsi, pss, 404, "the livestream has not started or has ended\n", NULL, NULL);
	if (proto_e2ee_room(s->proto, key))
		return reply(wsi, pss, 403, WISH_E2EE_TEXT, NULL, NULL);
	if (!signal_out_active(s, key, SIGNAL_OUT_STREAMING))
		return reply(wsi, pss, 403, "the meeting is not streamed now\n", NULL, NULL);
	struct whep_viewer *wv = calloc(1, sizeof *wv);
	if (!wv || wish_random_id(wv->id) != 0) {
		free(wv);
		return reply(wsi, pss, 503, "out of memory\n", NULL, NULL);
	}
	wv->s = s;
	snprintf(wv->key, sizeof wv->key, "%s", key);
	char *answer = NULL;
	int err = sfu_view(s->sfu, key, wish_body_text(offer), viewer_closed, wv, &wv->v, &answer);
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
		return reply(wsi, pss, status, text, status == 503 ? "retry-after:" : NULL, "30");
	}
	char location[sizeof SIGNAL_WHEP_PREFIX + SFU_ROOM_NAME_MAX + WISH_ID_HEX + 2];
	snprintf(location, sizeof location, "%s%s/%s", SIGNAL_WHEP_PREFIX, offer->path.room, wv->id);
	log_info("whep", "viewer %s admitted", wv->id);
	const char *const extra[] = { "location:", location, NULL };
	return wish_reply(wsi, pss, 201, WISH_SDP_TYPE, answer, cors, extra);
}

int signal_whep_offer(struct signal *s, struct lws *wsi, struct signal_pss *pss)
{
	int rc = admit(s, wsi, pss, &pss->offer);
	wish_body_free(&pss->offer);
	return rc;
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
