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

static const struct sdp_sub_track tracks[] = {
	{ "0", SDP_KIND_AUDIO, true, 1111, 0, "s", "a", "c" },
	{ "1", SDP_KIND_VIDEO, true, 2222, 2223, "s", "v", "c" },
	{ "2", SDP_KIND_VIDEO, false, 0, 0, "", "", "" },
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
		for (size_t k = 1; k <= 3; k++)
			sdp_check_subscribe_answer(s, tracks, k);
		const char *u, *p, *a, *f, *st;
		sdp_session_transport(s, &u, &p, &a, &f, &st);
	}
	free(text);
	return 0;
}
