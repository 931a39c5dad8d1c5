/* jwt_int: what the JWT files share (and the unit test reaches): the key, strict base64url and the
 * check of one signature over a JWS signing input. */
#ifndef PLENUM_AUTH_JWT_INT_H
#define PLENUM_AUTH_JWT_INT_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth/jwt.h"

enum jwt_alg { JWT_ALG_HS256 = 1, JWT_ALG_RS256, JWT_ALG_ES256 };

struct jwt_key {
	enum jwt_alg alg;
	unsigned char *secret;   /* HS256 */
	size_t secret_len;
	EVP_PKEY *pkey;          /* RS256, ES256 */
};

/* The algorithm named exactly (case matters, RFC 7515 §4.1.1); 0 for any other name. */
enum jwt_alg jwt_alg_parse(const char *name, size_t len);

/* Decodes base64url without padding (RFC 7515 §2, RFC 4648 §5): only A–Z a–z 0–9 - _, no length
 * of 1 mod 4, and the unused bits of the last character zero, so each byte string has one
 * encoding. Returns the decoded length, or -1; out must hold len * 3 / 4 bytes. */
long jwt_b64url_decode(const char *in, size_t len, unsigned char *out);

/* Encodes len bytes as base64url without padding into out (room for (len * 4 + 2) / 3 bytes and a
 * NUL); returns the length written, NUL not counted. */
size_t jwt_b64url_encode(const unsigned char *in, size_t len, char *out);

/* Whether sig is key's signature of the signing input (RFC 7515 §5.2 steps 8–9): HS256 compared
 * in constant time, RS256 RSASSA-PKCS1-v1_5 with SHA-256 and a signature as long as the modulus,
 * ES256 raw R‖S of exactly 64 bytes (RFC 7518 §3.4). */
bool jwt_sig_ok(const struct jwt_key *key, const unsigned char *input, size_t input_len, const unsigned char *sig,
                size_t sig_len);

#endif
