/* rooms: meetings as signaling sees them — who is in which meeting (members point to their
 * connections), room-wide events (room_updated, hands_updated, lobby snapshot and deltas,
 * password_guard), entering and leaving a meeting, held seats, host handover, the lobby's fate. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "signal/proto_int.h"
#include "stats/usage.h"

json_t *proto_room_state_json(const struct meet_room *r)
{
	json_t *hosts = json_array();
	for (const struct meet_member *m = r->members; hosts && m; m = m->next)
		if (m->role == MEET_HOST)
			json_array_append_new(hosts, json_integer(m->id));
	json_t *st = json_pack("{s:b, s:b, s:b, s:b, s:b, s:o, s:b}", "locked", r->locked, "lobby", r->lobby_on,
	                       "has_password", r->has_password, "music", r->music, "e2ee", r->e2ee, "hosts", hosts,
	                       "polls_open", r->polls_anyone);
	if (st)
		proto_room_out_json(r, st);
	return st;
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
			mm->quality = (int)info->quality;
		}
		return json_pack("{s:I, s:o, s:b, s:b, s:s, s:b, s:b, s:b, s:s}", "id", (json_int_t)info->id,
		                 "name", name_json(info->name), "audio_muted", info->audio_muted,
		                 "video_muted", info->video_muted,
		                 "role", m && m->role == MEET_HOST ? "host" : "guest",
		                 "hand_raised", m && m->hand_raised, "music", m ? m->music : info->music,
		                 "screen", m && m->screen, "quality", proto_quality_name(info->quality));
	}
	if (!m)
		return NULL;
	return json_pack("{s:I, s:o, s:b, s:b, s:s, s:b, s:b, s:b, s:s}", "id", (json_int_t)m->id,
	                 "name", name_json(m->name), "audio_muted", m->audio_muted, "video_muted", m->video_muted,
	                 "role", m->role == MEET_HOST ? "host" : "guest", "hand_raised", m->hand_raised,
	                 "music", m->music, "screen", m->screen, "quality", proto_quality_name((enum sfu_quality)m->quality));
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

void proto_group_broadcast(struct meet_room *r, unsigned group, const char *name, json_t *data)
{
	if (!data)
		return;
	for (struct meet_member *m = r->members; m; m = m->next) {
		struct proto_conn *c = m->arg;
		if (m->group == group && proto_conn_listening(c))
			proto_event(c, name, json_incref(data));
	}
	json_decref(data);
}

/* Those who see m (its breakout group) hear of its change. */
void proto_room_broadcast_member(struct meet_room *r, const struct meet_member *m)
{
	proto_group_broadcast(r, m->group, "participant_updated", proto_participant_json(r, m, NULL));
}

void proto_room_broadcast_state(struct meet_room *r)
{
	proto_room_broadcast(r, "room_updated", proto_room_state_json(r), NULL);
}

json_t *proto_hands_json(const struct meet_room *r, unsigned group)
{
	json_t *q = json_array();
	for (size_t i = 0; q && i < r->n_hands; i++) {
		const struct meet_member *m = meet_member_find(r, r->hands[i]);
		if (m && m->group == group)
			json_array_append_new(q, json_integer(r->hands[i]));
	}
	return json_pack("{s:o}", "queue", q);
}

/* Each breakout group sees its own hands (the main room is group 0). */
void proto_room_broadcast_hands(struct meet_room *r)
{
	bool sent[MEET_GROUPS_MAX + 1] = { false };
	for (const struct meet_member *m = r->members; m; m = m->next) {
		if (m->group > MEET_GROUPS_MAX || sent[m->group])
			continue;
		sent[m->group] = true;
		proto_group_broadcast(r, m->group, "hands_updated", proto_hands_json(r, m->group));
	}
}

void proto_room_lobby_updated(struct meet_room *r, struct proto_conn *to)
{
	if (to && !r->lobby)
		return;   /* an empty snapshot: what a client starts with */
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

void proto_room_to_hosts(struct meet_room *r, const char *name, json_t *data)
{
	if (!data)
		return;
	for (struct meet_member *m = r->members; m; m = m->next)
		if (m->role == MEET_HOST && proto_conn_listening(m->arg))
			proto_event(m->arg, name, json_incref(data));
	json_decref(data);
}

void proto_room_lobby_knock(struct meet_room *r, uint32_t lobby_id, const char *name)
{
	proto_room_to_hosts(r, "lobby_knock", json_pack("{s:I, s:o}", "lobby_id", (json_int_t)lobby_id, "name", name_json(name)));
}

void proto_room_lobby_left(struct meet_room *r, uint32_t lobby_id)
{
	proto_room_to_hosts(r, "lobby_left", json_pack("{s:I}", "lobby_id", (json_int_t)lobby_id));
}

void proto_room_guard_notify(struct meet_room *r, uint64_t now_us, bool force)
{
	if (!meet_guard_notify_due(r, now_us) && !force)
		return;
	proto_room_to_hosts(r, "password_guard", json_pack("{s:I, s:I}", "failures", (json_int_t)r->guard.failures,
	                                        "delay_s", (json_int_t)meet_guard_delay_s(r, now_us)));
}

void proto_room_host_announce(struct meet_room *r, struct meet_member *host)
{
	log_info("signal", "participant %u is host now", host->id);
	proto_room_broadcast_member(r, host);
	proto_room_broadcast_state(r);
	proto_room_lobby_updated(r, host->arg);
	proto_polls_send_all(host->arg);   /* now with the tallies */
}

enum signal_err proto_room_enter(struct proto_conn *c, struct meet_room *r, const char *key,
                                 const char *name)
{
	bool created = false;
	struct proto_tenant *t = r && r->owner ? r->owner : c->tenant;
	if (r && t->max_room_participants && r->n_members >= t->max_room_participants)
		return SIGNAL_ERR_ROOM_FULL;
	if (!r) {
		if (!proto_tenant_room_allowed(t))
			return SIGNAL_ERR_ROOMS_FULL;
		if (meet_room_new(c->srv->meet, key, &r) != 0)
			return SIGNAL_ERR_INTERNAL;
		proto_tenant_room_opened(r, t);
		created = true;
	}
	enum signal_err e2ee = proto_e2ee_enter(c, r);
	if (e2ee != SIGNAL_OK)
		return e2ee;   /* a room found: one made here has decided nothing yet */
	struct sfu_participant *p = NULL;
	c->room = r;
	c->joining = true;
	int rc = sfu_join(c->sfu, key, name, &proto_sfu_events, c, &p);
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
		if (created && r->n_members == 0) {
			proto_tenant_room_closed(r);
			meet_room_free(r);
		}
		return rc ? signal_err_from_sfu(rc) : SIGNAL_ERR_INTERNAL;
	}
	c->participant = p;
	c->member = m;
	t->participants++;
	t->joins++;
	if (c->srv->usage) {
		if (!r->tally)
			r->tally = usage_meeting_start(c->srv->usage, t->id);
		m->tally = usage_join(c->srv->usage, r->tally, (enum usage_browser)c->browser, c->camera);
	}
	if (r->music)
		m->music = true;   /* the room's default; the client publishes in music mode */
	return SIGNAL_OK;
}

json_t *proto_join_result(struct proto_conn *c)
{
	struct meet_room *r = c->room;
	json_t *res = json_pack("{s:I, s:s, s:s, s:o, s:s}", "participant_id",
	                        (json_int_t)sfu_participant_id(c->participant), "room", r->name,
	                        "role", c->member->role == MEET_HOST ? "host" : "guest",
	                        "room_state", proto_room_state_json(r), "rejoin_token", c->member->token);
	if (res)
		json_object_set_new(res, "features", proto_out_features_json(c));
	json_t *ice = res ? proto_ice_servers_json(c->srv) : NULL;
	if (ice) {
		json_object_set_new(res, "ice_servers", ice);
		if (c->srv->force_relay)
			json_object_set_new(res, "ice_transport_policy", json_string("relay"));
	}
	return res;
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

/* The room is empty: for the statistics the meeting is over (a host back from a held seat
 * starts the next one). */
static void meeting_over(struct proto_server *srv, struct meet_room *r)
{
	proto_room_out_end(srv, r);
	if (r->tally)
		usage_meeting_end(srv->usage, r->tally);
	r->tally = NULL;
}

/* No members left: the waiters are told, the meeting is gone. */
static void room_close(struct proto_server *srv, struct meet_room *r)
{
	struct meet_waiter w;
	while (meet_lobby_pop(r, &w))
		proto_room_deny(&w, "room_ended", NULL);
	proto_tenant_room_closed(r);
	meeting_over(srv, r);
	meet_room_free(r);
}

static void room_leave(struct proto_conn *c, bool dropped)
{
	struct meet_room *r = c->room;
	struct meet_member *m = c->member;
	c->room = NULL;
	c->member = NULL;
	if (!r || !m)
		return;
	struct proto_tenant *t = r->owner;
	if (t && t->participants)
		t->participants--;
	if (m->tally)
		usage_leave(c->srv->usage, m->tally);
	m->tally = NULL;
	bool hand = false;
	struct meet_member *host = dropped ? meet_member_drop(r, m, proto_now_us(c), &hand)
	                                   : meet_member_remove(r, m, &hand);
	if (r->n_members == 0) {
		meeting_over(c->srv, r);
		if (!r->n_seats)
			room_close(c->srv, r);
		return;
	}
	if (hand)
		proto_room_broadcast_hands(r);
	if (host)
		proto_room_host_announce(r, host);
	proto_breakout_left(r);
}

void proto_room_forget(struct proto_conn *c)
{
	room_leave(c, false);
}

void proto_room_drop(struct proto_conn *c)
{
	room_leave(c, true);
}

#define SWEEP_MAX 64

void proto_room_seats_check(struct proto_conn *c)
{
	struct proto_server *s = c->srv;
	uint64_t now = proto_now_us(c);
	struct meet_room *r = c->room;
	if (r && c->member && r->n_seats) {
		struct meet_member *host = meet_seats_expire(r, now);
		if (host)
			proto_room_host_announce(r, host);
	}
	if (now < s->next_sweep_us)
		return;
	s->next_sweep_us = now + 1000000u;
	/* Rooms that only held seats: once those expire, the room is gone. */
	struct meet_room *gone[SWEEP_MAX];
	size_t n = 0;
	for (size_t i = 0; n < SWEEP_MAX && hmap_next(&s->meet->rooms, &i, (void **)&r);) {
		if (r->n_members || !r->n_seats)
			continue;
		meet_seats_expire(r, now);
		if (!r->n_seats)
			gone[n++] = r;
	}
	for (size_t i = 0; i < n; i++)
		room_close(s, gone[i]);
}

void proto_room_lobby_cancel(struct proto_conn *c)
{
	struct meet_room *r = c->room;
	uint32_t id = c->lobby_id;
	c->room = NULL;
	c->lobby_id = 0;
	c->awaiting_host = false;
	if (r && meet_lobby_take(r, id, NULL) == MEET_OK)
		proto_room_lobby_left(r, id);
	if (r && !r->n_members && !r->n_waiting && !r->n_seats)
		room_close(c->srv, r);   /* it only held those waiting for its host */
}

void proto_room_admit(struct meet_room *r, const struct meet_waiter *w)
{
	struct proto_conn *c = w->arg;
	c->lobby_id = 0;
	proto_event(c, "lobby_admitted", json_object());
	/* participant_joined events of sfu_join wait until `joined` is out. */
	c->busy++;
	c->awaiting_host = false;
	enum signal_err err = proto_room_enter(c, r, r->key, w->name);
	if (err == SIGNAL_OK) {
		proto_event_now(c, "joined", proto_join_result(c));
		if (r->n_hands)
			proto_event(c, "hands_updated", proto_hands_json(r, 0));
		proto_breakout_joined(c);
		proto_polls_send_all(c);
		if (c->member->role == MEET_HOST)
			proto_room_lobby_updated(r, c);
	}
	c->busy--;
	if (err != SIGNAL_OK) {
		struct meet_waiter copy = *w;
		proto_room_deny(&copy, "denied", signal_err_code(err));
	}
	proto_pending_flush(c);
}

void proto_room_host_arrived(struct meet_room *r)
{
	uint32_t ids[MEET_LOBBY_MAX];
	size_t n = 0;
	for (const struct meet_waiter *w = r->lobby; w && n < MEET_LOBBY_MAX; w = w->next)
		if (((struct proto_conn *)w->arg)->awaiting_host)
			ids[n++] = w->lobby_id;
	for (size_t i = 0; i < n; i++) {
		struct meet_waiter w;
		if (meet_lobby_take(r, ids[i], &w) == MEET_OK) {
			proto_room_lobby_left(r, ids[i]);
			proto_room_admit(r, &w);
		}
	}
}
