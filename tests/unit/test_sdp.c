/* test_sdp: parsing real Chromium and Firefox offers, plenum's publish answers and subscribe offers,
 * the check of browser answers, and malformed input. RFC 8866, RFC 8829, RFC 8843. That the
 * captured answers are what the production path writes is test_sdp_capture's part. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdp.h"

#define VEC "tests/vectors/sdp/"

/* A fixed local side, so the texts written here are the same on every run. */
static const struct sdp_local local = {
	.ice_ufrag = "plnm",
	.ice_pwd = "plenumplenumplenumplenum",
	.fingerprint = "9A:3C:1E:55:07:B2:6F:D4:88:10:EE:42:39:7C:C1:05:6B:2F:90:AD:13:4E:F7:62:08:5C:B9:31:DA:74:0E:A6",
	.ip = "127.0.0.1",
	.port = 40000,
	.sess_id = 4242424242,
	.sess_version = 1,
};

static const struct sdp_sub_track tracks[] = {
	{ "0", SDP_KIND_AUDIO, true, 1111, 0, "alice", "alice-mic", "alicecname", SDP_VIDEO_VP8, 0, false },
	{ "1", SDP_KIND_VIDEO, true, 2222, 2223, "alice", "alice-cam", "alicecname", SDP_VIDEO_VP8, 0, false },
	{ "2", SDP_KIND_VIDEO, false, 0, 0, "", "", "", SDP_VIDEO_VP8, 0, false },
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s (run from the repository root)", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Text with every occurrence of `from` replaced by `to` (malloc'd). */
static char *replace(const char *text, const char *from, const char *to)
{
	size_t nf = strlen(from), nt = strlen(to), count = 0;
	for (const char *p = text; (p = strstr(p, from)); p += nf)
		count++;
	char *out = malloc(strlen(text) + count * nt + 1), *o = out;
	const char *p = text, *hit;
	while ((hit = strstr(p, from))) {
		memcpy(o, p, (size_t)(hit - p));
		o += hit - p;
		memcpy(o, to, nt);
		o += nt;
		p = hit + nf;
	}
	strcpy(o, p);
	return out;
}

/* Text without the lines starting with `prefix` (malloc'd). */
static char *drop_lines(const char *text, const char *prefix)
{
	char *out = malloc(strlen(text) + 1), *o = out;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		if (strncmp(p, prefix, strlen(prefix)) != 0) {
			memcpy(o, p, n);
			o += n;
		}
		p += n;
	}
	*o = '\0';
	return out;
}

/* The value after `prefix` on the nth (0-based) line starting with it, read independently of the
 * parser; "" when absent. */
static const char *scan(const char *text, const char *prefix, int nth)
{
	static char val[512];
	val[0] = '\0';
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, prefix, strlen(prefix)) != 0 || nth-- > 0)
			continue;
		p += strlen(prefix);
		size_t n = strcspn(p, "\r\n");
		snprintf(val, sizeof(val), "%.*s", (int)n, p);
		break;
	}
	return val;
}

/* The extmap id the text gives uri in the media section starting at m-line number `m`, or 0. */
static unsigned scan_ext(const char *text, int m, const char *uri)
{
	const char *p = text;
	for (int i = 0; i <= m; i++)
		p = strstr(p + 1, "\nm=");
	const char *end = strstr(p + 1, "\nm=");
	for (const char *q = strstr(p, "a=extmap:"); q && (!end || q < end); q = strstr(q + 1, "a=extmap:")) {
		unsigned id;
		char u[200];
		if (sscanf(q, "a=extmap:%u%*[^ ] %199s", &id, u) == 2 && strcmp(u, uri) == 0)
			return id;
		if (sscanf(q, "a=extmap:%u %199s", &id, u) == 2 && strcmp(u, uri) == 0)
			return id;
	}
	return 0;
}

static struct sdp_session *parse_ok(const char *text)
{
	struct sdp_session *s;
	ck_assert_int_eq(sdp_session_new(&s), 0);
	ck_assert_int_eq(sdp_parse(s, text, strlen(text)), 0);
	return s;
}

static int parse_rc(const char *text, size_t len)
{
	struct sdp_session *s;
	ck_assert_int_eq(sdp_session_new(&s), 0);
	int rc = sdp_parse(s, text, len);
	sdp_session_free(s);
	return rc;
}

static const struct sdp_codec *codec_named(const struct sdp_media *m, const char *name)
{
	for (size_t i = 0; i < m->n_codecs; i++)
		if (strcmp(m->codecs[i].name, name) == 0)
			return &m->codecs[i];
	return NULL;
}

/* ---- parsing the captured offers ---- */

START_TEST(chromium_offer)
{
	char *text = slurp(VEC "chromium-offer-gum.sdp");
	struct sdp_session *s = parse_ok(text);
	ck_assert_uint_eq(s->n_media, 2);
	ck_assert_uint_eq(s->n_bundle, 2);
	ck_assert_str_eq(s->bundle[0], "0");
	ck_assert_str_eq(s->bundle[1], "1");
	ck_assert(!s->ice_lite);
	ck_assert_uint_ne(s->sess_id, 0);

	const struct sdp_media *a = &s->media[0], *v = &s->media[1];
	ck_assert_int_eq(a->kind, SDP_KIND_AUDIO);
	ck_assert_int_eq(v->kind, SDP_KIND_VIDEO);
	ck_assert_str_eq(a->mid, "0");
	ck_assert_str_eq(v->mid, "1");
	ck_assert_str_eq(a->proto, "UDP/TLS/RTP/SAVPF");
	ck_assert_int_eq(a->dir, SDP_DIR_SENDONLY);
	ck_assert(a->rtcp_mux && a->rtcp_rsize && v->rtcp_mux);

	ck_assert_uint_eq(a->codecs[0].pt, 111);
	ck_assert_str_eq(a->codecs[0].name, "opus");
	ck_assert_uint_eq(a->codecs[0].clock, 48000);
	ck_assert_uint_eq(a->codecs[0].channels, 2);
	ck_assert_str_eq(a->codecs[0].fmtp, "minptime=10;useinbandfec=1");
	ck_assert(a->codecs[0].fb_transport_cc);

	const struct sdp_codec *vp8 = codec_named(v, "VP8"), *rtx = sdp_media_codec(v, 97);
	ck_assert_ptr_nonnull(vp8);
	ck_assert_uint_eq(vp8->pt, 96);
	ck_assert_uint_eq(vp8->clock, 90000);
	ck_assert(vp8->fb_nack && vp8->fb_nack_pli && vp8->fb_ccm_fir && vp8->fb_transport_cc && vp8->fb_goog_remb);
	ck_assert_ptr_nonnull(rtx);
	ck_assert(rtx->is_rtx);
	ck_assert_uint_eq(rtx->rtx_apt, 96);
	ck_assert(!vp8->is_rtx);

	ck_assert_uint_eq(sdp_media_ext_id(a, SDP_EXT_MID), scan_ext(text, 0, SDP_EXT_MID));
	ck_assert_uint_eq(sdp_media_ext_id(a, SDP_EXT_AUDIO_LEVEL), scan_ext(text, 0, SDP_EXT_AUDIO_LEVEL));
	ck_assert_uint_eq(sdp_media_ext_id(v, SDP_EXT_TWCC), scan_ext(text, 1, SDP_EXT_TWCC));
	ck_assert_uint_ne(sdp_media_ext_id(v, SDP_EXT_MID), 0);

	unsigned p, r;
	ck_assert_int_eq(sscanf(scan(text, "a=ssrc-group:FID ", 0), "%u %u", &p, &r), 2);
	ck_assert_uint_eq(v->fid_primary, p);
	ck_assert_uint_eq(v->fid_rtx, r);
	ck_assert_uint_eq(v->n_ssrcs, 2);
	ck_assert_uint_eq(a->n_ssrcs, 1);
	ck_assert_uint_eq(a->ssrcs[0], strtoul(scan(text, "a=ssrc:", 0), NULL, 10));
	ck_assert_str_eq(a->cname, scan(text, "a=ssrc:", 0) + strcspn(scan(text, "a=ssrc:", 0), ":") + 1);
	ck_assert_str_ne(a->msid_track, "");

	ck_assert_str_eq(a->ice_ufrag, scan(text, "a=ice-ufrag:", 0));
	ck_assert_str_eq(v->ice_pwd, scan(text, "a=ice-pwd:", 0));
	ck_assert_str_eq(a->fp_alg, "sha-256");
	ck_assert_str_eq(a->fp, scan(text, "a=fingerprint:sha-256 ", 0));
	ck_assert_str_eq(a->setup, "actpass");
	sdp_session_free(s);
	free(text);
}
END_TEST

START_TEST(firefox_offer)
{
	char *text = slurp(VEC "firefox-offer-gum.sdp");
	struct sdp_session *s = parse_ok(text);
	ck_assert_uint_eq(s->n_media, 2);
	const struct sdp_media *a = &s->media[0], *v = &s->media[1];
	/* Firefox writes the fingerprint at session level: every m-line inherits it. */
	ck_assert_str_eq(a->fp, scan(text, "a=fingerprint:sha-256 ", 0));
	ck_assert_str_eq(v->fp, a->fp);
	ck_assert_str_eq(v->fp_alg, "sha-256");
	ck_assert_str_eq(a->ice_ufrag, scan(text, "a=ice-ufrag:", 0));
	ck_assert_str_eq(a->setup, "actpass");

	const struct sdp_codec *opus = codec_named(a, "opus"), *vp8 = codec_named(v, "VP8");
	ck_assert_ptr_nonnull(opus);
	ck_assert_uint_eq(opus->pt, 109);
	ck_assert_uint_eq(opus->channels, 2);
	ck_assert_ptr_nonnull(strstr(opus->fmtp, "stereo=1"));
	ck_assert_ptr_nonnull(vp8);
	ck_assert_uint_eq(vp8->pt, 120);
	ck_assert_str_eq(vp8->fmtp, "max-fs=12288;max-fr=60");
	const struct sdp_codec *rtx = NULL;
	for (size_t i = 0; i < v->n_codecs; i++)
		if (v->codecs[i].is_rtx && v->codecs[i].rtx_apt == vp8->pt)
			rtx = &v->codecs[i];
	ck_assert_ptr_nonnull(rtx);
	ck_assert_uint_eq(rtx->pt, 124);

	/* "a=extmap:2/recvonly …": the direction does not hide the id. */
	ck_assert_uint_eq(sdp_media_ext_id(a, "urn:ietf:params:rtp-hdrext:csrc-audio-level"), 2);
	ck_assert_uint_eq(sdp_media_ext_id(v, SDP_EXT_MID), scan_ext(text, 1, SDP_EXT_MID));
	ck_assert_str_eq(a->msid_stream, v->msid_stream);
	ck_assert_int_eq(a->msid_stream[0], '{');
	unsigned p, r;
	ck_assert_int_eq(sscanf(scan(text, "a=ssrc-group:FID ", 0), "%u %u", &p, &r), 2);
	ck_assert_uint_eq(v->fid_primary, p);
	ck_assert_uint_eq(v->fid_rtx, r);
	sdp_session_free(s);
	free(text);
}
END_TEST

START_TEST(simulcast_offers)
{
	const char *files[] = { VEC "chromium-offer-simulcast.sdp", VEC "firefox-offer-simulcast.sdp" };
	for (size_t i = 0; i < 2; i++) {
		char *text = slurp(files[i]);
		struct sdp_session *s = parse_ok(text);
		ck_assert(!s->media[0].has_simulcast);
		ck_assert(s->media[1].has_simulcast);
		char answer[16384];
		struct sdp_publish_media pm[4];
		size_t n;
		ck_assert_int_eq(sdp_answer_publish(s, &local, pm, 4, &n, answer, sizeof(answer)), 0);
		ck_assert_ptr_null(strstr(answer, "a=rid"));
		ck_assert_ptr_null(strstr(answer, "a=simulcast"));
		ck_assert(pm[1].accepted);
		ck_assert_uint_eq(pm[1].n_rids, 0);
		/* with simulcast on (as the server answers), the three layers are taken, lowest first */
		struct sdp_local sim = local;
		sim.simulcast = true;
		ck_assert_int_eq(sdp_answer_publish(s, &sim, pm, 4, &n, answer, sizeof(answer)), 0);
		ck_assert_ptr_nonnull(strstr(answer, "a=rid:q recv\r\na=rid:h recv\r\na=rid:f recv\r\na=simulcast:recv q;h;f\r\n"));
		ck_assert_uint_eq(pm[1].n_rids, 3);
		ck_assert_str_eq(pm[1].rids[0], "q");
		ck_assert_str_eq(pm[1].rids[2], "f");
		ck_assert_uint_ne(pm[1].ext_rid, 0);
		ck_assert_uint_eq(pm[0].n_rids, 0);
		sdp_session_free(s);
		free(text);
	}
}
END_TEST

START_TEST(lf_only)
{
	char *crlf = slurp(VEC "chromium-offer-gum.sdp");
	ck_assert_ptr_nonnull(strstr(crlf, "\r\n"));
	char *lf = replace(crlf, "\r\n", "\n");
	struct sdp_session *a = parse_ok(crlf), *b = parse_ok(lf);
	ck_assert_int_eq(memcmp(a, b, sizeof(*a)), 0);
	sdp_session_free(a);
	sdp_session_free(b);
	free(lf);
	free(crlf);
}
END_TEST

/* ---- publish answers for every captured offer ---- */

static const char *const pub_cases[] = { "transceivers", "gum", "datachannel", "datachannel-first", "maxbundle", "simulcast" };
#define N_PUB 6
static const char *const browsers[] = { "chromium", "firefox" };

START_TEST(publish_answer)
{
	char path[256];
	const char *b = browsers[_i / N_PUB], *c = pub_cases[_i % N_PUB];
	snprintf(path, sizeof(path), VEC "%s-offer-%s.sdp", b, c);
	char *text = slurp(path);
	struct sdp_session *offer = parse_ok(text);

	char answer[16384];
	struct sdp_publish_media pm[SDP_MAX_MEDIA];
	size_t n = 99;
	ck_assert_int_eq(sdp_answer_publish(offer, &local, pm, SDP_MAX_MEDIA, &n, answer, sizeof(answer)), 0);
	ck_assert_uint_eq(n, offer->n_media);

	struct sdp_session *ans = parse_ok(answer);
	ck_assert(ans->ice_lite);
	ck_assert_uint_eq(ans->n_media, offer->n_media);
	ck_assert_uint_eq(ans->n_bundle, 2);
	ck_assert_str_eq(ans->bundle[0], "0");
	ck_assert_str_eq(ans->bundle[1], "1");
	for (size_t i = 0; i < n; i++) {
		const struct sdp_media *om = &offer->media[i], *am = &ans->media[i];
		ck_assert_str_eq(am->mid, om->mid);
		ck_assert_str_eq(pm[i].mid, om->mid);
		ck_assert_int_eq(am->kind, om->kind);
		if (om->kind == SDP_KIND_APPLICATION) {
			ck_assert(!pm[i].accepted);
			ck_assert_uint_eq(am->port, 0);
			ck_assert(sdp_media_rejected(am));
			continue;
		}
		ck_assert(pm[i].accepted);
		ck_assert_int_eq(pm[i].dir, SDP_DIR_RECVONLY);
		ck_assert_int_eq(am->dir, SDP_DIR_RECVONLY);
		ck_assert_uint_eq(am->port, 40000);
		ck_assert_str_eq(am->setup, "passive");
		ck_assert_str_eq(am->ice_ufrag, "plnm");
		ck_assert_str_eq(am->fp, local.fingerprint);
		ck_assert(am->rtcp_mux);
		const struct sdp_codec *want = codec_named(om, om->kind == SDP_KIND_AUDIO ? "opus" : "VP8");
		ck_assert_uint_eq(pm[i].pt, want->pt);
		ck_assert_uint_eq(am->codecs[0].pt, want->pt);
		ck_assert_str_eq(am->codecs[0].name, want->name);
		ck_assert_uint_eq(am->codecs[0].fb_nack, want->fb_nack);
		ck_assert_uint_eq(am->codecs[0].fb_transport_cc, want->fb_transport_cc);
		if (om->kind == SDP_KIND_VIDEO) {
			ck_assert_uint_eq(am->n_codecs, 2);
			ck_assert_uint_eq(pm[i].rtx_pt, am->codecs[1].pt);
			ck_assert(am->codecs[1].is_rtx);
			ck_assert_uint_eq(am->codecs[1].rtx_apt, want->pt);
			ck_assert(am->codecs[0].fb_nack_pli && am->codecs[0].fb_ccm_fir);
		} else {
			ck_assert_uint_eq(am->n_codecs, 1);
			ck_assert_uint_eq(pm[i].ext_audio_level, sdp_media_ext_id(om, SDP_EXT_AUDIO_LEVEL));
			ck_assert_uint_ne(pm[i].ext_audio_level, 0);
			ck_assert_int_eq(pm[i].opus_stereo, strstr(want->fmtp, "stereo=1") != NULL);
			ck_assert_int_eq(pm[i].opus_stereo, strstr(am->codecs[0].fmtp, "stereo=1") != NULL);
		}
		/* extmaps: only the four plenum reads, with the offer's ids */
		ck_assert_uint_eq(pm[i].ext_mid, sdp_media_ext_id(om, SDP_EXT_MID));
		ck_assert_uint_ne(pm[i].ext_mid, 0);
		ck_assert_uint_eq(pm[i].ext_twcc, sdp_media_ext_id(om, SDP_EXT_TWCC));
		ck_assert_uint_eq(sdp_media_ext_id(am, SDP_EXT_MID), pm[i].ext_mid);
		ck_assert_uint_eq(sdp_media_ext_id(am, SDP_EXT_TWCC), pm[i].ext_twcc);
		ck_assert_uint_eq(sdp_media_ext_id(am, SDP_EXT_ABS_SEND_TIME), pm[i].ext_abs_send_time);
		for (size_t e = 0; e < am->n_ext; e++)
			ck_assert(strcmp(am->ext[e].uri, SDP_EXT_MID) == 0 || strcmp(am->ext[e].uri, SDP_EXT_TWCC) == 0 ||
			          strcmp(am->ext[e].uri, SDP_EXT_ABS_SEND_TIME) == 0 ||
			          strcmp(am->ext[e].uri, SDP_EXT_AUDIO_LEVEL) == 0);
		/* signalled SSRCs */
		if (om->fid_primary) {
			ck_assert_uint_eq(pm[i].ssrc, om->fid_primary);
			ck_assert_uint_eq(pm[i].rtx_ssrc, om->fid_rtx);
		} else if (om->n_ssrcs) {
			ck_assert_uint_eq(pm[i].ssrc, om->ssrcs[0]);
		}
		ck_assert_uint_eq(am->n_ssrcs, 0);
	}
	ck_assert_ptr_nonnull(strstr(answer, "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\n"));
	const char *ufrag, *fp, *setup;
	ck_assert_int_eq(sdp_session_transport(ans, &ufrag, NULL, NULL, &fp, &setup), 0);
	ck_assert_str_eq(ufrag, "plnm");
	ck_assert_str_eq(setup, "passive");
	sdp_session_free(ans);
	sdp_session_free(offer);
	free(text);
}
END_TEST

/* ---- publish answer refusals ---- */

static int answer_rc(const char *text)
{
	struct sdp_session *s;
	ck_assert_int_eq(sdp_session_new(&s), 0);
	int rc = sdp_parse(s, text, strlen(text));
	ck_assert_int_eq(rc, 0);
	char answer[16384];
	struct sdp_publish_media pm[SDP_MAX_MEDIA];
	size_t n;
	rc = sdp_answer_publish(s, &local, pm, SDP_MAX_MEDIA, &n, answer, sizeof(answer));
	sdp_session_free(s);
	return rc;
}

START_TEST(publish_refusals)
{
	char *chrome = slurp(VEC "chromium-offer-transceivers.sdp");
	char *firefox = slurp(VEC "firefox-offer-transceivers.sdp");
	const char *drops[] = { "a=fingerprint:", "a=ice-ufrag:", "a=ice-pwd:", "a=rtcp-mux", "a=group:BUNDLE", "a=rtpmap:" };
	for (size_t i = 0; i < sizeof(drops) / sizeof(drops[0]); i++) {
		char *t = drop_lines(chrome, drops[i]);
		ck_assert_msg(answer_rc(t) == EPROTO, "chromium without %s", drops[i]);
		free(t);
		t = drop_lines(firefox, drops[i]);
		ck_assert_msg(answer_rc(t) == EPROTO, "firefox without %s", drops[i]);
		free(t);
	}
	char *t = replace(chrome, "a=setup:actpass", "a=setup:passive");
	ck_assert_int_eq(answer_rc(t), EPROTO);
	free(t);
	/* No Opus, no VP8 and no H.264: nothing acceptable. */
	char *t1 = replace(chrome, " opus/", " speex/"), *t2 = replace(t1, " VP8/", " VP7/"), *t3 = replace(t2, " H264/", " H263/");
	ck_assert_int_eq(answer_rc(t3), EPROTO);
	free(t1);
	free(t2);
	free(t3);
	/* Only VP8 and H.264 gone: audio stays, video is rejected with port 0. */
	t1 = replace(chrome, " VP8/", " VP7/");
	t = replace(t1, " H264/", " H263/");
	free(t1);
	struct sdp_session *s = parse_ok(t);
	char answer[16384];
	struct sdp_publish_media pm[4];
	size_t n;
	ck_assert_int_eq(sdp_answer_publish(s, &local, pm, 4, &n, answer, sizeof(answer)), 0);
	ck_assert(pm[0].accepted && !pm[1].accepted);
	struct sdp_session *a = parse_ok(answer);
	ck_assert_uint_eq(a->media[1].port, 0);
	ck_assert_str_eq(a->media[1].mid, "1");
	ck_assert_uint_eq(a->n_bundle, 1);
	/* too little room */
	ck_assert_int_eq(sdp_answer_publish(s, &local, pm, 1, &n, answer, sizeof(answer)), ENOSPC);
	ck_assert_int_eq(sdp_answer_publish(s, &local, pm, 4, &n, answer, 300), ENOSPC);
	ck_assert_str_eq(answer, "");
	struct sdp_local bad = local;
	bad.fingerprint = "AB:CD";
	ck_assert_int_eq(sdp_answer_publish(s, &bad, pm, 4, &n, answer, sizeof(answer)), EINVAL);
	sdp_session_free(a);
	sdp_session_free(s);
	free(t);
	/* An offer that only receives gets an inactive answer. */
	t = replace(chrome, "a=sendonly", "a=recvonly");
	s = parse_ok(t);
	ck_assert_int_eq(sdp_answer_publish(s, &local, pm, 4, &n, answer, sizeof(answer)), 0);
	ck_assert(pm[0].accepted);
	ck_assert_int_eq(pm[0].dir, SDP_DIR_INACTIVE);
	ck_assert_ptr_nonnull(strstr(answer, "a=inactive"));
	sdp_session_free(s);
	free(t);
	free(firefox);
	free(chrome);
}
END_TEST

START_TEST(bundle_edges)
{
	/* Firefox with max-bundle: the video m-line has port 0 and a=bundle-only, and is accepted. */
	char *text = slurp(VEC "firefox-offer-maxbundle.sdp");
	struct sdp_session *s = parse_ok(text);
	ck_assert_uint_eq(s->media[1].port, 0);
	ck_assert(s->media[1].bundle_only);
	ck_assert(!sdp_media_rejected(&s->media[1]));
	char answer[16384];
	struct sdp_publish_media pm[4];
	size_t n;
	ck_assert_int_eq(sdp_answer_publish(s, &local, pm, 4, &n, answer, sizeof(answer)), 0);
	ck_assert(pm[1].accepted);
	sdp_session_free(s);
	free(text);

	/* The offerer's BUNDLE tag is the data channel, which plenum rejects: the answer's group
	 * starts with the first accepted mid. */
	text = slurp(VEC "chromium-offer-datachannel.sdp");
	char *t = replace(text, "a=group:BUNDLE 0 1 2", "a=group:BUNDLE 2 0 1");
	s = parse_ok(t);
	const char *ufrag;
	ck_assert_int_eq(sdp_session_transport(s, &ufrag, NULL, NULL, NULL, NULL), 0);
	ck_assert_ptr_eq(ufrag, s->media[2].ice_ufrag);
	ck_assert_int_eq(sdp_answer_publish(s, &local, pm, 4, &n, answer, sizeof(answer)), 0);
	ck_assert(pm[0].accepted && pm[1].accepted && !pm[2].accepted);
	struct sdp_session *a = parse_ok(answer);
	ck_assert_uint_eq(a->n_bundle, 2);
	ck_assert_str_eq(a->bundle[0], "0");
	ck_assert_uint_eq(a->media[2].port, 0);
	sdp_session_free(a);
	sdp_session_free(s);
	free(t);
	/* A mid outside the BUNDLE group is rejected. */
	t = replace(text, "a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 2");
	s = parse_ok(t);
	ck_assert_int_eq(sdp_answer_publish(s, &local, pm, 4, &n, answer, sizeof(answer)), 0);
	ck_assert(pm[0].accepted && !pm[1].accepted);
	ck_assert_ptr_nonnull(strstr(answer, "m=video 0 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\n"));
	sdp_session_free(s);
	free(t);
	free(text);
}
END_TEST

/* ---- subscribe offer ---- */

START_TEST(subscribe_round_trip)
{
	char offer[16384];
	ck_assert_int_eq(sdp_write_subscribe_offer(&local, tracks, 3, offer, sizeof(offer)), 0);
	struct sdp_session *s = parse_ok(offer);
	ck_assert(s->ice_lite);
	ck_assert_uint_eq(s->sess_id, 4242424242u);
	ck_assert_uint_eq(s->sess_version, 1);
	ck_assert_uint_eq(s->n_media, 3);
	ck_assert_uint_eq(s->n_bundle, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct sdp_media *m = &s->media[i];
		ck_assert_str_eq(s->bundle[i], tracks[i].mid);
		ck_assert_str_eq(m->mid, tracks[i].mid);
		ck_assert_int_eq(m->kind, tracks[i].kind);
		ck_assert_uint_eq(m->port, 40000);
		ck_assert(!m->bundle_only);
		ck_assert_str_eq(m->setup, "actpass");
		ck_assert_str_eq(m->ice_ufrag, "plnm");
		ck_assert_str_eq(m->ice_pwd, "plenumplenumplenumplenum");
		ck_assert_str_eq(m->fp, local.fingerprint);
		ck_assert(m->rtcp_mux && m->rtcp_rsize);
	}
	const struct sdp_media *a = &s->media[0], *v = &s->media[1], *off = &s->media[2];
	ck_assert_int_eq(a->dir, SDP_DIR_SENDONLY);
	ck_assert_uint_eq(a->n_codecs, 1);
	ck_assert_uint_eq(a->codecs[0].pt, SDP_SUB_OPUS_PT);
	ck_assert_str_eq(a->codecs[0].name, "opus");
	ck_assert_uint_eq(a->codecs[0].channels, 2);
	ck_assert_str_eq(a->codecs[0].fmtp, "minptime=10;useinbandfec=1");
	ck_assert_uint_eq(a->n_ssrcs, 1);
	ck_assert_uint_eq(a->ssrcs[0], 1111);
	ck_assert_str_eq(a->cname, "alicecname");
	ck_assert_str_eq(a->msid_stream, "alice");
	ck_assert_str_eq(a->msid_track, "alice-mic");

	ck_assert_int_eq(v->dir, SDP_DIR_SENDONLY);
	ck_assert_uint_eq(v->n_codecs, 2);
	ck_assert_uint_eq(v->codecs[0].pt, SDP_SUB_VP8_PT);
	ck_assert(v->codecs[0].fb_nack && v->codecs[0].fb_nack_pli && v->codecs[0].fb_ccm_fir);
	ck_assert_uint_eq(v->codecs[1].pt, SDP_SUB_VP8_RTX_PT);
	ck_assert(v->codecs[1].is_rtx);
	ck_assert_uint_eq(v->codecs[1].rtx_apt, SDP_SUB_VP8_PT);
	ck_assert_uint_eq(v->fid_primary, 2222);
	ck_assert_uint_eq(v->fid_rtx, 2223);
	ck_assert_uint_eq(v->n_ssrcs, 2);
	ck_assert_str_eq(v->msid_track, "alice-cam");

	ck_assert_int_eq(off->dir, SDP_DIR_INACTIVE);
	ck_assert_uint_eq(off->n_ssrcs, 0);
	ck_assert_str_eq(off->msid_stream, "");
	ck_assert_uint_eq(off->n_codecs, 1);
	ck_assert_ptr_nonnull(strstr(offer, "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\na=end-of-candidates\r\n"));
	sdp_session_free(s);
}
END_TEST

START_TEST(subscribe_variants)
{
	char offer[8192];
	/* video without RTX, no stream id, IPv6 candidate */
	struct sdp_sub_track t = { "v7", SDP_KIND_VIDEO, true, 77, 0, "", "cam", "", SDP_VIDEO_VP8, 0, false };
	struct sdp_local l6 = local;
	l6.ip = "::1";
	ck_assert_int_eq(sdp_write_subscribe_offer(&l6, &t, 1, offer, sizeof(offer)), 0);
	struct sdp_session *s = parse_ok(offer);
	ck_assert_uint_eq(s->media[0].n_codecs, 1);
	ck_assert_uint_eq(s->media[0].fid_primary, 0);
	ck_assert_str_eq(s->media[0].msid_stream, "-");
	ck_assert_str_eq(s->media[0].cname, "plenum");
	ck_assert_ptr_nonnull(strstr(offer, "c=IN IP6 ::1\r\n"));
	sdp_session_free(s);

	struct sdp_sub_track two[2] = { tracks[0], tracks[0] };
	ck_assert_int_eq(sdp_write_subscribe_offer(&local, two, 2, offer, sizeof(offer)), EINVAL);   /* duplicate mid */
	ck_assert_int_eq(sdp_write_subscribe_offer(&local, tracks, 0, offer, sizeof(offer)), EINVAL);
	t = tracks[0];
	strcpy(t.mid, "a b");
	ck_assert_int_eq(sdp_write_subscribe_offer(&local, &t, 1, offer, sizeof(offer)), EINVAL);
	t = tracks[0];
	strcpy(t.stream_id, "x\r\na=setup:passive");
	ck_assert_int_eq(sdp_write_subscribe_offer(&local, &t, 1, offer, sizeof(offer)), EINVAL);
	t = tracks[0];
	t.ssrc = 0;
	ck_assert_int_eq(sdp_write_subscribe_offer(&local, &t, 1, offer, sizeof(offer)), EINVAL);
	t = tracks[0];
	t.kind = SDP_KIND_APPLICATION;
	ck_assert_int_eq(sdp_write_subscribe_offer(&local, &t, 1, offer, sizeof(offer)), EINVAL);
	ck_assert_int_eq(sdp_write_subscribe_offer(&local, tracks, 3, offer, 500), ENOSPC);
	ck_assert_str_eq(offer, "");
	struct sdp_local bad = local;
	bad.ice_pwd = "short";
	ck_assert_int_eq(sdp_write_subscribe_offer(&bad, tracks, 3, offer, sizeof(offer)), EINVAL);
	bad = local;
	bad.ip = "127.0.0.1 9 typ relay";
	ck_assert_int_eq(sdp_write_subscribe_offer(&bad, tracks, 3, offer, sizeof(offer)), EINVAL);

	/* 64 tracks fit the parser's table */
	static struct sdp_sub_track many[SDP_MAX_MEDIA];
	for (size_t i = 0; i < SDP_MAX_MEDIA; i++) {
		many[i] = tracks[i % 2];
		snprintf(many[i].mid, sizeof(many[i].mid), "m%zu", i);
		many[i].ssrc = 1000 + 2 * (uint32_t)i;
		many[i].rtx_ssrc = many[i].kind == SDP_KIND_VIDEO ? many[i].ssrc + 1 : 0;
	}
	static char big[256 * 1024];
	ck_assert_int_eq(sdp_write_subscribe_offer(&local, many, SDP_MAX_MEDIA, big, sizeof(big)), 0);
	s = parse_ok(big);
	ck_assert_uint_eq(s->n_media, SDP_MAX_MEDIA);
	ck_assert_uint_eq(s->n_bundle, SDP_MAX_MEDIA);
	ck_assert_str_eq(s->media[63].mid, "m63");
	sdp_session_free(s);
}
END_TEST

/* ---- subscribe answers from the browsers ---- */

static int check_rc(const char *text, const struct sdp_sub_track *t, size_t n)
{
	struct sdp_session *s = parse_ok(text);
	int rc = sdp_check_subscribe_answer(s, t, n, NULL);
	sdp_session_free(s);
	return rc;
}

START_TEST(subscribe_answers)
{
	const char *b = browsers[_i];
	char path[256];
	snprintf(path, sizeof(path), VEC "%s-subscribe-answer.sdp", b);
	char *text = slurp(path);
	/* the answer to the server's offer of an audio and a video track (mids 0 and 1) */
	ck_assert_int_eq(check_rc(text, tracks, 2), 0);
	struct sdp_session *s = parse_ok(text);
	const char *ufrag, *pwd, *alg, *fp, *setup;
	ck_assert_int_eq(sdp_session_transport(s, &ufrag, &pwd, &alg, &fp, &setup), 0);
	ck_assert_str_eq(ufrag, scan(text, "a=ice-ufrag:", 0));
	ck_assert_str_eq(pwd, scan(text, "a=ice-pwd:", 0));
	ck_assert_str_eq(alg, "sha-256");
	ck_assert_str_eq(fp, scan(text, "a=fingerprint:sha-256 ", 0));
	ck_assert_str_eq(setup, "active");
	ck_assert_uint_eq(s->n_media, 2);
	ck_assert_int_eq(s->media[0].dir, SDP_DIR_RECVONLY);
	ck_assert_int_eq(s->media[1].dir, SDP_DIR_RECVONLY);
	sdp_session_free(s);

	ck_assert_int_eq(check_rc(text, tracks, 3), EPROTO);   /* count differs */
	ck_assert_int_eq(check_rc(text, tracks, 1), EPROTO);
	char *t = replace(text, "a=setup:active", "a=setup:passive");
	ck_assert_int_eq(check_rc(t, tracks, 2), EPROTO);
	free(t);
	t = drop_lines(text, "a=fingerprint:");
	ck_assert_int_eq(check_rc(t, tracks, 2), EPROTO);
	free(t);
	t = drop_lines(text, "a=ice-pwd:");
	ck_assert_int_eq(check_rc(t, tracks, 2), EPROTO);
	free(t);
	t = replace(text, "a=mid:1", "a=mid:9");
	ck_assert_int_eq(check_rc(t, tracks, 2), EPROTO);
	free(t);
	t = replace(text, "m=audio 9", "m=audio 0");   /* the active audio track rejected */
	ck_assert_int_eq(check_rc(t, tracks, 2), EPROTO);
	free(t);
	t = replace(text, "VP8/90000", "H264/90000");
	ck_assert_int_eq(check_rc(t, tracks, 2), EPROTO);
	free(t);
	struct sdp_sub_track swapped[2] = { tracks[0], tracks[1] };
	swapped[0].kind = SDP_KIND_VIDEO;
	ck_assert_int_eq(check_rc(text, swapped, 2), EPROTO);
	free(text);
}
END_TEST

/* ---- malformed and oversized input ---- */

static const char head[] = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";

static int rc_of(const char *body)
{
	char *t = malloc(strlen(head) + strlen(body) + 1);
	strcpy(t, head);
	strcat(t, body);
	int rc = parse_rc(t, strlen(t));
	free(t);
	return rc;
}

START_TEST(malformed)
{
	ck_assert_int_eq(parse_rc("", 0), EBADMSG);
	ck_assert_int_eq(parse_rc("\r\n\r\n", 4), EBADMSG);
	ck_assert_int_eq(parse_rc("v=1\r\n", 5), EBADMSG);
	ck_assert_int_eq(parse_rc("o=- 1 1 IN IP4 0.0.0.0\r\nv=0\r\n", 29), EBADMSG);
	ck_assert_int_eq(rc_of(""), 0);
	ck_assert_int_eq(rc_of("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nx-nonsense\r\n"), EBADMSG);
	ck_assert_int_eq(rc_of("m=audio 70000 UDP/TLS/RTP/SAVPF 111\r\n"), EBADMSG);
	ck_assert_int_eq(rc_of("m=audio 9 UDP/TLS/RTP/SAVPF 200\r\n"), EBADMSG);
	ck_assert_int_eq(rc_of("m=audio 9 UDP/TLS/RTP/SAVPF opus\r\n"), EBADMSG);
	ck_assert_int_eq(rc_of("m=audio 9 UDP/TLS/RTP/SAVPF\r\n"), EBADMSG);
	ck_assert_int_eq(rc_of("m=audio x UDP/TLS/RTP/SAVPF 0\r\n"), EBADMSG);
	ck_assert_int_eq(rc_of("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48k/2\r\n"), EBADMSG);
	ck_assert_int_eq(rc_of("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:112 opus/48000/2\r\n"), 0);
	ck_assert_int_eq(rc_of("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=extmap:0 urn:x\r\n"), EBADMSG);
	ck_assert_int_eq(rc_of("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=extmap:256 urn:x\r\n"), EBADMSG);
	ck_assert_int_eq(rc_of("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ssrc:4294967296 cname:x\r\n"), EBADMSG);
	ck_assert_int_eq(rc_of("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ssrc-group:FID 1\r\n"), EBADMSG);
	ck_assert_int_eq(rc_of("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:a b\r\n"), EBADMSG);
	ck_assert_int_eq(rc_of("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=fingerprint:sha-256\r\n"), EBADMSG);
	ck_assert_int_eq(rc_of("o=- x 1 IN IP4 0.0.0.0\r\n"), EBADMSG);
	ck_assert_int_eq(rc_of("a=ice-ufrag:\r\n"), EBADMSG);
	/* unknown lines and attributes are ignored */
	ck_assert_int_eq(rc_of("b=AS:30\r\nz=whatever\r\na=x-custom:1 2 3\r\na=rtpmap:9 at-session-level\r\n"), 0);
	/* a NUL or a bare CR inside a line */
	const char nul[] = "v=0\r\na=ice-lite\0\r\n";
	ck_assert_int_eq(parse_rc(nul, sizeof(nul) - 1), EBADMSG);
	ck_assert_int_eq(rc_of("a=ice-ufrag:ab\rcd\r\n"), EBADMSG);
	/* no final newline */
	ck_assert_int_eq(parse_rc("v=0\r\na=ice-lite", 15), 0);
}
END_TEST

static char *repeat_lines(const char *line, size_t n)
{
	char *t = malloc(strlen(head) + n * strlen(line) + 1);
	strcpy(t, head);
	char *o = t + strlen(t);
	for (size_t i = 0; i < n; i++) {
		strcpy(o, line);
		o += strlen(line);
	}
	return t;
}

START_TEST(oversized)
{
	/* values longer than their fields */
	char line[2048];
	char longv[1001];
	memset(longv, 'x', 1000);
	longv[1000] = '\0';
	const char *fmts[] = {
		"a=ice-ufrag:%s\r\n", "a=ice-pwd:%s\r\n", "a=fingerprint:sha-256 %s\r\n", "a=fingerprint:%s AB\r\n",
		"a=group:BUNDLE %s\r\n", "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:%s\r\n",
		"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=fmtp:111 %s\r\n", "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 %s/48000\r\n",
		"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=extmap:1 %s\r\n", "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=msid:%s t\r\n",
		"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ssrc:1 cname:%s\r\n", "m=audio 9 %s 111\r\n", "m=%s 9 RTP/AVP 0\r\n",
		"m=audio 9 RTP/AVP 0\r\na=setup:%s\r\n", "m=application 9 UDP/DTLS/SCTP %s\r\n",
	};
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		snprintf(line, sizeof(line), fmts[i], longv);
		ck_assert_msg(rc_of(line) == EBADMSG, "%s", fmts[i]);
	}
	/* a 1 MB line of an attribute plenum ignores is fine; one it reads is refused */
	size_t big = 1 << 20;
	char *t = malloc(big + 64);
	strcpy(t, "v=0\r\na=x-ignored:");
	memset(t + strlen(t), 'y', big);
	t[17 + big] = '\0';
	ck_assert_int_eq(parse_rc(t, strlen(t)), 0);
	memcpy(t + 5, "a=ice-pwd:", 10);
	ck_assert_int_eq(parse_rc(t, strlen(t)), EBADMSG);
	free(t);

	/* too many entries */
	t = repeat_lines("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n", 64);
	ck_assert_int_eq(parse_rc(t, strlen(t)), 0);
	free(t);
	t = repeat_lines("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n", 100);
	ck_assert_int_eq(parse_rc(t, strlen(t)), EBADMSG);
	free(t);
	/* payload types past SDP_MAX_CODECS are skipped, and the offer still parses */
	char m[512] = "m=video 9 UDP/TLS/RTP/SAVPF";
	for (int i = 0; i < SDP_MAX_CODECS; i++)
		sprintf(m + strlen(m), " %d", 127 - SDP_MAX_CODECS + 1 + i);
	strcat(m, "\r\n");
	ck_assert_int_eq(rc_of(m), 0);
	strcpy(m + strlen(m) - 2, " 20\r\n");
	ck_assert_int_eq(rc_of(m), 0);
	strcpy(m + strlen(m) - 2, " 128\r\n");
	ck_assert_int_eq(rc_of(m), EBADMSG);
	char *ext = repeat_lines("a=extmap:1 urn:x\r\n", SDP_MAX_EXT + 1);
	t = replace(ext, "t=0 0\r\n", "t=0 0\r\nm=audio 9 RTP/AVP 0\r\n");
	ck_assert_int_eq(parse_rc(t, strlen(t)), EBADMSG);
	free(t);
	free(ext);
	char ss[1024] = "m=audio 9 RTP/AVP 0\r\n";
	for (int i = 0; i < SDP_MAX_SSRC; i++)
		sprintf(ss + strlen(ss), "a=ssrc:%d cname:c\r\na=ssrc:%d msid:s t\r\n", i + 1, i + 1);
	ck_assert_int_eq(rc_of(ss), 0);
	strcat(ss, "a=ssrc:99 cname:c\r\n");
	ck_assert_int_eq(rc_of(ss), EBADMSG);
	char bundle[1024] = "a=group:BUNDLE";
	for (int i = 0; i < SDP_MAX_MEDIA; i++)
		sprintf(bundle + strlen(bundle), " %d", i);
	strcat(bundle, "\r\n");
	ck_assert_int_eq(rc_of(bundle), 0);
	strcpy(bundle + strlen(bundle) - 2, " 64\r\n");
	ck_assert_int_eq(rc_of(bundle), EBADMSG);
}
END_TEST

START_TEST(every_prefix)
{
	/* Every truncation of a real offer parses or fails cleanly; the sanitizer build watches reads. */
	char *text = slurp(VEC "firefox-offer-datachannel.sdp");
	size_t len = strlen(text);
	struct sdp_session *s;
	ck_assert_int_eq(sdp_session_new(&s), 0);
	for (size_t n = 0; n <= len; n++) {
		char *cut = malloc(n ? n : 1);
		memcpy(cut, text, n);
		int rc = sdp_parse(s, cut, n);
		ck_assert(rc == 0 || rc == EBADMSG);
		if (rc == 0) {
			char answer[16384];
			struct sdp_publish_media pm[SDP_MAX_MEDIA];
			size_t k;
			rc = sdp_answer_publish(s, &local, pm, SDP_MAX_MEDIA, &k, answer, sizeof(answer));
			ck_assert(rc == 0 || rc == EPROTO);
		}
		free(cut);
	}
	sdp_session_free(s);
	free(text);
}
END_TEST

START_TEST(transport_lookup)
{
	struct sdp_session *s;
	ck_assert_int_eq(sdp_session_new(&s), 0);
	ck_assert_int_eq(sdp_session_transport(s, NULL, NULL, NULL, NULL, NULL), ENOENT);
	sdp_session_free(s);
	/* the BUNDLE tag rejected (port 0): the next bundled m-line carries the transport */
	char *text = slurp(VEC "chromium-offer-transceivers.sdp");
	char *t = replace(text, "m=audio 9 ", "m=audio 0 ");
	char *t2 = replace(t, "a=ice-ufrag:", "a=ice-ufrag:x");   /* both lines renamed */
	s = parse_ok(t2);
	const char *ufrag;
	ck_assert_int_eq(sdp_session_transport(s, &ufrag, NULL, NULL, NULL, NULL), 0);
	ck_assert_ptr_eq(ufrag, s->media[1].ice_ufrag);
	sdp_session_free(s);
	free(t2);
	free(t);
	free(text);
}
END_TEST

/* ---- H.264 (RFC 6184) ---- */

START_TEST(h264_fmtp)
{
	struct sdp_h264_fmtp f;
	ck_assert_int_eq(sdp_h264_fmtp_parse("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", &f), 0);
	ck_assert_uint_eq(f.profile_level_id, 0x42e01f);
	ck_assert_uint_eq(f.packetization_mode, 1);
	ck_assert(f.level_asymmetry_allowed);
	ck_assert_int_eq(sdp_h264_fmtp_parse("profile-level-id=42001F; packetization-mode=1", &f), 0);
	ck_assert_uint_eq(f.profile_level_id, 0x42001f);
	ck_assert(!f.level_asymmetry_allowed);
	ck_assert_int_eq(sdp_h264_fmtp_parse("", &f), 0);   /* RFC 6184 defaults */
	ck_assert_uint_eq(f.profile_level_id, 0x42000a);
	ck_assert_uint_eq(f.packetization_mode, 0);
	ck_assert(sdp_h264_baseline(0x42e01f) && sdp_h264_baseline(0x42001f));
	ck_assert(!sdp_h264_baseline(0x4d001f) && !sdp_h264_baseline(0x64001f) && !sdp_h264_baseline(0xf4001f));
	const char *bad[] = { "profile-level-id=42e01", "profile-level-id=42e01f0", "profile-level-id=42g01f",
	                      "packetization-mode=3", "packetization-mode=", "level-asymmetry-allowed=2" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(sdp_h264_fmtp_parse(bad[i], &f) == EBADMSG, "%s", bad[i]);
}
END_TEST

/* A real Chromium 156 offer whose video transceiver prefers H.264 only (setCodecPreferences:
 * H.264 and RTX), with simulcast rids q, h, f: the answer takes Constrained Baseline mode 1. */
START_TEST(h264_publish_answer)
{
	char *text = slurp(VEC "chromium-offer-h264-simulcast.sdp");
	struct sdp_session *offer = parse_ok(text);
	ck_assert_ptr_null(codec_named(&offer->media[1], "VP8"));
	char answer[16384];
	struct sdp_publish_media pm[SDP_MAX_MEDIA];
	size_t n = 0;
	struct sdp_local l = local;
	l.simulcast = true;
	ck_assert_int_eq(sdp_answer_publish(offer, &l, pm, SDP_MAX_MEDIA, &n, answer, sizeof(answer)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(pm[0].codec, SDP_VIDEO_VP8);   /* audio: the field stays zero */
	ck_assert(pm[1].accepted);
	ck_assert_int_eq(pm[1].codec, SDP_VIDEO_H264);
	ck_assert_uint_eq(pm[1].pt, 108);              /* 42e01f mode 1, before 42001f (102) */
	ck_assert_uint_eq(pm[1].rtx_pt, 109);
	ck_assert_uint_eq(pm[1].h264.profile_level_id, 0x42e01f);
	ck_assert_uint_eq(pm[1].n_rids, 3);
	ck_assert(pm[1].fb_nack && pm[1].fb_nack_pli && pm[1].fb_ccm_fir && pm[1].fb_transport_cc);
	ck_assert_ptr_nonnull(strstr(answer, "m=video 40000 UDP/TLS/RTP/SAVPF 108 109\r\n"));
	ck_assert_ptr_nonnull(strstr(answer, "a=rtpmap:108 H264/90000\r\n"));
	ck_assert_ptr_nonnull(strstr(answer, "a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"));
	ck_assert_ptr_nonnull(strstr(answer, "a=fmtp:109 apt=108\r\n"));
	ck_assert_ptr_nonnull(strstr(answer, "a=simulcast:recv q;h;f\r\n"));
	struct sdp_session *ans = parse_ok(answer);
	ck_assert_uint_eq(ans->media[1].n_codecs, 2);
	sdp_session_free(ans);

	/* without Constrained Baseline, plain Baseline (42001f); without mode 1 or Baseline, nothing */
	char *a = drop_lines(text, "a=fmtp:108 "), *b = replace(a, "packetization-mode=1;profile-level-id=4d001f", "x=1");
	struct sdp_session *o2 = parse_ok(b);
	ck_assert_int_eq(sdp_answer_publish(o2, &l, pm, SDP_MAX_MEDIA, &n, answer, sizeof(answer)), 0);
	ck_assert_uint_eq(pm[1].pt, 102);
	ck_assert_uint_eq(pm[1].h264.profile_level_id, 0x42001f);
	sdp_session_free(o2);
	char *c = replace(b, "packetization-mode=1;profile-level-id=42001f", "packetization-mode=0;profile-level-id=42001f");
	o2 = parse_ok(c);
	ck_assert_int_eq(sdp_answer_publish(o2, &l, pm, SDP_MAX_MEDIA, &n, answer, sizeof(answer)), 0);
	ck_assert(!pm[1].accepted);   /* only mode 0 and High left: the video is refused, audio stays */
	ck_assert(pm[0].accepted);
	sdp_session_free(o2);
	free(c);
	free(b);
	free(a);

	/* an offer of VP8 and H.264 (every captured Chromium offer) is answered with VP8 */
	char *gum = slurp(VEC "chromium-offer-gum.sdp");
	o2 = parse_ok(gum);
	ck_assert_ptr_nonnull(codec_named(&o2->media[1], "H264"));
	ck_assert_int_eq(sdp_answer_publish(o2, &l, pm, SDP_MAX_MEDIA, &n, answer, sizeof(answer)), 0);
	ck_assert_int_eq(pm[1].codec, SDP_VIDEO_VP8);
	ck_assert_ptr_null(strstr(answer, "H264"));
	sdp_session_free(o2);
	free(gum);
	sdp_session_free(offer);
	free(text);
}
END_TEST

/* plenum's own offer, turned into the answer a browser gives (setup active, recvonly). */
static char *as_answer(const char *offer)
{
	char *a = replace(offer, "a=setup:actpass", "a=setup:active");
	char *b = replace(a, "a=sendonly", "a=recvonly");
	free(a);
	return b;
}

static int refusal_rc(const char *text, const struct sdp_sub_track *t, size_t n, bool *refused)
{
	struct sdp_session *s = parse_ok(text);
	int rc = sdp_check_subscribe_answer(s, t, n, refused);
	sdp_session_free(s);
	return rc;
}

START_TEST(h264_subscribe)
{
	struct sdp_sub_track t[3];
	memcpy(t, tracks, sizeof t);
	t[1].codec = SDP_VIDEO_H264;
	t[1].h264_profile_level_id = 0x42001f;
	char offer[16384];
	ck_assert_int_eq(sdp_write_subscribe_offer(&local, t, 3, offer, sizeof(offer)), 0);
	ck_assert_ptr_nonnull(strstr(offer, "m=video 40000 UDP/TLS/RTP/SAVPF 98 99\r\n"));
	ck_assert_ptr_nonnull(strstr(offer, "a=rtpmap:98 H264/90000\r\n"));
	ck_assert_ptr_nonnull(strstr(offer, "a=rtcp-fb:98 ccm fir\r\na=rtcp-fb:98 nack\r\na=rtcp-fb:98 nack pli\r\n"));
	ck_assert_ptr_nonnull(strstr(offer, "a=fmtp:98 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\n"));
	ck_assert_ptr_nonnull(strstr(offer, "a=rtpmap:99 rtx/90000\r\na=fmtp:99 apt=98\r\n"));
	ck_assert(strstr(offer, "a=rtpmap:96 VP8") > strstr(offer, "a=mid:2"));   /* only the inactive m-line 2 is VP8 */
	struct sdp_session *s = parse_ok(offer);
	ck_assert_uint_eq(s->media[1].codecs[0].pt, SDP_SUB_H264_PT);
	sdp_session_free(s);

	/* the browser decodes it; or rejects the m-line (Firefox without OpenH264); or answers VP8 */
	bool refused[3] = { true, true, true };
	char *ok = as_answer(offer);
	ck_assert_int_eq(refusal_rc(ok, t, 3, refused), 0);
	ck_assert(!refused[0] && !refused[1] && !refused[2]);
	char *rej = replace(ok, "m=video 40000 UDP/TLS/RTP/SAVPF 98 99", "m=video 0 UDP/TLS/RTP/SAVPF 98 99");
	ck_assert_int_eq(refusal_rc(rej, t, 3, refused), 0);
	ck_assert(!refused[0] && refused[1] && !refused[2]);
	ck_assert_int_eq(refusal_rc(rej, t, 3, NULL), EPROTO);
	char *vp8 = replace(ok, "a=rtpmap:98 H264/90000", "a=rtpmap:98 VP8/90000");
	ck_assert_int_eq(refusal_rc(vp8, t, 3, refused), 0);
	ck_assert(refused[1]);
	/* a VP8 m-line the browser rejects stays an error: every browser decodes VP8 */
	struct sdp_sub_track v[3];
	memcpy(v, tracks, sizeof v);
	char voffer[16384];
	ck_assert_int_eq(sdp_write_subscribe_offer(&local, v, 3, voffer, sizeof(voffer)), 0);
	char *vok = as_answer(voffer);
	char *vrej = replace(vok, "m=video 40000 UDP/TLS/RTP/SAVPF 96 97", "m=video 0 UDP/TLS/RTP/SAVPF 96 97");
	ck_assert_int_eq(refusal_rc(vrej, v, 3, refused), EPROTO);

	/* once refused, the m-line is offered rejected, out of BUNDLE, and any answer to it passes */
	t[1].refused = true;
	ck_assert_int_eq(sdp_write_subscribe_offer(&local, t, 3, offer, sizeof(offer)), 0);
	ck_assert_ptr_nonnull(strstr(offer, "m=video 0 UDP/TLS/RTP/SAVPF 98\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\n"));
	ck_assert_ptr_nonnull(strstr(offer, "a=group:BUNDLE 0 2\r\n"));
	s = parse_ok(offer);
	ck_assert(sdp_media_rejected(&s->media[1]));
	sdp_session_free(s);
	ck_assert_int_eq(refusal_rc(rej, t, 3, refused), 0);
	t[0].refused = true;   /* audio cannot be refused */
	ck_assert_int_eq(sdp_write_subscribe_offer(&local, t, 3, offer, sizeof(offer)), EINVAL);
	free(vrej);
	free(vok);
	free(vp8);
	free(rej);
	free(ok);
}
END_TEST

static Suite *sdp_suite(void)
{
	Suite *s = suite_create("sdp");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, chromium_offer);
	tcase_add_test(tc, firefox_offer);
	tcase_add_test(tc, simulcast_offers);
	tcase_add_test(tc, lf_only);
	tcase_add_test(tc, transport_lookup);
	suite_add_tcase(s, tc);
	tc = tcase_create("publish");
	tcase_add_loop_test(tc, publish_answer, 0, 2 * N_PUB);
	tcase_add_test(tc, publish_refusals);
	tcase_add_test(tc, bundle_edges);
	suite_add_tcase(s, tc);
	tc = tcase_create("subscribe");
	tcase_add_test(tc, subscribe_round_trip);
	tcase_add_test(tc, subscribe_variants);
	tcase_add_loop_test(tc, subscribe_answers, 0, 2);
	suite_add_tcase(s, tc);
	tc = tcase_create("malformed");
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, oversized);
	tcase_add_test(tc, every_prefix);
	tcase_add_test(tc, h264_fmtp);
	tcase_add_test(tc, h264_publish_answer);
	tcase_add_test(tc, h264_subscribe);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sdp_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
