/* ice_check: the client side of a connectivity check, as a controlling full agent sends it
 * (load generator, tests). RFC 8445 §7.1 (request contents), §16.1 (ICE attributes). */
#include "ice/ice_lite.h"

#include <errno.h>
#include <string.h>

int ice_write_check(uint8_t *out, size_t cap, size_t *len, const uint8_t tid[12], const char *remote_ufrag,
		    const char *local_ufrag, const char *remote_pwd, uint32_t priority, uint64_t tiebreaker,
		    bool use_candidate)
{
	if (!out || !len || !tid || !remote_ufrag || !local_ufrag || !remote_pwd)
		return EINVAL;
	size_t rl = strlen(remote_ufrag), ll = strlen(local_ufrag);
	char username[509];
	if (rl + 1 + ll >= sizeof username) /* RFC 8489 §14.3: fewer than 509 bytes */
		return EINVAL;
	memcpy(username, remote_ufrag, rl);
	username[rl] = ':';
	memcpy(username + rl + 1, local_ufrag, ll);

	struct stun_writer w;
	stun_writer_init(&w, out, cap, STUN_BINDING_REQUEST, tid);
	stun_writer_add(&w, STUN_ATTR_USERNAME, username, rl + 1 + ll);
	stun_writer_add_u32(&w, STUN_ATTR_PRIORITY, priority);
	stun_writer_add_u64(&w, STUN_ATTR_ICE_CONTROLLING, tiebreaker);
	if (use_candidate)
		stun_writer_add(&w, STUN_ATTR_USE_CANDIDATE, NULL, 0);
	stun_writer_finish(&w, (const uint8_t *)remote_pwd, strlen(remote_pwd), true);
	if (w.err)
		return w.err;
	*len = w.len;
	return 0;
}
