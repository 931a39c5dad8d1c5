/* clock: monotonic microseconds, injectable where timing matters (NACK, consent, keyframes),
 * so tests can drive time. */
#ifndef PLENUM_BASE_CLOCK_H
#define PLENUM_BASE_CLOCK_H

#include <stdint.h>

struct clock_src {
	uint64_t (*now_us)(void *arg);
	void *arg;
};

uint64_t clock_mono_us(void);
/* The process' real monotonic clock as a clock_src. */
extern const struct clock_src clock_system;
static inline uint64_t clock_now(const struct clock_src *c) { return c->now_us(c->arg); }

/* NTP timestamp (RFC 3550 §4) for the wall clock now: upper 32 bits seconds since 1900. */
uint64_t clock_ntp_now(void);

#endif
