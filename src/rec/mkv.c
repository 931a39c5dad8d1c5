/* mkv: Matroska (WebM) streams for VP8 and Opus through libavformat; the Opus identification
 * header is the stream's CodecPrivate (RFC 7845 §5.1, Matroska's A_OPUS mapping). */
#include <string.h>

#include "rec/av.h"

#include "rec/mkv.h"

int rec_av_errno(int averr)
{
	return averr == AVERROR(ENOSPC) ? ENOSPC : averr < 0 && averr > -4096 ? -averr : EIO;
}

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

int rec_mkv_add_stream(AVFormatContext *oc, bool video, uint16_t width, uint16_t height)
{
	AVStream *st = avformat_new_stream(oc, NULL);
	if (!st)
		return AVERROR(ENOMEM);
	st->time_base = (AVRational){ 1, 1000 };
	AVCodecParameters *par = st->codecpar;
	if (video) {
		par->codec_type = AVMEDIA_TYPE_VIDEO;
		par->codec_id = AV_CODEC_ID_VP8;
		par->width = width;
		par->height = height;
		return 0;
	}
	par->codec_type = AVMEDIA_TYPE_AUDIO;
	par->codec_id = AV_CODEC_ID_OPUS;
	par->sample_rate = 48000;
	av_channel_layout_default(&par->ch_layout, 2);
	par->initial_padding = 312;
	return opus_head(par);
}

int rec_mkv_write(AVFormatContext *oc, int index, const uint8_t *data, size_t len, uint64_t ms, bool key,
                  int duration_ms)
{
	AVPacket *pkt = av_packet_alloc();
	if (!pkt)
		return AVERROR(ENOMEM);
	int e = av_new_packet(pkt, (int)len);
	if (e == 0) {
		memcpy(pkt->data, data, len);
		pkt->pts = pkt->dts = av_rescale_q((int64_t)ms, (AVRational){ 1, 1000 }, oc->streams[index]->time_base);
		pkt->duration = av_rescale_q(duration_ms, (AVRational){ 1, 1000 }, oc->streams[index]->time_base);
		pkt->stream_index = index;
		if (key)
			pkt->flags |= AV_PKT_FLAG_KEY;
		e = av_write_frame(oc, pkt);
	}
	av_packet_free(&pkt);
	return e;
}
