/* log: levelled logging to stderr, rate limiting for per-packet paths.
 * Privacy rule: nothing at info level or above names a person, an address or a room. */
#ifndef PLENUM_BASE_LOG_H
#define PLENUM_BASE_LOG_H

#include <stdint.h>

enum log_level { LOG_LEVEL_DEBUG = 0, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR, LOG_LEVEL_OFF };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* "debug", "info", "warn", "error", "off" → 0 and *out, or -1 when unknown. */
int log_level_parse(const char *name, enum log_level *out);
/* The name log_level_parse takes for a level. */
const char *log_level_name(enum log_level level);
void log_write(enum log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(mod, ...) do { if (log_get_level() <= LOG_LEVEL_DEBUG) log_write(LOG_LEVEL_DEBUG, mod, __VA_ARGS__); } while (0)
#define log_info(mod, ...)  log_write(LOG_LEVEL_INFO, mod, __VA_ARGS__)
#define log_warn(mod, ...)  log_write(LOG_LEVEL_WARN, mod, __VA_ARGS__)
#define log_error(mod, ...) log_write(LOG_LEVEL_ERROR, mod, __VA_ARGS__)

/* A token bucket for logs on hot paths: at most `per_sec` lines a second (0: 10); `dropped`
 * counts the lines refused, for a "N lines not logged" summary (the caller resets it). */
struct log_limit { uint64_t window_start_us; uint32_t count; uint32_t per_sec; uint32_t dropped; };
int log_limit_allow(struct log_limit *l, uint64_t now_us);

#endif
