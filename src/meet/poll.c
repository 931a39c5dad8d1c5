/* poll: a meeting's polls — the text rules, tallies, the one-vote rule of open and secret polls,
 * and a room's list of them (20 kept, 3 running). HMAC-SHA256 (RFC 2104, FIPS 180-4) on OpenSSL.
 *
 * Secrecy. A secret poll keeps two things and nothing else about its votes: the tallies (how often
 * each answer was chosen: no voter in them) and the ballot set (a sorted array of
 * HMAC-SHA256(key, voter id) cut to 16 bytes: no choice in it). A vote adds its choices to the
 * tallies and its hash to the set in one call; the choice itself is not stored anywhere, so no
 * structure can later say who chose what. The key is random per poll and never leaves the server,
 * so the set cannot be matched against ids outside it, and the sorted order hides who voted when.
 * The set says only "has voted", which the one-vote rule needs. Everything is memory only and
 * wiped when the poll goes. */
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "meet/meet.h"

bool meet_poll_question_ok(const char *text, size_t len)
{
	return meet_text_check(text, len, MEET_POLL_QUESTION_MAX, true) == MEET_OK;
}

bool meet_poll_answer_ok(const char *text, size_t len)
{
	return meet_text_check(text, len, MEET_POLL_ANSWER_MAX, false) == MEET_OK;
}

int meet_poll_new(struct meet_poll **out, const char *question, size_t question_len,
                  const char *const *answers, const size_t *answer_lens, unsigned n_answers,
                  bool multiple, bool secret)
{
	if (!meet_poll_question_ok(question, question_len) || n_answers < MEET_POLL_ANSWERS_MIN ||
	    n_answers > MEET_POLL_ANSWERS_MAX)
		return EINVAL;
	for (unsigned i = 0; i < n_answers; i++)
		if (!meet_poll_answer_ok(answers[i], answer_lens[i]))
			return EINVAL;
	struct meet_poll *p = calloc(1, sizeof *p);
	if (!p)
		return ENOMEM;
	memcpy(p->question, question, question_len);
	for (unsigned i = 0; i < n_answers; i++)
		memcpy(p->answers[i], answers[i], answer_lens[i]);
	p->n_answers = n_answers;
	p->multiple = multiple;
	p->secret = secret;
	if (secret && util_random(p->key, sizeof p->key) != 0) {
		free(p);
		return ENOMEM;
	}
	*out = p;
	return 0;
}

void meet_poll_free(struct meet_poll *p)
{
	if (!p)
		return;
	if (p->ballots)
		OPENSSL_cleanse(p->ballots, p->cap * sizeof p->ballots[0]);
	free(p->ballots);
	if (p->votes)
		OPENSSL_cleanse(p->votes, p->cap * sizeof p->votes[0]);
	free(p->votes);
	OPENSSL_cleanse(p, sizeof *p);
	free(p);
}

static int ballot_of(const struct meet_poll *p, uint32_t voter, uint8_t out[MEET_POLL_BALLOT_LEN])
{
	uint8_t msg[4] = { (uint8_t)(voter >> 24), (uint8_t)(voter >> 16), (uint8_t)(voter >> 8), (uint8_t)voter };
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	if (!HMAC(EVP_sha256(), p->key, sizeof p->key, msg, sizeof msg, md, &n) || n < MEET_POLL_BALLOT_LEN)
		return EIO;
	memcpy(out, md, MEET_POLL_BALLOT_LEN);
	OPENSSL_cleanse(md, sizeof md);
	return 0;
}

/* The index where the ballot is or would go; *found whether it is there. */
static size_t ballot_index(const struct meet_poll *p, const uint8_t b[MEET_POLL_BALLOT_LEN], bool *found)
{
	size_t lo = 0, hi = p->voters;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(p->ballots[mid], b, MEET_POLL_BALLOT_LEN);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static const struct meet_poll_vote *open_vote(const struct meet_poll *p, uint32_t voter)
{
	for (uint32_t i = 0; i < p->voters; i++)
		if (p->votes[i].voter == voter)
			return &p->votes[i];
	return NULL;
}

bool meet_poll_has_voted(const struct meet_poll *p, uint32_t voter, uint16_t *choices)
{
	if (choices)
		*choices = 0;
	if (!p->secret) {
		const struct meet_poll_vote *v = open_vote(p, voter);
		if (v && choices)
			*choices = v->choices;
		return v != NULL;
	}
	uint8_t b[MEET_POLL_BALLOT_LEN];
	bool found = false;
	if (ballot_of(p, voter, b) == 0)
		ballot_index(p, b, &found);
	OPENSSL_cleanse(b, sizeof b);
	return found;
}

/* Room for one more ballot or vote. */
static int grow(struct meet_poll *p)
{
	if (p->voters < p->cap)
		return 0;
	size_t cap = p->cap ? p->cap * 2 : 16;
	if (cap > MEET_POLL_VOTERS_MAX)
		cap = MEET_POLL_VOTERS_MAX;
	size_t size = p->secret ? sizeof p->ballots[0] : sizeof p->votes[0];
	void *old = p->secret ? (void *)p->ballots : (void *)p->votes;
	void *n = calloc(cap, size);
	if (!n)
		return ENOMEM;
	if (old) {
		memcpy(n, old, p->cap * size);
		OPENSSL_cleanse(old, p->cap * size);   /* no copy of a ballot is left behind */
		free(old);
	}
	if (p->secret)
		p->ballots = n;
	else
		p->votes = n;
	p->cap = cap;
	return 0;
}

enum meet_poll_vote_result meet_poll_cast(struct meet_poll *p, uint32_t voter, const char *name, uint16_t choices)
{
	if (p->closed)
		return MEET_POLL_CLOSED;
	unsigned n_chosen = (unsigned)__builtin_popcount(choices);
	if (n_chosen == 0 || (choices >> p->n_answers) != 0 || (!p->multiple && n_chosen != 1))
		return MEET_POLL_INVALID;
	uint8_t b[MEET_POLL_BALLOT_LEN];
	size_t at = 0;
	if (p->secret) {
		bool found = false;
		if (ballot_of(p, voter, b) != 0)
			return MEET_POLL_NOMEM;
		at = ballot_index(p, b, &found);
		if (found) {
			OPENSSL_cleanse(b, sizeof b);
			return MEET_POLL_ALREADY_VOTED;
		}
	} else if (open_vote(p, voter)) {
		return MEET_POLL_ALREADY_VOTED;
	}
	if (p->voters >= MEET_POLL_VOTERS_MAX)
		return MEET_POLL_FULL;
	if (grow(p) != 0)
		return MEET_POLL_NOMEM;
	if (p->secret) {
		memmove(p->ballots[at + 1], p->ballots[at], (p->voters - at) * sizeof p->ballots[0]);
		memcpy(p->ballots[at], b, sizeof b);
		OPENSSL_cleanse(b, sizeof b);
	} else {
		struct meet_poll_vote *v = &p->votes[p->voters];
		v->voter = voter;
		v->choices = choices;
		snprintf(v->name, sizeof v->name, "%s", name ? name : "");
	}
	p->voters++;
	for (unsigned i = 0; i < p->n_answers; i++)
		p->tallies[i] += (choices >> i) & 1u;
	return MEET_POLL_VOTED;
}

bool meet_poll_close(struct meet_poll *p)
{
	if (p->closed)
		return false;
	p->closed = true;
	return true;
}

bool meet_poll_show(struct meet_poll *p)
{
	if (p->results_shown)
		return false;
	p->results_shown = true;
	return true;
}

/* ---- a room's polls ---- */

bool meet_poll_may_create(const struct meet_room *r, const struct meet_member *m)
{
	return meet_may(m->role, MEET_ACT_POLL_CREATE) || r->polls_anyone;
}

enum meet_err meet_room_poll_add(struct meet_room *r, struct meet_poll *p, uint32_t *dropped)
{
	unsigned running = 0;
	*dropped = 0;
	for (unsigned i = 0; i < r->n_polls; i++)
		running += !r->polls[i]->closed;
	if (running >= MEET_POLLS_RUNNING_MAX)
		return MEET_ERR_TOO_MANY;
	if (r->n_polls == MEET_POLLS_MAX) {
		/* 20 kept and at most 3 running: a closed one is there */
		unsigned i = 0;
		while (!r->polls[i]->closed)
			i++;
		*dropped = r->polls[i]->id;
		meet_poll_free(r->polls[i]);
		memmove(&r->polls[i], &r->polls[i + 1], (r->n_polls - i - 1) * sizeof r->polls[0]);
		r->n_polls--;
	}
	if (++r->next_poll_id > 0x7fffffff)
		r->next_poll_id = 1;
	p->id = r->next_poll_id;
	r->polls[r->n_polls++] = p;
	return MEET_OK;
}

struct meet_poll *meet_room_poll_find(const struct meet_room *r, uint32_t id)
{
	for (unsigned i = 0; i < r->n_polls; i++)
		if (r->polls[i]->id == id)
			return r->polls[i];
	return NULL;
}

void meet_room_polls_free(struct meet_room *r)
{
	for (unsigned i = 0; i < r->n_polls; i++)
		meet_poll_free(r->polls[i]);
	r->n_polls = 0;
}
