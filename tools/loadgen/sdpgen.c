/* sdpgen: the load generator's session descriptions — a publish offer shaped like Chromium's
 * (BUNDLE, rtcp-mux, Opus 111, VP8 96 + RTX 97, rid simulcast), the server's answer applied, and
 * the answer to the server's subscribe offer, and a WHEP viewer's recvonly offer. RFC 8829 (JSEP),
 * RFC 8853 (simulcast), RFC 8843, draft-ietf-wish-whep. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/strbuf.h"
#include "base/util.h"
#include "dtls/dtls.h"
#include "rtcp/twcc.h"
#include "sdp/sdp.h"

#include "lg.h"

#define EXT_RID "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
#define EXT_RRID "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"

static struct sdp_session *parsed;   /* one parse buffer for the process (half a megabyte) */


static int parse(const char *text)
{
	if (!parsed && sdp_session_new(&parsed) != 0)
		return ENOMEM;
	return sdp_parse(parsed, text, strlen(text));
}

static void transport_lines(struct strbuf *b, struct lg_pc *pc, const char *setup, bool candidate)
{
	strbuf_printf(b, "c=IN IP4 127.0.0.1\r\na=rtcp:9 IN IP4 0.0.0.0\r\n");
	if (candidate)
		strbuf_printf(b, "a=candidate:1 1 udp 2122260223 127.0.0.1 %u typ host generation 0 network-id 1\r\n",
		       (unsigned)pc->local_port);
	strbuf_printf(b, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\na=ice-options:trickle\r\n"
	          "a=fingerprint:sha-256 %s\r\na=setup:%s\r\n",
	       pc->lufrag, pc->lpwd, dtls_cert_fingerprint(pc->lg->cert), setup);
}

/* ---- publish ----------------------------------------------------------------------------------- */

int lg_sdp_publish_offer(struct lg_pc *pc, char *out, size_t cap)
{
	struct strbuf b;
	strbuf_init(&b, out, cap);
	struct lg_part *p = pc->part;
	unsigned n_ml = 0;
	for (size_t i = 0; i < pc->n_tx; i++)
		if (pc->tx[i].mline + 1u > n_ml)
			n_ml = pc->tx[i].mline + 1u;
	char stream[40];
	snprintf(stream, sizeof stream, "lg-%u-%u", p->room, p->index);
	strbuf_printf(&b, "v=0\r\no=- %u%06u 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE", util_random_u32(),
	       util_random_u32() % 1000000);
	for (unsigned m = 0; m < n_ml; m++)
		strbuf_printf(&b, " %u", m);
	strbuf_printf(&b, "\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS %s\r\n", stream);
	for (unsigned m = 0; m < n_ml; m++) {
		struct lg_tx *first = NULL;
		size_t n_layers = 0;
		for (size_t i = 0; i < pc->n_tx; i++)
			if (pc->tx[i].mline == m) {
				if (!first)
					first = &pc->tx[i];
				n_layers++;
			}
		if (!first)
			continue;
		if (first->kind == LG_AUDIO) {
			strbuf_printf(&b, "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n");
			transport_lines(&b, pc, "actpass", m == 0);
			strbuf_printf(&b, "a=mid:%u\r\n"
			       "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
			       "a=extmap:2 " SDP_EXT_ABS_SEND_TIME "\r\n"
			       "a=extmap:3 " SDP_EXT_TWCC "\r\n"
			       "a=extmap:4 " SDP_EXT_MID "\r\n"
			       "a=sendonly\r\na=msid:%s %s-mic\r\na=rtcp-mux\r\na=rtcp-rsize\r\n"
			       "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\n"
			       "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
			       "a=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\na=rtpmap:9 G722/8000\r\n"
			       "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:13 CN/8000\r\n"
			       "a=rtpmap:110 telephone-event/48000\r\na=rtpmap:126 telephone-event/8000\r\n"
			       "a=ssrc:%u cname:%s\r\na=ssrc:%u msid:%s %s-mic\r\n",
			       m, stream, stream, first->ssrc, p->name, first->ssrc, stream, stream);
			continue;
		}
		const char *track = first->screen ? "screen" : "cam";
		bool h264 = pc->lg->o.h264;   /* H.264 alone, as a browser after setCodecPreferences */
		strbuf_printf(&b, h264 ? "m=video 9 UDP/TLS/RTP/SAVPF 102 103\r\n" : "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 102 103\r\n");
		transport_lines(&b, pc, "actpass", m == 0);
		strbuf_printf(&b, "a=mid:%u\r\n"
		       "a=extmap:14 urn:ietf:params:rtp-hdrext:toffset\r\n"
		       "a=extmap:2 " SDP_EXT_ABS_SEND_TIME "\r\n"
		       "a=extmap:13 urn:3gpp:video-orientation\r\n"
		       "a=extmap:3 " SDP_EXT_TWCC "\r\n"
		       "a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay\r\n"
		       "a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type\r\n"
		       "a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing\r\n"
		       "a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space\r\n"
		       "a=extmap:4 " SDP_EXT_MID "\r\n"
		       "a=extmap:10 " EXT_RID "\r\n"
		       "a=extmap:11 " EXT_RRID "\r\n"
		       "a=sendonly\r\na=msid:%s %s-%s\r\na=rtcp-mux\r\na=rtcp-rsize\r\n",
		       m, stream, stream, track);
		static const char fb[] = "a=rtcp-fb:%u goog-remb\r\na=rtcp-fb:%u transport-cc\r\na=rtcp-fb:%u ccm fir\r\n"
		                         "a=rtcp-fb:%u nack\r\na=rtcp-fb:%u nack pli\r\n";
		if (!h264) {
			strbuf_printf(&b, "a=rtpmap:96 VP8/90000\r\n");
			strbuf_printf(&b, fb, 96, 96, 96, 96, 96);
			strbuf_printf(&b, "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\na=rtpmap:98 VP9/90000\r\n");
			strbuf_printf(&b, fb, 98, 98, 98, 98, 98);
			strbuf_printf(&b, "a=fmtp:98 profile-id=0\r\na=rtpmap:99 rtx/90000\r\na=fmtp:99 apt=98\r\n");
		}
		strbuf_printf(&b, "a=rtpmap:102 H264/90000\r\n");
		strbuf_printf(&b, fb, 102, 102, 102, 102, 102);
		strbuf_printf(&b, "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\n"
		           "a=rtpmap:103 rtx/90000\r\na=fmtp:103 apt=102\r\n");
		if (n_layers > 1) {
			for (size_t i = 0; i < pc->n_tx; i++)
				if (pc->tx[i].mline == m)
					strbuf_printf(&b, "a=rid:%s send\r\n", pc->tx[i].rid);
			strbuf_printf(&b, "a=simulcast:send ");
			bool sep = false;
			for (size_t i = 0; i < pc->n_tx; i++)
				if (pc->tx[i].mline == m) {
					strbuf_printf(&b, "%s%s", sep ? ";" : "", pc->tx[i].rid);
					sep = true;
				}
			strbuf_printf(&b, "\r\n");
		} else {
			strbuf_printf(&b, "a=ssrc-group:FID %u %u\r\na=ssrc:%u cname:%s\r\na=ssrc:%u msid:%s %s-%s\r\n"
			       "a=ssrc:%u cname:%s\r\na=ssrc:%u msid:%s %s-%s\r\n",
			       first->ssrc, first->rtx_ssrc, first->ssrc, p->name, first->ssrc, stream, stream, track,
			       first->rtx_ssrc, p->name, first->rtx_ssrc, stream, stream, track);
		}
	}
	return strbuf_result(&b);
}

static const struct sdp_media *media_by_mid(const struct sdp_session *s, const char *mid)
{
	for (size_t i = 0; i < s->n_media; i++)
		if (strcmp(s->media[i].mid, mid) == 0)
			return &s->media[i];
	return NULL;
}

static const struct sdp_codec *codec_named(const struct sdp_media *m, const char *name)
{
	for (size_t i = 0; i < m->n_codecs; i++)
		if (strcasecmp(m->codecs[i].name, name) == 0)
			return &m->codecs[i];
	return NULL;
}

/* What plenum or Janus sends on a subscribe m-line: Opus, or VP8 / H.264 as its publisher sends. */
static const struct sdp_codec *media_codec(const struct sdp_media *m)
{
	if (m->kind == SDP_KIND_AUDIO)
		return codec_named(m, "opus");
	const struct sdp_codec *c = codec_named(m, "VP8");
	return c ? c : codec_named(m, "H264");
}

static const struct sdp_codec *rtx_for(const struct sdp_media *m, uint8_t apt)
{
	for (size_t i = 0; i < m->n_codecs; i++)
		if (m->codecs[i].is_rtx && m->codecs[i].rtx_apt == apt)
			return &m->codecs[i];
	return NULL;
}

int lg_sdp_publish_apply_answer(struct lg_pc *pc, const char *sdp)
{
	int rc = parse(sdp);
	if (rc != 0)
		return rc;
	const struct sdp_session *s = parsed;
	size_t active = 0;
	for (size_t i = 0; i < pc->n_tx; i++) {
		struct lg_tx *t = &pc->tx[i];
		const struct sdp_media *m = media_by_mid(s, t->mid);
		t->active = false;
		if (!m || sdp_media_rejected(m) || m->dir == SDP_DIR_INACTIVE || m->dir == SDP_DIR_SENDONLY)
			continue;
		const struct sdp_codec *c = codec_named(m, t->kind == LG_AUDIO ? "opus" : pc->lg->o.h264 ? "H264" : "VP8");
		if (!c || m->codecs[0].pt != c->pt)
			continue;   /* the server chose another codec: nothing we can send */
		t->pt = c->pt;
		const struct sdp_codec *rtx = t->kind == LG_VIDEO ? rtx_for(m, c->pt) : NULL;
		t->rtx_pt = rtx ? rtx->pt : 0;
		/* Without a=simulcast in the answer a browser sends one encoding: keep the highest. */
		if (t->rid[0] && !m->has_simulcast && strcmp(t->rid, "f") != 0)
			continue;
		if (!m->has_simulcast)
			t->rid[0] = '\0';
		if (!pc->ext_mid)
			pc->ext_mid = sdp_media_ext_id(m, SDP_EXT_MID);
		if (!pc->ext_twcc)
			pc->ext_twcc = sdp_media_ext_id(m, SDP_EXT_TWCC);
		if (t->kind == LG_AUDIO)
			pc->ext_level = sdp_media_ext_id(m, SDP_EXT_AUDIO_LEVEL);
		else if (m->has_simulcast) {
			pc->ext_rid = sdp_media_ext_id(m, EXT_RID);
			pc->ext_rrid = sdp_media_ext_id(m, EXT_RRID);
		}
		t->active = true;
		active++;
	}
	if (!active)
		return EPROTO;
	return lg_pc_set_remote(pc, sdp, s);
}

/* ---- subscribe --------------------------------------------------------------------------------- */

static bool ext_known(const char *uri)
{
	return strcmp(uri, SDP_EXT_MID) == 0 || strcmp(uri, SDP_EXT_AUDIO_LEVEL) == 0 ||
	       strcmp(uri, SDP_EXT_ABS_SEND_TIME) == 0 || strcmp(uri, SDP_EXT_TWCC) == 0;
}

static void rx_from_media(struct lg_pc *pc, const struct sdp_media *m, const struct sdp_codec *c, uint8_t rtx_pt)
{
	uint32_t ssrc = m->fid_primary ? m->fid_primary : (m->n_ssrcs ? m->ssrcs[0] : 0);
	if (!ssrc)
		return;   /* learnt from the first packet instead */
	struct lg_rx *r = lg_rx_add(pc, ssrc);
	if (!r)
		return;
	r->kind = m->kind == SDP_KIND_AUDIO ? LG_AUDIO : LG_VIDEO;
	r->pt = c->pt;
	r->rtx_pt = rtx_pt;
	r->rtx_ssrc = m->fid_rtx;
	r->nack_ok = c->fb_nack;
	r->h264 = strcasecmp(c->name, "H264") == 0;
	snprintf(r->mid, sizeof r->mid, "%.15s", m->mid);   /* server mids are short */
}

/* transport-cc feedback for what the server sends, when this m-line negotiates it */
static void twcc_from_media(struct lg_pc *pc, const struct sdp_media *m, const struct sdp_codec *c)
{
	uint8_t tw = sdp_media_ext_id(m, SDP_EXT_TWCC);
	if (tw && c->fb_transport_cc && !pc->twcc && (pc->twcc = malloc(sizeof *pc->twcc)) != NULL) {
		twcc_recorder_init(pc->twcc);
		pc->ext_twcc = tw;
	}
}

int lg_sdp_subscribe_answer(struct lg_pc *pc, const char *offer, char *out, size_t cap)
{
	int rc = parse(offer);
	if (rc != 0)
		return rc;
	const struct sdp_session *s = parsed;
	struct strbuf b;
	strbuf_init(&b, out, cap);
	strbuf_printf(&b, "v=0\r\no=- %u%06u 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE", util_random_u32(),
	       util_random_u32() % 1000000);
	bool accepted[SDP_MAX_MEDIA] = { false };
	for (size_t i = 0; i < s->n_media; i++) {
		const struct sdp_media *m = &s->media[i];
		accepted[i] = !sdp_media_rejected(m) && (m->kind == SDP_KIND_AUDIO || m->kind == SDP_KIND_VIDEO) &&
		              media_codec(m);
		if (accepted[i])
			strbuf_printf(&b, " %s", m->mid);
	}
	strbuf_printf(&b, "\r\na=msid-semantic: WMS\r\n");
	bool first = true;
	for (size_t i = 0; i < s->n_media; i++) {
		const struct sdp_media *m = &s->media[i];
		if (!accepted[i]) {
			strbuf_printf(&b, "m=%s 0 %s %s\r\nc=IN IP4 0.0.0.0\r\na=mid:%s\r\na=inactive\r\n",
			       m->media_name[0] ? m->media_name : "audio", m->proto[0] ? m->proto : "UDP/TLS/RTP/SAVPF",
			       m->fmt_first[0] ? m->fmt_first : "0", m->mid);
			continue;
		}
		const struct sdp_codec *c = media_codec(m);
		const struct sdp_codec *rtx = m->kind == SDP_KIND_VIDEO ? rtx_for(m, c->pt) : NULL;
		if (rtx)
			strbuf_printf(&b, "m=%s 9 UDP/TLS/RTP/SAVPF %u %u\r\n", m->media_name, c->pt, rtx->pt);
		else
			strbuf_printf(&b, "m=%s 9 UDP/TLS/RTP/SAVPF %u\r\n", m->media_name, c->pt);
		transport_lines(&b, pc, "active", first);
		first = false;
		strbuf_printf(&b, "a=mid:%s\r\n", m->mid);
		for (size_t e = 0; e < m->n_ext; e++)
			if (ext_known(m->ext[e].uri))
				strbuf_printf(&b, "a=extmap:%u %s\r\n", m->ext[e].id, m->ext[e].uri);
		bool sends = m->dir == SDP_DIR_SENDONLY || m->dir == SDP_DIR_SENDRECV;
		strbuf_printf(&b, "a=%s\r\na=rtcp-mux\r\na=rtcp-rsize\r\n", sends ? "recvonly" : "inactive");
		strbuf_printf(&b, "a=rtpmap:%u %s/%u%s\r\n", c->pt, c->name, c->clock, m->kind == SDP_KIND_AUDIO ? "/2" : "");
		if (c->fb_transport_cc)
			strbuf_printf(&b, "a=rtcp-fb:%u transport-cc\r\n", c->pt);
		if (c->fb_ccm_fir)
			strbuf_printf(&b, "a=rtcp-fb:%u ccm fir\r\n", c->pt);
		if (c->fb_nack)
			strbuf_printf(&b, "a=rtcp-fb:%u nack\r\n", c->pt);
		if (c->fb_nack_pli)
			strbuf_printf(&b, "a=rtcp-fb:%u nack pli\r\n", c->pt);
		if (c->fb_goog_remb)
			strbuf_printf(&b, "a=rtcp-fb:%u goog-remb\r\n", c->pt);
		if (m->kind == SDP_KIND_AUDIO)
			strbuf_printf(&b, "a=fmtp:%u minptime=10;useinbandfec=1\r\n", c->pt);
		else if (c->fmtp[0])   /* H.264: the offer's profile and packetization mode */
			strbuf_printf(&b, "a=fmtp:%u %s\r\n", c->pt, c->fmtp);
		if (rtx)
			strbuf_printf(&b, "a=rtpmap:%u rtx/90000\r\na=fmtp:%u apt=%u\r\n", rtx->pt, rtx->pt, c->pt);
		if (sends)
			rx_from_media(pc, m, c, rtx ? rtx->pt : 0);
		twcc_from_media(pc, m, c);
	}
	if (b.overflow)
		return ENOSPC;
	return lg_pc_set_remote(pc, offer, s);
}

/* ---- WHEP viewer (draft-ietf-wish-whep): the client offers, receive only ------------------------ */

/* A recvonly offer as addTransceiver("audio"/"video", {direction: "recvonly"}) makes it: one BUNDLE
 * group, rtcp-mux, Opus 111 and VP8 96 with RTX 97, transport-cc, our candidate. */
int lg_sdp_whep_offer(struct lg_pc *pc, char *out, size_t cap)
{
	struct strbuf b;
	strbuf_init(&b, out, cap);
	strbuf_printf(&b, "v=0\r\no=- %u%06u 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
	              "a=extmap-allow-mixed\r\na=msid-semantic: WMS\r\n", util_random_u32(), util_random_u32() % 1000000);
	strbuf_printf(&b, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n");
	transport_lines(&b, pc, "actpass", true);
	strbuf_printf(&b, "a=mid:0\r\na=extmap:1 " SDP_EXT_AUDIO_LEVEL "\r\na=extmap:3 " SDP_EXT_TWCC "\r\n"
	              "a=extmap:4 " SDP_EXT_MID "\r\na=recvonly\r\na=rtcp-mux\r\na=rtcp-rsize\r\n"
	              "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n");
	strbuf_printf(&b, "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n");
	transport_lines(&b, pc, "actpass", false);
	strbuf_printf(&b, "a=mid:1\r\na=extmap:2 " SDP_EXT_ABS_SEND_TIME "\r\na=extmap:3 " SDP_EXT_TWCC "\r\n"
	              "a=extmap:4 " SDP_EXT_MID "\r\na=recvonly\r\na=rtcp-mux\r\na=rtcp-rsize\r\n"
	              "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 goog-remb\r\na=rtcp-fb:96 transport-cc\r\n"
	              "a=rtcp-fb:96 ccm fir\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\n"
	              "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n");
	return strbuf_result(&b);
}

/* The server's answer: what it sends on each m-line goes into the receive table; starts ICE. */
int lg_sdp_whep_apply_answer(struct lg_pc *pc, const char *answer)
{
	int rc = parse(answer);
	if (rc != 0)
		return rc;
	const struct sdp_session *s = parsed;
	size_t usable = 0;
	for (size_t i = 0; i < s->n_media; i++) {
		const struct sdp_media *m = &s->media[i];
		bool audio = m->kind == SDP_KIND_AUDIO;
		const struct sdp_codec *c = codec_named(m, audio ? "opus" : "VP8");
		if (sdp_media_rejected(m) || (!audio && m->kind != SDP_KIND_VIDEO) || !c ||
		    (m->dir != SDP_DIR_SENDONLY && m->dir != SDP_DIR_SENDRECV))
			continue;
		const struct sdp_codec *rtx = audio ? NULL : rtx_for(m, c->pt);
		rx_from_media(pc, m, c, rtx ? rtx->pt : 0);
		twcc_from_media(pc, m, c);
		usable++;
	}
	if (!usable)
		return EPROTO;
	return lg_pc_set_remote(pc, answer, s);
}
