/* fuzz_jwt: arbitrary bytes through jwt_verify (src/auth/jwt.c), the check every host and guest token of
 * a town's portal passes before plenum trusts it. The first byte chooses how: bit 0 re-signs the rest
 * with the HS256 key before verifying (the HMAC over everything before the last '.', replacing what
 * follows it), so that the fuzzer reaches the time and claim checks behind the signature; bits 1–2
 * choose the tenant's keys: HS256, RS256, ES256, or all three. The RSA and EC public keys are those of
 * tests/vectors/jwt/vectors.json when the corpus (fuzz/corpus/jwt, the vectors' tokens behind such a
 * byte) was made. Whatever the input, a verdict is one of the enum, claims are zeroed unless it is
 * JWT_OK, an accepted token's strings are bounded, NUL-terminated UTF-8 without control characters,
 * and no OpenSSL error is left behind. */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/jwt.h"
#include "base/utf8.h"

#define NOW 1767225600
#define LEEWAY 30
#define AUD "stadt-musterhausen"

static const char hs_secret[] = "Rathaus-Musterhausen/portal/2026-signing-secret";
static const char rsa_pem[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAl+WcYEv10GJuTxPgStXx\n"
	"Yt+amGdYGzphYZjQfdeUImTIkO26Vv5KGupuIMfes5hpPidLT1aJjfapCg4PNESw\n"
	"d8q1D2Sa7Vk+7r7GSJxJrvKiMrsXK0Ok5gpNXkbsJZ+msYIl5d0opQOiW1kAaz24\n"
	"yg4yqL2m6+33SyVJhJ62GZdai6GpvQFRrZ0p3T6CQa6jT15UKKnGH4VXAQO4uQM3\n"
	"dG67vVxXYaM2758PSu5r6HINbGkiCZofDZc7jUPCkIjOKQWf03kf3KbeL6U6XR+9\n"
	"gRzXdOQnLOL2G35yRBRF9oIWw9oBvWDIEuYEeKsiGZrem9Pwhmxe0gaXub9JnzQB\n"
	"iQIDAQAB\n"
	"-----END PUBLIC KEY-----\n";
static const char ec_pem[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEgd1L0PZoRrdIjsOhSusLCPPpzRqA\n"
	"LqHdzJmszZPfsLylowMaUN72K3UeQRu/I74hNsHe/j0FPSTDM6lFQFNeIw==\n"
	"-----END PUBLIC KEY-----\n";

static void text_ok(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	if (n == cap || !utf8_valid((const unsigned char *)s, n))
		abort();
	uint32_t cp;
	for (size_t i = 0, l; i < n; i += l)
		if (!(l = utf8_next((const unsigned char *)s + i, n - i, &cp)) || utf8_is_control(cp))
			abort();
}

static size_t b64url(const unsigned char *in, size_t n, char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;
	for (size_t i = 0; i < n; i++) {
		acc = acc << 8 | in[i];
		for (bits += 8; bits >= 6; bits -= 6)
			out[o++] = a[(acc >> (bits - 6)) & 63];
	}
	if (bits)
		out[o++] = a[(acc << (6 - bits)) & 63];
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jwt_key *hs, *rsa, *ec;
	if (!hs) {
		if (jwt_key_hs256(&hs, hs_secret, sizeof hs_secret - 1) ||
		    jwt_key_public_pem(&rsa, rsa_pem, sizeof rsa_pem - 1, NULL, 0) ||
		    jwt_key_public_pem(&ec, ec_pem, sizeof ec_pem - 1, NULL, 0))
			abort();
	}
	if (size == 0)
		return 0;
	unsigned mode = data[0];
	data++, size--;
	const struct jwt_key *tenants[4][3] = { { hs }, { rsa }, { ec }, { rsa, ec, hs } };
	static const size_t n_keys[4] = { 1, 1, 1, 3 };
	unsigned tenant = (mode >> 1) & 3;

	/* a copy of exactly the token's bytes, so that a read past it is a sanitizer report */
	char *token = malloc(size + 64);
	if (!token)
		return 0;
	memcpy(token, data, size);
	size_t len = size;
	const uint8_t *dot = size ? memrchr(data, '.', size) : NULL;
	if ((mode & 1) && dot) {
		size_t input = (size_t)(dot - data);
		unsigned char mac[EVP_MAX_MD_SIZE];
		size_t mac_len = 0;
		if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, hs_secret, sizeof hs_secret - 1, data, input, mac,
		               sizeof mac, &mac_len))
			abort();
		len = input + 1 + b64url(mac, mac_len, token + input + 1);
		char *exact = malloc(len);
		memcpy(exact, token, len);
		free(token);
		token = exact;
	} else {
		char *exact = malloc(size ? size : 1);
		memcpy(exact, data, size);
		free(token);
		token = exact;
	}

	struct jwt_claims c, again;
	enum jwt_err r = jwt_verify(token, len, tenants[tenant], n_keys[tenant], AUD, NOW, LEEWAY, &c);
	if ((unsigned)r > JWT_ERR_CLAIMS || strcmp(jwt_err_name(r), "unknown") == 0)
		abort();
	if (jwt_verify(token, len, tenants[tenant], n_keys[tenant], AUD, NOW, LEEWAY, &again) != r ||
	    memcmp(&c, &again, sizeof c) != 0)
		abort();   /* the same token, the same verdict and claims */
	if (r == JWT_OK) {
		text_ok(c.room, sizeof c.room);
		text_ok(c.name, sizeof c.name);
		text_ok(c.sub, sizeof c.sub);
		if (c.any_room != (strcmp(c.room, "*") == 0) || !(NOW < c.exp + LEEWAY || c.exp > INT64_MAX - LEEWAY))
			abort();
		if (len > JWT_MAX_LEN)
			abort();
	} else {
		static const struct jwt_claims zero;
		if (memcmp(&c, &zero, sizeof c) != 0)
			abort();
	}
	if (ERR_peek_error() != 0)
		abort();   /* an error left in OpenSSL's queue would confuse the TLS and DTLS code */
	free(token);
	return 0;
}
