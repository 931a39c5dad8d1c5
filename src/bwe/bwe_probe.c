/* bwe_probe: probe clusters — which packets belong to one, and the rate the path carried them
 * at: the smaller of the send and the receive rate of its acknowledged packets. */
#include "bwe/bwe_probe.h"

#include <stdlib.h>
#include <string.h>

void bwe_probe_init(struct bwe_probe *p)
{
	memset(p, 0, sizeof *p);
}

bool bwe_probe_begin(struct bwe_probe *p, uint64_t rate_bps, uint64_t duration_us, uint64_t now_us)
{
	if (p->state == BWE_PROBE_RUNNING && now_us >= p->end_us)
		p->state = BWE_PROBE_WAITING;
	if (p->state == BWE_PROBE_RUNNING || (p->state == BWE_PROBE_WAITING && now_us < p->end_us + BWE_PROBE_TIMEOUT_US))
		return false;
	uint8_t id = (uint8_t)(p->id + 1 ? p->id + 1 : 1);
	memset(p, 0, sizeof *p);
	p->id = id;
	p->state = BWE_PROBE_RUNNING;
	p->target_bps = rate_bps;
	p->start_us = now_us;
	p->end_us = now_us + duration_us;
	return true;
}

uint8_t bwe_probe_on_sent(struct bwe_probe *p, uint64_t now_us)
{
	if (p->state != BWE_PROBE_RUNNING)
		return 0;
	if (now_us >= p->end_us) {
		p->state = BWE_PROBE_WAITING;
		return 0;
	}
	return p->id;
}

void bwe_probe_on_feedback(struct bwe_probe *p, uint8_t id, bool received, uint32_t bytes,
                           int64_t send_us, int64_t arrival_us)
{
	if (p->state == BWE_PROBE_IDLE)
		return;
	if (id != p->id) {
		if (p->state == BWE_PROBE_WAITING && send_us >= (int64_t)p->end_us)
			p->ended_seen = true;   /* everything of the cluster was reported before this */
		return;
	}
	if (!received) {
		p->lost_pkts++;
		return;
	}
	if (!p->acked_pkts || send_us < p->first_send)
		p->first_send = send_us;
	if (!p->acked_pkts || send_us > p->last_send)
		p->last_send = send_us;
	if (p->n_arr < BWE_PROBE_MAX_PKTS) {
		p->arr[p->n_arr].at = arrival_us;
		p->arr[p->n_arr].bytes = bytes;
		p->n_arr++;
	}
	p->acked_pkts++;
	p->acked_bytes += bytes;
}

static int by_arrival(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* The receive rate over the later half of the arrivals (from the middle one to the last). */
static uint64_t later_half_rate(struct bwe_probe *p)
{
	qsort(p->arr, p->n_arr, sizeof p->arr[0], by_arrival);
	unsigned mid = p->n_arr / 2;
	uint64_t bytes = 0;
	for (unsigned i = mid + 1; i < p->n_arr; i++)
		bytes += p->arr[i].bytes;
	int64_t span = p->arr[p->n_arr - 1].at - p->arr[mid].at;
	if (span < 1000)
		span = 1000;
	return bytes * 8u * 1000000u / (uint64_t)span;
}

/* Bits per second of `bytes` spread over span_us; the last packet's share is not counted (the
 * span runs from the first packet to the last one, so one packet lies outside it). */
static uint64_t rate_of(uint64_t bytes, uint64_t pkts, int64_t span_us)
{
	if (span_us < 1000)
		span_us = 1000;
	uint64_t inside = bytes - bytes / pkts;
	return inside * 8u * 1000000u / (uint64_t)span_us;
}

bool bwe_probe_finish(struct bwe_probe *p, uint64_t now_us, uint64_t *bps)
{
	if (p->state == BWE_PROBE_RUNNING && now_us >= p->end_us)
		p->state = BWE_PROBE_WAITING;
	if (p->state != BWE_PROBE_WAITING)
		return false;
	bool timed_out = now_us >= p->end_us + BWE_PROBE_TIMEOUT_US;
	if (!p->ended_seen && !timed_out)
		return false;
	*bps = 0;
	uint64_t total = p->acked_pkts + p->lost_pkts;
	if (p->ended_seen && p->acked_pkts >= BWE_PROBE_MIN_PKTS && (double)p->lost_pkts <= BWE_PROBE_MAX_LOSS * (double)total) {
		uint64_t send = rate_of(p->acked_bytes, p->acked_pkts, p->last_send - p->first_send);
		uint64_t recv = later_half_rate(p);
		*bps = send < recv ? send : recv;
	}
	p->state = BWE_PROBE_IDLE;
	return true;
}

uint64_t bwe_probe_target(const struct bwe_probe *p, uint64_t now_us)
{
	return p->state == BWE_PROBE_RUNNING && now_us < p->end_us ? p->target_bps : 0;
}
