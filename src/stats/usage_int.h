/* usage_int: what the files of src/stats share — the store's structures, its SQLite layer
 * (usage_db.c) and the helpers of the two reports. */
#ifndef PLENUM_STATS_USAGE_INT_H
#define PLENUM_STATS_USAGE_INT_H

#include <sqlite3.h>

#include "base/hmap.h"
#include "stats/usage.h"

#define USAGE_US_PER_S 1000000ull
#define USAGE_US_PER_DAY (86400ull * USAGE_US_PER_S)
#define USAGE_DAY_LAST 2932896u       /* 9999-12-31: days beyond are clamped to it */
#define USAGE_SCHEMA_VERSION 1
#define USAGE_BUSY_MS 2000            /* how long a write waits for another process' lock */
/* The counters of a row, in the order of the table's columns (usage_fields). */
#define USAGE_FIELDS (3 + USAGE_SIZE_N + USAGE_DUR_N + USAGE_BROWSER_N + 3)
#define USAGE_FIELD_PEAK 2            /* the one combined with max() instead of + */

/* A tenant with meetings in progress; freed with its last meeting. */
struct usage_tenant {
	char id[USAGE_TENANT_MAX + 1];
	uint32_t meetings;                /* in progress */
	uint32_t present;                 /* participants in them now */
	uint64_t since_us;                /* participant time is counted up to here */
	uint64_t carry_us;                /* participant time under a second, not yet written */
};

struct usage_meeting {
	struct usage_tenant *t;
	struct usage_meeting *prev, *next;        /* usage.meetings */
	struct usage_seat *seats;
	uint32_t present, peak;
	bool joined;                              /* someone joined: first_us and last_us are set */
	uint64_t first_us, last_us;               /* the first join; the latest join or leave */
};

struct usage_seat {
	struct usage_meeting *m;
	struct usage_seat *prev, *next;
};

struct usage {
	sqlite3 *db;
	sqlite3_stmt *add, *get, *prune;
	bool failing;                     /* a write failed since the last good commit (logged once) */
	struct clock_src wall;
	unsigned keep_days;
	uint32_t pruned_day;
	struct hmap tenants;              /* id → struct usage_tenant */
	struct usage_meeting *meetings;
	uint64_t n_meetings, n_seats, dropped, write_errors;
	uint64_t write_errors_told;       /* write_errors at the last usage_tick */
	char last_error[160];
};

/* The day number (days since 1970-01-01) of a unix time in µs, and its date "YYYY-MM-DD". */
uint32_t usage_day_of(uint64_t us);
void usage_date_text(uint32_t day, char out[11]);

/* The row's counters as pointers in column order. */
void usage_fields(struct usage_day *d, uint64_t *f[USAGE_FIELDS]);
extern const char *const usage_field_names[USAGE_FIELDS];

/* usage_db.c. Open: 0 or an errno with the reason in err (the store's db is NULL after a failure). */
int usage_db_open(struct usage *u, const char *path, char *err, size_t err_cap);
void usage_db_close(struct usage *u);
/* Adds the counters of d (peak: the larger one) to the tenant's row of that day. */
void usage_db_add(struct usage *u, const char *tenant, uint32_t day, struct usage_day *d);
/* The row, or zeros; the date is set either way. */
void usage_db_get(struct usage *u, const char *tenant, uint32_t day, struct usage_day *out);
/* Deletes the rows of days before `first_kept`. */
void usage_db_prune(struct usage *u, uint32_t first_kept);
/* Commits the open transaction, if any: 0 or EIO. */
int usage_db_commit(struct usage *u);

/* Whether a report writes the count as "< threshold". */
static inline bool usage_hidden(uint64_t v, unsigned threshold)
{
	return v > 0 && v < threshold;
}

/* The date of a report row with anything but digits and '-' left out (it is the caller's array). */
static inline void usage_date_clean(const char in[11], char out[11])
{
	size_t k = 0;
	for (size_t i = 0; i < 10 && in[i]; i++)
		if ((in[i] >= '0' && in[i] <= '9') || in[i] == '-')
			out[k++] = in[i];
	out[k] = '\0';
}

/* a + b, at most UINT64_MAX (report totals). */
static inline uint64_t usage_sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

#endif
