/* http_cache: Accept-Encoding (RFC 9110 §12.5.3, q-values §12.4.2), If-None-Match by weak
 * comparison (§13.1.2, §8.8.3.2) and HTTP-dates (§5.6.7) — pure parsing, no lws, no allocation. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "signal/http_cache.h"

#define Q_ONE 1000u
#define Q_UNSET 0xffffu

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* A qvalue ("0", "0.5", "1", "1.000"); 0..1000, or -1 when malformed. */
static int parse_q(const char *p, size_t n)
{
	if (n == 0 || (p[0] != '0' && p[0] != '1') || (n > 1 && p[1] != '.') || n > 5)
		return -1;
	int q = (p[0] - '0') * 1000, scale = 100;
	for (size_t i = 2; i < n; i++, scale /= 10) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		q += (p[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

/* The q of one element's parameters ("; q=0.5; x=y"): 1000 unless a q says otherwise; -1 malformed. */
static int element_q(const char *p, const char *end)
{
	int q = (int)Q_ONE;
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *stop = semi ? semi : end;
		while (p < stop && is_ows(*p))
			p++;
		const char *e = stop;
		while (e > p && is_ows(e[-1]))
			e--;
		if (e - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
			q = parse_q(p + 2, (size_t)(e - p - 2));
			if (q < 0)
				return -1;
		}
		p = semi ? semi + 1 : end;
	}
	return q;
}

/* Which coding a token names: an enum signal_coding, SIGNAL_CODINGS for '*', -1 for others. */
static int coding_of(const char *p, size_t n)
{
	if (n == 1 && *p == '*')
		return SIGNAL_CODINGS;
	if ((n == 4 && strncasecmp(p, "gzip", 4) == 0) || (n == 6 && strncasecmp(p, "x-gzip", 6) == 0))
		return SIGNAL_CODING_GZIP;
	if (n == 2 && strncasecmp(p, "br", 2) == 0)
		return SIGNAL_CODING_BR;
	if (n == 8 && strncasecmp(p, "identity", 8) == 0)
		return SIGNAL_CODING_IDENTITY;
	return -1;
}

/* Fills q[coding] (and q[SIGNAL_CODINGS] for '*') from the header, Q_UNSET where not named. */
static void parse_accept(const char *v, unsigned q[SIGNAL_CODINGS + 1])
{
	for (int i = 0; i <= SIGNAL_CODINGS; i++)
		q[i] = Q_UNSET;
	const char *p = v;
	while (*p) {
		const char *comma = strchr(p, ',');
		const char *end = comma ? comma : p + strlen(p);
		while (p < end && is_ows(*p))
			p++;
		const char *t = p;
		while (p < end && *p != ';' && !is_ows(*p))
			p++;
		int c = coding_of(t, (size_t)(p - t));
		int qv = element_q(p, end);
		if (c >= 0 && qv >= 0)
			q[c] = (unsigned)qv;
		p = comma ? comma + 1 : end;
	}
}

enum signal_coding signal_coding_choose(const char *accept_encoding, unsigned available)
{
	if (!accept_encoding)
		return SIGNAL_CODING_IDENTITY;
	unsigned q[SIGNAL_CODINGS + 1];
	parse_accept(accept_encoding, q);
	unsigned star = q[SIGNAL_CODINGS];
	enum signal_coding best = SIGNAL_CODING_IDENTITY;
	unsigned best_q = 0;
	/* identity first, so that a later coding wins a tie */
	for (int c = 0; c < SIGNAL_CODINGS; c++) {
		/* identity, when not named, is acceptable but last: any named coding with q > 0 beats it */
		unsigned qc = q[c] != Q_UNSET ? q[c] : star != Q_UNSET ? star : c == SIGNAL_CODING_IDENTITY ? 1 : 0;
		if ((c == SIGNAL_CODING_IDENTITY || (available & (1u << c))) && qc > 0 && qc >= best_q) {
			best = (enum signal_coding)c;
			best_q = qc;
		}
	}
	return best;
}

const char *signal_coding_name(enum signal_coding c)
{
	switch (c) {
	case SIGNAL_CODING_GZIP:
		return "gzip";
	case SIGNAL_CODING_BR:
		return "br";
	default:
		return NULL;
	}
}

bool signal_etag_match(const char *inm, const char *const *tags, size_t n, size_t *which)
{
	const char *p = inm;
	while (is_ows(*p))
		p++;
	if (p[0] == '*') {
		*which = 0;
		return true;
	}
	for (;;) {
		while (is_ows(*p) || *p == ',')
			p++;
		if (!*p)
			return false;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p != '"')
			return false;
		const char *close = strchr(p + 1, '"');
		if (!close)
			return false;
		size_t len = (size_t)(close - p) + 1;
		for (size_t i = 0; i < n; i++)
			if (tags[i] && tags[i][0] && strlen(tags[i]) == len && memcmp(tags[i], p, len) == 0) {
				*which = i;
				return true;
			}
		p = close + 1;
	}
}

static const char wdays[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

int signal_http_date_format(time_t t, char out[SIGNAL_HTTP_DATE_LEN])
{
	struct tm tm;
	if (t < 0 || !gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999)
		return EINVAL;
	char buf[64];   /* gcc cannot tell the fields' ranges */
	int n = snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", wdays[tm.tm_wday], tm.tm_mday,
	                 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (n != SIGNAL_HTTP_DATE_LEN - 1)
		return EINVAL;
	memcpy(out, buf, SIGNAL_HTTP_DATE_LEN);
	return 0;
}

static int month_of(const char *m)
{
	for (int i = 0; i < 12; i++)
		if (strncmp(m, months[i], 3) == 0)
			return i;
	return -1;
}

int signal_http_date_parse(const char *text, time_t *out)
{
	char mon[4] = "", tail[4] = "";
	int d = 0, y = 0, h = 0, mi = 0, sec = 0, used = 0;
	const char *comma = strchr(text, ',');
	bool ok;
	if (comma && comma - text == 3)            /* IMF-fixdate */
		ok = sscanf(comma + 1, " %2d %3s %4d %2d:%2d:%2d %3s%n", &d, mon, &y, &h, &mi, &sec, tail, &used) == 7;
	else if (comma) {                          /* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT" */
		ok = sscanf(comma + 1, " %2d-%3s-%2d %2d:%2d:%2d %3s%n", &d, mon, &y, &h, &mi, &sec, tail, &used) == 7;
		y += y < 70 ? 2000 : 1900;
	} else {                                   /* asctime: "Sun Nov  6 08:49:37 1994" */
		char wd[4];
		ok = sscanf(text, "%3s %3s %2d %2d:%2d:%2d %4d%n", wd, mon, &d, &h, &mi, &sec, &y, &used) == 7;
		strcpy(tail, "GMT");
	}
	int m = ok ? month_of(mon) : -1;
	if (m < 0 || strcmp(tail, "GMT") != 0 || d < 1 || d > 31 || y < 1970 || y > 9999 || h > 23 || mi > 59 ||
	    sec > 60 || h < 0 || mi < 0 || sec < 0)
		return EINVAL;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec };
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return EINVAL;
	*out = t;
	return 0;
}
