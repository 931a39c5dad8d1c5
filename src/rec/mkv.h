/* mkv: the Matroska/WebM side shared by the recorder's track files and the HLS feed — a VP8 or
 * Opus stream's parameters (RFC 7845 §5.1 head as CodecPrivate), one frame written, av errors. */
#ifndef PLENUM_REC_MKV_H
#define PLENUM_REC_MKV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rec/av.h"

/* A new stream of oc (time base 1 ms): VP8 of width x height, or Opus 48 kHz stereo. 0 or an AVERROR. */
int rec_mkv_add_stream(AVFormatContext *oc, bool video, uint16_t width, uint16_t height);
/* One frame of stream `index` at `ms` (duration_ms: 0 unknown). 0 or an AVERROR. */
int rec_mkv_write(AVFormatContext *oc, int index, const uint8_t *data, size_t len, uint64_t ms, bool key,
                  int duration_ms);
/* An AVERROR as an errno (ENOSPC for a full disk, EIO for what has none). */
int rec_av_errno(int averr);

#endif
