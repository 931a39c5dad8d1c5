/* static_files: the web root in memory — the pages (index.html, room.html, live.html) and everything below
 * assets/, each file as it is and gzip'd (RFC 1952) and brotli'd (RFC 7932) where that pays, with a
 * strong entity tag from its SHA-256; a version (a hash of every file) that the pages' asset URLs
 * carry (/assets/v/<version>/...), so that those can be cached for good. Private to src/signal/. */
#ifndef PLENUM_SIGNAL_STATIC_FILES_H
#define PLENUM_SIGNAL_STATIC_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

#include "signal/http_cache.h"

#define SIGNAL_STATIC_MAX_FILES 1024          /* files listed; more are served from disk */
#define SIGNAL_STATIC_MAX_FILE (4u << 20)      /* a larger file is served from disk */
#define SIGNAL_STATIC_MAX_BYTES (48u << 20)    /* all bodies of one generation together */
#define SIGNAL_STATIC_VERSION_LEN 12           /* hex digits of the version in asset URLs */
#define SIGNAL_STATIC_PREFIX "/assets/v/"      /* versioned asset URLs: PREFIX <version> / <path> */

struct signal_static_body {
	unsigned char *data;                  /* NULL: this coding is not kept (not smaller, or not text) */
	size_t len;
};

struct signal_static_file {
	char *rel;                            /* "index.html", "assets/js/room.js" */
	const char *type;                     /* Content-Type */
	bool page;                            /* an .html file: asset URLs versioned, never cached for good */
	bool in_memory;                       /* false: too large or over budget, served from disk */
	bool compressible;                    /* a text type (not png, woff2, ...): sent with Vary */
	struct stat st;                       /* what the file was when read (change detection) */
	time_t modified;                      /* Last-Modified */
	struct signal_static_body body[SIGNAL_CODINGS];
	char etag[SIGNAL_CODINGS][32];        /* quoted: "h", "h-gz", "h-br"; "" where no body */
};

/* One generation of the web root; shared by the responses that still send from it. */
struct signal_static {
	unsigned refs;
	struct signal_static_file *files;     /* sorted by rel */
	size_t n;
	size_t bytes;                         /* all bodies */
	char version[SIGNAL_STATIC_VERSION_LEN + 1];
	time_t newest;                        /* the newest file: the pages' Last-Modified */
};

/* Reads the web root `root` (canonical, absolute) into a new generation with one reference;
 * `site_json` (may be NULL) stands in for assets/site.json; `prev` (may be NULL), the generation
 * it replaces, lends the compressed bodies of files that did not change. 0, or ENOMEM. */
int signal_static_new(struct signal_static **out, const char *root, const char *site_json,
                      const struct signal_static *prev);
struct signal_static *signal_static_ref(struct signal_static *g);
void signal_static_unref(struct signal_static *g);
/* The file at rel ("assets/js/room.js"), or NULL when the generation does not list it. */
const struct signal_static_file *signal_static_find(const struct signal_static *g, const char *rel);
/* Whether the files under root differ from g's (added, removed, or another size, mtime or inode). */
bool signal_static_changed(const struct signal_static *g, const char *root);
/* The Content-Type for a file name. */
const char *signal_static_type(const char *path);
/* A path below assets/: segments of [A-Za-z0-9._-], none empty or starting with '.'. */
bool signal_static_path_ok(const char *rel);

#endif
