/* stream_links: the host's request for a meeting's stream links — a WHIP address and token for the
 * chamber's encoder (RFC 9725), a WHEP address and token, the live page and the HLS address for viewers. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "signal/proto_int.h"
#include "signal/stream_token.h"

#define LINKS_TTL_S (12 * 3600)
#define RECORDINGS_TTL_S (24 * 3600)
#define DEFAULT_ENCODER_NAME "Ratssaal"

/* 5 requests at once, then one per 12 s, per connection: each one signs two tokens */
static const struct meet_limit limit_links = { 5, 60000000u };

/* {url, token, expires} for one use; NULL without memory or a token. */
static json_t *stream_link(struct proto_req *r, enum signal_stream_use use, const char *path, const char *name,
                    int64_t now, char *token, size_t cap)
{
	struct proto_conn *c = r->c;
	if (proto_stream_token_make(c->srv, use, c->room->key, name, LINKS_TTL_S, now, token, cap) != 0)
		return NULL;
	char url[PROTO_BASE_URL_MAX + 80];
	snprintf(url, sizeof url, "%s/%s/%s", c->base_url, path, c->room->name);
	return json_pack("{s:s, s:s, s:I}", "url", url, "token", token, "expires", (json_int_t)(now + LINKS_TTL_S));
}

/* A host's link to the page of this meeting's recordings (24 h), built from the connection's address. */
enum signal_err proto_m_recordings_link(struct proto_req *r)
{
	struct proto_conn *c = r->c;
	if (!c->base_url[0]) {
		r->message = "This connection's address is unknown, so no link can be made.";
		return SIGNAL_ERR_INVALID_STATE;
	}
	uint64_t retry = 0;
	if (!meet_bucket_take(&c->stream_links, &limit_links, proto_now_us(c), &retry))
		return proto_rate_limited(r, "link requests", retry);
	int64_t now = (int64_t)time(NULL);
	char token[SIGNAL_STREAM_TOKEN_MAX], url[PROTO_BASE_URL_MAX + 100 + SIGNAL_STREAM_TOKEN_MAX];
	if (proto_stream_token_make(c->srv, SIGNAL_STREAM_RECORDINGS, c->room->key, NULL, RECORDINGS_TTL_S, now, token,
	                            sizeof token) != 0)
		return SIGNAL_ERR_INTERNAL;
	snprintf(url, sizeof url, "%s/recordings/%s?t=%s", c->base_url, c->room->name, token);
	r->result = json_pack("{s:s, s:I}", "url", url, "expires", (json_int_t)(now + RECORDINGS_TTL_S));
	return r->result ? SIGNAL_OK : SIGNAL_ERR_INTERNAL;
}

enum signal_err proto_m_stream_links(struct proto_req *r)
{
	struct proto_conn *c = r->c;
	const json_t *jn = json_object_get(r->params, "name");
	enum signal_err e2ee = proto_e2ee_out(c->room);
	if (e2ee != SIGNAL_OK)
		return e2ee;   /* no encoder, no viewer: neither could take part */
	const char *name = DEFAULT_ENCODER_NAME;
	if (jn && !json_is_null(jn)) {
		name = json_string_value(jn);
		if (!name || strlen(name) != json_string_length(jn) || sfu_display_name_check(name) != 0)
			return SIGNAL_ERR_DISPLAY_NAME_INVALID;
	}
	if (!c->base_url[0]) {
		r->message = "This connection's address is unknown, so no links can be made.";
		return SIGNAL_ERR_INVALID_STATE;
	}
	uint64_t retry = 0;
	if (!meet_bucket_take(&c->stream_links, &limit_links, proto_now_us(c), &retry))
		return proto_rate_limited(r, "stream link requests", retry);
	int64_t now = (int64_t)time(NULL);
	char whip_token[SIGNAL_STREAM_TOKEN_MAX], whep_token[SIGNAL_STREAM_TOKEN_MAX];
	json_t *whip = stream_link(r, SIGNAL_STREAM_WHIP, "whip", name, now, whip_token, sizeof whip_token);
	json_t *whep = stream_link(r, SIGNAL_STREAM_WHEP, "whep", NULL, now, whep_token, sizeof whep_token);
	if (!whip || !whep) {
		json_decref(whip);
		json_decref(whep);
		return SIGNAL_ERR_INTERNAL;
	}
	char live[PROTO_BASE_URL_MAX + 80 + SIGNAL_STREAM_TOKEN_MAX], hls[PROTO_BASE_URL_MAX + 100];
	/* the viewer's token in the fragment: browsers never send it, so no server log holds it */
	snprintf(live, sizeof live, "%s/live/%s#%s", c->base_url, c->room->name, whep_token);
	snprintf(hls, sizeof hls, "%s/hls/%s/index.m3u8", c->base_url, c->room->name);
	r->result = json_pack("{s:o, s:o, s:s, s:s}", "whip", whip, "whep", whep, "live_page", live, "hls", hls);
	log_info("signal", "participant %u made stream links (valid %u h)", c->member->id, LINKS_TTL_S / 3600);
	return r->result ? SIGNAL_OK : SIGNAL_ERR_INTERNAL;
}
