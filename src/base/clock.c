/* clock: the system's monotonic and wall clocks. */
#include "base/clock.h"

#include <time.h>

uint64_t clock_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t system_now(void *arg)
{
	(void)arg;
	return clock_mono_us();
}

const struct clock_src clock_system = { system_now, 0 };

uint64_t clock_ntp_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t sec = (uint64_t)ts.tv_sec + 2208988800u;
	uint64_t frac = ((uint64_t)ts.tv_nsec << 32) / 1000000000u;
	return (sec << 32) | frac;
}
