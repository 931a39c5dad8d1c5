/* worker: a media thread with its own loop and port. Its periodic work (DTLS retransmissions,
 * transport-cc feedback, RTCP reports) runs here; the main thread's SFU calls lock it. */
#include "sfu/worker.h"

#include <errno.h>
#include <string.h>

#include "base/log.h"
#include "sfu/sfu_internal.h"

static const char *MOD = "worker";

static void on_tick(uv_timer_t *t)
{
	struct sfu_worker *w = t->data;
	sfu_worker_lock(w);
	peer_demux_tick(&w->demux);
	sfu_worker_feedback(w);
	uint64_t now = clock_now(w->clock);
	if (now - w->last_report_us >= 1000000u) {
		w->last_report_us = now;
		sfu_worker_reports(w);
	}
	sfu_worker_unlock(w);
}

void sfu_worker_unlock(struct sfu_worker *w)
{
	net_udp_flush(&w->demux.udp);
	uv_mutex_unlock(&w->lock);
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
	if (uv_mutex_init_recursive(&w->lock) != 0)
		return ENOMEM;
	w->loop = threaded ? &w->own_loop : main_loop;
	if (threaded && uv_loop_init(w->loop) != 0)
		return ENOMEM;
	int err = peer_demux_open(&w->demux, w->loop, ip, port, sfu->cert, sfu->clock);
	w->demux.udp.lock = &w->lock;
	w->port = net_udp_port(&w->demux.udp);
	uv_timer_init(w->loop, &w->tick);
	w->tick.data = w;
	if (threaded) {
		uv_async_init(w->loop, &w->stop, on_stop);
		w->stop.data = w;
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

static void close_handles(struct sfu_worker *w)
{
	w->pending_closes = w->threaded ? 3 : 2;
	uv_timer_stop(&w->tick);
	uv_close((uv_handle_t *)&w->tick, uv_handle_closed);
	if (w->threaded)
		uv_close((uv_handle_t *)&w->stop, uv_handle_closed);
	peer_demux_close(&w->demux, handle_closed, w);
}

void sfu_worker_stop(struct sfu_worker *w, void (*closed)(void *arg), void *arg)
{
	if (!w->threaded) {
		w->on_closed = closed;
		w->on_closed_arg = arg;
		close_handles(w);   /* finishes as the main loop runs */
		return;
	}
	if (w->running) {
		uv_async_send(&w->stop);
		uv_thread_join(&w->thread);
		w->running = false;
	}
	/* the thread is gone: close its handles on its loop from here */
	w->on_closed = NULL;
	close_handles(w);
	uv_run(w->loop, UV_RUN_DEFAULT);
	uv_loop_close(w->loop);
	uv_mutex_destroy(&w->lock);
	closed(arg);
}
