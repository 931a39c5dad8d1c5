/* av: the libav libraries opened on first use and their functions looked up (see av.h). */
#define REC_AV_IMPL
#include "rec/av.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include "base/log.h"

struct rec_av rec_av;

#define STR_(x) #x
#define STR(x) STR_(x)
static const char *const sonames[] = {
	"libavutil.so." STR(LIBAVUTIL_VERSION_MAJOR),
	"libavcodec.so." STR(LIBAVCODEC_VERSION_MAJOR),
	"libavformat.so." STR(LIBAVFORMAT_VERSION_MAJOR),
};
enum { LIB_util, LIB_codec, LIB_format };

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_err;

static void load(void)
{
	void *libs[3];
	for (int i = 0; i < 3; i++) {
		libs[i] = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
		if (!libs[i]) {
			log_error("rec", "cannot load %s: %s (install the ffmpeg package)", sonames[i], dlerror());
			load_err = ENOSYS;
			return;
		}
	}
#define REC_AV_LOOKUP(lib, name) \
	if (!(*(void **)&rec_av.name = dlsym(libs[LIB_##lib], #name))) { \
		log_error("rec", "%s has no %s", sonames[LIB_##lib], #name); \
		load_err = ENOSYS; \
		return; \
	}
	REC_AV_FUNCS(REC_AV_LOOKUP)
#undef REC_AV_LOOKUP
	log_info("rec", "%s, %s and %s loaded", sonames[0], sonames[1], sonames[2]);
}

int rec_av_load(void)
{
	pthread_once(&once, load);
	return load_err;
}
