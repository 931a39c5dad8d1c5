/* rtp_cache: a ring of fixed-size slots indexed by RTP sequence number, for NACK retransmission.
 * RFC 4585 §6.2.1; RFC 4588 senders resend from it. */
#include "rtp/rtp_cache.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct rtp_cache_slot {
	uint64_t stored_us;
	uint32_t len;
	uint16_t seq;
	bool used;
};

struct rtp_cache {
	size_t mask, max_packet;
	struct rtp_cache_slot *slots;
	uint8_t *data; /* slots * max_packet bytes */
};

int rtp_cache_new(struct rtp_cache **out, size_t slots, size_t max_packet)
{
	if (slots == 0 || slots > 65536 || (slots & (slots - 1)) || max_packet == 0 || max_packet > UINT32_MAX)
		return EINVAL;
	if (max_packet > SIZE_MAX / slots)
		return EINVAL;
	struct rtp_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return ENOMEM;
	c->mask = slots - 1;
	c->max_packet = max_packet;
	c->slots = calloc(slots, sizeof(*c->slots));
	c->data = malloc(slots * max_packet);
	if (!c->slots || !c->data) {
		rtp_cache_free(c);
		return ENOMEM;
	}
	*out = c;
	return 0;
}

void rtp_cache_free(struct rtp_cache *c)
{
	if (!c)
		return;
	free(c->slots);
	free(c->data);
	free(c);
}

void rtp_cache_put(struct rtp_cache *c, uint16_t seq, const uint8_t *pkt, size_t len, uint64_t now_us)
{
	size_t i = seq & c->mask;
	struct rtp_cache_slot *s = &c->slots[i];
	if (len > c->max_packet || (len && !pkt)) {
		s->used = false;
		return;
	}
	if (len)
		memcpy(c->data + i * c->max_packet, pkt, len);
	s->len = (uint32_t)len;
	s->seq = seq;
	s->stored_us = now_us;
	s->used = true;
}

const uint8_t *rtp_cache_get(const struct rtp_cache *c, uint16_t seq, size_t *len, uint64_t *stored_us)
{
	size_t i = seq & c->mask;
	const struct rtp_cache_slot *s = &c->slots[i];
	if (!s->used || s->seq != seq)
		return NULL;
	*len = s->len;
	if (stored_us)
		*stored_us = s->stored_us;
	return c->data + i * c->max_packet;
}

void rtp_cache_clear(struct rtp_cache *c)
{
	for (size_t i = 0; i <= c->mask; i++)
		c->slots[i].used = false;
}
