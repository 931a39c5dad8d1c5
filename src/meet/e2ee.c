/* e2ee: the policy of end-to-end encrypted meetings — who decides (the first member), who may
 * join after, and what cannot leave such a room. The keys never reach the server (RFC 9605). */
#include "meet/meet.h"

/* A room nobody is in and nobody holds a seat of is undecided (made for its lobby, say). */
static bool decided(const struct meet_room *r)
{
	return r->n_members > 0 || r->n_seats > 0;
}

enum meet_err meet_e2ee_check(const struct meet_room *r, bool e2ee)
{
	if (!r || !decided(r) || r->e2ee == e2ee)
		return MEET_OK;
	return r->e2ee ? MEET_ERR_E2EE_REQUIRED : MEET_ERR_E2EE_OFF;
}

enum meet_err meet_e2ee_enter(struct meet_room *r, bool e2ee)
{
	if (!decided(r)) {
		r->e2ee = e2ee;
		return MEET_OK;
	}
	return meet_e2ee_check(r, e2ee);
}

enum meet_err meet_e2ee_out(const struct meet_room *r)
{
	return r && r->e2ee && decided(r) ? MEET_ERR_E2EE : MEET_OK;
}
