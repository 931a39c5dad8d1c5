/* usage_html: the page /admin/stats — a town's usage over a period, for its own reports.
 *
 * A complete document that needs nothing but plenum.css (and the operator's brand.css): the
 * server sends `Content-Security-Policy: default-src 'self'`, so there is no script, no style
 * element and no style attribute; the charts are inline SVG drawn with presentation attributes
 * (x=, fill=, …). Each chart has role="img", a label that names its table, and the table right
 * after it, which is its text alternative (the long daily one folded in <details>). Colours on the
 * white cards: text #1b2129 and #515a66 (≥ 4.5:1), bars #0b5cad and lines #767f8b (≥ 3:1,
 * WCAG 2.1 1.4.11). A count the threshold hides is written "< 5" and drawn hatched at the
 * highest value it may have (threshold - 1), and the text says so. */
#include "stats/usage_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"

#define C_TEXT "#1b2129"
#define C_MUTED "#515a66"
#define C_BAR "#0b5cad"
#define C_LINE "#767f8b"
#define CHART_VALUE_MAX 4000000000000000000ull   /* chart scales stop here; tables do not */
#define HTML_FIXED_CAP 49152
#define HTML_PER_DAY_CAP 1024

struct texts {
	const char *lang, *title, *skip, *days_one, *days_many, *range_to, *no_days;
	const char *summary, *summary_caption, *what, *value, *meetings, *minutes, *peak, *joins, *not_counted;
	const char *per_day_meetings, *per_day_minutes, *per_day_caption, *date, *table_link;
	const char *per_day, *chart_label, *hatched, *count, *share, *percent_fmt;
	const char *by_size, *size_head, *size[USAGE_SIZE_N];
	const char *by_duration, *duration_head, *duration[USAGE_DUR_N];
	const char *by_browser, *browser_head, *browser[USAGE_BROWSER_N];
	const char *camera, *camera_head, *camera_on, *camera_off;
	const char *about, *about_text, *threshold_text, *threshold_off, *not_counted_text, *csv;
	char group;
};

static const struct texts de = {
	.lang = "de",
	.title = "Nutzungsstatistik",
	.skip = "Zum Inhalt springen",
	.days_one = "1 Tag",
	.days_many = "%zu Tage",
	.range_to = "bis",
	.no_days = "Für den Zeitraum gibt es keine Tage.",
	.summary = "Überblick",
	.summary_caption = "Summen im Zeitraum",
	.what = "Wert",
	.value = "Zahl",
	.meetings = "Meetings",
	.minutes = "Teilnahmeminuten",
	.peak = "Höchstzahl gleichzeitig Teilnehmender",
	.joins = "Beitritte",
	.not_counted = "Nicht gezählte Ereignisse",
	.per_day = "Pro Tag",
	.per_day_meetings = "Meetings pro Tag",
	.per_day_minutes = "Teilnahmeminuten pro Tag",
	.per_day_caption = "Werte pro Tag",
	.date = "Datum (UTC)",
	.table_link = "Tabelle „Werte pro Tag“ anzeigen",
	.chart_label = "Balkendiagramm: %s. Die Werte stehen in der Tabelle „%s“.",
	.hatched = "Schraffierte Balken: weniger als %u, gezeichnet in der höchstmöglichen Höhe (%u).",
	.count = "Anzahl",
	.share = "Anteil",
	.percent_fmt = "%.0f\xc2\xa0%%",
	.by_size = "Meetings nach Größe",
	.size_head = "Teilnehmende (Höchstzahl im Meeting)",
	.size = { "1", "2", "3–5", "6–10", "11–20", "21–50", "51 und mehr" },
	.by_duration = "Meetings nach Dauer",
	.duration_head = "Dauer",
	.duration = { "unter 5 Minuten", "5 bis unter 15 Minuten", "15 bis unter 30 Minuten", "30 bis unter 60 Minuten",
	              "60 bis unter 120 Minuten", "120 Minuten und mehr" },
	.by_browser = "Beitritte nach Browser",
	.browser_head = "Browser-Familie",
	.browser = { "Chromium (Chrome, Edge, Opera u. a.)", "Firefox", "Safari (auch jeder Browser auf iPhone und iPad)",
	             "Andere" },
	.camera = "Kamera beim Beitritt",
	.camera_head = "Kamera",
	.camera_on = "an",
	.camera_off = "aus",
	.about = "Was gezählt wird",
	.about_text = "plenum zählt je Tag (UTC) nur Summen: Meetings, Teilnahmeminuten, die Höchstzahl gleichzeitig "
	              "Teilnehmender, Meetings nach Größe und Dauer, Beitritte nach Browser-Familie und mit Kamera an "
	              "oder aus. Es speichert keine Raumnamen, keine Namen, keine Adressen und keine Zeilen zu einzelnen "
	              "Personen. Ein Meeting zählt an dem Tag, an dem es endet; Teilnahmeminuten zählen an dem Tag, an "
	              "dem sie verbracht wurden. Gezählt werden Beitritte, nicht Personen: Wer neu beitritt, zählt "
	              "noch einmal.",
	.threshold_text = "Zahlen größer als 0 und kleiner als %u stehen als „&lt; %u“, damit kein einzelnes Meeting "
	                  "erkennbar wird.",
	.threshold_off = "Alle Zahlen sind genau angegeben.",
	.not_counted_text = "Einige Ereignisse wurden nicht gezählt, weil zu viele Meetings gleichzeitig liefen; die "
	                    "Zahlen sind dort zu niedrig.",
	.csv = "Als CSV herunterladen",
	.group = '.',
};

static const struct texts en = {
	.lang = "en",
	.title = "Usage statistics",
	.skip = "Skip to content",
	.days_one = "1 day",
	.days_many = "%zu days",
	.range_to = "to",
	.no_days = "There are no days in the period.",
	.summary = "Summary",
	.summary_caption = "Totals for the period",
	.what = "Measure",
	.value = "Number",
	.meetings = "Meetings",
	.minutes = "Participant minutes",
	.peak = "Most participants at the same time",
	.joins = "Joins",
	.not_counted = "Events not counted",
	.per_day = "Per day",
	.per_day_meetings = "Meetings per day",
	.per_day_minutes = "Participant minutes per day",
	.per_day_caption = "Values per day",
	.date = "Date (UTC)",
	.table_link = "Show the table “Values per day”",
	.chart_label = "Bar chart: %s. The values are in the table “%s”.",
	.hatched = "Hatched bars: fewer than %u, drawn at the highest value they may have (%u).",
	.count = "Count",
	.share = "Share",
	.percent_fmt = "%.0f%%",
	.by_size = "Meetings by size",
	.size_head = "Participants (the meeting's peak)",
	.size = { "1", "2", "3–5", "6–10", "11–20", "21–50", "51 or more" },
	.by_duration = "Meetings by duration",
	.duration_head = "Duration",
	.duration = { "under 5 minutes", "5 to under 15 minutes", "15 to under 30 minutes", "30 to under 60 minutes",
	              "60 to under 120 minutes", "120 minutes or more" },
	.by_browser = "Joins by browser",
	.browser_head = "Browser family",
	.browser = { "Chromium (Chrome, Edge, Opera and others)", "Firefox", "Safari (and every browser on iPhone and iPad)",
	             "Other" },
	.camera = "Camera when joining",
	.camera_head = "Camera",
	.camera_on = "on",
	.camera_off = "off",
	.about = "What is counted",
	.about_text = "plenum counts sums per day (UTC) and nothing else: meetings, participant minutes, the most "
	              "participants at the same time, meetings by size and duration, joins by browser family and with "
	              "the camera on or off. It stores no room names, no names, no addresses and no rows about single "
	              "persons. A meeting counts on the day it ends; participant minutes count on the day they were "
	              "spent. Joins are counted, not people: someone who joins again counts again.",
	.threshold_text = "Numbers above 0 and below %u are shown as “&lt; %u”, so that no single meeting can be "
	                  "singled out.",
	.threshold_off = "All numbers are exact.",
	.not_counted_text = "Some events were not counted because too many meetings ran at the same time; the numbers "
	                    "are too low there.",
	.csv = "Download as CSV",
	.group = ',',
};

struct page {
	struct strbuf *b;
	const struct texts *t;
	unsigned threshold;
	unsigned charts;          /* charts drawn so far: ids of their patterns */
};

/* Text into HTML: the five special characters as references, control characters left out,
 * bytes that are no UTF-8 as U+FFFD. */
static void esc(struct strbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), plain = 0;   /* bytes at p copied as they are */
	while (plain < n) {
		uint32_t cp;
		size_t k = utf8_next(p + plain, n - plain, &cp);
		const char *ref = !k ? "\xef\xbf\xbd" : cp == '<' ? "&lt;" : cp == '>' ? "&gt;" : cp == '&' ? "&amp;"
		                : cp == '"' ? "&quot;" : cp == '\'' ? "&#39;" : utf8_is_control(cp) ? "" : NULL;
		if (!ref) {
			plain += k;
			continue;
		}
		strbuf_printf(b, "%.*s%s", (int)plain, (const char *)p, ref);
		k = k ? k : 1;
		p += plain + k;
		n -= plain + k;
		plain = 0;
	}
	strbuf_printf(b, "%.*s", (int)plain, (const char *)p);
}

/* Digits in groups of three with the language's separator. */
static void digits(struct page *p, uint64_t v)
{
	char raw[24], out[32];
	int n = snprintf(raw, sizeof raw, "%" PRIu64, v);
	size_t k = 0;
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[k++] = p->t->group;
		out[k++] = raw[i];
	}
	out[k] = '\0';
	strbuf_printf(p->b, "%s", out);
}

/* A count as shown: "&lt; 5" when hidden, else grouped digits. */
static void count(struct page *p, uint64_t v)
{
	if (usage_hidden(v, p->threshold))
		strbuf_printf(p->b, "&lt;\xc2\xa0%u", p->threshold);
	else
		digits(p, v);
}

/* The height a chart gives the value: hidden ones at the most they may be. */
static uint64_t drawn(const struct page *p, uint64_t v)
{
	if (usage_hidden(v, p->threshold))
		v = p->threshold - 1u;
	return v > CHART_VALUE_MAX ? CHART_VALUE_MAX : v;
}

static void hatch_pattern(struct page *p)
{
	strbuf_printf(p->b,
	              "<defs><pattern id=\"hatch-%u\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
	              "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#ffffff\"/>"
	              "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"" C_MUTED "\" stroke-width=\"3\"/></pattern></defs>\n",
	              p->charts);
}

static void svg_open(struct page *p, const char *what, const char *table, double w, double h)
{
	p->charts++;
	strbuf_printf(p->b, "<svg role=\"img\" viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" aria-label=\"", w, h);
	char label[512];
	snprintf(label, sizeof label, p->t->chart_label, what, table);
	esc(p->b, label);
	strbuf_printf(p->b, "\" font-size=\"14\">\n");
	hatch_pattern(p);
}

/* A bar, hatched when its value is hidden, with its value as the tooltip. */
static void bar(struct page *p, double x, double y, double w, double h, uint64_t v, const char *name)
{
	bool hidden = usage_hidden(v, p->threshold);
	strbuf_printf(p->b, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" ", x, y, w, h);
	if (hidden)
		strbuf_printf(p->b, "fill=\"url(#hatch-%u)\" stroke=\"" C_MUTED "\" stroke-width=\"0.75\">", p->charts);
	else
		strbuf_printf(p->b, "fill=\"" C_BAR "\">");
	strbuf_printf(p->b, "<title>");
	esc(p->b, name);
	strbuf_printf(p->b, ": ");
	count(p, v);
	strbuf_printf(p->b, "</title></rect>\n");
}

static void hatched_note(struct page *p, bool any_hidden)
{
	if (!any_hidden)
		return;
	strbuf_printf(p->b, "<p>");
	strbuf_printf(p->b, p->t->hatched, p->threshold, p->threshold - 1u);
	strbuf_printf(p->b, "</p>\n");
}

/* A step of 1, 2 or 5 × 10^k that divides 0..max into at most four parts. */
static uint64_t nice_step(uint64_t max)
{
	static const unsigned m[] = { 1, 2, 5 };
	for (uint64_t decade = 1;; decade *= 10)
		for (size_t i = 0; i < 3; i++) {
			uint64_t s = m[i] * decade;
			if (max / s + (max % s != 0) <= 4)
				return s;
		}
}

typedef uint64_t (*day_value)(const struct usage_day *d);
static uint64_t v_meetings(const struct usage_day *d) { return d->meetings; }
static uint64_t v_minutes(const struct usage_day *d) { return d->participant_seconds / 60u; }

/* Vertical bars, one per day, with a y axis of up to four steps and the first, middle and last
 * date below. */
static void day_chart(struct page *p, const struct usage_day *days, size_t n, day_value value, const char *what)
{
	const double W = 576, H = 240, x0 = 80, x1 = 568, y0 = 12, y1 = 200;
	uint64_t max = 0;
	bool any_hidden = false;
	for (size_t i = 0; i < n; i++) {
		uint64_t v = value(&days[i]);
		if (drawn(p, v) > max)
			max = drawn(p, v);
		any_hidden |= usage_hidden(v, p->threshold);
	}
	uint64_t step = nice_step(max ? max : 1);
	uint64_t ticks = max ? max / step + (max % step != 0) : 1;
	double top = (double)(step * ticks);
	svg_open(p, what, p->t->per_day_caption, W, H);
	for (uint64_t k = 0; k <= ticks; k++) {
		double y = y1 - (double)(k * step) / top * (y1 - y0);
		strbuf_printf(p->b, "<line x1=\"%.0f\" y1=\"%.2f\" x2=\"%.0f\" y2=\"%.2f\" stroke=\"" C_LINE "\"%s/>\n", x0, y,
		              x1, y, k ? " stroke-dasharray=\"2 4\"" : "");
		strbuf_printf(p->b, "<text x=\"%.0f\" y=\"%.2f\" text-anchor=\"end\" fill=\"" C_TEXT "\">", x0 - 8, y + 4);
		digits(p, k * step);
		strbuf_printf(p->b, "</text>\n");
	}
	double slot = (x1 - x0) / (double)(n ? n : 1);
	double bw = slot >= 4 ? slot * 0.75 : slot;
	for (size_t i = 0; i < n; i++) {
		uint64_t v = value(&days[i]);
		if (!v)
			continue;
		double h = (double)drawn(p, v) / top * (y1 - y0);
		char date[11];
		usage_date_clean(days[i].date, date);
		bar(p, x0 + (double)i * slot + (slot - bw) / 2, y1 - h, bw, h, v, date);
	}
	size_t marks[3] = { 0, n / 2, n ? n - 1 : 0 };
	const char *anchor[3] = { "start", "middle", "end" };
	for (size_t k = 0; k < 3 && n; k++) {
		if ((k == 1 && n < 3) || (k == 2 && n < 2))
			continue;
		char date[11];
		usage_date_clean(days[marks[k]].date, date);
		double x = k == 0 ? x0 : k == 2 ? x1 : x0 + ((double)marks[k] + 0.5) * slot;
		strbuf_printf(p->b, "<text x=\"%.2f\" y=\"%.0f\" text-anchor=\"%s\" fill=\"" C_TEXT "\">%s</text>\n", x,
		              y1 + 22, anchor[k], date);
	}
	strbuf_printf(p->b, "</svg>\n");
	hatched_note(p, any_hidden);
}

static void percent(struct page *p, uint64_t v, uint64_t total)
{
	if (usage_hidden(v, p->threshold) || !total)
		return;
	strbuf_printf(p->b, p->t->percent_fmt, (double)v * 100.0 / (double)total);
}

/* A section with horizontal bars for k categories (the label above each bar, its count and
 * share after it) and the table of the same numbers. */
static void category_chart(struct page *p, const char *id, const char *title, const char *head,
                           const char *const *labels, const uint64_t *v, size_t k)
{
	const double W = 576, row = 48, bar_max = 420;
	uint64_t max = 0, total = 0;
	bool any_hidden = false;
	for (size_t i = 0; i < k; i++) {
		if (drawn(p, v[i]) > max)
			max = drawn(p, v[i]);
		total = usage_sat_add(total, v[i]);
		any_hidden |= usage_hidden(v[i], p->threshold);
	}
	strbuf_printf(p->b, "<section class=\"card stack\" aria-labelledby=\"%s\">\n<h2 id=\"%s\">", id, id);
	esc(p->b, title);
	strbuf_printf(p->b, "</h2>\n");
	svg_open(p, title, title, W, row * (double)k + 4);
	for (size_t i = 0; i < k; i++) {
		double y = row * (double)i;
		double w = max ? (double)drawn(p, v[i]) / (double)max * bar_max : 0;
		strbuf_printf(p->b, "<text x=\"0\" y=\"%.0f\" fill=\"" C_TEXT "\">", y + 16);
		esc(p->b, labels[i]);
		strbuf_printf(p->b, "</text>\n");
		if (v[i])
			bar(p, 0, y + 23, w, 18, v[i], labels[i]);
		strbuf_printf(p->b, "<text x=\"%.2f\" y=\"%.0f\" fill=\"" C_MUTED "\">", w + 8, y + 37);
		count(p, v[i]);
		if (!usage_hidden(v[i], p->threshold) && total) {
			strbuf_printf(p->b, " (");
			percent(p, v[i], total);
			strbuf_printf(p->b, ")");
		}
		strbuf_printf(p->b, "</text>\n");
	}
	strbuf_printf(p->b, "</svg>\n");
	hatched_note(p, any_hidden);
	strbuf_printf(p->b, "<table>\n<caption>");
	esc(p->b, title);
	strbuf_printf(p->b, "</caption>\n<thead><tr><th scope=\"col\">");
	esc(p->b, head);
	strbuf_printf(p->b, "</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n", p->t->count,
	              p->t->share);
	for (size_t i = 0; i < k; i++) {
		strbuf_printf(p->b, "<tr><th scope=\"row\">");
		esc(p->b, labels[i]);
		strbuf_printf(p->b, "</th><td>");
		count(p, v[i]);
		strbuf_printf(p->b, "</td><td>");
		percent(p, v[i], total);
		strbuf_printf(p->b, "</td></tr>\n");
	}
	strbuf_printf(p->b, "</tbody>\n</table>\n</section>\n");
}

static void totals(const struct usage_day *days, size_t n, struct usage_day *t)
{
	memset(t, 0, sizeof *t);
	for (size_t i = 0; i < n; i++) {
		struct usage_day d = days[i];
		uint64_t *a[USAGE_FIELDS], *b[USAGE_FIELDS];
		usage_fields(t, a);
		usage_fields(&d, b);
		for (size_t f = 0; f < USAGE_FIELDS; f++)
			*a[f] = f == USAGE_FIELD_PEAK ? (*a[f] > *b[f] ? *a[f] : *b[f]) : usage_sat_add(*a[f], *b[f]);
	}
}

static void summary_row(struct page *p, const char *what, uint64_t v)
{
	strbuf_printf(p->b, "<tr><th scope=\"row\">%s</th><td>", what);
	count(p, v);
	strbuf_printf(p->b, "</td></tr>\n");
}

static void head(struct page *p, const char *name, const struct usage_day *days, size_t n)
{
	const struct texts *t = p->t;
	strbuf_printf(p->b, "<!doctype html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
	                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	                    "<meta name=\"color-scheme\" content=\"light\">\n"
	                    "<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>%s",
	              t->lang, t->title);
	if (name && *name) {
		strbuf_printf(p->b, ": ");
		esc(p->b, name);
	}
	strbuf_printf(p->b, " – plenum</title>\n"
	                    "<link rel=\"icon\" href=\"/assets/favicon.svg\" type=\"image/svg+xml\">\n"
	                    "<link rel=\"stylesheet\" href=\"/assets/css/plenum.css\">\n"
	                    "<link rel=\"stylesheet\" href=\"/assets/css/brand.css\">\n</head>\n"
	                    "<body class=\"page page--light\">\n<a class=\"skip-link\" href=\"#main\">%s</a>\n"
	                    "<header class=\"site-header\"><span class=\"brand\"><span class=\"brand__name\">plenum</span>"
	                    "</span></header>\n<main id=\"main\" class=\"landing stack\">\n"
	                    "<h1 class=\"landing__title\">%s",
	              t->skip, t->title);
	if (name && *name) {
		strbuf_printf(p->b, ": ");
		esc(p->b, name);
	}
	strbuf_printf(p->b, "</h1>\n<p class=\"landing__lead\">");
	if (n) {
		char first[11], last[11];
		usage_date_clean(days[0].date, first);
		usage_date_clean(days[n - 1].date, last);
		strbuf_printf(p->b, n == 1 ? t->days_one : t->days_many, n);
		strbuf_printf(p->b, ", %s %s %s (UTC)", first, t->range_to, last);
	} else {
		strbuf_printf(p->b, "%s", t->no_days);
	}
	strbuf_printf(p->b, "</p>\n");
}

static void about(struct page *p, size_t n, const struct usage_day *sum)
{
	const struct texts *t = p->t;
	strbuf_printf(p->b, "<section class=\"card stack\" aria-labelledby=\"about\">\n<h2 id=\"about\">%s</h2>\n<p>%s</p>\n<p>",
	              t->about, t->about_text);
	if (p->threshold > 1)
		strbuf_printf(p->b, t->threshold_text, p->threshold, p->threshold);
	else
		strbuf_printf(p->b, "%s", t->threshold_off);
	strbuf_printf(p->b, "</p>\n");
	if (sum->not_counted)
		strbuf_printf(p->b, "<p>%s</p>\n", t->not_counted_text);
	strbuf_printf(p->b, "<p><a class=\"text-link\" href=\"/admin/stats.csv?days=%zu\" download>%s</a></p>\n</section>\n",
	              n, t->csv);
}

int usage_html(const struct usage_day *days, size_t n, unsigned threshold, const char *tenant_display_name,
               const char *lang, struct strbuf *out)
{
	const struct texts *t = !lang || strcmp(lang, "de") == 0 ? &de : strcmp(lang, "en") == 0 ? &en : NULL;
	if (!t)
		return EINVAL;
	struct page pg = { out, t, threshold, 0 }, *p = &pg;
	struct usage_day sum;
	totals(days, n, &sum);
	head(p, tenant_display_name, days, n);

	strbuf_printf(p->b, "<section class=\"card stack\" aria-labelledby=\"summary\">\n<h2 id=\"summary\">%s</h2>\n"
	                    "<table>\n<caption>%s</caption>\n<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
	                    "</tr></thead>\n<tbody>\n",
	              t->summary, t->summary_caption, t->what, t->value);
	summary_row(p, t->meetings, sum.meetings);
	summary_row(p, t->minutes, sum.participant_seconds / 60u);
	summary_row(p, t->peak, sum.peak);
	uint64_t joins = 0;
	for (size_t i = 0; i < USAGE_BROWSER_N; i++)
		joins = usage_sat_add(joins, sum.by_browser[i]);
	summary_row(p, t->joins, joins);
	if (sum.not_counted)
		summary_row(p, t->not_counted, sum.not_counted);
	strbuf_printf(p->b, "</tbody>\n</table>\n</section>\n");

	if (n) {
		strbuf_printf(p->b, "<section class=\"card stack\" aria-labelledby=\"per-day\">\n<h2 id=\"per-day\">%s</h2>\n"
		                    "<h3>%s</h3>\n",
		              t->per_day, t->per_day_meetings);
		day_chart(p, days, n, v_meetings, t->per_day_meetings);
		strbuf_printf(p->b, "<h3>%s</h3>\n", t->per_day_minutes);
		day_chart(p, days, n, v_minutes, t->per_day_minutes);
		strbuf_printf(p->b, "<details>\n<summary>%s</summary>\n<table>\n<caption>%s</caption>\n<thead><tr>"
		                    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		                    "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
		              t->table_link, t->per_day_caption, t->date, t->meetings, t->minutes, t->peak);
		for (size_t i = 0; i < n; i++) {
			char date[11];
			usage_date_clean(days[i].date, date);
			strbuf_printf(p->b, "<tr><th scope=\"row\">%s</th><td>", date);
			count(p, days[i].meetings);
			strbuf_printf(p->b, "</td><td>");
			count(p, days[i].participant_seconds / 60u);
			strbuf_printf(p->b, "</td><td>");
			count(p, days[i].peak);
			strbuf_printf(p->b, "</td></tr>\n");
		}
		strbuf_printf(p->b, "</tbody>\n</table>\n</details>\n</section>\n");

		category_chart(p, "by-size", t->by_size, t->size_head, t->size, sum.by_size, USAGE_SIZE_N);
		category_chart(p, "by-duration", t->by_duration, t->duration_head, t->duration, sum.by_duration, USAGE_DUR_N);
		category_chart(p, "by-browser", t->by_browser, t->browser_head, t->browser, sum.by_browser, USAGE_BROWSER_N);
		const char *cam_labels[2] = { t->camera_on, t->camera_off };
		uint64_t cam[2] = { sum.camera_on, sum.camera_off };
		category_chart(p, "camera", t->camera, t->camera_head, cam_labels, cam, 2);
	}
	about(p, n, &sum);
	strbuf_printf(p->b, "</main>\n</body>\n</html>\n");
	return strbuf_result(out);
}

size_t usage_html_cap(size_t n, const char *tenant_display_name)
{
	size_t name = tenant_display_name ? strlen(tenant_display_name) : 0;
	return HTML_FIXED_CAP + n * HTML_PER_DAY_CAP + 2u * 6u * name;
}
