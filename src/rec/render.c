/* render: timeline.json → ffmpeg's filter graph. The meeting's time is cut at every track start,
 * track end and speaker change; in each piece the shared screen (if any) is large with the speaker
 * small beside it, otherwise the speaker is large (the last one who spoke; without a camera of
 * theirs, the camera shown before, else the first camera there). Every audio track is mixed in at its own start. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/log.h"
#include <stdarg.h>
#include "rec/render.h"

#define MOD "rec"
#define W 1280
#define H 720
#define SCREEN_W 960
#define SMALL_W 320
#define SMALL_H 240
#define INPUTS_MAX 64            /* files composed at most (the first ones by start) */

/* A growing text (the graph and its enable expressions grow with the meeting's length). */
struct gbuf {
	char *buf;
	size_t len, cap;
	bool oom;
};

static void gprintf(struct gbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void gprintf(struct gbuf *b, const char *fmt, ...)
{
	for (;;) {
		if (b->oom)
			return;
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->buf ? b->buf + b->len : NULL, b->buf ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if (b->buf && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap : 1024;
		while (cap <= b->len + (size_t)n)
			cap *= 2;
		char *nb = realloc(b->buf, cap);
		if (!nb) {
			b->oom = true;
			return;
		}
		b->buf = nb;
		b->cap = cap;
	}
}

static void gfree(struct gbuf *b)
{
	free(b->buf);
	*b = (struct gbuf){ 0 };
}

struct in_track {
	char file[128];
	unsigned participant;
	bool video, screen;
	double start, end;           /* seconds from the recording's start */
	struct gbuf big, small;    /* enable expressions: sums of between(t,a,b) */
	double big_from, big_to, small_from, small_to;   /* the piece being extended, not yet written */
};

static int load(const char *dir, struct in_track *in, size_t *n, json_t **speakers, double *duration)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/timeline.json", dir);
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (!root)
		return access(path, F_OK) == 0 ? EINVAL : ENOENT;
	json_t *tracks = json_object_get(root, "tracks");
	*speakers = json_incref(json_object_get(root, "speakers"));
	*duration = (double)json_integer_value(json_object_get(root, "duration_ms")) / 1000.0;
	*n = 0;
	size_t i;
	json_t *t;
	json_array_foreach(tracks, i, t) {
		const char *file = json_string_value(json_object_get(t, "file"));
		const char *kind = json_string_value(json_object_get(t, "kind"));
		const char *source = json_string_value(json_object_get(t, "source"));
		if (!file || !kind || !source || strchr(file, '/') || strlen(file) >= sizeof in->file || *n == INPUTS_MAX)
			continue;
		struct in_track *x = &in[(*n)++];
		memset(x, 0, sizeof *x);
		snprintf(x->file, sizeof x->file, "%s", file);
		x->participant = (unsigned)json_integer_value(json_object_get(t, "participant_id"));
		x->video = strcmp(kind, "video") == 0;
		x->screen = strcmp(source, "screen") == 0;
		x->start = (double)json_integer_value(json_object_get(t, "start_ms")) / 1000.0;
		x->end = (double)json_integer_value(json_object_get(t, "end_ms")) / 1000.0 + 0.1;
	}
	json_decref(root);
	if (!json_is_array(*speakers)) {
		json_decref(*speakers);
		*speakers = json_array();
	}
	return *n ? 0 : ENODATA;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static struct in_track *present(struct in_track *in, size_t n, double t, bool screen, unsigned participant)
{
	for (size_t i = 0; i < n; i++)
		if (in[i].video && in[i].screen == screen && in[i].start <= t && t < in[i].end &&
		    (!participant || in[i].participant == participant))
			return &in[i];
	return NULL;
}

/* Adds [a, b) to an expression; pieces that touch are joined (written by enable_flush). */
static void enable_write(struct gbuf *sb, double from, double to)
{
	if (to > from)
		gprintf(sb, "%sbetween(t,%.3f,%.3f)", sb->len ? "+" : "", from, to);
}

static void enable_add(struct gbuf *sb, double *from, double *to, double a, double b)
{
	if (*to > *from && a >= *to - 0.0005 && a <= *to + 0.0005) {
		*to = b;
		return;
	}
	enable_write(sb, *from, *to);
	*from = a;
	*to = b;
}

static void enable_flush(struct in_track *x)
{
	enable_write(&x->big, x->big_from, x->big_to);
	enable_write(&x->small, x->small_from, x->small_to);
}

/* Decides who is shown where in each piece of the timeline. */
static void plan(struct in_track *in, size_t n, const json_t *speakers, double duration)
{
	size_t ns = json_array_size(speakers), nc = 0;
	double *cuts = malloc((2 * n + ns + 2) * sizeof *cuts);
	if (!cuts)
		return;
	cuts[nc++] = 0;
	cuts[nc++] = duration;
	for (size_t i = 0; i < n; i++) {
		cuts[nc++] = in[i].start;
		cuts[nc++] = in[i].end;
	}
	for (size_t i = 0; i < ns; i++)
		cuts[nc++] = (double)json_integer_value(json_object_get(json_array_get(speakers, i), "at_ms")) / 1000.0;
	qsort(cuts, nc, sizeof *cuts, cmp_double);
	unsigned speaker = 0, shown = 0;
	size_t si = 0;
	for (size_t c = 0; c + 1 < nc; c++) {
		double a = cuts[c], b = cuts[c + 1];
		if (b - a < 0.001 || a >= duration)
			continue;
		double mid = (a + b) / 2;
		for (; si < ns; si++) {
			const json_t *sp = json_array_get(speakers, si);
			if ((double)json_integer_value(json_object_get(sp, "at_ms")) / 1000.0 > mid)
				break;
			unsigned id = (unsigned)json_integer_value(json_object_get(sp, "participant_id"));
			if (id)
				speaker = id;   /* silence keeps the last speaker on screen */
		}
		struct in_track *screen = present(in, n, mid, true, 0);
		/* the speaker's camera; a speaker without one keeps the last camera shown on screen */
		struct in_track *cam = speaker ? present(in, n, mid, false, speaker) : NULL;
		if (!cam && shown)
			cam = present(in, n, mid, false, shown);
		if (!cam)
			cam = present(in, n, mid, false, 0);
		if (cam)
			shown = cam->participant;
		if (screen)
			enable_add(&screen->big, &screen->big_from, &screen->big_to, a, b);
		if (cam && screen)
			enable_add(&cam->small, &cam->small_from, &cam->small_to, a, b);
		else if (cam)
			enable_add(&cam->big, &cam->big_from, &cam->big_to, a, b);
	}
	for (size_t i = 0; i < n; i++)
		enable_flush(&in[i]);
	free(cuts);
}

int rec_argv_push(char ***argv, size_t *n, size_t *cap, const char *s)
{
	if (*n + 2 > *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		char **na = realloc(*argv, nc * sizeof *na);
		if (!na)
			return ENOMEM;
		*argv = na;
		*cap = nc;
	}
	if (!((*argv)[(*n)++] = strdup(s)))
		return ENOMEM;
	(*argv)[*n] = NULL;
	return 0;
}

int rec_argv_head(char ***argv, size_t *n, size_t *cap, const struct rec_render_config *cfg)
{
	char as[48], nice[16];
	snprintf(as, sizeof as, "--as=%zu", cfg->max_memory ? cfg->max_memory : (size_t)2 << 30);
	snprintf(nice, sizeof nice, "%u", cfg->nice ? cfg->nice : 10);
	const char *head[] = { "prlimit", as, "nice", "-n", nice, cfg->ffmpeg ? cfg->ffmpeg : "ffmpeg", "-nostdin",
	                       "-hide_banner", "-loglevel", "error", "-y", NULL };
	int err = 0;
	for (size_t i = 0; head[i] && !err; i++)
		err = rec_argv_push(argv, n, cap, head[i]);
	return err;
}

int rec_render_args(const struct rec_render_config *cfg, const char *dir, const char *out_path, char ***out)
{
	struct in_track *in = calloc(INPUTS_MAX, sizeof *in);
	if (!in)
		return ENOMEM;
	json_t *speakers = NULL;
	size_t n = 0;
	double duration = 0;
	int err = load(dir, in, &n, &speakers, &duration);
	if (err) {
		json_decref(speakers);
		free(in);
		return err;
	}
	if (duration < 0.1)
		duration = 0.1;
	plan(in, n, speakers, duration);
	json_decref(speakers);
	for (size_t i = 0; i < n; i++)
		if (in[i].big.oom || in[i].small.oom)
			err = ENOMEM;

	struct gbuf g = { 0 };
	char **argv = NULL;
	size_t argc = 0, cap = 0;
	char buf[1200];
	err = err ? err : rec_argv_head(&argv, &argc, &cap, cfg);
	for (size_t i = 0; i < n && !err; i++) {
		snprintf(buf, sizeof buf, "%s/%s", dir, in[i].file);
		err = rec_argv_push(&argv, &argc, &cap, "-i");
		err = err ? err : rec_argv_push(&argv, &argc, &cap, buf);
	}
	/* the graph: a black canvas, each camera large and small where the plan says, screens large */
	gprintf(&g, "color=c=black:s=%dx%d:r=25:d=%.3f[base0]", W, H, duration);
	unsigned stage = 0, n_audio = 0;
	for (size_t i = 0; i < n; i++) {
		struct in_track *x = &in[i];
		if (!x->video) {
			gprintf(&g, ";[%zu:a]asetpts=PTS-STARTPTS+%.3f/TB,aresample=48000:async=1000:first_pts=0[a%u]", i,
			               x->start, n_audio);
			n_audio++;
			continue;
		}
		gprintf(&g, ";[%zu:v]setpts=PTS-STARTPTS+%.3f/TB", i, x->start);
		bool big = x->big.len, small = x->small.len;
		if (!big && !small) {
			gprintf(&g, ",nullsink");
			continue;
		}
		if (big && small)
			gprintf(&g, ",split=2[v%zub][v%zus]", i, i);
		else
			gprintf(&g, "[v%zu%c]", i, big ? 'b' : 's');
		int bw = x->screen ? SCREEN_W : W;
		if (big)
			gprintf(&g, ";[v%zub]scale=%d:%d:force_original_aspect_ratio=decrease,pad=%d:%d:-1:-1[p%zub]"
			               ";[base%u][p%zub]overlay=0:0:eof_action=pass:enable='%s'[base%u]",
			               i, bw, H, bw, H, i, stage, i, x->big.buf, stage + 1), stage++;
		if (small)
			gprintf(&g, ";[v%zus]scale=%d:%d:force_original_aspect_ratio=decrease,pad=%d:%d:-1:-1[p%zus]"
			               ";[base%u][p%zus]overlay=%d:%d:eof_action=pass:enable='%s'[base%u]",
			               i, SMALL_W, SMALL_H, SMALL_W, SMALL_H, i, stage, i, SCREEN_W, (H - SMALL_H) / 2,
			               x->small.buf, stage + 1), stage++;
	}
	gprintf(&g, ";[base%u]format=yuv420p[vout]", stage);
	if (n_audio) {
		gprintf(&g, ";");
		for (unsigned a = 0; a < n_audio; a++)
			gprintf(&g, "[a%u]", a);
		gprintf(&g, "amix=inputs=%u:duration=longest:normalize=0,apad,atrim=0:%.3f[aout]", n_audio, duration);
	} else {
		gprintf(&g, ";anullsrc=r=48000:cl=stereo,atrim=0:%.3f[aout]", duration);
	}
	snprintf(buf, sizeof buf, "%.3f", duration);
	/* the graph goes in a file: an argument may not exceed 128 kB (MAX_ARG_STRLEN) */
	char script[1100];
	snprintf(script, sizeof script, "%s/compose.filter", dir);
	if (!err && (g.oom || !g.buf))
		err = ENOMEM;
	if (!err) {
		FILE *fp = fopen(script, "w");
		if (!fp || fwrite(g.buf, 1, g.len, fp) != g.len)
			err = errno ? errno : EIO;
		if (fp && fclose(fp) != 0 && !err)
			err = errno ? errno : EIO;
	}
	const char *tail[] = { "-filter_complex_script", script, "-map", "[vout]", "-map", "[aout]", "-t", buf,
	                       "-c:v", "libx264", "-preset", "veryfast", "-crf", "25", "-threads", "2",
	                       "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", "-f", "mp4", out_path, NULL };
	for (size_t i = 0; tail[i] && !err; i++)
		err = rec_argv_push(&argv, &argc, &cap, tail[i]);
	gfree(&g);
	for (size_t i = 0; i < n; i++) {
		gfree(&in[i].big);
		gfree(&in[i].small);
	}
	free(in);
	if (err) {
		rec_render_args_free(argv);
		return err;
	}
	*out = argv;
	return 0;
}

void rec_render_args_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

struct rec_render {
	uv_process_t proc;
	char *out_path;
	rec_render_done_fn done;
	void *arg;
	bool exited;
};

static void on_closed(uv_handle_t *h)
{
	struct rec_render *r = h->data;
	free(r->out_path);
	free(r);
}

static void on_exit_cb(uv_process_t *p, int64_t status, int signo)
{
	struct rec_render *r = p->data;
	r->exited = true;
	int result = status == 0 && signo == 0 ? 0 : -1;
	if (result) {
		log_warn(MOD, "render of %s failed (exit %lld, signal %d)", r->out_path, (long long)status, signo);
		unlink(r->out_path);
	}
	rec_render_done_fn done = r->done;
	void *arg = r->arg;
	uv_close((uv_handle_t *)p, on_closed);
	if (done)
		done(arg, result);
}

int rec_render_start(struct rec_render **out, uv_loop_t *loop, const struct rec_render_config *cfg,
                     const char *dir, const char *out_path, rec_render_done_fn done, void *arg)
{
	char **argv;
	int err = rec_render_args(cfg, dir, out_path, &argv);
	if (err)
		return err;
	struct rec_render *r = calloc(1, sizeof *r);
	if (!r || !(r->out_path = strdup(out_path))) {
		free(r);
		rec_render_args_free(argv);
		return ENOMEM;
	}
	r->done = done;
	r->arg = arg;
	r->proc.data = r;
	uv_stdio_container_t stdio[3] = { { .flags = UV_IGNORE }, { .flags = UV_IGNORE },
	                                  { .flags = UV_INHERIT_FD, .data.fd = 2 } };
	uv_process_options_t opt = { .exit_cb = on_exit_cb, .file = argv[0], .args = argv, .stdio = stdio,
	                             .stdio_count = 3 };
	int e = uv_spawn(loop, &r->proc, &opt);
	rec_render_args_free(argv);
	if (e) {
		log_warn(MOD, "render of %s not started: %s", out_path, uv_strerror(e));
		uv_close((uv_handle_t *)&r->proc, on_closed);
		return -e > 0 ? -e : EIO;
	}
	*out = r;
	return 0;
}

int rec_render_pid(const struct rec_render *r)
{
	return r && !r->exited ? r->proc.pid : 0;
}

void rec_render_kill(struct rec_render *r)
{
	if (!r || r->exited)
		return;
	r->done = NULL;
	uv_process_kill(&r->proc, SIGTERM);
}
