/* stun_msg: decoding a STUN message into a borrowed view, attribute by attribute through a table.
 * RFC 8489 §5 (header), §14 (attributes), RFC 8445 §16.1 (ICE attributes), RFC 7983 (demux). */
#include "stun/stun.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "base/util.h"

bool stun_is_stun(const uint8_t *buf, size_t len)
{
	return len >= STUN_HEADER_LEN && buf[0] <= 3 && rd32(buf + 4) == STUN_MAGIC_COOKIE;
}

int stun_xor_addr_decode(struct sockaddr_storage *out, const uint8_t *val, size_t len, const uint8_t tid[12])
{
	if (len < 4)
		return EBADMSG;
	uint16_t port = rd16(val + 2) ^ (uint16_t)(STUN_MAGIC_COOKIE >> 16);
	memset(out, 0, sizeof *out);
	if (val[1] == 0x01 && len == 8) {
		struct sockaddr_in *sin = (struct sockaddr_in *)out;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		uint32_t a = rd32(val + 4) ^ STUN_MAGIC_COOKIE;
		sin->sin_addr.s_addr = htonl(a);
		return 0;
	}
	if (val[1] == 0x02 && len == 20) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out;
		uint8_t mask[16];
		wr32(mask, STUN_MAGIC_COOKIE);
		memcpy(mask + 4, tid, 12);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		for (int i = 0; i < 16; i++)
			sin6->sin6_addr.s6_addr[i] = val[4 + i] ^ mask[i];
		return 0;
	}
	return EBADMSG;
}

/* Per-attribute handlers: the value has already been bounds-checked against the message. */
typedef int (*stun_attr_fn)(struct stun_msg *m, const uint8_t *v, size_t len);

static int attr_username(struct stun_msg *m, const uint8_t *v, size_t len)
{
	if (!m->username) {
		m->username = v;
		m->username_len = len;
	}
	return 0;
}

static int attr_priority(struct stun_msg *m, const uint8_t *v, size_t len)
{
	if (!m->has_priority) {
		m->has_priority = true;
		m->priority = rd32(v);
	}
	return 0;
}

static int attr_use_candidate(struct stun_msg *m, const uint8_t *v, size_t len)
{
	m->use_candidate = true;
	return 0;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

static int attr_controlling(struct stun_msg *m, const uint8_t *v, size_t len)
{
	if (!m->ice_controlling && !m->ice_controlled)
		m->tiebreaker = rd64(v);
	m->ice_controlling = true;
	return 0;
}

static int attr_controlled(struct stun_msg *m, const uint8_t *v, size_t len)
{
	if (!m->ice_controlling && !m->ice_controlled)
		m->tiebreaker = rd64(v);
	m->ice_controlled = true;
	return 0;
}

static int attr_xor_mapped(struct stun_msg *m, const uint8_t *v, size_t len)
{
	if (m->has_xor_mapped)
		return 0;
	if (stun_xor_addr_decode(&m->xor_mapped, v, len, m->tid))
		return EBADMSG;
	m->has_xor_mapped = true;
	return 0;
}

static int attr_error_code(struct stun_msg *m, const uint8_t *v, size_t len)
{
	unsigned cls = v[2] & 7, num = v[3];
	if (cls < 3 || cls > 6 || num > 99)
		return EBADMSG;
	if (!m->error_code)
		m->error_code = (uint16_t)(cls * 100 + num);
	return 0;
}

#define LEN_ANY 0xFFFF
#define LEN_MIN4 0xFFFE

/* Attributes plenum knows. A NULL handler means known but not interpreted here. */
static const struct stun_attr_rule {
	uint16_t type;
	uint16_t len; /* exact value length, LEN_ANY, or LEN_MIN4 */
	stun_attr_fn fn;
} stun_attr_rules[] = {
	{ STUN_ATTR_MAPPED_ADDRESS, LEN_ANY, NULL },
	{ STUN_ATTR_USERNAME, LEN_ANY, attr_username },
	{ STUN_ATTR_ERROR_CODE, LEN_MIN4, attr_error_code },
	{ STUN_ATTR_UNKNOWN_ATTRIBUTES, LEN_ANY, NULL },
	{ STUN_ATTR_REALM, LEN_ANY, NULL },
	{ STUN_ATTR_NONCE, LEN_ANY, NULL },
	{ STUN_ATTR_PASSWORD_ALGORITHM, LEN_ANY, NULL },
	{ STUN_ATTR_USERHASH, LEN_ANY, NULL },
	{ STUN_ATTR_XOR_MAPPED_ADDRESS, LEN_MIN4, attr_xor_mapped },
	{ STUN_ATTR_PRIORITY, 4, attr_priority },
	{ STUN_ATTR_USE_CANDIDATE, 0, attr_use_candidate },
	{ STUN_ATTR_ICE_CONTROLLED, 8, attr_controlled },
	{ STUN_ATTR_ICE_CONTROLLING, 8, attr_controlling },
};

static const struct stun_attr_rule *stun_attr_rule_find(uint16_t type)
{
	for (size_t i = 0; i < ARRAY_LEN(stun_attr_rules); i++)
		if (stun_attr_rules[i].type == type)
			return &stun_attr_rules[i];
	return NULL;
}

static int stun_attr_apply(struct stun_msg *m, uint16_t type, const uint8_t *v, size_t len)
{
	const struct stun_attr_rule *r = stun_attr_rule_find(type);
	if (!r) {
		if (type < 0x8000 && !m->unknown_required)
			m->unknown_required = type;
		return 0;
	}
	if ((r->len == LEN_MIN4 && len < 4) || (r->len < LEN_MIN4 && len != r->len))
		return EBADMSG;
	return r->fn ? r->fn(m, v, len) : 0;
}

int stun_msg_decode(struct stun_msg *m, const uint8_t *buf, size_t len)
{
	memset(m, 0, sizeof *m);
	if (!buf || !stun_is_stun(buf, len))
		return EBADMSG;
	uint16_t mlen = rd16(buf + 2);
	if ((mlen & 3) || (size_t)mlen + STUN_HEADER_LEN != len)
		return EBADMSG;
	m->type = rd16(buf);
	m->length = mlen;
	memcpy(m->tid, buf + 8, 12);
	m->buf = buf;
	m->len = len;

	size_t off = STUN_HEADER_LEN;
	while (off < len) {
		if (m->has_fingerprint || len - off < 4)
			return EBADMSG; /* FINGERPRINT must be last */
		uint16_t type = rd16(buf + off);
		size_t alen = rd16(buf + off + 2);
		size_t padded = (alen + 3) & ~(size_t)3;
		if (padded > len - off - 4)
			return EBADMSG;
		const uint8_t *v = buf + off + 4;
		if (type == STUN_ATTR_FINGERPRINT) {
			if (alen != 4)
				return EBADMSG;
			m->has_fingerprint = true;
			m->fingerprint_ok = stun_fingerprint(buf, off) == rd32(v);
		} else if (m->has_integrity) {
			/* RFC 8489 §14.5: everything after MESSAGE-INTEGRITY but FINGERPRINT is ignored. */
		} else if (type == STUN_ATTR_MESSAGE_INTEGRITY) {
			if (alen != STUN_MI_LEN)
				return EBADMSG;
			m->has_integrity = true;
			m->integrity_offset = off;
		} else if (stun_attr_apply(m, type, v, alen)) {
			return EBADMSG;
		}
		off += 4 + padded;
	}
	return 0;
}
