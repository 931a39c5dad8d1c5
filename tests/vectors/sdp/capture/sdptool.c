/* sdptool: plenum's side of the vector capture — answers a browser's publish offer and writes a
 * subscribe offer, with fixed local credentials so the stored vectors are reproducible. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdp.h"

static const struct sdp_local local = {
	.ice_ufrag = "plnm",
	.ice_pwd = "plenumplenumplenumplenum",
	.fingerprint = "9A:3C:1E:55:07:B2:6F:D4:88:10:EE:42:39:7C:C1:05:6B:2F:90:AD:13:4E:F7:62:08:5C:B9:31:DA:74:0E:A6",
	.ip = "127.0.0.1",
	.port = 40000,
	.sess_id = 4242424242,
	.sess_version = 1,
};

/* The tracks of the captured subscribe offer: audio, video with RTX, an inactive video. */
const struct sdp_sub_track sdptool_tracks[] = {
	{ "0", SDP_KIND_AUDIO, true, 1111, 0, "alice", "alice-mic", "alicecname" },
	{ "1", SDP_KIND_VIDEO, true, 2222, 2223, "alice", "alice-cam", "alicecname" },
	{ "2", SDP_KIND_VIDEO, false, 0, 0, "", "", "" },
};

int main(int argc, char **argv)
{
	static char out[65536];
	if (argc == 2 && strcmp(argv[1], "suboffer") == 0) {
		int err = sdp_write_subscribe_offer(&local, sdptool_tracks, 3, out, sizeof(out));
		if (err)
			return fprintf(stderr, "suboffer: %s\n", strerror(err)), 1;
		fputs(out, stdout);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "answer") == 0) {
		static char text[1 << 20];
		FILE *f = fopen(argv[2], "rb");
		if (!f)
			return perror(argv[2]), 1;
		size_t len = fread(text, 1, sizeof(text), f);
		fclose(f);
		struct sdp_session *s;
		struct sdp_publish_media pm[SDP_MAX_MEDIA];
		size_t n;
		if (sdp_session_new(&s))
			return 1;
		int err = sdp_parse(s, text, len);
		if (!err)
			err = sdp_answer_publish(s, &local, pm, SDP_MAX_MEDIA, &n, out, sizeof(out));
		sdp_session_free(s);
		if (err)
			return fprintf(stderr, "answer: %s\n", strerror(err)), 1;
		fputs(out, stdout);
		return 0;
	}
	fprintf(stderr, "usage: sdptool suboffer | answer OFFER\n");
	return 2;
}
