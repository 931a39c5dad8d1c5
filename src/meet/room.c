/* room: the meeting state of one room — members and their roles (the first is host; a host is
 * never missing while anyone is present but a dropped host's held seat), the bounded lobby queue,
 * rejoin seats, and the FIFO of raised hands. */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "meet/meet.h"

int meet_new(struct meet **out)
{
	struct meet *m = calloc(1, sizeof *m);
	if (!m)
		return ENOMEM;
	hmap_init(&m->rooms);
	*out = m;
	return 0;
}

static void room_destroy(struct meet_room *r)
{
	while (r->members) {
		struct meet_member *m = r->members;
		r->members = m->next;
		free(m);
	}
	while (r->lobby) {
		struct meet_waiter *w = r->lobby;
		r->lobby = w->next;
		free(w);
	}
	free(r->hands);
	meet_room_polls_free(r);
	OPENSSL_cleanse(r->hash, sizeof r->hash);
	free(r);
}

void meet_free(struct meet *m)
{
	if (!m)
		return;
	struct meet_room *r;
	for (size_t i = 0; hmap_next(&m->rooms, &i, (void **)&r);)
		room_destroy(r);
	hmap_free(&m->rooms);
	free(m);
}

struct meet_room *meet_room_find(struct meet *m, const char *key)
{
	size_t n = key ? strlen(key) : 0;
	if (n == 0 || n > MEET_ROOM_KEY_MAX)
		return NULL;
	return hmap_get(&m->rooms, key, n);
}

int meet_room_new(struct meet *m, const char *key, struct meet_room **out)
{
	size_t n = key ? strlen(key) : 0;
	const char *slash = key ? strrchr(key, '/') : NULL;
	const char *name = slash ? slash + 1 : key;
	if (n == 0 || n > MEET_ROOM_KEY_MAX || !*name || strlen(name) > MEET_ROOM_NAME_MAX)
		return EINVAL;
	if (hmap_get(&m->rooms, key, n))
		return EEXIST;
	struct meet_room *r = calloc(1, sizeof *r);
	if (!r)
		return ENOMEM;
	memcpy(r->key, key, n + 1);
	snprintf(r->name, sizeof r->name, "%s", name);
	r->meet = m;
	r->next_lobby_id = 1;
	r->next_message_id = 1;
	if (hmap_put(&m->rooms, r->key, n, r) != 0) {
		free(r);
		return ENOMEM;
	}
	*out = r;
	return 0;
}

void meet_room_free(struct meet_room *r)
{
	if (!r)
		return;
	hmap_del(&r->meet->rooms, r->key, strlen(r->key), r);
	room_destroy(r);
}

/* ---- members and roles ---- */

int meet_member_add(struct meet_room *r, uint32_t id, const char *name, void *arg, struct meet_member **out)
{
	struct meet_member *m = calloc(1, sizeof *m);
	if (!m)
		return ENOMEM;
	m->id = id;
	m->arg = arg;
	m->role = r->members || meet_seat_host_held(r, 0) ? MEET_GUEST : MEET_HOST;
	snprintf(m->name, sizeof m->name, "%s", name ? name : "");
	uint8_t raw[MEET_TOKEN_LEN / 2];
	if (util_random(raw, sizeof raw) != 0) {
		free(m);
		return ENOMEM;
	}
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(m->token + 2 * i, 3, "%02x", raw[i]);
	struct meet_member **tail = &r->members;
	while (*tail)
		tail = &(*tail)->next;
	*tail = m;
	r->n_members++;
	if (out)
		*out = m;
	return 0;
}

struct meet_member *meet_member_find(const struct meet_room *r, uint32_t id)
{
	for (struct meet_member *m = r->members; m; m = m->next)
		if (m->id == id)
			return m;
	return NULL;
}

struct meet_member *meet_member_remove(struct meet_room *r, struct meet_member *m, bool *hand_lowered)
{
	bool lowered = meet_hand_lower(r, m);
	if (hand_lowered)
		*hand_lowered = lowered;
	for (struct meet_member **pp = &r->members; *pp; pp = &(*pp)->next) {
		if (*pp == m) {
			*pp = m->next;
			r->n_members--;
			break;
		}
	}
	bool was_host = m->role == MEET_HOST;
	OPENSSL_cleanse(m->token, sizeof m->token);
	free(m);
	if (!was_host || !r->members || meet_seat_host_held(r, 0))
		return NULL;
	for (struct meet_member *o = r->members; o; o = o->next)
		if (o->role == MEET_HOST)
			return NULL;
	r->members->role = MEET_HOST;   /* the longest present */
	return r->members;
}

/* ---- rejoin seats ---- */

bool meet_seat_host_held(const struct meet_room *r, uint64_t now_us)
{
	for (unsigned i = 0; i < r->n_seats; i++)
		if (r->seats[i].role == MEET_HOST && (!now_us || r->seats[i].expires_us > now_us))
			return true;
	return false;
}

struct meet_member *meet_member_drop(struct meet_room *r, struct meet_member *m, uint64_t now_us,
                                     bool *hand_lowered)
{
	if (m->role == MEET_HOST && r->n_seats < MEET_SEATS_MAX) {
		struct meet_seat *s = &r->seats[r->n_seats++];
		memcpy(s->token, m->token, sizeof s->token);
		s->role = m->role;
		s->expires_us = now_us + MEET_SEAT_GRACE_US;
	}
	return meet_member_remove(r, m, hand_lowered);
}

static void seat_del(struct meet_room *r, unsigned i)
{
	OPENSSL_cleanse(&r->seats[i], sizeof r->seats[i]);
	r->seats[i] = r->seats[--r->n_seats];
}

int meet_seat_take(struct meet_room *r, const char *token, uint64_t now_us)
{
	if (!token || strlen(token) != MEET_TOKEN_LEN)
		return -1;
	for (unsigned i = 0; i < r->n_seats; i++) {
		if (CRYPTO_memcmp(r->seats[i].token, token, MEET_TOKEN_LEN) != 0)
			continue;
		int role = r->seats[i].expires_us > now_us ? (int)r->seats[i].role : -1;
		seat_del(r, i);
		return role;
	}
	return -1;
}

struct meet_member *meet_seats_expire(struct meet_room *r, uint64_t now_us)
{
	bool expired = false;
	for (unsigned i = 0; i < r->n_seats;) {
		if (r->seats[i].expires_us <= now_us) {
			seat_del(r, i);
			expired = true;
		} else {
			i++;
		}
	}
	if (!expired || !r->members || meet_seat_host_held(r, 0))
		return NULL;
	for (struct meet_member *o = r->members; o; o = o->next)
		if (o->role == MEET_HOST)
			return NULL;
	r->members->role = MEET_HOST;
	return r->members;
}

bool meet_make_host(struct meet_room *r, struct meet_member *m)
{
	if (m->role == MEET_HOST)
		return false;
	m->role = MEET_HOST;
	return true;
}

size_t meet_hosts(const struct meet_room *r, uint32_t *ids, size_t cap)
{
	size_t n = 0;
	for (const struct meet_member *m = r->members; m; m = m->next) {
		if (m->role != MEET_HOST)
			continue;
		if (n < cap)
			ids[n] = m->id;
		n++;
	}
	return n;
}

/* ---- lobby ---- */

enum meet_err meet_lobby_add(struct meet_room *r, const char *name, void *arg, uint64_t group, uint64_t now_us,
                             uint32_t *lobby_id, uint64_t *retry_us)
{
	if (r->n_waiting >= MEET_LOBBY_MAX)
		return MEET_ERR_LOBBY_FULL;
	unsigned same = 0;
	for (const struct meet_waiter *o = r->lobby; o; o = o->next)
		same += o->group == group;
	if (same >= MEET_LOBBY_PER_GROUP)
		return MEET_ERR_LOBBY_FULL;
	struct meet_group *g = meet_group_get(r, group, now_us);
	if (!meet_bucket_ready(&g->knock, &meet_limit_knock_group, now_us, retry_us) ||
	    !meet_bucket_ready(&r->knock, &meet_limit_knock_room, now_us, retry_us))
		return MEET_ERR_RATE_LIMITED;
	struct meet_waiter *w = calloc(1, sizeof *w);
	if (!w)
		return MEET_ERR_NOMEM;
	meet_bucket_take(&g->knock, &meet_limit_knock_group, now_us, NULL);
	meet_bucket_take(&r->knock, &meet_limit_knock_room, now_us, NULL);
	g->last_us = now_us;
	w->group = group;
	w->lobby_id = r->next_lobby_id++;
	if (r->next_lobby_id == 0 || r->next_lobby_id > 0x7fffffff)
		r->next_lobby_id = 1;
	w->arg = arg;
	snprintf(w->name, sizeof w->name, "%s", name ? name : "");
	struct meet_waiter **tail = &r->lobby;
	while (*tail)
		tail = &(*tail)->next;
	*tail = w;
	r->n_waiting++;
	*lobby_id = w->lobby_id;
	return MEET_OK;
}

enum meet_err meet_lobby_take(struct meet_room *r, uint32_t lobby_id, struct meet_waiter *out)
{
	for (struct meet_waiter **pp = &r->lobby; *pp; pp = &(*pp)->next) {
		struct meet_waiter *w = *pp;
		if (w->lobby_id != lobby_id)
			continue;
		*pp = w->next;
		r->n_waiting--;
		if (out) {
			*out = *w;
			out->next = NULL;
		}
		free(w);
		return MEET_OK;
	}
	return MEET_ERR_NOT_FOUND;
}

bool meet_lobby_pop(struct meet_room *r, struct meet_waiter *out)
{
	return r->lobby && meet_lobby_take(r, r->lobby->lobby_id, out) == MEET_OK;
}

uint32_t meet_lobby_find_arg(const struct meet_room *r, const void *arg)
{
	for (const struct meet_waiter *w = r->lobby; w; w = w->next)
		if (w->arg == arg)
			return w->lobby_id;
	return 0;
}

/* ---- hands ---- */

bool meet_hand_raise(struct meet_room *r, struct meet_member *m)
{
	if (m->hand_raised)
		return false;
	if (r->n_hands == r->cap_hands) {
		size_t cap = r->cap_hands ? r->cap_hands * 2 : 8;
		uint32_t *h = realloc(r->hands, cap * sizeof *h);
		if (!h)
			return false;
		r->hands = h;
		r->cap_hands = cap;
	}
	r->hands[r->n_hands++] = m->id;
	m->hand_raised = true;
	return true;
}

bool meet_hand_lower(struct meet_room *r, struct meet_member *m)
{
	if (!m->hand_raised)
		return false;
	m->hand_raised = false;
	for (size_t i = 0; i < r->n_hands; i++) {
		if (r->hands[i] == m->id) {
			memmove(&r->hands[i], &r->hands[i + 1], (r->n_hands - i - 1) * sizeof r->hands[0]);
			r->n_hands--;
			break;
		}
	}
	return true;
}
