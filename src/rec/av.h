/* av: libavformat, libavcodec and libavutil, loaded (dlopen) when the first recording or public
 * stream starts — a server that never records maps none of them (they and their dependencies are
 * some 25 MB of resident pages). Files of src/rec that call av functions include this after the
 * libav headers: the names then call through the loaded table. */
#ifndef PLENUM_REC_AV_H
#define PLENUM_REC_AV_H

#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>

/* Every libav function plenum calls: X(library, name). */
#define REC_AV_FUNCS(X) \
	X(format, avformat_alloc_output_context2) X(format, avformat_new_stream) \
	X(format, avformat_write_header) X(format, avformat_free_context) X(format, av_write_frame) \
	X(format, av_write_trailer) X(format, avio_open) X(format, avio_closep) \
	X(format, avio_alloc_context) X(format, avio_context_free) \
	X(codec, av_packet_alloc) X(codec, av_packet_free) X(codec, av_new_packet) \
	X(util, av_dict_set) X(util, av_dict_free) X(util, av_free) X(util, av_malloc) X(util, av_mallocz) \
	X(util, av_rescale_q) X(util, av_strerror) X(util, av_channel_layout_default)

struct rec_av {
#define REC_AV_FIELD(lib, name) __typeof__(&name) name;
	REC_AV_FUNCS(REC_AV_FIELD)
#undef REC_AV_FIELD
};
extern struct rec_av rec_av;

/* Loads the libraries once (thread-safe); 0, or ENOSYS when they are missing (logged once). */
int rec_av_load(void);

#ifndef REC_AV_IMPL
#define avformat_alloc_output_context2 (*rec_av.avformat_alloc_output_context2)
#define avformat_new_stream (*rec_av.avformat_new_stream)
#define avformat_write_header (*rec_av.avformat_write_header)
#define avformat_free_context (*rec_av.avformat_free_context)
#define av_write_frame (*rec_av.av_write_frame)
#define av_write_trailer (*rec_av.av_write_trailer)
#define avio_open (*rec_av.avio_open)
#define avio_closep (*rec_av.avio_closep)
#define avio_alloc_context (*rec_av.avio_alloc_context)
#define avio_context_free (*rec_av.avio_context_free)
#define av_packet_alloc (*rec_av.av_packet_alloc)
#define av_packet_free (*rec_av.av_packet_free)
#define av_new_packet (*rec_av.av_new_packet)
#define av_dict_set (*rec_av.av_dict_set)
#define av_dict_free (*rec_av.av_dict_free)
#define av_free (*rec_av.av_free)
#define av_malloc (*rec_av.av_malloc)
#define av_mallocz (*rec_av.av_mallocz)
#define av_rescale_q (*rec_av.av_rescale_q)
#define av_strerror (*rec_av.av_strerror)
#define av_channel_layout_default (*rec_av.av_channel_layout_default)
/* libavutil's av_err2str builds on av_make_error_string, an inline over the library's av_strerror */
#undef av_err2str
#define av_err2str(e) rec_av_err2str((char[AV_ERROR_MAX_STRING_SIZE]){ 0 }, (e))
static inline const char *rec_av_err2str(char *buf, int e)
{
	av_strerror(e, buf, AV_ERROR_MAX_STRING_SIZE);
	return buf;
}
#endif

#endif
