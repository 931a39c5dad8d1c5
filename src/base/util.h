/* util: byte order helpers, secure random tokens, hex. */
#ifndef PLENUM_BASE_UTIL_H
#define PLENUM_BASE_UTIL_H

#include <stddef.h>
#include <stdint.h>

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd24(const uint8_t *p) { return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]; }
static inline uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static inline void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void wr24(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 16); p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)v; }
static inline void wr32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v; }

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Cryptographically random bytes (OpenSSL RAND_bytes); 0 or an errno. */
int util_random(void *buf, size_t len);
uint32_t util_random_u32(void);
/* A random token of `len` characters from [A-Za-z0-9+/] (ICE ufrag/pwd alphabet), NUL-terminated. */
int util_random_token(char *out, size_t len);
/* Constant-time comparison; 1 when equal. */
int util_ct_equal(const void *a, const void *b, size_t len);

#endif
