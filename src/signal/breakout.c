/* breakout: breakout groups as the protocol shows them — hosts set them up, plan, open, move,
 * broadcast and close; everyone gets the `breakout` event (hosts with who is where), and moves
 * go to the media server (sfu_move: a group is a room of the meeting's family on its worker). */
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "signal/proto_int.h"

_Static_assert(MEET_GROUPS_MAX == SFU_GROUPS_MAX, "a media room for every breakout group");

#define ASSIGN_MAX 512

static uint32_t random_u32(void *arg)
{
	(void)arg;
	return util_random_u32();
}

static const char *const state_names[] = {
	[MEET_BREAKOUT_NONE] = "none", [MEET_BREAKOUT_PLANNED] = "planned",
	[MEET_BREAKOUT_OPEN] = "open", [MEET_BREAKOUT_CLOSING] = "closing",
};

/* Where m is for the hosts' lists: its plan while planned, else where it is. */
static unsigned place(const struct meet_room *r, const struct meet_member *m)
{
	return r->breakout.state == MEET_BREAKOUT_PLANNED ? m->planned : m->group;
}

static json_t *members_json(const struct meet_room *r, unsigned group)
{
	json_t *list = json_array();
	for (const struct meet_member *m = r->members; list && m; m = m->next)
		if (place(r, m) == group)
			json_array_append_new(list, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)m->id, "name", m->name,
			                                      "role", m->role == MEET_HOST ? "host" : "guest"));
	return list;
}

/* The state as `to` sees it: guests never see a plan, nor who is in which group. */
static json_t *state_json(const struct meet_room *r, const struct meet_member *to)
{
	const struct meet_breakout *b = &r->breakout;
	bool host = to->role == MEET_HOST;
	enum meet_breakout_state st = b->state;
	if (!host && st == MEET_BREAKOUT_PLANNED)
		st = MEET_BREAKOUT_NONE;
	json_t *groups = json_array();
	for (unsigned g = 1; groups && st != MEET_BREAKOUT_NONE && g <= b->n_groups; g++) {
		unsigned count = 0;
		for (const struct meet_member *m = r->members; m; m = m->next)
			count += place(r, m) == g;
		json_t *o = json_pack("{s:I, s:s, s:I}", "id", (json_int_t)g, "name", b->names[g - 1], "count", (json_int_t)count);
		if (o && host)
			json_object_set_new(o, "members", members_json(r, g));
		json_array_append_new(groups, o);
	}
	json_t *o = json_pack("{s:s, s:b, s:I, s:I, s:I, s:o}", "state", state_names[st],
	                      "allow_choose", st != MEET_BREAKOUT_NONE && b->allow_choose,
	                      "ends_at_ms", (json_int_t)(st == MEET_BREAKOUT_NONE ? 0 : b->ends_ms),
	                      "closing_at_ms", (json_int_t)(st == MEET_BREAKOUT_CLOSING ? b->closing_ms : 0),
	                      "your_group", (json_int_t)to->group, "groups", groups);
	if (o && host)
		json_object_set_new(o, "main", members_json(r, 0));
	return o;
}

static void send_state(struct meet_room *r, struct meet_member *m)
{
	struct proto_conn *c = m->arg;
	if (proto_conn_listening(c))
		proto_event(c, "breakout", state_json(r, m));
}

static void changed(struct meet_room *r)
{
	for (struct meet_member *m = r->members; m; m = m->next)
		send_state(r, m);
}

void proto_breakout_joined(struct proto_conn *c)
{
	const struct meet_breakout *b = &c->room->breakout;
	if (b->state == MEET_BREAKOUT_NONE || (b->state == MEET_BREAKOUT_PLANNED && c->member->role != MEET_HOST))
		return;
	send_state(c->room, c->member);
	/* the hosts' lists and the groups' counts */
	for (struct meet_member *m = c->room->members; m; m = m->next)
		if (m != c->member && m->role == MEET_HOST)
			send_state(c->room, m);
}

void proto_breakout_left(struct meet_room *r)
{
	if (r->breakout.state != MEET_BREAKOUT_NONE)
		changed(r);
}

/* After moves: each group's hands, and everyone's state. */
static void moved(struct meet_room *r)
{
	proto_room_broadcast_hands(r);
	changed(r);
}

/* Moves one member's media (sfu_move) and its place in the meeting. */
static int move_to(struct meet_member *m, unsigned group)
{
	struct proto_conn *c = m->arg;
	if (m->group == group)
		return 0;
	int rc = c->participant ? sfu_move(c->participant, group) : -SFU_ERR_STATE;
	if (rc == 0)
		m->group = group;
	return rc;
}

/* Everyone to their plan (opening) — the hands and the state follow. */
static void move_all_to_plan(struct meet_room *r)
{
	for (struct meet_member *m = r->members; m; m = m->next) {
		int rc = move_to(m, m->planned);
		if (rc)
			log_warn("signal", "participant %u not moved to group %u: %s", m->id, m->planned,
			         signal_err_code(signal_err_from_sfu(rc)));
	}
	moved(r);
}

/* The countdown is over: everyone back in the main room. Someone the main room has no space for
 * stays and is tried again at the next tick. */
static void return_all(struct meet_room *r)
{
	bool all = true;
	for (struct meet_member *m = r->members; m; m = m->next) {
		m->planned = 0;
		if (move_to(m, 0) != 0)
			all = false;
	}
	if (all) {
		meet_breakout_end(r);
		log_info("signal", "breakout groups closed");
	}
	moved(r);
}

void proto_server_tick(struct proto_server *s)
{
	uint64_t now = proto_wall_ms(), mono = clock_now(s->clock);
	struct meet_room *r;
	for (size_t i = 0; hmap_next(&s->meet->rooms, &i, (void **)&r);) {
		proto_polls_tick(r, mono);
		switch (meet_breakout_tick(r, now)) {
		case MEET_BREAKOUT_DUE_CLOSING:
			changed(r);
			break;
		case MEET_BREAKOUT_DUE_RETURN:
			return_all(r);
			break;
		case MEET_BREAKOUT_DUE_NOTHING:
			break;
		}
	}
}

/* Every host command costs from the host's own budget. */
static enum signal_err take(struct proto_req *r)
{
	uint64_t retry = 0;
	if (meet_take(&r->c->member->breakout, &meet_limit_breakout, proto_now_us(r->c), &retry) != MEET_OK)
		return proto_rate_limited(r, "breakout changes", retry);
	return SIGNAL_OK;
}

static enum signal_err meet_verdict(struct proto_req *r, enum meet_err err, const char *invalid)
{
	if (err == MEET_OK) {
		r->result = json_object();
		return SIGNAL_OK;
	}
	if (err == MEET_ERR_INVALID)
		r->message = invalid;
	else if (err == MEET_ERR_STATE)
		r->message = "Not possible in the breakout groups' present state.";
	else if (err == MEET_ERR_BUSY)
		r->message = "The meeting is recorded or streamed: breakout groups open once that stops.";
	return signal_err_from_meet(err);
}

/* An optional integer param within 0..max (def when absent). */
static enum signal_err param_range(struct proto_req *r, const char *key, unsigned max, unsigned def, unsigned *out)
{
	const json_t *j = json_object_get(r->params, key);
	*out = def;
	if (!j || json_is_null(j))
		return SIGNAL_OK;
	if (!json_is_integer(j) || json_integer_value(j) < 0 || json_integer_value(j) > (json_int_t)max) {
		snprintf(r->message_buf, sizeof r->message_buf, "%s must be an integer from 0 to %u.", key, max);
		r->message = r->message_buf;
		return SIGNAL_ERR_BAD_REQUEST;
	}
	*out = (unsigned)json_integer_value(j);
	return SIGNAL_OK;
}

enum signal_err proto_m_breakout_setup(struct proto_req *r)
{
	enum signal_err err = take(r);
	if (err)
		return err;
	const json_t *names = json_object_get(r->params, "names");
	if (!json_is_array(names) || json_array_size(names) == 0 || json_array_size(names) > MEET_GROUPS_MAX) {
		r->message = "names must be an array of 1 to 20 group names.";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	const char *texts[MEET_GROUPS_MAX];
	size_t lens[MEET_GROUPS_MAX];
	size_t n = json_array_size(names);
	for (size_t i = 0; i < n; i++) {
		const json_t *j = json_array_get(names, i);
		if (!json_is_string(j)) {
			r->message = "names must be strings.";
			return SIGNAL_ERR_BAD_REQUEST;
		}
		texts[i] = json_string_value(j);
		lens[i] = json_string_length(j);
	}
	bool choose = json_is_true(json_object_get(r->params, "allow_choose"));
	struct meet_room *room = r->c->room;
	err = meet_verdict(r, meet_breakout_setup(room, texts, lens, n, choose),
	                   "Group names are distinct, 1 to 64 bytes of UTF-8 without control characters.");
	if (err == SIGNAL_OK)
		changed(room);
	return err;
}

/* {assign: {"<id>": group, …}} or {random: true}: the plan; while open, moves at once. */
enum signal_err proto_m_breakout_assign(struct proto_req *r)
{
	enum signal_err err = take(r);
	if (err)
		return err;
	struct meet_room *room = r->c->room;
	const struct meet_breakout *b = &room->breakout;
	if (b->state != MEET_BREAKOUT_PLANNED && b->state != MEET_BREAKOUT_OPEN)
		return meet_verdict(r, MEET_ERR_STATE, NULL);
	if (json_is_true(json_object_get(r->params, "random"))) {
		meet_breakout_spread(room, random_u32, NULL);
	} else {
		const json_t *assign = json_object_get(r->params, "assign");
		if (!json_is_object(assign) || json_object_size(assign) > ASSIGN_MAX) {
			r->message = "assign must be an object of participant ids to group numbers (0: the main room).";
			return SIGNAL_ERR_BAD_REQUEST;
		}
		struct meet_member *who[ASSIGN_MAX];
		unsigned where[ASSIGN_MAX];
		size_t n = 0;
		const char *key;
		const json_t *v;
		json_object_foreach((json_t *)assign, key, v) {
			char *end;
			unsigned long id = strtoul(key, &end, 10);
			if (*key < '0' || *key > '9' || *end || !json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > (json_int_t)b->n_groups) {
				r->message = "assign maps participant ids to group numbers from 0 to the number of groups.";
				return SIGNAL_ERR_BAD_REQUEST;
			}
			if (!(who[n] = meet_member_find(room, (uint32_t)id)))
				return SIGNAL_ERR_NOT_FOUND;
			where[n++] = (unsigned)json_integer_value(v);
		}
		for (size_t i = 0; i < n; i++)
			meet_breakout_plan(room, who[i], where[i]);
	}
	if (b->state == MEET_BREAKOUT_OPEN)
		move_all_to_plan(room);
	else
		changed(room);
	r->result = json_object();
	return SIGNAL_OK;
}

enum signal_err proto_m_breakout_move(struct proto_req *r)
{
	enum signal_err err = take(r);
	struct meet_member *m;
	json_int_t group;
	if (err || (err = proto_param_member(r, "participant_id", &m)) || (err = proto_param_int(r, "group", &group)))
		return err;
	struct meet_room *room = r->c->room;
	if (room->breakout.state != MEET_BREAKOUT_OPEN)
		return meet_verdict(r, MEET_ERR_STATE, NULL);
	if (group < 0 || group > (json_int_t)room->breakout.n_groups)
		return meet_verdict(r, MEET_ERR_INVALID, "group is 0 (the main room) to the number of groups.");
	meet_breakout_plan(room, m, (unsigned)group);
	int rc = move_to(m, (unsigned)group);
	if (rc)
		return signal_err_from_sfu(rc);
	moved(room);
	r->result = json_object();
	return SIGNAL_OK;
}

enum signal_err proto_m_breakout_open(struct proto_req *r)
{
	unsigned minutes;
	enum signal_err err = take(r);
	if (err || (err = param_range(r, "minutes", MEET_BREAKOUT_MINUTES_MAX, 0, &minutes)))
		return err;
	struct meet_room *room = r->c->room;
	err = meet_verdict(r, meet_breakout_open(room, minutes, proto_wall_ms()), NULL);
	if (err == SIGNAL_OK) {
		log_info("signal", "%u breakout groups opened", room->breakout.n_groups);
		move_all_to_plan(room);
	}
	return err;
}

enum signal_err proto_m_breakout_close(struct proto_req *r)
{
	unsigned seconds;
	enum signal_err err = take(r);
	if (err || (err = param_range(r, "seconds", MEET_BREAKOUT_CLOSE_MAX_S, MEET_BREAKOUT_CLOSE_DEFAULT_S, &seconds)))
		return err;
	struct meet_room *room = r->c->room;
	err = meet_verdict(r, meet_breakout_close(room, seconds, proto_wall_ms()), NULL);
	if (err == SIGNAL_OK) {
		if (seconds == 0)
			return_all(room);
		else
			changed(room);
	}
	return err;
}

/* Before opening, a host may also drop the plan altogether. */
enum signal_err proto_m_breakout_cancel(struct proto_req *r)
{
	enum signal_err err = take(r);
	if (err)
		return err;
	struct meet_room *room = r->c->room;
	if (room->breakout.state != MEET_BREAKOUT_PLANNED)
		return meet_verdict(r, MEET_ERR_STATE, NULL);
	meet_breakout_end(room);
	changed(room);
	r->result = json_object();
	return SIGNAL_OK;
}

/* A message from a host to everyone in every group (not kept, not logged). */
enum signal_err proto_m_breakout_broadcast(struct proto_req *r)
{
	const char *text;
	size_t len;
	enum signal_err err = take(r);
	if (err || (err = proto_param_string(r, "text", SIGNAL_ERR_BAD_REQUEST, &text, &len)))
		return err;
	if (meet_chat_check(text, len) != MEET_OK) {
		r->message = "The message is 1 to 2000 bytes of UTF-8 without control characters (but newline).";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	struct meet_member *from = r->c->member;
	proto_room_broadcast(r->c->room, "breakout_message",
	                     json_pack("{s:s%, s:{s:I, s:s}, s:I}", "text", text, len, "from", "id", (json_int_t)from->id,
	                               "name", from->name, "ts", (json_int_t)proto_wall_ms()), NULL);
	r->result = json_object();
	return SIGNAL_OK;
}

/* Anyone: into a group (or back) — hosts always while open, guests when they may choose. */
enum signal_err proto_m_breakout_join(struct proto_req *r)
{
	json_int_t group;
	enum signal_err err = proto_param_int(r, "group", &group);
	if (err)
		return err;
	struct meet_room *room = r->c->room;
	struct meet_member *m = r->c->member;
	if (group < 0 || group > MEET_GROUPS_MAX)
		return meet_verdict(r, MEET_ERR_INVALID, "group is 0 (the main room) to the number of groups.");
	if (!meet_breakout_may_join(room, m, (unsigned)group))
		return room->breakout.state == MEET_BREAKOUT_OPEN && group <= (json_int_t)room->breakout.n_groups
		       ? SIGNAL_ERR_FORBIDDEN : meet_verdict(r, MEET_ERR_STATE, NULL);
	uint64_t retry = 0;
	if (meet_take(&m->breakout, &meet_limit_breakout, proto_now_us(r->c), &retry) != MEET_OK)
		return proto_rate_limited(r, "group changes", retry);
	m->planned = (unsigned)group;
	int rc = move_to(m, (unsigned)group);
	if (rc)
		return signal_err_from_sfu(rc);
	moved(room);
	r->result = json_object();
	return SIGNAL_OK;
}

/* Someone in a group asks a host to come: the hosts hear who and where. */
enum signal_err proto_m_breakout_call_host(struct proto_req *r)
{
	struct meet_room *room = r->c->room;
	struct meet_member *m = r->c->member;
	if (!meet_breakout_active(room) || m->group == 0)
		return meet_verdict(r, MEET_ERR_STATE, NULL);
	uint64_t retry = 0;
	if (meet_take(&m->help, &meet_limit_breakout_help, proto_now_us(r->c), &retry) != MEET_OK)
		return proto_rate_limited(r, "calls for the host", retry);
	proto_room_to_hosts(room, "breakout_help", json_pack("{s:I, s:s, s:I, s:s}", "group", (json_int_t)m->group,
	                    "group_name", room->breakout.names[m->group - 1], "participant_id", (json_int_t)m->id,
	                    "name", m->name));
	r->result = json_object();
	return SIGNAL_OK;
}
