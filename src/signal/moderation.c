/* moderation: the hosts' requests — password and its guard, lobby, lock, make_host, mute,
 * ask_unmute, remove, end_meeting, lower someone's hand, room music. The dispatcher has checked the role already. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "signal/proto_int.h"

static enum signal_err ok(struct proto_req *r)
{
	r->result = json_object();
	return SIGNAL_OK;
}

enum signal_err proto_m_set_password(struct proto_req *r)
{
	struct meet_room *room = r->c->room;
	const json_t *v = json_object_get(r->params, "password");
	if (!v) {
		r->message = "password is required (null removes it).";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	if (!json_is_null(v) && !json_is_string(v)) {
		r->message = "password must be a string or null.";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	const char *pw = json_is_null(v) ? NULL : json_string_value(v);
	enum meet_err me = meet_password_set(room, pw, pw ? json_string_length(v) : 0);
	if (me == MEET_ERR_INVALID) {
		r->message = "A password is 1 to 128 bytes of UTF-8.";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	if (me != MEET_OK)
		return signal_err_from_meet(me);
	log_info("signal", "room password %s", pw ? "set" : "removed");
	proto_room_broadcast_state(room);
	return ok(r);
}

static void admit_all(struct meet_room *room)
{
	struct meet_waiter w;
	while (meet_lobby_pop(room, &w)) {
		proto_room_lobby_left(room, w.lobby_id);
		proto_room_admit(room, &w);
	}
}

enum signal_err proto_room_set_flag(struct proto_req *r, const char *key, bool *flag)
{
	bool on;
	enum signal_err err = proto_param_bool(r, key, &on);
	if (err)
		return err;
	if (*flag != on) {
		*flag = on;
		proto_room_broadcast_state(r->c->room);
	}
	r->result = json_object();
	return SIGNAL_OK;
}

enum signal_err proto_m_set_lobby(struct proto_req *r)
{
	struct meet_room *room = r->c->room;
	enum signal_err err = proto_room_set_flag(r, "enabled", &room->lobby_on);
	if (err)
		return err;
	if (!room->lobby_on && room->lobby)
		admit_all(room);
	return SIGNAL_OK;
}

/* {lobby_id} or {all: true}. */
static enum signal_err lobby_decide(struct proto_req *r, bool admit)
{
	struct meet_room *room = r->c->room;
	const json_t *all = json_object_get(r->params, "all");
	if (all && !json_is_boolean(all)) {
		r->message = "all must be a boolean.";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	struct meet_waiter w;
	if (json_is_true(all)) {
		while (meet_lobby_pop(room, &w)) {
			proto_room_lobby_left(room, w.lobby_id);
			if (admit)
				proto_room_admit(room, &w);
			else
				proto_room_deny(&w, "denied", NULL);
		}
	} else {
		json_int_t id;
		enum signal_err err = proto_param_int(r, "lobby_id", &id);
		if (err)
			return err;
		if (id <= 0 || id > UINT32_MAX || meet_lobby_take(room, (uint32_t)id, &w) != MEET_OK)
			return SIGNAL_ERR_NOT_FOUND;
		proto_room_lobby_left(room, w.lobby_id);
		if (admit)
			proto_room_admit(room, &w);
		else
			proto_room_deny(&w, "denied", NULL);
	}
	return ok(r);
}

enum signal_err proto_m_lobby_admit(struct proto_req *r)
{
	return lobby_decide(r, true);
}

enum signal_err proto_m_lobby_deny(struct proto_req *r)
{
	return lobby_decide(r, false);
}

enum signal_err proto_m_set_locked(struct proto_req *r)
{
	struct meet_room *room = r->c->room;
	enum signal_err err = proto_room_set_flag(r, "locked", &room->locked);
	if (err)
		return err;
	if (room->locked && room->lobby) {
		/* Nobody new, not even those knocking. */
		struct meet_waiter w;
		while (meet_lobby_pop(room, &w)) {
			proto_room_lobby_left(room, w.lobby_id);
			proto_room_deny(&w, "room_locked", NULL);
		}
	}
	return SIGNAL_OK;
}

enum signal_err proto_m_make_host(struct proto_req *r)
{
	struct meet_room *room = r->c->room;
	struct meet_member *m;
	enum signal_err err = proto_param_member(r, "id", &m);
	if (err)
		return err;
	if (meet_make_host(room, m))
		proto_room_host_announce(room, m);
	return ok(r);
}

/* Stops forwarding one source of m; m hears of it, everybody sees the new state. */
static int force_mute(struct meet_member *m, enum sfu_source src)
{
	struct proto_conn *t = m->arg;
	if (src == SFU_SOURCE_MICROPHONE)
		m->audio_muted = true;
	else if (src == SFU_SOURCE_CAMERA)
		m->video_muted = true;
	else
		m->screen = false;
	/* the sfu tells the others (participant_updated) */
	int rc = sfu_force_mute(t->participant, src);
	if (rc != 0)
		return rc;
	proto_event(t, "muted_by_host", json_pack("{s:s}", "source", proto_source_name(src)));
	proto_event(t, "participant_updated", proto_participant_json(t->room, m, NULL));
	return 0;
}

enum signal_err proto_m_mute(struct proto_req *r)
{
	struct meet_member *m;
	const char *source;
	enum signal_err err = proto_param_member(r, "id", &m);
	if (err == SIGNAL_OK)
		err = proto_param_string(r, "source", SIGNAL_ERR_BAD_REQUEST, &source, NULL);
	if (err)
		return err;
	int src = proto_source_parse(source);
	if (src < 0) {
		r->message = "source is \"microphone\", \"camera\" or \"screen\".";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	if (force_mute(m, (enum sfu_source)src) != 0)
		return SIGNAL_ERR_INTERNAL;
	return ok(r);
}

enum signal_err proto_m_mute_all(struct proto_req *r)
{
	struct proto_conn *c = r->c;
	const json_t *except = json_object_get(r->params, "except");
	size_t i;
	json_t *v;
	if (except && !json_is_null(except)) {
		if (!json_is_array(except)) {
			r->message = "except must be an array of participant ids.";
			return SIGNAL_ERR_BAD_REQUEST;
		}
		json_array_foreach(except, i, v)
			if (!json_is_integer(v)) {
				r->message = "except must be an array of participant ids.";
				return SIGNAL_ERR_BAD_REQUEST;
			}
	}
	for (struct meet_member *m = c->room->members; m; m = m->next) {
		if (m == c->member || m->audio_muted)
			continue;
		bool skip = false;
		if (json_is_array(except))
			json_array_foreach(except, i, v)
				if (json_integer_value(v) == (json_int_t)m->id)
					skip = true;
		if (!skip && force_mute(m, SFU_SOURCE_MICROPHONE) != 0)
			return SIGNAL_ERR_INTERNAL;
	}
	return ok(r);
}

enum signal_err proto_m_ask_unmute(struct proto_req *r)
{
	struct meet_member *m;
	enum signal_err err = proto_param_member(r, "id", &m);
	if (err)
		return err;
	proto_event(m->arg, "unmute_requested", json_pack("{s:I}", "by", (json_int_t)r->c->member->id));
	return ok(r);
}

/* Takes t out of the room: its own event first, then the sfu tells the others (reason `why`). */
static void expel(struct proto_conn *t, const char *event, json_t *data, enum sfu_leave_reason why)
{
	struct sfu_participant *p = t->participant;
	proto_event(t, event, data);
	t->participant = NULL;   /* no `dropped` for it: it got `event` */
	proto_room_forget(t);
	sfu_remove(p, why);
}

enum signal_err proto_m_remove(struct proto_req *r)
{
	struct meet_member *m;
	enum signal_err err = proto_param_member(r, "id", &m);
	if (err)
		return err;
	if (m == r->c->member) {
		r->message = "To leave, send leave.";
		return SIGNAL_ERR_INVALID_STATE;
	}
	log_info("signal", "participant %u removed by a host", m->id);
	expel(m->arg, "removed", json_pack("{s:I}", "by", (json_int_t)r->c->member->id), SFU_LEFT_REMOVED);
	return ok(r);
}

enum signal_err proto_m_end_meeting(struct proto_req *r)
{
	struct proto_conn *c = r->c;
	struct meet_room *room = c->room;
	size_t n = room->n_members, k = 0;
	struct proto_conn **conns = calloc(n ? n : 1, sizeof *conns);
	if (!conns)
		return SIGNAL_ERR_INTERNAL;
	log_info("signal", "meeting ended by a host (%zu participants)", n);
	/* Everyone hears it first; then one by one they go, the caller last. */
	proto_room_broadcast(room, "meeting_ended", json_object(), NULL);
	for (struct meet_member *m = room->members; m; m = m->next)
		if (m->arg != c)
			conns[k++] = m->arg;
	struct meet_waiter w;
	while (meet_lobby_pop(room, &w))
		proto_room_deny(&w, "room_ended", NULL);
	for (size_t i = 0; i < k; i++) {
		struct proto_conn *t = conns[i];
		struct sfu_participant *p = t->participant;
		t->participant = NULL;
		proto_room_forget(t);
		sfu_remove(p, SFU_LEFT_ENDED);
	}
	free(conns);
	struct sfu_participant *p = c->participant;
	c->participant = NULL;
	proto_room_forget(c);   /* the last member: the meeting is gone */
	sfu_leave(p, SFU_LEFT_ENDED);
	return ok(r);
}

enum signal_err proto_m_set_room_music(struct proto_req *r)
{
	return proto_room_set_flag(r, "enabled", &r->c->room->music);
}

/* Clears the room's failure budget and backoff; the hosts see password_guard {0, 0}. */
enum signal_err proto_m_password_guard_reset(struct proto_req *r)
{
	struct meet_room *room = r->c->room;
	meet_guard_reset(room);
	log_info("signal", "password guard reset by a host");
	proto_room_guard_notify(room, proto_now_us(r->c), true);
	return ok(r);
}
