/* turn: what plenum tells browsers about TURN servers — `turn:`/`turns:` URIs (RFC 7065) and the
 * time-limited credentials of coturn's use-auth-secret (draft-uberti-behave-turn-rest-00 §2.2). */
#ifndef PLENUM_TURN_TURN_H
#define PLENUM_TURN_TURN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TURN_URI_MAX 255             /* characters of one URI */
#define TURN_SECRET_MAX 256          /* bytes of the shared secret (coturn's static-auth-secret) */
#define TURN_ID_MAX 64               /* characters of the id after the expiry in a username */
#define TURN_USERNAME_MAX (20 + 1 + TURN_ID_MAX)
#define TURN_PASSWORD_LEN 28         /* base64 of an HMAC-SHA1 (20 bytes) */

enum turn_transport { TURN_TRANSPORT_ANY = 0, TURN_TRANSPORT_UDP, TURN_TRANSPORT_TCP };

/* A parsed URI: `turn:` or `turns:` host [":" port] ["?transport=" udp|tcp]. */
struct turn_uri {
	bool secure;                     /* turns: (TURN over TLS) */
	char host[254];                  /* a DNS name, an IPv4 address, or an IPv6 address (no brackets) */
	uint16_t port;                   /* 0: not given (3478, or 5349 for turns:) */
	enum turn_transport transport;
};

/* Parses and checks a TURN URI; 0, or EINVAL with a short English reason in *why (never NULL on
 * failure; a static string). Nothing but the RFC 7065 form is accepted: no user info, path,
 * other query keys, whitespace or control characters. */
int turn_uri_parse(const char *text, struct turn_uri *out, const char **why);

/* A credential for coturn's use-auth-secret: username "<expiry>:<id>", password
 * base64(HMAC-SHA1(secret, username)). NUL-terminated. */
struct turn_cred {
	char username[TURN_USERNAME_MAX + 1];
	char password[TURN_PASSWORD_LEN + 1];
};

/* Makes the credential valid until `expiry` (seconds since the epoch) for the opaque `id`
 * (1..TURN_ID_MAX characters, printable ASCII without ':'). 0, or EINVAL for an empty secret or a
 * bad id, EIO when OpenSSL fails. */
int turn_cred_make(const void *secret, size_t secret_len, uint64_t expiry, const char *id, struct turn_cred *out);

#endif
