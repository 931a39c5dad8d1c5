/* static_files: the web root read once into memory (and again when a file changes) — each file as
 * it is, gzip'd (RFC 1952, zlib) and brotli'd (RFC 7932, libbrotlienc) when that saves bytes; a
 * strong entity tag per body (RFC 9110 §8.8.3) from SHA-256; a version of the whole tree that the
 * pages' "/assets/..." URLs are rewritten to carry. Bounded in files, file size and bytes. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <brotli/encode.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "base/clock.h"
#include "base/log.h"
#include "signal/static_files.h"

#define MAX_DEPTH 8
#define REL_MAX 264                   /* a listed path: "assets/" and at most 256 more (the URL rule) */
#define HASH_LEN 32
#define ETAG_HEX 20

struct mime_row {
	const char *ext;
	const char *type;
	bool text;                        /* worth compressing */
};

static const struct mime_row mime_types[] = {
	{ ".html", "text/html; charset=utf-8", true },
	{ ".js", "text/javascript; charset=utf-8", true },
	{ ".mjs", "text/javascript; charset=utf-8", true },
	{ ".css", "text/css; charset=utf-8", true },
	{ ".json", "application/json", true },
	{ ".map", "application/json", true },
	{ ".webmanifest", "application/manifest+json", true },
	{ ".svg", "image/svg+xml", true },
	{ ".png", "image/png", false },
	{ ".jpg", "image/jpeg", false },
	{ ".ico", "image/x-icon", true },
	{ ".webp", "image/webp", false },
	{ ".woff2", "font/woff2", false },
	{ ".woff", "font/woff", false },
	{ ".txt", "text/plain; charset=utf-8", true },
	{ ".wasm", "application/wasm", true },
	{ ".ogg", "audio/ogg", false },
	{ ".mp3", "audio/mpeg", false },
	{ ".webm", "video/webm", false },
};

static const struct mime_row *mime_row(const char *path)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');
	if (dot && (!slash || dot > slash))
		for (size_t i = 0; i < sizeof mime_types / sizeof mime_types[0]; i++)
			if (strcasecmp(dot, mime_types[i].ext) == 0)
				return &mime_types[i];
	return NULL;
}

const char *signal_static_type(const char *path)
{
	const struct mime_row *m = mime_row(path);
	return m ? m->type : "application/octet-stream";
}

static bool name_ok(const char *name)
{
	if (!name[0] || name[0] == '.')
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '.' || *p == '-' || *p == '_'))
			return false;
	return true;
}

bool signal_static_path_ok(const char *rel)
{
	size_t n = strlen(rel);
	if (n == 0 || n > 256)
		return false;
	char seg[257];
	for (const char *p = rel; ; ) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		memcpy(seg, p, len);
		seg[len] = '\0';
		if (!name_ok(seg))
			return false;
		if (!slash)
			return true;
		p = slash + 1;
	}
}

/* ---- the listing: which files the web root holds, with their stat ---- */

struct scan_item {
	char rel[REL_MAX];
	struct stat st;
};

struct scan {
	const char *root;
	size_t root_len;
	struct scan_item *items;
	size_t n, cap;
	bool full;                        /* more than SIGNAL_STATIC_MAX_FILES */
};

static int scan_push(struct scan *sc, const char *rel, const struct stat *st)
{
	if (sc->n == SIGNAL_STATIC_MAX_FILES) {
		sc->full = true;
		return 0;
	}
	if (sc->n == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 64;
		struct scan_item *items = realloc(sc->items, cap * sizeof *items);
		if (!items)
			return ENOMEM;
		sc->items = items;
		sc->cap = cap;
	}
	snprintf(sc->items[sc->n].rel, REL_MAX, "%s", rel);
	sc->items[sc->n++].st = *st;
	return 0;
}

/* stat of root/rel; a symbolic link only when it resolves inside the root. 0 or -1. */
static int scan_stat(const struct scan *sc, const char *rel, struct stat *st)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof path, "%s/%s", sc->root, rel);
	if (n < 0 || (size_t)n >= sizeof path || lstat(path, st) != 0)
		return -1;
	if (!S_ISLNK(st->st_mode))
		return 0;
	char *real = realpath(path, NULL);
	bool inside = real && strncmp(real, sc->root, sc->root_len) == 0 && real[sc->root_len] == '/';
	free(real);
	return inside && stat(path, st) == 0 ? 0 : -1;
}

static int scan_dir(struct scan *sc, const char *rel_dir, int depth)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", sc->root, rel_dir);
	DIR *d = opendir(path);
	if (!d)
		return 0;
	int err = 0;
	struct dirent *de;
	while (!err && (de = readdir(d))) {
		char rel[REL_MAX];
		struct stat st;
		int n = snprintf(rel, sizeof rel, "%s/%s", rel_dir, de->d_name);
		if (!name_ok(de->d_name) || n < 0 || (size_t)n >= sizeof rel || scan_stat(sc, rel, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH)
			err = scan_dir(sc, rel, depth + 1);
		else if (S_ISREG(st.st_mode))
			err = scan_push(sc, rel, &st);
	}
	closedir(d);
	return err;
}

static int item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct scan_item *)a)->rel, ((const struct scan_item *)b)->rel);
}

/* The pages and everything below assets/, sorted by path. */
static int scan_root(struct scan *sc, const char *root)
{
	memset(sc, 0, sizeof *sc);
	sc->root = root;
	sc->root_len = strlen(root);
	static const char *const pages[] = { "index.html", "room.html", "live.html" };
	int err = 0;
	for (size_t i = 0; i < sizeof pages / sizeof pages[0] && !err; i++) {
		struct stat st;
		if (scan_stat(sc, pages[i], &st) == 0 && S_ISREG(st.st_mode))
			err = scan_push(sc, pages[i], &st);
	}
	if (!err)
		err = scan_dir(sc, "assets", 1);
	if (err) {
		free(sc->items);
		sc->items = NULL;
		return err;
	}
	if (sc->n)
		qsort(sc->items, sc->n, sizeof *sc->items, item_cmp);
	return 0;
}

/* ---- bodies ---- */

static int read_file(const char *root, const char *rel, size_t size, struct signal_static_body *out)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	FILE *f = fopen(path, "rb");
	if (!f)
		return errno;
	out->data = malloc(size + 1);
	out->len = out->data ? fread(out->data, 1, size + 1, f) : 0;
	int err = !out->data ? ENOMEM : ferror(f) ? EIO : out->len > size ? EAGAIN : 0;   /* grew meanwhile */
	fclose(f);
	if (err) {
		free(out->data);
		out->data = NULL;
		out->len = 0;
	}
	return err;
}

static void sha256(const void *data, size_t len, unsigned char out[HASH_LEN])
{
	unsigned n = HASH_LEN;
	if (!EVP_Digest(data, len, out, &n, EVP_sha256(), NULL))
		memset(out, 0, HASH_LEN);
}

static void hex(const unsigned char *in, size_t digits, char *out)
{
	static const char x[] = "0123456789abcdef";
	for (size_t i = 0; i < digits; i++)
		out[i] = x[(in[i / 2] >> (i % 2 ? 0 : 4)) & 15];
	out[digits] = '\0';
}

/* Kept only when it saves at least 1/16 of the bytes. */
static bool worth_it(size_t compressed, size_t original)
{
	return compressed < original - original / 16;
}

static int gzip_body(const struct signal_static_body *in, struct signal_static_body *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return ENOMEM;
	size_t cap = deflateBound(&z, (uLong)in->len);
	out->data = malloc(cap);
	int rc = Z_MEM_ERROR;
	if (out->data) {
		z.next_in = in->data;
		z.avail_in = (uInt)in->len;
		z.next_out = out->data;
		z.avail_out = (uInt)cap;
		rc = deflate(&z, Z_FINISH);
	}
	out->len = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END || !worth_it(out->len, in->len)) {
		free(out->data);
		out->data = NULL;
		out->len = 0;
	}
	return rc == Z_STREAM_END || rc == Z_OK ? 0 : ENOMEM;
}

static int brotli_body(const struct signal_static_body *in, struct signal_static_body *out)
{
	size_t cap = BrotliEncoderMaxCompressedSize(in->len);
	out->data = cap ? malloc(cap) : NULL;
	if (!out->data)
		return ENOMEM;
	out->len = cap;
	if (!BrotliEncoderCompress(BROTLI_MAX_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, in->len, in->data,
	                           &out->len, out->data) || !worth_it(out->len, in->len)) {
		free(out->data);
		out->data = NULL;
		out->len = 0;
	}
	return 0;
}

/* A page's "/assets/ and '/assets/ become "/assets/v/<version>/ (ES modules' relative imports
 * then carry the version on their own). */
static int rewrite_page(struct signal_static_body *b, const char *version)
{
	static const char pat[] = "/assets/";
	size_t plen = sizeof pat - 1, vlen = strlen(version), hits = 0;
	const char *s = (const char *)b->data, *end = s + b->len;
	for (const char *p = s; (p = memmem(p, (size_t)(end - p), pat, plen)); p += plen)
		hits++;
	char *out = malloc(b->len + hits * (vlen + 3) + 1), *o = out;
	if (!out)
		return ENOMEM;
	for (const char *p = s; p < end; ) {
		const char *hit = memmem(p, (size_t)(end - p), pat, plen);
		const char *stop = hit ? hit + plen : end;
		memcpy(o, p, (size_t)(stop - p));
		o += stop - p;
		bool quoted = hit && hit > s && (hit[-1] == '"' || hit[-1] == '\'');
		if (quoted && !(end - stop >= 2 && stop[0] == 'v' && stop[1] == '/'))
			o += sprintf(o, "v/%s/", version);
		p = stop;
	}
	free(b->data);
	b->data = (unsigned char *)out;
	b->len = (size_t)(o - out);
	return 0;
}

/* ---- a generation ---- */

static void file_free(struct signal_static_file *f)
{
	free(f->rel);
	for (int c = 0; c < SIGNAL_CODINGS; c++)
		free(f->body[c].data);
}

void signal_static_unref(struct signal_static *g)
{
	if (!g || --g->refs > 0)
		return;
	for (size_t i = 0; i < g->n; i++)
		file_free(&g->files[i]);
	free(g->files);
	free(g);
}

struct signal_static *signal_static_ref(struct signal_static *g)
{
	if (g)
		g->refs++;
	return g;
}

static int find_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct signal_static_file *)elem)->rel);
}

const struct signal_static_file *signal_static_find(const struct signal_static *g, const char *rel)
{
	return g ? bsearch(rel, g->files, g->n, sizeof *g->files, find_cmp) : NULL;
}

/* A file served from disk: its size and time stand for its bytes in the version. */
static void stat_hash(const struct stat *st, unsigned char hash[HASH_LEN])
{
	memset(hash, 0, HASH_LEN);
	memcpy(hash, &st->st_size, sizeof st->st_size);
	memcpy(hash + 16, &st->st_mtim, sizeof st->st_mtim < 16 ? sizeof st->st_mtim : 16);
}

/* One listed file into f: its bytes when they fit the budget, hashed into `hash`. */
static int load_file(struct signal_static *g, struct signal_static_file *f, const struct scan_item *it,
                     const char *root, const char *site_json, unsigned char hash[HASH_LEN])
{
	const struct mime_row *m = mime_row(it->rel);
	f->rel = strdup(it->rel);
	if (!f->rel)
		return ENOMEM;
	f->type = m ? m->type : "application/octet-stream";
	f->compressible = m && m->text;
	f->page = !strchr(it->rel, '/');
	f->st = it->st;
	f->modified = it->st.st_mtime;
	bool generated = site_json && strcmp(it->rel, "assets/site.json") == 0;
	size_t size = generated ? strlen(site_json) : (size_t)it->st.st_size;
	if (size > SIGNAL_STATIC_MAX_FILE || g->bytes + size > SIGNAL_STATIC_MAX_BYTES) {
		stat_hash(&it->st, hash);
		return 0;
	}
	int err = 0;
	if (generated) {
		f->body[0].data = (unsigned char *)strdup(site_json);
		f->body[0].len = size;
		f->modified = time(NULL);
		err = f->body[0].data ? 0 : ENOMEM;
	} else {
		err = read_file(root, it->rel, size, &f->body[0]);
	}
	if (err && err != ENOMEM) {
		log_warn("signal", "web file %s: %s; served from disk", it->rel, strerror(err));
		stat_hash(&it->st, hash);
		return 0;
	}
	if (err)
		return err;
	f->in_memory = true;
	g->bytes += f->body[0].len;
	sha256(f->body[0].data, f->body[0].len, hash);
	return 0;
}

/* A copy of the previous generation's compressed bodies when the file is the same (same tag):
 * a rebuild after one edit compresses only what changed. 0, or ENOMEM. */
static int reuse_bodies(struct signal_static_file *f, const struct signal_static_file *o)
{
	for (int c = 1; c < SIGNAL_CODINGS; c++) {
		if (!o->body[c].data)
			continue;
		f->body[c].data = malloc(o->body[c].len);
		if (!f->body[c].data)
			return ENOMEM;
		memcpy(f->body[c].data, o->body[c].data, o->body[c].len);
		f->body[c].len = o->body[c].len;
	}
	return 0;
}

/* The compressed bodies and the entity tags of an in-memory file (its identity body final). */
static int finish_file(struct signal_static *g, struct signal_static_file *f, const struct signal_static *prev)
{
	unsigned char h[HASH_LEN];
	char tag[ETAG_HEX + 1];
	sha256(f->body[0].data, f->body[0].len, h);
	hex(h, ETAG_HEX, tag);
	snprintf(f->etag[0], sizeof f->etag[0], "\"%s\"", tag);
	if (!f->compressible || f->body[0].len < 256 || g->bytes + f->body[0].len > SIGNAL_STATIC_MAX_BYTES)
		return 0;
	const struct signal_static_file *o = signal_static_find(prev, f->rel);
	int err;
	if (o && o->in_memory && strcmp(o->etag[0], f->etag[0]) == 0)
		err = reuse_bodies(f, o);
	else {
		err = gzip_body(&f->body[0], &f->body[SIGNAL_CODING_GZIP]);
		if (!err)
			err = brotli_body(&f->body[0], &f->body[SIGNAL_CODING_BR]);
	}
	if (err)
		return err;
	static const char *const suffix[SIGNAL_CODINGS] = { "", "-gz", "-br" };
	for (int c = 1; c < SIGNAL_CODINGS; c++)
		if (f->body[c].data) {
			g->bytes += f->body[c].len;
			snprintf(f->etag[c], sizeof f->etag[c], "\"%s%s\"", tag, suffix[c]);
		}
	return 0;
}

/* assets/site.json, when the configuration provides it and the web root has no such file. */
static int add_site_json(struct scan *sc, const char *site_json)
{
	if (!site_json)
		return 0;
	for (size_t i = 0; i < sc->n; i++)
		if (strcmp(sc->items[i].rel, "assets/site.json") == 0)
			return 0;
	struct stat st;
	memset(&st, 0, sizeof st);          /* st_mode 0: not on disk (change detection skips it) */
	int err = scan_push(sc, "assets/site.json", &st);
	if (!err)
		qsort(sc->items, sc->n, sizeof *sc->items, item_cmp);
	return err;
}

static int build(struct signal_static *g, const struct scan *sc, const char *root, const char *site_json,
                 const struct signal_static *prev)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		return ENOMEM;
	}
	int err = 0;
	for (size_t i = 0; i < sc->n && !err; i++, g->n++) {
		unsigned char h[HASH_LEN] = { 0 };
		err = load_file(g, &g->files[i], &sc->items[i], root, site_json, h);
		EVP_DigestUpdate(md, sc->items[i].rel, strlen(sc->items[i].rel) + 1);
		EVP_DigestUpdate(md, h, sizeof h);
		if (g->files[i].modified > g->newest)
			g->newest = g->files[i].modified;
	}
	unsigned char v[HASH_LEN];
	EVP_DigestFinal_ex(md, v, NULL);
	EVP_MD_CTX_free(md);
	hex(v, SIGNAL_STATIC_VERSION_LEN, g->version);
	for (size_t i = 0; i < g->n && !err; i++) {
		struct signal_static_file *f = &g->files[i];
		if (!f->in_memory)
			continue;
		if (f->page) {
			size_t before = f->body[0].len;
			err = rewrite_page(&f->body[0], g->version);
			g->bytes += f->body[0].len - before;
		}
		if (!err)
			err = finish_file(g, f, prev);
	}
	return err;
}

static void log_generation(const struct signal_static *g, uint64_t us)
{
	size_t raw = 0, gz = 0, br = 0, disk = 0;
	for (size_t i = 0; i < g->n; i++) {
		const struct signal_static_file *f = &g->files[i];
		disk += !f->in_memory;
		if (!f->body[SIGNAL_CODING_GZIP].data)
			continue;
		raw += f->body[0].len;
		gz += f->body[SIGNAL_CODING_GZIP].len;
		br += f->body[SIGNAL_CODING_BR].data ? f->body[SIGNAL_CODING_BR].len : f->body[0].len;
	}
	log_info("signal", "web files: %zu (%zu from disk), version %s; compressed %zu B to %zu B gzip, %zu B "
	         "brotli; %zu B in memory (%llu ms)", g->n, disk, g->version, raw, gz, br, g->bytes,
	         (unsigned long long)(us / 1000));
}

int signal_static_new(struct signal_static **out, const char *root, const char *site_json,
                      const struct signal_static *prev)
{
	uint64_t t0 = clock_mono_us();
	struct scan sc;
	int err = scan_root(&sc, root);
	if (!err)
		err = add_site_json(&sc, site_json);
	if (err) {
		free(sc.items);
		return err;
	}
	if (sc.full)
		log_warn("signal", "web root %s: more than %u files; the others are served from disk", root,
		         SIGNAL_STATIC_MAX_FILES);
	struct signal_static *g = calloc(1, sizeof *g);
	if (g) {
		g->refs = 1;
		g->files = calloc(sc.n ? sc.n : 1, sizeof *g->files);
	}
	err = g && g->files ? build(g, &sc, root, site_json, prev) : ENOMEM;
	free(sc.items);
	if (err) {
		if (g && !g->files)
			g->n = 0;
		signal_static_unref(g);
		return err;
	}
	log_generation(g, clock_mono_us() - t0);
	*out = g;
	return 0;
}

static bool same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

bool signal_static_changed(const struct signal_static *g, const char *root)
{
	struct scan sc;
	if (!g || scan_root(&sc, root) != 0)
		return false;
	size_t j = 0;
	bool changed = false;
	for (size_t i = 0; i < g->n && !changed; i++) {
		if (g->files[i].st.st_mode == 0)
			continue;                   /* generated, not on disk */
		changed = j == sc.n || strcmp(g->files[i].rel, sc.items[j].rel) != 0 ||
		          !same_stat(&g->files[i].st, &sc.items[j].st);
		j++;
	}
	changed = changed || j != sc.n;
	free(sc.items);
	return changed;
}
