/* sfu: the media server object — workers, certificate, room table, the per-room tick (speakers,
 * budgets, RFC 7675 consent) and the API signaling calls, each call run on the room's worker. */
#include "sfu/sfu.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/utf8.h"
#include "base/util.h"
#include "dtls/dtls.h"
#include "sfu/sfu_internal.h"

static const char *MOD = "sfu";

int sfu_room_name_normalize(const char *in, char out[SFU_ROOM_NAME_MAX + 1])
{
	size_t n = in ? strlen(in) : 0;
	if (n == 0 || n > SFU_ROOM_NAME_MAX)
		return -SFU_ERR_ROOM_NAME;
	for (size_t i = 0; i < n; i++) {
		char c = (char)tolower((unsigned char)in[i]);
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
		if (!ok)
			return -SFU_ERR_ROOM_NAME;
		out[i] = c;
	}
	out[n] = '\0';
	if (strchr("._-", out[0]) || strchr("._-", out[n - 1]))
		return -SFU_ERR_ROOM_NAME;
	return 0;
}

int sfu_room_key_normalize(const char *in, char out[SFU_ROOM_KEY_MAX + 1])
{
	const char *slash = strchr(in, '/');
	size_t scope = slash ? (size_t)(slash - in) : 0;
	if (slash && (scope == 0 || scope > SFU_ROOM_SCOPE_MAX))
		return -SFU_ERR_ROOM_NAME;
	for (size_t i = 0; i < scope; i++)
		if (!((in[i] >= 'a' && in[i] <= 'z') || (in[i] >= '0' && in[i] <= '9') || in[i] == '-'))
			return -SFU_ERR_ROOM_NAME;
	char name[SFU_ROOM_NAME_MAX + 1];
	int err = sfu_room_name_normalize(slash ? slash + 1 : in, name);
	if (err)
		return err;
	snprintf(out, SFU_ROOM_KEY_MAX + 1, "%.*s%s%s", (int)scope, in, slash ? "/" : "", name);
	return 0;
}


int sfu_display_name_check(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > SFU_DISPLAY_NAME_MAX)
		return -SFU_ERR_DISPLAY_NAME;
	const unsigned char *s = (const unsigned char *)name;
	bool visible = false;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_next(s + i, n - i, &cp);
		if (!len || utf8_is_control(cp) ||
		    cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
			return -SFU_ERR_DISPLAY_NAME;
		if (cp != ' ')
			visible = true;
		i += len;
	}
	return visible ? 0 : -SFU_ERR_DISPLAY_NAME;
}

static void check_participant(struct sfu_participant *p, uint64_t now)
{
	if (p->failed) {
		sfu_participant_drop(p, SFU_LEFT_CLOSED);
		return;
	}
	bool expired = (p->pub && peer_consent_expired(p->pub, now, SFU_CONSENT_TIMEOUT_US)) ||
	               (p->sub && p->answered && peer_consent_expired(p->sub, now, SFU_CONSENT_TIMEOUT_US));
	if (expired) {
		log_info(MOD, "participant %u timed out (no ICE consent for %llu s)", p->id,
		         (unsigned long long)(SFU_CONSENT_TIMEOUT_US / 1000000u));
		sfu_participant_drop(p, SFU_LEFT_TIMEOUT);
	}
}

/* The worker's per-room work: speakers and probe padding every tick; once a second the downlink
 * budgets (layer rates were re-measured, downlinks re-estimated), probes, connection quality,
 * the layers publishers encode, consent and failed transports. */
void sfu_rooms_tick(struct sfu_worker *w, uint64_t now, bool second)
{
	for (struct sfu_room *r = w->rooms, *rnext; r; r = rnext) {
		rnext = r->wnext;   /* a drop of the last member unlinks r (the main thread frees it) */
		sfu_speakers_update(r, now);
		sfu_viewers_tick(r, now, second);
		sfu_tap_tick(r);
		for (struct sfu_participant *p = r->members; p; p = p->next)
			sfu_probe_tick(p, now);
		if (!second)
			continue;
		for (struct sfu_participant *p = r->members; p; p = p->next) {
			sfu_update_budget(p);
			sfu_probe_consider(p, now);
			sfu_quality_update(p, now);
		}
		sfu_pub_layers_room(r, now);
		for (struct sfu_participant *p = r->members, *next; p; p = next) {
			next = p->next;
			check_participant(p, now);
		}
	}
}

static void free_when_closed(void *arg)
{
	struct sfu *sfu = arg;
	if (--sfu->pending_closes)
		return;
	for (unsigned i = 0; i < sfu->n_workers; i++) {
		if (sfu->workers[i] && sfu->workers[i]->qlock_ready)
			uv_mutex_destroy(&sfu->workers[i]->qlock);
		free(sfu->workers[i]);
	}
	free(sfu->workers);
	dtls_cert_free(sfu->cert);
	free(sfu);
}

/* Stops every worker and frees sfu once all handles closed (some only as the loop runs). */
static void shut_down(struct sfu *sfu)
{
	sfu->pending_closes = 1;
	if (sfu->tcp_on) {
		sfu->pending_closes++;
		peer_tcp_accept_close(&sfu->tcp, free_when_closed, sfu);
	}
	for (unsigned i = 0; i < sfu->n_workers; i++) {
		if (!sfu->workers[i])
			continue;
		sfu->pending_closes++;
		sfu_worker_stop(sfu->workers[i], free_when_closed, sfu);
	}
	free_when_closed(sfu);
}

int sfu_new(struct sfu **out, uv_loop_t *loop, const struct sfu_config *cfg)
{
	struct sfu *sfu = calloc(1, sizeof *sfu);
	if (!sfu)
		return ENOMEM;
	sfu->loop = loop;
	sfu->cfg = *cfg;
	snprintf(sfu->public_ip, sizeof sfu->public_ip, "%s", cfg->public_ip ? cfg->public_ip : "127.0.0.1");
	sfu->cfg.public_ip = sfu->public_ip;
	sfu->clock = cfg->clock ? cfg->clock : &clock_system;
	sfu->next_participant_id = 1 + (util_random_u32() % 1000);
	hmap_init(&sfu->rooms);
	int err = dtls_cert_new(&sfu->cert);
	if (err) {
		free(sfu);
		return err;
	}
	bool threaded = cfg->workers > 0;
	sfu->n_workers = threaded ? cfg->workers : 1;
	sfu->workers = calloc(sfu->n_workers, sizeof *sfu->workers);
	if (!sfu->workers) {
		sfu->n_workers = 0;
		err = ENOMEM;
	}
	const char *bind_ip = cfg->bind_ip ? cfg->bind_ip : sfu->public_ip;
	for (unsigned i = 0; !err && i < sfu->n_workers; i++) {
		struct sfu_worker *w = calloc(1, sizeof *w);
		if (!w) {
			err = ENOMEM;
			break;
		}
		sfu->workers[i] = w;
		uint16_t port = cfg->media_port ? (uint16_t)(cfg->media_port + i) : 0;
		err = sfu_worker_start(w, sfu, i, loop, threaded, bind_ip, port);
	}
	if (!err)
		err = sfu_media_tcp_open(sfu, bind_ip);
	if (err) {
		shut_down(sfu);
		return err;
	}
	sfu->cfg.media_port = sfu->workers[0]->port;
	*out = sfu;
	return 0;
}

uint16_t sfu_media_port(const struct sfu *sfu)
{
	return sfu->cfg.media_port;
}

uint16_t sfu_media_tcp_port(const struct sfu *sfu)
{
	return sfu->tcp_on ? sfu->cfg.media_tcp_port : 0;
}

unsigned sfu_worker_count(const struct sfu *sfu)
{
	return sfu->n_workers;
}

/* Worker: takes p out of its room and frees its media state; the struct itself goes when the
 * main thread gets the release. Once only: later commands on p find it gone. */
static void leave(struct sfu_participant *p, enum sfu_leave_reason why)
{
	if (p->gone)
		return;
	p->gone = true;
	p->leaving = true;
	free(p->prefs);
	free(p->pinned);
	p->prefs = NULL;
	p->pinned = NULL;
	p->n_prefs = p->n_pinned = 0;
	if (p->room)
		sfu_room_remove(p->room, p, why);
	sfu_sub_free(p);
	for (size_t k = 0; k < p->n_tracks; k++)
		sfu_track_free(p->tracks[k]);
	p->n_tracks = 0;
	free(p->twcc_rec);
	p->twcc_rec = NULL;
	peer_free(p->pub);
	p->pub = NULL;
	sfu_worker_post_release(p);
}

void sfu_participant_drop(struct sfu_participant *p, enum sfu_leave_reason why)
{
	if (p->gone)
		return;
	if (p->ev->dropped)
		p->ev->dropped(p->ev_arg, why);
	leave(p, why);
}

void sfu_participant_release(struct sfu_participant *p)
{
	p->sfu->participants--;
	sfu_room_release(p->home);
	free(p);
}

void sfu_free(struct sfu *sfu)
{
	if (!sfu)
		return;
	sfu->closing = true;
	/* the threads end first; then this thread owns every room and lets each member go */
	for (unsigned i = 0; i < sfu->n_workers; i++)
		sfu_worker_halt(sfu->workers[i]);
	for (unsigned i = 0; i < sfu->n_workers; i++) {
		struct sfu_worker *w = sfu->workers[i];
		while (w->rooms) {
			struct sfu_room *r = w->rooms;
			while (r->members)
				leave(r->members, SFU_LEFT_CLOSED);   /* the last one unlinks r */
		}
		sfu_worker_drain(w);   /* releases: participants and rooms are freed */
	}
	hmap_free(&sfu->rooms);
	shut_down(sfu);
}

struct stats_call {
	struct sfu_worker *w;
	struct sfu_stats *st;
};

/* Worker: adds its counters to st (the main thread waits). */
static void worker_stats(void *arg)
{
	struct stats_call *c = arg;
	struct sfu_worker *w = c->w;
	struct sfu_stats *st = c->st;
	const struct peer_stats *ps = &w->demux.stats;
	st->rtp_packets_received += ps->rtp_rx;
	st->rtp_bytes_received += ps->rtp_rx_bytes;
	st->rtp_packets_sent += ps->rtp_tx;
	st->rtp_bytes_sent += ps->rtp_tx_bytes;
	st->rtcp_packets_received += ps->rtcp_rx;
	st->rtcp_packets_sent += ps->rtcp_tx;
	st->dropped_malformed_stun += ps->drop_stun_malformed + ps->drop_stun_auth;
	st->dropped_malformed_rtp += w->dropped_malformed_rtp + ps->drop_srtp_malformed;
	st->dropped_malformed_rtcp += w->dropped_malformed_rtcp;
	st->dropped_srtp_auth += ps->drop_srtp_auth + ps->drop_srtp_replay;
	st->dropped_unknown_source += ps->drop_unknown_source + ps->drop_unknown_kind;
	st->dropped_dtls += ps->drop_dtls;
	st->dropped_unknown_ssrc += w->dropped_unknown_ssrc;
	st->dropped_send += ps->drop_send + w->demux.udp.send_errors;
	st->nack_retransmits += w->nack_retransmits;
	st->nack_retransmits_dropped += w->nack_retransmits_dropped;
	st->nack_duplicates += w->nack_duplicates;
	st->probe_padding_packets += w->probe_padding_packets;
	st->pub_layers_paused += w->pub_layers_paused;
	st->pub_layers_resumed += w->pub_layers_resumed;
	st->viewer_packets_sent += w->viewer_packets;
	st->keyframe_requests += w->keyframe_requests;
	st->layer_switches += w->layer_switches;
	st->twcc_feedback_received += w->twcc_feedback_rx;
	st->twcc_feedback_sent += w->twcc_feedback_tx;
	const struct net_tcp_stats *ts = &w->demux.tcp.stats;
	st->tcp_shed_video += ts->shed_droppable;
	st->tcp_shed_all += ts->shed_all;
	st->tcp_bytes_sent += ts->bytes_tx;
	st->tcp_closed_bad_framing += ts->bad_framing;
	st->tcp_closed_unbound += ps->tcp_unbound_closed;
	st->tcp_evicted_unbound += ps->tcp_unbound_evicted;
	for (struct sfu_room *r = w->rooms; r; r = r->wnext)
		for (struct sfu_participant *p = r->members; p; p = p->next) {
			st->subscriber_estimate_bps_sum += p->budget_bps;
			st->videos_paused_bw += p->n_paused_bw;
			if (p->bwe) {
				struct bwe_stats bs;
				bwe_get_stats(p->bwe, &bs);
				st->probes += bs.probes;   /* of the participants still here */
			}
			for (size_t k = 0; k < p->n_tracks; k++)
				for (size_t li = 0; li < p->tracks[k]->n_layers; li++)
					st->pub_layers_off += p->tracks[k]->layer_off[li];
		}
}

void sfu_get_stats(const struct sfu *sfu, struct sfu_stats *st)
{
	memset(st, 0, sizeof *st);
	st->rooms = sfu->rooms.count;
	st->participants = sfu->participants;
	st->viewers = sfu->viewers;
	for (unsigned i = 0; i < sfu->n_workers; i++) {
		struct stats_call c = { sfu->workers[i], st };
		sfu_worker_call(sfu->workers[i], worker_stats, &c);
	}
	sfu_media_tcp_stats(sfu, st);
}

struct join_call {
	struct sfu_room *r;
	struct sfu_participant *p;
	int err;
};

/* Worker: p enters r, hearing about everyone there (and they about p). */
static void join_on_worker(void *arg)
{
	struct join_call *c = arg;
	struct sfu *sfu = c->p->sfu;
	if (sfu->cfg.max_room_participants && c->r->count >= sfu->cfg.max_room_participants) {
		c->err = -SFU_ERR_ROOM_FULL;
		return;
	}
	if (!c->r->attached)
		sfu_room_attach(c->r);
	sfu_room_add(c->r, c->p);
	log_info(MOD, "participant %u joined a room of %u", c->p->id, c->r->count);
}

int sfu_join(struct sfu *sfu, const char *room, const char *display_name,
             const struct sfu_events *events, void *arg, struct sfu_participant **out)
{
	char canon[SFU_ROOM_KEY_MAX + 1];
	int err = sfu_room_key_normalize(room, canon);
	if (err)
		return err;
	err = sfu_display_name_check(display_name);
	if (err)
		return err;
	struct sfu_room *r;
	if (sfu_room_get(sfu, canon, &r) != 0)
		return -SFU_ERR_INTERNAL;
	struct sfu_participant *p = calloc(1, sizeof *p);
	if (!p) {
		r->main_count++;
		sfu_room_release(r);   /* frees a room made for this join */
		return -SFU_ERR_INTERNAL;
	}
	p->sfu = sfu;
	p->w = r->w;
	p->home = r;
	snprintf(p->room_name, sizeof p->room_name, "%.*s", SFU_ROOM_KEY_MAX, r->name);   /* a room key: no group suffix */
	p->id = sfu->next_participant_id++;
	snprintf(p->name, sizeof p->name, "%s", display_name);
	p->user_ev = events;
	p->user_arg = arg;
	p->ev = &sfu_worker_proxy_events;
	p->ev_arg = p;
	p->rtcp_ssrc = util_random_u32() | 1;
	p->down_twcc_ext = SFU_TWCC_EXT_ID;
	snprintf(p->cname, sizeof p->cname, "plenum-%u", p->id);
	/* counted before the call: the events it causes may already include p's release */
	r->main_count++;
	sfu->participants++;
	struct join_call c = { r, p, 0 };
	sfu_worker_call(r->w, join_on_worker, &c);
	if (c.err) {
		sfu_participant_release(p);
		return c.err;
	}
	*out = p;
	return 0;
}

const char *sfu_participant_room(const struct sfu_participant *p)
{
	return p->room_name;
}

uint32_t sfu_participant_id(const struct sfu_participant *p)
{
	return p->id;
}

struct leave_call {
	struct sfu_participant *p;
	enum sfu_leave_reason why;
	bool drop;
};

static void leave_on_worker(void *arg)
{
	struct leave_call *c = arg;
	if (c->drop)
		sfu_participant_drop(c->p, c->why);
	else
		leave(c->p, c->why);
}

void sfu_leave(struct sfu_participant *p, enum sfu_leave_reason why)
{
	if (!p)
		return;
	log_info(MOD, "participant %u left", p->id);
	p->main_gone = true;   /* no events for it from now on */
	struct leave_call c = { p, why, false };
	sfu_worker_call(p->w, leave_on_worker, &c);   /* its release, and so its free, are delivered here */
}

void sfu_remove(struct sfu_participant *p, enum sfu_leave_reason why)
{
	log_info(MOD, "participant %u removed", p->id);
	struct leave_call c = { p, why, true };
	sfu_worker_call(p->w, leave_on_worker, &c);   /* `dropped`, then the release */
}

/* ---- what signaling changes about a participant after it joined, run on its worker ---- */

struct media_call {
	struct sfu_participant *p;
	bool audio_muted, video_muted;
	enum sfu_source source;
	int err;
};

static void set_media_state(void *arg)
{
	struct media_call *c = arg;
	struct sfu_participant *p = c->p;
	if (p->gone) {
		c->err = -SFU_ERR_STATE;
		return;
	}
	/* Unmuting oneself lifts a host's mute: a host can mute, only the participant unmutes. */
	if (!c->audio_muted)
		p->forced_mute[SFU_SOURCE_MICROPHONE] = false;
	if (!c->video_muted)
		p->forced_mute[SFU_SOURCE_CAMERA] = false;
	if (p->audio_muted == c->audio_muted && p->video_muted == c->video_muted)
		return;
	p->audio_muted = c->audio_muted;
	p->video_muted = c->video_muted;
	if (p->room)
		sfu_room_broadcast_update(p->room, p);
}

int sfu_set_media_state(struct sfu_participant *p, bool audio_muted, bool video_muted)
{
	struct media_call c = { .p = p, .audio_muted = audio_muted, .video_muted = video_muted };
	sfu_worker_call(p->w, set_media_state, &c);
	return c.err;
}

static void force_mute(void *arg)
{
	struct media_call *c = arg;
	struct sfu_participant *p = c->p;
	if (p->gone) {
		c->err = -SFU_ERR_STATE;
		return;
	}
	p->forced_mute[c->source] = true;
	if (c->source == SFU_SOURCE_MICROPHONE)
		p->audio_muted = true;
	else if (c->source == SFU_SOURCE_CAMERA)
		p->video_muted = true;
	if (p->room)
		sfu_room_broadcast_update(p->room, p);
}

int sfu_force_mute(struct sfu_participant *p, enum sfu_source source)
{
	if (source >= SFU_SOURCE_COUNT)
		return EINVAL;
	struct media_call c = { .p = p, .source = source };
	sfu_worker_call(p->w, force_mute, &c);
	return c.err;
}

struct prefs_call {
	struct sfu_participant *p;
	unsigned last_n;
	struct sfu_video_pref *prefs;   /* copies, handed over to p */
	size_t n_prefs;
	uint32_t *pinned;
	size_t n_pinned;
	int err;
};

static void set_video_prefs(void *arg)
{
	struct prefs_call *c = arg;
	struct sfu_participant *p = c->p;
	if (p->gone) {
		c->err = -SFU_ERR_STATE;
		return;
	}
	free(p->prefs);
	free(p->pinned);
	p->prefs = c->prefs;
	p->n_prefs = c->n_prefs;
	p->pinned = c->pinned;
	p->n_pinned = c->n_pinned;
	p->last_n = c->last_n;
	c->prefs = NULL;
	c->pinned = NULL;
	sfu_layers_assign(p);
	if (p->room)
		sfu_pub_layers_room(p->room, clock_now(p->w->clock));   /* an enlarged tile: its layer back at once */
}

int sfu_set_video_prefs(struct sfu_participant *p, unsigned last_n, const struct sfu_video_pref *prefs,
                        size_t n_prefs, const uint32_t *pinned, size_t n_pinned)
{
	struct prefs_call c = { .p = p, .last_n = last_n, .n_prefs = n_prefs, .n_pinned = n_pinned };
	c.prefs = n_prefs ? malloc(n_prefs * sizeof *c.prefs) : NULL;
	c.pinned = n_pinned ? malloc(n_pinned * sizeof *c.pinned) : NULL;
	if ((n_prefs && !c.prefs) || (n_pinned && !c.pinned)) {
		free(c.prefs);
		free(c.pinned);
		return ENOMEM;
	}
	if (n_prefs)
		memcpy(c.prefs, prefs, n_prefs * sizeof *c.prefs);
	if (n_pinned)
		memcpy(c.pinned, pinned, n_pinned * sizeof *c.pinned);
	sfu_worker_call(p->w, set_video_prefs, &c);
	free(c.prefs);   /* not taken: p was gone */
	free(c.pinned);
	return c.err;
}
