/* http: the HTTP routes (RFC 9110) — "/" and "/<room>" pages, "/assets/..." files, /healthz,
 * /metrics for allowed addresses, 404 otherwise; GET and HEAD; nothing served outside the web root. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/log.h"
#include "signal/signal_int.h"

#define METRICS_CAP (256 * 1024)
#define ASSET_PATH_MAX 256

static const char not_found_page[] =
	"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head>"
	"<body><h1>Not found</h1><p>There is nothing at this address.</p><p><a href=\"/\">plenum</a></p>"
	"</body></html>\n";

struct mime_row {
	const char *ext;
	const char *type;
};

static const struct mime_row mime_types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".json", "application/json" },
	{ ".map", "application/json" },
	{ ".webmanifest", "application/manifest+json" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".jpg", "image/jpeg" },
	{ ".ico", "image/x-icon" },
	{ ".webp", "image/webp" },
	{ ".woff2", "font/woff2" },
	{ ".woff", "font/woff" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ ".wasm", "application/wasm" },
	{ ".ogg", "audio/ogg" },
	{ ".mp3", "audio/mpeg" },
	{ ".webm", "video/webm" },
};

static const char *mime_type(const char *path)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');
	if (dot && (!slash || dot > slash))
		for (size_t i = 0; i < sizeof mime_types / sizeof mime_types[0]; i++)
			if (strcasecmp(dot, mime_types[i].ext) == 0)
				return mime_types[i].type;
	return "application/octet-stream";
}

/* A path below /assets/: segments of [A-Za-z0-9._-], none empty or starting with '.'. */
static bool asset_path_ok(const char *rel)
{
	size_t n = strlen(rel);
	if (n == 0 || n > ASSET_PATH_MAX)
		return false;
	bool seg_start = true;
	for (const char *p = rel; *p; p++) {
		char ch = *p;
		if (ch == '/') {
			if (seg_start)
				return false;
			seg_start = true;
			continue;
		}
		if (seg_start && ch == '.')
			return false;
		seg_start = false;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '.' || ch == '-' || ch == '_'))
			return false;
	}
	return !seg_start;
}

static bool is_head(struct lws *wsi)
{
	return lws_hdr_total_length(wsi, WSI_TOKEN_HEAD_URI) > 0;
}

/* Starts an in-memory response; `body` (malloc'd, may be NULL when len is 0) is taken over. A HEAD
 * request gets the same headers (Content-Length included) and no body. */
static int respond(struct lws *wsi, struct signal_pss *pss, unsigned status, const char *type,
                   char *body, size_t len)
{
	unsigned char buf[LWS_PRE + 2048], *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
	if (lws_add_http_common_headers(wsi, status, type, len, &p, end) ||
	    lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
	                                (const unsigned char *)"no-store", 8, &p, end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end)) {
		free(body);
		return 1;
	}
	free(pss->body);
	pss->body = body;
	pss->body_len = len;
	pss->body_sent = 0;
	if (len == 0 || is_head(wsi)) {
		free(pss->body);
		pss->body = NULL;
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	}
	lws_callback_on_writable(wsi);
	return 0;
}

static int respond_text(struct lws *wsi, struct signal_pss *pss, unsigned status, const char *type,
                        const char *text)
{
	size_t len = strlen(text);
	char *body = malloc(len + 1);
	if (!body)
		return 1;
	memcpy(body, text, len + 1);
	return respond(wsi, pss, status, type, body, len);
}

static int not_found(struct lws *wsi, struct signal_pss *pss)
{
	return respond_text(wsi, pss, 404, "text/html; charset=utf-8", not_found_page);
}

/* Serves web_root/rel, or 404 when it is not a regular file inside the web root. */
static int serve_file(struct signal *s, struct lws *wsi, struct signal_pss *pss, const char *rel)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof path, "%s/%s", s->web_root, rel);
	if (n < 0 || (size_t)n >= sizeof path)
		return not_found(wsi, pss);
	char *real = realpath(path, NULL);
	size_t root_len = strlen(s->web_root);
	struct stat st;
	bool ok = real && strncmp(real, s->web_root, root_len) == 0 && real[root_len] == '/' &&
	          stat(real, &st) == 0 && S_ISREG(st.st_mode);
	if (!ok) {
		free(real);
		return not_found(wsi, pss);
	}
	if (is_head(wsi)) {
		/* the file's headers without its bytes */
		unsigned char buf[LWS_PRE + 1024], *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
		int bad = lws_add_http_common_headers(wsi, 200, mime_type(real), (lws_filepos_t)st.st_size, &p, end) ||
		          lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
		                                      (const unsigned char *)"no-cache", 8, &p, end) ||
		          lws_finalize_write_http_header(wsi, start, &p, end);
		free(real);
		if (bad)
			return 1;
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	}
	unsigned char hdr[256], *p = hdr, *end = hdr + sizeof hdr;
	if (lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
	                                (const unsigned char *)"no-cache", 8, &p, end)) {
		free(real);
		return 1;
	}
	n = lws_serve_http_file(wsi, real, mime_type(real), (const char *)hdr, (int)(p - hdr));
	free(real);
	if (n < 0)
		return -1;
	if (n > 0)
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	return 0;
}

/* Whether the client may read /metrics: the TCP peer, or behind a trusted proxy the client its
 * X-Forwarded-For names — so that a proxy on loopback does not open /metrics to everybody it
 * carries. A proxy's request whose X-Forwarded-For cannot be read is refused; one without the
 * header is the proxy's machine asking itself (a local scraper) and judged by the proxy's address. */
static bool metrics_allowed(struct signal *s, struct lws *wsi)
{
	struct signal_client c;
	if (signal_client_get(s, wsi, &c) != 0 || c.fwd == SIGNAL_FWD_INVALID)
		return false;
	return signal_cidr_list_contains(s->metrics_allow, s->n_metrics_allow, c.family, c.addr);
}

static int serve_metrics(struct signal *s, struct lws *wsi, struct signal_pss *pss)
{
	if (!metrics_allowed(s, wsi))
		return respond_text(wsi, pss, 403, "text/plain; charset=utf-8", "forbidden (see --metrics-allow)\n");
	char *body = malloc(METRICS_CAP);
	if (!body)
		return 1;
	size_t len = s->metrics ? s->metrics(s->metrics_arg, body, METRICS_CAP) : 0;
	if (len > METRICS_CAP)
		len = METRICS_CAP;
	return respond(wsi, pss, 200, "text/plain; version=0.0.4; charset=utf-8", body, len);
}

/* "/<segment>" with no further '/': a room page (the page itself checks the name). */
static bool is_single_segment(const char *path)
{
	return path[0] == '/' && path[1] != '\0' && path[1] != '.' && !strchr(path + 1, '/');
}

static int route(struct signal *s, struct lws *wsi, struct signal_pss *pss, const char *path)
{
	signal_conns_progress(s, wsi);
	struct signal_client client;
	if (signal_client_get(s, wsi, &client) == 0 && signal_conns_client(s, wsi, &client) != 0)
		return respond_text(wsi, pss, 429, "text/plain; charset=utf-8", "too many connections from one address\n");
	if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) <= 0 && !is_head(wsi))
		return respond_text(wsi, pss, 405, "text/plain; charset=utf-8", "method not allowed\n");
	/* /healthz answers any Host: load balancers probe by internal names, and it tells nothing */
	if (strcmp(path, "/healthz") != 0 && !signal_host_allowed(s, wsi))
		return respond_text(wsi, pss, 421, "text/plain; charset=utf-8",
		                    "this server does not serve that host name\n");
	if (strcmp(path, "/") == 0)
		return serve_file(s, wsi, pss, "index.html");
	if (strcmp(path, "/healthz") == 0)
		return respond_text(wsi, pss, 200, "text/plain; charset=utf-8", "ok");
	if (strcmp(path, "/metrics") == 0)
		return serve_metrics(s, wsi, pss);
	if (strcmp(path, SIGNAL_WS_PATH) == 0)
		return respond_text(wsi, pss, 426, "text/plain; charset=utf-8",
		                    "WebSocket upgrade required (subprotocol " SIGNAL_WS_PROTOCOL ")\n");
	if (strcmp(path, "/assets/site.json") == 0 && s->site_json)
		return respond_text(wsi, pss, 200, "application/json", s->site_json);
	if (strncmp(path, "/assets/", 8) == 0) {
		if (!asset_path_ok(path + 8))
			return not_found(wsi, pss);
		return serve_file(s, wsi, pss, path + 1);
	}
	if (strcmp(path, "/assets") == 0)
		return not_found(wsi, pss);
	if (is_single_segment(path))
		return serve_file(s, wsi, pss, "room.html");
	return not_found(wsi, pss);
}

static int write_body(struct lws *wsi, struct signal_pss *pss)
{
	if (!pss->body)
		return 0;
	unsigned char buf[LWS_PRE + 16384];
	size_t left = pss->body_len - pss->body_sent;
	size_t n = left < sizeof buf - LWS_PRE ? left : sizeof buf - LWS_PRE;
	memcpy(buf + LWS_PRE, pss->body + pss->body_sent, n);
	bool last = n == left;
	if (lws_write(wsi, buf + LWS_PRE, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
		return -1;
	pss->body_sent += n;
	if (!last) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	free(pss->body);
	pss->body = NULL;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

int signal_http_callback(struct signal *s, struct lws *wsi, enum lws_callback_reasons reason,
                         struct signal_pss *pss, void *in, size_t len)
{
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return route(s, wsi, pss, in ? (const char *)in : "/");
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return write_body(wsi, pss);
	case LWS_CALLBACK_HTTP_FILE_COMPLETION:
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	case LWS_CALLBACK_CLOSED_HTTP:
		if (pss) {
			free(pss->body);
			pss->body = NULL;
		}
		return 0;
	default:
		return 0;
	}
}
