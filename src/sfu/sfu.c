/* sfu: the media server object — its UDP port and certificate, the room table, the periodic
 * tick (DTLS timers, consent freshness per RFC 7675, RTCP reports), and the join/leave API. */
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

static int force_mute(struct sfu_participant *p, enum sfu_source source);

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

static void check_participant(struct sfu *sfu, struct sfu_participant *p, uint64_t now)
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

/* The main thread's periodic work, room by room under its worker's lock: speakers (and the
 * events they cause), consent and failed transports, and the downlink budgets. */
static void on_tick(uv_timer_t *t)
{
	struct sfu *sfu = t->data;
	uint64_t now = clock_now(sfu->clock);
	bool second = now - sfu->last_report_us >= 1000000u;
	if (second)
		sfu->last_report_us = now;
	struct sfu_room *r;
	for (size_t i = 0; hmap_next(&sfu->rooms, &i, (void **)&r);) {
		struct sfu_worker *w = r->w;
		sfu_worker_lock(w);
		sfu_speakers_update(r, now);
		if (second) {
			/* layer rates were re-measured and downlinks re-estimated: refit every subscriber */
			for (struct sfu_participant *p = r->members; p; p = p->next)
				sfu_update_budget(p);
			/* A drop frees the room only with its last member, after which `next` is NULL. */
			for (struct sfu_participant *p = r->members, *next; p; p = next) {
				next = p->next;
				check_participant(sfu, p, now);
			}
		}
		sfu_worker_unlock(w);
	}
}

static void free_when_closed(void *arg)
{
	struct sfu *sfu = arg;
	if (--sfu->pending_closes)
		return;
	for (unsigned i = 0; i < sfu->n_workers; i++) {
		if (sfu->workers[i] && !sfu->workers[i]->threaded)
			uv_mutex_destroy(&sfu->workers[i]->lock);
		free(sfu->workers[i]);
	}
	free(sfu->workers);
	dtls_cert_free(sfu->cert);
	free(sfu);
}

static void on_timer_closed(uv_handle_t *h)
{
	free_when_closed(h->data);
}

/* Stops every worker and frees sfu once all handles closed (some only as the loop runs). */
static void shut_down(struct sfu *sfu, bool timer)
{
	sfu->pending_closes = 1 + (timer ? 1 : 0);
	for (unsigned i = 0; i < sfu->n_workers; i++) {
		if (!sfu->workers[i])
			continue;
		sfu->pending_closes++;
		sfu_worker_stop(sfu->workers[i], free_when_closed, sfu);
	}
	if (timer) {
		uv_timer_stop(&sfu->tick);
		uv_close((uv_handle_t *)&sfu->tick, on_timer_closed);
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
	sfu->clock = &clock_system;
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
	if (err) {
		shut_down(sfu, false);
		return err;
	}
	sfu->cfg.media_port = sfu->workers[0]->port;
	uv_timer_init(loop, &sfu->tick);
	sfu->tick.data = sfu;
	uv_timer_start(&sfu->tick, on_tick, SFU_TICK_MS, SFU_TICK_MS);
	sfu->last_report_us = clock_now(sfu->clock);
	*out = sfu;
	return 0;
}

uint16_t sfu_media_port(const struct sfu *sfu)
{
	return sfu->cfg.media_port;
}

unsigned sfu_worker_count(const struct sfu *sfu)
{
	return sfu->n_workers;
}

/* Caller holds p's worker lock. */
static void leave(struct sfu_participant *p, enum sfu_leave_reason why)
{
	struct sfu *sfu = p->sfu;
	free(p->prefs);
	free(p->pinned);
	p->leaving = true;
	if (p->room)
		sfu_room_remove(p->room, p, why);
	sfu_sub_free(p);
	for (size_t k = 0; k < p->n_tracks; k++)
		sfu_track_free(p->tracks[k]);
	free(p->twcc_rec);
	peer_free(p->pub);
	sfu->participants--;
	free(p);
}

void sfu_participant_drop(struct sfu_participant *p, enum sfu_leave_reason why)
{
	if (p->ev->dropped)
		p->ev->dropped(p->ev_arg, why);
	leave(p, why);
}

void sfu_free(struct sfu *sfu)
{
	if (!sfu)
		return;
	struct sfu_room *r;
	for (size_t i = 0; hmap_next(&sfu->rooms, &i, (void **)&r);) {
		struct sfu_worker *w = r->w;
		sfu_worker_lock(w);
		while (r->members && r->count > 1)
			leave(r->members, SFU_LEFT_CLOSED);
		if (r->members)
			leave(r->members, SFU_LEFT_CLOSED);   /* frees the room */
		sfu_worker_unlock(w);
	}
	hmap_free(&sfu->rooms);
	shut_down(sfu, true);
}

void sfu_get_stats(const struct sfu *sfu, struct sfu_stats *st)
{
	memset(st, 0, sizeof *st);
	st->rooms = sfu->rooms.count;
	st->participants = sfu->participants;
	for (unsigned i = 0; i < sfu->n_workers; i++) {
		struct sfu_worker *w = sfu->workers[i];
		sfu_worker_lock(w);
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
		st->keyframe_requests += w->keyframe_requests;
		st->layer_switches += w->layer_switches;
		st->twcc_feedback_received += w->twcc_feedback_rx;
		st->twcc_feedback_sent += w->twcc_feedback_tx;
		for (struct sfu_room *r = w->rooms; r; r = r->wnext)
			for (struct sfu_participant *p = r->members; p; p = p->next)
				st->subscriber_estimate_bps_sum += p->budget_bps;
		sfu_worker_unlock(w);
	}
}

int sfu_join(struct sfu *sfu, const char *room, const char *display_name,
             const struct sfu_events *events, void *arg, struct sfu_participant **out)
{
	char canon[SFU_ROOM_NAME_MAX + 1];
	int err = sfu_room_name_normalize(room, canon);
	if (err)
		return err;
	err = sfu_display_name_check(display_name);
	if (err)
		return err;
	struct sfu_room *r;
	if (sfu_room_get(sfu, canon, &r) != 0)
		return -SFU_ERR_INTERNAL;
	struct sfu_worker *w = r->w;
	sfu_worker_lock(w);
	if (sfu->cfg.max_room_participants && r->count >= sfu->cfg.max_room_participants) {
		sfu_worker_unlock(w);
		return -SFU_ERR_ROOM_FULL;
	}
	struct sfu_participant *p = calloc(1, sizeof *p);
	if (!p) {
		if (r->count == 0) {
			r->count = 1;   /* let the room's removal path unlink and free it */
			struct sfu_participant ghost = { .sfu = sfu, .w = w, .ev = events, .ev_arg = arg };
			sfu_room_remove(r, &ghost, SFU_LEFT_CLOSED);
		}
		sfu_worker_unlock(w);
		return -SFU_ERR_INTERNAL;
	}
	p->sfu = sfu;
	p->w = w;
	p->id = sfu->next_participant_id++;
	snprintf(p->name, sizeof p->name, "%s", display_name);
	p->ev = events;
	p->ev_arg = arg;
	p->rtcp_ssrc = util_random_u32() | 1;
	snprintf(p->cname, sizeof p->cname, "plenum-%u", p->id);
	sfu->participants++;
	sfu_room_add(r, p);
	log_info(MOD, "participant %u joined a room of %u", p->id, r->count);
	sfu_worker_unlock(w);
	*out = p;
	return 0;
}

const char *sfu_participant_room(const struct sfu_participant *p)
{
	return p->room ? p->room->name : "";
}

uint32_t sfu_participant_id(const struct sfu_participant *p)
{
	return p->id;
}

static int set_media_state(struct sfu_participant *p, bool audio_muted, bool video_muted)
{
	/* Unmuting oneself lifts a host's mute: a host can mute, only the participant unmutes. */
	if (!audio_muted)
		p->forced_mute[SFU_SOURCE_MICROPHONE] = false;
	if (!video_muted)
		p->forced_mute[SFU_SOURCE_CAMERA] = false;
	if (p->audio_muted == audio_muted && p->video_muted == video_muted)
		return 0;
	p->audio_muted = audio_muted;
	p->video_muted = video_muted;
	if (p->room)
		sfu_room_broadcast_update(p->room, p);
	return 0;
}

int sfu_set_media_state(struct sfu_participant *p, bool audio_muted, bool video_muted)
{
	struct sfu_worker *w = p->w;
	sfu_worker_lock(w);
	int err = set_media_state(p, audio_muted, video_muted);
	sfu_worker_unlock(w);
	return err;
}

void sfu_leave(struct sfu_participant *p, enum sfu_leave_reason why)
{
	if (!p)
		return;
	struct sfu_worker *w = p->w;
	log_info(MOD, "participant %u left", p->id);
	sfu_worker_lock(w);
	leave(p, why);
	sfu_worker_unlock(w);
}

void sfu_remove(struct sfu_participant *p, enum sfu_leave_reason why)
{
	struct sfu_worker *w = p->w;
	log_info(MOD, "participant %u removed", p->id);
	sfu_worker_lock(w);
	sfu_participant_drop(p, why);
	sfu_worker_unlock(w);
}

int sfu_force_mute(struct sfu_participant *p, enum sfu_source source)
{
	struct sfu_worker *w = p->w;
	sfu_worker_lock(w);
	int err = force_mute(p, source);
	sfu_worker_unlock(w);
	return err;
}

static int force_mute(struct sfu_participant *p, enum sfu_source source)
{
	if (source >= SFU_SOURCE_COUNT)
		return EINVAL;
	p->forced_mute[source] = true;
	if (source == SFU_SOURCE_MICROPHONE)
		p->audio_muted = true;
	else if (source == SFU_SOURCE_CAMERA)
		p->video_muted = true;
	if (p->room)
		sfu_room_broadcast_update(p->room, p);
	return 0;
}

static int set_video_prefs(struct sfu_participant *p, unsigned last_n, const struct sfu_video_pref *prefs,
                           size_t n_prefs, const uint32_t *pinned, size_t n_pinned)
{
	struct sfu_video_pref *np = n_prefs ? malloc(n_prefs * sizeof *np) : NULL;
	uint32_t *nn = n_pinned ? malloc(n_pinned * sizeof *nn) : NULL;
	if ((n_prefs && !np) || (n_pinned && !nn)) {
		free(np);
		free(nn);
		return ENOMEM;
	}
	if (n_prefs)
		memcpy(np, prefs, n_prefs * sizeof *np);
	if (n_pinned)
		memcpy(nn, pinned, n_pinned * sizeof *nn);
	free(p->prefs);
	free(p->pinned);
	p->prefs = np;
	p->n_prefs = n_prefs;
	p->pinned = nn;
	p->n_pinned = n_pinned;
	p->last_n = last_n;
	sfu_layers_assign(p);
	return 0;
}

int sfu_set_video_prefs(struct sfu_participant *p, unsigned last_n, const struct sfu_video_pref *prefs,
                        size_t n_prefs, const uint32_t *pinned, size_t n_pinned)
{
	struct sfu_worker *w = p->w;
	sfu_worker_lock(w);
	int err = set_video_prefs(p, last_n, prefs, n_prefs, pinned, n_pinned);
	sfu_worker_unlock(w);
	return err;
}
