/* server: the libwebsockets context on the application's libuv loop — one vhost, two protocols
 * (HTTP in protocols[0], "plenum.v1" WebSocket), security headers, lws logs into plenum's log. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <jansson.h>
#include <string.h>

#include "base/log.h"
#include "signal/signal_int.h"

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct lws_context *ctx = lws_get_context(wsi);
	struct signal *s = ctx ? lws_context_user(ctx) : NULL;
	struct signal_pss *pss = user;
	if (!s)
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return signal_ws_allowed(wsi) ? 0 : 1;
	case LWS_CALLBACK_ESTABLISHED:
	case LWS_CALLBACK_RECEIVE:
	case LWS_CALLBACK_SERVER_WRITEABLE:
	case LWS_CALLBACK_CLOSED:
		return signal_ws_callback(s, wsi, reason, pss, in, len);
	case LWS_CALLBACK_HTTP:
	case LWS_CALLBACK_HTTP_WRITEABLE:
	case LWS_CALLBACK_HTTP_FILE_COMPLETION:
	case LWS_CALLBACK_CLOSED_HTTP:
		return signal_http_callback(s, wsi, reason, pss, in, len);
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static const struct lws_protocols protocols[] = {
	{ "http", callback, sizeof(struct signal_pss), 0, 0, NULL, 0 },
	{ SIGNAL_WS_PROTOCOL, callback, sizeof(struct signal_pss), 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

/* Added to every HTTP response. */
static const struct lws_protocol_vhost_options hdr_referrer = {
	NULL, NULL, "referrer-policy:", "no-referrer"
};
static const struct lws_protocol_vhost_options hdr_nosniff = {
	&hdr_referrer, NULL, "x-content-type-options:", "nosniff"
};
static const struct lws_protocol_vhost_options security_headers = {
	&hdr_nosniff, NULL, "content-security-policy:",
	"default-src 'self'; connect-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
};

/* Idle WebSockets get a ping after 30 s and are closed when nothing came back for 60 s. */
static const lws_retry_bo_t idle_policy = {
	.secs_since_valid_ping = 30,
	.secs_since_valid_hangup = 60,
};

/* lws' own lines go to plenum's log; they can name peers, so below errors only at debug. */
static void lws_log_emit(int level, const char *line)
{
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (level & LLL_ERR)
		log_warn("lws", "%.*s", (int)n, line);
	else
		log_debug("lws", "%.*s", (int)n, line);
}

int signal_new(struct signal **out, uv_loop_t *loop, struct sfu *sfu, const struct signal_config *cfg,
               signal_metrics_fn metrics, void *metrics_arg)
{
	if (!cfg || !cfg->web_root || !loop)
		return EINVAL;
	struct signal *s = calloc(1, sizeof *s);
	if (!s)
		return ENOMEM;
	s->loop = loop;
	s->sfu = sfu;
	s->metrics = metrics;
	s->metrics_arg = metrics_arg;
	json_t *site = json_pack("{s:s, s:s}", "imprint_url", cfg->imprint_url ? cfg->imprint_url : "",
	                         "privacy_url", cfg->privacy_url ? cfg->privacy_url : "");
	s->site_json = site ? json_dumps(site, JSON_INDENT(2)) : NULL;
	json_decref(site);
	s->web_root = realpath(cfg->web_root, NULL);
	if (!s->web_root) {
		int err = errno;
		log_error("signal", "web root %s: %s", cfg->web_root, strerror(err));
		free(s);
		return err;
	}
	int perr = proto_server_new(&s->proto, sfu, &s->stats);
	if (perr) {
		free(s->web_root);
		free(s);
		return perr;
	}

	lws_set_log_level(LLL_ERR | LLL_WARN | (log_get_level() <= LOG_LEVEL_DEBUG ? LLL_NOTICE : 0),
	                  lws_log_emit);

	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	void *loops[] = { loop };
	const char *host = cfg->listen_host ? cfg->listen_host : "127.0.0.1";
	info.iface = host;
	info.port = cfg->listen_port;
	info.protocols = protocols;
	info.headers = &security_headers;
	info.server_string = "plenum";
	info.user = s;
	info.foreign_loops = loops;
	info.pcontext = &s->ctx;   /* lws clears it once the context is wholly destroyed */
	info.retry_and_idle_policy = &idle_policy;
	info.alpn = "http/1.1";
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_VALIDATE_UTF8;
	if (strchr(host, '.'))
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	if (cfg->cert_path && cfg->key_path) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = cfg->cert_path;
		info.ssl_private_key_filepath = cfg->key_path;
	}
	s->ctx = lws_create_context(&info);
	if (!s->ctx) {
		log_error("signal", "cannot listen on port %u", (unsigned)cfg->listen_port);
		proto_server_free(s->proto);
		free(s->web_root);
		free(s);
		return EADDRNOTAVAIL;
	}
	s->vhost = lws_get_vhost_by_name(s->ctx, "default");
	log_info("signal", "listening on port %u (%s)", (unsigned)signal_port(s),
	         info.ssl_cert_filepath ? "https" : "http");
	*out = s;
	return 0;
}

void signal_free(struct signal *s)
{
	if (!s)
		return;
	if (s->ctx) {
		/* Closes every connection now (each ws_conn leaves its room); the libuv handles finish
		 * closing when the application next runs the loop: signal_finish completes it. */
		lws_context_destroy(s->ctx);
	}
}

void signal_finish(struct signal *s)
{
	if (!s)
		return;
	/* With a foreign loop, lws frees the context in a second destroy once its handles closed. */
	if (s->ctx)
		lws_context_destroy(s->ctx);
	/* every connection has closed (and left its meeting) by now */
	proto_server_free(s->proto);
	free(s->web_root);
	free(s->site_json);
	free(s);
}

unsigned signal_connections(const struct signal *s)
{
	return s ? s->n_ws : 0;
}

uint16_t signal_port(const struct signal *s)
{
	if (!s || !s->vhost)
		return 0;
	int port = lws_get_vhost_listen_port(s->vhost);
	return port > 0 && port <= 65535 ? (uint16_t)port : 0;
}
