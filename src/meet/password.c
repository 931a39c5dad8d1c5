/* password: a room's password kept only as SHA-256(salt ‖ password) with a random 16-byte salt,
 * compared in constant time; admission (lock, then password) under a guard that fails closed. */
#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

#include "base/util.h"
#include "meet/meet.h"


static int hash_password(const uint8_t salt[16], const char *pw, size_t len, uint8_t out[32])
{
	unsigned int n = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	         EVP_DigestUpdate(ctx, salt, 16) == 1 && EVP_DigestUpdate(ctx, pw, len) == 1 &&
	         EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == 32;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

enum meet_err meet_password_set(struct meet_room *r, const char *password, size_t len)
{
	if (!password) {
		r->has_password = false;
		OPENSSL_cleanse(r->hash, sizeof r->hash);
		OPENSSL_cleanse(r->salt, sizeof r->salt);
		return MEET_OK;
	}
	if (meet_password_valid(password, len) != MEET_OK)
		return MEET_ERR_INVALID;
	uint8_t salt[16], hash[32];
	if (util_random(salt, sizeof salt) != 0 || hash_password(salt, password, len, hash) != 0)
		return MEET_ERR_NOMEM;
	memcpy(r->salt, salt, sizeof salt);
	memcpy(r->hash, hash, sizeof hash);
	r->has_password = true;
	/* A new password: the old guesses say nothing about it. */
	meet_guard_reset(r);
	return MEET_OK;
}

bool meet_password_matches(const struct meet_room *r, const char *password, size_t len)
{
	if (!r->has_password)
		return true;
	uint8_t hash[32];
	if (!password || hash_password(r->salt, password, len, hash) != 0)
		return false;
	bool eq = CRYPTO_memcmp(hash, r->hash, sizeof hash) == 0;
	OPENSSL_cleanse(hash, sizeof hash);
	return eq;
}

uint64_t meet_addr_group(const uint8_t key[32], const char *address)
{
	uint8_t buf[32 + 1 + 128], md[32];
	size_t len = address ? strnlen(address, 127) : 0, n = 0;
	char text[128];
	memcpy(text, address ? address : "", len);
	text[len] = 0;
	memcpy(buf, key, 32);
	struct in_addr v4;
	struct in6_addr v6;
	if (inet_pton(AF_INET, text, &v4) == 1) {
		buf[32] = 4;
		memcpy(buf + 33, &v4, 4);
		n = 33 + 4;
	} else if (inet_pton(AF_INET6, text, &v6) == 1) {
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (memcmp(v6.s6_addr, mapped, 12) == 0) {
			buf[32] = 4;
			memcpy(buf + 33, v6.s6_addr + 12, 4);
			n = 33 + 4;
		} else {
			buf[32] = 6;
			memcpy(buf + 33, v6.s6_addr, 8);   /* the /64 */
			n = 33 + 8;
		}
	} else {
		buf[32] = 0;
		memcpy(buf + 33, text, len);
		n = 33 + len;
	}
	unsigned int mdn = 0;
	uint64_t h = 0;
	if (EVP_Digest(buf, n, md, &mdn, EVP_sha256(), NULL) == 1 && mdn == 32)
		for (int i = 0; i < 8; i++)
			h = h << 8 | md[i];
	return h ? h : 1;
}

struct meet_group *meet_group_get(struct meet_room *r, uint64_t group, uint64_t now_us)
{
	struct meet_group *free_slot = NULL;
	if (!group)
		group = 1;
	for (size_t i = 0; i < MEET_GROUP_SLOTS; i++) {
		struct meet_group *g = &r->groups[i];
		if (g->group == group)
			return g;
		/* Only a slot that is unused, or quiet for ten minutes with its delay long over, is
		 * taken: pressure on the table never frees one. */
		if (!free_slot && (!g->group || (now_us > g->last_us + MEET_GROUP_FORGET_US && g->next_us <= now_us)))
			free_slot = g;
	}
	if (!free_slot)
		return &r->overflow;
	memset(free_slot, 0, sizeof *free_slot);
	free_slot->group = group;
	free_slot->last_us = now_us;
	return free_slot;
}

/* The delay after a group's n-th failure: none for the first MEET_GUARD_FREE, then 1 s, 2 s, 4 s …
 * up to MEET_GUARD_DELAY_MAX_US. */
static uint64_t group_delay_us(uint32_t failures)
{
	if (failures < MEET_GUARD_FREE)
		return 0;
	uint32_t k = failures - MEET_GUARD_FREE;
	if (k > 5)
		return MEET_GUARD_DELAY_MAX_US;
	uint64_t d = 1000000ull << k;
	return d < MEET_GUARD_DELAY_MAX_US ? d : MEET_GUARD_DELAY_MAX_US;
}

/* In backoff: the room-wide spacing of evaluations grows by 1 s per MEET_GUARD_BUDGET further
 * failures, from MEET_GUARD_ROOM_MIN_US up to MEET_GUARD_ROOM_MAX_US. */
static uint64_t room_interval_us(const struct meet_guard *g)
{
	if (g->failures < MEET_GUARD_BUDGET)
		return 0;
	uint64_t d = MEET_GUARD_ROOM_MIN_US + 1000000ull * ((g->failures - MEET_GUARD_BUDGET) / MEET_GUARD_BUDGET);
	return d < MEET_GUARD_ROOM_MAX_US ? d : MEET_GUARD_ROOM_MAX_US;
}

uint32_t meet_guard_delay_s(const struct meet_room *r, uint64_t now_us)
{
	(void)now_us;
	return (uint32_t)((room_interval_us(&r->guard) + 999999u) / 1000000u);
}

bool meet_guard_notify_due(struct meet_room *r, uint64_t now_us)
{
	struct meet_guard *g = &r->guard;
	uint32_t delay = meet_guard_delay_s(r, now_us);
	if (g->notified_failures == g->failures && g->notified_delay_s == delay)
		return false;
	/* Entering or leaving backoff is told at once; counts at most once a second. */
	bool edge = (g->notified_delay_s == 0) != (delay == 0);
	if (!edge && g->notified_us && now_us < g->notified_us + 1000000u)
		return false;
	g->notified_failures = g->failures;
	g->notified_delay_s = delay;
	g->notified_us = now_us;
	return true;
}

void meet_guard_reset(struct meet_room *r)
{
	memset(r->groups, 0, sizeof r->groups);
	memset(&r->overflow, 0, sizeof r->overflow);
	r->guard.failures = 0;
	r->guard.next_us = 0;
}

enum meet_err meet_room_admission(struct meet_room *r, uint64_t group, const char *password, size_t len,
                                  uint64_t now_us, uint64_t *retry_us)
{
	if (r->locked)
		return MEET_ERR_LOCKED;
	if (!r->has_password)
		return MEET_OK;
	if (!password)
		return MEET_ERR_PASSWORD_REQUIRED;
	struct meet_group *g = meet_group_get(r, group, now_us);
	struct meet_guard *guard = &r->guard;
	g->last_us = now_us;
	/* While held back, no guess is checked at all, right or wrong. */
	uint64_t wait = 0;
	if (g->next_us > now_us)
		wait = g->next_us - now_us;
	if (guard->failures >= MEET_GUARD_BUDGET && guard->next_us > now_us && guard->next_us - now_us > wait)
		wait = guard->next_us - now_us;
	if (wait) {
		if (retry_us)
			*retry_us = wait;
		return MEET_ERR_RATE_LIMITED;
	}
	if (guard->failures >= MEET_GUARD_BUDGET)
		guard->next_us = now_us + room_interval_us(guard);
	if (meet_password_matches(r, password, len)) {
		if (g != &r->overflow) {
			g->failures = 0;
			g->next_us = 0;
		}
		return MEET_OK;
	}
	if (g->failures < UINT32_MAX)
		g->failures++;
	g->next_us = now_us + group_delay_us(g->failures);
	if (guard->failures < UINT32_MAX)
		guard->failures++;
	if (guard->failures >= MEET_GUARD_BUDGET && guard->next_us < now_us + room_interval_us(guard))
		guard->next_us = now_us + room_interval_us(guard);
	return MEET_ERR_PASSWORD_WRONG;
}
