/* config_file: plenum's configuration file — INI syntax read by Debian's libinih, one `key = value`
 * a line, the keys being the command-line options without their dashes, then `[tenant ID]`
 * sections; errors name file and line. */
#include "app/config_file.h"

#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>

struct file_ctx {
	FILE *f;
	const char *path;
	int line;                    /* of the line inih handed over last */
	bool long_line;              /* that line did not fit the reader's buffer */
	app_config_file_fn apply;
	void *arg;
	char section[128];           /* the section being read ("" before the first) */
	bool header_seen;            /* a [section] line since the last key (it may repeat a name) */
	int err_line;                /* the first error: its line and message */
	char err_msg[512];
};

static void fail(struct file_ctx *c, const char *fmt, const char *a)
{
	if (c->err_line)
		return;
	c->err_line = c->line;
	snprintf(c->err_msg, sizeof c->err_msg, fmt, a);
}

/* inih's reader: one line at a time, counted, so that a handler knows where it is. */
static char *read_line(char *str, int num, void *stream)
{
	struct file_ctx *c = stream;
	char *s = fgets(str, num, c->f);
	if (!s)
		return NULL;
	size_t n = strlen(s);
	if (s[strspn(s, " \t")] == '[')
		c->header_seen = true;
	if (n && s[n - 1] == '\n') {
		c->line++;
		c->long_line = false;
		return s;
	}
	if (feof(c->f)) {            /* a last line without a newline */
		c->line++;
		return s;
	}
	/* Longer than inih's line buffer: skip the rest of it and refuse the line. */
	int ch;
	while ((ch = fgetc(c->f)) != EOF && ch != '\n')
		;
	c->line++;
	c->long_line = true;
	char max[16];
	snprintf(max, sizeof max, "%d", num - 2);
	fail(c, "line longer than %s characters", max);
	str[0] = '\0';
	return str;
}

static int on_pair(void *user, const char *section, const char *name, const char *value)
{
	struct file_ctx *c = user;
	if (c->long_line)
		return 1;
	const char *sec = section ? section : "";
	char msg[sizeof c->err_msg];
	FILE *mem = fmemopen(msg, sizeof msg, "w");
	if (!mem) {
		fail(c, "%s", strerror(errno));
		return 0;
	}
	int r = 0;
	if (c->header_seen || strcmp(sec, c->section) != 0) {
		c->header_seen = false;
		snprintf(c->section, sizeof c->section, "%s", sec);
		r = c->apply(c->arg, sec, NULL, NULL, mem);
	}
	if (r == 0)
		r = c->apply(c->arg, sec, name, value ? value : "", mem);
	fclose(mem);
	if (r == 0)
		return 1;
	msg[sizeof msg - 1] = '\0';
	/* The apply function speaks like the command line ("plenum: --x: …"); keep what follows. */
	const char *text = strncmp(msg, "plenum: ", 8) == 0 ? msg + 8 : msg;
	size_t n = strlen(text);
	while (n && text[n - 1] == '\n')
		n--;
	char line[sizeof msg];
	snprintf(line, sizeof line, "%.*s", (int)n, text);
	fail(c, "%s", line);
	return 0;
}

int app_config_file_load(const char *path, app_config_file_fn apply, void *arg, FILE *err)
{
	struct file_ctx c = { .path = path, .apply = apply, .arg = arg };
	c.f = fopen(path, "r");
	if (!c.f) {
		fprintf(err, "plenum: %s: %s\n", path, strerror(errno));
		return -1;
	}
	int r = ini_parse_stream(read_line, &c, on_pair, &c);
	fclose(c.f);
	if (r == 0 && !c.err_line)
		return 0;
	if (r > 0 && (!c.err_line || r < c.err_line))
		fprintf(err, "plenum: %s:%d: not a `key = value` line\n", path, r);
	else if (c.err_line)
		fprintf(err, "plenum: %s:%d: %s\n", path, c.err_line, c.err_msg);
	else
		fprintf(err, "plenum: %s: out of memory\n", path);
	return -1;
}
