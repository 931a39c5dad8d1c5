/* password: a room's password kept only as SHA-256(salt ‖ password) with a random 16-byte salt,
 * compared in constant time; admission (lock, then password) with a per-address rate limit. */
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
	/* A new password gives every address its full allowance again. */
	memset(r->limits, 0, sizeof r->limits);
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

/* The bucket of one address: an existing slot, a free one, or one that has refilled completely
 * (the least recently limited). */
static struct meet_bucket *addr_bucket(struct meet_room *r, uint64_t addr, uint64_t now_us)
{
	struct meet_addr_bucket *free_slot = NULL, *oldest = NULL;
	for (size_t i = 0; i < MEET_LIMITER_SLOTS; i++) {
		struct meet_addr_bucket *s = &r->limits[i];
		if (s->addr == addr && s->addr)
			return &s->b;
		if (!s->addr || s->b.tat <= now_us) {
			if (!free_slot)
				free_slot = s;
		} else if (!oldest || s->b.tat < oldest->b.tat) {
			oldest = s;
		}
	}
	struct meet_addr_bucket *s = free_slot ? free_slot : oldest;
	s->addr = addr ? addr : 1;
	s->b.tat = 0;
	return &s->b;
}

enum meet_err meet_room_admission(struct meet_room *r, uint64_t addr, const char *password, size_t len,
                                  uint64_t now_us, uint64_t *retry_us)
{
	if (r->locked)
		return MEET_ERR_LOCKED;
	if (!r->has_password)
		return MEET_OK;
	if (!password)
		return MEET_ERR_PASSWORD_REQUIRED;
	struct meet_bucket *b = addr_bucket(r, addr, now_us);
	/* While limited, no guess is checked at all, right or wrong. */
	if (!meet_bucket_ready(b, &meet_limit_password, now_us, retry_us))
		return MEET_ERR_RATE_LIMITED;
	if (meet_password_matches(r, password, len))
		return MEET_OK;
	meet_bucket_take(b, &meet_limit_password, now_us, NULL);
	return MEET_ERR_PASSWORD_WRONG;
}
