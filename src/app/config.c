/* config: flag parsing through a table; every value is checked before anything starts. */
#include "app/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PLENUM_VERSION "0.1.0"

struct flag {
	const char *name;
	const char *arg;
	const char *help;
	int (*apply)(struct app_config *c, const char *v, FILE *err);
};

static int valid_ip(const char *s)
{
	struct in_addr a4;
	struct in6_addr a6;
	return inet_pton(AF_INET, s, &a4) == 1 || inet_pton(AF_INET6, s, &a6) == 1;
}

static int parse_port(const char *v, uint16_t *out, int allow_zero)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *v == '\0' || *end != '\0' || n < (allow_zero ? 0 : 1) || n > 65535)
		return -1;
	*out = (uint16_t)n;
	return 0;
}

static int set_listen(struct app_config *c, const char *v, FILE *err)
{
	const char *colon = strrchr(v, ':');
	if (!colon || colon == v || (size_t)(colon - v) >= sizeof c->listen_host) {
		fprintf(err, "plenum: --listen wants HOST:PORT, e.g. 127.0.0.1:8080 (got '%s')\n", v);
		return -1;
	}
	char host[64];
	memcpy(host, v, (size_t)(colon - v));
	host[colon - v] = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	if (!valid_ip(host) && strcmp(host, "localhost") != 0) {
		fprintf(err, "plenum: --listen: '%s' is not an IP address\n", host);
		return -1;
	}
	if (parse_port(colon + 1, &c->listen_port, 1) != 0) {
		fprintf(err, "plenum: --listen: port must be 0..65535 (got '%s')\n", colon + 1);
		return -1;
	}
	snprintf(c->listen_host, sizeof c->listen_host, "%s", host);
	return 0;
}

static int set_media_port(struct app_config *c, const char *v, FILE *err)
{
	if (parse_port(v, &c->media_port, 0) != 0) {
		fprintf(err, "plenum: --media-port must be 1..65535 (got '%s')\n", v);
		return -1;
	}
	return 0;
}

static int set_public_ip(struct app_config *c, const char *v, FILE *err)
{
	if (!valid_ip(v) || strlen(v) >= sizeof c->public_ip) {
		fprintf(err, "plenum: --public-ip must be an IPv4 or IPv6 address (got '%s')\n", v);
		return -1;
	}
	snprintf(c->public_ip, sizeof c->public_ip, "%s", v);
	return 0;
}

static int readable_file(const char *flag, const char *v, FILE *err)
{
	if (access(v, R_OK) != 0) {
		fprintf(err, "plenum: %s: cannot read '%s': %s\n", flag, v, strerror(errno));
		return -1;
	}
	return 0;
}

static int set_cert(struct app_config *c, const char *v, FILE *err)
{
	c->cert_path = v;
	return readable_file("--cert", v, err);
}

static int set_key(struct app_config *c, const char *v, FILE *err)
{
	c->key_path = v;
	return readable_file("--key", v, err);
}

static int set_web_root(struct app_config *c, const char *v, FILE *err)
{
	struct stat st;
	if (stat(v, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(err, "plenum: --web-root: '%s' is not a directory\n", v);
		return -1;
	}
	c->web_root = v;
	return 0;
}

static int set_log_level(struct app_config *c, const char *v, FILE *err)
{
	if (log_level_parse(v, &c->log_level) != 0) {
		fprintf(err, "plenum: --log-level must be debug, info, warn, error or off (got '%s')\n", v);
		return -1;
	}
	return 0;
}

static int set_max_room(struct app_config *c, const char *v, FILE *err)
{
	char *end;
	long n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || n < 2 || n > 1000) {
		fprintf(err, "plenum: --max-room-size must be 2..1000 (got '%s')\n", v);
		return -1;
	}
	c->max_room_participants = (unsigned)n;
	return 0;
}

static int set_workers(struct app_config *c, const char *v, FILE *err)
{
	char *end;
	long n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || n < 0 || n > 64) {
		fprintf(err, "plenum: --workers must be 0..64 (got '%s')\n", v);
		return -1;
	}
	c->workers = (unsigned)n;
	return 0;
}

/* A link for the pages: an absolute http(s) URL or a path on this server, no quotes or spaces. */
static int link_ok(const char *flag, const char *v, FILE *err)
{
	bool scheme = strncmp(v, "https://", 8) == 0 || strncmp(v, "http://", 7) == 0;
	bool ok = (scheme || v[0] == '/') && strlen(v) < 1024 && !strpbrk(v, " \"'<>\\");
	for (const char *p = v; ok && *p; p++)
		ok = (unsigned char)*p > 0x20 && *p != 0x7f;
	if (!ok)
		fprintf(err, "plenum: %s wants an https:// URL or a /path (got '%s')\n", flag, v);
	return ok ? 0 : -1;
}

static int set_imprint(struct app_config *c, const char *v, FILE *err)
{
	c->imprint_url = v;
	return link_ok("--imprint-url", v, err);
}

static int set_privacy(struct app_config *c, const char *v, FILE *err)
{
	c->privacy_url = v;
	return link_ok("--privacy-url", v, err);
}

static int set_max_videos(struct app_config *c, const char *v, FILE *err)
{
	char *end;
	long n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || n < 1 || n > 100) {
		fprintf(err, "plenum: --max-videos must be 1..100 (got '%s')\n", v);
		return -1;
	}
	c->max_videos = (unsigned)n;
	return 0;
}

static int set_allowed_origin(struct app_config *c, const char *v, FILE *err)
{
	if (c->n_allowed_origins >= CONFIG_LIST_MAX) {
		fprintf(err, "plenum: --allowed-origin given more than %d times\n", CONFIG_LIST_MAX);
		return -1;
	}
	if (signal_origin_check(v) != 0) {
		fprintf(err, "plenum: --allowed-origin wants http(s)://HOST[:PORT] without a path (got '%s')\n", v);
		return -1;
	}
	c->allowed_origins[c->n_allowed_origins++] = v;
	return 0;
}

/* A DNS name (letters, digits, '-', '.'; labels of 1..63) or an IP literal, at most 253 characters. */
static bool host_name_ok(const char *v)
{
	size_t n = strlen(v), label = 0;
	if (n == 0 || n > 253)
		return false;
	if (valid_ip(v))
		return true;
	for (const char *p = v; *p; p++) {
		char ch = *p;
		if (ch == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-'))
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 || v[n - 1] == '.';
}

static int set_server_name(struct app_config *c, const char *v, FILE *err)
{
	if (c->n_server_names >= CONFIG_LIST_MAX) {
		fprintf(err, "plenum: --server-name given more than %d times\n", CONFIG_LIST_MAX);
		return -1;
	}
	if (!host_name_ok(v) || strchr(v, ':')) {
		fprintf(err, "plenum: --server-name wants a host name such as meet.example.org (got '%s')\n", v);
		return -1;
	}
	c->server_names[c->n_server_names++] = v;
	return 0;
}

static int set_metrics_allow(struct app_config *c, const char *v, FILE *err)
{
	if (c->n_metrics_allow >= CONFIG_LIST_MAX) {
		fprintf(err, "plenum: --metrics-allow given more than %d times\n", CONFIG_LIST_MAX);
		return -1;
	}
	if (signal_cidr_parse(v, &c->metrics_allow[c->n_metrics_allow]) != 0) {
		fprintf(err, "plenum: --metrics-allow wants ADDRESS[/PREFIX], e.g. 10.0.0.0/8 (got '%s')\n", v);
		return -1;
	}
	c->n_metrics_allow++;
	return 0;
}

static int set_per_ip_exempt(struct app_config *c, const char *v, FILE *err)
{
	if (c->n_per_ip_exempt >= CONFIG_LIST_MAX) {
		fprintf(err, "plenum: --per-ip-exempt given more than %d times\n", CONFIG_LIST_MAX);
		return -1;
	}
	if (signal_cidr_parse(v, &c->per_ip_exempt[c->n_per_ip_exempt]) != 0) {
		fprintf(err, "plenum: --per-ip-exempt wants ADDRESS[/PREFIX], e.g. 192.0.2.10 (got '%s')\n", v);
		return -1;
	}
	c->n_per_ip_exempt++;
	return 0;
}

static int parse_count(const char *flag, const char *v, long lo, long hi, unsigned *out, FILE *err)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *v == '\0' || *end != '\0' || n < lo || n > hi) {
		fprintf(err, "plenum: %s must be %ld..%ld (got '%s')\n", flag, lo, hi, v);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

static int set_max_connections(struct app_config *c, const char *v, FILE *err)
{
	return parse_count("--max-connections", v, 16, 1000000, &c->max_connections, err);
}

static int set_max_connections_per_ip(struct app_config *c, const char *v, FILE *err)
{
	return parse_count("--max-connections-per-ip", v, 1, 1000000, &c->max_connections_per_ip, err);
}

static const struct flag flags[] = {
	{ "--listen", "HOST:PORT", "HTTP(S) and WebSocket address (default 127.0.0.1:8080)", set_listen },
	{ "--media-port", "PORT", "the one UDP port for all media (default 10000)", set_media_port },
	{ "--public-ip", "IP", "address announced in ICE candidates (default 127.0.0.1)", set_public_ip },
	{ "--cert", "FILE", "TLS certificate chain (PEM); with --key serves HTTPS/WSS", set_cert },
	{ "--key", "FILE", "TLS private key (PEM)", set_key },
	{ "--web-root", "DIR", "the web client's files (default: web/ next to the binary's build dir)", set_web_root },
	{ "--max-room-size", "N", "most participants in one room (default 200)", set_max_room },
	{ "--max-videos", "N", "most camera videos one participant receives, the latest speakers first (default 25)", set_max_videos },
	{ "--workers", "N", "media threads, each on its own UDP port from --media-port on (default: one per core; 0: media on the main thread)", set_workers },
	{ "--imprint-url", "URL", "the operator's imprint (Impressum), linked on every page", set_imprint },
	{ "--privacy-url", "URL", "the operator's privacy notice (Datenschutz), linked on every page", set_privacy },
	{ "--server-name", "NAME", "a host name this server answers to in Host (repeatable; default: IP addresses and localhost only)", set_server_name },
	{ "--allowed-origin", "ORIGIN", "a page origin besides the server's own that may open sessions, e.g. https://meet.example.org (repeatable)", set_allowed_origin },
	{ "--max-connections", "N", "TCP connections in all (default: from the fd limit, RLIMIT_NOFILE - 64 - 1/8)", set_max_connections },
	{ "--max-connections-per-ip", "N", "TCP connections from one IPv4 address or IPv6 /64 (default: 1/8 of the total, 8..64)", set_max_connections_per_ip },
	{ "--per-ip-exempt", "CIDR", "peers --max-connections-per-ip does not apply to, e.g. a reverse proxy (repeatable; default 127.0.0.1 and ::1)", set_per_ip_exempt },
	{ "--metrics-allow", "CIDR", "who may read /metrics (repeatable; default 127.0.0.0/8 and ::1)", set_metrics_allow },
	{ "--log-level", "LEVEL", "debug, info, warn, error or off (default info)", set_log_level },
};

void app_config_usage(FILE *out)
{
	fprintf(out, "Usage: plenum [OPTIONS]\n\nplenum " PLENUM_VERSION
	             " — a self-hosted video-meeting server (WebRTC SFU, signaling and web client).\n\n");
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		char lhs[40];
		snprintf(lhs, sizeof lhs, "%s %s", flags[i].name, flags[i].arg);
		fprintf(out, "  %-24s %s\n", lhs, flags[i].help);
	}
	fprintf(out, "  %-24s %s\n  %-24s %s\n", "--help", "show this help", "--version", "show the version");
}

static const char *default_web_root(const char *argv0)
{
	static char path[4200];
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			struct stat st;
			snprintf(path, sizeof path, "%s/../web", exe);
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
				return path;
			snprintf(path, sizeof path, "%s/../share/plenum/web", exe);
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
				return path;
		}
	}
	(void)argv0;
	return "web";
}

int app_config_parse(struct app_config *c, int argc, char **argv, FILE *err)
{
	memset(c, 0, sizeof *c);
	snprintf(c->listen_host, sizeof c->listen_host, "127.0.0.1");
	c->listen_port = 8080;
	c->media_port = 10000;
	snprintf(c->public_ip, sizeof c->public_ip, "127.0.0.1");
	c->log_level = LOG_LEVEL_INFO;
	c->max_room_participants = 200;
	c->max_videos = 25;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	c->workers = cores > 0 ? (unsigned)(cores < 64 ? cores : 64) : 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			app_config_usage(stdout);
			return CONFIG_EXIT_OK;
		}
		if (strcmp(a, "--version") == 0) {
			printf("plenum " PLENUM_VERSION "\n");
			return CONFIG_EXIT_OK;
		}
		const struct flag *f = NULL;
		const char *val = NULL;
		for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++) {
			size_t n = strlen(flags[k].name);
			if (strncmp(a, flags[k].name, n) == 0 && (a[n] == '\0' || a[n] == '=')) {
				f = &flags[k];
				val = a[n] == '=' ? a + n + 1 : NULL;
				break;
			}
		}
		if (!f) {
			fprintf(err, "plenum: unknown option '%s' (see --help)\n", a);
			return CONFIG_ERROR;
		}
		if (!val) {
			if (i + 1 >= argc) {
				fprintf(err, "plenum: %s needs a value (%s)\n", f->name, f->arg);
				return CONFIG_ERROR;
			}
			val = argv[++i];
		}
		if (f->apply(c, val, err) != 0)
			return CONFIG_ERROR;
	}
	if (c->workers > 1 && (unsigned)c->media_port + c->workers - 1 > 65535) {
		fprintf(err, "plenum: --media-port %u leaves no room for %u workers' ports\n", c->media_port, c->workers);
		return CONFIG_ERROR;
	}
	if (!c->cert_path != !c->key_path) {
		fprintf(err, "plenum: --cert and --key go together\n");
		return CONFIG_ERROR;
	}
	if (!c->web_root)
		c->web_root = default_web_root(argv[0]);
	return CONFIG_OK;
}
