/* test_config_file: the configuration file (--config) — every key behaves like its flag (both
 * give the same --print-config), errors name the file and line, the command line overrides the
 * file, and --print-config's output reads back to the same settings. */
#include <check.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/config.h"
#include "app/config_int.h"
#include "config_args.h"

static char dir[] = "/tmp/plenum-config-XXXXXX";
static char err_text[4096];

/* A value for every setting that differs from its default; a flag missing here fails
 * every_key_like_its_flag, so a new flag cannot go untested. */
struct sample {
	const char *name, *value;
	const char *with_name, *with_value;   /* a setting this one needs beside it */
	const char *with2_name, *with2_value; /* and a second one */
};
static char cert_path[128], key_path[128], secret_path[128], stream_path[128];
#define TURN_URI "turn:127.0.0.1:3478?transport=udp"
static const struct sample samples[] = {
	{ "listen", "[::1]:8443", NULL, NULL, NULL, NULL },
	{ "media-port", "20000", NULL, NULL, NULL, NULL },
	{ "media-tcp-port", "10443", NULL, NULL, NULL, NULL },
	{ "public-ip", "192.0.2.7", NULL, NULL, NULL, NULL },
	{ "cert", cert_path, "key", key_path, NULL, NULL },
	{ "key", key_path, "cert", cert_path, NULL, NULL },
	{ "web-root", "/tmp", NULL, NULL, NULL, NULL },
	{ "max-room-size", "40", NULL, NULL, NULL, NULL },
	{ "max-videos", "9", NULL, NULL, NULL, NULL },
	{ "max-viewers", "9", NULL, NULL, NULL, NULL },
	{ "max-room-viewers", "4", NULL, NULL, NULL, NULL },
	{ "workers", "3", NULL, NULL, NULL, NULL },
	{ "imprint-url", "https://www.example.org/impressum", NULL, NULL, NULL, NULL },
	{ "privacy-url", "/datenschutz", NULL, NULL, NULL, NULL },
	{ "server-name", "meet.example.org", NULL, NULL, NULL, NULL },
	{ "allowed-origin", "https://meet.example.org", NULL, NULL, NULL, NULL },
	{ "max-connections", "500", NULL, NULL, NULL, NULL },
	{ "max-connections-per-ip", "12", NULL, NULL, NULL, NULL },
	{ "per-ip-exempt", "192.0.2.0/24", NULL, NULL, NULL, NULL },
	{ "metrics-allow", "10.1.0.0/16", NULL, NULL, NULL, NULL },
	{ "trusted-proxy", "::1", NULL, NULL, NULL, NULL },
	{ "turn", TURN_URI, "turn-secret-file", secret_path, NULL, NULL },
	{ "turn-secret-file", secret_path, "turn", TURN_URI, NULL, NULL },
	{ "turn-ttl", "3600", NULL, NULL, NULL, NULL },
	{ "stream-secret-file", stream_path, NULL, NULL, NULL, NULL },
	{ "test-force-relay", "true", "turn", TURN_URI, "turn-secret-file", secret_path },
	{ "keep-unused-layers", "true", NULL, NULL, NULL, NULL },
	{ "recording", "off", NULL, NULL, NULL, NULL },
	{ "streaming", "off", NULL, NULL, NULL, NULL },
	{ "recording-dir", "/var/lib/plenum/recordings", NULL, NULL, NULL, NULL },
	{ "live-dir", "/run/plenum/live", NULL, NULL, NULL, NULL },
	{ "recording-keep-days", "30", NULL, NULL, NULL, NULL },
	{ "recording-max", "2", NULL, NULL, NULL, NULL },
	{ "recording-min-free-mb", "100", NULL, NULL, NULL, NULL },
	{ "usage-db", "/var/lib/plenum/usage.sqlite", NULL, NULL, NULL, NULL },
	{ "usage-keep-days", "90", NULL, NULL, NULL, NULL },
	{ "usage-threshold", "10", NULL, NULL, NULL, NULL },
	{ "log-level", "warn", NULL, NULL, NULL, NULL },
};

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cert_path, sizeof cert_path, "%s/cert.pem", dir);
	snprintf(key_path, sizeof key_path, "%s/key.pem", dir);
	FILE *f = fopen(cert_path, "w");
	fputs("-----BEGIN CERTIFICATE-----\n", f);
	fclose(f);
	f = fopen(key_path, "w");
	fputs("-----BEGIN PRIVATE KEY-----\n", f);
	fclose(f);
	snprintf(secret_path, sizeof secret_path, "%s/turn-secret", dir);
	f = fopen(secret_path, "w");
	fputs("the-static-auth-secret\n", f);
	fclose(f);
	ck_assert_int_eq(chmod(secret_path, 0640), 0);
	snprintf(stream_path, sizeof stream_path, "%s/stream-secret", dir);
	f = fopen(stream_path, "w");
	fputs("0123456789abcdef0123456789abcdef-stream-links\n", f);
	fclose(f);
	ck_assert_int_eq(chmod(stream_path, 0600), 0);
}

static void teardown(void)
{
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, "/tmp/plenum-config-XXXXXX");
}

/* Writes text to DIR/name; returns the path (static buffer). */
static const char *write_file(const char *name, const char *text)
{
	static char path[160];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static int parse_argv(struct app_config *c, const char **args)
{
	return config_parse_args(c, args, err_text, sizeof err_text);
}

static int parse(struct app_config *c, ...)
{
	va_list ap;
	va_start(ap, c);
	int rc = config_parse_va(c, ap, err_text, sizeof err_text);
	va_end(ap);
	return rc;
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

static const struct sample *sample_for(const char *name)
{
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
		if (strcmp(samples[i].name, name) == 0)
			return &samples[i];
	return NULL;
}

START_TEST(every_key_like_its_flag)
{
	struct app_config c;
	ck_assert_int_eq(parse(&c, NULL), CONFIG_OK);
	char *defaults = printed(&c);
	app_config_free(&c);
	size_t n;
	const struct app_flag *flags = app_flags(&n);
	ck_assert_uint_gt(n, 10);
	for (size_t k = 0; k < n; k++) {
		const struct sample *s = sample_for(flags[k].name);
		if (!s)
			ck_abort_msg("no sample value for the setting '%s'", flags[k].name);
		char flag[128], with_flag[64], with2_flag[64], text[512];
		/* a switch takes its value after '=' (alone it means true) */
		if (flags[k].arg)
			snprintf(flag, sizeof flag, "--%s", s->name);
		else
			snprintf(flag, sizeof flag, "--%s=%s", s->name, s->value);
		snprintf(with_flag, sizeof with_flag, "--%s", s->with_name ? s->with_name : "");
		snprintf(with2_flag, sizeof with2_flag, "--%s", s->with2_name ? s->with2_name : "");
		const char *args[8];
		size_t na = 0;
		args[na++] = flag;
		if (flags[k].arg)
			args[na++] = s->value;
		if (s->with_name) {
			args[na++] = with_flag;
			args[na++] = s->with_value;
		}
		if (s->with2_name) {
			args[na++] = with2_flag;
			args[na++] = s->with2_value;
		}
		args[na] = NULL;
		ck_assert_msg(parse_argv(&c, args) == CONFIG_OK, "--%s %s: %s", s->name, s->value, err_text);
		char *by_flag = printed(&c);
		app_config_free(&c);

		snprintf(text, sizeof text, "# a comment\n%s = %s\n%s%s%s%s\n%s%s%s\n", s->name, s->value,
		         s->with_name ? s->with_name : "", s->with_name ? " = " : "", s->with_value ? s->with_value : "",
		         s->with_name ? "" : "; nothing else", s->with2_name ? s->with2_name : "",
		         s->with2_name ? " = " : "", s->with2_value ? s->with2_value : "");
		const char *path = write_file("one.conf", text);
		ck_assert_msg(parse(&c, "--config", path, NULL) == CONFIG_OK, "%s = %s: %s", s->name, s->value, err_text);
		char *by_file = printed(&c);
		app_config_free(&c);

		ck_assert_msg(strcmp(by_flag, defaults) != 0, "the sample of '%s' changes nothing", s->name);
		ck_assert_msg(strcmp(by_flag, by_file) == 0, "'%s' by flag:\n%s\nby file:\n%s", s->name, by_flag, by_file);
		free(by_flag);
		free(by_file);
	}
	free(defaults);
}
END_TEST

START_TEST(printed_config_reads_back)
{
	/* Every sample at once, printed, read back and printed again: the same text. */
	const char *args[2 * sizeof samples / sizeof samples[0] + 1];
	char flags[sizeof samples / sizeof samples[0]][64];
	size_t n = 0;
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		bool is_switch = strcmp(samples[i].name, "test-force-relay") == 0 || strcmp(samples[i].name, "keep-unused-layers") == 0;
		snprintf(flags[i], sizeof flags[i], "--%s", samples[i].name);
		args[n++] = flags[i];
		if (!is_switch)
			args[n++] = samples[i].value;   /* a switch alone means true */
	}
	args[n] = NULL;
	struct app_config c;
	ck_assert_msg(parse_argv(&c, args) == CONFIG_OK, "%s", err_text);
	char *first = printed(&c);
	app_config_free(&c);
	const char *path = write_file("printed.conf", first);
	ck_assert_int_eq(parse(&c, "--config", path, NULL), CONFIG_OK);
	char *second = printed(&c);
	app_config_free(&c);
	ck_assert_str_eq(first, second);
	ck_assert_ptr_nonnull(strstr(first, "listen = [::1]:8443\n"));
	ck_assert_ptr_nonnull(strstr(first, "metrics-allow = 10.1.0.0/16\n"));
	ck_assert_ptr_nonnull(strstr(first, "trusted-proxy = ::1/128\n"));
	ck_assert_ptr_nonnull(strstr(first, "test-force-relay = true\n"));
	ck_assert_ptr_nonnull(strstr(first, "recording = off\n"));
	ck_assert_ptr_null(strstr(first, "the-static-auth-secret"));   /* the path, never the secret */
	free(first);
	free(second);
}
END_TEST

START_TEST(command_line_overrides_file)
{
	const char *path = write_file("o.conf", "listen = 127.0.0.1:1111\nserver-name = a.example.org\n"
	                                        "server-name = b.example.org\nmax-videos = 7\n");
	struct app_config c;
	ck_assert_int_eq(parse(&c, "--listen", "127.0.0.1:2222", "--config", path, "--server-name", "c.example.org", NULL),
	                 CONFIG_OK);
	ck_assert_uint_eq(c.listen_port, 2222);
	ck_assert_uint_eq(c.max_videos, 7);                 /* from the file */
	ck_assert_uint_eq(c.n_server_names, 1);             /* the command line's list replaces the file's */
	ck_assert_str_eq(c.server_names[0], "c.example.org");
	app_config_free(&c);
	/* A bad value in the file is refused even where the command line overrides it. */
	path = write_file("o2.conf", "max-videos = lots\n");
	ck_assert_int_eq(parse(&c, "--max-videos", "3", "--config", path, NULL), CONFIG_ERROR);
	ck_assert_ptr_nonnull(strstr(err_text, "o2.conf:1: --max-videos must be 1..100 (got 'lots')"));
}
END_TEST

/* The file's text is refused with "plenum: PATH:LINE: message". */
static void refused(const char *text, int line, const char *message)
{
	const char *path = write_file("bad.conf", text);
	char want[512];
	snprintf(want, sizeof want, "plenum: %s:%d: %s\n", path, line, message);
	struct app_config c;
	ck_assert_int_eq(parse(&c, "--config", path, NULL), CONFIG_ERROR);
	ck_assert_str_eq(err_text, want);
}

START_TEST(errors_name_file_and_line)
{
	refused("listen = 127.0.0.1:8080\n\n# fine so far\nbogus = 1\n", 4,
	        "unknown key 'bogus' (the keys are the options of --help without their dashes)");
	refused("media-port = 10000\nmedia-port = 0\n", 2, "--media-port must be 1..65535 (got '0')");
	refused("log-level = info\njust words\n", 2, "not a `key = value` line");
	refused("[plenum]\nlisten = 127.0.0.1:8080\n", 2, "[plenum]: unknown section (this file knows [tenant ID] sections only)");
	refused("config = /etc/other.conf\n", 1,
	        "unknown key 'config' (the keys are the options of --help without their dashes)");
	/* The first error is the one reported. */
	refused("workers = x\nbogus = 1\n", 1, "--workers must be 0..64 (got 'x')");
	char long_line[600];
	memset(long_line, 'a', sizeof long_line);
	memcpy(long_line, "imprint-url = /", 15);
	long_line[sizeof long_line - 2] = '\n';
	long_line[sizeof long_line - 1] = '\0';
	char text[700];
	snprintf(text, sizeof text, "log-level = info\n%s", long_line);
	const char *path = write_file("long.conf", text);
	struct app_config c;
	ck_assert_int_eq(parse(&c, "--config", path, NULL), CONFIG_ERROR);
	ck_assert_ptr_nonnull(strstr(err_text, "long.conf:2: line longer than"));
	refused("log-level = info\nturn = stun:127.0.0.1\n", 2, "--turn wants turn:HOST[:PORT][?transport=udp|tcp] or "
	        "turns:HOST[:PORT] (got 'stun:127.0.0.1': the scheme must be turn: or turns:)");
	refused("turn-ttl = 0\n", 1, "--turn-ttl must be 5..604800 (got '0')");
	refused("test-force-relay = sometimes\n", 1, "--test-force-relay is a switch: true or false (got 'sometimes')");
	ck_assert_int_eq(chmod(secret_path, 0604), 0);
	char msg[300];
	snprintf(msg, sizeof msg, "--turn-secret-file: '%s' is readable or writable by every user of this machine "
	         "(chmod o-rwx; e.g. root:plenum, mode 0640)", secret_path);
	char conf[300];
	snprintf(conf, sizeof conf, "turn = turn:127.0.0.1\n\nturn-secret-file = %s\n", secret_path);
	refused(conf, 3, msg);
	ck_assert_int_eq(chmod(secret_path, 0640), 0);
	/* Checks across settings still apply. */
	path = write_file("pair.conf", "cert = /etc/hostname\n");
	ck_assert_int_eq(parse(&c, "--config", path, NULL), CONFIG_ERROR);
	ck_assert_str_eq(err_text, "plenum: --cert and --key go together\n");
	path = write_file("turn.conf", "turn = turn:127.0.0.1\n");
	ck_assert_int_eq(parse(&c, "--config", path, NULL), CONFIG_ERROR);
	ck_assert_ptr_nonnull(strstr(err_text, "plenum: --turn needs --turn-secret-file"));
}
END_TEST

/* [tenant ID] sections: every key read, printed and read back to the same; the checks of each key
 * and across tenants name the file and line (or the tenant). */
START_TEST(tenants_read_checked_and_printed)
{
	char secret[200], admin[200], logo[200], pem[200], conf[3000];
	snprintf(secret, sizeof secret, "%s/hs.secret", dir);
	snprintf(admin, sizeof admin, "%s/admin.token", dir);
	snprintf(logo, sizeof logo, "%s/logo.svg", dir);
	snprintf(pem, sizeof pem, "%s/portal.pem", dir);
	FILE *f = fopen(secret, "w");
	fputs("0123456789abcdef0123456789abcdef-hs256\n", f);
	fclose(f);
	ck_assert_int_eq(chmod(secret, 0600), 0);
	f = fopen(admin, "w");
	fputs("admin-token-of-the-town-of-buehl-0123456789\n", f);
	fclose(f);
	ck_assert_int_eq(chmod(admin, 0600), 0);
	f = fopen(logo, "w");
	fputs("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><rect width=\"10\" height=\"10\"/></svg>\n", f);
	fclose(f);
	f = fopen(pem, "w");
	fputs("-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n", f);
	fclose(f);
	snprintf(conf, sizeof conf,
	         "log-level = warn\ndefault_tenant = buehl\n\n"
	         "[tenant buehl]\nhosts = Palim.Example.de, meet.buehl.example\nname = Palim! Palim!\nlogo = %s\n"
	         "color = #7a1f2b\nimprint-url = https://www.buehl.de/impressum\nprivacy_url = https://www.buehl.de/datenschutz\n"
	         "language = de\nwelcome = Willkommen in Bühl!\nmax-room-size = 50\nmax-rooms = 20\nopen-rooms = token\n"
	         "recording = off\nstreaming = on\nembed-origins = https://www.buehl.de, https://portal.buehl.de:8443\ntoken-secret-file = %s\n"
	         "token-public-key = %s\nadmin-token-file = %s\n\n"
	         "[tenant bruchsal]\nhosts = brusl.example.de\nname = Brusl babbld\ncolor = #00594f\ncolor-contrast = #fff\n",
	         logo, secret, pem, admin);
	const char *path = write_file("towns.conf", conf);
	struct app_config c;
	ck_assert_msg(parse(&c, "--config", path, NULL) == CONFIG_OK, "%s", err_text);
	ck_assert_uint_eq(c.n_tenants, 2);
	const struct signal_tenant_config *t = &c.tenants[0];
	ck_assert_str_eq(t->id, "buehl");
	ck_assert_uint_eq(t->n_hosts, 2);
	ck_assert_str_eq(t->hosts[0], "palim.example.de");
	ck_assert_str_eq(t->name, "Palim! Palim!");
	ck_assert_str_eq(t->logo_type, "image/svg+xml");
	ck_assert_str_eq(t->color, "#7a1f2b");
	ck_assert_str_eq(t->color_contrast, "#ffffff");
	ck_assert_str_eq(t->privacy_url, "https://www.buehl.de/datenschutz");
	ck_assert_uint_eq(t->max_room_participants, 50);
	ck_assert(t->token_required);
	ck_assert(t->out_off[SIGNAL_OUT_RECORDING] && !t->out_off[SIGNAL_OUT_STREAMING]);
	ck_assert(!c.tenants[1].out_off[SIGNAL_OUT_RECORDING] && !c.out_off[SIGNAL_OUT_RECORDING]);
	ck_assert_uint_eq(t->n_embed_origins, 2);
	ck_assert_uint_eq(t->token_secret_len, 38);
	ck_assert_str_eq(t->admin_token, "admin-token-of-the-town-of-buehl-0123456789");
	ck_assert_str_eq(c.default_tenant, "buehl");
	ck_assert_str_eq(c.tenants[1].color_contrast, "#ffffff");
	char *first = printed(&c);
	app_config_free(&c);
	ck_assert_ptr_null(strstr(first, "admin-token-of-the-town"));   /* files are named, secrets never printed */
	ck_assert_ptr_null(strstr(first, "0123456789abcdef"));
	path = write_file("printed.conf", first);
	ck_assert_msg(parse(&c, "--config", path, NULL) == CONFIG_OK, "%s", err_text);
	char *second = printed(&c);
	app_config_free(&c);
	ck_assert_str_eq(first, second);
	free(first);
	free(second);

	refused("[tenant Buehl]\nhosts = a.example\n", 2, "[tenant Buehl]: a tenant's id is 1 to 32 characters of a-z, 0-9 and '-'");
	refused("[tenant a]\nhosts = a.example\n[tenant a]\nname = x\n", 4, "[tenant a] is there twice");
	refused("[tenant a]\nhosts = a.example\nbogus = 1\n", 3, "unknown key 'bogus' in [tenant a] (see docs/operations.md: "
	        "hosts, name, logo, color, color-contrast, imprint-url, privacy-url, language, welcome, max-room-size, max-rooms, "
	        "open-rooms, embed-origins, recording, streaming, token-secret-file, token-public-key, admin-token-file)");
	refused("[tenant a]\nhosts = a.example\nrecording = maybe\n", 3, "recording: on or off (got 'maybe')");
	refused("[tenant a]\nhosts = https://a.example\n", 2, "hosts: 'https://a.example' is not a host name (no scheme, no port)");
	refused("[tenant a]\nhosts = a.example,\n", 2, "hosts: a comma-separated list of 1 to 8 host names");
	refused("[tenant a]\nhosts = a.example\ncolor = red\n", 3, "color: a colour like #0b5cad (got 'red')");
	refused("[tenant a]\nhosts = a.example\nlanguage = fr\n", 3, "language: de or en (got 'fr')");
	refused("[tenant a]\nhosts = a.example\nopen-rooms = citizens\n", 3, "open-rooms: anyone or token (got 'citizens')");
	refused("[tenant a]\nhosts = a.example\nembed-origins = www.a.example\n", 3,
	        "embed-origins: 'www.a.example' is not an origin like https://www.example.de");
	refused("[tenant a]\nhosts = a.example\nmax-rooms = 0\n", 3, "max-rooms must be 1..100000 (got '0')");
	f = fopen(secret, "w");
	fputs("short\n", f);
	fclose(f);
	snprintf(conf, sizeof conf, "[tenant a]\nhosts = a.example\ntoken-secret-file = %s\n", secret);
	char want[600];
	snprintf(want, sizeof want, "token-secret-file: '%s' holds 5 bytes; at least 32 are needed (e.g. `openssl rand -hex 32 > FILE`)", secret);
	refused(conf, 3, want);
	snprintf(conf, sizeof conf, "[tenant a]\nhosts = a.example\nlogo = %s\n", pem);
	snprintf(want, sizeof want, "logo: '%s' is not an SVG, PNG, WebP or JPEG file (by its name and its first bytes)", pem);
	refused(conf, 3, want);

	/* across keys and tenants: after the file */
	const struct { const char *text, *message; } across[] = {
		{ "[tenant a]\nhosts = a.example\ncolor = #ffcc00\n", "plenum: [tenant a]: color #ffcc00 has a contrast of 1.51:1 "
		  "against the white page (links, outlined buttons); WCAG 2.1 AA needs 4.5:1 — choose a darker colour\n" },
		{ "[tenant a]\nhosts = a.example\ncolor = #0b5cad\ncolor-contrast = #000000\n", "plenum: [tenant a]: color #0b5cad "
		  "has a contrast of 3.15:1 with its text colour (filled buttons; see color-contrast); WCAG 2.1 AA needs 4.5:1 — choose a darker colour\n" },
		{ "[tenant a]\nhosts = a.example\n[tenant b]\nhosts = b.example, a.example\n",
		  "plenum: host a.example belongs to [tenant a] and [tenant b]\n" },
		{ "[tenant a]\nname = A\n", "plenum: [tenant a] has no hosts (only the default-tenant may go without)\n" },
		{ "default-tenant = b\n[tenant a]\nhosts = a.example\n", "plenum: default-tenant = b: there is no [tenant b]\n" },
		{ "default-tenant = b\n", "plenum: default-tenant needs [tenant ID] sections in the configuration file\n" },
		{ "[tenant a]\nhosts = a.example\nopen-rooms = token\n",
		  "plenum: [tenant a]: open-rooms = token needs token-secret-file or token-public-key\n" },
		{ "streaming = off\n[tenant a]\nhosts = a.example\nstreaming = on\n",
		  "plenum: [tenant a]: streaming = on, but the server has streaming = off (a tenant can only switch off "
		  "what the server offers)\n" },
	};
	for (size_t i = 0; i < sizeof across / sizeof across[0]; i++) {
		path = write_file("across.conf", across[i].text);
		ck_assert_int_eq(parse(&c, "--config", path, NULL), CONFIG_ERROR);
		ck_assert_str_eq(err_text, across[i].message);
	}
}
END_TEST

START_TEST(missing_file_and_flag_errors)
{
	struct app_config c;
	char path[200];
	snprintf(path, sizeof path, "%s/none.conf", dir);
	ck_assert_int_eq(parse(&c, "--config", path, NULL), CONFIG_ERROR);
	char want[300];
	snprintf(want, sizeof want, "plenum: %s: No such file or directory\n", path);
	ck_assert_str_eq(err_text, want);
	ck_assert_int_eq(parse(&c, "--config", NULL), CONFIG_ERROR);
	ck_assert_str_eq(err_text, "plenum: --config needs a value (FILE)\n");
	const char *p = write_file("ok.conf", "log-level = debug\n");
	ck_assert_int_eq(parse(&c, "--config", p, "--config", p, NULL), CONFIG_ERROR);
	ck_assert_str_eq(err_text, "plenum: --config given twice\n");
	ck_assert_int_eq(parse(&c, "--config=", NULL), CONFIG_ERROR);
	/* --config=FILE works like --config FILE */
	char eq[220];
	snprintf(eq, sizeof eq, "--config=%s", p);
	ck_assert_int_eq(parse(&c, eq, NULL), CONFIG_OK);
	ck_assert_int_eq(c.log_level, LOG_LEVEL_DEBUG);
	app_config_free(&c);
}
END_TEST

static Suite *config_file_suite(void)
{
	Suite *s = suite_create("config_file");
	TCase *tc = tcase_create("config_file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_key_like_its_flag);
	tcase_add_test(tc, printed_config_reads_back);
	tcase_add_test(tc, command_line_overrides_file);
	tcase_add_test(tc, errors_name_file_and_line);
	tcase_add_test(tc, missing_file_and_flag_errors);
	tcase_add_test(tc, tenants_read_checked_and_printed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_file_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
