/* signal_out: what leaves a meeting for people who are not in it — its recording and its public
 * stream (HLS, WHEP viewers). A host starts and stops them; signaling asks for nobody's permission
 * but tells everyone first (consent: a dialog, an announcement, an indicator on every page, a
 * notice before joining) and shows who did what and when. The media side — taps, files, ffmpeg —
 * is not signaling's: it is reached through these ops (src/rec/, wired in main.c). */
#ifndef PLENUM_SIGNAL_SIGNAL_OUT_H
#define PLENUM_SIGNAL_SIGNAL_OUT_H

#include <stdbool.h>

struct signal;

enum signal_out {
	SIGNAL_OUT_RECORDING = 0,        /* files for later: per track, then one composed file */
	SIGNAL_OUT_STREAMING = 1,        /* the public: HLS under /hls/<room>/ and WHEP viewers */
	SIGNAL_OUT_COUNT
};

/* What carries the media side out. Called on the signaling loop. */
struct signal_out_ops {
	/* Starts `what` for the sfu room `room_key` ("TENANT/NAME"; "default/NAME" for the default tenant) of
	 * tenant `tenant`. 0, or an errno the host is told of: ENOSPC (the recording directory is full),
	 * EBUSY (as many recordings/streams run as the server allows), ENOENT (the room has no media
	 * yet), anything else: could not start. */
	int (*start)(void *arg, enum signal_out what, const char *room_key, const char *tenant);
	/* Stops it (a recording then renders its composed file in the background). Idempotent. */
	void (*stop)(void *arg, enum signal_out what, const char *room_key);
};

/* What the media side reports back about a running (or just stopped) recording or stream. */
enum signal_out_status {
	SIGNAL_OUT_FAILED = 0,           /* it stopped by itself: reason "disk_full", "encoder_failed" */
	SIGNAL_OUT_RENDER_FAILED,        /* the composed file could not be made (the tracks are kept) */
	SIGNAL_OUT_READY,                /* the composed file is there: `detail` is its file name */
};

/* From the media side, on the signaling loop: the room's hosts are told (and everyone, when it
 * stopped: the indicator goes). Unknown rooms are ignored (the meeting may be over). */
void signal_out_report(struct signal *s, const char *room_key, enum signal_out what,
                       enum signal_out_status status, const char *detail);

/* Whether `what` runs in the room now (e.g. WHEP admits viewers only while streaming is on). */
bool signal_out_active(struct signal *s, const char *room_key, enum signal_out what);

#endif
