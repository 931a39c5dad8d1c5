/* usage: how much a town's meeting service is used, counted without personal data.
 *
 * Per tenant (a town, named by a short id from the configuration: [a-z0-9-]{1,32}) and per UTC
 * day, plenum keeps counters and nothing else:
 *   meetings             meetings that ended that day (a meeting lasts from its first participant
 *                        joining until the last one leaves; one nobody joined is not counted);
 *   participant_seconds  the time all participants spent in meetings that day, split at UTC
 *                        midnight to the day it was spent (counted in whole seconds);
 *   peak                 the most participants in the tenant's meetings at the same time that day;
 *   by_size              meetings by their own peak participants: 1, 2, 3–5, 6–10, 11–20, 21–50, 51+;
 *   by_duration          meetings by first join → last leave: <5, 5–15, 15–30, 30–60, 60–120,
 *                        120+ minutes (lower bound included: exactly 5 minutes is "5–15");
 *   by_browser           joins by browser engine (usage_browser_family);
 *   camera_on/_off       joins with the camera on or off at that moment;
 *   not_counted          events the memory bounds refused (see USAGE_MEETINGS_MAX), so a report
 *                        can say its numbers are incomplete.
 * A meeting, its size and its duration count on the day it ended (the day of its last leave),
 * even when it began the day before; joins count on the day of the join.
 *
 * The API takes no room names, display names, addresses or user agents (the caller passes the
 * browser family): meetings and seats are opaque handles, and the database has one row per
 * (tenant, day) with the counters as its only other columns. What a join was and who made it
 * cannot be told from it. Joins are counted, not people: someone who reconnects joins twice.
 *
 * Persistence: SQLite (schema version PRAGMA user_version = 1, WAL journal). Counters go into
 * one write transaction that usage_tick commits about once a minute, so a crash loses at most
 * that minute and a join costs no disk write; usage_days reads through the same connection and
 * so sees what is not yet committed. Rows older than keep_days are deleted.
 *
 * Not thread-safe: one thread (the signaling loop) makes all calls. Handles are valid from the
 * call that returns them to the call that ends them (usage_leave, usage_meeting_end,
 * usage_close); every function taking a handle accepts NULL and then does nothing, so a refused
 * meeting or seat needs no special case in the caller. */
#ifndef PLENUM_STATS_USAGE_H
#define PLENUM_STATS_USAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/strbuf.h"

#define USAGE_TENANT_MAX 32           /* characters of a tenant id */
#define USAGE_KEEP_DEFAULT 400        /* days of rows kept when usage_open gets 0 */
#define USAGE_KEEP_MAX 3660           /* at most ten years */
#define USAGE_MEETINGS_MAX 10000      /* meetings in progress; beyond: not counted */
#define USAGE_SEATS_MAX 100000        /* participants in meetings in progress; beyond: not counted */
#define USAGE_THRESHOLD_DEFAULT 5     /* counts 1..4 are shown as "< 5" */

enum usage_size {
	USAGE_SIZE_1, USAGE_SIZE_2, USAGE_SIZE_3_5, USAGE_SIZE_6_10, USAGE_SIZE_11_20, USAGE_SIZE_21_50,
	USAGE_SIZE_51_UP, USAGE_SIZE_N
};
enum usage_duration {
	USAGE_DUR_LT5, USAGE_DUR_5_15, USAGE_DUR_15_30, USAGE_DUR_30_60, USAGE_DUR_60_120, USAGE_DUR_120_UP,
	USAGE_DUR_N
};
enum usage_browser {
	USAGE_BROWSER_CHROMIUM, USAGE_BROWSER_FIREFOX, USAGE_BROWSER_SAFARI, USAGE_BROWSER_OTHER, USAGE_BROWSER_N
};

struct usage;                 /* the store */
struct usage_meeting;         /* a meeting in progress */
struct usage_seat;            /* one participant in a meeting in progress */

/* One tenant's day; date is the UTC date "YYYY-MM-DD". */
struct usage_day {
	char date[11];
	uint64_t meetings, participant_seconds, peak;
	uint64_t by_size[USAGE_SIZE_N], by_duration[USAGE_DUR_N], by_browser[USAGE_BROWSER_N];
	uint64_t camera_on, camera_off, not_counted;
};

/* The store's own state, for metrics and logs. */
struct usage_info {
	uint64_t meetings_live, seats_live;
	uint64_t dropped;             /* events refused: over a bound, a bad tenant id, out of memory */
	uint64_t write_errors;        /* SQLite statements that failed (the last one's text in last_error) */
	char last_error[160];
};

/* Opens (or creates, with its schema) the SQLite file db_path; NULL or "" keeps everything in
 * memory for the process' lifetime. keep_days: rows older than that many days before today are deleted
 * (0: USAGE_KEEP_DEFAULT; more than USAGE_KEEP_MAX is refused). wall: unix time in microseconds,
 * injectable for tests (NULL: CLOCK_REALTIME). 0, or an errno with a one-line English reason in
 * err: EINVAL (keep_days), EIO (the file cannot be opened or created, or is no plenum statistics
 * database), EPROTO (its schema version is newer than this plenum knows), ENOMEM. */
int usage_open(struct usage **out, const char *db_path, unsigned keep_days, const struct clock_src *wall,
               char *err, size_t err_cap);
/* Ends the meetings in progress (they are counted, up to now), commits and closes. NULL: nothing. */
void usage_close(struct usage *u);

/* A meeting of the tenant begins (a room got its first participant, or was made). NULL when the
 * tenant id is not [a-z0-9-]{1,32} or USAGE_MEETINGS_MAX meetings are in progress: the event is
 * counted in dropped (and, for a good id, in that day's not_counted). */
struct usage_meeting *usage_meeting_start(struct usage *u, const char *tenant);
/* Someone joins with the given browser family and camera state. NULL when the meeting is NULL or
 * USAGE_SEATS_MAX participants are in meetings (counted like a refused meeting). */
struct usage_seat *usage_join(struct usage *u, struct usage_meeting *m, enum usage_browser b, bool camera_on);
/* The participant leaves; the seat is freed. */
void usage_leave(struct usage *u, struct usage_seat *s);
/* The meeting is over (call it when the room is empty): seats still in it leave now, then the
 * meeting is counted on the day of its last leave; the handle is freed. */
void usage_meeting_end(struct usage *u, struct usage_meeting *m);

/* About once a minute: participant time up to now is added, the open transaction is committed
 * (the next write begins a new one), and once a day rows past keep_days are deleted. 0, or EIO
 * when a write failed since the last tick (usage_info says which, the log says it once; the
 * counters since the last commit may be lost, counting goes on). */
int usage_tick(struct usage *u);

/* The tenant's last `days` UTC days up to today, oldest first, one entry per day: days without
 * activity are there with zeros, so charts have an even time axis. Participant time of meetings
 * in progress is included up to now; those meetings themselves are counted when they end. Fills
 * at most cap entries (the most recent ones) and returns how many; 0 for a bad tenant id. */
size_t usage_days(struct usage *u, const char *tenant, unsigned days, struct usage_day *out, size_t cap);

void usage_get_info(const struct usage *u, struct usage_info *out);

/* The browser engine of a User-Agent header (the first 1024 bytes are looked at):
 *   safari    every browser on iPhone, iPad or iPod (iOS: CriOS, FxiOS, EdgiOS, … all run Apple's
 *             WebKit and behave as Safari for WebRTC), and Safari/ without Chrome elsewhere;
 *   firefox   Firefox/ (also Firefox ESR, Tor Browser, LibreWolf);
 *   chromium  Chrome/, Chromium/, Edg/, OPR/, Opera (Edge, Opera, Samsung Internet, Brave, …);
 *   other     everything else, NULL and "" (curl, bots, old Android stock browsers).
 * The family is what plenum must support; which product someone uses is not kept. */
enum usage_browser usage_browser_family(const char *user_agent);

/* The buckets: a meeting's peak participants (0 counts as 1) and its length in seconds. */
enum usage_size usage_size_bucket(uint64_t peak);
enum usage_duration usage_duration_bucket(uint64_t seconds);

/* Reports. threshold: counts from 1 to threshold-1 are written "< threshold" (0 stays 0; 0: all
 * numbers exact). It applies to every number shown, participant minutes (seconds / 60, rounded
 * down) and peaks included. It hides small numbers of a single day from the casual reader; it is
 * no protection against arithmetic across tables (a total minus the shown days), which is
 * acceptable because the counters are no personal data in the first place. */

/* A CSV (RFC 4180, CRLF line ends): a header line, then a row per day: date, meetings,
 * participant_minutes, peak_participants, the size, duration and browser buckets, camera_on,
 * camera_off, not_counted. 0, or ENOSPC when out is too small. */
int usage_csv(const struct usage_day *days, size_t n, unsigned threshold, struct strbuf *out);

/* The page /admin/stats: a complete HTML document in German ("de" or NULL) or English ("en"),
 * for the tenant's display name (escaped), with the period's totals, bar charts as inline SVG
 * (meetings and participant minutes per day, sizes, durations, browser families, camera at join;
 * suppressed values drawn as hatched bars at the highest value they may have) and a table for
 * each chart as its text alternative, and a link to "/admin/stats.csv?days=<n>". No script, no
 * style element or attribute, no external resource but /assets/css/plenum.css and brand.css
 * (the server's Content-Security-Policy is default-src 'self'). 0, EINVAL for another lang, or
 * ENOSPC when out is too small: usage_html_cap gives a size that always suffices. */
int usage_html(const struct usage_day *days, size_t n, unsigned threshold, const char *tenant_display_name,
               const char *lang, struct strbuf *out);
size_t usage_html_cap(size_t n, const char *tenant_display_name);

#endif
