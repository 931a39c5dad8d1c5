/* worker: one media thread — its own libuv loop, UDP port, transports and rooms. A room lives
 * on one worker; the packet path runs there. Signaling (the main thread) changes rooms only
 * while holding the worker's lock, which the worker takes once per receive batch and tick. */
#ifndef PLENUM_SFU_WORKER_H
#define PLENUM_SFU_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "base/clock.h"
#include "peer/demux.h"

struct sfu;
struct sfu_room;

struct sfu_worker {
	struct sfu *sfu;
	unsigned index;
	bool threaded;                /* false: runs on the main loop (tests, --workers 0) */
	bool running;                 /* its thread was started */
	uv_loop_t *loop;
	uv_loop_t own_loop;
	uv_thread_t thread;
	uv_async_t stop;
	uv_mutex_t lock;              /* recursive */
	uv_timer_t tick;
	const struct clock_src *clock;
	struct peer_demux demux;
	uint16_t port;
	struct sfu_room *rooms;       /* the rooms living here */
	unsigned n_rooms;
	uint64_t last_report_us;
	int pending_closes;
	void (*on_closed)(void *arg);
	void *on_closed_arg;
	/* counters of its packet path */
	uint64_t nack_retransmits, keyframe_requests, dropped_unknown_ssrc, dropped_malformed_rtp,
	         dropped_malformed_rtcp, layer_switches, twcc_feedback_rx, twcc_feedback_tx;
	uint8_t scratch[2048];        /* the one output buffer of this thread */
};

/* Opens the worker's port (ip:port, 0 = any free) and, when threaded, starts its thread. */
int sfu_worker_start(struct sfu_worker *w, struct sfu *sfu, unsigned index, uv_loop_t *main_loop, bool threaded,
                     const char *ip, uint16_t port);
/* Stops the thread (if any) and releases the worker's handles; `closed(arg)` runs when it is
 * safe to free w (at once for a threaded worker, from the main loop otherwise). */
void sfu_worker_stop(struct sfu_worker *w, void (*closed)(void *arg), void *arg);

static inline void sfu_worker_lock(struct sfu_worker *w) { uv_mutex_lock(&w->lock); }
/* Sends what the main thread queued for this worker's port, then unlocks. */
void sfu_worker_unlock(struct sfu_worker *w);

#endif
