/* fuzz_stun: STUN decoding, MESSAGE-INTEGRITY and the ICE-lite agent on arbitrary datagrams.
 * RFC 8489, RFC 8445 §7.3. The agent's credentials are fixed so seeded checks authenticate. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "ice/ice_lite.h"
#include "stun/stun.h"

#define FUZZ_UFRAG "fuzzufrg"
#define FUZZ_PWD "fuzzpasswordfuzzpassword"
#define FUZZ_REMOTE_UFRAG "brws"

static void check_response(const uint8_t *resp, size_t len, const struct stun_msg *req, enum ice_result res)
{
	struct stun_msg r;
	if (stun_msg_decode(&r, resp, len) || memcmp(r.tid, req->tid, 12) || !r.fingerprint_ok)
		abort();
	if (res == ICE_RESPOND_ERROR ? (r.type != STUN_BINDING_ERROR || !r.error_code) : r.type != STUN_BINDING_SUCCESS)
		abort();
	if (r.has_integrity && !stun_msg_integrity_ok(&r, (const uint8_t *)FUZZ_PWD, strlen(FUZZ_PWD)))
		abort();
	if (res != ICE_RESPOND_ERROR && (!r.has_integrity || !r.has_xor_mapped))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stun_msg m;
	stun_is_stun(data, size);
	if (stun_msg_decode(&m, data, size))
		return 0;
	if (m.len != size || (m.has_integrity && m.integrity_offset + 24 > size))
		abort();
	stun_msg_integrity_ok(&m, (const uint8_t *)FUZZ_PWD, strlen(FUZZ_PWD));
	char ufrag[32];
	ice_lite_local_ufrag(&m, ufrag, sizeof ufrag);

	struct ice_lite ice;
	memset(&ice, 0, sizeof ice);
	strcpy(ice.local_ufrag, FUZZ_UFRAG);
	strcpy(ice.local_pwd, FUZZ_PWD);
	if (size & 4)
		ice_lite_set_remote(&ice, FUZZ_REMOTE_UFRAG, "remotepassword");

	struct sockaddr_storage from;
	memset(&from, 0, sizeof from);
	if (size & 8) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&from;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(5000);
		sin6->sin6_addr.s6_addr[15] = 1;
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&from;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(40000);
		sin->sin_addr.s_addr = htonl(0x7f000001);
	}
	uint8_t resp[1500];
	size_t resp_len = 0;
	enum ice_result res = ice_lite_handle_request(&ice, &m, (struct sockaddr *)&from, 1000, resp, sizeof resp, &resp_len);
	if (res == ICE_IGNORE) {
		if (resp_len)
			abort();
		return 0;
	}
	check_response(resp, resp_len, &m, res);
	if ((res == ICE_RESPOND_NOMINATED) != (ice.nominated && m.use_candidate))
		abort();
	return 0;
}
