/* hls_feed: tap → ring → writer thread → Matroska (libavformat) → the encoder's pipe. Tracks by
 * the tap's slots: the main video (the shared screen, else the speaker's camera), the side video
 * (the speaker beside a shared screen), each switching only at the new source's keyframe and black
 * without one; the loudest voices, one track each, with Opus silence where none comes. */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rec/av.h"

#include "base/clock.h"
#include "base/log.h"
#include "rec/frame.h"
#include "rec/hls_feed.h"
#include "rec/item.h"
#include "rec/mkv.h"
#include "rec/ring.h"

#define MOD "hls"
#define AVIO_BUF 32768
#define SILENCE_AFTER_MS 200     /* no voice in a slot for this long: silence is written in its place */
#define OPUS_FRAME_MS 20
#define VIDEO_IDLE_MS 300        /* a video track without a source: a black frame this often */
#define VIDEO_STALE_MS 2000      /* a source sending nothing for this long is dropped */
#define UNMARKED_MS 500          /* a source no longer in its slot keeps it this long (no other) */
#define N_VIDEO 2                /* SFU_TAP_MAIN, SFU_TAP_SIDE */

/* One 20 ms Opus frame of silence (TOC: CELT fullband 20 ms, stereo, one frame). */
static const uint8_t opus_silence[3] = { 0xfc, 0xff, 0xfe };
/* A black 16x16 VP8 keyframe (libvpx): what a video track shows while it has no source — the
 * encoder's overlay waits for frames on every input, and a track this small is not drawn. */
static const uint8_t vp8_black[31] = { 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x10, 0x00, 0x10, 0x00, 0x00,
                                       0x47, 0x08, 0x85, 0x85, 0x88, 0x85, 0x84, 0x88, 0x02, 0x02, 0x00,
                                       0x0c, 0x0d, 0x60, 0x00, 0xfe, 0xff, 0xab, 0x50, 0x80 };

/* One video track of the feed: its source switches only at the new source's keyframe. */
struct video_out {
	_Atomic uint64_t want_key;       /* id of the video whose keyframe the writer waits for */
	_Atomic uint64_t shown;          /* id of the video the track shows now */
	uint64_t cur_id, cand_id;        /* participant << 32 | track, + 1; 0: none */
	struct rec_frames cur, cand;
	uint64_t last_ms;                /* the last frame's time in the stream */
	uint64_t written_at, marked_at;  /* arrival ms: the last frame written, the source last in the slot */
	bool have;
};

/* One voice slot: whoever the tap puts in it, Opus silence where none comes. */
struct voice_out {
	uint64_t id;
	struct rec_frames frames;
	uint64_t next_ms;
};

struct hls_feed {
	int fd;
	struct rec_ring ring;
	uint64_t start_us;
	uv_thread_t thread;
	_Atomic bool stop;
	struct video_out video[N_VIDEO];
	/* writer thread */
	AVFormatContext *oc;
	AVIOContext *pb;
	bool failed;
	struct voice_out voice[SFU_TAP_VOICES];
};

static uint64_t id_of(uint32_t participant_id, uint32_t track_no)
{
	return ((uint64_t)participant_id << 32 | track_no) + 1;
}

/* ---- media thread ---------------------------------------------------------------------------- */

bool hls_feed_tap_media(void *arg, const struct sfu_tap_media *m)
{
	struct hls_feed *f = arg;
	uint64_t id = id_of(m->participant_id, m->track_no);
	bool take = m->slot >= 0, key = false;
	/* video: also the one still shown until its slot's new source sends a keyframe */
	for (int s = 0; m->kind == SFU_KIND_VIDEO && s < N_VIDEO; s++) {
		bool want = id == atomic_load_explicit(&f->video[s].want_key, memory_order_relaxed);
		take |= want || id == atomic_load_explicit(&f->video[s].shown, memory_order_relaxed);
		key |= want;
	}
	if (take)
		rec_item_put_media(&f->ring, m);
	return key;
}

/* ---- writer thread: the pipe ----------------------------------------------------------------- */

/* Blocks only this thread: the ring in front of it drops when the encoder stalls. */
static int pipe_write(void *arg, uint8_t *buf, int len)
{
	struct hls_feed *f = arg;
	int done = 0;
	while (done < len) {
		if (atomic_load(&f->stop))
			return AVERROR_EXIT;
		ssize_t n = write(f->fd, buf + done, (size_t)(len - done));
		if (n > 0) {
			done += (int)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return AVERROR(errno);   /* EPIPE: the encoder is gone (its exit is reported) */
		struct pollfd p = { .fd = f->fd, .events = POLLOUT };
		poll(&p, 1, 100);
	}
	return len;
}

static int open_mux(struct hls_feed *f, uint16_t width, uint16_t height)
{
	uint8_t *buf = av_malloc(AVIO_BUF);
	int e = buf ? avformat_alloc_output_context2(&f->oc, NULL, "matroska", NULL) : AVERROR(ENOMEM);
	if (e < 0 || !f->oc) {
		av_free(buf);
		return e < 0 ? e : AVERROR(ENOMEM);
	}
	f->pb = avio_alloc_context(buf, AVIO_BUF, 1, f, NULL, pipe_write, NULL);
	if (!f->pb) {
		av_free(buf);
		return AVERROR(ENOMEM);
	}
	f->oc->pb = f->pb;
	f->oc->flags |= AVFMT_FLAG_FLUSH_PACKETS;
	/* streams: the main video, the side video, the voice slots (hls_args maps them so) */
	if ((e = rec_mkv_add_stream(f->oc, true, width, height)) < 0 || (e = rec_mkv_add_stream(f->oc, true, 320, 240)) < 0)
		return e;
	for (int i = 0; i < SFU_TAP_VOICES; i++)
		if ((e = rec_mkv_add_stream(f->oc, false, 0, 0)) < 0)
			return e;
	AVDictionary *opts = NULL;
	av_dict_set(&opts, "live", "1", 0);
	av_dict_set(&opts, "cluster_time_limit", "100", 0);   /* ms: what ffmpeg waits for at most */
	e = avformat_write_header(f->oc, &opts);
	av_dict_free(&opts);
	return e < 0 ? e : 0;
}

static void write_out(struct hls_feed *f, int index, const uint8_t *data, size_t len, uint64_t ms, bool key)
{
	if (f->failed)
		return;
	int e = rec_mkv_write(f->oc, index, data, len, ms, key, index >= N_VIDEO ? OPUS_FRAME_MS : 0);
	if (e < 0) {
		f->failed = true;   /* nothing more is written; the encoder's exit ends the stream */
		if (e != AVERROR_EXIT)
			log_warn(MOD, "the encoder's pipe failed: %s", av_err2str(e));
	}
}

/* The source shown in slot s (0: none, the black frame follows). */
static void show(struct video_out *v, uint64_t id)
{
	v->cur_id = id;
	atomic_store_explicit(&v->shown, id, memory_order_relaxed);
}

/* A frame of video track s, written at `at` (arrival ms). The stream starts with the main
 * video's first keyframe; a side source before that starts again at its next keyframe. */
static void write_video(struct hls_feed *f, int s, const struct rec_frame *fr, uint64_t at)
{
	struct video_out *v = &f->video[s];
	if (!f->oc) {
		if (s != SFU_TAP_MAIN) {
			show(v, 0);
			return;
		}
		if ((f->failed = open_mux(f, fr->width, fr->height) < 0))
			log_warn(MOD, "the live stream could not start");
		for (int i = 0; i < SFU_TAP_VOICES; i++)
			f->voice[i].next_ms = fr->ms;
	}
	uint64_t ms = v->have && fr->ms <= v->last_ms ? v->last_ms + 1 : fr->ms;
	v->have = true;
	v->last_ms = ms;
	v->written_at = at;
	write_out(f, s, fr->data, fr->len, ms, fr->key);
}

static void write_audio(struct hls_feed *f, int slot, const uint8_t *data, size_t len, uint64_t ms)
{
	struct voice_out *a = &f->voice[slot];
	if (!f->oc)
		return;   /* the stream starts with the programme's first keyframe */
	if (ms < a->next_ms)
		ms = a->next_ms;   /* another voice began where the last one ended */
	a->next_ms = ms + OPUS_FRAME_MS;
	write_out(f, N_VIDEO + slot, data, len, ms, true);
}

/* Every track keeps going, so the encoder (its overlay, its mix) never waits: silence in a voice
 * slot nobody speaks in, a black frame in a video track without source (or whose source stopped). */
static void fill(struct hls_feed *f, uint64_t now_ms)
{
	if (!f->oc)
		return;
	for (int i = 0; i < SFU_TAP_VOICES; i++)
		while (f->voice[i].next_ms + SILENCE_AFTER_MS < now_ms)
			write_audio(f, i, opus_silence, sizeof opus_silence, f->voice[i].next_ms);
	for (int s = 0; s < N_VIDEO; s++) {
		struct video_out *v = &f->video[s];
		if (now_ms < v->written_at + (v->cur_id ? VIDEO_STALE_MS : VIDEO_IDLE_MS))
			continue;
		show(v, 0);   /* whatever comes next starts at its keyframe */
		struct rec_frame black = { .data = vp8_black, .len = sizeof vp8_black, .key = true, .ms = now_ms,
		                           .width = 16, .height = 16 };
		write_video(f, s, &black, now_ms);
	}
}

static void handle_video(struct hls_feed *f, int s, uint64_t id, bool in_slot, const struct track_pkt *p)
{
	struct video_out *v = &f->video[s];
	struct rec_frame fr;
	if (id == v->cur_id) {
		if (in_slot) {
			v->cand_id = 0;   /* the source came back before the other's keyframe */
			v->marked_at = p->at_ms;
		} else if (!v->cand_id && p->at_ms > v->marked_at + UNMARKED_MS) {
			show(v, 0);   /* out of the slot, nobody in it: the black frame follows */
			return;
		}
		if (rec_frames_put(&v->cur, p, &fr))
			write_video(f, s, &fr, p->at_ms);
	} else if (in_slot) {
		if (id != v->cand_id) {
			v->cand_id = id;
			rec_frames_free(&v->cand);
			if (rec_frames_init(&v->cand, true) != 0) {
				v->cand_id = 0;
				return;
			}
		}
		if (rec_frames_put(&v->cand, p, &fr) && fr.key && fr.width && fr.height) {
			struct rec_frames old = v->cur;   /* switch: the new source from its keyframe on */
			v->cur = v->cand;
			v->cand = old;
			v->cand_id = 0;
			v->marked_at = p->at_ms;
			show(v, id);
			write_video(f, s, &fr, p->at_ms);
		}
	}
	uint64_t want = v->cand_id ? v->cand_id : v->cur_id && v->cur.need_key ? v->cur_id : 0;
	atomic_store_explicit(&v->want_key, want, memory_order_relaxed);
}

static void handle(struct hls_feed *f, const uint8_t *rec, size_t n)
{
	struct rec_item it;
	struct track_pkt p;
	rec_item_read(&it, &p, rec, n, 0);
	p.at_ms = it.now_us > f->start_us ? (it.now_us - f->start_us) / 1000u : 0;
	uint64_t id = id_of(it.participant_id, it.track_no);
	if (it.kind == SFU_KIND_VIDEO) {
		for (int s = 0; s < N_VIDEO; s++)
			handle_video(f, s, id, it.slot == s, &p);
		return;
	}
	if (it.slot < 0 || it.slot >= SFU_TAP_VOICES)
		return;
	struct voice_out *a = &f->voice[it.slot];
	if (id != a->id) {
		a->id = id;
		rec_frames_restart(&a->frames);
	}
	struct rec_frame fr;
	if (rec_frames_put(&a->frames, &p, &fr))
		write_audio(f, it.slot, fr.data, fr.len, fr.ms);
}

static void writer(void *arg)
{
	struct hls_feed *f = arg;
	static _Thread_local uint8_t rec[REC_ITEM_MAX];
	while (!atomic_load(&f->stop)) {
		size_t n = rec_ring_take(&f->ring, rec, sizeof rec);
		if (n >= sizeof(struct rec_item))
			handle(f, rec, n);
		uint64_t now = clock_mono_us();
		fill(f, now > f->start_us ? (now - f->start_us) / 1000u : 0);
		if (n >= sizeof(struct rec_item))
			continue;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (f->oc)
		avformat_free_context(f->oc);   /* no trailer: a live stream just ends */
	if (f->pb)
		av_free(f->pb->buffer);
	avio_context_free(&f->pb);
}

/* ---- signaling loop -------------------------------------------------------------------------- */

static void free_frames(struct hls_feed *f)
{
	for (int s = 0; s < N_VIDEO; s++) {
		rec_frames_free(&f->video[s].cur);
		rec_frames_free(&f->video[s].cand);
	}
	for (int i = 0; i < SFU_TAP_VOICES; i++)
		rec_frames_free(&f->voice[i].frames);
}

int hls_feed_new(struct hls_feed **out, int fd, size_t ring_bytes, uint64_t start_us)
{
	if (rec_av_load() != 0)
		return ENOSYS;
	struct hls_feed *f = calloc(1, sizeof *f);
	if (!f)
		return ENOMEM;
	int e = rec_ring_init(&f->ring, ring_bytes);
	for (int s = 0; s < N_VIDEO && !e; s++)
		if (rec_frames_init(&f->video[s].cur, true) || rec_frames_init(&f->video[s].cand, true))
			e = ENOMEM;
	for (int i = 0; i < SFU_TAP_VOICES && !e; i++)
		if (rec_frames_init(&f->voice[i].frames, false))
			e = ENOMEM;
	f->fd = fd;
	f->start_us = start_us;
	if (!e && uv_thread_create(&f->thread, writer, f) != 0)
		e = EAGAIN;
	if (e) {
		free_frames(f);
		rec_ring_free(&f->ring);
		free(f);
		return e;
	}
	*out = f;
	return 0;
}

void hls_feed_free(struct hls_feed *f)
{
	atomic_store(&f->stop, true);
	uv_thread_join(&f->thread);
	close(f->fd);
	free_frames(f);
	rec_ring_free(&f->ring);
	free(f);
}

uint64_t hls_feed_dropped(const struct hls_feed *f)
{
	return atomic_load(&((struct hls_feed *)f)->ring.dropped);
}
