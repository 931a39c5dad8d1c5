/* out_state_stub: DELETE AT MERGE of branch `consent`, which implements signal_out_active for real.
 * Until then every meeting counts as streamed, so that WHEP viewers can be admitted and tested. */
#include "signal/signal_out.h"

bool signal_out_active(struct signal *s, const char *room_key, enum signal_out what)
{
	return what == SIGNAL_OUT_STREAMING;
}
