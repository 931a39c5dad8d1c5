/* signal_admin: the administrators' pages of a tenant (admin.c). Private to src/signal/. */
#ifndef PLENUM_SIGNAL_SIGNAL_ADMIN_H
#define PLENUM_SIGNAL_SIGNAL_ADMIN_H

#include "signal/signal_tenant.h"

struct signal_admin_reply {
	unsigned status;
	const char *type;
	char *body;                      /* malloc'd; the caller sends and frees it */
	size_t len;
	char location[96];               /* a 303's target, or "" */
	char cookie[8400];               /* a Set-Cookie value, or "" */
	char disposition[128];           /* a Content-Disposition value, or "" */
	bool www_authenticate;           /* a 401: say "Bearer" */
};

/* The answer to GET path ("/admin/stats" or "/admin/stats.csv", others 404) for tenant t. */
void signal_admin(struct signal *s, struct lws *wsi, const struct signal_tenant *t, const char *path,
                  struct signal_admin_reply *out);

#endif
