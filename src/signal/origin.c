/* origin: which browsers' pages may open a signaling session here — Origin (RFC 6454) compared by
 * scheme, host and port with this server's own origins, and Host (RFC 9110 §7.2) against DNS rebinding. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/clock.h"
#include "signal/signal_int.h"
#include "signal/signal_tenant.h"

#define HOST_MAX 255

static bool host_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
	       ch == '.';
}

static bool ipv6_char(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F') || ch == ':' ||
	       ch == '.';
}

/* "host[:port]" or "[v6]:port": the host lower-cased (brackets kept off), port 0 when absent. */
int signal_authority_parse(const char *text, bool https, struct signal_origin *out)
{
	memset(out, 0, sizeof *out);
	out->https = https;
	const char *p = text, *host, *host_end;
	if (*p == '[') {
		host = ++p;
		while (ipv6_char(*p))
			p++;
		if (*p != ']' || p == host)
			return -1;
		host_end = p++;
	} else {
		host = p;
		while (host_char(*p))
			p++;
		host_end = p;
		if (host_end == host)
			return -1;
	}
	size_t n = (size_t)(host_end - host);
	if (n > HOST_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		out->host[i] = (char)tolower((unsigned char)host[i]);
	out->host[n] = '\0';
	if (*p == ':') {
		p++;
		unsigned long port = 0;
		const char *digits = p;
		while (*p >= '0' && *p <= '9' && p - digits < 6)
			port = port * 10 + (unsigned long)(*p++ - '0');
		if (p == digits || port == 0 || port > 65535)
			return -1;
		out->port = (uint16_t)port;
	}
	return *p == '\0' ? 0 : -1;
}

/* "http://host[:port]" or "https://…" (RFC 6454 §7: no path); the port is filled in by scheme. */
int signal_origin_parse(const char *text, struct signal_origin *out)
{
	bool https;
	if (strncasecmp(text, "https://", 8) == 0)
		https = true;
	else if (strncasecmp(text, "http://", 7) == 0)
		https = false;
	else
		return -1;
	if (signal_authority_parse(text + (https ? 8 : 7), https, out) != 0)
		return -1;
	if (!out->port)
		out->port = https ? 443 : 80;
	return 0;
}

int signal_origin_check(const char *text)
{
	struct signal_origin o;
	return signal_origin_parse(text, &o);
}

static bool origin_equal(const struct signal_origin *a, const struct signal_origin *b)
{
	return a->https == b->https && a->port == b->port && strcmp(a->host, b->host) == 0;
}

static bool is_ip_literal(const char *host)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static bool is_local_name(const struct signal *s, const char *host)
{
	if (strcmp(host, "localhost") == 0 || strcmp(host, "127.0.0.1") == 0 || strcmp(host, "::1") == 0)
		return true;
	return strcasecmp(host, s->listen_host) == 0;
}

/* The host of a Host header names this server: a configured name, an allowed origin's host, the
 * listen address or a localhost form; with no --server-name also any IP literal (a rebinding
 * attack needs a DNS name). */
static bool host_name_ok(const struct signal *s, const char *host)
{
	if (is_local_name(s, host))
		return true;
	for (size_t i = 0; i < s->n_server_names; i++)
		if (strcmp(host, s->server_names[i]) == 0)
			return true;
	for (size_t i = 0; i < s->n_allowed; i++)
		if (strcmp(host, s->allowed[i].host) == 0)
			return true;
	if (signal_tenant_host(s, host))
		return true;
	return s->n_server_names == 0 && is_ip_literal(host);
}

/* Copies a header; -1 when present but too long for buf (never treated as absent), 0 absent. */
static int header(struct lws *wsi, enum lws_token_indexes tok, char *buf, size_t cap)
{
	int total = lws_hdr_total_length(wsi, tok);
	if (total <= 0)
		return 0;
	if ((size_t)total >= cap || lws_hdr_copy(wsi, buf, (int)cap, tok) != total)
		return -1;
	return 1;
}

bool signal_host_allowed(struct signal *s, struct lws *wsi)
{
	char host[HOST_MAX + 16];
	int h = header(wsi, WSI_TOKEN_HOST, host, sizeof host);
	if (h == 0)
		return true;
	struct signal_origin a;
	if (h < 0 || signal_authority_parse(host, false, &a) != 0 || !host_name_ok(s, a.host)) {
		if (log_limit_allow(&s->log_refused, clock_mono_us()))
			log_info("signal", "request for a host name this server does not serve refused "
			         "(see --server-name)");
		return false;
	}
	return true;
}

bool signal_origin_allowed(struct signal *s, struct lws *wsi)
{
	char text[HOST_MAX + 32], host[HOST_MAX + 16];
	int o = header(wsi, WSI_TOKEN_ORIGIN, text, sizeof text);
	if (o == 0)
		return true;   /* not a browser: tools and tests send no Origin */
	struct signal_origin origin, own;
	if (o < 0 || signal_origin_parse(text, &origin) != 0)
		return false;
	for (size_t i = 0; i < s->n_allowed; i++)
		if (origin_equal(&origin, &s->allowed[i]))
			return true;
	/* This server's own origin: the scheme the browser used (what this server serves, or behind a
	 * trusted TLS-terminating proxy its X-Forwarded-Proto), the Host the browser addressed (which
	 * the proxy passes on). */
	bool https = signal_request_https(s, wsi);
	if (header(wsi, WSI_TOKEN_HOST, host, sizeof host) <= 0 || signal_authority_parse(host, https, &own) != 0)
		return false;
	if (!own.port)
		own.port = https ? 443 : 80;
	return origin_equal(&origin, &own);
}

int signal_origins_init(struct signal *s, const struct signal_config *cfg)
{
	snprintf(s->listen_host, sizeof s->listen_host, "%s", cfg->listen_host ? cfg->listen_host : "127.0.0.1");
	if (cfg->n_allowed_origins) {
		s->allowed = calloc(cfg->n_allowed_origins, sizeof *s->allowed);
		if (!s->allowed)
			return ENOMEM;
	}
	for (size_t i = 0; i < cfg->n_allowed_origins; i++) {
		if (signal_origin_parse(cfg->allowed_origins[i], &s->allowed[s->n_allowed]) != 0) {
			log_error("signal", "allowed origin '%s' is not scheme://host[:port]", cfg->allowed_origins[i]);
			return EINVAL;
		}
		s->n_allowed++;
	}
	if (cfg->n_server_names) {
		s->server_names = calloc(cfg->n_server_names, sizeof *s->server_names);
		if (!s->server_names)
			return ENOMEM;
	}
	for (size_t i = 0; i < cfg->n_server_names; i++) {
		struct signal_origin a;
		if (signal_authority_parse(cfg->server_names[i], false, &a) != 0 || a.port) {
			log_error("signal", "server name '%s' is not a host name", cfg->server_names[i]);
			return EINVAL;
		}
		if (!(s->server_names[s->n_server_names] = strdup(a.host)))
			return ENOMEM;
		s->n_server_names++;
	}
	return 0;
}

void signal_origins_free(struct signal *s)
{
	for (size_t i = 0; i < s->n_server_names; i++)
		free(s->server_names[i]);
	free(s->server_names);
	free(s->allowed);
	s->server_names = NULL;
	s->allowed = NULL;
	s->n_server_names = s->n_allowed = 0;
}

int signal_request_base_url(struct signal *s, struct lws *wsi, char *out, size_t cap)
{
	char host[HOST_MAX + 16];
	struct signal_origin a;
	bool https = signal_request_https(s, wsi);
	out[0] = '\0';
	if (header(wsi, WSI_TOKEN_HOST, host, sizeof host) <= 0 || signal_authority_parse(host, https, &a) != 0)
		return -1;
	bool v6 = strchr(a.host, ':') != NULL;
	bool default_port = !a.port || a.port == (https ? 443 : 80);
	char port[8] = "";
	if (!default_port)
		snprintf(port, sizeof port, ":%u", (unsigned)a.port);
	int n = snprintf(out, cap, "%s://%s%s%s%s", https ? "https" : "http", v6 ? "[" : "", a.host, v6 ? "]" : "", port);
	if (n < 0 || (size_t)n >= cap) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}
