/* signal_tenant: a town as the web server sees it (tenants.c). Private to src/signal/. */
#ifndef PLENUM_SIGNAL_SIGNAL_TENANT_H
#define PLENUM_SIGNAL_SIGNAL_TENANT_H

#include <jansson.h>

#include "signal/protocol.h"
#include "signal/signal_int.h"

struct signal_tenant {
	char id[SIGNAL_TENANT_ID_MAX + 1];
	char *hosts[SIGNAL_TENANT_HOSTS_MAX];
	size_t n_hosts;
	char *site_json;                 /* /assets/site.json for this tenant */
	char *brand_css;                 /* /assets/css/brand.css; NULL: the web root's file */
	unsigned char *logo;             /* /assets/brand/logo; NULL: none */
	size_t logo_len;
	const char *logo_type;
	char *csp;                       /* "frame-ancestors …": who may embed its pages */
	char *admin_token;               /* /admin/stats; NULL: only admin tokens of its portal */
	char name[65];                   /* display name ("plenum" when none) */
	char language[3];                /* "de", "en" or "" */
	struct proto_tenant *proto;      /* rooms, limits, token keys */
};

/* All the tenants' site.json and brand.css texts in one string (malloc'd; NULL without memory). */
char *signal_tenants_fingerprint(const struct signal_config *cfg);
/* Builds the tenants of cfg (one implicit "default" when it has none). 0 or an errno (logged). */
int signal_tenants_init(struct signal *s, const struct signal_config *cfg);
void signal_tenants_free(struct signal *s);
/* The tenant of a request's Host; the default tenant when no tenant lists it; NULL when there is
 * none (tenants configured, no default-tenant): such requests get a 404 page. */
struct signal_tenant *signal_tenant_for(struct signal *s, struct lws *wsi);
/* Whether a tenant lists this (lower-case) host name. */
bool signal_tenant_host(const struct signal *s, const char *host);
/* The Content-Security-Policy value that says who may frame t's pages (t NULL: nobody). */
const char *signal_tenant_csp(const struct signal_tenant *t);

#endif
