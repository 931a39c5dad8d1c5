/* out: recording and streaming as signaling sees them (signal_out.h) — the hosts' starts and
 * stops through the media side's ops, the consent record in room_state and out_updated, the
 * media side's reports to the hosts, and room_status: what a person not yet joined must know. */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "signal/proto_int.h"

_Static_assert((int)SIGNAL_OUT_RECORDING == (int)MEET_OUT_RECORDING &&
               (int)SIGNAL_OUT_STREAMING == (int)MEET_OUT_STREAMING &&
               (int)SIGNAL_OUT_COUNT == (int)MEET_OUT_COUNT, "signal_out and meet_out are one list");

#define REASON_MAX 31   /* bytes of a reason the media side gives */
#define FILE_MAX 255    /* bytes of a file name it reports */

static const char *const out_names[SIGNAL_OUT_COUNT] = {
	[SIGNAL_OUT_RECORDING] = "recording", [SIGNAL_OUT_STREAMING] = "streaming",
};

void proto_server_set_out(struct proto_server *s, const struct signal_out_ops *ops, void *arg,
                          const bool off[SIGNAL_OUT_COUNT])
{
	s->out_ops = ops && ops->start && ops->stop ? ops : NULL;
	s->out_arg = arg;
	for (int i = 0; i < SIGNAL_OUT_COUNT; i++)
		s->out_off[i] = off && off[i];
}

static bool offered(const struct proto_server *s, const struct proto_tenant *t, enum signal_out what)
{
	return s->out_ops && !s->out_off[what] && !(t && t->out_off[what]);
}

/* The tenant a room belongs to (the connection's while it has none yet). */
static struct proto_tenant *room_tenant(const struct proto_conn *c)
{
	return c->room && c->room->owner ? c->room->owner : c->tenant;
}

json_t *proto_out_features_json(const struct proto_conn *c)
{
	struct proto_tenant *t = room_tenant(c);
	bool clear = proto_e2ee_out(c->room) == SIGNAL_OK;   /* an encrypted room's media cannot leave it */
	return json_pack("{s:b, s:b}", "recording", clear && offered(c->srv, t, SIGNAL_OUT_RECORDING),
	                 "streaming", clear && offered(c->srv, t, SIGNAL_OUT_STREAMING));
}

static json_t *text_or_null(const char *s)
{
	json_t *j = s && *s ? json_string(s) : NULL;
	return j ? j : json_null();
}

static json_t *ms_or_null(uint64_t ms)
{
	return ms ? json_integer((json_int_t)ms) : json_null();
}

static json_t *state_json(const struct meet_out_state *o)
{
	return json_pack("{s:b, s:o, s:o, s:o, s:o, s:o}", "active", o->active,
	                 "started_by", text_or_null(o->started_by), "since", ms_or_null(o->since_ms),
	                 "stopped_by", text_or_null(o->stopped_by), "stopped_at", ms_or_null(o->stopped_ms),
	                 "reason", text_or_null(o->reason));
}

void proto_room_out_json(const struct meet_room *r, json_t *obj)
{
	for (int i = 0; i < SIGNAL_OUT_COUNT; i++)
		json_object_set_new(obj, out_names[i], state_json(&r->out[i]));
}

/* Everyone in the room: `what` changed ("started", "stopped", "failed", "empty"). */
static void broadcast_change(struct meet_room *r, enum signal_out what, const char *change)
{
	json_t *d = state_json(&r->out[what]);
	if (!d)
		return;
	json_object_set_new(d, "what", json_string(out_names[what]));
	json_object_set_new(d, "change", json_string(change));
	proto_room_broadcast(r, "out_updated", d, NULL);
}

static enum signal_err out_change(struct proto_req *r, enum signal_out what, bool on)
{
	struct proto_conn *c = r->c;
	struct proto_server *s = c->srv;
	struct meet_room *room = c->room;
	struct proto_tenant *t = room_tenant(c);
	enum signal_err e2ee = on ? proto_e2ee_out(room) : SIGNAL_OK;
	if (e2ee != SIGNAL_OK)
		return e2ee;
	if (!offered(s, t, what))
		return SIGNAL_ERR_FEATURE_DISABLED;
	uint64_t retry = 0;
	if (meet_take(&room->out_limit, &meet_limit_out, proto_now_us(c), &retry) != MEET_OK)
		return proto_rate_limited(r, "recording and streaming changes", retry);
	if (on && !room->out[what].active && meet_breakout_active(room)) {
		r->message = "Breakout groups are open: the main room can be recorded or streamed once they close.";
		return SIGNAL_ERR_BUSY;
	}
	if (room->out[what].active != on) {
		if (on) {
			int err = s->out_ops->start(s->out_arg, what, room->key, t->id);
			if (err) {
				log_info("signal", "%s not started: %s", out_names[what], signal_err_code(signal_err_from_out(err)));
				return signal_err_from_out(err);
			}
			meet_out_start(room, (enum meet_out)what, c->member->name, proto_wall_ms());
		} else {
			s->out_ops->stop(s->out_arg, what, room->key);
			meet_out_stop(room, (enum meet_out)what, c->member->name, NULL, proto_wall_ms());
		}
		log_info("signal", "%s %s by a host", out_names[what], on ? "started" : "stopped");
		broadcast_change(room, what, on ? "started" : "stopped");
	}
	r->result = state_json(&room->out[what]);
	return SIGNAL_OK;
}

enum signal_err proto_m_recording_start(struct proto_req *r)
{
	return out_change(r, SIGNAL_OUT_RECORDING, true);
}

enum signal_err proto_m_recording_stop(struct proto_req *r)
{
	return out_change(r, SIGNAL_OUT_RECORDING, false);
}

enum signal_err proto_m_streaming_start(struct proto_req *r)
{
	return out_change(r, SIGNAL_OUT_STREAMING, true);
}

enum signal_err proto_m_streaming_stop(struct proto_req *r)
{
	return out_change(r, SIGNAL_OUT_STREAMING, false);
}

/* {room}: whether that room of this connection's tenant is recorded or streamed now — nothing
 * else (no names, no counts: whoever asks has not been let in). */
enum signal_err proto_m_room_status(struct proto_req *r)
{
	struct proto_conn *c = r->c;
	const char *room;
	char canon[SFU_ROOM_NAME_MAX + 1], key[MEET_ROOM_KEY_MAX + 1];
	enum signal_err err = proto_param_string(r, "room", SIGNAL_ERR_ROOM_NAME_INVALID, &room, NULL);
	if (err)
		return err;
	if (sfu_room_name_normalize(room, canon) != 0)
		return SIGNAL_ERR_ROOM_NAME_INVALID;
	uint64_t retry = 0;
	if (meet_take(&c->status_limit, &meet_limit_out_status, proto_now_us(c), &retry) != MEET_OK)
		return proto_rate_limited(r, "room status requests", retry);
	snprintf(key, sizeof key, "%s/%s", c->tenant->id, canon);
	const struct meet_room *mr = meet_room_find(c->srv->meet, key);
	r->result = json_pack("{s:b, s:b, s:b}", "recording", mr && mr->out[MEET_OUT_RECORDING].active,
	                      "streaming", mr && mr->out[MEET_OUT_STREAMING].active,
	                      "e2ee", proto_e2ee_out(mr) != SIGNAL_OK);
	return SIGNAL_OK;
}

void proto_room_out_end(struct proto_server *s, struct meet_room *r)
{
	for (int i = 0; i < SIGNAL_OUT_COUNT; i++) {
		if (!r->out[i].active)
			continue;
		if (s->out_ops)
			s->out_ops->stop(s->out_arg, (enum signal_out)i, r->key);
		meet_out_stop(r, (enum meet_out)i, NULL, "empty", proto_wall_ms());
		log_info("signal", "%s stopped: nobody is left in the meeting", out_names[i]);
	}
}

/* A reason of the media side as the protocol passes it on: [a-z0-9_]{1,31}, else "failed". */
static const char *reason_of(const char *detail)
{
	size_t n = detail ? strlen(detail) : 0;
	if (n == 0 || n > REASON_MAX)
		return "failed";
	for (size_t i = 0; i < n; i++)
		if (!((detail[i] >= 'a' && detail[i] <= 'z') || (detail[i] >= '0' && detail[i] <= '9') || detail[i] == '_'))
			return "failed";
	return detail;
}

void proto_server_out_report(struct proto_server *s, const char *room_key, enum signal_out what,
                             enum signal_out_status status, const char *detail)
{
	struct meet_room *r = (unsigned)what < SIGNAL_OUT_COUNT ? meet_room_find(s->meet, room_key) : NULL;
	if (!r)
		return;   /* the meeting is over, or never was */
	json_t *d = json_pack("{s:s}", "what", out_names[what]);
	if (!d)
		return;
	switch (status) {
	case SIGNAL_OUT_FAILED:
		json_object_set_new(d, "status", json_string("failed"));
		json_object_set_new(d, "reason", json_string(reason_of(detail)));
		if (meet_out_stop(r, (enum meet_out)what, NULL, reason_of(detail), proto_wall_ms())) {
			log_warn("signal", "%s ended by itself: %s", out_names[what], reason_of(detail));
			broadcast_change(r, what, "failed");
		}
		break;
	case SIGNAL_OUT_RENDER_FAILED:
		json_object_set_new(d, "status", json_string("render_failed"));
		json_object_set_new(d, "reason", json_string(reason_of(detail)));
		break;
	case SIGNAL_OUT_READY: {
		json_t *file = detail && strlen(detail) <= FILE_MAX ? json_string(detail) : NULL;
		json_object_set_new(d, "status", json_string("ready"));
		json_object_set_new(d, "file", file ? file : json_null());
		break;
	}
	default:
		json_decref(d);
		return;
	}
	proto_room_to_hosts(r, "out_report", d);
}

bool proto_server_out_active(struct proto_server *s, const char *room_key, enum signal_out what)
{
	const struct meet_room *r = (unsigned)what < SIGNAL_OUT_COUNT ? meet_room_find(s->meet, room_key) : NULL;
	return r && r->out[what].active;
}
