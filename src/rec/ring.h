/* ring: a bounded single-producer single-consumer byte ring of records — the media thread puts,
 * the recording's writer thread takes; neither ever waits, a full ring drops (and counts). */
#ifndef PLENUM_REC_RING_H
#define PLENUM_REC_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rec_ring {
	uint8_t *buf;
	size_t cap;                      /* a power of two */
	_Atomic size_t head;             /* producer: bytes written, ever */
	_Atomic size_t tail;             /* consumer: bytes taken, ever */
	_Atomic uint64_t dropped;        /* records that did not fit */
};

/* cap rounded up to a power of two; 0 or ENOMEM. */
int rec_ring_init(struct rec_ring *r, size_t cap);
void rec_ring_free(struct rec_ring *r);
/* Producer: one record of a + b (b may be NULL); false (counted) when it does not fit now. */
bool rec_ring_put(struct rec_ring *r, const void *a, size_t alen, const void *b, size_t blen);
/* Consumer: the next record copied into out (cap bytes); its length, 0 when empty. A record longer
 * than cap is skipped (and counted as dropped). */
size_t rec_ring_take(struct rec_ring *r, void *out, size_t cap);

#endif
