/* test_jwt: JSON Web Token verification (src/auth) against tokens and keys made independently by
 * tests/vectors/jwt/make_vectors.py (python3-cryptography, hmac), against the RFC 7515 Appendix A
 * examples, and against tokens minted here with OpenSSL's HMAC for the boundaries: exp and nbf
 * with leeway, length, every one-character change of a valid token, truncations. */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/jwt.h"
#include "auth/jwt_int.h"
#include "test_util.h"

#define VECTORS "tests/vectors/jwt/vectors.json"
#define AUD "stadt-musterhausen"
#define NOW 1767225600

static json_t *vectors(void)
{
	json_error_t jerr;
	json_t *v = json_load_file(VECTORS, JSON_REJECT_DUPLICATES, &jerr);
	ck_assert_msg(v != NULL, "%s: %s (run from the repository root)", VECTORS, jerr.text);
	return v;
}

/* A key of the vectors: {"hs256_hex": …} or {"pem": …}; 0 or the loader's error. */
static int load_key(const json_t *k, struct jwt_key **out, char *err, size_t cap)
{
	const char *hexs = json_string_value(json_object_get(k, "hs256_hex"));
	if (hexs) {
		uint8_t secret[256];
		ck_assert_uint_lt(strlen(hexs), 2 * sizeof secret);
		size_t n = hex(hexs, secret);
		return jwt_key_hs256(out, secret, n);
	}
	const json_t *pem = json_object_get(k, "pem");
	ck_assert_ptr_nonnull(pem);
	return jwt_key_public_pem(out, json_string_value(pem), json_string_length(pem), err, cap);
}

static struct jwt_key *key_named(const json_t *all, const char *name)
{
	const json_t *k = json_object_get(json_object_get(all, "keys"), name);
	ck_assert_msg(k != NULL, "no key %s in the vectors", name);
	struct jwt_key *key = NULL;
	char err[160] = "";
	ck_assert_msg(load_key(k, &key, err, sizeof err) == 0, "key %s refused: %s", name, err);
	const char *alg = json_string_value(json_object_get(k, "alg"));
	ck_assert_str_eq(jwt_key_alg(key), alg ? alg : "HS256");
	return key;
}

/* Verifies a copy of exactly len bytes (no NUL after it), so a read past the token is an ASan report. */
static enum jwt_err verify_n(const char *token, size_t len, const struct jwt_key *const *keys, size_t n, int64_t now,
                             unsigned leeway, struct jwt_claims *out)
{
	char *copy = malloc(len ? len : 1);
	memcpy(copy, token, len);
	enum jwt_err r = jwt_verify(copy, len, keys, n, AUD, now, leeway, out);
	free(copy);
	return r;
}

static bool claims_match(const json_t *want, const struct jwt_claims *c, const char *name)
{
	const char *room = json_string_value(json_object_get(want, "room")),
	           *nm = json_string_value(json_object_get(want, "name")),
	           *sub = json_string_value(json_object_get(want, "sub"));
	bool ok = strcmp(c->room, room) == 0 && strcmp(c->name, nm) == 0 && strcmp(c->sub, sub) == 0 &&
	          c->any_room == json_is_true(json_object_get(want, "any_room")) &&
	          c->host == json_is_true(json_object_get(want, "host")) &&
	          c->admin == json_is_true(json_object_get(want, "admin")) &&
	          c->exp == json_integer_value(json_object_get(want, "exp")) &&
	          c->nbf == json_integer_value(json_object_get(want, "nbf"));
	if (!ok)
		fprintf(stderr, "%s: claims room '%s' any %d name '%s' host %d admin %d exp %lld nbf %lld sub '%s'\n", name,
		        c->room, c->any_room, c->name, c->host, c->admin, (long long)c->exp, (long long)c->nbf, c->sub);
	return ok;
}

START_TEST(independent_tokens)
{
	json_t *all = vectors();
	const json_t *tokens = json_object_get(all, "tokens");
	ck_assert_uint_ge(json_array_size(tokens), 100);
	size_t i, failed = 0, per_verdict[JWT_ERR_CLAIMS + 1] = { 0 };
	json_t *t;
	json_array_foreach(tokens, i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));
		const char *expect = json_string_value(json_object_get(t, "expect"));
		const json_t *key_names = json_object_get(t, "keys"), *token = json_object_get(t, "token");
		struct jwt_key *keys[4] = { 0 };
		size_t n = json_array_size(key_names);
		ck_assert_uint_le(n, 4);
		for (size_t k = 0; k < n; k++)
			keys[k] = key_named(all, json_string_value(json_array_get(key_names, k)));
		const char *aud = json_string_value(json_object_get(t, "aud"));
		char *copy = malloc(json_string_length(token) + 1);
		memcpy(copy, json_string_value(token), json_string_length(token));
		struct jwt_claims c;
		enum jwt_err r = jwt_verify(copy, json_string_length(token), (const struct jwt_key *const *)keys, n, aud,
		                            json_integer_value(json_object_get(t, "now")),
		                            (unsigned)json_integer_value(json_object_get(t, "leeway")), &c);
		free(copy);
		per_verdict[r]++;
		if (strcmp(jwt_err_name(r), expect) != 0) {
			fprintf(stderr, "vector %s: %s, expected %s\n", name, jwt_err_name(r), expect);
			failed++;
		} else if (r == JWT_OK && !claims_match(json_object_get(t, "claims"), &c, name)) {
			failed++;
		} else if (r != JWT_OK && (c.room[0] || c.name[0] || c.sub[0] || c.host || c.admin || c.exp)) {
			fprintf(stderr, "vector %s: claims left filled on %s\n", name, expect);
			failed++;
		}
		for (size_t k = 0; k < n; k++)
			jwt_key_free(keys[k]);
	}
	ck_assert_msg(failed == 0, "%zu of %zu vectors failed", failed, json_array_size(tokens));
	for (int v = JWT_OK; v <= JWT_ERR_CLAIMS; v++)
		ck_assert_msg(per_verdict[v] > 0, "no vector for %s", jwt_err_name(v));
	ck_assert_uint_eq(ERR_peek_error(), 0);   /* no OpenSSL error left for TLS code to find */
	json_decref(all);
}
END_TEST

START_TEST(independent_signatures)
{
	json_t *all = vectors();
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(all, "signatures"), i, s) {
		const char *name = json_string_value(json_object_get(s, "name"));
		struct jwt_key *key = key_named(all, json_string_value(json_object_get(s, "key")));
		const json_t *input = json_object_get(s, "input"), *sig = json_object_get(s, "sig");
		unsigned char raw[512];
		ck_assert_uint_le(json_string_length(sig) * 3 / 4, sizeof raw);
		long n = jwt_b64url_decode(json_string_value(sig), json_string_length(sig), raw);
		ck_assert_int_gt(n, 0);
		bool ok = jwt_sig_ok(key, (const unsigned char *)json_string_value(input), json_string_length(input), raw,
		                     (size_t)n);
		ck_assert_msg(ok == json_is_true(json_object_get(s, "valid")), "%s: %s", name, ok ? "verified" : "refused");
		jwt_key_free(key);
	}
	ck_assert_uint_eq(i, 9);
	json_decref(all);
}
END_TEST

START_TEST(independent_refused_keys)
{
	json_t *all = vectors();
	static const struct { const char *name, *why; } whys[] = {
		{ "hs-31-bytes", NULL },          { "rsa-1024", "1024 bits" },      { "ec-p384", "P-256" },
		{ "ed25519", "ED25519" },         { "rsa-private", "private key" }, { "ec-private", "private key" },
		{ "certificate", "certificate" },  { "garbage", "PUBLIC KEY" },
	};
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(all, "refused_keys"), i, k) {
		const char *name = json_string_value(json_object_get(k, "name"));
		struct jwt_key *key = (struct jwt_key *)1;
		char err[160] = "";
		ck_assert_msg(load_key(k, &key, err, sizeof err) == EINVAL, "%s accepted", name);
		ck_assert_ptr_null(key);
		ck_assert_uint_lt(i, sizeof whys / sizeof whys[0]);
		ck_assert_str_eq(name, whys[i].name);
		if (whys[i].why)
			ck_assert_msg(strcasestr(err, whys[i].why) != NULL, "%s: '%s' lacks '%s'", name, err, whys[i].why);
	}
	ck_assert_uint_eq(i, sizeof whys / sizeof whys[0]);
	ck_assert_uint_eq(ERR_peek_error(), 0);
	json_decref(all);
}
END_TEST

/* RFC 7515 Appendix A.1, written out here too (not only in the vectors): the JWS verifies with its
 * key "k"; as a token it has no "aud", so jwt_verify refuses it for that before the signature. */
static const char a1_input[] = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
                               "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9l"
                               "eGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
static const char a1_sig[] = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
static const char a1_k_hex[] = "0323354b2b0fa5bc837e0665777ba68f5ab328e6f054c928a90f84b2d2502ebf"
                               "d3fb5a92d20647ef968ab4c377623d223d2e2172052e4f08c0cd9af567d080a3";

START_TEST(rfc7515_a1)
{
	uint8_t k[64];
	ck_assert_uint_eq(hex(a1_k_hex, k), 64);
	struct jwt_key *key;
	ck_assert_int_eq(jwt_key_hs256(&key, k, sizeof k), 0);
	unsigned char sig[32];
	ck_assert_int_eq(jwt_b64url_decode(a1_sig, strlen(a1_sig), sig), 32);
	ck_assert(jwt_sig_ok(key, (const unsigned char *)a1_input, strlen(a1_input), sig, 32));
	sig[31] ^= 1;
	ck_assert(!jwt_sig_ok(key, (const unsigned char *)a1_input, strlen(a1_input), sig, 32));
	sig[31] ^= 1;
	ck_assert(!jwt_sig_ok(key, (const unsigned char *)a1_input, strlen(a1_input) - 1, sig, 32));
	ck_assert(!jwt_sig_ok(key, (const unsigned char *)a1_input, strlen(a1_input), sig, 31));

	char token[512];
	snprintf(token, sizeof token, "%s.%s", a1_input, a1_sig);
	const struct jwt_key *keys[] = { key };
	struct jwt_claims c;
	ck_assert_int_eq(verify_n(token, strlen(token), keys, 1, 1300819380 - 60, 30, &c), JWT_ERR_AUDIENCE);
	/* its typ "JWT" and alg "HS256" pass the header checks: an RS-only tenant says algorithm */
	struct jwt_key *other;
	ck_assert_int_eq(jwt_key_hs256(&other, "0123456789abcdef0123456789abcdef", 32), 0);
	const struct jwt_key *other_keys[] = { other };
	ck_assert_int_eq(verify_n(token, strlen(token), other_keys, 1, 0, 30, &c), JWT_ERR_AUDIENCE);
	jwt_key_free(other);
	jwt_key_free(key);
}
END_TEST

START_TEST(b64url_strict)
{
	/* RFC 4648 §10, unpadded */
	static const struct { const char *in, *out; } ok[] = {
		{ "", "" }, { "Zg", "f" }, { "Zm8", "fo" }, { "Zm9v", "foo" }, { "Zm9vYg", "foob" }, { "Zm9vYmE", "fooba" },
		{ "Zm9vYmFy", "foobar" }, { "Zm9w", "fop" }, { "-_-_", "\xfb\xff\xbf" },
	};
	unsigned char out[16];
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		long n = jwt_b64url_decode(ok[i].in, strlen(ok[i].in), out);
		ck_assert_int_eq(n, (long)strlen(ok[i].out));
		ck_assert(memcmp(out, ok[i].out, (size_t)n) == 0);
	}
	static const struct { const char *in; size_t len; } bad[] = {
		{ "Zg==", 4 }, { "Zg=", 3 }, { "Zh", 2 },     /* padding; stray bits ("Zg" is the one spelling of "f") */
		{ "Zm9vYh", 6 }, { "Zm9vYmF", 7 },            /* stray bits after "foob", "fooba" */
		{ "Zm9=", 4 }, { "Z", 1 },
		{ "Zm9vY", 5 }, { "Zm9v+", 5 }, { "Zm9v/", 5 }, { "Zm 9v", 5 }, { "Zm9v\n", 5 }, { "Zm\0v", 4 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(jwt_b64url_decode(bad[i].in, bad[i].len, out) == -1, "'%s' accepted", bad[i].in);
}
END_TEST

START_TEST(key_loading)
{
	struct jwt_key *k = (struct jwt_key *)1;
	char secret[JWT_HS256_SECRET_MIN];
	memset(secret, 's', sizeof secret);
	ck_assert_int_eq(jwt_key_hs256(&k, secret, sizeof secret - 1), EINVAL);
	ck_assert_ptr_null(k);
	ck_assert_int_eq(jwt_key_hs256(&k, NULL, 64), EINVAL);
	ck_assert_int_eq(jwt_key_hs256(&k, secret, sizeof secret), 0);
	ck_assert_str_eq(jwt_key_alg(k), "HS256");
	jwt_key_free(k);
	jwt_key_free(NULL);

	char err[160];
	ck_assert_int_eq(jwt_key_public_pem(&k, "", 0, err, sizeof err), EINVAL);
	ck_assert_ptr_null(k);
	ck_assert_int_eq(jwt_key_public_pem(&k, NULL, 10, NULL, 0), EINVAL);
	const char junk[] = "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n";
	ck_assert_int_eq(jwt_key_public_pem(&k, junk, sizeof junk - 1, err, sizeof err), EINVAL);
	ck_assert(err[0] != '\0');
	ck_assert_int_eq(jwt_key_public_pem(&k, junk, sizeof junk - 1, err, 1), EINVAL);   /* a tiny err is fine */
	ck_assert_str_eq(err, "");
	ck_assert_uint_eq(ERR_peek_error(), 0);

	/* a PEM of the vectors, not NUL-terminated, also with text around it */
	json_t *all = vectors();
	const json_t *pem = json_object_get(json_object_get(json_object_get(all, "keys"), "ec"), "pem");
	size_t n = json_string_length(pem);
	char *copy = malloc(n + 40);
	memcpy(copy, "a comment line\n", 15);
	memcpy(copy + 15, json_string_value(pem), n);
	ck_assert_int_eq(jwt_key_public_pem(&k, copy + 15, n, err, sizeof err), 0);
	ck_assert_str_eq(jwt_key_alg(k), "ES256");
	jwt_key_free(k);
	ck_assert_int_eq(jwt_key_public_pem(&k, copy, n + 15, err, sizeof err), 0);
	jwt_key_free(k);
	free(copy);
	json_decref(all);
}
END_TEST

START_TEST(err_names)
{
	static const char *const names[] = { "ok", "malformed", "algorithm", "audience", "signature", "expired",
	                                     "not-yet-valid", "claims" };
	for (int e = JWT_OK; e <= JWT_ERR_CLAIMS; e++)
		ck_assert_str_eq(jwt_err_name(e), names[e]);
	ck_assert_str_eq(jwt_err_name((enum jwt_err)99), "unknown");
}
END_TEST

/* --- tokens minted here (OpenSSL's HMAC and a base64url written for the test) ---------------- */

static const char secret[] = "portal-secret-for-the-unit-test-only-0123";

static size_t b64u(const void *in, size_t n, char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *s = in;
	size_t o = 0, i = 0;
	for (; i + 2 < n; i += 3) {
		out[o++] = a[s[i] >> 2];
		out[o++] = a[(s[i] & 3) << 4 | s[i + 1] >> 4];
		out[o++] = a[(s[i + 1] & 15) << 2 | s[i + 2] >> 6];
		out[o++] = a[s[i + 2] & 63];
	}
	if (n - i == 1) {
		out[o++] = a[s[i] >> 2];
		out[o++] = a[(s[i] & 3) << 4];
	} else if (n - i == 2) {
		out[o++] = a[s[i] >> 2];
		out[o++] = a[(s[i] & 3) << 4 | s[i + 1] >> 4];
		out[o++] = a[(s[i + 1] & 15) << 2];
	}
	out[o] = '\0';
	return o;
}

/* header.payload.HMAC-SHA256 under `key` (key_len bytes); returns a malloc'd token. */
static char *mint_with(const void *key, size_t key_len, const char *header, const char *payload)
{
	size_t hl = strlen(header), pl = strlen(payload);
	char *t = malloc((hl + pl) * 2 + 64);
	size_t n = b64u(header, hl, t);
	t[n++] = '.';
	n += b64u(payload, pl, t + n);
	unsigned char mac[32];
	size_t mac_len = 0;
	ck_assert(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, key_len, (unsigned char *)t, n, mac, sizeof mac,
	                    &mac_len));
	t[n++] = '.';
	b64u(mac, 32, t + n);
	return t;
}

static char *mint(const char *payload)
{
	return mint_with(secret, sizeof secret - 1, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload);
}

static struct jwt_key *hs_key(void)
{
	struct jwt_key *k;
	ck_assert_int_eq(jwt_key_hs256(&k, secret, sizeof secret - 1), 0);
	return k;
}

START_TEST(exp_nbf_leeway)
{
	struct jwt_key *key = hs_key();
	const struct jwt_key *keys[] = { key };
	struct jwt_claims c;
	char payload[256];
	snprintf(payload, sizeof payload, "{\"aud\":\"%s\",\"exp\":%d,\"nbf\":%d}", AUD, NOW + 600, NOW + 60);
	char *t = mint(payload);
	size_t n = strlen(t);
	for (unsigned leeway = 0; leeway <= 60; leeway += 30) {
		/* valid from nbf - leeway up to, not including, exp + leeway */
		ck_assert_int_eq(verify_n(t, n, keys, 1, NOW + 60 - leeway - 1, leeway, &c), JWT_ERR_NOT_YET_VALID);
		ck_assert_int_eq(verify_n(t, n, keys, 1, NOW + 60 - leeway, leeway, &c), JWT_OK);
		ck_assert_int_eq(c.exp, NOW + 600);
		ck_assert_int_eq(c.nbf, NOW + 60);
		ck_assert_int_eq(verify_n(t, n, keys, 1, NOW + 600 + leeway - 1, leeway, &c), JWT_OK);
		ck_assert_int_eq(verify_n(t, n, keys, 1, NOW + 600 + leeway, leeway, &c), JWT_ERR_EXPIRED);
		ck_assert_int_eq(c.exp, 0);
	}
	free(t);
	/* at the ends of int64: no overflow makes an old token young or a future one valid */
	snprintf(payload, sizeof payload, "{\"aud\":\"%s\",\"exp\":9223372036854775807,\"nbf\":-9223372036854775808}", AUD);
	t = mint(payload);
	ck_assert_int_eq(verify_n(t, strlen(t), keys, 1, INT64_MAX, 30, &c), JWT_OK);
	ck_assert_int_eq(verify_n(t, strlen(t), keys, 1, INT64_MIN, 30, &c), JWT_OK);
	free(t);
	snprintf(payload, sizeof payload, "{\"aud\":\"%s\",\"exp\":-9223372036854775808}", AUD);
	t = mint(payload);
	ck_assert_int_eq(verify_n(t, strlen(t), keys, 1, INT64_MIN + 29, 30, &c), JWT_OK);
	ck_assert_int_eq(verify_n(t, strlen(t), keys, 1, INT64_MIN + 30, 30, &c), JWT_ERR_EXPIRED);
	free(t);
	snprintf(payload, sizeof payload, "{\"aud\":\"%s\",\"exp\":%d,\"iat\":9223372036854775807}", AUD, NOW + 60);
	t = mint(payload);
	ck_assert_int_eq(verify_n(t, strlen(t), keys, 1, NOW, 30, &c), JWT_ERR_NOT_YET_VALID);
	free(t);
	snprintf(payload, sizeof payload, "{\"aud\":\"%s\",\"exp\":9223372036854775807,\"nbf\":9223372036854775807}", AUD);
	t = mint(payload);
	ck_assert_int_eq(verify_n(t, strlen(t), keys, 1, INT64_MAX - 31, 30, &c), JWT_ERR_NOT_YET_VALID);
	ck_assert_int_eq(verify_n(t, strlen(t), keys, 1, INT64_MAX - 30, 30, &c), JWT_OK);
	free(t);
	jwt_key_free(key);
}
END_TEST

START_TEST(every_change_refused)
{
	struct jwt_key *key = hs_key();
	const struct jwt_key *keys[] = { key };
	char payload[256];
	snprintf(payload, sizeof payload, "{\"aud\":\"%s\",\"exp\":%d,\"room\":\"rat\",\"role\":\"guest\"}", AUD, NOW + 60);
	char *t = mint(payload);
	size_t n = strlen(t);
	struct jwt_claims c;
	ck_assert_int_eq(verify_n(t, n, keys, 1, NOW, 30, &c), JWT_OK);
	ck_assert(!c.host);
	static const char repl[] = "AQgw_-.=+/ \x80";
	size_t tried = 0;
	for (size_t i = 0; i < n; i++) {
		char was = t[i];
		for (const char *r = repl; *r; r++) {
			if (*r == was)
				continue;
			t[i] = *r;
			ck_assert_msg(verify_n(t, n, keys, 1, NOW, 30, &c) != JWT_OK, "accepted with '%c' at %zu", *r, i);
			tried++;
		}
		t[i] = (char)(was ^ 1);
		ck_assert_msg(verify_n(t, n, keys, 1, NOW, 30, &c) != JWT_OK, "accepted with bit 0 flipped at %zu", i);
		t[i] = was;
	}
	for (size_t len = 0; len < n; len++)
		ck_assert_msg(verify_n(t, len, keys, 1, NOW, 30, &c) != JWT_OK, "accepted cut to %zu", len);
	ck_assert_uint_gt(tried, n * 8);
	ck_assert_int_eq(verify_n(t, n, keys, 1, NOW, 30, &c), JWT_OK);
	ck_assert_uint_eq(ERR_peek_error(), 0);
	free(t);
	jwt_key_free(key);
}
END_TEST

START_TEST(length_limit)
{
	struct jwt_key *key = hs_key();
	const struct jwt_key *keys[] = { key };
	struct jwt_claims c;
	/* a validly signed token of 1 MiB: refused for its length alone */
	size_t pad = 1 << 20;
	char *payload = malloc(pad + 128);
	int n = snprintf(payload, 128, "{\"aud\":\"%s\",\"exp\":%d,\"pad\":\"", AUD, NOW + 60);
	memset(payload + n, 'p', pad);
	strcpy(payload + n + pad, "\"}");
	char *t = mint(payload);
	ck_assert_int_eq(jwt_verify(t, strlen(t), keys, 1, AUD, NOW, 30, &c), JWT_ERR_MALFORMED);
	ck_assert_int_eq(jwt_verify(t, JWT_MAX_LEN + 1, keys, 1, AUD, NOW, 30, &c), JWT_ERR_MALFORMED);
	free(t);
	free(payload);
	ck_assert_int_eq(jwt_verify(NULL, 10, keys, 1, AUD, NOW, 30, &c), JWT_ERR_MALFORMED);
	ck_assert_int_eq(jwt_verify("a.b.c", 0, keys, 1, AUD, NOW, 30, &c), JWT_ERR_MALFORMED);
	jwt_key_free(key);
}
END_TEST

/* The classic RS256→HS256 confusion: the token is a genuine HMAC under the public key's PEM text,
 * as would verify if that text were used as a secret; the RS256 tenant refuses its algorithm. */
START_TEST(key_confusion)
{
	json_t *all = vectors();
	const json_t *pem = json_object_get(json_object_get(json_object_get(all, "keys"), "rsa"), "pem");
	char payload[256];
	snprintf(payload, sizeof payload, "{\"aud\":\"%s\",\"exp\":%d,\"role\":\"host\",\"room\":\"*\"}", AUD, NOW + 60);
	char *t = mint_with(json_string_value(pem), json_string_length(pem), "{\"alg\":\"HS256\"}", payload);
	struct jwt_key *rsa, *as_secret;
	char err[160];
	ck_assert_int_eq(jwt_key_public_pem(&rsa, json_string_value(pem), json_string_length(pem), err, sizeof err), 0);
	ck_assert_int_eq(jwt_key_hs256(&as_secret, json_string_value(pem), json_string_length(pem)), 0);
	struct jwt_claims c;
	const struct jwt_key *rs_only[] = { rsa }, *naive[] = { as_secret };
	ck_assert_int_eq(verify_n(t, strlen(t), rs_only, 1, NOW, 30, &c), JWT_ERR_ALGORITHM);
	ck_assert_int_eq(verify_n(t, strlen(t), naive, 1, NOW, 30, &c), JWT_OK);   /* the token is no dud */
	ck_assert(c.host && c.any_room);
	/* a tenant with both: the HS256 key verifies HS256 tokens, the PEM text is still no secret of it */
	struct jwt_key *hs = hs_key();
	const struct jwt_key *both[] = { rsa, hs };
	ck_assert_int_eq(verify_n(t, strlen(t), both, 2, NOW, 30, &c), JWT_ERR_SIGNATURE);
	const struct jwt_key *with_null[] = { NULL, rsa };
	ck_assert_int_eq(verify_n(t, strlen(t), with_null, 2, NOW, 30, &c), JWT_ERR_ALGORITHM);
	ck_assert_int_eq(jwt_verify(t, strlen(t), NULL, 3, AUD, NOW, 30, &c), JWT_ERR_ALGORITHM);
	jwt_key_free(hs);
	jwt_key_free(rsa);
	jwt_key_free(as_secret);
	free(t);
	json_decref(all);
}
END_TEST

START_TEST(audience_argument)
{
	struct jwt_key *key = hs_key();
	const struct jwt_key *keys[] = { key };
	char payload[256];
	snprintf(payload, sizeof payload, "{\"aud\":[\"\",\"%s\"],\"exp\":%d}", AUD, NOW + 60);
	char *t = mint(payload);
	struct jwt_claims c;
	ck_assert_int_eq(jwt_verify(t, strlen(t), keys, 1, AUD, NOW, 30, &c), JWT_OK);
	ck_assert_int_eq(jwt_verify(t, strlen(t), keys, 1, "", NOW, 30, &c), JWT_ERR_AUDIENCE);   /* "" matches nothing */
	ck_assert_int_eq(jwt_verify(t, strlen(t), keys, 1, NULL, NOW, 30, &c), JWT_ERR_AUDIENCE);
	ck_assert_int_eq(jwt_verify(t, strlen(t), keys, 1, AUD, NOW, 30, NULL), JWT_OK);
	free(t);
	/* an "aud" with a NUL inside never equals the C string before it */
	snprintf(payload, sizeof payload, "{\"aud\":\"%s\\u0000x\",\"exp\":%d}", AUD, NOW + 60);
	t = mint(payload);
	ck_assert_int_ne(jwt_verify(t, strlen(t), keys, 1, AUD, NOW, 30, &c), JWT_OK);
	free(t);
	jwt_key_free(key);
}
END_TEST

/* --- minting (jwt_sign_hs256) ------------------------------------------------------------------- */

START_TEST(sign_matches_independent_mint)
{
	struct jwt_key *key = hs_key();
	char payload[256], out[1024];
	snprintf(payload, sizeof payload, "{\"aud\":\"%s\",\"exp\":%d,\"room\":\"rat\",\"use\":\"whip\"}", AUD, NOW + 60);
	char *want = mint(payload);
	ck_assert_int_eq(jwt_sign_hs256(key, payload, strlen(payload), out, sizeof out), 0);
	ck_assert_str_eq(out, want);
	const struct jwt_key *keys[] = { key };
	struct jwt_claims c;
	ck_assert_int_eq(verify_n(out, strlen(out), keys, 1, NOW, 0, &c), JWT_OK);
	ck_assert_str_eq(c.use, "whip");
	ck_assert_str_eq(c.room, "rat");
	/* exactly the room it needs, and one byte less */
	size_t need = strlen(want) + 1;
	ck_assert_int_eq(jwt_sign_hs256(key, payload, strlen(payload), out, need), 0);
	ck_assert_int_eq(jwt_sign_hs256(key, payload, strlen(payload), out, need - 1), ENOSPC);
	free(want);
	jwt_key_free(key);
}
END_TEST

START_TEST(sign_refuses)
{
	struct jwt_key *key = hs_key();
	char out[JWT_MAX_LEN + 1];
	ck_assert_int_eq(jwt_sign_hs256(NULL, "{}", 2, out, sizeof out), EINVAL);
	ck_assert_int_eq(jwt_sign_hs256(key, "", 0, out, sizeof out), EINVAL);
	/* a payload whose token would be longer than any token jwt_verify reads */
	char *big = malloc(JWT_MAX_LEN);
	memset(big, 'a', JWT_MAX_LEN);
	ck_assert_int_eq(jwt_sign_hs256(key, big, JWT_MAX_LEN * 3 / 4, out, sizeof out), EINVAL);
	free(big);
	/* a public key signs nothing */
	json_t *all = vectors();
	struct jwt_key *rsa = key_named(all, "rsa");
	ck_assert_int_eq(jwt_sign_hs256(rsa, "{}", 2, out, sizeof out), EINVAL);
	jwt_key_free(rsa);
	json_decref(all);
	jwt_key_free(key);
}
END_TEST

START_TEST(b64url_round_trip)
{
	unsigned char in[40], back[40];
	char text[64];
	for (size_t i = 0; i < sizeof in; i++)
		in[i] = (unsigned char)(i * 37 + 200);
	for (size_t n = 0; n <= sizeof in; n++) {
		size_t len = jwt_b64url_encode(in, n, text);
		ck_assert_uint_eq(len, (n * 4 + 2) / 3);
		ck_assert_uint_eq(strlen(text), len);
		ck_assert_int_eq(jwt_b64url_decode(text, len, back), (long)n);
		ck_assert(memcmp(in, back, n) == 0);
	}
}
END_TEST

START_TEST(use_claim)
{
	struct jwt_key *key = hs_key();
	const struct jwt_key *keys[] = { key };
	struct jwt_claims c;
	char payload[256];
	static const char *const bad[] = { "12", "\"\"", "\"whip-whep-whip-whep\"", "\"wh\\nip\"", "true" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(payload, sizeof payload, "{\"aud\":\"%s\",\"exp\":%d,\"use\":%s}", AUD, NOW + 60, bad[i]);
		char *t = mint(payload);
		ck_assert_msg(verify_n(t, strlen(t), keys, 1, NOW, 0, &c) == JWT_ERR_CLAIMS, "use %s", bad[i]);
		free(t);
	}
	snprintf(payload, sizeof payload, "{\"aud\":\"%s\",\"exp\":%d}", AUD, NOW + 60);
	char *t = mint(payload);
	ck_assert_int_eq(verify_n(t, strlen(t), keys, 1, NOW, 0, &c), JWT_OK);
	ck_assert_str_eq(c.use, "");
	free(t);
	jwt_key_free(key);
}
END_TEST

static Suite *jwt_suite(void)
{
	Suite *s = suite_create("jwt");
	TCase *tv = tcase_create("vectors");
	tcase_add_test(tv, independent_tokens);
	tcase_add_test(tv, independent_signatures);
	tcase_add_test(tv, independent_refused_keys);
	tcase_add_test(tv, rfc7515_a1);
	tcase_set_timeout(tv, 30);
	suite_add_tcase(s, tv);
	TCase *tu = tcase_create("units");
	tcase_add_test(tu, b64url_strict);
	tcase_add_test(tu, key_loading);
	tcase_add_test(tu, err_names);
	suite_add_tcase(s, tu);
	TCase *tt = tcase_create("tokens");
	tcase_add_test(tt, exp_nbf_leeway);
	tcase_add_test(tt, every_change_refused);
	tcase_add_test(tt, length_limit);
	tcase_add_test(tt, key_confusion);
	tcase_add_test(tt, audience_argument);
	tcase_add_test(tt, sign_matches_independent_mint);
	tcase_add_test(tt, sign_refuses);
	tcase_add_test(tt, b64url_round_trip);
	tcase_add_test(tt, use_claim);
	tcase_set_timeout(tt, 30);
	suite_add_tcase(s, tt);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(jwt_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
