/* test_meet: meeting policy without JSON or sockets — roles and host handover, passwords and
 * their guard (room budget, address groups, delays) on an injected clock, rejoin seats, fan-out
 * limits, lobby, lock, hands, chat rules, reactions. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "meet/meet.h"

#define SEC 1000000ull

static struct meet *mt;
static struct meet_room *room;

static void setup(void)
{
	ck_assert_int_eq(meet_new(&mt), 0);
	ck_assert_int_eq(meet_room_new(mt, "town-hall", &room), 0);
}

static void teardown(void)
{
	meet_free(mt);
	mt = NULL;
	room = NULL;
}

static struct meet_member *add(uint32_t id)
{
	struct meet_member *m = NULL;
	ck_assert_int_eq(meet_member_add(room, id, "P", NULL, &m), 0);
	return m;
}

/* ---- the role table ---- */

START_TEST(role_table)
{
	static const struct { enum meet_action a; bool guest; } rows[] = {
		{ MEET_ACT_SET_PASSWORD, false }, { MEET_ACT_SET_LOBBY, false }, { MEET_ACT_LOBBY_ADMIT, false },
		{ MEET_ACT_LOBBY_DENY, false }, { MEET_ACT_SET_LOCKED, false }, { MEET_ACT_MAKE_HOST, false },
		{ MEET_ACT_MUTE, false }, { MEET_ACT_MUTE_ALL, false }, { MEET_ACT_ASK_UNMUTE, false },
		{ MEET_ACT_REMOVE, false }, { MEET_ACT_END_MEETING, false }, { MEET_ACT_LOWER_OTHER_HAND, false },
		{ MEET_ACT_SET_ROOM_MUSIC, false }, { MEET_ACT_RECORD, false }, { MEET_ACT_STREAM, false },
		{ MEET_ACT_STREAM_LINKS, false }, { MEET_ACT_BREAKOUT, false },
		{ MEET_ACT_RAISE_HAND, true }, { MEET_ACT_LOWER_OWN_HAND, true },
		{ MEET_ACT_REACTION, true }, { MEET_ACT_CHAT, true }, { MEET_ACT_SET_MUSIC, true },
		{ MEET_ACT_SET_VIDEO_PREFS, true }, { MEET_ACT_BREAKOUT_HELP, true },
	};
	ck_assert_int_eq(sizeof rows / sizeof rows[0], MEET_ACT_COUNT);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		ck_assert_msg(meet_may(MEET_HOST, rows[i].a), "host may do action %d", rows[i].a);
		ck_assert_msg(meet_may(MEET_GUEST, rows[i].a) == rows[i].guest, "guest and action %d", rows[i].a);
	}
	ck_assert(!meet_may(MEET_HOST, MEET_ACT_COUNT));
}
END_TEST

/* The consent record: who started, since when; who stopped, or why it ended by itself. */
START_TEST(out_record)
{
	ck_assert(!meet_out_stop(room, MEET_OUT_RECORDING, "Ann", NULL, 5));
	ck_assert(meet_out_start(room, MEET_OUT_RECORDING, "Ann", 1000));
	ck_assert(!meet_out_start(room, MEET_OUT_RECORDING, "Bob", 2000));
	ck_assert_str_eq(room->out[MEET_OUT_RECORDING].started_by, "Ann");
	ck_assert_uint_eq(room->out[MEET_OUT_RECORDING].since_ms, 1000);
	ck_assert(!room->out[MEET_OUT_STREAMING].active);
	ck_assert(meet_out_stop(room, MEET_OUT_RECORDING, "Bob", "ignored", 3000));
	ck_assert_str_eq(room->out[MEET_OUT_RECORDING].stopped_by, "Bob");
	ck_assert_str_eq(room->out[MEET_OUT_RECORDING].reason, "");
	ck_assert_uint_eq(room->out[MEET_OUT_RECORDING].stopped_ms, 3000);
	/* a new run forgets the last one's end; an end by itself names its reason */
	ck_assert(meet_out_start(room, MEET_OUT_RECORDING, "Cy", 4000));
	ck_assert_str_eq(room->out[MEET_OUT_RECORDING].stopped_by, "");
	ck_assert(meet_out_stop(room, MEET_OUT_RECORDING, NULL, "disk_full", 5000));
	ck_assert_str_eq(room->out[MEET_OUT_RECORDING].reason, "disk_full");
	ck_assert_str_eq(room->out[MEET_OUT_RECORDING].started_by, "Cy");
	ck_assert(!meet_out_start(room, MEET_OUT_COUNT, "Ann", 1));
	/* the budget of starts and stops: six per 10 s per room */
	for (int i = 0; i < 6; i++)
		ck_assert_int_eq(meet_take(&room->out_limit, &meet_limit_out, 100, NULL), MEET_OK);
	ck_assert_int_eq(meet_take(&room->out_limit, &meet_limit_out, 100, NULL), MEET_ERR_RATE_LIMITED);
}
END_TEST

START_TEST(first_joiner_is_host)
{
	struct meet_member *a = add(10), *b = add(11), *c = add(12);
	ck_assert_int_eq(a->role, MEET_HOST);
	ck_assert_int_eq(b->role, MEET_GUEST);
	ck_assert_int_eq(c->role, MEET_GUEST);
	uint32_t ids[4];
	ck_assert_uint_eq(meet_hosts(room, ids, 4), 1);
	ck_assert_uint_eq(ids[0], 10);
	ck_assert_ptr_eq(meet_member_find(room, 12), c);
	ck_assert_ptr_null(meet_member_find(room, 99));
	ck_assert_uint_eq(room->n_members, 3);
}
END_TEST

START_TEST(host_handover)
{
	struct meet_member *a = add(1), *b = add(2), *c = add(3);
	(void)c;
	/* A guest leaving changes nothing. */
	ck_assert_ptr_null(meet_member_remove(room, b, NULL));
	struct meet_member *d = add(4);
	/* The last host leaves: the longest present (3, not 4) becomes host. */
	struct meet_member *h = meet_member_remove(room, a, NULL);
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(h->id, 3);
	ck_assert_int_eq(h->role, MEET_HOST);
	ck_assert_int_eq(d->role, MEET_GUEST);
	/* With two hosts, one leaving hands over nothing. */
	ck_assert(meet_make_host(room, d));
	ck_assert(!meet_make_host(room, d));
	ck_assert_ptr_null(meet_member_remove(room, h, NULL));
	ck_assert_int_eq(d->role, MEET_HOST);
	/* The last member leaves: nobody to hand over to. */
	ck_assert_ptr_null(meet_member_remove(room, d, NULL));
	ck_assert_uint_eq(room->n_members, 0);
	ck_assert_ptr_null(room->members);
}
END_TEST

/* ---- password and rate limit ---- */

START_TEST(password_rules)
{
	uint64_t retry = 0;
	ck_assert_int_eq(meet_room_admission(room, 7, NULL, 0, 0, &retry), MEET_OK);
	ck_assert_int_eq(meet_password_set(room, "geheim", 6), MEET_OK);
	ck_assert(room->has_password);
	/* Only a salted hash is kept. */
	ck_assert_ptr_null(memmem(room, sizeof *room, "geheim", 6));
	ck_assert_int_eq(meet_room_admission(room, 7, NULL, 0, 0, &retry), MEET_ERR_PASSWORD_REQUIRED);
	ck_assert_int_eq(meet_room_admission(room, 7, "Geheim", 6, 0, &retry), MEET_ERR_PASSWORD_WRONG);
	ck_assert_int_eq(meet_room_admission(room, 7, "geheim!", 7, 0, &retry), MEET_ERR_PASSWORD_WRONG);
	ck_assert_int_eq(meet_room_admission(room, 7, "geheim", 6, 0, &retry), MEET_OK);
	ck_assert(meet_password_matches(room, "geheim", 6));
	/* Change: the old one fails, the new one works. */
	ck_assert_int_eq(meet_password_set(room, "neu \xc3\xa4", 6), MEET_OK);
	ck_assert_int_eq(meet_room_admission(room, 7, "geheim", 6, 0, &retry), MEET_ERR_PASSWORD_WRONG);
	ck_assert_int_eq(meet_room_admission(room, 7, "neu \xc3\xa4", 6, 0, &retry), MEET_OK);
	/* Invalid passwords are refused and leave the current one. */
	char long_pw[MEET_PASSWORD_MAX + 2];
	memset(long_pw, 'x', sizeof long_pw);
	ck_assert_int_eq(meet_password_set(room, long_pw, MEET_PASSWORD_MAX + 1), MEET_ERR_INVALID);
	ck_assert_int_eq(meet_password_set(room, long_pw, MEET_PASSWORD_MAX), MEET_OK);
	ck_assert_int_eq(meet_password_set(room, "", 0), MEET_ERR_INVALID);
	ck_assert_int_eq(meet_password_set(room, "a\0b", 3), MEET_ERR_INVALID);
	ck_assert_int_eq(meet_password_set(room, "\xff", 1), MEET_ERR_INVALID);
	ck_assert_int_eq(meet_password_set(room, "\xc3", 1), MEET_ERR_INVALID);
	ck_assert(meet_password_matches(room, long_pw, MEET_PASSWORD_MAX));
	/* Remove. */
	ck_assert_int_eq(meet_password_set(room, NULL, 0), MEET_OK);
	ck_assert(!room->has_password);
	ck_assert_int_eq(meet_room_admission(room, 7, NULL, 0, 0, &retry), MEET_OK);
	ck_assert_int_eq(meet_room_admission(room, 7, "anything", 8, 0, &retry), MEET_OK);
}
END_TEST

/* Guesses one address group may have evaluated at `t`: MEET_ERR_PASSWORD_WRONG or held back. */
static enum meet_err guess(uint64_t group, const char *pw, uint64_t t, uint64_t *retry)
{
	return meet_room_admission(room, group, pw, strlen(pw), t, retry);
}

START_TEST(password_group_delay)
{
	uint64_t retry = 0, t = 1000 * SEC;
	ck_assert_int_eq(meet_password_set(room, "right", 5), MEET_OK);
	/* MEET_GUARD_FREE failures at once, then the group waits 1 s, 2 s, 4 s … */
	for (int i = 0; i < MEET_GUARD_FREE; i++)
		ck_assert_int_eq(guess(42, "wrong", t, &retry), MEET_ERR_PASSWORD_WRONG);
	ck_assert_int_eq(guess(42, "wrong", t, &retry), MEET_ERR_RATE_LIMITED);
	ck_assert_uint_eq(retry, 1 * SEC);
	/* Held back means not evaluated: the right one waits as well … */
	ck_assert_int_eq(guess(42, "right", t + SEC / 2, &retry), MEET_ERR_RATE_LIMITED);
	ck_assert_uint_eq(retry, SEC / 2);
	uint64_t expect[] = { 2 * SEC, 4 * SEC, 8 * SEC, 16 * SEC, 30 * SEC, 30 * SEC };
	uint64_t next = t + SEC;
	for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
		ck_assert_int_eq(guess(42, "wrong", next, &retry), MEET_ERR_PASSWORD_WRONG);
		ck_assert_int_eq(guess(42, "wrong", next, &retry), MEET_ERR_RATE_LIMITED);
		ck_assert_uint_eq(retry, expect[i]);
		next += retry;
	}
	t = next;
	/* … and is accepted once the delay is over: a NAT neighbour is slowed, never locked out. */
	ck_assert_int_eq(guess(42, "right", t, &retry), MEET_OK);
	ck_assert_int_eq(guess(42, "wrong", t + 31 * SEC, &retry), MEET_ERR_PASSWORD_WRONG);
	/* Another group is not delayed; a missing password costs nothing. */
	ck_assert_int_eq(guess(43, "right", t, &retry), MEET_OK);
	ck_assert_int_eq(meet_room_admission(room, 42, NULL, 0, t, &retry), MEET_ERR_PASSWORD_REQUIRED);
	/* Successes cost nothing. */
	for (int i = 0; i < 50; i++)
		ck_assert_int_eq(guess(44, "right", t, &retry), MEET_OK);
	ck_assert_uint_lt(room->guard.failures, MEET_GUARD_BUDGET);
}
END_TEST

START_TEST(password_room_budget)
{
	uint64_t retry = 0, t = 1000 * SEC;
	ck_assert_int_eq(meet_password_set(room, "right", 5), MEET_OK);
	/* Many groups, one guess each: the room's budget is spent after MEET_GUARD_BUDGET. */
	uint64_t g = 1000;
	for (int i = 0; i < MEET_GUARD_BUDGET; i++)
		ck_assert_int_eq(guess(g++, "wrong", t, &retry), MEET_ERR_PASSWORD_WRONG);
	ck_assert_uint_eq(meet_guard_delay_s(room, t), MEET_GUARD_ROOM_MIN_US / SEC);
	/* In backoff: fresh groups are held back too, the right password included. */
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(guess(g++, "wrong", t + SEC, &retry), MEET_ERR_RATE_LIMITED);
	ck_assert_int_eq(guess(g++, "right", t + SEC, &retry), MEET_ERR_RATE_LIMITED);
	/* Over a simulated hour of 10 guesses a second from ever new groups, the evaluations stay
	 * within the room-wide rate. */
	unsigned evaluated = 0;
	for (uint64_t now = t; now < t + 3600 * SEC; now += SEC / 10)
		if (guess(g++, "wrong", now, &retry) == MEET_ERR_PASSWORD_WRONG)
			evaluated++;
	ck_assert_uint_le(evaluated, 3600 * SEC / MEET_GUARD_ROOM_MIN_US + 1);
	ck_assert_uint_ge(evaluated, 3600 * SEC / MEET_GUARD_ROOM_MAX_US);
	/* The spacing grew with the failures. */
	ck_assert_uint_gt(meet_guard_delay_s(room, t), MEET_GUARD_ROOM_MIN_US / SEC);
	/* The host's reset: no backoff, the right password from a fresh group is accepted. */
	meet_guard_reset(room);
	ck_assert_uint_eq(meet_guard_delay_s(room, t), 0);
	ck_assert_int_eq(guess(g++, "right", t + 3600 * SEC, &retry), MEET_OK);
}
END_TEST

START_TEST(guard_table_full)
{
	uint64_t retry = 0, t = 5 * SEC;
	ck_assert_int_eq(meet_password_set(room, "right", 5), MEET_OK);
	/* Fill every slot (successes count as activity). */
	for (uint64_t a = 1; a <= MEET_GROUP_SLOTS; a++)
		ck_assert_int_eq(guess(a, "right", t, &retry), MEET_OK);
	/* Newcomers share one overflow slot: its failures add up, nobody gets a fresh allowance. */
	for (int i = 0; i < MEET_GUARD_FREE; i++)
		ck_assert_int_eq(guess(10000 + (uint64_t)i, "x", t, &retry), MEET_ERR_PASSWORD_WRONG);
	ck_assert_int_eq(guess(20000, "x", t, &retry), MEET_ERR_RATE_LIMITED);
	ck_assert_int_eq(guess(20001, "right", t, &retry), MEET_ERR_RATE_LIMITED);
	ck_assert_ptr_eq(meet_group_get(room, 30000, t), &room->overflow);
	/* Pressure frees no slot; only ten quiet minutes do. */
	ck_assert_ptr_eq(meet_group_get(room, 30000, t + MEET_GROUP_FORGET_US - SEC), &room->overflow);
	ck_assert_ptr_ne(meet_group_get(room, 30000, t + MEET_GROUP_FORGET_US + SEC), &room->overflow);
	/* Known groups keep their slot. */
	ck_assert_int_eq(guess(7, "right", t, &retry), MEET_OK);
}
END_TEST

START_TEST(address_groups)
{
	uint8_t key[32] = { 1, 2, 3 }, key2[32] = { 9 };
	uint64_t a = meet_addr_group(key, "127.0.0.9");
	ck_assert_uint_ne(a, 0);
	ck_assert_uint_eq(a, meet_addr_group(key, "127.0.0.9"));
	ck_assert_uint_eq(a, meet_addr_group(key, "::ffff:127.0.0.9"));
	ck_assert_uint_ne(a, meet_addr_group(key, "127.0.0.10"));
	ck_assert_uint_ne(a, meet_addr_group(key2, "127.0.0.9"));
	/* IPv6: one /64 is one group. */
	uint64_t b = meet_addr_group(key, "2001:db8:1:2::1");
	ck_assert_uint_eq(b, meet_addr_group(key, "2001:db8:1:2:ffff:eeee:dddd:cccc"));
	ck_assert_uint_ne(b, meet_addr_group(key, "2001:db8:1:3::1"));
	/* Not an address: hashed as it is, still never 0. */
	ck_assert_uint_ne(meet_addr_group(key, ""), 0);
	ck_assert_uint_ne(meet_addr_group(key, NULL), 0);
	ck_assert_uint_ne(meet_addr_group(key, "x"), meet_addr_group(key, "y"));
}
END_TEST

START_TEST(guard_notify_coalesced)
{
	uint64_t retry = 0, t = 100 * SEC;
	ck_assert_int_eq(meet_password_set(room, "right", 5), MEET_OK);
	ck_assert(!meet_guard_notify_due(room, t));
	ck_assert_int_eq(guess(1, "x", t, &retry), MEET_ERR_PASSWORD_WRONG);
	ck_assert(meet_guard_notify_due(room, t));
	ck_assert_int_eq(guess(2, "x", t, &retry), MEET_ERR_PASSWORD_WRONG);
	ck_assert(!meet_guard_notify_due(room, t + SEC / 2));   /* at most once a second */
	ck_assert(meet_guard_notify_due(room, t + SEC));
	ck_assert(!meet_guard_notify_due(room, t + 3 * SEC));   /* nothing changed */
	/* Entering backoff is told at once. */
	for (uint64_t g = 10; g < 10 + MEET_GUARD_BUDGET; g++)
		guess(g, "x", t + 3 * SEC, &retry);
	ck_assert(meet_guard_notify_due(room, t + 3 * SEC));
	ck_assert_uint_gt(room->guard.notified_delay_s, 0);
}
END_TEST

START_TEST(lobby_limits)
{
	int x;
	uint32_t id;
	uint64_t retry = 0, t = 10 * SEC;
	/* At most MEET_LOBBY_PER_GROUP waiting from one group. */
	for (int i = 0; i < MEET_LOBBY_PER_GROUP; i++)
		ck_assert_int_eq(meet_lobby_add(room, "W", &x, 5, t, &id, &retry), MEET_OK);
	ck_assert_int_eq(meet_lobby_add(room, "W", &x, 5, t, &id, &retry), MEET_ERR_LOBBY_FULL);
	/* Knocks of one group: 5 a minute even when they do not wait long. */
	struct meet_waiter w;
	while (meet_lobby_pop(room, &w))
		;
	ck_assert_int_eq(meet_lobby_add(room, "W", &x, 5, t, &id, &retry), MEET_OK);
	ck_assert_int_eq(meet_lobby_add(room, "W", &x, 5, t, &id, &retry), MEET_OK);
	while (meet_lobby_pop(room, &w))
		;
	ck_assert_int_eq(meet_lobby_add(room, "W", &x, 5, t, &id, &retry), MEET_ERR_RATE_LIMITED);
	ck_assert_uint_gt(retry, 0);
	/* The room: 20 knocks per 10 s from all groups together. */
	unsigned ok = 0;
	for (uint64_t g = 100; g < 200; g++)
		ok += meet_lobby_add(room, "W", &x, g, t, &id, &retry) == MEET_OK;
	ck_assert_uint_eq(ok, meet_limit_knock_room.burst - 5);
	/* The cap: never more than MEET_LOBBY_MAX waiting, however slow the knocks. */
	for (uint64_t g = 1000; g < 1000 + 2 * MEET_LOBBY_MAX; g++) {
		t += SEC;
		enum meet_err e = meet_lobby_add(room, "W", &x, g, t, &id, &retry);
		ck_assert(e == MEET_OK || e == MEET_ERR_LOBBY_FULL);
	}
	ck_assert_uint_eq(room->n_waiting, MEET_LOBBY_MAX);
	ck_assert_int_eq(meet_lobby_add(room, "W", &x, 99999, t + 100 * SEC, &id, &retry), MEET_ERR_LOBBY_FULL);
}
END_TEST

START_TEST(seat_held_after_drop)
{
	uint64_t t = 50 * SEC;
	struct meet_member *h = add(1), *g = add(2);
	ck_assert_int_eq(h->role, MEET_HOST);
	ck_assert_uint_eq(strlen(h->token), MEET_TOKEN_LEN);
	ck_assert_str_ne(h->token, g->token);
	char token[MEET_TOKEN_LEN + 1];
	memcpy(token, h->token, sizeof token);
	/* The host's connection is lost: nobody is promoted meanwhile, a newcomer is a guest. */
	ck_assert_ptr_null(meet_member_drop(room, h, t, NULL));
	ck_assert_int_eq(g->role, MEET_GUEST);
	ck_assert_int_eq(add(3)->role, MEET_GUEST);
	ck_assert_ptr_null(meet_seats_expire(room, t + MEET_SEAT_GRACE_US - 1));
	/* A wrong token is nothing; the right one gives the role back, once. */
	ck_assert_int_eq(meet_seat_take(room, "00000000000000000000000000000000", t + SEC), -1);
	ck_assert_int_eq(meet_seat_take(room, token, t + SEC), MEET_HOST);
	ck_assert_int_eq(meet_seat_take(room, token, t + SEC), -1);
	ck_assert_uint_eq(room->n_seats, 0);
	/* A guest's drop holds no seat; a host's seat that expires promotes the longest present. */
	struct meet_member *h2 = add(4);
	ck_assert(meet_make_host(room, h2));
	ck_assert_ptr_null(meet_member_drop(room, g, t, NULL));
	ck_assert_uint_eq(room->n_seats, 0);
	memcpy(token, h2->token, sizeof token);
	ck_assert_ptr_null(meet_member_drop(room, h2, t, NULL));
	ck_assert_uint_eq(room->n_seats, 1);
	struct meet_member *p = meet_seats_expire(room, t + MEET_SEAT_GRACE_US);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->id, 3);
	ck_assert_int_eq(p->role, MEET_HOST);
	ck_assert_int_eq(meet_seat_take(room, token, t + MEET_SEAT_GRACE_US), -1);
}
END_TEST

START_TEST(fanout_limits)
{
	struct meet_member *m = add(1);
	uint64_t retry = 0, t = 10 * SEC;
	unsigned ok = 0;
	for (int i = 0; i < 1000; i++)
		ok += meet_take(&m->hand, &meet_limit_hand, t, &retry) == MEET_OK;
	ck_assert_uint_eq(ok, meet_limit_hand.burst);
	ok = 0;
	for (int i = 0; i < 1000; i++)
		ok += meet_take(&m->media, &meet_limit_media, t, &retry) == MEET_OK;
	ck_assert_uint_eq(ok, meet_limit_media.burst);
	ok = 0;
	for (int i = 0; i < 1000; i++)
		ok += meet_take(&m->music_limit, &meet_limit_music, t, &retry) == MEET_OK;
	ck_assert_uint_eq(ok, meet_limit_music.burst);
}
END_TEST

START_TEST(bucket_gcra)
{
	struct meet_bucket b = { 0 };
	const struct meet_limit l = { 10, 10 * SEC };
	uint64_t retry = 0, t = 50 * SEC;
	for (int i = 0; i < 10; i++)
		ck_assert(meet_bucket_take(&b, &l, t, &retry));
	ck_assert(!meet_bucket_take(&b, &l, t, &retry));
	ck_assert_uint_eq(retry, 1 * SEC);
	ck_assert(!meet_bucket_take(&b, &l, t + SEC - 1, &retry));
	ck_assert(meet_bucket_take(&b, &l, t + SEC, &retry));
	ck_assert(!meet_bucket_take(&b, &l, t + SEC, &retry));
	/* Refilled after a full window. */
	for (int i = 0; i < 10; i++)
		ck_assert(meet_bucket_take(&b, &l, t + 12 * SEC, &retry));
}
END_TEST

/* ---- lobby, lock ---- */

START_TEST(lobby_queue)
{
	int x, y, z;
	uint32_t ia, ib, ic;
	ck_assert_int_eq(meet_lobby_add(room, "Ann", &x, 1, 0, &ia, NULL), MEET_OK);
	ck_assert_int_eq(meet_lobby_add(room, "Bob", &y, 2, 0, &ib, NULL), MEET_OK);
	ck_assert_int_eq(meet_lobby_add(room, "Cy", &z, 3, 0, &ic, NULL), MEET_OK);
	ck_assert(ia != ib && ib != ic && ia != ic && ia && ib && ic);
	ck_assert_uint_eq(room->n_waiting, 3);
	ck_assert_uint_eq(meet_lobby_find_arg(room, &y), ib);
	ck_assert_uint_eq(meet_lobby_find_arg(room, room), 0);
	/* Admit or deny by id (the caller decides which). */
	struct meet_waiter w;
	ck_assert_int_eq(meet_lobby_take(room, ib, &w), MEET_OK);
	ck_assert_ptr_eq(w.arg, &y);
	ck_assert_str_eq(w.name, "Bob");
	ck_assert_int_eq(meet_lobby_take(room, ib, &w), MEET_ERR_NOT_FOUND);
	ck_assert_int_eq(meet_lobby_take(room, 9999, NULL), MEET_ERR_NOT_FOUND);
	/* All: in knock order. */
	ck_assert(meet_lobby_pop(room, &w));
	ck_assert_uint_eq(w.lobby_id, ia);
	ck_assert(meet_lobby_pop(room, &w));
	ck_assert_uint_eq(w.lobby_id, ic);
	ck_assert(!meet_lobby_pop(room, &w));
	ck_assert_uint_eq(room->n_waiting, 0);
}
END_TEST

START_TEST(lock)
{
	uint64_t retry;
	room->locked = true;
	ck_assert_int_eq(meet_room_admission(room, 1, NULL, 0, 0, &retry), MEET_ERR_LOCKED);
	/* Locked comes before the password: no guessing in a locked room. */
	ck_assert_int_eq(meet_password_set(room, "pw", 2), MEET_OK);
	ck_assert_int_eq(meet_room_admission(room, 1, "pw", 2, 0, &retry), MEET_ERR_LOCKED);
	room->locked = false;
	ck_assert_int_eq(meet_room_admission(room, 1, "pw", 2, 0, &retry), MEET_OK);
}
END_TEST

/* ---- hands ---- */

START_TEST(hands_fifo)
{
	struct meet_member *a = add(1), *b = add(2), *c = add(3);
	ck_assert(meet_hand_raise(room, c));
	ck_assert(meet_hand_raise(room, a));
	ck_assert(!meet_hand_raise(room, a));   /* once */
	ck_assert(meet_hand_raise(room, b));
	ck_assert_uint_eq(room->n_hands, 3);
	ck_assert_uint_eq(room->hands[0], 3);
	ck_assert_uint_eq(room->hands[1], 1);
	ck_assert_uint_eq(room->hands[2], 2);
	/* A host lowers someone's hand (the caller checked the role). */
	ck_assert(meet_may(a->role, MEET_ACT_LOWER_OTHER_HAND));
	ck_assert(!meet_may(b->role, MEET_ACT_LOWER_OTHER_HAND));
	ck_assert(meet_hand_lower(room, a));
	ck_assert(!meet_hand_lower(room, a));
	ck_assert_uint_eq(room->n_hands, 2);
	ck_assert_uint_eq(room->hands[0], 3);
	ck_assert_uint_eq(room->hands[1], 2);
	/* Raising again goes to the end. */
	ck_assert(meet_hand_raise(room, a));
	ck_assert_uint_eq(room->hands[2], 1);
	/* Leaving lowers the hand. */
	bool lowered = false;
	meet_member_remove(room, c, &lowered);
	ck_assert(lowered);
	ck_assert_uint_eq(room->n_hands, 2);
	ck_assert_uint_eq(room->hands[0], 2);
	ck_assert_uint_eq(room->hands[1], 1);
}
END_TEST

/* ---- chat and reactions ---- */

START_TEST(chat_rules)
{
	ck_assert_int_eq(meet_chat_check("hi", 2), MEET_OK);
	ck_assert_int_eq(meet_chat_check("line\nline", 9), MEET_OK);
	ck_assert_int_eq(meet_chat_check("<b>x</b>", 8), MEET_OK);    /* text, not HTML: kept */
	ck_assert_int_eq(meet_chat_check("Gr\xc3\xbc\xc3\x9f" "e \xf0\x9f\x91\x8d", 12), MEET_OK);
	ck_assert_int_eq(meet_chat_check("", 0), MEET_ERR_INVALID);
	ck_assert_int_eq(meet_chat_check("tab\there", 8), MEET_ERR_INVALID);
	ck_assert_int_eq(meet_chat_check("cr\r", 3), MEET_ERR_INVALID);
	ck_assert_int_eq(meet_chat_check("nul\0x", 5), MEET_ERR_INVALID);
	ck_assert_int_eq(meet_chat_check("del\x7f", 4), MEET_ERR_INVALID);
	ck_assert_int_eq(meet_chat_check("c1\xc2\x85", 4), MEET_ERR_INVALID);    /* U+0085 */
	ck_assert_int_eq(meet_chat_check("esc\x1b[31m", 8), MEET_ERR_INVALID);
	ck_assert_int_eq(meet_chat_check("\xff", 1), MEET_ERR_INVALID);
	ck_assert_int_eq(meet_chat_check("\xc0\xaf", 2), MEET_ERR_INVALID);       /* overlong */
	ck_assert_int_eq(meet_chat_check("\xed\xa0\x80", 3), MEET_ERR_INVALID);   /* surrogate */
	ck_assert_int_eq(meet_chat_check("\xe2\x82", 2), MEET_ERR_INVALID);       /* truncated */
	char *big = malloc(MEET_CHAT_MAX + 1);
	memset(big, 'a', MEET_CHAT_MAX + 1);
	ck_assert_int_eq(meet_chat_check(big, MEET_CHAT_MAX), MEET_OK);
	ck_assert_int_eq(meet_chat_check(big, MEET_CHAT_MAX + 1), MEET_ERR_INVALID);
	free(big);
}
END_TEST

START_TEST(chat_rate_limit)
{
	struct meet_member *a = add(1), *b = add(2);
	uint64_t retry = 0, t = 100 * SEC;
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(meet_chat_take(a, t, &retry), MEET_OK);
	ck_assert_int_eq(meet_chat_take(a, t + SEC / 2, &retry), MEET_ERR_RATE_LIMITED);
	ck_assert_uint_gt(retry, 0);
	ck_assert_int_eq(meet_chat_take(b, t, &retry), MEET_OK);   /* per participant */
	ck_assert_int_eq(meet_chat_take(a, t + 10 * SEC, &retry), MEET_OK);
	/* Reactions: 5 per 10 s. */
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(meet_reaction_take(a, t, &retry), MEET_OK);
	ck_assert_int_eq(meet_reaction_take(a, t, &retry), MEET_ERR_RATE_LIMITED);
	ck_assert_int_eq(meet_reaction_take(a, t + 10 * SEC, &retry), MEET_OK);
}
END_TEST

START_TEST(reaction_set)
{
	static const char *const ok[] = {
		"\xF0\x9F\x91\x8D", "\xF0\x9F\x91\x8F", "\xE2\x9D\xA4\xEF\xB8\x8F", "\xF0\x9F\x98\x82",
		"\xF0\x9F\x98\xAE", "\xF0\x9F\x8E\x89",
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		ck_assert_str_eq(meet_reaction_canonical(ok[i], strlen(ok[i])), ok[i]);
	ck_assert_str_eq(meet_reaction_canonical("\xE2\x9D\xA4", 3), ok[2]);
	ck_assert_ptr_null(meet_reaction_canonical("\xF0\x9F\x91\x8E", 4));   /* 👎 */
	ck_assert_ptr_null(meet_reaction_canonical("<script>", 8));
	ck_assert_ptr_null(meet_reaction_canonical("", 0));
	ck_assert_ptr_null(meet_reaction_canonical("\xF0\x9F\x91\x8D\xF0\x9F\x91\x8D", 8));
	ck_assert_ptr_null(meet_reaction_canonical("\xF0\x9F\x91", 3));
	ck_assert_ptr_null(meet_reaction_canonical(NULL, 0));
}
END_TEST

START_TEST(room_registry)
{
	struct meet_room *r2;
	ck_assert_ptr_eq(meet_room_find(mt, "town-hall"), room);
	ck_assert_ptr_null(meet_room_find(mt, "nope"));
	ck_assert_int_eq(meet_room_new(mt, "town-hall", &r2), EEXIST);
	ck_assert_int_ne(meet_room_new(mt, "", &r2), 0);
	int x;
	uint32_t lid;
	add(1);
	ck_assert_int_eq(meet_lobby_add(room, "W", &x, 1, 0, &lid, NULL), MEET_OK);
	ck_assert_int_eq(meet_password_set(room, "pw", 2), MEET_OK);
	meet_room_free(room);
	room = NULL;
	ck_assert_ptr_null(meet_room_find(mt, "town-hall"));
}
END_TEST


/* ---- breakout groups ---- */

static uint32_t seq_rnd(void *arg)
{
	uint32_t *x = arg;
	*x = *x * 1103515245u + 12345u;   /* deterministic, for the test */
	return *x >> 8;
}

START_TEST(breakout_rules)
{
	struct meet_member *host = add(1);
	struct meet_member *g[7];
	for (int i = 0; i < 7; i++)
		g[i] = add(10 + (uint32_t)i);
	const char *names[] = { "Gruppe 1", "Gruppe 2", "Gruppe 3" };
	size_t lens[] = { 8, 8, 8 };
	/* nothing before setup */
	ck_assert_int_eq(meet_breakout_plan(room, g[0], 1), MEET_ERR_STATE);
	ck_assert_int_eq(meet_breakout_open(room, 0, 1000), MEET_ERR_STATE);
	/* names: 1..20, distinct, 1..64 bytes, no control characters */
	ck_assert_int_eq(meet_breakout_setup(room, names, lens, 0, false), MEET_ERR_INVALID);
	const char *dup[] = { "A", "A" };
	size_t duplens[] = { 1, 1 };
	ck_assert_int_eq(meet_breakout_setup(room, dup, duplens, 2, false), MEET_ERR_INVALID);
	const char *ctl[] = { "a\nb" };
	size_t ctllens[] = { 3 };
	ck_assert_int_eq(meet_breakout_setup(room, ctl, ctllens, 1, false), MEET_ERR_INVALID);
	const char *many[MEET_GROUPS_MAX + 1];
	size_t manylens[MEET_GROUPS_MAX + 1];
	for (int i = 0; i <= MEET_GROUPS_MAX; i++) {
		many[i] = "x";
		manylens[i] = 1;
	}
	ck_assert_int_eq(meet_breakout_setup(room, many, manylens, MEET_GROUPS_MAX + 1, false), MEET_ERR_INVALID);
	ck_assert_int_eq(meet_breakout_setup(room, names, lens, 3, false), MEET_OK);
	ck_assert_int_eq(room->breakout.state, MEET_BREAKOUT_PLANNED);
	ck_assert_str_eq(room->breakout.names[2], "Gruppe 3");
	/* plans: 0..n; spreading deals the guests evenly, hosts keep theirs */
	ck_assert_int_eq(meet_breakout_plan(room, g[0], 4), MEET_ERR_INVALID);
	ck_assert_int_eq(meet_breakout_plan(room, host, 2), MEET_OK);
	uint32_t seed = 7;
	ck_assert_int_eq(meet_breakout_spread(room, seq_rnd, &seed), MEET_OK);
	ck_assert_uint_eq(host->planned, 2);
	unsigned per[4] = { 0 };
	for (int i = 0; i < 7; i++) {
		ck_assert_uint_ge(g[i]->planned, 1);
		ck_assert_uint_le(g[i]->planned, 3);
		per[g[i]->planned]++;
	}
	for (int k = 1; k <= 3; k++)
		ck_assert(per[k] == 2 || per[k] == 3);   /* 7 over 3: 3, 2, 2 */
	/* fewer groups: plans for the gone ones return to the main room */
	ck_assert_int_eq(meet_breakout_setup(room, names, lens, 2, true), MEET_OK);
	for (int i = 0; i < 7; i++)
		ck_assert_uint_le(g[i]->planned, 2);
	/* recording excludes opening; opening with a timer */
	ck_assert(meet_out_start(room, MEET_OUT_RECORDING, "Host", 1000));
	ck_assert_int_eq(meet_breakout_open(room, 10, 1000), MEET_ERR_BUSY);
	ck_assert(meet_out_stop(room, MEET_OUT_RECORDING, "Host", NULL, 1000));
	ck_assert_int_eq(meet_breakout_open(room, MEET_BREAKOUT_MINUTES_MAX + 1, 1000), MEET_ERR_INVALID);
	ck_assert(!meet_breakout_active(room));
	ck_assert_int_eq(meet_breakout_open(room, 10, 1000), MEET_OK);
	ck_assert(meet_breakout_active(room));
	ck_assert_int_eq(meet_breakout_setup(room, names, lens, 3, false), MEET_ERR_STATE);   /* not while open */
	ck_assert_uint_eq(room->breakout.ends_ms, 1000 + 600000);
	/* who may go where by themselves: hosts anywhere, guests because choosing is allowed */
	ck_assert(meet_breakout_may_join(room, host, 2));
	ck_assert(meet_breakout_may_join(room, g[0], 1));
	ck_assert(!meet_breakout_may_join(room, g[0], 3));
	room->breakout.allow_choose = false;
	ck_assert(!meet_breakout_may_join(room, g[0], 1));
	ck_assert(meet_breakout_may_join(room, host, 0));
	/* the timer ends in a countdown, the countdown in the return */
	ck_assert_int_eq(meet_breakout_tick(room, 1000 + 599999), MEET_BREAKOUT_DUE_NOTHING);
	ck_assert_int_eq(meet_breakout_tick(room, 1000 + 600000), MEET_BREAKOUT_DUE_CLOSING);
	ck_assert_int_eq(room->breakout.state, MEET_BREAKOUT_CLOSING);
	ck_assert(!meet_breakout_may_join(room, host, 1));
	ck_assert_int_eq(meet_breakout_close(room, 5, 601000), MEET_ERR_STATE);
	uint64_t back = 601000 + MEET_BREAKOUT_CLOSE_DEFAULT_S * 1000ull;
	ck_assert_int_eq(meet_breakout_tick(room, back - 1), MEET_BREAKOUT_DUE_NOTHING);
	ck_assert_int_eq(meet_breakout_tick(room, back), MEET_BREAKOUT_DUE_RETURN);
	meet_breakout_end(room);
	ck_assert_int_eq(room->breakout.state, MEET_BREAKOUT_NONE);
	for (int i = 0; i < 7; i++)
		ck_assert_uint_eq(g[i]->planned, 0);
	/* a close by hand: 0..300 s */
	ck_assert_int_eq(meet_breakout_setup(room, names, lens, 1, false), MEET_OK);
	ck_assert_int_eq(meet_breakout_open(room, 0, 5000), MEET_OK);
	ck_assert_uint_eq(room->breakout.ends_ms, 0);
	ck_assert_int_eq(meet_breakout_tick(room, UINT64_MAX / 2), MEET_BREAKOUT_DUE_NOTHING);   /* no timer */
	ck_assert_int_eq(meet_breakout_close(room, MEET_BREAKOUT_CLOSE_MAX_S + 1, 6000), MEET_ERR_INVALID);
	ck_assert_int_eq(meet_breakout_close(room, 0, 6000), MEET_OK);
	ck_assert_int_eq(meet_breakout_tick(room, 6000), MEET_BREAKOUT_DUE_RETURN);
}
END_TEST

static Suite *meet_suite(void)
{
	Suite *s = suite_create("meet");
	TCase *tc = tcase_create("policy");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, role_table);
	tcase_add_test(tc, first_joiner_is_host);
	tcase_add_test(tc, out_record);
	tcase_add_test(tc, host_handover);
	tcase_add_test(tc, password_rules);
	tcase_add_test(tc, password_group_delay);
	tcase_add_test(tc, password_room_budget);
	tcase_add_test(tc, guard_table_full);
	tcase_add_test(tc, address_groups);
	tcase_add_test(tc, guard_notify_coalesced);
	tcase_add_test(tc, lobby_limits);
	tcase_add_test(tc, seat_held_after_drop);
	tcase_add_test(tc, fanout_limits);
	tcase_add_test(tc, bucket_gcra);
	tcase_add_test(tc, lobby_queue);
	tcase_add_test(tc, lock);
	tcase_add_test(tc, hands_fifo);
	tcase_add_test(tc, chat_rules);
	tcase_add_test(tc, chat_rate_limit);
	tcase_add_test(tc, reaction_set);
	tcase_add_test(tc, room_registry);
	tcase_add_test(tc, breakout_rules);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(meet_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
