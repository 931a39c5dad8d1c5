/* bwe: send-side bandwidth estimation for one subscriber transport: delay-based (transport-cc
 * feedback) and loss-based controllers, capped by REMB. draft-ietf-rmcat-gcc-02, draft-holmer-rmcat-transport-wide-cc-extensions-01. */
#ifndef PLENUM_BWE_BWE_H
#define PLENUM_BWE_BWE_H

#include <stddef.h>
#include <stdint.h>

/* One per subscriber transport. Deterministic: no clock of its own, every call takes now_us
 * (plenum's monotonic clock). Fixed size (~70 kB), allocated once in bwe_new; nothing per packet.
 *
 * How the estimate is made:
 *  - delay-based: transport-cc feedback gives each packet's arrival time; packets sent within 5 ms
 *    form a group; the change in one-way delay between groups feeds a trendline (linear regression
 *    over 20 groups); its slope against an adaptive threshold says overuse / normal / underuse;
 *    an AIMD controller acts on it: ×1.08 per second far from the last overuse (faster before the
 *    first one), additive near it, 0.85 × the acknowledged throughput on overuse; it does not
 *    grow past 1.5 × the acknowledged throughput (so while plenum sends less than the estimate,
 *    the estimate holds instead of climbing; finding room for a higher layer needs probing).
 *  - loss-based: loss above 10 % (counted from transport-cc feedback over ≥ 100 packets, or from
 *    receiver reports when no transport-cc comes) cuts by (1 − loss/2), at most once per 300 ms +
 *    RTT; below 2 % the cap grows 8 % per second; between the two it holds (random loss of a few
 *    percent is not congestion: NACK/RTX repairs it).
 *  - estimate = min(delay-based, loss-based, REMB received in the last 5 s), within [min, max].
 *    Without transport-cc feedback the latest REMB stands in for the delay-based estimate. */
struct bwe;

int bwe_new(struct bwe **out, uint64_t start_bps, uint64_t min_bps, uint64_t max_bps);
void bwe_free(struct bwe *b);
/* Every RTP packet plenum sends on that transport, with the transport-wide sequence number it
 * carried; bytes: the whole packet as sent (after SRTP). */
void bwe_on_sent(struct bwe *b, uint16_t tseq, size_t bytes, uint64_t now_us);
/* Transport-cc feedback from the subscriber: one RTCP packet or a compound (other packets are
 * skipped; malformed input is ignored). */
void bwe_on_twcc(struct bwe *b, const uint8_t *rtcp_fb, size_t len, uint64_t now_us);
/* REMB from the subscriber (an upper bound; the estimate itself when no transport-cc arrives). */
void bwe_on_remb(struct bwe *b, uint64_t bps, uint64_t now_us);
/* Receiver report loss for the transport (fraction 0..255, RFC 3550 fraction lost). */
void bwe_on_loss(struct bwe *b, uint8_t fraction_lost, uint64_t now_us);
/* Probing for room above what plenum sends (media alone never shows it: the delay-based rate does
 * not grow past 1.5 × what is acknowledged). bwe_probe_start opens a cluster at rate_bps for
 * duration_us: every packet sent meanwhile belongs to it, and the caller adds padding so that
 * it sends at bwe_probe_rate (0 once the cluster ended). When its feedback is in, a cluster the
 * path carried without overuse and with ≤ 10 % loss raises the delay-based rate to the rate it
 * was carried at (the smaller of its send and receive rates), and the loss-based cap too when
 * it lost < 2 %. Returns 0, EBUSY while a cluster runs or awaits feedback, EAGAIN within 1 s of
 * a decrease (the link is full: no probe). */
int bwe_probe_start(struct bwe *b, uint64_t rate_bps, uint64_t duration_us, uint64_t now_us);
uint64_t bwe_probe_rate(const struct bwe *b, uint64_t now_us);
/* Clusters judged so far, and the rate the last one carried (0: it said nothing). */
uint64_t bwe_probes_done(const struct bwe *b, uint64_t *last_bps);
/* Bits per second plenum may send now. */
uint64_t bwe_estimate(const struct bwe *b, uint64_t now_us);

/* For logs, metrics and tests. */
struct bwe_stats {
	uint64_t delay_bps, loss_bps, remb_bps;  /* remb_bps 0: none */
	uint64_t acked_bps;                     /* 0 until measured */
	uint64_t rtt_us;
	int signal;                             /* 0 normal, 1 overuse, 2 underuse */
	uint64_t overuses, loss_cuts;           /* decreases by the delay and the loss controllers */
	uint64_t feedback, feedback_bad;        /* transport-cc packets used, and dropped as malformed */
	uint64_t probes, probes_raised;         /* clusters started, and those that raised the rate */
	uint64_t probes_done;                   /* clusters judged (their feedback came, or timed out) */
	uint64_t last_probe_bps;                /* what the last finished cluster carried, 0: nothing */
	uint64_t last_decrease_us;              /* the delay-based controller's last cut, 0 none */
	uint64_t reported_lost, reported;       /* packets transport-cc feedback said lost, and reported */
};
void bwe_get_stats(const struct bwe *b, struct bwe_stats *s);

#endif
