/* hmap: a small open-addressing hash map from short byte keys (≤ 104 bytes: a room key "TENANT/NAME") to pointers,
 * for lookups on the packet path (ICE ufrag → transport, remote address → transport). */
#ifndef PLENUM_BASE_HMAP_H
#define PLENUM_BASE_HMAP_H

#include <stddef.h>
#include <stdint.h>

#define HMAP_KEY_MAX 104

struct hmap_slot {
	uint8_t key[HMAP_KEY_MAX];
	uint8_t klen;     /* 0 = empty */
	uint8_t deleted;  /* tombstone */
	void *val;
};

struct hmap {
	struct hmap_slot *slots;
	size_t cap;       /* power of two */
	size_t used;      /* live + tombstones */
	size_t count;     /* live */
};

void hmap_init(struct hmap *m);
void hmap_free(struct hmap *m);
/* Inserts or replaces; 0, EINVAL (key too long/empty) or ENOMEM. */
int hmap_put(struct hmap *m, const void *key, size_t klen, void *val);
void *hmap_get(const struct hmap *m, const void *key, size_t klen);
/* Removes the key if it maps to `val` (or any value when val is NULL); returns 1 when removed. */
int hmap_del(struct hmap *m, const void *key, size_t klen, const void *val);
/* Iteration: for (size_t i = 0; hmap_next(m, &i, &val);) … */
int hmap_next(const struct hmap *m, size_t *pos, void **val);

#endif
