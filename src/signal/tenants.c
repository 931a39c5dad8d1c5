/* tenants: the towns of one server as the web sees them — chosen by the request's host name,
 * each with its own site.json (name, logo, legal links, language, welcome text, policy), brand.css
 * (colours checked at start), logo, frame-ancestors (the origins that may embed it) and admin
 * token; the protocol's view of the same tenant (rooms, limits, token keys) hangs off it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "signal/signal_tenant.h"

#define FRAME_NONE "frame-ancestors 'none'"

static char *site_json(const struct signal_tenant_config *t, const struct signal_config *cfg)
{
	json_t *origins = json_array();
	for (size_t i = 0; origins && i < t->n_embed_origins; i++)
		json_array_append_new(origins, json_string(t->embed_origins[i]));
	const char *imprint = t->imprint_url ? t->imprint_url : cfg->imprint_url;
	const char *privacy = t->privacy_url ? t->privacy_url : cfg->privacy_url;
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "tenant", t->id,
	                      "name", t->name ? t->name : "plenum", "logo_url", t->logo ? "/assets/brand/logo" : "",
	                      "imprint_url", imprint ? imprint : "", "privacy_url", privacy ? privacy : "",
	                      "language", t->language ? t->language : "", "welcome", t->welcome ? t->welcome : "",
	                      "open_rooms", t->token_required ? "token" : "anyone", "embed_origins", origins);
	char *text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
	json_decref(j);
	return text;
}

static char *brand_css(const struct signal_tenant_config *t)
{
	if (!t->color[0])
		return NULL;
	char *css = NULL;
	if (asprintf(&css, "/* The brand of %s (plenum's configuration, [tenant %s]). */\n:root {\n  --brand: %s;\n"
	             "  --brand-strong: %s;\n  --brand-contrast: %s;\n  --brand-soft: %s;\n}\n", t->id, t->id,
	             t->color, t->color_strong, t->color_contrast, t->color_soft) < 0)
		return NULL;
	return css;
}

static char *frame_ancestors(const struct signal_tenant_config *t)
{
	if (!t->n_embed_origins)
		return strdup(FRAME_NONE);
	size_t len = sizeof "frame-ancestors";
	for (size_t i = 0; i < t->n_embed_origins; i++)
		len += strlen(t->embed_origins[i]) + 1;
	char *v = malloc(len);
	if (!v)
		return NULL;
	strcpy(v, "frame-ancestors");
	for (size_t i = 0; i < t->n_embed_origins; i++) {
		strcat(v, " ");
		strcat(v, t->embed_origins[i]);
	}
	return v;
}

static int tenant_init(struct signal *s, struct signal_tenant *st, const struct signal_tenant_config *t,
                       const struct signal_config *cfg)
{
	snprintf(st->id, sizeof st->id, "%s", t->id);
	snprintf(st->name, sizeof st->name, "%s", t->name ? t->name : "plenum");
	snprintf(st->language, sizeof st->language, "%s", t->language ? t->language : "");
	st->n_hosts = t->n_hosts;
	for (size_t i = 0; i < t->n_hosts; i++)
		if (!(st->hosts[i] = strdup(t->hosts[i])))
			return ENOMEM;
	st->site_json = site_json(t, cfg);
	st->brand_css = brand_css(t);
	st->csp = frame_ancestors(t);
	if (!st->site_json || !st->csp || (t->color[0] && !st->brand_css))
		return ENOMEM;
	if (t->logo) {
		if (!(st->logo = malloc(t->logo_len)))
			return ENOMEM;
		memcpy(st->logo, t->logo, t->logo_len);
		st->logo_len = t->logo_len;
		st->logo_type = t->logo_type;
	}
	if (t->admin_token && !(st->admin_token = strdup(t->admin_token)))
		return ENOMEM;
	struct proto_tenant_config pc = {
		.id = t->id, .max_room_participants = t->max_room_participants, .max_rooms = t->max_rooms,
		.token_required = t->token_required, .token_secret = t->token_secret,
		.token_secret_len = t->token_secret_len, .token_public_pem = t->token_public_pem,
	};
	memcpy(pc.out_off, t->out_off, sizeof pc.out_off);
	return proto_server_add_tenant(s->proto, &pc, &st->proto);
}

static const struct signal_tenant_config implicit = { .id = "default" };

char *signal_tenants_fingerprint(const struct signal_config *cfg)
{
	size_t n = cfg->n_tenants ? cfg->n_tenants : 1;
	char *all = strdup("");
	for (size_t i = 0; all && i < n; i++) {
		const struct signal_tenant_config *t = cfg->n_tenants ? &cfg->tenants[i] : &implicit;
		char *site = site_json(t, cfg), *css = brand_css(t), *next = NULL;
		if (site && asprintf(&next, "%s%s\n%s", all, site, css ? css : "") < 0)
			next = NULL;
		free(site);
		free(css);
		free(all);
		all = next;
	}
	return all;
}

int signal_tenants_init(struct signal *s, const struct signal_config *cfg)
{
	size_t n = cfg->n_tenants ? cfg->n_tenants : 1;
	s->tenants = calloc(n, sizeof *s->tenants);
	if (!s->tenants)
		return ENOMEM;
	s->n_tenants = n;
	for (size_t i = 0; i < n; i++) {
		const struct signal_tenant_config *t = cfg->n_tenants ? &cfg->tenants[i] : &implicit;
		int err = tenant_init(s, &s->tenants[i], t, cfg);
		if (err) {
			log_error("signal", "tenant %s: %s", t->id, strerror(err));
			return err;
		}
		if (!cfg->n_tenants || (cfg->default_tenant && strcmp(cfg->default_tenant, t->id) == 0))
			s->default_tenant = &s->tenants[i];
	}
	return 0;
}

void signal_tenants_free(struct signal *s)
{
	for (size_t i = 0; s->tenants && i < s->n_tenants; i++) {
		struct signal_tenant *t = &s->tenants[i];
		for (size_t h = 0; h < t->n_hosts; h++)
			free(t->hosts[h]);
		free(t->site_json);
		free(t->brand_css);
		free(t->csp);
		free(t->logo);
		if (t->admin_token) {
			explicit_bzero(t->admin_token, strlen(t->admin_token));
			free(t->admin_token);
		}
	}
	free(s->tenants);
	s->tenants = NULL;
	s->n_tenants = 0;
}

bool signal_tenant_host(const struct signal *s, const char *host)
{
	for (size_t i = 0; i < s->n_tenants; i++)
		for (size_t h = 0; h < s->tenants[i].n_hosts; h++)
			if (strcmp(host, s->tenants[i].hosts[h]) == 0)
				return true;
	return false;
}

struct signal_tenant *signal_tenant_for(struct signal *s, struct lws *wsi)
{
	char text[300];
	struct signal_origin a;
	int total = lws_hdr_total_length(wsi, WSI_TOKEN_HOST);
	if (total > 0 && (size_t)total < sizeof text && lws_hdr_copy(wsi, text, sizeof text, WSI_TOKEN_HOST) == total &&
	    signal_authority_parse(text, false, &a) == 0)
		for (size_t i = 0; i < s->n_tenants; i++)
			for (size_t h = 0; h < s->tenants[i].n_hosts; h++)
				if (strcmp(a.host, s->tenants[i].hosts[h]) == 0)
					return &s->tenants[i];
	return s->default_tenant;
}

const char *signal_tenant_csp(const struct signal_tenant *t)
{
	return t ? t->csp : FRAME_NONE;
}

size_t signal_tenant_metrics(const struct signal *s, char *out, size_t cap)
{
	return proto_server_tenant_metrics(s->proto, out, cap);
}
