/* bwe_delay: the delay-based half of the send-side estimator: packet groups, delay-gradient
 * trendline, adaptive-threshold overuse detector. draft-ietf-rmcat-gcc-02 §5 (trendline variant). */
#ifndef PLENUM_BWE_BWE_DELAY_H
#define PLENUM_BWE_BWE_DELAY_H

#include <stdbool.h>
#include <stdint.h>

#define BWE_TREND_WINDOW 20         /* groups in the linear regression */

enum bwe_signal { BWE_NORMAL, BWE_OVERUSE, BWE_UNDERUSE };

/* A burst of packets sent within 5 ms of its first one. Times in µs: send on plenum's clock,
 * arrival on the receiver's (only differences matter). */
struct bwe_group { int64_t first_send, last_send, last_arrival; bool valid; };

struct bwe_delay {
	struct bwe_group cur, prev;
	/* trendline */
	double acc_ms, smooth_ms, first_arrival_ms;
	double x[BWE_TREND_WINDOW], y[BWE_TREND_WINDOW];
	unsigned n, head, num_deltas;
	double slope, prev_slope;
	/* detector */
	double threshold, time_over_ms, last_threshold_ms;
	int over_count;
	enum bwe_signal signal;
};

void bwe_delay_init(struct bwe_delay *d);
/* One acknowledged packet, in sequence (send) order. */
void bwe_delay_on_packet(struct bwe_delay *d, int64_t send_us, int64_t arrival_us);

#endif
