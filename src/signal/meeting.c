/* meeting: everyone's meeting requests — raise/lower hand, reactions, chat (room and private),
 * music mode and video preferences. meet/ decides what is allowed; this turns it into events. */
#include <stdint.h>
#include <string.h>

#include "signal/proto_int.h"

static void hand_changed(struct meet_room *room, struct meet_member *m)
{
	proto_room_broadcast_member(room, m);
	proto_room_broadcast_hands(room);
}

enum signal_err proto_m_raise_hand(struct proto_req *r)
{
	struct proto_conn *c = r->c;
	uint64_t retry = 0;
	if (meet_take(&c->member->hand, &meet_limit_hand, proto_now_us(c), &retry) != MEET_OK)
		return proto_rate_limited(r, "hand changes", retry);
	if (meet_hand_raise(c->room, c->member))
		hand_changed(c->room, c->member);
	r->result = json_object();
	return SIGNAL_OK;
}

/* {} lowers one's own hand; {id} someone else's (hosts only). */
enum signal_err proto_m_lower_hand(struct proto_req *r)
{
	struct proto_conn *c = r->c;
	struct meet_member *m = c->member;
	const json_t *jid = json_object_get(r->params, "id");
	uint64_t retry = 0;
	if (meet_take(&c->member->hand, &meet_limit_hand, proto_now_us(c), &retry) != MEET_OK)
		return proto_rate_limited(r, "hand changes", retry);
	if (jid && !json_is_null(jid)) {
		if (!json_is_integer(jid)) {
			r->message = "id must be an integer.";
			return SIGNAL_ERR_BAD_REQUEST;
		}
		if (json_integer_value(jid) != (json_int_t)m->id) {
			if (!meet_may(m->role, MEET_ACT_LOWER_OTHER_HAND))
				return SIGNAL_ERR_FORBIDDEN;
			enum signal_err err = proto_param_member(r, "id", &m);
			if (err)
				return err;
		}
	}
	if (meet_hand_lower(c->room, m))
		hand_changed(c->room, m);
	r->result = json_object();
	return SIGNAL_OK;
}

enum signal_err proto_m_reaction(struct proto_req *r)
{
	struct proto_conn *c = r->c;
	const char *emoji;
	size_t len;
	enum signal_err err = proto_param_string(r, "emoji", SIGNAL_ERR_BAD_REQUEST, &emoji, &len);
	if (err)
		return err;
	const char *canon = meet_reaction_canonical(emoji, len);
	if (!canon) {
		r->message = "emoji must be one of the six reactions.";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	uint64_t retry = 0;
	if (meet_reaction_take(c->member, proto_now_us(c), &retry) != MEET_OK)
		return proto_rate_limited(r, "reactions", retry);
	r->result = json_object();
	proto_group_broadcast(c->room, c->member->group, "reaction", json_pack("{s:I, s:s}", "id", (json_int_t)c->member->id,
	                                                    "emoji", canon));
	return SIGNAL_OK;
}

/* Chat text is relayed, never stored or logged. */
enum signal_err proto_m_chat_send(struct proto_req *r)
{
	struct proto_conn *c = r->c;
	const char *text;
	size_t len;
	enum signal_err err = proto_param_string(r, "text", SIGNAL_ERR_BAD_REQUEST, &text, &len);
	if (err)
		return err;
	if (meet_chat_check(text, len) != MEET_OK) {
		r->message = "Chat text is 1 to 2000 bytes of UTF-8 without control characters (but newline).";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	struct meet_member *to = NULL;
	const json_t *jto = json_object_get(r->params, "to");
	if (jto && !json_is_null(jto) && (err = proto_param_member(r, "to", &to)))
		return err;
	if (to && to->group != c->member->group)
		return SIGNAL_ERR_NOT_FOUND;   /* in another breakout group: not among those one sees */
	uint64_t retry = 0;
	if (meet_chat_take(c->member, proto_now_us(c), &retry) != MEET_OK)
		return proto_rate_limited(r, "chat messages", retry);
	json_int_t id = (json_int_t)c->room->next_message_id++;
	json_int_t ts = (json_int_t)proto_wall_ms();
	json_t *data = json_pack("{s:I, s:I, s:s, s:o, s:s%, s:I}", "message_id", id,
	                         "from", (json_int_t)c->member->id, "from_name", c->member->name,
	                         "to", to ? json_integer(to->id) : json_null(), "text", text, len, "ts", ts);
	if (!data)
		return SIGNAL_ERR_INTERNAL;
	r->result = json_pack("{s:I, s:I}", "message_id", id, "ts", ts);
	if (!to) {
		proto_group_broadcast(c->room, c->member->group, "chat", data);   /* one's breakout group */
	} else {
		proto_event(c, "chat", json_incref(data));
		if (to != c->member)
			proto_event(to->arg, "chat", json_incref(data));
		json_decref(data);
	}
	return SIGNAL_OK;
}

enum signal_err proto_m_set_music(struct proto_req *r)
{
	bool on;
	enum signal_err err = proto_param_bool(r, "enabled", &on);
	if (err)
		return err;
	struct meet_member *m = r->c->member;
	uint64_t retry = 0;
	if (meet_take(&m->music_limit, &meet_limit_music, proto_now_us(r->c), &retry) != MEET_OK)
		return proto_rate_limited(r, "music changes", retry);
	if (m->music != on) {
		m->music = on;
		proto_room_broadcast_member(r->c->room, m);
	}
	r->result = json_object();
	return SIGNAL_OK;
}

#define PREFS_MAX 256
#define PINNED_MAX 64

static enum signal_err bad(struct proto_req *r, const char *message)
{
	r->message = message;
	return SIGNAL_ERR_BAD_REQUEST;
}

enum signal_err proto_m_set_video_prefs(struct proto_req *r)
{
	const json_t *jn = json_object_get(r->params, "last_n"), *jp = json_object_get(r->params, "pinned"),
	             *jt = json_object_get(r->params, "tiles");
	unsigned last_n = 0;
	if (jn && !json_is_null(jn)) {
		if (!json_is_integer(jn) || json_integer_value(jn) < 0 || json_integer_value(jn) > 50)
			return bad(r, "last_n is an integer 0..50.");
		last_n = (unsigned)json_integer_value(jn);
	}
	uint32_t pinned[PINNED_MAX];
	struct sfu_video_pref prefs[PREFS_MAX];
	size_t n_pinned = 0, n_prefs = 0, i;
	json_t *v;
	if (jp && !json_is_null(jp)) {
		if (!json_is_array(jp) || json_array_size(jp) > PINNED_MAX)
			return bad(r, "pinned is an array of at most 64 participant ids.");
		json_array_foreach(jp, i, v) {
			if (!json_is_integer(v) || json_integer_value(v) <= 0 || json_integer_value(v) > UINT32_MAX)
				return bad(r, "pinned is an array of participant ids.");
			pinned[n_pinned++] = (uint32_t)json_integer_value(v);
		}
	}
	if (jt && !json_is_null(jt)) {
		if (!json_is_array(jt) || json_array_size(jt) > PREFS_MAX)
			return bad(r, "tiles is an array of at most 256 {id, source, height}.");
		json_array_foreach(jt, i, v) {
			const json_t *id = json_object_get(v, "id"), *h = json_object_get(v, "height");
			int src = proto_source_parse(json_string_value(json_object_get(v, "source")));
			if (!json_is_integer(id) || json_integer_value(id) <= 0 || json_integer_value(id) > UINT32_MAX ||
			    !json_is_integer(h) || json_integer_value(h) < 0 || json_integer_value(h) > 2160 ||
			    (src != SFU_SOURCE_CAMERA && src != SFU_SOURCE_SCREEN))
				return bad(r, "Each tile is {id, source: \"camera\"|\"screen\", height: 0..2160}.");
			prefs[n_prefs++] = (struct sfu_video_pref){ .participant_id = (uint32_t)json_integer_value(id),
				.source = (enum sfu_source)src, .max_height = (uint16_t)json_integer_value(h) };
		}
	}
	if (sfu_set_video_prefs(r->c->participant, last_n, prefs, n_prefs, pinned, n_pinned) != 0)
		return SIGNAL_ERR_INTERNAL;
	r->result = json_object();
	return SIGNAL_OK;
}
