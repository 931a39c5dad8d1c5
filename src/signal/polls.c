/* polls: the poll requests (poll_create, poll_vote, poll_close, poll_show_results, set_polls_open)
 * and the `poll` event as each member may see it. meet/poll.c decides; nothing is written to disk. */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "signal/proto_int.h"

#define POLL_TELL_US 500000u   /* the hosts hear of votes in one poll at most twice a second */

static json_t *text_json(const char *s)
{
	json_t *j = json_string(s);
	return j ? j : json_string("");   /* checked as UTF-8 on the way in */
}

static json_t *choices_json(uint16_t choices)
{
	json_t *a = json_array();
	for (unsigned i = 0; a && i < MEET_POLL_ANSWERS_MAX; i++)
		if (choices & (1u << i))
			json_array_append_new(a, json_integer(i));
	return a;
}

/* The poll as member m sees it: tallies for hosts, and for everyone once shown; who chose what
 * (open polls) for hosts only; m's own vote. */
static json_t *poll_json(const struct meet_poll *p, const struct meet_member *m)
{
	bool host = m->role == MEET_HOST;
	json_t *answers = json_array();
	for (unsigned i = 0; answers && i < p->n_answers; i++)
		json_array_append_new(answers, text_json(p->answers[i]));
	uint16_t mine = 0;
	bool voted = meet_poll_has_voted(p, m->id, &mine);
	json_t *yours = json_pack("{s:b}", "voted", voted);
	if (yours && voted && !p->secret)
		json_object_set_new(yours, "choices", choices_json(mine));
	json_t *j = json_pack("{s:I, s:o, s:o, s:o, s:b, s:b, s:s, s:b, s:I, s:o}", "poll_id", (json_int_t)p->id,
	                      "by", text_json(p->by), "question", text_json(p->question), "answers", answers,
	                      "multiple", p->multiple, "secret", p->secret,
	                      "state", p->closed ? "closed" : "running", "results_shown", p->results_shown,
	                      "voters", (json_int_t)p->voters, "your_vote", yours);
	if (!j)
		return NULL;
	if (host || p->results_shown) {
		json_t *t = json_array();
		for (unsigned i = 0; t && i < p->n_answers; i++)
			json_array_append_new(t, json_integer(p->tallies[i]));
		json_object_set_new(j, "tallies", t);
	}
	if (host && !p->secret) {
		json_t *votes = json_array();
		for (uint32_t i = 0; votes && i < p->voters; i++)
			json_array_append_new(votes, json_pack("{s:I, s:o, s:o}", "id", (json_int_t)p->votes[i].voter,
			                                       "name", text_json(p->votes[i].name),
			                                       "choices", choices_json(p->votes[i].choices)));
		json_object_set_new(j, "votes", votes);
	}
	return j;
}

static void tell(const struct meet_poll *p, struct meet_member *m)
{
	if (proto_conn_listening(m->arg))
		proto_event(m->arg, "poll", poll_json(p, m));
}

/* Everyone, or (hosts_only) those who see the tallies: the hosts, everyone once shown. */
static void tell_room(struct meet_room *r, struct meet_poll *p, bool hosts_only, uint64_t now_us)
{
	for (struct meet_member *m = r->members; m; m = m->next)
		if (!hosts_only || p->results_shown || m->role == MEET_HOST)
			tell(p, m);
	p->told_us = now_us;
	p->untold = false;
}

void proto_polls_send_all(struct proto_conn *c)
{
	struct meet_room *r = c->room;
	for (unsigned i = 0; r && c->member && i < r->n_polls; i++)
		tell(r->polls[i], c->member);
}

/* Votes the hosts have not heard of, once their pace allows. */
void proto_polls_tick(struct meet_room *r, uint64_t now_us)
{
	for (unsigned i = 0; i < r->n_polls; i++) {
		struct meet_poll *p = r->polls[i];
		if (p->untold && now_us - p->told_us >= POLL_TELL_US)
			tell_room(r, p, true, now_us);
	}
}

static enum signal_err bad(struct proto_req *r, const char *message)
{
	r->message = message;
	return SIGNAL_ERR_BAD_REQUEST;
}

/* An optional boolean param (absent or null: false). */
static enum signal_err opt_bool(struct proto_req *r, const char *key, bool *out)
{
	const json_t *v = json_object_get(r->params, key);
	*out = json_is_true(v);
	return !v || json_is_null(v) || json_is_boolean(v) ? SIGNAL_OK : bad(r, "multiple and secret are booleans.");
}

static enum signal_err param_poll(struct proto_req *r, struct meet_poll **out)
{
	json_int_t id;
	enum signal_err err = proto_param_int(r, "poll_id", &id);
	if (err)
		return err;
	*out = id > 0 && id <= UINT32_MAX ? meet_room_poll_find(r->c->room, (uint32_t)id) : NULL;
	if (!*out) {
		r->message = "No such poll (a room keeps its last 20).";
		return SIGNAL_ERR_NOT_FOUND;
	}
	return SIGNAL_OK;
}

enum signal_err proto_m_poll_create(struct proto_req *r)
{
	struct proto_conn *c = r->c;
	struct meet_room *room = c->room;
	const char *question;
	size_t qlen;
	bool multiple, secret;
	enum signal_err err;
	if (!meet_poll_may_create(room, c->member)) {
		r->message = "Only a host may start a poll here.";
		return SIGNAL_ERR_FORBIDDEN;
	}
	if ((err = proto_param_string(r, "question", SIGNAL_ERR_BAD_REQUEST, &question, &qlen)) ||
	    (err = opt_bool(r, "multiple", &multiple)) || (err = opt_bool(r, "secret", &secret)))
		return err;
	const json_t *ja = json_object_get(r->params, "answers");
	if (!json_is_array(ja) || json_array_size(ja) < MEET_POLL_ANSWERS_MIN ||
	    json_array_size(ja) > MEET_POLL_ANSWERS_MAX)
		return bad(r, "answers is an array of 2 to 10 strings.");
	const char *answers[MEET_POLL_ANSWERS_MAX];
	size_t lens[MEET_POLL_ANSWERS_MAX], i;
	json_t *v;
	json_array_foreach(ja, i, v) {
		answers[i] = json_string_value(v);
		lens[i] = json_string_length(v);
		if (!answers[i] || !meet_poll_answer_ok(answers[i], lens[i]))
			return bad(r, "Each answer is 1 to 100 bytes of UTF-8 on one line.");
	}
	if (!meet_poll_question_ok(question, qlen))
		return bad(r, "The question is 1 to 300 bytes of UTF-8 without control characters (but newline).");
	uint64_t retry = 0, now = proto_now_us(c);
	if (!meet_bucket_ready(&c->member->poll_create, &meet_limit_poll_create, now, &retry) ||
	    !meet_bucket_ready(&room->poll_limit, &meet_limit_poll_create_room, now, &retry))
		return proto_rate_limited(r, "polls", retry);
	struct meet_poll *p;
	if (meet_poll_new(&p, question, qlen, answers, lens, (unsigned)json_array_size(ja), multiple, secret) != 0)
		return SIGNAL_ERR_INTERNAL;
	snprintf(p->by, sizeof p->by, "%s", c->member->name);
	uint32_t dropped;
	enum meet_err me = meet_room_poll_add(room, p, &dropped);
	if (me != MEET_OK) {
		meet_poll_free(p);
		return signal_err_from_meet(me);
	}
	meet_bucket_take(&c->member->poll_create, &meet_limit_poll_create, now, NULL);
	meet_bucket_take(&room->poll_limit, &meet_limit_poll_create_room, now, NULL);
	log_info("signal", "poll %u started (%s)", p->id, secret ? "secret" : "open");
	r->result = json_pack("{s:I}", "poll_id", (json_int_t)p->id);
	if (dropped)
		proto_room_broadcast(room, "poll_removed", json_pack("{s:I}", "poll_id", (json_int_t)dropped), NULL);
	tell_room(room, p, false, now);
	return SIGNAL_OK;
}

/* choices: an array of 1..10 distinct answer indexes → a bit mask (0 when malformed). */
static uint16_t param_choices(struct proto_req *r, const struct meet_poll *p)
{
	const json_t *jc = json_object_get(r->params, "choices");
	if (!json_is_array(jc) || json_array_size(jc) == 0 || json_array_size(jc) > MEET_POLL_ANSWERS_MAX)
		return 0;
	uint16_t mask = 0;
	size_t i;
	json_t *v;
	json_array_foreach(jc, i, v) {
		json_int_t k = json_is_integer(v) ? json_integer_value(v) : -1;
		if (k < 0 || k >= (json_int_t)p->n_answers || (mask & (1u << k)))
			return 0;
		mask |= (uint16_t)(1u << k);
	}
	return mask;
}

static const enum signal_err vote_errors[] = {
	[MEET_POLL_VOTED] = SIGNAL_OK,
	[MEET_POLL_INVALID] = SIGNAL_ERR_BAD_REQUEST,
	[MEET_POLL_ALREADY_VOTED] = SIGNAL_ERR_ALREADY_VOTED,
	[MEET_POLL_CLOSED] = SIGNAL_ERR_POLL_CLOSED,
	[MEET_POLL_FULL] = SIGNAL_ERR_POLL_FULL,
	[MEET_POLL_NOMEM] = SIGNAL_ERR_INTERNAL,
};

enum signal_err proto_m_poll_vote(struct proto_req *r)
{
	struct proto_conn *c = r->c;
	struct meet_poll *p;
	enum signal_err err = param_poll(r, &p);
	if (err)
		return err;
	uint16_t choices = param_choices(r, p);
	if (!choices)
		return bad(r, "choices is an array of distinct answer indexes (0-based).");
	uint64_t retry = 0, now = proto_now_us(c);
	if (meet_take(&c->member->poll_vote, &meet_limit_poll_vote, now, &retry) != MEET_OK)
		return proto_rate_limited(r, "votes", retry);
	enum meet_poll_vote_result res = meet_poll_cast(p, c->member->id, c->member->name, choices);
	if (res != MEET_POLL_VOTED) {
		if (res == MEET_POLL_INVALID)
			return bad(r, "A single-choice poll takes exactly one answer.");
		return (unsigned)res < sizeof vote_errors / sizeof vote_errors[0] ? vote_errors[res] : SIGNAL_ERR_INTERNAL;
	}
	r->result = json_object();
	/* the voter sees its vote now; those who see tallies at the pace of POLL_TELL_US */
	p->untold = true;
	bool sees_tallies = c->member->role == MEET_HOST || p->results_shown;
	if (!sees_tallies || now - p->told_us < POLL_TELL_US)
		tell(p, c->member);
	proto_polls_tick(c->room, now);
	return SIGNAL_OK;
}

/* Closing or showing: `change` says whether it changed anything; then everybody is told. */
static enum signal_err poll_change(struct proto_req *r, bool (*change)(struct meet_poll *), enum signal_err again)
{
	struct meet_poll *p;
	enum signal_err err = param_poll(r, &p);
	if (err)
		return err;
	if (!change(p)) {
		if (again)
			return again;
	} else {
		log_info("signal", "poll %u %s (%u voters)", p->id, change == meet_poll_close ? "closed" : "shown", p->voters);
		tell_room(r->c->room, p, false, proto_now_us(r->c));
	}
	r->result = json_object();
	return SIGNAL_OK;
}

enum signal_err proto_m_poll_close(struct proto_req *r)
{
	return poll_change(r, meet_poll_close, SIGNAL_ERR_POLL_CLOSED);
}

/* A second show changes nothing (and tells nobody). */
enum signal_err proto_m_poll_show_results(struct proto_req *r)
{
	return poll_change(r, meet_poll_show, SIGNAL_OK);
}

enum signal_err proto_m_set_polls_open(struct proto_req *r)
{
	return proto_room_set_flag(r, "anyone", &r->c->room->polls_anyone);
}
