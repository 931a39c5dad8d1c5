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

#define ID_HEX 32                          /* characters of a resource id: 128 random bits */
#define SDP_TYPE "application/sdp"

static const char *const reason_names[WHIP_REFUSED_COUNT] = {
	[WHIP_REFUSED_TOKEN] = "token", [WHIP_REFUSED_NO_MEETING] = "no_meeting", [WHIP_REFUSED_TOO_LARGE] = "too_large",
	[WHIP_REFUSED_TYPE] = "media_type", [WHIP_REFUSED_SDP] = "sdp", [WHIP_REFUSED_RATE] = "rate",
	[WHIP_REFUSED_ROOM_BUDGET] = "room_budget", [WHIP_REFUSED_SERVER_BUDGET] = "server_budget",
	[WHIP_REFUSED_ROOM_FULL] = "room_full",
};

/* POSTs per client address group: 10 at once, then one per 6 s */
static const struct meet_limit limit_post = { 10, 60000000u };

struct whip_session {
	struct whip_session *next;
	struct proto_conn *conn;
	char id[ID_HEX + 1];
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
	size_t len = strlen(text);
	char *body = malloc(len + 1);
	if (!body)
		return 1;
	memcpy(body, text, len + 1);
	return signal_http_reply(wsi, pss, status, "text/plain; charset=utf-8", body, len, headers);
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

/* "<room>" or "<room>/<id>" after "/whip/": the room's canonical name and the id (or ""). */
static int parse_path(const char *path, char room[SFU_ROOM_NAME_MAX + 1], char id[ID_HEX + 1])
{
	const char *p = path + strlen(SIGNAL_WHIP_PREFIX), *slash = strchr(p, '/');
	size_t n = slash ? (size_t)(slash - p) : strlen(p);
	char raw[SFU_ROOM_NAME_MAX + 1];
	if (n == 0 || n > SFU_ROOM_NAME_MAX)
		return -1;
	memcpy(raw, p, n);
	raw[n] = '\0';
	if (sfu_room_name_normalize(raw, room) != 0)
		return -1;
	id[0] = '\0';
	if (!slash)
		return 0;
	if (strlen(slash + 1) != ID_HEX || strchr(slash + 1, '/'))
		return -1;
	memcpy(id, slash + 1, ID_HEX + 1);
	return 0;
}

/* An unguessable resource id: 128 random bits in hex. */
static int random_id(char out[ID_HEX + 1])
{
	uint8_t raw[ID_HEX / 2];
	int err = util_random(raw, sizeof raw);
	for (size_t i = 0; !err && i < sizeof raw; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return err;
}

static struct whip_session *find(struct signal *s, const char *room_key, const char *id)
{
	for (struct whip_session *w = s->whip.sessions; w; w = w->next)
		if (strcmp(w->room_key, room_key) == 0 && util_ct_equal(w->id, id, ID_HEX))
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
static bool post_allowed(struct signal *s, struct lws *wsi, uint64_t *retry)
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
	return meet_bucket_take(&s->whip.buckets[h % WHIP_BUCKETS], &limit_post, clock_mono_us(), retry);
}

static const char *header(struct lws *wsi, enum lws_token_indexes h, char *buf, int cap)
{
	if (lws_hdr_total_length(wsi, h) <= 0 || lws_hdr_copy(wsi, buf, cap, h) < 0)
		return NULL;
	return buf;
}

/* The room key of the request: the tenant of its Host, the room of its path. */
static int room_key_of(struct signal *s, struct lws *wsi, const char *room, char key[MEET_ROOM_KEY_MAX + 1])
{
	struct signal_tenant *t = signal_tenant_for(s, wsi);
	if (!t)
		return -1;
	snprintf(key, MEET_ROOM_KEY_MAX + 1, "%s/%s", t->id, room);
	return 0;
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

static bool sdp_type(struct lws *wsi)
{
	char type[128];
	if (!header(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, type, sizeof type))
		return false;
	size_t n = strcspn(type, ";");
	while (n && type[n - 1] == ' ')
		n--;
	return n == strlen(SDP_TYPE) && strncasecmp(type, SDP_TYPE, n) == 0;
}

/* The bearer token of Authorization (RFC 6750 §2.1), or NULL. */
static const char *bearer(struct lws *wsi, char *buf, int cap, size_t *len)
{
	if (!header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION, buf, cap) || strncasecmp(buf, "Bearer ", 7) != 0)
		return NULL;
	const char *t = buf + 7;
	while (*t == ' ')
		t++;
	*len = strlen(t);
	return *len ? t : NULL;
}

static int post(struct signal *s, struct lws *wsi, struct signal_pss *pss, const char *room)
{
	char key[MEET_ROOM_KEY_MAX + 1], name[SIGNAL_STREAM_NAME_MAX + 1], auth[SIGNAL_STREAM_TOKEN_MAX + 16];
	size_t tlen = 0;
	const char *token = bearer(wsi, auth, sizeof auth, &tlen);
	if (room_key_of(s, wsi, room, key) != 0)
		return refuse(s, wsi, pss, WHIP_REFUSED_NO_MEETING, 404, "no such meeting\n");
	if (!token || signal_stream_token_check(s, token, tlen, SIGNAL_STREAM_WHIP, key, name) != 0)
		return refuse(s, wsi, pss, WHIP_REFUSED_TOKEN, 401, "a valid WHIP token of this room is needed\n");
	explicit_bzero(auth, sizeof auth);
	if (s->whip.n_sessions >= WHIP_SERVER_MAX)
		return refuse(s, wsi, pss, WHIP_REFUSED_SERVER_BUDGET, 429, "too many WHIP encoders on this server\n");
	if (room_sessions(s, key) >= WHIP_ROOM_MAX)
		return refuse(s, wsi, pss, WHIP_REFUSED_ROOM_BUDGET, 429, "too many WHIP encoders in this meeting\n");
	struct whip_session *w = calloc(1, sizeof *w);
	if (!w || random_id(w->id) != 0 || proto_conn_new(&w->conn, s->proto, session_send, w) != 0) {
		free(w);
		return reply_text(wsi, pss, 500, "internal error\n", NULL);
	}
	snprintf(w->room_key, sizeof w->room_key, "%s", key);
	struct signal_tenant *t = signal_tenant_for(s, wsi);
	if (t)
		proto_conn_set_tenant(w->conn, t->proto);
	char peer[64] = "";
	struct signal_client client;
	if (signal_client_get(s, wsi, &client) == 0)
		signal_addr_text(client.family, client.addr, peer, sizeof peer);
	proto_conn_set_peer(w->conn, peer);
	proto_conn_set_admitted(w->conn, key);
	w->next = s->whip.sessions;
	s->whip.sessions = w;
	s->whip.n_sessions++;
	char *answer = NULL;
	const char *code = NULL;
	pss->req_body[pss->req_len] = '\0';
	if (session_start(s, wsi, w, room, name, pss->req_body, &answer, &code) != 0) {
		char failed[sizeof w->code];
		snprintf(failed, sizeof failed, "%s", code ? code : "internal_error");
		code = failed;
		session_unlink(s, w);
		session_free(s, w);
		enum whip_refused why;
		unsigned status = status_of(code, &why);
		if (log_limit_allow(&s->whip.log, clock_mono_us()))
			log_info("signal", "WHIP encoder not admitted: %s", code ? code : "no answer");
		if (status == 500)
			return reply_text(wsi, pss, 500, "internal error\n", NULL);
		return refuse(s, wsi, pss, why, status, status == 404 ? "no meeting is open in this room\n"
		                                        : status == 503 ? "the meeting is full\n"
		                                        : status == 429 ? "too many requests\n"
		                                                        : "the offer was refused\n");
	}
	char location[sizeof SIGNAL_WHIP_PREFIX + SFU_ROOM_NAME_MAX + ID_HEX + 2];
	snprintf(location, sizeof location, SIGNAL_WHIP_PREFIX "%s/%s", room, w->id);
	const char *const headers[] = { "location:", location, NULL };
	log_info("signal", "WHIP encoder joined a meeting (%u WHIP resources)", s->whip.n_sessions);
	return signal_http_reply(wsi, pss, 201, SDP_TYPE, answer, strlen(answer), headers);
}

static int delete(struct signal *s, struct lws *wsi, struct signal_pss *pss, const char *room, const char *id)
{
	char key[MEET_ROOM_KEY_MAX + 1];
	struct whip_session *w = id[0] && room_key_of(s, wsi, room, key) == 0 ? find(s, key, id) : NULL;
	if (!w || !proto_conn_joined(w->conn))
		return reply_text(wsi, pss, 404, "no such WHIP resource\n", NULL);
	session_unlink(s, w);
	session_free(s, w);
	log_info("signal", "WHIP resource deleted (%u left)", s->whip.n_sessions);
	return reply_text(wsi, pss, 200, "ended\n", NULL);
}

static bool method(struct lws *wsi, enum lws_token_indexes t)
{
	return lws_hdr_total_length(wsi, t) > 0;
}

int signal_whip_http(struct signal *s, struct lws *wsi, struct signal_pss *pss, const char *path)
{
	char room[SFU_ROOM_NAME_MAX + 1], id[ID_HEX + 1];
	static const char *const allow_resource[] = { "allow:", "DELETE, OPTIONS, PATCH", NULL };
	static const char *const allow_endpoint[] = { "allow:", "POST, OPTIONS", "accept-post:", SDP_TYPE, NULL };
	pss->whip_post = false;
	if (parse_path(path, room, id) != 0)
		return reply_text(wsi, pss, 404, "not found\n", NULL);
	if (method(wsi, WSI_TOKEN_OPTIONS_URI))
		return signal_http_reply(wsi, pss, 204, "text/plain", NULL, 0, id[0] ? allow_resource : allow_endpoint);
	if (method(wsi, WSI_TOKEN_DELETE_URI))
		return id[0] ? delete(s, wsi, pss, room, id) : reply_text(wsi, pss, 405, "method not allowed\n", allow_endpoint);
	bool is_post = method(wsi, WSI_TOKEN_POST_URI), is_patch = method(wsi, WSI_TOKEN_PATCH_URI);
	if (!is_post && !is_patch)
		return reply_text(wsi, pss, 405, "method not allowed\n", id[0] ? allow_resource : allow_endpoint);
	/* PATCH (trickle ICE, ICE restart): plenum is ICE-lite and has every candidate in its answer */
	if (is_patch || id[0])
		return reply_text(wsi, pss, 405, "trickle ICE and ICE restarts are not supported\n",
		                  id[0] ? allow_resource : allow_endpoint);
	uint64_t retry = 0;
	if (!post_allowed(s, wsi, &retry))
		return refuse(s, wsi, pss, WHIP_REFUSED_RATE, 429, "too many WHIP requests from this address\n");
	if (!sdp_type(wsi))
		return refuse(s, wsi, pss, WHIP_REFUSED_TYPE, 415, "the offer must be application/sdp\n");
	char cl[32];
	unsigned long long n = header(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, cl, sizeof cl) ? strtoull(cl, NULL, 10) : 0;
	if (n > WHIP_BODY_MAX)
		return refuse(s, wsi, pss, WHIP_REFUSED_TOO_LARGE, 413, "the offer is larger than 64 KiB\n");
	if (n == 0)
		return refuse(s, wsi, pss, WHIP_REFUSED_SDP, 400, "an SDP offer with a Content-Length is needed\n");
	free(pss->req_body);
	if (!(pss->req_body = malloc((size_t)n + 1)))
		return 1;
	pss->req_len = 0;
	pss->req_cap = (size_t)n;
	pss->whip_post = true;
	snprintf(pss->req_room, sizeof pss->req_room, "%s", room);
	return 0;   /* the body follows: signal_whip_body, then signal_whip_body_done */
}

int signal_whip_body(struct signal *s, struct lws *wsi, struct signal_pss *pss, const void *in, size_t len)
{
	if (!pss->whip_post || !pss->req_body)
		return 0;
	if (len > pss->req_cap - pss->req_len) {
		/* more than Content-Length said (or than 64 KiB): refused, and the connection closes */
		pss->whip_post = false;
		s->whip.refused[WHIP_REFUSED_TOO_LARGE]++;
		return -1;
	}
	memcpy(pss->req_body + pss->req_len, in, len);
	pss->req_len += len;
	return 0;
}

int signal_whip_body_done(struct signal *s, struct lws *wsi, struct signal_pss *pss)
{
	if (!pss->whip_post || !pss->req_body)
		return 0;
	pss->whip_post = false;
	int r;
	if (memchr(pss->req_body, '\0', pss->req_len))
		r = refuse(s, wsi, pss, WHIP_REFUSED_SDP, 400, "the offer is not text\n");
	else
		r = post(s, wsi, pss, pss->req_room);
	free(pss->req_body);
	pss->req_body = NULL;
	return r;
}
