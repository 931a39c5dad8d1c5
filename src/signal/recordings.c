/* recordings: a host's page of a room's recordings — GET /recordings/<room>?t=TOKEN lists the composed
 * files of that room (the request's tenant), GET /recordings/<room>/<file>?t=TOKEN downloads one. The
 * token is a stream token of use "recordings" for that room (signed, expiring: stream_token.c) that a
 * host gets through `recordings_link`; without a valid one nothing is shown, not even whether files exist. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "signal/signal_int.h"
#include "signal/signal_tenant.h"
#include "signal/stream_token.h"
#include "sfu/sfu.h"

#define FILES_MAX 200            /* listed at most, newest first */
#define FILE_NAME_MAX 160

/* The page's words, in the tenant's language (else the browser's first choice, else English). */
struct page_text {
	const char *lang, *title, *heading, *q1, *q2, *none, *caption, *when, *size, *deleted, *file, *download, *footer;
};
static const struct page_text text_en = {
	"en", "Recordings of", "Recordings of the meeting", "“", "”", "There is no recording of this meeting (any more).",
	"Newest first. Each file is deleted after the retention period.", "Recorded (UTC)", "Size", "Deleted on",
	"File", "Download", "This page works only with the link a host got in the meeting; the link expires.",
};
static const struct page_text text_de = {
	"de", "Aufnahmen von", "Aufnahmen der Sitzung", "„", "“", "Von dieser Sitzung gibt es keine Aufnahme (mehr).",
	"Neueste zuerst. Jede Datei wird nach der Aufbewahrungsfrist gelöscht.", "Aufgenommen (UTC)", "Größe",
	"Gelöscht am", "Datei", "Herunterladen",
	"Diese Seite öffnet sich nur mit dem Link, den eine Moderation in der Sitzung bekommen hat; er läuft ab.",
};

static const struct page_text *page_text_for(struct lws *wsi, const struct signal_tenant *t)
{
	if (t->language[0])
		return strcmp(t->language, "de") == 0 ? &text_de : &text_en;
	char al[64];
	const char *v = signal_http_header(wsi, WSI_TOKEN_HTTP_ACCEPT_LANGUAGE, al, sizeof al);
	return v && strncasecmp(v, "de", 2) == 0 ? &text_de : &text_en;
}

struct listed {
	char name[FILE_NAME_MAX + 1];
	off_t size;
	time_t mtime;
};

static int cmp_newest(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;
	return x->mtime < y->mtime ? 1 : x->mtime > y->mtime ? -1 : strcmp(x->name, y->name);
}

/* A file of this room: "<room>-YYYYmmdd-HHMMSS.mp4", characters [a-z0-9._-] only. */
static bool file_of_room(const char *file, const char *room)
{
	size_t rl = strlen(room), fl = strlen(file);
	if (fl > FILE_NAME_MAX || fl <= rl + 5 || strncmp(file, room, rl) != 0 || file[rl] != '-' ||
	    strcmp(file + fl - 4, ".mp4") != 0 || strstr(file, ".."))
		return false;
	for (const char *p = file; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
			return false;
	return true;
}

static void html_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static int list_page(struct signal *s, struct lws *wsi, struct signal_pss *pss, const struct page_text *tx,
                     const char *tdir, const char *room, const char *token)
{
	struct listed *files = calloc(FILES_MAX, sizeof *files);
	if (!files)
		return 1;
	size_t n = 0;
	DIR *d = opendir(tdir);
	for (struct dirent *e; d && (e = readdir(d)) && n < FILES_MAX;) {
		char path[1024 + 256];
		struct stat st;
		if (!file_of_room(e->d_name, room))
			continue;
		snprintf(path, sizeof path, "%s/%s", tdir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		memcpy(files[n].name, e->d_name, strlen(e->d_name) + 1);   /* file_of_room: ≤ FILE_NAME_MAX */
		files[n].size = st.st_size;
		files[n++].mtime = st.st_mtime;
	}
	if (d)
		closedir(d);
	qsort(files, n, sizeof *files, cmp_newest);
	char *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);
	if (!f) {
		free(files);
		return 1;
	}
	fprintf(f, "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	        "<meta name=\"referrer\" content=\"no-referrer\"><title>%s ", tx->lang, tx->title);
	html_escape(f, room);
	fprintf(f, "</title><link rel=\"stylesheet\" href=\"/assets/css/plenum.css\">"
	        "<link rel=\"stylesheet\" href=\"/assets/css/recordings.css\"><link rel=\"stylesheet\" href=\"/assets/css/brand.css\">"
	        "</head><body class=\"page page--light\">"
	        "<main class=\"recordings\"><h1>%s %s", tx->heading, tx->q1);
	html_escape(f, room);
	fprintf(f, "%s</h1>", tx->q2);
	if (n == 0)
		fprintf(f, "<p>%s</p>", tx->none);
	else
		fprintf(f, "<table><caption>%s</caption><thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		        "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
		        tx->caption, tx->when, tx->size, tx->deleted, tx->file);
	for (size_t i = 0; i < n; i++) {
		char when[32], gone[32];
		struct tm tm;
		gmtime_r(&files[i].mtime, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
		time_t del = files[i].mtime + (time_t)s->recording_keep_days * 86400;
		gmtime_r(&del, &tm);
		strftime(gone, sizeof gone, "%Y-%m-%d", &tm);
		fprintf(f, "<tr><td data-label=\"%s\">%s</td><td data-label=\"%s\">%.1f MB</td><td data-label=\"%s\">%s</td>"
		        "<td><a href=\"/recordings/%s/%s?t=%s\" download>%s ", tx->when, when, tx->size,
		        (double)files[i].size / 1e6, tx->deleted, gone, room, files[i].name, token, tx->download);
		html_escape(f, files[i].name);
		fputs("</a></td></tr>", f);
	}
	if (n)
		fputs("</tbody></table>", f);
	fprintf(f, "<p>%s</p></main></body></html>\n", tx->footer);
	fclose(f);
	free(files);
	if (!body)
		return 1;
	static const char *const headers[] = { "referrer-policy:", "no-referrer", NULL };
	return signal_http_reply(wsi, pss, 200, "text/html; charset=utf-8", body, len, headers);
}

int signal_recordings_request(struct signal *s, struct lws *wsi, struct signal_pss *pss, struct signal_tenant *t,
                              const char *rest)
{
	char name[SFU_ROOM_NAME_MAX + 1], room[SFU_ROOM_NAME_MAX + 1], key[SFU_ROOM_KEY_MAX + 1];
	char arg[SIGNAL_STREAM_TOKEN_MAX + 2];
	const char *slash = strchr(rest, '/');
	size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
	if (!s->recording_dir || !t || n == 0 || n > SFU_ROOM_NAME_MAX)
		return signal_http_text(wsi, pss, 404, "no such page\n");
	memcpy(name, rest, n);
	name[n] = '\0';
	const char *token = lws_get_urlarg_by_name(wsi, "t=", arg, (int)sizeof arg);
	size_t tl = token ? strlen(token) : 0;
	if (sfu_room_name_normalize(name, room) != 0 || strcmp(name, room) != 0 || tl == 0)
		return signal_http_text(wsi, pss, 404, "no such page\n");
	snprintf(key, sizeof key, "%s/%s", t->id, room);
	if (signal_stream_token_check(s, token, tl, SIGNAL_STREAM_RECORDINGS, key, NULL) != 0) {
		if (log_limit_allow(&s->log_admin, clock_mono_us()))
			log_warn("signal", "recordings page refused: no valid link");
		return signal_http_text(wsi, pss, 403, "This link is not valid (any more). Ask a host of the meeting for a new one.\n");
	}
	char tdir[700];
	snprintf(tdir, sizeof tdir, "%s/%s", s->recording_dir, t->id);
	if (!slash)
		return list_page(s, wsi, pss, page_text_for(wsi, t), tdir, room, token);
	const char *file = slash + 1;
	if (!file_of_room(file, room))
		return signal_http_text(wsi, pss, 404, "no such recording\n");
	char path[1024], disp[FILE_NAME_MAX + 40];
	snprintf(path, sizeof path, "%s/%s", tdir, file);
	snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", file);
	log_info("signal", "recording downloaded");
	return signal_http_file(wsi, pss, path, "video/mp4", disp);
}
