/* session: one recording of one room — the tap's packets through a bounded ring to a writer
 * thread that keeps one WebM file per track and the speaker timeline (timeline.json). */
#ifndef PLENUM_REC_SESSION_H
#define PLENUM_REC_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "sfu/sfu.h"

struct rec_session;

/* From the writer, on the signaling loop: err is why it stopped writing by itself (ENOSPC: the disk
 * is full; another errno: a write failed) or 0; finished: the thread ended (files closed, and
 * without err the timeline written) — then s may be freed. Both may come in one call. */
typedef void (*rec_session_done_fn)(void *arg, struct rec_session *s, int err, bool finished);

/* Starts a writer for the tracks into `dir` (made, 0750); it stops by itself (ENOSPC) when the
 * disk has less than min_free bytes free. 0 or an errno. */
int rec_session_new(struct rec_session **out, uv_loop_t *loop, const char *dir, size_t ring_bytes,
                    uint64_t min_free, uint64_t start_us, rec_session_done_fn done, void *arg);
/* The tap's media and speaker callbacks (struct sfu_tap_ops), with s as their argument. */
/* true: this video's file waits for a keyframe (the tap asks its publisher for one). */
bool rec_session_tap_media(void *s, const struct sfu_tap_media *m);
void rec_session_tap_speaker(void *s, uint32_t participant_id, uint64_t now_us);
/* Asks the writer to finish (after the tap was removed); `done` follows. */
void rec_session_stop(struct rec_session *s);
/* After `done`: joins the thread and frees s. */
void rec_session_free(struct rec_session *s);
const char *rec_session_dir(const struct rec_session *s);
/* Records the ring dropped for want of room (the writer fell behind), and bytes written. */
uint64_t rec_session_dropped(const struct rec_session *s);
uint64_t rec_session_bytes(const struct rec_session *s);

#endif
