/* hmap: open addressing with linear probing and tombstones; FNV-1a over the key bytes. */
#include "base/hmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_bytes(const uint8_t *k, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= k[i];
		h *= 1099511628211ull;
	}
	return h ^ (h >> 29);
}

void hmap_init(struct hmap *m)
{
	memset(m, 0, sizeof *m);
}

void hmap_free(struct hmap *m)
{
	free(m->slots);
	hmap_init(m);
}

static struct hmap_slot *find(const struct hmap *m, const void *key, size_t klen)
{
	if (!m->cap)
		return NULL;
	size_t mask = m->cap - 1;
	for (size_t i = hash_bytes(key, klen) & mask, n = 0; n < m->cap; i = (i + 1) & mask, n++) {
		struct hmap_slot *s = &m->slots[i];
		if (!s->klen && !s->deleted)
			return NULL;
		if (s->klen == klen && memcmp(s->key, key, klen) == 0)
			return s;
	}
	return NULL;
}

static int grow(struct hmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 16;
	if (m->count * 4 < m->cap)  /* mostly tombstones: rehash at the same size */
		ncap = m->cap;
	struct hmap_slot *old = m->slots;
	size_t ocap = m->cap;
	m->slots = calloc(ncap, sizeof *m->slots);
	if (!m->slots) {
		m->slots = old;
		return ENOMEM;
	}
	m->cap = ncap;
	m->used = m->count = 0;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].klen)
			hmap_put(m, old[i].key, old[i].klen, old[i].val);
	free(old);
	return 0;
}

int hmap_put(struct hmap *m, const void *key, size_t klen, void *val)
{
	if (!klen || klen > HMAP_KEY_MAX)
		return EINVAL;
	struct hmap_slot *s = find(m, key, klen);
	if (s) {
		s->val = val;
		return 0;
	}
	if ((m->used + 1) * 4 > m->cap * 3) {
		int err = grow(m);
		if (err)
			return err;
	}
	size_t mask = m->cap - 1;
	for (size_t i = hash_bytes(key, klen) & mask;; i = (i + 1) & mask) {
		s = &m->slots[i];
		if (!s->klen) {
			if (!s->deleted)
				m->used++;
			memcpy(s->key, key, klen);
			s->klen = (uint8_t)klen;
			s->deleted = 0;
			s->val = val;
			m->count++;
			return 0;
		}
	}
}

void *hmap_get(const struct hmap *m, const void *key, size_t klen)
{
	if (!klen || klen > HMAP_KEY_MAX)
		return NULL;
	struct hmap_slot *s = find(m, key, klen);
	return s ? s->val : NULL;
}

int hmap_del(struct hmap *m, const void *key, size_t klen, const void *val)
{
	if (!klen || klen > HMAP_KEY_MAX)
		return 0;
	struct hmap_slot *s = find(m, key, klen);
	if (!s || (val && s->val != val))
		return 0;
	s->klen = 0;
	s->deleted = 1;
	s->val = NULL;
	m->count--;
	return 1;
}

int hmap_next(const struct hmap *m, size_t *pos, void **val)
{
	while (*pos < m->cap) {
		struct hmap_slot *s = &m->slots[(*pos)++];
		if (s->klen) {
			*val = s->val;
			return 1;
		}
	}
	return 0;
}
