/* addr: client addresses as text — CIDR ranges (--metrics-allow, --per-ip-exempt, --trusted-proxy)
 * and the client named by X-Forwarded-For behind trusted proxies (de-facto standard; RFC 7239 §5.2 forms). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "signal/signal.h"

#define FWD_ELEMENT_MAX 64      /* "[v6]:port" is at most 47 characters; anything longer is garbage */

static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int signal_cidr_parse(const char *text, struct signal_cidr *out)
{
	char addr[64];
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);
	if (n == 0 || n >= sizeof addr)
		return -1;
	memcpy(addr, text, n);
	addr[n] = '\0';
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, addr, out->addr) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, out->addr) == 1)
		out->family = AF_INET6;
	else
		return -1;
	unsigned max = out->family == AF_INET ? 32 : 128;
	out->prefix = max;
	if (slash) {
		char *end;
		errno = 0;
		long p = strtol(slash + 1, &end, 10);
		if (errno || slash[1] == '\0' || *end != '\0' || p < 0 || p > (long)max)
			return -1;
		out->prefix = (unsigned)p;
	}
	return 0;
}

bool signal_cidr_contains(const struct signal_cidr *c, int family, const uint8_t *addr)
{
	if (family == AF_INET6 && c->family == AF_INET && memcmp(addr, v4_mapped, 12) == 0) {
		family = AF_INET;
		addr += 12;
	}
	if (family != c->family)
		return false;
	unsigned full = c->prefix / 8, bits = c->prefix % 8;
	if (memcmp(addr, c->addr, full) != 0)
		return false;
	if (!bits)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - bits));
	return (addr[full] & mask) == (c->addr[full] & mask);
}

bool signal_cidr_list_contains(const struct signal_cidr *list, size_t n, int family, const uint8_t *addr)
{
	for (size_t i = 0; i < n; i++)
		if (signal_cidr_contains(&list[i], family, addr))
			return true;
	return false;
}

static bool ows(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* ":PORT" with 1..65535 and nothing after it. */
static bool port_ok(const char *p, size_t n)
{
	if (n < 2 || n > 6 || p[0] != ':')
		return false;
	unsigned long v = 0;
	for (size_t i = 1; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

/* One element of the list, OWS already trimmed: "192.0.2.1", "192.0.2.1:443", "2001:db8::1",
 * "[2001:db8::1]" or "[2001:db8::1]:443". IPv4-mapped IPv6 comes out as IPv4. 0 or -1. */
static int element_parse(const char *p, size_t n, int *family, uint8_t addr[16])
{
	char text[FWD_ELEMENT_MAX + 1];
	if (n == 0 || n > FWD_ELEMENT_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char ch = p[i];
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F') || ch == '.' ||
		      ch == ':' || ch == '[' || ch == ']'))
			return -1;   /* also a NUL, which inet_pton would take as the end */
	}
	if (p[0] == '[') {
		const char *close = memchr(p, ']', n);
		if (!close || close == p + 1)
			return -1;
		size_t rest = n - (size_t)(close + 1 - p);
		if (rest && !port_ok(close + 1, rest))
			return -1;
		size_t len = (size_t)(close - p - 1);
		memcpy(text, p + 1, len);
		text[len] = '\0';
		if (inet_pton(AF_INET6, text, addr) != 1)
			return -1;
		*family = AF_INET6;
	} else {
		const char *colon = memchr(p, ':', n);
		bool one_colon = colon && !memchr(colon + 1, ':', n - (size_t)(colon + 1 - p));
		size_t len = one_colon ? (size_t)(colon - p) : n;
		if (one_colon && !port_ok(colon, n - len))
			return -1;
		memcpy(text, p, len);
		text[len] = '\0';
		if (!one_colon && colon) {
			if (inet_pton(AF_INET6, text, addr) != 1)
				return -1;
			*family = AF_INET6;
		} else {
			if (inet_pton(AF_INET, text, addr) != 1)
				return -1;
			*family = AF_INET;
		}
	}
	if (*family == AF_INET6 && memcmp(addr, v4_mapped, 12) == 0) {
		memmove(addr, addr + 12, 4);
		*family = AF_INET;
	}
	return 0;
}

enum signal_fwd signal_forwarded_for(const char *text, size_t len, const struct signal_cidr *trusted,
                                     size_t n_trusted, int *family, uint8_t addr[16])
{
	if (!text || len == 0)
		return SIGNAL_FWD_ABSENT;
	if (len > SIGNAL_FWD_TEXT_MAX)
		return SIGNAL_FWD_INVALID;
	/* From the right: each proxy appended the address it was connected from, so the right-most
	 * entry a trusted proxy wrote is the first one that is not itself a trusted proxy. Entries
	 * left of it were written by the client and prove nothing. */
	size_t end = len;
	int fam = 0;
	uint8_t a[16];
	for (unsigned hops = 0; hops < SIGNAL_FWD_HOPS_MAX; hops++) {
		size_t start = end;
		while (start > 0 && text[start - 1] != ',')
			start--;
		size_t s = start, e = end;
		while (s < e && ows(text[s]))
			s++;
		while (e > s && ows(text[e - 1]))
			e--;
		if (element_parse(text + s, e - s, &fam, a) != 0)
			return SIGNAL_FWD_INVALID;
		if (!signal_cidr_list_contains(trusted, n_trusted, fam, a) || start == 0) {
			/* the client; or, every entry being a trusted proxy, the first of them */
			*family = fam;
			memcpy(addr, a, fam == AF_INET ? 4 : 16);
			return SIGNAL_FWD_OK;
		}
		end = start - 1;   /* before the comma */
	}
	return SIGNAL_FWD_INVALID;
}

int signal_addr_text(int family, const uint8_t *addr, char *out, size_t cap)
{
	if ((family != AF_INET && family != AF_INET6) || !inet_ntop(family, addr, out, (socklen_t)cap)) {
		if (cap)
			out[0] = '\0';
		return -1;
	}
	return 0;
}
