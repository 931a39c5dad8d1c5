/* test_static_files: src/signal/static_files.c over a temporary web root — which files are listed
 * (pages, assets/, no dot files, no links out), compressed bodies that decompress to the file, none
 * for png/woff2 or tiny files, entity tags, the version in the pages' asset URLs and when it moves,
 * change detection, and the path rule. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "signal/static_files.h"

static char base[256], root[300], outside[300];

static void put(const char *rel, const char *text, size_t repeat)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < repeat; i++)
		fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	char tmpl[] = "/tmp/plenum-static-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	char *real = realpath(tmpl, NULL);
	snprintf(base, sizeof base, "%s", real);
	snprintf(root, sizeof root, "%s/web", real);
	snprintf(outside, sizeof outside, "%s/secret.txt", real);
	free(real);
	ck_assert_int_eq(mkdir(root, 0755), 0);
	char path[512];
	snprintf(path, sizeof path, "%s/assets", root);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/assets/js", root);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	put("index.html", "<script type=\"module\" src=\"/assets/js/a.js\"></script><a href='/assets/x'>/assets/ text</a>\n", 1);
	put("README.md", "not served\n", 1);
	put("assets/js/a.js", "export const a = 'aaaaaaaaaaaaaaaaaaaa';\n", 50);
	put("assets/font.woff2", "compressible compressible ", 100);
	put("assets/tiny.css", "a{}", 1);
	put("assets/b.css", ".b { color: red; }\n", 40);
	put("assets/.hidden.js", "secret", 1);
	FILE *f = fopen(outside, "w");
	fputs("secret", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/assets/out.txt", root);
	ck_assert_int_eq(symlink(outside, path), 0);
}

static void teardown(void)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(lists_and_compresses)
{
	struct signal_static *g = NULL;
	ck_assert_int_eq(signal_static_new(&g, root, "{\"imprint_url\": \"\"}", NULL), 0);
	ck_assert_uint_eq(g->n, 6);   /* index.html, a.js, b.css, font.woff2, tiny.css, site.json */
	ck_assert_ptr_null(signal_static_find(g, "README.md"));
	ck_assert_ptr_null(signal_static_find(g, "assets/.hidden.js"));
	ck_assert_ptr_null(signal_static_find(g, "assets/out.txt"));
	const struct signal_static_file *js = signal_static_find(g, "assets/js/a.js");
	ck_assert_ptr_nonnull(js);
	ck_assert(js->in_memory && js->compressible && !js->page);
	ck_assert_uint_eq(js->body[0].len, 50 * 41);
	ck_assert_ptr_nonnull(js->body[SIGNAL_CODING_GZIP].data);
	ck_assert_ptr_nonnull(js->body[SIGNAL_CODING_BR].data);
	ck_assert_uint_lt(js->body[SIGNAL_CODING_BR].len, js->body[0].len / 4);
	unsigned char out[4096];
	uLongf n = sizeof out;
	z_stream z = { .next_in = js->body[1].data, .avail_in = (uInt)js->body[1].len, .next_out = out, .avail_out = (uInt)n };
	ck_assert_int_eq(inflateInit2(&z, 15 + 16), Z_OK);
	ck_assert_int_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
	ck_assert_uint_eq(z.total_out, js->body[0].len);
	ck_assert_int_eq(memcmp(out, js->body[0].data, js->body[0].len), 0);
	inflateEnd(&z);
	ck_assert_int_eq(js->etag[0][0], '"');
	ck_assert_ptr_nonnull(strstr(js->etag[1], "-gz\""));
	ck_assert_ptr_nonnull(strstr(js->etag[2], "-br\""));
	const struct signal_static_file *font = signal_static_find(g, "assets/font.woff2");
	ck_assert(font && !font->compressible && !font->body[1].data && !font->body[2].data && !font->etag[1][0]);
	const struct signal_static_file *tiny = signal_static_find(g, "assets/tiny.css");
	ck_assert(tiny && tiny->compressible && !tiny->body[1].data);
	const struct signal_static_file *site = signal_static_find(g, "assets/site.json");
	ck_assert(site && site->in_memory && site->body[0].len == strlen("{\"imprint_url\": \"\"}"));
	signal_static_unref(g);
}
END_TEST

START_TEST(pages_carry_the_version)
{
	struct signal_static *g = NULL;
	ck_assert_int_eq(signal_static_new(&g, root, NULL, NULL), 0);
	ck_assert_uint_eq(strlen(g->version), SIGNAL_STATIC_VERSION_LEN);
	const struct signal_static_file *page = signal_static_find(g, "index.html");
	ck_assert(page && page->page);
	char want[256];
	snprintf(want, sizeof want, "<script type=\"module\" src=\"/assets/v/%s/js/a.js\"></script><a href='/assets/v/%s/x'>"
	         "/assets/ text</a>\n", g->version, g->version);
	ck_assert_uint_eq(page->body[0].len, strlen(want));
	ck_assert_int_eq(memcmp(page->body[0].data, want, strlen(want)), 0);
	char v1[SIGNAL_STATIC_VERSION_LEN + 1], tag1[32];
	strcpy(v1, g->version);
	strcpy(tag1, page->etag[0]);
	ck_assert(!signal_static_changed(g, root));
	struct signal_static_file *css = (struct signal_static_file *)signal_static_find(g, "assets/b.css");
	ck_assert_ptr_nonnull(css->body[SIGNAL_CODING_GZIP].data);
	css->body[SIGNAL_CODING_GZIP].data[5] = 'X';
	size_t css_gz_len = css->body[SIGNAL_CODING_GZIP].len;
	/* one asset changes: the version, and so the page and its tag, move; a new file is seen too */
	put("assets/js/a.js", "export const a = 'b';\n", 1);
	ck_assert(signal_static_changed(g, root));
	struct signal_static *g2 = NULL;
	ck_assert_int_eq(signal_static_new(&g2, root, NULL, g), 0);
	ck_assert_str_ne(g2->version, v1);
	ck_assert_str_ne(signal_static_find(g2, "index.html")->etag[0], tag1);
	/* what did not change takes its compressed bodies from g (marked here), what did is new */
	const struct signal_static_file *css2 = signal_static_find(g2, "assets/b.css");
	ck_assert(css2->body[SIGNAL_CODING_GZIP].len == css_gz_len && css2->body[SIGNAL_CODING_GZIP].data[5] == 'X');
	const struct signal_static_file *js2 = signal_static_find(g2, "assets/js/a.js");
	ck_assert(js2->body[0].len == 22 && !js2->body[1].data);
	ck_assert(!signal_static_changed(g2, root));
	put("assets/new.js", "x", 1);
	ck_assert(signal_static_changed(g2, root));
	/* a generation outlives the current one while a response holds it */
	signal_static_ref(g);
	signal_static_unref(g);
	ck_assert_str_eq(g->version, v1);
	signal_static_unref(g);
	signal_static_unref(g2);
}
END_TEST

START_TEST(path_rule)
{
	static const char *const good[] = { "js/room.js", "a", "i18n/de.json", "a-b_c.d/e" };
	static const char *const bad[] = { "", "/js", "js/", "js//a", "../x", "js/../x", ".x", "js/.x", "a b",
	                                   "a%2e", "a\\b", "a\nb", "é" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		ck_assert_msg(signal_static_path_ok(good[i]), "refused %s", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!signal_static_path_ok(bad[i]), "accepted %s", bad[i]);
	char longp[300];
	memset(longp, 'a', sizeof longp - 1);
	longp[sizeof longp - 1] = '\0';
	ck_assert(!signal_static_path_ok(longp));
	ck_assert_str_eq(signal_static_type("x/a.JS"), "text/javascript; charset=utf-8");
	ck_assert_str_eq(signal_static_type("a.js/x"), "application/octet-stream");
}
END_TEST

START_TEST(missing_root)
{
	struct signal_static *g = NULL;
	ck_assert_int_eq(signal_static_new(&g, "/nonexistent/plenum-web", NULL, NULL), 0);
	ck_assert_uint_eq(g->n, 0);
	ck_assert_ptr_null(signal_static_find(g, "index.html"));
	signal_static_unref(g);
}
END_TEST

static Suite *static_suite(void)
{
	Suite *s = suite_create("static_files");
	TCase *tc = tcase_create("web_root");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, lists_and_compresses);
	tcase_add_test(tc, pages_carry_the_version);
	tcase_add_test(tc, path_rule);
	tcase_add_test(tc, missing_root);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(static_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
