/* sig_plenum: the load generator speaking plenum's signaling v1 (JSON over the "plenum.v1"
 * WebSocket): hello → join → publish(offer) → answer; subscribe_offer → subscribe_answer; the host's
 * streaming_start → stream_links (for WHEP viewers) and recording_start / recording_stop. */
#include <stdlib.h>
#include <string.h>

#include "lg.h"

enum { REQ_NONE, REQ_HELLO, REQ_JOIN, REQ_PUBLISH, REQ_SUB_ANSWER, REQ_PING, REQ_PREFS, REQ_STREAM_START, REQ_LINKS,
       REQ_REC_START, REQ_REC_STOP };

#define OUT_DELAY_US 1000000     /* the host starts streaming/recording this long after its media is up */
#define OUT_TRIES 10             /* no_media: nobody's media has arrived yet; tried again a second later */

struct plenum_sig {
	unsigned next_id;
	unsigned inflight;
	unsigned kinds[64];          /* request id % 64 → what it was */
	json_t *pending_offer;       /* a subscribe_offer that arrived while another was answered */
	bool answering;
	unsigned offers, answers_ok, answers_stale;
	uint64_t next_ping_us;
	char *tiles_sent;            /* the tiles of the last set_video_prefs, as JSON */
	json_t *tracks;              /* the tracks of the last subscribe offer */
	json_int_t focus_id;         /* --focus-check: this participant's camera is shown large (0: none) */
	unsigned layer_events;       /* publish_layers events received */
	/* room 0's host (its first participant): streaming and recording for --whep-viewers, --record */
	uint64_t out_at_us;
	bool stream_asked, rec_asked;
	unsigned out_tries;
};

static struct plenum_sig *st(const struct lg_part *p) { return p->sig; }

static void request(struct lg_part *p, unsigned kind, const char *method, json_t *params)
{
	struct plenum_sig *s = st(p);
	unsigned id = ++s->next_id;
	s->kinds[id % 64] = kind;
	s->inflight++;
	json_t *m = json_pack("{s:I, s:s, s:o}", "id", (json_int_t)id, "method", method,
	                      "params", params ? params : json_object());
	lg_ws_send_json(p, m);
}

static void pl_open(struct lg_part *p)
{
	if (!p->sig) {
		p->sig = calloc(1, sizeof(struct plenum_sig));
		if (!p->sig) {
			lg_part_fail(p, "out of memory");
			return;
		}
	}
	request(p, REQ_HELLO, "hello", json_pack("{s:i, s:s}", "version", 1, "client", "plenum-loadgen"));
}

/* With --camera-tile, tells the server each remote video's tile height, as the web client's
 * grid does after every change: cameras at the given height, screens shown large. */
static void report_tiles(struct lg_part *p, json_t *tracks)
{
	struct plenum_sig *s = st(p);
	unsigned cam = p->lg->o.camera_tile;
	if (!cam || !json_is_array(tracks))
		return;
	json_t *tiles = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(tracks, i, t) {
		const char *kind = json_string_value(json_object_get(t, "kind"));
		const char *source = json_string_value(json_object_get(t, "source"));
		json_t *id = json_object_get(t, "participant_id");
		if (!kind || strcmp(kind, "video") != 0 || !source || !json_is_integer(id) ||
		    !json_is_true(json_object_get(t, "active")))
			continue;
		bool screen = strcmp(source, "screen") == 0;
		bool focus = !screen && s->focus_id && json_integer_value(id) == s->focus_id;
		json_array_append_new(tiles, json_pack("{s:O, s:s, s:i}", "id", id, "source", source, "height",
		                                       screen || focus ? (focus ? 720 : 1080) : (int)cam));
	}
	char *text = json_dumps(tiles, JSON_COMPACT);
	if (text && (!s->tiles_sent || strcmp(text, s->tiles_sent) != 0)) {
		free(s->tiles_sent);
		s->tiles_sent = text;
		request(p, REQ_PREFS, "set_video_prefs", json_pack("{s:O}", "tiles", tiles));
	} else {
		free(text);
	}
	json_decref(tiles);
}

/* The publish offer's m-lines by source, as the web client labels them (mid = m-line index). */
static json_t *track_labels(const struct lg_part *p)
{
	json_t *tracks = json_array();
	const struct lg_pc *pc = p->pub;
	int last = -1;
	for (size_t i = 0; pc && i < pc->n_tx; i++) {
		const struct lg_tx *t = &pc->tx[i];
		if (t->mline == last)
			continue;   /* the other simulcast layers of the same m-line */
		last = t->mline;
		char mid[8];
		snprintf(mid, sizeof mid, "%u", t->mline);
		json_array_append_new(tracks, json_pack("{s:s, s:s}", "mid", mid, "source",
		                                        t->kind == LG_AUDIO ? "microphone" : t->screen ? "screen" : "camera"));
	}
	return tracks;
}

static void answer_offer(struct lg_part *p, json_t *data)
{
	struct plenum_sig *s = st(p);
	const char *sdp = json_string_value(json_object_get(data, "sdp"));
	json_t *ver = json_object_get(data, "version");
	if (!sdp || !json_is_integer(ver)) {
		lg_part_fail(p, "subscribe_offer without sdp or version");
		return;
	}
	s->offers++;
	char *answer = NULL;
	if (lg_part_subscribe_offer(p, sdp, &answer) != 0)
		return;
	s->answering = true;
	request(p, REQ_SUB_ANSWER, "subscribe_answer",
	        json_pack("{s:I, s:s}", "version", json_integer_value(ver), "sdp", answer));
	free(answer);
	json_t *tracks = json_object_get(data, "tracks");
	if (json_is_array(tracks)) {
		json_decref(s->tracks);
		s->tracks = json_incref(tracks);
	}
	report_tiles(p, tracks);
}

/* --focus-check: the first camera of the last offer is pinned, shown 720 px high. */
static bool pl_focus(struct lg_part *p)
{
	struct plenum_sig *s = st(p);
	if (!s || !s->tracks || !p->lg->o.camera_tile)
		return false;
	size_t i;
	json_t *t;
	json_array_foreach(s->tracks, i, t) {
		const char *kind = json_string_value(json_object_get(t, "kind"));
		const char *source = json_string_value(json_object_get(t, "source"));
		json_t *id = json_object_get(t, "participant_id");
		if (kind && strcmp(kind, "video") == 0 && source && strcmp(source, "camera") == 0 && json_is_integer(id) &&
		    json_is_true(json_object_get(t, "active"))) {
			s->focus_id = json_integer_value(id);
			report_tiles(p, s->tracks);
			lg_log(p->lg, LG_INFO, "%s pins participant %lld's camera: %s", p->name, (long long)s->focus_id,
			       s->tiles_sent ? s->tiles_sent : "");
			return true;
		}
	}
	return false;
}

/* publish_layers (data saver): the server says which simulcast layers of one published video
 * anybody receives; a browser sets encodings[i].active, the load generator stops or resumes the
 * rid's packets. A rid missing from "active" is left as it is. */
static void apply_layers(struct lg_part *p, json_t *data)
{
	struct plenum_sig *s = st(p);
	const char *mid = json_string_value(json_object_get(data, "mid"));
	json_t *active = json_object_get(data, "active");
	s->layer_events++;
	if (!mid || !json_is_object(active) || !p->pub || p->lg->o.ignore_layers)
		return;
	uint64_t now = lg_now();
	for (size_t i = 0; i < p->pub->n_tx; i++) {
		struct lg_tx *t = &p->pub->tx[i];
		json_t *a = t->rid[0] && strcmp(t->mid, mid) == 0 ? json_object_get(active, t->rid) : NULL;
		if (json_is_boolean(a))
			lg_media_tx_set_paused(p->pub, t, !json_is_true(a), now);
	}
}

/* The host's streaming_start / recording_start once its media flows; stream_links after a start. */
static void out_tick(struct lg_part *p, uint64_t now)
{
	struct plenum_sig *s = st(p);
	struct lg *lg = p->lg;
	if (p->global_index != 0 || !p->ready || lg->out_error[0] || (!lg->o.whep_viewers && !lg->o.record))
		return;
	if (!s->out_at_us)
		s->out_at_us = now + OUT_DELAY_US;
	if (now < s->out_at_us)
		return;
	if (lg->o.whep_viewers && !s->stream_asked) {
		s->stream_asked = true;
		request(p, REQ_STREAM_START, "streaming_start", NULL);
	}
	if (lg->o.record && !s->rec_asked) {
		s->rec_asked = true;
		request(p, REQ_REC_START, "recording_start", NULL);
	}
}

/* The results of those; false when the error was none of theirs (the participant fails). */
static bool out_result(struct lg_part *p, unsigned kind, json_t *result, const char *code, const char *msg)
{
	struct plenum_sig *s = st(p);
	struct lg *lg = p->lg;
	if (kind != REQ_STREAM_START && kind != REQ_LINKS && kind != REQ_REC_START && kind != REQ_REC_STOP)
		return false;
	static const char *const names[] = { [REQ_STREAM_START] = "streaming_start", [REQ_LINKS] = "stream_links",
	                                     [REQ_REC_START] = "recording_start", [REQ_REC_STOP] = "recording_stop" };
	if (code && strcmp(code, "no_media") == 0 && ++s->out_tries < OUT_TRIES) {
		s->out_at_us = lg_now() + OUT_DELAY_US;
		if (kind == REQ_STREAM_START)
			s->stream_asked = false;
		else
			s->rec_asked = false;
		return true;
	}
	if (code) {
		snprintf(lg->out_error, sizeof lg->out_error, "%s: %s %s", names[kind], code, msg ? msg : "");
		lg_log(lg, LG_ERR, "%s", lg->out_error);
		return true;
	}
	if (kind == REQ_STREAM_START) {
		lg->streaming = true;
		request(p, REQ_LINKS, "stream_links", NULL);
	} else if (kind == REQ_LINKS) {
		json_t *whep = json_object_get(result, "whep");
		lg_whep_set_link(lg, json_string_value(json_object_get(whep, "url")),
		                 json_string_value(json_object_get(whep, "token")));
	} else if (kind == REQ_REC_START) {
		lg->recording = true;
		lg->rec_start_unix = lg_unix_now();
	}
	return true;
}

/* After the window: the host stops its recording, so the server renders it while it still runs. */
static void pl_window_end(struct lg_part *p)
{
	if (!p->lg->recording || !st(p))
		return;
	p->lg->rec_stop_unix = lg_unix_now();
	request(p, REQ_REC_STOP, "recording_stop", NULL);
}

static void on_result(struct lg_part *p, unsigned kind, json_t *result, json_t *error)
{
	struct plenum_sig *s = st(p);
	if (out_result(p, kind, result, json_string_value(json_object_get(error, "code")),
	               json_string_value(json_object_get(error, "message")))) {
		kind = REQ_NONE;   /* handled; a queued offer may still be answered below */
		error = NULL;
	}
	if (error) {
		const char *code = json_string_value(json_object_get(error, "code"));
		const char *msg = json_string_value(json_object_get(error, "message"));
		if (kind == REQ_SUB_ANSWER && code && strcmp(code, "stale_answer") == 0) {
			s->answering = false;   /* a newer offer is on its way */
			s->answers_stale++;
		} else {
			lg_part_fail(p, "request %u failed: %s %s", kind, code ? code : "?", msg ? msg : "");
			return;
		}
	}
	switch (kind) {
	case REQ_HELLO: {
		char room[32];
		snprintf(room, sizeof room, "loadgen-%u", p->room);
		request(p, REQ_JOIN, "join", json_pack("{s:s, s:s}", "room", room, "name", p->name));
		break;
	}
	case REQ_JOIN: {
		lg_part_joined(p);
		char *offer = NULL;
		if (lg_part_publish_offer(p, &offer) != 0)
			return;
		if (offer) {
			request(p, REQ_PUBLISH, "publish", json_pack("{s:s, s:o}", "sdp", offer, "tracks", track_labels(p)));
			free(offer);
		}
		break;
	}
	case REQ_PUBLISH: {
		const char *sdp = json_string_value(json_object_get(result, "sdp"));
		if (!sdp) {
			lg_part_fail(p, "publish result without sdp");
			return;
		}
		lg_part_publish_answer(p, sdp);
		break;
	}
	case REQ_SUB_ANSWER:
		s->answering = false;
		if (!error)
			s->answers_ok++;
		break;
	default:
		break;
	}
	if (!s->answering && s->pending_offer) {
		json_t *d = s->pending_offer;
		s->pending_offer = NULL;
		answer_offer(p, d);
		json_decref(d);
	}
}

static void pl_message(struct lg_part *p, const char *text, size_t len)
{
	struct plenum_sig *s = st(p);
	json_error_t jerr;
	json_t *m = json_loadb(text, len, 0, &jerr);
	if (!m) {
		lg_part_fail(p, "server sent malformed JSON");
		return;
	}
	if (p->lg->o.verbose)
		lg_log(p->lg, LG_DBG, "%s <- %.300s", p->name, text);
	const char *ev = json_string_value(json_object_get(m, "event"));
	if (ev) {
		json_t *data = json_object_get(m, "data");
		if (strcmp(ev, "subscribe_offer") == 0 && data) {
			if (s->answering || s->inflight > 0) {
				/* newer offers supersede older ones */
				json_decref(s->pending_offer);
				s->pending_offer = json_incref(data);
			} else {
				answer_offer(p, data);
			}
		} else if (strcmp(ev, "publish_layers") == 0 && data) {
			apply_layers(p, data);
		} else if (strcmp(ev, "dropped") == 0) {
			lg_part_fail(p, "dropped by the server");
		}
		json_decref(m);
		return;
	}
	json_t *id = json_object_get(m, "id");
	if (json_is_integer(id)) {
		unsigned kind = s->kinds[json_integer_value(id) % 64];
		if (s->inflight)
			s->inflight--;
		on_result(p, kind, json_object_get(m, "result"), json_object_get(m, "error"));
	}
	json_decref(m);
}

static void pl_tick(struct lg_part *p, uint64_t now)
{
	struct plenum_sig *s = st(p);
	if (!s)
		return;
	if (!s->next_ping_us)
		s->next_ping_us = now + 20000000;
	if (now >= s->next_ping_us && p->joined) {
		request(p, REQ_PING, "ping", NULL);
		s->next_ping_us = now + 20000000;
	}
	out_tick(p, now);
}

static bool pl_settled(const struct lg_part *p)
{
	const struct plenum_sig *s = st(p);
	return s && s->inflight == 0 && !s->answering && !s->pending_offer;
}

static void pl_describe(const struct lg_part *p, char *out, size_t cap)
{
	const struct plenum_sig *s = st(p);
	if (s)
		snprintf(out, cap, "offers %u, answers accepted %u, stale %u, in flight %u%s%s", s->offers, s->answers_ok,
		         s->answers_stale, s->inflight, s->answering ? ", answering" : "", s->pending_offer ? ", offer queued" : "");
}

static void pl_free(struct lg_part *p)
{
	struct plenum_sig *s = st(p);
	if (s) {
		json_decref(s->pending_offer);
		json_decref(s->tracks);
		free(s->tiles_sent);
	}
	free(s);
	p->sig = NULL;
}

const struct lg_sig_ops lg_sig_plenum = {
	.name = "plenum",
	.subprotocol = "plenum.v1",
	.open = pl_open,
	.message = pl_message,
	.tick = pl_tick,
	.settled = pl_settled,
	.free = pl_free,
	.describe = pl_describe,
	.focus = pl_focus,
	.window_end = pl_window_end,
};
