/* test_stream_token: the stream links' tokens (src/signal/stream_token.c) — minted and checked at the
 * protocol layer and through the signal wrappers: the use, the room (and its town), expiry, the
 * server's key, a configured secret, and tampered or garbage tokens. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/jwt.h"
#include "signal/proto_int.h"
#include "signal/protocol.h"
#include "signal/signal_int.h"
#include "signal/stream_token.h"

#define NOW 1767225600
#define ROOM "stadt/ratssaal"

static struct proto_server *server(void)
{
	struct proto_server *s;
	ck_assert_int_eq(proto_server_new(&s, NULL, NULL), 0);
	return s;
}

static int check(struct proto_server *s, const char *t, enum signal_stream_use use, const char *room, int64_t now,
                 char name[65])
{
	return proto_stream_token_check(s, t, strlen(t), use, room, now, name);
}

START_TEST(make_and_check)
{
	struct proto_server *s = server();
	char t[SIGNAL_STREAM_TOKEN_MAX], name[65] = "x";
	ck_assert_int_eq(proto_stream_token_make(s, SIGNAL_STREAM_WHIP, ROOM, "Ratssaal", 3600, NOW, t, sizeof t), 0);
	ck_assert_int_eq(check(s, t, SIGNAL_STREAM_WHIP, ROOM, NOW, name), 0);
	ck_assert_str_eq(name, "Ratssaal");
	ck_assert_int_eq(check(s, t, SIGNAL_STREAM_WHIP, ROOM, NOW + 3599, NULL), 0);
	/* a viewer's token needs no name; a bare room name is a room of no town */
	ck_assert_int_eq(proto_stream_token_make(s, SIGNAL_STREAM_WHEP, "ratssaal", NULL, 60, NOW, t, sizeof t), 0);
	ck_assert_int_eq(check(s, t, SIGNAL_STREAM_WHEP, "ratssaal", NOW, name), 0);
	ck_assert_str_eq(name, "");
	ck_assert_int_ne(check(s, t, SIGNAL_STREAM_WHEP, "default/ratssaal", NOW, name), 0);
	proto_server_free(s);
}
END_TEST

START_TEST(wrong_use_room_time)
{
	struct proto_server *s = server();
	char t[SIGNAL_STREAM_TOKEN_MAX], name[65];
	ck_assert_int_eq(proto_stream_token_make(s, SIGNAL_STREAM_WHIP, ROOM, "Ratssaal", 600, NOW, t, sizeof t), 0);
	ck_assert_int_eq(check(s, t, SIGNAL_STREAM_WHEP, ROOM, NOW, name), -1);          /* wrong use */
	ck_assert_str_eq(name, "");
	ck_assert_int_eq(check(s, t, SIGNAL_STREAM_WHIP, "stadt/other", NOW, name), -1); /* wrong room */
	ck_assert_int_eq(check(s, t, SIGNAL_STREAM_WHIP, "dorf/ratssaal", NOW, name), JWT_ERR_AUDIENCE); /* other town */
	ck_assert_int_eq(check(s, t, SIGNAL_STREAM_WHIP, "Stadt/Ratssaal", NOW, name), -1); /* not canonical */
	ck_assert_int_eq(check(s, t, SIGNAL_STREAM_WHIP, ROOM, NOW + 600, name), JWT_ERR_EXPIRED);
	ck_assert_int_eq(check(s, t, SIGNAL_STREAM_WHIP, ROOM, NOW - 1, name), JWT_ERR_NOT_YET_VALID);
	ck_assert_int_eq(proto_stream_token_make(s, SIGNAL_STREAM_WHEP, ROOM, NULL, 600, NOW, t, sizeof t), 0);
	ck_assert_int_eq(check(s, t, SIGNAL_STREAM_WHIP, ROOM, NOW, name), -1);
	proto_server_free(s);
}
END_TEST

START_TEST(other_key_and_secret)
{
	struct proto_server *a = server(), *b = server();
	char t[SIGNAL_STREAM_TOKEN_MAX];
	ck_assert_int_eq(proto_stream_token_make(a, SIGNAL_STREAM_WHIP, ROOM, "Ratssaal", 600, NOW, t, sizeof t), 0);
	/* each server picks its own random key: another server (or this one after a restart) refuses it */
	ck_assert_int_eq(check(b, t, SIGNAL_STREAM_WHIP, ROOM, NOW, NULL), JWT_ERR_SIGNATURE);
	/* a configured secret on both: the same links work on either */
	static const char secret[] = "0123456789abcdef0123456789abcdef";
	ck_assert_int_eq(proto_server_set_stream_secret(a, secret, 32), 0);
	ck_assert_int_eq(proto_server_set_stream_secret(b, secret, 32), 0);
	ck_assert_int_eq(proto_server_set_stream_secret(b, secret, 31), EINVAL);
	ck_assert_int_eq(check(a, t, SIGNAL_STREAM_WHIP, ROOM, NOW, NULL), JWT_ERR_SIGNATURE);
	ck_assert_int_eq(proto_stream_token_make(a, SIGNAL_STREAM_WHIP, ROOM, "Ratssaal", 600, NOW, t, sizeof t), 0);
	ck_assert_int_eq(check(b, t, SIGNAL_STREAM_WHIP, ROOM, NOW, NULL), 0);
	proto_server_free(a);
	proto_server_free(b);
}
END_TEST

START_TEST(tampered_and_garbage)
{
	struct proto_server *s = server();
	char t[SIGNAL_STREAM_TOKEN_MAX];
	ck_assert_int_eq(proto_stream_token_make(s, SIGNAL_STREAM_WHIP, ROOM, "Ratssaal", 600, NOW, t, sizeof t), 0);
	size_t n = strlen(t);
	/* every one-character change is refused */
	for (size_t i = 0; i < n; i++) {
		char saved = t[i];
		t[i] = saved == 'A' ? 'B' : 'A';
		ck_assert_msg(check(s, t, SIGNAL_STREAM_WHIP, ROOM, NOW, NULL) != 0, "changed at %zu", i);
		t[i] = saved;
	}
	for (size_t cut = 0; cut < n; cut++)
		ck_assert(proto_stream_token_check(s, t, cut, SIGNAL_STREAM_WHIP, ROOM, NOW, NULL) != 0);
	static const char *const garbage[] = { "", "a.b.c", "...", "Bearer x", "eyJhbGciOiJub25lIn0.e30." };
	for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++)
		ck_assert(check(s, garbage[i], SIGNAL_STREAM_WHIP, ROOM, NOW, NULL) != 0);
	ck_assert(proto_stream_token_check(s, NULL, 0, SIGNAL_STREAM_WHIP, ROOM, NOW, NULL) != 0);
	ck_assert(check(s, t, (enum signal_stream_use)7, ROOM, NOW, NULL) != 0);
	ck_assert(check(s, t, SIGNAL_STREAM_WHIP, NULL, NOW, NULL) != 0);
	proto_server_free(s);
}
END_TEST

START_TEST(make_refuses)
{
	struct proto_server *s = server();
	char t[SIGNAL_STREAM_TOKEN_MAX];
	ck_assert_int_eq(proto_stream_token_make(s, SIGNAL_STREAM_WHIP, ROOM, NULL, 600, NOW, t, sizeof t), EINVAL);
	ck_assert_int_eq(proto_stream_token_make(s, SIGNAL_STREAM_WHIP, ROOM, "", 600, NOW, t, sizeof t), EINVAL);
	ck_assert_int_eq(proto_stream_token_make(s, SIGNAL_STREAM_WHIP, ROOM, "bad\nname", 600, NOW, t, sizeof t), EINVAL);
	ck_assert_int_eq(proto_stream_token_make(s, SIGNAL_STREAM_WHIP, ROOM, "R", 0, NOW, t, sizeof t), EINVAL);
	ck_assert_int_eq(proto_stream_token_make(s, SIGNAL_STREAM_WHIP, ROOM, "R", SIGNAL_STREAM_TTL_MAX + 1, NOW, t,
	                                         sizeof t), EINVAL);
	ck_assert_int_eq(proto_stream_token_make(s, SIGNAL_STREAM_WHIP, "Bad Room!", "R", 60, NOW, t, sizeof t), EINVAL);
	ck_assert_int_eq(proto_stream_token_make(s, (enum signal_stream_use)3, ROOM, "R", 60, NOW, t, sizeof t), EINVAL);
	ck_assert_int_eq(proto_stream_token_make(s, SIGNAL_STREAM_WHIP, ROOM, "R", 60, NOW, t, 40), ENOSPC);
	/* the longest room key and name fit SIGNAL_STREAM_TOKEN_MAX */
	char key[SFU_ROOM_KEY_MAX + 1], name[65];
	memset(key, 'a', sizeof key);
	key[32] = '/';
	key[SFU_ROOM_KEY_MAX] = '\0';
	memset(name, 'N', 64);
	name[64] = '\0';
	ck_assert_int_eq(proto_stream_token_make(s, SIGNAL_STREAM_WHIP, key, name, SIGNAL_STREAM_TTL_MAX, NOW, t, sizeof t), 0);
	char got[65];
	ck_assert_int_eq(check(s, t, SIGNAL_STREAM_WHIP, key, NOW, got), 0);
	ck_assert_str_eq(got, name);
	proto_server_free(s);
}
END_TEST

/* The signal layer's functions: thin wrappers on the server's proto layer, at the wall clock. */
START_TEST(signal_wrappers)
{
	struct signal sig;
	memset(&sig, 0, sizeof sig);
	sig.proto = server();
	char t[SIGNAL_STREAM_TOKEN_MAX], name[65];
	ck_assert_int_eq(signal_stream_token_make(&sig, SIGNAL_STREAM_WHIP, ROOM, "Ratssaal", 60, t, sizeof t), 0);
	ck_assert_int_eq(signal_stream_token_check(&sig, t, strlen(t), SIGNAL_STREAM_WHIP, ROOM, name), 0);
	ck_assert_str_eq(name, "Ratssaal");
	ck_assert_int_eq(signal_stream_token_check(&sig, t, strlen(t), SIGNAL_STREAM_WHEP, ROOM, name), -1);
	/* minted a minute ago for a minute: expired now */
	ck_assert_int_eq(proto_stream_token_make(sig.proto, SIGNAL_STREAM_WHIP, ROOM, "R", 60, (int64_t)time(NULL) - 60, t,
	                                         sizeof t), 0);
	ck_assert_int_eq(signal_stream_token_check(&sig, t, strlen(t), SIGNAL_STREAM_WHIP, ROOM, name), -1);
	proto_server_free(sig.proto);
}
END_TEST

/* A stream token is never a portal's host token, even when a tenant's secret equals the stream secret. */
START_TEST(not_a_portal_token)
{
	struct proto_server *s = server();
	static const char secret[] = "0123456789abcdef0123456789abcdef";
	ck_assert_int_eq(proto_server_set_stream_secret(s, secret, 32), 0);
	struct proto_tenant *t;
	struct proto_tenant_config cfg = { .id = "stadt", .token_secret = secret, .token_secret_len = 32 };
	ck_assert_int_eq(proto_server_add_tenant(s, &cfg, &t), 0);
	struct proto_conn *c;
	ck_assert_int_eq(proto_conn_new(&c, s, NULL, NULL), 0);
	proto_conn_set_tenant(c, t);
	/* with aud "stadt" as a portal's token would have, to reach the claims check */
	char payload[] = "{\"aud\":\"stadt\",\"room\":\"ratssaal\",\"use\":\"whip\",\"exp\":4102444800}";
	char tok[SIGNAL_STREAM_TOKEN_MAX];
	ck_assert_int_eq(jwt_sign_hs256(s->stream_key, payload, strlen(payload), tok, sizeof tok), 0);
	struct jwt_claims claims;
	ck_assert_int_eq(proto_token_check(c, tok, strlen(tok), "ratssaal", &claims), SIGNAL_ERR_TOKEN_CLAIMS);
	free(c);
	proto_server_free(s);
}
END_TEST

static Suite *stream_token_suite(void)
{
	Suite *s = suite_create("stream_token");
	TCase *tc = tcase_create("tokens");
	tcase_add_test(tc, make_and_check);
	tcase_add_test(tc, wrong_use_room_time);
	tcase_add_test(tc, other_key_and_secret);
	tcase_add_test(tc, tampered_and_garbage);
	tcase_add_test(tc, make_refuses);
	tcase_add_test(tc, signal_wrappers);
	tcase_add_test(tc, not_a_portal_token);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(stream_token_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
