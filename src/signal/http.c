/* http: the HTTP routes (RFC 9110) — "/", "/<room>" and "/live/<room>" pages, "/assets/..." and versioned
 * "/assets/v/<version>/..." files (compressed, validated, RFC 9111 caching), /healthz, /metrics for
 * allowed addresses, 404 otherwise; GET and HEAD; nothing served outside the web root. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/clock.h"
#include "base/log.h"
#include "signal/signal_int.h"
#include "signal/signal_admin.h"
#include "signal/signal_tenant.h"
#include "signal/static_files.h"
#include "signal/whep.h"
#include "signal/whip.h"

#define METRICS_CAP (256 * 1024)
#define FILES_CHECK_US 1000000   /* the web root is looked at for changes at most once a second */
#define IMMUTABLE "public, max-age=31536000, immutable"
#define LIVE_PREFIX "/live/"

static const char not_found_page[] =
	"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head>"
	"<body><h1>Not found</h1><p>There is nothing at this address.</p><p><a href=\"/\">plenum</a></p>"
	"</body></html>\n";

static const char unknown_host_page[] =
	"<!doctype html>\n<html lang=\"de\"><head><meta charset=\"utf-8\"><title>Nicht gefunden · Not found</title></head>"
	"<body><h1>Diese Adresse wird hier nicht angeboten</h1><p>Dieser Server bietet unter diesem Namen keine "
	"Videokonferenzen an. Bitte prüfen Sie die Adresse.</p><h1 lang=\"en\">This address is not served here</h1>"
	"<p lang=\"en\">This server offers no video meetings under this name. Please check the address.</p>"
	"</body></html>\n";

/* The second Content-Security-Policy of every response: who may frame it (the tenant's
 * embed-origins, else nobody). */
static int add_csp(struct lws *wsi, const struct signal_pss *pss, unsigned char **p, unsigned char *end)
{
	const char *v = pss->csp ? pss->csp : signal_tenant_csp(NULL);
	return lws_add_http_header_by_name(wsi, (const unsigned char *)"content-security-policy:",
	                                   (const unsigned char *)v, (int)strlen(v), p, end);
}

static bool is_head(struct lws *wsi)
{
	return lws_hdr_total_length(wsi, WSI_TOKEN_HEAD_URI) > 0;
}

/* Drops what the connection's last response held: its own body, its web files generation. */
static void pss_clear(struct signal_pss *pss)
{
	free(pss->body);
	pss->body = NULL;
	pss->data = NULL;
	signal_static_unref(pss->held);
	pss->held = NULL;
}

/* The headers are out: sends `data` (held by pss) on writable, or ends a HEAD or empty response. */
static int send_body(struct lws *wsi, struct signal_pss *pss, const unsigned char *data, size_t len)
{
	pss->data = data;
	pss->body_len = len;
	pss->body_sent = 0;
	if (len == 0 || is_head(wsi)) {
		pss_clear(pss);
		return pss->close_after || lws_http_transaction_completed(wsi) ? -1 : 0;
	}
	lws_callback_on_writable(wsi);
	return 0;
}

/* Starts an in-memory response; `body` (malloc'd, may be NULL when len is 0) is taken over. A HEAD
 * request gets the same headers (Content-Length included) and no body. */
static int respond_cached(struct lws *wsi, struct signal_pss *pss, unsigned status, const char *type,
                          char *body, size_t len, const char *cache_control)
{
	unsigned char buf[LWS_PRE + 2048], *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
	if (lws_add_http_common_headers(wsi, status, type, len, &p, end) ||
	    lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
	                                (const unsigned char *)cache_control, (int)strlen(cache_control), &p, end) ||
	    add_csp(wsi, pss, &p, end) || lws_finalize_write_http_header(wsi, start, &p, end)) {
		free(body);
		return 1;
	}
	pss_clear(pss);
	pss->body = body;
	return send_body(wsi, pss, (const unsigned char *)body, len);
}

int signal_http_reply(struct lws *wsi, struct signal_pss *pss, unsigned status, const char *type, char *body,
                      size_t len, const char *const *headers)
{
	return signal_http_reply_cached(wsi, pss, status, type, body, len, "no-store", headers);
}

int signal_http_reply_cached(struct lws *wsi, struct signal_pss *pss, unsigned status, const char *type, char *body,
                             size_t len, const char *cache_control, const char *const *headers)
{
	unsigned char buf[LWS_PRE + 4096], *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
	int bad = lws_add_http_common_headers(wsi, status, type, len, &p, end) ||
	          lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
	                                      (const unsigned char *)cache_control, (int)strlen(cache_control), &p, end) ||
	          add_csp(wsi, pss, &p, end);
	for (size_t i = 0; !bad && headers && headers[i]; i += 2)
		bad = lws_add_http_header_by_name(wsi, (const unsigned char *)headers[i], (const unsigned char *)headers[i + 1],
		                                  (int)strlen(headers[i + 1]), &p, end);
	if (bad || lws_finalize_write_http_header(wsi, start, &p, end)) {
		free(body);
		return 1;
	}
	pss_clear(pss);
	pss->body = body;
	return send_body(wsi, pss, (const unsigned char *)body, len);
}

static int respond(struct lws *wsi, struct signal_pss *pss, unsigned status, const char *type,
                   char *body, size_t len)
{
	return respond_cached(wsi, pss, status, type, body, len, "no-store");
}

/* A copy of text, kept as cache_control says. */
static int respond_copy(struct lws *wsi, struct signal_pss *pss, const char *type, const void *data, size_t len,
                        const char *cache_control)
{
	char *body = malloc(len + 1);
	if (!body)
		return 1;
	memcpy(body, data, len);
	return respond_cached(wsi, pss, 200, type, body, len, cache_control);
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

int signal_http_text(struct lws *wsi, struct signal_pss *pss, unsigned status, const char *text)
{
	return respond_text(wsi, pss, status, "text/plain; charset=utf-8", text);
}

int signal_http_file(struct lws *wsi, struct signal_pss *pss, const char *path, const char *type,
                     const char *disposition)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return respond_text(wsi, pss, 404, "text/plain; charset=utf-8", "not found\n");
	unsigned char hdr[1024], *p = hdr, *end = hdr + sizeof hdr;
	if (lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
	                                (const unsigned char *)"private, no-store", 17, &p, end) ||
	    lws_add_http_header_by_name(wsi, (const unsigned char *)"referrer-policy:",
	                                (const unsigned char *)"no-referrer", 11, &p, end) ||
	    (disposition && lws_add_http_header_by_name(wsi, (const unsigned char *)"content-disposition:",
	                                                (const unsigned char *)disposition, (int)strlen(disposition), &p, end)) ||
	    add_csp(wsi, pss, &p, end))
		return 1;
	int n = lws_serve_http_file(wsi, path, type, (const char *)hdr, (int)(p - hdr));
	if (n < 0)
		return -1;
	if (n > 0)
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	return 0;
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
		int bad = lws_add_http_common_headers(wsi, 200, signal_static_type(real), (lws_filepos_t)st.st_size, &p, end) ||
		          lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
		                                      (const unsigned char *)"no-cache", 8, &p, end) ||
		          add_csp(wsi, pss, &p, end) || lws_finalize_write_http_header(wsi, start, &p, end);
		free(real);
		if (bad)
			return 1;
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	}
	unsigned char hdr[1024], *p = hdr, *end = hdr + sizeof hdr;
	if (lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
	                                (const unsigned char *)"no-cache", 8, &p, end) || add_csp(wsi, pss, &p, end)) {
		free(real);
		return 1;
	}
	n = lws_serve_http_file(wsi, real, signal_static_type(real), (const char *)hdr, (int)(p - hdr));
	free(real);
	if (n < 0)
		return -1;
	if (n > 0)
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	return 0;
}

/* The web root in memory, looked at for changes at most once a second (a file edited, a package
 * upgraded: the next request sees it). NULL when it could not be read: files come from disk. */
static struct signal_static *current_files(struct signal *s)
{
	uint64_t now = clock_mono_us();
	if (s->files_checked_us && now - s->files_checked_us < FILES_CHECK_US)
		return s->files;
	s->files_checked_us = now;
	if (s->files && !signal_static_changed(s->files, s->web_root))
		return s->files;
	struct signal_static *g;
	int err = signal_static_new(&g, s->web_root, s->site_json, s->files);
	if (err) {
		log_warn("signal", "web root %s not read into memory: %s", s->web_root, strerror(err));
		return s->files;
	}
	signal_static_unref(s->files);
	s->files = g;
	return g;
}

const char *signal_http_header(struct lws *wsi, enum lws_token_indexes h, char *buf, int cap)
{
	if (lws_hdr_total_length(wsi, h) <= 0 || lws_hdr_copy(wsi, buf, cap, h) < 0)
		return NULL;
	return buf;
}

/* RFC 9110 §13.2.2: If-None-Match decides when present, If-Modified-Since otherwise. */
static bool not_modified(struct lws *wsi, const struct signal_static_file *f, time_t modified)
{
	char v[1024];
	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_IF_NONE_MATCH) > 0) {
		const char *tags[SIGNAL_CODINGS] = { f->etag[0], f->etag[1], f->etag[2] };
		size_t which;
		return signal_http_header(wsi, WSI_TOKEN_HTTP_IF_NONE_MATCH, v, sizeof v) &&
		       signal_etag_match(v, tags, SIGNAL_CODINGS, &which);
	}
	time_t since;
	return signal_http_header(wsi, WSI_TOKEN_HTTP_IF_MODIFIED_SINCE, v, sizeof v) &&
	       signal_http_date_parse(v, &since) == 0 && modified <= since;
}

static int add_header(struct lws *wsi, const char *name, const char *value, unsigned char **p, unsigned char *end)
{
	return lws_add_http_header_by_name(wsi, (const unsigned char *)name, (const unsigned char *)value,
	                                   (int)strlen(value), p, end);
}

/* What a 200 and a 304 for the file share: caching, validators, Vary, and for a 200 the coding. */
static int static_headers(struct lws *wsi, const struct signal_static_file *f, enum signal_coding c,
                          time_t modified, bool immutable, unsigned char **p, unsigned char *end)
{
	char date[SIGNAL_HTTP_DATE_LEN];
	if (add_header(wsi, "cache-control:", immutable ? IMMUTABLE : "no-cache", p, end) ||
	    add_header(wsi, "etag:", f->etag[c], p, end))
		return 1;
	if (signal_http_date_format(modified, date) == 0 && add_header(wsi, "last-modified:", date, p, end))
		return 1;
	if (f->compressible && add_header(wsi, "vary:", "Accept-Encoding", p, end))
		return 1;
	return 0;
}

/* A file of the web root from memory: the coding Accept-Encoding allows, 304 when the client's copy
 * is current; `immutable` for a versioned URL of the current version. */
static int serve_memory(struct lws *wsi, struct signal_pss *pss, struct signal_static *g,
                        const struct signal_static_file *f, bool immutable)
{
	char ae[512];
	unsigned avail = 0;
	for (int c = 1; c < SIGNAL_CODINGS; c++)
		avail |= f->body[c].data ? 1u << c : 0;
	enum signal_coding c = signal_coding_choose(signal_http_header(wsi, WSI_TOKEN_HTTP_ACCEPT_ENCODING, ae, sizeof ae), avail);
	time_t modified = f->page ? g->newest : f->modified;
	bool fresh = not_modified(wsi, f, modified);
	const char *coding = signal_coding_name(c);
	unsigned char buf[LWS_PRE + 2048], *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
	if (fresh ? lws_add_http_header_status(wsi, 304, &p, end)
	          : lws_add_http_common_headers(wsi, 200, f->type, f->body[c].len, &p, end))
		return 1;
	if (static_headers(wsi, f, c, modified, immutable, &p, end) || add_csp(wsi, pss, &p, end) ||
	    (!fresh && coding && add_header(wsi, "content-encoding:", coding, &p, end)) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return 1;
	pss_clear(pss);
	if (fresh)
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	pss->held = signal_static_ref(g);
	return send_body(wsi, pss, f->body[c].data, f->body[c].len);
}

/* web_root/rel: from memory when it is there, else from disk (too large, or not read). */
static int serve_static(struct signal *s, struct lws *wsi, struct signal_pss *pss, struct signal_static *g,
                        const char *rel, bool immutable)
{
	const struct signal_static_file *f = signal_static_find(g, rel);
	if (f && f->in_memory)
		return serve_memory(wsi, pss, g, f, immutable && !f->page);
	if (!f && strcmp(rel, "assets/site.json") == 0 && s->site_json)
		return respond_text(wsi, pss, 200, "application/json", s->site_json);
	return serve_file(s, wsi, pss, rel);
}

/* Whether the version of a versioned URL (len bytes at ver) is today's web files' version. */
static bool is_current_version(const struct signal_static *g, const char *ver, size_t len)
{
	return g && len == strlen(g->version) && memcmp(ver, g->version, len) == 0;
}

/* "/assets/v/<version>/<path>": the file assets/<path>, for good when <version> is the current one;
 * an older or unknown version gets today's file, revalidated each time. */
static int serve_versioned(struct signal *s, struct lws *wsi, struct signal_pss *pss, struct signal_static *g,
                           const char *path)
{
	const char *ver = path + strlen(SIGNAL_STATIC_PREFIX), *slash = strchr(ver, '/');
	char rel[300];
	if (!slash || slash == ver || slash - ver > 64 || !signal_static_path_ok(slash + 1))
		return not_found(wsi, pss);
	for (const char *c = ver; c < slash; c++)
		if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
			return not_found(wsi, pss);
	snprintf(rel, sizeof rel, "assets/%s", slash + 1);
	bool current = is_current_version(g, ver, (size_t)(slash - ver));
	return serve_static(s, wsi, pss, g, rel, current);
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

/* /admin/…: the tenant's usage statistics (admin.c decides; this sends). */
static int serve_admin(struct signal *s, struct lws *wsi, struct signal_pss *pss, const struct signal_tenant *t,
                       const char *path)
{
	struct signal_admin_reply *a = malloc(sizeof *a);
	if (!a)
		return 1;
	signal_admin(s, wsi, t, path, a);
	unsigned char buf[LWS_PRE + 10240], *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
	int bad = !a->body || lws_add_http_common_headers(wsi, a->status, a->type, a->len, &p, end) ||
	          add_header(wsi, "cache-control:", "no-store", &p, end) || add_csp(wsi, pss, &p, end) ||
	          (a->location[0] && add_header(wsi, "location:", a->location, &p, end)) ||
	          (a->cookie[0] && add_header(wsi, "set-cookie:", a->cookie, &p, end)) ||
	          (a->disposition[0] && add_header(wsi, "content-disposition:", a->disposition, &p, end)) ||
	          (a->www_authenticate && add_header(wsi, "www-authenticate:", "Bearer realm=\"plenum\"", &p, end)) ||
	          lws_finalize_write_http_header(wsi, start, &p, end);
	char *body = a->body;
	size_t len = a->len;
	explicit_bzero(a->cookie, sizeof a->cookie);
	free(a);
	if (bad) {
		free(body);
		return 1;
	}
	pss_clear(pss);
	pss->body = body;
	return send_body(wsi, pss, (const unsigned char *)body, len);
}

#define NOT_OURS 2
/* What a tenant has of its own: site.json, brand.css (when it has colours), its logo; and the
 * embedding API. NOT_OURS for every other path. */
static int tenant_file(struct signal *s, struct lws *wsi, struct signal_pss *pss, const struct signal_tenant *t,
                       const char *path)
{
	const char *rel = path;
	bool immutable = false;   /* a versioned URL of today's version (which covers the tenants' texts) */
	if (strncmp(path, SIGNAL_STATIC_PREFIX, strlen(SIGNAL_STATIC_PREFIX)) == 0) {
		const char *ver = path + strlen(SIGNAL_STATIC_PREFIX), *slash = strchr(ver, '/');
		if (!slash)
			return NOT_OURS;
		rel = slash;   /* "/<file>" below assets/ */
		immutable = is_current_version(s->files, ver, (size_t)(slash - ver));
	} else if (strncmp(path, "/assets/", 8) == 0) {
		rel = path + 7;
	} else if (strncmp(path, "/admin/", 7) == 0) {
		return serve_admin(s, wsi, pss, t, path);
	} else if (strcmp(path, "/api/plenum-embed.js") == 0) {
		return serve_static(s, wsi, pss, current_files(s), "api/plenum-embed.js", false);
	} else {
		return NOT_OURS;
	}
	const char *cache = immutable ? IMMUTABLE : "no-cache";
	if (strcmp(rel, "/site.json") == 0)
		return respond_copy(wsi, pss, "application/json", t->site_json, strlen(t->site_json), cache);
	if (strcmp(rel, "/css/brand.css") == 0 && t->brand_css)
		return respond_copy(wsi, pss, "text/css; charset=utf-8", t->brand_css, strlen(t->brand_css), cache);
	if (strcmp(rel, "/brand/logo") == 0) {
		if (!t->logo)
			return not_found(wsi, pss);
		return respond_copy(wsi, pss, t->logo_type, t->logo, t->logo_len, "no-cache");
	}
	return NOT_OURS;
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
	wish_body_free(&pss->offer);   /* a new request: no offer is being read */
	if (strncmp(path, SIGNAL_WHEP_PREFIX, strlen(SIGNAL_WHEP_PREFIX)) == 0 && signal_host_allowed(s, wsi))
		return signal_whep_request(s, wsi, pss, signal_tenant_for(s, wsi), path + strlen(SIGNAL_WHEP_PREFIX));
	bool whip = strncmp(path, SIGNAL_WHIP_PREFIX, strlen(SIGNAL_WHIP_PREFIX)) == 0;
	if (!whip && lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) <= 0 && !is_head(wsi))
		return respond_text(wsi, pss, 405, "text/plain; charset=utf-8", "method not allowed\n");
	/* /healthz answers any Host: load balancers probe by internal names, and it tells nothing */
	if (strcmp(path, "/healthz") != 0 && !signal_host_allowed(s, wsi))
		return respond_text(wsi, pss, 421, "text/plain; charset=utf-8",
		                    "this server does not serve that host name\n");
	struct signal_tenant *tenant = signal_tenant_for(s, wsi);
	pss->csp = signal_tenant_csp(tenant);
	if (!tenant && strcmp(path, "/healthz") && strcmp(path, "/metrics"))
		return respond_text(wsi, pss, 404, "text/html; charset=utf-8", unknown_host_page);
	if (whip)
		return signal_whip_request(s, wsi, pss, tenant, path + strlen(SIGNAL_WHIP_PREFIX));
	if (strncmp(path, SIGNAL_RECORDINGS_PREFIX, strlen(SIGNAL_RECORDINGS_PREFIX)) == 0)
		return signal_recordings_request(s, wsi, pss, tenant, path + strlen(SIGNAL_RECORDINGS_PREFIX));
	if (strncmp(path, SIGNAL_HLS_PREFIX, strlen(SIGNAL_HLS_PREFIX)) == 0 && tenant)
		return signal_hls_request(s, wsi, pss, tenant, path + strlen(SIGNAL_HLS_PREFIX));
	struct signal_static *g = strcmp(path, "/healthz") && strcmp(path, "/metrics") ? current_files(s) : NULL;
	int own = tenant ? tenant_file(s, wsi, pss, tenant, path) : NOT_OURS;
	if (own != NOT_OURS)
		return own;
	if (strcmp(path, "/") == 0)
		return serve_static(s, wsi, pss, g, "index.html", false);
	if (strcmp(path, "/healthz") == 0)
		return respond_text(wsi, pss, 200, "text/plain; charset=utf-8", "ok");
	if (strcmp(path, "/metrics") == 0)
		return serve_metrics(s, wsi, pss);
	if (strcmp(path, SIGNAL_WS_PATH) == 0)
		return respond_text(wsi, pss, 426, "text/plain; charset=utf-8",
		                    "WebSocket upgrade required (subprotocol " SIGNAL_WS_PROTOCOL ")\n");
	if (strncmp(path, SIGNAL_STATIC_PREFIX, strlen(SIGNAL_STATIC_PREFIX)) == 0)
		return serve_versioned(s, wsi, pss, g, path);
	if (strncmp(path, "/assets/", 8) == 0) {
		if (!signal_static_path_ok(path + 8))
			return not_found(wsi, pss);
		return serve_static(s, wsi, pss, g, path + 1, false);
	}
	if (strcmp(path, "/assets") == 0)
		return not_found(wsi, pss);
	if (is_single_segment(path))
		return serve_static(s, wsi, pss, g, "room.html", false);
	/* the public livestream of a room: the page reads its WHEP token from the fragment */
	if (strncmp(path, LIVE_PREFIX, strlen(LIVE_PREFIX)) == 0 && is_single_segment(path + strlen(LIVE_PREFIX) - 1))
		return serve_static(s, wsi, pss, g, "live.html", false);
	return not_found(wsi, pss);
}

static int write_body(struct lws *wsi, struct signal_pss *pss)
{
	if (!pss->data)
		return 0;
	unsigned char buf[LWS_PRE + 16384];
	size_t left = pss->body_len - pss->body_sent;
	size_t n = left < sizeof buf - LWS_PRE ? left : sizeof buf - LWS_PRE;
	memcpy(buf + LWS_PRE, pss->data + pss->body_sent, n);
	bool last = n == left;
	if (lws_write(wsi, buf + LWS_PRE, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
		return -1;
	pss->body_sent += n;
	if (!last) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	pss_clear(pss);
	return pss->close_after || lws_http_transaction_completed(wsi) ? -1 : 0;
}

int signal_http_callback(struct signal *s, struct lws *wsi, enum lws_callback_reasons reason,
                         struct signal_pss *pss, void *in, size_t len)
{
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return route(s, wsi, pss, in ? (const char *)in : "/");
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return write_body(wsi, pss);
	case LWS_CALLBACK_HTTP_BODY:
		return pss ? wish_body_add(&pss->offer, in, len) : 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		/* the offer of a POST: what it is for decides */
		if (pss && pss->offer.post == WISH_WHIP)
			return signal_whip_offer(s, wsi, pss);
		if (pss && pss->offer.post == WISH_WHEP)
			return signal_whep_offer(s, wsi, pss);
		return 0;
	case LWS_CALLBACK_HTTP_FILE_COMPLETION:
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	case LWS_CALLBACK_CLOSED_HTTP:
		if (pss) {
			pss_clear(pss);
			wish_body_free(&pss->offer);
		}
		return 0;
	default:
		return 0;
	}
}
