/* config_file: reading plenum's configuration file (`key = value` lines, # and ; comments) into
 * the same setters the command-line options use. */
#ifndef PLENUM_APP_CONFIG_FILE_H
#define PLENUM_APP_CONFIG_FILE_H

#include <stdbool.h>
#include <stdio.h>

/* Applies one key of `section` ("" before the first [section]); a new section is announced once
 * with key NULL. 0, or -1 after writing why to err (as "plenum: …" or plain text). */
typedef int (*app_config_file_fn)(void *arg, const char *section, const char *key, const char *value, FILE *err);

/* Reads path and applies each key in order. 0 when every line was valid; -1 after writing
 * "plenum: PATH:LINE: message" (the first bad line) or "plenum: PATH: reason" to err. */
int app_config_file_load(const char *path, app_config_file_fn apply, void *arg, FILE *err);

#endif
