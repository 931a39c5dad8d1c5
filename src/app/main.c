/* main: parse the flags, wire the SFU and the signaling server onto one libuv loop, run until
 * SIGINT/SIGTERM, then shut down cleanly. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "app/config.h"
#include "app/live_dir.h"
#include "app/metrics.h"
#include "rec/dirs.h"
#include "rec/rec.h"
#include "signal/signal_out.h"
#include "base/log.h"
#include "sfu/sfu.h"
#include "signal/signal.h"
#include "stats/usage.h"

#define USAGE_TICK_MS 60000   /* the statistics are written once a minute */

static void on_usage_tick(uv_timer_t *t)
{
	usage_tick(t->data);
}

/* A connection on the shared port that is not ICE: the web server's. */
static void web_connection(void *arg, int fd)
{
	signal_adopt(arg, fd);
}

static void on_signal(uv_signal_t *h, int signum)
{
	log_info("main", "signal %d: shutting down", signum);
	uv_stop(h->loop);
}

/* What SIGHUP re-reads: the same command line, and the configuration file it names. */
struct reload {
	int argc;
	char **argv;
	const struct app_config *running;
	struct signal *sig;
};

static bool same_path(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* SIGHUP: the settings that can change while meetings go on — the TLS certificate and key (a
 * renewal at the same paths) and the log level. A configuration with errors changes nothing. */
static void on_reload(uv_signal_t *h, int signum)
{
	struct reload *rl = h->data;
	struct app_config next;
	if (app_config_parse(&next, rl->argc, rl->argv, stderr) != CONFIG_OK) {
		log_warn("main", "reload: the configuration has errors (see above); nothing changed");
		return;
	}
	log_set_level(next.log_level);
	if (rl->running->cert_path) {
		if (!same_path(next.cert_path, rl->running->cert_path) || !same_path(next.key_path, rl->running->key_path)) {
			log_warn("main", "reload: new certificate or key paths take effect at the next restart");
		} else {
			int err = signal_reload_tls(rl->sig, next.cert_path, next.key_path);
			if (err)
				log_warn("main", "reload: TLS certificate and key not reloaded (%s); the old ones stay",
				         err == EINVAL ? "unreadable, or the key does not match the certificate" : strerror(err));
			else
				log_info("main", "reload: TLS certificate and key reloaded");
		}
	}
	log_info("main", "reload: log level %s; other settings take effect at the next restart",
	         log_level_name(next.log_level));
	app_config_free(&next);
	(void)signum;
}

/* The recorder's reports reach the meeting's hosts through signaling. */
static void rec_report(void *arg, const char *room_key, enum signal_out what, enum signal_out_status status,
                       const char *detail)
{
	signal_out_report(arg, room_key, what, status, detail);
}

int main(int argc, char **argv)
{
	struct app_config cfg;
	int r = app_config_parse(&cfg, argc, argv, stderr);
	if (r == CONFIG_EXIT_OK)
		return 0;
	if (r != CONFIG_OK)
		return 2;
	log_set_level(cfg.log_level);
	signal(SIGPIPE, SIG_IGN);

	uv_loop_t *loop = uv_default_loop();
	/* media over TCP on the web port: one port (443) for pages, WebSocket and media */
	bool shared = cfg.media_tcp_port && cfg.media_tcp_port == cfg.listen_port;
	struct sfu_config scfg = {
		.public_ip = cfg.public_ip, .media_port = cfg.media_port, .media_tcp_port = cfg.media_tcp_port,
		.media_tcp_bind = shared ? cfg.listen_host : NULL,
		.max_room_participants = cfg.max_room_participants, .workers = cfg.workers,
		.max_videos = cfg.max_videos,
		.max_viewers = cfg.max_viewers, .max_room_viewers = cfg.max_room_viewers,
		.keep_unused_layers = cfg.keep_unused_layers,
	};
	struct sfu *sfu;
	if ((r = sfu_new(&sfu, loop, &scfg)) != 0) {
		fprintf(stderr, "plenum: cannot open media port %s:%u (udp)%s: %s\n", cfg.public_ip, cfg.media_port,
		        cfg.media_tcp_port ? " or its TCP port" : "", strerror(r));
		app_config_free(&cfg);
		return 1;
	}
	struct usage *usage = NULL;
	char uerr[256] = "";
	if ((r = usage_open(&usage, cfg.usage_db, cfg.usage_keep_days, NULL, uerr, sizeof uerr)) != 0) {
		fprintf(stderr, "plenum: --usage-db %s: %s\n", cfg.usage_db ? cfg.usage_db : "(memory)", uerr);
		sfu_free(sfu);
		uv_run(loop, UV_RUN_DEFAULT);
		app_config_free(&cfg);
		return 1;
	}
	uv_timer_t usage_timer;
	uv_timer_init(loop, &usage_timer);
	usage_timer.data = usage;
	uv_timer_start(&usage_timer, on_usage_tick, USAGE_TICK_MS, USAGE_TICK_MS);
	/* recordings (and, without a directory, streaming alone) */
	char live[512] = "";
	bool live_made = false;
	if ((r = app_live_dir(cfg.live_dir, live, sizeof live, &live_made)) != 0)
		log_warn("main", "no HLS livestreams (live directory: %s)", strerror(r));
	struct rec_config rcfg = { .dir = cfg.recording_dir, .keep_days = cfg.recording_keep_days,
	                           .max_recordings = cfg.recording_max,
	                           .min_free_bytes = (uint64_t)cfg.recording_min_free_mb << 20,
	                           .live_dir = live[0] && !r ? live : NULL };
	struct rec *rec = NULL;
	if ((r = rec_new(&rec, loop, sfu, &rcfg)) != 0) {
		fprintf(stderr, "plenum: --recording-dir %s or --live-dir %s: %s\n", cfg.recording_dir ? cfg.recording_dir : "-",
		        live, strerror(r));
		uv_close((uv_handle_t *)&usage_timer, NULL);
		usage_close(usage);
		sfu_free(sfu);
		uv_run(loop, UV_RUN_DEFAULT);
		app_config_free(&cfg);
		return 1;
	}
	struct app_metrics_src msrc = { sfu, NULL, rec };
	struct signal_config sigcfg = {
		.listen_host = cfg.listen_host, .listen_port = cfg.listen_port, .web_root = cfg.web_root,
		.cert_path = cfg.cert_path, .key_path = cfg.key_path,
		.imprint_url = cfg.imprint_url, .privacy_url = cfg.privacy_url,
		.allowed_origins = cfg.allowed_origins, .n_allowed_origins = cfg.n_allowed_origins,
		.server_names = cfg.server_names, .n_server_names = cfg.n_server_names,
		.metrics_allow = cfg.metrics_allow, .n_metrics_allow = cfg.n_metrics_allow,
		.max_connections = cfg.max_connections, .max_connections_per_ip = cfg.max_connections_per_ip,
		.per_ip_exempt = cfg.per_ip_exempt, .n_per_ip_exempt = cfg.n_per_ip_exempt,
		.shared_listener = shared,
		.trusted_proxies = cfg.trusted_proxies, .n_trusted_proxies = cfg.n_trusted_proxies,
		.turn_uris = cfg.turn_uris, .n_turn_uris = cfg.n_turn_uris,
		.turn_secret = cfg.turn_secret, .turn_secret_len = cfg.turn_secret_len,
		.turn_ttl_s = cfg.turn_ttl_s, .test_force_relay = cfg.test_force_relay,
		.stream_secret = cfg.stream_secret_len ? cfg.stream_secret : NULL, .stream_secret_len = cfg.stream_secret_len,
		.tenants = cfg.tenants, .n_tenants = cfg.n_tenants, .default_tenant = cfg.default_tenant,
		.usage = usage, .usage_threshold = cfg.usage_threshold,
		.out_ops = &rec_out_ops,
		.recording_dir = cfg.recording_dir, .recording_keep_days = cfg.recording_keep_days,
		.out_arg = rec,
		.live_dir = rec_can_stream_hls(rec) ? live : NULL,
	};
	memcpy(sigcfg.out_off, cfg.out_off, sizeof sigcfg.out_off);
	if (rec && !rec_can_record(rec))
		sigcfg.out_off[SIGNAL_OUT_RECORDING] = true;   /* no --recording-dir */
	struct signal *sig;
	if ((r = signal_new(&sig, loop, sfu, &sigcfg, app_metrics_write, &msrc)) != 0) {
		fprintf(stderr, "plenum: cannot listen on %s:%u: %s\n", cfg.listen_host, cfg.listen_port, strerror(r));
		rec_free(rec);
		uv_close((uv_handle_t *)&usage_timer, NULL);
		usage_close(usage);
		sfu_free(sfu);
		uv_run(loop, UV_RUN_DEFAULT);
		app_config_free(&cfg);
		return 1;
	}
	msrc.signal = sig;
	if (rec)
		rec_set_report(rec, rec_report, sig);
	if (shared)
		sfu_media_tcp_share(sfu, web_connection, sig);
	uv_signal_t sigint, sigterm, sighup;
	uv_signal_init(loop, &sigint);
	uv_signal_init(loop, &sigterm);
	uv_signal_init(loop, &sighup);
	uv_signal_start(&sigint, on_signal, SIGINT);
	uv_signal_start(&sigterm, on_signal, SIGTERM);
	struct reload rl = { argc, argv, &cfg, sig };
	sighup.data = &rl;
	uv_signal_start(&sighup, on_reload, SIGHUP);
	unsigned nw = sfu_worker_count(sfu);
	if (nw > 1)
		log_info("main", "plenum listening on %s://%s:%u, media on udp %u-%u (%u workers)",
		         cfg.cert_path ? "https" : "http", cfg.listen_host, cfg.listen_port, sfu_media_port(sfu),
		         sfu_media_port(sfu) + nw - 1, nw);
	else
		log_info("main", "plenum listening on %s://%s:%u, media on udp %u", cfg.cert_path ? "https" : "http",
		         cfg.listen_host, cfg.listen_port, sfu_media_port(sfu));

	if (sfu_media_tcp_port(sfu))
		log_info("main", "media over TCP (ICE-TCP) on tcp %u", sfu_media_tcp_port(sfu));

	uv_run(loop, UV_RUN_DEFAULT);

	uv_close((uv_handle_t *)&sigint, NULL);
	uv_close((uv_handle_t *)&sigterm, NULL);
	uv_close((uv_handle_t *)&sighup, NULL);
	uv_close((uv_handle_t *)&usage_timer, NULL);
	rec_free(rec);   /* recordings end: their files are closed before the rooms go */
	signal_free(sig);
	sfu_free(sfu);
	uv_run(loop, UV_RUN_DEFAULT);
	signal_finish(sig);
	usage_close(usage);   /* after every connection left: their meetings are counted */
	uv_run(loop, UV_RUN_DEFAULT);
	uv_loop_close(loop);
	if (live_made)
		rec_rmtree(live);
	log_info("main", "stopped");
	app_config_free(&cfg);
	return 0;
}
