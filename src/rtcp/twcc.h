/* twcc: transport-wide congestion control feedback (RTPFB FMT 15): parser, and a receiver-side
 * recorder that writes feedback. draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1. */
#ifndef PLENUM_RTCP_TWCC_H
#define PLENUM_RTCP_TWCC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtcp/rtcp.h"

#define TWCC_REF_UNIT_US 64000      /* reference time unit */
#define TWCC_DELTA_UNIT_US 250      /* receive delta unit */
#define TWCC_REF_WRAP (1u << 24)    /* the reference time is 24 bits and wraps */
#define TWCC_RING 2048              /* arrivals a recorder holds between two writes (power of 2) */
#define TWCC_MAX_PKT_LEN 1200       /* default bound on one written feedback packet */

struct twcc_fb {
	uint32_t sender_ssrc, media_ssrc;
	uint16_t base_seq, status_count;
	uint32_t ref_time;              /* 24 bits, units of 64 ms; wraps (the draft's "signed" is never negative in practice) */
	uint8_t fb_count;               /* feedback packet count, wraps */
};

/* One reported packet. arrival_us is relative to the reference time (ref_time × 64 ms): the sum of
 * the receive deltas up to and including this packet. Meaningless when !received. */
typedef void (*twcc_status_cb)(void *arg, uint16_t seq, bool received, int64_t arrival_us);

/* Parses one transport-cc feedback packet (pt 205, fmt 15, as rtcp_iter_next gives it).
 * 0; EINVAL when p is another packet type; EBADMSG when malformed (no status, a reserved symbol,
 * chunks or deltas past the end). The whole packet is checked before cb is called, so cb sees
 * either every packet of a valid feedback or nothing. cb may be NULL (validation only). */
int twcc_parse(const struct rtcp_pkt *p, struct twcc_fb *fb, twcc_status_cb cb, void *arg);

struct twcc_status { uint16_t seq; bool received; int64_t arrival_us; };
/* The same into an array: copies at most cap statuses, *n = statuses copied. */
int twcc_parse_array(const struct rtcp_pkt *p, struct twcc_fb *fb, struct twcc_status *out, size_t cap, size_t *n);

/* Receiver side (plenum receiving from a publisher): arrivals since the last write, indexed by
 * transport sequence number. Fixed size (~33 kB), no allocation; embed it or allocate it once. */
struct twcc_recorder {
	struct { int64_t seq; uint64_t arrival_us; } slot[TWCC_RING];  /* seq -1: empty */
	int64_t base;                   /* first extended sequence number not yet reported */
	int64_t highest;                /* highest extended sequence number recorded */
	uint16_t highest16;
	bool started;
	uint8_t fb_count;
	uint32_t last_ref;
	size_t max_pkt_len;             /* bound on one written packet; TWCC_MAX_PKT_LEN after init */
	uint64_t late;                  /* arrivals for numbers already reported (as lost), dropped */
	uint64_t forgotten;             /* numbers pushed out of the ring before a write reported them */
	uint8_t scratch[2 * TWCC_RING]; /* receive deltas of the packet being written */
};

void twcc_recorder_init(struct twcc_recorder *r);
/* seq: the transport-wide sequence number from the header extension; arrival_us: local clock. */
void twcc_recorder_add(struct twcc_recorder *r, uint16_t seq, uint64_t arrival_us);
/* true when a write would emit something. */
bool twcc_recorder_pending(const struct twcc_recorder *r);
/* Writes feedback for everything recorded since the last write: one or more RTPFB FMT 15 packets
 * (each at most r->max_pkt_len bytes) one after the other in out, as many as fit in cap. A new
 * packet starts when one is full or when two consecutive arrivals are more than ±8 s apart.
 * Numbers between recorded ones are reported lost; arrivals for numbers already reported are
 * dropped (and counted in r->late). Returns the bytes written; what did not fit stays for the next
 * call. Each packet is padded to 32 bits with the P bit and a count (as libwebrtc does), so put
 * them in one compound only for peers that accept padding on any packet (browsers do). */
size_t twcc_recorder_write(struct twcc_recorder *r, uint8_t *out, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc);

#endif
