/* test_signal_out: recording and streaming through the proto layer with a fake media side that
 * records its calls and answers chosen errnos — who may start, what everyone and a late joiner
 * see, room_status before joining, the media side's reports, switches and rate limits. */
#include <errno.h>

#include "proto_client.h"

/* The fake media side: every call recorded, start answers `answer`. */
struct fake_out {
	int starts, stops;
	enum signal_out what;
	char room_key[128], tenant[64];
	int answer;
};
static struct fake_out fake;

static int fake_start(void *arg, enum signal_out what, const char *room_key, const char *tenant)
{
	struct fake_out *f = arg;
	f->starts++;
	f->what = what;
	snprintf(f->room_key, sizeof f->room_key, "%s", room_key);
	snprintf(f->tenant, sizeof f->tenant, "%s", tenant);
	return f->answer;
}

static void fake_stop(void *arg, enum signal_out what, const char *room_key)
{
	struct fake_out *f = arg;
	f->stops++;
	f->what = what;
	snprintf(f->room_key, sizeof f->room_key, "%s", room_key);
}

static const struct signal_out_ops fake_ops = { fake_start, fake_stop };

static void setup_out(void)
{
	setup();
	memset(&fake, 0, sizeof fake);
	proto_server_set_out(srv, &fake_ops, &fake, NULL);
}

static json_t *out_state(json_t *room_state, const char *what)
{
	json_t *o = json_object_get(room_state, what);
	ck_assert_msg(json_is_object(o), "room_state has no %s", what);
	return o;
}

START_TEST(host_starts_everyone_sees)
{
	struct client a, b, c;
	uint32_t ida, idb;
	open_joined(&a, "rat", "Ann", &ida);
	open_joined(&b, "rat", "Bob", &idb);
	drain(&a);
	drain(&b);
	/* the join result says what is offered */
	client_open(&c);
	hello(&c);
	/* before anything: room_status says nothing runs */
	json_t *res = assert_result(call(&c, "room_status", "{\"room\":\"rat\"}"));
	ck_assert(json_is_false(json_object_get(res, "recording")));
	ck_assert(json_is_false(json_object_get(res, "streaming")));
	res = assert_result(call(&a, "recording_start", NULL));
	ck_assert(json_is_true(json_object_get(res, "active")));
	ck_assert_int_eq(fake.starts, 1);
	ck_assert_int_eq(fake.what, SIGNAL_OUT_RECORDING);
	ck_assert_str_eq(fake.room_key, "default/rat");
	ck_assert_str_eq(fake.tenant, "default");
	/* everyone hears who started it and since when */
	json_t *d = expect_event(&b, "out_updated");
	ck_assert_str_eq(jstr(d, "what"), "recording");
	ck_assert_str_eq(jstr(d, "change"), "started");
	ck_assert(json_is_true(json_object_get(d, "active")));
	ck_assert_str_eq(jstr(d, "started_by"), "Ann");
	ck_assert_int_gt(jint(d, "since"), 1600000000000LL);
	expect_event(&a, "out_updated");
	/* a second start changes nothing and calls nobody */
	assert_result(call(&a, "recording_start", NULL));
	ck_assert_int_eq(fake.starts, 1);
	ck_assert(!has_event(&b, "out_updated"));
	/* someone not yet joined learns it before joining: only the two flags and whether it is encrypted */
	res = assert_result(call(&c, "room_status", "{\"room\":\"RAT\"}"));
	ck_assert(json_is_true(json_object_get(res, "recording")));
	ck_assert(json_is_false(json_object_get(res, "streaming")));
	ck_assert(json_is_false(json_object_get(res, "e2ee")));
	ck_assert_int_eq(json_object_size(res), 3);
	/* the late joiner finds it in room_state, and the features offered */
	res = assert_result(call(&c, "join", "{\"room\":\"rat\",\"name\":\"Cy\"}"));
	json_t *rec = out_state(json_object_get(res, "room_state"), "recording");
	ck_assert(json_is_true(json_object_get(rec, "active")));
	ck_assert_str_eq(jstr(rec, "started_by"), "Ann");
	ck_assert(json_is_false(json_object_get(out_state(json_object_get(res, "room_state"), "streaming"), "active")));
	json_t *feat = json_object_get(res, "features");
	ck_assert(json_is_true(json_object_get(feat, "recording")) && json_is_true(json_object_get(feat, "streaming")));
	/* stop: the media side is told, everyone sees who stopped it and when */
	drain(&b);
	res = assert_result(call(&a, "recording_stop", NULL));
	ck_assert(json_is_false(json_object_get(res, "active")));
	ck_assert_int_eq(fake.stops, 1);
	d = expect_event(&b, "out_updated");
	ck_assert_str_eq(jstr(d, "change"), "stopped");
	ck_assert_str_eq(jstr(d, "stopped_by"), "Ann");
	ck_assert_int_ge(jint(d, "stopped_at"), jint(d, "since"));
	ck_assert(json_is_null(json_object_get(d, "reason")));
	/* streaming goes the same way, apart */
	drain(&c);
	assert_result(call(&a, "streaming_start", NULL));
	ck_assert_int_eq(fake.what, SIGNAL_OUT_STREAMING);
	d = expect_event(&c, "out_updated");
	ck_assert_str_eq(jstr(d, "what"), "streaming");
	client_close(&a);
	client_close(&b);
	client_close(&c);
}
END_TEST

START_TEST(guests_forbidden)
{
	static const char *const methods[] = { "recording_start", "recording_stop", "streaming_start", "streaming_stop" };
	struct client a, b, c;
	uint32_t ida, idb;
	client_open(&c);
	hello(&c);
	for (size_t i = 0; i < 4; i++)
		assert_error(call(&c, methods[i], NULL), "not_joined");
	open_joined(&a, "g", "Ann", &ida);
	open_joined(&b, "g", "Bob", &idb);
	drain(&a);
	for (size_t i = 0; i < 4; i++)
		assert_error(call(&b, methods[i], NULL), "forbidden");
	ck_assert_int_eq(fake.starts + fake.stops, 0);
	ck_assert_int_eq(unread(&a), 0);
	client_close(&a);
	client_close(&b);
	client_close(&c);
}
END_TEST

START_TEST(media_side_errors)
{
	static const struct { int err; const char *code; } cases[] = {
		{ ENOSPC, "disk_full" }, { EBUSY, "busy" }, { ENOENT, "no_media" }, { EIO, "out_failed" },
	};
	struct client a, b;
	uint32_t ida, idb;
	open_joined(&a, "e", "Ann", &ida);
	open_joined(&b, "e", "Bob", &idb);
	drain(&b);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fake.answer = cases[i].err;
		fake_now += 10000000;   /* past the rate limit */
		assert_error(call(&a, "recording_start", NULL), cases[i].code);
	}
	ck_assert_int_eq(fake.starts, 4);
	/* nothing started: nobody was told, the state stays off */
	ck_assert(!has_event(&b, "out_updated"));
	struct client c;
	client_open(&c);
	hello(&c);
	json_t *res = assert_result(call(&c, "room_status", "{\"room\":\"e\"}"));
	ck_assert(json_is_false(json_object_get(res, "recording")));
	client_close(&a);
	client_close(&b);
	client_close(&c);
}
END_TEST

START_TEST(switched_off)
{
	struct client a;
	uint32_t ida;
	/* no media side: neither is offered, the methods say so */
	proto_server_set_out(srv, NULL, NULL, NULL);
	open_joined(&a, "o", "Ann", &ida);
	assert_error(call(&a, "recording_start", NULL), "feature_disabled");
	assert_error(call(&a, "streaming_stop", NULL), "feature_disabled");
	client_close(&a);
	/* the server switched recording off: streaming is still offered */
	bool off[SIGNAL_OUT_COUNT] = { [SIGNAL_OUT_RECORDING] = true };
	proto_server_set_out(srv, &fake_ops, &fake, off);
	client_open(&a);
	hello(&a);
	json_t *res = assert_result(call(&a, "join", "{\"room\":\"o2\",\"name\":\"Ann\"}"));
	json_t *feat = json_object_get(res, "features");
	ck_assert(json_is_false(json_object_get(feat, "recording")) && json_is_true(json_object_get(feat, "streaming")));
	assert_error(call(&a, "recording_start", NULL), "feature_disabled");
	assert_result(call(&a, "streaming_start", NULL));
	client_close(&a);
	/* a tenant switches streaming off for its own rooms */
	proto_server_set_out(srv, &fake_ops, &fake, NULL);
	struct proto_tenant_config tc = { .id = "town", .out_off = { [SIGNAL_OUT_STREAMING] = true } };
	struct proto_tenant *town;
	ck_assert_int_eq(proto_server_add_tenant(srv, &tc, &town), 0);
	client_open(&a);
	proto_conn_set_tenant(a.c, town);
	hello(&a);
	res = assert_result(call(&a, "join", "{\"room\":\"o3\",\"name\":\"Ann\"}"));
	feat = json_object_get(res, "features");
	ck_assert(json_is_true(json_object_get(feat, "recording")) && json_is_false(json_object_get(feat, "streaming")));
	assert_error(call(&a, "streaming_start", NULL), "feature_disabled");
	assert_result(call(&a, "recording_start", NULL));
	ck_assert_str_eq(fake.room_key, "town/o3");
	ck_assert_str_eq(fake.tenant, "town");
	ck_assert_int_eq(fake.starts, 2);
	client_close(&a);
}
END_TEST

START_TEST(reports)
{
	struct client a, b;
	uint32_t ida, idb;
	open_joined(&a, "f", "Ann", &ida);
	open_joined(&b, "f", "Bob", &idb);
	assert_result(call(&a, "recording_start", NULL));
	drain(&a);
	drain(&b);
	ck_assert(proto_server_out_active(srv, "default/f", SIGNAL_OUT_RECORDING));
	ck_assert(!proto_server_out_active(srv, "default/f", SIGNAL_OUT_STREAMING));
	ck_assert(!proto_server_out_active(srv, "default/nope", SIGNAL_OUT_RECORDING));
	/* it failed by itself: off for everyone, the hosts hear why */
	proto_server_out_report(srv, "default/f", SIGNAL_OUT_RECORDING, SIGNAL_OUT_FAILED, "disk_full");
	ck_assert(!proto_server_out_active(srv, "default/f", SIGNAL_OUT_RECORDING));
	json_t *d = expect_event(&b, "out_updated");
	ck_assert_str_eq(jstr(d, "change"), "failed");
	ck_assert(json_is_false(json_object_get(d, "active")));
	ck_assert_str_eq(jstr(d, "reason"), "disk_full");
	ck_assert(json_is_null(json_object_get(d, "stopped_by")));
	ck_assert(!has_event(&b, "out_report"));
	d = expect_event(&a, "out_report");
	ck_assert_str_eq(jstr(d, "what"), "recording");
	ck_assert_str_eq(jstr(d, "status"), "failed");
	ck_assert_str_eq(jstr(d, "reason"), "disk_full");
	/* a reason that is no word is passed on as "failed" */
	proto_server_out_report(srv, "default/f", SIGNAL_OUT_RECORDING, SIGNAL_OUT_RENDER_FAILED, "<b>oops</b>");
	d = expect_event(&a, "out_report");
	ck_assert_str_eq(jstr(d, "status"), "render_failed");
	ck_assert_str_eq(jstr(d, "reason"), "failed");
	proto_server_out_report(srv, "default/f", SIGNAL_OUT_RECORDING, SIGNAL_OUT_READY, "f-20250101-1400.mp4");
	d = expect_event(&a, "out_report");
	ck_assert_str_eq(jstr(d, "status"), "ready");
	ck_assert_str_eq(jstr(d, "file"), "f-20250101-1400.mp4");
	ck_assert(!has_event(&b, "out_report"));
	/* rooms that are gone, and nonsense, are ignored */
	proto_server_out_report(srv, "default/gone", SIGNAL_OUT_RECORDING, SIGNAL_OUT_FAILED, NULL);
	proto_server_out_report(srv, "default/f", (enum signal_out)7, SIGNAL_OUT_FAILED, NULL);
	proto_server_out_report(srv, "default/f", SIGNAL_OUT_RECORDING, (enum signal_out_status)9, NULL);
	ck_assert_int_eq(unread(&a), 0);
	ck_assert_int_eq(unread(&b), 0);
	client_close(&a);
	client_close(&b);
}
END_TEST

START_TEST(empty_meeting_stops)
{
	struct client a;
	uint32_t ida;
	open_joined(&a, "x", "Ann", &ida);
	assert_result(call(&a, "streaming_start", NULL));
	assert_result(call(&a, "leave", NULL));
	/* nobody is left: the media side is told to stop */
	ck_assert_int_eq(fake.stops, 1);
	ck_assert_int_eq(fake.what, SIGNAL_OUT_STREAMING);
	ck_assert(!proto_server_out_active(srv, "default/x", SIGNAL_OUT_STREAMING));
	client_close(&a);
}
END_TEST

START_TEST(rate_limits)
{
	struct client a, c;
	uint32_t ida;
	open_joined(&a, "r", "Ann", &ida);
	/* six changes per 10 s per room, starts and stops together */
	for (int i = 0; i < 6; i++)
		assert_result(call(&a, i % 2 ? "recording_stop" : "recording_start", NULL));
	json_t *r = call(&a, "streaming_start", NULL);
	assert_error(r, "rate_limited");
	ck_assert_int_eq(fake.starts, 3);
	fake_now += 2000000;   /* one more after a sixth of the window */
	assert_result(call(&a, "streaming_start", NULL));
	assert_error(call(&a, "streaming_stop", NULL), "rate_limited");
	/* room_status: five per 10 s per connection, then a wait */
	client_open(&c);
	hello(&c);
	for (int i = 0; i < 5; i++)
		assert_result(call(&c, "room_status", "{\"room\":\"r\"}"));
	assert_error(call(&c, "room_status", "{\"room\":\"r\"}"), "rate_limited");
	fake_now += 10000000;
	json_t *res = assert_result(call(&c, "room_status", "{\"room\":\"r\"}"));
	ck_assert(json_is_true(json_object_get(res, "streaming")));
	/* bad names are refused before anything is counted */
	assert_error(call(&c, "room_status", "{\"room\":\"-bad\"}"), "room_name_invalid");
	assert_error(call(&c, "room_status", "{}"), "bad_request");
	assert_error(call(&c, "room_status", "{\"room\":7}"), "bad_request");
	client_close(&a);
	client_close(&c);
}
END_TEST

START_TEST(room_status_needs_hello)
{
	struct client c;
	client_open(&c);
	assert_error(call(&c, "room_status", "{\"room\":\"r\"}"), "hello_required");
	client_close(&c);
}
END_TEST

static Suite *out_suite(void)
{
	Suite *s = suite_create("signal_out");
	TCase *tc = tcase_create("out");
	tcase_add_checked_fixture(tc, setup_out, teardown);
	tcase_add_test(tc, host_starts_everyone_sees);
	tcase_add_test(tc, guests_forbidden);
	tcase_add_test(tc, media_side_errors);
	tcase_add_test(tc, switched_off);
	tcase_add_test(tc, reports);
	tcase_add_test(tc, empty_meeting_stops);
	tcase_add_test(tc, rate_limits);
	tcase_add_test(tc, room_status_needs_hello);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(out_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
