/* b64url: the strict base64url of JWS (RFC 7515 §2: RFC 4648 §5 with the padding left off). A
 * lenient decoder lets one signature have several spellings (stray low bits, '=' tails), so this
 * one accepts exactly the canonical encoding. */
#include "auth/jwt_int.h"

static int sextet(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

long jwt_b64url_decode(const char *in, size_t len, unsigned char *out)
{
	if (len % 4 == 1)
		return -1;
	size_t n = 0;
	unsigned acc = 0, bits = 0;
	for (size_t i = 0; i < len; i++) {
		int v = sextet((unsigned char)in[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6 | (unsigned)v) & 0xFFFu;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	/* 2 or 4 bits left over: they must be zero */
	if (bits && (acc & ((1u << bits) - 1)))
		return -1;
	return (long)n;
}

size_t jwt_b64url_encode(const unsigned char *in, size_t len, char *out)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t n = 0;
	unsigned acc = 0, bits = 0;
	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8 | in[i]) & 0xFFFFu;
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[n++] = abc[(acc >> bits) & 63u];
		}
	}
	if (bits)
		out[n++] = abc[(acc << (6 - bits)) & 63u];
	out[n] = '\0';
	return n;
}
