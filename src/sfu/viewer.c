/* viewer: WHEP viewers — a receive-only PeerConnection answered from the viewer's offer, whose two
 * down-tracks follow the room's programme (re-based, switched at a keyframe). draft-ietf-wish-whep. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "dtls/dtls.h"
#include "sdp/sdp.h"
#include "sfu/sfu_internal.h"

static const char *MOD = "viewer";

#define SFU_VIEW_SDP_CAP (16 * 1024)

static const struct sfu_events no_events;   /* viewers tell nobody anything */

static struct sfu_viewer *viewer_of(struct sfu_participant *p)
{
	return (struct sfu_viewer *)((char *)p - offsetof(struct sfu_viewer, p));
}

/* ---- following the programme (worker) ------------------------------------------------------ */

/* Points down-track d at t (or nothing): the output continues from the last packet sent, video
 * at the new source's next keyframe (media.c asks for one). */
static void follow(struct sfu_down *d, struct sfu_track *t)
{
	if (d->src == t)
		return;
	if (d->src)
		sfu_track_downs_remove(d->src, d);
	d->src = NULL;
	d->cur_layer = -1;
	d->target_layer = d->desired_layer = d->kind == SFU_KIND_AUDIO ? 0 : -1;
	sfu_fwd_rebase(&d->fwd);
	if (!t || sfu_track_downs_add(t, d) != 0)
		return;
	d->src = t;
	d->src_participant = t->owner->id;
	d->source = t->source;
}

static void follow_programme(struct sfu_viewer *v, struct sfu_track *video, struct sfu_track *audio)
{
	struct sfu_down *a = v->p.downs[0], *vd = v->p.downs[1];
	follow(a, audio);
	if (vd->src == video)
		return;
	follow(vd, video);
	sfu_layers_assign(&v->p);   /* the video's layer: a tile of 360 lines, within the estimate */
}

/* Worker: takes v out of its room and frees its media state; once only. */
static void viewer_end(struct sfu_viewer *v)
{
	struct sfu_room *r = v->room;
	if (!r)
		return;
	if (v->prev)
		v->prev->next = v->next;
	else
		r->viewers = v->next;
	if (v->next)
		v->next->prev = v->prev;
	v->prev = v->next = NULL;
	v->room = NULL;
	v->p.gone = true;
	sfu_sub_free(&v->p);
}

static void viewer_drop(struct sfu_viewer *v, const char *why)
{
	log_info(MOD, "viewer %u of a room dropped: %s", v->p.id, why);
	viewer_end(v);
	sfu_worker_post_viewer_closed(&v->p);
}

void sfu_viewers_end(struct sfu_room *r)
{
	while (r->viewers)
		viewer_drop(r->viewers, "the room is empty");
}

void sfu_viewers_tick(struct sfu_room *r, uint64_t now, bool second)
{
	if (!r->viewers)
		return;
	struct sfu_track *video, *audio;
	sfu_programme_pick(r, &video, &audio);
	for (struct sfu_viewer *v = r->viewers, *next; v; v = next) {
		next = v->next;
		struct sfu_participant *p = &v->p;
		if (p->failed) {
			viewer_drop(v, "transport closed");
			continue;
		}
		if (second && peer_consent_expired(p->sub, now, SFU_CONSENT_TIMEOUT_US)) {
			viewer_drop(v, "no ICE consent");
			continue;
		}
		follow_programme(v, video, audio);
		if (second)
			sfu_update_budget(p);
	}
}

/* ---- admission (worker) -------------------------------------------------------------------- */

static int add_down(struct sfu_participant *p, enum sfu_media_kind kind)
{
	struct sfu_down *d = calloc(1, sizeof *d);
	if (!d)
		return -SFU_ERR_INTERNAL;
	d->sub = p;
	d->kind = kind;
	d->source = kind == SFU_KIND_AUDIO ? SFU_SOURCE_MICROPHONE : SFU_SOURCE_CAMERA;
	d->cur_layer = -1;
	d->live = true;   /* the viewer's own offer made these m-lines */
	d->target_layer = d->desired_layer = kind == SFU_KIND_AUDIO ? 0 : -1;
	snprintf(d->mid, sizeof d->mid, "%s", kind == SFU_KIND_AUDIO ? "a" : "v");
	d->ssrc = util_random_u32() | 1;
	if (kind == SFU_KIND_VIDEO) {
		do
			d->rtx_ssrc = util_random_u32() | 1;
		while (d->rtx_ssrc == d->ssrc);
		d->rtx_seq = (uint16_t)util_random_u32();
	}
	sfu_fwd_init(&d->fwd, kind == SFU_KIND_VIDEO, kind == SFU_KIND_AUDIO ? 48000 : 90000, (uint16_t)util_random_u32(),
	             util_random_u32());
	p->downs[p->n_downs++] = d;
	return 0;
}

/* The answer, and what it chose: payload types and the transport-wide-cc id of each stream. */
static int answer(struct sfu_viewer *v, const struct sdp_session *offer, char *buf)
{
	struct sfu_participant *p = &v->p;
	struct sfu *sfu = p->sfu;
	struct sdp_view_send send = {
		.audio_ssrc = p->downs[0]->ssrc, .video_ssrc = p->downs[1]->ssrc, .video_rtx_ssrc = p->downs[1]->rtx_ssrc,
	};
	snprintf(send.stream_id, sizeof send.stream_id, "plenum-live");
	snprintf(send.cname, sizeof send.cname, "plenum-live-%u", p->id);
	struct sdp_local local = {
		.ice_ufrag = p->sub->ice.local_ufrag, .ice_pwd = p->sub->ice.local_pwd,
		.fingerprint = dtls_cert_fingerprint(sfu->cert),
		.ip = sfu->public_ip, .port = p->w->port, .tcp_port = sfu_media_tcp_port(sfu),
		.sess_id = ((uint64_t)p->id << 20) | 11, .sess_version = 1,
	};
	struct sdp_view_media *vm = calloc(SDP_MAX_MEDIA, sizeof *vm);
	size_t n = 0;
	int err = !vm ? -SFU_ERR_INTERNAL : 0;
	if (!err && sdp_answer_view(offer, &local, &send, vm, SDP_MAX_MEDIA, &n, buf, SFU_VIEW_SDP_CAP) != 0)
		err = -SFU_ERR_SDP;
	for (size_t i = 0; !err && i < n; i++) {
		if (!vm[i].accepted)
			continue;
		struct sfu_down *d = p->downs[vm[i].kind == SDP_KIND_AUDIO ? 0 : 1];
		d->pt = vm[i].pt;
		d->rtx_pt = vm[i].rtx_pt;
		if (vm[i].ext_twcc && !p->down_twcc_ext)
			p->down_twcc_ext = vm[i].ext_twcc;
	}
	free(vm);
	return err;
}

static int admit(struct sfu_viewer *v, struct sfu_room *r, const char *offer_sdp, char *buf)
{
	struct sfu_participant *p = &v->p;
	if (!r->attached)
		return -SFU_ERR_NO_ROOM;   /* nobody in it: no media to watch */
	struct sdp_session *offer = calloc(1, sizeof *offer);
	const char *ufrag, *pwd, *fp_alg, *fp, *setup;
	int err = !offer ? -SFU_ERR_INTERNAL : 0;
	if (!err && sdp_parse(offer, offer_sdp, strlen(offer_sdp)) != 0)
		err = -SFU_ERR_SDP;
	if (!err && sdp_session_transport(offer, &ufrag, &pwd, &fp_alg, &fp, &setup) != 0)
		err = -SFU_ERR_SDP;
	if (!err && (add_down(p, SFU_KIND_AUDIO) != 0 || add_down(p, SFU_KIND_VIDEO) != 0 ||
	             peer_new(&p->sub, &p->w->demux, &sfu_sub_peer_cbs, p) != 0 ||
	             bwe_new(&p->bwe, SFU_BWE_START_BPS, SFU_BWE_MIN_BPS, SFU_BWE_MAX_BPS) != 0))
		err = -SFU_ERR_INTERNAL;
	if (!err && peer_set_remote(p->sub, ufrag, pwd, fp_alg, fp) != 0)
		err = -SFU_ERR_SDP;
	if (!err)
		err = answer(v, offer, buf);
	free(offer);
	if (err) {
		sfu_sub_free(p);
		return err;
	}
	p->answered = true;
	v->room = r;
	v->next = r->viewers;
	if (r->viewers)
		r->viewers->prev = v;
	r->viewers = v;
	struct sfu_track *video, *audio;
	sfu_programme_pick(r, &video, &audio);
	follow_programme(v, video, audio);
	return 0;
}

struct view_call {
	struct sfu_viewer *v;
	struct sfu_room *r;
	const char *offer;
	char *answer;
	int err;
};

static void view_on_worker(void *arg)
{
	struct view_call *c = arg;
	c->err = admit(c->v, c->r, c->offer, c->answer);
}

static void close_on_worker(void *arg)
{
	viewer_end(arg);
}

/* ---- the API (main thread) ----------------------------------------------------------------- */

static void viewer_free(struct sfu_viewer *v)
{
	struct sfu *sfu = v->p.sfu;
	struct sfu_room *r = v->p.home;
	sfu->viewers--;
	r->main_viewers--;
	sfu_room_release(r);
	free(v);
}

int sfu_view(struct sfu *sfu, const char *room_key, const char *offer_sdp,
             void (*closed)(void *arg), void *arg, struct sfu_viewer **out, char **answer_out)
{
	*out = NULL;
	*answer_out = NULL;
	char canon[SFU_ROOM_KEY_MAX + 1];
	int err = sfu_room_key_normalize(room_key, canon);
	if (err)
		return err;
	struct sfu_room *r = hmap_get(&sfu->rooms, canon, strlen(canon));
	if (!r)
		return -SFU_ERR_NO_ROOM;
	unsigned max = sfu->cfg.max_viewers ? sfu->cfg.max_viewers : SFU_MAX_VIEWERS_DEFAULT;
	unsigned room_max = sfu->cfg.max_room_viewers ? sfu->cfg.max_room_viewers : max;
	if (sfu->viewers >= max || r->main_viewers >= room_max)
		return -SFU_ERR_BUSY;
	struct sfu_viewer *v = calloc(1, sizeof *v);
	char *buf = malloc(SFU_VIEW_SDP_CAP);
	if (!v || !buf) {
		free(v);
		free(buf);
		return -SFU_ERR_INTERNAL;
	}
	struct sfu_participant *p = &v->p;
	p->sfu = sfu;
	p->w = r->w;
	p->home = r;
	snprintf(p->room_name, sizeof p->room_name, "%.*s", SFU_ROOM_KEY_MAX, r->name);   /* a room key: no group suffix */
	p->id = sfu->next_participant_id++;
	p->viewer = true;
	p->ev = &no_events;
	p->ev_arg = v;
	p->rtcp_ssrc = util_random_u32() | 1;
	v->closed = closed;
	v->closed_arg = arg;
	r->main_count++;
	r->main_viewers++;
	sfu->viewers++;
	struct view_call c = { v, r, offer_sdp, buf, 0 };
	sfu_worker_call(r->w, view_on_worker, &c);
	if (c.err) {
		free(buf);
		viewer_free(v);
		return c.err;
	}
	log_info(MOD, "viewer %u admitted (%u in the room, %llu in all)", p->id, r->main_viewers,
	         (unsigned long long)sfu->viewers);
	*out = v;
	*answer_out = buf;
	return 0;
}

void sfu_viewer_deliver_closed(struct sfu_participant *p)
{
	struct sfu_viewer *v = viewer_of(p);
	if (v->closed)
		v->closed(v->closed_arg);
}

void sfu_viewer_close(struct sfu_viewer *v)
{
	if (!v)
		return;
	v->p.main_gone = true;   /* its `closed` event, if queued, is not delivered */
	sfu_worker_call(v->p.w, close_on_worker, v);
	viewer_free(v);
}
