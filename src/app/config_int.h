/* config_int: the table of settings shared by the command line (config.c), the configuration
 * file and --print-config. Private to src/app/. */
#ifndef PLENUM_APP_CONFIG_INT_H
#define PLENUM_APP_CONFIG_INT_H

#include <stddef.h>
#include <stdio.h>

#include "app/config.h"

struct app_flag {
	const char *name;             /* the file's key; the flag is "--" name */
	const char *arg;              /* NULL: a switch — `--name` alone means true on the command
	                               * line (`--name=false` also works); the file says name = true|false */
	const char *help;
	/* Checks and stores v (which must outlive c); 0, or -1 after a "plenum: --name: …" line. */
	int (*apply)(struct app_config *c, const char *v, FILE *err);
	/* Writes this setting as `name = value` lines (none for an unset optional one). */
	void (*show)(const struct app_config *c, FILE *out);
};
/* Flags named "test-…" are for plenum's own tests: --help lists them apart. */

const struct app_flag *app_flags(size_t *n);

#define APP_SECRET_MAX 1024
/* Reads a secret of one line (at most cap ≤ APP_SECRET_MAX bytes, trailing newline dropped) from a
 * regular file nobody else may read: 0 with *len set, or -1 with the reason in msg ("cannot read
 * 'PATH': …", "'PATH' is empty (it holds WHAT)", …). */
int app_read_secret_file(const char *path, char *out, size_t cap, size_t *len, const char *what,
                         char *msg, size_t msg_cap);

/* config_tenant.c: the keys of a [tenant ID] section. */
int app_tenant_begin(struct app_config *c, const char *id, FILE *err);
int app_tenant_key(struct app_config *c, const char *key, const char *value, FILE *err);
/* The checks across a tenant's keys and across tenants, after the file; 0 or -1 after a message. */
int app_tenants_check(struct app_config *c, FILE *err);
void app_tenants_write(const struct app_config *c, FILE *out);
void app_tenants_free(struct app_config *c);

#endif
