/* test_wish: what WHIP and WHEP share (src/signal/wish.c) — "<room>[/<id>]" into the room's key of the
 * request's town, and the offer reader: its cap, what beyond it is dropped, text, reuse and freeing. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "signal/signal_int.h"
#include "signal/signal_tenant.h"
#include "signal/wish.h"

#define ID "0123456789abcdef0123456789abcdef"

static struct signal_tenant town = { .id = "stadt" };

START_TEST(path_room_and_id)
{
	struct wish_path p;
	ck_assert_int_eq(wish_path_parse(&town, "Ratssaal", &p), 0);
	ck_assert_str_eq(p.room, "ratssaal");
	ck_assert_str_eq(p.key, "stadt/ratssaal");
	ck_assert_str_eq(p.id, "");
	ck_assert_int_eq(wish_path_parse(&town, "ratssaal/" ID, &p), 0);
	ck_assert_str_eq(p.key, "stadt/ratssaal");
	ck_assert_str_eq(p.id, ID);
}
END_TEST

START_TEST(path_refused)
{
	struct wish_path p;
	char long_room[SFU_ROOM_NAME_MAX + 2];
	memset(long_room, 'a', sizeof long_room - 1);
	long_room[sizeof long_room - 1] = '\0';
	const char *bad[] = { "", "/" ID, "-room", "r m", "room/", "room/abc", "room/" ID "0", "room/" ID "/",
	                      "room/" ID "/x", long_room };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ck_assert_msg(wish_path_parse(&town, bad[i], &p) == -1, "accepted %s", bad[i]);
	ck_assert_int_eq(wish_path_parse(NULL, "ratssaal", &p), -1);   /* no town: no room */
}
END_TEST

START_TEST(body_within_cap)
{
	struct wish_body b = { 0 };
	struct wish_path p;
	ck_assert_int_eq(wish_path_parse(&town, "ratssaal", &p), 0);
	ck_assert_int_eq(wish_body_add(&b, "ignored", 7), 0);   /* no POST: nothing is kept */
	ck_assert_ptr_null(b.data);
	wish_body_start(&b, WISH_WHEP, &p, 10);
	ck_assert_str_eq(wish_body_text(&b), "");
	ck_assert_int_eq(wish_body_add(&b, "v=0\r\n", 5), 0);
	ck_assert_int_eq(wish_body_add(&b, "a=x\r\n", 5), 0);   /* exactly the cap */
	ck_assert(!b.too_big);
	ck_assert_uint_eq(b.len, 10);
	ck_assert_str_eq(wish_body_text(&b), "v=0\r\na=x\r\n");
	ck_assert_str_eq(b.path.key, "stadt/ratssaal");
	ck_assert_int_eq(b.post, WISH_WHEP);
	wish_body_free(&b);
	ck_assert_int_eq(b.post, WISH_NONE);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
}
END_TEST

START_TEST(body_over_cap)
{
	struct wish_body b = { 0 };
	struct wish_path p;
	ck_assert_int_eq(wish_path_parse(&town, "ratssaal", &p), 0);
	wish_body_start(&b, WISH_WHIP, &p, WISH_BODY_MAX);
	static char chunk[4096];
	memset(chunk, 'a', sizeof chunk);
	for (size_t i = 0; i < WISH_BODY_MAX / sizeof chunk; i++)
		ck_assert_int_eq(wish_body_add(&b, chunk, sizeof chunk), 0);
	ck_assert(!b.too_big);
	ck_assert_int_eq(wish_body_add(&b, "x", 1), 0);   /* one byte more */
	ck_assert(b.too_big);
	ck_assert_ptr_null(b.data);   /* dropped, not kept growing */
	ck_assert_int_eq(wish_body_add(&b, chunk, sizeof chunk), 0);
	ck_assert_ptr_null(b.data);
	/* a new POST on the same connection starts afresh */
	wish_body_start(&b, WISH_WHEP, &p, 4);
	ck_assert(!b.too_big);
	ck_assert_int_eq(wish_body_add(&b, "abcd", 4), 0);
	ck_assert_str_eq(wish_body_text(&b), "abcd");
	ck_assert_int_eq(wish_body_add(&b, "e", 1), 0);
	ck_assert(b.too_big);
	wish_body_free(&b);
}
END_TEST

START_TEST(random_ids)
{
	char a[WISH_ID_HEX + 1], b[WISH_ID_HEX + 1];
	ck_assert_int_eq(wish_random_id(a), 0);
	ck_assert_int_eq(wish_random_id(b), 0);
	ck_assert_uint_eq(strlen(a), WISH_ID_HEX);
	ck_assert_uint_eq(strspn(a, "0123456789abcdef"), WISH_ID_HEX);
	ck_assert_str_ne(a, b);
	struct wish_path p;   /* an id made here is one the path takes */
	char rest[SFU_ROOM_NAME_MAX + WISH_ID_HEX + 2] = "ratssaal/";
	strcat(rest, a);
	ck_assert_int_eq(wish_path_parse(&town, rest, &p), 0);
	ck_assert_str_eq(p.id, a);
}
END_TEST

static Suite *wish_suite(void)
{
	Suite *s = suite_create("wish");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, path_room_and_id);
	tcase_add_test(tc, path_refused);
	tcase_add_test(tc, body_within_cap);
	tcase_add_test(tc, body_over_cap);
	tcase_add_test(tc, random_ids);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(wish_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
