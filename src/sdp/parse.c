/* parse: SDP text → struct sdp_session, keeping what WebRTC offer/answer needs.
 * RFC 8866 (SDP), RFC 8839 (ICE attributes), RFC 8842 (DTLS), RFC 8843 (BUNDLE), RFC 4588 (RTX). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sdp/sdp_int.h"

struct parse_ctx {
	struct sdp_session *s;
	struct sdp_media *m;                     /* current media section, NULL at session level */
	bool dir_set[SDP_MAX_MEDIA];
	enum sdp_dir sess_dir; bool sess_dir_set;
	char ufrag[256], pwd[256], fp_alg[16], fp[160], setup[16];   /* session-level values */
};

typedef int (*attr_fn)(struct parse_ctx *c, struct sdp_sv v);

int sdp_session_new(struct sdp_session **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : ENOMEM;
}

void sdp_session_free(struct sdp_session *s)
{
	free(s);
}

bool sdp_media_rejected(const struct sdp_media *m)
{
	return m->port == 0 && !m->bundle_only;
}

const struct sdp_codec *sdp_media_codec(const struct sdp_media *m, uint8_t pt)
{
	for (size_t i = 0; i < m->n_codecs; i++)
		if (m->codecs[i].pt == pt)
			return &m->codecs[i];
	return NULL;
}

uint8_t sdp_media_ext_id(const struct sdp_media *m, const char *uri)
{
	for (size_t i = 0; i < m->n_ext; i++)
		if (strcmp(m->ext[i].uri, uri) == 0)
			return m->ext[i].id;
	return 0;
}

/* Codec named by the leading payload type of v ("96 ..."), rest in *rest; NULL when unknown. */
static struct sdp_codec *codec_of(struct parse_ctx *c, struct sdp_sv *v, int *err)
{
	struct sdp_sv tok;
	uint64_t pt;
	*err = 0;
	if (!sdp_sv_token(v, &tok) || !sdp_sv_uint(tok, 127, &pt)) {
		*err = EBADMSG;
		return NULL;
	}
	return (struct sdp_codec *)sdp_media_codec(c->m, (uint8_t)pt);
}

static int a_rtpmap(struct parse_ctx *c, struct sdp_sv v)
{
	int err;
	struct sdp_codec *k = codec_of(c, &v, &err);
	if (!k)
		return err;   /* a payload type not on the m= line is ignored */
	struct sdp_sv enc = sdp_sv_trim(v), name, rest, clock, ch;
	sdp_sv_split(enc, '/', &name, &rest);
	bool has_ch = sdp_sv_split(rest, '/', &clock, &ch);
	uint64_t clk, chn = 0;
	if (!sdp_sv_copy(k->name, sizeof(k->name), name) || !sdp_is_token(k->name) ||
	    !sdp_sv_uint(clock, UINT32_MAX, &clk) || (has_ch && !sdp_sv_uint(ch, 255, &chn)))
		return EBADMSG;
	k->clock = (uint32_t)clk;
	k->channels = (uint8_t)chn;
	k->is_rtx = strcasecmp(k->name, "rtx") == 0;
	return 0;
}

static int a_fmtp(struct parse_ctx *c, struct sdp_sv v)
{
	int err;
	struct sdp_codec *k = codec_of(c, &v, &err);
	if (!k)
		return err;
	struct sdp_sv params = sdp_sv_trim(v), p, rest = params, key, val;
	if (!sdp_sv_copy(k->fmtp, sizeof(k->fmtp), params))
		return EBADMSG;
	while (rest.n) {
		sdp_sv_split(rest, ';', &p, &rest);
		sdp_sv_split(sdp_sv_trim(p), '=', &key, &val);
		uint64_t apt;
		if (sdp_sv_eq(sdp_sv_trim(key), "apt") && sdp_sv_uint(sdp_sv_trim(val), 127, &apt))
			k->rtx_apt = (uint8_t)apt;
	}
	return 0;
}

static void set_fb(struct sdp_codec *k, struct sdp_sv type, struct sdp_sv sub)
{
	if (sdp_sv_eq(type, "nack") && sub.n == 0)
		k->fb_nack = true;
	else if (sdp_sv_eq(type, "nack") && sdp_sv_eq(sub, "pli"))
		k->fb_nack_pli = true;
	else if (sdp_sv_eq(type, "ccm") && sdp_sv_eq(sub, "fir"))
		k->fb_ccm_fir = true;
	else if (sdp_sv_eq(type, "transport-cc"))
		k->fb_transport_cc = true;
	else if (sdp_sv_eq(type, "goog-remb"))
		k->fb_goog_remb = true;
}

static int a_rtcp_fb(struct parse_ctx *c, struct sdp_sv v)
{
	struct sdp_sv pt, type, sub;
	if (!sdp_sv_token(&v, &pt) || !sdp_sv_token(&v, &type))
		return EBADMSG;
	sdp_sv_token(&v, &sub);
	if (sdp_sv_eq(pt, "*")) {
		for (size_t i = 0; i < c->m->n_codecs; i++)
			set_fb(&c->m->codecs[i], type, sub);
		return 0;
	}
	uint64_t n;
	if (!sdp_sv_uint(pt, 127, &n))
		return EBADMSG;
	struct sdp_codec *k = (struct sdp_codec *)sdp_media_codec(c->m, (uint8_t)n);
	if (k)
		set_fb(k, type, sub);
	return 0;
}

static int a_extmap(struct parse_ctx *c, struct sdp_sv v)
{
	struct sdp_sv idtok, id, dir, uri;
	uint64_t n;
	if (!sdp_sv_token(&v, &idtok) || !sdp_sv_token(&v, &uri))
		return EBADMSG;
	sdp_sv_split(idtok, '/', &id, &dir);
	if (!sdp_sv_uint(id, 255, &n) || n == 0)
		return EBADMSG;
	struct sdp_media *m = c->m;
	if (m->n_ext >= SDP_MAX_EXT)
		return EBADMSG;
	struct sdp_extmap *e = &m->ext[m->n_ext];
	if (!sdp_sv_copy(e->uri, sizeof(e->uri), uri))
		return EBADMSG;
	e->id = (uint8_t)n;
	m->n_ext++;
	return 0;
}

static int add_ssrc(struct sdp_media *m, uint32_t ssrc)
{
	for (size_t i = 0; i < m->n_ssrcs; i++)
		if (m->ssrcs[i] == ssrc)
			return 0;
	if (m->n_ssrcs >= SDP_MAX_SSRC)
		return EBADMSG;
	m->ssrcs[m->n_ssrcs++] = ssrc;
	return 0;
}

static int parse_msid(struct sdp_media *m, struct sdp_sv v)
{
	struct sdp_sv stream, track;
	if (!sdp_sv_token(&v, &stream))
		return EBADMSG;
	sdp_sv_token(&v, &track);
	if (!sdp_sv_copy(m->msid_stream, sizeof(m->msid_stream), stream) ||
	    !sdp_sv_copy(m->msid_track, sizeof(m->msid_track), track))
		return EBADMSG;
	return 0;
}

static int a_ssrc(struct parse_ctx *c, struct sdp_sv v)
{
	struct sdp_sv tok, attr, val;
	uint64_t ssrc;
	if (!sdp_sv_token(&v, &tok) || !sdp_sv_uint(tok, UINT32_MAX, &ssrc))
		return EBADMSG;
	struct sdp_media *m = c->m;
	int err = add_ssrc(m, (uint32_t)ssrc);
	if (err)
		return err;
	sdp_sv_split(sdp_sv_trim(v), ':', &attr, &val);
	if (sdp_sv_eq(attr, "cname") && !m->cname[0])
		return sdp_sv_copy(m->cname, sizeof(m->cname), sdp_sv_trim(val)) ? 0 : EBADMSG;
	if (sdp_sv_eq(attr, "msid") && !m->msid_stream[0])
		return parse_msid(m, val);
	return 0;
}

static int a_ssrc_group(struct parse_ctx *c, struct sdp_sv v)
{
	struct sdp_sv sem, a, b;
	uint64_t p, r;
	if (!sdp_sv_token(&v, &sem))
		return EBADMSG;
	if (!sdp_sv_eq(sem, "FID") || c->m->fid_primary)
		return 0;   /* other semantics, or a later FID group (simulcast layers): the first counts */
	if (!sdp_sv_token(&v, &a) || !sdp_sv_token(&v, &b) || !sdp_sv_uint(a, UINT32_MAX, &p) ||
	    !sdp_sv_uint(b, UINT32_MAX, &r))
		return EBADMSG;
	c->m->fid_primary = (uint32_t)p;
	c->m->fid_rtx = (uint32_t)r;
	return 0;
}

static int a_msid(struct parse_ctx *c, struct sdp_sv v)
{
	return parse_msid(c->m, v);
}

static int a_mid(struct parse_ctx *c, struct sdp_sv v)
{
	struct sdp_sv mid = sdp_sv_trim(v);
	if (!sdp_sv_copy(c->m->mid, sizeof(c->m->mid), mid) || !sdp_is_token(c->m->mid))
		return EBADMSG;
	return 0;
}

static int set_dir(struct parse_ctx *c, enum sdp_dir d)
{
	if (c->m) {
		c->m->dir = d;
		c->dir_set[c->m - c->s->media] = true;
	} else {
		c->sess_dir = d;
		c->sess_dir_set = true;
	}
	return 0;
}

static int a_sendrecv(struct parse_ctx *c, struct sdp_sv v) { return set_dir(c, SDP_DIR_SENDRECV); }
static int a_sendonly(struct parse_ctx *c, struct sdp_sv v) { return set_dir(c, SDP_DIR_SENDONLY); }
static int a_recvonly(struct parse_ctx *c, struct sdp_sv v) { return set_dir(c, SDP_DIR_RECVONLY); }
static int a_inactive(struct parse_ctx *c, struct sdp_sv v) { return set_dir(c, SDP_DIR_INACTIVE); }
static int a_rtcp_mux(struct parse_ctx *c, struct sdp_sv v) { c->m->rtcp_mux = true; return 0; }
static int a_rtcp_rsize(struct parse_ctx *c, struct sdp_sv v) { c->m->rtcp_rsize = true; return 0; }
static int a_simulcast(struct parse_ctx *c, struct sdp_sv v) { c->m->has_simulcast = true; return 0; }
static int a_bundle_only(struct parse_ctx *c, struct sdp_sv v) { c->m->bundle_only = true; return 0; }

/* a=rid:<id> <direction> [params] — only sending rids matter (a browser's simulcast layers). */
static int a_rid(struct parse_ctx *c, struct sdp_sv v)
{
	struct sdp_sv id, dir;
	if (!sdp_sv_token(&v, &id) || !sdp_sv_token(&v, &dir))
		return EBADMSG;
	if (!sdp_sv_eq(dir, "send") || c->m->n_rids >= SDP_MAX_RIDS)
		return 0;
	char *dst = c->m->rids[c->m->n_rids];
	if (!sdp_sv_copy(dst, sizeof c->m->rids[0], id) || !sdp_is_token(dst))
		return EBADMSG;
	c->m->n_rids++;
	return 0;
}
static int a_ice_lite(struct parse_ctx *c, struct sdp_sv v) { c->s->ice_lite = true; return 0; }

static int copy_value(char *dst, size_t cap, struct sdp_sv v)
{
	v = sdp_sv_trim(v);
	return v.n && sdp_sv_copy(dst, cap, v) ? 0 : EBADMSG;
}

static int a_ice_ufrag(struct parse_ctx *c, struct sdp_sv v)
{
	return c->m ? copy_value(c->m->ice_ufrag, sizeof(c->m->ice_ufrag), v) : copy_value(c->ufrag, sizeof(c->ufrag), v);
}

static int a_ice_pwd(struct parse_ctx *c, struct sdp_sv v)
{
	return c->m ? copy_value(c->m->ice_pwd, sizeof(c->m->ice_pwd), v) : copy_value(c->pwd, sizeof(c->pwd), v);
}

static int a_setup(struct parse_ctx *c, struct sdp_sv v)
{
	return c->m ? copy_value(c->m->setup, sizeof(c->m->setup), v) : copy_value(c->setup, sizeof(c->setup), v);
}

static int a_fingerprint(struct parse_ctx *c, struct sdp_sv v)
{
	char *alg = c->m ? c->m->fp_alg : c->fp_alg, *fp = c->m ? c->m->fp : c->fp;
	struct sdp_sv a, f;
	char alg_new[16] = "", fp_new[160] = "";
	if (!sdp_sv_token(&v, &a) || !sdp_sv_token(&v, &f) || !sdp_sv_copy(alg_new, sizeof(alg_new), a) ||
	    !sdp_sv_copy(fp_new, sizeof(fp_new), f))
		return EBADMSG;
	/* Several fingerprints: keep the first, unless a later one is sha-256 and it was not. */
	if (alg[0] && (strcasecmp(alg, "sha-256") == 0 || strcasecmp(alg_new, "sha-256") != 0))
		return 0;
	memcpy(alg, alg_new, sizeof(alg_new));
	memcpy(fp, fp_new, sizeof(fp_new));
	return 0;
}

static int a_group(struct parse_ctx *c, struct sdp_sv v)
{
	struct sdp_sv sem, mid;
	struct sdp_session *s = c->s;
	if (!sdp_sv_token(&v, &sem))
		return EBADMSG;
	if (!sdp_sv_eq(sem, "BUNDLE") || s->n_bundle)
		return 0;   /* other semantics, or a second BUNDLE group: ignored */
	while (sdp_sv_token(&v, &mid)) {
		if (s->n_bundle >= SDP_MAX_MEDIA || !sdp_sv_copy(s->bundle[s->n_bundle], sizeof(s->bundle[0]), mid))
			return EBADMSG;
		s->n_bundle++;
	}
	return 0;
}

enum attr_level { LVL_SESSION = 1, LVL_MEDIA = 2, LVL_BOTH = 3 };

static const struct attr_entry {
	const char *name;
	attr_fn fn;
	enum attr_level level;
} attrs[] = {
	{ "rtpmap", a_rtpmap, LVL_MEDIA },        { "fmtp", a_fmtp, LVL_MEDIA },
	{ "rtcp-fb", a_rtcp_fb, LVL_MEDIA },      { "extmap", a_extmap, LVL_MEDIA },
	{ "ssrc", a_ssrc, LVL_MEDIA },            { "ssrc-group", a_ssrc_group, LVL_MEDIA },
	{ "msid", a_msid, LVL_MEDIA },            { "mid", a_mid, LVL_MEDIA },
	{ "sendrecv", a_sendrecv, LVL_BOTH },     { "sendonly", a_sendonly, LVL_BOTH },
	{ "recvonly", a_recvonly, LVL_BOTH },     { "inactive", a_inactive, LVL_BOTH },
	{ "rtcp-mux", a_rtcp_mux, LVL_MEDIA },    { "rtcp-rsize", a_rtcp_rsize, LVL_MEDIA },
	{ "simulcast", a_simulcast, LVL_MEDIA },  { "rid", a_rid, LVL_MEDIA },  { "bundle-only", a_bundle_only, LVL_MEDIA },
	{ "ice-ufrag", a_ice_ufrag, LVL_BOTH },   { "ice-pwd", a_ice_pwd, LVL_BOTH },
	{ "fingerprint", a_fingerprint, LVL_BOTH }, { "setup", a_setup, LVL_BOTH },
	{ "group", a_group, LVL_SESSION },        { "ice-lite", a_ice_lite, LVL_SESSION },
};

static int line_attr(struct parse_ctx *c, struct sdp_sv v)
{
	struct sdp_sv name, value;
	sdp_sv_split(v, ':', &name, &value);
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		if (!sdp_sv_eq(name, attrs[i].name))
			continue;
		if (!(attrs[i].level & (c->m ? LVL_MEDIA : LVL_SESSION)))
			return 0;
		return attrs[i].fn(c, value);
	}
	return 0;
}

static int line_origin(struct parse_ctx *c, struct sdp_sv v)
{
	struct sdp_sv user, id, ver;
	if (c->m || !sdp_sv_token(&v, &user) || !sdp_sv_token(&v, &id) || !sdp_sv_token(&v, &ver) ||
	    !sdp_sv_uint(id, UINT64_MAX, &c->s->sess_id) || !sdp_sv_uint(ver, UINT64_MAX, &c->s->sess_version))
		return EBADMSG;
	return 0;
}

static enum sdp_kind kind_of(struct sdp_sv name)
{
	if (sdp_sv_eq(name, "audio"))
		return SDP_KIND_AUDIO;
	if (sdp_sv_eq(name, "video"))
		return SDP_KIND_VIDEO;
	if (sdp_sv_eq(name, "application"))
		return SDP_KIND_APPLICATION;
	return SDP_KIND_OTHER;
}

static int line_media(struct parse_ctx *c, struct sdp_sv v)
{
	struct sdp_session *s = c->s;
	if (s->n_media >= SDP_MAX_MEDIA)
		return EBADMSG;
	struct sdp_media *m = &s->media[s->n_media];
	memset(m, 0, sizeof(*m));
	struct sdp_sv name, porttok, port, count, proto, fmt;
	uint64_t p;
	if (!sdp_sv_token(&v, &name) || !sdp_sv_token(&v, &porttok) || !sdp_sv_token(&v, &proto))
		return EBADMSG;
	sdp_sv_split(porttok, '/', &port, &count);
	if (!sdp_sv_uint(port, 65535, &p) || !sdp_sv_copy(m->media_name, sizeof(m->media_name), name) ||
	    !sdp_sv_copy(m->proto, sizeof(m->proto), proto))
		return EBADMSG;
	m->port = (uint16_t)p;
	m->kind = kind_of(name);
	bool rtp = strstr(m->proto, "RTP/") != NULL;
	while (sdp_sv_token(&v, &fmt)) {
		if (!m->fmt_first[0] && !sdp_sv_copy(m->fmt_first, sizeof(m->fmt_first), fmt))
			return EBADMSG;
		uint64_t pt;
		if (!rtp)
			continue;
		if (!sdp_sv_uint(fmt, 127, &pt))
			return EBADMSG;
		if (sdp_media_codec(m, (uint8_t)pt))
			continue;
		if (m->n_codecs >= SDP_MAX_CODECS)
			continue;   /* codecs past the limit are ones plenum would not pick anyway */
		m->codecs[m->n_codecs++].pt = (uint8_t)pt;
	}
	if (!m->fmt_first[0])
		return EBADMSG;
	s->n_media++;
	c->m = m;
	return 0;
}

static int parse_line(struct parse_ctx *c, struct sdp_sv line)
{
	for (size_t i = 0; i < line.n; i++) {
		unsigned char ch = (unsigned char)line.p[i];
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return EBADMSG;
	}
	if (line.n < 2 || line.p[1] != '=')
		return EBADMSG;
	struct sdp_sv v = { line.p + 2, line.n - 2 };
	switch (line.p[0]) {
	case 'o': return line_origin(c, v);
	case 'm': return line_media(c, v);
	case 'a': return line_attr(c, v);
	default: return 0;
	}
}

static void inherit(struct parse_ctx *c)
{
	for (size_t i = 0; i < c->s->n_media; i++) {
		struct sdp_media *m = &c->s->media[i];
		if (!m->ice_ufrag[0])
			memcpy(m->ice_ufrag, c->ufrag, sizeof(c->ufrag));
		if (!m->ice_pwd[0])
			memcpy(m->ice_pwd, c->pwd, sizeof(c->pwd));
		if (!m->fp[0]) {
			memcpy(m->fp_alg, c->fp_alg, sizeof(c->fp_alg));
			memcpy(m->fp, c->fp, sizeof(c->fp));
		}
		if (!m->setup[0])
			memcpy(m->setup, c->setup, sizeof(c->setup));
		if (!c->dir_set[i] && c->sess_dir_set)
			m->dir = c->sess_dir;
	}
}

int sdp_parse(struct sdp_session *s, const char *text, size_t len)
{
	if (!s || (!text && len))
		return EINVAL;
	struct parse_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return ENOMEM;
	memset(s, 0, sizeof(*s));
	c->s = s;
	int err = 0;
	bool first = true;
	size_t pos = 0;
	while (pos < len && !err) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		struct sdp_sv line = { text + pos, end - pos };
		pos = end + 1;
		if (line.n && line.p[line.n - 1] == '\r')
			line.n--;
		if (line.n == 0)
			continue;
		if (first) {
			err = sdp_sv_eq(line, "v=0") ? 0 : EBADMSG;
			first = false;
			continue;
		}
		err = parse_line(c, line);
	}
	if (!err && first)
		err = EBADMSG;   /* no v= line: empty input */
	if (!err)
		inherit(c);
	free(c);
	if (err)
		memset(s, 0, sizeof(*s));
	return err;
}
