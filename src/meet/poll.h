/* poll: one question of a meeting with 2..10 answers, single or multiple choice, open (the hosts
 * see who chose what) or secret (only tallies, and a keyed "has voted" set). Pure C, memory only. */
#ifndef PLENUM_MEET_POLL_H
#define PLENUM_MEET_POLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEET_POLL_QUESTION_MAX 300  /* bytes of UTF-8 */
#define MEET_POLL_ANSWER_MAX 100    /* bytes of UTF-8, each */
#define MEET_POLL_ANSWERS_MIN 2
#define MEET_POLL_ANSWERS_MAX 10
#define MEET_POLL_VOTERS_MAX 4096   /* ballots one poll takes (a room holds 200 by default) */
#define MEET_POLL_BALLOT_LEN 16     /* bytes of a secret poll's voter hash */
#define MEET_POLL_NAME_MAX 64       /* = MEET_NAME_MAX */

enum meet_poll_vote_result {
	MEET_POLL_VOTED = 0,
	MEET_POLL_INVALID,          /* no choice, a choice out of range, several in a single-choice poll */
	MEET_POLL_ALREADY_VOTED,
	MEET_POLL_CLOSED,
	MEET_POLL_FULL,             /* MEET_POLL_VOTERS_MAX ballots */
	MEET_POLL_NOMEM,
};

/* What an open poll keeps of one vote, for the hosts. */
struct meet_poll_vote {
	uint32_t voter;             /* participant id */
	uint16_t choices;           /* bit i: answer i */
	char name[MEET_POLL_NAME_MAX + 1];
};

struct meet_poll {
	uint32_t id;
	char by[MEET_POLL_NAME_MAX + 1];   /* who asked (set by the caller) */
	char question[MEET_POLL_QUESTION_MAX + 1];
	char answers[MEET_POLL_ANSWERS_MAX][MEET_POLL_ANSWER_MAX + 1];
	unsigned n_answers;
	bool multiple, secret, closed, results_shown;
	uint32_t tallies[MEET_POLL_ANSWERS_MAX];
	uint32_t voters;
	/* secret polls: the "has voted" set — HMAC-SHA256(key, voter id) cut to 16 bytes, sorted */
	uint8_t key[32];
	uint8_t (*ballots)[MEET_POLL_BALLOT_LEN];
	/* open polls: each vote as cast */
	struct meet_poll_vote *votes;
	size_t cap;                 /* of ballots or votes */
	/* the caller's (signaling: when the hosts last heard of a vote, whether one is untold) */
	uint64_t told_us;
	bool untold;
};

/* The text rules of a question (1..300 bytes) and an answer (1..100 bytes): UTF-8 without control
 * characters but '\n' in a question. */
bool meet_poll_question_ok(const char *text, size_t len);
bool meet_poll_answer_ok(const char *text, size_t len);

/* A running poll with the answers given (checked: MEET_POLL_ANSWERS_MIN..MAX of them, each
 * meet_poll_answer_ok; the question meet_poll_question_ok). 0, EINVAL or ENOMEM. */
int meet_poll_new(struct meet_poll **out, const char *question, size_t question_len,
                  const char *const *answers, const size_t *answer_lens, unsigned n_answers,
                  bool multiple, bool secret);
/* Wipes the key and the ballots, then frees. */
void meet_poll_free(struct meet_poll *p);
/* One participant's vote: `choices` as a bit mask of answers. In an open poll the vote is kept
 * with the voter's id and name; in a secret one only the tallies and the voter's hash change. */
enum meet_poll_vote_result meet_poll_cast(struct meet_poll *p, uint32_t voter, const char *name, uint16_t choices);
/* Whether the participant has voted; *choices (may be NULL) gets its vote in an open poll, 0 in a
 * secret one (nothing there says what it was). */
bool meet_poll_has_voted(const struct meet_poll *p, uint32_t voter, uint16_t *choices);
/* Stops taking votes; false when it was closed already. */
bool meet_poll_close(struct meet_poll *p);
/* Lets everyone see the tallies; false when they were shown already. */
bool meet_poll_show(struct meet_poll *p);

#endif
