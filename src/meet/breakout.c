/* breakout: a meeting's breakout groups — their names, who is planned where, opening with a
 * timer, closing with a countdown. Pure policy: signaling moves the media (sfu_move). */
#include <string.h>

#include "meet/meet.h"

#include "base/utf8.h"

static bool name_ok(const char *s, size_t len)
{
	if (len == 0 || len > MEET_NAME_MAX || !utf8_valid((const unsigned char *)s, len))
		return false;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_next((const unsigned char *)s + i, len - i, &cp);
		if (n == 0 || utf8_is_control(cp))
			return false;
		i += n;
	}
	return true;
}

enum meet_err meet_breakout_setup(struct meet_room *r, const char *const *names, const size_t *lens, size_t n,
                                  bool allow_choose)
{
	struct meet_breakout *b = &r->breakout;
	if (b->state != MEET_BREAKOUT_NONE && b->state != MEET_BREAKOUT_PLANNED)
		return MEET_ERR_STATE;
	if (n == 0 || n > MEET_GROUPS_MAX)
		return MEET_ERR_INVALID;
	for (size_t i = 0; i < n; i++) {
		if (!name_ok(names[i], lens[i]))
			return MEET_ERR_INVALID;
		for (size_t j = 0; j < i; j++)
			if (lens[j] == lens[i] && memcmp(names[j], names[i], lens[i]) == 0)
				return MEET_ERR_INVALID;
	}
	memset(b->names, 0, sizeof b->names);
	for (size_t i = 0; i < n; i++)
		memcpy(b->names[i], names[i], lens[i]);
	b->n_groups = (unsigned)n;
	b->allow_choose = allow_choose;
	b->state = MEET_BREAKOUT_PLANNED;
	for (struct meet_member *m = r->members; m; m = m->next)
		if (m->planned > n)
			m->planned = 0;
	return MEET_OK;
}

enum meet_err meet_breakout_plan(struct meet_room *r, struct meet_member *m, unsigned group)
{
	const struct meet_breakout *b = &r->breakout;
	if (b->state != MEET_BREAKOUT_PLANNED && b->state != MEET_BREAKOUT_OPEN)
		return MEET_ERR_STATE;
	if (group > b->n_groups)
		return MEET_ERR_INVALID;
	m->planned = group;
	return MEET_OK;
}

enum meet_err meet_breakout_spread(struct meet_room *r, uint32_t (*rnd)(void *arg), void *arg)
{
	const struct meet_breakout *b = &r->breakout;
	if (b->state != MEET_BREAKOUT_PLANNED && b->state != MEET_BREAKOUT_OPEN)
		return MEET_ERR_STATE;
	/* a random permutation of the guests (Fisher-Yates over their join order), dealt round-robin */
	struct meet_member *guests[512];
	size_t n = 0;
	for (struct meet_member *m = r->members; m; m = m->next)
		if (m->role != MEET_HOST && n < sizeof guests / sizeof guests[0])
			guests[n++] = m;
	for (size_t i = n; i > 1; i--) {
		size_t j = rnd(arg) % i;
		struct meet_member *t = guests[i - 1];
		guests[i - 1] = guests[j];
		guests[j] = t;
	}
	unsigned first = rnd(arg) % b->n_groups;   /* which groups get one more when it does not divide */
	for (size_t i = 0; i < n; i++)
		guests[i]->planned = 1 + (unsigned)((first + i) % b->n_groups);
	return MEET_OK;
}

bool meet_breakout_active(const struct meet_room *r)
{
	return r->breakout.state == MEET_BREAKOUT_OPEN || r->breakout.state == MEET_BREAKOUT_CLOSING;
}

enum meet_err meet_breakout_open(struct meet_room *r, unsigned minutes, uint64_t now_ms)
{
	struct meet_breakout *b = &r->breakout;
	if (b->state != MEET_BREAKOUT_PLANNED)
		return MEET_ERR_STATE;
	if (minutes > MEET_BREAKOUT_MINUTES_MAX)
		return MEET_ERR_INVALID;
	for (int i = 0; i < MEET_OUT_COUNT; i++)
		if (r->out[i].active)
			return MEET_ERR_BUSY;
	b->state = MEET_BREAKOUT_OPEN;
	b->ends_ms = minutes ? now_ms + minutes * 60000ull : 0;
	b->closing_ms = 0;
	return MEET_OK;
}

enum meet_err meet_breakout_close(struct meet_room *r, unsigned seconds, uint64_t now_ms)
{
	struct meet_breakout *b = &r->breakout;
	if (b->state != MEET_BREAKOUT_OPEN)
		return MEET_ERR_STATE;
	if (seconds > MEET_BREAKOUT_CLOSE_MAX_S)
		return MEET_ERR_INVALID;
	b->state = MEET_BREAKOUT_CLOSING;
	b->closing_ms = now_ms + seconds * 1000ull;
	return MEET_OK;
}

enum meet_breakout_due meet_breakout_tick(struct meet_room *r, uint64_t now_ms)
{
	struct meet_breakout *b = &r->breakout;
	if (b->state == MEET_BREAKOUT_OPEN && b->ends_ms && now_ms >= b->ends_ms) {
		meet_breakout_close(r, MEET_BREAKOUT_CLOSE_DEFAULT_S, now_ms);
		return MEET_BREAKOUT_DUE_CLOSING;
	}
	if (b->state == MEET_BREAKOUT_CLOSING && now_ms >= b->closing_ms)
		return MEET_BREAKOUT_DUE_RETURN;
	return MEET_BREAKOUT_DUE_NOTHING;
}

void meet_breakout_end(struct meet_room *r)
{
	memset(&r->breakout, 0, sizeof r->breakout);
	for (struct meet_member *m = r->members; m; m = m->next)
		m->planned = 0;
}

bool meet_breakout_may_join(const struct meet_room *r, const struct meet_member *m, unsigned group)
{
	const struct meet_breakout *b = &r->breakout;
	if (b->state != MEET_BREAKOUT_OPEN || group > b->n_groups)
		return false;
	return m->role == MEET_HOST || b->allow_choose;
}
