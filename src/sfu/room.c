/* room: a named set of participants; created on first join, destroyed with its last member.
 * Tells every member about joins, leaves and changes, and wires published tracks to subscribers.
 * The main thread keeps the table of rooms; a room's members live on its worker. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "sfu/sfu_internal.h"

static const char *MOD = "room";

/* The worker of a room of name's family (the meeting's main room "KEY" and its groups "KEY~N"),
 * or NULL when none of them exists. */
static struct sfu_worker *family_worker(struct sfu *sfu, const char *name)
{
	const char *tilde = strchr(name, '~');
	size_t base = tilde ? (size_t)(tilde - name) : strlen(name);
	char key[SFU_ROOM_GROUP_KEY_MAX + 1];
	for (unsigned g = 0; g <= SFU_GROUPS_MAX; g++) {
		int n = g ? snprintf(key, sizeof key, "%.*s~%u", (int)base, name, g)
		          : snprintf(key, sizeof key, "%.*s", (int)base, name);
		const struct sfu_room *r = hmap_get(&sfu->rooms, key, (size_t)n);
		if (r)
			return r->w;
	}
	return NULL;
}

int sfu_room_get(struct sfu *sfu, const char *name, struct sfu_room **out)
{
	struct sfu_room *r = hmap_get(&sfu->rooms, name, strlen(name));
	if (!r) {
		r = calloc(1, sizeof *r);
		if (!r)
			return ENOMEM;
		r->sfu = sfu;
		strcpy(r->name, name);
		/* the worker of its family, else the one with the fewest rooms */
		struct sfu_worker *w = family_worker(sfu, name);
		if (!w) {
			w = sfu->workers[0];
			for (unsigned i = 1; i < sfu->n_workers; i++)
				if (sfu->workers[i]->main_rooms < w->main_rooms)
					w = sfu->workers[i];
		}
		r->w = w;
		if (hmap_put(&sfu->rooms, r->name, strlen(r->name), r) != 0) {
			free(r);
			return ENOMEM;
		}
		w->main_rooms++;
		log_info(MOD, "room created (%zu rooms)", sfu->rooms.count);
	}
	*out = r;
	return 0;
}

void sfu_room_release(struct sfu_room *r)
{
	if (--r->main_count)
		return;
	/* none joined and unreleased: the worker holds no member and has unlinked it */
	struct sfu *sfu = r->sfu;
	sfu_tap_room_gone(r);
	hmap_del(&sfu->rooms, r->name, strlen(r->name), r);
	r->w->main_rooms--;
	log_info(MOD, "room closed (%zu rooms)", sfu->rooms.count);
	free(r);
}

void sfu_room_attach(struct sfu_room *r)
{
	struct sfu_worker *w = r->w;
	r->wprev = NULL;
	r->wnext = w->rooms;
	if (r->wnext)
		r->wnext->wprev = r;
	w->rooms = r;
	r->attached = true;
}

void sfu_participant_info(const struct sfu_participant *p, struct sfu_participant_info *out)
{
	out->id = p->id;
	out->name = p->name;
	out->audio_muted = p->audio_muted;
	out->video_muted = p->video_muted;
	out->publishing = p->pub != NULL;
	out->music = p->music;
	out->quality = p->quality;
}

void sfu_room_add(struct sfu_room *r, struct sfu_participant *p)
{
	struct sfu_participant_info mine, theirs;
	sfu_participant_info(p, &mine);
	for (struct sfu_participant *o = r->members; o; o = o->next) {
		sfu_participant_info(o, &theirs);
		if (p->ev->participant_joined)
			p->ev->participant_joined(p->ev_arg, &theirs);
		if (o->ev->participant_joined)
			o->ev->participant_joined(o->ev_arg, &mine);
	}
	p->room = r;
	p->next = r->members;
	if (r->members)
		r->members->prev = p;
	r->members = p;
	r->count++;
	/* The newcomer subscribes to everything already published. */
	bool added = false;
	for (struct sfu_participant *o = p->next; o; o = o->next) {
		for (size_t k = 0; k < o->n_tracks; k++) {
			sfu_sub_track_added(p, o->tracks[k]);
			added = true;
		}
	}
	if (added) {
		sfu_layers_assign(p);
		sfu_sub_negotiate(p);
	}
}

void sfu_room_remove(struct sfu_room *r, struct sfu_participant *p, enum sfu_leave_reason why)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		r->members = p->next;
	if (p->next)
		p->next->prev = p->prev;
	p->prev = p->next = NULL;
	r->count--;
	for (struct sfu_participant *o = r->members; o; o = o->next) {
		bool removed = false;
		for (size_t k = 0; k < p->n_tracks; k++) {
			sfu_sub_track_removed(o, p->tracks[k]);
			removed = true;
		}
		if (o->ev->participant_left)
			o->ev->participant_left(o->ev_arg, p->id, why);
		if (removed) {
			sfu_layers_assign(o);
			sfu_sub_negotiate(o);
		}
	}
	p->room = NULL;
	if (r->count == 0) {   /* off the worker's list; the main thread frees it after the releases */
		struct sfu_worker *w = r->w;
		if (r->wprev)
			r->wprev->wnext = r->wnext;
		else
			w->rooms = r->wnext;
		if (r->wnext)
			r->wnext->wprev = r->wprev;
		r->wprev = r->wnext = NULL;
		r->attached = false;
		r->dominant = 0;
		r->n_recent = r->n_loudest = 0;
		sfu_viewers_end(r);   /* the meeting's media is over: so is its stream */
	}
}

void sfu_room_broadcast_update(struct sfu_room *r, const struct sfu_participant *p)
{
	struct sfu_participant_info info;
	sfu_participant_info(p, &info);
	for (struct sfu_participant *o = r->members; o; o = o->next)
		if (o != p && o->ev->participant_updated)
			o->ev->participant_updated(o->ev_arg, &info);
}

void sfu_room_tracks_added(struct sfu_room *r, struct sfu_participant *p, size_t first)
{
	if (first >= p->n_tracks)
		return;
	for (struct sfu_participant *o = r->members; o; o = o->next) {
		if (o == p)
			continue;
		for (size_t k = first; k < p->n_tracks; k++)
			sfu_sub_track_added(o, p->tracks[k]);
		sfu_layers_assign(o);
		sfu_sub_negotiate(o);
	}
}

void sfu_room_track_removed(struct sfu_room *r, struct sfu_track *t)
{
	for (struct sfu_participant *o = r->members; o; o = o->next) {
		if (o == t->owner)
			continue;
		sfu_sub_track_removed(o, t);
		sfu_layers_assign(o);
		sfu_sub_negotiate(o);
	}
}

struct sfu_participant *sfu_room_find(struct sfu_room *r, uint32_t id)
{
	for (struct sfu_participant *o = r->members; o; o = o->next)
		if (o->id == id)
			return o;
	return NULL;
}
