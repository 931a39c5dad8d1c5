/* test_config: every command-line flag of src/app/config.c — its default, a good value parsed, bad
 * values refused with the exact message the operator sees, and the checks across flags. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/config.h"
#include "config_args.h"

static char err_text[4096];

/* Parses "plenum" followed by the NULL-terminated arguments; what went to err is in err_text. */
static int parse_v(struct app_config *c, va_list ap)
{
	return config_parse_va(c, ap, err_text, sizeof err_text);
}

static int parse(struct app_config *c, ...)
{
	va_list ap;
	va_start(ap, c);
	int rc = parse_v(c, ap);
	va_end(ap);
	return rc;
}

/* The arguments are refused with exactly `msg` (one line) on err. */
static void refused(const char *msg, ...)
{
	struct app_config c;
	va_list ap;
	va_start(ap, msg);
	int rc = parse_v(&c, ap);
	va_end(ap);
	ck_assert_int_eq(rc, CONFIG_ERROR);
	ck_assert_str_eq(err_text, msg);
}

/* --print-config of a parsed configuration, malloc'd. */
static char *printed(const struct app_config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	app_config_write(c, out);
	fclose(out);
	return buf;
}

START_TEST(defaults)
{
	struct app_config c;
	ck_assert_int_eq(parse(&c, NULL), CONFIG_OK);
	ck_assert_str_eq(err_text, "");
	ck_assert_str_eq(c.listen_host, "127.0.0.1");
	ck_assert_uint_eq(c.listen_port, 8080);
	ck_assert_uint_eq(c.media_port, 10000);
	ck_assert_str_eq(c.public_ip, "127.0.0.1");
	ck_assert_ptr_null(c.cert_path);
	ck_assert_ptr_null(c.key_path);
	ck_assert_ptr_nonnull(c.web_root);
	ck_assert_ptr_null(c.imprint_url);
	ck_assert_ptr_null(c.privacy_url);
	ck_assert_int_eq(c.log_level, LOG_LEVEL_INFO);
	ck_assert_uint_eq(c.max_room_participants, 200);
	ck_assert_uint_eq(c.max_videos, 25);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	ck_assert_uint_eq(c.workers, cores > 64 ? 64 : (unsigned)cores);
}
END_TEST

START_TEST(listen_flag)
{
	struct app_config c;
	ck_assert_int_eq(parse(&c, "--listen", "0.0.0.0:443", NULL), CONFIG_OK);
	ck_assert_str_eq(c.listen_host, "0.0.0.0");
	ck_assert_uint_eq(c.listen_port, 443);
	ck_assert_int_eq(parse(&c, "--listen=[::1]:0", NULL), CONFIG_OK);
	ck_assert_str_eq(c.listen_host, "::1");
	ck_assert_uint_eq(c.listen_port, 0);
	ck_assert_int_eq(parse(&c, "--listen", "localhost:9000", NULL), CONFIG_OK);
	ck_assert_str_eq(c.listen_host, "localhost");

	refused("plenum: --listen wants HOST:PORT, e.g. 127.0.0.1:8080 (got '8080')\n", "--listen", "8080", NULL);
	refused("plenum: --listen wants HOST:PORT, e.g. 127.0.0.1:8080 (got ':80')\n", "--listen", ":80", NULL);
	refused("plenum: --listen: 'example.org' is not an IP address\n", "--listen", "example.org:80", NULL);
	refused("plenum: --listen: '' is not an IP address\n", "--listen", "[]:80", NULL);
	refused("plenum: --listen: port must be 0..65535 (got '65536')\n", "--listen", "127.0.0.1:65536", NULL);
	refused("plenum: --listen: port must be 0..65535 (got '')\n", "--listen", "127.0.0.1:", NULL);
	refused("plenum: --listen: port must be 0..65535 (got '80x')\n", "--listen", "127.0.0.1:80x", NULL);
	/* a host longer than the field is refused, not cut */
	char long_host[100];
	memset(long_host, '1', 80);
	strcpy(long_host + 80, ":80");
	char want[200];
	snprintf(want, sizeof want, "plenum: --listen wants HOST:PORT, e.g. 127.0.0.1:8080 (got '%s')\n", long_host);
	refused(want, "--listen", long_host, NULL);
}
END_TEST

START_TEST(media_port)
{
	struct app_config c;
	ck_assert_int_eq(parse(&c, "--media-port", "40000", "--workers", "2", NULL), CONFIG_OK);
	ck_assert_uint_eq(c.media_port, 40000);
	ck_assert_int_eq(parse(&c, "--media-port=65535", "--workers", "1", NULL), CONFIG_OK);
	ck_assert_uint_eq(c.media_port, 65535);
	refused("plenum: --media-port must be 1..65535 (got '0')\n", "--media-port", "0", NULL);
	refused("plenum: --media-port must be 1..65535 (got '-1')\n", "--media-port", "-1", NULL);
	refused("plenum: --media-port must be 1..65535 (got '99999999999999999999')\n", "--media-port",
	        "99999999999999999999", NULL);
	refused("plenum: --media-port must be 1..65535 (got '')\n", "--media-port=", NULL);
	/* every worker needs its own port above --media-port */
	refused("plenum: --media-port 65535 leaves no room for 2 workers' ports\n", "--media-port", "65535",
	        "--workers", "2", NULL);
	ck_assert_int_eq(parse(&c, "--media-port", "65534", "--workers", "2", NULL), CONFIG_OK);
}
END_TEST

START_TEST(public_ip)
{
	struct app_config c;
	ck_assert_int_eq(parse(&c, "--public-ip", "192.0.2.7", NULL), CONFIG_OK);
	ck_assert_str_eq(c.public_ip, "192.0.2.7");
	ck_assert_int_eq(parse(&c, "--public-ip=2001:db8::1", NULL), CONFIG_OK);
	ck_assert_str_eq(c.public_ip, "2001:db8::1");
	refused("plenum: --public-ip must be an IPv4 or IPv6 address (got 'meet.example.org')\n", "--public-ip",
	        "meet.example.org", NULL);
	refused("plenum: --public-ip must be an IPv4 or IPv6 address (got '1.2.3')\n", "--public-ip", "1.2.3", NULL);
}
END_TEST

START_TEST(cert_and_key)
{
	char path[] = "/tmp/plenum-test-config-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	struct app_config c;
	ck_assert_int_eq(parse(&c, "--cert", path, "--key", path, NULL), CONFIG_OK);
	ck_assert_str_eq(c.cert_path, path);
	ck_assert_str_eq(c.key_path, path);
	refused("plenum: --cert and --key go together\n", "--cert", path, NULL);
	refused("plenum: --cert and --key go together\n", "--key", path, NULL);
	unlink(path);
	char want[200];
	snprintf(want, sizeof want, "plenum: --cert: cannot read '%s': No such file or directory\n", path);
	refused(want, "--cert", path, "--key", path, NULL);
	snprintf(want, sizeof want, "plenum: --key: cannot read '%s': No such file or directory\n", path);
	refused(want, "--key", path, NULL);
}
END_TEST

START_TEST(web_root)
{
	struct app_config c;
	ck_assert_int_eq(parse(&c, "--web-root", "/tmp", NULL), CONFIG_OK);
	ck_assert_str_eq(c.web_root, "/tmp");
	refused("plenum: --web-root: '/nonexistent-plenum' is not a directory\n", "--web-root", "/nonexistent-plenum", NULL);
	refused("plenum: --web-root: '/dev/null' is not a directory\n", "--web-root", "/dev/null", NULL);
}
END_TEST

START_TEST(max_room_size)
{
	struct app_config c;
	ck_assert_int_eq(parse(&c, "--max-room-size", "2", NULL), CONFIG_OK);
	ck_assert_uint_eq(c.max_room_participants, 2);
	ck_assert_int_eq(parse(&c, "--max-room-size=1000", NULL), CONFIG_OK);
	ck_assert_uint_eq(c.max_room_participants, 1000);
	refused("plenum: --max-room-size must be 2..1000 (got '1')\n", "--max-room-size", "1", NULL);
	refused("plenum: --max-room-size must be 2..1000 (got '1001')\n", "--max-room-size", "1001", NULL);
	refused("plenum: --max-room-size must be 2..1000 (got '10k')\n", "--max-room-size", "10k", NULL);
	refused("plenum: --max-room-size must be 2..1000 (got '')\n", "--max-room-size", "", NULL);
}
END_TEST

START_TEST(max_videos)
{
	struct app_config c;
	ck_assert_int_eq(parse(&c, "--max-videos", "1", NULL), CONFIG_OK);
	ck_assert_uint_eq(c.max_videos, 1);
	ck_assert_int_eq(parse(&c, "--max-videos=100", NULL), CONFIG_OK);
	ck_assert_uint_eq(c.max_videos, 100);
	refused("plenum: --max-videos must be 1..100 (got '0')\n", "--max-videos", "0", NULL);
	refused("plenum: --max-videos must be 1..100 (got '101')\n", "--max-videos", "101", NULL);
	refused("plenum: --max-videos must be 1..100 (got 'all')\n", "--max-videos", "all", NULL);
}
END_TEST

START_TEST(workers)
{
	struct app_config c;
	ck_assert_int_eq(parse(&c, "--workers", "0", NULL), CONFIG_OK);
	ck_assert_uint_eq(c.workers, 0);
	ck_assert_int_eq(parse(&c, "--workers=64", NULL), CONFIG_OK);
	ck_assert_uint_eq(c.workers, 64);
	refused("plenum: --workers must be 0..64 (got '65')\n", "--workers", "65", NULL);
	refused("plenum: --workers must be 0..64 (got '-1')\n", "--workers", "-1", NULL);
	refused("plenum: --workers must be 0..64 (got 'auto')\n", "--workers", "auto", NULL);
}
END_TEST

START_TEST(links)
{
	struct app_config c;
	ck_assert_int_eq(parse(&c, "--imprint-url", "https://example.org/impressum", "--privacy-url", "/privacy.html", NULL),
	                 CONFIG_OK);
	ck_assert_str_eq(c.imprint_url, "https://example.org/impressum");
	ck_assert_str_eq(c.privacy_url, "/privacy.html");
	ck_assert_int_eq(parse(&c, "--privacy-url=http://intranet.example/datenschutz", NULL), CONFIG_OK);
	ck_assert_str_eq(c.privacy_url, "http://intranet.example/datenschutz");
	refused("plenum: --imprint-url wants an https:// URL or a /path (got 'javascript:alert(1)')\n", "--imprint-url",
	        "javascript:alert(1)", NULL);
	refused("plenum: --imprint-url wants an https:// URL or a /path (got 'https://a.example/\"onmouseover')\n",
	        "--imprint-url", "https://a.example/\"onmouseover", NULL);
	refused("plenum: --privacy-url wants an https:// URL or a /path (got '/a b')\n", "--privacy-url", "/a b", NULL);
	refused("plenum: --privacy-url wants an https:// URL or a /path (got '/a\tb')\n", "--privacy-url", "/a\tb", NULL);
	refused("plenum: --privacy-url wants an https:// URL or a /path (got 'privacy.html')\n", "--privacy-url",
	        "privacy.html", NULL);
	char long_url[1100] = "https://";
	memset(long_url + 8, 'a', 1050);
	long_url[1058] = '\0';
	ck_assert_int_eq(parse(&c, "--imprint-url", long_url, NULL), CONFIG_ERROR);
	ck_assert_ptr_nonnull(strstr(err_text, "plenum: --imprint-url wants an https:// URL or a /path"));
}
END_TEST

START_TEST(log_level)
{
	static const char *const names[] = { "debug", "info", "warn", "error", "off" };
	static const enum log_level levels[] = { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR,
	                                         LOG_LEVEL_OFF };
	struct app_config c;
	for (size_t i = 0; i < 5; i++) {
		ck_assert_int_eq(parse(&c, "--log-level", names[i], NULL), CONFIG_OK);
		ck_assert_int_eq(c.log_level, levels[i]);
	}
	refused("plenum: --log-level must be debug, info, warn, error or off (got 'verbose')\n", "--log-level", "verbose",
	        NULL);
	refused("plenum: --log-level must be debug, info, warn, error or off (got 'INFO')\n", "--log-level", "INFO", NULL);
}
END_TEST

START_TEST(syntax)
{
	struct app_config c;
	refused("plenum: unknown option '--frobnicate' (see --help)\n", "--frobnicate", NULL);
	refused("plenum: unknown option '--listenx=1' (see --help)\n", "--listenx=1", NULL);
	refused("plenum: unknown option 'extra' (see --help)\n", "extra", NULL);
	refused("plenum: --workers needs a value (N)\n", "--workers", NULL);
	refused("plenum: --listen needs a value (HOST:PORT)\n", "--max-videos", "3", "--listen", NULL);
	/* the first bad flag stops parsing; later ones are not looked at */
	refused("plenum: --workers must be 0..64 (got 'x')\n", "--workers", "x", "--frobnicate", NULL);
	/* a later flag overrides an earlier one */
	ck_assert_int_eq(parse(&c, "--max-videos", "3", "--max-videos", "4", NULL), CONFIG_OK);
	ck_assert_uint_eq(c.max_videos, 4);
	/* --help and --version end parsing with CONFIG_EXIT_OK and nothing on err */
	FILE *saved = stdout;
	stdout = fopen("/dev/null", "w");
	ck_assert_int_eq(parse(&c, "--help", NULL), CONFIG_EXIT_OK);
	ck_assert_int_eq(parse(&c, "-h", "--frobnicate", NULL), CONFIG_EXIT_OK);
	ck_assert_int_eq(parse(&c, "--version", NULL), CONFIG_EXIT_OK);
	fclose(stdout);
	stdout = saved;
	ck_assert_str_eq(err_text, "");
}
END_TEST

START_TEST(security_defaults)
{
	struct app_config c;
	ck_assert_int_eq(parse(&c, NULL), CONFIG_OK);
	ck_assert_uint_eq(c.n_allowed_origins, 0);
	ck_assert_uint_eq(c.n_server_names, 0);
	ck_assert_uint_eq(c.n_metrics_allow, 0);      /* the server then allows 127.0.0.0/8 and ::1 */
	ck_assert_uint_eq(c.max_connections, 0);      /* derived from RLIMIT_NOFILE by the server */
	ck_assert_uint_eq(c.max_connections_per_ip, 0);
	ck_assert_uint_eq(c.n_per_ip_exempt, 0);      /* the server then exempts 127.0.0.1 and ::1 */
	ck_assert_uint_eq(c.n_trusted_proxies, 0);    /* nobody's X-Forwarded-For is believed */
}
END_TEST

START_TEST(origins_and_names)
{
	struct app_config c;
	ck_assert_int_eq(parse(&c, "--allowed-origin", "https://meet.example.org", "--allowed-origin=http://10.0.0.5:8080",
	                       "--server-name", "meet.example.org", "--server-name=Meet2.Example.org", NULL), CONFIG_OK);
	ck_assert_uint_eq(c.n_allowed_origins, 2);
	ck_assert_str_eq(c.allowed_origins[0], "https://meet.example.org");
	ck_assert_str_eq(c.allowed_origins[1], "http://10.0.0.5:8080");
	ck_assert_uint_eq(c.n_server_names, 2);
	ck_assert_str_eq(c.server_names[1], "Meet2.Example.org");
	refused("plenum: --allowed-origin wants http(s)://HOST[:PORT] without a path (got 'meet.example.org')\n",
	        "--allowed-origin", "meet.example.org", NULL);
	refused("plenum: --allowed-origin wants http(s)://HOST[:PORT] without a path (got 'https://a.example/')\n",
	        "--allowed-origin", "https://a.example/", NULL);
	refused("plenum: --allowed-origin wants http(s)://HOST[:PORT] without a path (got 'ftp://a.example')\n",
	        "--allowed-origin", "ftp://a.example", NULL);
	refused("plenum: --allowed-origin wants http(s)://HOST[:PORT] without a path (got 'https://a.example:0')\n",
	        "--allowed-origin", "https://a.example:0", NULL);
	refused("plenum: --server-name wants a host name such as meet.example.org (got 'meet.example.org:443')\n",
	        "--server-name", "meet.example.org:443", NULL);
	refused("plenum: --server-name wants a host name such as meet.example.org (got 'a..b')\n",
	        "--server-name", "a..b", NULL);
	refused("plenum: --server-name wants a host name such as meet.example.org (got 'https://a.example')\n",
	        "--server-name", "https://a.example", NULL);
	char *argv[2 * (CONFIG_LIST_MAX + 1) + 1];
	int n = 0;
	argv[n++] = "plenum";
	for (int i = 0; i <= CONFIG_LIST_MAX; i++) {
		argv[n++] = "--server-name";
		argv[n++] = "meet.example.org";
	}
	FILE *err = fopen("/dev/null", "w");
	ck_assert_int_eq(app_config_parse(&c, n, argv, err), CONFIG_ERROR);
	fclose(err);
}
END_TEST

START_TEST(connection_limits)
{
	struct app_config c;
	ck_assert_int_eq(parse(&c, "--max-connections", "500", "--max-connections-per-ip=20", NULL), CONFIG_OK);
	ck_assert_uint_eq(c.max_connections, 500);
	ck_assert_uint_eq(c.max_connections_per_ip, 20);
	refused("plenum: --max-connections must be 16..1000000 (got '15')\n", "--max-connections", "15", NULL);
	refused("plenum: --max-connections must be 16..1000000 (got 'many')\n", "--max-connections", "many", NULL);
	refused("plenum: --max-connections-per-ip must be 1..1000000 (got '0')\n", "--max-connections-per-ip", "0",
	        NULL);
	refused("plenum: --max-connections-per-ip must be 1..1000000 (got '99999999999999999999')\n",
	        "--max-connections-per-ip", "99999999999999999999", NULL);
	ck_assert_int_eq(parse(&c, "--per-ip-exempt", "192.0.2.10", "--per-ip-exempt=2001:db8::/64", NULL), CONFIG_OK);
	ck_assert_uint_eq(c.n_per_ip_exempt, 2);
	ck_assert_uint_eq(c.per_ip_exempt[0].prefix, 32);
	ck_assert_uint_eq(c.per_ip_exempt[1].prefix, 64);
	refused("plenum: --per-ip-exempt wants ADDRESS[/PREFIX], e.g. 192.0.2.10 (got 'proxy.local')\n",
	        "--per-ip-exempt", "proxy.local", NULL);
}
END_TEST

START_TEST(metrics_allow)
{
	struct app_config c;
	ck_assert_int_eq(parse(&c, "--metrics-allow", "10.0.0.0/8", "--metrics-allow=2001:db8::/32",
	                       "--metrics-allow", "192.0.2.7", NULL), CONFIG_OK);
	ck_assert_uint_eq(c.n_metrics_allow, 3);
	ck_assert_uint_eq(c.metrics_allow[0].prefix, 8);
	ck_assert_uint_eq(c.metrics_allow[1].prefix, 32);
	ck_assert_uint_eq(c.metrics_allow[2].prefix, 32);
	const uint8_t inside[4] = { 10, 200, 3, 4 }, outside[4] = { 11, 0, 0, 1 };
	ck_assert(signal_cidr_contains(&c.metrics_allow[0], AF_INET, inside));
	ck_assert(!signal_cidr_contains(&c.metrics_allow[0], AF_INET, outside));
	/* an IPv4-mapped IPv6 peer counts as its IPv4 address */
	uint8_t mapped[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3 };
	ck_assert(signal_cidr_contains(&c.metrics_allow[0], AF_INET6, mapped));
	ck_assert(!signal_cidr_contains(&c.metrics_allow[1], AF_INET6, mapped));
	refused("plenum: --metrics-allow wants ADDRESS[/PREFIX], e.g. 10.0.0.0/8 (got '10.0.0.0/33')\n",
	        "--metrics-allow", "10.0.0.0/33", NULL);
	refused("plenum: --metrics-allow wants ADDRESS[/PREFIX], e.g. 10.0.0.0/8 (got 'localhost')\n",
	        "--metrics-allow", "localhost", NULL);
	refused("plenum: --metrics-allow wants ADDRESS[/PREFIX], e.g. 10.0.0.0/8 (got '::1/')\n",
	        "--metrics-allow", "::1/", NULL);
}
END_TEST

START_TEST(trusted_proxy)
{
	struct app_config c;
	ck_assert_int_eq(parse(&c, "--trusted-proxy", "127.0.0.1/32", "--trusted-proxy=10.0.0.0/8", "--trusted-proxy",
	                       "::1/128", "--trusted-proxy", "2001:db8::7", NULL), CONFIG_OK);
	ck_assert_uint_eq(c.n_trusted_proxies, 4);
	ck_assert_int_eq(c.trusted_proxies[0].family, AF_INET);
	ck_assert_uint_eq(c.trusted_proxies[0].prefix, 32);
	ck_assert_uint_eq(c.trusted_proxies[1].prefix, 8);
	ck_assert_int_eq(c.trusted_proxies[2].family, AF_INET6);
	ck_assert_uint_eq(c.trusted_proxies[2].prefix, 128);
	ck_assert_uint_eq(c.trusted_proxies[3].prefix, 128);
	const uint8_t ten[4] = { 10, 200, 3, 4 }, eleven[4] = { 11, 0, 0, 1 };
	ck_assert(signal_cidr_contains(&c.trusted_proxies[1], AF_INET, ten));
	ck_assert(!signal_cidr_contains(&c.trusted_proxies[1], AF_INET, eleven));
	/* --print-config shows every range in the form it reads back */
	char *buf = printed(&c);
	ck_assert_ptr_nonnull(strstr(buf, "trusted-proxy = 127.0.0.1/32\ntrusted-proxy = 10.0.0.0/8\n"
	                                  "trusted-proxy = ::1/128\ntrusted-proxy = 2001:db8::7/128\n"));
	free(buf);
	refused("plenum: --trusted-proxy wants ADDRESS[/PREFIX], e.g. 127.0.0.1/32 (got '10.0.0.0/33')\n",
	        "--trusted-proxy", "10.0.0.0/33", NULL);
	refused("plenum: --trusted-proxy wants ADDRESS[/PREFIX], e.g. 127.0.0.1/32 (got 'nginx.local')\n",
	        "--trusted-proxy", "nginx.local", NULL);
	refused("plenum: --trusted-proxy wants ADDRESS[/PREFIX], e.g. 127.0.0.1/32 (got '::1/129')\n",
	        "--trusted-proxy", "::1/129", NULL);
	refused("plenum: --trusted-proxy wants ADDRESS[/PREFIX], e.g. 127.0.0.1/32 (got '')\n",
	        "--trusted-proxy", "", NULL);
}
END_TEST

/* A secret file with mode `mode` holding `text` (length n); the path in path (a mkstemp template). */
static void secret_file(char *path, const char *text, size_t n, mode_t mode)
{
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, n), (ssize_t)n);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

START_TEST(stream_secret_flag)
{
	struct app_config c;
	ck_assert_int_eq(parse(&c, NULL), CONFIG_OK);
	ck_assert_uint_eq(c.stream_secret_len, 0);
	char path[] = "/tmp/plenum-test-stream-XXXXXX";
	secret_file(path, "0123456789abcdef0123456789abcdef-stream\n", 40, 0600);
	ck_assert_int_eq(parse(&c, "--stream-secret-file", path, NULL), CONFIG_OK);
	ck_assert_uint_eq(c.stream_secret_len, 39);
	ck_assert_mem_eq(c.stream_secret, "0123456789abcdef0123456789abcdef-stream", 39);
	char *buf = printed(&c);
	ck_assert_ptr_null(strstr(buf, "0123456789abcdef"));
	char want[120];
	snprintf(want, sizeof want, "stream-secret-file = %s\n", path);
	ck_assert_ptr_nonnull(strstr(buf, want));
	free(buf);
	app_config_free(&c);
	ck_assert_uint_eq(c.stream_secret_len, 0);
	ck_assert_int_eq(c.stream_secret[0], 0);                     /* wiped */
	char short_path[] = "/tmp/plenum-test-stream-XXXXXX";
	secret_file(short_path, "too-short\n", 10, 0600);
	char msg[200];
	snprintf(msg, sizeof msg, "plenum: --stream-secret-file: '%s' holds 9 bytes; at least 32 are needed (e.g. openssl rand -hex 32)\n",
	         short_path);
	refused(msg, "--stream-secret-file", short_path, NULL);
	char open_path[] = "/tmp/plenum-test-stream-XXXXXX";
	secret_file(open_path, "0123456789abcdef0123456789abcdef\n", 33, 0644);
	ck_assert_int_eq(parse(&c, "--stream-secret-file", open_path, NULL), CONFIG_ERROR);
	ck_assert_ptr_nonnull(strstr(err_text, "readable or writable by every user"));
	unlink(path);
	unlink(short_path);
	unlink(open_path);
}
END_TEST

START_TEST(turn_flags)
{
	struct app_config c;
	ck_assert_int_eq(parse(&c, NULL), CONFIG_OK);
	ck_assert_uint_eq(c.n_turn_uris, 0);
	ck_assert_uint_eq(c.turn_secret_len, 0);
	ck_assert_uint_eq(c.turn_ttl_s, 86400);
	ck_assert(!c.test_force_relay);
	char path[] = "/tmp/plenum-test-turn-XXXXXX";
	secret_file(path, "s3cret with spaces\r\n\n", 21, 0640);
	ck_assert_int_eq(parse(&c, "--turn", "turn:127.0.0.1:3478?transport=udp", "--turn=turns:turn.example.org:443",
	                       "--turn-secret-file", path, "--turn-ttl", "3600", "--test-force-relay", NULL), CONFIG_OK);
	ck_assert_uint_eq(c.n_turn_uris, 2);
	ck_assert_str_eq(c.turn_uris[0], "turn:127.0.0.1:3478?transport=udp");
	ck_assert_str_eq(c.turn_uris[1], "turns:turn.example.org:443");
	ck_assert_uint_eq(c.turn_secret_len, 18);                   /* the line ends are not the secret */
	ck_assert_mem_eq(c.turn_secret, "s3cret with spaces", 18);
	ck_assert_uint_eq(c.turn_ttl_s, 3600);
	ck_assert(c.test_force_relay);
	/* --print-config names the file, never the secret */
	char *buf = printed(&c);
	ck_assert_ptr_null(strstr(buf, "s3cret"));
	char want[120];
	snprintf(want, sizeof want, "turn-secret-file = %s\n", path);
	ck_assert_ptr_nonnull(strstr(buf, want));
	ck_assert_ptr_nonnull(strstr(buf, "turn = turn:127.0.0.1:3478?transport=udp\nturn = turns:turn.example.org:443\n"));
	ck_assert_ptr_nonnull(strstr(buf, "turn-ttl = 3600\n"));
	ck_assert_ptr_nonnull(strstr(buf, "test-force-relay = true\n"));
	free(buf);
	app_config_free(&c);
	ck_assert_uint_eq(c.turn_secret_len, 0);
	ck_assert_int_eq(c.turn_secret[0], 0);                       /* wiped */
	ck_assert_int_eq(parse(&c, "--turn", "turn:h", "--turn-secret-file", path, "--test-force-relay=false", NULL),
	                 CONFIG_OK);
	ck_assert(!c.test_force_relay);
	app_config_free(&c);

	/* what goes together */
	refused("plenum: --turn needs --turn-secret-file: coturn (use-auth-secret) accepts only the credentials plenum "
	        "makes with its static-auth-secret\n", "--turn", "turn:127.0.0.1", NULL);
	refused("plenum: --turn-secret-file needs --turn (the TURN servers the credentials are for)\n",
	        "--turn-secret-file", path, NULL);
	refused("plenum: --test-force-relay needs --turn\n", "--test-force-relay", NULL);
	refused("plenum: --test-force-relay is a switch: true or false (got 'maybe')\n", "--turn", "turn:h",
	        "--turn-secret-file", path, "--test-force-relay=maybe", NULL);
	/* URIs */
	refused("plenum: --turn wants turn:HOST[:PORT][?transport=udp|tcp] or turns:HOST[:PORT] "
	        "(got 'stun:127.0.0.1': the scheme must be turn: or turns:)\n", "--turn", "stun:127.0.0.1", NULL);
	refused("plenum: --turn wants turn:HOST[:PORT][?transport=udp|tcp] or turns:HOST[:PORT] "
	        "(got 'turn:h:99999': the port must be 1..65535)\n", "--turn", "turn:h:99999", NULL);
	refused("plenum: --turn wants turn:HOST[:PORT][?transport=udp|tcp] or turns:HOST[:PORT] "
	        "(got 'turn:h?transport=sctp': the only query is ?transport=udp or ?transport=tcp)\n",
	        "--turn", "turn:h?transport=sctp", NULL);
	const char *many[2 * CONFIG_TURN_MAX + 3];
	size_t n = 0;
	for (int i = 0; i <= CONFIG_TURN_MAX; i++) {
		many[n++] = "--turn";
		many[n++] = "turn:h";
	}
	many[n] = NULL;
	ck_assert_int_eq(config_parse_args(&c, many, err_text, sizeof err_text), CONFIG_ERROR);
	ck_assert_str_eq(err_text, "plenum: --turn given more than 8 times\n");
	/* TTL bounds */
	refused("plenum: --turn-ttl must be 5..604800 (got '4')\n", "--turn-ttl", "4", NULL);
	refused("plenum: --turn-ttl must be 5..604800 (got '604801')\n", "--turn-ttl", "604801", NULL);
	refused("plenum: --turn-ttl must be 5..604800 (got '1h')\n", "--turn-ttl", "1h", NULL);
	unlink(path);

	/* the secret file: readable, private, one line, not empty, not too long */
	char want_msg[300];
	snprintf(want_msg, sizeof want_msg, "plenum: --turn-secret-file: cannot read '%s': No such file or directory\n", path);
	refused(want_msg, "--turn", "turn:h", "--turn-secret-file", path, NULL);
	char open_path[] = "/tmp/plenum-test-turn-XXXXXX";
	secret_file(open_path, "s\n", 2, 0644);
	snprintf(want_msg, sizeof want_msg, "plenum: --turn-secret-file: '%s' is readable or writable by every user of "
	         "this machine (chmod o-rwx; e.g. root:plenum, mode 0640)\n", open_path);
	refused(want_msg, "--turn", "turn:h", "--turn-secret-file", open_path, NULL);
	unlink(open_path);
	char empty[] = "/tmp/plenum-test-turn-XXXXXX";
	secret_file(empty, "\n", 1, 0600);
	snprintf(want_msg, sizeof want_msg, "plenum: --turn-secret-file: '%s' is empty (it holds coturn's static-auth-secret)\n", empty);
	refused(want_msg, "--turn", "turn:h", "--turn-secret-file", empty, NULL);
	unlink(empty);
	char two[] = "/tmp/plenum-test-turn-XXXXXX";
	secret_file(two, "one\ntwo\n", 8, 0600);
	snprintf(want_msg, sizeof want_msg, "plenum: --turn-secret-file: '%s' must hold one line of text (coturn's static-auth-secret)\n", two);
	refused(want_msg, "--turn", "turn:h", "--turn-secret-file", two, NULL);
	unlink(two);
	char big[] = "/tmp/plenum-test-turn-XXXXXX";
	char text[TURN_SECRET_MAX + 1];
	memset(text, 'x', sizeof text);
	secret_file(big, text, TURN_SECRET_MAX + 1, 0600);            /* 257 bytes, no newline */
	snprintf(want_msg, sizeof want_msg, "plenum: --turn-secret-file: '%s' holds more than 256 bytes\n", big);
	refused(want_msg, "--turn", "turn:h", "--turn-secret-file", big, NULL);
	unlink(big);
	strcpy(big, "/tmp/plenum-test-turn-XXXXXX");
	text[TURN_SECRET_MAX] = '\n';
	secret_file(big, text, TURN_SECRET_MAX + 1, 0600);            /* 256 bytes and a newline: the longest */
	ck_assert_int_eq(parse(&c, "--turn", "turn:h", "--turn-secret-file", big, NULL), CONFIG_OK);
	ck_assert_uint_eq(c.turn_secret_len, TURN_SECRET_MAX);
	app_config_free(&c);
	unlink(big);
	refused("plenum: --turn-secret-file: '/tmp' is not a regular file\n", "--turn", "turn:h", "--turn-secret-file",
	        "/tmp", NULL);
}
END_TEST

START_TEST(usage_lists_every_flag)
{
	static const char *const names[] = { "--listen", "--media-port", "--public-ip", "--cert", "--key", "--web-root",
	                                     "--max-room-size", "--max-videos", "--workers", "--imprint-url",
	                                     "--privacy-url", "--log-level", "--server-name", "--allowed-origin",
	                                     "--max-connections", "--max-connections-per-ip", "--per-ip-exempt",
	                                     "--metrics-allow", "--trusted-proxy", "--turn", "--turn-secret-file",
	                                     "--turn-ttl", "--test-force-relay", "--recording", "--streaming",
	                                     "--help", "--version" };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	app_config_usage(out);
	fclose(out);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char want[40];
		snprintf(want, sizeof want, "  %s ", names[i]);   /* a switch has no argument after it */
		ck_assert_msg(strstr(buf, want) != NULL, "usage lacks %s", names[i]);
	}
	free(buf);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("flags");
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, listen_flag);
	tcase_add_test(tc, media_port);
	tcase_add_test(tc, public_ip);
	tcase_add_test(tc, cert_and_key);
	tcase_add_test(tc, web_root);
	tcase_add_test(tc, max_room_size);
	tcase_add_test(tc, max_videos);
	tcase_add_test(tc, workers);
	tcase_add_test(tc, links);
	tcase_add_test(tc, log_level);
	tcase_add_test(tc, syntax);
	tcase_add_test(tc, security_defaults);
	tcase_add_test(tc, origins_and_names);
	tcase_add_test(tc, connection_limits);
	tcase_add_test(tc, metrics_allow);
	tcase_add_test(tc, trusted_proxy);
	tcase_add_test(tc, turn_flags);
	tcase_add_test(tc, stream_secret_flag);
	tcase_add_test(tc, usage_lists_every_flag);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
