/* worker: one media thread — its own libuv loop, UDP port, transports and rooms. A room lives
 * on one worker; the packet path runs there. Threads talk through the two queues below only.
 *
 * Ownership (who may touch what):
 * - Worker-owned: a room's members, tracks, down-tracks, transports and every field the packet
 *   path, the tick or a command changes. Only the worker's thread touches them (its loop runs
 *   the commands the main thread posts; with `--workers 0` that loop is the main loop).
 * - Main-owned: the room table, a room's `main_count`, a participant's `user_ev`, `user_arg`
 *   and `main_gone`, and the participant struct itself: the main thread frees it, and only
 *   after the worker's `release` event (the worker's last word about it) arrives.
 * - Immutable after creation: ids, names, the `w` and `home` pointers, the configuration.
 * - Commands (main → worker) are synchronous: the main thread posts one and waits for it to run,
 *   so a worker's command queue holds at most one. The worker never waits for the main thread.
 * - Events (worker → main) are queued and delivered on the main loop (woken by `ev_wake`) and
 *   right after each command; speaker events beyond SFU_EVENT_QUEUE_MAX are dropped and counted,
 *   every other kind is bounded by the commands and participants that cause it. */
#ifndef PLENUM_SFU_WORKER_H
#define PLENUM_SFU_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "base/clock.h"
#include "base/log.h"
#include "peer/demux.h"

#define SFU_EVENT_QUEUE_MAX 65536   /* queued events past which speaker changes are dropped */

struct sfu;
struct sfu_room;
struct sfu_participant;
struct sfu_event;

/* One function the worker runs for the main thread, which waits on `done`. */
struct sfu_cmd {
	void (*fn)(void *arg);
	void *arg;
	uv_sem_t done;
	struct sfu_cmd *next;
};

struct sfu_worker {
	struct sfu *sfu;
	unsigned index;
	bool threaded;                /* false: runs on the main loop (tests, --workers 0) */
	bool running;                 /* its thread was started */
	uv_loop_t *loop;
	uv_loop_t own_loop;
	uv_thread_t thread;
	uv_async_t stop;              /* worker loop: ends the thread */
	uv_async_t cmd_wake;          /* worker loop: commands are queued */
	uv_async_t ev_wake;           /* main loop: events are queued */
	uv_mutex_t qlock;             /* guards the two queues, nothing else */
	struct sfu_cmd *cmd_head, *cmd_tail;
	struct sfu_event *ev_head, *ev_tail;
	size_t n_events;
	uint64_t events_dropped;      /* under qlock */
	struct log_limit ev_drop_log; /* worker-owned */
	bool qlock_ready;
	uv_timer_t tick;
	const struct clock_src *clock;
	struct peer_demux demux;
	uint16_t port;
	struct sfu_room *rooms;       /* the rooms living here (worker-owned) */
	unsigned main_rooms;          /* main-owned: rooms assigned here, for placing new ones */
	uint64_t last_report_us;
	int pending_closes;
	void (*on_closed)(void *arg);
	void *on_closed_arg;
	/* counters of its packet path */
	uint64_t nack_retransmits, keyframe_requests, dropped_unknown_ssrc, dropped_malformed_rtp,
	         dropped_malformed_rtcp, layer_switches, twcc_feedback_rx, twcc_feedback_tx;
	uint64_t nack_retransmits_dropped, nack_duplicates;   /* over a subscriber's budget; resent lately */
	uint64_t probe_padding_packets;   /* padding-only packets sent to probe subscribers' downlinks */
	uint64_t pub_layers_paused, pub_layers_resumed;   /* data saver: layers switched off / on at publishers */
	uint64_t viewer_packets;      /* RTP packets sent to WHEP viewers */
	uint8_t scratch[2048];        /* the one output buffer of this thread */
};

/* Opens the worker's port (ip:port, 0 = any free) and, when threaded, starts its thread. */
int sfu_worker_start(struct sfu_worker *w, struct sfu *sfu, unsigned index, uv_loop_t *main_loop, bool threaded,
                     const char *ip, uint16_t port);
/* Ends the worker's thread (if any); afterwards the caller's thread may touch its state. */
void sfu_worker_halt(struct sfu_worker *w);
/* Halts and releases the worker's handles; `closed(arg)` runs from the main loop when it is
 * safe to free w. */
void sfu_worker_stop(struct sfu_worker *w, void (*closed)(void *arg), void *arg);

/* worker_queue.c */
/* Sets up the two queues (before anything else in the worker); 0 or an errno. */
int sfu_worker_queues_init(struct sfu_worker *w, uv_loop_t *main_loop);
/* Main thread: runs fn(arg) on w's thread and waits for it (inline without a thread), then
 * delivers the events queued so far. */
void sfu_worker_call(struct sfu_worker *w, void (*fn)(void *arg), void *arg);
/* Worker loop: runs the queued commands. */
void sfu_worker_run_commands(struct sfu_worker *w);
/* Main thread: delivers the queued events (to nobody while the sfu shuts down). */
void sfu_worker_drain(struct sfu_worker *w);
/* Worker: queues the end of viewer p (its transport timed out, the room ended); its last event. */
void sfu_worker_post_viewer_closed(struct sfu_participant *p);
/* Worker: queues p's release, after which the worker never mentions p again. */
void sfu_worker_post_release(struct sfu_participant *p);
/* What a participant's worker-side `ev` points to: each callback queues an event for p. */
extern const struct sfu_events sfu_worker_proxy_events;

#endif
