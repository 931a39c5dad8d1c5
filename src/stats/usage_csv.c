/* usage_csv: the day rows as CSV for a town's own reports (RFC 4180: comma-separated, CRLF).
 * Fields are ISO dates, digits, or "< 5" for a small count — nothing that needs quoting, and no
 * field starts with = + - @, so a spreadsheet reads no formula into it. */
#include "stats/usage_int.h"

#include <inttypes.h>

static void cell(struct strbuf *out, uint64_t v, unsigned threshold)
{
	if (usage_hidden(v, threshold))
		strbuf_printf(out, ",< %u", threshold);
	else
		strbuf_printf(out, ",%" PRIu64, v);
}

int usage_csv(const struct usage_day *days, size_t n, unsigned threshold, struct strbuf *out)
{
	strbuf_printf(out, "date,meetings,participant_minutes,peak_participants,"
	                   "size_1,size_2,size_3_5,size_6_10,size_11_20,size_21_50,size_51_plus,"
	                   "duration_under_5_min,duration_5_15_min,duration_15_30_min,duration_30_60_min,"
	                   "duration_60_120_min,duration_120_min_plus,"
	                   "browser_chromium,browser_firefox,browser_safari,browser_other,"
	                   "camera_on,camera_off,not_counted\r\n");
	for (size_t i = 0; i < n; i++) {
		const struct usage_day *d = &days[i];
		char date[11];
		usage_date_clean(d->date, date);
		strbuf_printf(out, "%s", date);
		cell(out, d->meetings, threshold);
		cell(out, d->participant_seconds / 60u, threshold);
		cell(out, d->peak, threshold);
		for (size_t k = 0; k < USAGE_SIZE_N; k++)
			cell(out, d->by_size[k], threshold);
		for (size_t k = 0; k < USAGE_DUR_N; k++)
			cell(out, d->by_duration[k], threshold);
		for (size_t k = 0; k < USAGE_BROWSER_N; k++)
			cell(out, d->by_browser[k], threshold);
		cell(out, d->camera_on, threshold);
		cell(out, d->camera_off, threshold);
		cell(out, d->not_counted, threshold);
		strbuf_printf(out, "\r\n");
	}
	return strbuf_result(out);
}
