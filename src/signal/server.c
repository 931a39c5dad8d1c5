/* server: the libwebsockets context on the application's libuv loop — one vhost, two protocols
 * (HTTP in protocols[0], "plenum.v1" WebSocket), security headers (RFC 6797 HSTS), TLS suites,
 * timeouts, and lws' logs into plenum's log under a rate limit. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <jansson.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "signal/signal_int.h"
#include "signal/signal_tenant.h"
#include "signal/static_files.h"
#include "signal/whep.h"
#include "signal/whip.h"

#define HTTP_TIMEOUT_S 10        /* to send the request headers, and for a held header buffer */
#define HTTP_KEEPALIVE_S 5       /* an idle keep-alive connection is closed after this */

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct lws_context *ctx = lws_get_context(wsi);
	struct signal *s = ctx ? lws_context_user(ctx) : NULL;
	struct signal_pss *pss = user;
	if (!s)
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	switch (reason) {
	case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
		return signal_conns_filter(s, wsi, (int)(lws_intptr_t)in);
	case LWS_CALLBACK_WSI_CREATE:
		signal_conns_created(s, wsi);
		return 0;
	case LWS_CALLBACK_WSI_DESTROY:
		signal_conns_destroyed(s, wsi);
		return 0;
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return signal_ws_allowed(s, wsi) ? 0 : 1;
	case LWS_CALLBACK_ESTABLISHED:
	case LWS_CALLBACK_RECEIVE:
	case LWS_CALLBACK_SERVER_WRITEABLE:
	case LWS_CALLBACK_CLOSED:
		return signal_ws_callback(s, wsi, reason, pss, in, len);
	case LWS_CALLBACK_HTTP:
	case LWS_CALLBACK_HTTP_WRITEABLE:
	case LWS_CALLBACK_HTTP_FILE_COMPLETION:
	case LWS_CALLBACK_HTTP_BODY:
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
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

/* Added to every HTTP response (http.c adds a second Content-Security-Policy with the tenant's
 * frame-ancestors: browsers enforce both). The client uses camera, microphone, screen sharing, speaker
 * choice, autoplay, fullscreen and the clipboard (copying the link); everything else is off. */
static const struct lws_protocol_vhost_options hdr_permissions = {
	NULL, NULL, "permissions-policy:",
	"camera=(self), microphone=(self), display-capture=(self), speaker-selection=(self), "
	"autoplay=(self), fullscreen=(self), clipboard-write=(self), geolocation=(), payment=(), usb=(), "
	"serial=(), hid=(), bluetooth=(), midi=(), accelerometer=(), gyroscope=(), magnetometer=(), "
	"ambient-light-sensor=(), picture-in-picture=(), screen-wake-lock=(), idle-detection=(), "
	"publickey-credentials-get=(), xr-spatial-tracking=(), browsing-topics=()"
};
static const struct lws_protocol_vhost_options hdr_referrer = {
	&hdr_permissions, NULL, "referrer-policy:", "no-referrer"
};
static const struct lws_protocol_vhost_options hdr_nosniff = {
	&hdr_referrer, NULL, "x-content-type-options:", "nosniff"
};
static const struct lws_protocol_vhost_options security_headers = {
	&hdr_nosniff, NULL, "content-security-policy:",
	"default-src 'self'; connect-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
	"object-src 'none'; base-uri 'none'"
};
/* Only over TLS (RFC 6797 §7.2: not over plain HTTP); one year, no preload (the operator's choice). */
static const struct lws_protocol_vhost_options tls_headers = {
	&security_headers, NULL, "strict-transport-security:", "max-age=31536000"
};

/* TLS 1.2: forward-secret AEAD suites only (no CBC, no RSA key exchange); TLS 1.3 keeps its defaults. */
static const char tls12_ciphers[] =
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
	"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

/* Idle WebSockets get a ping after 30 s and are closed when nothing came back for 60 s. */
static const lws_retry_bo_t idle_policy = {
	.secs_since_valid_ping = 30,
	.secs_since_valid_hangup = 60,
};

/* lws' lines: an outsider can cause most of them, so a few a second at most (process-wide, as
 * lws' log hook is). */
static struct log_limit lws_log_limit = { .per_sec = 20 };

/* lws' own lines go to plenum's log; they can name peers, so below errors only at debug. A failed
 * accept (no fd left) drains one waiting connection, so the listener does not stay readable. */
static void lws_log_emit(int level, const char *line)
{
	int err = errno;
	if ((level & LLL_ERR) && (err == EMFILE || err == ENFILE) && strstr(line, "accept"))
		signal_conns_emfile();
	if (!log_limit_allow(&lws_log_limit, clock_mono_us()))
		return;
	if (lws_log_limit.dropped) {
		log_warn("lws", "%u lines of libwebsockets not logged (rate limit)", lws_log_limit.dropped);
		lws_log_limit.dropped = 0;
	}
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (level & LLL_ERR)
		log_warn("lws", "%.*s", (int)n, line);
	else
		log_debug("lws", "%.*s", (int)n, line);
}

static void on_sweep(uv_timer_t *t)
{
	struct signal *s = t->data;
	signal_ws_sweep(s, clock_mono_us());
	proto_server_tick(s->proto);
	signal_whip_sweep(s);
}

static void signal_release(struct signal *s)
{
	signal_whep_free(s);
	signal_whip_free(s);
	signal_tenants_free(s);
	signal_origins_free(s);
	signal_conns_free(s);
	signal_proxy_free(s);
	free(s->metrics_allow);
	signal_static_unref(s->files);
	free(s->web_root);
	free(s->recording_dir);
	free(s->live_dir);
	free(s->site_json);
	free(s);
}

static int copy_metrics_allow(struct signal *s, const struct signal_config *cfg)
{
	static const char *const loopback[] = { "127.0.0.0/8", "::1/128" };
	size_t n = cfg->n_metrics_allow ? cfg->n_metrics_allow : 2;
	s->metrics_allow = calloc(n, sizeof *s->metrics_allow);
	if (!s->metrics_allow)
		return ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (cfg->n_metrics_allow)
			s->metrics_allow[i] = cfg->metrics_allow[i];
		else if (signal_cidr_parse(loopback[i], &s->metrics_allow[i]) != 0)
			return EINVAL;
	}
	s->n_metrics_allow = n;
	return 0;
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
	s->tls = cfg->cert_path && cfg->key_path;
	int cerr = signal_origins_init(s, cfg);
	if (!cerr)
		cerr = copy_metrics_allow(s, cfg);
	if (!cerr)
		cerr = signal_proxy_init(s, cfg);
	if (cerr) {
		signal_origins_free(s);
		signal_proxy_free(s);
		free(s->metrics_allow);
		free(s);
		return cerr;
	}
	signal_conns_init(s, cfg);
	/* what the tenants' site.json and brand.css say goes into the web files' version: a changed
	 * configuration is a new version, so their versioned URLs may be kept for good */
	s->site_json = signal_tenants_fingerprint(cfg);
	s->live_dir = cfg->live_dir ? strdup(cfg->live_dir) : NULL;
	s->web_root = realpath(cfg->web_root, NULL);
	s->recording_dir = cfg->recording_dir ? strdup(cfg->recording_dir) : NULL;
	s->recording_keep_days = cfg->recording_keep_days ? cfg->recording_keep_days : 7;
	if (!s->web_root) {
		int err = errno;
		log_error("signal", "web root %s: %s", cfg->web_root, strerror(err));
		signal_release(s);
		return err;
	}
	/* the web root into memory (compressed, hashed); without it files are served from disk */
	int ferr = signal_static_new(&s->files, s->web_root, s->site_json, NULL);
	if (ferr)
		log_warn("signal", "web root %s not read into memory: %s", s->web_root, strerror(ferr));
	s->files_checked_us = clock_mono_us();
	int perr = proto_server_new(&s->proto, sfu, &s->stats);
	if (!perr && cfg->n_turn_uris) {
		struct proto_turn turn = {
			.uris = cfg->turn_uris, .n_uris = cfg->n_turn_uris, .secret = cfg->turn_secret,
			.secret_len = cfg->turn_secret_len, .ttl_s = cfg->turn_ttl_s, .force_relay = cfg->test_force_relay,
		};
		perr = proto_server_set_turn(s->proto, &turn);
		if (perr) {
			log_error("signal", "TURN settings refused: %s", strerror(perr));
			proto_server_free(s->proto);
		}
	}
	if (!perr && cfg->stream_secret &&
	    (perr = proto_server_set_stream_secret(s->proto, cfg->stream_secret, cfg->stream_secret_len)) != 0) {
		log_error("signal", "the stream secret cannot be used (HS256 needs at least 32 bytes)");
		proto_server_free(s->proto);
	}
	if (!perr) {
		proto_server_set_usage(s->proto, cfg->usage);
		proto_server_set_out(s->proto, cfg->out_ops, cfg->out_arg, cfg->out_off);
		s->usage = cfg->usage;
		s->usage_threshold = cfg->usage_threshold;
		s->log_admin.per_sec = 1;   /* an outsider's guesses cause these lines */
	}
	if (!perr && (perr = signal_tenants_init(s, cfg)) != 0)
		proto_server_free(s->proto);
	if (!perr && (perr = signal_whip_init(s)) != 0)
		proto_server_free(s->proto);
	if (perr) {
		signal_release(s);
		return perr;
	}

	lws_set_log_level(LLL_ERR | LLL_WARN | (log_get_level() <= LOG_LEVEL_DEBUG ? LLL_NOTICE : 0),
	                  lws_log_emit);

	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	void *loops[] = { loop };
	const char *host = cfg->listen_host ? cfg->listen_host : "127.0.0.1";
	info.iface = host;
	info.port = cfg->shared_listener ? CONTEXT_PORT_NO_LISTEN_SERVER : cfg->listen_port;
	s->shared_port = cfg->shared_listener ? cfg->listen_port : 0;
	info.protocols = protocols;
	info.headers = s->tls ? &tls_headers : &security_headers;
	info.server_string = "plenum";
	info.user = s;
	info.foreign_loops = loops;
	info.pcontext = &s->ctx;   /* lws clears it once the context is wholly destroyed */
	info.retry_and_idle_policy = &idle_policy;
	info.alpn = "http/1.1";
	info.timeout_secs = HTTP_TIMEOUT_S;
	info.timeout_secs_ah_idle = HTTP_TIMEOUT_S;
	info.keepalive_timeout = HTTP_KEEPALIVE_S;
	/* lws' table holds the connections, the listener and lws' own pipe; when it is full lws stops
	 * polling the listener instead of failing accepts. */
	info.fd_limit_per_thread = s->max_conns + 64;
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_VALIDATE_UTF8;
	if (strchr(host, '.'))
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	if (cfg->cert_path && cfg->key_path) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = cfg->cert_path;
		info.ssl_private_key_filepath = cfg->key_path;
		info.ssl_cipher_list = tls12_ciphers;
		info.ssl_options_set = SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_CIPHER_SERVER_PREFERENCE;
	}
	s->ctx = lws_create_context(&info);
	if (!s->ctx) {
		log_error("signal", "cannot listen on port %u", (unsigned)cfg->listen_port);
		proto_server_free(s->proto);
		signal_release(s);
		return EADDRNOTAVAIL;
	}
	uv_timer_init(loop, &s->sweep);
	s->sweep.data = s;
	uv_timer_start(&s->sweep, on_sweep, 1000, 1000);
	s->sweep_started = true;
	if (!s->n_server_names && strcmp(host, "127.0.0.1") != 0 && strcmp(host, "::1") != 0 &&
	    strcmp(host, "localhost") != 0)
		log_warn("signal", "no --server-name: only IP addresses and localhost are accepted in Host");
	s->vhost = lws_get_vhost_by_name(s->ctx, "default");
	log_info("signal", "listening on port %u (%s)", (unsigned)signal_port(s),
	         info.ssl_cert_filepath ? "https" : "http");
	if (cfg->n_turn_uris)
		log_info("signal", "TURN: %zu server URI(s) handed out, credentials valid %u s%s", cfg->n_turn_uris,
		         cfg->turn_ttl_s, cfg->test_force_relay ? "; TEST MODE: browsers are told to relay everything" : "");
	*out = s;
	return 0;
}

void signal_free(struct signal *s)
{
	if (!s)
		return;
	signal_whep_free(s);   /* the viewers end before the sfu does */
	if (s->sweep_started) {
		uv_timer_stop(&s->sweep);
		uv_close((uv_handle_t *)&s->sweep, NULL);
		s->sweep_started = false;
	}
	signal_whip_free(s);   /* the encoders leave their meetings, like the WebSockets below */
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
	signal_release(s);
}

/* A PEM file into memory: at most 1 MiB, NUL-terminated; NULL and errno on failure. */
static char *read_pem(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1u << 20;
	char *buf = malloc(cap + 1);
	size_t n = buf ? fread(buf, 1, cap + 1, f) : 0;
	int err = buf ? (ferror(f) ? EIO : n > cap ? EFBIG : 0) : ENOMEM;
	fclose(f);
	if (err || n == 0) {
		free(buf);
		errno = err ? err : EINVAL;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int signal_reload_tls(struct signal *s, const char *cert_path, const char *key_path)
{
	if (!s || !s->ctx || !s->tls || !cert_path || !key_path)
		return EINVAL;
	size_t cert_len = 0, key_len = 0;
	char *cert = read_pem(cert_path, &cert_len);
	if (!cert)
		return errno;
	char *key = read_pem(key_path, &key_len);
	if (!key) {
		int err = errno;
		free(cert);
		return err;
	}
	/* A pair that does not belong together must not replace the one in use. */
	int err = 0;
	SSL_CTX *check = SSL_CTX_new(TLS_server_method());
	BIO *cb = BIO_new_mem_buf(cert, (int)cert_len), *kb = BIO_new_mem_buf(key, (int)key_len);
	X509 *x = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
	EVP_PKEY *pk = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
	if (!check || !x || !pk || SSL_CTX_use_certificate(check, x) != 1 || SSL_CTX_use_PrivateKey(check, pk) != 1 ||
	    SSL_CTX_check_private_key(check) != 1)
		err = EINVAL;
	X509_free(x);
	EVP_PKEY_free(pk);
	BIO_free(cb);
	BIO_free(kb);
	SSL_CTX_free(check);
	if (!err && lws_tls_cert_updated(s->ctx, cert_path, key_path, cert, cert_len, key, key_len) != 0)
		err = EIO;
	OPENSSL_cleanse(key, key_len);
	free(key);
	free(cert);
	return err;
}

unsigned signal_connections(const struct signal *s)
{
	return s ? s->n_ws : 0;
}

int signal_adopt(struct signal *s, int fd)
{
	if (!s->vhost || signal_conns_filter(s, NULL, fd) != 0) {
		close(fd);
		return EBUSY;
	}
	/* lws closes the fd when it cannot adopt; the counted peer is forgotten at the next filter */
	return lws_adopt_socket_vhost(s->vhost, fd) ? 0 : EIO;
}

uint16_t signal_port(const struct signal *s)
{
	if (s && s->shared_port)
		return s->shared_port;
	if (!s || !s->vhost)
		return 0;
	int port = lws_get_vhost_listen_port(s->vhost);
	return port > 0 && port <= 65535 ? (uint16_t)port : 0;
}

void signal_out_report(struct signal *s, const char *room_key, enum signal_out what,
                       enum signal_out_status status, const char *detail)
{
	if (s && s->proto && room_key)
		proto_server_out_report(s->proto, room_key, what, status, detail);
}

bool signal_out_active(struct signal *s, const char *room_key, enum signal_out what)
{
	return s && s->proto && room_key && proto_server_out_active(s->proto, room_key, what);
}
