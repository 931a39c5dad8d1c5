/* sig_janus: the load generator speaking Janus' VideoRoom API (Janus 1.x, WebSocket subprotocol
 * "janus-protocol"), the way janus.js does for a browser: a session with a publisher handle (join,
 * configure + offer) and one multistream subscriber handle (join / subscribe → offer → start). */
#include <stdlib.h>
#include <string.h>

#include "lg.h"

enum { T_SESSION = 1, T_ATTACH_PUB, T_ATTACH_SUB, T_ROOM, T_JOIN_PUB, T_CONFIGURE, T_JOIN_SUB, T_SUBSCRIBE,
       T_START, T_KEEPALIVE, T_TRICKLE };

#define JANUS_ROOM_BASE 4000
#define ERR_ROOM_EXISTS 427
#define RETRY_US 300000
#define KEEPALIVE_US 25000000

struct feeds { json_int_t *v; size_t n, cap; };

struct janus_sig {
	json_int_t session, pub_handle, sub_handle, feed, private_id;
	unsigned next_tx, inflight;
	struct feeds known, pending, asked;   /* subscribed or queued; to subscribe; in the request in flight */
	bool sub_joined, sub_busy;
	uint64_t retry_at, next_keepalive;
};

static struct janus_sig *st(const struct lg_part *p) { return p->sig; }

static bool feeds_has(const struct feeds *f, json_int_t id)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i] == id)
			return true;
	return false;
}

static void feeds_add(struct feeds *f, json_int_t id)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		json_int_t *n = realloc(f->v, cap * sizeof *n);
		if (!n)
			return;
		f->v = n;
		f->cap = cap;
	}
	f->v[f->n++] = id;
}

static unsigned room_id(const struct lg_part *p) { return JANUS_ROOM_BASE + p->room; }

static void send_janus(struct lg_part *p, unsigned kind, json_t *m)
{
	struct janus_sig *s = st(p);
	char tx[32];
	snprintf(tx, sizeof tx, "%u-%u", kind, ++s->next_tx);
	json_object_set_new(m, "transaction", json_string(tx));
	if (s->session)
		json_object_set_new(m, "session_id", json_integer(s->session));
	if (kind != T_KEEPALIVE && kind != T_TRICKLE)
		s->inflight++;
	lg_ws_send_json(p, m);
}

static void send_message(struct lg_part *p, unsigned kind, json_int_t handle, json_t *body, const char *jsep_type,
                         const char *sdp)
{
	json_t *m = json_pack("{s:s, s:I, s:o}", "janus", "message", "handle_id", handle, "body", body);
	if (sdp)
		json_object_set_new(m, "jsep", json_pack("{s:s, s:s}", "type", jsep_type, "sdp", sdp));
	send_janus(p, kind, m);
}

static void trickle_done(struct lg_part *p, json_int_t handle)
{
	send_janus(p, T_TRICKLE, json_pack("{s:s, s:I, s:{s:b}}", "janus", "trickle", "handle_id", handle,
	                                   "candidate", "completed", 1));
}

static void j_open(struct lg_part *p)
{
	if (!p->sig && !(p->sig = calloc(1, sizeof(struct janus_sig)))) {
		lg_part_fail(p, "out of memory");
		return;
	}
	send_janus(p, T_SESSION, json_pack("{s:s}", "janus", "create"));
}

static void add_publishers(struct lg_part *p, json_t *list)
{
	struct janus_sig *s = st(p);
	size_t i;
	json_t *pub;
	json_array_foreach(list, i, pub) {
		json_t *id = json_object_get(pub, "id");
		if (!json_is_integer(id) || json_integer_value(id) == s->feed)
			continue;
		json_int_t f = json_integer_value(id);
		if (!feeds_has(&s->known, f)) {
			feeds_add(&s->known, f);
			feeds_add(&s->pending, f);
		}
	}
}

/* Subscribes to the queued feeds: the first time with join, later with subscribe. */
static void subscribe_pending(struct lg_part *p, uint64_t now)
{
	struct janus_sig *s = st(p);
	if (s->sub_busy || !s->pending.n || now < s->retry_at || !s->sub_handle || !s->private_id)
		return;
	json_t *streams = json_array();
	for (size_t i = 0; i < s->pending.n; i++) {
		json_t *want = json_pack("{s:I}", "feed", s->pending.v[i]);
		/* --camera-tile: the substream a tile of that size wants, as janus.js sets it per stream */
		if (p->lg->o.camera_tile)
			json_object_set_new(want, "substream", json_integer(lg_layer_for_tile(p->lg->o.camera_tile)));
		json_array_append_new(streams, want);
		feeds_add(&s->asked, s->pending.v[i]);
	}
	s->pending.n = 0;
	s->sub_busy = true;
	if (!s->sub_joined)
		send_message(p, T_JOIN_SUB, s->sub_handle,
		             json_pack("{s:s, s:s, s:i, s:I, s:o}", "request", "join", "ptype", "subscriber", "room",
		                       room_id(p), "private_id", s->private_id, "streams", streams), NULL, NULL);
	else
		send_message(p, T_SUBSCRIBE, s->sub_handle, json_pack("{s:s, s:o}", "request", "subscribe", "streams", streams),
		             NULL, NULL);
}

static void sub_offer(struct lg_part *p, const char *sdp)
{
	struct janus_sig *s = st(p);
	char *answer = NULL;
	if (lg_part_subscribe_offer(p, sdp, &answer) != 0)
		return;
	s->sub_busy = true;
	send_message(p, T_START, s->sub_handle, json_pack("{s:s}", "request", "start"), "answer", answer);
	trickle_done(p, s->sub_handle);
	free(answer);
}

static void on_plugin_data(struct lg_part *p, unsigned kind, json_int_t sender, json_t *data, json_t *jsep)
{
	struct janus_sig *s = st(p);
	const char *what = json_string_value(json_object_get(data, "videoroom"));
	json_t *err = json_object_get(data, "error_code");
	const char *sdp = jsep ? json_string_value(json_object_get(jsep, "sdp")) : NULL;
	const char *type = jsep ? json_string_value(json_object_get(jsep, "type")) : NULL;
	if (err) {
		json_int_t code = json_integer_value(err);
		if (kind == T_ROOM && code == ERR_ROOM_EXISTS) {
			what = "created";
		} else if (kind == T_JOIN_SUB || kind == T_SUBSCRIBE) {
			/* typically 428: a publisher not up yet; ask again shortly */
			for (size_t i = 0; i < s->asked.n; i++)
				feeds_add(&s->pending, s->asked.v[i]);
			s->asked.n = 0;
			s->sub_busy = false;
			s->retry_at = lg_now() + RETRY_US;
			lg_log(p->lg, LG_DBG, "%s: subscribe refused (%lld), retrying", p->name, (long long)code);
			return;
		} else {
			const char *msg = json_string_value(json_object_get(data, "error"));
			lg_part_fail(p, "janus error %lld: %s", (long long)code, msg ? msg : "?");
			return;
		}
	}
	if (kind == T_ROOM && what && strcmp(what, "created") == 0) {
		send_message(p, T_JOIN_PUB, s->pub_handle,
		             json_pack("{s:s, s:s, s:i, s:s}", "request", "join", "ptype", "publisher", "room", room_id(p),
		                       "display", p->name), NULL, NULL);
		return;
	}
	if (what && strcmp(what, "joined") == 0 && sender == s->pub_handle) {
		s->feed = json_integer_value(json_object_get(data, "id"));
		s->private_id = json_integer_value(json_object_get(data, "private_id"));
		lg_part_joined(p);
		add_publishers(p, json_object_get(data, "publishers"));
		char *offer = NULL;
		if (lg_part_publish_offer(p, &offer) != 0)
			return;
		if (offer) {
			send_message(p, T_CONFIGURE, s->pub_handle,
			             json_pack("{s:s, s:b, s:b}", "request", "configure", "audio", p->speaker,
			                       "video", p->camera || p->screen), "offer", offer);
			trickle_done(p, s->pub_handle);
			free(offer);
		}
		return;
	}
	if (sender == s->pub_handle) {
		if (sdp && type && strcmp(type, "answer") == 0)
			lg_part_publish_answer(p, sdp);
		json_t *pubs = json_object_get(data, "publishers");
		if (pubs)
			add_publishers(p, pubs);
		return;
	}
	if (sender == s->sub_handle) {
		if (what && (strcmp(what, "attached") == 0 || strcmp(what, "updated") == 0)) {
			s->sub_joined = true;
			s->asked.n = 0;
		}
		if (sdp && type && strcmp(type, "offer") == 0)
			sub_offer(p, sdp);
		else if (kind == T_START || (what && strcmp(what, "updated") == 0 && !sdp))
			s->sub_busy = false;
	}
}

static void j_message(struct lg_part *p, const char *text, size_t len)
{
	struct janus_sig *s = st(p);
	json_error_t jerr;
	json_t *m = json_loadb(text, len, 0, &jerr);
	if (!m || !s) {
		json_decref(m);
		lg_part_fail(p, "janus sent malformed JSON");
		return;
	}
	if (p->lg->o.verbose)
		lg_log(p->lg, LG_DBG, "%s <- %.300s", p->name, text);
	const char *janus = json_string_value(json_object_get(m, "janus"));
	const char *tx = json_string_value(json_object_get(m, "transaction"));
	unsigned kind = tx ? (unsigned)strtoul(tx, NULL, 10) : 0;
	if (!janus)
		goto out;
	if (strcmp(janus, "ack") == 0 || strcmp(janus, "webrtcup") == 0 || strcmp(janus, "media") == 0 ||
	    strcmp(janus, "slowlink") == 0 || strcmp(janus, "trickle") == 0)
		goto out;
	if (kind && kind != T_KEEPALIVE && kind != T_TRICKLE && s->inflight)
		s->inflight--;
	if (strcmp(janus, "error") == 0) {
		const char *reason = json_string_value(json_object_get(json_object_get(m, "error"), "reason"));
		lg_part_fail(p, "janus error: %s", reason ? reason : "?");
		goto out;
	}
	if (strcmp(janus, "hangup") == 0 || strcmp(janus, "detached") == 0) {
		if (!p->lg->done)
			lg_part_fail(p, "janus: %s", janus);
		goto out;
	}
	if (strcmp(janus, "success") == 0 && !json_object_get(m, "plugindata")) {
		json_int_t id = json_integer_value(json_object_get(json_object_get(m, "data"), "id"));
		if (kind == T_SESSION) {
			s->session = id;
			s->next_keepalive = lg_now() + KEEPALIVE_US;
			send_janus(p, T_ATTACH_PUB, json_pack("{s:s, s:s}", "janus", "attach", "plugin", "janus.plugin.videoroom"));
		} else if (kind == T_ATTACH_PUB) {
			s->pub_handle = id;
			send_janus(p, T_ATTACH_SUB, json_pack("{s:s, s:s}", "janus", "attach", "plugin", "janus.plugin.videoroom"));
		} else if (kind == T_ATTACH_SUB) {
			s->sub_handle = id;
			send_message(p, T_ROOM, s->pub_handle,
			             json_pack("{s:s, s:i, s:i, s:s, s:s, s:i, s:b, s:b}", "request", "create", "room", room_id(p),
			                       "publishers", 1000, "videocodec", "vp8", "audiocodec", "opus", "bitrate", 0,
			                       "notify_joining", 0, "permanent", 0), NULL, NULL);
		}
		goto out;
	}
	json_t *pd = json_object_get(m, "plugindata");
	if (pd) {
		json_int_t sender = json_integer_value(json_object_get(m, "sender"));
		on_plugin_data(p, kind, sender, json_object_get(pd, "data"), json_object_get(m, "jsep"));
	}
out:
	json_decref(m);
}

static void j_tick(struct lg_part *p, uint64_t now)
{
	struct janus_sig *s = st(p);
	if (!s || !s->session)
		return;
	if (now >= s->next_keepalive) {
		send_janus(p, T_KEEPALIVE, json_pack("{s:s}", "janus", "keepalive"));
		s->next_keepalive = now + KEEPALIVE_US;
	}
	subscribe_pending(p, now);
}

static bool j_settled(const struct lg_part *p)
{
	const struct janus_sig *s = st(p);
	return s && s->inflight == 0 && !s->sub_busy && s->pending.n == 0;
}

static void j_free(struct lg_part *p)
{
	struct janus_sig *s = st(p);
	if (s) {
		free(s->known.v);
		free(s->pending.v);
		free(s->asked.v);
	}
	free(s);
	p->sig = NULL;
}

const struct lg_sig_ops lg_sig_janus = {
	.name = "janus",
	.subprotocol = "janus-protocol",
	.rids_high_first = true,
	.open = j_open,
	.message = j_message,
	.tick = j_tick,
	.settled = j_settled,
	.free = j_free,
};
