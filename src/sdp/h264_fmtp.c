/* h264_fmtp: H.264 format parameters in SDP — profile-level-id, packetization-mode,
 * level-asymmetry-allowed — and the choice of an offered H.264 payload type. RFC 6184 §8.1-8.2.2. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sdp/sdp_int.h"

#define H264_DEFAULT_PLID 0x42000au   /* RFC 6184 §8.1: Baseline, level 1 */

/* The value of `name` in a `;`-separated fmtp line, as a slice; false when absent. */
static bool fmtp_value(const char *fmtp, const char *name, struct sdp_sv *val)
{
	size_t n = strlen(name);
	for (const char *p = fmtp; *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		size_t len = strcspn(p, ";");
		if (len > n && strncasecmp(p, name, n) == 0 && p[n] == '=') {
			*val = sdp_sv_trim((struct sdp_sv){ p + n + 1, len - n - 1 });
			return true;
		}
		p += len;
	}
	return false;
}

int sdp_h264_fmtp_parse(const char *fmtp, struct sdp_h264_fmtp *out)
{
	memset(out, 0, sizeof *out);
	out->profile_level_id = H264_DEFAULT_PLID;
	struct sdp_sv v;
	if (fmtp_value(fmtp, "profile-level-id", &v)) {
		uint32_t id = 0;
		if (v.n != 6)
			return EBADMSG;
		for (size_t i = 0; i < 6; i++) {
			char c = v.p[i];
			int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
			if (d < 0)
				return EBADMSG;
			id = id << 4 | (uint32_t)d;
		}
		out->profile_level_id = id;
	}
	uint64_t u;
	if (fmtp_value(fmtp, "packetization-mode", &v)) {
		if (!sdp_sv_uint(v, 2, &u))
			return EBADMSG;
		out->packetization_mode = (uint8_t)u;
	}
	if (fmtp_value(fmtp, "level-asymmetry-allowed", &v)) {
		if (!sdp_sv_uint(v, 1, &u))
			return EBADMSG;
		out->level_asymmetry_allowed = u == 1;
	}
	return 0;
}

bool sdp_h264_baseline(uint32_t profile_level_id)
{
	return (profile_level_id >> 16) == 0x42;
}

const struct sdp_codec *sdp_pick_h264(const struct sdp_media *m, struct sdp_h264_fmtp *fmtp)
{
	/* Constrained Baseline (constraint_set1_flag) first, as browsers prefer it; plain Baseline next */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < m->n_codecs; i++) {
			const struct sdp_codec *k = &m->codecs[i];
			struct sdp_h264_fmtp f;
			if (strcasecmp(k->name, "H264") != 0 || k->clock != 90000 || sdp_h264_fmtp_parse(k->fmtp, &f) != 0 ||
			    f.packetization_mode != 1 || !sdp_h264_baseline(f.profile_level_id))
				continue;
			if (pass == 0 && !(f.profile_level_id & 0x4000u))
				continue;
			*fmtp = f;
			return k;
		}
	return NULL;
}
