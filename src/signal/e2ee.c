/* e2ee: end-to-end encrypted meetings as signaling sees them — the join's `e2ee` flag, the room's
 * answer to it (meet/e2ee.c decides), and the refusals of what would need the media (RFC 9605). */
#include "signal/proto_int.h"

enum signal_err proto_e2ee_join(struct proto_req *r, const struct meet_room *mr)
{
	const json_t *v = json_object_get(r->params, "e2ee");
	if (v && !json_is_null(v) && !json_is_boolean(v)) {
		r->message = "e2ee must be a boolean.";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	r->c->e2ee = json_is_true(v);
	return signal_err_from_meet(meet_e2ee_check(mr, r->c->e2ee));
}

enum signal_err proto_e2ee_enter(struct proto_conn *c, struct meet_room *r)
{
	return signal_err_from_meet(meet_e2ee_enter(r, c->e2ee));
}

enum signal_err proto_e2ee_out(const struct meet_room *r)
{
	return signal_err_from_meet(meet_e2ee_out(r));
}

bool proto_e2ee_room(struct proto_server *s, const char *room_key)
{
	return meet_e2ee_out(meet_room_find(s->meet, room_key)) != MEET_OK;
}
