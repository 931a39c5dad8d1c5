/* admin: /admin/stats (a page with charts) and /admin/stats.csv — the usage statistics of the
 * request's tenant, for its administrators only: the tenant's admin token, or a host token of its
 * portal with "admin": true, given as `Authorization: Bearer …`, as the cookie this sets, or once
 * as ?token=… (answered with the cookie and a redirect to the address without it). Refusals are
 * budgeted server-wide; tokens are never logged. */
#include <errno.h>
#include <openssl/crypto.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/jwt.h"
#include "base/clock.h"
#include "base/strbuf.h"
#include "signal/proto_int.h"
#include "signal/signal_admin.h"
#include "stats/usage.h"

#define COOKIE "plenum_admin"
#define TOKEN_MAX 8192
#define DAYS_DEFAULT 30
#define DAYS_MAX 366
#define REFUSALS_PER_MIN 20
#define CSV_CAP (64 * 1024)

static bool token_ok(const struct signal_tenant *t, const char *token, size_t len)
{
	if (t->admin_token && strlen(t->admin_token) == len && CRYPTO_memcmp(t->admin_token, token, len) == 0)
		return true;
	struct proto_tenant *pt = t->proto;
	if (!pt || !pt->n_keys || len > TOKEN_MAX)
		return false;
	struct jwt_claims claims;
	return jwt_verify(token, len, (const struct jwt_key *const *)pt->keys, pt->n_keys, t->id, (int64_t)time(NULL),
	                  30, &claims) == JWT_OK && claims.admin;
}

/* The credential of the request: Bearer, the cookie, or ?token= (*from_query). Into buf; NULL when none. */
static const char *credential(struct lws *wsi, char *buf, size_t cap, bool *from_query)
{
	*from_query = false;
	int n = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
	if (n > 7 && (size_t)n < cap && lws_hdr_copy(wsi, buf, (int)cap, WSI_TOKEN_HTTP_AUTHORIZATION) == n &&
	    strncasecmp(buf, "Bearer ", 7) == 0)
		return buf + 7;
	n = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_COOKIE);
	if (n > 0 && (size_t)n < cap && lws_hdr_copy(wsi, buf, (int)cap, WSI_TOKEN_HTTP_COOKIE) == n) {
		for (char *p = buf; (p = strstr(p, COOKIE "=")) != NULL; p++)
			if (p == buf || p[-1] == ' ' || p[-1] == ';') {
				char *v = p + strlen(COOKIE "=");
				v[strcspn(v, "; ")] = '\0';
				return v;
			}
	}
	const char *v = lws_get_urlarg_by_name(wsi, "token=", buf, (int)cap);
	if (v && *v) {
		*from_query = true;
		return v;
	}
	return NULL;
}

static unsigned days_param(struct lws *wsi)
{
	char arg[TOKEN_MAX + 64];   /* lws copies each argument into it on the way: room for a token */
	const char *v = lws_get_urlarg_by_name(wsi, "days=", arg, sizeof arg);
	if (!v || !*v)
		return DAYS_DEFAULT;
	char *end;
	long n = strtol(v, &end, 10);
	return *end || n < 1 ? DAYS_DEFAULT : n > DAYS_MAX ? DAYS_MAX : (unsigned)n;
}

static void text(struct signal_admin_reply *out, unsigned status, const char *type, const char *body)
{
	out->status = status;
	out->type = type;
	out->body = strdup(body);
	out->len = out->body ? strlen(body) : 0;
}

/* A refusal, within a server-wide budget: past it, 429 for the rest of the minute. */
static bool refusals_exhausted(struct signal *s)
{
	uint64_t now = clock_mono_us();
	if (now - s->admin_window_us > 60000000u) {
		s->admin_window_us = now;
		s->admin_refused = 0;
	}
	return ++s->admin_refused > REFUSALS_PER_MIN;
}

void signal_admin(struct signal *s, struct lws *wsi, const struct signal_tenant *t, const char *path,
                  struct signal_admin_reply *out)
{
	memset(out, 0, sizeof *out);
	bool csv = strcmp(path, "/admin/stats.csv") == 0;
	if (!csv && strcmp(path, "/admin/stats") != 0) {
		text(out, 404, "text/plain; charset=utf-8", "not found\n");
		return;
	}
	if (!s->usage) {
		text(out, 404, "text/plain; charset=utf-8", "usage statistics are off on this server\n");
		return;
	}
	char buf[TOKEN_MAX + 64];
	bool from_query;
	const char *cred = credential(wsi, buf, sizeof buf, &from_query);
	if (!cred || !token_ok(t, cred, strlen(cred))) {
		if (refusals_exhausted(s)) {
			text(out, 429, "text/plain; charset=utf-8", "too many refused requests; try again in a minute\n");
			return;
		}
		if (log_limit_allow(&s->log_admin, clock_mono_us()))
			log_info("signal", "a request for the usage statistics without a valid admin token was refused");
		text(out, cred ? 403 : 401, "text/plain; charset=utf-8", cred ? "this token does not open the statistics\n"
		     : "the statistics need the town's admin token (Authorization: Bearer …, or ?token=…)\n");
		out->www_authenticate = !cred;
		return;
	}
	if (from_query && cred[strspn(cred, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=")]) {
		explicit_bzero(buf, sizeof buf);
		text(out, 400, "text/plain; charset=utf-8", "use this token with Authorization: Bearer\n");
		return;
	}
	if (from_query) {
		/* the token leaves the address bar (and the history) at once; the cookie carries it */
		snprintf(out->cookie, sizeof out->cookie, COOKIE "=%s; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=3600%s",
		         cred, lws_is_ssl(wsi) ? "; Secure" : "");
		snprintf(out->location, sizeof out->location, "%s?days=%u", path, days_param(wsi));
		explicit_bzero(buf, sizeof buf);
		text(out, 303, "text/plain; charset=utf-8", "see the statistics\n");
		return;
	}
	explicit_bzero(buf, sizeof buf);
	unsigned days = days_param(wsi);
	struct usage_day *rows = calloc(days, sizeof *rows);
	size_t n = rows ? usage_days(s->usage, t->id, days, rows, days) : 0;
	size_t cap = csv ? CSV_CAP + days * 256 : usage_html_cap(n, t->name);
	char *body = rows ? malloc(cap) : NULL;
	struct strbuf sb;
	int err = ENOMEM;
	if (body) {
		strbuf_init(&sb, body, cap);
		err = csv ? usage_csv(rows, n, s->usage_threshold, &sb)
		          : usage_html(rows, n, s->usage_threshold, t->name, t->language[0] ? t->language : "de", &sb);
	}
	free(rows);
	if (err) {
		free(body);
		text(out, 500, "text/plain; charset=utf-8", "the statistics could not be written\n");
		return;
	}
	out->status = 200;
	out->type = csv ? "text/csv; charset=utf-8" : "text/html; charset=utf-8";
	out->body = body;
	out->len = sb.len;
	if (csv)
		snprintf(out->disposition, sizeof out->disposition, "attachment; filename=\"plenum-%s-%u-days.csv\"", t->id,
		         days);
}
