/* hls_feed: the composed programme of a streamed room as one live Matroska stream (two VP8, the
 * voices' Opus, no decoding) written into a pipe to the room's HLS encoder — fed by the tap. */
#ifndef PLENUM_REC_HLS_FEED_H
#define PLENUM_REC_HLS_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sfu/sfu.h"

struct hls_feed;

/* A writer thread into fd (the pipe's write end, taken over: closed by hls_feed_free). 0 or an errno. */
int hls_feed_new(struct hls_feed **out, int fd, size_t ring_bytes, uint64_t start_us);
/* The tap's media callback (struct sfu_tap_ops), with the feed as its argument: the programme's
 * slotted packets into the ring (a full ring drops, counted); true asks for a keyframe of m's track. */
bool hls_feed_tap_media(void *feed, const struct sfu_tap_media *m);
/* Ends the writer (after the tap was removed: no callback runs any more), closes the pipe, frees. */
void hls_feed_free(struct hls_feed *f);
/* Packets dropped: the ring was full (the encoder fell behind). */
uint64_t hls_feed_dropped(const struct hls_feed *f);

#endif
