/* test_ice: the ICE-lite agent answering checks, nominating, consent freshness with injected time.
 * RFC 8445 §2.5, §7.3, RFC 7675. */
#include <check.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "ice/ice_lite.h"
#include "stun/stun.h"

#define SEC 1000000ull
#define REMOTE_UFRAG "brws"
#define REMOTE_PWD "browserpasswordbrowserpw"

static struct ice_lite ice;
static uint8_t req[512], resp[512];
static size_t req_len, resp_len;

static void setup(void)
{
	ck_assert_int_eq(ice_lite_init(&ice, 0), 0);
	ice_lite_set_remote(&ice, REMOTE_UFRAG, REMOTE_PWD);
}

static struct sockaddr_in addr4(const char *ip, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	ck_assert_int_eq(inet_pton(AF_INET, ip, &sin.sin_addr), 1);
	return sin;
}

static void tid_n(uint8_t tid[12], int n)
{
	memset(tid, 0, 12);
	wr32(tid + 8, (uint32_t)n);
}

/* A check as the browser (controlling) sends it to plenum. */
static void write_check(int n, const char *pwd, bool use_candidate)
{
	uint8_t tid[12];
	tid_n(tid, n);
	ck_assert_int_eq(ice_write_check(req, sizeof req, &req_len, tid, ice.local_ufrag, REMOTE_UFRAG, pwd,
					 0x6e0001ff, 0x1122334455667788ull, use_candidate), 0);
}

static enum ice_result deliver(const void *from, uint64_t now)
{
	struct stun_msg m;
	ck_assert_int_eq(stun_msg_decode(&m, req, req_len), 0);
	return ice_lite_handle_request(&ice, &m, (const struct sockaddr *)from, now, resp, sizeof resp, &resp_len);
}

/* Decodes the response and checks what every response to a request must carry. */
static void decode_resp(struct stun_msg *r, uint16_t type)
{
	struct stun_msg q;
	ck_assert_int_eq(stun_msg_decode(&q, req, req_len), 0);
	ck_assert_uint_gt(resp_len, 0);
	ck_assert_int_eq(stun_msg_decode(r, resp, resp_len), 0);
	ck_assert_uint_eq(r->type, type);
	ck_assert_mem_eq(r->tid, q.tid, 12);
	ck_assert(r->has_fingerprint && r->fingerprint_ok);
}

START_TEST(init_credentials)
{
	struct ice_lite other;
	ck_assert_int_eq(ice_lite_init(&other, 5), 0);
	ck_assert_uint_eq(strlen(ice.local_ufrag), 8);
	ck_assert_uint_eq(strlen(ice.local_pwd), 24);
	ck_assert_str_ne(ice.local_ufrag, other.local_ufrag);
	ck_assert_str_ne(ice.local_pwd, other.local_pwd);
	ck_assert_uint_eq(strspn(ice.local_pwd, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"), 24);
	ck_assert(!other.has_selected && !other.nominated);
	ck_assert(other.created_us == 5);
	ck_assert_str_eq(ice.remote_ufrag, REMOTE_UFRAG);
	ck_assert_str_eq(ice.remote_pwd, REMOTE_PWD);
}
END_TEST

START_TEST(check_answered)
{
	struct sockaddr_in from = addr4("127.0.0.1", 40000);
	write_check(1, ice.local_pwd, false);
	ck_assert_int_eq(deliver(&from, 3 * SEC), ICE_RESPOND);
	struct stun_msg r;
	decode_resp(&r, STUN_BINDING_SUCCESS);
	ck_assert(r.has_integrity);
	ck_assert(stun_msg_integrity_ok(&r, (const uint8_t *)ice.local_pwd, strlen(ice.local_pwd)));
	ck_assert(r.has_xor_mapped);
	ck_assert(ice_addr_equal((struct sockaddr *)&r.xor_mapped, (struct sockaddr *)&from));
	ck_assert_uint_eq(r.error_code, 0);
	/* The first valid check selects its address, without nominating it. */
	ck_assert(ice.has_selected && !ice.nominated);
	ck_assert(ice_addr_equal((struct sockaddr *)&ice.selected, (struct sockaddr *)&from));
	ck_assert(ice.last_consent_us == 3 * SEC);
}
END_TEST

START_TEST(check_answered_ipv6)
{
	struct sockaddr_in6 from = { .sin6_family = AF_INET6, .sin6_port = htons(5000) };
	inet_pton(AF_INET6, "::1", &from.sin6_addr);
	write_check(2, ice.local_pwd, true);
	ck_assert_int_eq(deliver(&from, SEC), ICE_RESPOND_NOMINATED);
	struct stun_msg r;
	decode_resp(&r, STUN_BINDING_SUCCESS);
	ck_assert(ice_addr_equal((struct sockaddr *)&r.xor_mapped, (struct sockaddr *)&from));
	ck_assert(ice.nominated);
}
END_TEST

START_TEST(wrong_password_401)
{
	struct sockaddr_in from = addr4("127.0.0.1", 40000);
	write_check(3, "notthepasswordnotthepass", false);
	ck_assert_int_eq(deliver(&from, SEC), ICE_RESPOND_ERROR);
	struct stun_msg r;
	decode_resp(&r, STUN_BINDING_ERROR);
	ck_assert_uint_eq(r.error_code, 401);
	ck_assert(!r.has_integrity);
	ck_assert(!ice.has_selected);
	ck_assert(ice.last_consent_us == 0);
}
END_TEST

START_TEST(wrong_username_401)
{
	struct sockaddr_in from = addr4("127.0.0.1", 40000);
	uint8_t tid[12];
	tid_n(tid, 4);
	struct stun_msg r;
	/* Remote part differs from the SDP's ufrag. */
	ck_assert_int_eq(ice_write_check(req, sizeof req, &req_len, tid, ice.local_ufrag, "othr", ice.local_pwd,
					 1, 2, false), 0);
	ck_assert_int_eq(deliver(&from, SEC), ICE_RESPOND_ERROR);
	decode_resp(&r, STUN_BINDING_ERROR);
	ck_assert_uint_eq(r.error_code, 401);
	/* Local part is another agent's. */
	ck_assert_int_eq(ice_write_check(req, sizeof req, &req_len, tid, "someone", REMOTE_UFRAG, ice.local_pwd,
					 1, 2, false), 0);
	ck_assert_int_eq(deliver(&from, SEC), ICE_RESPOND_ERROR);
	/* Local ufrag as a prefix of the username's local part. */
	char longer[32];
	snprintf(longer, sizeof longer, "%sx", ice.local_ufrag);
	ck_assert_int_eq(ice_write_check(req, sizeof req, &req_len, tid, longer, REMOTE_UFRAG, ice.local_pwd,
					 1, 2, false), 0);
	ck_assert_int_eq(deliver(&from, SEC), ICE_RESPOND_ERROR);
	ck_assert(!ice.has_selected);
	/* Before the answer's remote ufrag is known, any remote part is accepted. */
	ice_lite_set_remote(&ice, NULL, NULL);
	ck_assert_int_eq(ice_write_check(req, sizeof req, &req_len, tid, ice.local_ufrag, "othr", ice.local_pwd,
					 1, 2, false), 0);
	ck_assert_int_eq(deliver(&from, SEC), ICE_RESPOND);
}
END_TEST

START_TEST(missing_credentials_400)
{
	struct sockaddr_in from = addr4("127.0.0.1", 40000);
	uint8_t tid[12];
	tid_n(tid, 5);
	struct stun_writer w;
	struct stun_msg r;
	char username[64];
	snprintf(username, sizeof username, "%s:%s", ice.local_ufrag, REMOTE_UFRAG);
	/* USERNAME but no MESSAGE-INTEGRITY. */
	stun_writer_init(&w, req, sizeof req, STUN_BINDING_REQUEST, tid);
	stun_writer_add(&w, STUN_ATTR_USERNAME, username, strlen(username));
	stun_writer_finish(&w, NULL, 0, true);
	req_len = w.len;
	ck_assert_int_eq(deliver(&from, SEC), ICE_RESPOND_ERROR);
	decode_resp(&r, STUN_BINDING_ERROR);
	ck_assert_uint_eq(r.error_code, 400);
	ck_assert(!r.has_integrity);
	/* MESSAGE-INTEGRITY but no USERNAME. */
	stun_writer_init(&w, req, sizeof req, STUN_BINDING_REQUEST, tid);
	stun_writer_finish(&w, (const uint8_t *)ice.local_pwd, strlen(ice.local_pwd), true);
	req_len = w.len;
	ck_assert_int_eq(deliver(&from, SEC), ICE_RESPOND_ERROR);
	decode_resp(&r, STUN_BINDING_ERROR);
	ck_assert_uint_eq(r.error_code, 400);
	ck_assert(!ice.has_selected);
}
END_TEST

START_TEST(use_candidate_nominates)
{
	struct sockaddr_in a = addr4("127.0.0.1", 1111), b = addr4("127.0.0.1", 2222);
	write_check(6, ice.local_pwd, false);
	ck_assert_int_eq(deliver(&a, SEC), ICE_RESPOND);
	ck_assert(ice_addr_equal((struct sockaddr *)&ice.selected, (struct sockaddr *)&a));
	/* Another pair's check is answered but does not move the selection. */
	write_check(7, ice.local_pwd, false);
	ck_assert_int_eq(deliver(&b, SEC), ICE_RESPOND);
	ck_assert(ice_addr_equal((struct sockaddr *)&ice.selected, (struct sockaddr *)&a));
	ck_assert(!ice.nominated);
	/* USE-CANDIDATE on b nominates b. */
	write_check(8, ice.local_pwd, true);
	ck_assert_int_eq(deliver(&b, 2 * SEC), ICE_RESPOND_NOMINATED);
	ck_assert(ice.nominated);
	ck_assert(ice_addr_equal((struct sockaddr *)&ice.selected, (struct sockaddr *)&b));
	/* Plain checks on a afterwards leave the nominated pair alone. */
	write_check(9, ice.local_pwd, false);
	ck_assert_int_eq(deliver(&a, 3 * SEC), ICE_RESPOND);
	ck_assert(ice_addr_equal((struct sockaddr *)&ice.selected, (struct sockaddr *)&b));
	/* A failed check with USE-CANDIDATE nominates nothing. */
	write_check(10, "wrongwrongwrongwrongwron", true);
	ck_assert_int_eq(deliver(&a, 3 * SEC), ICE_RESPOND_ERROR);
	ck_assert(ice_addr_equal((struct sockaddr *)&ice.selected, (struct sockaddr *)&b));
}
END_TEST

START_TEST(role_conflict_487)
{
	struct sockaddr_in from = addr4("127.0.0.1", 40000);
	uint8_t tid[12];
	tid_n(tid, 11);
	char username[64];
	snprintf(username, sizeof username, "%s:%s", ice.local_ufrag, REMOTE_UFRAG);
	struct stun_writer w;
	stun_writer_init(&w, req, sizeof req, STUN_BINDING_REQUEST, tid);
	stun_writer_add(&w, STUN_ATTR_USERNAME, username, strlen(username));
	stun_writer_add_u32(&w, STUN_ATTR_PRIORITY, 1);
	stun_writer_add_u64(&w, STUN_ATTR_ICE_CONTROLLED, 42);
	stun_writer_finish(&w, (const uint8_t *)ice.local_pwd, strlen(ice.local_pwd), true);
	req_len = w.len;
	ck_assert_int_eq(deliver(&from, SEC), ICE_RESPOND_ERROR);
	struct stun_msg r;
	decode_resp(&r, STUN_BINDING_ERROR);
	ck_assert_uint_eq(r.error_code, 487);
	ck_assert(stun_msg_integrity_ok(&r, (const uint8_t *)ice.local_pwd, strlen(ice.local_pwd)));
	ck_assert(!ice.has_selected);
}
END_TEST

START_TEST(unknown_attribute_420)
{
	struct sockaddr_in from = addr4("127.0.0.1", 40000);
	uint8_t tid[12];
	tid_n(tid, 12);
	char username[64];
	snprintf(username, sizeof username, "%s:%s", ice.local_ufrag, REMOTE_UFRAG);
	struct stun_writer w;
	stun_writer_init(&w, req, sizeof req, STUN_BINDING_REQUEST, tid);
	stun_writer_add(&w, STUN_ATTR_USERNAME, username, strlen(username));
	stun_writer_add(&w, 0x0077, "zz", 2);
	stun_writer_finish(&w, (const uint8_t *)ice.local_pwd, strlen(ice.local_pwd), true);
	req_len = w.len;
	ck_assert_int_eq(deliver(&from, SEC), ICE_RESPOND_ERROR);
	struct stun_msg r;
	decode_resp(&r, STUN_BINDING_ERROR);
	ck_assert_uint_eq(r.error_code, 420);
	ck_assert(stun_msg_integrity_ok(&r, (const uint8_t *)ice.local_pwd, strlen(ice.local_pwd)));
	/* UNKNOWN-ATTRIBUTES lists 0x0077: find it after ERROR-CODE. */
	size_t off = 20 + 4 + ((rd16(resp + 22) + 3u) & ~3u);
	ck_assert_uint_eq(rd16(resp + off), STUN_ATTR_UNKNOWN_ATTRIBUTES);
	ck_assert_uint_eq(rd16(resp + off + 2), 2);
	ck_assert_uint_eq(rd16(resp + off + 4), 0x0077);
}
END_TEST

START_TEST(ignored_messages)
{
	struct sockaddr_in from = addr4("127.0.0.1", 40000);
	uint8_t tid[12];
	tid_n(tid, 13);
	struct stun_writer w;
	/* Indications (browsers' keepalives) and responses get no answer. */
	static const uint16_t types[] = { STUN_BINDING_INDICATION, STUN_BINDING_SUCCESS, STUN_BINDING_ERROR, 0x0003 };
	for (size_t i = 0; i < ARRAY_LEN(types); i++) {
		stun_writer_init(&w, req, sizeof req, types[i], tid);
		stun_writer_finish(&w, NULL, 0, true);
		req_len = w.len;
		ck_assert_int_eq(deliver(&from, SEC), ICE_IGNORE);
		ck_assert_uint_eq(resp_len, 0);
	}
	/* A valid check without FINGERPRINT, or with a wrong one. */
	write_check(14, ice.local_pwd, true);
	req[req_len - 1] ^= 0xFF;
	ck_assert_int_eq(deliver(&from, SEC), ICE_IGNORE);
	req_len -= 8;
	wr16(req + 2, (uint16_t)(req_len - 20));
	ck_assert_int_eq(deliver(&from, SEC), ICE_IGNORE);
	ck_assert(!ice.has_selected);
	/* No room for the response. */
	write_check(15, ice.local_pwd, true);
	struct stun_msg m;
	ck_assert_int_eq(stun_msg_decode(&m, req, req_len), 0);
	ck_assert_int_eq(ice_lite_handle_request(&ice, &m, (struct sockaddr *)&from, SEC, resp, 40, &resp_len), ICE_IGNORE);
	ck_assert_uint_eq(resp_len, 0);
}
END_TEST

START_TEST(consent_expiry)
{
	const uint64_t timeout = ICE_CONSENT_TIMEOUT_US;
	struct sockaddr_in a = addr4("127.0.0.1", 1111), b = addr4("127.0.0.1", 2222);
	/* Never checked: the clock runs from creation. */
	ck_assert(!ice_lite_consent_expired(&ice, 29 * SEC, timeout));
	ck_assert(ice_lite_consent_expired(&ice, 30 * SEC, timeout));
	write_check(20, ice.local_pwd, true);
	ck_assert_int_eq(deliver(&a, 20 * SEC), ICE_RESPOND_NOMINATED);
	ck_assert(!ice_lite_consent_expired(&ice, 45 * SEC, timeout));
	ck_assert(ice_lite_consent_expired(&ice, 50 * SEC, timeout));
	/* A check on another pair does not renew the selected pair's consent. */
	write_check(21, ice.local_pwd, false);
	ck_assert_int_eq(deliver(&b, 40 * SEC), ICE_RESPOND);
	ck_assert(ice_lite_consent_expired(&ice, 50 * SEC, timeout));
	/* A failed check does not either. */
	write_check(22, "wrongwrongwrongwrongwron", false);
	ck_assert_int_eq(deliver(&a, 45 * SEC), ICE_RESPOND_ERROR);
	ck_assert(ice_lite_consent_expired(&ice, 50 * SEC, timeout));
	write_check(23, ice.local_pwd, false);
	ck_assert_int_eq(deliver(&a, 49 * SEC), ICE_RESPOND);
	ck_assert(!ice_lite_consent_expired(&ice, 50 * SEC, timeout));
	ck_assert(!ice_lite_consent_expired(&ice, 78 * SEC, timeout));
	ck_assert(ice_lite_consent_expired(&ice, 79 * SEC, timeout));
	/* Time running backwards is not expiry. */
	ck_assert(!ice_lite_consent_expired(&ice, 10 * SEC, timeout));
}
END_TEST

START_TEST(local_ufrag_extraction)
{
	struct stun_msg m;
	char out[16];
	write_check(30, "pw", false);
	ck_assert_int_eq(stun_msg_decode(&m, req, req_len), 0);
	ck_assert_int_eq(ice_lite_local_ufrag(&m, out, sizeof out), 0);
	ck_assert_str_eq(out, ice.local_ufrag);
	ck_assert_int_eq(ice_lite_local_ufrag(&m, out, 9), 0);
	ck_assert_int_eq(ice_lite_local_ufrag(&m, out, 8), ENOSPC);

	uint8_t tid[12] = { 0 };
	struct stun_writer w;
	static const char *bad[] = { "nocolon", ":emptylocal" };
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		stun_writer_init(&w, req, sizeof req, STUN_BINDING_REQUEST, tid);
		stun_writer_add(&w, STUN_ATTR_USERNAME, bad[i], strlen(bad[i]));
		ck_assert_int_eq(stun_msg_decode(&m, req, w.len), 0);
		ck_assert_int_eq(ice_lite_local_ufrag(&m, out, sizeof out), EBADMSG);
	}
	stun_writer_init(&w, req, sizeof req, STUN_BINDING_REQUEST, tid);
	ck_assert_int_eq(stun_msg_decode(&m, req, w.len), 0);
	ck_assert_int_eq(ice_lite_local_ufrag(&m, out, sizeof out), EBADMSG);
	/* An unknown ufrag is extracted all the same: the caller's lookup fails, not the parse. */
	ck_assert_int_eq(ice_write_check(req, sizeof req, &req_len, tid, "unkn0wn+", "x", "p", 1, 2, false), 0);
	ck_assert_int_eq(stun_msg_decode(&m, req, req_len), 0);
	ck_assert_int_eq(ice_lite_local_ufrag(&m, out, sizeof out), 0);
	ck_assert_str_eq(out, "unkn0wn+");
}
END_TEST

START_TEST(write_check_contents)
{
	uint8_t tid[12];
	tid_n(tid, 40);
	ck_assert_int_eq(ice_write_check(req, sizeof req, &req_len, tid, "srv1", "cli1", "pass", 77, 0xABCDull, true), 0);
	struct stun_msg m;
	ck_assert_int_eq(stun_msg_decode(&m, req, req_len), 0);
	ck_assert_uint_eq(m.type, STUN_BINDING_REQUEST);
	ck_assert_uint_eq(m.username_len, 9);
	ck_assert_mem_eq(m.username, "srv1:cli1", 9);
	ck_assert(m.has_priority && m.priority == 77);
	ck_assert(m.ice_controlling && !m.ice_controlled && m.tiebreaker == 0xABCDull);
	ck_assert(m.use_candidate);
	ck_assert(m.fingerprint_ok);
	ck_assert(stun_msg_integrity_ok(&m, (const uint8_t *)"pass", 4));
	size_t n;
	ck_assert_int_eq(ice_write_check(req, 40, &n, tid, "srv1", "cli1", "pass", 77, 1, true), ENOSPC);
	ck_assert_int_eq(ice_write_check(req, sizeof req, &n, tid, NULL, "cli1", "pass", 77, 1, true), EINVAL);
}
END_TEST

/* A flood of wrong-password checks from one address is answered within the error budget only;
 * the rest are withheld and counted, and the right password is still answered at once. */
START_TEST(error_responses_rate_limited)
{
	struct sockaddr_in bad = addr4("127.0.0.9", 5000), good = addr4("127.0.0.1", 40000);
	write_check(1, "wrongwrongwrongwrongwron", false);
	unsigned sent = 0, withheld = 0;
	uint64_t now = SEC;
	for (int i = 0; i < 100000; i++, now += 4) {   /* 250,000 checks per second for 0.4 s */
		ck_assert_int_eq(deliver(&bad, now), ICE_RESPOND_ERROR);
		if (resp_len)
			sent++;
		else
			withheld++;
	}
	unsigned cap = ICE_ERR_BURST + (unsigned)((now - SEC) * ICE_ERR_PER_SEC / SEC) + 1;
	ck_assert_uint_le(sent, cap);
	ck_assert_uint_ge(sent, ICE_ERR_BURST);
	ck_assert_uint_eq(sent + withheld, 100000);
	ck_assert_uint_eq(ice.err_limit.suppressed, withheld);
	ck_assert_uint_eq(ice.err_limit.sent, sent);
	write_check(2, ice.local_pwd, true);
	ck_assert_int_eq(deliver(&good, now), ICE_RESPOND_NOMINATED);
	/* Another port of the same address shares its budget. */
	struct sockaddr_in bad2 = addr4("127.0.0.9", 5001);
	write_check(3, "wrongwrongwrongwrongwron", false);
	deliver(&bad, now);   /* takes what refilled meanwhile, if anything */
	ck_assert_int_eq(deliver(&bad2, now), ICE_RESPOND_ERROR);
	ck_assert_uint_eq(resp_len, 0);
	/* Time refills it: after a quiet second, ICE_ERR_PER_SEC more. */
	now += SEC;
	sent = 0;
	for (int i = 0; i < 100; i++, now += 4) {
		deliver(&bad, now);
		sent += resp_len > 0;
	}
	ck_assert_uint_eq(sent, ICE_ERR_PER_SEC);
}
END_TEST

/* More sources than the table holds: the newcomers get no error response (fail closed) until an
 * entry's bucket has refilled; authenticated checks from anywhere are still answered. */
START_TEST(error_table_fails_closed)
{
	char ip[32];
	uint64_t now = SEC;
	write_check(1, "wrongwrongwrongwrongwron", false);
	for (int i = 0; i < ICE_ERR_SOURCES; i++) {
		snprintf(ip, sizeof ip, "127.0.1.%d", i + 1);
		struct sockaddr_in a = addr4(ip, 7000);
		ck_assert_int_eq(deliver(&a, now), ICE_RESPOND_ERROR);
		ck_assert_uint_gt(resp_len, 0);
	}
	struct sockaddr_in extra = addr4("127.0.2.1", 7000);
	ck_assert_int_eq(deliver(&extra, now), ICE_RESPOND_ERROR);
	ck_assert_uint_eq(resp_len, 0);
	ck_assert_uint_eq(ice.err_limit.suppressed, 1);
	write_check(2, ice.local_pwd, false);
	ck_assert_int_eq(deliver(&extra, now), ICE_RESPOND);
	/* Once an entry has been quiet for burst/rate seconds, it is given to the newcomer. */
	now += SEC * ICE_ERR_BURST / ICE_ERR_PER_SEC;
	write_check(3, "wrongwrongwrongwrongwron", false);
	ck_assert_int_eq(deliver(&extra, now), ICE_RESPOND_ERROR);
	ck_assert_uint_gt(resp_len, 0);
}
END_TEST

static Suite *ice_suite(void)
{
	Suite *s = suite_create("ice");
	TCase *t = tcase_create("lite");
	tcase_add_checked_fixture(t, setup, NULL);
	tcase_add_test(t, init_credentials);
	tcase_add_test(t, check_answered);
	tcase_add_test(t, check_answered_ipv6);
	tcase_add_test(t, wrong_password_401);
	tcase_add_test(t, wrong_username_401);
	tcase_add_test(t, missing_credentials_400);
	tcase_add_test(t, use_candidate_nominates);
	tcase_add_test(t, role_conflict_487);
	tcase_add_test(t, unknown_attribute_420);
	tcase_add_test(t, ignored_messages);
	tcase_add_test(t, consent_expiry);
	tcase_add_test(t, local_ufrag_extraction);
	tcase_add_test(t, write_check_contents);
	tcase_add_test(t, error_responses_rate_limited);
	tcase_add_test(t, error_table_fails_closed);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ice_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
