/* test_e2ee: end-to-end encrypted meetings through the proto layer — the first member decides,
 * later joins alike or refused (also before the lobby), room_state and room_status say so, and
 * recording, streaming and stream links are refused with `e2ee`; meet's rules alone. */
#include "proto_client.h"

static int starts;

static int fake_start(void *arg, enum signal_out what, const char *room_key, const char *tenant)
{
	starts++;
	return 0;
}

static void fake_stop(void *arg, enum signal_out what, const char *room_key)
{
}

static const struct signal_out_ops fake_ops = { fake_start, fake_stop };

static void setup_e2ee(void)
{
	setup();
	starts = 0;
	proto_server_set_out(srv, &fake_ops, NULL, NULL);
}

static json_t *join_as(struct client *cl, const char *room, const char *name, const char *e2ee)
{
	char params[256];
	snprintf(params, sizeof params, "{\"room\":\"%s\",\"name\":\"%s\"%s%s}", room, name,
	         e2ee ? ",\"e2ee\":" : "", e2ee ? e2ee : "");
	return call(cl, "join", params);
}

START_TEST(first_member_decides)
{
	struct client a, b, c, d;
	client_open(&a);
	hello(&a);
	json_t *res = assert_result(join_as(&a, "sealed", "Ann", "true"));
	ck_assert(json_is_true(json_object_get(json_object_get(res, "room_state"), "e2ee")));
	/* nothing leaves an encrypted room: the hosts are not offered it */
	ck_assert(json_is_false(json_object_get(json_object_get(res, "features"), "recording")));
	ck_assert(json_is_false(json_object_get(json_object_get(res, "features"), "streaming")));
	client_open(&b);
	hello(&b);
	assert_error(join_as(&b, "sealed", "Bob", NULL), "e2ee_required");
	assert_error(join_as(&b, "sealed", "Bob", "false"), "e2ee_required");
	assert_error(join_as(&b, "sealed", "Bob", "1"), "bad_request");
	ck_assert(!has_event(&a, "participant_joined"));
	res = assert_result(join_as(&b, "sealed", "Bob", "true"));
	ck_assert(json_is_true(json_object_get(json_object_get(res, "room_state"), "e2ee")));
	/* a room in the clear refuses a join that would encrypt */
	client_open(&c);
	hello(&c);
	res = assert_result(join_as(&c, "open", "Cy", "false"));
	ck_assert(json_is_false(json_object_get(json_object_get(res, "room_state"), "e2ee")));
	client_open(&d);
	hello(&d);
	assert_error(join_as(&d, "open", "Di", "true"), "e2ee_off");
	assert_result(join_as(&d, "open", "Di", NULL));
	client_close(&a);
	client_close(&b);
	client_close(&c);
	client_close(&d);
}
END_TEST

START_TEST(room_status_tells)
{
	struct client a, b;
	client_open(&a);
	hello(&a);
	assert_result(join_as(&a, "sealed", "Ann", "true"));
	client_open(&b);
	hello(&b);
	json_t *res = assert_result(call(&b, "room_status", "{\"room\":\"sealed\"}"));
	ck_assert(json_is_true(json_object_get(res, "e2ee")));
	res = assert_result(call(&b, "room_status", "{\"room\":\"nobody-here\"}"));
	ck_assert(json_is_false(json_object_get(res, "e2ee")));
	client_close(&a);
	/* a dropped host's seat is held: the room stays encrypted */
	res = assert_result(call(&b, "room_status", "{\"room\":\"sealed\"}"));
	ck_assert(json_is_true(json_object_get(res, "e2ee")));
	client_open(&a);
	hello(&a);
	assert_result(join_as(&a, "gone", "Ann", "true"));
	assert_result(call(&a, "leave", NULL));
	client_close(&a);
	/* that meeting is over: the next first member decides afresh */
	res = assert_result(call(&b, "room_status", "{\"room\":\"gone\"}"));
	ck_assert(json_is_false(json_object_get(res, "e2ee")));
	res = assert_result(join_as(&b, "gone", "Bob", NULL));
	ck_assert(json_is_false(json_object_get(json_object_get(res, "room_state"), "e2ee")));
	client_close(&b);
}
END_TEST

START_TEST(lobby_refuses_before_knock)
{
	struct client a, b;
	client_open(&a);
	hello(&a);
	assert_result(join_as(&a, "sealed", "Ann", "true"));
	assert_result(call(&a, "set_lobby", "{\"enabled\":true}"));
	drain(&a);
	client_open(&b);
	hello(&b);
	assert_error(join_as(&b, "sealed", "Bob", NULL), "e2ee_required");
	ck_assert(!has_event(&a, "lobby_knock"));
	json_t *res = assert_result(join_as(&b, "sealed", "Bob", "true"));
	ck_assert(json_is_true(json_object_get(res, "waiting")));
	ck_assert(has_event(&a, "lobby_knock"));
	client_close(&a);
	client_close(&b);
}
END_TEST

START_TEST(nothing_leaves)
{
	struct client a;
	client_open(&a);
	hello(&a);
	assert_result(join_as(&a, "sealed", "Ann", "true"));
	assert_error(call(&a, "recording_start", NULL), "e2ee");
	assert_error(call(&a, "streaming_start", NULL), "e2ee");
	assert_error(call(&a, "stream_links", NULL), "e2ee");
	ck_assert_int_eq(starts, 0);
	/* stopping what never ran stays harmless */
	assert_result(call(&a, "recording_stop", NULL));
	client_close(&a);
	/* the same host in a room in the clear may record */
	client_open(&a);
	hello(&a);
	assert_result(join_as(&a, "open", "Ann", "false"));
	assert_result(call(&a, "recording_start", NULL));
	ck_assert_int_eq(starts, 1);
	client_close(&a);
}
END_TEST

START_TEST(meet_rules)
{
	struct meet *m;
	struct meet_room *r;
	ck_assert_int_eq(meet_new(&m), 0);
	ck_assert_int_eq(meet_room_new(m, "t/r", &r), 0);
	/* undecided: anything goes, nothing is refused */
	ck_assert_int_eq(meet_e2ee_check(r, true), MEET_OK);
	ck_assert_int_eq(meet_e2ee_check(r, false), MEET_OK);
	ck_assert_int_eq(meet_e2ee_out(r), MEET_OK);
	ck_assert_int_eq(meet_e2ee_enter(r, true), MEET_OK);
	struct meet_member *mm;
	ck_assert_int_eq(meet_member_add(r, 1, "Ann", NULL, &mm), 0);
	ck_assert_int_eq(meet_e2ee_check(r, false), MEET_ERR_E2EE_REQUIRED);
	ck_assert_int_eq(meet_e2ee_enter(r, false), MEET_ERR_E2EE_REQUIRED);
	ck_assert_int_eq(meet_e2ee_enter(r, true), MEET_OK);
	ck_assert_int_eq(meet_e2ee_out(r), MEET_ERR_E2EE);
	/* a dropped host's held seat keeps the decision */
	bool hand;
	meet_member_drop(r, mm, 1000, &hand);
	ck_assert_uint_eq(r->n_members, 0);
	ck_assert_uint_eq(r->n_seats, 1);
	ck_assert_int_eq(meet_e2ee_check(r, false), MEET_ERR_E2EE_REQUIRED);
	ck_assert_int_eq(meet_e2ee_out(NULL), MEET_OK);
	ck_assert_int_eq(meet_e2ee_check(NULL, true), MEET_OK);
	meet_free(m);
}
END_TEST

static Suite *e2ee_suite(void)
{
	Suite *s = suite_create("e2ee");
	TCase *tc = tcase_create("e2ee");
	tcase_add_checked_fixture(tc, setup_e2ee, teardown);
	tcase_add_test(tc, first_member_decides);
	tcase_add_test(tc, room_status_tells);
	tcase_add_test(tc, lobby_refuses_before_knock);
	tcase_add_test(tc, nothing_leaves);
	tcase_add_test(tc, meet_rules);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(e2ee_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
