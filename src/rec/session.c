/* session: a recording's writer thread. The media thread puts each tapped packet into the ring
 * (never waiting: a full ring drops); the writer takes them, one WebM file per (participant,
 * track), and writes timeline.json (tracks with their first and last ms, speaker changes) at the
 * end. Disk errors stop the writer; the signaling loop hears of it through `done`. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include <jansson.h>

#include "base/clock.h"
#include "base/log.h"
#include "rec/item.h"
#include "rec/ring.h"
#include "rec/session.h"
#include "rec/track_file.h"

#define MOD "rec"
#define REC_TRACKS_MAX 256       /* files of one recording; more tracks are not recorded */
#define REC_WANT_KEY_MAX 64      /* videos of one recording that can ask for keyframes (the first ones) */
#define REC_SPEAKERS_MAX 100000  /* speaker changes kept in the timeline */
struct rec_track {
	uint32_t participant_id, track_no;
	enum sfu_media_kind kind;
	enum sfu_source source;
	char file[64];
	struct track_file *tf;
	struct track_file_info info;     /* at close */
};

struct rec_speaker {
	uint64_t at_ms;
	uint32_t participant_id;
};

struct rec_session {
	uv_loop_t *loop;
	char dir[512];
	struct rec_ring ring;
	uint64_t start_us;
	time_t start_unix;
	uv_thread_t thread;
	bool thread_started;
	_Atomic bool stop;
	int err;                         /* writer: what stopped it */
	_Atomic int err_seen;            /* the same, for the signaling loop */
	_Atomic bool finished;           /* the writer ended: files closed, timeline written */
	_Atomic uint64_t bytes;
	uint64_t min_free;               /* the writer stops (ENOSPC) below this much free space */
	uv_async_t done_async;
	rec_session_done_fn done;
	void *done_arg;
	struct rec_track tracks[REC_TRACKS_MAX];
	size_t n_tracks;
	struct rec_speaker *speakers;
	size_t n_speakers, cap_speakers;
	/* videos whose file waits for a keyframe (a lost or late packet broke a frame): the writer
	 * sets them, the media thread asks the publisher (through the tap's answer); 0: free */
	_Atomic uint64_t want_key[REC_WANT_KEY_MAX];
};

static uint64_t track_id(uint32_t participant_id, uint32_t track_no)
{
	return ((uint64_t)participant_id << 32 | track_no) + 1;   /* never 0 */
}

/* ---- media thread ---------------------------------------------------------------------------- */

bool rec_session_tap_media(void *arg, const struct sfu_tap_media *m)
{
	struct rec_session *s = arg;
	if (atomic_load_explicit(&s->stop, memory_order_relaxed))
		return false;
	rec_item_put_media(&s->ring, m);
	if (m->kind != SFU_KIND_VIDEO || m->keyframe)
		return false;
	uint64_t id = track_id(m->participant_id, m->track_no);
	for (size_t i = 0; i < REC_WANT_KEY_MAX; i++)
		if (atomic_load_explicit(&s->want_key[i], memory_order_relaxed) == id)
			return true;
	return false;
}

void rec_session_tap_speaker(void *arg, uint32_t participant_id, uint64_t now_us)
{
	struct rec_session *s = arg;
	struct rec_item it = { .type = REC_ITEM_SPEAKER, .participant_id = participant_id, .now_us = now_us };
	rec_ring_put(&s->ring, &it, sizeof it, NULL, 0);
}


/* ---- writer thread --------------------------------------------------------------------------- */

static const char *source_name(enum sfu_source src)
{
	return src == SFU_SOURCE_MICROPHONE ? "microphone" : src == SFU_SOURCE_SCREEN ? "screen" : "camera";
}

static uint64_t at_ms(const struct rec_session *s, uint64_t now_us)
{
	return now_us > s->start_us ? (now_us - s->start_us) / 1000u : 0;
}

static struct rec_track *track_for(struct rec_session *s, const struct rec_item *it)
{
	for (size_t i = 0; i < s->n_tracks; i++)
		if (s->tracks[i].participant_id == it->participant_id && s->tracks[i].track_no == it->track_no)
			return &s->tracks[i];
	if (s->n_tracks == REC_TRACKS_MAX)
		return NULL;
	struct rec_track *t = &s->tracks[s->n_tracks];
	memset(t, 0, sizeof *t);
	t->participant_id = it->participant_id;
	t->track_no = it->track_no;
	t->kind = it->kind;
	t->source = it->source;
	snprintf(t->file, sizeof t->file, "p%u-t%u-%s.webm", it->participant_id, it->track_no, source_name(it->source));
	char path[600];
	snprintf(path, sizeof path, "%s/%s", s->dir, t->file);
	if (track_file_new(&t->tf, path, it->kind == SFU_KIND_VIDEO) != 0)
		return NULL;
	s->n_tracks++;
	return t;
}

static int handle(struct rec_session *s, const uint8_t *rec, size_t n)
{
	struct rec_item it;
	struct track_pkt p;
	rec_item_read(&it, &p, rec, n, 0);
	p.at_ms = at_ms(s, it.now_us);
	if (it.type == REC_ITEM_SPEAKER) {
		if (s->n_speakers == s->cap_speakers) {
			size_t cap = s->cap_speakers ? s->cap_speakers * 2 : 64;
			if (cap > REC_SPEAKERS_MAX)
				return 0;
			struct rec_speaker *ns = realloc(s->speakers, cap * sizeof *ns);
			if (!ns)
				return 0;
			s->speakers = ns;
			s->cap_speakers = cap;
		}
		s->speakers[s->n_speakers++] = (struct rec_speaker){ at_ms(s, it.now_us), it.participant_id };
		return 0;
	}
	struct rec_track *t = track_for(s, &it);
	if (!t)
		return 0;
	int e = track_file_put(t->tf, &p);
	if (!e)
		atomic_fetch_add_explicit(&s->bytes, p.len, memory_order_relaxed);
	size_t slot = (size_t)(t - s->tracks);
	if (it.kind == SFU_KIND_VIDEO && slot < REC_WANT_KEY_MAX)
		atomic_store_explicit(&s->want_key[slot],
		                      track_file_wants_keyframe(t->tf) ? track_id(t->participant_id, t->track_no) : 0,
		                      memory_order_relaxed);
	return e;
}

static int write_timeline(struct rec_session *s, uint64_t end_ms)
{
	json_t *tracks = json_array(), *speakers = json_array();
	for (size_t i = 0; i < s->n_tracks; i++) {
		const struct rec_track *t = &s->tracks[i];
		if (!t->info.started)
			continue;
		json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:I, s:I, s:I}", "file", t->file,
		                      "participant_id", (json_int_t)t->participant_id,
		                      "kind", t->kind == SFU_KIND_VIDEO ? "video" : "audio", "source", source_name(t->source),
		                      "start_ms", (json_int_t)t->info.first_ms, "end_ms", (json_int_t)t->info.last_ms,
		                      "frames", (json_int_t)t->info.frames);
		if (o && t->kind == SFU_KIND_VIDEO) {
			json_object_set_new(o, "width", json_integer(t->info.width));
			json_object_set_new(o, "height", json_integer(t->info.height));
		}
		json_array_append_new(tracks, o);
	}
	for (size_t i = 0; i < s->n_speakers; i++)
		json_array_append_new(speakers, json_pack("{s:I, s:I}", "at_ms", (json_int_t)s->speakers[i].at_ms,
		                                          "participant_id", (json_int_t)s->speakers[i].participant_id));
	json_t *root = json_pack("{s:i, s:I, s:I, s:o, s:o}", "version", 1, "start_unix_ms",
	                         (json_int_t)s->start_unix * 1000, "duration_ms", (json_int_t)end_ms,
	                         "tracks", tracks, "speakers", speakers);
	char path[600], tmp[610];
	snprintf(path, sizeof path, "%s/timeline.json", s->dir);
	snprintf(tmp, sizeof tmp, "%s.part", path);
	int err = root && json_dump_file(root, tmp, JSON_INDENT(1)) == 0 ? 0 : (errno ? errno : EIO);
	json_decref(root);
	if (!err && rename(tmp, path) != 0)
		err = errno;
	return err;
}

/* Whether the disk still has the room the server keeps free (checked every 2 s). */
static int disk_check(struct rec_session *s, uint64_t *next_us)
{
	uint64_t now = clock_mono_us();
	if (now < *next_us)
		return 0;
	*next_us = now + 2000000u;
	struct statvfs vfs;
	if (s->min_free && statvfs(s->dir, &vfs) == 0 && (uint64_t)vfs.f_bavail * vfs.f_frsize < s->min_free)
		return ENOSPC;
	return 0;
}

static void writer_failed(struct rec_session *s, int e)
{
	s->err = e;
	atomic_store(&s->stop, true);
	log_warn(MOD, "recording in %s stopped: %s", s->dir, strerror(e));
	atomic_store(&s->err_seen, e);
	uv_async_send(&s->done_async);   /* the signaling loop removes the tap */
}

static void writer(void *arg)
{
	struct rec_session *s = arg;
	static _Thread_local uint8_t rec[REC_ITEM_MAX];
	uint64_t last_ms = 0, next_check = 0;
	for (;;) {
		int de = s->err ? 0 : disk_check(s, &next_check);
		if (de)
			writer_failed(s, de);
		size_t n = rec_ring_take(&s->ring, rec, sizeof rec);
		if (n >= sizeof(struct rec_item)) {
			struct rec_item it;
			memcpy(&it, rec, sizeof it);
			last_ms = at_ms(s, it.now_us) > last_ms ? at_ms(s, it.now_us) : last_ms;
			int e = s->err ? 0 : handle(s, rec, n);
			if (e && !s->err)
				writer_failed(s, e);
			continue;
		}
		if (atomic_load(&s->stop) && n == 0 && rec_ring_take(&s->ring, rec, sizeof rec) == 0)
			break;
		if (n == 0) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	for (size_t i = 0; i < s->n_tracks; i++) {
		struct rec_track *t = &s->tracks[i];
		track_file_info(t->tf, &t->info);
		int e = track_file_close(t->tf);
		t->tf = NULL;
		if (e && !s->err)
			s->err = e;
	}
	if (!s->err)
		s->err = write_timeline(s, last_ms);
	atomic_store(&s->err_seen, s->err);
	atomic_store(&s->finished, true);
	uv_async_send(&s->done_async);
}

/* ---- signaling loop -------------------------------------------------------------------------- */

static void on_thread_done(uv_async_t *a);

int rec_session_new(struct rec_session **out, uv_loop_t *loop, const char *dir, size_t ring_bytes,
                    uint64_t min_free, uint64_t start_us, rec_session_done_fn done, void *arg)
{
	struct rec_session *s = calloc(1, sizeof *s);
	if (!s)
		return ENOMEM;
	if (snprintf(s->dir, sizeof s->dir, "%s", dir) >= (int)sizeof s->dir) {
		free(s);
		return ENAMETOOLONG;
	}
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		int e = errno;
		free(s);
		return e;
	}
	int e = rec_ring_init(&s->ring, ring_bytes);
	if (e) {
		free(s);
		return e;
	}
	s->loop = loop;
	s->min_free = min_free;
	s->start_us = start_us;
	s->start_unix = time(NULL);
	s->done = done;
	s->done_arg = arg;
	uv_async_init(loop, &s->done_async, on_thread_done);
	s->done_async.data = s;
	if (uv_thread_create(&s->thread, writer, s) != 0) {
		uv_close((uv_handle_t *)&s->done_async, (uv_close_cb)free);
		rec_ring_free(&s->ring);
		return EAGAIN;
	}
	s->thread_started = true;
	*out = s;
	return 0;
}

/* Fires for a writer error (the thread still runs until stopped) and when the thread ended;
 * sends coalesce, so both may be seen at once. */
static void on_thread_done(uv_async_t *a)
{
	struct rec_session *s = a->data;
	bool finished = atomic_load(&s->finished);
	int err = atomic_load(&s->err_seen);
	if (s->done)
		s->done(s->done_arg, s, err, finished);
}

void rec_session_stop(struct rec_session *s)
{
	atomic_store(&s->stop, true);
}

static void free_after_close(uv_handle_t *h)
{
	struct rec_session *s = h->data;
	rec_ring_free(&s->ring);
	free(s->speakers);
	free(s);
}

void rec_session_free(struct rec_session *s)
{
	atomic_store(&s->stop, true);
	if (s->thread_started)
		uv_thread_join(&s->thread);
	uv_close((uv_handle_t *)&s->done_async, free_after_close);
}

const char *rec_session_dir(const struct rec_session *s)
{
	return s->dir;
}

uint64_t rec_session_dropped(const struct rec_session *s)
{
	return atomic_load(&((struct rec_session *)s)->ring.dropped);
}

uint64_t rec_session_bytes(const struct rec_session *s)
{
	return atomic_load(&((struct rec_session *)s)->bytes);
}
