/* stun_internal: helpers shared by the stun/ files, not part of the module's interface.
 * RFC 8489 §14.5 (HMAC-SHA1 over two pieces: the adjusted header, then the body). */
#ifndef PLENUM_STUN_INTERNAL_H
#define PLENUM_STUN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "stun/stun.h"

/* Keys up to this length are remembered per thread (ICE passwords are 22–256 characters). */
#define STUN_HMAC_KEY_MAX 256

/* HMAC-SHA1(key, a || b) on the calling thread's cached context; 0 or EIO. */
int stun_hmac_sha1(const uint8_t *key, size_t key_len, const uint8_t *a, size_t a_len,
		   const uint8_t *b, size_t b_len, uint8_t out[STUN_MI_LEN]);

/* How often the calling thread's HMAC context was set up with a new key; checks against the key
 * it used last cost no setup. For tests and benchmarks. */
uint64_t stun_hmac_thread_setups(void);

#endif
