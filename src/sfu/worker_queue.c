/* worker_queue: how the main (signaling) thread and a media worker talk — synchronous commands
 * towards the worker, woken by uv_async_t, and queued events back to the main loop. */
#include "sfu/worker.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "sfu/sfu_internal.h"

static const char *MOD = "worker";

enum ev_kind { EV_JOINED, EV_LEFT, EV_UPDATED, EV_OFFER, EV_DROPPED, EV_SPEAKER, EV_DOWNLINK, EV_LAYERS, EV_RELEASE, EV_VIEWER_CLOSED };

struct sfu_event {
	struct sfu_event *next;
	enum ev_kind kind;
	struct sfu_participant *p;    /* whose callbacks it is for */
	struct sfu_participant_info info;   /* joined, updated: info.name points into name */
	char name[SFU_DISPLAY_NAME_MAX + 1];
	uint32_t id;                  /* left: who; speaker: who speaks; offer: version */
	enum sfu_leave_reason reason;
	char *sdp;                    /* offer */
	struct sfu_track_info *tracks;
	size_t n_tracks;
	struct sfu_downlink_info *down;   /* downlink */
	struct sfu_publish_layers layers; /* publish_layers */
};

static void on_ev_wake(uv_async_t *a)
{
	sfu_worker_drain(a->data);
}

int sfu_worker_queues_init(struct sfu_worker *w, uv_loop_t *main_loop)
{
	if (uv_mutex_init(&w->qlock) != 0)
		return ENOMEM;
	if (uv_async_init(main_loop, &w->ev_wake, on_ev_wake) != 0) {
		uv_mutex_destroy(&w->qlock);
		return ENOMEM;
	}
	w->ev_wake.data = w;
	w->qlock_ready = true;
	return 0;
}

/* ---- commands (main → worker) ---- */

void sfu_worker_call(struct sfu_worker *w, void (*fn)(void *arg), void *arg)
{
	if (!w->threaded || !w->running) {
		fn(arg);
		net_udp_flush(&w->demux.udp);
	} else {
		struct sfu_cmd c = { .fn = fn, .arg = arg };
		if (uv_sem_init(&c.done, 0) != 0) {
			log_error(MOD, "cannot create a semaphore");
			abort();
		}
		uv_mutex_lock(&w->qlock);
		if (w->cmd_tail)
			w->cmd_tail->next = &c;
		else
			w->cmd_head = &c;
		w->cmd_tail = &c;
		uv_mutex_unlock(&w->qlock);
		uv_async_send(&w->cmd_wake);
		uv_sem_wait(&c.done);
		uv_sem_destroy(&c.done);
	}
	sfu_worker_drain(w);
}

void sfu_worker_run_commands(struct sfu_worker *w)
{
	for (;;) {
		uv_mutex_lock(&w->qlock);
		struct sfu_cmd *c = w->cmd_head;
		if (c) {
			w->cmd_head = c->next;
			if (!w->cmd_head)
				w->cmd_tail = NULL;
		}
		uv_mutex_unlock(&w->qlock);
		if (!c)
			return;
		c->fn(c->arg);
		net_udp_flush(&w->demux.udp);
		uv_sem_post(&c->done);   /* c lives on the waiting thread's stack: not touched after this */
	}
}

/* ---- events (worker → main) ---- */

static void push(struct sfu_participant *p, struct sfu_event *e)
{
	struct sfu_worker *w = p->w;
	e->p = p;
	uv_mutex_lock(&w->qlock);
	/* Speaker changes are shed when the main loop falls behind (a newer one follows). Downlink
	 * and layer events are not: each is a change of state, sent at most about once a second. */
	if (e->kind == EV_SPEAKER && w->n_events >= SFU_EVENT_QUEUE_MAX) {
		w->events_dropped++;
		uv_mutex_unlock(&w->qlock);
		free(e);
		if (log_limit_allow(&w->ev_drop_log, clock_now(w->clock)))   /* the worker's own */
			log_warn(MOD, "event queue full: speaker changes dropped");
		return;
	}
	if (w->ev_tail)
		w->ev_tail->next = e;
	else
		w->ev_head = e;
	w->ev_tail = e;
	w->n_events++;
	uv_mutex_unlock(&w->qlock);
	uv_async_send(&w->ev_wake);
}

static struct sfu_event *event_new(enum ev_kind kind)
{
	struct sfu_event *e = calloc(1, sizeof *e);
	if (!e)
		log_error(MOD, "out of memory: an event is lost");
	else
		e->kind = kind;
	return e;
}

static void push_info(void *arg, enum ev_kind kind, const struct sfu_participant_info *pi)
{
	struct sfu_event *e = event_new(kind);
	if (!e)
		return;
	e->info = *pi;
	snprintf(e->name, sizeof e->name, "%s", pi->name ? pi->name : "");
	e->info.name = e->name;
	push(arg, e);
}

static void q_joined(void *arg, const struct sfu_participant_info *pi)
{
	push_info(arg, EV_JOINED, pi);
}

static void q_updated(void *arg, const struct sfu_participant_info *pi)
{
	push_info(arg, EV_UPDATED, pi);
}

static void q_left(void *arg, uint32_t id, enum sfu_leave_reason why)
{
	struct sfu_event *e = event_new(EV_LEFT);
	if (!e)
		return;
	e->id = id;
	e->reason = why;
	push(arg, e);
}

static void q_offer(void *arg, uint32_t version, const char *sdp, const struct sfu_track_info *tracks, size_t n)
{
	struct sfu_event *e = event_new(EV_OFFER);
	if (!e)
		return;
	e->id = version;
	e->sdp = strdup(sdp);
	e->tracks = n ? malloc(n * sizeof *tracks) : NULL;
	if (!e->sdp || (n && !e->tracks)) {
		log_error(MOD, "out of memory: a subscribe offer is lost");
		free(e->sdp);
		free(e->tracks);
		free(e);
		return;
	}
	if (n)
		memcpy(e->tracks, tracks, n * sizeof *tracks);
	e->n_tracks = n;
	push(arg, e);
}

static void q_dropped(void *arg, enum sfu_leave_reason why)
{
	struct sfu_event *e = event_new(EV_DROPPED);
	if (!e)
		return;
	e->reason = why;
	push(arg, e);
}

static void q_speaker(void *arg, uint32_t id)
{
	struct sfu_event *e = event_new(EV_SPEAKER);
	if (!e)
		return;
	e->id = id;
	push(arg, e);
}

static void q_downlink(void *arg, const struct sfu_downlink_info *d)
{
	struct sfu_event *e = event_new(EV_DOWNLINK);
	if (!e)
		return;
	e->down = malloc(sizeof *d);
	if (!e->down) {
		free(e);
		return;
	}
	*e->down = *d;
	push(arg, e);
}

static void q_layers(void *arg, const struct sfu_publish_layers *l)
{
	struct sfu_event *e = event_new(EV_LAYERS);
	if (!e)
		return;
	e->layers = *l;
	push(arg, e);
}

const struct sfu_events sfu_worker_proxy_events = {
	.participant_joined = q_joined, .participant_left = q_left, .participant_updated = q_updated,
	.subscribe_offer = q_offer, .dropped = q_dropped, .active_speaker = q_speaker,
	.downlink = q_downlink, .publish_layers = q_layers,
};

void sfu_worker_post_release(struct sfu_participant *p)
{
	struct sfu_event *e;
	/* the release must arrive, or the participant leaks: retry the allocation */
	while (!(e = calloc(1, sizeof *e)))
		uv_sleep(1);
	e->kind = EV_RELEASE;
	push(p, e);
}

void sfu_worker_post_viewer_closed(struct sfu_participant *p)
{
	struct sfu_event *e = event_new(EV_VIEWER_CLOSED);
	if (e)   /* lost: the viewer stays until signaling closes it (DELETE, shutdown) */
		push(p, e);
}

static void deliver(struct sfu *sfu, struct sfu_event *e)
{
	struct sfu_participant *p = e->p;
	if (e->kind == EV_RELEASE) {
		sfu_participant_release(p);
		return;
	}
	if (sfu->closing || p->main_gone)
		return;
	if (e->kind == EV_VIEWER_CLOSED) {
		sfu_viewer_deliver_closed(p);
		return;
	}
	const struct sfu_events *ev = p->user_ev;
	void *arg = p->user_arg;
	switch (e->kind) {
	case EV_JOINED:
		if (ev->participant_joined)
			ev->participant_joined(arg, &e->info);
		break;
	case EV_UPDATED:
		if (ev->participant_updated)
			ev->participant_updated(arg, &e->info);
		break;
	case EV_LEFT:
		if (ev->participant_left)
			ev->participant_left(arg, e->id, e->reason);
		break;
	case EV_OFFER:
		if (ev->subscribe_offer)
			ev->subscribe_offer(arg, e->id, e->sdp, e->tracks, e->n_tracks);
		break;
	case EV_DROPPED:
		p->main_gone = true;   /* its last event */
		if (ev->dropped)
			ev->dropped(arg, e->reason);
		break;
	case EV_SPEAKER:
		if (ev->active_speaker)
			ev->active_speaker(arg, e->id);
		break;
	case EV_DOWNLINK:
		if (ev->downlink)
			ev->downlink(arg, e->down);
		break;
	case EV_LAYERS:
		if (ev->publish_layers)
			ev->publish_layers(arg, &e->layers);
		break;
	case EV_RELEASE:
	case EV_VIEWER_CLOSED:
		break;
	}
}

void sfu_worker_drain(struct sfu_worker *w)
{
	if (!w->qlock_ready)
		return;
	/* One at a time: a callback may call the sfu again, which drains the rest first. */
	for (;;) {
		uv_mutex_lock(&w->qlock);
		struct sfu_event *e = w->ev_head;
		if (e) {
			w->ev_head = e->next;
			if (!w->ev_head)
				w->ev_tail = NULL;
			w->n_events--;
		}
		uv_mutex_unlock(&w->qlock);
		if (!e)
			return;
		deliver(w->sfu, e);
		free(e->sdp);
		free(e->tracks);
		free(e->down);
		free(e);
	}
}
