/* test_usage: the usage statistics of src/stats — exact day rows from meetings driven by an injected
 * wall clock, midnight splits, persistence across close, reopen and a crash, retention, the schema
 * (counters only), the bounds, browser families from real User-Agents, and the CSV and HTML
 * reports with their small-count threshold, escaping and Content-Security-Policy-safe markup. */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "stats/usage_int.h"

#define MIN_US (60ull * 1000000ull)
#define DAY0 19787ull                         /* 2024-03-05 */
#define T(day, h, m) (((DAY0 + (day)) * 86400ull + (h) * 3600ull + (m) * 60ull) * 1000000ull)

static uint64_t clock_us;
static uint64_t fake_now(void *arg)
{
	return *(const uint64_t *)arg;
}
static const struct clock_src fake = { fake_now, &clock_us };

static char db_path[64];

static void remove_db(void)
{
	char p[80];
	unlink(db_path);
	snprintf(p, sizeof p, "%s-wal", db_path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", db_path);
	unlink(p);
}

/* Unchecked: runs in the parent around the whole case, so the files go even when a test fails. */
static void db_setup(void)
{
	snprintf(db_path, sizeof db_path, "/tmp/plenum-test-usage-%ld.db", (long)getpid());
	remove_db();
}

static struct usage *open_store(const char *path, unsigned keep_days)
{
	struct usage *u = NULL;
	char err[256];
	int rc = usage_open(&u, path, keep_days, &fake, err, sizeof err);
	ck_assert_msg(rc == 0, "usage_open: %d %s", rc, err);
	ck_assert_ptr_nonnull(u);
	return u;
}

static struct usage_day day_of(struct usage *u, const char *tenant, unsigned back)
{
	struct usage_day d[8];
	ck_assert_uint_lt(back, 8);
	size_t n = usage_days(u, tenant, back + 1, d, 8);
	ck_assert_uint_eq(n, back + 1);
	return d[0];
}

static void expect_row(const struct usage_day *got, const struct usage_day *want)
{
	ck_assert_str_eq(got->date, want->date);
	struct usage_day g = *got, w = *want;
	uint64_t *gf[USAGE_FIELDS], *wf[USAGE_FIELDS];
	usage_fields(&g, gf);
	usage_fields(&w, wf);
	for (size_t i = 0; i < USAGE_FIELDS; i++)
		ck_assert_msg(*gf[i] == *wf[i], "%s %s: %llu, expected %llu", got->date, usage_field_names[i],
		              (unsigned long long)*gf[i], (unsigned long long)*wf[i]);
}

/* 09:00–10:30 three people (Chromium camera on, Firefox off, Safari on); one other browser, camera
 * off, for 3 minutes: at 11:00, or (overlap) at 10:00 while the three are there. */
static void two_meetings(struct usage *u, const char *tenant, bool overlap)
{
	clock_us = T(0, 9, 0);
	struct usage_meeting *a = usage_meeting_start(u, tenant);
	ck_assert_ptr_nonnull(a);
	struct usage_seat *s1 = usage_join(u, a, USAGE_BROWSER_CHROMIUM, true);
	struct usage_seat *s2 = usage_join(u, a, USAGE_BROWSER_FIREFOX, false);
	struct usage_seat *s3 = usage_join(u, a, USAGE_BROWSER_SAFARI, true);
	ck_assert(s1 && s2 && s3);
	if (!overlap) {
		clock_us = T(0, 10, 30);
		usage_leave(u, s1);
		usage_leave(u, s2);
		usage_meeting_end(u, a);      /* s3 leaves here */
	}
	clock_us = overlap ? T(0, 10, 0) : T(0, 11, 0);
	struct usage_meeting *b = usage_meeting_start(u, tenant);
	struct usage_seat *s4 = usage_join(u, b, USAGE_BROWSER_OTHER, false);
	ck_assert_ptr_nonnull(s4);
	clock_us += 3 * MIN_US;
	usage_leave(u, s4);
	usage_meeting_end(u, b);
	if (overlap) {
		clock_us = T(0, 10, 30);
		usage_leave(u, s1);
		usage_leave(u, s2);
		usage_meeting_end(u, a);
	}
}

static struct usage_day expected_two(bool overlap)
{
	struct usage_day w = { .date = "2024-03-05", .meetings = 2, .participant_seconds = 273 * 60 };
	w.peak = overlap ? 4 : 3;
	w.by_size[USAGE_SIZE_1] = 1;
	w.by_size[USAGE_SIZE_3_5] = 1;
	w.by_duration[USAGE_DUR_LT5] = 1;
	w.by_duration[USAGE_DUR_60_120] = 1;
	for (size_t i = 0; i < USAGE_BROWSER_N; i++)
		w.by_browser[i] = 1;
	w.camera_on = 2;
	w.camera_off = 2;
	return w;
}

START_TEST(two_meetings_exact_row)
{
	bool overlap = _i == 1;
	struct usage *u = open_store(NULL, 0);
	two_meetings(u, "buehl", overlap);
	clock_us = T(0, 22, 0);
	usage_meeting_end(u, usage_meeting_start(u, "buehl"));   /* nobody joined: no meeting */
	clock_us = T(0, 23, 0);
	struct usage_day got = day_of(u, "buehl", 0), want = expected_two(overlap);
	expect_row(&got, &want);
	/* Another tenant has nothing; the days before are zeros with their dates. */
	struct usage_day other = day_of(u, "rastatt", 0), zero = { .date = "2024-03-05" };
	expect_row(&other, &zero);
	struct usage_day d[3];
	ck_assert_uint_eq(usage_days(u, "buehl", 3, d, 3), 3);
	ck_assert_str_eq(d[0].date, "2024-03-03");
	ck_assert_str_eq(d[1].date, "2024-03-04");
	ck_assert_uint_eq(d[0].meetings + d[1].meetings, 0);
	expect_row(&d[2], &want);
	/* cap < days: the most recent ones. */
	ck_assert_uint_eq(usage_days(u, "buehl", 30, d, 2), 2);
	ck_assert_str_eq(d[1].date, "2024-03-05");
	struct usage_info info;
	usage_get_info(u, &info);
	ck_assert_uint_eq(info.meetings_live, 0);
	ck_assert_uint_eq(info.seats_live, 0);
	ck_assert_uint_eq(info.dropped, 0);
	ck_assert_uint_eq(info.write_errors, 0);
	usage_close(u);
}
END_TEST

START_TEST(minutes_in_progress_are_visible)
{
	struct usage *u = open_store(NULL, 0);
	clock_us = T(0, 8, 0);
	struct usage_meeting *m = usage_meeting_start(u, "buehl");
	usage_join(u, m, USAGE_BROWSER_FIREFOX, true);
	usage_join(u, m, USAGE_BROWSER_FIREFOX, true);
	clock_us = T(0, 8, 10);
	struct usage_day d = day_of(u, "buehl", 0);
	ck_assert_uint_eq(d.participant_seconds, 2 * 10 * 60);
	ck_assert_uint_eq(d.meetings, 0);                  /* counted when it ends */
	ck_assert_uint_eq(d.peak, 2);
	clock_us = T(0, 8, 25);
	ck_assert_int_eq(usage_tick(u), 0);
	d = day_of(u, "buehl", 0);
	ck_assert_uint_eq(d.participant_seconds, 2 * 25 * 60);
	/* Sub-second pieces add up instead of being lost at each step. */
	for (int i = 0; i < 1000; i++) {
		clock_us += 333333;
		usage_tick(u);
	}
	d = day_of(u, "buehl", 0);
	ck_assert_uint_eq(d.participant_seconds, 2 * 25 * 60 + 2 * 333333ull * 1000 / 1000000);
	usage_close(u);
	/* Memory only: nothing is left after close. */
	u = open_store(NULL, 0);
	d = day_of(u, "buehl", 0);
	ck_assert_uint_eq(d.participant_seconds, 0);
	ck_assert_uint_eq(d.meetings, 0);
	usage_close(u);
}
END_TEST

static int64_t raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	int rc = sqlite3_step(st);
	int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	return v;
}

START_TEST(survives_reopen_and_counts_meetings_in_progress)
{
	struct usage *u = open_store(db_path, 0);
	two_meetings(u, "buehl", false);
	/* A meeting still going at close: two people since 12:00, close at 12:30. */
	clock_us = T(0, 12, 0);
	struct usage_meeting *c = usage_meeting_start(u, "buehl");
	usage_join(u, c, USAGE_BROWSER_CHROMIUM, true);
	usage_join(u, c, USAGE_BROWSER_CHROMIUM, true);
	clock_us = T(0, 12, 10);
	ck_assert_int_eq(usage_tick(u), 0);
	/* What the tick wrote is committed: another connection sees it... */
	sqlite3 *raw;
	ck_assert_int_eq(sqlite3_open_v2(db_path, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(raw_int(raw, "SELECT participant_seconds FROM usage_day WHERE tenant = 'buehl'"),
	                 (273 + 20) * 60);
	/* ...and what came after it is not, until the next tick. */
	clock_us = T(0, 12, 20);
	usage_join(u, c, USAGE_BROWSER_SAFARI, false);
	ck_assert_int_eq(raw_int(raw, "SELECT browser_safari FROM usage_day WHERE tenant = 'buehl'"), 1);
	clock_us = T(0, 12, 21);
	ck_assert_int_eq(usage_tick(u), 0);
	ck_assert_int_eq(raw_int(raw, "SELECT browser_safari FROM usage_day WHERE tenant = 'buehl'"), 2);
	sqlite3_close(raw);
	clock_us = T(0, 12, 30);
	usage_close(u);

	clock_us = T(0, 18, 0);
	u = open_store(db_path, 0);
	struct usage_day got = day_of(u, "buehl", 0), want = expected_two(false);
	want.meetings = 3;
	want.participant_seconds += (2 * 30 + 10) * 60;
	want.by_size[USAGE_SIZE_3_5] = 2;
	want.by_duration[USAGE_DUR_30_60] = 1;
	want.by_browser[USAGE_BROWSER_CHROMIUM] += 2;
	want.by_browser[USAGE_BROWSER_SAFARI] += 1;
	want.camera_on += 2;
	want.camera_off += 1;
	expect_row(&got, &want);
	usage_close(u);
}
END_TEST

START_TEST(crash_loses_at_most_the_last_minute)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct usage *u = NULL;
		char err[128];
		clock_us = T(0, 9, 0);
		if (usage_open(&u, db_path, 0, &fake, err, sizeof err))
			_exit(2);
		struct usage_meeting *m = usage_meeting_start(u, "buehl");
		usage_join(u, m, USAGE_BROWSER_FIREFOX, true);
		clock_us = T(0, 9, 1);
		usage_tick(u);
		usage_join(u, m, USAGE_BROWSER_FIREFOX, false);   /* after the last tick */
		clock_us = T(0, 9, 2);
		_exit(0);                                          /* no close: a crash */
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	clock_us = T(0, 10, 0);
	struct usage *u = open_store(db_path, 0);
	struct usage_day d = day_of(u, "buehl", 0);
	ck_assert_uint_eq(d.camera_on, 1);
	ck_assert_uint_eq(d.camera_off, 0);
	ck_assert_uint_eq(d.participant_seconds, 60);
	usage_close(u);
}
END_TEST

START_TEST(midnight_splits_minutes)
{
	struct usage *u = open_store(NULL, 0);
	clock_us = T(0, 23, 30);
	struct usage_meeting *m = usage_meeting_start(u, "buehl");
	usage_join(u, m, USAGE_BROWSER_CHROMIUM, true);
	usage_join(u, m, USAGE_BROWSER_FIREFOX, true);
	clock_us = T(0, 23, 50);
	usage_tick(u);
	clock_us = T(1, 0, 5);
	usage_tick(u);
	clock_us = T(1, 0, 45);
	usage_meeting_end(u, m);
	struct usage_day d[2];
	ck_assert_uint_eq(usage_days(u, "buehl", 2, d, 2), 2);
	struct usage_day first = { .date = "2024-03-05", .participant_seconds = 2 * 30 * 60, .peak = 2 };
	first.by_browser[USAGE_BROWSER_CHROMIUM] = 1;
	first.by_browser[USAGE_BROWSER_FIREFOX] = 1;
	first.camera_on = 2;
	struct usage_day second = { .date = "2024-03-06", .meetings = 1, .participant_seconds = 2 * 45 * 60, .peak = 2 };
	second.by_size[USAGE_SIZE_2] = 1;
	second.by_duration[USAGE_DUR_60_120] = 1;        /* 75 minutes, on the day it ended */
	expect_row(&d[0], &first);
	expect_row(&d[1], &second);

	/* Three people from 22:00 on day 2 to 02:00 on day 4, no tick between: the day in the middle
	 * has them all day long. */
	clock_us = T(2, 22, 0);
	m = usage_meeting_start(u, "buehl");
	for (int i = 0; i < 3; i++)
		usage_join(u, m, USAGE_BROWSER_SAFARI, false);
	clock_us = T(4, 2, 0);
	usage_meeting_end(u, m);
	struct usage_day e[3];
	ck_assert_uint_eq(usage_days(u, "buehl", 3, e, 3), 3);
	ck_assert_str_eq(e[0].date, "2024-03-07");
	ck_assert_uint_eq(e[0].participant_seconds, 3 * 2 * 3600);
	ck_assert_uint_eq(e[1].participant_seconds, 3 * 86400);
	ck_assert_uint_eq(e[1].peak, 3);
	ck_assert_uint_eq(e[1].meetings, 0);
	ck_assert_uint_eq(e[2].participant_seconds, 3 * 2 * 3600);
	ck_assert_uint_eq(e[2].meetings, 1);
	ck_assert_uint_eq(e[2].by_duration[USAGE_DUR_120_UP], 1);
	ck_assert_uint_eq(e[2].peak, 3);
	usage_close(u);
}
END_TEST

START_TEST(clock_stepping_back_counts_nothing_twice)
{
	struct usage *u = open_store(NULL, 0);
	clock_us = T(0, 10, 0);
	struct usage_meeting *m = usage_meeting_start(u, "buehl");
	struct usage_seat *s = usage_join(u, m, USAGE_BROWSER_CHROMIUM, true);
	clock_us = T(0, 10, 20);
	usage_tick(u);
	clock_us = T(0, 10, 5);                  /* NTP stepped the clock back 15 minutes */
	usage_tick(u);
	clock_us = T(0, 10, 30);
	usage_leave(u, s);
	usage_meeting_end(u, m);
	struct usage_day d = day_of(u, "buehl", 0);
	ck_assert_uint_eq(d.participant_seconds, 30 * 60);
	ck_assert_uint_eq(d.by_duration[USAGE_DUR_30_60], 1);
	usage_close(u);
}
END_TEST

START_TEST(retention_deletes_old_rows)
{
	struct usage *u = open_store(db_path, 3);
	clock_us = T(0, 9, 0);
	struct usage_meeting *m = usage_meeting_start(u, "buehl");
	usage_join(u, m, USAGE_BROWSER_CHROMIUM, true);
	clock_us = T(0, 9, 30);
	usage_meeting_end(u, m);
	clock_us = T(1, 9, 0);
	m = usage_meeting_start(u, "buehl");
	usage_join(u, m, USAGE_BROWSER_CHROMIUM, true);
	clock_us = T(1, 9, 30);
	usage_meeting_end(u, m);
	usage_tick(u);
	sqlite3 *raw;
	ck_assert_int_eq(sqlite3_open_v2(db_path, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(raw_int(raw, "SELECT count(*) FROM usage_day"), 2);
	clock_us = T(3, 0, 1);                   /* 3 days after the first: still kept */
	usage_tick(u);
	ck_assert_int_eq(raw_int(raw, "SELECT count(*) FROM usage_day"), 2);
	clock_us = T(4, 0, 1);                   /* 4 days: the first one goes */
	usage_tick(u);
	ck_assert_int_eq(raw_int(raw, "SELECT count(*) FROM usage_day"), 1);
	ck_assert_int_eq(raw_int(raw, "SELECT count(*) FROM usage_day WHERE day = '2024-03-06'"), 1);
	struct usage_day d[5];
	ck_assert_uint_eq(usage_days(u, "buehl", 5, d, 5), 5);
	ck_assert_str_eq(d[0].date, "2024-03-05");
	ck_assert_uint_eq(d[0].meetings, 0);
	ck_assert_uint_eq(d[1].meetings, 1);
	usage_close(u);
	/* Opening prunes too: five days later the other row is gone without a tick. */
	clock_us = T(9, 0, 0);
	u = open_store(db_path, 3);
	ck_assert_int_eq(raw_int(raw, "SELECT count(*) FROM usage_day"), 0);
	usage_close(u);
	sqlite3_close(raw);
}
END_TEST

/* The whole file's bytes contain `needle`. */
static bool file_has(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	return memmem(buf, n, needle, strlen(needle)) != NULL;
}

START_TEST(schema_holds_counters_only)
{
	/* The UA and the (made-up) room and display names are what the server has at a join; none
	 * of them can reach the file, because the API takes none of them. */
	const char *ua = "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0 marker-7f3a";
	struct usage *u = open_store(db_path, 0);
	clock_us = T(0, 9, 0);
	struct usage_meeting *m = usage_meeting_start(u, "buehl");
	usage_join(u, m, usage_browser_family(ua), true);
	clock_us = T(0, 9, 40);
	usage_close(u);
	ck_assert(!file_has(db_path, "marker-7f3a"));
	ck_assert(!file_has(db_path, "Mozilla"));
	ck_assert(file_has(db_path, "2024-03-05"));   /* the file is the one written */

	sqlite3 *raw;
	ck_assert_int_eq(sqlite3_open_v2(db_path, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(raw_int(raw, "PRAGMA user_version"), 1);
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(raw, "SELECT type || ' ' || name FROM sqlite_master ORDER BY name", -1, &st,
	                                    NULL),
	                 SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "table usage_day");
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	static const char *const columns[] = {
		"tenant TEXT 1", "day TEXT 2", "meetings INTEGER 0", "participant_seconds INTEGER 0", "peak INTEGER 0",
		"size_1 INTEGER 0", "size_2 INTEGER 0", "size_3_5 INTEGER 0", "size_6_10 INTEGER 0", "size_11_20 INTEGER 0",
		"size_21_50 INTEGER 0", "size_51_up INTEGER 0", "duration_lt5 INTEGER 0", "duration_5_15 INTEGER 0",
		"duration_15_30 INTEGER 0", "duration_30_60 INTEGER 0", "duration_60_120 INTEGER 0",
		"duration_120_up INTEGER 0", "browser_chromium INTEGER 0", "browser_firefox INTEGER 0",
		"browser_safari INTEGER 0", "browser_other INTEGER 0", "camera_on INTEGER 0", "camera_off INTEGER 0",
		"not_counted INTEGER 0",
	};
	ck_assert_int_eq(sqlite3_prepare_v2(raw, "SELECT name || ' ' || type || ' ' || pk FROM pragma_table_info('usage_day')",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	size_t n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		ck_assert_uint_lt(n, sizeof columns / sizeof columns[0]);
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), columns[n]);
		n++;
	}
	ck_assert_uint_eq(n, sizeof columns / sizeof columns[0]);
	sqlite3_finalize(st);
	ck_assert_int_eq(raw_int(raw, "SELECT count(*) FROM usage_day"), 1);
	sqlite3_close(raw);
}
END_TEST

static void open_fails(const char *path, int code, const char *part)
{
	struct usage *u = (struct usage *)1;
	char err[256];
	int rc = usage_open(&u, path, 0, &fake, err, sizeof err);
	ck_assert_msg(rc == code, "%s: %d, expected %d (%s)", path, rc, code, err);
	ck_assert_ptr_null(u);
	ck_assert_msg(strstr(err, part) != NULL, "error '%s' lacks '%s'", err, part);
}

START_TEST(open_refuses_what_it_cannot_use)
{
	open_fails("/nonexistent-plenum-dir/usage.db", EIO, "/nonexistent-plenum-dir/usage.db cannot be opened");
	/* A newer schema version. */
	sqlite3 *raw;
	ck_assert_int_eq(sqlite3_open(db_path, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw, "PRAGMA user_version = 2", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	open_fails(db_path, EPROTO, "schema version 2; this plenum knows up to 1");
	remove_db();
	/* Somebody else's database. */
	ck_assert_int_eq(sqlite3_open(db_path, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw, "CREATE TABLE people (name TEXT)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	open_fails(db_path, EIO, "is not a plenum statistics database");
	remove_db();
	/* Not a database at all. */
	FILE *f = fopen(db_path, "w");
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 200; i++)
		fputs("this is a text file, not SQLite\n", f);
	fclose(f);
	open_fails(db_path, EIO, "cannot be read");
	remove_db();
	struct usage *u;
	char err[128];
	ck_assert_int_eq(usage_open(&u, NULL, USAGE_KEEP_MAX + 1, &fake, err, sizeof err), EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "keep_days"));
	/* A good file opens again and again; version 1 is kept. */
	u = open_store(db_path, 0);
	usage_close(u);
	u = open_store(db_path, USAGE_KEEP_MAX);
	usage_close(u);
	/* The real wall clock is the default. */
	ck_assert_int_eq(usage_open(&u, NULL, 0, NULL, err, sizeof err), 0);
	struct usage_day d;
	ck_assert_uint_eq(usage_days(u, "buehl", 1, &d, 1), 1);
	char today[16];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	ck_assert_str_eq(d.date, today);
	usage_close(u);
}
END_TEST

START_TEST(bounds_refuse_and_count)
{
	struct usage *u = open_store(NULL, 0);
	clock_us = T(0, 9, 0);
	static struct usage_meeting *ms[USAGE_MEETINGS_MAX];
	for (size_t i = 0; i < USAGE_MEETINGS_MAX; i++) {
		ms[i] = usage_meeting_start(u, i % 2 ? "buehl" : "rastatt");
		ck_assert_ptr_nonnull(ms[i]);
	}
	ck_assert_ptr_null(usage_meeting_start(u, "buehl"));
	struct usage_info info;
	usage_get_info(u, &info);
	ck_assert_uint_eq(info.meetings_live, USAGE_MEETINGS_MAX);
	ck_assert_uint_eq(info.dropped, 1);
	ck_assert_ptr_null(usage_join(u, NULL, USAGE_BROWSER_FIREFOX, true));   /* a join to the refused meeting */
	usage_leave(u, NULL);
	usage_meeting_end(u, NULL);
	usage_get_info(u, &info);
	ck_assert_uint_eq(info.dropped, 2);
	struct usage_day d = day_of(u, "buehl", 0);
	ck_assert_uint_eq(d.not_counted, 1);
	ck_assert_uint_eq(day_of(u, "rastatt", 0).not_counted, 0);
	/* Bad ids are refused before the bound. */
	char long_id[USAGE_TENANT_MAX + 2];
	memset(long_id, 'a', sizeof long_id - 1);
	long_id[sizeof long_id - 1] = '\0';
	const char *bad[] = { NULL, "", "B\xc3\xbchl", "Buehl", "bu ehl", "bu_ehl", "a/b", long_id };
	usage_meeting_end(u, ms[0]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_ptr_null(usage_meeting_start(u, bad[i]));
	long_id[USAGE_TENANT_MAX] = '\0';
	ms[0] = usage_meeting_start(u, long_id);                          /* 32 characters are fine */
	ck_assert_ptr_nonnull(ms[0]);
	ck_assert_uint_eq(usage_days(u, "Buehl", 1, &d, 1), 0);
	usage_get_info(u, &info);
	ck_assert_uint_eq(info.dropped, 2 + sizeof bad / sizeof bad[0]);
	/* Seats: the first USAGE_SEATS_MAX join, the next is refused. */
	for (size_t i = 0; i < USAGE_SEATS_MAX; i++)
		ck_assert_ptr_nonnull(usage_join(u, ms[1 + i % 100], USAGE_BROWSER_CHROMIUM, i % 2));
	ck_assert_ptr_null(usage_join(u, ms[1], USAGE_BROWSER_CHROMIUM, true));
	usage_get_info(u, &info);
	ck_assert_uint_eq(info.seats_live, USAGE_SEATS_MAX);
	ck_assert_uint_eq(info.dropped, 3 + sizeof bad / sizeof bad[0]);
	d = day_of(u, "buehl", 0);
	ck_assert_uint_eq(d.not_counted, 1 + 1);              /* ms[1] is buehl's */
	ck_assert_uint_eq(d.peak, USAGE_SEATS_MAX / 2);
	clock_us = T(0, 10, 0);
	usage_close(u);                                       /* ends 10,000 meetings, 100,000 seats */
}
END_TEST

START_TEST(buckets_at_their_edges)
{
	static const struct { uint64_t peak; enum usage_size b; } sizes[] = {
		{ 0, USAGE_SIZE_1 }, { 1, USAGE_SIZE_1 }, { 2, USAGE_SIZE_2 }, { 3, USAGE_SIZE_3_5 }, { 5, USAGE_SIZE_3_5 },
		{ 6, USAGE_SIZE_6_10 }, { 10, USAGE_SIZE_6_10 }, { 11, USAGE_SIZE_11_20 }, { 20, USAGE_SIZE_11_20 },
		{ 21, USAGE_SIZE_21_50 }, { 50, USAGE_SIZE_21_50 }, { 51, USAGE_SIZE_51_UP }, { UINT64_MAX, USAGE_SIZE_51_UP },
	};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		ck_assert_int_eq(usage_size_bucket(sizes[i].peak), sizes[i].b);
	static const struct { uint64_t s; enum usage_duration b; } durs[] = {
		{ 0, USAGE_DUR_LT5 }, { 299, USAGE_DUR_LT5 }, { 300, USAGE_DUR_5_15 }, { 899, USAGE_DUR_5_15 },
		{ 900, USAGE_DUR_15_30 }, { 1799, USAGE_DUR_15_30 }, { 1800, USAGE_DUR_30_60 }, { 3599, USAGE_DUR_30_60 },
		{ 3600, USAGE_DUR_60_120 }, { 7199, USAGE_DUR_60_120 }, { 7200, USAGE_DUR_120_UP },
		{ UINT64_MAX, USAGE_DUR_120_UP },
	};
	for (size_t i = 0; i < sizeof durs / sizeof durs[0]; i++)
		ck_assert_int_eq(usage_duration_bucket(durs[i].s), durs[i].b);
}
END_TEST

START_TEST(dates_match_gmtime)
{
	char got[11], want[16];
	for (uint32_t day = 0; day < 150000; day += (day < 20000 ? 1 : 7)) {   /* 1970 … about 2380 */
		time_t t = (time_t)day * 86400;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(want, sizeof want, "%Y-%m-%d", &tm);
		usage_date_text(day, got);
		ck_assert_str_eq(got, want);
	}
	usage_date_text(USAGE_DAY_LAST, got);
	ck_assert_str_eq(got, "9999-12-31");
	ck_assert_uint_eq(usage_day_of(UINT64_MAX), USAGE_DAY_LAST);
}
END_TEST

static void family(const char *ua, enum usage_browser want)
{
	ck_assert_msg(usage_browser_family(ua) == want, "%s: %d, expected %d", ua ? ua : "(null)",
	              usage_browser_family(ua), want);
}

START_TEST(browser_families)
{
	/* Chrome 120 on Windows, Edge 120, Opera, Samsung Internet, Android Chrome, Chromium on Linux. */
	family("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
	       "Safari/537.36", USAGE_BROWSER_CHROMIUM);
	family("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
	       "Safari/537.36 Edg/120.0.2210.91", USAGE_BROWSER_CHROMIUM);
	family("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 "
	       "Safari/537.36 OPR/105.0.0.0", USAGE_BROWSER_CHROMIUM);
	family("Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 "
	       "Chrome/115.0.0.0 Mobile Safari/537.36", USAGE_BROWSER_CHROMIUM);
	family("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile "
	       "Safari/537.36", USAGE_BROWSER_CHROMIUM);
	family("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/120.0.6099.109 "
	       "Chrome/120.0.6099.109 Safari/537.36", USAGE_BROWSER_CHROMIUM);
	/* Firefox ESR 115 on Linux, Firefox 121 on Windows and Android. */
	family("Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0", USAGE_BROWSER_FIREFOX);
	family("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0", USAGE_BROWSER_FIREFOX);
	family("Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0", USAGE_BROWSER_FIREFOX);
	/* Safari on macOS (and iPadOS, which sends the Mac's), Safari on iOS. */
	family("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 "
	       "Safari/605.1.15", USAGE_BROWSER_SAFARI);
	family("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
	       "Version/17.2 Mobile/15E148 Safari/604.1", USAGE_BROWSER_SAFARI);
	/* Chrome, Firefox and Edge on iOS are WebKit: safari (documented in usage.h). */
	family("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
	       "CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1", USAGE_BROWSER_SAFARI);
	family("Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/121.0 "
	       "Mobile/15E148 Safari/605.1.15", USAGE_BROWSER_SAFARI);
	family("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
	       "Version/17.0 EdgiOS/120.2210.116 Mobile/15E148 Safari/605.1.15", USAGE_BROWSER_SAFARI);
	/* Others: curl, a bot, Android's old stock browser, nothing. */
	family("curl/7.88.1", USAGE_BROWSER_OTHER);
	family("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", USAGE_BROWSER_OTHER);
	family("Mozilla/5.0 (Linux; U; Android 4.0.3; de-de; GT-I9100 Build/IML74K) AppleWebKit/534.30 (KHTML, like "
	       "Gecko) Version/4.0 Mobile Safari/534.30", USAGE_BROWSER_OTHER);
	family("", USAGE_BROWSER_OTHER);
	family(NULL, USAGE_BROWSER_OTHER);
	/* Only the first 1024 bytes are looked at. */
	static char padded[1200];
	memset(padded, 'x', 1024);
	strcpy(padded + 1024, " Chrome/120.0.0.0");
	family(padded, USAGE_BROWSER_OTHER);
	strcpy(padded + 1000, " Chrome/120.0.0.0");
	family(padded, USAGE_BROWSER_CHROMIUM);
}
END_TEST

/* Days with the given meeting counts (other counters derived), dated from 2024-03-01. */
static void make_days(struct usage_day *d, size_t n, const uint64_t *meetings)
{
	memset(d, 0, n * sizeof *d);
	for (size_t i = 0; i < n; i++) {
		snprintf(d[i].date, sizeof d[i].date, "2024-03-%02u", (unsigned)(i + 1) % 100u);
		d[i].meetings = meetings[i];
	}
}

START_TEST(csv_threshold)
{
	struct usage_day d[2];
	uint64_t m[2] = { 1, 5 };
	make_days(d, 2, m);
	d[0].participant_seconds = 4 * 60 + 59;           /* 4 minutes */
	d[0].peak = 4;
	d[0].by_size[USAGE_SIZE_1] = 4;
	d[0].by_duration[USAGE_DUR_LT5] = 0;
	d[0].by_browser[USAGE_BROWSER_FIREFOX] = 3;
	d[0].camera_on = 2;
	d[1].participant_seconds = 300 * 60 + 59;         /* 300 minutes */
	d[1].peak = 5;
	d[1].by_size[USAGE_SIZE_51_UP] = 6;
	d[1].by_duration[USAGE_DUR_120_UP] = 5;
	d[1].by_browser[USAGE_BROWSER_OTHER] = 7;
	d[1].camera_off = 12345678901234ull;
	d[1].not_counted = 1;
	char buf[4096];
	struct strbuf b;
	const char *header = "date,meetings,participant_minutes,peak_participants,size_1,size_2,size_3_5,size_6_10,"
	                     "size_11_20,size_21_50,size_51_plus,duration_under_5_min,duration_5_15_min,"
	                     "duration_15_30_min,duration_30_60_min,duration_60_120_min,duration_120_min_plus,"
	                     "browser_chromium,browser_firefox,browser_safari,browser_other,camera_on,camera_off,"
	                     "not_counted\r\n";
	strbuf_init(&b, buf, sizeof buf);
	ck_assert_int_eq(usage_csv(d, 2, 5, &b), 0);
	char want[4096];
	snprintf(want, sizeof want,
	         "%s2024-03-01,< 5,< 5,< 5,< 5,0,0,0,0,0,0,0,0,0,0,0,0,0,< 5,0,0,< 5,0,0\r\n"
	         "2024-03-02,5,300,5,0,0,0,0,0,0,6,0,0,0,0,0,5,0,0,0,7,0,12345678901234,< 5\r\n",
	         header);
	ck_assert_str_eq(buf, want);
	strbuf_init(&b, buf, sizeof buf);
	ck_assert_int_eq(usage_csv(d, 2, 0, &b), 0);
	snprintf(want, sizeof want,
	         "%s2024-03-01,1,4,4,4,0,0,0,0,0,0,0,0,0,0,0,0,0,3,0,0,2,0,0\r\n"
	         "2024-03-02,5,300,5,0,0,0,0,0,0,6,0,0,0,0,0,5,0,0,0,7,0,12345678901234,1\r\n",
	         header);
	ck_assert_str_eq(buf, want);
	/* Another threshold is written with its own number; 5 is no longer enough at 10. */
	strbuf_init(&b, buf, sizeof buf);
	ck_assert_int_eq(usage_csv(d, 2, 10, &b), 0);
	ck_assert_ptr_nonnull(strstr(buf, "\r\n2024-03-02,< 10,300,< 10,"));
	/* A date that is not one is not passed through. */
	snprintf(d[0].date, sizeof d[0].date, "<b>=1,2");
	strbuf_init(&b, buf, sizeof buf);
	ck_assert_int_eq(usage_csv(d, 1, 0, &b), 0);
	ck_assert_ptr_nonnull(strstr(buf, "\r\n12,1,4,"));
	ck_assert_ptr_null(strchr(buf, '<'));
	/* Too small a buffer says so. */
	strbuf_init(&b, buf, 100);
	ck_assert_int_eq(usage_csv(d, 2, 5, &b), ENOSPC);
}
END_TEST

/* strstr without a sanitizer's interceptor, which checks the whole rest of the haystack at each
 * call and makes the loops over a page of megabytes quadratic. */
static const char *find(const char *h, const char *needle)
{
	size_t n = strlen(needle);
	for (; *h; h++)
		if (*h == *needle && strncmp(h, needle, n) == 0)
			return h;
	return NULL;
}

/* Relative luminance (WCAG 2.1) of "#rrggbb" and the contrast against white. */
static double contrast_on_white(const char *hex)
{
	unsigned rgb[3];
	ck_assert_int_eq(sscanf(hex, "#%2x%2x%2x", &rgb[0], &rgb[1], &rgb[2]), 3);
	double l = 0, w[3] = { 0.2126, 0.7152, 0.0722 };
	for (int i = 0; i < 3; i++) {
		double c = rgb[i] / 255.0;
		c = c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
		l += w[i] * c;
	}
	return 1.05 / (l + 0.05);
}

/* Every colour in fill= and stroke= but white: ≥ 3:1 (graphics); in <text> elements ≥ 4.5:1. */
static void check_colours(const char *html)
{
	size_t seen = 0;
	for (const char *p = html; (p = find(p, "=\"#")); p += 3) {
		const char *attr = p;
		while (attr > html && attr[-1] != ' ')
			attr--;
		if (strncmp(attr, "fill", 4) && strncmp(attr, "stroke", 6))
			continue;
		char hex[8];
		memcpy(hex, p + 2, 7);
		hex[7] = '\0';
		if (strcmp(hex, "#ffffff") == 0)
			continue;
		const char *tag = p;
		while (tag > html && *tag != '<')
			tag--;
		bool text = strncmp(tag, "<text", 5) == 0;
		double c = contrast_on_white(hex);
		ck_assert_msg(c >= (text ? 4.5 : 3.0), "%s in %.10s: contrast %.2f", hex, tag, c);
		seen++;
	}
	if (strstr(html, "<svg"))
		ck_assert_uint_gt(seen, 10);
}

static size_t occurrences(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = s; (p = find(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Markup a page served under default-src 'self' may not have, and the balance of the elements. */
static void check_page(const char *html, const char *lang)
{
	char want[64];
	ck_assert_msg(strncmp(html, "<!doctype html>\n", 16) == 0, "no doctype");
	snprintf(want, sizeof want, "<html lang=\"%s\">", lang);
	ck_assert_ptr_nonnull(strstr(html, want));
	ck_assert_ptr_nonnull(strstr(html, "<meta charset=\"utf-8\">"));
	ck_assert_uint_eq(occurrences(html, "<title>"), 1 + occurrences(html, "<rect x="));   /* the page's, the bars' */
	ck_assert_uint_eq(occurrences(html, "<h1"), 1);
	ck_assert_ptr_nonnull(strstr(html, "<link rel=\"stylesheet\" href=\"/assets/css/plenum.css\">"));
	ck_assert_ptr_null(strstr(html, "<script"));
	ck_assert_ptr_null(strstr(html, "<style"));
	ck_assert_ptr_null(strstr(html, "style="));
	ck_assert_ptr_null(strstr(html, "http:"));
	ck_assert_ptr_null(strstr(html, "https:"));
	ck_assert_ptr_null(strstr(html, "javascript:"));
	ck_assert_ptr_null(strstr(html, "//"));
	for (const char *p = html; (p = find(p, " on")); p += 3) {   /* no event handler attributes */
		const char *q = p + 3;
		while (*q >= 'a' && *q <= 'z')
			q++;
		ck_assert_msg(*q != '=', "handler attribute at %.20s", p);
	}
	static const char *const pairs[][2] = {
		{ "<svg", "</svg>" }, { "<table>", "</table>" }, { "<section", "</section>" }, { "<tr>", "</tr>" },
		{ "<h2", "</h2>" }, { "<h3>", "</h3>" }, { "<text", "</text>" }, { "<details>", "</details>" },
		{ "<rect x=", "</rect>" }, { "<main", "</main>" },
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		ck_assert_msg(occurrences(html, pairs[i][0]) == occurrences(html, pairs[i][1]), "%s unbalanced",
		              pairs[i][0]);
	ck_assert_uint_eq(occurrences(html, "<p>") + occurrences(html, "<p "), occurrences(html, "</p>"));
	/* Every chart is an image with a label naming its table, and there are tables. */
	ck_assert_uint_eq(occurrences(html, "<svg role=\"img\""), occurrences(html, "<svg"));
	ck_assert_uint_eq(occurrences(html, "aria-label="), occurrences(html, "<svg"));
	ck_assert_uint_ge(occurrences(html, "<table>") + 1, occurrences(html, "<svg"));
	ck_assert_uint_eq(occurrences(html, "<th scope=\"col\">") > 0, 1);
	check_colours(html);
}

static char *render(const struct usage_day *d, size_t n, unsigned threshold, const char *name, const char *lang)
{
	size_t cap = usage_html_cap(n, name);
	char *buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	struct strbuf b;
	strbuf_init(&b, buf, cap);
	ck_assert_int_eq(usage_html(d, n, threshold, name, lang, &b), 0);
	return buf;
}

START_TEST(html_page)
{
	struct usage_day d[30];
	uint64_t m[30];
	for (size_t i = 0; i < 30; i++)
		m[i] = i % 7 == 0 ? 0 : i % 5 == 0 ? 3 : 10 + i;
	make_days(d, 30, m);
	for (size_t i = 0; i < 30; i++) {
		d[i].participant_seconds = m[i] * 45 * 60;
		d[i].peak = m[i] ? 4 + i : 0;
		d[i].by_size[i % USAGE_SIZE_N] = m[i];
		d[i].by_duration[i % USAGE_DUR_N] = m[i];
		d[i].by_browser[i % USAGE_BROWSER_N] = 2 * m[i];
		d[i].camera_on = m[i];
		d[i].camera_off = m[i];
	}
	for (size_t i = 0; i < 30; i++)
		d[i].by_size[USAGE_SIZE_51_UP] = 0;
	d[3].by_size[USAGE_SIZE_51_UP] = 2;           /* the period's 51+ meetings: 2, hidden */
	const char *name = "<script>alert(\"x\")</script> & 'B\xc3\xbchl'\x01\xff";
	char *html = render(d, 30, 5, name, "de");
	check_page(html, "de");
	ck_assert_ptr_nonnull(strstr(html, "<title>Nutzungsstatistik: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; "
	                                   "&amp; &#39;B\xc3\xbchl&#39;\xef\xbf\xbd – plenum</title>"));
	ck_assert_ptr_nonnull(strstr(html, "<h1 class=\"landing__title\">Nutzungsstatistik: &lt;script&gt;"));
	ck_assert_ptr_null(strstr(html, "\x01"));
	ck_assert_ptr_nonnull(strstr(html, "href=\"/admin/stats.csv?days=30\""));
	ck_assert_ptr_nonnull(strstr(html, "30 Tage, 2024-03-01 bis 2024-03-30 (UTC)"));
	ck_assert_ptr_nonnull(strstr(html, "Meetings pro Tag"));
	ck_assert_ptr_nonnull(strstr(html, "Kamera beim Beitritt"));
	/* Day 6 (index 5) had 3 meetings: "< 5" in its table row and a hatched bar at 4, said in the text. */
	ck_assert_ptr_nonnull(strstr(html, "<tr><th scope=\"row\">2024-03-06</th><td>&lt;\xc2\xa0" "5</td>"));
	ck_assert_ptr_nonnull(strstr(html, "fill=\"url(#hatch-1)\""));
	ck_assert_ptr_nonnull(strstr(html, "<title>2024-03-06: &lt;\xc2\xa0" "5</title>"));
	ck_assert_ptr_nonnull(strstr(html, "Schraffierte Balken: weniger als 5, gezeichnet in der höchstmöglichen Höhe (4)."));
	ck_assert_ptr_nonnull(strstr(html, "als „&lt; 5“"));
	/* Day 3 (index 2): 12 meetings, exact; the period's meetings: sum, with the German grouping. */
	ck_assert_ptr_nonnull(strstr(html, "<tr><th scope=\"row\">2024-03-03</th><td>12</td><td>540</td><td>6</td></tr>"));
	uint64_t sum = 0, minutes = 0;
	for (size_t i = 0; i < 30; i++) {
		sum += m[i];
		minutes += m[i] * 45;
	}
	char want[128];
	snprintf(want, sizeof want, "<tr><th scope=\"row\">Meetings</th><td>%llu</td></tr>", (unsigned long long)sum);
	ck_assert_msg(strstr(html, want), "%s", want);
	snprintf(want, sizeof want, "<tr><th scope=\"row\">Teilnahmeminuten</th><td>%llu.%03llu</td></tr>",
	         (unsigned long long)minutes / 1000, (unsigned long long)minutes % 1000);
	ck_assert_msg(strstr(html, want), "%s", want);
	/* A hidden count gets no share (it would tell the number), and a hatched bar at 4. */
	ck_assert_ptr_nonnull(strstr(html, "<tr><th scope=\"row\">51 und mehr</th><td>&lt;\xc2\xa0" "5</td><td></td></tr>"));
	ck_assert_ptr_nonnull(strstr(html, "<title>51 und mehr: &lt;\xc2\xa0" "5</title>"));
	free(html);

	/* English, everything exact: no hatching, no "<". */
	html = render(d, 30, 0, "Stadt B\xc3\xbchl", "en");
	check_page(html, "en");
	ck_assert_ptr_nonnull(strstr(html, "<title>Usage statistics: Stadt B\xc3\xbchl – plenum</title>"));
	ck_assert_ptr_nonnull(strstr(html, "30 days, 2024-03-01 to 2024-03-30 (UTC)"));
	ck_assert_ptr_nonnull(strstr(html, "All numbers are exact."));
	ck_assert_ptr_null(strstr(html, "url(#hatch"));
	ck_assert_ptr_null(strstr(html, "&lt;"));
	ck_assert_ptr_nonnull(strstr(html, "<tr><th scope=\"row\">2024-03-06</th><td>3</td>"));
	snprintf(want, sizeof want, "<tr><th scope=\"row\">Participant minutes</th><td>%llu,%03llu</td></tr>",
	         (unsigned long long)minutes / 1000, (unsigned long long)minutes % 1000);
	ck_assert_msg(strstr(html, want), "%s", want);
	free(html);

	/* No days, no name, the default language. */
	html = render(d, 0, 5, NULL, NULL);
	check_page(html, "de");
	ck_assert_ptr_nonnull(strstr(html, "<title>Nutzungsstatistik – plenum</title>"));
	ck_assert_ptr_nonnull(strstr(html, "href=\"/admin/stats.csv?days=0\""));
	free(html);

	char small[256];
	struct strbuf b;
	strbuf_init(&b, small, sizeof small);
	ck_assert_int_eq(usage_html(d, 30, 5, "x", "fr", &b), EINVAL);
	ck_assert_int_eq(usage_html(d, 30, 5, "x", "en", &b), ENOSPC);
}
END_TEST

START_TEST(html_cap_suffices_for_the_worst_case)
{
	size_t n = USAGE_KEEP_MAX + 1;
	struct usage_day *d = calloc(n, sizeof *d);
	ck_assert_ptr_nonnull(d);
	for (size_t i = 0; i < n; i++) {
		struct usage_day *x = &d[i];
		snprintf(x->date, sizeof x->date, "9999-12-31");
		uint64_t *f[USAGE_FIELDS];
		usage_fields(x, f);
		for (size_t k = 0; k < USAGE_FIELDS; k++)
			*f[k] = UINT64_MAX - k;
	}
	char name[301];
	memset(name, '"', 300);
	name[300] = '\0';
	unsigned thresholds[] = { 0, 5, UINT_MAX };
	for (size_t t = 0; t < 3; t++)
		for (int l = 0; l < 2; l++) {
			char *html = render(d, n, thresholds[t], name, l ? "en" : "de");
			check_page(html, l ? "en" : "de");
			free(html);
		}
	/* All values hidden (threshold above them): hatched everywhere, still within the cap. */
	for (size_t i = 0; i < n; i++) {
		uint64_t *f[USAGE_FIELDS];
		usage_fields(&d[i], f);
		for (size_t k = 0; k < USAGE_FIELDS; k++)
			*f[k] = 1234567 + k;
	}
	char *html = render(d, n, UINT_MAX, name, "de");
	ck_assert_ptr_null(strstr(html, "1.234.567"));
	ck_assert_ptr_nonnull(strstr(html, "<td>&lt;\xc2\xa0" "4294967295</td>"));
	free(html);
	free(d);
}
END_TEST

START_TEST(write_errors_are_counted_and_recovered)
{
	struct usage *u = open_store(db_path, 0);
	clock_us = T(0, 9, 0);
	struct usage_meeting *first = usage_meeting_start(u, "buehl");
	usage_join(u, first, USAGE_BROWSER_FIREFOX, true);
	ck_assert_int_eq(usage_tick(u), 0);
	/* The disk is full: the file may not grow by a page. (The warning it logs once is expected.) */
	log_set_level(LOG_LEVEL_ERROR);
	ck_assert_int_eq(sqlite3_exec(u->db, "PRAGMA max_page_count = 2", NULL, NULL, NULL), SQLITE_OK);
	char id[16];
	for (int i = 0; i < 200; i++) {
		snprintf(id, sizeof id, "town-%d", i);
		struct usage_meeting *m = usage_meeting_start(u, id);
		ck_assert_ptr_nonnull(m);                  /* counting goes on in memory */
		usage_join(u, m, USAGE_BROWSER_CHROMIUM, false);
		usage_meeting_end(u, m);
	}
	clock_us = T(0, 9, 1);
	ck_assert_int_eq(usage_tick(u), EIO);
	struct usage_info info;
	usage_get_info(u, &info);
	ck_assert_uint_gt(info.write_errors, 0);
	ck_assert_msg(strstr(info.last_error, "full") != NULL, "%s", info.last_error);
	/* Room again: the next tick writes and says so. */
	ck_assert_int_eq(sqlite3_exec(u->db, "PRAGMA max_page_count = 1000000", NULL, NULL, NULL), SQLITE_OK);
	clock_us = T(0, 9, 2);
	usage_join(u, first, USAGE_BROWSER_SAFARI, true);
	ck_assert_int_eq(usage_tick(u), 0);
	clock_us = T(0, 9, 3);
	usage_close(u);
	u = open_store(db_path, 0);
	struct usage_day d = day_of(u, "buehl", 0);
	ck_assert_uint_eq(d.meetings, 1);
	ck_assert_uint_eq(d.by_browser[USAGE_BROWSER_SAFARI], 1);
	ck_assert_uint_eq(d.camera_on, 2);
	usage_close(u);
}
END_TEST

static Suite *usage_suite(void)
{
	Suite *s = suite_create("usage");
	TCase *tc = tcase_create("store");
	tcase_add_loop_test(tc, two_meetings_exact_row, 0, 2);
	tcase_add_test(tc, minutes_in_progress_are_visible);
	tcase_add_test(tc, midnight_splits_minutes);
	tcase_add_test(tc, clock_stepping_back_counts_nothing_twice);
	tcase_add_test(tc, buckets_at_their_edges);
	tcase_add_test(tc, dates_match_gmtime);
	tcase_add_test(tc, bounds_refuse_and_count);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	TCase *tf = tcase_create("file");
	tcase_add_unchecked_fixture(tf, db_setup, remove_db);
	tcase_add_checked_fixture(tf, remove_db, remove_db);
	tcase_add_test(tf, survives_reopen_and_counts_meetings_in_progress);
	tcase_add_test(tf, crash_loses_at_most_the_last_minute);
	tcase_add_test(tf, retention_deletes_old_rows);
	tcase_add_test(tf, schema_holds_counters_only);
	tcase_add_test(tf, open_refuses_what_it_cannot_use);
	tcase_add_test(tf, write_errors_are_counted_and_recovered);
	tcase_set_timeout(tf, 30);
	suite_add_tcase(s, tf);
	TCase *tr = tcase_create("reports");
	tcase_add_test(tr, browser_families);
	tcase_add_test(tr, csv_threshold);
	tcase_add_test(tr, html_page);
	tcase_add_test(tr, html_cap_suffices_for_the_worst_case);
	tcase_set_timeout(tr, 60);
	suite_add_tcase(s, tr);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(usage_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
