/* hls: the public livestream of meetings as HLS (RFC 8216) — while streaming is on in a room, its
 * programme is fed (hls_feed.c) to one niced, memory-bounded ffmpeg that encodes H.264 + AAC into
 * 2 s segments under <dir>/<TENANT>/<ROOM>/ (index.m3u8, seg-N.ts), deleted when it stops. */
#ifndef PLENUM_REC_HLS_H
#define PLENUM_REC_HLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "rec/render.h"

struct sfu;
struct hls;

#define HLS_MAX 16               /* streams at once, server-wide */
#define HLS_PLAYLIST "index.m3u8"

struct hls_config {
	const char *dir;                 /* where the streams' folders live (made, 0750) */
	unsigned max_streams;            /* 0: 4; at most HLS_MAX */
	size_t ring_bytes;               /* per stream (0: 8 MiB) */
	struct rec_render_config encoder;   /* ffmpeg binary, nice, memory limit */
};

/* ffmpeg's arguments for encoding a Matroska stream on stdin into HLS in out_dir (free with
 * rec_render_args_free). 0 or ENOMEM. */
int hls_args(const struct rec_render_config *cfg, const char *out_dir, char ***argv);

/* Called (on the loop) when a room's encoder ended by itself: the stream is over. */
typedef void (*hls_failed_fn)(void *arg, const char *room_key);

int hls_new(struct hls **out, uv_loop_t *loop, struct sfu *sfu, const struct hls_config *cfg,
            hls_failed_fn failed, void *arg);
/* Kills every encoder and removes their folders; run the loop after. */
void hls_free(struct hls *h);
/* Starts room_key's stream ("TENANT/NAME"). 0 (also when it runs already), EBUSY (max_streams),
 * ENOENT (no such room), or an errno of the folder or process. */
int hls_start(struct hls *h, const char *room_key);
/* Stops it: the encoder is killed, its folder removed. Idempotent. */
void hls_stop(struct hls *h, const char *room_key);
/* The pid of room_key's encoder (tests), 0 when none runs. */
int hls_pid(const struct hls *h, const char *room_key);
/* Prometheus text; the length written (≤ cap). */
size_t hls_metrics(const struct hls *h, char *out, size_t cap);

#endif
