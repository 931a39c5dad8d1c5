/* config_args: runs app_config_parse on "plenum" and a list of arguments, for test_config and
 * test_config_file, with what it wrote to err captured as text. */
#ifndef PLENUM_TEST_CONFIG_ARGS_H
#define PLENUM_TEST_CONFIG_ARGS_H

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "app/config.h"

#define CONFIG_ARGS_MAX 128

/* args is NULL-terminated; err_text receives the messages (cut to err_len). */
static inline int config_parse_args(struct app_config *c, const char *const *args, char *err_text, size_t err_len)
{
	char *argv[CONFIG_ARGS_MAX];
	int argc = 0;
	argv[argc++] = "plenum";
	for (; *args; args++) {
		ck_assert_int_lt(argc, CONFIG_ARGS_MAX - 1);
		argv[argc++] = (char *)*args;
	}
	argv[argc] = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *err = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(err);
	int rc = app_config_parse(c, argc, argv, err);
	fclose(err);
	snprintf(err_text, err_len, "%s", buf ? buf : "");
	free(buf);
	return rc;
}

/* The same for a va_list of const char * ending in NULL. */
static inline int config_parse_va(struct app_config *c, va_list ap, char *err_text, size_t err_len)
{
	const char *args[CONFIG_ARGS_MAX];
	int n = 0;
	for (const char *a; (a = va_arg(ap, const char *));) {
		ck_assert_int_lt(n, CONFIG_ARGS_MAX - 1);
		args[n++] = a;
	}
	args[n] = NULL;
	return config_parse_args(c, args, err_text, err_len);
}

#endif
