/* hls_feed: tap → ring → writer thread → Matroska (libavformat) → the encoder's pipe. The video
 * follows the programme (the shared screen, else the speaker's camera) and switches only at the
 * new source's keyframe; the audio is the programme's voice, with Opus silence where none comes. */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libavformat/avformat.h>

#include "base/clock.h"
#include "base/log.h"
#include "rec/frame.h"
#include "rec/hls_feed.h"
#include "rec/item.h"
#include "rec/mkv.h"
#include "rec/ring.h"

#define MOD "hls"
#define AVIO_BUF 32768
#define SILENCE_AFTER_MS 200     /* no voice for this long: silence is written in its place */
#define OPUS_FRAME_MS 20

/* One 20 ms Opus frame of silence (TOC: CELT fullband 20 ms, stereo, one frame). */
static const uint8_t opus_silence[3] = { 0xfc, 0xff, 0xfe };

struct hls_feed {
	int fd;
	struct rec_ring ring;
	uint64_t start_us;
	uv_thread_t thread;
	_Atomic bool stop;
	_Atomic uint64_t want_key;       /* id + 1 of the video whose keyframe the writer waits for */
	_Atomic uint64_t shown;          /* id + 1 of the video the stream shows now */
	/* writer thread */
	AVFormatContext *oc;
	AVIOContext *pb;
	bool failed;
	uint64_t cur_id, cand_id, audio_id;   /* participant << 32 | track, + 1; 0: none */
	struct rec_frames cur, cand, audio;
	uint64_t last_video_ms, next_audio_ms;
	bool have_video, have_audio;
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
	bool video = m->kind == SFU_KIND_VIDEO;
	/* video: the programme's and the one still shown until the programme's keyframe */
	if (m->programme || (video && id == atomic_load_explicit(&f->want_key, memory_order_relaxed)) ||
	    (video && id == atomic_load_explicit(&f->shown, memory_order_relaxed)))
		rec_item_put_media(&f->ring, m);
	return video && id == atomic_load_explicit(&f->want_key, memory_order_relaxed);
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
	if ((e = rec_mkv_add_stream(f->oc, true, width, height)) < 0 || (e = rec_mkv_add_stream(f->oc, false, 0, 0)) < 0)
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
	int e = rec_mkv_write(f->oc, index, data, len, ms, key, index ? OPUS_FRAME_MS : 0);
	if (e < 0) {
		f->failed = true;   /* nothing more is written; the encoder's exit ends the stream */
		if (e != AVERROR_EXIT)
			log_warn(MOD, "the encoder's pipe failed: %s", av_err2str(e));
	}
}

static void write_video(struct hls_feed *f, const struct rec_frame *fr)
{
	if (!f->oc && (f->failed = open_mux(f, fr->width, fr->height) < 0))
		log_warn(MOD, "the live stream could not start");
	uint64_t ms = f->have_video && fr->ms <= f->last_video_ms ? f->last_video_ms + 1 : fr->ms;
	if (!f->have_audio) {
		f->have_audio = true;
		f->next_audio_ms = ms;
	}
	f->have_video = true;
	f->last_video_ms = ms;
	write_out(f, 0, fr->data, fr->len, ms, fr->key);
}

static void write_audio(struct hls_feed *f, const uint8_t *data, size_t len, uint64_t ms)
{
	if (!f->oc)
		return;   /* the stream starts with the programme's first keyframe */
	if (ms < f->next_audio_ms)
		ms = f->next_audio_ms;   /* another voice began where the last one ended */
	f->next_audio_ms = ms + OPUS_FRAME_MS;
	write_out(f, 1, data, len, ms, true);
}

/* Silence while nobody's voice comes (muted, or none published), so the encoder never waits. */
static void fill_silence(struct hls_feed *f, uint64_t now_ms)
{
	while (f->oc && f->have_audio && f->next_audio_ms + SILENCE_AFTER_MS < now_ms)
		write_audio(f, opus_silence, sizeof opus_silence, f->next_audio_ms);
}

static void handle_video(struct hls_feed *f, uint64_t id, const struct rec_item *it, const struct track_pkt *p)
{
	struct rec_frame fr;
	if (id == f->cur_id) {
		if (it->programme)
			f->cand_id = 0;   /* the programme came back before the other's keyframe */
		if (rec_frames_put(&f->cur, p, &fr))
			write_video(f, &fr);
	} else if (it->programme) {
		if (id != f->cand_id) {
			f->cand_id = id;
			rec_frames_free(&f->cand);
			if (rec_frames_init(&f->cand, true) != 0) {
				f->cand_id = 0;
				return;
			}
		}
		if (rec_frames_put(&f->cand, p, &fr) && fr.key && fr.width && fr.height) {
			struct rec_frames old = f->cur;   /* switch: the new source from its keyframe on */
			f->cur = f->cand;
			f->cand = old;
			f->cur_id = id;
			f->cand_id = 0;
			atomic_store_explicit(&f->shown, id, memory_order_relaxed);
			write_video(f, &fr);
		}
	}
	uint64_t want = f->cand_id ? f->cand_id : f->cur_id && f->cur.need_key ? f->cur_id : 0;
	atomic_store_explicit(&f->want_key, want, memory_order_relaxed);
}

static void handle(struct hls_feed *f, const uint8_t *rec, size_t n)
{
	struct rec_item it;
	struct track_pkt p;
	rec_item_read(&it, &p, rec, n, 0);
	p.at_ms = it.now_us > f->start_us ? (it.now_us - f->start_us) / 1000u : 0;
	uint64_t id = id_of(it.participant_id, it.track_no);
	if (it.kind == SFU_KIND_VIDEO) {
		handle_video(f, id, &it, &p);
		return;
	}
	if (id != f->audio_id) {
		f->audio_id = id;
		rec_frames_restart(&f->audio);
	}
	struct rec_frame fr;
	if (rec_frames_put(&f->audio, &p, &fr))
		write_audio(f, fr.data, fr.len, fr.ms);
}

static void writer(void *arg)
{
	struct hls_feed *f = arg;
	static _Thread_local uint8_t rec[REC_ITEM_MAX];
	while (!atomic_load(&f->stop)) {
		size_t n = rec_ring_take(&f->ring, rec, sizeof rec);
		if (n >= sizeof(struct rec_item)) {
			handle(f, rec, n);
			continue;
		}
		uint64_t now = clock_mono_us();
		fill_silence(f, now > f->start_us ? (now - f->start_us) / 1000u : 0);
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

int hls_feed_new(struct hls_feed **out, int fd, size_t ring_bytes, uint64_t start_us)
{
	struct hls_feed *f = calloc(1, sizeof *f);
	if (!f)
		return ENOMEM;
	int e = rec_ring_init(&f->ring, ring_bytes);
	if (!e && (rec_frames_init(&f->cur, true) || rec_frames_init(&f->cand, true) || rec_frames_init(&f->audio, false)))
		e = ENOMEM;
	f->fd = fd;
	f->start_us = start_us;
	if (!e && uv_thread_create(&f->thread, writer, f) != 0)
		e = EAGAIN;
	if (e) {
		rec_frames_free(&f->cur);
		rec_frames_free(&f->cand);
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
	rec_frames_free(&f->cur);
	rec_frames_free(&f->cand);
	rec_frames_free(&f->audio);
	rec_ring_free(&f->ring);
	free(f);
}

uint64_t hls_feed_dropped(const struct hls_feed *f)
{
	return atomic_load(&((struct hls_feed *)f)->ring.dropped);
}
