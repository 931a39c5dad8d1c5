/* track_file: RTP of one track → WebM through libavformat (no transcoding): whole frames from
 * frame.c, written by mkv.c; the file is made at the first frame it can start with. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rec/av.h"

#include "rec/mkv.h"
#include "rec/track_file.h"

struct track_file {
	char *path;
	bool video;
	AVFormatContext *oc;
	bool failed;
	int err;
	struct rec_frames frames;
	struct track_file_info info;
};

int track_file_new(struct track_file **out, const char *path, bool video)
{
	if (rec_av_load() != 0)
		return ENOSYS;
	struct track_file *f = calloc(1, sizeof *f);
	if (!f || !(f->path = strdup(path)) || rec_frames_init(&f->frames, video) != 0) {
		if (f) {
			rec_frames_free(&f->frames);
			free(f->path);
		}
		free(f);
		return ENOMEM;
	}
	f->video = video;
	*out = f;
	return 0;
}

static int fail(struct track_file *f, int averr)
{
	f->failed = true;
	f->err = rec_av_errno(averr);
	return f->err;
}

static int open_file(struct track_file *f, uint16_t width, uint16_t height)
{
	int e = avformat_alloc_output_context2(&f->oc, NULL, "webm", f->path);
	if (e < 0 || !f->oc)
		return fail(f, e < 0 ? e : AVERROR(ENOMEM));
	if ((e = rec_mkv_add_stream(f->oc, f->video, width, height)) < 0)
		return fail(f, e);
	if ((e = avio_open(&f->oc->pb, f->path, AVIO_FLAG_WRITE)) < 0)
		return fail(f, e);
	AVDictionary *opts = NULL;
	av_dict_set(&opts, "live", "0", 0);
	e = avformat_write_header(f->oc, &opts);
	av_dict_free(&opts);
	if (e < 0)
		return fail(f, e);
	f->info.width = width;
	f->info.height = height;
	return 0;
}

static int write_frame(struct track_file *f, const struct rec_frame *fr)
{
	uint64_t ms = fr->ms;
	if (f->info.started && ms <= f->info.last_ms && f->video)
		ms = f->info.last_ms + 1;    /* Matroska wants increasing times per track */
	int e = rec_mkv_write(f->oc, 0, fr->data, fr->len, ms, fr->key, f->video ? 0 : 20);
	if (e < 0)
		return fail(f, e);
	if (!f->info.started)
		f->info.first_ms = ms;
	f->info.started = true;
	f->info.last_ms = ms;
	f->info.frames++;
	f->info.bytes += fr->len;
	return 0;
}

int track_file_put(struct track_file *f, const struct track_pkt *p)
{
	if (f->failed)
		return f->err;
	struct rec_frame fr;
	if (!rec_frames_put(&f->frames, p, &fr))
		return 0;
	if (!f->oc) {
		if (f->video && (!fr.key || !fr.width || !fr.height)) {
			f->frames.need_key = true;   /* the file starts with a keyframe of known size */
			return 0;
		}
		int e = open_file(f, fr.width, fr.height);
		if (e)
			return e;
	}
	return write_frame(f, &fr);
}

bool track_file_wants_keyframe(const struct track_file *f)
{
	return f->video && f->frames.need_key && !f->failed;
}

int track_file_close(struct track_file *f)
{
	int err = f->failed ? f->err : 0;
	if (f->oc) {
		if (!f->failed) {
			int e = av_write_trailer(f->oc);
			if (e < 0 && !err)
				err = rec_av_errno(e);
		}
		if (f->oc->pb && avio_closep(&f->oc->pb) < 0 && !err)
			err = EIO;
		avformat_free_context(f->oc);
	}
	rec_frames_free(&f->frames);
	free(f->path);
	free(f);
	return err;
}

void track_file_info(const struct track_file *f, struct track_file_info *out)
{
	*out = f->info;
}
