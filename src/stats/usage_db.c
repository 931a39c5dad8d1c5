/* usage_db: the day rows in SQLite — one table, one row per (tenant, day), counters only:
 *
 *   usage_day(tenant TEXT, day TEXT "YYYY-MM-DD" (UTC), meetings, participant_seconds, peak,
 *             size_1 … size_51_up, duration_lt5 … duration_120_up, browser_chromium … browser_other,
 *             camera_on, camera_off, not_counted — INTEGER NOT NULL DEFAULT 0;
 *             PRIMARY KEY (tenant, day)) WITHOUT ROWID
 *
 * Schema version 1 in PRAGMA user_version; a newer one is refused, so an older plenum never
 * writes into a table it does not know. Events add to a row with an upsert
 * (INSERT … ON CONFLICT(tenant, day) DO UPDATE SET x = x + excluded.x, peak = max(…)) inside
 * one open transaction that usage_db_commit ends; the next write begins the next one. WAL and
 * synchronous=NORMAL: a commit does not wait for the disk, a power cut may lose the last ones. */
#include "stats/usage_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"

static void note_error(struct usage *u, const char *what)
{
	u->write_errors++;
	snprintf(u->last_error, sizeof u->last_error, "%s: %s", what, sqlite3_errmsg(u->db));
	if (!u->failing)
		log_warn("stats", "usage statistics not written (%s); counting goes on", u->last_error);
	u->failing = true;
}

static int exec(struct usage *u, const char *sql)
{
	return sqlite3_exec(u->db, sql, NULL, NULL, NULL);
}

/* The first column of the first row of a query returning an integer. */
static int query_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

static int create_schema(struct usage *u)
{
	char sql[2048];
	struct strbuf b;
	strbuf_init(&b, sql, sizeof sql);
	strbuf_printf(&b, "BEGIN; CREATE TABLE usage_day (tenant TEXT NOT NULL, day TEXT NOT NULL");
	for (size_t i = 0; i < USAGE_FIELDS; i++)
		strbuf_printf(&b, ", %s INTEGER NOT NULL DEFAULT 0", usage_field_names[i]);
	strbuf_printf(&b, ", PRIMARY KEY (tenant, day)) WITHOUT ROWID; PRAGMA user_version = %d; COMMIT;",
	              USAGE_SCHEMA_VERSION);
	if (strbuf_result(&b))
		return SQLITE_NOMEM;
	int rc = exec(u, sql);
	if (rc != SQLITE_OK && !sqlite3_get_autocommit(u->db))
		exec(u, "ROLLBACK");
	return rc;
}

static int prepare(struct usage *u)
{
	char add[2048], get[1024];
	struct strbuf a, g;
	strbuf_init(&a, add, sizeof add);
	strbuf_init(&g, get, sizeof get);
	strbuf_printf(&a, "INSERT INTO usage_day (tenant, day");
	strbuf_printf(&g, "SELECT ");
	for (size_t i = 0; i < USAGE_FIELDS; i++) {
		strbuf_printf(&a, ", %s", usage_field_names[i]);
		strbuf_printf(&g, "%s%s", i ? ", " : "", usage_field_names[i]);
	}
	strbuf_printf(&a, ") VALUES (?1, ?2");
	for (size_t i = 0; i < USAGE_FIELDS; i++)
		strbuf_printf(&a, ", ?%zu", i + 3);
	strbuf_printf(&a, ") ON CONFLICT(tenant, day) DO UPDATE SET ");
	for (size_t i = 0; i < USAGE_FIELDS; i++) {
		const char *c = usage_field_names[i];
		if (i == USAGE_FIELD_PEAK)
			strbuf_printf(&a, "%s%s = max(%s, excluded.%s)", i ? ", " : "", c, c, c);
		else
			strbuf_printf(&a, "%s%s = %s + excluded.%s", i ? ", " : "", c, c, c);
	}
	strbuf_printf(&g, " FROM usage_day WHERE tenant = ?1 AND day = ?2");
	if (strbuf_result(&a) || strbuf_result(&g))
		return SQLITE_NOMEM;
	int rc = sqlite3_prepare_v3(u->db, add, -1, SQLITE_PREPARE_PERSISTENT, &u->add, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v3(u->db, get, -1, SQLITE_PREPARE_PERSISTENT, &u->get, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v3(u->db, "DELETE FROM usage_day WHERE day < ?1", -1, SQLITE_PREPARE_PERSISTENT,
		                        &u->prune, NULL);
	return rc;
}

static int fail(struct usage *u, int code, char *err, size_t err_cap, const char *fmt, const char *name,
                const char *why)
{
	snprintf(err, err_cap, fmt, name, why);
	usage_db_close(u);
	return code;
}

int usage_db_open(struct usage *u, const char *path, char *err, size_t err_cap)
{
	const char *name = path ? path : ":memory:";
	int rc = sqlite3_open_v2(name, &u->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK)
		return fail(u, rc == SQLITE_NOMEM ? ENOMEM : EIO, err, err_cap,
		            "statistics database %s cannot be opened or created: %s", name,
		            u->db ? sqlite3_errmsg(u->db) : sqlite3_errstr(rc));
	sqlite3_extended_result_codes(u->db, 1);
	sqlite3_busy_timeout(u->db, USAGE_BUSY_MS);
	int version = 0, tables = 0;
	rc = query_int(u->db, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK)
		rc = query_int(u->db, "SELECT count(*) FROM sqlite_master", &tables);
	if (rc != SQLITE_OK)
		return fail(u, EIO, err, err_cap, "statistics database %s cannot be read: %s", name, sqlite3_errmsg(u->db));
	if (sqlite3_db_readonly(u->db, "main") == 1)
		return fail(u, EIO, err, err_cap, "statistics database %s is read-only%s", name, "");
	if (version > USAGE_SCHEMA_VERSION) {
		char why[96];
		snprintf(why, sizeof why, "%d; this plenum knows up to %d (was it written by a newer plenum?)", version,
		         USAGE_SCHEMA_VERSION);
		return fail(u, EPROTO, err, err_cap, "statistics database %s has schema version %s", name, why);
	}
	if (version == 0 && tables > 0)
		return fail(u, EIO, err, err_cap, "%s is not a plenum statistics database (it has tables but no %s)", name,
		            "schema version");
	if (path) {
		/* WAL where the file system allows it; otherwise the rollback journal is as good. */
		exec(u, "PRAGMA journal_mode = WAL");
		exec(u, "PRAGMA synchronous = NORMAL");
	}
	if (version == 0 && (rc = create_schema(u)) != SQLITE_OK)
		return fail(u, EIO, err, err_cap, "statistics database %s: cannot create the table: %s", name,
		            sqlite3_errmsg(u->db));
	if ((rc = prepare(u)) != SQLITE_OK)
		return fail(u, EIO, err, err_cap, "statistics database %s: %s", name, sqlite3_errmsg(u->db));
	return 0;
}

void usage_db_close(struct usage *u)
{
	if (!u->db)
		return;
	if (usage_db_commit(u))
		log_warn("stats", "usage statistics of the last minute lost at close (%s)", u->last_error);
	sqlite3_finalize(u->add);
	sqlite3_finalize(u->get);
	sqlite3_finalize(u->prune);
	u->add = u->get = u->prune = NULL;
	sqlite3_close(u->db);
	u->db = NULL;
}

/* Writes go into the open transaction; the first write after a commit opens it. */
static bool in_transaction(struct usage *u)
{
	if (!sqlite3_get_autocommit(u->db))
		return true;
	if (exec(u, "BEGIN") == SQLITE_OK)
		return true;
	note_error(u, "begin");
	return false;
}

static void bind_key(sqlite3_stmt *st, const char *tenant, uint32_t day, char date[11])
{
	usage_date_text(day, date);
	sqlite3_bind_text(st, 1, tenant, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, date, 10, SQLITE_STATIC);
}

void usage_db_add(struct usage *u, const char *tenant, uint32_t day, struct usage_day *d)
{
	if (!in_transaction(u))
		return;
	char date[11];
	uint64_t *f[USAGE_FIELDS];
	usage_fields(d, f);
	bind_key(u->add, tenant, day, date);
	for (size_t i = 0; i < USAGE_FIELDS; i++)
		sqlite3_bind_int64(u->add, (int)i + 3, *f[i] > INT64_MAX ? INT64_MAX : (sqlite3_int64)*f[i]);
	if (sqlite3_step(u->add) != SQLITE_DONE)
		note_error(u, "add");
	sqlite3_reset(u->add);
}

void usage_db_get(struct usage *u, const char *tenant, uint32_t day, struct usage_day *out)
{
	memset(out, 0, sizeof *out);
	bind_key(u->get, tenant, day, out->date);
	int rc = sqlite3_step(u->get);
	if (rc == SQLITE_ROW) {
		uint64_t *f[USAGE_FIELDS];
		usage_fields(out, f);
		for (size_t i = 0; i < USAGE_FIELDS; i++) {
			sqlite3_int64 v = sqlite3_column_int64(u->get, (int)i);
			*f[i] = v > 0 ? (uint64_t)v : 0;
		}
	} else if (rc != SQLITE_DONE) {
		note_error(u, "read");
	}
	sqlite3_reset(u->get);
}

void usage_db_prune(struct usage *u, uint32_t first_kept)
{
	if (!in_transaction(u))
		return;
	char date[11];
	usage_date_text(first_kept, date);
	sqlite3_bind_text(u->prune, 1, date, 10, SQLITE_STATIC);
	if (sqlite3_step(u->prune) != SQLITE_DONE)
		note_error(u, "delete old rows");
	sqlite3_reset(u->prune);
}

int usage_db_commit(struct usage *u)
{
	if (sqlite3_get_autocommit(u->db)) {
		u->failing = false;       /* nothing open: an earlier failure rolled it back (and was told) */
		return 0;
	}
	if (exec(u, "COMMIT") != SQLITE_OK) {
		/* BUSY keeps the transaction for the next try; other errors have rolled it back. */
		note_error(u, "commit");
		return EIO;
	}
	u->failing = false;
	return 0;
}
