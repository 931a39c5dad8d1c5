/* test_addr: src/signal/addr.c — CIDR ranges, and the client X-Forwarded-For names behind trusted
 * proxies: the right-most untrusted entry, every accepted form, and hostile headers. */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "signal/signal.h"

static struct signal_cidr trusted[3];
static size_t n_trusted;

static void setup(void)
{
	static const char *const ranges[] = { "127.0.0.1/32", "10.0.0.0/8", "::1/128" };
	n_trusted = 3;
	for (size_t i = 0; i < n_trusted; i++)
		ck_assert_int_eq(signal_cidr_parse(ranges[i], &trusted[i]), 0);
}

/* The result for header `text`; on OK the client as text in out. */
static enum signal_fwd fwd(const char *text, char *out, size_t cap)
{
	int family = -1;
	uint8_t addr[16];
	memset(addr, 0xee, sizeof addr);
	enum signal_fwd r = signal_forwarded_for(text, strlen(text), trusted, n_trusted, &family, addr);
	out[0] = '\0';
	if (r == SIGNAL_FWD_OK)
		ck_assert_int_eq(signal_addr_text(family, addr, out, cap), 0);
	return r;
}

static void client_is(const char *header, const char *want)
{
	char got[64];
	ck_assert_msg(fwd(header, got, sizeof got) == SIGNAL_FWD_OK, "'%s' not read", header);
	ck_assert_msg(strcmp(got, want) == 0, "'%s': got %s, want %s", header, got, want);
}

static void invalid(const char *header)
{
	char got[64];
	enum signal_fwd r = fwd(header, got, sizeof got);
	ck_assert_msg(r == SIGNAL_FWD_INVALID, "'%s' gave %d (%s), want INVALID", header, (int)r, got);
}

START_TEST(right_most_untrusted)
{
	client_is("203.0.113.7", "203.0.113.7");
	/* what the client wrote itself (left) is never believed over what the proxy appended */
	client_is("1.1.1.1, 203.0.113.7", "203.0.113.7");
	client_is("127.0.0.1, 203.0.113.7", "203.0.113.7");
	/* trusted proxies on the way are skipped from the right */
	client_is("203.0.113.7, 10.1.2.3", "203.0.113.7");
	client_is("9.9.9.9, 203.0.113.7, 10.1.2.3, 127.0.0.1", "203.0.113.7");
	/* every entry a trusted proxy: the left-most is the client */
	client_is("10.0.0.5, 127.0.0.1", "10.0.0.5");
	/* garbage left of the client does not matter: it is never read */
	client_is("garbage, <script>, 203.0.113.7", "203.0.113.7");
	client_is(",,,, 203.0.113.7", "203.0.113.7");
}
END_TEST

START_TEST(forms)
{
	client_is("2001:db8::1", "2001:db8::1");
	client_is("[2001:db8::1]", "2001:db8::1");
	client_is("[2001:db8::1]:4711", "2001:db8::1");
	client_is("203.0.113.7:443", "203.0.113.7");
	client_is("  203.0.113.7\t", "203.0.113.7");
	client_is("203.0.113.7,10.1.1.1", "203.0.113.7");
	client_is("203.0.113.7 ,\t 10.1.1.1 ", "203.0.113.7");
	client_is("::ffff:203.0.113.7", "203.0.113.7");            /* IPv4-mapped comes out as IPv4 */
	client_is("2001:DB8::A", "2001:db8::a");
	/* the trusted check applies to every form of an address */
	client_is("203.0.113.7, [::1]:80", "203.0.113.7");
	client_is("203.0.113.7, ::ffff:127.0.0.1", "203.0.113.7");
}
END_TEST

START_TEST(absent_and_empty)
{
	int family;
	uint8_t addr[16];
	ck_assert_int_eq(signal_forwarded_for("", 0, trusted, n_trusted, &family, addr), SIGNAL_FWD_ABSENT);
	ck_assert_int_eq(signal_forwarded_for(NULL, 5, trusted, n_trusted, &family, addr), SIGNAL_FWD_ABSENT);
	invalid(" ");
	invalid("\t \t");
	invalid(",");
	invalid("203.0.113.7,");              /* the right-most entry, empty */
	invalid("203.0.113.7, ");
	/* no trusted ranges at all: the right-most entry is the client */
	ck_assert_int_eq(signal_forwarded_for("1.2.3.4, 5.6.7.8", 16, NULL, 0, &family, addr), SIGNAL_FWD_OK);
	ck_assert_int_eq(family, AF_INET);
	ck_assert_int_eq(addr[0], 5);
}
END_TEST

START_TEST(garbage)
{
	invalid("unknown");                   /* RFC 7239 obfuscated forms name nobody */
	invalid("_hidden");
	invalid("localhost");
	invalid("203.0.113");
	invalid("203.0.113.256");
	invalid("203.0.113.07");              /* no octal, no leading zeros */
	invalid("0x7f.0.0.1");
	invalid("203.0.113.7 10.1.1.1");      /* two addresses without a comma */
	invalid("203.0.113.7;10.1.1.1");
	invalid("203.0.113.7:");              /* port forms */
	invalid("203.0.113.7:0");
	invalid("203.0.113.7:65536");
	invalid("203.0.113.7:123456");
	invalid("203.0.113.7:80:80");
	invalid("203.0.113.7:-1");
	invalid("[203.0.113.7]");             /* brackets are for IPv6 */
	invalid("[2001:db8::1");
	invalid("2001:db8::1]");
	invalid("[]");
	invalid("[]:80");
	invalid("[2001:db8::1]80");
	invalid("[2001:db8::1]:");
	invalid("[2001:db8::1]:99999");
	invalid("[[2001:db8::1]]");
	invalid("fe80::1%eth0");              /* zone ids */
	invalid("[fe80::1%25eth0]:80");
	invalid("2001:db8:::1");
	invalid("\"[2001:db8::1]:80\"");      /* RFC 7239 quoting belongs to Forwarded, not here */
	invalid("for=203.0.113.7");
	invalid("203.0.113.7, garbage");      /* garbage right of the client: cannot tell who it is */
	invalid("203.0.113.7, 10.1.1.1, zz");
	/* a NUL inside the value: never the end of the address */
	const char nul[] = "203.0.113.7\0.9";
	int family;
	uint8_t addr[16];
	ck_assert_int_eq(signal_forwarded_for(nul, sizeof nul - 1, trusted, n_trusted, &family, addr), SIGNAL_FWD_INVALID);
	/* the length given is what is read: no NUL needed, nothing read past it */
	const char cut[] = "203.0.113.7, 10.1.1.1";
	ck_assert_int_eq(signal_forwarded_for(cut, 11, trusted, n_trusted, &family, addr), SIGNAL_FWD_OK);
	ck_assert_int_eq(addr[3], 7);
	/* one entry longer than any address */
	char long_entry[200];
	memset(long_entry, '1', sizeof long_entry - 1);
	long_entry[sizeof long_entry - 1] = '\0';
	invalid(long_entry);
	/* high bytes */
	invalid("203.0.113.7\xff");
	invalid("\xc3\xa9.0.0.1");
}
END_TEST

START_TEST(long_headers)
{
	/* many trusted hops: walked up to SIGNAL_FWD_HOPS_MAX, then given up */
	char buf[SIGNAL_FWD_TEXT_MAX + 64];
	size_t n = 0;
	n += (size_t)snprintf(buf + n, sizeof buf - n, "203.0.113.7");
	for (int i = 0; i < SIGNAL_FWD_HOPS_MAX - 1; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, ", 10.0.0.%d", i % 250);
	client_is(buf, "203.0.113.7");
	n += (size_t)snprintf(buf + n, sizeof buf - n, ", 10.0.0.1");
	invalid(buf);
	/* a very long header whose right end names the client: only the end is read */
	n = 0;
	while (n + 16 < SIGNAL_FWD_TEXT_MAX - 32)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "1.2.3.4, ");
	snprintf(buf + n, sizeof buf - n, "203.0.113.9");
	client_is(buf, "203.0.113.9");
	/* many commas */
	memset(buf, ',', 4000);
	snprintf(buf + 4000, sizeof buf - 4000, "203.0.113.9");
	client_is(buf, "203.0.113.9");
	memset(buf, ',', 4000);
	buf[4000] = '\0';
	invalid(buf);
	/* longer than SIGNAL_FWD_TEXT_MAX: refused whole */
	memset(buf, ' ', SIGNAL_FWD_TEXT_MAX);
	snprintf(buf + SIGNAL_FWD_TEXT_MAX - 10, sizeof buf - SIGNAL_FWD_TEXT_MAX + 10, "203.0.113.9");
	invalid(buf);
}
END_TEST

START_TEST(fuzzish)
{
	/* random bytes from a small alphabet of the characters addresses are made of: never a crash,
	 * and every OK names an address inet_pton accepts in some entry of the header */
	static const char alphabet[] = "0123456789abcdefABCDEF.:[], \t\"%x";
	srand(7);
	char buf[96];
	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)(rand() % (int)(sizeof buf - 1));
		for (size_t i = 0; i < len; i++)
			buf[i] = alphabet[rand() % (int)(sizeof alphabet - 1)];
		buf[len] = '\0';
		int family = 0;
		uint8_t addr[16];
		enum signal_fwd r = signal_forwarded_for(buf, len, trusted, n_trusted, &family, addr);
		ck_assert(r == SIGNAL_FWD_OK || r == SIGNAL_FWD_INVALID || (r == SIGNAL_FWD_ABSENT && len == 0));
		if (r == SIGNAL_FWD_OK)
			ck_assert(family == AF_INET || family == AF_INET6);
	}
}
END_TEST

START_TEST(cidr_lists)
{
	const uint8_t lo[4] = { 127, 0, 0, 1 }, lo2[4] = { 127, 0, 0, 2 }, ten[4] = { 10, 9, 8, 7 };
	uint8_t v6lo[16] = { 0 }, mapped[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1 };
	v6lo[15] = 1;
	ck_assert(signal_cidr_list_contains(trusted, n_trusted, AF_INET, lo));
	ck_assert(!signal_cidr_list_contains(trusted, n_trusted, AF_INET, lo2));
	ck_assert(signal_cidr_list_contains(trusted, n_trusted, AF_INET, ten));
	ck_assert(signal_cidr_list_contains(trusted, n_trusted, AF_INET6, v6lo));
	ck_assert(signal_cidr_list_contains(trusted, n_trusted, AF_INET6, mapped));
	ck_assert(!signal_cidr_list_contains(NULL, 0, AF_INET, lo));
	char text[64];
	ck_assert_int_eq(signal_addr_text(AF_INET6, v6lo, text, sizeof text), 0);
	ck_assert_str_eq(text, "::1");
	ck_assert_int_eq(signal_addr_text(AF_INET, lo, text, 4), -1);   /* too small */
	ck_assert_str_eq(text, "");
	ck_assert_int_eq(signal_addr_text(0, lo, text, sizeof text), -1);
}
END_TEST

static Suite *addr_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("forwarded_for");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, right_most_untrusted);
	tcase_add_test(tc, forms);
	tcase_add_test(tc, absent_and_empty);
	tcase_add_test(tc, garbage);
	tcase_add_test(tc, long_headers);
	tcase_add_test(tc, fuzzish);
	tcase_add_test(tc, cidr_lists);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(addr_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
