/* config: plenum's settings — command-line flags and the configuration file (`--config FILE`,
 * the same keys without dashes), their defaults and their validation. */
#ifndef PLENUM_APP_CONFIG_H
#define PLENUM_APP_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/log.h"
#include "signal/signal.h"
#include "turn/turn.h"

struct app_config_str;
struct app_tenant_data;

#define CONFIG_LIST_MAX 16        /* values of one repeatable flag */
#define CONFIG_TURN_MAX 8         /* --turn URIs */
#define CONFIG_TURN_TTL_DEFAULT 86400
#define CONFIG_STREAM_SECRET_MIN 32   /* bytes: HS256's hash size */
#define CONFIG_STREAM_SECRET_MAX 256

struct app_config {
	char listen_host[64];
	uint16_t listen_port;
	uint16_t media_port;
	uint16_t media_tcp_port;      /* ICE-TCP; 0: none */
	char public_ip[64];
	const char *cert_path, *key_path;
	const char *web_root;
	const char *imprint_url, *privacy_url;
	enum log_level log_level;
	unsigned max_room_participants;
	unsigned workers;             /* media threads; 0 = on the main loop */
	unsigned max_videos;          /* camera videos one subscriber receives at most */
	unsigned max_viewers;         /* WHEP viewers on the server */
	unsigned max_room_viewers;    /* WHEP viewers of one room (0: max_viewers) */
	const char *allowed_origins[CONFIG_LIST_MAX];   /* --allowed-origin, repeatable */
	size_t n_allowed_origins;
	const char *server_names[CONFIG_LIST_MAX];      /* --server-name, repeatable */
	size_t n_server_names;
	struct signal_cidr metrics_allow[CONFIG_LIST_MAX]; /* --metrics-allow, repeatable */
	size_t n_metrics_allow;
	struct signal_cidr per_ip_exempt[CONFIG_LIST_MAX]; /* --per-ip-exempt, repeatable */
	size_t n_per_ip_exempt;
	struct signal_cidr trusted_proxies[CONFIG_LIST_MAX]; /* --trusted-proxy, repeatable */
	size_t n_trusted_proxies;
	unsigned max_connections;         /* 0: derived from RLIMIT_NOFILE */
	unsigned max_connections_per_ip;  /* 0: derived from max_connections */
	const char *turn_uris[CONFIG_TURN_MAX];   /* --turn, repeatable: handed to browsers */
	size_t n_turn_uris;
	const char *turn_secret_path;     /* --turn-secret-file */
	char turn_secret[TURN_SECRET_MAX + 1];    /* read from it at start; never printed or logged */
	size_t turn_secret_len;
	unsigned turn_ttl_s;              /* lifetime of the TURN credentials a join gets */
	const char *stream_secret_path;   /* --stream-secret-file */
	char stream_secret[CONFIG_STREAM_SECRET_MAX + 1];   /* read from it at start; never printed or logged */
	size_t stream_secret_len;
	bool keep_unused_layers;          /* publishers keep encoding simulcast layers nobody receives */
	bool test_force_relay;            /* tests only: clients are told to use relayed candidates alone */
	const char *live_dir;             /* --live-dir: HLS streams; NULL: the default (see main.c) */
	const char *recording_dir;        /* --recording-dir: recordings per tenant; NULL: no recording */
	unsigned recording_keep_days;     /* --recording-keep-days (default 7) */
	unsigned recording_min_free_mb;   /* --recording-min-free-mb (default 64) */
	unsigned recording_max;           /* --recording-max: recordings at once (default 4) */
	bool out_off[SIGNAL_OUT_COUNT];   /* recording = off, streaming = off: offered to no tenant */
	const char *usage_db;             /* --usage-db: SQLite file of the usage statistics; NULL: memory */
	unsigned usage_keep_days, usage_threshold;
	const char *default_tenant;       /* --default-tenant: unknown host names get this tenant */
	struct signal_tenant_config *tenants;   /* [tenant ID] sections of the file */
	size_t n_tenants;
	struct app_tenant_data *tenant_data;    /* what they own (config_tenant.c) */
	struct app_config_str *owned;     /* values read from the file */
};

enum { CONFIG_OK = 0, CONFIG_EXIT_OK = 1, CONFIG_ERROR = 2 };

/* Parses argv, and the file of --config first (the command line overrides each setting it
 * gives; a repeatable one given there replaces the file's list). CONFIG_OK: run, and release c
 * with app_config_free; CONFIG_EXIT_OK: --help, --version or --print-config printed;
 * CONFIG_ERROR: a message went to err (naming the file and line for the file's errors). */
int app_config_parse(struct app_config *c, int argc, char **argv, FILE *err);
void app_config_free(struct app_config *c);
void app_config_usage(FILE *out);
/* The settings in effect, as `key = value` lines that --config reads back to the same. */
void app_config_write(const struct app_config *c, FILE *out);

#endif
