/* rec: recordings of meetings — the media side of signal_out.h. A recording taps its room
 * (sfu_tap), writes one WebM per track and the speaker timeline while the meeting runs, then
 * renders one MP4 for people in a niced ffmpeg. Files live per tenant under the configured
 * directory and are deleted after keep_days. */
#ifndef PLENUM_REC_REC_H
#define PLENUM_REC_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "signal/signal_out.h"

struct sfu;
struct rec;

struct rec_config {
	const char *dir;                 /* the recordings directory (made if missing); NULL: no recording
	                                    (a start answers ENOTSUP), streaming only */
	unsigned keep_days;              /* files older than this are deleted (0: 7) */
	unsigned max_recordings;         /* recordings at once (0: 8) */
	size_t ring_bytes;               /* per recording, between media thread and writer (0: 8 MiB) */
	uint64_t min_free_bytes;         /* a start is refused (ENOSPC) below this much free space (0: 64 MiB) */
	const char *ffmpeg;              /* NULL: "ffmpeg" on PATH */
	const char *live_dir;            /* the HLS livestreams' directory (made if missing); NULL: no HLS,
	                                    streaming is WHEP only */
	unsigned max_streams;            /* HLS streams at once (0: 4) */
};
/* Whether r streams HLS (rec_new had a live_dir). */
bool rec_can_stream_hls(const struct rec *r);

bool rec_can_record(const struct rec *r);
int rec_new(struct rec **out, uv_loop_t *loop, struct sfu *sfu, const struct rec_config *cfg);
/* Stops every recording (their files are closed, renders killed) and frees r; run the loop after. */
void rec_free(struct rec *r);
/* The ops for signal_config.out_ops, with r as out_arg. */
extern const struct signal_out_ops rec_out_ops;
/* Where reports go (signal_out_report of the signaling server). */
typedef void (*rec_report_fn)(void *arg, const char *room_key, enum signal_out what,
                              enum signal_out_status status, const char *detail);
void rec_set_report(struct rec *r, rec_report_fn fn, void *arg);
/* Deletes what is older than keep_days (also done hourly); the number of entries deleted. */
unsigned rec_sweep(struct rec *r);
/* Prometheus text; the length written (≤ cap). */
size_t rec_metrics(const struct rec *r, char *out, size_t cap);

#endif
