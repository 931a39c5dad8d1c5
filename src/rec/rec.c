/* rec: the recordings of a server — start/stop from signaling (signal_out.h), one session per
 * recorded room, the render when it stops, reports to the hosts, metrics, and the retention
 * sweep. Everything here runs on the signaling loop; the media and writer threads are the
 * session's. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "rec/dirs.h"
#include "rec/hls.h"
#include "rec/rec.h"
#include "rec/render.h"
#include "rec/session.h"
#include "sfu/sfu.h"

#define MOD "rec"
#define REC_MAX 64

struct recording {
	struct rec *owner;
	bool used;
	char room_key[SFU_ROOM_KEY_MAX + 1];
	char base[700];                  /* dir/TENANT/NAME-STAMP: the tracks' folder; + ".mp4" the file */
	struct rec_session *session;
	bool tapped;                     /* the sfu tap is set */
	bool failed;                     /* reported as failed */
	bool stopping;                   /* stopped: the writer finishes, then the render */
	struct rec_render *render;
};

struct rec {
	uv_loop_t *loop;
	struct sfu *sfu;
	char dir[512];
	unsigned keep_days, max_recordings;
	size_t ring_bytes;
	uint64_t min_free;
	struct rec_render_config render_cfg;
	struct recording recs[REC_MAX];
	rec_report_fn report;
	void *report_arg;
	uv_timer_t sweep;
	struct hls *hls;                 /* the HLS livestreams; NULL: streaming is WHEP only */
	/* metrics */
	uint64_t started, refused_disk, failed_disk, failed_write, renders_ok, renders_failed, swept, dropped;
};

static void report(struct rec *r, const char *room_key, enum signal_out_status st, const char *detail)
{
	if (r->report)
		r->report(r->report_arg, room_key, SIGNAL_OUT_RECORDING, st, detail);
}

static void hls_failed(void *arg, const char *room_key)
{
	struct rec *r = arg;
	if (r->report)
		r->report(r->report_arg, room_key, SIGNAL_OUT_STREAMING, SIGNAL_OUT_FAILED, "encoder_failed");
}

static void rec_release(struct recording *x)
{
	if (x->session)
		rec_session_free(x->session);
	x->session = NULL;
	if (!x->render)
		x->used = false;
}

static void on_render_done(void *arg, int status)
{
	struct recording *x = arg;
	struct rec *r = x->owner;
	x->render = NULL;
	const char *file = strrchr(x->base, '/') + 1;
	char name[300];
	snprintf(name, sizeof name, "%s.mp4", file);
	if (status == 0) {
		r->renders_ok++;
		log_info(MOD, "recording rendered: %s.mp4", x->base);
		report(r, x->room_key, SIGNAL_OUT_READY, name);
	} else {
		r->renders_failed++;
		report(r, x->room_key, SIGNAL_OUT_RENDER_FAILED, "render_failed");
	}
	if (!x->session)
		x->used = false;
}

static const struct sfu_tap_ops tap_ops;

static void untap(struct recording *x)
{
	if (x->tapped)
		sfu_untap(x->owner->sfu, x->room_key, &tap_ops, x);
	x->tapped = false;
}

static void on_session(void *arg, struct rec_session *s, int err, bool finished)
{
	struct recording *x = arg;
	struct rec *r = x->owner;
	if (err && !x->failed) {
		x->failed = true;
		x->stopping = true;
		untap(x);
		rec_session_stop(s);
		if (err == ENOSPC)
			r->failed_disk++;
		else
			r->failed_write++;
		report(r, x->room_key, SIGNAL_OUT_FAILED, err == ENOSPC ? "disk_full" : "write_failed");
	}
	if (!finished)
		return;
	r->dropped += rec_session_dropped(s);
	bool render = !x->failed;
	rec_session_free(s);
	x->session = NULL;
	if (render) {
		char out[720];
		snprintf(out, sizeof out, "%s.mp4", x->base);
		int e = rec_render_start(&x->render, r->loop, &r->render_cfg, x->base, out, on_render_done, x);
		if (e) {
			x->render = NULL;
			r->renders_failed++;
			report(r, x->room_key, SIGNAL_OUT_RENDER_FAILED, e == ENODATA ? "nothing_recorded" : "render_failed");
		}
	}
	if (!x->render)
		x->used = false;
}

/* The tap's callbacks carry the recording: its session is set before the tap and freed only
 * after the tap is gone (removed, or its room closed). */
static bool tap_media(void *arg, const struct sfu_tap_media *m)
{
	struct recording *x = arg;
	return rec_session_tap_media(x->session, m);
}

static void tap_speaker(void *arg, uint32_t participant_id, uint64_t now_us)
{
	struct recording *x = arg;
	rec_session_tap_speaker(x->session, participant_id, now_us);
}

/* The room closed with its last member (signaling loop): the recording ends as if stopped. */
static void tap_ended(void *arg)
{
	struct recording *x = arg;
	x->tapped = false;
	x->stopping = true;
	if (x->session)
		rec_session_stop(x->session);
	log_info(MOD, "recording ended with its meeting in %s", x->base);
}

static const struct sfu_tap_ops tap_ops = { tap_media, tap_speaker, tap_ended };

static struct recording *find(struct rec *r, const char *room_key)
{
	for (size_t i = 0; i < REC_MAX; i++)
		if (r->recs[i].used && r->recs[i].session && !r->recs[i].stopping && strcmp(r->recs[i].room_key, room_key) == 0)
			return &r->recs[i];
	return NULL;
}

static int start_recording(struct rec *r, const char *room_key, const char *tenant)
{
	if (find(r, room_key))
		return 0;   /* already recording */
	unsigned running = 0;
	struct recording *x = NULL;
	for (size_t i = 0; i < REC_MAX; i++) {
		if (r->recs[i].used)
			running++;
		else if (!x)
			x = &r->recs[i];
	}
	if (!x || running >= r->max_recordings)
		return EBUSY;
	char tdir[600];
	snprintf(tdir, sizeof tdir, "%s/%s", r->dir, tenant && *tenant ? tenant : "default");
	int e = rec_mkdirs(tdir);
	if (e)
		return e;
	struct statvfs vfs;
	if (statvfs(tdir, &vfs) == 0 && (uint64_t)vfs.f_bavail * vfs.f_frsize < r->min_free) {
		r->refused_disk++;
		return ENOSPC;
	}
	const char *slash = strchr(room_key, '/');
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	memset(x, 0, sizeof *x);
	x->owner = r;
	snprintf(x->room_key, sizeof x->room_key, "%s", room_key);
	snprintf(x->base, sizeof x->base, "%s/%s-%s", tdir, slash ? slash + 1 : room_key, stamp);
	e = rec_session_new(&x->session, r->loop, x->base, r->ring_bytes, r->min_free, clock_mono_us(), on_session, x);
	if (e)
		return e;
	x->used = true;
	e = sfu_tap(r->sfu, room_key, &tap_ops, x);
	if (e) {
		rec_release(x);
		rmdir(x->base);
		return e;
	}
	x->tapped = true;
	r->started++;
	log_info(MOD, "recording started in %s", x->base);
	return 0;
}

static int out_start(void *arg, enum signal_out what, const char *room_key, const char *tenant)
{
	struct rec *r = arg;
	if (what == SIGNAL_OUT_RECORDING)
		return r->dir[0] ? start_recording(r, room_key, tenant) : ENOTSUP;
	return r->hls ? hls_start(r->hls, room_key) : 0;   /* without HLS, WHEP viewers need nothing of us */
}

static void out_stop(void *arg, enum signal_out what, const char *room_key)
{
	struct rec *r = arg;
	if (what == SIGNAL_OUT_STREAMING && r->hls)
		hls_stop(r->hls, room_key);
	if (what != SIGNAL_OUT_RECORDING)
		return;
	struct recording *x = find(r, room_key);
	if (!x)
		return;
	untap(x);
	x->stopping = true;
	rec_session_stop(x->session);
	log_info(MOD, "recording stopped in %s", x->base);
}

const struct signal_out_ops rec_out_ops = { out_start, out_stop };

/* ---- retention --------------------------------------------------------------------------------- */

static time_t sweep_before;
static unsigned sweep_count;

static int sweep_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (ftw->level < 2)
		return 0;   /* the directory itself and the tenants' folders stay */
	if (st->st_mtime >= sweep_before)
		return 0;
	bool is_dir = flag == FTW_DP;
	if ((is_dir ? rmdir(path) : unlink(path)) == 0 && ftw->level == 2)
		sweep_count++;
	return 0;
}

unsigned rec_sweep(struct rec *r)
{
	if (!r->dir[0])
		return 0;
	sweep_before = time(NULL) - (time_t)r->keep_days * 86400;
	sweep_count = 0;
	/* what a running recording or render writes is fresh: its mtime protects it */
	nftw(r->dir, sweep_entry, 16, FTW_DEPTH | FTW_PHYS);
	r->swept += sweep_count;
	if (sweep_count)
		log_info(MOD, "%u recordings older than %u days deleted", sweep_count, r->keep_days);
	return sweep_count;
}

static void on_sweep(uv_timer_t *t)
{
	rec_sweep(t->data);
}

/* ---- life ---------------------------------------------------------------------------------------- */

int rec_new(struct rec **out, uv_loop_t *loop, struct sfu *sfu, const struct rec_config *cfg)
{
	struct rec *r = calloc(1, sizeof *r);
	if (!r)
		return ENOMEM;
	if (cfg->dir && snprintf(r->dir, sizeof r->dir, "%s", cfg->dir) >= (int)sizeof r->dir) {
		free(r);
		return ENAMETOOLONG;
	}
	int e = r->dir[0] ? rec_mkdirs(r->dir) : 0;
	if (e || (r->dir[0] && access(r->dir, W_OK) != 0)) {
		e = e ? e : errno;
		log_error(MOD, "recording directory %s: %s", r->dir, strerror(e));
		free(r);
		return e;
	}
	r->loop = loop;
	r->sfu = sfu;
	r->keep_days = cfg->keep_days ? cfg->keep_days : 7;
	r->max_recordings = cfg->max_recordings ? cfg->max_recordings : 8;
	if (r->max_recordings > REC_MAX)
		r->max_recordings = REC_MAX;
	r->ring_bytes = cfg->ring_bytes ? cfg->ring_bytes : (size_t)8 << 20;
	r->min_free = cfg->min_free_bytes ? cfg->min_free_bytes : (uint64_t)64 << 20;
	r->render_cfg.ffmpeg = cfg->ffmpeg;
	if (cfg->live_dir) {
		struct hls_config hc = { .dir = cfg->live_dir, .max_streams = cfg->max_streams,
		                         .encoder = { .ffmpeg = cfg->ffmpeg } };
		if ((e = hls_new(&r->hls, loop, sfu, &hc, hls_failed, r)) != 0) {
			free(r);
			return e;
		}
	}
	uv_timer_init(loop, &r->sweep);
	r->sweep.data = r;
	if (r->dir[0])
		uv_timer_start(&r->sweep, on_sweep, 1000, 3600 * 1000);
	*out = r;
	return 0;
}

static void free_after_timer(uv_handle_t *h)
{
	free(h->data);
}

void rec_free(struct rec *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < REC_MAX; i++) {
		struct recording *x = &r->recs[i];
		if (!x->used)
			continue;
		untap(x);
		if (x->session) {
			rec_session_free(x->session);   /* joins the writer: the files are closed */
			x->session = NULL;
		}
		if (x->render) {
			rec_render_kill(x->render);   /* the partial file is removed; nobody is told */
		}
	}
	hls_free(r->hls);
	uv_close((uv_handle_t *)&r->sweep, free_after_timer);
}

bool rec_can_record(const struct rec *r)
{
	return r->dir[0] != 0;
}

void rec_set_report(struct rec *r, rec_report_fn fn, void *arg)
{
	r->report = fn;
	r->report_arg = arg;
}

size_t rec_metrics(const struct rec *r, char *out, size_t cap)
{
	unsigned active = 0, rendering = 0;
	uint64_t dropped = r->dropped;
	for (size_t i = 0; i < REC_MAX; i++) {
		if (r->recs[i].used && r->recs[i].session) {
			active++;
			dropped += rec_session_dropped(r->recs[i].session);
		}
		if (r->recs[i].render)
			rendering++;
	}
	int n = snprintf(out, cap,
	        "# HELP plenum_recordings Recordings running now.\n# TYPE plenum_recordings gauge\nplenum_recordings %u\n"
	        "# HELP plenum_recordings_started_total Recordings started.\n# TYPE plenum_recordings_started_total counter\n"
	        "plenum_recordings_started_total %llu\n"
	        "# HELP plenum_recording_failures_total Recordings refused or stopped by a fault.\n"
	        "# TYPE plenum_recording_failures_total counter\n"
	        "plenum_recording_failures_total{reason=\"disk_full_at_start\"} %llu\n"
	        "plenum_recording_failures_total{reason=\"disk_full\"} %llu\n"
	        "plenum_recording_failures_total{reason=\"write_failed\"} %llu\n"
	        "# HELP plenum_recording_dropped_packets_total Packets a recording's writer could not keep up with.\n"
	        "# TYPE plenum_recording_dropped_packets_total counter\nplenum_recording_dropped_packets_total %llu\n"
	        "# HELP plenum_renders Composed files being rendered now.\n# TYPE plenum_renders gauge\nplenum_renders %u\n"
	        "# HELP plenum_renders_total Composed files rendered, by result.\n# TYPE plenum_renders_total counter\n"
	        "plenum_renders_total{result=\"ok\"} %llu\nplenum_renders_total{result=\"failed\"} %llu\n"
	        "# HELP plenum_recordings_deleted_total Recordings deleted after the retention period.\n"
	        "# TYPE plenum_recordings_deleted_total counter\nplenum_recordings_deleted_total %llu\n",
	        active, (unsigned long long)r->started, (unsigned long long)r->refused_disk,
	        (unsigned long long)r->failed_disk, (unsigned long long)r->failed_write, (unsigned long long)dropped,
	        rendering, (unsigned long long)r->renders_ok, (unsigned long long)r->renders_failed,
	        (unsigned long long)r->swept);
	size_t len = n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap;
	if (r->hls)
		len += hls_metrics(r->hls, out + len, cap - len);
	return len;
}

bool rec_can_stream_hls(const struct rec *r)
{
	return r && r->hls;
}
