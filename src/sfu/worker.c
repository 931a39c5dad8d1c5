/* worker: a media thread with its own loop and port. Its periodic work (DTLS retransmissions,
 * transport-cc feedback, RTCP reports, speakers, budgets, consent per RFC 7675) runs here. */
#include "sfu/worker.h"

#include <errno.h>
#include <string.h>

#include "base/log.h"
#include "sfu/sfu_internal.h"

static const char *MOD = "worker";

static void on_tick(uv_timer_t *t)
{
	struct sfu_worker *w = t->data;
	peer_demux_tick(&w->demux);
	sfu_worker_feedback(w);
	uint64_t now = clock_now(w->clock);
	bool second = now - w->last_report_us >= 1000000u;
	if (second) {
		w->last_report_us = now;
		sfu_worker_reports(w);
	}
	sfu_rooms_tick(w, now, second);
	net_udp_flush(&w->demux.udp);
}

static void on_cmd(uv_async_t *a)
{
	sfu_worker_run_commands(a->data);
}

static void on_stop(uv_async_t *a)
{
	struct sfu_worker *w = a->data;
	uv_stop(w->loop);
}

static void run(void *arg)
{
	struct sfu_worker *w = arg;
	uv_run(w->loop, UV_RUN_DEFAULT);
}

int sfu_worker_start(struct sfu_worker *w, struct sfu *sfu, unsigned index, uv_loop_t *main_loop, bool threaded,
                     const char *ip, uint16_t port)
{
	w->sfu = sfu;
	w->index = index;
	w->threaded = threaded;
	w->clock = sfu->clock;
	w->ev_drop_log.per_sec = 1;
	if (sfu_worker_queues_init(w, main_loop) != 0)
		return ENOMEM;
	w->loop = threaded ? &w->own_loop : main_loop;
	if (threaded && uv_loop_init(w->loop) != 0)
		return ENOMEM;
	int err = peer_demux_open(&w->demux, w->loop, index, ip, port, sfu->cert, sfu->clock);
	w->port = net_udp_port(&w->demux.udp);
	uv_timer_init(w->loop, &w->tick);
	w->tick.data = w;
	if (threaded) {
		uv_async_init(w->loop, &w->stop, on_stop);
		w->stop.data = w;
		uv_async_init(w->loop, &w->cmd_wake, on_cmd);
		w->cmd_wake.data = w;
	}
	if (err)
		return err;
	w->last_report_us = clock_now(w->clock);
	uv_timer_start(&w->tick, on_tick, SFU_TICK_MS, SFU_TICK_MS);
	if (threaded) {
		if (uv_thread_create(&w->thread, run, w) != 0)
			return EAGAIN;
		w->running = true;
	}
	log_debug(MOD, "media worker %u on udp port %u", index, w->port);
	return 0;
}

void sfu_worker_halt(struct sfu_worker *w)
{
	if (!w->running)
		return;
	uv_async_send(&w->stop);
	uv_thread_join(&w->thread);
	w->running = false;
}

static void handle_closed(void *arg)
{
	struct sfu_worker *w = arg;
	if (--w->pending_closes == 0 && w->on_closed)
		w->on_closed(w->on_closed_arg);
}

static void uv_handle_closed(uv_handle_t *h)
{
	handle_closed(h->data);
}

/* The handles on the worker's loop (the main loop when not threaded). */
static void close_loop_handles(struct sfu_worker *w)
{
	uv_timer_stop(&w->tick);
	uv_close((uv_handle_t *)&w->tick, uv_handle_closed);
	if (w->threaded) {
		uv_close((uv_handle_t *)&w->stop, uv_handle_closed);
		uv_close((uv_handle_t *)&w->cmd_wake, uv_handle_closed);
	}
	peer_demux_close(&w->demux, handle_closed, w);
}

void sfu_worker_stop(struct sfu_worker *w, void (*closed)(void *arg), void *arg)
{
	sfu_worker_halt(w);
	w->on_closed = closed;
	w->on_closed_arg = arg;
	/* ev_wake on the main loop, plus the tick, the demux and (threaded) two asyncs */
	w->pending_closes = 1 + 2 + (w->threaded ? 2 : 0);
	if (w->threaded) {
		/* the thread is gone: close its handles on its loop from here */
		w->on_closed = NULL;
		close_loop_handles(w);
		uv_run(w->loop, UV_RUN_DEFAULT);
		uv_loop_close(w->loop);
		w->on_closed = closed;
	} else {
		close_loop_handles(w);   /* finishes as the main loop runs */
	}
	if (w->qlock_ready)
		uv_close((uv_handle_t *)&w->ev_wake, uv_handle_closed);
	else
		handle_closed(w);
}
