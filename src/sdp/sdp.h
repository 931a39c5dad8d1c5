/* sdp: session descriptions for plenum's two PeerConnections — parse, write, offer/answer rules.
 * RFC 8866 (SDP), RFC 8829 (JSEP), RFC 8843 (BUNDLE), RFC 8842 (DTLS), RFC 8839 (ICE), RFC 8853. */
#ifndef PLENUM_SDP_SDP_H
#define PLENUM_SDP_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDP_MAX_MEDIA 64
#define SDP_MAX_CODECS 48
#define SDP_MAX_EXT 16
#define SDP_MAX_SSRC 8
#define SDP_MAX_RIDS 4

enum sdp_kind { SDP_KIND_AUDIO, SDP_KIND_VIDEO, SDP_KIND_APPLICATION, SDP_KIND_OTHER };
enum sdp_dir { SDP_DIR_SENDRECV, SDP_DIR_SENDONLY, SDP_DIR_RECVONLY, SDP_DIR_INACTIVE };

struct sdp_codec {
	uint8_t pt;
	char name[24];              /* as written in a=rtpmap ("opus", "VP8", "rtx"); "" without rtpmap */
	uint32_t clock;
	uint8_t channels;           /* 0 when not given */
	char fmtp[160];
	bool fb_nack, fb_nack_pli, fb_ccm_fir, fb_transport_cc, fb_goog_remb;
	bool is_rtx;
	uint8_t rtx_apt;            /* fmtp apt= of an RTX codec */
};

struct sdp_extmap { uint8_t id; char uri[96]; };

/* The video codecs plenum forwards: VP8 (RFC 7741) and H.264 packetization-mode=1 (RFC 6184). */
enum sdp_video_codec { SDP_VIDEO_VP8 = 0, SDP_VIDEO_H264 };

/* An H.264 fmtp line (RFC 6184 §8.1); absent parameters take their defaults (profile-level-id
 * 42000a, packetization-mode 0). */
struct sdp_h264_fmtp {
	uint32_t profile_level_id;         /* profile_idc, profile-iop, level_idc: 0x42e01f */
	uint8_t packetization_mode;
	bool level_asymmetry_allowed;
};
/* 0, or EBADMSG for a profile-level-id that is not 6 hex digits or a packetization-mode above 2. */
int sdp_h264_fmtp_parse(const char *fmtp, struct sdp_h264_fmtp *out);
/* Baseline (42xxxx) or Constrained Baseline (42e0xx, 42c0xx, 4240xx): what plenum takes. */
bool sdp_h264_baseline(uint32_t profile_level_id);

struct sdp_media {
	enum sdp_kind kind;
	uint16_t port;
	char proto[40];
	char mid[32];
	enum sdp_dir dir;           /* SENDRECV when no direction attribute is given */
	struct sdp_codec codecs[SDP_MAX_CODECS]; size_t n_codecs;   /* in m= line order */
	struct sdp_extmap ext[SDP_MAX_EXT]; size_t n_ext;
	uint32_t ssrcs[SDP_MAX_SSRC]; size_t n_ssrcs;
	uint32_t fid_primary, fid_rtx;                              /* a=ssrc-group:FID */
	char cname[64];
	char msid_stream[64], msid_track[64];
	/* media level, else copied from session level */
	char ice_ufrag[256], ice_pwd[256];
	char fp_alg[16], fp[160];
	char setup[16];
	bool rtcp_mux, rtcp_rsize, has_simulcast;
	/* additions */
	char media_name[16];        /* the m= media token, e.g. "audio", "text" */
	char fmt_first[32];         /* the first format token of the m= line */
	bool bundle_only;           /* a=bundle-only (port 0 yet not rejected) */
	char rids[SDP_MAX_RIDS][16]; size_t n_rids;   /* a=rid:<id> send, in order (RFC 8851) */
};

struct sdp_session {
	uint64_t sess_id;
	uint64_t sess_version;
	char bundle[SDP_MAX_MEDIA][32]; size_t n_bundle;   /* a=group:BUNDLE mids */
	bool ice_lite;
	struct sdp_media media[SDP_MAX_MEDIA]; size_t n_media;
};

/* The struct is about half a megabyte: allocate it with these. 0 or ENOMEM. */
int sdp_session_new(struct sdp_session **out);
void sdp_session_free(struct sdp_session *s);

/* Parses `len` bytes of SDP into *s (overwritten). CRLF or LF line ends; unknown lines and
 * attributes are ignored. 0, or EBADMSG for malformed text, values longer than their field,
 * more entries than a table holds, or control characters. Never reads past text[len]. */
int sdp_parse(struct sdp_session *s, const char *text, size_t len);

/* A media section is rejected when its port is 0 and it is not bundle-only. */
bool sdp_media_rejected(const struct sdp_media *m);
/* Codec with payload type pt in m, or NULL. */
const struct sdp_codec *sdp_media_codec(const struct sdp_media *m, uint8_t pt);
/* Extmap id for uri in m, or 0. */
uint8_t sdp_media_ext_id(const struct sdp_media *m, const char *uri);

#define SDP_EXT_MID "urn:ietf:params:rtp-hdrext:sdes:mid"
#define SDP_EXT_AUDIO_LEVEL "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
#define SDP_EXT_ABS_SEND_TIME "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
#define SDP_EXT_TWCC "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
#define SDP_EXT_RID "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
#define SDP_EXT_RRID "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"

struct sdp_local {   /* plenum's side */
	const char *ice_ufrag, *ice_pwd;
	const char *fingerprint;       /* sha-256 "AB:CD:…" */
	const char *ip; uint16_t port; /* the UDP host candidate (IPv4 or IPv6 literal) */
	uint16_t tcp_port;             /* and a passive TCP one on this port (RFC 6544); 0: none */
	uint64_t sess_id; uint32_t sess_version;
	/* options (all off when zero-initialised) */
	bool simulcast;                /* publish answer: accept rid-based simulcast (RFC 8853) */
	bool music;                    /* publish answer: ask for stereo, high-bitrate Opus */
	uint8_t twcc_ext_id;           /* subscribe offer: transport-wide-cc extension id (0: none) */
};

/* Publish side: what plenum accepted per m-line of the browser's offer. */
struct sdp_publish_media {
	char mid[32]; enum sdp_kind kind; bool accepted;
	uint8_t pt;                      /* the offer's PT chosen for Opus / VP8 */
	uint8_t rtx_pt;                  /* its RTX PT if offered (0 = none) */
	uint32_t ssrc, rtx_ssrc;         /* from a=ssrc / ssrc-group FID, 0 when not signalled */
	uint8_t ext_mid, ext_audio_level, ext_abs_send_time, ext_twcc;   /* accepted extmap ids, 0 = none */
	bool opus_stereo;                /* the offer's Opus fmtp has stereo=1 or sprop-stereo=1 */
	/* additions */
	enum sdp_dir dir;                /* the answer's direction: RECVONLY, or INACTIVE when the
	                                    offer sends nothing on this m-line (accepted stays true) */
	bool fb_transport_cc, fb_goog_remb, fb_nack, fb_nack_pli, fb_ccm_fir;   /* as answered */
	char rids[SDP_MAX_RIDS][16]; size_t n_rids;   /* simulcast layers accepted, lowest first as offered */
	uint8_t ext_rid, ext_rrid;       /* rtp-stream-id / repaired-rtp-stream-id ids, 0 = none */
	enum sdp_video_codec codec;      /* video: VP8 when offered, else H.264 (mode 1, baseline) */
	struct sdp_h264_fmtp h264;       /* codec H.264: the offer's parameters of the chosen PT */
};

/* Writes the publish answer (ICE-lite, setup:passive, recvonly) to `answer` (NUL-terminated) and
 * one sdp_publish_media per offered m-line to out[0..*n_out). 0; EPROTO when the offer lacks ICE
 * credentials, a fingerprint, rtcp-mux, BUNDLE or any acceptable m-line, or offers setup:passive;
 * ENOSPC when out_cap or cap is too small; EINVAL for bad arguments. Extmaps are kept only with
 * one-byte ids (1–14). */
int sdp_answer_publish(const struct sdp_session *offer, const struct sdp_local *local,
                       struct sdp_publish_media *out, size_t out_cap, size_t *n_out, char *answer, size_t cap);

/* Subscribe side: plenum's offer. */
#define SDP_SUB_OPUS_PT 111
#define SDP_SUB_VP8_PT 96
#define SDP_SUB_VP8_RTX_PT 97
#define SDP_SUB_H264_PT 98
#define SDP_SUB_H264_RTX_PT 99

struct sdp_sub_track {
	char mid[16]; enum sdp_kind kind; bool active;
	uint32_t ssrc; uint32_t rtx_ssrc /* 0 none */;
	char stream_id[64], track_id[64];   /* "" → msid "-" / no track id */
	char cname[32];                     /* "" → "plenum" */
	enum sdp_video_codec codec;         /* video: its publisher's codec */
	uint32_t h264_profile_level_id;     /* codec H.264: the publisher's (0 → 42e01f) */
	bool refused;                       /* the browser refused the codec: written rejected (port 0) */
};

/* One m-line per track in order (audio → Opus 111, video → VP8 96 + RTX 97 or H.264 98 + RTX 99,
 * RTX when rtx_ssrc), sendonly with msid and ssrc lines, or inactive (keeping its mid) when
 * !active, or rejected (port 0, out of BUNDLE) when refused. ICE-lite,
 * setup:actpass, one host candidate, rtcp-mux, rtcp-rsize, BUNDLE of all mids.
 * 0; EINVAL for no tracks, bad or duplicate mids, tokens with spaces, an active track without ssrc;
 * ENOSPC when cap is too small. */
int sdp_write_subscribe_offer(const struct sdp_local *local, const struct sdp_sub_track *tracks, size_t n,
                              char *out, size_t cap);

/* Checks the browser's answer to that offer: same mids and kinds in order, active tracks accepted
 * with the offered codec, ICE ufrag/pwd, a fingerprint, rtcp-mux, setup:active. 0 or EPROTO.
 * An active H.264 m-line the browser rejected (port 0) or answered without H.264 is no error when
 * `refused` is given: refused[i] is set for it (every other entry cleared); it cannot decode it. */
int sdp_check_subscribe_answer(const struct sdp_session *answer, const struct sdp_sub_track *tracks, size_t n,
                               bool *refused);

/* View side (WHEP, draft-ietf-wish-whep): plenum answers a receive-only offer and sends one audio
 * and one video stream of its own choosing. */
struct sdp_view_send {              /* what plenum sends: SSRCs and the stream's names */
	uint32_t audio_ssrc, video_ssrc, video_rtx_ssrc;   /* rtx 0: no RTX */
	char stream_id[64], cname[32];
};

/* What plenum answered per m-line of the viewer's offer. */
struct sdp_view_media {
	char mid[32]; enum sdp_kind kind; bool accepted;   /* at most one audio and one video */
	uint8_t pt;                      /* the offer's PT for Opus / VP8: what plenum sends with */
	uint8_t rtx_pt;                  /* its RTX PT (0 = none offered: no retransmissions) */
	uint8_t ext_twcc;                /* transport-wide-cc id when offered with feedback, else 0 */
	bool fb_nack, fb_pli, fb_remb;   /* feedback the viewer will send, as answered */
};

/* Writes the answer to a viewer's offer (ICE-lite, setup:passive, BUNDLE, rtcp-mux): the first
 * audio m-line offering Opus and the first video m-line offering VP8 that are recvonly or sendrecv
 * become sendonly with the SSRCs of `send`; every other m-line is rejected. out[0..*n_out) as for
 * the publish answer. 0; EPROTO when the offer lacks ICE credentials, a fingerprint, rtcp-mux,
 * BUNDLE or an acceptable m-line, or offers setup:passive; ENOSPC; EINVAL for bad arguments. */
int sdp_answer_view(const struct sdp_session *offer, const struct sdp_local *local, const struct sdp_view_send *send,
                    struct sdp_view_media *out, size_t out_cap, size_t *n_out, char *answer, size_t cap);

/* The transport credentials of a bundle: the first BUNDLE mid whose m-line is not rejected
 * (without BUNDLE, the first m-line not rejected). Pointers into s. 0, or ENOENT when there is no
 * such m-line or it lacks ufrag, pwd or fingerprint. Any out pointer may be NULL. */
int sdp_session_transport(const struct sdp_session *s, const char **ufrag, const char **pwd,
                          const char **fp_alg, const char **fp, const char **setup);

#endif
