/* subscribe_offer: plenum's offer for a participant's subscribe PeerConnection and the check of the
 * browser's answer; the bundle's transport credentials. RFC 8829 §5.2/§5.10, RFC 8843, RFC 8830. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sdp/sdp_int.h"

static bool track_valid(const struct sdp_sub_track *t)
{
	if (!sdp_is_token(t->mid) || memchr(t->mid, '\0', sizeof(t->mid)) == NULL)
		return false;
	if (t->kind != SDP_KIND_AUDIO && t->kind != SDP_KIND_VIDEO)
		return false;
	if (t->refused && t->kind != SDP_KIND_VIDEO)
		return false;
	if (!t->active)
		return true;
	if (!t->ssrc || t->rtx_ssrc == t->ssrc)
		return false;
	const char *ids[] = { t->stream_id, t->track_id, t->cname };
	size_t caps[] = { sizeof(t->stream_id), sizeof(t->track_id), sizeof(t->cname) };
	for (size_t i = 0; i < 3; i++)
		if (!memchr(ids[i], '\0', caps[i]) || (ids[i][0] && !sdp_is_token(ids[i])))
			return false;
	return true;
}

static uint8_t video_pt(const struct sdp_sub_track *t)
{
	return t->codec == SDP_VIDEO_H264 ? SDP_SUB_H264_PT : SDP_SUB_VP8_PT;
}

/* The codec lines of a video m-line: rtpmap, feedback (the same for both codecs), H.264's fmtp, RTX. */
static void write_video_codec(struct strbuf *b, const struct sdp_local *l, const struct sdp_sub_track *t, bool rtx)
{
	uint8_t pt = video_pt(t), rtx_pt = (uint8_t)(pt + 1);
	strbuf_printf(b, "a=rtpmap:%u %s/90000\r\n", pt, t->codec == SDP_VIDEO_H264 ? "H264" : "VP8");
	if (l->twcc_ext_id)
		strbuf_printf(b, "a=rtcp-fb:%u transport-cc\r\n", pt);
	strbuf_printf(b, "a=rtcp-fb:%u ccm fir\r\na=rtcp-fb:%u nack\r\na=rtcp-fb:%u nack pli\r\n", pt, pt, pt);
	if (t->codec == SDP_VIDEO_H264)
		strbuf_printf(b, "a=fmtp:%u level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=%06x\r\n", pt,
		               (unsigned)(t->h264_profile_level_id ? t->h264_profile_level_id : 0x42e01fu));
	if (rtx)
		strbuf_printf(b, "a=rtpmap:%u rtx/90000\r\na=fmtp:%u apt=%u\r\n", rtx_pt, rtx_pt, pt);
}

static void write_track(struct strbuf *b, const struct sdp_local *l, const struct sdp_sub_track *t)
{
	bool video = t->kind == SDP_KIND_VIDEO, rtx = video && t->active && t->rtx_ssrc;
	if (t->refused) {   /* JSEP §5.2.2: a rejected m-line stays rejected, with its mid */
		strbuf_printf(b, "m=video 0 UDP/TLS/RTP/SAVPF %u\r\nc=IN IP4 0.0.0.0\r\na=mid:%s\r\n", video_pt(t), t->mid);
		return;
	}
	if (video)
		strbuf_printf(b, rtx ? "m=video %u UDP/TLS/RTP/SAVPF %u %u\r\n" : "m=video %u UDP/TLS/RTP/SAVPF %u\r\n",
		               (unsigned)l->port, video_pt(t), video_pt(t) + 1);
	else
		strbuf_printf(b, "m=audio %u UDP/TLS/RTP/SAVPF %u\r\n", (unsigned)l->port, SDP_SUB_OPUS_PT);
	sdp_write_transport(b, l, "actpass");
	strbuf_printf(b, "a=mid:%s\r\n", t->mid);
	const char *stream = t->stream_id[0] ? t->stream_id : "-";
	const char *cname = t->cname[0] ? t->cname : "plenum";
	char msid[140];
	if (t->track_id[0])
		snprintf(msid, sizeof(msid), "%s %s", stream, t->track_id);
	else
		snprintf(msid, sizeof(msid), "%s", stream);
	if (t->active)
		strbuf_printf(b, "a=sendonly\r\na=msid:%s\r\n", msid);
	else
		strbuf_printf(b, "a=inactive\r\n");
	strbuf_printf(b, "a=rtcp-mux\r\na=rtcp-rsize\r\n");
	if (l->twcc_ext_id)   /* transport-wide sequence numbers for plenum's bandwidth estimation */
		strbuf_printf(b, "a=extmap:%u %s\r\n", l->twcc_ext_id, SDP_EXT_TWCC);
	if (video) {
		write_video_codec(b, l, t, rtx);
	} else {
		strbuf_printf(b, "a=rtpmap:%u opus/48000/2\r\na=fmtp:%u minptime=10;useinbandfec=1\r\n",
		               SDP_SUB_OPUS_PT, SDP_SUB_OPUS_PT);
		if (l->twcc_ext_id)
			strbuf_printf(b, "a=rtcp-fb:%u transport-cc\r\n", SDP_SUB_OPUS_PT);
	}
	if (t->active) {
		if (rtx)
			strbuf_printf(b, "a=ssrc-group:FID %u %u\r\n", (unsigned)t->ssrc, (unsigned)t->rtx_ssrc);
		strbuf_printf(b, "a=ssrc:%u cname:%s\r\na=ssrc:%u msid:%s\r\n", (unsigned)t->ssrc, cname,
		               (unsigned)t->ssrc, msid);
		if (rtx)
			strbuf_printf(b, "a=ssrc:%u cname:%s\r\na=ssrc:%u msid:%s\r\n", (unsigned)t->rtx_ssrc, cname,
			               (unsigned)t->rtx_ssrc, msid);
	}
	sdp_write_candidate(b, l);
}

int sdp_write_subscribe_offer(const struct sdp_local *local, const struct sdp_sub_track *tracks, size_t n,
                              char *out, size_t cap)
{
	if (!out || !cap || !tracks || n == 0 || n > SDP_MAX_MEDIA || !sdp_local_valid(local))
		return EINVAL;
	out[0] = '\0';
	const char *mids[SDP_MAX_MEDIA];
	size_t n_mids = 0;
	for (size_t i = 0; i < n; i++) {
		if (!track_valid(&tracks[i]))
			return EINVAL;
		for (size_t j = 0; j < i; j++)
			if (strcmp(tracks[i].mid, tracks[j].mid) == 0)
				return EINVAL;
		if (!tracks[i].refused)
			mids[n_mids++] = tracks[i].mid;
	}
	if (!n_mids)
		return EINVAL;   /* nothing left to bundle */
	struct strbuf b;
	strbuf_init(&b, out, cap);
	sdp_write_session_head(&b, local, mids, n_mids);
	for (size_t i = 0; i < n; i++)
		write_track(&b, local, &tracks[i]);
	int err = strbuf_result(&b);
	if (err)
		out[0] = '\0';
	return err;
}

static bool answer_codec_ok(const struct sdp_media *m, const struct sdp_sub_track *t)
{
	const struct sdp_codec *k = sdp_media_codec(m, t->kind == SDP_KIND_VIDEO ? video_pt(t) : SDP_SUB_OPUS_PT);
	if (!k)
		return false;
	if (t->kind != SDP_KIND_VIDEO)
		return strcasecmp(k->name, "opus") == 0;
	return strcasecmp(k->name, t->codec == SDP_VIDEO_H264 ? "H264" : "VP8") == 0;
}

int sdp_check_subscribe_answer(const struct sdp_session *answer, const struct sdp_sub_track *tracks, size_t n,
                               bool *refused)
{
	if (!answer || !tracks || n == 0 || answer->n_media != n)
		return EPROTO;
	if (refused)
		memset(refused, 0, n * sizeof *refused);
	const char *setup;
	if (sdp_session_transport(answer, NULL, NULL, NULL, NULL, &setup) != 0 || strcmp(setup, "active") != 0)
		return EPROTO;
	for (size_t i = 0; i < n; i++) {
		const struct sdp_media *m = &answer->media[i];
		const struct sdp_sub_track *t = &tracks[i];
		if (m->kind != t->kind || strcmp(m->mid, t->mid) != 0)
			return EPROTO;
		if (!t->active || t->refused)
			continue;   /* an inactive or refused m-line may be accepted or rejected */
		if (refused && t->kind == SDP_KIND_VIDEO && t->codec == SDP_VIDEO_H264 &&
		    (sdp_media_rejected(m) || !answer_codec_ok(m, t))) {
			refused[i] = true;   /* a browser that cannot decode H.264 (Firefox without OpenH264) */
			continue;
		}
		if (sdp_media_rejected(m) || !sdp_in_bundle(answer, m->mid) || !answer_codec_ok(m, t) ||
		    m->dir == SDP_DIR_SENDONLY || m->dir == SDP_DIR_SENDRECV)
			return EPROTO;
		if (!m->bundle_only && !m->rtcp_mux)
			return EPROTO;
	}
	return 0;
}

int sdp_session_transport(const struct sdp_session *s, const char **ufrag, const char **pwd,
                          const char **fp_alg, const char **fp, const char **setup)
{
	if (!s)
		return EINVAL;
	const struct sdp_media *t = NULL;
	for (size_t b = 0; b < s->n_bundle && !t; b++)
		for (size_t i = 0; i < s->n_media && !t; i++)
			if (strcmp(s->media[i].mid, s->bundle[b]) == 0 && !sdp_media_rejected(&s->media[i]))
				t = &s->media[i];
	for (size_t i = 0; i < s->n_media && !t && !s->n_bundle; i++)
		if (!sdp_media_rejected(&s->media[i]))
			t = &s->media[i];
	if (!t || !t->ice_ufrag[0] || !t->ice_pwd[0] || !t->fp[0] || !t->fp_alg[0])
		return ENOENT;
	if (ufrag)
		*ufrag = t->ice_ufrag;
	if (pwd)
		*pwd = t->ice_pwd;
	if (fp_alg)
		*fp_alg = t->fp_alg;
	if (fp)
		*fp = t->fp;
	if (setup)
		*setup = t->setup;
	return 0;
}
