/* test_signal: the signaling protocol v1 through the transport-free proto layer — hello, framing
 * and id errors, method validation, join/leave with the real sfu, event order and shapes, and the
 * meeting features (roles, password, lobby, lock, hands, chat, reactions, moderation). */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "sfu/sfu.h"
#include "signal/errors.h"
#include "signal/proto_int.h"
#include "signal/protocol.h"
#include "turn/turn.h"

#include "proto_client.h"

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


/* ---- meeting features ---- */

START_TEST(roles_and_room_state)
{
	struct client a, b;
	client_open(&a);
	client_open(&b);
	hello(&a);
	hello(&b);
	json_t *res = assert_result(call(&a, "join", "{\"room\":\"m\",\"name\":\"Ann\"}"));
	ck_assert_str_eq(jstr(res, "role"), "host");
	json_t *st = json_object_get(res, "room_state");
	ck_assert(json_is_false(json_object_get(st, "locked")));
	ck_assert(json_is_false(json_object_get(st, "lobby")));
	ck_assert(json_is_false(json_object_get(st, "has_password")));
	ck_assert(json_is_false(json_object_get(st, "music")));
	ck_assert_int_eq(json_array_size(json_object_get(st, "hosts")), 1);
	json_int_t ida = jint(res, "participant_id");
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(st, "hosts"), 0)), ida);
	res = assert_result(call(&b, "join", "{\"room\":\"m\",\"name\":\"Bob\"}"));
	ck_assert_str_eq(jstr(res, "role"), "guest");
	json_int_t idb = jint(res, "participant_id");
	json_t *d = expect_event(&b, "participant_joined");
	ck_assert_int_eq(jint(d, "id"), ida);
	ck_assert_str_eq(jstr(d, "role"), "host");
	ck_assert(json_is_false(json_object_get(d, "hand_raised")));
	ck_assert(json_is_false(json_object_get(d, "music")));
	ck_assert(json_is_false(json_object_get(d, "screen")));
	d = expect_event(&a, "participant_joined");
	ck_assert_int_eq(jint(d, "id"), idb);
	ck_assert_str_eq(jstr(d, "role"), "guest");
	/* make_host: everybody sees Bob's new role and the hosts list. */
	assert_error(call(&a, "make_host", "{\"id\":1}"), "not_found");
	assert_error(call(&a, "make_host", "{}"), "bad_request");
	char params[64];
	snprintf(params, sizeof params, "{\"id\":%lld}", (long long)idb);
	assert_result(call(&a, "make_host", params));
	d = expect_event(&b, "participant_updated");
	ck_assert_int_eq(jint(d, "id"), idb);
	ck_assert_str_eq(jstr(d, "role"), "host");
	d = expect_event(&a, "room_updated");
	ck_assert_int_eq(json_array_size(json_object_get(d, "hosts")), 2);
	client_close(&a);
	client_close(&b);
}
END_TEST

START_TEST(host_handover_on_leave)
{
	struct client a, b, c;
	uint32_t ida, idb, idc;
	open_joined(&a, "h", "Ann", &ida);
	open_joined(&b, "h", "Bob", &idb);
	open_joined(&c, "h", "Cy", &idc);
	drain(&b);
	drain(&c);
	assert_result(call(&a, "leave", NULL));
	/* Bob has been there longest: he is host now, and everybody hears so. */
	json_t *d = expect_event(&c, "participant_updated");
	ck_assert_int_eq(jint(d, "id"), idb);
	ck_assert_str_eq(jstr(d, "role"), "host");
	d = expect_event(&c, "room_updated");
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(d, "hosts"), 0)), idb);
	d = expect_event(&b, "participant_updated");
	ck_assert_str_eq(jstr(d, "role"), "host");
	/* Bob may moderate now; Cy still may not. */
	assert_result(call(&b, "set_locked", "{\"locked\":false}"));
	assert_error(call(&c, "set_locked", "{\"locked\":false}"), "forbidden");
	client_close(&a);
	client_close(&b);
	client_close(&c);
}
END_TEST

START_TEST(host_methods_forbidden_for_guests)
{
	static const char *const host_methods[][2] = {
		{ "set_password", "{\"password\":\"x\"}" }, { "set_lobby", "{\"enabled\":true}" },
		{ "lobby_admit", "{\"all\":true}" }, { "lobby_deny", "{\"lobby_id\":1}" },
		{ "set_locked", "{\"locked\":true}" }, { "make_host", "{\"id\":1}" },
		{ "mute", "{\"id\":1,\"source\":\"microphone\"}" }, { "mute_all", "{}" }, { "ask_unmute", "{\"id\":1}" },
		{ "remove", "{\"id\":1}" }, { "end_meeting", "{}" }, { "set_room_music", "{\"enabled\":true}" },
	};
	struct client a, b, c;
	uint32_t ida, idb;
	client_open(&c);
	hello(&c);
	for (size_t i = 0; i < sizeof host_methods / sizeof host_methods[0]; i++)
		assert_error(call(&c, host_methods[i][0], host_methods[i][1]), "not_joined");
	open_joined(&a, "f", "Ann", &ida);
	open_joined(&b, "f", "Bob", &idb);
	drain(&a);
	drain(&b);
	char params[128];
	for (size_t i = 0; i < sizeof host_methods / sizeof host_methods[0]; i++) {
		/* with valid params, with none, and aimed at the host */
		assert_error(call(&b, host_methods[i][0], host_methods[i][1]), "forbidden");
		assert_error(call(&b, host_methods[i][0], NULL), "forbidden");
		snprintf(params, sizeof params, "{\"id\":%u,\"source\":\"camera\"}", ida);
		assert_error(call(&b, host_methods[i][0], params), "forbidden");
	}
	/* lower_hand for someone else is a host's too. */
	snprintf(params, sizeof params, "{\"id\":%u}", ida);
	assert_error(call(&b, "lower_hand", params), "forbidden");
	/* Nothing happened to anyone. */
	ck_assert_int_eq(unread(&a), 0);
	ck_assert(proto_conn_joined(a.c) && proto_conn_joined(b.c));
	/* Everyone's methods need a room. */
	static const char *const everyone[] = { "raise_hand", "lower_hand", "reaction", "chat_send",
	                                        "set_music", "set_video_prefs" };
	for (size_t i = 0; i < sizeof everyone / sizeof everyone[0]; i++)
		assert_error(call(&c, everyone[i], "{}"), "not_joined");
	client_close(&a);
	client_close(&b);
	client_close(&c);
}
END_TEST

START_TEST(password_flow)
{
	struct client a, b;
	uint32_t ida;
	open_joined(&a, "pw", "Ann", &ida);
	client_open(&b);
	hello(&b);
	assert_error(call(&a, "set_password", "{}"), "bad_request");
	assert_error(call(&a, "set_password", "{\"password\":5}"), "bad_request");
	assert_error(call(&a, "set_password", "{\"password\":\"\"}"), "bad_request");
	assert_result(call(&a, "set_password", "{\"password\":\"s3cret\"}"));
	json_t *d = expect_event(&a, "room_updated");
	ck_assert(json_is_true(json_object_get(d, "has_password")));
	ck_assert_ptr_null(json_object_get(d, "password"));
	assert_error(call(&b, "join", "{\"room\":\"pw\",\"name\":\"Bob\"}"), "password_required");
	assert_error(call(&b, "join", "{\"room\":\"pw\",\"name\":\"Bob\",\"password\":7}"), "bad_request");
	for (int i = 0; i < MEET_GUARD_FREE; i++)
		assert_error(call(&b, "join", "{\"room\":\"pw\",\"name\":\"Bob\",\"password\":\"guess\"}"),
		             "password_wrong");
	/* The next guess of that address is held back, and so is the right password. */
	json_t *r = call(&b, "join", "{\"room\":\"pw\",\"name\":\"Bob\",\"password\":\"guess\"}");
	assert_error(r, "rate_limited");
	const char *msg = json_string_value(json_object_get(json_object_get(r, "error"), "message"));
	ck_assert_msg(strstr(msg, "try again in"), "message %s", msg);
	assert_error(call(&b, "join", "{\"room\":\"pw\",\"name\":\"Bob\",\"password\":\"s3cret\"}"), "rate_limited");
	ck_assert(!proto_conn_joined(b.c));
	/* The host hears of the failures. */
	json_t *g = expect_event(&a, "password_guard");
	ck_assert_int_ge(jint(g, "failures"), 1);
	ck_assert_int_eq(jint(g, "delay_s"), 0);
	/* After the delay (a second) the right one joins. */
	fake_now += 1000000ull;
	json_t *res = assert_result(call(&b, "join", "{\"room\":\"pw\",\"name\":\"Bob\",\"password\":\"s3cret\"}"));
	ck_assert(json_is_true(json_object_get(json_object_get(res, "room_state"), "has_password")));
	assert_result(call(&b, "leave", NULL));
	/* Removed: no password needed. */
	assert_result(call(&a, "set_password", "{\"password\":null}"));
	d = expect_event(&a, "room_updated");
	ck_assert(json_is_false(json_object_get(d, "has_password")));
	join(&b, "pw", "Bob");
	client_close(&a);
	client_close(&b);
}
END_TEST

START_TEST(lobby_flow)
{
	struct client a, b, c, d;
	uint32_t ida;
	open_joined(&a, "lob", "Ann", &ida);
	client_open(&b);
	client_open(&c);
	client_open(&d);
	hello(&b);
	hello(&c);
	hello(&d);
	assert_result(call(&a, "set_lobby", "{\"enabled\":true}"));
	json_t *st = expect_event(&a, "room_updated");
	ck_assert(json_is_true(json_object_get(st, "lobby")));
	json_t *res = assert_result(call(&b, "join", "{\"room\":\"lob\",\"name\":\"Bob\"}"));
	ck_assert(json_is_null(json_object_get(res, "participant_id")));
	ck_assert(json_is_true(json_object_get(res, "waiting")));
	ck_assert_str_eq(jstr(res, "room"), "lob");
	json_int_t lb = jint(res, "lobby_id");
	ck_assert(!proto_conn_joined(b.c));
	/* Hosts get a delta, not the list. */
	json_t *ev = expect_event(&a, "lobby_knock");
	ck_assert_int_eq(jint(ev, "lobby_id"), lb);
	ck_assert_str_eq(jstr(ev, "name"), "Bob");
	ck_assert(!has_event(&a, "lobby_updated"));
	/* Waiting is not joined: no guest methods, no second join. */
	assert_error(call(&b, "chat_send", "{\"text\":\"hi\"}"), "not_joined");
	assert_error(call(&b, "join", "{\"room\":\"lob\",\"name\":\"Bob\"}"), "already_joined");
	res = assert_result(call(&c, "join", "{\"room\":\"lob\",\"name\":\"Cy\"}"));
	json_int_t lc = jint(res, "lobby_id");
	ck_assert_int_ne(lb, lc);
	drain(&a);
	/* Admit Bob: lobby_admitted, joined, then the participants. */
	assert_error(call(&a, "lobby_admit", "{\"lobby_id\":99999}"), "not_found");
	assert_error(call(&a, "lobby_admit", "{}"), "bad_request");
	char params[64];
	snprintf(params, sizeof params, "{\"lobby_id\":%lld}", (long long)lb);
	assert_result(call(&a, "lobby_admit", params));
	ck_assert_str_eq(event_name(next(&b)), "lobby_admitted");
	json_t *m = next(&b);
	ck_assert_str_eq(event_name(m), "joined");
	json_t *jd = json_object_get(m, "data");
	ck_assert_str_eq(jstr(jd, "role"), "guest");
	ck_assert(json_is_true(json_object_get(json_object_get(jd, "room_state"), "lobby")));
	json_int_t idb = jint(jd, "participant_id");
	ck_assert(proto_conn_joined(b.c));
	ck_assert_int_eq(jint(expect_event(&b, "participant_joined"), "id"), ida);
	ck_assert_int_eq(jint(expect_event(&a, "lobby_left"), "lobby_id"), lb);
	ck_assert_int_eq(jint(expect_event(&a, "participant_joined"), "id"), idb);
	/* Deny Cy. */
	snprintf(params, sizeof params, "{\"lobby_id\":%lld}", (long long)lc);
	assert_result(call(&a, "lobby_deny", params));
	ck_assert_str_eq(jstr(expect_event(&c, "lobby_denied"), "reason"), "denied");
	ck_assert(!proto_conn_joined(c.c));
	/* A waiter may cancel; the hosts hear of it. */
	res = assert_result(call(&c, "join", "{\"room\":\"lob\",\"name\":\"Cy\"}"));
	drain(&a);
	assert_result(call(&c, "leave", NULL));
	ck_assert_int_eq(jint(expect_event(&a, "lobby_left"), "lobby_id"), jint(res, "lobby_id"));
	/* Turning the lobby off admits everyone waiting. */
	assert_result(call(&c, "join", "{\"room\":\"lob\",\"name\":\"Cy\"}"));
	assert_result(call(&d, "join", "{\"room\":\"lob\",\"name\":\"Di\"}"));
	assert_result(call(&a, "set_lobby", "{\"enabled\":false}"));
	expect_event(&c, "lobby_admitted");
	expect_event(&c, "joined");
	ck_assert(proto_conn_joined(c.c));
	/* The room holds 3 (this test's sfu): Di cannot get in after all. */
	expect_event(&d, "lobby_admitted");
	json_t *den = expect_event(&d, "lobby_denied");
	ck_assert_str_eq(jstr(den, "reason"), "denied");
	ck_assert_str_eq(jstr(den, "code"), "room_full");
	ck_assert(!proto_conn_joined(d.c));
	client_close(&a);
	client_close(&b);
	client_close(&c);
	client_close(&d);
}
END_TEST

/* A client whose connection comes from `addr`. */
static void client_open_from(struct client *cl, const char *addr)
{
	client_open(cl);
	proto_conn_set_peer(cl->c, addr);
	hello(cl);
}

START_TEST(lobby_limits_and_deltas)
{
	enum { N = 40 };
	static struct client a, k[N];
	uint32_t ida;
	open_joined(&a, "lim", "Ann", &ida);
	assert_result(call(&a, "set_lobby", "{\"enabled\":true}"));
	drain(&a);
	/* Knocks from many addresses: the room's knock rate holds; one delta per waiter. */
	unsigned waiting = 0, limited = 0;
	for (int i = 0; i < N; i++) {
		char addr[32];
		snprintf(addr, sizeof addr, "198.51.100.%d", i + 1);
		client_open_from(&k[i], addr);
		json_t *r = call(&k[i], "join", "{\"room\":\"lim\",\"name\":\"K\"}");
		if (json_object_get(r, "result"))
			waiting++;
		else if (strcmp(err_code(r), "rate_limited") == 0)
			limited++;
	}
	ck_assert_uint_eq(waiting, meet_limit_knock_room.burst);
	ck_assert_uint_eq(limited, N - meet_limit_knock_room.burst);
	unsigned knocks = 0;
	while (a.w.read < a.w.n) {
		json_t *m = next(&a);
		ck_assert_str_eq(event_name(m), "lobby_knock");
		knocks++;
	}
	ck_assert_uint_eq(knocks, waiting);
	/* One address: a few waiting at most. */
	static struct client same[MEET_LOBBY_PER_GROUP + 1];
	fake_now += 60000000ull;
	for (int i = 0; i <= MEET_LOBBY_PER_GROUP; i++) {
		client_open_from(&same[i], "203.0.113.7");
		json_t *r = call(&same[i], "join", "{\"room\":\"lim\",\"name\":\"S\"}");
		if (i < MEET_LOBBY_PER_GROUP)
			assert_result(r);
		else
			assert_error(r, "lobby_full");
	}
	/* A new host gets the snapshot once, then deltas. */
	uint32_t idb;
	assert_result(call(&a, "lobby_deny", "{\"all\":true}"));
	assert_result(call(&a, "set_lobby", "{\"enabled\":false}"));
	drain(&a);
	struct client b;
	open_joined(&b, "lim", "Bob", &idb);
	assert_result(call(&a, "set_lobby", "{\"enabled\":true}"));
	static struct client w1;
	fake_now += 60000000ull;
	client_open_from(&w1, "203.0.113.99");
	assert_result(call(&w1, "join", "{\"room\":\"lim\",\"name\":\"W\"}"));
	drain(&b);
	char params[64];
	snprintf(params, sizeof params, "{\"id\":%u}", idb);
	assert_result(call(&a, "make_host", params));
	json_t *snap = expect_event(&b, "lobby_updated");
	ck_assert_int_eq(json_array_size(json_object_get(snap, "waiting")), 1);
	assert_result(call(&w1, "leave", NULL));
	expect_event(&b, "lobby_left");
	ck_assert(!has_event(&b, "lobby_updated"));
	for (int i = 0; i < N; i++)
		client_close(&k[i]);
	for (int i = 0; i <= MEET_LOBBY_PER_GROUP; i++)
		client_close(&same[i]);
	client_close(&w1);
	client_close(&b);
	client_close(&a);
}
END_TEST

START_TEST(password_guard_room)
{
	static struct client a, b, g[MEET_GUARD_BUDGET + 5];
	uint32_t ida, idb;
	open_joined(&a, "guard", "Ann", &ida);
	open_joined(&b, "guard", "Bob", &idb);
	assert_result(call(&a, "set_password", "{\"password\":\"s3cret\"}"));
	drain(&a);
	/* Guests may not reset the guard. */
	assert_error(call(&b, "password_guard_reset", NULL), "forbidden");
	unsigned wrong = 0, held = 0;
	for (int i = 0; i < MEET_GUARD_BUDGET + 5; i++) {
		char addr[32];
		snprintf(addr, sizeof addr, "198.51.100.%d", i + 1);
		client_open_from(&g[i], addr);
		json_t *r = call(&g[i], "join", "{\"room\":\"guard\",\"name\":\"G\",\"password\":\"nope\"}");
		if (strcmp(err_code(r), "password_wrong") == 0)
			wrong++;
		else if (strcmp(err_code(r), "rate_limited") == 0)
			held++;
	}
	/* The room's budget is spent across addresses: the rest is held back. */
	ck_assert_uint_eq(wrong, MEET_GUARD_BUDGET);
	ck_assert_uint_eq(held, 5);
	/* The hosts see the backoff (coalesced: not one event per guess). */
	json_t *last = NULL;
	unsigned events = 0;
	while (a.w.read < a.w.n) {
		json_t *m = next(&a);
		if (strcmp(event_name(m), "password_guard") == 0) {
			last = json_object_get(m, "data");
			events++;
		}
	}
	ck_assert_ptr_nonnull(last);
	ck_assert_uint_le(events, 3);
	ck_assert_int_ge(jint(last, "failures"), MEET_GUARD_BUDGET);
	ck_assert_int_gt(jint(last, "delay_s"), 0);
	ck_assert(!has_event(&b, "password_guard"));
	/* The host resets it: a right password from a fresh address joins at once. */
	assert_result(call(&a, "password_guard_reset", NULL));
	json_t *d = expect_event(&a, "password_guard");
	ck_assert_int_eq(jint(d, "failures"), 0);
	ck_assert_int_eq(jint(d, "delay_s"), 0);
	assert_result(call(&b, "leave", NULL));
	struct client c;
	client_open_from(&c, "192.0.2.200");
	assert_result(call(&c, "join", "{\"room\":\"guard\",\"name\":\"Cy\",\"password\":\"s3cret\"}"));
	for (int i = 0; i < MEET_GUARD_BUDGET + 5; i++)
		client_close(&g[i]);
	client_close(&c);
	client_close(&b);
	client_close(&a);
}
END_TEST

START_TEST(rejoin_after_drop)
{
	struct client a, b, c, a2;
	uint32_t ida, idb;
	client_open(&a);
	hello(&a);
	json_t *res = assert_result(call(&a, "join", "{\"room\":\"seat\",\"name\":\"Ann\"}"));
	ck_assert_str_eq(jstr(res, "role"), "host");
	char token[MEET_TOKEN_LEN + 1];
	ck_assert_uint_eq(strlen(jstr(res, "rejoin_token")), MEET_TOKEN_LEN);
	snprintf(token, sizeof token, "%s", jstr(res, "rejoin_token"));
	ida = (uint32_t)jint(res, "participant_id");
	open_joined(&b, "seat", "Bob", &idb);
	drain(&b);
	/* The host's connection is lost: Bob is not promoted, a newcomer is a guest. */
	client_close(&a);
	ck_assert(!has_event(&b, "room_updated"));
	client_open(&c);
	hello(&c);
	res = assert_result(call(&c, "join", "{\"room\":\"seat\",\"name\":\"Cy\"}"));
	ck_assert_str_eq(jstr(res, "role"), "guest");
	/* Back within the grace period with the token: host again (the room is locked meanwhile:
	 * the token passes). */
	fake_now += 10000000ull;
	client_open(&a2);
	hello(&a2);
	char params[128];
	snprintf(params, sizeof params, "{\"room\":\"seat\",\"name\":\"Ann\",\"rejoin_token\":\"%s\"}", token);
	res = assert_result(call(&a2, "join", params));
	ck_assert_str_eq(jstr(res, "role"), "host");
	ck_assert_str_ne(jstr(res, "rejoin_token"), token);
	ck_assert_int_ne(jint(res, "participant_id"), ida);
	assert_result(call(&a2, "set_locked", "{\"locked\":true}"));
	/* The token was single-use. */
	client_close(&c);
	struct client d;
	client_open(&d);
	hello(&d);
	assert_error(call(&d, "join", params), "room_locked");
	client_close(&d);
	/* A host that stays away: after the grace period the longest present is host. */
	client_close(&a2);
	drain(&b);
	fake_now += MEET_SEAT_GRACE_US;
	assert_result(call(&b, "ping", NULL));
	json_t *st = expect_event(&b, "room_updated");
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(st, "hosts"), 0)), idb);
	client_close(&b);
}
END_TEST

/* The ice_servers of a join result: one entry, the configured URIs, a credential coturn's
 * use-auth-secret accepts (checked against turn_cred_make, whose vectors are in test_turn). */
static void assert_ice_servers(const json_t *res, const char *secret, unsigned ttl, char *username_out)
{
	const json_t *list = json_object_get(res, "ice_servers");
	ck_assert_msg(json_is_array(list) && json_array_size(list) == 1, "ice_servers: one entry");
	const json_t *e = json_array_get(list, 0);
	const json_t *urls = json_object_get(e, "urls");
	ck_assert_uint_eq(json_array_size(urls), 2);
	ck_assert_str_eq(json_string_value(json_array_get(urls, 0)), "turn:127.0.0.1:3478?transport=udp");
	ck_assert_str_eq(json_string_value(json_array_get(urls, 1)), "turns:turn.example.org:443?transport=tcp");
	const char *user = jstr(e, "username"), *cred = jstr(e, "credential");
	char *end;
	unsigned long long expiry = strtoull(user, &end, 10);
	ck_assert_int_eq(*end, ':');
	long long now = (long long)time(NULL);
	ck_assert_msg((long long)expiry >= now + ttl - 2 && (long long)expiry <= now + ttl + 2,
	              "expiry %llu is not now + %u", expiry, ttl);
	ck_assert_uint_eq(strlen(end + 1), 16);                     /* the random id, not the display name */
	ck_assert_ptr_null(strstr(user, "Ann"));
	struct turn_cred want;
	ck_assert_int_eq(turn_cred_make(secret, strlen(secret), expiry, end + 1, &want), 0);
	ck_assert_str_eq(user, want.username);
	ck_assert_str_eq(cred, want.password);
	snprintf(username_out, TURN_USERNAME_MAX + 1, "%s", user);
}

START_TEST(join_ice_servers)
{
	struct client a, b, c;
	/* No TURN configured: no ice_servers, no policy. */
	client_open(&a);
	hello(&a);
	json_t *res = assert_result(call(&a, "join", "{\"room\":\"turn\",\"name\":\"Ann\"}"));
	ck_assert_ptr_null(json_object_get(res, "ice_servers"));
	ck_assert_ptr_null(json_object_get(res, "ice_transport_policy"));
	assert_result(call(&a, "leave", NULL));
	/* Bad settings are refused. */
	static const char *const uris[] = { "turn:127.0.0.1:3478?transport=udp", "turns:turn.example.org:443?transport=tcp" };
	static const char *const bad_uris[] = { "stun:127.0.0.1" };
	struct proto_turn t = { .uris = bad_uris, .n_uris = 1, .secret = "k", .secret_len = 1, .ttl_s = 60 };
	ck_assert_int_eq(proto_server_set_turn(srv, &t), EINVAL);
	t = (struct proto_turn){ .uris = uris, .n_uris = 2, .secret = "k", .secret_len = 0, .ttl_s = 60 };
	ck_assert_int_eq(proto_server_set_turn(srv, &t), EINVAL);
	res = assert_result(call(&a, "join", "{\"room\":\"turn\",\"name\":\"Ann\"}"));
	ck_assert_ptr_null(json_object_get(res, "ice_servers"));
	assert_result(call(&a, "leave", NULL));
	/* Configured: every join gets its own credential. */
	const char *secret = "coturn-static-auth-secret";
	t = (struct proto_turn){ .uris = uris, .n_uris = 2, .secret = secret, .secret_len = strlen(secret), .ttl_s = 3600 };
	ck_assert_int_eq(proto_server_set_turn(srv, &t), 0);
	char first[TURN_USERNAME_MAX + 1], again[TURN_USERNAME_MAX + 1], other[TURN_USERNAME_MAX + 1];
	res = assert_result(call(&a, "join", "{\"room\":\"turn\",\"name\":\"Ann\"}"));
	assert_ice_servers(res, secret, 3600, first);
	ck_assert_ptr_null(json_object_get(res, "ice_transport_policy"));
	client_open(&b);
	hello(&b);
	res = assert_result(call(&b, "join", "{\"room\":\"turn\",\"name\":\"Bob\"}"));
	assert_ice_servers(res, secret, 3600, other);
	ck_assert_str_ne(first, other);
	/* A rejoin brings a fresh one. */
	assert_result(call(&a, "leave", NULL));
	res = assert_result(call(&a, "join", "{\"room\":\"turn\",\"name\":\"Ann\"}"));
	assert_ice_servers(res, secret, 3600, again);
	ck_assert_str_ne(first, again);
	/* The lobby's `joined` carries them too, and the test switch says relay. */
	t.force_relay = true;
	ck_assert_int_eq(proto_server_set_turn(srv, &t), 0);
	assert_result(call(&b, "set_lobby", "{\"enabled\":true}"));   /* Bob is host: Ann left first */
	client_open(&c);
	hello(&c);
	res = assert_result(call(&c, "join", "{\"room\":\"turn\",\"name\":\"Cy\"}"));
	ck_assert(json_is_true(json_object_get(res, "waiting")));
	ck_assert_ptr_null(json_object_get(res, "ice_servers"));     /* nothing for those still waiting */
	char params[64];
	snprintf(params, sizeof params, "{\"lobby_id\":%lld}", (long long)jint(res, "lobby_id"));
	assert_result(call(&b, "lobby_admit", params));
	json_t *joined = expect_event(&c, "joined");
	assert_ice_servers(joined, secret, 3600, other);
	ck_assert_str_eq(jstr(joined, "ice_transport_policy"), "relay");
	/* Switched off again: nothing. */
	ck_assert_int_eq(proto_server_set_turn(srv, NULL), 0);
	assert_result(call(&a, "leave", NULL));
	res = assert_result(call(&a, "join", "{\"room\":\"turn\",\"name\":\"Ann\"}"));
	ck_assert(json_is_true(json_object_get(res, "waiting")));
	assert_result(call(&a, "leave", NULL));
	client_close(&a);
	client_close(&b);
	client_close(&c);
}
END_TEST

START_TEST(alone_host_drop_keeps_room)
{
	struct client a, b, a2;
	client_open(&a);
	hello(&a);
	json_t *res = assert_result(call(&a, "join", "{\"room\":\"solo\",\"name\":\"Ann\"}"));
	char params[128];
	snprintf(params, sizeof params, "{\"room\":\"solo\",\"name\":\"Ann\",\"rejoin_token\":\"%s\"}",
	         jstr(res, "rejoin_token"));
	client_close(&a);
	/* The only host dropped: a fresh joiner does not become host during the grace period. */
	client_open(&b);
	hello(&b);
	res = assert_result(call(&b, "join", "{\"room\":\"solo\",\"name\":\"Bob\"}"));
	ck_assert_str_eq(jstr(res, "role"), "guest");
	client_open(&a2);
	hello(&a2);
	ck_assert_str_eq(jstr(assert_result(call(&a2, "join", params)), "role"), "host");
	client_close(&b);
	client_close(&a2);
	/* Nobody comes back: once the seat expires the empty room is gone. */
	fake_now += MEET_SEAT_GRACE_US + 2000000ull;
	struct client c;
	client_open(&c);
	hello(&c);
	ck_assert_str_eq(jstr(assert_result(call(&c, "join", "{\"room\":\"solo\",\"name\":\"Cy\"}")), "role"), "host");
	client_close(&c);
}
END_TEST

START_TEST(fanout_rate_limited)
{
	struct client a, b;
	uint32_t ida, idb;
	open_joined(&a, "fan", "Ann", &ida);
	open_joined(&b, "fan", "Bob", &idb);
	drain(&a);
	static const struct { const char *method, *params; unsigned burst; } rows[] = {
		{ "raise_hand", NULL, 10 }, { "set_music", "{\"enabled\":true}", 5 },
		{ "media_state", "{\"audio_muted\":true,\"video_muted\":false}", 20 },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		unsigned ok = 0, limited = 0;
		for (int n = 0; n < 40; n++) {
			json_t *r = call(&b, rows[i].method, rows[i].params);
			if (json_object_get(r, "result"))
				ok++;
			else if (strcmp(err_code(r), "rate_limited") == 0)
				limited++;
		}
		ck_assert_msg(ok == rows[i].burst, "%s: %u allowed", rows[i].method, ok);
		ck_assert_uint_eq(limited, 40 - rows[i].burst);
		for (int n = 0; n < b.w.n; n++)
			json_decref(b.w.msg[n]);
		b.w.n = b.w.read = 0;
	}
	/* lower_hand shares the hand budget. */
	assert_error(call(&b, "lower_hand", NULL), "rate_limited");
	client_close(&a);
	client_close(&b);
}
END_TEST

START_TEST(lobby_all_and_room_end)
{
	struct client a, b, c;
	uint32_t ida;
	open_joined(&a, "lob2", "Ann", &ida);
	client_open(&b);
	client_open(&c);
	hello(&b);
	hello(&c);
	assert_result(call(&a, "set_lobby", "{\"enabled\":true}"));
	assert_result(call(&b, "join", "{\"room\":\"lob2\",\"name\":\"Bob\"}"));
	assert_result(call(&c, "join", "{\"room\":\"lob2\",\"name\":\"Cy\"}"));
	assert_result(call(&a, "lobby_deny", "{\"all\":true}"));
	expect_event(&b, "lobby_denied");
	expect_event(&c, "lobby_denied");
	assert_result(call(&b, "join", "{\"room\":\"lob2\",\"name\":\"Bob\"}"));
	assert_result(call(&c, "join", "{\"room\":\"lob2\",\"name\":\"Cy\"}"));
	/* Locking refuses those knocking. */
	assert_result(call(&a, "set_locked", "{\"locked\":true}"));
	ck_assert_str_eq(jstr(expect_event(&b, "lobby_denied"), "reason"), "room_locked");
	ck_assert_str_eq(jstr(expect_event(&c, "lobby_denied"), "reason"), "room_locked");
	assert_error(call(&b, "join", "{\"room\":\"lob2\",\"name\":\"Bob\"}"), "room_locked");
	assert_result(call(&a, "set_locked", "{\"locked\":false}"));
	assert_result(call(&b, "join", "{\"room\":\"lob2\",\"name\":\"Bob\"}"));
	/* The last member leaves: the waiter hears the room ended. */
	assert_result(call(&a, "leave", NULL));
	client_close(&a);
	ck_assert_str_eq(jstr(expect_event(&b, "lobby_denied"), "reason"), "room_ended");
	/* A fresh room: Bob is its first, so its host. */
	json_t *res = assert_result(call(&b, "join", "{\"room\":\"lob2\",\"name\":\"Bob\"}"));
	ck_assert_str_eq(jstr(res, "role"), "host");
	client_close(&b);
	client_close(&c);
}
END_TEST

START_TEST(hands_queue)
{
	struct client a, b, c;
	uint32_t ida, idb, idc;
	open_three(&a, &b, &c, "hq", &ida, &idb, &idc);
	assert_result(call(&c, "raise_hand", NULL));
	json_t *d = expect_event(&a, "participant_updated");
	ck_assert_int_eq(jint(d, "id"), idc);
	ck_assert(json_is_true(json_object_get(d, "hand_raised")));
	d = expect_event(&a, "hands_updated");
	ck_assert_int_eq(json_array_size(json_object_get(d, "queue")), 1);
	assert_result(call(&b, "raise_hand", "{}"));
	assert_result(call(&b, "raise_hand", "{}"));   /* once is enough */
	d = expect_event(&c, "hands_updated");
	d = expect_event(&c, "hands_updated");
	json_t *q = json_object_get(d, "queue");
	ck_assert_int_eq(json_array_size(q), 2);
	ck_assert_int_eq(json_integer_value(json_array_get(q, 0)), idc);
	ck_assert_int_eq(json_integer_value(json_array_get(q, 1)), idb);
	ck_assert(!has_event(&c, "hands_updated"));
	/* The host lowers Cy's hand; Bob lowers his own. */
	char params[64];
	snprintf(params, sizeof params, "{\"id\":%u}", idc);
	assert_result(call(&a, "lower_hand", params));
	q = json_object_get(expect_event(&b, "hands_updated"), "queue");
	ck_assert_int_eq(json_array_size(q), 1);
	ck_assert_int_eq(json_integer_value(json_array_get(q, 0)), idb);
	assert_error(call(&a, "lower_hand", "{\"id\":1}"), "not_found");
	assert_error(call(&a, "lower_hand", "{\"id\":\"x\"}"), "bad_request");
	drain(&c);
	assert_result(call(&b, "lower_hand", NULL));
	q = json_object_get(expect_event(&c, "hands_updated"), "queue");
	ck_assert_int_eq(json_array_size(q), 0);
	client_close(&a);
	client_close(&b);
	client_close(&c);
}
END_TEST

START_TEST(chat_delivery)
{
	struct client a, b, c;
	uint32_t ida, idb, idc;
	open_three(&a, &b, &c, "chat", &ida, &idb, &idc);
	json_t *res = assert_result(call(&b, "chat_send", "{\"text\":\"<b>hi</b> & \\u00fc\\nline 2\"}"));
	json_int_t mid = jint(res, "message_id");
	ck_assert_int_gt(jint(res, "ts"), 1600000000000LL);
	struct client *all[] = { &a, &b, &c };
	for (int i = 0; i < 3; i++) {
		json_t *d = expect_event(all[i], "chat");
		ck_assert_int_eq(jint(d, "message_id"), mid);
		ck_assert_int_eq(jint(d, "from"), idb);
		ck_assert_str_eq(jstr(d, "from_name"), "Bob");
		ck_assert(json_is_null(json_object_get(d, "to")));
		ck_assert_str_eq(jstr(d, "text"), "<b>hi</b> & \xc3\xbc\nline 2");
		ck_assert_int_eq(jint(d, "ts"), jint(res, "ts"));
	}
	/* Private: sender and recipient only. */
	char params[128];
	snprintf(params, sizeof params, "{\"text\":\"psst\",\"to\":%u}", ida);
	assert_result(call(&b, "chat_send", params));
	json_t *d = expect_event(&a, "chat");
	ck_assert_int_eq(jint(d, "to"), ida);
	ck_assert_str_eq(jstr(d, "text"), "psst");
	ck_assert_int_eq(jint(expect_event(&b, "chat"), "to"), ida);
	ck_assert(!has_event(&c, "chat"));
	/* Refused text. */
	assert_error(call(&b, "chat_send", "{\"text\":\"\"}"), "bad_request");
	assert_error(call(&b, "chat_send", "{\"text\":\"a\\tb\"}"), "bad_request");
	assert_error(call(&b, "chat_send", "{\"text\":\"a\\u0000b\"}"), "bad_request");
	assert_error(call(&b, "chat_send", "{\"text\":\"a\\u0085b\"}"), "bad_request");
	assert_error(call(&b, "chat_send", "{}"), "bad_request");
	assert_error(call(&b, "chat_send", "{\"text\":\"x\",\"to\":1}"), "not_found");
	assert_error(call(&b, "chat_send", "{\"text\":\"x\",\"to\":\"Ann\"}"), "bad_request");
	char *big = malloc(2100);
	strcpy(big, "{\"text\":\"");
	memset(big + 9, 'a', 2001);
	strcpy(big + 9 + 2001, "\"}");
	assert_error(call(&b, "chat_send", big), "bad_request");
	big[9 + 2000] = '"';
	big[9 + 2001] = '}';
	big[9 + 2002] = 0;
	/* 2000 bytes fit; with the two above, 3 of the 10 per 10 s are used. */
	assert_result(call(&b, "chat_send", big));
	free(big);
	for (int i = 0; i < 7; i++)
		assert_result(call(&b, "chat_send", "{\"text\":\"spam\"}"));
	assert_error(call(&b, "chat_send", "{\"text\":\"spam\"}"), "rate_limited");
	assert_result(call(&c, "chat_send", "{\"text\":\"me too\"}"));   /* per participant */
	fake_now += 10000000ull;
	assert_result(call(&b, "chat_send", "{\"text\":\"later\"}"));
	client_close(&a);
	client_close(&b);
	client_close(&c);
}
END_TEST

START_TEST(reactions)
{
	struct client a, b;
	uint32_t ida, idb;
	open_joined(&a, "re", "Ann", &ida);
	open_joined(&b, "re", "Bob", &idb);
	drain(&a);
	assert_result(call(&b, "reaction", "{\"emoji\":\"\\ud83d\\udc4d\"}"));
	json_t *d = expect_event(&a, "reaction");
	ck_assert_int_eq(jint(d, "id"), idb);
	ck_assert_str_eq(jstr(d, "emoji"), "\xF0\x9F\x91\x8D");
	assert_error(call(&b, "reaction", "{\"emoji\":\"\\ud83d\\udc4e\"}"), "bad_request");
	assert_error(call(&b, "reaction", "{\"emoji\":\"<img>\"}"), "bad_request");
	assert_error(call(&b, "reaction", "{}"), "bad_request");
	for (int i = 0; i < 4; i++)
		assert_result(call(&b, "reaction", "{\"emoji\":\"\\ud83c\\udf89\"}"));
	assert_error(call(&b, "reaction", "{\"emoji\":\"\\ud83c\\udf89\"}"), "rate_limited");
	fake_now += 10000000ull;
	assert_result(call(&b, "reaction", "{\"emoji\":\"\\u2764\\ufe0f\"}"));
	client_close(&a);
	client_close(&b);
}
END_TEST

START_TEST(mute_and_ask)
{
	struct client a, b, c;
	uint32_t ida, idb, idc;
	open_three(&a, &b, &c, "mu", &ida, &idb, &idc);
	char params[128];
	snprintf(params, sizeof params, "{\"id\":%u,\"source\":\"microphone\"}", idb);
	assert_result(call(&a, "mute", params));
	ck_assert_str_eq(jstr(expect_event(&b, "muted_by_host"), "source"), "microphone");
	json_t *d = expect_event(&b, "participant_updated");
	ck_assert_int_eq(jint(d, "id"), idb);
	ck_assert(json_is_true(json_object_get(d, "audio_muted")));
	d = expect_event(&c, "participant_updated");
	ck_assert_int_eq(jint(d, "id"), idb);
	ck_assert(json_is_true(json_object_get(d, "audio_muted")));
	ck_assert(!has_event(&c, "muted_by_host"));
	snprintf(params, sizeof params, "{\"id\":%u,\"source\":\"speaker\"}", idb);
	assert_error(call(&a, "mute", params), "bad_request");
	assert_error(call(&a, "mute", "{\"id\":1,\"source\":\"camera\"}"), "not_found");
	/* ask_unmute only asks. */
	snprintf(params, sizeof params, "{\"id\":%u}", idb);
	assert_result(call(&a, "ask_unmute", params));
	ck_assert_int_eq(jint(expect_event(&b, "unmute_requested"), "by"), ida);
	/* mute_all: everyone's microphone but the caller's and the exceptions'. */
	assert_result(call(&b, "media_state", "{\"audio_muted\":false,\"video_muted\":false}"));
	drain(&a);
	drain(&b);
	drain(&c);
	snprintf(params, sizeof params, "{\"except\":[%u]}", idc);
	assert_result(call(&a, "mute_all", params));
	ck_assert_str_eq(jstr(expect_event(&b, "muted_by_host"), "source"), "microphone");
	ck_assert(!has_event(&c, "muted_by_host"));
	ck_assert(!has_event(&a, "muted_by_host"));
	assert_error(call(&a, "mute_all", "{\"except\":3}"), "bad_request");
	client_close(&a);
	client_close(&b);
	client_close(&c);
}
END_TEST

START_TEST(remove_participant)
{
	struct client a, b, c;
	uint32_t ida, idb, idc;
	open_three(&a, &b, &c, "rm", &ida, &idb, &idc);
	assert_result(call(&b, "raise_hand", NULL));
	char params[64];
	snprintf(params, sizeof params, "{\"id\":%u}", ida);
	assert_error(call(&a, "remove", params), "invalid_state");
	snprintf(params, sizeof params, "{\"id\":%u}", idb);
	assert_result(call(&a, "remove", params));
	ck_assert_int_eq(jint(expect_event(&b, "removed"), "by"), ida);
	ck_assert(!has_event(&b, "dropped"));
	ck_assert(!proto_conn_joined(b.c));
	assert_error(call(&b, "chat_send", "{\"text\":\"x\"}"), "not_joined");
	json_t *d = expect_event(&c, "participant_left");
	ck_assert_int_eq(jint(d, "id"), idb);
	ck_assert_str_eq(jstr(d, "reason"), "removed");
	d = expect_event(&a, "participant_left");
	ck_assert_str_eq(jstr(d, "reason"), "removed");
	assert_error(call(&a, "remove", params), "not_found");
	client_close(&a);
	client_close(&b);
	client_close(&c);
}
END_TEST

START_TEST(end_meeting)
{
	struct client a, b, c, w;
	uint32_t ida, idb, idc;
	open_joined(&a, "end", "Ann", &ida);
	open_joined(&b, "end", "Bob", &idb);
	open_joined(&c, "end", "Cy", &idc);
	client_open(&w);
	hello(&w);
	assert_result(call(&a, "set_lobby", "{\"enabled\":true}"));
	assert_result(call(&w, "join", "{\"room\":\"end\",\"name\":\"Wes\"}"));
	drain(&a);
	drain(&b);
	drain(&c);
	json_t *r = call(&a, "end_meeting", NULL);
	assert_result(r);
	expect_event(&a, "meeting_ended");
	expect_event(&b, "meeting_ended");
	ck_assert_str_eq(jstr(expect_event(&c, "participant_left"), "reason"), "ended");
	ck_assert_str_eq(jstr(expect_event(&w, "lobby_denied"), "reason"), "room_ended");
	ck_assert(!proto_conn_joined(a.c) && !proto_conn_joined(b.c) && !proto_conn_joined(c.c));
	ck_assert(!has_event(&b, "dropped"));
	/* The room is gone: the next one in starts afresh, as host. */
	json_t *res = assert_result(call(&c, "join", "{\"room\":\"end\",\"name\":\"Cy\"}"));
	ck_assert_str_eq(jstr(res, "role"), "host");
	ck_assert(json_is_false(json_object_get(json_object_get(res, "room_state"), "lobby")));
	client_close(&a);
	client_close(&b);
	client_close(&c);
	client_close(&w);
}
END_TEST

START_TEST(music_and_video_prefs)
{
	struct client a, b;
	uint32_t ida, idb;
	open_joined(&a, "mv", "Ann", &ida);
	open_joined(&b, "mv", "Bob", &idb);
	drain(&a);
	drain(&b);
	assert_result(call(&b, "set_music", "{\"enabled\":true}"));
	json_t *d = expect_event(&a, "participant_updated");
	ck_assert_int_eq(jint(d, "id"), idb);
	ck_assert(json_is_true(json_object_get(d, "music")));
	assert_error(call(&b, "set_music", "{\"enabled\":1}"), "bad_request");
	assert_result(call(&a, "set_room_music", "{\"enabled\":true}"));
	d = expect_event(&b, "room_updated");
	ck_assert(json_is_true(json_object_get(d, "music")));
	char params[256];
	snprintf(params, sizeof params, "{\"last_n\":4,\"pinned\":[%u],\"tiles\":[{\"id\":%u,\"source\":\"camera\","
	         "\"height\":360},{\"id\":%u,\"source\":\"screen\",\"height\":1080}]}", ida, ida, ida);
	assert_result(call(&b, "set_video_prefs", params));
	assert_result(call(&b, "set_video_prefs", "{}"));
	assert_error(call(&b, "set_video_prefs", "{\"last_n\":51}"), "bad_request");
	assert_error(call(&b, "set_video_prefs", "{\"pinned\":[\"x\"]}"), "bad_request");
	assert_error(call(&b, "set_video_prefs", "{\"tiles\":[{\"id\":1,\"source\":\"microphone\",\"height\":1}]}"),
	             "bad_request");
	assert_error(call(&b, "set_video_prefs", "{\"tiles\":[{\"id\":1,\"source\":\"camera\",\"height\":2161}]}"),
	             "bad_request");
	/* publish labels: wrong shapes are refused before the SDP is looked at */
	assert_error(call(&b, "publish", "{\"sdp\":\"v=0\",\"tracks\":[{\"mid\":\"0\",\"source\":\"tv\"}]}"),
	             "bad_request");
	assert_error(call(&b, "publish", "{\"sdp\":\"v=0\",\"music\":\"yes\"}"), "bad_request");
	assert_error(call(&b, "publish", "{\"sdp\":\"v=0\",\"tracks\":[{\"mid\":\"0\",\"source\":\"screen\"}]}"),
	             "sdp_invalid");
	/* A newcomer to a music room gets music mode on. */
	struct client c;
	uint32_t idc;
	open_joined(&c, "mv", "Cy", &idc);
	d = expect_event(&a, "participant_joined");
	ck_assert_int_eq(jint(d, "id"), idc);
	client_close(&a);
	client_close(&b);
	client_close(&c);
}
END_TEST

START_TEST(speaker_and_track_sources)
{
	struct client a;
	uint32_t ida;
	open_joined(&a, "sp", "Ann", &ida);
	proto_sfu_events.active_speaker(a.c, 42);
	json_t *d = expect_event(&a, "active_speaker");
	ck_assert_int_eq(jint(d, "id"), 42);
	const struct sfu_track_info tracks[2] = {
		{ .mid = "0", .participant_id = 9, .kind = SFU_KIND_AUDIO, .source = SFU_SOURCE_MICROPHONE, .active = true },
		{ .mid = "1", .participant_id = 9, .kind = SFU_KIND_VIDEO, .source = SFU_SOURCE_SCREEN, .active = true },
	};
	proto_sfu_events.subscribe_offer(a.c, 1, "v=0\r\n", tracks, 2);
	json_t *t = json_object_get(expect_event(&a, "subscribe_offer"), "tracks");
	ck_assert_str_eq(jstr(json_array_get(t, 0), "source"), "microphone");
	ck_assert_str_eq(jstr(json_array_get(t, 1), "source"), "screen");
	client_close(&a);
	/* Not joined: no speaker events. */
	client_open(&a);
	proto_sfu_events.active_speaker(a.c, 42);
	ck_assert_int_eq(unread(&a), 0);
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
		"password_required", "password_wrong", "rate_limited", "room_locked", "lobby_full", "rooms_full",
		"token_malformed", "token_algorithm", "token_signature", "token_expired", "token_not_yet_valid",
		"token_wrong_tenant", "token_wrong_room", "token_claims", "feature_disabled", "disk_full", "busy",
		"no_media", "out_failed", "already_voted", "poll_closed", "too_many_polls", "poll_full",
		"e2ee_required", "e2ee_off", "e2ee",
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
	TCase *tm = tcase_create("meeting");
	tcase_add_checked_fixture(tm, setup, teardown);
	tcase_add_test(tm, roles_and_room_state);
	tcase_add_test(tm, host_handover_on_leave);
	tcase_add_test(tm, host_methods_forbidden_for_guests);
	tcase_add_test(tm, password_flow);
	tcase_add_test(tm, lobby_flow);
	tcase_add_test(tm, lobby_all_and_room_end);
	tcase_add_test(tm, lobby_limits_and_deltas);
	tcase_add_test(tm, password_guard_room);
	tcase_add_test(tm, rejoin_after_drop);
	tcase_add_test(tm, join_ice_servers);
	tcase_add_test(tm, alone_host_drop_keeps_room);
	tcase_add_test(tm, fanout_rate_limited);
	tcase_add_test(tm, hands_queue);
	tcase_add_test(tm, chat_delivery);
	tcase_add_test(tm, reactions);
	tcase_add_test(tm, mute_and_ask);
	tcase_add_test(tm, remove_participant);
	tcase_add_test(tm, end_meeting);
	tcase_add_test(tm, music_and_video_prefs);
	tcase_add_test(tm, speaker_and_track_sources);
	suite_add_tcase(s, tm);
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
