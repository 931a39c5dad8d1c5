/* log: levelled logging to stderr with a UTC timestamp and the module name. */
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Read by every thread, changed by the main thread (at start and on SIGHUP): relaxed atomics. */
static int current_level = LOG_LEVEL_INFO;
static const char *const level_names[] = { "debug", "info", "warn", "error", "off" };

void log_set_level(enum log_level level) { __atomic_store_n(&current_level, (int)level, __ATOMIC_RELAXED); }
enum log_level log_get_level(void) { return (enum log_level)__atomic_load_n(&current_level, __ATOMIC_RELAXED); }

const char *log_level_name(enum log_level level)
{
	return level >= LOG_LEVEL_DEBUG && level <= LOG_LEVEL_OFF ? level_names[level] : "info";
}

int log_level_parse(const char *name, enum log_level *out)
{
	for (int i = 0; i <= LOG_LEVEL_OFF; i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

void log_write(enum log_level level, const char *module, const char *fmt, ...)
{
	if ((int)level < __atomic_load_n(&current_level, __ATOMIC_RELAXED) || level >= LOG_LEVEL_OFF)
		return;
	char stamp[32];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s.%03ldZ %-5s %-6s %s\n", stamp, ts.tv_nsec / 1000000L, level_names[level], module, line);
}

int log_limit_allow(struct log_limit *l, uint64_t now_us)
{
	if (now_us - l->window_start_us >= 1000000u) {
		l->window_start_us = now_us;
		l->count = 0;
	}
	if (l->count >= (l->per_sec ? l->per_sec : 10)) {
		l->dropped++;
		return 0;
	}
	l->count++;
	return 1;
}
