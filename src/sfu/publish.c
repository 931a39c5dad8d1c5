/* publish: a participant's publish PeerConnection — answer the browser's offer, create its
 * transport and its published tracks, and offer those tracks to everybody else in the room. */
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

static int track_new(struct sfu_participant *p, const struct sdp_publish_media *m, struct sfu_track **out)
{
	struct sfu_track *t = calloc(1, sizeof *t);
	if (!t)
		return ENOMEM;
	t->owner = p;
	t->kind = m->kind == SDP_KIND_AUDIO ? SFU_KIND_AUDIO : SFU_KIND_VIDEO;
	snprintf(t->mid, sizeof t->mid, "%s", m->mid);
	t->ssrc = m->ssrc;
	t->rtx_ssrc = m->rtx_ssrc;
	t->pt = m->pt;
	t->rtx_pt = m->rtx_pt;
	t->ext_mid = m->ext_mid;
	t->ext_audio_level = m->ext_audio_level;
	t->clock_rate = t->kind == SFU_KIND_AUDIO ? 48000 : 90000;
	t->track_no = (uint32_t)p->n_tracks;
	if (t->kind == SFU_KIND_VIDEO && rtp_cache_new(&t->cache, 512, 1500) != 0) {
		free(t);
		return ENOMEM;
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
	rtp_cache_free(t->cache);
	free(t);
}

static int make_answer(struct sfu_participant *p, const struct sdp_session *offer, char **answer,
                       struct sdp_publish_media *pm, size_t *n_pm)
{
	struct sfu *sfu = p->sfu;
	const char *ufrag, *pwd, *fp_alg, *fp, *setup;
	if (sdp_session_transport(offer, &ufrag, &pwd, &fp_alg, &fp, &setup) != 0)
		return -SFU_ERR_SDP;
	if (peer_new(&p->pub, &sfu->demux, &sfu_pub_peer_cbs, p) != 0)
		return -SFU_ERR_INTERNAL;
	if (peer_set_remote(p->pub, ufrag, pwd, fp_alg, fp) != 0)
		return -SFU_ERR_SDP;
	struct sdp_local local = {
		.ice_ufrag = p->pub->ice.local_ufrag, .ice_pwd = p->pub->ice.local_pwd,
		.fingerprint = dtls_cert_fingerprint(sfu->cert),
		.ip = sfu->public_ip, .port = sfu->cfg.media_port,
		.sess_id = ((uint64_t)util_random_u32() << 20) | p->id, .sess_version = 1,
	};
	char *buf = malloc(SFU_SDP_CAP);
	if (!buf)
		return -SFU_ERR_INTERNAL;
	if (sdp_answer_publish(offer, &local, pm, SDP_MAX_MEDIA, n_pm, buf, SFU_SDP_CAP) != 0) {
		free(buf);
		return -SFU_ERR_SDP;
	}
	*answer = buf;
	return 0;
}

int sfu_publish(struct sfu_participant *p, const char *offer_sdp, char **answer)
{
	*answer = NULL;
	if (p->pub)
		return -SFU_ERR_STATE;
	struct sdp_session *offer = calloc(1, sizeof *offer);
	struct sdp_publish_media *pm = calloc(SDP_MAX_MEDIA, sizeof *pm);
	size_t n_pm = 0;
	int err = (!offer || !pm) ? -SFU_ERR_INTERNAL : 0;
	if (!err && sdp_parse(offer, offer_sdp, strlen(offer_sdp)) != 0)
		err = -SFU_ERR_SDP;
	if (!err)
		err = make_answer(p, offer, answer, pm, &n_pm);
	for (size_t i = 0; !err && i < n_pm && p->n_tracks < SFU_MAX_TRACKS; i++) {
		if (!pm[i].accepted || (pm[i].kind != SDP_KIND_AUDIO && pm[i].kind != SDP_KIND_VIDEO))
			continue;
		struct sfu_track *t;
		if (track_new(p, &pm[i], &t) != 0) {
			err = -SFU_ERR_INTERNAL;
			break;
		}
		p->tracks[p->n_tracks++] = t;
	}
	free(offer);
	free(pm);
	if (err) {
		if (*answer) {
			free(*answer);
			*answer = NULL;
		}
		for (size_t k = 0; k < p->n_tracks; k++)
			sfu_track_free(p->tracks[k]);
		p->n_tracks = 0;
		peer_free(p->pub);
		p->pub = NULL;
		return err;
	}
	log_debug(MOD, "participant %u publishes %zu tracks", p->id, p->n_tracks);
	for (struct sfu_participant *o = p->room->members; o; o = o->next) {
		if (o == p)
			continue;
		for (size_t k = 0; k < p->n_tracks; k++)
			sfu_sub_track_added(o, p->tracks[k]);
		sfu_sub_negotiate(o);
	}
	sfu_room_broadcast_update(p->room, p);
	return 0;
}
