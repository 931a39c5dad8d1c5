/* hls: one HLS stream per streamed room — the folder, the tap into the feed, and the encoder: an
 * ffmpeg reading Matroska on its stdin (a pipe) and writing RFC 8216 segments. Everything here
 * runs on the signaling loop; the feed's writer has its own thread. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "rec/dirs.h"
#include "rec/hls.h"
#include "rec/hls_feed.h"
#include "sfu/sfu.h"

#define MOD "hls"
#define W 1280
#define H 720
#define SCREEN_W 960
#define SMALL_W 320
#define SMALL_H 240

struct hls_stream {
	struct hls *owner;
	bool used;                       /* the slot is taken until the encoder's handle is closed */
	bool running;                    /* streaming (not stopping) */
	bool exited;                     /* the encoder ended */
	char room_key[SFU_ROOM_KEY_MAX + 1];
	char dir[700];
	struct hls_feed *feed;
	bool tapped;
	uv_process_t proc;
};

struct hls {
	uv_loop_t *loop;
	struct sfu *sfu;
	char dir[512];
	unsigned max_streams;
	size_t ring_bytes;
	struct rec_render_config encoder;
	hls_failed_fn failed;
	void *failed_arg;
	struct hls_stream streams[HLS_MAX];
	uint64_t started, failures, dropped;
	unsigned open_handles;           /* encoders' handles not yet closed */
	bool freeing;                    /* hls_free ran: the last close frees h */
};

/* The composed picture (like the recording's, render.c): the main video large; while the side
 * video shows a camera (more than the feed's 16x16 black), the main in the left 960x720 and the
 * camera 320x240 beside it — the composite is scaled to 2x2 and drawn off the picture otherwise.
 * The voices mixed, each resampled to close its gaps first. */
#define SIDE_MIN 32
static void hls_graph(char *g, size_t cap)
{
	int n = snprintf(g, cap,
	        "[0:v:0]fps=25,split[m1][m2];[0:v:1]fps=25,split[s1][s2];"
	        "[m1]scale=%d:%d:force_original_aspect_ratio=decrease,pad=%d:%d:-1:-1,setsar=1[big];"
	        "[m2]scale=%d:%d:force_original_aspect_ratio=decrease,pad=%d:%d:-1:-1,setsar=1[scr];"
	        "[s1]scale=%d:%d:force_original_aspect_ratio=decrease,pad=%d:%d:-1:-1,pad=%d:%d:0:-1,setsar=1[spk];"
	        "[scr][spk]hstack[comp];"
	        "[comp][s2]scale2ref=w='if(lt(iw,%d),2,main_w)':h='if(lt(iw,%d),2,main_h)'[c2][ref];[ref]nullsink;"
	        "[big][c2]overlay=x='if(lt(w,%d),W,0)':y=0:eval=frame,format=yuv420p[vout];",
	        W, H, W, H, SCREEN_W, H, SCREEN_W, H, SMALL_W, SMALL_H, SMALL_W, SMALL_H, SMALL_W, H, SIDE_MIN,
	        SIDE_MIN, SIDE_MIN);
	for (int i = 0; i < SFU_TAP_VOICES && n > 0 && (size_t)n < cap; i++)
		n += snprintf(g + n, cap - (size_t)n, "[0:a:%d]aresample=async=1000[a%d];", i, i);
	for (int i = 0; i < SFU_TAP_VOICES && n > 0 && (size_t)n < cap; i++)
		n += snprintf(g + n, cap - (size_t)n, "[a%d]", i);
	if (n > 0 && (size_t)n < cap)
		snprintf(g + n, cap - (size_t)n, "amix=inputs=%d:duration=longest:normalize=0[aout]", SFU_TAP_VOICES);
}

int hls_args(const struct rec_render_config *cfg, const char *out_dir, char ***out)
{
	char **argv = NULL;
	size_t n = 0, cap = 0;
	char graph[1400], seg[800], list[800];
	hls_graph(graph, sizeof graph);
	snprintf(seg, sizeof seg, "%s/seg-%%06d.ts", out_dir);
	snprintf(list, sizeof list, "%s/" HLS_PLAYLIST, out_dir);
	const char *tail[] = { "-f", "matroska", "-i", "pipe:0", "-filter_complex", graph, "-map", "[vout]",
	                       "-map", "[aout]", "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
	                       "-g", "50", "-keyint_min", "50", "-sc_threshold", "0", "-b:v", "2000k",
	                       "-maxrate", "2500k", "-bufsize", "5000k", "-threads", "2",
	                       "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2",
	                       "-f", "hls", "-hls_time", "2", "-hls_list_size", "6",
	                       "-hls_flags", "delete_segments+independent_segments+temp_file",
	                       "-hls_segment_filename", seg, list, NULL };
	int err = rec_argv_head(&argv, &n, &cap, cfg);
	for (size_t i = 0; tail[i] && !err; i++)
		err = rec_argv_push(&argv, &n, &cap, tail[i]);
	if (err) {
		rec_render_args_free(argv);
		return err;
	}
	*out = argv;
	return 0;
}

/* ---- one stream ---------------------------------------------------------------------------- */

static const struct sfu_tap_ops tap_ops;

static struct hls_stream *find(struct hls *h, const char *room_key)
{
	for (size_t i = 0; i < HLS_MAX; i++)
		if (h->streams[i].running && strcmp(h->streams[i].room_key, room_key) == 0)
			return &h->streams[i];
	return NULL;
}

/* The tap and the feed end (the pipe closes); the encoder is killed unless it ended. */
static void shut(struct hls_stream *x)
{
	if (x->tapped)
		sfu_untap(x->owner->sfu, x->room_key, &tap_ops, x);
	x->tapped = false;
	if (x->feed) {
		x->owner->dropped += hls_feed_dropped(x->feed);
		hls_feed_free(x->feed);
		x->feed = NULL;
	}
	x->running = false;
	if (!x->exited)
		uv_process_kill(&x->proc, SIGKILL);   /* a live stream has nothing to finish */
	rec_rmtree(x->dir);
}

static void on_closed(uv_handle_t *hd)
{
	struct hls_stream *x = hd->data;
	struct hls *h = x->owner;
	/* what a late segment write of the killed encoder left, unless the room streams again */
	if (!find(h, x->room_key))
		rec_rmtree(x->dir);
	x->used = false;
	if (--h->open_handles == 0 && h->freeing)
		free(h);
}

static void on_exit_cb(uv_process_t *p, int64_t status, int signo)
{
	struct hls_stream *x = p->data;
	struct hls *h = x->owner;
	x->exited = true;
	if (x->running) {
		h->failures++;
		log_warn(MOD, "the encoder of %s ended (exit %lld, signal %d): the stream stops", x->room_key,
		         (long long)status, signo);
		shut(x);
		if (h->failed)
			h->failed(h->failed_arg, x->room_key);
	}
	uv_close((uv_handle_t *)p, on_closed);
}

/* The tap's callbacks carry the stream: its feed is made before the tap and freed after it. */
static bool tap_media(void *arg, const struct sfu_tap_media *m)
{
	struct hls_stream *x = arg;
	return hls_feed_tap_media(x->feed, m);
}

/* The room closed with its last member: the stream ends with the meeting. */
static void tap_ended(void *arg)
{
	struct hls_stream *x = arg;
	x->tapped = false;
	log_info(MOD, "stream of %s ended with its meeting", x->room_key);
	shut(x);
}

static const struct sfu_tap_ops tap_ops = { tap_media, NULL, tap_ended };

static int spawn(struct hls *h, struct hls_stream *x, int rfd)
{
	char **argv;
	int e = hls_args(&h->encoder, x->dir, &argv);
	if (e)
		return e;
	x->proc.data = x;
	uv_stdio_container_t stdio[3] = { { .flags = UV_INHERIT_FD, .data.fd = rfd }, { .flags = UV_IGNORE },
	                                  { .flags = UV_INHERIT_FD, .data.fd = 2 } };
	uv_process_options_t opt = { .exit_cb = on_exit_cb, .file = argv[0], .args = argv, .stdio = stdio,
	                             .stdio_count = 3 };
	e = uv_spawn(h->loop, &x->proc, &opt);
	rec_render_args_free(argv);
	x->used = true;
	h->open_handles++;   /* a process handle is closed even when the spawn failed */
	return e ? (-e > 0 ? -e : EIO) : 0;
}

int hls_start(struct hls *h, const char *room_key)
{
	if (find(h, room_key))
		return 0;
	unsigned n = 0;
	struct hls_stream *x = NULL;
	for (size_t i = 0; i < HLS_MAX; i++) {
		if (h->streams[i].used)
			n++;
		else if (!x)
			x = &h->streams[i];
	}
	if (!x || n >= h->max_streams)
		return EBUSY;
	memset(x, 0, sizeof *x);
	x->owner = h;
	snprintf(x->room_key, sizeof x->room_key, "%s", room_key);
	if (snprintf(x->dir, sizeof x->dir, "%s/%s", h->dir, room_key) >= (int)sizeof x->dir)
		return ENAMETOOLONG;
	rec_rmtree(x->dir);   /* a crashed server's leftovers */
	int fds[2], e = rec_mkdirs(x->dir);
	if (e)
		return e;
	if (pipe2(fds, O_CLOEXEC) != 0) {
		e = errno;
		rec_rmtree(x->dir);
		return e;
	}
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);   /* ~4 s of programme between feed and encoder */
	if ((e = hls_feed_new(&x->feed, fds[1], h->ring_bytes, clock_mono_us())) != 0) {
		close(fds[0]);
		close(fds[1]);
		rec_rmtree(x->dir);
		return e;
	}
	e = spawn(h, x, fds[0]);
	close(fds[0]);
	if (e) {
		log_warn(MOD, "the encoder of %s did not start: %s", room_key, strerror(e));
		hls_feed_free(x->feed);
		x->feed = NULL;
		uv_close((uv_handle_t *)&x->proc, on_closed);
		return e;
	}
	x->running = true;
	if ((e = sfu_tap(h->sfu, room_key, &tap_ops, x)) != 0) {
		shut(x);
		return e;
	}
	x->tapped = true;
	h->started++;
	log_info(MOD, "streaming %s into %s", room_key, x->dir);
	return 0;
}

void hls_stop(struct hls *h, const char *room_key)
{
	struct hls_stream *x = find(h, room_key);
	if (!x)
		return;
	shut(x);
	log_info(MOD, "stream of %s stopped", room_key);
}

int hls_pid(const struct hls *h, const char *room_key)
{
	const struct hls_stream *x = find((struct hls *)h, room_key);
	return x && !x->exited ? x->proc.pid : 0;
}

/* ---- life ---------------------------------------------------------------------------------------- */

int hls_new(struct hls **out, uv_loop_t *loop, struct sfu *sfu, const struct hls_config *cfg,
            hls_failed_fn failed, void *arg)
{
	struct hls *h = calloc(1, sizeof *h);
	if (!h)
		return ENOMEM;
	int e = snprintf(h->dir, sizeof h->dir, "%s", cfg->dir) >= (int)sizeof h->dir ? ENAMETOOLONG : rec_mkdirs(cfg->dir);
	if (!e && access(cfg->dir, W_OK) != 0)
		e = errno;
	if (e) {
		log_error(MOD, "live directory %s: %s", cfg->dir, strerror(e));
		free(h);
		return e;
	}
	h->loop = loop;
	h->sfu = sfu;
	h->max_streams = cfg->max_streams ? cfg->max_streams : 4;
	if (h->max_streams > HLS_MAX)
		h->max_streams = HLS_MAX;
	h->ring_bytes = cfg->ring_bytes ? cfg->ring_bytes : (size_t)8 << 20;
	h->encoder = cfg->encoder;
	h->failed = failed;
	h->failed_arg = arg;
	*out = h;
	return 0;
}

void hls_free(struct hls *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < HLS_MAX; i++) {
		struct hls_stream *x = &h->streams[i];
		if (x->running)
			shut(x);
		if (x->used && !uv_is_closing((uv_handle_t *)&x->proc))
			uv_close((uv_handle_t *)&x->proc, on_closed);
	}
	h->freeing = true;
	if (!h->open_handles)
		free(h);
}

size_t hls_metrics(const struct hls *h, char *out, size_t cap)
{
	unsigned active = 0;
	uint64_t dropped = h->dropped;
	for (size_t i = 0; i < HLS_MAX; i++)
		if (h->streams[i].running) {
			active++;
			dropped += h->streams[i].feed ? hls_feed_dropped(h->streams[i].feed) : 0;
		}
	int n = snprintf(out, cap,
	        "# HELP plenum_hls_streams HLS livestreams being encoded now.\n# TYPE plenum_hls_streams gauge\n"
	        "plenum_hls_streams %u\n"
	        "# HELP plenum_hls_dropped_total Packets an HLS encoder could not keep up with.\n"
	        "# TYPE plenum_hls_dropped_total counter\nplenum_hls_dropped_total %llu\n"
	        "# HELP plenum_hls_encoder_failures_total HLS encoders that ended by themselves.\n"
	        "# TYPE plenum_hls_encoder_failures_total counter\nplenum_hls_encoder_failures_total %llu\n",
	        active, (unsigned long long)dropped, (unsigned long long)h->failures);
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap;
}
