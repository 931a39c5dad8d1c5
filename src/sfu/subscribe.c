/* subscribe: a participant's subscribe PeerConnection — one down-track (m-line) per remote
 * track, plenum's offers (JSEP: the m-line count never shrinks; gone tracks turn inactive),
 * and the browser's answers, one negotiation at a time. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "dtls/dtls.h"
#include "sdp/sdp.h"
#include "sfu/sfu_internal.h"

static const char *MOD = "subscribe";

#define SFU_SDP_CAP (256 * 1024)

int sfu_track_downs_add(struct sfu_track *t, struct sfu_down *d)
{
	if (t->n_downs == t->cap_downs) {
		size_t ncap = t->cap_downs ? t->cap_downs * 2 : 8;
		struct sfu_down **nd = realloc(t->downs, ncap * sizeof *nd);
		if (!nd)
			return ENOMEM;
		t->downs = nd;
		t->cap_downs = ncap;
	}
	t->downs[t->n_downs++] = d;
	return 0;
}

void sfu_track_downs_remove(struct sfu_track *t, struct sfu_down *d)
{
	for (size_t i = 0; i < t->n_downs; i++) {
		if (t->downs[i] == d) {
			t->downs[i] = t->downs[--t->n_downs];
			return;
		}
	}
}

void sfu_sub_track_added(struct sfu_participant *sub, struct sfu_track *t)
{
	if (sub->n_downs == SFU_MAX_DOWNS) {
		log_warn(MOD, "participant %u: subscribe offer is full (%d m-lines)", sub->id, SFU_MAX_DOWNS);
		return;
	}
	struct sfu_down *d = calloc(1, sizeof *d);
	if (!d)
		return;
	d->sub = sub;
	d->src = t;
	d->src_participant = t->owner->id;
	d->src_track_no = t->track_no;
	d->kind = t->kind;
	d->source = t->source;
	d->cur_layer = -1;
	d->target_layer = t->kind == SFU_KIND_AUDIO ? 0 : -1;   /* video: sfu_layers_assign decides */
	d->desired_layer = d->target_layer;
	bool h264 = t->kind == SFU_KIND_VIDEO && t->codec == SDP_VIDEO_H264;
	d->pt = t->kind == SFU_KIND_VIDEO ? (h264 ? SDP_SUB_H264_PT : SDP_SUB_VP8_PT) : SDP_SUB_OPUS_PT;
	d->rtx_pt = t->kind == SFU_KIND_VIDEO ? (h264 ? SDP_SUB_H264_RTX_PT : SDP_SUB_VP8_RTX_PT) : 0;
	snprintf(d->mid, sizeof d->mid, "%u", sub->mid_counter++);
	d->ssrc = util_random_u32() | 1;
	if (t->kind == SFU_KIND_VIDEO) {
		do
			d->rtx_ssrc = util_random_u32() | 1;
		while (d->rtx_ssrc == d->ssrc);
		d->rtx_seq = (uint16_t)util_random_u32();
	}
	sfu_fwd_init(&d->fwd, t->kind == SFU_KIND_VIDEO, t->clock_rate, (uint16_t)util_random_u32(), util_random_u32());
	if (sfu_track_downs_add(t, d) != 0) {
		free(d);
		return;
	}
	sub->downs[sub->n_downs++] = d;
}

void sfu_sub_track_removed(struct sfu_participant *sub, struct sfu_track *t)
{
	for (size_t i = 0; i < sub->n_downs; i++) {
		struct sfu_down *d = sub->downs[i];
		if (d->src == t) {
			sfu_track_downs_remove(t, d);
			d->src = NULL;
		}
	}
}

static void fill_tracks(const struct sfu_participant *sub, struct sdp_sub_track *st, struct sfu_track_info *ti)
{
	for (size_t i = 0; i < sub->n_downs; i++) {
		const struct sfu_down *d = sub->downs[i];
		memset(&st[i], 0, sizeof st[i]);
		snprintf(st[i].mid, sizeof st[i].mid, "%s", d->mid);
		st[i].kind = d->kind == SFU_KIND_AUDIO ? SDP_KIND_AUDIO : SDP_KIND_VIDEO;
		st[i].active = d->src != NULL;
		st[i].ssrc = d->ssrc;
		st[i].rtx_ssrc = d->rtx_ssrc;
		snprintf(st[i].stream_id, sizeof st[i].stream_id, "p%u", d->src_participant);
		snprintf(st[i].track_id, sizeof st[i].track_id, "p%u-t%u", d->src_participant, d->src_track_no);
		snprintf(st[i].cname, sizeof st[i].cname, "plenum-%u", d->src_participant);
		st[i].codec = d->pt == SDP_SUB_H264_PT ? SDP_VIDEO_H264 : SDP_VIDEO_VP8;
		st[i].h264_profile_level_id = d->src ? d->src->h264_profile_level_id : 0;
		st[i].refused = d->refused;
		if (ti) {
			memset(&ti[i], 0, sizeof ti[i]);
			snprintf(ti[i].mid, sizeof ti[i].mid, "%s", d->mid);
			ti[i].participant_id = d->src_participant;
			ti[i].kind = d->kind;
			ti[i].source = d->source;
			ti[i].active = d->src != NULL;
		}
	}
}

void sfu_sub_negotiate(struct sfu_participant *sub)
{
	struct sfu *sfu = sub->sfu;
	if (sub->leaving || sub->n_downs == 0)
		return;
	if (sub->awaiting_answer) {
		sub->renegotiate = true;
		return;
	}
	if (!sub->sub && peer_new(&sub->sub, &sub->w->demux, &sfu_sub_peer_cbs, sub) != 0) {
		log_error(MOD, "cannot create a subscribe transport");
		return;
	}
	if (!sub->bwe && bwe_new(&sub->bwe, SFU_BWE_START_BPS, SFU_BWE_MIN_BPS, SFU_BWE_MAX_BPS) != 0) {
		log_error(MOD, "cannot create a bandwidth estimator");
		return;
	}
	struct sdp_sub_track *st = calloc(sub->n_downs, sizeof *st);
	struct sfu_track_info *ti = calloc(sub->n_downs, sizeof *ti);
	char *sdp = malloc(SFU_SDP_CAP);
	if (st && ti && sdp) {
		fill_tracks(sub, st, ti);
		struct sdp_local local = {
			.ice_ufrag = sub->sub->ice.local_ufrag, .ice_pwd = sub->sub->ice.local_pwd,
			.fingerprint = dtls_cert_fingerprint(sfu->cert),
			.ip = sfu->public_ip, .port = sub->w->port, .tcp_port = sfu_media_tcp_port(sfu),
			.sess_id = ((uint64_t)sub->id << 24) | 1, .sess_version = sub->offer_version + 1,
			.twcc_ext_id = SFU_TWCC_EXT_ID,
		};
		if (sdp_write_subscribe_offer(&local, st, sub->n_downs, sdp, SFU_SDP_CAP) == 0) {
			sub->offer_version++;
			sub->awaiting_answer = true;
			sub->renegotiate = false;
			/* the answer is checked against what was offered, whatever changed since */
			free(sub->offered);
			sub->offered = st;
			sub->n_offered = sub->n_downs;
			st = NULL;
			if (sub->ev->subscribe_offer)
				sub->ev->subscribe_offer(sub->ev_arg, sub->offer_version, sdp, ti, sub->n_downs);
		} else {
			log_error(MOD, "cannot write a subscribe offer of %zu m-lines", sub->n_downs);
		}
	}
	free(st);
	free(ti);
	free(sdp);
}

static int subscribe_answer(struct sfu_participant *p, uint32_t version, const char *answer_sdp)
{
	if (!p->awaiting_answer)
		return version < p->offer_version ? -SFU_ERR_STALE : -SFU_ERR_STATE;
	if (version != p->offer_version)
		return version < p->offer_version ? -SFU_ERR_STALE : -SFU_ERR_STATE;
	struct sdp_session *ans = calloc(1, sizeof *ans);
	bool *refused = calloc(p->n_offered ? p->n_offered : 1, sizeof *refused);
	int err = !ans || !refused ? -SFU_ERR_INTERNAL : 0;
	if (!err && sdp_parse(ans, answer_sdp, strlen(answer_sdp)) != 0)
		err = -SFU_ERR_SDP;
	if (!err && sdp_check_subscribe_answer(ans, p->offered, p->n_offered, refused) != 0)
		err = -SFU_ERR_SDP;
	/* m-lines keep their order: the i-th offered is the i-th down-track */
	bool newly_refused = false;
	for (size_t i = 0; !err && i < p->n_offered && i < p->n_downs; i++)
		if (refused[i] && !p->downs[i]->refused) {
			log_info(MOD, "participant %u cannot decode H.264: participant %u's video is not sent to it", p->id,
			         p->downs[i]->src_participant);
			p->downs[i]->refused = newly_refused = true;
		}
	free(refused);
	if (!err && !p->answered) {
		const char *ufrag, *pwd, *fp_alg, *fp, *setup;
		if (sdp_session_transport(ans, &ufrag, &pwd, &fp_alg, &fp, &setup) != 0 ||
		    peer_set_remote(p->sub, ufrag, pwd, fp_alg, fp) != 0)
			err = -SFU_ERR_SDP;
	}
	free(ans);
	if (err)
		return err;
	p->answered = true;
	p->awaiting_answer = false;
	for (size_t i = 0; i < p->n_offered && i < p->n_downs; i++)
		p->downs[i]->live = true;   /* downs are only ever appended: the first n_offered were offered */
	if (newly_refused)
		sfu_layers_assign(p);   /* refused videos leave the budget */
	/* New video down-tracks need a keyframe from their sources. */
	for (size_t i = 0; i < p->n_downs; i++) {
		struct sfu_down *d = p->downs[i];
		if (d->src && d->target_layer >= 0 && sfu_fwd_waiting(&d->fwd))
			sfu_track_request_keyframe(d->src, d->target_layer, false);
	}
	if (p->renegotiate)
		sfu_sub_negotiate(p);
	return 0;
}

void sfu_sub_free(struct sfu_participant *sub)
{
	for (size_t i = 0; i < sub->n_downs; i++) {
		struct sfu_down *d = sub->downs[i];
		if (d->src)
			sfu_track_downs_remove(d->src, d);
		free(d);
	}
	sub->n_downs = 0;
	free(sub->offered);
	sub->offered = NULL;
	bwe_free(sub->bwe);
	sub->bwe = NULL;
	peer_free(sub->sub);
	sub->sub = NULL;
}

struct answer_call {
	struct sfu_participant *p;
	uint32_t version;
	const char *sdp;
	int err;
};

static void answer_on_worker(void *arg)
{
	struct answer_call *c = arg;
	c->err = c->p->gone ? -SFU_ERR_STATE : subscribe_answer(c->p, c->version, c->sdp);
}

int sfu_subscribe_answer(struct sfu_participant *p, uint32_t version, const char *answer_sdp)
{
	struct answer_call c = { p, version, answer_sdp, 0 };
	sfu_worker_call(p->w, answer_on_worker, &c);
	return c.err;
}
