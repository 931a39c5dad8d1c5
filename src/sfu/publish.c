/* publish: a participant's publish PeerConnection — answer the browser's offers (the first and
 * each renegotiation), keep its transport, and turn accepted m-lines into published tracks
 * (with their simulcast layers) that everybody else in the room is offered. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "dtls/dtls.h"
#include "sdp/sdp.h"
#include "sfu/sfu_internal.h"

static const char *MOD = "publish";

#define SFU_SDP_CAP (64 * 1024)

static enum sfu_source source_of(const struct sfu_publish_opts *opts, const struct sdp_publish_media *m)
{
	for (size_t i = 0; opts && i < opts->n_tracks; i++)
		if (strcmp(opts->tracks[i].mid, m->mid) == 0 && opts->tracks[i].source < SFU_SOURCE_COUNT)
			return opts->tracks[i].source;
	return m->kind == SDP_KIND_AUDIO ? SFU_SOURCE_MICROPHONE : SFU_SOURCE_CAMERA;
}

static int track_new(struct sfu_participant *p, const struct sdp_publish_media *m, enum sfu_source src,
                     struct sfu_track **out)
{
	struct sfu_track *t = calloc(1, sizeof *t);
	if (!t)
		return ENOMEM;
	t->owner = p;
	t->kind = m->kind == SDP_KIND_AUDIO ? SFU_KIND_AUDIO : SFU_KIND_VIDEO;
	t->source = t->kind == SFU_KIND_AUDIO ? SFU_SOURCE_MICROPHONE : (src == SFU_SOURCE_MICROPHONE ? SFU_SOURCE_CAMERA : src);
	snprintf(t->mid, sizeof t->mid, "%s", m->mid);
	t->pt = m->pt;
	t->rtx_pt = m->rtx_pt;
	t->ext_mid = m->ext_mid;
	t->ext_audio_level = m->ext_audio_level;
	t->ext_rid = m->ext_rid;
	t->ext_rrid = m->ext_rrid;
	t->clock_rate = t->kind == SFU_KIND_AUDIO ? 48000 : 90000;
	t->codec = t->kind == SFU_KIND_VIDEO ? m->codec : SDP_VIDEO_VP8;
	t->h264_profile_level_id = m->codec == SDP_VIDEO_H264 ? m->h264.profile_level_id : 0;
	t->track_no = p->next_track_no++;
	t->tap_layer = -1;
	t->simulcast = m->n_rids > 1;
	t->n_layers = t->simulcast ? m->n_rids : 1;
	if (t->n_layers > SFU_MAX_LAYERS)
		t->n_layers = SFU_MAX_LAYERS;
	for (size_t i = 0; i < t->n_layers; i++) {
		struct sfu_layer *l = &t->layers[i];
		if (t->simulcast)
			snprintf(l->rid, sizeof l->rid, "%s", m->rids[i]);
	}
	if (!t->simulcast) {
		t->layers[0].ssrc = m->ssrc;
		t->layers[0].rtx_ssrc = m->rtx_ssrc;
	}
	*out = t;
	return 0;
}

void sfu_track_free(struct sfu_track *t)
{
	if (!t)
		return;
	/* Subscribers were detached by the room; any remaining down-tracks just lose their source. */
	for (size_t i = 0; i < t->n_downs; i++)
		t->downs[i]->src = NULL;
	free(t->downs);
	for (size_t i = 0; i < SFU_MAX_LAYERS; i++)
		rtp_cache_free(t->layers[i].cache);
	free(t);
}

static struct sfu_track *track_by_mid(struct sfu_participant *p, const char *mid)
{
	for (size_t k = 0; k < p->n_tracks; k++)
		if (strcmp(p->tracks[k]->mid, mid) == 0)
			return p->tracks[k];
	return NULL;
}

static void remove_track(struct sfu_participant *p, size_t k)
{
	struct sfu_track *t = p->tracks[k];
	if (p->room)
		sfu_room_track_removed(p->room, t);
	sfu_track_free(t);
	p->tracks[k] = p->tracks[--p->n_tracks];
}

static int answer_offer(struct sfu_participant *p, const struct sdp_session *offer, char *buf,
                        struct sdp_publish_media *pm, size_t *n_pm)
{
	struct sfu *sfu = p->sfu;
	const char *ufrag, *pwd, *fp_alg, *fp, *setup;
	if (sdp_session_transport(offer, &ufrag, &pwd, &fp_alg, &fp, &setup) != 0)
		return -SFU_ERR_SDP;
	bool fresh = !p->pub;
	if (fresh && peer_new(&p->pub, &p->w->demux, &sfu_pub_peer_cbs, p) != 0)
		return -SFU_ERR_INTERNAL;
	if (fresh && peer_set_remote(p->pub, ufrag, pwd, fp_alg, fp) != 0)
		return -SFU_ERR_SDP;
	struct sdp_local local = {
		.ice_ufrag = p->pub->ice.local_ufrag, .ice_pwd = p->pub->ice.local_pwd,
		.fingerprint = dtls_cert_fingerprint(sfu->cert),
		.ip = sfu->public_ip, .port = p->w->port, .tcp_port = sfu_media_tcp_port(sfu),
		.sess_id = ((uint64_t)p->id << 20) | 7, .sess_version = 1 + p->next_track_no,
		.simulcast = true, .music = p->music,
	};
	if (sdp_answer_publish(offer, &local, pm, SDP_MAX_MEDIA, n_pm, buf, SFU_SDP_CAP) != 0)
		return -SFU_ERR_SDP;
	return 0;
}

/* Tracks follow the accepted m-lines: new ones are created, ones no longer sent are removed. */
static int apply_tracks(struct sfu_participant *p, const struct sdp_publish_media *pm, size_t n_pm,
                        const struct sfu_publish_opts *opts, size_t *first_new)
{
	for (size_t k = p->n_tracks; k-- > 0;) {
		bool keep = false;
		for (size_t i = 0; i < n_pm; i++)
			if (strcmp(pm[i].mid, p->tracks[k]->mid) == 0 && pm[i].accepted && pm[i].dir == SDP_DIR_RECVONLY)
				keep = true;
		if (!keep)
			remove_track(p, k);
	}
	*first_new = p->n_tracks;
	for (size_t i = 0; i < n_pm; i++) {
		const struct sdp_publish_media *m = &pm[i];
		if (!m->accepted || m->dir != SDP_DIR_RECVONLY || track_by_mid(p, m->mid))
			continue;
		if (m->kind != SDP_KIND_AUDIO && m->kind != SDP_KIND_VIDEO)
			continue;
		if (p->n_tracks == SFU_MAX_TRACKS) {
			log_warn(MOD, "participant %u publishes more than %d tracks", p->id, SFU_MAX_TRACKS);
			break;
		}
		struct sfu_track *t;
		if (track_new(p, m, source_of(opts, m), &t) != 0)
			return -SFU_ERR_INTERNAL;
		if (m->ext_twcc && !p->pub_twcc_ext) {
			p->twcc_rec = calloc(1, sizeof *p->twcc_rec);
			if (!p->twcc_rec)
				return -SFU_ERR_INTERNAL;
			twcc_recorder_init(p->twcc_rec);
			p->pub_twcc_ext = m->ext_twcc;
		}
		p->tracks[p->n_tracks++] = t;
		/* sharing a screen anew is the participant's own decision: a host's earlier stop ends */
		if (t->source == SFU_SOURCE_SCREEN)
			p->forced_mute[SFU_SOURCE_SCREEN] = false;
	}
	return 0;
}

static int publish(struct sfu_participant *p, const char *offer_sdp, const struct sfu_publish_opts *opts, char **answer)
{
	*answer = NULL;
	if (opts)
		p->music = opts->music;
	struct sdp_session *offer = calloc(1, sizeof *offer);
	struct sdp_publish_media *pm = calloc(SDP_MAX_MEDIA, sizeof *pm);
	char *buf = malloc(SFU_SDP_CAP);
	size_t n_pm = 0, first_new = 0;
	bool fresh = !p->pub;
	int err = (!offer || !pm || !buf) ? -SFU_ERR_INTERNAL : 0;
	if (!err && sdp_parse(offer, offer_sdp, strlen(offer_sdp)) != 0)
		err = -SFU_ERR_SDP;
	if (!err)
		err = answer_offer(p, offer, buf, pm, &n_pm);
	if (!err)
		err = apply_tracks(p, pm, n_pm, opts, &first_new);
	free(offer);
	free(pm);
	if (err) {
		free(buf);
		if (fresh) {
			while (p->n_tracks)
				remove_track(p, p->n_tracks - 1);
			peer_free(p->pub);
			p->pub = NULL;
		}
		return err;
	}
	*answer = buf;
	log_debug(MOD, "participant %u publishes %zu tracks", p->id, p->n_tracks);
	if (p->room) {
		sfu_room_tracks_added(p->room, p, first_new);
		sfu_room_broadcast_update(p->room, p);
	}
	return 0;
}

struct publish_call {
	struct sfu_participant *p;
	const char *offer;
	const struct sfu_publish_opts *opts;
	char *answer;
	int err;
};

static void publish_on_worker(void *arg)
{
	struct publish_call *c = arg;
	c->err = c->p->gone ? -SFU_ERR_STATE : publish(c->p, c->offer, c->opts, &c->answer);
}

int sfu_publish(struct sfu_participant *p, const char *offer_sdp, const struct sfu_publish_opts *opts, char **answer)
{
	struct publish_call c = { p, offer_sdp, opts, NULL, 0 };
	sfu_worker_call(p->w, publish_on_worker, &c);
	*answer = c.answer;
	return c.err;
}
