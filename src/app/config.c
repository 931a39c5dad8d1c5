/* config: plenum's settings from the command line and the configuration file — defaults, the
 * file read first with the command line overriding it, the checks across settings. */
#include "app/config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/config_file.h"
#include "app/config_int.h"

#define PLENUM_VERSION "0.1.0"
#define MAX_FLAGS 64

/* A value read from the file, kept for as long as the configuration. */
struct app_config_str {
	struct app_config_str *next;
	char text[];
};

/* The flags of one kind: the main list, or the tests' own. */
static void usage_flags(FILE *out, bool test_only)
{
	size_t n;
	const struct app_flag *flags = app_flags(&n);
	for (size_t i = 0; i < n; i++) {
		if ((strncmp(flags[i].name, "test-", 5) == 0) != test_only)
			continue;
		char lhs[48];
		snprintf(lhs, sizeof lhs, "--%s%s%s", flags[i].name, flags[i].arg ? " " : "", flags[i].arg ? flags[i].arg : "");
		fprintf(out, "  %-26s %s\n", lhs, flags[i].help);
	}
}

void app_config_usage(FILE *out)
{
	fprintf(out, "Usage: plenum [OPTIONS]\n\nplenum " PLENUM_VERSION
	             " — a self-hosted video-meeting server (WebRTC SFU, signaling and web client).\n\n");
	usage_flags(out, false);
	fprintf(out, "  %-26s %s\n", "--config FILE", "read settings from FILE first (`key = value`, the keys are these options without");
	fprintf(out, "  %-26s %s\n", "", "their dashes); the options given here override it");
	fprintf(out, "  %-26s %s\n", "--print-config", "print the settings in effect in the file's syntax and exit");
	fprintf(out, "  %-26s %s\n  %-26s %s\n", "--help", "show this help", "--version", "show the version");
	fprintf(out, "\nFor plenum's own tests only (never on a server people use):\n");
	usage_flags(out, true);
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

static void set_defaults(struct app_config *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->listen_host, sizeof c->listen_host, "127.0.0.1");
	c->listen_port = 8080;
	c->media_port = 10000;
	snprintf(c->public_ip, sizeof c->public_ip, "127.0.0.1");
	c->log_level = LOG_LEVEL_INFO;
	c->max_room_participants = 200;
	c->max_videos = 25;
	c->max_viewers = 500;
	c->turn_ttl_s = CONFIG_TURN_TTL_DEFAULT;
	c->usage_keep_days = 400;
	c->recording_keep_days = 7;
	c->recording_max = 4;
	c->recording_min_free_mb = 64;
	c->usage_threshold = 5;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	c->workers = cores > 0 ? (unsigned)(cores < 64 ? cores : 64) : 1;
}

static const struct app_flag *find_flag(const char *name, size_t len, size_t *index)
{
	size_t n;
	const struct app_flag *flags = app_flags(&n);
	for (size_t k = 0; k < n; k++) {
		if (strlen(flags[k].name) == len && strncmp(name, flags[k].name, len) == 0) {
			*index = k;
			return &flags[k];
		}
	}
	return NULL;
}

struct file_apply {
	struct app_config *c;
	const bool *on_command_line;
};

/* A value of the file, kept for as long as the configuration; NULL when out of memory. */
static const char *keep(struct app_config *c, const char *value)
{
	size_t len = strlen(value);
	struct app_config_str *s = malloc(sizeof *s + len + 1);
	if (!s)
		return NULL;
	memcpy(s->text, value, len + 1);
	s->next = c->owned;
	c->owned = s;
	return s->text;
}

/* A [section]: "tenant ID" opens a tenant; its keys go to config_tenant.c. */
static int apply_section_key(struct app_config *c, const char *section, const char *key, const char *value, FILE *err)
{
	if (strncmp(section, "tenant ", 7) != 0 || !section[7]) {
		fprintf(err, "[%s]: unknown section (this file knows [tenant ID] sections only)", section);
		return -1;
	}
	if (!key)
		return app_tenant_begin(c, section + 7, err);
	const char *v = keep(c, value);
	if (!v) {
		fprintf(err, "out of memory");
		return -1;
	}
	return app_tenant_key(c, key, v, err);
}

/* One key of the file. A setting the command line gave is still checked, then left as it is.
 * Keys may be written with '_' for '-'. */
static int apply_file_key(void *arg, const char *section, const char *key_text, const char *value, FILE *err)
{
	struct file_apply *fa = arg;
	if (*section)
		return apply_section_key(fa->c, section, key_text, value, err);
	if (!key_text)
		return 0;
	if (strcmp(key_text, "default-tenant") == 0 || strcmp(key_text, "default_tenant") == 0) {
		/* the file's own key: the tenants it names are only in the file */
		if (!(fa->c->default_tenant = keep(fa->c, value))) {
			fprintf(err, "out of memory");
			return -1;
		}
		return 0;
	}
	char key[64];
	snprintf(key, sizeof key, "%s", key_text);
	for (char *p = key; *p; p++)
		if (*p == '_')
			*p = '-';
	size_t k;
	const struct app_flag *f = strlen(key_text) < sizeof key ? find_flag(key, strlen(key), &k) : NULL;
	if (!f) {
		fprintf(err, "unknown key '%s' (the keys are the options of --help without their dashes)", key);
		return -1;
	}
	if (fa->on_command_line[k]) {
		struct app_config scratch;
		memset(&scratch, 0, sizeof scratch);
		int r = f->apply(&scratch, value, err);
		explicit_bzero(scratch.turn_secret, sizeof scratch.turn_secret);
		explicit_bzero(scratch.stream_secret, sizeof scratch.stream_secret);
		return r;
	}
	const char *v = keep(fa->c, value);
	if (!v) {
		fprintf(err, "out of memory");
		return -1;
	}
	return f->apply(fa->c, v, err);
}

void app_config_free(struct app_config *c)
{
	app_tenants_free(c);
	for (struct app_config_str *s = c->owned, *next; s; s = next) {
		next = s->next;
		free(s);
	}
	c->owned = NULL;
	explicit_bzero(c->turn_secret, sizeof c->turn_secret);
	c->turn_secret_len = 0;
	explicit_bzero(c->stream_secret, sizeof c->stream_secret);
	c->stream_secret_len = 0;
}

void app_config_write(const struct app_config *c, FILE *out)
{
	size_t n;
	const struct app_flag *flags = app_flags(&n);
	for (size_t k = 0; k < n; k++)
		flags[k].show(c, out);
	app_tenants_write(c, out);
}

int app_config_parse(struct app_config *c, int argc, char **argv, FILE *err)
{
	set_defaults(c);
	bool on_command_line[MAX_FLAGS] = { false };
	const char *config_path = NULL;
	bool print = false;
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
		if (strcmp(a, "--print-config") == 0) {
			print = true;
			continue;
		}
		const char *name = strncmp(a, "--", 2) == 0 ? a + 2 : NULL;
		size_t len = name ? strcspn(name, "=") : 0;
		bool is_config = name && len == 6 && strncmp(name, "config", 6) == 0;
		size_t k = 0;
		const struct app_flag *f = name && !is_config ? find_flag(name, len, &k) : NULL;
		if (!f && !is_config) {
			fprintf(err, "plenum: unknown option '%s' (see --help)\n", a);
			goto fail;
		}
		const char *val = name[len] == '=' ? name + len + 1 : NULL;
		if (!val && f && !f->arg)
			val = "true";
		if (!val) {
			if (i + 1 >= argc) {
				fprintf(err, "plenum: --%.*s needs a value (%s)\n", (int)len, name, f ? f->arg : "FILE");
				goto fail;
			}
			val = argv[++i];
		}
		if (is_config) {
			if (config_path) {
				fprintf(err, "plenum: --config given twice\n");
				goto fail;
			}
			config_path = val;
			continue;
		}
		on_command_line[k] = true;
		if (f->apply(c, val, err) != 0)
			goto fail;
	}
	if (config_path) {
		struct file_apply fa = { c, on_command_line };
		if (app_config_file_load(config_path, apply_file_key, &fa, err) != 0)
			goto fail;
	}
	if (c->workers > 1 && (unsigned)c->media_port + c->workers - 1 > 65535) {
		fprintf(err, "plenum: --media-port %u leaves no room for %u workers' ports\n", c->media_port, c->workers);
		goto fail;
	}
	if (!c->cert_path != !c->key_path) {
		fprintf(err, "plenum: --cert and --key go together\n");
		goto fail;
	}
	if (c->n_turn_uris && !c->turn_secret_len) {
		fprintf(err, "plenum: --turn needs --turn-secret-file: coturn (use-auth-secret) accepts only the "
		             "credentials plenum makes with its static-auth-secret\n");
		goto fail;
	}
	if (c->turn_secret_len && !c->n_turn_uris) {
		fprintf(err, "plenum: --turn-secret-file needs --turn (the TURN servers the credentials are for)\n");
		goto fail;
	}
	if (c->test_force_relay && !c->n_turn_uris) {
		fprintf(err, "plenum: --test-force-relay needs --turn\n");
		goto fail;
	}
	if (c->default_tenant && !c->n_tenants) {
		fprintf(err, "plenum: default-tenant needs [tenant ID] sections in the configuration file\n");
		goto fail;
	}
	if (app_tenants_check(c, err) != 0)
		goto fail;
	if (!c->web_root)
		c->web_root = default_web_root(argv[0]);
	if (print) {
		app_config_write(c, stdout);
		app_config_free(c);
		return CONFIG_EXIT_OK;
	}
	return CONFIG_OK;
fail:
	app_config_free(c);
	return CONFIG_ERROR;
}
