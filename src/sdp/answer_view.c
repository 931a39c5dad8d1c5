/* answer_view: plenum's answer to a WHEP viewer's offer — one sendonly audio (Opus) and one sendonly
 * video (VP8, RTX), ICE-lite, DTLS passive, BUNDLE with rtcp-mux. draft-ietf-wish-whep, RFC 8829 §5.3. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "sdp/sdp_int.h"

/* Decides one m-line; returns its chosen codec, NULL when rejected (or its kind is taken). */
static const struct sdp_codec *plan(const struct sdp_session *s, const struct sdp_media *m, const bool taken[2],
                                    struct sdp_view_media *o)
{
	memset(o, 0, sizeof(*o));
	memcpy(o->mid, m->mid, sizeof(o->mid));
	o->kind = m->kind;
	bool audio = m->kind == SDP_KIND_AUDIO;
	if ((!audio && m->kind != SDP_KIND_VIDEO) || taken[!audio] || sdp_media_rejected(m) || !sdp_proto_savpf(m->proto) ||
	    !m->mid[0] || !sdp_in_bundle(s, m->mid) || !(m->rtcp_mux || m->bundle_only) ||
	    (m->dir != SDP_DIR_RECVONLY && m->dir != SDP_DIR_SENDRECV))
		return NULL;
	const struct sdp_codec *k = audio ? sdp_pick_codec(m, "opus", 48000) : sdp_pick_codec(m, "VP8", 90000);
	if (!k)
		return NULL;
	o->accepted = true;
	o->pt = k->pt;
	const struct sdp_codec *rtx = audio ? NULL : sdp_pick_rtx(m, k->pt);
	o->rtx_pt = rtx ? rtx->pt : 0;
	o->ext_twcc = k->fb_transport_cc ? sdp_ext_id_short(m, SDP_EXT_TWCC) : 0;
	o->fb_nack = !audio && k->fb_nack;
	o->fb_pli = !audio && k->fb_nack_pli;
	o->fb_remb = k->fb_goog_remb;
	return k;
}

static void write_ssrc(struct strbuf *b, const struct sdp_view_send *send, uint32_t ssrc, const char *track)
{
	strbuf_printf(b, "a=ssrc:%u cname:%s\r\na=ssrc:%u msid:%s %s\r\n", (unsigned)ssrc, send->cname, (unsigned)ssrc,
	              send->stream_id, track);
}

static void write_accepted(struct strbuf *b, const struct sdp_local *l, const struct sdp_view_send *send,
                           const struct sdp_media *m, const struct sdp_view_media *o, const struct sdp_codec *k)
{
	bool video = o->kind == SDP_KIND_VIDEO, rtx = video && o->rtx_pt && send->video_rtx_ssrc;
	const char *track = video ? "video" : "audio";
	strbuf_printf(b, "m=%s %u %s %u", m->media_name, (unsigned)l->port, m->proto, o->pt);
	if (rtx)
		strbuf_printf(b, " %u", o->rtx_pt);
	strbuf_printf(b, "\r\n");
	sdp_write_transport(b, l, "passive");
	strbuf_printf(b, "a=mid:%s\r\n", m->mid);
	if (o->ext_twcc)
		strbuf_printf(b, "a=extmap:%u %s\r\n", o->ext_twcc, SDP_EXT_TWCC);
	strbuf_printf(b, "a=sendonly\r\na=msid:%s %s\r\na=rtcp-mux\r\n", send->stream_id, track);
	if (m->rtcp_rsize)
		strbuf_printf(b, "a=rtcp-rsize\r\n");
	if (video)
		strbuf_printf(b, "a=rtpmap:%u %s/90000\r\n", o->pt, k->name);
	else
		strbuf_printf(b, "a=rtpmap:%u %s/48000/2\r\na=fmtp:%u minptime=10;useinbandfec=1\r\n", o->pt, k->name, o->pt);
	if (o->fb_remb)
		strbuf_printf(b, "a=rtcp-fb:%u goog-remb\r\n", o->pt);
	if (o->ext_twcc)
		strbuf_printf(b, "a=rtcp-fb:%u transport-cc\r\n", o->pt);
	if (o->fb_nack)
		strbuf_printf(b, "a=rtcp-fb:%u nack\r\n", o->pt);
	if (o->fb_pli)
		strbuf_printf(b, "a=rtcp-fb:%u nack pli\r\n", o->pt);
	if (rtx) {
		strbuf_printf(b, "a=rtpmap:%u rtx/90000\r\na=fmtp:%u apt=%u\r\n", o->rtx_pt, o->rtx_pt, o->pt);
		strbuf_printf(b, "a=ssrc-group:FID %u %u\r\n", (unsigned)send->video_ssrc, (unsigned)send->video_rtx_ssrc);
	}
	write_ssrc(b, send, video ? send->video_ssrc : send->audio_ssrc, track);
	if (rtx)
		write_ssrc(b, send, send->video_rtx_ssrc, track);
	sdp_write_candidate(b, l);
}

static bool send_valid(const struct sdp_view_send *s)
{
	return s && s->audio_ssrc && s->video_ssrc && s->video_rtx_ssrc != s->video_ssrc &&
	       memchr(s->stream_id, '\0', sizeof(s->stream_id)) && sdp_is_token(s->stream_id) &&
	       memchr(s->cname, '\0', sizeof(s->cname)) && sdp_is_token(s->cname);
}

int sdp_answer_view(const struct sdp_session *offer, const struct sdp_local *local, const struct sdp_view_send *send,
                    struct sdp_view_media *out, size_t out_cap, size_t *n_out, char *answer, size_t cap)
{
	if (!send_valid(send))
		return EINVAL;
	int err = sdp_answer_begin(offer, local, out != NULL, out_cap, n_out, answer, cap);
	if (err)
		return err;
	const struct sdp_codec *chosen[SDP_MAX_MEDIA];
	const char *mids[SDP_MAX_MEDIA];
	bool taken[2] = { false, false };   /* [0] audio, [1] video */
	size_t n_acc = 0;
	for (size_t i = 0; i < offer->n_media; i++) {
		const struct sdp_media *m = &offer->media[i];
		chosen[i] = plan(offer, m, taken, &out[i]);
		if (chosen[i]) {
			taken[m->kind != SDP_KIND_AUDIO] = true;
			mids[n_acc++] = m->mid;
		}
	}
	if (!n_acc || !sdp_offer_muxed(offer, chosen))
		return EPROTO;
	struct strbuf b;
	strbuf_init(&b, answer, cap);
	sdp_write_session_head(&b, local, mids, n_acc);
	for (size_t i = 0; i < offer->n_media; i++) {
		if (chosen[i])
			write_accepted(&b, local, send, &offer->media[i], &out[i], chosen[i]);
		else
			sdp_write_rejected(&b, &offer->media[i]);
	}
	return sdp_answer_end(&b, offer, n_out);
}
