/* test_http_cache: src/signal/http_cache.c — the coding an Accept-Encoding picks (q-values, q=0,
 * '*'), If-None-Match by weak comparison, HTTP-dates in their three forms; garbage never matches. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "signal/http_cache.h"

#define ALL ((1u << SIGNAL_CODING_GZIP) | (1u << SIGNAL_CODING_BR))
#define GZ_ONLY (1u << SIGNAL_CODING_GZIP)

START_TEST(accept_encoding)
{
	ck_assert_int_eq(signal_coding_choose(NULL, ALL), SIGNAL_CODING_IDENTITY);
	ck_assert_int_eq(signal_coding_choose("", ALL), SIGNAL_CODING_IDENTITY);
	ck_assert_int_eq(signal_coding_choose("gzip", ALL), SIGNAL_CODING_GZIP);
	ck_assert_int_eq(signal_coding_choose("gzip, deflate, br", ALL), SIGNAL_CODING_BR);
	ck_assert_int_eq(signal_coding_choose("gzip, deflate, br", GZ_ONLY), SIGNAL_CODING_GZIP);
	ck_assert_int_eq(signal_coding_choose("gzip, deflate, br", 0), SIGNAL_CODING_IDENTITY);
	ck_assert_int_eq(signal_coding_choose("x-gzip", ALL), SIGNAL_CODING_GZIP);
	ck_assert_int_eq(signal_coding_choose("br;q=0, gzip", ALL), SIGNAL_CODING_GZIP);
	ck_assert_int_eq(signal_coding_choose("br; q=0.000 ,gzip;q=0", ALL), SIGNAL_CODING_IDENTITY);
	ck_assert_int_eq(signal_coding_choose("gzip;q=0.5, br;q=0.4", ALL), SIGNAL_CODING_GZIP);
	ck_assert_int_eq(signal_coding_choose("gzip;q=0.5, br;q=0.5", ALL), SIGNAL_CODING_BR);
	ck_assert_int_eq(signal_coding_choose("GZIP;Q=0.001", ALL), SIGNAL_CODING_GZIP);
	ck_assert_int_eq(signal_coding_choose("identity;q=1, gzip;q=0.5", ALL), SIGNAL_CODING_IDENTITY);
	ck_assert_int_eq(signal_coding_choose("*", ALL), SIGNAL_CODING_BR);
	ck_assert_int_eq(signal_coding_choose("*;q=0", ALL), SIGNAL_CODING_IDENTITY);
	ck_assert_int_eq(signal_coding_choose("br;q=0, *", ALL), SIGNAL_CODING_GZIP);
	ck_assert_int_eq(signal_coding_choose("compress, deflate", ALL), SIGNAL_CODING_IDENTITY);
	/* malformed q-values leave their element out */
	ck_assert_int_eq(signal_coding_choose("br;q=2, gzip;q=x", ALL), SIGNAL_CODING_IDENTITY);
	ck_assert_int_eq(signal_coding_choose("br;q=0.55555, gzip", ALL), SIGNAL_CODING_GZIP);
	ck_assert_int_eq(signal_coding_choose(";;,,, ;q=1,br", ALL), SIGNAL_CODING_BR);
	ck_assert_str_eq(signal_coding_name(SIGNAL_CODING_GZIP), "gzip");
	ck_assert_str_eq(signal_coding_name(SIGNAL_CODING_BR), "br");
	ck_assert_ptr_null(signal_coding_name(SIGNAL_CODING_IDENTITY));
}
END_TEST

START_TEST(if_none_match)
{
	const char *tags[3] = { "\"abc\"", "\"abc-gz\"", "" };
	size_t which = 9;
	ck_assert(signal_etag_match("\"abc\"", tags, 3, &which) && which == 0);
	ck_assert(signal_etag_match("W/\"abc-gz\"", tags, 3, &which) && which == 1);
	ck_assert(signal_etag_match(" \"x\", W/\"y\",\"abc-gz\"", tags, 3, &which) && which == 1);
	ck_assert(signal_etag_match("*", tags, 3, &which) && which == 0);
	ck_assert(!signal_etag_match("\"ab\"", tags, 3, &which));
	ck_assert(!signal_etag_match("abc", tags, 3, &which));
	ck_assert(!signal_etag_match("\"\"", tags, 3, &which));         /* the empty tag is no tag */
	ck_assert(!signal_etag_match("\"x\", abc, \"abc\"", tags, 3, &which));   /* stops at garbage */
	ck_assert(!signal_etag_match("\"abc", tags, 3, &which));
	ck_assert(!signal_etag_match("", tags, 3, &which));
	ck_assert(!signal_etag_match("W/", tags, 3, &which));
}
END_TEST

START_TEST(http_dates)
{
	char out[SIGNAL_HTTP_DATE_LEN];
	ck_assert_int_eq(signal_http_date_format(784111777, out), 0);
	ck_assert_str_eq(out, "Sun, 06 Nov 1994 08:49:37 GMT");
	ck_assert_int_eq(signal_http_date_format(0, out), 0);
	ck_assert_str_eq(out, "Thu, 01 Jan 1970 00:00:00 GMT");
	ck_assert_int_eq(signal_http_date_format(-1, out), EINVAL);
	time_t t = 0;
	ck_assert_int_eq(signal_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t), 0);
	ck_assert_int_eq(t, 784111777);
	t = 0;
	ck_assert_int_eq(signal_http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t), 0);
	ck_assert_int_eq(t, 784111777);
	t = 0;
	ck_assert_int_eq(signal_http_date_parse("Sun Nov  6 08:49:37 1994", &t), 0);
	ck_assert_int_eq(t, 784111777);
	static const char *const bad[] = {
		"", "yesterday", "Sun, 06 Nov 1994 08:49:37 CET", "Sun, 32 Nov 1994 08:49:37 GMT",
		"Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1969 08:49:37 GMT",
		"Sun, 06 Nov 1994", "Sun, -6 Nov 1994 08:49:37 GMT", ",,,,", "Sun Nov  6 08:49:37",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(signal_http_date_parse(bad[i], &t) == EINVAL, "accepted '%s'", bad[i]);
	/* what format writes, parse reads back */
	for (time_t x = 0; x < 4000000000; x += 86399 * 37) {
		ck_assert_int_eq(signal_http_date_format(x, out), 0);
		ck_assert_int_eq(signal_http_date_parse(out, &t), 0);
		ck_assert_int_eq(t, x);
	}
}
END_TEST

static Suite *http_cache_suite(void)
{
	Suite *s = suite_create("http_cache");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, accept_encoding);
	tcase_add_test(tc, if_none_match);
	tcase_add_test(tc, http_dates);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(http_cache_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
