/* track_file: RTP of one track → WebM through libavformat (no transcoding). VP8 frames are
 * reassembled from their packets (RFC 7741 §4: S bit and partition 0 start a frame, the marker
 * bit ends it); a gap inside a frame drops it and waits for the next keyframe. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>

#include "codec/vp8.h"
#include "rec/track_file.h"

#define FRAME_MAX (2u << 20)   /* one VP8 frame at most (a 4K keyframe is well below) */

struct track_file {
	char *path;
	bool video;
	AVFormatContext *oc;
	bool failed, need_key;
	int err;
	/* timestamps: the first packet's RTP time and arrival, unwrapped from there */
	bool have_ts;
	uint32_t first_ts, last_ts;
	int64_t ts_ext;                  /* unwrapped RTP time of the last packet, from first_ts */
	uint64_t first_at_ms;
	/* the VP8 frame being assembled */
	uint8_t *frame;
	size_t frame_len;
	bool in_frame, frame_key;
	uint16_t next_seq;
	uint32_t frame_ts;
	struct track_file_info info;
};

int track_file_new(struct track_file **out, const char *path, bool video)
{
	struct track_file *f = calloc(1, sizeof *f);
	if (!f || !(f->path = strdup(path)) || (video && !(f->frame = malloc(FRAME_MAX)))) {
		if (f)
			free(f->path);
		free(f);
		return ENOMEM;
	}
	f->video = video;
	f->need_key = video;
	*out = f;
	return 0;
}

static int av_errno(int averr)
{
	return averr == AVERROR(ENOSPC) ? ENOSPC : averr < 0 && averr > -4096 ? -averr : EIO;
}

static int fail(struct track_file *f, int averr)
{
	f->failed = true;
	f->err = av_errno(averr);
	return f->err;
}

/* The Opus identification header Matroska carries as CodecPrivate (RFC 7845 §5.1). */
static int opus_head(AVCodecParameters *par)
{
	static const uint8_t head[19] = { 'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, 2, 0x38, 0x01,
	                                  0x80, 0xbb, 0, 0, 0, 0, 0 };
	par->extradata = av_mallocz(sizeof head + AV_INPUT_BUFFER_PADDING_SIZE);
	if (!par->extradata)
		return AVERROR(ENOMEM);
	memcpy(par->extradata, head, sizeof head);
	par->extradata_size = sizeof head;
	return 0;
}

static int open_file(struct track_file *f, uint16_t width, uint16_t height)
{
	int e = avformat_alloc_output_context2(&f->oc, NULL, "webm", f->path);
	if (e < 0 || !f->oc)
		return fail(f, e < 0 ? e : AVERROR(ENOMEM));
	AVStream *st = avformat_new_stream(f->oc, NULL);
	if (!st)
		return fail(f, AVERROR(ENOMEM));
	st->time_base = (AVRational){ 1, 1000 };
	AVCodecParameters *par = st->codecpar;
	if (f->video) {
		par->codec_type = AVMEDIA_TYPE_VIDEO;
		par->codec_id = AV_CODEC_ID_VP8;
		par->width = width;
		par->height = height;
	} else {
		par->codec_type = AVMEDIA_TYPE_AUDIO;
		par->codec_id = AV_CODEC_ID_OPUS;
		par->sample_rate = 48000;
		av_channel_layout_default(&par->ch_layout, 2);
		par->initial_padding = 312;
		if ((e = opus_head(par)) < 0)
			return fail(f, e);
	}
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

static uint64_t pts_ms(struct track_file *f, uint32_t ts, uint64_t at_ms)
{
	unsigned khz = f->video ? 90 : 48;
	if (!f->have_ts) {
		f->have_ts = true;
		f->first_ts = f->last_ts = ts;
		f->ts_ext = 0;
		f->first_at_ms = at_ms;
	} else {
		f->ts_ext += (int32_t)(ts - f->last_ts);
		f->last_ts = ts;
	}
	int64_t ms = (int64_t)f->first_at_ms + f->ts_ext / khz;
	return ms < 0 ? 0 : (uint64_t)ms;
}

static int write_frame(struct track_file *f, const uint8_t *data, size_t len, uint32_t ts, uint64_t at_ms, bool key)
{
	uint64_t ms = pts_ms(f, ts, at_ms);
	if (f->info.started && ms <= f->info.last_ms && f->video)
		ms = f->info.last_ms + 1;    /* Matroska wants increasing times per track */
	AVPacket *pkt = av_packet_alloc();
	if (!pkt)
		return fail(f, AVERROR(ENOMEM));
	int e = av_new_packet(pkt, (int)len);
	if (e == 0) {
		memcpy(pkt->data, data, len);
		pkt->pts = pkt->dts = (int64_t)ms;
		pkt->duration = f->video ? 0 : 20;
		pkt->stream_index = 0;
		if (key)
			pkt->flags |= AV_PKT_FLAG_KEY;
		e = av_write_frame(f->oc, pkt);
	}
	av_packet_free(&pkt);
	if (e < 0)
		return fail(f, e);
	if (!f->info.started)
		f->info.first_ms = ms;
	f->info.started = true;
	f->info.last_ms = ms;
	f->info.frames++;
	f->info.bytes += len;
	return 0;
}

static int put_vp8(struct track_file *f, const struct track_pkt *p)
{
	struct vp8_desc d;
	if (vp8_parse_descriptor(&d, p->payload, p->len) != 0)
		return 0;
	const uint8_t *vp = p->payload + d.desc_len;
	size_t vlen = p->len - d.desc_len;
	bool starts = d.start_of_partition && d.partition_id == 0;
	if (starts) {
		f->in_frame = !(f->need_key && !p->keyframe);
		f->frame_len = 0;
		f->frame_key = p->keyframe;
		f->frame_ts = p->ts;
	} else if (!f->in_frame || p->seq != f->next_seq || p->ts != f->frame_ts) {
		if (f->in_frame && !f->frame_key)
			f->need_key = true;      /* a lost packet: the following frames cannot be decoded */
		f->in_frame = false;
		return 0;
	}
	if (!f->in_frame)
		return 0;
	if (f->frame_len + vlen > FRAME_MAX) {
		f->in_frame = false;
		f->need_key = true;
		return 0;
	}
	memcpy(f->frame + f->frame_len, vp, vlen);
	f->frame_len += vlen;
	f->next_seq = (uint16_t)(p->seq + 1);
	if (!p->marker)
		return 0;
	f->in_frame = false;
	if (!f->oc) {
		if (!f->frame_key || !p->width || !p->height)
			return 0;
		int e = open_file(f, p->width, p->height);
		if (e)
			return e;
	}
	if (f->frame_key)
		f->need_key = false;
	return write_frame(f, f->frame, f->frame_len, f->frame_ts, p->at_ms, f->frame_key);
}

int track_file_put(struct track_file *f, const struct track_pkt *p)
{
	if (f->failed)
		return f->err;
	if (f->video)
		return put_vp8(f, p);
	if (!f->oc) {
		int e = open_file(f, 0, 0);
		if (e)
			return e;
	}
	return write_frame(f, p->payload, p->len, p->ts, p->at_ms, true);
}

bool track_file_wants_keyframe(const struct track_file *f)
{
	return f->video && f->need_key && !f->failed;
}

int track_file_close(struct track_file *f)
{
	int err = f->failed ? f->err : 0;
	if (f->oc) {
		if (!f->failed) {
			int e = av_write_trailer(f->oc);
			if (e < 0 && !err)
				err = av_errno(e);
		}
		if (f->oc->pb && avio_closep(&f->oc->pb) < 0 && !err)
			err = EIO;
		avformat_free_context(f->oc);
	}
	free(f->frame);
	free(f->path);
	free(f);
	return err;
}

void track_file_info(const struct track_file *f, struct track_file_info *out)
{
	*out = f->info;
}
