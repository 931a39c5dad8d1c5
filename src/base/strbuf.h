/* strbuf: formatted text appended into a caller's fixed buffer; it never overflows, it
 * remembers that something did not fit. */
#ifndef PLENUM_BASE_STRBUF_H
#define PLENUM_BASE_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *p;
	size_t cap, len;
	bool overflow;
};

void strbuf_init(struct strbuf *b, char *p, size_t cap);
/* Appends; on overflow nothing more is appended and the text stays NUL-terminated. */
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 0, or ENOSPC when something did not fit. */
int strbuf_result(const struct strbuf *b);

#endif
