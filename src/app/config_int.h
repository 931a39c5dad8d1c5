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

const struct app_flag *app_flags(size_t *n);

#endif
