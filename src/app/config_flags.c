/* config_flags: every setting plenum takes — its check (one setter per flag, the message an
 * operator sees), what it shows in --print-config, and the table the flags and the file share. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/config_int.h"

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

static int set_media_tcp_port(struct app_config *c, const char *v, FILE *err)
{
	if (parse_port(v, &c->media_tcp_port, 1) != 0) {
		fprintf(err, "plenum: --media-tcp-port must be 0..65535, 0 for none (got '%s')\n", v);
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

/* A number lo..hi of the setting `name`; -1 after the message. */
static int set_range(const char *name, const char *v, long lo, long hi, unsigned *out, FILE *err);

static int set_max_viewers(struct app_config *c, const char *v, FILE *err)
{
	return set_range("max-viewers", v, 1, 100000, &c->max_viewers, err);
}

static int set_max_room_viewers(struct app_config *c, const char *v, FILE *err)
{
	return set_range("max-room-viewers", v, 0, 100000, &c->max_room_viewers, err);
}

static int set_range(const char *name, const char *v, long lo, long hi, unsigned *out, FILE *err)
{
	char *end;
	long n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || n < lo || n > hi) {
		fprintf(err, "plenum: --%s must be %ld..%ld (got '%s')\n", name, lo, hi, v);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

static int set_usage_db(struct app_config *c, const char *v, FILE *err)
{
	if (!*v) {
		fprintf(err, "plenum: --usage-db wants a file name\n");
		return -1;
	}
	c->usage_db = v;   /* opened (and made) at start */
	return 0;
}
static int set_usage_keep_days(struct app_config *c, const char *v, FILE *err)
{
	return set_range("usage-keep-days", v, 1, 3660, &c->usage_keep_days, err);
}
static int set_usage_threshold(struct app_config *c, const char *v, FILE *err)
{
	return set_range("usage-threshold", v, 0, 100, &c->usage_threshold, err);
}

static int set_recording_dir(struct app_config *c, const char *v, FILE *err)
{
	if (*v != '/') {
		fprintf(err, "plenum: --recording-dir wants an absolute directory\n");
		return -1;
	}
	c->recording_dir = v;   /* made (0750) at start */
	return 0;
}
static int set_live_dir(struct app_config *c, const char *v, FILE *err)
{
	if (*v != '/') {
		fprintf(err, "plenum: --live-dir wants an absolute directory\n");
		return -1;
	}
	c->live_dir = v;   /* made (0750) at start */
	return 0;
}
static int set_recording_keep_days(struct app_config *c, const char *v, FILE *err)
{
	return set_range("recording-keep-days", v, 1, 3660, &c->recording_keep_days, err);
}
static int set_recording_min_free(struct app_config *c, const char *v, FILE *err)
{
	return set_range("recording-min-free-mb", v, 1, 1048576, &c->recording_min_free_mb, err);
}
static int set_recording_max(struct app_config *c, const char *v, FILE *err)
{
	return set_range("recording-max", v, 1, 64, &c->recording_max, err);
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

static int add_cidr(const char *flag, const char *example, struct signal_cidr *list, size_t *n, const char *v,
                    FILE *err);

static int set_metrics_allow(struct app_config *c, const char *v, FILE *err)
{
	return add_cidr("metrics-allow", "10.0.0.0/8", c->metrics_allow, &c->n_metrics_allow, v, err);
}

/* One more range of a repeatable CIDR flag (--metrics-allow, --per-ip-exempt, --trusted-proxy). */
static int add_cidr(const char *flag, const char *example, struct signal_cidr *list, size_t *n, const char *v,
                    FILE *err)
{
	if (*n >= CONFIG_LIST_MAX) {
		fprintf(err, "plenum: --%s given more than %d times\n", flag, CONFIG_LIST_MAX);
		return -1;
	}
	if (signal_cidr_parse(v, &list[*n]) != 0) {
		fprintf(err, "plenum: --%s wants ADDRESS[/PREFIX], e.g. %s (got '%s')\n", flag, example, v);
		return -1;
	}
	(*n)++;
	return 0;
}

static int set_per_ip_exempt(struct app_config *c, const char *v, FILE *err)
{
	return add_cidr("per-ip-exempt", "192.0.2.10", c->per_ip_exempt, &c->n_per_ip_exempt, v, err);
}

static int set_trusted_proxy(struct app_config *c, const char *v, FILE *err)
{
	return add_cidr("trusted-proxy", "127.0.0.1/32", c->trusted_proxies, &c->n_trusted_proxies, v, err);
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

static int set_turn(struct app_config *c, const char *v, FILE *err)
{
	if (c->n_turn_uris >= CONFIG_TURN_MAX) {
		fprintf(err, "plenum: --turn given more than %d times\n", CONFIG_TURN_MAX);
		return -1;
	}
	struct turn_uri u;
	const char *why;
	if (turn_uri_parse(v, &u, &why) != 0) {
		fprintf(err, "plenum: --turn wants turn:HOST[:PORT][?transport=udp|tcp] or turns:HOST[:PORT] (got '%s': %s)\n",
		        v, why);
		return -1;
	}
	c->turn_uris[c->n_turn_uris++] = v;
	return 0;
}

/* The whole of fd into buf (at most cap bytes); the length, or -1 with errno. */
static ssize_t read_all(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

/* coturn's static-auth-secret: one line of text, read now, kept only in memory. */
int app_read_secret_file(const char *path, char *out, size_t cap, size_t *len_out, const char *what,
                         char *msg, size_t msg_cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(msg, msg_cap, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	const char *bad = NULL;
	char buf[APP_SECRET_MAX + 2];
	ssize_t n = -1;
	if (cap > APP_SECRET_MAX)
		cap = APP_SECRET_MAX;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		bad = "is not a regular file";
	else if (st.st_mode & (S_IROTH | S_IWOTH))
		bad = "is readable or writable by every user of this machine (chmod o-rwx; e.g. root:plenum, mode 0640)";
	else if ((n = read_all(fd, buf, cap + 2)) < 0)
		bad = strerror(errno);
	close(fd);
	size_t len = n > 0 ? (size_t)n : 0;
	while (!bad && len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (!bad && len == 0) {
		snprintf(msg, msg_cap, "'%s' is empty (it holds %s)", path, what);
		return -1;
	}
	if (!bad && len > cap) {
		explicit_bzero(buf, sizeof buf);
		snprintf(msg, msg_cap, "'%s' holds more than %zu bytes", path, cap);
		return -1;
	}
	for (size_t i = 0; !bad && i < len; i++)
		if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] == 0x7f) {
			explicit_bzero(buf, sizeof buf);
			snprintf(msg, msg_cap, "'%s' must hold one line of text (%s)", path, what);
			return -1;
		}
	if (bad) {
		explicit_bzero(buf, sizeof buf);
		snprintf(msg, msg_cap, "'%s' %s", path, bad);
		return -1;
	}
	memcpy(out, buf, len);
	*len_out = len;
	explicit_bzero(buf, sizeof buf);
	return 0;
}


/* A secret file's line (min..cap bytes) into dst (which holds cap + 1), the old value wiped first. */
static int secret_flag(const char *flag, const char *path, char *dst, size_t cap, size_t *dst_len, size_t min,
                       const char *what, FILE *err)
{
	char buf[APP_SECRET_MAX], msg[600];
	size_t len = 0;
	if (app_read_secret_file(path, buf, cap, &len, what, msg, sizeof msg) != 0) {
		fprintf(err, "plenum: --%s: %s\n", flag, msg);
		return -1;
	}
	if (len < min) {
		explicit_bzero(buf, sizeof buf);
		fprintf(err, "plenum: --%s: '%s' holds %zu bytes; at least %zu are needed (e.g. openssl rand -hex 32)\n",
		        flag, path, len, min);
		return -1;
	}
	explicit_bzero(dst, cap + 1);
	memcpy(dst, buf, len);
	*dst_len = len;
	explicit_bzero(buf, sizeof buf);
	return 0;
}

static int set_turn_secret_file(struct app_config *c, const char *v, FILE *err)
{
	c->turn_secret_path = v;
	return secret_flag("turn-secret-file", v, c->turn_secret, TURN_SECRET_MAX, &c->turn_secret_len, 1,
	                   "coturn's static-auth-secret", err);
}

static int set_stream_secret_file(struct app_config *c, const char *v, FILE *err)
{
	c->stream_secret_path = v;
	return secret_flag("stream-secret-file", v, c->stream_secret, CONFIG_STREAM_SECRET_MAX, &c->stream_secret_len,
	                   CONFIG_STREAM_SECRET_MIN, "the stream links' signing secret", err);
}

static int set_turn_ttl(struct app_config *c, const char *v, FILE *err)
{
	return parse_count("--turn-ttl", v, 5, 604800, &c->turn_ttl_s, err);
}

/* A switch's value: true/false (yes/no, on/off, 1/0). */
static int parse_switch(const char *flag, const char *v, bool *out, FILE *err)
{
	static const char *const yes[] = { "true", "yes", "on", "1" }, *const no[] = { "false", "no", "off", "0" };
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
			*out = strcasecmp(v, yes[i]) == 0;
			return 0;
		}
	}
	fprintf(err, "plenum: %s is a switch: true or false (got '%s')\n", flag, v);
	return -1;
}

static int set_keep_unused_layers(struct app_config *c, const char *v, FILE *err)
{
	return parse_switch("--keep-unused-layers", v, &c->keep_unused_layers, err);
}

static int set_test_force_relay(struct app_config *c, const char *v, FILE *err)
{
	return parse_switch("--test-force-relay", v, &c->test_force_relay, err);
}

static int set_out(const char *flag, const char *v, bool *off, FILE *err)
{
	bool on;
	if (parse_switch(flag, v, &on, err) != 0)
		return -1;
	*off = !on;
	return 0;
}

static int set_recording(struct app_config *c, const char *v, FILE *err)
{
	return set_out("--recording", v, &c->out_off[SIGNAL_OUT_RECORDING], err);
}

static int set_streaming(struct app_config *c, const char *v, FILE *err)
{
	return set_out("--streaming", v, &c->out_off[SIGNAL_OUT_STREAMING], err);
}

/* --- what each flag shows in --print-config: `key = value` lines the file reader takes back --- */

static void show_str(FILE *out, const char *key, const char *v)
{
	if (v && *v)
		fprintf(out, "%s = %s\n", key, v);
}

static void show_uint(FILE *out, const char *key, unsigned v)
{
	fprintf(out, "%s = %u\n", key, v);
}

static void show_recording_dir(const struct app_config *c, FILE *out) { show_str(out, "recording-dir", c->recording_dir); }
static void show_recording_keep_days(const struct app_config *c, FILE *out) { show_uint(out, "recording-keep-days", c->recording_keep_days); }
static void show_recording_min_free(const struct app_config *c, FILE *out) { show_uint(out, "recording-min-free-mb", c->recording_min_free_mb); }
static void show_recording_max(const struct app_config *c, FILE *out) { show_uint(out, "recording-max", c->recording_max); }
static void show_live_dir(const struct app_config *c, FILE *out) { show_str(out, "live-dir", c->live_dir); }
static void show_usage_db(const struct app_config *c, FILE *out) { show_str(out, "usage-db", c->usage_db); }
static void show_usage_keep_days(const struct app_config *c, FILE *out) { show_uint(out, "usage-keep-days", c->usage_keep_days); }
static void show_usage_threshold(const struct app_config *c, FILE *out) { show_uint(out, "usage-threshold", c->usage_threshold); }

static void show_cidrs(FILE *out, const char *key, const struct signal_cidr *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char text[INET6_ADDRSTRLEN];
		if (inet_ntop(list[i].family, list[i].addr, text, sizeof text))
			fprintf(out, "%s = %s/%u\n", key, text, list[i].prefix);
	}
}

static void show_listen(const struct app_config *c, FILE *out)
{
	bool v6 = strchr(c->listen_host, ':') != NULL;
	fprintf(out, "listen = %s%s%s:%u\n", v6 ? "[" : "", c->listen_host, v6 ? "]" : "", c->listen_port);
}
static void show_media_port(const struct app_config *c, FILE *out) { show_uint(out, "media-port", c->media_port); }
static void show_media_tcp_port(const struct app_config *c, FILE *out) { show_uint(out, "media-tcp-port", c->media_tcp_port); }
static void show_public_ip(const struct app_config *c, FILE *out) { show_str(out, "public-ip", c->public_ip); }
static void show_cert(const struct app_config *c, FILE *out) { show_str(out, "cert", c->cert_path); }
static void show_key(const struct app_config *c, FILE *out) { show_str(out, "key", c->key_path); }
static void show_web_root(const struct app_config *c, FILE *out) { show_str(out, "web-root", c->web_root); }
static void show_max_room(const struct app_config *c, FILE *out) { show_uint(out, "max-room-size", c->max_room_participants); }
static void show_max_videos(const struct app_config *c, FILE *out) { show_uint(out, "max-videos", c->max_videos); }
static void show_max_viewers(const struct app_config *c, FILE *out) { show_uint(out, "max-viewers", c->max_viewers); }
static void show_max_room_viewers(const struct app_config *c, FILE *out) { show_uint(out, "max-room-viewers", c->max_room_viewers); }
static void show_workers(const struct app_config *c, FILE *out) { show_uint(out, "workers", c->workers); }
static void show_imprint(const struct app_config *c, FILE *out) { show_str(out, "imprint-url", c->imprint_url); }
static void show_privacy(const struct app_config *c, FILE *out) { show_str(out, "privacy-url", c->privacy_url); }
static void show_log_level(const struct app_config *c, FILE *out) { show_str(out, "log-level", log_level_name(c->log_level)); }

static void show_server_names(const struct app_config *c, FILE *out)
{
	for (size_t i = 0; i < c->n_server_names; i++)
		show_str(out, "server-name", c->server_names[i]);
}

static void show_allowed_origins(const struct app_config *c, FILE *out)
{
	for (size_t i = 0; i < c->n_allowed_origins; i++)
		show_str(out, "allowed-origin", c->allowed_origins[i]);
}

/* 0 stands for "derived at start" and is not a value the flags take: nothing is shown. */
static void show_max_connections(const struct app_config *c, FILE *out)
{
	if (c->max_connections)
		show_uint(out, "max-connections", c->max_connections);
}

static void show_max_connections_per_ip(const struct app_config *c, FILE *out)
{
	if (c->max_connections_per_ip)
		show_uint(out, "max-connections-per-ip", c->max_connections_per_ip);
}

static void show_per_ip_exempt(const struct app_config *c, FILE *out)
{
	show_cidrs(out, "per-ip-exempt", c->per_ip_exempt, c->n_per_ip_exempt);
}

static void show_trusted_proxies(const struct app_config *c, FILE *out)
{
	show_cidrs(out, "trusted-proxy", c->trusted_proxies, c->n_trusted_proxies);
}

static void show_metrics_allow(const struct app_config *c, FILE *out)
{
	show_cidrs(out, "metrics-allow", c->metrics_allow, c->n_metrics_allow);
}

static void show_turn(const struct app_config *c, FILE *out)
{
	for (size_t i = 0; i < c->n_turn_uris; i++)
		show_str(out, "turn", c->turn_uris[i]);
}

/* The path only: the secret itself is never shown. */
static void show_turn_secret_file(const struct app_config *c, FILE *out) { show_str(out, "turn-secret-file", c->turn_secret_path); }
static void show_stream_secret_file(const struct app_config *c, FILE *out) { show_str(out, "stream-secret-file", c->stream_secret_path); }
static void show_turn_ttl(const struct app_config *c, FILE *out) { show_uint(out, "turn-ttl", c->turn_ttl_s); }

static void show_keep_unused_layers(const struct app_config *c, FILE *out)
{
	if (c->keep_unused_layers)
		fprintf(out, "keep-unused-layers = true\n");
}

static void show_test_force_relay(const struct app_config *c, FILE *out)
{
	if (c->test_force_relay)
		fprintf(out, "test-force-relay = true\n");
}

static void show_recording(const struct app_config *c, FILE *out)
{
	fprintf(out, "recording = %s\n", c->out_off[SIGNAL_OUT_RECORDING] ? "off" : "on");
}

static void show_streaming(const struct app_config *c, FILE *out)
{
	fprintf(out, "streaming = %s\n", c->out_off[SIGNAL_OUT_STREAMING] ? "off" : "on");
}

static const struct app_flag flags[] = {
	{ "listen", "HOST:PORT", "HTTP(S) and WebSocket address (default 127.0.0.1:8080)", set_listen, show_listen },
	{ "media-port", "PORT", "the one UDP port for all media (default 10000)", set_media_port, show_media_port },
	{ "media-tcp-port", "PORT", "media over TCP (ICE-TCP) on this port too, for networks that block UDP; browsers prefer UDP (default 0: none)", set_media_tcp_port, show_media_tcp_port },
	{ "public-ip", "IP", "address announced in ICE candidates (default 127.0.0.1)", set_public_ip, show_public_ip },
	{ "cert", "FILE", "TLS certificate chain (PEM); with --key serves HTTPS/WSS", set_cert, show_cert },
	{ "key", "FILE", "TLS private key (PEM)", set_key, show_key },
	{ "web-root", "DIR", "the web client's files (default: web/ next to the binary's build dir)", set_web_root, show_web_root },
	{ "max-room-size", "N", "most participants in one room (default 200)", set_max_room, show_max_room },
	{ "max-videos", "N", "most camera videos one participant receives, the latest speakers first (default 25)", set_max_videos, show_max_videos },
	{ "max-viewers", "N", "most WHEP viewers of the public livestream on this server (default 500)", set_max_viewers, show_max_viewers },
	{ "max-room-viewers", "N", "most WHEP viewers of one meeting (default 0: as many as max-viewers)", set_max_room_viewers, show_max_room_viewers },
	{ "workers", "N", "media threads, each on its own UDP port from --media-port on (default: one per core; 0: media on the main thread)", set_workers, show_workers },
	{ "imprint-url", "URL", "the operator's imprint (Impressum), linked on every page", set_imprint, show_imprint },
	{ "privacy-url", "URL", "the operator's privacy notice (Datenschutz), linked on every page", set_privacy, show_privacy },
	{ "server-name", "NAME", "a host name this server answers to in Host (repeatable; default: IP addresses and localhost only)", set_server_name, show_server_names },
	{ "allowed-origin", "ORIGIN", "a page origin besides the server's own that may open sessions, e.g. https://meet.example.org (repeatable)", set_allowed_origin, show_allowed_origins },
	{ "max-connections", "N", "TCP connections in all (default: from the fd limit, RLIMIT_NOFILE - 64 - 1/8)", set_max_connections, show_max_connections },
	{ "max-connections-per-ip", "N", "TCP connections from one IPv4 address or IPv6 /64 (default: 1/8 of the total, 8..64)", set_max_connections_per_ip, show_max_connections_per_ip },
	{ "per-ip-exempt", "CIDR", "peers --max-connections-per-ip does not apply to, e.g. a reverse proxy (repeatable; default 127.0.0.1 and ::1)", set_per_ip_exempt, show_per_ip_exempt },
	{ "trusted-proxy", "CIDR", "a reverse proxy whose X-Forwarded-For and X-Forwarded-Proto are believed, e.g. 127.0.0.1/32 (repeatable; default none)", set_trusted_proxy, show_trusted_proxies },
	{ "metrics-allow", "CIDR", "who may read /metrics (repeatable; default 127.0.0.0/8 and ::1)", set_metrics_allow, show_metrics_allow },
	{ "turn", "URI", "a TURN server browsers may relay through, e.g. turn:turn.example.org:443?transport=tcp (repeatable, up to 8; needs --turn-secret-file)", set_turn, show_turn },
	{ "turn-secret-file", "FILE", "coturn's static-auth-secret (use-auth-secret), one line; not readable by others", set_turn_secret_file, show_turn_secret_file },
	{ "turn-ttl", "SECONDS", "how long the TURN credentials of a join stay valid (5..604800, default 86400)", set_turn_ttl, show_turn_ttl },
	{ "stream-secret-file", "FILE", "the secret (one line, at least 32 bytes; not readable by others) that signs stream links (WHIP, WHEP); default: random at each start, so links stop working at a restart", set_stream_secret_file, show_stream_secret_file },
	{ "keep-unused-layers", NULL, "publishers keep sending every simulcast layer even when nobody receives it (default: such layers pause after 3 s, to spare citizens' uplinks)", set_keep_unused_layers, show_keep_unused_layers },
	{ "recording", "on|off", "hosts may record meetings, with everyone told first (default on; only where the media side can record)", set_recording, show_recording },
	{ "streaming", "on|off", "hosts may stream meetings to the public, with everyone told first (default on; only where the media side can stream)", set_streaming, show_streaming },
	{ "test-force-relay", NULL, "tests only: tell browsers to send media through TURN alone (iceTransportPolicy relay)", set_test_force_relay, show_test_force_relay },
	{ "usage-db", "FILE", "the usage statistics' SQLite file (meetings, participant minutes, … per tenant and day; no personal data); default: kept in memory only", set_usage_db, show_usage_db },
	{ "usage-keep-days", "N", "days the usage statistics are kept (1..3660, default 400)", set_usage_keep_days, show_usage_keep_days },
	{ "usage-threshold", "N", "counts below N are shown as \"< N\" on /admin/stats (0..100, default 5; 0: all exact)", set_usage_threshold, show_usage_threshold },
	{ "recording-dir", "DIR", "where recordings are kept, per tenant (tracks and the composed MP4); without it meetings cannot be recorded", set_recording_dir, show_recording_dir },
	{ "recording-keep-days", "N", "days recordings are kept before they are deleted (1..3660, default 7)", set_recording_keep_days, show_recording_keep_days },
	{ "recording-min-free-mb", "MB", "a recording is refused, and one running stops, when the directory's disk has less free (1..1048576, default 64)", set_recording_min_free, show_recording_min_free },
	{ "recording-max", "N", "recordings at once (1..64, default 4; each renders in one ffmpeg afterwards)", set_recording_max, show_recording_max },
	{ "live-dir", "DIR", "where HLS livestreams are encoded, per tenant and room, while a meeting is streamed (deleted when it stops); default: $RUNTIME_DIRECTORY/live under systemd, else a private folder in /tmp made at start", set_live_dir, show_live_dir },
	{ "log-level", "LEVEL", "debug, info, warn, error or off (default info)", set_log_level, show_log_level },
};

const struct app_flag *app_flags(size_t *n)
{
	*n = sizeof flags / sizeof flags[0];
	return flags;
}
