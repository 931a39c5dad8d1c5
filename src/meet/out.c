/* out: a room's recording and public stream as the meeting knows them — running or not, which
 * host started it and when, who stopped it or why it ended (the consent record everyone sees). */
#include <stdio.h>
#include <string.h>

#include "meet/meet.h"

bool meet_out_start(struct meet_room *r, enum meet_out what, const char *by, uint64_t now_ms)
{
	if ((unsigned)what >= MEET_OUT_COUNT || r->out[what].active)
		return false;
	struct meet_out_state *o = &r->out[what];
	memset(o, 0, sizeof *o);
	o->active = true;
	snprintf(o->started_by, sizeof o->started_by, "%s", by ? by : "");
	o->since_ms = now_ms;
	return true;
}

bool meet_out_stop(struct meet_room *r, enum meet_out what, const char *by, const char *reason, uint64_t now_ms)
{
	if ((unsigned)what >= MEET_OUT_COUNT || !r->out[what].active)
		return false;
	struct meet_out_state *o = &r->out[what];
	o->active = false;
	snprintf(o->stopped_by, sizeof o->stopped_by, "%s", by ? by : "");
	snprintf(o->reason, sizeof o->reason, "%s", by ? "" : (reason ? reason : "failed"));
	o->stopped_ms = now_ms;
	return true;
}
