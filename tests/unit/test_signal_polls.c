/* test_signal_polls: the poll requests and the `poll` event through the transport-free protocol
 * layer on a driven clock — who sees tallies and who chose what, the hosts' pace of at most two
 * updates a second per poll (the held-back one sent by the server's tick), late joiners, removal
 * of the oldest closed poll. */
#include "proto_client.h"

#define MS 1000ull

static void close_three(struct client *a, struct client *b, struct client *c)
{
	client_close(a);
	client_close(b);
	client_close(c);
}

/* Unread `poll` events of a client (consumed). */
static int polls_seen(struct client *cl, json_t **last)
{
	int n = 0;
	while (cl->w.read < cl->w.n) {
		json_t *m = cl->w.msg[cl->w.read++];
		if (strcmp(event_name(m), "poll") == 0) {
			n++;
			if (last)
				*last = json_object_get(m, "data");
		}
	}
	return n;
}

static json_int_t tally(const json_t *poll, size_t i)
{
	json_t *t = json_object_get(poll, "tallies");
	ck_assert_msg(json_is_array(t), "no tallies");
	return json_integer_value(json_array_get(t, i));
}

START_TEST(secret_poll_pace_and_views)
{
	struct client a, b, c;
	uint32_t ida, idb, idc;
	open_three(&a, &b, &c, "rat", &ida, &idb, &idc);
	json_t *res = assert_result(call(&a, "poll_create",
		"{\"question\":\"Haushalt?\",\"answers\":[\"Ja\",\"Nein\"],\"secret\":true}"));
	json_int_t pid = jint(res, "poll_id");
	json_t *p = NULL;
	ck_assert_int_eq(polls_seen(&a, &p), 1);
	ck_assert_int_eq(tally(p, 0), 0);
	ck_assert_int_eq(polls_seen(&b, &p), 1);
	ck_assert_ptr_null(json_object_get(p, "tallies"));   /* guests: not while hidden */
	ck_assert(json_is_false(json_object_get(json_object_get(p, "your_vote"), "voted")));
	drain(&c);

	char params[96];
	snprintf(params, sizeof params, "{\"poll_id\":%lld,\"choices\":[0]}", (long long)pid);
	fake_now += 100 * MS;
	assert_result(call(&b, "poll_vote", params));
	/* the voter hears at once (voted, not what); the host not yet: within 500 ms of the last */
	ck_assert_int_eq(polls_seen(&b, &p), 1);
	ck_assert(json_is_true(json_object_get(json_object_get(p, "your_vote"), "voted")));
	ck_assert_ptr_null(json_object_get(json_object_get(p, "your_vote"), "choices"));
	ck_assert_int_eq(jint(p, "voters"), 1);
	ck_assert_int_eq(polls_seen(&a, NULL), 0);
	fake_now += 100 * MS;
	snprintf(params, sizeof params, "{\"poll_id\":%lld,\"choices\":[1]}", (long long)pid);
	assert_result(call(&c, "poll_vote", params));
	assert_error(call(&c, "poll_vote", params), "already_voted");
	proto_server_tick(srv);
	ck_assert_int_eq(polls_seen(&a, NULL), 0);
	fake_now += 350 * MS;   /* 550 ms after the poll began */
	proto_server_tick(srv);
	ck_assert_int_eq(polls_seen(&a, &p), 1);
	ck_assert_int_eq(jint(p, "voters"), 2);
	ck_assert_int_eq(tally(p, 0), 1);
	ck_assert_int_eq(tally(p, 1), 1);
	ck_assert_ptr_null(json_object_get(p, "votes"));      /* secret: nobody's choice */
	ck_assert_int_eq(polls_seen(&b, NULL), 0);             /* guests see no tallies, so no update */
	fake_now += 1000 * MS;
	proto_server_tick(srv);
	ck_assert_int_eq(polls_seen(&a, NULL), 0);             /* nothing untold */

	/* a host vote more than 500 ms later goes out at once, once */
	assert_result(call(&a, "poll_vote", params));
	ck_assert_int_eq(polls_seen(&a, &p), 1);
	ck_assert_int_eq(tally(p, 1), 2);

	/* shown: everyone gets the tallies; a second show tells nobody */
	snprintf(params, sizeof params, "{\"poll_id\":%lld}", (long long)pid);
	assert_result(call(&a, "poll_show_results", params));
	ck_assert_int_eq(polls_seen(&b, &p), 1);
	ck_assert_int_eq(tally(p, 0), 1);
	ck_assert_int_eq(tally(p, 1), 2);
	drain(&a);
	drain(&c);
	assert_result(call(&a, "poll_show_results", params));
	ck_assert_int_eq(polls_seen(&b, NULL), 0);
	assert_error(call(&b, "poll_show_results", params), "forbidden");
	close_three(&a, &b, &c);
}
END_TEST

START_TEST(open_poll_votes_for_hosts_only)
{
	struct client a, b, c;
	uint32_t ida, idb, idc;
	open_three(&a, &b, &c, "verein", &ida, &idb, &idc);
	json_int_t pid = jint(assert_result(call(&a, "poll_create",
		"{\"question\":\"Tage?\",\"answers\":[\"Mo\",\"Di\",\"Mi\"],\"multiple\":true}")), "poll_id");
	drain(&a);
	drain(&b);
	drain(&c);
	char params[96];
	snprintf(params, sizeof params, "{\"poll_id\":%lld,\"choices\":[2,0]}", (long long)pid);
	fake_now += 600 * MS;
	assert_result(call(&b, "poll_vote", params));
	json_t *p = NULL;
	ck_assert_int_eq(polls_seen(&b, &p), 1);
	json_t *mine = json_object_get(json_object_get(p, "your_vote"), "choices");
	ck_assert_int_eq(json_array_size(mine), 2);
	ck_assert_int_eq(json_integer_value(json_array_get(mine, 0)), 0);
	ck_assert_int_eq(json_integer_value(json_array_get(mine, 1)), 2);
	ck_assert_ptr_null(json_object_get(p, "votes"));
	ck_assert_int_eq(polls_seen(&a, &p), 1);
	json_t *votes = json_object_get(p, "votes");
	ck_assert_int_eq(json_array_size(votes), 1);
	ck_assert_int_eq(jint(json_array_get(votes, 0), "id"), idb);
	ck_assert_str_eq(jstr(json_array_get(votes, 0), "name"), "Bob");
	ck_assert_int_eq(polls_seen(&c, NULL), 0);

	/* a host made later gets every poll with tallies and votes */
	char id[64];
	snprintf(id, sizeof id, "{\"id\":%u}", idc);
	assert_result(call(&a, "make_host", id));
	ck_assert_int_eq(polls_seen(&c, &p), 1);
	ck_assert_int_eq(json_array_size(json_object_get(p, "votes")), 1);
	ck_assert_int_eq(tally(p, 2), 1);
	close_three(&a, &b, &c);
}
END_TEST

/* A newcomer gets the room's polls after its join result; with 20 kept a new one pushes out the
 * oldest closed one (poll_removed). */
START_TEST(late_joiner_and_removal)
{
	struct client a, b;
	uint32_t ida;
	open_joined(&a, "amt", "Ann", &ida);
	char params[96];
	for (int i = 1; i <= MEET_POLLS_MAX; i++) {
		fake_now += 13 * 1000 * MS;   /* past the creation budget (5 a minute) */
		json_int_t pid = jint(assert_result(call(&a, "poll_create", "{\"question\":\"Q\",\"answers\":[\"a\",\"b\"]}")),
		                      "poll_id");
		ck_assert_int_eq(pid, i);
		if (i < MEET_POLLS_MAX) {
			snprintf(params, sizeof params, "{\"poll_id\":%d}", i);
			assert_result(call(&a, "poll_close", params));
		}
	}
	client_open(&b);
	hello(&b);
	b.w.read = b.w.n;
	raw(&b, "{\"id\":9,\"method\":\"join\",\"params\":{\"room\":\"amt\",\"name\":\"Bea\"}}");
	json_t *first = next(&b);
	ck_assert_int_eq(jint(first, "id"), 9);   /* the result first, then the polls */
	ck_assert_int_eq(polls_seen(&b, NULL), MEET_POLLS_MAX);
	fake_now += 13 * 1000 * MS;
	assert_result(call(&a, "poll_create", "{\"question\":\"Neu\",\"answers\":[\"a\",\"b\"]}"));
	json_t *gone = expect_event(&b, "poll_removed");
	ck_assert_int_eq(jint(gone, "poll_id"), 1);
	snprintf(params, sizeof params, "{\"poll_id\":1}");
	assert_error(call(&a, "poll_close", params), "not_found");
	client_close(&a);
	client_close(&b);
}
END_TEST

static Suite *signal_polls_suite(void)
{
	Suite *s = suite_create("signal_polls");
	TCase *tc = tcase_create("polls");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, secret_poll_pace_and_views);
	tcase_add_test(tc, open_poll_votes_for_hosts_only);
	tcase_add_test(tc, late_joiner_and_removal);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	log_set_level(LOG_LEVEL_WARN);
	SRunner *sr = srunner_create(signal_polls_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
