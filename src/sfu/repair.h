/* repair: the budgets of what subscribers ask plenum to repair — retransmissions per subscriber
 * (a token bucket) and NACKs already answered (a small table). RFC 4585 §6.2.1, RFC 4588. */
#ifndef PLENUM_SFU_REPAIR_H
#define PLENUM_SFU_REPAIR_H

#include <stdbool.h>
#include <stdint.h>

/* Retransmissions per subscriber per second: a quarter of its downlink estimate in packets of
 * SFU_RTX_PACKET_BYTES, clamped to [SFU_RTX_MIN_PPS, SFU_RTX_MAX_PPS]; the bucket holds
 * SFU_RTX_BURST_MS of that rate. NACKs beyond it are refused (counted). */
#define SFU_RTX_MIN_PPS 2u         /* a weak downlink gets few: retransmissions must never starve audio */
#define SFU_RTX_MAX_PPS 250u
#define SFU_RTX_PACKET_BYTES 1200u
#define SFU_RTX_BURST_MS 500u
/* A NACK for a packet resent less than this long ago is a duplicate and ignored (about a
 * round trip: the first retransmission is still on its way). */
#define SFU_RTX_DEDUP_US 100000ull
#define SFU_RTX_RECENT 64          /* resent packets remembered per down-track (a power of 2) */

struct sfu_rtx_budget {
	uint64_t last_us;
	uint64_t tokens_milli;        /* retransmissions left, in thousandths */
	bool started;
};

struct sfu_rtx_recent {
	uint16_t seq[SFU_RTX_RECENT];
	uint32_t at_ms[SFU_RTX_RECENT];   /* when it was resent (ms, wrapping); 0: never */
};

/* Packets per second allowed for a subscriber whose downlink is estimated at budget_bps. */
uint32_t sfu_rtx_rate_pps(uint64_t budget_bps);
/* Takes one retransmission from the bucket (filled at rate_pps); false when none is left. */
bool sfu_rtx_budget_take(struct sfu_rtx_budget *b, uint32_t rate_pps, uint64_t now_us);
/* True when output packet seq was resent within SFU_RTX_DEDUP_US (as sfu_rtx_recent_mark said). */
bool sfu_rtx_recent_seen(const struct sfu_rtx_recent *r, uint16_t seq, uint64_t now_us);
void sfu_rtx_recent_mark(struct sfu_rtx_recent *r, uint16_t seq, uint64_t now_us);

#endif
