/* rooms: meetings as signaling sees them — who is in which meeting (members point to their
 * connections), room-wide events (room_updated, hands_updated, lobby_updated), entering and
 * leaving a meeting, host handover, and the lobby's admissions and denials. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "signal/proto_int.h"

json_t *proto_room_state_json(const struct meet_room *r)
{
	json_t *hosts = json_array();
	for (const struct meet_member *m = r->members; hosts && m; m = m->next)
		if (m->role == MEET_HOST)
			json_array_append_new(hosts, json_integer(m->id));
	return json_pack("{s:b, s:b, s:b, s:b, s:o}", "locked", r->locked, "lobby", r->lobby_on,
	                 "has_password", r->has_password, "music", r->music, "hosts", hosts);
}

static json_t *name_json(const char *name)
{
	json_t *j = json_string(name ? name : "");
	return j ? j : json_string("");   /* not UTF-8: cannot happen after sfu_display_name_check */
}

json_t *proto_participant_json(struct meet_room *r, const struct meet_member *m,
                               const struct sfu_participant_info *info)
{
	if (info) {
		if (!m && r)
			m = meet_member_find(r, info->id);
		if (m) {
			/* Keep the meeting's copy of the media state current for events it sends itself. */
			struct meet_member *mm = (struct meet_member *)m;
			mm->audio_muted = info->audio_muted;
			mm->video_muted = info->video_muted;
		}
		return json_pack("{s:I, s:o, s:b, s:b, s:s, s:b, s:b, s:b}", "id", (json_int_t)info->id,
		                 "name", name_json(info->name), "audio_muted", info->audio_muted,
		                 "video_muted", info->video_muted,
		                 "role", m && m->role == MEET_HOST ? "host" : "guest",
		                 "hand_raised", m && m->hand_raised, "music", m ? m->music : info->music,
		                 "screen", m && m->screen);
	}
	if (!m)
		return NULL;
	return json_pack("{s:I, s:o, s:b, s:b, s:s, s:b, s:b, s:b}", "id", (json_int_t)m->id,
	                 "name", name_json(m->name), "audio_muted", m->audio_muted, "video_muted", m->video_muted,
	                 "role", m->role == MEET_HOST ? "host" : "guest", "hand_raised", m->hand_raised,
	                 "music", m->music, "screen", m->screen);
}

void proto_room_broadcast(struct meet_room *r, const char *name, json_t *data, const struct proto_conn *except)
{
	if (!data)
		return;
	for (struct meet_member *m = r->members; m; m = m->next) {
		struct proto_conn *c = m->arg;
		if (c != except && proto_conn_listening(c))
			proto_event(c, name, json_incref(data));
	}
	json_decref(data);
}

void proto_room_broadcast_member(struct meet_room *r, const struct meet_member *m)
{
	proto_room_broadcast(r, "participant_updated", proto_participant_json(r, m, NULL), NULL);
}

void proto_room_broadcast_state(struct meet_room *r)
{
	proto_room_broadcast(r, "room_updated", proto_room_state_json(r), NULL);
}

json_t *proto_hands_json(const struct meet_room *r)
{
	json_t *q = json_array();
	for (size_t i = 0; q && i < r->n_hands; i++)
		json_array_append_new(q, json_integer(r->hands[i]));
	return json_pack("{s:o}", "queue", q);
}

void proto_room_broadcast_hands(struct meet_room *r)
{
	proto_room_broadcast(r, "hands_updated", proto_hands_json(r), NULL);
}

void proto_room_lobby_updated(struct meet_room *r, struct proto_conn *to)
{
	json_t *list = json_array();
	for (const struct meet_waiter *w = r->lobby; list && w; w = w->next)
		json_array_append_new(list, json_pack("{s:I, s:o}", "lobby_id", (json_int_t)w->lobby_id,
		                                      "name", name_json(w->name)));
	json_t *data = json_pack("{s:o}", "waiting", list);
	if (!data)
		return;
	for (struct meet_member *m = r->members; m; m = m->next) {
		struct proto_conn *c = m->arg;
		if (m->role == MEET_HOST && (!to || c == to))
			proto_event(c, "lobby_updated", json_incref(data));
	}
	json_decref(data);
}

enum signal_err proto_room_enter(struct proto_conn *c, struct meet_room *r, const char *canon,
                                 const char *name)
{
	bool created = false;
	if (!r) {
		if (meet_room_new(c->srv->meet, canon, &r) != 0)
			return SIGNAL_ERR_INTERNAL;
		created = true;
	}
	struct sfu_participant *p = NULL;
	c->room = r;
	c->joining = true;
	int rc = sfu_join(c->sfu, canon, name, &proto_sfu_events, c, &p);
	c->joining = false;
	struct meet_member *m = NULL;
	if (rc == 0 && p && meet_member_add(r, sfu_participant_id(p), name, c, &m) != 0) {
		sfu_leave(p, SFU_LEFT_BYE);
		p = NULL;
	}
	if (rc != 0 || !p) {
		/* Events fired before a failed join belong to no participant. */
		proto_pending_clear(c);
		c->room = NULL;
		if (created && r->n_members == 0)
			meet_room_free(r);
		return rc ? signal_err_from_sfu(rc) : SIGNAL_ERR_INTERNAL;
	}
	c->participant = p;
	c->member = m;
	if (r->music)
		m->music = true;   /* the room's default; the client publishes in music mode */
	return SIGNAL_OK;
}

void proto_room_deny(const struct meet_waiter *w, const char *reason, const char *code)
{
	struct proto_conn *c = w->arg;
	c->room = NULL;
	c->lobby_id = 0;
	json_t *data = json_pack("{s:s}", "reason", reason);
	if (data && code)
		json_object_set_new(data, "code", json_string(code));
	proto_event(c, "lobby_denied", data);
}

/* No members left: the waiters are told, the meeting is gone. */
static void room_close(struct meet_room *r)
{
	struct meet_waiter w;
	while (meet_lobby_pop(r, &w))
		proto_room_deny(&w, "room_ended", NULL);
	meet_room_free(r);
}

void proto_room_forget(struct proto_conn *c)
{
	struct meet_room *r = c->room;
	struct meet_member *m = c->member;
	c->room = NULL;
	c->member = NULL;
	if (!r || !m)
		return;
	bool hand = false;
	struct meet_member *host = meet_member_remove(r, m, &hand);
	if (r->n_members == 0) {
		room_close(r);
		return;
	}
	if (hand)
		proto_room_broadcast_hands(r);
	if (host) {
		log_info("signal", "participant %u is host now", host->id);
		proto_room_broadcast_member(r, host);
		proto_room_broadcast_state(r);
		if (r->lobby)
			proto_room_lobby_updated(r, host->arg);
	}
}

void proto_room_lobby_cancel(struct proto_conn *c)
{
	struct meet_room *r = c->room;
	uint32_t id = c->lobby_id;
	c->room = NULL;
	c->lobby_id = 0;
	if (r && meet_lobby_take(r, id, NULL) == MEET_OK)
		proto_room_lobby_updated(r, NULL);
}

void proto_room_admit(struct meet_room *r, const struct meet_waiter *w)
{
	struct proto_conn *c = w->arg;
	c->lobby_id = 0;
	proto_event(c, "lobby_admitted", json_object());
	/* participant_joined events of sfu_join wait until `joined` is out. */
	c->busy++;
	enum signal_err err = proto_room_enter(c, r, r->name, w->name);
	if (err == SIGNAL_OK) {
		proto_event_now(c, "joined", json_pack("{s:I, s:s, s:s, s:o}",
			"participant_id", (json_int_t)sfu_participant_id(c->participant), "room", r->name,
			"role", c->member->role == MEET_HOST ? "host" : "guest", "room_state", proto_room_state_json(r)));
		if (r->n_hands)
			proto_event(c, "hands_updated", proto_hands_json(r));
	}
	c->busy--;
	if (err != SIGNAL_OK) {
		struct meet_waiter copy = *w;
		proto_room_deny(&copy, "denied", signal_err_code(err));
	}
	proto_pending_flush(c);
}
