/* util: random tokens and constant-time compare on top of OpenSSL. */
#include "base/util.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

int util_random(void *buf, size_t len)
{
	return RAND_bytes(buf, (int)len) == 1 ? 0 : EIO;
}

uint32_t util_random_u32(void)
{
	uint32_t v = 0;
	util_random(&v, sizeof v);
	return v;
}

int util_random_token(char *out, size_t len)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t raw[256];
	if (len >= sizeof raw)
		return EINVAL;
	int err = util_random(raw, len);
	if (err)
		return err;
	for (size_t i = 0; i < len; i++)
		out[i] = alphabet[raw[i] & 63];
	out[len] = '\0';
	return 0;
}

int util_ct_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}
