/* move: a participant goes from one room of its meeting to another (breakout groups "KEY~N" and
 * the main room "KEY", one family on one worker) keeping its transports; see sfu_move in sfu.h. */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "sfu/sfu_internal.h"

static const char *MOD = "move";

struct move_call {
	struct sfu_participant *p;
	struct sfu_room *to;
	int err;
};

/* Worker: out of the old room (both sides forget each other's tracks), into the new one. */
static void move_on_worker(void *arg)
{
	struct move_call *c = arg;
	struct sfu_participant *p = c->p;
	struct sfu_room *from = p->room, *to = c->to;
	if (p->gone || !from) {
		c->err = -SFU_ERR_STATE;
		return;
	}
	unsigned max = p->sfu->cfg.max_room_participants;
	if (max && to->count >= max) {
		c->err = -SFU_ERR_ROOM_FULL;
		return;
	}
	for (struct sfu_participant *o = from->members; o; o = o->next) {
		if (o == p)
			continue;
		for (size_t k = 0; k < o->n_tracks; k++)
			sfu_sub_track_removed(p, o->tracks[k]);
		if (p->ev->participant_left)
			p->ev->participant_left(p->ev_arg, o->id, SFU_LEFT_MOVED);
	}
	sfu_room_remove(from, p, SFU_LEFT_MOVED);
	if (!to->attached)
		sfu_room_attach(to);
	sfu_room_add(to, p);                 /* p hears of them, they of p; p takes their tracks */
	sfu_room_tracks_added(to, p, 0);     /* they take p's */
	sfu_layers_assign(p);
	sfu_sub_negotiate(p);                /* also when p only lost tracks */
}

int sfu_move(struct sfu_participant *p, unsigned group)
{
	if (!p || p->viewer || group > SFU_GROUPS_MAX || p->main_gone)
		return -SFU_ERR_STATE;
	if (group == p->group)
		return 0;
	char key[SFU_ROOM_GROUP_KEY_MAX + 1];
	if (group)
		snprintf(key, sizeof key, "%s~%u", p->room_name, group);
	else
		snprintf(key, sizeof key, "%s", p->room_name);
	struct sfu_room *to;
	if (sfu_room_get(p->sfu, key, &to) != 0)
		return -SFU_ERR_INTERNAL;
	to->main_count++;
	if (to->w != p->w) {   /* cannot happen: a family shares its worker (room.c) */
		log_error(MOD, "group room on another worker");
		sfu_room_release(to);
		return -SFU_ERR_INTERNAL;
	}
	struct move_call c = { p, to, 0 };
	sfu_worker_call(p->w, move_on_worker, &c);
	if (c.err) {
		sfu_room_release(to);
		return c.err;
	}
	struct sfu_room *from = p->home;
	p->home = to;
	p->group = group;
	sfu_room_release(from);
	log_info(MOD, "participant %u moved to group %u", p->id, group);
	return 0;
}

unsigned sfu_participant_group(const struct sfu_participant *p)
{
	return p->group;
}
