/* cred: TURN REST credentials as coturn's use-auth-secret checks them — the username carries its
 * expiry, the password is the HMAC-SHA1 of it under the shared secret (draft-uberti-behave-turn-rest-00 §2.2). */
#include "turn/turn.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static bool id_ok(const char *id)
{
	size_t n = 0;
	for (const char *p = id; *p; p++, n++)
		if (n >= TURN_ID_MAX || *p == ':' || (unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return false;
	return n > 0;
}

int turn_cred_make(const void *secret, size_t secret_len, uint64_t expiry, const char *id, struct turn_cred *out)
{
	memset(out, 0, sizeof *out);
	if (!secret || secret_len == 0 || secret_len > TURN_SECRET_MAX || !id || !id_ok(id))
		return EINVAL;
	int n = snprintf(out->username, sizeof out->username, "%" PRIu64 ":%s", expiry, id);
	if (n < 0 || (size_t)n >= sizeof out->username)
		return EINVAL;
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t mac_len = 0;
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA1", NULL, secret, secret_len, (const unsigned char *)out->username,
	               (size_t)n, mac, sizeof mac, &mac_len) || mac_len != 20) {
		memset(out, 0, sizeof *out);
		return EIO;
	}
	/* 20 bytes → 28 characters of base64 (RFC 4648 §4, with padding), NUL-terminated. */
	int b = EVP_EncodeBlock((unsigned char *)out->password, mac, (int)mac_len);
	OPENSSL_cleanse(mac, sizeof mac);
	if (b != TURN_PASSWORD_LEN) {
		memset(out, 0, sizeof *out);
		return EIO;
	}
	return 0;
}
