/* fuzz_sdp: SDP parser, and on what parses, the publish answer, the subscribe answer check and the
 * transport lookup. RFC 8866, RFC 8829. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdp.h"

static const struct sdp_local local = {
	.ice_ufrag = "fuzz",
	.ice_pwd = "fuzzfuzzfuzzfuzzfuzzfuzz",
	.fingerprint = "9A:3C:1E:55:07:B2:6F:D4:88:10:EE:42:39:7C:C1:05:6B:2F:90:AD:13:4E:F7:62:08:5C:B9:31:DA:74:0E:A6",
	.ip = "127.0.0.1",
	.port = 40000,
	.sess_id = 1,
	.sess_version = 1,
};

/* audio, a VP8 video, an H.264 video (which the answer may refuse), an inactive m-line */
static const struct sdp_sub_track tracks[] = {
	{ "0", SDP_KIND_AUDIO, true, 1111, 0, "s", "a", "c", SDP_VIDEO_VP8, 0, false },
	{ "1", SDP_KIND_VIDEO, true, 2222, 2223, "s", "v", "c", SDP_VIDEO_VP8, 0, false },
	{ "2", SDP_KIND_VIDEO, true, 3333, 3334, "s", "w", "c", SDP_VIDEO_H264, 0x42e01f, false },
	{ "3", SDP_KIND_VIDEO, false, 0, 0, "", "", "", SDP_VIDEO_VP8, 0, false },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sdp_session *s;
	static struct sdp_publish_media pm[SDP_MAX_MEDIA];
	static char answer[256 * 1024];
	if (!s && sdp_session_new(&s))
		abort();
	/* An exact-size copy, so any read past the end is caught. */
	char *text = malloc(size ? size : 1);
	if (size)
		memcpy(text, data, size);
	if (sdp_parse(s, text, size) == 0) {
		size_t n;
		if (sdp_answer_publish(s, &local, pm, SDP_MAX_MEDIA, &n, answer, sizeof(answer)) == 0) {
			/* plenum's own answer must parse again */
			if (strlen(answer) >= sizeof(answer) || sdp_parse(s, answer, strlen(answer)) != 0)
				abort();
		} else {
			sdp_answer_publish(s, &local, pm, SDP_MAX_MEDIA, &n, answer, 64);
		}
		bool refused[4];
		for (size_t k = 1; k <= 4; k++) {
			sdp_check_subscribe_answer(s, tracks, k, NULL);
			/* only the H.264 m-line can be refused, and only when the answer is taken */
			if (sdp_check_subscribe_answer(s, tracks, k, refused) == 0 && (refused[0] || refused[1] || (k == 4 && refused[3])))
				abort();
		}
		/* the H.264 fmtp of every offered codec */
		for (size_t i = 0; i < s->n_media; i++)
			for (size_t c = 0; c < s->media[i].n_codecs; c++) {
				struct sdp_h264_fmtp f;
				if (sdp_h264_fmtp_parse(s->media[i].codecs[c].fmtp, &f) == 0 && f.packetization_mode > 2)
					abort();
			}
		const char *u, *p, *a, *f, *st;
		sdp_session_transport(s, &u, &p, &a, &f, &st);
	}
	free(text);
	return 0;
}
