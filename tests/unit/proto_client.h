/* proto_client: the unit tests' client of the transport-free proto layer — a fake transport that
 * parses what the server sends, requests and their answers, events, and a driven clock. */
#ifndef PLENUM_TESTS_PROTO_CLIENT_H
#define PLENUM_TESTS_PROTO_CLIENT_H

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "sfu/sfu.h"
#include "signal/proto_int.h"
#include "signal/protocol.h"

#define MAX_SENT 512

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

static inline uint64_t fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}
static const struct clock_src test_clock = { fake_clock, NULL };

static inline int wire_send(void *arg, const char *text, size_t len)
{
	struct wire *w = arg;
	json_error_t err;
	json_t *m = json_loadb(text, len, 0, &err);
	ck_assert_msg(m != NULL, "server sent invalid JSON: %.*s", (int)len, text);
	ck_assert_int_lt(w->n, MAX_SENT);
	w->msg[w->n++] = m;
	return 0;
}

static inline void setup(void)
{
	ck_assert_int_eq(uv_loop_init(&loop), 0);
	struct sfu_config cfg = { .public_ip = "127.0.0.1", .bind_ip = "127.0.0.1", .media_port = 0,
	                          .max_room_participants = 3 };
	ck_assert_int_eq(sfu_new(&sfu, &loop, &cfg), 0);
	memset(&stats, 0, sizeof stats);
	ck_assert_int_eq(proto_server_new(&srv, sfu, &stats), 0);
	proto_server_set_clock(srv, &test_clock);
}

static inline void teardown(void)
{
	proto_server_free(srv);
	srv = NULL;
	sfu_free(sfu);
	sfu = NULL;
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(uv_loop_close(&loop), 0);
}

static inline void client_open(struct client *cl)
{
	memset(cl, 0, sizeof *cl);
	cl->next_id = 1;
	ck_assert_int_eq(proto_conn_new(&cl->c, srv, wire_send, &cl->w), 0);
	proto_conn_set_peer(cl->c, "192.0.2.1");
}

static inline void client_close(struct client *cl)
{
	proto_conn_free(cl->c);
	cl->c = NULL;
	for (int i = 0; i < cl->w.n; i++)
		json_decref(cl->w.msg[i]);
	cl->w.n = cl->w.read = 0;
}

static inline void raw(struct client *cl, const char *text)
{
	proto_conn_receive(cl->c, text, strlen(text));
}

/* The next unread message the client received; fails when there is none. */
static inline json_t *next(struct client *cl)
{
	ck_assert_msg(cl->w.read < cl->w.n, "expected another message (got %d)", cl->w.n);
	return cl->w.msg[cl->w.read++];
}

static inline int unread(const struct client *cl)
{
	return cl->w.n - cl->w.read;
}

/* Sends a request (params as JSON text, or NULL) and returns its response. Events still unread
 * when it is sent are skipped. */
static inline json_t *call(struct client *cl, const char *method, const char *params)
{
	char buf[4096];
	cl->w.read = cl->w.n;
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

static inline const char *err_code(const json_t *r)
{
	const char *code = json_string_value(json_object_get(json_object_get(r, "error"), "code"));
	return code ? code : "(none)";
}

static inline void assert_error(const json_t *r, const char *code)
{
	ck_assert_msg(json_object_get(r, "result") == NULL, "expected error %s, got a result", code);
	ck_assert_str_eq(err_code(r), code);
	const char *msg = json_string_value(json_object_get(json_object_get(r, "error"), "message"));
	ck_assert_msg(msg && *msg, "error without message");
}

static inline json_t *assert_result(const json_t *r)
{
	json_t *res = json_object_get(r, "result");
	ck_assert_msg(json_is_object(res), "expected a result, got error %s", err_code(r));
	return res;
}

static inline void assert_null_id(const json_t *r)
{
	json_t *id = json_object_get(r, "id");
	ck_assert_msg(id && json_is_null(id), "expected \"id\": null");
}

static inline void hello(struct client *cl)
{
	assert_result(call(cl, "hello", "{\"version\":1}"));
}

/* hello + join; returns the participant id. */
static inline uint32_t join(struct client *cl, const char *room, const char *name)
{
	char params[512];
	snprintf(params, sizeof params, "{\"room\":\"%s\",\"name\":\"%s\"}", room, name);
	json_t *res = assert_result(call(cl, "join", params));
	return (uint32_t)json_integer_value(json_object_get(res, "participant_id"));
}

static inline const char *event_name(const json_t *m)
{
	const char *e = json_string_value(json_object_get(m, "event"));
	return e ? e : "(not an event)";
}

/* The data of the next unread event called `name` (earlier unread messages are skipped). */
static inline json_t *expect_event(struct client *cl, const char *name)
{
	while (cl->w.read < cl->w.n) {
		json_t *m = cl->w.msg[cl->w.read++];
		if (strcmp(event_name(m), name) == 0)
			return json_object_get(m, "data");
	}
	ck_abort_msg("expected event %s", name);
	return NULL;
}

/* Whether an unread event called `name` is there (nothing is consumed). */
static inline bool has_event(const struct client *cl, const char *name)
{
	for (int i = cl->w.read; i < cl->w.n; i++)
		if (strcmp(event_name(cl->w.msg[i]), name) == 0)
			return true;
	return false;
}

static inline void drain(struct client *cl)
{
	cl->w.read = cl->w.n;
}

static inline json_int_t jint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	ck_assert_msg(json_is_integer(v), "%s is not an integer", key);
	return json_integer_value(v);
}

static inline const char *jstr(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	ck_assert_msg(v != NULL, "%s is not a string", key);
	return v;
}

static inline void open_joined(struct client *cl, const char *room, const char *name, uint32_t *id)
{
	client_open(cl);
	hello(cl);
	*id = join(cl, room, name);
}

/* Ann (host), Bob and Cy in one room, with the events of their joining read. */
static inline void open_three(struct client *a, struct client *b, struct client *c, const char *room,
                       uint32_t *ida, uint32_t *idb, uint32_t *idc)
{
	open_joined(a, room, "Ann", ida);
	open_joined(b, room, "Bob", idb);
	open_joined(c, room, "Cy", idc);
	drain(a);
	drain(b);
	drain(c);
}

#endif
