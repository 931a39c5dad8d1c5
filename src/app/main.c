/* main: parse the flags, wire the SFU and the signaling server onto one libuv loop, run until
 * SIGINT/SIGTERM, then shut down cleanly. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "app/config.h"
#include "app/metrics.h"
#include "base/log.h"
#include "sfu/sfu.h"
#include "signal/signal.h"

static void on_signal(uv_signal_t *h, int signum)
{
	log_info("main", "signal %d: shutting down", signum);
	uv_stop(h->loop);
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
	struct sfu_config scfg = {
		.public_ip = cfg.public_ip, .media_port = cfg.media_port,
		.max_room_participants = cfg.max_room_participants, .workers = cfg.workers,
		.max_videos = cfg.max_videos,
	};
	struct sfu *sfu;
	if ((r = sfu_new(&sfu, loop, &scfg)) != 0) {
		fprintf(stderr, "plenum: cannot open media port %s:%u: %s\n", cfg.public_ip, cfg.media_port, strerror(r));
		return 1;
	}
	struct app_metrics_src msrc = { sfu, NULL };
	struct signal_config sigcfg = {
		.listen_host = cfg.listen_host, .listen_port = cfg.listen_port, .web_root = cfg.web_root,
		.cert_path = cfg.cert_path, .key_path = cfg.key_path,
		.imprint_url = cfg.imprint_url, .privacy_url = cfg.privacy_url,
		.allowed_origins = cfg.allowed_origins, .n_allowed_origins = cfg.n_allowed_origins,
		.server_names = cfg.server_names, .n_server_names = cfg.n_server_names,
		.metrics_allow = cfg.metrics_allow, .n_metrics_allow = cfg.n_metrics_allow,
		.max_connections = cfg.max_connections, .max_connections_per_ip = cfg.max_connections_per_ip,
		.per_ip_exempt = cfg.per_ip_exempt, .n_per_ip_exempt = cfg.n_per_ip_exempt,
	};
	struct signal *sig;
	if ((r = signal_new(&sig, loop, sfu, &sigcfg, app_metrics_write, &msrc)) != 0) {
		fprintf(stderr, "plenum: cannot listen on %s:%u: %s\n", cfg.listen_host, cfg.listen_port, strerror(r));
		sfu_free(sfu);
		uv_run(loop, UV_RUN_DEFAULT);
		return 1;
	}
	msrc.signal = sig;
	uv_signal_t sigint, sigterm;
	uv_signal_init(loop, &sigint);
	uv_signal_init(loop, &sigterm);
	uv_signal_start(&sigint, on_signal, SIGINT);
	uv_signal_start(&sigterm, on_signal, SIGTERM);
	unsigned nw = sfu_worker_count(sfu);
	if (nw > 1)
		log_info("main", "plenum listening on %s://%s:%u, media on udp %u-%u (%u workers)",
		         cfg.cert_path ? "https" : "http", cfg.listen_host, cfg.listen_port, sfu_media_port(sfu),
		         sfu_media_port(sfu) + nw - 1, nw);
	else
		log_info("main", "plenum listening on %s://%s:%u, media on udp %u", cfg.cert_path ? "https" : "http",
		         cfg.listen_host, cfg.listen_port, sfu_media_port(sfu));

	uv_run(loop, UV_RUN_DEFAULT);

	uv_close((uv_handle_t *)&sigint, NULL);
	uv_close((uv_handle_t *)&sigterm, NULL);
	signal_free(sig);
	sfu_free(sfu);
	uv_run(loop, UV_RUN_DEFAULT);
	signal_finish(sig);
	uv_run(loop, UV_RUN_DEFAULT);
	uv_loop_close(loop);
	log_info("main", "stopped");
	return 0;
}
