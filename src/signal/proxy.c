/* proxy: who a request comes from behind a reverse proxy — X-Forwarded-For and X-Forwarded-Proto
 * believed only when the TCP peer is inside --trusted-proxy; everyone else's are ignored. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/clock.h"
#include "signal/signal_int.h"

#define PROTO_HDR "x-forwarded-proto:"

int signal_proxy_init(struct signal *s, const struct signal_config *cfg)
{
	s->log_fwd.per_sec = 5;
	if (!cfg->n_trusted_proxies)
		return 0;
	s->trusted = calloc(cfg->n_trusted_proxies, sizeof *s->trusted);
	if (!s->trusted)
		return ENOMEM;
	memcpy(s->trusted, cfg->trusted_proxies, cfg->n_trusted_proxies * sizeof *s->trusted);
	s->n_trusted = cfg->n_trusted_proxies;
	return 0;
}

void signal_proxy_free(struct signal *s)
{
	free(s->trusted);
	s->trusted = NULL;
	s->n_trusted = 0;
}

int signal_client_get(struct signal *s, struct lws *wsi, struct signal_client *out)
{
	memset(out, 0, sizeof *out);
	out->fwd = SIGNAL_FWD_ABSENT;
	if (signal_peer_addr(wsi, &out->family, out->addr) != 0)
		return -1;
	if (!signal_cidr_list_contains(s->trusted, s->n_trusted, out->family, out->addr))
		return 0;   /* not a proxy of ours: its headers are whatever the client wrote */
	out->via_proxy = true;
	int total = lws_hdr_total_length(wsi, WSI_TOKEN_X_FORWARDED_FOR);
	if (total <= 0)
		return 0;
	if (total > SIGNAL_FWD_TEXT_MAX) {
		out->fwd = SIGNAL_FWD_INVALID;
		return 0;
	}
	char *text = malloc((size_t)total + 1);
	if (!text) {
		out->fwd = SIGNAL_FWD_INVALID;
		return 0;
	}
	int n = lws_hdr_copy(wsi, text, total + 1, WSI_TOKEN_X_FORWARDED_FOR);
	int family;
	uint8_t addr[16];
	out->fwd = n == total ? signal_forwarded_for(text, (size_t)n, s->trusted, s->n_trusted, &family, addr)
	                      : SIGNAL_FWD_INVALID;
	free(text);
	if (out->fwd == SIGNAL_FWD_OK) {
		out->family = family;
		memset(out->addr, 0, sizeof out->addr);
		memcpy(out->addr, addr, family == AF_INET ? 4 : 16);
	}
	return 0;
}

void signal_client_note(struct signal *s, const struct signal_client *c)
{
	if (!c->via_proxy || c->fwd == SIGNAL_FWD_OK)
		return;
	if (c->fwd == SIGNAL_FWD_ABSENT)
		s->fwd_absent++;
	else
		s->fwd_invalid++;
	/* Without the header is what a local scraper or health check does (debug); an unreadable one
	 * is a proxy misconfigured or a client's junk passed on (info). Either way no address is logged. */
	if (!log_limit_allow(&s->log_fwd, clock_mono_us()))
		return;
	if (c->fwd == SIGNAL_FWD_ABSENT)
		log_debug("signal", "request from a trusted proxy without X-Forwarded-For: judged by the proxy's "
		          "address (%llu so far)", (unsigned long long)s->fwd_absent);
	else
		log_info("signal", "request from a trusted proxy with an unreadable X-Forwarded-For: judged by the "
		         "proxy's address (%llu so far)", (unsigned long long)s->fwd_invalid);
}

bool signal_request_https(struct signal *s, struct lws *wsi)
{
	int family;
	uint8_t addr[16];
	if (!s->n_trusted || signal_peer_addr(wsi, &family, addr) != 0 ||
	    !signal_cidr_list_contains(s->trusted, s->n_trusted, family, addr))
		return s->tls;
	char v[8];
	int n = lws_hdr_custom_length(wsi, PROTO_HDR, (int)strlen(PROTO_HDR));
	if (n <= 0 || (size_t)n >= sizeof v || lws_hdr_custom_copy(wsi, v, sizeof v, PROTO_HDR, (int)strlen(PROTO_HDR)) != n)
		return s->tls;
	if (strcasecmp(v, "https") == 0)
		return true;
	if (strcasecmp(v, "http") == 0)
		return false;
	return s->tls;
}
