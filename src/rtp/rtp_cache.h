/* rtp_cache: the recent packets of one published stream, by sequence number, for answering NACKs.
 * RFC 4585 §6.2.1 (generic NACK); one allocation at creation, none per packet. */
#ifndef PLENUM_RTP_RTP_CACHE_H
#define PLENUM_RTP_RTP_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct rtp_cache;
/* slots: a power of two from 1 to 65536 (e.g. 512); max_packet: largest packet stored (e.g. 1500). 0, EINVAL or ENOMEM. */
int rtp_cache_new(struct rtp_cache **out, size_t slots, size_t max_packet);
void rtp_cache_free(struct rtp_cache *c);
/* Copies the packet into slot seq % slots, replacing what was there; a packet longer than max_packet
 * is not stored (and the slot it would have used is emptied). */
void rtp_cache_put(struct rtp_cache *c, uint16_t seq, const uint8_t *pkt, size_t len, uint64_t now_us);
/* The stored packet with exactly this sequence number, or NULL when absent or overwritten.
 * The pointer stays valid until the next put into the same slot. stored_us may be NULL. */
const uint8_t *rtp_cache_get(const struct rtp_cache *c, uint16_t seq, size_t *len, uint64_t *stored_us);
/* Forgets every packet (e.g. after an SSRC change). */
void rtp_cache_clear(struct rtp_cache *c);

#endif
