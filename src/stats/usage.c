/* usage: meetings and seats in progress, and the counters they leave in the tenant's day rows.
 *
 * Participant time is the integral of the tenant's participant count over time: each join and
 * leave first adds present × (now − since) to the day rows (split at UTC midnight), then changes
 * the count, so the work is per tenant, not per seat, and usage_tick only has to do the same for
 * each tenant with meetings. The peak of a day is the largest count seen in it: the count after
 * each join, and the count carried over midnight. */
#include "stats/usage_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t realtime_us(void *arg)
{
	(void)arg;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec < 0 ? 0 : (uint64_t)ts.tv_sec * USAGE_US_PER_S + (uint64_t)ts.tv_nsec / 1000u;
}

uint32_t usage_day_of(uint64_t us)
{
	uint64_t d = us / USAGE_US_PER_DAY;
	return d > USAGE_DAY_LAST ? USAGE_DAY_LAST : (uint32_t)d;
}

/* The proleptic Gregorian date of a day number (H. Hinnant's civil_from_days, for days ≥ 0). */
void usage_date_text(uint32_t day, char out[11])
{
	uint32_t z = day + 719468u;
	uint32_t era = z / 146097u;
	uint32_t doe = z - era * 146097u;
	uint32_t yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
	uint32_t doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
	uint32_t mp = (5u * doy + 2u) / 153u;
	unsigned d = doy - (153u * mp + 2u) / 5u + 1u;
	unsigned m = mp < 10u ? mp + 3u : mp - 9u;
	unsigned y = yoe + era * 400u + (m <= 2u);
	const unsigned v[3] = { y % 10000u, m, d }, width[3] = { 4, 2, 2 };
	char *o = out;
	for (size_t i = 0; i < 3; i++) {
		for (unsigned k = width[i], x = v[i]; k--; x /= 10u)
			o[k] = (char)('0' + x % 10u);
		o += width[i];
		*o++ = i < 2 ? '-' : '\0';
	}
}

const char *const usage_field_names[USAGE_FIELDS] = {
	"meetings", "participant_seconds", "peak",
	"size_1", "size_2", "size_3_5", "size_6_10", "size_11_20", "size_21_50", "size_51_up",
	"duration_lt5", "duration_5_15", "duration_15_30", "duration_30_60", "duration_60_120", "duration_120_up",
	"browser_chromium", "browser_firefox", "browser_safari", "browser_other",
	"camera_on", "camera_off", "not_counted",
};

void usage_fields(struct usage_day *d, uint64_t *f[USAGE_FIELDS])
{
	size_t k = 0;
	f[k++] = &d->meetings;
	f[k++] = &d->participant_seconds;
	f[k++] = &d->peak;
	for (size_t i = 0; i < USAGE_SIZE_N; i++)
		f[k++] = &d->by_size[i];
	for (size_t i = 0; i < USAGE_DUR_N; i++)
		f[k++] = &d->by_duration[i];
	for (size_t i = 0; i < USAGE_BROWSER_N; i++)
		f[k++] = &d->by_browser[i];
	f[k++] = &d->camera_on;
	f[k++] = &d->camera_off;
	f[k++] = &d->not_counted;
}

enum usage_size usage_size_bucket(uint64_t peak)
{
	if (peak <= 1)
		return USAGE_SIZE_1;
	if (peak == 2)
		return USAGE_SIZE_2;
	if (peak <= 5)
		return USAGE_SIZE_3_5;
	if (peak <= 10)
		return USAGE_SIZE_6_10;
	if (peak <= 20)
		return USAGE_SIZE_11_20;
	if (peak <= 50)
		return USAGE_SIZE_21_50;
	return USAGE_SIZE_51_UP;
}

enum usage_duration usage_duration_bucket(uint64_t seconds)
{
	static const uint64_t upper_min[] = { 5, 15, 30, 60, 120 };
	for (size_t i = 0; i < sizeof upper_min / sizeof upper_min[0]; i++)
		if (seconds < upper_min[i] * 60u)
			return (enum usage_duration)i;
	return USAGE_DUR_120_UP;
}

static bool tenant_ok(const char *id)
{
	size_t n = 0;
	for (const char *p = id; p && *p; p++, n++)
		if (n >= USAGE_TENANT_MAX || !((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return n > 0;
}

/* The wall clock, at most the end of the last day a date can be written for. */
static uint64_t now_us(const struct usage *u)
{
	uint64_t now = clock_now(&u->wall), end = (USAGE_DAY_LAST + 1ull) * USAGE_US_PER_DAY - 1u;
	return now < end ? now : end;
}

static bool row_empty(struct usage_day *d)
{
	uint64_t *f[USAGE_FIELDS];
	usage_fields(d, f);
	for (size_t i = 0; i < USAGE_FIELDS; i++)
		if (*f[i])
			return false;
	return true;
}

static void write_row(struct usage *u, const char *tenant, uint32_t day, struct usage_day *d)
{
	if (!row_empty(d))
		usage_db_add(u, tenant, day, d);
}

/* present × µs of participant time (with the carried remainder) into the row, in whole seconds. */
static void add_time(struct usage_tenant *t, uint64_t us, struct usage_day *row)
{
	uint64_t total = t->carry_us + us * t->present;
	row->participant_seconds += total / USAGE_US_PER_S;
	t->carry_us = total % USAGE_US_PER_S;
	if (row->peak < t->present)
		row->peak = t->present;
}

/* Counts the tenant's participant time up to now: the days before today's are written at once,
 * today's part is added to *today (the row of usage_day_of(now), written by the caller). When the
 * wall clock stepped back, nothing is counted until it has passed `since` again. */
static void accrue(struct usage *u, struct usage_tenant *t, uint64_t now, struct usage_day *today)
{
	if (now <= t->since_us)
		return;
	uint64_t from = t->since_us;
	t->since_us = now;
	if (!t->present)
		return;
	uint32_t d = usage_day_of(from), last = usage_day_of(now);
	if (last - d > u->keep_days + 1u) {        /* a clock jump: days past retention are not written */
		d = last - u->keep_days - 1u;
		from = (uint64_t)d * USAGE_US_PER_DAY;
	}
	for (; d < last; d++) {
		uint64_t midnight = (uint64_t)(d + 1u) * USAGE_US_PER_DAY;
		struct usage_day row = { .peak = 0 };
		add_time(t, midnight - from, &row);
		write_row(u, t->id, d, &row);
		from = midnight;
	}
	add_time(t, now - from, today);
}

/* An event refused by a bound: in the global count and, for a known tenant, in its day's row. */
static void drop(struct usage *u, const char *tenant, uint64_t now)
{
	u->dropped++;
	if (tenant) {
		struct usage_day row = { .not_counted = 1 };
		write_row(u, tenant, usage_day_of(now), &row);
	}
}

int usage_open(struct usage **out, const char *db_path, unsigned keep_days, const struct clock_src *wall,
               char *err, size_t err_cap)
{
	*out = NULL;
	if (err_cap)
		err[0] = '\0';
	if (keep_days > USAGE_KEEP_MAX) {
		snprintf(err, err_cap, "statistics: keep_days %u is more than %u", keep_days, USAGE_KEEP_MAX);
		return EINVAL;
	}
	struct usage *u = calloc(1, sizeof *u);
	if (!u) {
		snprintf(err, err_cap, "statistics: out of memory");
		return ENOMEM;
	}
	u->keep_days = keep_days ? keep_days : USAGE_KEEP_DEFAULT;
	u->wall = wall ? *wall : (struct clock_src){ realtime_us, NULL };
	hmap_init(&u->tenants);
	int rc = usage_db_open(u, db_path && *db_path ? db_path : NULL, err, err_cap);
	if (rc) {
		free(u);
		return rc;
	}
	u->pruned_day = usage_day_of(now_us(u));
	usage_db_prune(u, u->pruned_day > u->keep_days ? u->pruned_day - u->keep_days : 0);
	usage_db_commit(u);
	*out = u;
	return 0;
}

static void tenant_release(struct usage *u, struct usage_tenant *t)
{
	if (--t->meetings)
		return;
	hmap_del(&u->tenants, t->id, strlen(t->id), t);
	free(t);
}

struct usage_meeting *usage_meeting_start(struct usage *u, const char *tenant)
{
	if (!u)
		return NULL;
	uint64_t now = now_us(u);
	if (!tenant_ok(tenant)) {
		drop(u, NULL, now);
		return NULL;
	}
	if (u->n_meetings >= USAGE_MEETINGS_MAX) {
		drop(u, tenant, now);
		return NULL;
	}
	size_t len = strlen(tenant);
	struct usage_tenant *t = hmap_get(&u->tenants, tenant, len);
	struct usage_meeting *m = calloc(1, sizeof *m);
	if (!t && m) {
		t = calloc(1, sizeof *t);
		if (t) {
			memcpy(t->id, tenant, len + 1);
			t->since_us = now;
			if (hmap_put(&u->tenants, t->id, len, t)) {
				free(t);
				t = NULL;
			}
		}
	}
	if (!t || !m) {
		free(m);
		drop(u, tenant, now);
		return NULL;
	}
	t->meetings++;
	m->t = t;
	m->next = u->meetings;
	if (m->next)
		m->next->prev = m;
	u->meetings = m;
	u->n_meetings++;
	return m;
}

struct usage_seat *usage_join(struct usage *u, struct usage_meeting *m, enum usage_browser b, bool camera_on)
{
	if (!u)
		return NULL;
	uint64_t now = now_us(u);
	if (!m) {
		drop(u, NULL, now);
		return NULL;
	}
	struct usage_tenant *t = m->t;
	struct usage_seat *s = u->n_seats < USAGE_SEATS_MAX ? calloc(1, sizeof *s) : NULL;
	if (!s) {
		drop(u, t->id, now);
		return NULL;
	}
	struct usage_day row = { .peak = 0 };
	accrue(u, t, now, &row);
	t->present++;
	if (++m->present > m->peak)
		m->peak = m->present;
	if (!m->joined)
		m->first_us = now;
	m->joined = true;
	if (now > m->last_us)
		m->last_us = now;
	if (row.peak < t->present)
		row.peak = t->present;
	row.by_browser[(unsigned)b < USAGE_BROWSER_N ? b : USAGE_BROWSER_OTHER]++;
	if (camera_on)
		row.camera_on++;
	else
		row.camera_off++;
	write_row(u, t->id, usage_day_of(now), &row);
	s->m = m;
	s->next = m->seats;
	if (s->next)
		s->next->prev = s;
	m->seats = s;
	u->n_seats++;
	return s;
}

static void leave_at(struct usage *u, struct usage_seat *s, uint64_t now)
{
	struct usage_meeting *m = s->m;
	struct usage_tenant *t = m->t;
	struct usage_day row = { .peak = 0 };
	accrue(u, t, now, &row);
	t->present--;
	m->present--;
	if (now > m->last_us)
		m->last_us = now;
	write_row(u, t->id, usage_day_of(now), &row);
	if (s->prev)
		s->prev->next = s->next;
	else
		m->seats = s->next;
	if (s->next)
		s->next->prev = s->prev;
	free(s);
	u->n_seats--;
}

void usage_leave(struct usage *u, struct usage_seat *s)
{
	if (u && s)
		leave_at(u, s, now_us(u));
}

void usage_meeting_end(struct usage *u, struct usage_meeting *m)
{
	if (!u || !m)
		return;
	uint64_t now = now_us(u);
	while (m->seats)
		leave_at(u, m->seats, now);
	if (m->joined) {
		struct usage_day row = { .meetings = 1 };
		uint64_t len_us = m->last_us > m->first_us ? m->last_us - m->first_us : 0;
		row.by_size[usage_size_bucket(m->peak)] = 1;
		row.by_duration[usage_duration_bucket(len_us / USAGE_US_PER_S)] = 1;
		write_row(u, m->t->id, usage_day_of(m->last_us), &row);
	}
	if (m->prev)
		m->prev->next = m->next;
	else
		u->meetings = m->next;
	if (m->next)
		m->next->prev = m->prev;
	tenant_release(u, m->t);
	free(m);
	u->n_meetings--;
}

/* Every tenant's participant time up to now into its rows. */
static void accrue_all(struct usage *u, uint64_t now)
{
	void *v;
	for (size_t i = 0; hmap_next(&u->tenants, &i, &v);) {
		struct usage_tenant *t = v;
		struct usage_day row = { .peak = 0 };
		accrue(u, t, now, &row);
		write_row(u, t->id, usage_day_of(now), &row);
	}
}

int usage_tick(struct usage *u)
{
	if (!u)
		return 0;
	uint64_t now = now_us(u);
	accrue_all(u, now);
	uint32_t today = usage_day_of(now);
	if (today != u->pruned_day) {
		usage_db_prune(u, today > u->keep_days ? today - u->keep_days : 0);
		u->pruned_day = today;
	}
	int rc = usage_db_commit(u);
	if (u->write_errors != u->write_errors_told)
		rc = EIO;
	u->write_errors_told = u->write_errors;
	return rc;
}

void usage_close(struct usage *u)
{
	if (!u)
		return;
	while (u->meetings)
		usage_meeting_end(u, u->meetings);
	usage_db_close(u);
	hmap_free(&u->tenants);
	free(u);
}

size_t usage_days(struct usage *u, const char *tenant, unsigned days, struct usage_day *out, size_t cap)
{
	if (!u || !tenant_ok(tenant) || !out)
		return 0;
	uint64_t now = now_us(u);
	uint32_t today = usage_day_of(now);
	struct usage_tenant *t = hmap_get(&u->tenants, tenant, strlen(tenant));
	if (t) {
		struct usage_day row = { .peak = 0 };
		accrue(u, t, now, &row);
		write_row(u, t->id, today, &row);
	}
	size_t n = days < cap ? days : cap;
	if (n > (size_t)today + 1u)
		n = (size_t)today + 1u;
	for (size_t i = 0; i < n; i++)
		usage_db_get(u, tenant, today - (uint32_t)(n - 1u - i), &out[i]);
	return n;
}

void usage_get_info(const struct usage *u, struct usage_info *out)
{
	memset(out, 0, sizeof *out);
	if (!u)
		return;
	out->meetings_live = u->n_meetings;
	out->seats_live = u->n_seats;
	out->dropped = u->dropped;
	out->write_errors = u->write_errors;
	snprintf(out->last_error, sizeof out->last_error, "%s", u->last_error);
}
