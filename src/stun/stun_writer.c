/* stun_writer: building STUN messages in a caller's buffer, with MESSAGE-INTEGRITY and FINGERPRINT.
 * RFC 8489 §5, §14.2 (XOR-MAPPED-ADDRESS), §14.5, §14.7, §14.8 (ERROR-CODE). */
#include "stun/stun.h"
#include "stun/stun_internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "base/util.h"

static void stun_writer_set_length(struct stun_writer *w, size_t total)
{
	wr16(w->buf + 2, (uint16_t)(total - STUN_HEADER_LEN));
}

void stun_writer_init(struct stun_writer *w, uint8_t *buf, size_t cap, uint16_t type, const uint8_t tid[12])
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->err = 0;
	if (!buf || !tid || (type & 0xC000)) {
		w->err = EINVAL;
		return;
	}
	if (cap < STUN_HEADER_LEN) {
		w->err = ENOSPC;
		return;
	}
	wr16(buf, type);
	wr16(buf + 2, 0);
	wr32(buf + 4, STUN_MAGIC_COOKIE);
	memcpy(buf + 8, tid, 12);
	w->len = STUN_HEADER_LEN;
}

/* Reserves room for an attribute of `len` value bytes, writes its header and padding, and
 * returns where the value goes (NULL on error). */
static uint8_t *stun_writer_reserve(struct stun_writer *w, uint16_t attr, size_t len)
{
	if (w->err)
		return NULL;
	size_t padded = (len + 3) & ~(size_t)3;
	if (len > 0xFFFF || w->len + 4 + padded - STUN_HEADER_LEN > 0xFFFF) {
		w->err = EINVAL;
		return NULL;
	}
	if (4 + padded > w->cap - w->len) {
		w->err = ENOSPC;
		return NULL;
	}
	uint8_t *p = w->buf + w->len;
	wr16(p, attr);
	wr16(p + 2, (uint16_t)len);
	memset(p + 4 + len, 0, padded - len);
	w->len += 4 + padded;
	stun_writer_set_length(w, w->len);
	return p + 4;
}

void stun_writer_add(struct stun_writer *w, uint16_t attr, const void *val, size_t len)
{
	if (!val && len && !w->err)
		w->err = EINVAL;
	uint8_t *p = stun_writer_reserve(w, attr, len);
	if (p && len)
		memcpy(p, val, len);
}

void stun_writer_add_u32(struct stun_writer *w, uint16_t attr, uint32_t v)
{
	uint8_t *p = stun_writer_reserve(w, attr, 4);
	if (p)
		wr32(p, v);
}

void stun_writer_add_u64(struct stun_writer *w, uint16_t attr, uint64_t v)
{
	uint8_t *p = stun_writer_reserve(w, attr, 8);
	if (p) {
		wr32(p, (uint32_t)(v >> 32));
		wr32(p + 4, (uint32_t)v);
	}
}

void stun_writer_add_xor_addr(struct stun_writer *w, uint16_t attr, const struct sockaddr *addr)
{
	if (w->err)
		return;
	uint16_t xport = (uint16_t)(STUN_MAGIC_COOKIE >> 16);
	if (addr && addr->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)addr;
		uint8_t *p = stun_writer_reserve(w, attr, 8);
		if (!p)
			return;
		p[0] = 0;
		p[1] = 0x01;
		wr16(p + 2, ntohs(sin->sin_port) ^ xport);
		wr32(p + 4, ntohl(sin->sin_addr.s_addr) ^ STUN_MAGIC_COOKIE);
	} else if (addr && addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)addr;
		uint8_t *p = stun_writer_reserve(w, attr, 20);
		if (!p)
			return;
		uint8_t mask[16];
		wr32(mask, STUN_MAGIC_COOKIE);
		memcpy(mask + 4, w->buf + 8, 12); /* the transaction id */
		p[0] = 0;
		p[1] = 0x02;
		wr16(p + 2, ntohs(sin6->sin6_port) ^ xport);
		for (int i = 0; i < 16; i++)
			p[4 + i] = sin6->sin6_addr.s6_addr[i] ^ mask[i];
	} else {
		w->err = EAFNOSUPPORT;
	}
}

void stun_writer_add_error(struct stun_writer *w, uint16_t code, const char *reason)
{
	if (w->err)
		return;
	if (code < 300 || code > 699) {
		w->err = EINVAL;
		return;
	}
	size_t rlen = reason ? strlen(reason) : 0;
	if (rlen > 763) { /* RFC 8489 §14.8: fewer than 128 characters, at most 763 bytes */
		w->err = EINVAL;
		return;
	}
	uint8_t *p = stun_writer_reserve(w, STUN_ATTR_ERROR_CODE, 4 + rlen);
	if (!p)
		return;
	p[0] = 0;
	p[1] = 0;
	p[2] = (uint8_t)(code / 100);
	p[3] = (uint8_t)(code % 100);
	if (rlen)
		memcpy(p + 4, reason, rlen);
}

void stun_writer_finish(struct stun_writer *w, const uint8_t *key, size_t key_len, bool fingerprint)
{
	if (w->err)
		return;
	if (key) {
		/* The HMAC covers the header with its length already counting MESSAGE-INTEGRITY. */
		size_t at = w->len;
		uint8_t *p = stun_writer_reserve(w, STUN_ATTR_MESSAGE_INTEGRITY, STUN_MI_LEN);
		if (!p)
			return;
		if (stun_hmac_sha1(key, key_len, w->buf, STUN_HEADER_LEN, w->buf + STUN_HEADER_LEN,
				   at - STUN_HEADER_LEN, p)) {
			w->err = EIO;
			return;
		}
	}
	if (fingerprint) {
		size_t at = w->len;
		uint8_t *p = stun_writer_reserve(w, STUN_ATTR_FINGERPRINT, 4);
		if (p)
			wr32(p, stun_fingerprint(w->buf, at));
	}
}
