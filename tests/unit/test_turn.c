/* test_turn: TURN REST credentials (coturn use-auth-secret) against vectors computed independently
 * with openssl dgst, and the checks of --turn URIs (RFC 7065). */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "turn/turn.h"

static void assert_cred(const char *secret, size_t secret_len, uint64_t expiry, const char *id, const char *username,
                        const char *password)
{
	struct turn_cred c;
	ck_assert_int_eq(turn_cred_make(secret, secret_len, expiry, id, &c), 0);
	ck_assert_str_eq(c.username, username);
	ck_assert_str_eq(c.password, password);
}

START_TEST(cred_vectors)
{
	/* printf %s '1700000000:ab12CD34ef56GH78' | openssl dgst -sha1 -hmac 'north-sea-council-2024' -binary | base64 */
	assert_cred("north-sea-council-2024", 22, 1700000000u, "ab12CD34ef56GH78", "1700000000:ab12CD34ef56GH78",
	            "SRtCKrpdLNUnPWncTbCP6VWgQPM=");
	/* printf %s '4102444800:x' | openssl dgst -sha1 -hmac 'S' -binary | base64 */
	assert_cred("S", 1, 4102444800u, "x", "4102444800:x", "nXhn87vJCgxzz6D9Gha7Q6PnHcY=");
	/* A secret longer than SHA-1's block (64 bytes) is hashed first (RFC 2104 §2):
	 * S=$(printf 'k%.0s' $(seq 1 100)); printf %s '86400:id' | openssl dgst -sha1 -hmac "$S" -binary | base64 */
	char k100[100];
	memset(k100, 'k', sizeof k100);
	assert_cred(k100, sizeof k100, 86400u, "id", "86400:id", "xpXaMk1aOrrBdL5A2pbEacGltDQ=");
	/* The largest secret and expiry, an id with base64 characters:
	 * S=$(printf 'z%.0s' $(seq 1 256)); printf %s '18446744073709551615:Z9+/' | openssl dgst -sha1 -hmac "$S" -binary | base64 */
	char z256[TURN_SECRET_MAX];
	memset(z256, 'z', sizeof z256);
	assert_cred(z256, sizeof z256, UINT64_MAX, "Z9+/", "18446744073709551615:Z9+/", "3fIOQTgzgbWSVtL2NLSQTWq7GRo=");
}
END_TEST

START_TEST(cred_differs_by_secret_and_time)
{
	struct turn_cred a, b;
	ck_assert_int_eq(turn_cred_make("one", 3, 1000, "p", &a), 0);
	ck_assert_int_eq(turn_cred_make("two", 3, 1000, "p", &b), 0);
	ck_assert_str_eq(a.username, b.username);
	ck_assert_str_ne(a.password, b.password);
	ck_assert_int_eq(turn_cred_make("one", 3, 1001, "p", &b), 0);
	ck_assert_str_ne(a.password, b.password);
	ck_assert_uint_eq(strlen(a.password), TURN_PASSWORD_LEN);
}
END_TEST

START_TEST(cred_refuses_bad_input)
{
	struct turn_cred c;
	char id[TURN_ID_MAX + 2];
	ck_assert_int_eq(turn_cred_make("s", 0, 1, "id", &c), EINVAL);
	ck_assert_int_eq(turn_cred_make(NULL, 1, 1, "id", &c), EINVAL);
	ck_assert_int_eq(turn_cred_make("s", TURN_SECRET_MAX + 1, 1, "id", &c), EINVAL);
	ck_assert_int_eq(turn_cred_make("s", 1, 1, "", &c), EINVAL);
	ck_assert_int_eq(turn_cred_make("s", 1, 1, NULL, &c), EINVAL);
	ck_assert_int_eq(turn_cred_make("s", 1, 1, "a:b", &c), EINVAL);   /* ':' ends coturn's timestamp */
	ck_assert_int_eq(turn_cred_make("s", 1, 1, "a b", &c), EINVAL);
	ck_assert_int_eq(turn_cred_make("s", 1, 1, "a\nb", &c), EINVAL);
	ck_assert_int_eq(turn_cred_make("s", 1, 1, "\xc3\xa4", &c), EINVAL);
	ck_assert_str_eq(c.username, "");
	memset(id, 'i', sizeof id - 1);
	id[sizeof id - 1] = '\0';                                          /* TURN_ID_MAX + 1 characters */
	ck_assert_int_eq(turn_cred_make("s", 1, 1, id, &c), EINVAL);
	id[TURN_ID_MAX] = '\0';
	ck_assert_int_eq(turn_cred_make("s", 1, UINT64_MAX, id, &c), 0);
	ck_assert_uint_eq(strlen(c.username), TURN_USERNAME_MAX);
}
END_TEST

static void uri_ok(const char *text, bool secure, const char *host, unsigned port, enum turn_transport tr)
{
	struct turn_uri u;
	const char *why = "unset";
	ck_assert_msg(turn_uri_parse(text, &u, &why) == 0, "%s refused: %s", text, why);
	ck_assert_int_eq(u.secure, secure);
	ck_assert_str_eq(u.host, host);
	ck_assert_uint_eq(u.port, port);
	ck_assert_int_eq(u.transport, tr);
}

static void uri_bad(const char *text, const char *reason_part)
{
	struct turn_uri u;
	const char *why = NULL;
	ck_assert_msg(turn_uri_parse(text, &u, &why) == EINVAL, "%s accepted", text);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, reason_part) != NULL, "%s: reason '%s' lacks '%s'", text, why, reason_part);
}

START_TEST(uri_forms)
{
	uri_ok("turn:127.0.0.1", false, "127.0.0.1", 0, TURN_TRANSPORT_ANY);
	uri_ok("turn:127.0.0.1:3478?transport=udp", false, "127.0.0.1", 3478, TURN_TRANSPORT_UDP);
	uri_ok("turn:turn.example-stadt.de:443?transport=tcp", false, "turn.example-stadt.de", 443, TURN_TRANSPORT_TCP);
	uri_ok("turns:turn.example.org", true, "turn.example.org", 0, TURN_TRANSPORT_ANY);
	uri_ok("turns:turn.example.org:443?transport=tcp", true, "turn.example.org", 443, TURN_TRANSPORT_TCP);
	uri_ok("turn:[2001:db8::1]:3478", false, "2001:db8::1", 3478, TURN_TRANSPORT_ANY);
	uri_ok("turn:[::1]", false, "::1", 0, TURN_TRANSPORT_ANY);
	uri_ok("turn:localhost:65535", false, "localhost", 65535, TURN_TRANSPORT_ANY);
}
END_TEST

START_TEST(uri_refused)
{
	uri_bad("stun:127.0.0.1", "scheme");
	uri_bad("TURN:127.0.0.1", "scheme");
	uri_bad("turn://127.0.0.1", "character");
	uri_bad("turn:", "no host");
	uri_bad("turn:?transport=udp", "no host");
	uri_bad("turn:user@host", "character");
	uri_bad("turn:host:0", "port");
	uri_bad("turn:host:65536", "port");
	uri_bad("turn:host:34a", "port");
	uri_bad("turn:host:", "port");
	uri_bad("turn:host:3478?transport=sctp", "query");
	uri_bad("turn:host?transport=udp&x=1", "query");
	uri_bad("turn:host?foo", "query");
	uri_bad("turns:host?transport=udp", "TLS");
	uri_bad("turn:2001:db8::1", "brackets");
	uri_bad("turn:[2001:db8::1", "closing");
	uri_bad("turn:[nothex]:3478", "IPv6");
	uri_bad("turn:[::1]x", "follow");
	uri_bad("turn:300.1.1.1", "IPv4");
	uri_bad("turn:-bad.example", "host");
	uri_bad("turn:bad-.example", "host");
	uri_bad("turn:a..b", "host");
	uri_bad("turn:host name", "character");
	uri_bad("turn:host\"><script>", "character");
	uri_bad("turn:h\xc3\xa4st", "character");
	uri_bad("turn:host%41", "character");
	uri_bad(NULL, "no URI");
	char longer[TURN_URI_MAX + 2];
	memset(longer, 'a', sizeof longer - 1);
	memcpy(longer, "turn:", 5);
	longer[sizeof longer - 1] = '\0';
	uri_bad(longer, "255");
}
END_TEST

static Suite *turn_suite(void)
{
	Suite *s = suite_create("turn");
	TCase *tc = tcase_create("cred");
	tcase_add_test(tc, cred_vectors);
	tcase_add_test(tc, cred_differs_by_secret_and_time);
	tcase_add_test(tc, cred_refuses_bad_input);
	suite_add_tcase(s, tc);
	TCase *tu = tcase_create("uri");
	tcase_add_test(tu, uri_forms);
	tcase_add_test(tu, uri_refused);
	suite_add_tcase(s, tu);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(turn_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
