/* utf8: decoding one UTF-8 sequence strictly (RFC 3629), for validating names and texts. */
#ifndef PLENUM_BASE_UTF8_H
#define PLENUM_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes the sequence at s (n bytes available): shortest form only, no surrogates,
 * ≤ U+10FFFF. Returns its length and sets *cp, or 0 when invalid. */
size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp);
/* Whether all n bytes at s are such sequences. */
bool utf8_valid(const unsigned char *s, size_t n);
/* C0 and C1 control characters and DEL. */
bool utf8_is_control(uint32_t cp);

#endif
