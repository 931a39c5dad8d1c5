/* methods: the session requests of signaling v1 — hello, join (password, lock, lobby), publish,
 * subscribe_answer, media_state, leave, ping — the param helpers, and the dispatch table of all
 * methods (meeting.c and moderation.c hold the rest). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "auth/jwt.h"
#include "signal/proto_int.h"

/* A required string param; fails with bad_request when missing or not a string. `nul_err`
 * is the error for a string with an embedded NUL (which no field accepts). */
enum signal_err proto_param_string(struct proto_req *r, const char *key, enum signal_err nul_err,
                                   const char **out, size_t *len)
{
	const json_t *v = json_object_get(r->params, key);
	if (!json_is_string(v)) {
		r->message = v ? "A parameter has the wrong type." : "A required parameter is missing.";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	*out = json_string_value(v);
	if (len)
		*len = json_string_length(v);
	if (strlen(*out) != json_string_length(v))
		return nul_err;
	return SIGNAL_OK;
}

enum signal_err proto_param_bool(struct proto_req *r, const char *key, bool *out)
{
	const json_t *v = json_object_get(r->params, key);
	if (!json_is_boolean(v)) {
		r->message = v ? "A parameter has the wrong type." : "A required parameter is missing.";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	*out = json_is_true(v);
	return SIGNAL_OK;
}

enum signal_err proto_param_int(struct proto_req *r, const char *key, json_int_t *out)
{
	const json_t *v = json_object_get(r->params, key);
	if (!json_is_integer(v)) {
		r->message = v ? "A parameter has the wrong type." : "A required parameter is missing.";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	*out = json_integer_value(v);
	return SIGNAL_OK;
}

enum signal_err proto_param_member(struct proto_req *r, const char *key, struct meet_member **out)
{
	json_int_t id;
	enum signal_err err = proto_param_int(r, key, &id);
	if (err)
		return err;
	*out = (r->c->room && id > 0 && id <= UINT32_MAX) ? meet_member_find(r->c->room, (uint32_t)id) : NULL;
	return *out ? SIGNAL_OK : SIGNAL_ERR_NOT_FOUND;
}

static const char *const source_names[SFU_SOURCE_COUNT] = {
	[SFU_SOURCE_MICROPHONE] = "microphone", [SFU_SOURCE_CAMERA] = "camera", [SFU_SOURCE_SCREEN] = "screen",
};

int proto_source_parse(const char *s)
{
	for (int i = 0; s && i < SFU_SOURCE_COUNT; i++)
		if (strcmp(s, source_names[i]) == 0)
			return i;
	return -1;
}

const char *proto_source_name(enum sfu_source s)
{
	return (unsigned)s < SFU_SOURCE_COUNT ? source_names[s] : "camera";
}

enum signal_err proto_rate_limited(struct proto_req *r, const char *what, uint64_t retry_us)
{
	unsigned secs = (unsigned)((retry_us + 999999u) / 1000000u);
	snprintf(r->message_buf, sizeof r->message_buf, "Too many %s; try again in %u s.", what, secs ? secs : 1);
	r->message = r->message_buf;
	return SIGNAL_ERR_RATE_LIMITED;
}

static enum signal_err m_hello(struct proto_req *r)
{
	json_int_t version;
	enum signal_err err;
	if (r->c->hello_done) {
		r->message = "hello was already sent on this connection.";
		return SIGNAL_ERR_INVALID_STATE;
	}
	if ((err = proto_param_int(r, "version", &version)))
		return err;
	const json_t *client = json_object_get(r->params, "client");
	if (client && !json_is_string(client)) {
		r->message = "client must be a string.";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	if (version != PROTO_VERSION)
		return SIGNAL_ERR_UNSUPPORTED_VERSION;
	r->c->hello_done = true;
	r->result = json_pack("{s:i, s:s, s:s}", "version", PROTO_VERSION, "server", "plenum",
	                      "server_version", PROTO_SERVER_VERSION);
	return SIGNAL_OK;
}

/* The optional password param: absent or null → NULL. */
static enum signal_err param_password(struct proto_req *r, const char **pw, size_t *len)
{
	const json_t *v = json_object_get(r->params, "password");
	*pw = NULL;
	*len = 0;
	if (!v || json_is_null(v))
		return SIGNAL_OK;
	if (!json_is_string(v)) {
		r->message = "password must be a string.";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	*pw = json_string_value(v);
	*len = json_string_length(v);
	return SIGNAL_OK;
}

/* The optional rejoin_token param: absent, null or not a token → NULL. */
static const char *param_token(struct proto_req *r)
{
	const json_t *v = json_object_get(r->params, "rejoin_token");
	if (!json_is_string(v) || json_string_length(v) != MEET_TOKEN_LEN)
		return NULL;
	return json_string_value(v);
}

/* Not admitted yet: locked, password (under the room's guard), then the lobby. SIGNAL_OK with
 * r->result set when c now waits in the lobby; SIGNAL_OK without it when c may enter. */
static enum signal_err admit(struct proto_req *r, struct meet_room *mr, const char *canon, const char *name,
                             const char *pw, size_t pw_len)
{
	struct proto_conn *c = r->c;
	uint64_t retry = 0, now = proto_now_us(c);
	enum meet_err me = meet_room_admission(mr, c->addr, pw, pw_len, now, &retry);
	if (me == MEET_ERR_PASSWORD_WRONG || me == MEET_ERR_RATE_LIMITED)
		proto_room_guard_notify(mr, now, false);
	if (me == MEET_ERR_RATE_LIMITED) {
		if (log_limit_allow(&c->srv->log_guess, now))
			log_info("signal", "password attempts held back");
		return proto_rate_limited(r, "wrong passwords", retry);
	}
	if (me != MEET_OK)
		return signal_err_from_meet(me);
	if (!mr->lobby_on)
		return SIGNAL_OK;
	uint32_t lobby_id;
	me = meet_lobby_add(mr, name, c, c->addr, now, &lobby_id, &retry);
	if (me == MEET_ERR_RATE_LIMITED)
		return proto_rate_limited(r, "knocks", retry);
	if (me != MEET_OK)
		return signal_err_from_meet(me);
	c->room = mr;
	c->lobby_id = lobby_id;
	r->result = json_pack("{s:n, s:s, s:b, s:I, s:s}", "participant_id", "room", canon, "waiting", 1,
	                      "lobby_id", (json_int_t)lobby_id, "reason", "lobby");
	proto_room_lobby_knock(mr, lobby_id, name);
	return SIGNAL_OK;
}

/* The optional token param (a host token of the tenant's portal): absent or null → NULL. */
static enum signal_err param_jwt(struct proto_req *r, const char **token, size_t *len)
{
	const json_t *v = json_object_get(r->params, "token");
	*token = NULL;
	*len = 0;
	if (!v || json_is_null(v))
		return SIGNAL_OK;
	if (!json_is_string(v))
		return SIGNAL_ERR_TOKEN_MALFORMED;
	*token = json_string_value(v);
	*len = json_string_length(v);
	return SIGNAL_OK;
}

/* open-rooms = token, and no host in the room yet: c waits in the room's lobby (made for it when
 * needed) until a host token's holder arrives (proto_room_host_arrived). */
static enum signal_err wait_for_host(struct proto_req *r, struct meet_room *mr, const char *key, const char *canon,
                                     const char *name)
{
	struct proto_conn *c = r->c;
	bool made = false;
	if (!mr) {
		if (!proto_tenant_room_allowed(c->tenant))
			return SIGNAL_ERR_ROOMS_FULL;
		if (meet_room_new(c->srv->meet, key, &mr) != 0)
			return SIGNAL_ERR_INTERNAL;
		proto_tenant_room_opened(mr, c->tenant);
		made = true;
	}
	uint32_t lobby_id;
	uint64_t retry = 0;
	enum meet_err me = meet_lobby_add(mr, name, c, c->addr, proto_now_us(c), &lobby_id, &retry);
	if (me != MEET_OK) {
		if (made) {
			proto_tenant_room_closed(mr);
			meet_room_free(mr);
		}
		return me == MEET_ERR_RATE_LIMITED ? proto_rate_limited(r, "knocks", retry) : signal_err_from_meet(me);
	}
	c->room = mr;
	c->lobby_id = lobby_id;
	c->awaiting_host = true;
	r->result = json_pack("{s:n, s:s, s:b, s:I, s:s}", "participant_id", "room", canon, "waiting", 1,
	                      "lobby_id", (json_int_t)lobby_id, "reason", "not_started");
	return SIGNAL_OK;
}

static bool has_host(const struct meet_room *mr)
{
	uint32_t id;
	return mr && meet_hosts(mr, &id, 1) > 0;
}

static enum signal_err m_join(struct proto_req *r)
{
	struct proto_conn *c = r->c;
	const char *room, *name, *pw, *token;
	size_t pw_len, token_len;
	char canon[SFU_ROOM_NAME_MAX + 1], key[MEET_ROOM_KEY_MAX + 1];
	struct jwt_claims claims;
	enum signal_err err;
	if (c->participant || c->lobby_id)
		return SIGNAL_ERR_ALREADY_JOINED;
	if ((err = proto_param_string(r, "room", SIGNAL_ERR_ROOM_NAME_INVALID, &room, NULL)) ||
	    (err = proto_param_string(r, "name", SIGNAL_ERR_DISPLAY_NAME_INVALID, &name, NULL)) ||
	    (err = param_password(r, &pw, &pw_len)) || (err = param_jwt(r, &token, &token_len)))
		return err;
	const json_t *jcam = json_object_get(r->params, "camera");
	c->camera = json_is_true(jcam);
	if (sfu_room_name_normalize(room, canon) != 0)
		return SIGNAL_ERR_ROOM_NAME_INVALID;
	if (sfu_display_name_check(name) != 0)
		return SIGNAL_ERR_DISPLAY_NAME_INVALID;
	bool token_host = false;
	if (token) {
		/* a token costs a signature check (RS256/ES256 at that): an outsider's loop of joins
		 * with made-up tokens is held to this pace per connection (passwords have their guard) */
		uint64_t retry = 0;
		if (!meet_bucket_take(&c->join_limit, &meet_limit_join, proto_now_us(c), &retry))
			return proto_rate_limited(r, "joins with a token", retry);
		if ((err = proto_token_check(c, token, token_len, canon, &claims)))
			return err;
		token_host = claims.host;
		if (claims.name[0])
			name = claims.name;   /* the portal knows its staff's names */
	}
	snprintf(key, sizeof key, "%s/%s", c->tenant->id, canon);
	proto_room_seats_check(c);
	struct meet_room *mr = meet_room_find(c->srv->meet, key);
	if ((err = proto_e2ee_join(r, mr)))
		return err;   /* before the lobby: a knock that could not take part is no knock */
	/* a stream token's holder: the host who made the link let it in; it opens no meeting */
	bool admitted = c->admitted_key[0] && strcmp(c->admitted_key, key) == 0;
	if (admitted && !mr)
		return SIGNAL_ERR_NOT_FOUND;
	int seat = -1;
	if (mr) {
		struct meet_member *promoted = meet_seats_expire(mr, proto_now_us(c));
		if (promoted)
			proto_room_host_announce(mr, promoted);
		/* A held seat's token returns its holder past lock, password and lobby. */
		seat = meet_seat_take(mr, param_token(r), proto_now_us(c));
	}
	if (seat < 0 && !token_host && !admitted && c->tenant->token_required && !has_host(mr) &&
	    !(mr && meet_seat_host_held(mr, proto_now_us(c))))
		return wait_for_host(r, mr, key, canon, name);
	/* The portal's host passes lock, password and lobby: the meeting is theirs. */
	if (mr && seat < 0 && !token_host && !admitted) {
		if ((err = admit(r, mr, canon, name, pw, pw_len)) || r->result)
			return err;
	}
	if ((err = proto_room_enter(c, mr, key, name)))
		return err;
	mr = c->room;
	if ((seat == MEET_HOST || token_host) && meet_make_host(mr, c->member)) {
		log_info("signal", "participant %u is host %s", c->member->id, token_host ? "by token" : "again");
		proto_room_broadcast_member(mr, c->member);
		proto_room_broadcast_state(mr);
	}
	r->result = proto_join_result(c);
	if (mr->n_hands)
		proto_event(c, "hands_updated", proto_hands_json(mr, 0));
	proto_breakout_joined(c);
	proto_polls_send_all(c);
	if (c->member->role == MEET_HOST) {
		proto_room_host_arrived(mr);
		proto_room_lobby_updated(mr, c);
	}
	return SIGNAL_OK;
}

/* The optional publish labels: tracks [{mid, source}] and music. */
static enum signal_err publish_opts(struct proto_req *r, struct sfu_publish_track *tracks, size_t cap,
                                    struct sfu_publish_opts *opts, bool *screen)
{
	const json_t *jt = json_object_get(r->params, "tracks"), *jm = json_object_get(r->params, "music");
	*screen = false;
	opts->music = r->c->member->music;
	opts->tracks = tracks;
	opts->n_tracks = 0;
	if (jm && !json_is_boolean(jm)) {
		r->message = "music must be a boolean.";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	if (jm)
		opts->music = json_is_true(jm);
	if (!jt || json_is_null(jt))
		return SIGNAL_OK;
	if (!json_is_array(jt) || json_array_size(jt) > cap) {
		r->message = "tracks must be an array of at most 16 {mid, source}.";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	size_t i;
	json_t *t;
	json_array_foreach(jt, i, t) {
		const char *mid = json_string_value(json_object_get(t, "mid"));
		int src = proto_source_parse(json_string_value(json_object_get(t, "source")));
		if (!json_is_object(t) || !mid || src < 0 || strlen(mid) >= sizeof tracks[0].mid ||
		    strlen(mid) != json_string_length(json_object_get(t, "mid"))) {
			r->message = "Each track is {mid: string, source: \"microphone\"|\"camera\"|\"screen\"}.";
			return SIGNAL_ERR_BAD_REQUEST;
		}
		snprintf(tracks[i].mid, sizeof tracks[i].mid, "%s", mid);
		tracks[i].source = (enum sfu_source)src;
		if (src == SFU_SOURCE_SCREEN)
			*screen = true;
	}
	opts->n_tracks = json_array_size(jt);
	return SIGNAL_OK;
}

static enum signal_err m_publish(struct proto_req *r)
{
	const char *sdp;
	enum signal_err err;
	if (!r->c->participant)
		return SIGNAL_ERR_NOT_JOINED;
	if ((err = proto_param_string(r, "sdp", SIGNAL_ERR_SDP_INVALID, &sdp, NULL)))
		return err;
	struct sfu_publish_track tracks[16];
	struct sfu_publish_opts opts;
	bool screen;
	if ((err = publish_opts(r, tracks, 16, &opts, &screen)))
		return err;
	log_debug("signal", "publish offer:\n%s", sdp);
	/* The others' participant_updated (sent by the sfu) shows the new labels. */
	struct meet_member *m = r->c->member;
	bool old_music = m->music, old_screen = m->screen;
	m->music = opts.music;
	m->screen = screen;
	char *answer = NULL;
	int rc = sfu_publish(r->c->participant, sdp, &opts, &answer);
	if (rc != 0) {
		m->music = old_music;
		m->screen = old_screen;
		free(answer);
		return signal_err_from_sfu(rc);
	}
	if (!answer)
		return SIGNAL_ERR_INTERNAL;
	log_debug("signal", "publish answer:\n%s", answer);
	r->result = json_pack("{s:s}", "sdp", answer);
	free(answer);
	return SIGNAL_OK;
}

static enum signal_err m_subscribe_answer(struct proto_req *r)
{
	const char *sdp;
	json_int_t version;
	enum signal_err err;
	if (!r->c->participant)
		return SIGNAL_ERR_NOT_JOINED;
	if ((err = proto_param_int(r, "version", &version)))
		return err;
	if (version < 0 || version > UINT32_MAX) {
		r->message = "version is out of range.";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	if ((err = proto_param_string(r, "sdp", SIGNAL_ERR_SDP_INVALID, &sdp, NULL)))
		return err;
	log_debug("signal", "subscribe answer %u:\n%s", (unsigned)version, sdp);
	int rc = sfu_subscribe_answer(r->c->participant, (uint32_t)version, sdp);
	if (rc != 0)
		return signal_err_from_sfu(rc);
	r->result = json_object();
	return SIGNAL_OK;
}

static enum signal_err m_media_state(struct proto_req *r)
{
	bool audio, video;
	enum signal_err err;
	if (!r->c->participant)
		return SIGNAL_ERR_NOT_JOINED;
	if ((err = proto_param_bool(r, "audio_muted", &audio)) || (err = proto_param_bool(r, "video_muted", &video)))
		return err;
	uint64_t retry = 0;
	if (meet_take(&r->c->member->media, &meet_limit_media, proto_now_us(r->c), &retry) != MEET_OK)
		return proto_rate_limited(r, "media state changes", retry);
	r->c->member->audio_muted = audio;
	r->c->member->video_muted = video;
	int rc = sfu_set_media_state(r->c->participant, audio, video);
	if (rc != 0)
		return signal_err_from_sfu(rc);
	r->result = json_object();
	return SIGNAL_OK;
}

static enum signal_err m_leave(struct proto_req *r)
{
	struct sfu_participant *p = r->c->participant;
	if (r->c->lobby_id) {
		proto_room_lobby_cancel(r->c);
		r->result = json_object();
		return SIGNAL_OK;
	}
	if (!p)
		return SIGNAL_ERR_NOT_JOINED;
	r->c->participant = NULL;
	sfu_leave(p, SFU_LEFT_BYE);
	proto_room_forget(r->c);
	r->result = json_object();
	return SIGNAL_OK;
}

static enum signal_err m_ping(struct proto_req *r)
{
	r->result = json_object();
	return SIGNAL_OK;
}

#define J PROTO_JOINED
#define A (PROTO_JOINED | PROTO_ACTION)
static const struct proto_method methods[] = {
	{ "hello", m_hello, 0, 0 },
	{ "join", m_join, 0, 0 },
	{ "publish", m_publish, 0, 0 },
	{ "subscribe_answer", m_subscribe_answer, 0, 0 },
	{ "media_state", m_media_state, 0, 0 },
	{ "leave", m_leave, 0, 0 },
	{ "ping", m_ping, 0, 0 },
	/* everyone's (meeting.c) */
	{ "raise_hand", proto_m_raise_hand, A, MEET_ACT_RAISE_HAND },
	{ "lower_hand", proto_m_lower_hand, A, MEET_ACT_LOWER_OWN_HAND },
	{ "reaction", proto_m_reaction, A, MEET_ACT_REACTION },
	{ "chat_send", proto_m_chat_send, A, MEET_ACT_CHAT },
	{ "set_music", proto_m_set_music, A, MEET_ACT_SET_MUSIC },
	{ "set_video_prefs", proto_m_set_video_prefs, A, MEET_ACT_SET_VIDEO_PREFS },
	/* polls (polls.c): who may create is the room's choice (set_polls_open) */
	{ "poll_create", proto_m_poll_create, J, 0 },
	{ "poll_vote", proto_m_poll_vote, A, MEET_ACT_POLL_VOTE },
	{ "poll_close", proto_m_poll_close, A, MEET_ACT_POLL_MANAGE },
	{ "poll_show_results", proto_m_poll_show_results, A, MEET_ACT_POLL_MANAGE },
	{ "set_polls_open", proto_m_set_polls_open, A, MEET_ACT_SET_POLLS_OPEN },
	/* hosts' (moderation.c) */
	{ "set_password", proto_m_set_password, A, MEET_ACT_SET_PASSWORD },
	{ "set_lobby", proto_m_set_lobby, A, MEET_ACT_SET_LOBBY },
	{ "lobby_admit", proto_m_lobby_admit, A, MEET_ACT_LOBBY_ADMIT },
	{ "lobby_deny", proto_m_lobby_deny, A, MEET_ACT_LOBBY_DENY },
	{ "set_locked", proto_m_set_locked, A, MEET_ACT_SET_LOCKED },
	{ "make_host", proto_m_make_host, A, MEET_ACT_MAKE_HOST },
	{ "mute", proto_m_mute, A, MEET_ACT_MUTE },
	{ "mute_all", proto_m_mute_all, A, MEET_ACT_MUTE_ALL },
	{ "ask_unmute", proto_m_ask_unmute, A, MEET_ACT_ASK_UNMUTE },
	{ "remove", proto_m_remove, A, MEET_ACT_REMOVE },
	{ "end_meeting", proto_m_end_meeting, A, MEET_ACT_END_MEETING },
	{ "set_room_music", proto_m_set_room_music, A, MEET_ACT_SET_ROOM_MUSIC },
	{ "password_guard_reset", proto_m_password_guard_reset, A, MEET_ACT_SET_PASSWORD },
	/* recording and streaming (out.c): hosts' starts and stops, and anyone's look before joining */
	{ "recording_start", proto_m_recording_start, A, MEET_ACT_RECORD },
	{ "recording_stop", proto_m_recording_stop, A, MEET_ACT_RECORD },
	{ "streaming_start", proto_m_streaming_start, A, MEET_ACT_STREAM },
	{ "streaming_stop", proto_m_streaming_stop, A, MEET_ACT_STREAM },
	{ "room_status", proto_m_room_status, 0, 0 },
	{ "stream_links", proto_m_stream_links, A, MEET_ACT_STREAM_LINKS },
	{ "recordings_link", proto_m_recordings_link, A, MEET_ACT_RECORD },
	{ "breakout_setup", proto_m_breakout_setup, A, MEET_ACT_BREAKOUT },
	{ "breakout_assign", proto_m_breakout_assign, A, MEET_ACT_BREAKOUT },
	{ "breakout_move", proto_m_breakout_move, A, MEET_ACT_BREAKOUT },
	{ "breakout_open", proto_m_breakout_open, A, MEET_ACT_BREAKOUT },
	{ "breakout_close", proto_m_breakout_close, A, MEET_ACT_BREAKOUT },
	{ "breakout_cancel", proto_m_breakout_cancel, A, MEET_ACT_BREAKOUT },
	{ "breakout_broadcast", proto_m_breakout_broadcast, A, MEET_ACT_BREAKOUT },
	{ "breakout_join", proto_m_breakout_join, A, MEET_ACT_BREAKOUT_HELP },
	{ "breakout_call_host", proto_m_breakout_call_host, A, MEET_ACT_BREAKOUT_HELP },
};
#undef J
#undef A

const struct proto_method *proto_method_find(const char *name)
{
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strcmp(methods[i].name, name) == 0)
			return &methods[i];
	return NULL;
}
