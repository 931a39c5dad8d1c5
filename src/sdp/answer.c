/* answer: plenum's answer to a browser's publish offer — recvonly audio/video, ICE-lite, DTLS
 * passive, BUNDLE with rtcp-mux. RFC 8829 §5.3 (JSEP answers), RFC 8843 §7.3, RFC 8842 §5. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "sdp/sdp_int.h"

static const char *const kept_ext[] = { SDP_EXT_MID, SDP_EXT_AUDIO_LEVEL, SDP_EXT_ABS_SEND_TIME, SDP_EXT_TWCC };

bool sdp_in_bundle(const struct sdp_session *s, const char *mid)
{
	for (size_t i = 0; i < s->n_bundle; i++)
		if (strcmp(s->bundle[i], mid) == 0)
			return true;
	return false;
}

bool sdp_proto_savpf(const char *proto)
{
	size_t n = strlen(proto), k = strlen("RTP/SAVPF");
	return n >= k && strcmp(proto + n - k, "RTP/SAVPF") == 0;
}

const struct sdp_codec *sdp_pick_codec(const struct sdp_media *m, const char *name, uint32_t clock)
{
	for (size_t i = 0; i < m->n_codecs; i++)
		if (strcasecmp(m->codecs[i].name, name) == 0 && m->codecs[i].clock == clock)
			return &m->codecs[i];
	return NULL;
}

const struct sdp_codec *sdp_pick_rtx(const struct sdp_media *m, uint8_t apt)
{
	for (size_t i = 0; i < m->n_codecs; i++)
		if (m->codecs[i].is_rtx && m->codecs[i].rtx_apt == apt)
			return &m->codecs[i];
	return NULL;
}

static bool fmtp_has(const char *fmtp, const char *param)
{
	size_t n = strlen(param);
	for (const char *p = fmtp; *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		if (strncmp(p, param, n) == 0 && (p[n] == ';' || p[n] == ' ' || p[n] == '\0'))
			return true;
		p += strcspn(p, ";");
	}
	return false;
}

uint8_t sdp_ext_id_short(const struct sdp_media *m, const char *uri)
{
	uint8_t id = sdp_media_ext_id(m, uri);
	return id <= 14 ? id : 0;   /* one-byte header ids only */
}

/* Decides one m-line; returns its chosen codec (NULL when rejected). */
static const struct sdp_codec *plan(const struct sdp_session *s, const struct sdp_media *m, struct sdp_publish_media *o)
{
	memset(o, 0, sizeof(*o));
	memcpy(o->mid, m->mid, sizeof(o->mid));
	o->kind = m->kind;
	o->dir = SDP_DIR_INACTIVE;
	if ((m->kind != SDP_KIND_AUDIO && m->kind != SDP_KIND_VIDEO) || sdp_media_rejected(m) || !sdp_proto_savpf(m->proto) ||
	    !m->mid[0] || !sdp_in_bundle(s, m->mid) || !(m->rtcp_mux || m->bundle_only))
		return NULL;
	/* video: VP8 whenever offered (every subscriber decodes it), else H.264 (RFC 6184 mode 1) */
	const struct sdp_codec *k = m->kind == SDP_KIND_AUDIO ? sdp_pick_codec(m, "opus", 48000) : sdp_pick_codec(m, "VP8", 90000);
	if (!k && m->kind == SDP_KIND_VIDEO && (k = sdp_pick_h264(m, &o->h264)))
		o->codec = SDP_VIDEO_H264;
	if (!k)
		return NULL;
	o->accepted = true;
	o->dir = m->dir == SDP_DIR_SENDONLY || m->dir == SDP_DIR_SENDRECV ? SDP_DIR_RECVONLY : SDP_DIR_INACTIVE;
	o->pt = k->pt;
	const struct sdp_codec *rtx = m->kind == SDP_KIND_VIDEO ? sdp_pick_rtx(m, k->pt) : NULL;
	o->rtx_pt = rtx ? rtx->pt : 0;
	if (m->fid_primary) {
		o->ssrc = m->fid_primary;
		o->rtx_ssrc = rtx ? m->fid_rtx : 0;
	} else if (m->n_ssrcs) {
		o->ssrc = m->ssrcs[0];
	}
	o->ext_mid = sdp_ext_id_short(m, SDP_EXT_MID);
	o->ext_audio_level = m->kind == SDP_KIND_AUDIO ? sdp_ext_id_short(m, SDP_EXT_AUDIO_LEVEL) : 0;
	o->ext_abs_send_time = sdp_ext_id_short(m, SDP_EXT_ABS_SEND_TIME);
	o->ext_twcc = sdp_ext_id_short(m, SDP_EXT_TWCC);
	o->opus_stereo = m->kind == SDP_KIND_AUDIO && (fmtp_has(k->fmtp, "stereo=1") || fmtp_has(k->fmtp, "sprop-stereo=1"));
	o->fb_nack = k->fb_nack;
	o->fb_nack_pli = k->fb_nack_pli;
	o->fb_ccm_fir = k->fb_ccm_fir;
	o->fb_transport_cc = k->fb_transport_cc;
	o->fb_goog_remb = k->fb_goog_remb;
	return k;
}

/* RFC 8853: a video m-line offered with several sending rids is received as simulcast when the
 * rid header extensions are there to tell the layers apart. */
static void plan_simulcast(const struct sdp_media *m, struct sdp_publish_media *o)
{
	uint8_t rid = sdp_ext_id_short(m, SDP_EXT_RID);
	if (m->kind != SDP_KIND_VIDEO || !m->has_simulcast || m->n_rids < 2 || !rid)
		return;
	o->ext_rid = rid;
	o->ext_rrid = sdp_ext_id_short(m, SDP_EXT_RRID);
	o->n_rids = m->n_rids;
	memcpy(o->rids, m->rids, sizeof o->rids);
}

static void write_simulcast(struct strbuf *b, const struct sdp_publish_media *o)
{
	/* received only (RFC 8285 §6: the answer's direction for what the offer sends) */
	strbuf_printf(b, "a=extmap:%u/recvonly %s\r\n", o->ext_rid, SDP_EXT_RID);
	if (o->ext_rrid)
		strbuf_printf(b, "a=extmap:%u/recvonly %s\r\n", o->ext_rrid, SDP_EXT_RRID);
	for (size_t i = 0; i < o->n_rids; i++)
		strbuf_printf(b, "a=rid:%s recv\r\n", o->rids[i]);
	strbuf_printf(b, "a=simulcast:recv ");
	for (size_t i = 0; i < o->n_rids; i++)
		strbuf_printf(b, "%s%s", i ? ";" : "", o->rids[i]);
	strbuf_printf(b, "\r\n");
}

void sdp_write_rejected(struct strbuf *b, const struct sdp_media *m)
{
	strbuf_printf(b, "m=%s 0 %s %s\r\nc=IN IP4 0.0.0.0\r\n", m->media_name, m->proto, m->fmt_first);
	if (m->mid[0])
		strbuf_printf(b, "a=mid:%s\r\n", m->mid);
}

static void write_fb(struct strbuf *b, const struct sdp_publish_media *o, uint8_t pt)
{
	if (o->fb_goog_remb)
		strbuf_printf(b, "a=rtcp-fb:%u goog-remb\r\n", pt);
	if (o->fb_transport_cc)
		strbuf_printf(b, "a=rtcp-fb:%u transport-cc\r\n", pt);
	if (o->fb_ccm_fir)
		strbuf_printf(b, "a=rtcp-fb:%u ccm fir\r\n", pt);
	if (o->fb_nack)
		strbuf_printf(b, "a=rtcp-fb:%u nack\r\n", pt);
	if (o->fb_nack_pli)
		strbuf_printf(b, "a=rtcp-fb:%u nack pli\r\n", pt);
}

static void write_accepted(struct strbuf *b, const struct sdp_local *l, const struct sdp_media *m,
                           const struct sdp_publish_media *o, const struct sdp_codec *k)
{
	const struct sdp_codec *rtx = o->rtx_pt ? sdp_media_codec(m, o->rtx_pt) : NULL;
	strbuf_printf(b, "m=%s %u %s %u", m->media_name, (unsigned)l->port, m->proto, o->pt);
	if (rtx)
		strbuf_printf(b, " %u", rtx->pt);
	strbuf_printf(b, "\r\n");
	sdp_write_transport(b, l, "passive");
	strbuf_printf(b, "a=mid:%s\r\n", m->mid);
	for (size_t i = 0; i < sizeof(kept_ext) / sizeof(kept_ext[0]); i++) {
		uint8_t id = sdp_ext_id_short(m, kept_ext[i]);
		if (id && (m->kind == SDP_KIND_AUDIO || strcmp(kept_ext[i], SDP_EXT_AUDIO_LEVEL) != 0))
			strbuf_printf(b, "a=extmap:%u %s\r\n", id, kept_ext[i]);
	}
	if (o->n_rids)
		write_simulcast(b, o);
	strbuf_printf(b, "a=%s\r\na=rtcp-mux\r\n", o->dir == SDP_DIR_RECVONLY ? "recvonly" : "inactive");
	if (m->rtcp_rsize)
		strbuf_printf(b, "a=rtcp-rsize\r\n");
	if (m->kind == SDP_KIND_AUDIO) {
		strbuf_printf(b, "a=rtpmap:%u %s/48000/2\r\n", o->pt, k->name);
		write_fb(b, o, o->pt);
		if (l->music)   /* music: stereo at a bitrate that carries instruments (RFC 7587 §6.1) */
			strbuf_printf(b, "a=fmtp:%u minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1;maxaveragebitrate=256000\r\n", o->pt);
		else
			strbuf_printf(b, "a=fmtp:%u minptime=10;useinbandfec=1%s\r\n", o->pt, o->opus_stereo ? ";stereo=1" : "");
	} else {
		strbuf_printf(b, "a=rtpmap:%u %s/90000\r\n", o->pt, k->name);
		write_fb(b, o, o->pt);
		if (o->codec == SDP_VIDEO_H264)   /* RFC 6184 §8.2.2: the offer's profile, mode 1 */
			strbuf_printf(b, "a=fmtp:%u %spacketization-mode=1;profile-level-id=%06x\r\n", o->pt,
			               o->h264.level_asymmetry_allowed ? "level-asymmetry-allowed=1;" : "",
			               (unsigned)o->h264.profile_level_id);
		if (rtx)
			strbuf_printf(b, "a=rtpmap:%u %s/%u\r\na=fmtp:%u apt=%u\r\n", rtx->pt, rtx->name,
			               (unsigned)rtx->clock, rtx->pt, o->pt);
	}
	sdp_write_candidate(b, l);
}

int sdp_answer_begin(const struct sdp_session *offer, const struct sdp_local *local, bool has_out, size_t out_cap,
                     size_t *n_out, char *answer, size_t cap)
{
	if (!offer || !n_out || !answer || !cap || (!has_out && out_cap) || !sdp_local_valid(local))
		return EINVAL;
	*n_out = 0;
	answer[0] = '\0';
	if (offer->n_media > out_cap)
		return ENOSPC;
	const char *setup;
	if (sdp_session_transport(offer, NULL, NULL, NULL, NULL, &setup) != 0 || strcmp(setup, "passive") == 0)
		return EPROTO;
	return 0;
}

bool sdp_offer_muxed(const struct sdp_session *offer, const struct sdp_codec *const *chosen)
{
	/* rtcp-mux: on every accepted m-line that is not bundle-only, so on at least one of them, or
	 * on the m-line whose transport the bundle uses. */
	const char *ufrag;
	sdp_session_transport(offer, &ufrag, NULL, NULL, NULL, NULL);
	for (size_t i = 0; i < offer->n_media; i++)
		if ((chosen[i] || offer->media[i].ice_ufrag == ufrag) && offer->media[i].rtcp_mux)
			return true;
	return false;
}

int sdp_answer_end(struct strbuf *b, const struct sdp_session *offer, size_t *n_out)
{
	int err = strbuf_result(b);
	if (err) {
		b->p[0] = '\0';
		return err;
	}
	*n_out = offer->n_media;
	return 0;
}

int sdp_answer_publish(const struct sdp_session *offer, const struct sdp_local *local,
                       struct sdp_publish_media *out, size_t out_cap, size_t *n_out, char *answer, size_t cap)
{
	int err = sdp_answer_begin(offer, local, out != NULL, out_cap, n_out, answer, cap);
	if (err)
		return err;
	const struct sdp_codec *chosen[SDP_MAX_MEDIA];
	const char *mids[SDP_MAX_MEDIA];
	size_t n_acc = 0;
	for (size_t i = 0; i < offer->n_media; i++) {
		chosen[i] = plan(offer, &offer->media[i], &out[i]);
		if (chosen[i] && local->simulcast)
			plan_simulcast(&offer->media[i], &out[i]);
		if (chosen[i])
			mids[n_acc++] = offer->media[i].mid;
	}
	if (!n_acc || !sdp_offer_muxed(offer, chosen))
		return EPROTO;
	struct strbuf b;
	strbuf_init(&b, answer, cap);
	sdp_write_session_head(&b, local, mids, n_acc);
	for (size_t i = 0; i < offer->n_media; i++) {
		if (chosen[i])
			write_accepted(&b, local, &offer->media[i], &out[i], chosen[i]);
		else
			sdp_write_rejected(&b, &offer->media[i]);
	}
	return sdp_answer_end(&b, offer, n_out);
}
