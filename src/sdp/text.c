/* text: string slices, token checks and the bounded writer used by the sdp parser and writers,
 * plus the session and transport lines both of plenum's descriptions share. RFC 8866, RFC 8839. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sdp/sdp_int.h"

static bool is_space(char c) { return c == ' ' || c == '\t'; }

bool sdp_sv_token(struct sdp_sv *rest, struct sdp_sv *tok)
{
	size_t i = 0;
	while (i < rest->n && is_space(rest->p[i]))
		i++;
	size_t start = i;
	while (i < rest->n && !is_space(rest->p[i]))
		i++;
	tok->p = rest->p + start;
	tok->n = i - start;
	rest->p += i;
	rest->n -= i;
	return tok->n > 0;
}

bool sdp_sv_split(struct sdp_sv s, char c, struct sdp_sv *head, struct sdp_sv *tail)
{
	const char *hit = s.n ? memchr(s.p, c, s.n) : NULL;
	if (!hit) {
		*head = s;
		tail->p = s.p + s.n;
		tail->n = 0;
		return false;
	}
	head->p = s.p;
	head->n = (size_t)(hit - s.p);
	tail->p = hit + 1;
	tail->n = s.n - head->n - 1;
	return true;
}

bool sdp_sv_eq(struct sdp_sv s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n == n && memcmp(s.p, lit, n) == 0;
}

bool sdp_sv_ieq(struct sdp_sv s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n == n && strncasecmp(s.p, lit, n) == 0;
}

struct sdp_sv sdp_sv_trim(struct sdp_sv s)
{
	while (s.n && is_space(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_space(s.p[s.n - 1]))
		s.n--;
	return s;
}

bool sdp_sv_uint(struct sdp_sv s, uint64_t max, uint64_t *out)
{
	if (s.n == 0 || s.n > 20)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];
		if (c < '0' || c > '9')
			return false;
		uint64_t d = (uint64_t)(c - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

bool sdp_sv_copy(char *dst, size_t cap, struct sdp_sv s)
{
	if (s.n >= cap)
		return false;
	memcpy(dst, s.p, s.n);
	dst[s.n] = '\0';
	return true;
}

bool sdp_is_token(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c >= 0x7f || strchr("\"(),/:;<=>?@[\\]", c))
			return false;
	}
	return true;
}

static bool is_ip6(const char *ip) { return strchr(ip, ':') != NULL; }

void sdp_write_session_head(struct strbuf *b, const struct sdp_local *l, const char *const *mids, size_t n_mids)
{
	strbuf_printf(b, "v=0\r\no=- %llu %u IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n",
	               (unsigned long long)l->sess_id, (unsigned)l->sess_version);
	if (n_mids) {
		strbuf_printf(b, "a=group:BUNDLE");
		for (size_t i = 0; i < n_mids; i++)
			strbuf_printf(b, " %s", mids[i]);
		strbuf_printf(b, "\r\n");
	}
	strbuf_printf(b, "a=ice-lite\r\na=msid-semantic: WMS *\r\n");
}

void sdp_write_transport(struct strbuf *b, const struct sdp_local *l, const char *setup)
{
	strbuf_printf(b, "c=IN %s %s\r\n", is_ip6(l->ip) ? "IP6" : "IP4", l->ip);
	strbuf_printf(b, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", l->ice_ufrag, l->ice_pwd);
	strbuf_printf(b, "a=fingerprint:sha-256 %s\r\na=setup:%s\r\n", l->fingerprint, setup);
}

void sdp_write_candidate(struct strbuf *b, const struct sdp_local *l)
{
	/* RFC 8839 §5.1; priority = 2^24·126 + 2^8·65535 + 255 for the UDP host candidate. */
	strbuf_printf(b, "a=candidate:1 1 udp 2130706431 %s %u typ host\r\n", l->ip, (unsigned)l->port);
	/* RFC 6544 §4.2: local preference 2^13·direction (passive: 4) + 8191, so 2^24·126 +
	 * 2^8·40959 + 255, below the UDP candidate: browsers try UDP first and keep it when it works. */
	if (l->tcp_port)
		strbuf_printf(b, "a=candidate:2 1 tcp 2124414975 %s %u typ host tcptype passive\r\n", l->ip,
		              (unsigned)l->tcp_port);
	strbuf_printf(b, "a=end-of-candidates\r\n");
}

static bool ip_literal(const char *ip)
{
	if (!ip || !*ip || strlen(ip) > 45)
		return false;
	for (const char *c = ip; *c; c++)
		if (!strchr("0123456789abcdefABCDEF.:", *c))
			return false;
	return true;
}

static bool ice_chars(const char *s, size_t min, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n < min || n > max)
		return false;
	for (; *s; s++)   /* RFC 8839 ice-char: ALPHA / DIGIT / "+" / "/" */
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '+' || *s == '/'))
			return false;
	return true;
}

bool sdp_local_valid(const struct sdp_local *l)
{
	if (!l || !ice_chars(l->ice_ufrag, 4, 256) || !ice_chars(l->ice_pwd, 22, 256) || !ip_literal(l->ip) || !l->port)
		return false;
	const char *fp = l->fingerprint;
	if (!fp || strlen(fp) != 95)   /* 32 hex pairs and 31 colons */
		return false;
	for (size_t i = 0; i < 95; i++) {
		char c = fp[i];
		bool colon = i % 3 == 2;
		if (colon ? c != ':' : !strchr("0123456789abcdefABCDEF", c))
			return false;
	}
	return true;
}
