/* test_signal: the signaling protocol v1 through the transport-free proto layer — hello, framing
 * and id errors, method validation, join/leave with the real sfu, event order and shapes. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "sfu/sfu.h"
#include "signal/errors.h"
#include "signal/proto_int.h"
#include "signal/protocol.h"

#define MAX_SENT 64

/* A fake transport: every message the connection sends, parsed. */
struct wire {
	json_t *msg[MAX_SENT];
	int n;
	int read;            /* messages already consumed by next() */
};

struct client {
	struct proto_conn *c;
	struct wire w;
	int next_id;
};

static uv_loop_t loop;
static struct sfu *sfu;
static struct proto_stats stats;
static struct proto_server *srv;
static uint64_t fake_now = 1000000000ull;   /* the rate limits' clock, driven by the tests */

static uint64_t fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}
static const struct clock_src test_clock = { fake_clock, NULL };

static int wire_send(void *arg, const char *text, size_t len)
{
	struct wire *w = arg;
	json_error_t err;
	json_t *m = json_loadb(text, len, 0, &err);
	ck_assert_msg(m != NULL, "server sent invalid JSON: %.*s", (int)len, text);
	ck_assert_int_lt(w->n, MAX_SENT);
	w->msg[w->n++] = m;
	return 0;
}

static void setup(void)
{
	ck_assert_int_eq(uv_loop_init(&loop), 0);
	struct sfu_config cfg = { .public_ip = "127.0.0.1", .bind_ip = "127.0.0.1", .media_port = 0,
	                          .max_room_participants = 3 };
	ck_assert_int_eq(sfu_new(&sfu, &loop, &cfg), 0);
	memset(&stats, 0, sizeof stats);
	ck_assert_int_eq(proto_server_new(&srv, sfu, &stats), 0);
	proto_server_set_clock(srv, &test_clock);
}

static void teardown(void)
{
	proto_server_free(srv);
	srv = NULL;
	sfu_free(sfu);
	sfu = NULL;
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(uv_loop_close(&loop), 0);
}

static void client_open(struct client *cl)
{
	memset(cl, 0, sizeof *cl);
	cl->next_id = 1;
	ck_assert_int_eq(proto_conn_new(&cl->c, srv, wire_send, &cl->w), 0);
	proto_conn_set_peer(cl->c, "192.0.2.1");
}

static void client_close(struct client *cl)
{
	proto_conn_free(cl->c);
	cl->c = NULL;
	for (int i = 0; i < cl->w.n; i++)
		json_decref(cl->w.msg[i]);
	cl->w.n = cl->w.read = 0;
}

static void raw(struct client *cl, const char *text)
{
	proto_conn_receive(cl->c, text, strlen(text));
}

/* The next unread message the client received; fails when there is none. */
static json_t *next(struct client *cl)
{
	ck_assert_msg(cl->w.read < cl->w.n, "expected another message (got %d)", cl->w.n);
	return cl->w.msg[cl->w.read++];
}

static int unread(const struct client *cl)
{
	return cl->w.n - cl->w.read;
}

/* Sends a request (params as JSON text, or NULL) and returns its response. */
static json_t *call(struct client *cl, const char *method, const char *params)
{
	char buf[4096];
	int id = cl->next_id++;
	if (params)
		snprintf(buf, sizeof buf, "{\"id\":%d,\"method\":\"%s\",\"params\":%s}", id, method, params);
	else
		snprintf(buf, sizeof buf, "{\"id\":%d,\"method\":\"%s\"}", id, method);
	raw(cl, buf);
	json_t *r = next(cl);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), id);
	return r;
}

static const char *err_code(const json_t *r)
{
	const char *code = json_string_value(json_object_get(json_object_get(r, "error"), "code"));
	return code ? code : "(none)";
}

static void assert_error(const json_t *r, const char *code)
{
	ck_assert_msg(json_object_get(r, "result") == NULL, "expected error %s, got a result", code);
	ck_assert_str_eq(err_code(r), code);
	const char *msg = json_string_value(json_object_get(json_object_get(r, "error"), "message"));
	ck_assert_msg(msg && *msg, "error without message");
}

static json_t *assert_result(const json_t *r)
{
	json_t *res = json_object_get(r, "result");
	ck_assert_msg(json_is_object(res), "expected a result, got error %s", err_code(r));
	return res;
}

static void assert_null_id(const json_t *r)
{
	json_t *id = json_object_get(r, "id");
	ck_assert_msg(id && json_is_null(id), "expected \"id\": null");
}

static void hello(struct client *cl)
{
	assert_result(call(cl, "hello", "{\"version\":1}"));
}

/* hello + join; returns the participant id. */
static uint32_t join(struct client *cl, const char *room, const char *name)
{
	char params[512];
	snprintf(params, sizeof params, "{\"room\":\"%s\",\"name\":\"%s\"}", room, name);
	json_t *res = assert_result(call(cl, "join", params));
	return (uint32_t)json_integer_value(json_object_get(res, "participant_id"));
}

static const char *event_name(const json_t *m)
{
	const char *e = json_string_value(json_object_get(m, "event"));
	return e ? e : "(not an event)";
}

/* ---- hello ---- */

START_TEST(hello_required_first)
{
	struct client a;
	client_open(&a);
	assert_error(call(&a, "join", "{\"room\":\"r\",\"name\":\"n\"}"), "hello_required");
	assert_error(call(&a, "ping", NULL), "hello_required");
	assert_error(call(&a, "no_such_method", NULL), "hello_required");
	json_t *res = assert_result(call(&a, "hello", "{\"version\":1,\"client\":\"test\"}"));
	ck_assert_int_eq(json_integer_value(json_object_get(res, "version")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(res, "server")), "plenum");
	ck_assert_str_eq(json_string_value(json_object_get(res, "server_version")), PROTO_SERVER_VERSION);
	assert_result(call(&a, "ping", NULL));
	assert_result(call(&a, "ping", "{}"));
	assert_error(call(&a, "hello", "{\"version\":1}"), "invalid_state");
	client_close(&a);
}
END_TEST

START_TEST(hello_version)
{
	struct client a;
	client_open(&a);
	assert_error(call(&a, "hello", "{\"version\":2}"), "unsupported_version");
	assert_error(call(&a, "hello", "{\"version\":0}"), "unsupported_version");
	assert_error(call(&a, "hello", "{\"version\":\"1\"}"), "bad_request");
	assert_error(call(&a, "hello", "{}"), "bad_request");
	assert_error(call(&a, "hello", NULL), "bad_request");
	assert_error(call(&a, "hello", "{\"version\":1,\"client\":5}"), "bad_request");
	/* None of those counted as hello. */
	assert_error(call(&a, "ping", NULL), "hello_required");
	hello(&a);
	client_close(&a);
}
END_TEST

/* ---- framing: JSON, ids, methods, size ---- */

START_TEST(bad_json)
{
	static const char *const bad[] = {
		"", "not json", "{", "{\"id\":1,\"method\":\"ping\"", "[1,2]", "\"str\"", "42", "null",
		"{\"id\":1,\"method\":\"ping\"} trailing", "{\"id\":1,\"id\":2,\"method\":\"ping\"}",
		"{\"id\":1,\"method\":\"ping\",\"x\":\"\xff\xfe\"}",
	};
	struct client a;
	client_open(&a);
	hello(&a);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		raw(&a, bad[i]);
		json_t *r = next(&a);
		assert_error(r, "bad_request");
		assert_null_id(r);
	}
	ck_assert_int_eq(unread(&a), 0);
	/* The connection still works. */
	assert_result(call(&a, "ping", NULL));
	client_close(&a);
}
END_TEST

START_TEST(missing_or_invalid_id)
{
	static const char *const bad[] = {
		"{\"method\":\"ping\"}", "{\"id\":0,\"method\":\"ping\"}", "{\"id\":-1,\"method\":\"ping\"}",
		"{\"id\":\"1\",\"method\":\"ping\"}", "{\"id\":1.5,\"method\":\"ping\"}",
		"{\"id\":null,\"method\":\"ping\"}", "{\"id\":2147483649,\"method\":\"ping\"}",
	};
	struct client a;
	client_open(&a);
	hello(&a);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		raw(&a, bad[i]);
		json_t *r = next(&a);
		assert_error(r, "bad_request");
		assert_null_id(r);
	}
	raw(&a, "{\"id\":2147483648,\"method\":\"ping\"}");
	json_t *r = next(&a);
	assert_result(r);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), 2147483648LL);
	client_close(&a);
}
END_TEST

START_TEST(method_and_params)
{
	struct client a;
	client_open(&a);
	hello(&a);
	raw(&a, "{\"id\":7}");
	json_t *r = next(&a);
	assert_error(r, "bad_request");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), 7);
	raw(&a, "{\"id\":8,\"method\":3}");
	assert_error(next(&a), "bad_request");
	raw(&a, "{\"id\":9,\"method\":\"ping\",\"params\":[]}");
	assert_error(next(&a), "bad_request");
	raw(&a, "{\"id\":10,\"method\":\"ping\",\"params\":null}");
	assert_result(next(&a));
	assert_error(call(&a, "subscribe", NULL), "unknown_method");
	assert_error(call(&a, "PING", NULL), "unknown_method");
	raw(&a, "{\"id\":11,\"method\":\"ping\\u0000x\"}");
	assert_error(next(&a), "unknown_method");
	client_close(&a);
}
END_TEST

START_TEST(oversized)
{
	struct client a;
	client_open(&a);
	hello(&a);
	/* Exactly the limit, padded with whitespace: accepted. */
	char *big = malloc(PROTO_MAX_MESSAGE + 2);
	const char *req = "{\"id\":5,\"method\":\"ping\"}";
	size_t n = strlen(req);
	memcpy(big, req, n);
	memset(big + n, ' ', PROTO_MAX_MESSAGE - n);
	proto_conn_receive(a.c, big, PROTO_MAX_MESSAGE);
	assert_result(next(&a));
	/* One byte more: refused, and the connection stays usable. */
	big[PROTO_MAX_MESSAGE] = ' ';
	proto_conn_receive(a.c, big, PROTO_MAX_MESSAGE + 1);
	json_t *r = next(&a);
	assert_error(r, "message_too_large");
	assert_null_id(r);
	proto_conn_reject(a.c, SIGNAL_ERR_MESSAGE_TOO_LARGE, NULL);
	assert_error(next(&a), "message_too_large");
	assert_result(call(&a, "ping", NULL));
	free(big);
	client_close(&a);
}
END_TEST

/* ---- join validation ---- */

START_TEST(join_room_rules)
{
	static const char *const bad[] = {
		"", "-a", "a-", ".a", "a.", "_a", "a_", "a b", "a/b", "r\\u00e4um", "a\\u0000b",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 65 */
	};
	struct client a;
	client_open(&a);
	hello(&a);
	char params[256];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(params, sizeof params, "{\"room\":\"%s\",\"name\":\"Ann\"}", bad[i]);
		json_t *r = call(&a, "join", params);
		ck_assert_msg(strcmp(err_code(r), "room_name_invalid") == 0, "room \"%s\": %s", bad[i], err_code(r));
	}
	assert_error(call(&a, "join", "{\"name\":\"Ann\"}"), "bad_request");
	assert_error(call(&a, "join", "{\"room\":7,\"name\":\"Ann\"}"), "bad_request");
	/* Case-insensitive, canonical lowercase in the result; 64 characters fit. */
	json_t *res = assert_result(call(&a, "join", "{\"room\":\"Town-Hall.2_B\",\"name\":\"Ann\"}"));
	ck_assert_str_eq(json_string_value(json_object_get(res, "room")), "town-hall.2_b");
	client_close(&a);
}
END_TEST

START_TEST(join_room_name_64)
{
	struct client a;
	client_open(&a);
	hello(&a);
	const char *r64 = "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01";
	char params[256];
	snprintf(params, sizeof params, "{\"room\":\"%s\",\"name\":\"Ann\"}", r64);
	json_t *res = assert_result(call(&a, "join", params));
	ck_assert_str_eq(json_string_value(json_object_get(res, "room")), r64);
	client_close(&a);
}
END_TEST

START_TEST(join_display_name_rules)
{
	static const char *const bad[] = {
		"", "a\\u0001b", "tab\\there", "new\\nline", "a\\u007f", "nul\\u0000",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 65 bytes */
		"\\u00e4\\u00e4\\u00e4\\u00e4\\u00e4\\u00e4\\u00e4\\u00e4\\u00e4\\u00e4\\u00e4\\u00e4\\u00e4"
		"\\u00e4\\u00e4\\u00e4\\u00e4\\u00e4\\u00e4\\u00e4\\u00e4\\u00e4\\u00e4\\u00e4\\u00e4\\u00e4"
		"\\u00e4\\u00e4\\u00e4\\u00e4\\u00e4\\u00e4a", /* 65 bytes of UTF-8 */
	};
	struct client a;
	client_open(&a);
	hello(&a);
	char params[512];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(params, sizeof params, "{\"room\":\"r\",\"name\":\"%s\"}", bad[i]);
		json_t *r = call(&a, "join", params);
		ck_assert_msg(strcmp(err_code(r), "display_name_invalid") == 0, "name #%zu: %s", i, err_code(r));
	}
	assert_error(call(&a, "join", "{\"room\":\"r\"}"), "bad_request");
	assert_error(call(&a, "join", "{\"room\":\"r\",\"name\":null}"), "bad_request");
	/* 64 bytes of two-byte characters fit; the name comes back as sent. */
	struct client b;
	client_open(&b);
	hello(&b);
	join(&b, "r", "B");
	snprintf(params, sizeof params, "{\"room\":\"r\",\"name\":\"%.*s\"}", 32 * 6, bad[7]);
	assert_result(call(&a, "join", params));
	json_t *ev = next(&b);
	ck_assert_str_eq(event_name(ev), "participant_joined");
	const char *name = json_string_value(json_object_get(json_object_get(ev, "data"), "name"));
	ck_assert_uint_eq(strlen(name), 64);
	ck_assert_str_eq(name + 62, "\xc3\xa4");
	client_close(&a);
	client_close(&b);
}
END_TEST

START_TEST(requests_need_join)
{
	struct client a;
	client_open(&a);
	hello(&a);
	assert_error(call(&a, "publish", "{\"sdp\":\"v=0\"}"), "not_joined");
	assert_error(call(&a, "subscribe_answer", "{\"version\":1,\"sdp\":\"v=0\"}"), "not_joined");
	assert_error(call(&a, "media_state", "{\"audio_muted\":true,\"video_muted\":false}"), "not_joined");
	assert_error(call(&a, "leave", NULL), "not_joined");
	join(&a, "r", "Ann");
	assert_error(call(&a, "join", "{\"room\":\"r\",\"name\":\"Ann\"}"), "already_joined");
	assert_error(call(&a, "join", "{\"room\":\"other\",\"name\":\"Ann\"}"), "already_joined");
	client_close(&a);
}
END_TEST

START_TEST(param_types)
{
	struct client a;
	client_open(&a);
	hello(&a);
	join(&a, "r", "Ann");
	assert_error(call(&a, "publish", NULL), "bad_request");
	assert_error(call(&a, "publish", "{\"sdp\":1}"), "bad_request");
	assert_error(call(&a, "publish", "{\"sdp\":\"garbage\"}"), "sdp_invalid");
	assert_error(call(&a, "publish", "{\"sdp\":\"v=0\\u0000\"}"), "sdp_invalid");
	assert_error(call(&a, "subscribe_answer", "{\"sdp\":\"v=0\"}"), "bad_request");
	assert_error(call(&a, "subscribe_answer", "{\"version\":-1,\"sdp\":\"v=0\"}"), "bad_request");
	assert_error(call(&a, "subscribe_answer", "{\"version\":4294967296,\"sdp\":\"v=0\"}"), "bad_request");
	assert_error(call(&a, "subscribe_answer", "{\"version\":1}"), "bad_request");
	/* No subscribe offer is outstanding. */
	json_t *r = call(&a, "subscribe_answer", "{\"version\":1,\"sdp\":\"v=0\"}");
	ck_assert_msg(!strcmp(err_code(r), "invalid_state") || !strcmp(err_code(r), "stale_answer") ||
	              !strcmp(err_code(r), "sdp_invalid"), "subscribe_answer without offer: %s", err_code(r));
	assert_error(call(&a, "media_state", "{\"audio_muted\":true}"), "bad_request");
	assert_error(call(&a, "media_state", "{\"audio_muted\":1,\"video_muted\":false}"), "bad_request");
	assert_result(call(&a, "media_state", "{\"audio_muted\":true,\"video_muted\":false,\"extra\":1}"));
	client_close(&a);
}
END_TEST

/* ---- join and leave with the real sfu ---- */

START_TEST(join_events_follow_response)
{
	struct client a, b, c;
	client_open(&a);
	client_open(&b);
	client_open(&c);
	hello(&a);
	hello(&b);
	hello(&c);
	uint32_t ida = join(&a, "Room", "Ann");
	ck_assert_int_eq(unread(&a), 0);
	uint32_t idb = join(&b, "room", "Bob");
	ck_assert_uint_ne(ida, idb);
	/* B: the response (consumed by join), then Ann. */
	json_t *ev = next(&b);
	ck_assert_str_eq(event_name(ev), "participant_joined");
	json_t *d = json_object_get(ev, "data");
	ck_assert_int_eq(json_integer_value(json_object_get(d, "id")), ida);
	ck_assert_str_eq(json_string_value(json_object_get(d, "name")), "Ann");
	ck_assert(json_is_false(json_object_get(d, "audio_muted")));
	ck_assert(json_is_false(json_object_get(d, "video_muted")));
	ck_assert_ptr_null(json_object_get(ev, "id"));
	/* A hears of Bob. */
	ev = next(&a);
	ck_assert_str_eq(event_name(ev), "participant_joined");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(ev, "data"), "id")), idb);
	/* Mute state reaches the others. */
	assert_result(call(&b, "media_state", "{\"audio_muted\":true,\"video_muted\":false}"));
	ev = next(&a);
	ck_assert_str_eq(event_name(ev), "participant_updated");
	d = json_object_get(ev, "data");
	ck_assert_int_eq(json_integer_value(json_object_get(d, "id")), idb);
	ck_assert(json_is_true(json_object_get(d, "audio_muted")));
	ck_assert_str_eq(json_string_value(json_object_get(d, "name")), "Bob");
	/* C joins a room of two: two events after the response, none before. */
	raw(&c, "{\"id\":50,\"method\":\"join\",\"params\":{\"room\":\"ROOM\",\"name\":\"Cy\"}}");
	ck_assert_int_eq(unread(&c), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(next(&c), "id")), 50);
	bool seen_a = false, seen_b = false;
	for (int i = 0; i < 2; i++) {
		ev = next(&c);
		ck_assert_str_eq(event_name(ev), "participant_joined");
		d = json_object_get(ev, "data");
		uint32_t id = (uint32_t)json_integer_value(json_object_get(d, "id"));
		if (id == idb) {
			seen_b = true;
			ck_assert(json_is_true(json_object_get(d, "audio_muted")));
		} else if (id == ida) {
			seen_a = true;
			ck_assert(json_is_false(json_object_get(d, "audio_muted")));
		}
	}
	ck_assert(seen_a && seen_b);
	client_close(&a);
	client_close(&b);
	client_close(&c);
}
END_TEST

START_TEST(leave_and_rejoin)
{
	struct client a, b;
	client_open(&a);
	client_open(&b);
	hello(&a);
	hello(&b);
	join(&a, "r", "Ann");
	uint32_t idb = join(&b, "r", "Bob");
	next(&b);
	next(&a);
	assert_result(call(&b, "leave", "{}"));
	ck_assert(!proto_conn_joined(b.c));
	json_t *ev = next(&a);
	ck_assert_str_eq(event_name(ev), "participant_left");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(ev, "data"), "id")), idb);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(ev, "data"), "reason")), "left");
	ck_assert_int_eq(unread(&b), 0);
	assert_error(call(&b, "leave", NULL), "not_joined");
	/* The socket stays usable: join again, elsewhere. */
	join(&b, "elsewhere", "Bob");
	ck_assert_int_eq(unread(&a), 0);
	ck_assert_int_eq(unread(&b), 0);
	client_close(&a);
	client_close(&b);
}
END_TEST

START_TEST(close_leaves_room)
{
	struct client a, b;
	client_open(&a);
	client_open(&b);
	hello(&a);
	hello(&b);
	join(&a, "r", "Ann");
	uint32_t idb = join(&b, "r", "Bob");
	next(&a);
	client_close(&b);
	json_t *ev = next(&a);
	ck_assert_str_eq(event_name(ev), "participant_left");
	json_t *d = json_object_get(ev, "data");
	ck_assert_int_eq(json_integer_value(json_object_get(d, "id")), idb);
	/* The protocol asks for "closed" here; the reason comes from the sfu's leave. */
	const char *reason = json_string_value(json_object_get(d, "reason"));
	ck_assert_msg(reason && (!strcmp(reason, "closed") || !strcmp(reason, "left")), "reason %s", reason);
	/* The room is gone with its last member: a new join finds it empty. */
	client_close(&a);
	struct client c;
	client_open(&c);
	hello(&c);
	join(&c, "r", "Cy");
	ck_assert_int_eq(unread(&c), 0);
	client_close(&c);
}
END_TEST

START_TEST(room_full)
{
	struct client cl[4];
	for (int i = 0; i < 4; i++) {
		client_open(&cl[i]);
		hello(&cl[i]);
	}
	for (int i = 0; i < 3; i++)
		join(&cl[i], "full", "P");
	assert_error(call(&cl[3], "join", "{\"room\":\"full\",\"name\":\"P\"}"), "room_full");
	ck_assert_int_eq(unread(&cl[3]), 0);
	ck_assert(!proto_conn_joined(cl[3].c));
	for (int i = 0; i < 4; i++)
		client_close(&cl[i]);
}
END_TEST

/* ---- events from the sfu ---- */

START_TEST(subscribe_offer_event)
{
	struct client a;
	client_open(&a);
	hello(&a);
	const struct sfu_track_info tracks[2] = {
		{ .mid = "0", .participant_id = 9, .kind = SFU_KIND_AUDIO, .active = true },
		{ .mid = "1", .participant_id = 9, .kind = SFU_KIND_VIDEO, .active = false },
	};
	/* Not joined: events are not for this connection. */
	proto_sfu_events.subscribe_offer(a.c, 1, "v=0\r\n", tracks, 2);
	ck_assert_int_eq(unread(&a), 0);
	join(&a, "r", "Ann");
	proto_sfu_events.subscribe_offer(a.c, 3, "v=0\r\n", tracks, 2);
	json_t *ev = next(&a);
	ck_assert_str_eq(event_name(ev), "subscribe_offer");
	json_t *d = json_object_get(ev, "data");
	ck_assert_int_eq(json_integer_value(json_object_get(d, "version")), 3);
	ck_assert_str_eq(json_string_value(json_object_get(d, "sdp")), "v=0\r\n");
	json_t *t = json_object_get(d, "tracks");
	ck_assert_int_eq(json_array_size(t), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(t, 0), "mid")), "0");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(t, 0), "kind")), "audio");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(t, 1), "kind")), "video");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(t, 1), "participant_id")), 9);
	ck_assert(json_is_true(json_object_get(json_array_get(t, 0), "active")));
	ck_assert(json_is_false(json_object_get(json_array_get(t, 1), "active")));
	client_close(&a);
}
END_TEST

START_TEST(dropped_event)
{
	struct client a;
	client_open(&a);
	hello(&a);
	join(&a, "r", "Ann");
	struct sfu_participant *p = a.c->participant;
	/* What the sfu does on consent expiry: the event, then it frees the participant. */
	proto_sfu_events.dropped(a.c, SFU_LEFT_TIMEOUT);
	ck_assert(!proto_conn_joined(a.c));
	sfu_leave(p, SFU_LEFT_BYE);
	json_t *ev = next(&a);
	ck_assert_str_eq(event_name(ev), "dropped");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(ev, "data"), "reason")), "timeout");
	ck_assert_int_eq(unread(&a), 0);
	assert_error(call(&a, "leave", NULL), "not_joined");
	join(&a, "r", "Ann");
	client_close(&a);
}
END_TEST

/* ---- the error table ---- */

START_TEST(error_table)
{
	static const char *const codes[] = {
		"bad_request", "message_too_large", "hello_required", "unsupported_version", "unknown_method",
		"not_joined", "already_joined", "room_name_invalid", "display_name_invalid", "sdp_invalid",
		"invalid_state", "stale_answer", "room_full", "internal_error", "forbidden", "not_found",
		"password_required", "password_wrong", "rate_limited", "room_locked",
	};
	ck_assert_int_eq(sizeof codes / sizeof codes[0], SIGNAL_ERR_COUNT - 1);
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		enum signal_err e;
		ck_assert_int_eq(signal_err_parse(codes[i], &e), 0);
		ck_assert_str_eq(signal_err_code(e), codes[i]);
		ck_assert_uint_gt(strlen(signal_err_message(e)), 5);
	}
	enum signal_err e;
	ck_assert_int_eq(signal_err_parse("nope", &e), -1);
	ck_assert_str_eq(signal_err_code((enum signal_err)999), "internal_error");
	ck_assert_int_eq(signal_err_from_sfu(0), SIGNAL_OK);
	ck_assert_int_eq(signal_err_from_sfu(-SFU_ERR_ROOM_NAME), SIGNAL_ERR_ROOM_NAME_INVALID);
	ck_assert_int_eq(signal_err_from_sfu(-SFU_ERR_DISPLAY_NAME), SIGNAL_ERR_DISPLAY_NAME_INVALID);
	ck_assert_int_eq(signal_err_from_sfu(-SFU_ERR_SDP), SIGNAL_ERR_SDP_INVALID);
	ck_assert_int_eq(signal_err_from_sfu(-SFU_ERR_STATE), SIGNAL_ERR_INVALID_STATE);
	ck_assert_int_eq(signal_err_from_sfu(-SFU_ERR_STALE), SIGNAL_ERR_STALE_ANSWER);
	ck_assert_int_eq(signal_err_from_sfu(-SFU_ERR_ROOM_FULL), SIGNAL_ERR_ROOM_FULL);
	ck_assert_int_eq(signal_err_from_sfu(-SFU_ERR_INTERNAL), SIGNAL_ERR_INTERNAL);
	ck_assert_int_eq(signal_err_from_sfu(-12345), SIGNAL_ERR_INTERNAL);
}
END_TEST

static Suite *signal_suite(void)
{
	Suite *s = suite_create("signal");
	TCase *tc = tcase_create("protocol");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, hello_required_first);
	tcase_add_test(tc, hello_version);
	tcase_add_test(tc, bad_json);
	tcase_add_test(tc, missing_or_invalid_id);
	tcase_add_test(tc, method_and_params);
	tcase_add_test(tc, oversized);
	tcase_add_test(tc, join_room_rules);
	tcase_add_test(tc, join_room_name_64);
	tcase_add_test(tc, join_display_name_rules);
	tcase_add_test(tc, requests_need_join);
	tcase_add_test(tc, param_types);
	tcase_add_test(tc, join_events_follow_response);
	tcase_add_test(tc, leave_and_rejoin);
	tcase_add_test(tc, close_leaves_room);
	tcase_add_test(tc, room_full);
	tcase_add_test(tc, subscribe_offer_event);
	tcase_add_test(tc, dropped_event);
	suite_add_tcase(s, tc);
	TCase *te = tcase_create("errors");
	tcase_add_test(te, error_table);
	suite_add_tcase(s, te);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(signal_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
