/* jwt_sign: minting HS256 tokens in JWS compact form (RFC 7515 §3.1, §7.1; RFC 7518 §3.2) for what
 * plenum hands out itself (stream links): BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(HMAC). */
#include "auth/jwt_int.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <string.h>

static const char hs256_header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

int jwt_sign_hs256(const struct jwt_key *k, const char *payload, size_t len, char *out, size_t cap)
{
	if (!k || k->alg != JWT_ALG_HS256 || !payload || len == 0 || len > JWT_MAX_LEN)
		return EINVAL;
	size_t hl = sizeof hs256_header - 1;
	/* header, payload and the 32-byte MAC as base64url, two dots and the NUL */
	size_t need = (hl * 4 + 2) / 3 + (len * 4 + 2) / 3 + 43 + 3;
	if (need > JWT_MAX_LEN + 1)
		return EINVAL;
	if (cap < need)
		return ENOSPC;
	size_t n = jwt_b64url_encode((const unsigned char *)hs256_header, hl, out);
	out[n++] = '.';
	n += jwt_b64url_encode((const unsigned char *)payload, len, out + n);
	unsigned char mac[32];
	size_t mac_len = 0;
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, k->secret, k->secret_len, (const unsigned char *)out, n, mac,
	               sizeof mac, &mac_len) || mac_len != sizeof mac) {
		out[0] = '\0';
		return EINVAL;
	}
	out[n++] = '.';
	jwt_b64url_encode(mac, sizeof mac, out + n);
	OPENSSL_cleanse(mac, sizeof mac);
	return 0;
}
