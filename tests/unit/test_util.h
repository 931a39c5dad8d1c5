/* test_util: small helpers shared by the unit tests. */
#ifndef PLENUM_TEST_UTIL_H
#define PLENUM_TEST_UTIL_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>

/* Hex digits (spaces allowed between bytes) to bytes; returns the length. */
static inline size_t hex(const char *s, uint8_t *out)
{
	size_t n = 0;
	while (*s) {
		if (*s == ' ') {
			s++;
			continue;
		}
		unsigned v;
		ck_assert_int_eq(sscanf(s, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

#endif
