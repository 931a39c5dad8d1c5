/* ice_lite: the server's ICE-lite agent — answering connectivity checks, nomination, consent.
 * RFC 8445 §2.5, §7.3 (lite, always controlled), RFC 7675 (consent freshness). */
#ifndef PLENUM_ICE_ICE_LITE_H
#define PLENUM_ICE_ICE_LITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "stun/stun.h"

#define ICE_UFRAG_LEN 8
#define ICE_PWD_LEN 24
/* RFC 7675 §5.1: consent expires 30 s after the last authenticated check. */
#define ICE_CONSENT_TIMEOUT_US 30000000ull

/* Unauthenticated error responses (400, 401) per source IP address: a bucket of
 * ICE_ERR_BURST refilled at ICE_ERR_PER_SEC, in a table of ICE_ERR_SOURCES addresses per agent.
 * A source that finds the table full (every entry used within the last burst/rate seconds)
 * gets no error response: the table fails closed. Authenticated checks are never limited. */
#define ICE_ERR_SOURCES 8
#define ICE_ERR_PER_SEC 5
#define ICE_ERR_BURST 10

struct ice_err_source {
	uint8_t ip[16];               /* IPv4 in the first 4 bytes, zeros after */
	sa_family_t family;           /* 0: free */
	uint32_t tokens_milli;        /* responses left, in thousandths */
	uint64_t last_us;
};

struct ice_err_limit {
	struct ice_err_source src[ICE_ERR_SOURCES];
	uint64_t sent, suppressed;    /* error responses written, and withheld */
};

struct ice_lite {
	char local_ufrag[16], local_pwd[40];
	char remote_ufrag[256], remote_pwd[256];
	struct sockaddr_storage selected; /* where media goes; valid when has_selected */
	bool has_selected;
	bool nominated; /* the controlling peer sent USE-CANDIDATE for `selected` */
	uint64_t last_consent_us, created_us;
	struct ice_err_limit err_limit;
};

/* Random ufrag (8 ice-chars) and pwd (24). The consent clock starts now, so an agent that is
 * never checked expires like one that stopped being checked. 0 or an errno. */
int ice_lite_init(struct ice_lite *ice, uint64_t now_us);
/* The peer's credentials from its SDP (NULL leaves a field empty; longer values are cut). */
void ice_lite_set_remote(struct ice_lite *ice, const char *ufrag, const char *pwd);

/* Copies the part of USERNAME before ':' (the local ufrag, for looking up the agent),
 * NUL-terminated. 0, EBADMSG (no USERNAME, no ':', empty part) or ENOSPC. */
int ice_lite_local_ufrag(const struct stun_msg *m, char *out, size_t cap);

enum ice_result { ICE_IGNORE = 0, ICE_RESPOND, ICE_RESPOND_NOMINATED, ICE_RESPOND_ERROR };

/* Handles a decoded message addressed to this agent and writes the reply into resp.
 * Only binding requests are answered; indications, responses, other methods and requests with a
 * missing or wrong FINGERPRINT → ICE_IGNORE (nothing written).
 * Missing USERNAME or MESSAGE-INTEGRITY → 400; USERNAME not "local:remote" (remote part checked
 * only when remote_ufrag is set) or bad integrity (key local_pwd) → 401, both without
 * MESSAGE-INTEGRITY, and only while the source's error budget lasts (struct ice_err_limit):
 * beyond it → ICE_RESPOND_ERROR with *resp_len 0 (nothing to send), counted as suppressed. Then an unknown comprehension-required attribute → 420 with
 * UNKNOWN-ATTRIBUTES, ICE-CONTROLLED from the peer (a lite agent is always controlled) → 487;
 * these two carry MESSAGE-INTEGRITY. Otherwise a success response (XOR-MAPPED-ADDRESS = from, MESSAGE-INTEGRITY,
 * FINGERPRINT): `from` is selected when nothing is selected yet and not nominated, or when the
 * check carries USE-CANDIDATE (→ ICE_RESPOND_NOMINATED); a check from the selected address
 * refreshes consent. ICE_IGNORE too when resp_cap is too small. */
enum ice_result ice_lite_handle_request(struct ice_lite *ice, const struct stun_msg *m, const struct sockaddr *from,
					uint64_t now_us, uint8_t *resp, size_t resp_cap, size_t *resp_len);

/* Takes one unauthenticated error response from the budget of `from`'s IP address; false when
 * that source has none left or the table is full of other recent sources (fail closed). */
bool ice_err_limit_allow(struct ice_err_limit *l, const struct sockaddr *from, uint64_t now_us);

/* True when no authenticated check from the selected address came within timeout_us. */
bool ice_lite_consent_expired(const struct ice_lite *ice, uint64_t now_us, uint64_t timeout_us);

/* Same family, address and port (AF_INET, AF_INET6); false otherwise. */
bool ice_addr_equal(const struct sockaddr *a, const struct sockaddr *b);

/* Client side, for load generators and tests: a binding request as a controlling full agent
 * sends it — USERNAME "remote_ufrag:local_ufrag", PRIORITY, ICE-CONTROLLING, USE-CANDIDATE when
 * asked, MESSAGE-INTEGRITY keyed with remote_pwd, FINGERPRINT. 0, EINVAL or ENOSPC. */
int ice_write_check(uint8_t *out, size_t cap, size_t *len, const uint8_t tid[12], const char *remote_ufrag,
		    const char *local_ufrag, const char *remote_pwd, uint32_t priority, uint64_t tiebreaker,
		    bool use_candidate);

#endif
