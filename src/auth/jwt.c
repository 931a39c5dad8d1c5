/* jwt: the checks of a JWS compact token (RFC 7515 §5.2, RFC 7519 §7.2), strictly and in a fixed
 * order so that each refusal has one name: structure, header, payload, audience, signature, time,
 * claims. The audience comes before the signature on purpose: a tenant holds only its own keys, so a
 * token minted by another town would otherwise read as forged. Nothing of the token is trusted
 * before its signature verifies except to choose the key and the verdict. Header parameters that
 * point at keys ("kid", "jku", "jwk", "x5u", "x5c") are ignored: the keys are the tenant's, from
 * plenum's configuration, and nothing is ever fetched. */
#include "auth/jwt_int.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "base/utf8.h"

const char *jwt_err_name(enum jwt_err e)
{
	switch (e) {
	case JWT_OK: return "ok";
	case JWT_ERR_MALFORMED: return "malformed";
	case JWT_ERR_ALGORITHM: return "algorithm";
	case JWT_ERR_AUDIENCE: return "audience";
	case JWT_ERR_SIGNATURE: return "signature";
	case JWT_ERR_EXPIRED: return "expired";
	case JWT_ERR_NOT_YET_VALID: return "not-yet-valid";
	case JWT_ERR_CLAIMS: return "claims";
	}
	return "unknown";
}

/* A JSON object from decoded base64url, names unique (RFC 7515 §5.2 step 4, RFC 7519 §7.2 step 10). */
static json_t *object_of(const unsigned char *s, long n)
{
	if (n <= 0)
		return NULL;
	json_error_t jerr;
	json_t *v = json_loadb((const char *)s, (size_t)n, JSON_REJECT_DUPLICATES, &jerr);
	if (v && !json_is_object(v)) {
		json_decref(v);
		v = NULL;
	}
	return v;
}

/* RFC 7515 §4.1.9: a media type, compared case-insensitively, "application/" left off or not. */
static bool typ_ok(const json_t *typ)
{
	if (!typ)
		return true;
	if (!json_is_string(typ))
		return false;
	const char *t = json_string_value(typ);
	size_t n = json_string_length(typ);
	return (n == 3 && strcasecmp(t, "JWT") == 0) || (n == 15 && strcasecmp(t, "application/jwt") == 0);
}

static bool same(const json_t *s, const char *want, size_t want_len)
{
	return json_is_string(s) && json_string_length(s) == want_len && memcmp(json_string_value(s), want, want_len) == 0;
}

/* RFC 7519 §4.1.3: one string, or an array of strings of which one is ours. Anything else (a
 * number, an empty array, an array holding a non-string) names no audience. */
static bool audience_ok(const json_t *aud, const char *audience)
{
	if (!audience || !*audience || !aud)
		return false;
	size_t want = strlen(audience);
	if (json_is_string(aud))
		return same(aud, audience, want);
	if (!json_is_array(aud))
		return false;
	bool found = false;
	size_t i;
	json_t *v;
	json_array_foreach(aud, i, v) {
		if (!json_is_string(v))
			return false;
		found = found || same(v, audience, want);
	}
	return found;
}

/* exp, nbf, iat (RFC 7519 §4.1.4–6), integers only; leeway_s of skew either way, without overflow. */
static enum jwt_err times(const json_t *pay, int64_t now, int64_t leeway, int64_t *exp_out, int64_t *nbf_out)
{
	const json_t *exp = json_object_get(pay, "exp"), *nbf = json_object_get(pay, "nbf"),
	             *iat = json_object_get(pay, "iat");
	if (!exp)
		return JWT_ERR_EXPIRED;
	if (!json_is_integer(exp) || (nbf && !json_is_integer(nbf)) || (iat && !json_is_integer(iat)))
		return JWT_ERR_CLAIMS;
	int64_t e = json_integer_value(exp);
	if (e <= INT64_MAX - leeway && now >= e + leeway)
		return JWT_ERR_EXPIRED;
	int64_t b = nbf ? json_integer_value(nbf) : 0;
	if (nbf && b >= INT64_MIN + leeway && now < b - leeway)
		return JWT_ERR_NOT_YET_VALID;
	if (iat && now <= INT64_MAX - leeway && json_integer_value(iat) > now + leeway)
		return JWT_ERR_NOT_YET_VALID;
	*exp_out = e;
	*nbf_out = b;
	return JWT_OK;
}

/* An optional string claim into dst: at most max bytes of UTF-8 without control characters (so
 * without NUL); when empty_ok is false a present claim must not be "". */
static bool text(const json_t *v, char *dst, size_t max, bool empty_ok)
{
	if (!v)
		return true;
	if (!json_is_string(v))
		return false;
	const unsigned char *s = (const unsigned char *)json_string_value(v);
	size_t n = json_string_length(v);
	if (n > max || (n == 0 && !empty_ok))
		return false;
	uint32_t cp;
	for (size_t i = 0, l; i < n; i += l)
		if (!(l = utf8_next(s + i, n - i, &cp)) || utf8_is_control(cp))
			return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

static enum jwt_err claims(const json_t *pay, struct jwt_claims *out)
{
	if (!text(json_object_get(pay, "room"), out->room, JWT_ROOM_MAX, false) ||
	    !text(json_object_get(pay, "name"), out->name, JWT_NAME_MAX, true) ||
	    !text(json_object_get(pay, "sub"), out->sub, JWT_SUB_MAX, true) ||
	    !text(json_object_get(pay, "use"), out->use, JWT_USE_MAX, false))
		return JWT_ERR_CLAIMS;
	out->any_room = strcmp(out->room, "*") == 0;
	const json_t *role = json_object_get(pay, "role"), *admin = json_object_get(pay, "admin");
	if (role && !same(role, "host", 4) && !same(role, "guest", 5))
		return JWT_ERR_CLAIMS;
	out->host = role && same(role, "host", 4);
	if (admin && !json_is_boolean(admin))
		return JWT_ERR_CLAIMS;
	out->admin = admin && json_is_true(admin);
	return JWT_OK;
}

/* The header: "crit" names extensions we do not implement (RFC 7515 §4.1.11), so it is refused
 * whatever it holds; "alg" must name the algorithm of one of our keys. */
static enum jwt_err header(const json_t *hdr, const struct jwt_key *const *keys, size_t n_keys, enum jwt_alg *alg)
{
	const json_t *a = json_object_get(hdr, "alg");
	if (!json_is_string(a) || json_object_get(hdr, "crit"))
		return JWT_ERR_ALGORITHM;
	*alg = jwt_alg_parse(json_string_value(a), json_string_length(a));
	bool have = false;
	for (size_t i = 0; *alg && i < n_keys && !have; i++)
		have = keys[i] && keys[i]->alg == *alg;
	if (!have)
		return JWT_ERR_ALGORITHM;
	if (!typ_ok(json_object_get(hdr, "typ")))
		return JWT_ERR_MALFORMED;
	return JWT_OK;
}

static enum jwt_err verify(const char *token, size_t len, const struct jwt_key *const *keys, size_t n_keys,
                           const char *audience, int64_t now_s, unsigned leeway_s, struct jwt_claims *out,
                           unsigned char *buf)
{
	if (!token || len == 0 || len > JWT_MAX_LEN)
		return JWT_ERR_MALFORMED;
	if (!keys)
		n_keys = 0;
	const char *end = token + len;
	const char *d1 = memchr(token, '.', len);
	const char *d2 = d1 ? memchr(d1 + 1, '.', (size_t)(end - d1 - 1)) : NULL;
	if (!d2 || memchr(d2 + 1, '.', (size_t)(end - d2 - 1)))
		return JWT_ERR_MALFORMED;
	size_t hl = (size_t)(d1 - token), pl = (size_t)(d2 - d1 - 1), sl = (size_t)(end - d2 - 1);
	unsigned char *h = buf, *p = h + hl * 3 / 4, *s = p + pl * 3 / 4;
	long hn = jwt_b64url_decode(token, hl, h), pn = jwt_b64url_decode(d1 + 1, pl, p),
	     sn = jwt_b64url_decode(d2 + 1, sl, s);
	if (hn < 0 || pn < 0 || sn < 0)
		return JWT_ERR_MALFORMED;

	json_t *hdr = object_of(h, hn);
	if (!hdr)
		return JWT_ERR_MALFORMED;
	enum jwt_alg alg = 0;
	enum jwt_err r = header(hdr, keys, n_keys, &alg);
	json_decref(hdr);
	if (r != JWT_OK)
		return r;

	json_t *pay = object_of(p, pn);
	if (!pay)
		return JWT_ERR_MALFORMED;
	if (!audience_ok(json_object_get(pay, "aud"), audience)) {
		r = JWT_ERR_AUDIENCE;
		goto done;
	}
	bool signed_ok = false;
	for (size_t i = 0; i < n_keys && !signed_ok; i++)
		signed_ok = keys[i] && keys[i]->alg == alg &&
		            jwt_sig_ok(keys[i], (const unsigned char *)token, (size_t)(d2 - token), s, (size_t)sn);
	if (!signed_ok) {
		r = JWT_ERR_SIGNATURE;
		goto done;
	}
	if ((r = times(pay, now_s, leeway_s, &out->exp, &out->nbf)) == JWT_OK)
		r = claims(pay, out);
done:
	json_decref(pay);
	return r;
}

enum jwt_err jwt_verify(const char *token, size_t len, const struct jwt_key *const *keys, size_t n_keys,
                        const char *audience, int64_t now_s, unsigned leeway_s, struct jwt_claims *out)
{
	struct jwt_claims scratch;
	if (!out)
		out = &scratch;
	memset(out, 0, sizeof *out);
	/* the decoded parts: each at most 3/4 of its text, together less than the token */
	unsigned char buf[JWT_MAX_LEN];
	enum jwt_err r = verify(token, len, keys, n_keys, audience, now_s, leeway_s, out, buf);
	if (r != JWT_OK)
		memset(out, 0, sizeof *out);
	return r;
}
