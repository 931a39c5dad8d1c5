/* track_file: one published track of a recording as a WebM file, without transcoding — VP8
 * frames reassembled from RTP (RFC 7741), Opus packets as they come (RFC 7587) — through
 * libavformat's Matroska muxer. Timestamps in ms from the recording's start. */
#ifndef PLENUM_REC_TRACK_FILE_H
#define PLENUM_REC_TRACK_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rec/frame.h"

struct track_file;

/* A writer for `path`; video (VP8, 90 kHz) or audio (Opus, 48 kHz). The file is made at the first
 * packet it can start with (video: a keyframe). 0 or ENOMEM. */
int track_file_new(struct track_file **out, const char *path, bool video);
/* 0, or an errno of writing (ENOSPC: the disk is full); after an error the file takes nothing more. */
int track_file_put(struct track_file *f, const struct track_pkt *p);
/* Whether the track waits for a keyframe (the recorder asks the publisher for one). */
bool track_file_wants_keyframe(const struct track_file *f);
/* Finishes the file (Matroska cues and durations); 0 or an errno. Frees f. */
int track_file_close(struct track_file *f);
/* What was written: first and last timestamp (ms), frames, and the video size. */
struct track_file_info {
	bool started;
	uint64_t first_ms, last_ms;
	uint64_t frames, bytes;
	uint16_t width, height;
};
void track_file_info(const struct track_file *f, struct track_file_info *out);

#endif
