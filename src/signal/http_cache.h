/* http_cache: the parsing half of HTTP caching and content negotiation (RFC 9110 §12.5.3
 * Accept-Encoding, §13.1.2 If-None-Match, §5.6.7 HTTP-date), with no lws and no files: pure
 * functions over header values. Private to src/signal/. */
#ifndef PLENUM_SIGNAL_HTTP_CACHE_H
#define PLENUM_SIGNAL_HTTP_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* The content codings plenum can send; the index of a file's bodies and entity tags. */
enum signal_coding {
	SIGNAL_CODING_IDENTITY,
	SIGNAL_CODING_GZIP,
	SIGNAL_CODING_BR,
	SIGNAL_CODINGS
};

/* An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") is 29 characters. */
#define SIGNAL_HTTP_DATE_LEN 30

/* The coding to send for an Accept-Encoding value (NULL: the header is absent, identity) among
 * `available` (a bit per enum signal_coding; identity is always available). The highest q wins,
 * q=0 refuses, '*' stands for the codings not named, identity not named comes last; on a tie br
 * before gzip before identity. When
 * nothing acceptable is available the answer is identity (RFC 9110 §12.5.3 allows it). */
enum signal_coding signal_coding_choose(const char *accept_encoding, unsigned available);

/* The token a coding is sent as in Content-Encoding ("gzip", "br"); NULL for identity. */
const char *signal_coding_name(enum signal_coding c);

/* Whether an If-None-Match value matches one of `tags` (each a quoted entity tag, e.g. "\"ab12\"";
 * NULL or "" entries are skipped) by weak comparison, or is "*"; *which gets the index matched
 * (0 for "*"). A malformed list matches nothing from the first bad element on. */
bool signal_etag_match(const char *if_none_match, const char *const *tags, size_t n, size_t *which);

/* t as an IMF-fixdate; 0, or EINVAL when t is outside 1970..9999. */
int signal_http_date_format(time_t t, char out[SIGNAL_HTTP_DATE_LEN]);
/* An HTTP-date in any of its three forms (IMF-fixdate, RFC 850, asctime); 0 or EINVAL. */
int signal_http_date_parse(const char *text, time_t *out);

#endif
