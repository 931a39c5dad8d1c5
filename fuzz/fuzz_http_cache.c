/* fuzz_http_cache: arbitrary Accept-Encoding, If-None-Match and If-Modified-Since values through
 * the parsers that pick a file's coding and answer 304 (src/signal/http_cache.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signal/http_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a NUL-terminated copy of exactly size bytes, as lws_hdr_copy hands them over */
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	unsigned avail = size ? data[0] & 6u : 6u;
	enum signal_coding c = signal_coding_choose(text, avail);
	if (c != SIGNAL_CODING_IDENTITY && !(avail & (1u << c)))
		abort();   /* never a coding the file does not have */
	static const char *const tags[3] = { "\"0123456789abcdef0123\"", "\"0123456789abcdef0123-gz\"", "" };
	size_t which = 99;
	if (signal_etag_match(text, tags, 3, &which) && which > 1)
		abort();
	time_t t;
	char out[SIGNAL_HTTP_DATE_LEN];
	if (signal_http_date_parse(text, &t) == 0) {
		time_t back;
		if (signal_http_date_format(t, out) != 0 || signal_http_date_parse(out, &back) != 0 || back != t)
			abort();   /* a date read is a date that can be written and read again */
	}
	free(text);
	return 0;
}
