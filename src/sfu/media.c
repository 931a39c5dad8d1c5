/* media: the forwarding path — publishers' RTP (each simulcast layer, RTX unwrapped) to every
 * subscriber, rewritten per down-track, layers switched at keyframes. RFC 3550, RFC 7667 §3.7, RFC 8853. */
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "codec/h264.h"
#include "codec/vp8.h"
#include "rtcp/rtcp.h"
#include "sdp/sdp.h"
#include "sfu/sfu_internal.h"

bool sfu_peer_up(const struct peer *p)
{
	return p && p->state == PEER_CONNECTED;
}

/* ---- publisher side ---------------------------------------------------------------------- */

struct pkt_src {
	struct sfu_track *t;
	int layer;
	bool rtx;
};

static bool ext_equals(const struct rtp_hdr *h, uint8_t id, const char *s)
{
	const uint8_t *val;
	size_t len;
	return id && rtp_ext_find(h, id, &val, &len) == 0 && len == strlen(s) && memcmp(val, s, len) == 0;
}

static int layer_by_rid(const struct sfu_track *t, const struct rtp_hdr *h, uint8_t id)
{
	const uint8_t *val;
	size_t len;
	if (!id || rtp_ext_find(h, id, &val, &len) != 0)
		return -1;
	for (size_t i = 0; i < t->n_layers; i++)
		if (strlen(t->layers[i].rid) == len && memcmp(t->layers[i].rid, val, len) == 0)
			return (int)i;
	return -1;
}

/* Binds an unknown SSRC through the mid and rid header extensions (RFC 8843 §15, RFC 8852). */
static bool learn_ssrc(struct sfu_participant *p, const struct rtp_hdr *h, struct pkt_src *o)
{
	for (size_t k = 0; k < p->n_tracks; k++) {
		struct sfu_track *t = p->tracks[k];
		if (!ext_equals(h, t->ext_mid, t->mid))
			continue;
		int layer = 0;
		bool rtx = t->rtx_pt && h->pt == t->rtx_pt;
		if (t->simulcast) {
			layer = layer_by_rid(t, h, rtx ? t->ext_rrid : t->ext_rid);
			if (layer < 0)
				return false;
		} else if (!rtx && h->pt != t->pt) {
			return false;
		}
		struct sfu_layer *l = &t->layers[layer];
		if (rtx) {
			l->rtx_ssrc = h->ssrc;
		} else {
			if (l->ssrc && l->receiving)   /* a new source on the same m-line */
				for (size_t i = 0; i < t->n_downs; i++)
					sfu_fwd_rebase(&t->downs[i]->fwd);
			l->ssrc = h->ssrc;
			l->receiving = false;
		}
		*o = (struct pkt_src){ t, layer, rtx };
		return true;
	}
	return false;
}

static bool find_src(struct sfu_participant *p, const struct rtp_hdr *h, struct pkt_src *o)
{
	for (size_t k = 0; k < p->n_tracks; k++) {
		struct sfu_track *t = p->tracks[k];
		for (size_t i = 0; i < t->n_layers; i++) {
			if (t->layers[i].ssrc == h->ssrc) {
				*o = (struct pkt_src){ t, (int)i, false };
				return true;
			}
			if (t->layers[i].rtx_ssrc && t->layers[i].rtx_ssrc == h->ssrc) {
				*o = (struct pkt_src){ t, (int)i, true };
				return true;
			}
		}
	}
	return learn_ssrc(p, h, o);
}

/* Audio goes out for the few loudest speakers, for musicians, and for publishers whose
 * browser sends no audio levels; never for a participant a host muted. */
static bool audio_wanted(const struct sfu_track *t)
{
	const struct sfu_participant *p = t->owner;
	if (p->forced_mute[SFU_SOURCE_MICROPHONE])
		return false;
	if (p->music || !t->ext_audio_level || !p->room)
		return true;
	for (size_t i = 0; i < p->room->n_loudest; i++)
		if (p->room->loudest[i] == p->id)
			return true;
	return false;
}

/* Writes an RTP packet for subscriber `sub` with its next transport-wide sequence number
 * into the scratch buffer; returns its length (0 when it does not fit). */
size_t sfu_media_write(struct sfu_participant *sub, bool marker, uint8_t pt, uint16_t seq, uint32_t ts,
                        uint32_t ssrc, const uint8_t *payload, size_t payload_len, uint16_t *tseq)
{
	struct sfu_worker *sfu = sub->w;
	uint8_t tw[2];
	*tseq = sub->twcc_seq;
	wr16(tw, *tseq);
	struct rtp_ext_elem ext = { sub->down_twcc_ext, 2, tw };
	return rtp_write(sfu->scratch, sizeof sfu->scratch, marker, pt, seq, ts, ssrc, &ext, sub->down_twcc_ext ? 1 : 0,
	                 payload, payload_len);
}

/* Protects and sends the scratch packet; tells the bandwidth estimator. */
int sfu_media_send(struct sfu_participant *sub, size_t n, uint16_t tseq, bool droppable)
{
	struct sfu_worker *sfu = sub->w;
	int err = peer_send_rtp(sub->sub, sfu->scratch, n, sizeof sfu->scratch, droppable);
	if (err)
		return err;
	sub->twcc_seq++;
	size_t wire = n + srtp_profile_rtp_overhead(sub->sub->profile);
	sub->sent_bytes += wire;
	if (sub->bwe)
		bwe_on_sent(sub->bwe, tseq, wire, clock_now(sfu->clock));
	return 0;
}

/* `vp8` is the descriptor parsed from the received payload; NULL for audio or when unparsable. */
static void send_down(struct sfu_down *d, const struct rtp_hdr *h, uint16_t seq, const uint8_t *payload,
                      size_t payload_len, const struct vp8_desc *vp8, bool keyframe, uint64_t now)
{
	struct sfu_worker *sfu = d->sub->w;
	bool video = d->kind == SFU_KIND_VIDEO, rebased;
	uint16_t so;
	uint32_t to;
	if (!sfu_fwd_map(&d->fwd, seq, h->ts, keyframe, now, &so, &to, &rebased))
		return;
	uint16_t tseq;
	size_t n = sfu_media_write(d->sub, h->marker, d->pt, so, to, d->ssrc, payload, payload_len, &tseq);
	if (!n)
		return;
	if (video && vp8)
		sfu_fwd_vp8(&d->fwd, sfu->scratch + n - payload_len, payload_len, vp8, rebased);
	if (sfu_media_send(d->sub, n, tseq, video) == 0) {
		d->packets++;
		d->octets += payload_len;
		sfu->viewer_packets += d->sub->viewer;
	}
}

static void forward(const struct pkt_src *s, const struct rtp_hdr *h, uint16_t seq,
                    const uint8_t *payload, size_t payload_len)
{
	struct sfu_track *t = s->t;
	struct sfu_worker *sfu = t->owner->w;
	uint64_t now = clock_now(sfu->clock);
	bool video = t->kind == SFU_KIND_VIDEO;
	/* The payload is parsed once here: VP8's descriptor (every subscriber's copy is rewritten
	 * from it), H.264's NAL units (forwarded untouched: no picture ids to continue). */
	struct vp8_desc desc;
	bool has_desc = false, keyframe = false;
	struct sfu_layer *l = &t->layers[s->layer];
	if (video && t->codec == SDP_VIDEO_H264) {
		struct h264_info hi;
		keyframe = h264_parse(&hi, payload, payload_len) == 0 && h264_info_is_keyframe(&hi);
		if (keyframe)
			h264_info_keyframe_size(&hi, &l->width, &l->height);
	} else if (video) {
		has_desc = vp8_parse_descriptor(&desc, payload, payload_len) == 0;
		keyframe = has_desc && vp8_desc_is_keyframe(&desc, payload, payload_len);
		if (keyframe)
			vp8_desc_keyframe_size(&desc, payload, payload_len, &l->width, &l->height);
	}
	sfu_tap_packet(t, s->layer, h, seq, payload, payload_len, keyframe, now);
	bool audio_on = video || audio_wanted(t);
	bool muted = video && t->owner->forced_mute[t->source];
	for (size_t i = 0; i < t->n_downs; i++) {
		struct sfu_down *d = t->downs[i];
		if (!d->live || !sfu_peer_up(d->sub->sub))
			continue;
		if (!audio_on || muted || d->target_layer < 0) {
			if (d->fwd.started)
				sfu_fwd_rebase(&d->fwd);   /* resumes seamlessly later */
			d->cur_layer = -1;
			continue;
		}
		if (s->layer != d->cur_layer) {
			/* switch to the target layer at its next keyframe (RFC 7667 §3.7) */
			if (s->layer != d->target_layer)
				continue;
			if (video && !keyframe) {
				sfu_track_request_keyframe(t, d->target_layer, false);
				continue;
			}
			if (d->cur_layer >= 0)
				sfu->layer_switches++;
			d->cur_layer = s->layer;
			sfu_fwd_rebase(&d->fwd);
		}
		send_down(d, h, seq, payload, payload_len, has_desc ? &desc : NULL, keyframe, now);
	}
}

static bool layer_forwarded(const struct sfu_track *t, int layer)
{
	for (size_t i = 0; i < t->n_downs; i++)
		if (t->downs[i]->cur_layer == layer)
			return true;
	return false;
}

/* The retransmission cache of a layer someone receives, made on first use: each layer keeps a
 * second or more of its packets at the rates browsers send simulcast with (the top layer ~1.5
 * Mbit/s, each one below about a third); layers nobody receives keep nothing. */
static struct rtp_cache *cache_for(struct sfu_track *t, int layer)
{
	struct sfu_layer *l = &t->layers[layer];
	if (!l->cache) {
		int below_top = (int)t->n_layers - 1 - layer;
		size_t slots = below_top == 0 ? SFU_CACHE_SLOTS_TOP : below_top == 1 ? SFU_CACHE_SLOTS_MID : SFU_CACHE_SLOTS_LOW;
		if (rtp_cache_new(&l->cache, slots, SFU_CACHE_PACKET_MAX) != 0)
			l->cache = NULL;
	}
	return l->cache;
}

static void measure(struct sfu_layer *l, size_t len, uint64_t now)
{
	if (!l->win_start_us)
		l->win_start_us = now;
	l->win_bytes += len;
	l->last_packet_us = now;
	if (now - l->win_start_us >= 1000000u) {
		l->rate_bps = l->win_bytes * 8u * 1000000u / (now - l->win_start_us);
		l->win_start_us = now;
		l->win_bytes = 0;
	}
}

/* A layer that starts arriving again (its publisher resumed it, data saver) is given at once to
 * the subscribers who want it, not at their next once-a-second fitting. */
static void layer_resumed(struct sfu_track *t, int layer)
{
	for (size_t i = 0; i < t->n_downs; i++) {
		struct sfu_down *d = t->downs[i];
		if (d->desired_layer >= layer && d->target_layer < layer)
			sfu_layers_assign(d->sub);
	}
}

static void pub_on_rtp(void *arg, struct peer *peer, uint8_t *pkt, size_t len)
{
	struct sfu_participant *p = arg;
	struct sfu_worker *sfu = p->w;
	struct rtp_hdr h;
	if (rtp_parse(&h, pkt, len) != 0) {
		sfu->dropped_malformed_rtp++;
		return;
	}
	/* Every packet counts for the publisher's congestion control — retransmissions and
	 * padding-only bandwidth probes too, even before their SSRC is known. */
	const uint8_t *tw;
	size_t twlen;
	if (p->twcc_rec && rtp_ext_find(&h, p->pub_twcc_ext, &tw, &twlen) == 0 && twlen >= 2)
		twcc_recorder_add(p->twcc_rec, rd16(tw), clock_now(sfu->clock));
	struct pkt_src s;
	if (!find_src(p, &h, &s)) {
		if (h.payload_len)
			sfu->dropped_unknown_ssrc++;   /* padding on an RTX SSRC not yet seen is no loss */
		return;
	}
	struct sfu_track *t = s.t;
	struct sfu_layer *l = &t->layers[s.layer];
	uint64_t now = clock_now(sfu->clock);
	const uint8_t *payload = h.payload;
	size_t payload_len = h.payload_len;
	uint16_t seq = h.seq;
	if (s.rtx) {   /* RFC 4588: the original sequence number leads the payload */
		if (payload_len < 2)
			return;   /* padding-only probe */
		seq = rd16(payload);
		payload += 2;
		payload_len -= 2;
	} else {
		uint32_t arrival = (uint32_t)(now * t->clock_rate / 1000000u);
		if (!l->receiving) {
			rtp_recv_stats_init(&l->rstats, h.seq);
			l->receiving = true;
		}
		rtp_recv_stats_update(&l->rstats, h.seq, h.ts, arrival);
		if (t->kind == SFU_KIND_VIDEO && layer_forwarded(t, s.layer) && cache_for(t, s.layer))
			rtp_cache_put(l->cache, h.seq, pkt, len, now);
		bool was_arriving = l->last_packet_us && now - l->last_packet_us < 1000000u;
		measure(l, len, now);
		if (!was_arriving && t->kind == SFU_KIND_VIDEO && s.layer > 0)
			layer_resumed(t, s.layer);
		const uint8_t *lv;
		size_t lvlen;
		if (t->kind == SFU_KIND_AUDIO && t->ext_audio_level &&
		    rtp_ext_find(&h, t->ext_audio_level, &lv, &lvlen) == 0 && lvlen >= 1)
			sfu_speaker_observe(&p->speech, lv[0] & 0x7f, now);
	}
	if (payload_len == 0)
		return;   /* padding only */
	forward(&s, &h, seq, payload, payload_len);
}

static void on_peer_state(void *arg, struct peer *peer, enum peer_state st)
{
	struct sfu_participant *p = arg;
	if (st == PEER_FAILED || st == PEER_CLOSED) {
		p->failed = true;   /* dropped at the next tick, outside the packet path */
		return;
	}
	if (st == PEER_CONNECTED && peer == p->sub) {
		for (size_t i = 0; i < p->n_downs; i++)
			if (p->downs[i]->src)
				sfu_track_request_keyframe(p->downs[i]->src, p->downs[i]->target_layer, false);
	}
}

/* ---- subscriber side --------------------------------------------------------------------- */

static void sub_on_rtp(void *arg, struct peer *peer, uint8_t *pkt, size_t len)
{
	/* The subscribe side is receive-only; a browser sends nothing here but RTCP. */
}

const struct peer_cbs sfu_pub_peer_cbs = { pub_on_rtp, sfu_reports_pub_rtcp, on_peer_state };
const struct peer_cbs sfu_sub_peer_cbs = { sub_on_rtp, sfu_reports_sub_rtcp, on_peer_state };

