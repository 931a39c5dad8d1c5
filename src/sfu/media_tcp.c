/* media_tcp: ICE-TCP for the SFU — the one listener on the signaling loop hands each connection
 * to the media worker its first ICE check names; the worker owns the link from then on. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "sfu/sfu_internal.h"

static const char *MOD = "sfu";

struct adopt_call {
	struct sfu_worker *w;
	int fd;
	int err;
};

/* Worker: takes the connection over. */
static void adopt_on_worker(void *arg)
{
	struct adopt_call *c = arg;
	c->err = peer_demux_adopt_tcp(&c->w->demux, c->fd, NULL, 0);
}

static void hand_to_worker(void *arg, unsigned worker, int fd)
{
	struct sfu *sfu = arg;
	if (worker >= sfu->n_workers || sfu->closing) {
		close(fd);
		atomic_fetch_sub(&sfu->tcp.open, 1);
		return;
	}
	struct adopt_call c = { sfu->workers[worker], fd, 0 };
	sfu_worker_call(c.w, adopt_on_worker, &c);
	/* a failed adoption closed the fd; the link, had it opened, would have counted down itself */
	if (c.err && c.err != ESHUTDOWN)
		log_debug(MOD, "media TCP connection not taken: %s", strerror(c.err));
}

struct evict_call {
	struct sfu_worker *w;
	bool done;
};

static void evict_on_worker(void *arg)
{
	struct evict_call *c = arg;
	c->done = peer_demux_evict_unbound(&c->w->demux, SFU_MEDIA_TCP_EVICT_AGE_US);
}

/* At the link limit: the workers in turn, from where the last search stopped, until one closes a
 * link that carries nothing. Links from participants are never touched. */
static bool make_room(void *arg)
{
	struct sfu *sfu = arg;
	if (sfu->closing)
		return false;
	for (unsigned i = 0; i < sfu->n_workers; i++) {
		struct evict_call c = { sfu->workers[sfu->tcp_evict_next], false };
		sfu->tcp_evict_next = (sfu->tcp_evict_next + 1) % sfu->n_workers;
		sfu_worker_call(c.w, evict_on_worker, &c);
		if (c.done)
			return true;
	}
	return false;
}

int sfu_media_tcp_open(struct sfu *sfu, const char *bind_ip)
{
	if (!sfu->cfg.media_tcp_port)
		return 0;
	struct peer_tcp_handoff to = { hand_to_worker, NULL, sfu, NULL, make_room };
	unsigned max_open = sfu->cfg.media_tcp_max ? sfu->cfg.media_tcp_max : SFU_MEDIA_TCP_MAX_DEFAULT;
	sfu->tcp_on = true;
	if (sfu->cfg.media_tcp_bind)
		bind_ip = sfu->cfg.media_tcp_bind;
	int err = peer_tcp_accept_open(&sfu->tcp, sfu->loop, bind_ip, sfu->cfg.media_tcp_port, sfu->n_workers,
	                               max_open, &to);
	if (err)
		return err;
	for (unsigned i = 0; i < sfu->n_workers; i++)
		sfu->workers[i]->demux.tcp_open = &sfu->tcp.open;
	sfu->cfg.media_tcp_port = peer_tcp_accept_port(&sfu->tcp);
	log_debug(MOD, "ICE-TCP on port %u", sfu->cfg.media_tcp_port);
	return 0;
}

void sfu_media_tcp_share(struct sfu *sfu, void (*web)(void *arg, int fd), void *arg)
{
	sfu->tcp.to.other = web;
	sfu->tcp.to.other_arg = arg;
}

void sfu_media_tcp_stats(const struct sfu *sfu, struct sfu_stats *st)
{
	if (!sfu->tcp_on)
		return;
	const struct peer_tcp_accept_stats *a = &sfu->tcp.stats;
	st->tcp_accepted = a->accepted;
	st->tcp_refused_limit = a->refused_full;
	st->tcp_refused_pending = a->refused_pending;
	st->tcp_refused_timeout = a->timed_out;
	st->tcp_refused_not_ice = a->not_ice;
	st->tcp_links_open = atomic_load(&sfu->tcp.open);
}
