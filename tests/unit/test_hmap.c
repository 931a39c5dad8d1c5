/* test_hmap: the open-addressing map of src/base/hmap.c — insert, find, replace, remove, iterate,
 * growth, colliding and prefix keys, tombstone churn, and removal during iteration as the room
 * registries do it (sfu_free, meet_free). */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hmap.h"

static void *V(uintptr_t n)
{
	return (void *)(n + 1);   /* never NULL, so a miss is told apart */
}

static size_t key_of(char *buf, size_t cap, unsigned i)
{
	return (size_t)snprintf(buf, cap, "key-%u", i);
}

/* Live slots counted independently of m->count. */
static size_t live_slots(const struct hmap *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->cap; i++)
		n += m->slots[i].klen != 0;
	return n;
}

START_TEST(put_get_del)
{
	struct hmap m;
	hmap_init(&m);
	ck_assert_ptr_null(hmap_get(&m, "a", 1));          /* empty map, no table yet */
	ck_assert_int_eq(hmap_del(&m, "a", 1, NULL), 0);
	ck_assert_int_eq(hmap_put(&m, "alice", 5, V(1)), 0);
	ck_assert_int_eq(hmap_put(&m, "bob", 3, V(2)), 0);
	ck_assert_ptr_eq(hmap_get(&m, "alice", 5), V(1));
	ck_assert_ptr_eq(hmap_get(&m, "bob", 3), V(2));
	ck_assert_ptr_null(hmap_get(&m, "carol", 5));
	ck_assert_uint_eq(m.count, 2);
	/* replacing keeps one entry */
	ck_assert_int_eq(hmap_put(&m, "alice", 5, V(3)), 0);
	ck_assert_ptr_eq(hmap_get(&m, "alice", 5), V(3));
	ck_assert_uint_eq(m.count, 2);
	/* removal only of the expected value, or of any with NULL */
	ck_assert_int_eq(hmap_del(&m, "alice", 5, V(1)), 0);
	ck_assert_ptr_eq(hmap_get(&m, "alice", 5), V(3));
	ck_assert_int_eq(hmap_del(&m, "alice", 5, V(3)), 1);
	ck_assert_ptr_null(hmap_get(&m, "alice", 5));
	ck_assert_int_eq(hmap_del(&m, "alice", 5, NULL), 0);
	ck_assert_int_eq(hmap_del(&m, "bob", 3, NULL), 1);
	ck_assert_uint_eq(m.count, 0);
	/* a removed key can come back */
	ck_assert_int_eq(hmap_put(&m, "bob", 3, V(4)), 0);
	ck_assert_ptr_eq(hmap_get(&m, "bob", 3), V(4));
	ck_assert_uint_eq(m.count, 1);
	hmap_free(&m);
	ck_assert_ptr_null(m.slots);
	ck_assert_uint_eq(m.count, 0);
}
END_TEST

START_TEST(key_lengths)
{
	struct hmap m;
	hmap_init(&m);
	uint8_t k[HMAP_KEY_MAX + 1];
	memset(k, 'k', sizeof k);
	ck_assert_int_eq(hmap_put(&m, k, 0, V(1)), EINVAL);
	ck_assert_int_eq(hmap_put(&m, k, HMAP_KEY_MAX + 1, V(1)), EINVAL);
	ck_assert_ptr_null(hmap_get(&m, k, HMAP_KEY_MAX + 1));
	ck_assert_int_eq(hmap_del(&m, k, HMAP_KEY_MAX + 1, NULL), 0);
	ck_assert_int_eq(hmap_put(&m, k, HMAP_KEY_MAX, V(2)), 0);
	ck_assert_ptr_eq(hmap_get(&m, k, HMAP_KEY_MAX), V(2));
	/* keys are bytes, not strings: NUL inside, and prefixes, are distinct keys */
	ck_assert_int_eq(hmap_put(&m, "ab\0c", 4, V(3)), 0);
	ck_assert_int_eq(hmap_put(&m, "ab", 2, V(4)), 0);
	ck_assert_int_eq(hmap_put(&m, "ab\0", 3, V(5)), 0);
	ck_assert_ptr_eq(hmap_get(&m, "ab\0c", 4), V(3));
	ck_assert_ptr_eq(hmap_get(&m, "ab", 2), V(4));
	ck_assert_ptr_eq(hmap_get(&m, "ab\0", 3), V(5));
	ck_assert_ptr_null(hmap_get(&m, "a", 1));
	ck_assert_uint_eq(m.count, 4);
	hmap_free(&m);
}
END_TEST

START_TEST(growth)
{
	enum { N = 20000 };
	struct hmap m;
	hmap_init(&m);
	char k[32];
	for (unsigned i = 0; i < N; i++) {
		ck_assert_int_eq(hmap_put(&m, k, key_of(k, sizeof k, i), V(i)), 0);
		/* a power of two, never more than three quarters used */
		ck_assert_uint_eq(m.cap & (m.cap - 1), 0);
		ck_assert_uint_le(m.used * 4, m.cap * 3);
	}
	ck_assert_uint_eq(m.count, N);
	ck_assert_uint_eq(live_slots(&m), N);
	for (unsigned i = 0; i < N; i++)
		ck_assert_ptr_eq(hmap_get(&m, k, key_of(k, sizeof k, i)), V(i));
	ck_assert_ptr_null(hmap_get(&m, k, key_of(k, sizeof k, N)));
	ck_assert_uint_le(m.cap, 4 * N);
	hmap_free(&m);
}
END_TEST

/* Remote-address keys (family, port, address) differ in a byte or two: many share a probe chain. */
START_TEST(collisions)
{
	struct hmap m;
	hmap_init(&m);
	uint8_t key[20] = { 2, 0, 0x9c, 0x40, 127, 0, 0, 1 };
	for (unsigned i = 0; i < 4096; i++) {
		key[2] = (uint8_t)(i >> 8);
		key[3] = (uint8_t)i;
		ck_assert_int_eq(hmap_put(&m, key, 8, V(i)), 0);
	}
	/* force neighbours: remove every other one, then look up all */
	for (unsigned i = 0; i < 4096; i += 2) {
		key[2] = (uint8_t)(i >> 8);
		key[3] = (uint8_t)i;
		ck_assert_int_eq(hmap_del(&m, key, 8, V(i)), 1);
	}
	for (unsigned i = 0; i < 4096; i++) {
		key[2] = (uint8_t)(i >> 8);
		key[3] = (uint8_t)i;
		if (i % 2)
			ck_assert_ptr_eq(hmap_get(&m, key, 8), V(i));
		else
			ck_assert_ptr_null(hmap_get(&m, key, 8));
	}
	ck_assert_uint_eq(m.count, 2048);
	ck_assert_uint_eq(live_slots(&m), 2048);
	hmap_free(&m);
}
END_TEST

/* Transports come and go for days: a map with few live keys stays small however many passed. */
START_TEST(tombstone_churn)
{
	struct hmap m;
	hmap_init(&m);
	char k[32];
	for (unsigned i = 0; i < 200000; i++) {
		ck_assert_int_eq(hmap_put(&m, k, key_of(k, sizeof k, i), V(i)), 0);
		if (i >= 8)
			ck_assert_int_eq(hmap_del(&m, k, key_of(k, sizeof k, i - 8), V(i - 8)), 1);
		ck_assert_uint_le(m.used * 4, m.cap * 3);
	}
	ck_assert_uint_eq(m.count, 8);
	ck_assert_uint_le(m.cap, 64);
	for (unsigned i = 200000 - 8; i < 200000; i++)
		ck_assert_ptr_eq(hmap_get(&m, k, key_of(k, sizeof k, i)), V(i));
	ck_assert_ptr_null(hmap_get(&m, k, key_of(k, sizeof k, 0)));
	hmap_free(&m);
}
END_TEST

START_TEST(iterate)
{
	enum { N = 300 };
	struct hmap m;
	hmap_init(&m);
	size_t pos = 0;
	void *val;
	ck_assert_int_eq(hmap_next(&m, &pos, &val), 0);
	char k[32];
	for (unsigned i = 0; i < N; i++)
		hmap_put(&m, k, key_of(k, sizeof k, i), V(i));
	for (unsigned i = 0; i < N; i += 3)
		hmap_del(&m, k, key_of(k, sizeof k, i), NULL);
	unsigned seen[N] = { 0 }, n = 0;
	for (pos = 0; hmap_next(&m, &pos, &val);) {
		uintptr_t i = (uintptr_t)val - 1;
		ck_assert_uint_lt(i, N);
		seen[i]++;
		n++;
	}
	ck_assert_uint_eq(n, m.count);
	for (unsigned i = 0; i < N; i++)
		ck_assert_uint_eq(seen[i], (i % 3 ? 1u : 0u));   /* each live entry once, no removed one */
	hmap_free(&m);
}
END_TEST

/* The pattern of sfu_free and meet_free: each visited entry removes itself from the map. */
struct owner {
	struct hmap *m;
	char name[16];
	int visits;
};

START_TEST(remove_during_iteration)
{
	enum { N = 100 };
	struct hmap m;
	hmap_init(&m);
	struct owner o[N];
	for (unsigned i = 0; i < N; i++) {
		o[i].m = &m;
		o[i].visits = 0;
		snprintf(o[i].name, sizeof o[i].name, "room-%u", i);
		ck_assert_int_eq(hmap_put(&m, o[i].name, strlen(o[i].name), &o[i]), 0);
	}
	size_t cap = m.cap;
	struct owner *r;
	for (size_t pos = 0; hmap_next(&m, &pos, (void **)&r);) {
		r->visits++;
		ck_assert_int_eq(hmap_del(r->m, r->name, strlen(r->name), r), 1);
	}
	for (unsigned i = 0; i < N; i++)
		ck_assert_int_eq(o[i].visits, 1);
	ck_assert_uint_eq(m.count, 0);
	ck_assert_uint_eq(m.cap, cap);   /* removal never rehashes under the iterator */
	hmap_free(&m);
}
END_TEST

static Suite *hmap_suite(void)
{
	Suite *s = suite_create("hmap");
	TCase *tc = tcase_create("hmap");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, put_get_del);
	tcase_add_test(tc, key_lengths);
	tcase_add_test(tc, growth);
	tcase_add_test(tc, collisions);
	tcase_add_test(tc, tombstone_churn);
	tcase_add_test(tc, iterate);
	tcase_add_test(tc, remove_during_iteration);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(hmap_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
