/* strbuf: vsnprintf into the remaining space, all or nothing per call. */
#include "base/strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

void strbuf_init(struct strbuf *b, char *p, size_t cap)
{
	b->p = p;
	b->cap = cap;
	b->len = 0;
	b->overflow = cap == 0;
	if (cap)
		p[0] = '\0';
}

void strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	if (b->overflow)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len) {
		b->overflow = true;
		b->p[b->len] = '\0';
		return;
	}
	b->len += (size_t)n;
}

int strbuf_result(const struct strbuf *b)
{
	return b->overflow ? ENOSPC : 0;
}
