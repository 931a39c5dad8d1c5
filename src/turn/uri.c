/* uri: the TURN server addresses plenum hands to browsers, checked before they leave — scheme,
 * host, port and transport (RFC 7065 §3, host as in RFC 3986 §3.2.2). */
#include "turn/turn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

static int fail(const char **why, const char *reason)
{
	*why = reason;
	return EINVAL;
}

/* A DNS name: labels of 1..63 letters, digits and '-', not starting or ending with '-'. */
static bool dns_name_ok(const char *s, size_t n)
{
	size_t label = 0;
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
		if (!alnum && !(ch == '-' && label > 0))
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && s[n - 1] != '-';
}

static bool all_digits_and_dots(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '.' || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

static int parse_port(const char *s, size_t n, uint16_t *out)
{
	unsigned v = 0;
	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* host [":" port] of length n into out. */
static int parse_authority(const char *s, size_t n, struct turn_uri *out, const char **why)
{
	const char *port = NULL;
	size_t host_len;
	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close)
			return fail(why, "an IPv6 address needs its closing ']'");
		host_len = (size_t)(close - s - 1);
		if (host_len == 0 || host_len >= sizeof out->host)
			return fail(why, "the IPv6 address is empty or too long");
		memcpy(out->host, s + 1, host_len);
		out->host[host_len] = '\0';
		struct in6_addr a6;
		if (inet_pton(AF_INET6, out->host, &a6) != 1)
			return fail(why, "not an IPv6 address between '[' and ']'");
		size_t rest = n - (size_t)(close + 1 - s);
		if (rest) {
			if (close[1] != ':')
				return fail(why, "only ':PORT' may follow ']'");
			port = close + 2;
		}
	} else {
		const char *colon = memchr(s, ':', n);
		host_len = colon ? (size_t)(colon - s) : n;
		if (colon && memchr(colon + 1, ':', n - host_len - 1))
			return fail(why, "an IPv6 address goes in brackets: turn:[2001:db8::1]:3478");
		if (!dns_name_ok(s, host_len))
			return fail(why, "the host must be a DNS name or an IP address");
		memcpy(out->host, s, host_len);
		out->host[host_len] = '\0';
		struct in_addr a4;
		if (all_digits_and_dots(out->host, host_len) && inet_pton(AF_INET, out->host, &a4) != 1)
			return fail(why, "not an IPv4 address");
		if (colon)
			port = colon + 1;
	}
	if (port && parse_port(port, n - (size_t)(port - s), &out->port) != 0)
		return fail(why, "the port must be 1..65535");
	return 0;
}

int turn_uri_parse(const char *text, struct turn_uri *out, const char **why)
{
	memset(out, 0, sizeof *out);
	*why = NULL;
	if (!text)
		return fail(why, "no URI");
	size_t n = strlen(text);
	if (n > TURN_URI_MAX)
		return fail(why, "longer than 255 characters");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)text[i] <= 0x20 || (unsigned char)text[i] >= 0x7f || strchr("\"'<>\\`{}|^%@/#", text[i]))
			return fail(why, "a character that has no place in a TURN URI");
	const char *p;
	if (strncmp(text, "turns:", 6) == 0) {
		out->secure = true;
		p = text + 6;
	} else if (strncmp(text, "turn:", 5) == 0) {
		p = text + 5;
	} else {
		return fail(why, "the scheme must be turn: or turns:");
	}
	const char *q = strchr(p, '?');
	size_t auth_len = q ? (size_t)(q - p) : strlen(p);
	if (auth_len == 0)
		return fail(why, "no host");
	int err = parse_authority(p, auth_len, out, why);
	if (err)
		return err;
	if (q) {
		if (strcmp(q, "?transport=udp") == 0)
			out->transport = TURN_TRANSPORT_UDP;
		else if (strcmp(q, "?transport=tcp") == 0)
			out->transport = TURN_TRANSPORT_TCP;
		else
			return fail(why, "the only query is ?transport=udp or ?transport=tcp");
	}
	if (out->secure && out->transport == TURN_TRANSPORT_UDP)
		return fail(why, "turns: is TLS over TCP; browsers have no transport=udp for it");
	return 0;
}
