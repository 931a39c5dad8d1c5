/* whip: WebRTC-HTTP Ingestion (RFC 9725) — POST /whip/<room> with an SDP offer and a stream token
 * makes the encoder a participant of the meeting (a headless protocol connection), DELETE ends it. */
#include "signal/whip.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/util.h"
#include "meet/meet.h"
#include "sfu/sfu.h"
#include "signal/signal_tenant.h"
#include "signal/stream_token.h"
#include "signal/wish.h"

static const char *const reason_names[WHIP_REFUSED_COUNT] = {
	[WHIP_REFUSED_TOKEN] = "token", [WHIP_REFUSED_NO_MEETING] = "no_meeting", [WHIP_REFUSED_TOO_LARGE] = "too_large",
	[WHIP_REFUSED_TYPE] = "media_type", [WHIP_REFUSED_SDP] = "sdp", [WHIP_REFUSED_RATE] = "rate",
	[WHIP_REFUSED_ROOM_BUDGET] = "room_budget", [WHIP_REFUSED_SERVER_BUDGET] = "server_budget",
	[WHIP_REFUSED_ROOM_FULL] = "room_full", [WHIP_REFUSED_E2EE] = "e2ee",
};

/* POSTs per client address group: 10 at once, then one per 6 s */
static const struct meet_limit limit_post = { 10, 60000000u };

struct whip_session {
	struct whip_session *next;
	struct proto_conn *conn;
	char id[WISH_ID_HEX + 1];
	char room_key[MEET_ROOM_KEY_MAX + 1];
	json_t *reply;                     /* the response to the request just sent */
	char code[32];                     /* the error code of the last refused request */
	int next_req;
};

/* The headless connection's transport: keeps the response of the request being made; events
 * (the others' tracks offered to it, joins, chat) are not for an encoder, which receives nothing. */
static int session_send(void *arg, const char *text, size_t len)
{
	struct whip_session *w = arg;
	json_t *msg = json_loadb(text, len, 0, NULL);
	if (msg && json_object_get(msg, "id") && !json_is_null(json_object_get(msg, "id"))) {
		json_decref(w->reply);
		w->reply = msg;
		return 0;
	}
	json_decref(msg);
	return 0;
}

/* One request through the meeting's protocol; the result (a new reference), or NULL with *code
 * set to the error's code. */
static json_t *request(struct whip_session *w, const char *method, json_t *params, const char **code)
{
	json_t *msg = json_pack("{s:i, s:s, s:o}", "id", ++w->next_req, "method", method, "params", params);
	char *text = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
	json_decref(msg);
	*code = "internal_error";
	if (!text)
		return NULL;
	proto_conn_receive(w->conn, text, strlen(text));
	free(text);
	json_t *reply = w->reply, *result = NULL;
	w->reply = NULL;
	if (reply && (result = json_object_get(reply, "result")) != NULL)
		json_incref(result);
	else if (reply) {
		const char *c = json_string_value(json_object_get(json_object_get(reply, "error"), "code"));
		snprintf(w->code, sizeof w->code, "%s", c ? c : "internal_error");
		*code = w->code;
	}
	json_decref(reply);
	return result;
}

static void session_free(struct signal *s, struct whip_session *w)
{
	proto_conn_free(w->conn);   /* leaves the meeting: the others see participant_left */
	json_decref(w->reply);
	free(w);
	s->whip.n_sessions--;
}

static void session_unlink(struct signal *s, struct whip_session *w)
{
	for (struct whip_session **pp = &s->whip.sessions; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			return;
		}
}

void signal_whip_sweep(struct signal *s)
{
	/* removed by a host, the meeting ended, the media timed out: the resource is gone */
	for (struct whip_session **pp = &s->whip.sessions; *pp;) {
		struct whip_session *w = *pp;
		if (proto_conn_joined(w->conn)) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		log_info("signal", "WHIP resource ended: its participant left the meeting");
		session_free(s, w);
	}
}

void signal_whip_free(struct signal *s)
{
	while (s->whip.sessions) {
		struct whip_session *w = s->whip.sessions;
		s->whip.sessions = w->next;
		session_free(s, w);
	}
	free(s->whip.buckets);
	s->whip.buckets = NULL;
}

int signal_whip_init(struct signal *s)
{
	s->whip.buckets = calloc(WHIP_BUCKETS, sizeof *s->whip.buckets);
	if (!s->whip.buckets || util_random(s->whip.salt, sizeof s->whip.salt) != 0)
		return ENOMEM;
	s->whip.log.per_sec = 1;
	return 0;
}

size_t signal_whip_metrics(const struct signal *s, char *out, size_t cap)
{
	int n = snprintf(out, cap,
	                 "# HELP plenum_whip_sessions WHIP encoders publishing into meetings now\n"
	                 "# TYPE plenum_whip_sessions gauge\nplenum_whip_sessions %u\n"
	                 "# HELP plenum_whip_refused_total WHIP requests refused, by reason\n"
	                 "# TYPE plenum_whip_refused_total counter\n", s->whip.n_sessions);
	if (n < 0 || (size_t)n >= cap)
		return 0;
	size_t len = (size_t)n;
	for (int r = 0; r < WHIP_REFUSED_COUNT; r++) {
		n = snprintf(out + len, cap - len, "plenum_whip_refused_total{reason=\"%s\"} %llu\n", reason_names[r],
		             (unsigned long long)s->whip.refused[r]);
		if (n < 0 || (size_t)n >= cap - len)
			return len;
		len += (size_t)n;
	}
	return len;
}

/* ---- HTTP ---- */

static int reply_text(struct lws *wsi, struct signal_pss *pss, unsigned status, const char *text,
                      const char *const *headers)
{
	return wish_text(wsi, pss, status, "text/plain; charset=utf-8", text, headers, NULL);
}

static int refuse(struct signal *s, struct lws *wsi, struct signal_pss *pss, enum whip_refused why, unsigned status,
                  const char *text)
{
	static const char *const bearer[] = { "www-authenticate:", "Bearer realm=\"plenum\"", NULL };
	s->whip.refused[why]++;
	if (log_limit_allow(&s->whip.log, clock_mono_us()))
		log_info("signal", "WHIP request refused: %s", reason_names[why]);
	return reply_text(wsi, pss, status, text, status == 401 ? bearer : NULL);
}

static struct whip_session *find(struct signal *s, const char *room_key, const char *id)
{
	for (struct whip_session *w = s->whip.sessions; w; w = w->next)
		if (strcmp(w->room_key, room_key) == 0 && util_ct_equal(w->id, id, WISH_ID_HEX))
			return w;
	return NULL;
}

static unsigned room_sessions(const struct signal *s, const char *room_key)
{
	unsigned n = 0;
	for (const struct whip_session *w = s->whip.sessions; w; w = w->next)
		n += strcmp(w->room_key, room_key) == 0 && proto_conn_joined(w->conn);
	return n;
}

/* The client's address group's POST budget (IPv6 by /64); addresses share a slot now and then. */
static bool post_allowed(struct signal *s, struct lws *wsi)
{
	struct signal_client c;
	uint8_t addr[16] = { 0 };
	if (signal_client_get(s, wsi, &c) == 0)
		memcpy(addr, c.addr, c.family == AF_INET6 ? 8 : 4);
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < sizeof s->whip.salt; i++)
		h = (h ^ s->whip.salt[i]) * 1099511628211ull;
	for (size_t i = 0; i < sizeof addr; i++)
		h = (h ^ addr[i]) * 1099511628211ull;
	return meet_bucket_take(&s->whip.buckets[h % WHIP_BUCKETS], &limit_post, clock_mono_us(), NULL);
}

static unsigned status_of(const char *code, enum whip_refused *why)
{
	*why = WHIP_REFUSED_SDP;
	if (!code)
		return 500;
	if (strcmp(code, "not_found") == 0) {
		*why = WHIP_REFUSED_NO_MEETING;
		return 404;
	}
	if (strcmp(code, "room_full") == 0 || strcmp(code, "rooms_full") == 0) {
		*why = WHIP_REFUSED_ROOM_FULL;
		return 503;
	}
	if (strcmp(code, "e2ee_required") == 0) {
		*why = WHIP_REFUSED_E2EE;   /* the meeting turned encrypted while the encoder knocked */
		return 403;
	}
	if (strcmp(code, "rate_limited") == 0) {
		*why = WHIP_REFUSED_RATE;
		return 429;
	}
	/* anything else the meeting said no to is the offer's fault (codecs, no media, malformed) */
	return strcmp(code, "internal_error") == 0 ? 500 : 400;
}

/* hello, join (admitted by the token: no lobby, no password), publish, media state unmuted. */
static int session_start(struct signal *s, struct lws *wsi, struct whip_session *w, const char *room,
                         const char *name, const char *sdp, char **answer, const char **code)
{
	json_t *res = request(w, "hello", json_pack("{s:i, s:s}", "version", PROTO_VERSION, "client", "whip"), code);
	if (!res)
		return -1;
	json_decref(res);
	if (!(res = request(w, "join", json_pack("{s:s, s:s, s:b}", "room", room, "name", name, "camera", 1), code)))
		return -1;
	bool waiting = json_is_true(json_object_get(res, "waiting"));
	json_decref(res);
	if (waiting) {
		*code = "internal_error";
		return -1;
	}
	if (!(res = request(w, "publish", json_pack("{s:s}", "sdp", sdp), code)))
		return -1;
	const char *a = json_string_value(json_object_get(res, "sdp"));
	*answer = a ? strdup(a) : NULL;
	json_decref(res);
	if (!*answer)
		return -1;
	res = request(w, "media_state", json_pack("{s:b, s:b}", "audio_muted", 0, "video_muted", 0), code);
	json_decref(res);
	return 0;
}

static int post(struct signal *s, struct lws *wsi, struct signal_pss *pss, const struct wish_path *p,
                const char *sdp)
{
	char name[SIGNAL_STREAM_NAME_MAX + 1];
	if (!wish_token_ok(s, wsi, SIGNAL_STREAM_WHIP, p->key, name))
		return refuse(s, wsi, pss, WHIP_REFUSED_TOKEN, 401, "a valid WHIP token of this room is needed\n");
	if (proto_e2ee_room(s->proto, p->key))
		return refuse(s, wsi, pss, WHIP_REFUSED_E2EE, 403, WISH_E2EE_TEXT);
	if (s->whip.n_sessions >= WHIP_SERVER_MAX)
		return refuse(s, wsi, pss, WHIP_REFUSED_SERVER_BUDGET, 429, "too many WHIP encoders on this server\n");
	if (room_sessions(s, p->key) >= WHIP_ROOM_MAX)
		return refuse(s, wsi, pss, WHIP_REFUSED_ROOM_BUDGET, 429, "too many WHIP encoders in this meeting\n");
	struct whip_session *w = calloc(1, sizeof *w);
	if (!w || wish_random_id(w->id) != 0 || proto_conn_new(&w->conn, s->proto, session_send, w) != 0) {
		free(w);
		return reply_text(wsi, pss, 500, "internal error\n", NULL);
	}
	snprintf(w->room_key, sizeof w->room_key, "%s", p->key);
	struct signal_tenant *t = signal_tenant_for(s, wsi);
	if (t)
		proto_conn_set_tenant(w->conn, t->proto);
	char peer[64] = "";
	struct signal_client client;
	if (signal_client_get(s, wsi, &client) == 0)
		signal_addr_text(client.family, client.addr, peer, sizeof peer);
	proto_conn_set_peer(w->conn, peer);
	proto_conn_set_admitted(w->conn, p->key);
	w->next = s->whip.sessions;
	s->whip.sessions = w;
	s->whip.n_sessions++;
	char *answer = NULL;
	const char *code = NULL;
	if (session_start(s, wsi, w, p->room, name, sdp, &answer, &code) != 0) {
		char failed[sizeof w->code];
		snprintf(failed, sizeof failed, "%s", code ? code : "internal_error");
		code = failed;
		session_unlink(s, w);
		session_free(s, w);
		enum whip_refused why;
		unsigned status = status_of(code, &why);
		if (log_limit_allow(&s->whip.log, clock_mono_us()))
			log_info("signal", "WHIP encoder not admitted: %s", code);
		if (status == 500)
			return reply_text(wsi, pss, 500, "internal error\n", NULL);
		return refuse(s, wsi, pss, why, status, status == 404 ? "no meeting is open in this room\n"
		                                        : status == 503 ? "the meeting is full\n"
		                                        : status == 429 ? "too many requests\n"
		                                        : status == 403 ? WISH_E2EE_TEXT
		                                                        : "the offer was refused\n");
	}
	char location[sizeof SIGNAL_WHIP_PREFIX + SFU_ROOM_NAME_MAX + WISH_ID_HEX + 2];
	snprintf(location, sizeof location, SIGNAL_WHIP_PREFIX "%s/%s", p->room, w->id);
	const char *const headers[] = { "location:", location, NULL };
	log_info("signal", "WHIP encoder joined a meeting (%u WHIP resources)", s->whip.n_sessions);
	return wish_reply(wsi, pss, 201, WISH_SDP_TYPE, answer, headers, NULL);
}

static int delete(struct signal *s, struct lws *wsi, struct signal_pss *pss, const struct wish_path *p)
{
	struct whip_session *w = find(s, p->key, p->id);
	if (!w || !proto_conn_joined(w->conn))
		return reply_text(wsi, pss, 404, "no such WHIP resource\n", NULL);
	session_unlink(s, w);
	session_free(s, w);
	log_info("signal", "WHIP resource deleted (%u left)", s->whip.n_sessions);
	return reply_text(wsi, pss, 200, "ended\n", NULL);
}

int signal_whip_request(struct signal *s, struct lws *wsi, struct signal_pss *pss, struct signal_tenant *t,
                        const char *rest)
{
	struct wish_path p;
	static const char *const allow_resource[] = { "allow:", "DELETE, OPTIONS, PATCH", NULL };
	static const char *const allow_endpoint[] = { "allow:", "POST, OPTIONS", "accept-post:", WISH_SDP_TYPE, NULL };
	if (wish_path_parse(t, rest, &p) != 0)
		return reply_text(wsi, pss, 404, "not found\n", NULL);
	const char *const *allow = p.id[0] ? allow_resource : allow_endpoint;
	if (wish_method(wsi, WSI_TOKEN_OPTIONS_URI))
		return signal_http_reply(wsi, pss, 204, "text/plain", NULL, 0, allow);
	if (wish_method(wsi, WSI_TOKEN_DELETE_URI))
		return p.id[0] ? delete(s, wsi, pss, &p) : reply_text(wsi, pss, 405, "method not allowed\n", allow);
	bool is_post = wish_method(wsi, WSI_TOKEN_POST_URI), is_patch = wish_method(wsi, WSI_TOKEN_PATCH_URI);
	if (!is_post && !is_patch)
		return reply_text(wsi, pss, 405, "method not allowed\n", allow);
	/* PATCH (trickle ICE, ICE restart): plenum is ICE-lite and has every candidate in its answer */
	if (is_patch || p.id[0])
		return reply_text(wsi, pss, 405, "trickle ICE and ICE restarts are not supported\n", allow);
	if (!post_allowed(s, wsi))
		return refuse(s, wsi, pss, WHIP_REFUSED_RATE, 429, "too many WHIP requests from this address\n");
	if (!wish_sdp_type(wsi))
		return refuse(s, wsi, pss, WHIP_REFUSED_TYPE, 415, "the offer must be application/sdp\n");
	unsigned long long n = wish_content_length(wsi);
	if (n > WISH_BODY_MAX)
		return refuse(s, wsi, pss, WHIP_REFUSED_TOO_LARGE, 413, "the offer is larger than 64 KiB\n");
	if (n == 0)
		return refuse(s, wsi, pss, WHIP_REFUSED_SDP, 400, "an SDP offer with a Content-Length is needed\n");
	wish_body_start(&pss->offer, WISH_WHIP, &p, (size_t)n);
	return 0;   /* the offer follows: signal_whip_offer once it is read */
}

int signal_whip_offer(struct signal *s, struct lws *wsi, struct signal_pss *pss)
{
	const struct wish_body *b = &pss->offer;
	int r;
	if (b->too_big)   /* more than its Content-Length said */
		r = refuse(s, wsi, pss, WHIP_REFUSED_TOO_LARGE, 413, "the offer is larger than 64 KiB\n");
	else if (memchr(wish_body_text(b), '\0', b->len))
		r = refuse(s, wsi, pss, WHIP_REFUSED_SDP, 400, "the offer is not text\n");
	else
		r = post(s, wsi, pss, &b->path, wish_body_text(b));
	wish_body_free(&pss->offer);
	return r;
}
