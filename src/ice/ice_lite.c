/* ice_lite: answering connectivity checks as the always-controlled lite agent, nomination and
 * consent freshness. RFC 8445 §2.5, §7.3, RFC 8489 §9.1.3 (short-term credential checks), RFC 7675. */
#include "ice/ice_lite.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"

int ice_lite_init(struct ice_lite *ice, uint64_t now_us)
{
	memset(ice, 0, sizeof *ice);
	int err = util_random_token(ice->local_ufrag, ICE_UFRAG_LEN);
	if (!err)
		err = util_random_token(ice->local_pwd, ICE_PWD_LEN);
	ice->created_us = now_us;
	ice->last_consent_us = now_us;
	return err;
}

void ice_lite_set_remote(struct ice_lite *ice, const char *ufrag, const char *pwd)
{
	snprintf(ice->remote_ufrag, sizeof ice->remote_ufrag, "%s", ufrag ? ufrag : "");
	snprintf(ice->remote_pwd, sizeof ice->remote_pwd, "%s", pwd ? pwd : "");
}

int ice_lite_local_ufrag(const struct stun_msg *m, char *out, size_t cap)
{
	if (!m->username)
		return EBADMSG;
	const uint8_t *colon = memchr(m->username, ':', m->username_len);
	if (!colon || colon == m->username)
		return EBADMSG;
	size_t n = (size_t)(colon - m->username);
	if (n + 1 > cap)
		return ENOSPC;
	memcpy(out, m->username, n);
	out[n] = '\0';
	return 0;
}

bool ice_addr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const struct sockaddr_in *)a, *y = (const struct sockaddr_in *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a, *y = (const struct sockaddr_in6 *)b;
		return x->sin6_port == y->sin6_port && !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr);
	}
	return false;
}

static void ice_addr_copy(struct sockaddr_storage *dst, const struct sockaddr *src)
{
	memset(dst, 0, sizeof *dst);
	memcpy(dst, src, src->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
}

/* USERNAME must be "local_ufrag:remote_ufrag"; the remote part only when it is known. */
static bool ice_username_ok(const struct ice_lite *ice, const struct stun_msg *m)
{
	size_t ll = strlen(ice->local_ufrag), rl = strlen(ice->remote_ufrag);
	if (m->username_len <= ll || memcmp(m->username, ice->local_ufrag, ll) || m->username[ll] != ':')
		return false;
	if (!rl)
		return true;
	return m->username_len == ll + 1 + rl && !memcmp(m->username + ll + 1, ice->remote_ufrag, rl);
}

/* ---- error budget per source address ------------------------------------------------------- */

static sa_family_t ice_ip_key(const struct sockaddr *a, uint8_t ip[16])
{
	memset(ip, 0, 16);
	if (a->sa_family == AF_INET) {
		memcpy(ip, &((const struct sockaddr_in *)a)->sin_addr, 4);
		return AF_INET;
	}
	memcpy(ip, &((const struct sockaddr_in6 *)a)->sin6_addr, 16);
	return AF_INET6;
}

/* Refills in whole thousandths of a response; the remainder of the time stays for the next call. */
static void ice_err_refill(struct ice_err_source *e, uint64_t now_us)
{
	const uint64_t full = ICE_ERR_BURST * 1000ull, step_us = 1000000u / (ICE_ERR_PER_SEC * 1000u);
	if (now_us <= e->last_us)
		return;
	uint64_t add = (now_us - e->last_us) / step_us;
	if (e->tokens_milli + add >= full) {
		e->tokens_milli = (uint32_t)full;
		e->last_us = now_us;
	} else {
		e->tokens_milli += (uint32_t)add;
		e->last_us += add * step_us;
	}
}

bool ice_err_limit_allow(struct ice_err_limit *l, const struct sockaddr *from, uint64_t now_us)
{
	uint8_t ip[16];
	sa_family_t fam = ice_ip_key(from, ip);
	struct ice_err_source *e = NULL, *reuse = NULL;
	for (size_t i = 0; i < ICE_ERR_SOURCES && !e; i++) {
		struct ice_err_source *c = &l->src[i];
		if (c->family == fam && !memcmp(c->ip, ip, 16)) {
			e = c;
		} else if (!reuse) {
			/* a free entry, or one whose bucket has refilled: forgetting it changes nothing */
			if (!c->family)
				reuse = c;
			else if (now_us >= c->last_us &&
				 now_us - c->last_us >= 1000000ull * ICE_ERR_BURST / ICE_ERR_PER_SEC)
				reuse = c;
		}
	}
	if (!e) {
		if (!reuse) {
			l->suppressed++;
			return false;
		}
		e = reuse;
		memcpy(e->ip, ip, 16);
		e->family = fam;
		e->tokens_milli = ICE_ERR_BURST * 1000u;
		e->last_us = now_us;
	}
	ice_err_refill(e, now_us);
	if (e->tokens_milli < 1000u) {
		l->suppressed++;
		return false;
	}
	e->tokens_milli -= 1000u;
	l->sent++;
	return true;
}

/* ---- responses ------------------------------------------------------------------------------ */

static const char *ice_reason(uint16_t code)
{
	switch (code) {
	case STUN_ERR_BAD_REQUEST: return "Bad Request";
	case STUN_ERR_UNAUTHORIZED: return "Unauthorized";
	case STUN_ERR_UNKNOWN_ATTRIBUTE: return "Unknown Attribute";
	case STUN_ERR_ROLE_CONFLICT: return "Role Conflict";
	default: return "Server Error";
	}
}

/* An error response; authenticated (MESSAGE-INTEGRITY) unless the request failed authentication. */
static enum ice_result ice_error(const struct ice_lite *ice, const struct stun_msg *m, uint16_t code, bool auth,
				 uint8_t *resp, size_t cap, size_t *resp_len)
{
	struct stun_writer w;
	stun_writer_init(&w, resp, cap, STUN_BINDING_ERROR, m->tid);
	stun_writer_add_error(&w, code, ice_reason(code));
	if (code == STUN_ERR_UNKNOWN_ATTRIBUTE) {
		uint8_t unknown[2];
		wr16(unknown, m->unknown_required);
		stun_writer_add(&w, STUN_ATTR_UNKNOWN_ATTRIBUTES, unknown, sizeof unknown);
	}
	const char *pwd = ice->local_pwd;
	stun_writer_finish(&w, auth ? (const uint8_t *)pwd : NULL, auth ? strlen(pwd) : 0, true);
	if (w.err)
		return ICE_IGNORE;
	*resp_len = w.len;
	return ICE_RESPOND_ERROR;
}

static enum ice_result ice_success(struct ice_lite *ice, const struct stun_msg *m, const struct sockaddr *from,
				   uint64_t now_us, uint8_t *resp, size_t cap, size_t *resp_len)
{
	struct stun_writer w;
	stun_writer_init(&w, resp, cap, STUN_BINDING_SUCCESS, m->tid);
	stun_writer_add_xor_addr(&w, STUN_ATTR_XOR_MAPPED_ADDRESS, from);
	stun_writer_finish(&w, (const uint8_t *)ice->local_pwd, strlen(ice->local_pwd), true);
	if (w.err)
		return ICE_IGNORE;
	*resp_len = w.len;

	enum ice_result res = ICE_RESPOND;
	if (m->use_candidate) {
		ice_addr_copy(&ice->selected, from);
		ice->has_selected = true;
		ice->nominated = true;
		res = ICE_RESPOND_NOMINATED;
	} else if (!ice->has_selected && !ice->nominated) {
		ice_addr_copy(&ice->selected, from);
		ice->has_selected = true;
	}
	/* RFC 7675: consent is per pair, so only checks on the selected pair keep it alive. */
	if (ice->has_selected && ice_addr_equal((const struct sockaddr *)&ice->selected, from))
		ice->last_consent_us = now_us;
	return res;
}

enum ice_result ice_lite_handle_request(struct ice_lite *ice, const struct stun_msg *m, const struct sockaddr *from,
					uint64_t now_us, uint8_t *resp, size_t resp_cap, size_t *resp_len)
{
	*resp_len = 0;
	if (!m->buf || m->type != STUN_BINDING_REQUEST || !from)
		return ICE_IGNORE;
	if (from->sa_family != AF_INET && from->sa_family != AF_INET6)
		return ICE_IGNORE;
	/* RFC 8445 §7.2.2: checks carry FINGERPRINT; without a valid one this is not our STUN. */
	if (!m->has_fingerprint || !m->fingerprint_ok)
		return ICE_IGNORE;
	uint16_t unauth = 0;
	if (!m->username || !m->has_integrity)
		unauth = STUN_ERR_BAD_REQUEST;
	else if (!ice_username_ok(ice, m) ||
		 !stun_msg_integrity_ok(m, (const uint8_t *)ice->local_pwd, strlen(ice->local_pwd)))
		unauth = STUN_ERR_UNAUTHORIZED;
	if (unauth) {
		if (!ice_err_limit_allow(&ice->err_limit, from, now_us))
			return ICE_RESPOND_ERROR;   /* over budget: counted, nothing sent */
		return ice_error(ice, m, unauth, false, resp, resp_cap, resp_len);
	}
	if (m->unknown_required)
		return ice_error(ice, m, STUN_ERR_UNKNOWN_ATTRIBUTE, true, resp, resp_cap, resp_len);
	if (m->ice_controlled)
		return ice_error(ice, m, STUN_ERR_ROLE_CONFLICT, true, resp, resp_cap, resp_len);
	return ice_success(ice, m, from, now_us, resp, resp_cap, resp_len);
}

bool ice_lite_consent_expired(const struct ice_lite *ice, uint64_t now_us, uint64_t timeout_us)
{
	return now_us > ice->last_consent_us && now_us - ice->last_consent_us >= timeout_us;
}
