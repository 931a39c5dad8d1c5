/* render: the one file for people — the recorded tracks composed (the speaker large, or the shared
 * screen with the speaker beside it; all audio mixed) into MP4 (H.264 + AAC) by ffmpeg, run as a
 * separate, niced process with bounded memory. */
#ifndef PLENUM_REC_RENDER_H
#define PLENUM_REC_RENDER_H

#include <stddef.h>
#include <uv.h>

struct rec_render;

struct rec_render_config {
	const char *ffmpeg;              /* the ffmpeg binary (default "ffmpeg", on PATH) */
	unsigned nice;                   /* niceness of the process (default 10) */
	size_t max_memory;               /* address space limit in bytes (prlimit --as; default 2 GiB) */
};

/* ffmpeg's arguments for composing `dir`'s timeline.json into out_path (argv NULL-terminated,
 * malloc'd strings; free with rec_render_args_free). 0, ENOENT (no timeline), EINVAL (a timeline
 * that cannot be read), ENODATA (nothing was recorded), ENOMEM. */
int rec_render_args(const struct rec_render_config *cfg, const char *dir, const char *out_path, char ***argv);
void rec_render_args_free(char **argv);
/* Building an argv (NULL-terminated, malloc'd strings): one more string; 0 or ENOMEM. */
int rec_argv_push(char ***argv, size_t *n, size_t *cap, const char *s);
/* The start every ffmpeg of the recorder shares: prlimit --as, nice, ffmpeg quiet and unattended. */
int rec_argv_head(char ***argv, size_t *n, size_t *cap, const struct rec_render_config *cfg);

/* Starts the render; done(arg, status) on the loop when it ended: 0 (out_path is complete) or an
 * errno / -1 for a failed or killed ffmpeg (a partial file is removed). 0 or an errno. */
typedef void (*rec_render_done_fn)(void *arg, int status);
int rec_render_start(struct rec_render **out, uv_loop_t *loop, const struct rec_render_config *cfg,
                     const char *dir, const char *out_path, rec_render_done_fn done, void *arg);
/* The running ffmpeg's pid (for tests and metrics), 0 when none. */
int rec_render_pid(const struct rec_render *r);
/* Kills a running render (server shutdown): its partial file is removed, done is not called. */
void rec_render_kill(struct rec_render *r);

#endif
