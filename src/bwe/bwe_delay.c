/* bwe_delay: the delay-based half of the send-side estimator: packet groups, delay-gradient
 * trendline, adaptive-threshold overuse detector. draft-ietf-rmcat-gcc-02 §5 (trendline variant). */
#include "bwe/bwe_delay.h"

#include <math.h>
#include <string.h>

#define GROUP_US 5000               /* packets sent within 5 ms of a group's first form one group */
#define MAX_ARRIVAL_GAP_US 3000000  /* a larger arrival gap restarts the detector (receiver clock jump) */
#define SMOOTHING 0.9               /* exponential smoothing of the accumulated delay */
#define TREND_GAIN 4.0              /* the slope, times the number of deltas, times this, is compared */
#define MAX_DELTAS 60               /* ... with the number of deltas capped here */
#define THRESH_INIT 12.5            /* ms */
#define THRESH_MIN 6.0
#define THRESH_MAX 600.0
#define K_UP 0.0087                 /* threshold adaptation per ms when |trend| exceeds it */
#define K_DOWN 0.039                /* ... and when it does not */
#define OVERUSE_MS 10.0             /* the trend must stay over the threshold this long */

void bwe_delay_init(struct bwe_delay *d)
{
	memset(d, 0, sizeof(*d));
	d->threshold = THRESH_INIT;
	d->time_over_ms = -1;
	d->last_threshold_ms = -1;
	d->signal = BWE_NORMAL;
}

/* Least-squares slope of the window: delay growth in ms per ms of arrival time. */
static double regression_slope(const struct bwe_delay *d, double fallback)
{
	double xm = 0, ym = 0, num = 0, den = 0;
	for (unsigned i = 0; i < d->n; i++) {
		xm += d->x[i];
		ym += d->y[i];
	}
	xm /= d->n;
	ym /= d->n;
	for (unsigned i = 0; i < d->n; i++) {
		num += (d->x[i] - xm) * (d->y[i] - ym);
		den += (d->x[i] - xm) * (d->x[i] - xm);
	}
	return den > 0 ? num / den : fallback;
}

/* The threshold follows |trend|: fast down, slowly up, so that it tolerates the path's own jitter
 * and does not starve against concurrent loss-based flows. Big spikes do not move it. */
static void adapt_threshold(struct bwe_delay *d, double trend, double now_ms)
{
	if (d->last_threshold_ms < 0)
		d->last_threshold_ms = now_ms;
	double a = fabs(trend);
	if (a > d->threshold + 15.0) {
		d->last_threshold_ms = now_ms;
		return;
	}
	double k = a < d->threshold ? K_DOWN : K_UP;
	double dt = fmin(now_ms - d->last_threshold_ms, 100.0);
	d->threshold += k * (a - d->threshold) * dt;
	d->threshold = fmax(THRESH_MIN, fmin(THRESH_MAX, d->threshold));
	d->last_threshold_ms = now_ms;
}

static void detect(struct bwe_delay *d, double send_delta_ms, double now_ms)
{
	double trend = (d->num_deltas < MAX_DELTAS ? d->num_deltas : MAX_DELTAS) * d->slope * TREND_GAIN;
	if (trend > d->threshold) {
		d->time_over_ms = d->time_over_ms < 0 ? send_delta_ms / 2 : d->time_over_ms + send_delta_ms;
		d->over_count++;
		if (d->time_over_ms > OVERUSE_MS && d->over_count > 1 && d->slope >= d->prev_slope) {
			d->time_over_ms = 0;
			d->over_count = 0;
			d->signal = BWE_OVERUSE;
		}
	} else {
		d->time_over_ms = -1;
		d->over_count = 0;
		d->signal = trend < -d->threshold ? BWE_UNDERUSE : BWE_NORMAL;
	}
	d->prev_slope = d->slope;
	adapt_threshold(d, trend, now_ms);
}

/* One delay variation between two consecutive groups. */
static void trend_update(struct bwe_delay *d, double delay_ms, double arrival_ms, double send_delta_ms)
{
	if (d->num_deltas < 1000)
		d->num_deltas++;
	d->acc_ms += delay_ms;
	d->smooth_ms = SMOOTHING * d->smooth_ms + (1 - SMOOTHING) * d->acc_ms;
	if (d->n == 0 && d->head == 0)
		d->first_arrival_ms = arrival_ms;
	d->x[d->head] = arrival_ms - d->first_arrival_ms;
	d->y[d->head] = d->smooth_ms;
	d->head = (d->head + 1) % BWE_TREND_WINDOW;
	if (d->n < BWE_TREND_WINDOW)
		d->n++;
	if (d->n == BWE_TREND_WINDOW)
		d->slope = regression_slope(d, d->slope);
	detect(d, send_delta_ms, arrival_ms);
}

void bwe_delay_on_packet(struct bwe_delay *d, int64_t send_us, int64_t arrival_us)
{
	struct bwe_group *c = &d->cur;
	if (!c->valid) {
		*c = (struct bwe_group){ send_us, send_us, arrival_us, true };
		return;
	}
	if (send_us < c->first_send)
		return;                     /* sent before the current group: reordered, ignore */
	if (send_us - c->first_send <= GROUP_US) {
		if (send_us > c->last_send)
			c->last_send = send_us;
		if (arrival_us > c->last_arrival)
			c->last_arrival = arrival_us;
		return;
	}
	/* c is complete: compare it with the group before */
	const struct bwe_group done = *c;
	if (d->prev.valid) {
		int64_t send_delta = done.last_send - d->prev.last_send;
		int64_t arrival_delta = done.last_arrival - d->prev.last_arrival;
		if (arrival_delta < 0 || arrival_delta > MAX_ARRIVAL_GAP_US) {
			enum bwe_signal s = d->signal;
			bwe_delay_init(d);      /* the receiver's clock jumped: start over */
			d->signal = s == BWE_OVERUSE ? BWE_NORMAL : s;
		} else {
			trend_update(d, (double)(arrival_delta - send_delta) / 1000.0, (double)done.last_arrival / 1000.0,
			             (double)send_delta / 1000.0);
		}
	}
	d->prev = done;
	d->cur = (struct bwe_group){ send_us, send_us, arrival_us, true };
}
