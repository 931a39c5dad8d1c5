/* metrics: the Prometheus text exposition of plenum's gauges and counters (GET /metrics). */
#ifndef PLENUM_APP_METRICS_H
#define PLENUM_APP_METRICS_H

#include <stddef.h>

struct sfu;
struct signal;

struct app_metrics_src {
	struct sfu *sfu;
	struct signal *signal;
	struct rec *rec;              /* recordings, or NULL */
};

/* A signal_metrics_fn: writes the exposition into out; returns its length. */
size_t app_metrics_write(void *arg, char *out, size_t cap);

#endif
