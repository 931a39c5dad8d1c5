/* test_poll: a meeting's polls without JSON or sockets — text rules, tallies of single and
 * multiple choice, the one-vote rule, the secrecy of secret ballots, a room's limits, closing. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "meet/meet.h"

static const char *const yes_no[] = { "Ja", "Nein", "Enthaltung" };
static const size_t yes_no_len[] = { 2, 4, 10 };

static struct meet_poll *poll_of(unsigned n, bool multiple, bool secret)
{
	struct meet_poll *p = NULL;
	ck_assert_int_eq(meet_poll_new(&p, "Beschluss?", 10, yes_no, yes_no_len, n, multiple, secret), 0);
	return p;
}

static void assert_tallies(const struct meet_poll *p, uint32_t voters, uint32_t a, uint32_t b, uint32_t c)
{
	ck_assert_uint_eq(p->voters, voters);
	ck_assert_uint_eq(p->tallies[0], a);
	ck_assert_uint_eq(p->tallies[1], b);
	ck_assert_uint_eq(p->tallies[2], c);
}

/* Whether `needle` occurs anywhere in the n bytes at hay. */
static bool contains(const void *hay, size_t n, const void *needle, size_t len)
{
	const unsigned char *h = hay;
	for (size_t i = 0; n >= len && i <= n - len; i++)
		if (memcmp(h + i, needle, len) == 0)
			return true;
	return false;
}

START_TEST(text_rules)
{
	char big[MEET_POLL_QUESTION_MAX + 2];
	memset(big, 'a', sizeof big);
	ck_assert(meet_poll_question_ok(big, MEET_POLL_QUESTION_MAX));
	ck_assert(!meet_poll_question_ok(big, MEET_POLL_QUESTION_MAX + 1));
	ck_assert(!meet_poll_question_ok(big, 0));
	ck_assert(meet_poll_question_ok("Zwei\nZeilen", 11));
	ck_assert(!meet_poll_question_ok("\x01", 1));
	ck_assert(!meet_poll_question_ok("\xC3", 1));              /* cut UTF-8 */
	ck_assert(meet_poll_answer_ok(big, MEET_POLL_ANSWER_MAX));
	ck_assert(!meet_poll_answer_ok(big, MEET_POLL_ANSWER_MAX + 1));
	ck_assert(!meet_poll_answer_ok("a\nb", 3));               /* one line */
	ck_assert(meet_poll_answer_ok("Grün", 5));
	struct meet_poll *p = NULL;
	ck_assert_int_eq(meet_poll_new(&p, "Q", 1, yes_no, yes_no_len, 1, false, false), EINVAL);
	ck_assert_int_eq(meet_poll_new(&p, "", 0, yes_no, yes_no_len, 2, false, false), EINVAL);
	const char *eleven[11];
	size_t lens[11];
	for (int i = 0; i < 11; i++) {
		eleven[i] = "x";
		lens[i] = 1;
	}
	ck_assert_int_eq(meet_poll_new(&p, "Q", 1, eleven, lens, 11, false, false), EINVAL);
	ck_assert_int_eq(meet_poll_new(&p, "Q", 1, eleven, lens, 10, false, false), 0);
	ck_assert_int_eq(p->n_answers, 10);
	meet_poll_free(p);
	const char *bad[] = { "ok", "\x7f" };
	size_t bad_len[] = { 2, 1 };
	ck_assert_int_eq(meet_poll_new(&p, "Q", 1, bad, bad_len, 2, false, false), EINVAL);
}
END_TEST

START_TEST(single_choice_tally)
{
	for (int secret = 0; secret < 2; secret++) {
		struct meet_poll *p = poll_of(3, false, secret);
		ck_assert_int_eq(meet_poll_cast(p, 1, "A", 1u << 0), MEET_POLL_VOTED);
		ck_assert_int_eq(meet_poll_cast(p, 2, "B", 1u << 1), MEET_POLL_VOTED);
		ck_assert_int_eq(meet_poll_cast(p, 3, "C", 1u << 1), MEET_POLL_VOTED);
		ck_assert_int_eq(meet_poll_cast(p, 4, "D", 0x3), MEET_POLL_INVALID);    /* two in single choice */
		ck_assert_int_eq(meet_poll_cast(p, 4, "D", 0), MEET_POLL_INVALID);
		ck_assert_int_eq(meet_poll_cast(p, 4, "D", 1u << 3), MEET_POLL_INVALID); /* no 4th answer */
		assert_tallies(p, 3, 1, 2, 0);
		meet_poll_free(p);
	}
}
END_TEST

START_TEST(multiple_choice_tally)
{
	struct meet_poll *p = poll_of(3, true, true);
	ck_assert_int_eq(meet_poll_cast(p, 1, "A", 0x7), MEET_POLL_VOTED);
	ck_assert_int_eq(meet_poll_cast(p, 2, "B", 0x5), MEET_POLL_VOTED);
	ck_assert_int_eq(meet_poll_cast(p, 3, "C", 0x8), MEET_POLL_INVALID);
	assert_tallies(p, 2, 2, 1, 2);
	meet_poll_free(p);
}
END_TEST

START_TEST(one_vote)
{
	for (int secret = 0; secret < 2; secret++) {
		struct meet_poll *p = poll_of(2, false, secret);
		/* many voters, in an order the sorted ballot set has to insert into */
		for (uint32_t id = 100; id > 0; id--)
			ck_assert_int_eq(meet_poll_cast(p, id * 7919u, "V", 1u << (id & 1)), MEET_POLL_VOTED);
		for (uint32_t id = 1; id <= 100; id++) {
			ck_assert(meet_poll_has_voted(p, id * 7919u, NULL));
			ck_assert_int_eq(meet_poll_cast(p, id * 7919u, "V", 1), MEET_POLL_ALREADY_VOTED);
		}
		ck_assert(!meet_poll_has_voted(p, 5, NULL));
		ck_assert_int_eq(p->voters, 100);
		ck_assert_int_eq(p->tallies[0] + p->tallies[1], 100);
		uint16_t ch = 99;
		meet_poll_has_voted(p, 7919u, &ch);
		ck_assert_int_eq(ch, secret ? 0 : 2);   /* an open poll remembers the choice, a secret one not */
		meet_poll_free(p);
	}
}
END_TEST

/* After a secret vote, nothing of the poll holds the voter's id or name; the tallies changed and
 * the voter counts as having voted. An open poll, for contrast, holds both. */
START_TEST(secret_keeps_no_voter)
{
	const uint32_t id = 0x5A17C0DEu;
	const char *name = "Zacharias Quenstedt";
	uint8_t le[4] = { 0xDE, 0xC0, 0x17, 0x5A }, be[4] = { 0x5A, 0x17, 0xC0, 0xDE };
	struct meet_poll *p = poll_of(3, false, true);
	ck_assert_int_eq(meet_poll_cast(p, 77, "Anna", 1u << 0), MEET_POLL_VOTED);
	ck_assert_int_eq(meet_poll_cast(p, id, name, 1u << 2), MEET_POLL_VOTED);
	ck_assert_int_eq(p->tallies[2], 1);
	ck_assert(meet_poll_has_voted(p, id, NULL));
	ck_assert_ptr_null(p->votes);
	ck_assert_ptr_nonnull(p->ballots);
	size_t ballots = p->cap * sizeof p->ballots[0];
	ck_assert(!contains(p, sizeof *p, le, 4) && !contains(p, sizeof *p, be, 4));
	ck_assert(!contains(p->ballots, ballots, le, 4) && !contains(p->ballots, ballots, be, 4));
	ck_assert(!contains(p, sizeof *p, name, strlen(name)));
	ck_assert(!contains(p->ballots, ballots, name, strlen(name)));
	ck_assert(!contains(p, sizeof *p, "Anna", 4));
	meet_poll_free(p);

	p = poll_of(3, false, false);
	ck_assert_int_eq(meet_poll_cast(p, id, name, 1u << 2), MEET_POLL_VOTED);
	size_t votes = p->cap * sizeof p->votes[0];
	ck_assert(contains(p->votes, votes, &id, 4));
	ck_assert(contains(p->votes, votes, name, strlen(name)));
	meet_poll_free(p);
}
END_TEST

/* Two polls with the same voter: their ballots differ (each poll has its own key). */
START_TEST(secret_keys_per_poll)
{
	struct meet_poll *a = poll_of(2, false, true), *b = poll_of(2, false, true);
	ck_assert_int_eq(meet_poll_cast(a, 42, "X", 1), MEET_POLL_VOTED);
	ck_assert_int_eq(meet_poll_cast(b, 42, "X", 1), MEET_POLL_VOTED);
	ck_assert(memcmp(a->ballots[0], b->ballots[0], MEET_POLL_BALLOT_LEN) != 0);
	meet_poll_free(a);
	meet_poll_free(b);
}
END_TEST

START_TEST(closing)
{
	struct meet_poll *p = poll_of(2, false, false);
	ck_assert_int_eq(meet_poll_cast(p, 1, "A", 1), MEET_POLL_VOTED);
	ck_assert(meet_poll_close(p));
	ck_assert(!meet_poll_close(p));
	ck_assert_int_eq(meet_poll_cast(p, 2, "B", 1), MEET_POLL_CLOSED);
	ck_assert_int_eq(p->voters, 1);
	ck_assert(!p->results_shown);
	ck_assert(meet_poll_show(p));
	ck_assert(!meet_poll_show(p));
	meet_poll_free(p);
}
END_TEST

START_TEST(voters_bounded)
{
	struct meet_poll *p = poll_of(2, false, true);
	for (uint32_t id = 1; id <= MEET_POLL_VOTERS_MAX; id++)
		ck_assert_int_eq(meet_poll_cast(p, id, "V", 1), MEET_POLL_VOTED);
	ck_assert_int_eq(meet_poll_cast(p, MEET_POLL_VOTERS_MAX + 1, "V", 1), MEET_POLL_FULL);
	ck_assert_int_eq(meet_poll_cast(p, 1, "V", 1), MEET_POLL_ALREADY_VOTED);
	ck_assert_int_eq(p->tallies[0], MEET_POLL_VOTERS_MAX);
	meet_poll_free(p);
}
END_TEST

/* A room: at most 3 running, 20 kept (the oldest closed one goes), who may create. */
START_TEST(room_limits)
{
	struct meet *mt;
	struct meet_room *r;
	ck_assert_int_eq(meet_new(&mt), 0);
	ck_assert_int_eq(meet_room_new(mt, "rat", &r), 0);
	struct meet_member *host, *guest;
	ck_assert_int_eq(meet_member_add(r, 1, "H", NULL, &host), 0);
	ck_assert_int_eq(meet_member_add(r, 2, "G", NULL, &guest), 0);
	ck_assert(meet_poll_may_create(r, host));
	ck_assert(!meet_poll_may_create(r, guest));
	r->polls_anyone = true;
	ck_assert(meet_poll_may_create(r, guest));
	uint32_t dropped = 99;
	struct meet_poll *p[4];
	for (int i = 0; i < 3; i++) {
		p[i] = poll_of(2, false, i & 1);
		ck_assert_int_eq(meet_room_poll_add(r, p[i], &dropped), MEET_OK);
		ck_assert_int_eq(dropped, 0);
		ck_assert_int_eq(p[i]->id, (uint32_t)i + 1);
	}
	p[3] = poll_of(2, false, false);
	ck_assert_int_eq(meet_room_poll_add(r, p[3], &dropped), MEET_ERR_TOO_MANY);
	ck_assert(meet_poll_close(p[1]));
	ck_assert_int_eq(meet_room_poll_add(r, p[3], &dropped), MEET_OK);
	ck_assert_ptr_eq(meet_room_poll_find(r, 4), p[3]);
	ck_assert_ptr_null(meet_room_poll_find(r, 5));
	/* fill to 20 with closed polls, then one more drops the oldest closed one (id 2) */
	ck_assert(meet_poll_close(p[3]));
	while (r->n_polls < MEET_POLLS_MAX) {
		struct meet_poll *q = poll_of(2, false, false);
		ck_assert_int_eq(meet_room_poll_add(r, q, &dropped), MEET_OK);
		meet_poll_close(q);
	}
	struct meet_poll *q = poll_of(2, false, true);
	ck_assert_int_eq(meet_room_poll_add(r, q, &dropped), MEET_OK);
	ck_assert_int_eq(dropped, 2);
	ck_assert_int_eq(r->n_polls, MEET_POLLS_MAX);
	ck_assert_ptr_null(meet_room_poll_find(r, 2));
	ck_assert_ptr_eq(meet_room_poll_find(r, 1), p[0]);   /* running: kept */
	ck_assert_ptr_eq(r->polls[MEET_POLLS_MAX - 1], q);
	meet_free(mt);   /* frees the polls with the room (ASan would see a leak) */
}
END_TEST

START_TEST(poll_rate_limits)
{
	struct meet_bucket b = { 0 };
	uint64_t now = 1000000, retry = 0;
	for (int i = 0; i < 5; i++)
		ck_assert(meet_bucket_take(&b, &meet_limit_poll_create, now, NULL));
	ck_assert(!meet_bucket_take(&b, &meet_limit_poll_create, now, &retry));
	ck_assert_uint_eq(retry, 12000000u);
	struct meet_bucket v = { 0 };
	for (int i = 0; i < 10; i++)
		ck_assert(meet_bucket_take(&v, &meet_limit_poll_vote, now, NULL));
	ck_assert(!meet_bucket_take(&v, &meet_limit_poll_vote, now, NULL));
}
END_TEST

static Suite *poll_suite(void)
{
	Suite *s = suite_create("poll");
	TCase *tc = tcase_create("poll");
	tcase_add_test(tc, text_rules);
	tcase_add_test(tc, single_choice_tally);
	tcase_add_test(tc, multiple_choice_tally);
	tcase_add_test(tc, one_vote);
	tcase_add_test(tc, secret_keeps_no_voter);
	tcase_add_test(tc, secret_keys_per_poll);
	tcase_add_test(tc, closing);
	tcase_add_test(tc, voters_bounded);
	tcase_add_test(tc, room_limits);
	tcase_add_test(tc, poll_rate_limits);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(poll_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
