/* rtcp: compound packet iterator and validation, SR/RR/SDES/BYE, and RTCP feedback (NACK, PLI, FIR, REMB).
 * RFC 3550 §6, RFC 4585 (AVPF feedback), RFC 5104 (FIR), draft-alvestrand-rmcat-remb, RFC 5506 (reduced size). */
#ifndef PLENUM_RTCP_RTCP_H
#define PLENUM_RTCP_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { RTCP_SR = 200, RTCP_RR = 201, RTCP_SDES = 202, RTCP_BYE = 203, RTCP_APP = 204, RTCP_RTPFB = 205, RTCP_PSFB = 206 };
enum { RTCP_RTPFB_NACK = 1, RTCP_RTPFB_TWCC = 15, RTCP_PSFB_PLI = 1, RTCP_PSFB_FIR = 4, RTCP_PSFB_AFB = 15 };
enum { RTCP_SDES_CNAME = 1 };
#define RTCP_MAX_REPORT_BLOCKS 31

struct rtcp_iter { const uint8_t *buf; size_t len, off; };
struct rtcp_pkt {
	uint8_t pt, fmt;            /* fmt = count or FMT field */
	const uint8_t *buf;         /* whole packet incl. header (and padding) */
	size_t len;
	uint32_t sender_ssrc;       /* the first SSRC after the header (0 when there is none) */
	uint32_t media_ssrc;        /* RTPFB/PSFB only */
};

void rtcp_iter_init(struct rtcp_iter *it, const uint8_t *buf, size_t len);
/* 1: *p holds the next packet; 0: end; -EBADMSG: malformed (iteration stops).
 * Checks version 2, the length field, padding, and that SR/RR report blocks, BYE SSRCs and the
 * feedback header fit. Packet types outside 192..223 are malformed. */
int rtcp_iter_next(struct rtcp_iter *it, struct rtcp_pkt *p);
/* 0 when every packet passes rtcp_iter_next, only the last one is padded and the lengths add up to
 * len; else EBADMSG. A compound need not start with SR/RR (RFC 5506 reduced-size RTCP). */
int rtcp_validate_compound(const uint8_t *buf, size_t len);

struct rtcp_report_block {
	uint32_t ssrc;
	uint8_t fraction_lost;
	int32_t cumulative_lost;    /* 24-bit signed on the wire */
	uint32_t ext_highest_seq, jitter, lsr, dlsr;
};

/* Sub-parsers: 0, EINVAL when the packet is of another type, EBADMSG when malformed. */
int rtcp_sr_parse(const struct rtcp_pkt *p, uint32_t *ssrc, uint64_t *ntp, uint32_t *rtp_ts, uint32_t *pkts, uint32_t *octets);
/* SR or RR; copies at most cap blocks, *n = blocks copied. */
int rtcp_report_blocks(const struct rtcp_pkt *p, struct rtcp_report_block *out, size_t cap, size_t *n);
/* Calls cb for every sequence number in every PID+BLP pair, in order. */
int rtcp_nack_for_each(const struct rtcp_pkt *p, void (*cb)(void *arg, uint16_t seq), void *arg);
int rtcp_fir_for_each(const struct rtcp_pkt *p, void (*cb)(void *arg, uint32_t ssrc, uint8_t seq_nr), void *arg);
/* ENOENT for an application-layer feedback packet that is not REMB. Saturates at UINT64_MAX.
 * Copies at most cap SSRCs, *n = SSRCs copied. */
int rtcp_remb_parse(const struct rtcp_pkt *p, uint64_t *bitrate_bps, uint32_t *ssrcs, size_t cap, size_t *n);
/* Calls cb for each SSRC leaving. */
int rtcp_bye_for_each(const struct rtcp_pkt *p, void (*cb)(void *arg, uint32_t ssrc), void *arg);
/* Calls cb for each SDES chunk's CNAME (not NUL-terminated). */
int rtcp_sdes_cname_for_each(const struct rtcp_pkt *p, void (*cb)(void *arg, uint32_t ssrc, const char *cname, size_t len), void *arg);

/* Writers: bytes written, 0 when it does not fit (or n exceeds what one packet can carry). */
size_t rtcp_write_rr(uint8_t *out, size_t cap, uint32_t sender_ssrc, const struct rtcp_report_block *b, size_t n);
size_t rtcp_write_sr(uint8_t *out, size_t cap, uint32_t ssrc, uint64_t ntp, uint32_t rtp_ts, uint32_t pkts, uint32_t octets, const struct rtcp_report_block *b, size_t n);
/* cname: at most 255 bytes. */
size_t rtcp_write_sdes_cname(uint8_t *out, size_t cap, uint32_t ssrc, const char *cname);
size_t rtcp_write_bye(uint8_t *out, size_t cap, const uint32_t *ssrcs, size_t n);
size_t rtcp_write_pli(uint8_t *out, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc);
size_t rtcp_write_fir(uint8_t *out, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t seq_nr);
/* Packs seqs into PID+BLP pairs; most compact when seqs are ascending (rtp_seq_diff order). */
size_t rtcp_write_nack(uint8_t *out, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc, const uint16_t *seqs, size_t n);
size_t rtcp_write_remb(uint8_t *out, size_t cap, uint32_t sender_ssrc, uint64_t bitrate_bps, const uint32_t *ssrcs, size_t n);

/* Internal to rtcp/: the packet's length without its padding. */
size_t rtcp_pkt_body_len(const struct rtcp_pkt *p);

#endif
