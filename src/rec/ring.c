/* ring: the bounded SPSC record ring between a room's media thread and a recording's writer.
 * Records are a 4-byte length and the bytes, wrapping at the end of the buffer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rec/ring.h"

int rec_ring_init(struct rec_ring *r, size_t cap)
{
	size_t c = 4096;
	while (c < cap)
		c <<= 1;
	memset(r, 0, sizeof *r);
	r->buf = malloc(c);
	if (!r->buf)
		return ENOMEM;
	r->cap = c;
	return 0;
}

void rec_ring_free(struct rec_ring *r)
{
	free(r->buf);
	r->buf = NULL;
}

static void copy_in(struct rec_ring *r, size_t at, const void *src, size_t n)
{
	size_t off = at & (r->cap - 1), first = r->cap - off < n ? r->cap - off : n;
	memcpy(r->buf + off, src, first);
	memcpy(r->buf, (const uint8_t *)src + first, n - first);
}

static void copy_out(const struct rec_ring *r, size_t at, void *dst, size_t n)
{
	size_t off = at & (r->cap - 1), first = r->cap - off < n ? r->cap - off : n;
	memcpy(dst, r->buf + off, first);
	memcpy((uint8_t *)dst + first, r->buf, n - first);
}

bool rec_ring_put(struct rec_ring *r, const void *a, size_t alen, const void *b, size_t blen)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	uint32_t len = (uint32_t)(alen + blen);
	if (alen + blen > UINT32_MAX || r->cap - (head - tail) < 4 + (size_t)len) {
		atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
		return false;
	}
	copy_in(r, head, &len, 4);
	copy_in(r, head + 4, a, alen);
	if (blen)
		copy_in(r, head + 4 + alen, b, blen);
	atomic_store_explicit(&r->head, head + 4 + len, memory_order_release);
	return true;
}

size_t rec_ring_take(struct rec_ring *r, void *out, size_t cap)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	if (head == tail)
		return 0;
	uint32_t len;
	copy_out(r, tail, &len, 4);
	size_t n = len <= cap ? len : 0;
	if (n)
		copy_out(r, tail + 4, out, n);
	else
		atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
	atomic_store_explicit(&r->tail, tail + 4 + len, memory_order_release);
	return n ? n : rec_ring_take(r, out, cap);
}
