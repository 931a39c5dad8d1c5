/* rtp: zero-copy RTP header view, header extensions, writer, receive statistics.
 * RFC 3550 (RTP, appendix A statistics), RFC 8285 (header extensions), RFC 6464 (audio level), RFC 5761 (mux). */
#ifndef PLENUM_RTP_RTP_H
#define PLENUM_RTP_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTP_HDR_LEN 12
#define RTP_EXT_PROFILE_ONE_BYTE 0xBEDE
#define RTP_EXT_PROFILE_TWO_BYTE 0x1000 /* low four bits are "appbits" */

struct rtp_hdr {                     /* a borrowed view of one RTP packet */
	bool padding, extension, marker;
	uint8_t csrc_count, pt;
	uint16_t seq;
	uint32_t ts, ssrc;
	size_t header_len;                /* fixed header + CSRCs + extension block */
	uint16_t ext_profile;             /* 0xBEDE one-byte, 0x100x two-byte, 0 when no extension */
	const uint8_t *ext;               /* extension elements (after the 4-byte ext header) */
	size_t ext_len;
	const uint8_t *payload;           /* without padding */
	size_t payload_len;
	uint8_t padding_len;
	const uint8_t *csrc;              /* csrc_count 32-bit CSRCs, network order */
};

/* RFC 5761 §4: second byte in 192..223 (RTCP PT 192..223, i.e. RTP PT 64..95 with marker). */
bool rtp_is_rtcp(const uint8_t *buf, size_t len);
/* 0 or EBADMSG (version != 2, short, bad CSRC/extension/padding lengths). */
int rtp_parse(struct rtp_hdr *h, const uint8_t *buf, size_t len);
/* Finds element `id` in a one-byte (0xBEDE) or two-byte (0x100x) extension block; 0 or ENOENT.
 * A zero-length two-byte element yields *len == 0. */
int rtp_ext_find(const struct rtp_hdr *h, uint8_t id, const uint8_t **val, size_t *len);
/* Calls cb for every element in order; stops early when cb returns non-zero. 0 or EBADMSG when the block is malformed. */
int rtp_ext_for_each(const struct rtp_hdr *h, int (*cb)(void *arg, uint8_t id, const uint8_t *val, size_t len), void *arg);
/* RFC 6464: V flag and level 0..127 (-dBov); 0 or EBADMSG. */
int rtp_ext_audio_level(const uint8_t *val, size_t len, bool *voice, uint8_t *level);

struct rtp_ext_elem { uint8_t id; uint8_t len; const uint8_t *val; };
/* Writes a complete packet (12-byte header, extension block with `ext`, payload). The one-byte form
 * is used when every element fits it (id 1..14, len 1..16), otherwise the two-byte form (id 1..255).
 * Returns total length, 0 when it does not fit or an element is invalid. */
size_t rtp_write(uint8_t *out, size_t cap, bool marker, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc,
                 const struct rtp_ext_elem *ext, size_t n_ext, const uint8_t *payload, size_t payload_len);

/* In-place rewrites of a parsed packet's fixed header (the forwarder's seq/ts/ssrc translation). */
static inline void rtp_set_seq(uint8_t *buf, uint16_t seq) { buf[2] = (uint8_t)(seq >> 8); buf[3] = (uint8_t)seq; }
static inline void rtp_set_ts(uint8_t *buf, uint32_t ts)
{
	buf[4] = (uint8_t)(ts >> 24); buf[5] = (uint8_t)(ts >> 16); buf[6] = (uint8_t)(ts >> 8); buf[7] = (uint8_t)ts;
}
static inline void rtp_set_ssrc(uint8_t *buf, uint32_t ssrc)
{
	buf[8] = (uint8_t)(ssrc >> 24); buf[9] = (uint8_t)(ssrc >> 16); buf[10] = (uint8_t)(ssrc >> 8); buf[11] = (uint8_t)ssrc;
}

static inline int16_t rtp_seq_diff(uint16_t a, uint16_t b) { return (int16_t)(uint16_t)(a - b); }   /* >0: a newer */

/* RFC 3550 A.1/A.3/A.8 receive statistics for receiver reports.
 * Call rtp_recv_stats_init with the first packet's sequence number, then rtp_recv_stats_update
 * for every packet including that first one. SRTP authentication already vouches for the source,
 * so the stream is valid from its first packet (no A.1 probation); a large jump is still only
 * accepted as a restart when the next packet confirms it. */
struct rtp_recv_stats {
	uint16_t max_seq;        /* highest sequence number seen */
	uint32_t cycles;         /* shifted count of sequence number cycles (multiples of 65536) */
	uint32_t base_seq;       /* first sequence number counted */
	uint32_t bad_seq;        /* last "bad" seq + 1, to detect a restart */
	uint32_t probation;      /* always 0 here, kept for the A.1 algorithm */
	uint32_t received;       /* packets received, duplicates included (A.3) */
	uint32_t expected_prior; /* at the last report */
	uint32_t received_prior;
	uint32_t transit;        /* relative transit time of the previous packet */
	uint32_t jitter;         /* estimated jitter, scaled by 16 */
	bool have_transit;
};
void rtp_recv_stats_init(struct rtp_recv_stats *s, uint16_t first_seq);
/* A packet far outside the expected window is ignored until the next one confirms a restart. */
void rtp_recv_stats_update(struct rtp_recv_stats *s, uint16_t seq, uint32_t rtp_ts, uint32_t arrival_ts /* same clock rate as rtp_ts */);
/* Fills a report block's loss/jitter fields and updates the "prior" counters. cumulative_lost is clamped to 24 bits. */
void rtp_recv_stats_report(struct rtp_recv_stats *s, uint8_t *fraction_lost, int32_t *cumulative_lost, uint32_t *ext_highest_seq, uint32_t *jitter);

#endif
