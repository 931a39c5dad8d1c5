/* bwe_probe: one probe cluster at a time — the packets plenum sends while it runs (media and the
 * padding added to reach the probe's rate), their acknowledgements, and the rate the path carried.
 * draft-ietf-rmcat-gcc-02 leaves probing to the sender; this follows libwebrtc's probe clusters. */
#ifndef PLENUM_BWE_BWE_PROBE_H
#define PLENUM_BWE_BWE_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#define BWE_PROBE_MIN_PKTS 5        /* a cluster with fewer acknowledged packets says nothing */
#define BWE_PROBE_MAX_LOSS 0.10     /* ... nor one that lost more than this share */
#define BWE_PROBE_TIMEOUT_US 1500000 /* feedback for a cluster must come this long after its end */
#define BWE_PROBE_MAX_PKTS 256      /* arrivals kept per cluster */

enum bwe_probe_state { BWE_PROBE_IDLE, BWE_PROBE_RUNNING, BWE_PROBE_WAITING };

struct bwe_probe {
	enum bwe_probe_state state;
	uint8_t id;                     /* the running or awaited cluster (1..255) */
	uint64_t target_bps, start_us, end_us;
	uint64_t acked_pkts, lost_pkts, acked_bytes;
	int64_t first_send, last_send;
	bool ended_seen;                /* feedback covered a packet sent after the cluster */
	struct { int64_t at; uint32_t bytes; } arr[BWE_PROBE_MAX_PKTS];   /* acknowledged arrivals */
	unsigned n_arr;
};

void bwe_probe_init(struct bwe_probe *p);
/* Starts a cluster; false while one runs or awaits its feedback (unless that one timed out). */
bool bwe_probe_begin(struct bwe_probe *p, uint64_t rate_bps, uint64_t duration_us, uint64_t now_us);
/* The cluster id a packet sent now belongs to, 0 none; moves a cluster past its end to WAITING. */
uint8_t bwe_probe_on_sent(struct bwe_probe *p, uint64_t now_us);
/* Feedback for one packet sent at send_us in cluster `id` (0: not in one). */
void bwe_probe_on_feedback(struct bwe_probe *p, uint8_t id, bool received, uint32_t bytes,
                           int64_t send_us, int64_t arrival_us);
/* When the awaited cluster is complete (or timed out): true, with the rate the path carried in
 * *bps (0: the cluster says nothing: too few packets, too much loss, or no feedback), and the
 * probe back to IDLE. The rate is the smaller of the send rate and the receive rate of the later
 * half of the cluster's arrivals: a token-bucket shaper lets a burst through at line rate first,
 * which the earlier half would take for capacity. */
bool bwe_probe_finish(struct bwe_probe *p, uint64_t now_us, uint64_t *bps);
/* The rate to send at while a cluster runs, else 0. */
uint64_t bwe_probe_target(const struct bwe_probe *p, uint64_t now_us);

#endif
