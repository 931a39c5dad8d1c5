/* jwt: verifying the JSON Web Tokens (RFC 7519) that a town's portal mints for its people — the
 * staff open official meetings as hosts, citizens join as guests. Only the JWS compact form
 * (RFC 7515 §7.1) signed with HS256, RS256 or ES256 (RFC 7518 §3) is accepted, and only with a key
 * the tenant configured: the token's "alg" picks among those keys, never the other way round, so a
 * public RSA key is never taken for an HMAC secret and "none" is never a choice.
 *
 * Nothing here logs: a token is a bearer credential, its contents (and its subject) stay out of logs;
 * callers log jwt_err_name() of the verdict. */
#ifndef PLENUM_AUTH_JWT_H
#define PLENUM_AUTH_JWT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JWT_MAX_LEN 8192             /* bytes of a whole token */
#define JWT_HS256_SECRET_MIN 32      /* bytes: the hash size, RFC 7518 §3.2 */
#define JWT_RSA_BITS_MIN 2048        /* RFC 7518 §3.3 */
#define JWT_RSA_BITS_MAX 8192        /* larger keys only make verification slow */
#define JWT_ROOM_MAX 64              /* bytes of the room claim */
#define JWT_NAME_MAX 64              /* bytes of the name claim (UTF-8) */
#define JWT_SUB_MAX 64               /* bytes of the sub claim */
#define JWT_USE_MAX 16               /* bytes of the use claim (plenum's own stream tokens) */

/* The verdicts, in the order jwt_verify checks for them. */
enum jwt_err {
	JWT_OK = 0,
	JWT_ERR_MALFORMED,      /* empty or longer than JWT_MAX_LEN; not three base64url parts (no padding, no
	                         * other characters, no stray bits); header or payload not a JSON object
	                         * (duplicate names refused); "typ" present but not "JWT" */
	JWT_ERR_ALGORITHM,      /* "alg" missing, not a string, "none", or not the algorithm of any key given;
	                         * a "crit" header present (no extension is understood) */
	JWT_ERR_AUDIENCE,       /* "aud" (a string, or an array of strings) does not name the expected audience;
	                         * checked before the signature, so that a token of another town says so */
	JWT_ERR_SIGNATURE,      /* the signature verifies with no key of that algorithm */
	JWT_ERR_EXPIRED,        /* "exp" missing (it is required), or now >= exp + leeway */
	JWT_ERR_NOT_YET_VALID,  /* now < nbf - leeway, or iat > now + leeway */
	JWT_ERR_CLAIMS,         /* a claim of the wrong type or value: exp/nbf/iat not integers; room, name or
	                         * sub not strings, too long, not UTF-8 or with control characters; use not a
	                         * string of at most JWT_USE_MAX bytes; role not "host" or "guest"; admin not a
	                         * boolean */
};

/* "ok", "malformed", "algorithm", "audience", "signature", "expired", "not-yet-valid", "claims". */
const char *jwt_err_name(enum jwt_err e);

/* One verification key of a tenant; several may be given (key rotation, or HS and RS side by side).
 * A key does not change once made, so threads may verify with the same keys at once. */
struct jwt_key;

/* An HS256 key: a shared secret of at least JWT_HS256_SECRET_MIN bytes (copied). 0, EINVAL for a
 * shorter secret, ENOMEM. */
int jwt_key_hs256(struct jwt_key **out, const void *secret, size_t len);

/* A public key in PEM ("-----BEGIN PUBLIC KEY-----", SubjectPublicKeyInfo; PKCS#1 "RSA PUBLIC KEY"
 * too): RSA of JWT_RSA_BITS_MIN..JWT_RSA_BITS_MAX bits verifies RS256, EC on P-256 verifies ES256.
 * 0, or EINVAL with a short English reason in err (when err_cap > 0) for anything else: other
 * curves, other key types, private keys, certificates. pem need not be NUL-terminated. */
int jwt_key_public_pem(struct jwt_key **out, const char *pem, size_t len, char *err, size_t err_cap);

/* Frees the key, wiping a secret. NULL is fine. */
void jwt_key_free(struct jwt_key *k);

/* "HS256", "RS256" or "ES256": what tokens for this key must name in "alg". */
const char *jwt_key_alg(const struct jwt_key *k);

/* What a verified token says. Strings are NUL-terminated and free of control characters. */
struct jwt_claims {
	char room[JWT_ROOM_MAX + 1];   /* as in the token (the caller normalises); "" when absent */
	bool any_room;                 /* the room claim is "*" (room then holds "*") */
	char name[JWT_NAME_MAX + 1];   /* display name, "" when absent */
	bool host;                     /* role "host"; a missing role is "guest" */
	bool admin;                    /* "admin": true — may read the town's usage statistics */
	int64_t exp, nbf;              /* seconds since the epoch; nbf 0 when absent */
	char sub[JWT_SUB_MAX + 1];     /* the subject, "" when absent; plenum never logs it */
	char use[JWT_USE_MAX + 1];     /* what a token plenum minted itself is for ("whip", …); "" when absent */
};

/* Verifies token (len bytes, NUL-termination not needed) against the n_keys keys of one tenant and
 * its audience, at unix time now_s with leeway_s seconds of clock skew allowed (plenum uses 30).
 * Checks, in this order: length and structure → header (alg, typ, crit) → payload JSON → aud →
 * signature → exp, nbf, iat → the other claims. On JWT_OK fills *out; otherwise *out is zeroed.
 * HMACs are compared in constant time. */
enum jwt_err jwt_verify(const char *token, size_t len, const struct jwt_key *const *keys, size_t n_keys,
                        const char *audience, int64_t now_s, unsigned leeway_s, struct jwt_claims *out);

/* Mints an HS256 token in JWS compact form (RFC 7515 §7.1) with the header {"alg":"HS256","typ":"JWT"}
 * over `payload` (the text of a JSON object, len bytes, used as given) with an HS256 key: plenum's
 * own tokens (stream links), never a portal's. out gets the token NUL-terminated. 0, EINVAL (not an
 * HS256 key, an empty payload, one too long for JWT_MAX_LEN), ENOSPC (cap too small). */
int jwt_sign_hs256(const struct jwt_key *k, const char *payload, size_t len, char *out, size_t cap);

#endif
