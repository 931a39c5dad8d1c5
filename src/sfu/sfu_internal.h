/* sfu_internal: the SFU's objects — server, room, participant, published track with its
 * simulcast layers, and the down-track that forwards one published track to one subscriber. */
#ifndef PLENUM_SFU_INTERNAL_H
#define PLENUM_SFU_INTERNAL_H

#include "sfu/sfu.h"

#include "base/clock.h"
#include "base/hmap.h"
#include "peer/demux.h"
#include "peer/peer.h"
#include "peer/tcp_accept.h"
#include "rtp/rtp.h"
#include "rtp/rtp_cache.h"
#include "sdp/sdp.h"
#include "sfu/forward.h"
#include "sfu/repair.h"
#include "sfu/speaker.h"
#include "sfu/worker.h"
#include "bwe/bwe.h"
#include "rtcp/twcc.h"

#define SFU_MAX_DOWNS 256          /* m-lines in one subscribe offer */
#define SFU_CONSENT_TIMEOUT_US (20 * 1000000ull)   /* RFC 7675 allows 30 s; browsers check every ~5 s */
#define SFU_PLI_MIN_INTERVAL_US (300 * 1000ull)
#define SFU_TICK_MS 50
#define SFU_MAX_TRACKS 4           /* published by one participant: microphone, camera, screen */
#define SFU_MAX_LAYERS 3           /* simulcast layers of one video track */
#define SFU_DEFAULT_LAST_N 25      /* camera videos one subscriber gets when it did not say */
#define SFU_CACHE_SLOTS_TOP 256       /* NACK cache of a track's top (or only) layer: ~1.6 s at 1.5 Mbit/s */
#define SFU_CACHE_SLOTS_MID 64        /* the layer below it (~500 kbit/s): ~1.2 s */
#define SFU_CACHE_SLOTS_LOW 32        /* the one below that (~150 kbit/s, 15 fps): ~1.6 s */
#define SFU_CACHE_PACKET_MAX 1280      /* longer packets are not kept (browsers send ≤ 1200 + header) */
#define SFU_TWCC_EXT_ID 5          /* transport-wide-cc extension id in plenum's subscribe offers */
#define SFU_BWE_START_BPS 1500000u
#define SFU_BWE_MIN_BPS 50000u     /* below audio plus the lowest video layer: video pauses (audio first) */
#define SFU_BWE_MAX_BPS 30000000u

struct sfu_room;
struct sfu_down;
struct sdp_sub_track;

/* One encoding of a published track: the only one, or a simulcast layer (RFC 8853 rid). */
struct sfu_layer {
	char rid[16];
	uint32_t ssrc, rtx_ssrc;      /* 0 until learned */
	bool receiving;
	struct rtp_recv_stats rstats;
	struct rtp_cache *cache;      /* video: recent packets for subscribers' NACKs */
	uint64_t last_pli_us;
	uint32_t sr_ntp_mid;          /* middle 32 bits of the last sender report's NTP time */
	uint64_t sr_recv_us;
	uint64_t rate_bps;            /* measured over the last second */
	uint64_t win_start_us, win_bytes;
	uint64_t last_packet_us;
	uint16_t width, height;       /* from the last keyframe */
};

/* A stream one participant publishes (audio or video). */
struct sfu_track {
	struct sfu_participant *owner;
	enum sfu_media_kind kind;
	enum sfu_source source;
	char mid[32];
	uint8_t pt, rtx_pt;
	uint8_t ext_mid, ext_audio_level, ext_rid, ext_rrid;
	uint32_t clock_rate;
	enum sdp_video_codec codec;   /* video: VP8 or H.264, as the publish answer chose */
	uint32_t h264_profile_level_id;   /* codec H.264: what the publisher offered */
	bool tap_skip_logged;         /* tap.c: told once that recordings leave this H.264 video out */
	struct sfu_layer layers[SFU_MAX_LAYERS];   /* lowest quality first */
	size_t n_layers;
	bool simulcast;
	struct sfu_down **downs;      /* subscribers of this track */
	size_t n_downs, cap_downs;
	uint32_t track_no;            /* stable per-participant number for msid */
	/* data saver (pub_layers.c): what the publisher was last told to encode */
	bool layer_off[SFU_MAX_LAYERS];
	uint64_t layer_unneeded_since[SFU_MAX_LAYERS];   /* 0: needed */
	int tap_layer;                /* tap.c: the layer the room's tap takes now (-1: none yet) */
};

/* One published track as sent to one subscriber: an m-line of the subscribe offer. */
struct sfu_down {
	struct sfu_participant *sub;
	struct sfu_track *src;        /* NULL once the source is gone (m-line inactive) */
	uint32_t src_participant;
	enum sfu_media_kind kind;
	enum sfu_source source;
	char mid[16];
	uint32_t ssrc;                /* what the subscriber sees */
	uint32_t rtx_ssrc;            /* video: its retransmissions (RFC 4588) */
	uint16_t rtx_seq;
	uint32_t src_track_no;
	struct sfu_fwd fwd;           /* sequence/timestamp/picture-id rewriting */
	int cur_layer;                /* layer being forwarded; -1 none */
	int target_layer;             /* layer wanted; -1 = paused (not forwarded) */
	int desired_layer;            /* what tile and budget allow, arriving or not (-1: none) */
	bool paused_bw;               /* the tile wants it but the downlink cannot carry it */
	bool live;                    /* the subscriber answered an offer with this m-line: before, its
	                                 browser has no receiver for it and would drop the keyframe */
	uint8_t pt, rtx_pt;           /* what it is sent with (a viewer's offer chose them); rtx_pt 0: none */
	bool refused;                 /* the subscriber's browser refused the codec: never forwarded */
	uint8_t loss;                 /* audio: fraction lost (/256) in the subscriber's last report */
	uint64_t packets, octets;     /* sent, for sender reports */
	struct sfu_rtx_recent rtx_recent;   /* NACKed packets resent lately (duplicates ignored) */
};

/* Who owns which field: see src/sfu/worker.h. */
struct sfu_participant {
	struct sfu *sfu;
	struct sfu_worker *w;         /* its room's media worker */
	struct sfu_room *home;        /* main-owned: the room it is counted in (joined, or moved to) */
	char room_name[SFU_ROOM_KEY_MAX + 1];   /* immutable: the meeting's key (its main room's name) */
	unsigned group;               /* main-owned: its room is room_name's group (0: the main room) */
	const struct sfu_events *user_ev;   /* main-owned: signaling's callbacks */
	void *user_arg;
	bool main_gone;               /* main-owned: no more events for signaling (left or dropped) */
	bool gone;                    /* worker-owned: left its room; commands on it fail */
	struct sfu_room *room;        /* worker-owned: NULL once it left */
	struct sfu_participant *prev, *next;
	uint32_t id;
	char name[SFU_DISPLAY_NAME_MAX + 1];
	const struct sfu_events *ev;  /* worker side: sfu_worker_proxy_events, ev_arg = the participant */
	void *ev_arg;
	bool audio_muted, video_muted;
	bool forced_mute[SFU_SOURCE_COUNT];   /* a host muted it: not forwarded until unmuted */
	bool music;
	char cname[24];
	/* publish side */
	struct peer *pub;
	struct sfu_track *tracks[SFU_MAX_TRACKS];
	size_t n_tracks;
	uint32_t next_track_no;
	uint32_t rtcp_ssrc;           /* our SSRC in RTCP towards this participant */
	bool failed;                  /* a transport failed: dropped at the next tick */
	struct sfu_speaker_state speech;   /* audio level history */
	uint8_t pub_twcc_ext;         /* transport-wide-cc id the publisher sends, 0 none */
	struct twcc_recorder *twcc_rec;   /* arrivals to report back (publisher's own BWE) */
	/* subscribe side */
	bool viewer;                  /* immutable: a WHEP viewer (struct sfu_viewer), in no member list */
	uint8_t down_twcc_ext;        /* immutable: transport-wide-cc extension id of what it is sent, 0 none */
	struct peer *sub;
	struct sfu_down *downs[SFU_MAX_DOWNS];
	size_t n_downs;
	uint32_t mid_counter;
	uint32_t offer_version;       /* last offer sent */
	struct sdp_sub_track *offered;   /* its m-lines, to check the answer against */
	size_t n_offered;
	bool awaiting_answer, renegotiate;
	bool answered;                /* at least one answer applied: the transport exists remotely */
	bool leaving;
	unsigned last_n;              /* camera videos wanted (0: default) */
	struct sfu_video_pref *prefs;
	size_t n_prefs;
	uint32_t *pinned;
	size_t n_pinned;
	uint64_t budget_bps;          /* what this subscriber's downlink takes (REMB / estimate) */
	struct bwe *bwe;              /* estimate of this subscriber's downlink from its feedback */
	uint16_t twcc_seq;            /* next transport-wide sequence number towards it */
	struct sfu_rtx_budget rtx_budget;   /* retransmissions it may still ask for */
	uint64_t want_bps;            /* what its tiles ask for (layers.c), for probing */
	uint64_t resume_bps;          /* the least estimate that brings a paused video back */
	unsigned n_paused_bw, n_lowered;   /* videos paused, and sent below their tile's layer, for want of bandwidth */
	uint64_t sent_bytes;          /* RTP bytes sent to it (padding included) */
	uint64_t pad_sent_mark, pad_last_us;   /* probe.c: padding accounting */
	uint64_t next_probe_us, probe_interval_us;
	uint64_t probe_target_bps;    /* the last probe's rate */
	uint64_t probes_done_seen;    /* judged clusters already acted on */
	uint8_t down_loss;            /* worst fraction lost (/256) in its last receiver report */
	uint8_t up_loss;              /* worst fraction lost (/256) of what it publishes, at our last report */
	/* quality.c */
	enum sfu_quality quality;     /* as told to the room */
	enum sfu_quality quality_seen;   /* the latest measurement */
	uint64_t quality_since_us;    /* quality_seen unchanged since */
	bool downlink_told;
	struct sfu_downlink_info downlink_last;
};

struct sfu_room {
	struct sfu *sfu;
	struct sfu_worker *w;         /* the media worker this room lives on */
	struct sfu_room *wprev, *wnext;   /* the worker's rooms (worker-owned) */
	bool attached;                /* worker-owned: in the worker's list (has members) */
	unsigned main_count;          /* main-owned: joined and not yet released participants */
	char name[SFU_ROOM_GROUP_KEY_MAX + 1];   /* a room key, or a group's "KEY~N" */
	struct sfu_participant *members;
	unsigned count;
	uint32_t dominant;            /* current dominant speaker, 0 none */
	uint32_t recent[SFU_DEFAULT_LAST_N * 2];   /* speakers, most recent first */
	size_t n_recent;
	uint32_t loudest[SFU_AUDIO_TOP_N];         /* whose audio is forwarded now */
	size_t n_loudest;
	/* tap.c: the room's taps (a recording, an HLS stream), set and cleared by commands
	 * (worker-owned), and the programme they are told of (compared, never followed) */
	struct sfu_tap_slot { const struct sfu_tap_ops *ops; void *arg; } taps[SFU_TAPS_MAX];
	size_t n_taps;
	const struct sfu_track *tap_video, *tap_side, *tap_voice[SFU_AUDIO_TOP_N];
	struct sfu_viewer *viewers;   /* worker-owned: its WHEP viewers (viewer.c) */
	unsigned main_viewers;        /* main-owned: viewers admitted and not yet closed */
};

/* A WHEP viewer: a receive-only subscriber of the room's programme — two down-tracks (audio,
 * video) whose source follows sfu_programme_pick; no events, not a member, not counted in the room. */
struct sfu_viewer {
	struct sfu_participant p;     /* its media side (p.viewer): transport, downs[0] audio, downs[1] video */
	struct sfu_room *room;        /* worker-owned: NULL once it ended */
	struct sfu_viewer *prev, *next;   /* the room's viewers (worker-owned) */
	void (*closed)(void *arg);    /* main-owned */
	void *closed_arg;
};

struct sfu {
	uv_loop_t *loop;              /* the main (signaling) loop */
	struct sfu_config cfg;
	char public_ip[64];
	const struct clock_src *clock;
	struct dtls_cert *cert;
	struct hmap rooms;            /* touched by the main thread only */
	unsigned pending_closes;      /* libuv handles still closing in sfu_free */
	bool closing;                 /* sfu_free runs: events reach nobody */
	uint32_t next_participant_id;
	uint64_t participants;
	uint64_t viewers;             /* main-owned: WHEP viewers admitted and not yet closed */
	struct sfu_worker **workers;
	unsigned n_workers;
	struct peer_tcp_accept tcp;   /* the ICE-TCP listener (main loop), when tcp_on */
	bool tcp_on;
	unsigned tcp_evict_next;      /* the worker make_room asks first */
};

#define SFU_MEDIA_TCP_MAX_DEFAULT 1024
/* At that limit, a link that carried no valid check for this long is closed for a newcomer: a
 * browser's first check binds its link at once, so such a link only ever carried checks for nobody. */
#define SFU_MEDIA_TCP_EVICT_AGE_US 1000000ull

/* media_tcp.c: the ICE-TCP listener (main thread) */
int sfu_media_tcp_open(struct sfu *sfu, const char *bind_ip);
void sfu_media_tcp_stats(const struct sfu *sfu, struct sfu_stats *st);

/* room.c */
int sfu_room_get(struct sfu *sfu, const char *name, struct sfu_room **out);   /* main thread */
void sfu_room_release(struct sfu_room *r);   /* main thread: one member fewer; freed at none */
void sfu_room_attach(struct sfu_room *r);    /* worker: links r into its worker's rooms */
void sfu_room_add(struct sfu_room *r, struct sfu_participant *p);
void sfu_room_remove(struct sfu_room *r, struct sfu_participant *p, enum sfu_leave_reason why);
void sfu_room_broadcast_update(struct sfu_room *r, const struct sfu_participant *p);
void sfu_participant_info(const struct sfu_participant *p, struct sfu_participant_info *out);
void sfu_room_tracks_added(struct sfu_room *r, struct sfu_participant *p, size_t first);
void sfu_room_track_removed(struct sfu_room *r, struct sfu_track *t);
struct sfu_participant *sfu_room_find(struct sfu_room *r, uint32_t id);

/* subscribe.c */
int sfu_track_downs_add(struct sfu_track *t, struct sfu_down *d);
void sfu_track_downs_remove(struct sfu_track *t, struct sfu_down *d);
void sfu_sub_track_added(struct sfu_participant *sub, struct sfu_track *t);
void sfu_sub_track_removed(struct sfu_participant *sub, struct sfu_track *t);
void sfu_sub_negotiate(struct sfu_participant *sub);
void sfu_sub_free(struct sfu_participant *sub);

/* layers.c: which layer (or none) each subscriber gets */
void sfu_layers_assign(struct sfu_participant *sub);
void sfu_layers_room(struct sfu_room *r);
uint64_t sfu_layer_bps(const struct sfu_track *t, int layer);

/* probe.c: padding that probes a subscriber's downlink for room to bring video back */
void sfu_probe_consider(struct sfu_participant *sub, uint64_t now_us);   /* once a second */
void sfu_probe_tick(struct sfu_participant *sub, uint64_t now_us);       /* every tick */

/* pub_layers.c: simulcast layers nobody receives are paused at the publisher (data saver) */
void sfu_pub_layers_room(struct sfu_room *r, uint64_t now_us);

/* quality.c: each participant's connection quality and its downlink event */
void sfu_quality_update(struct sfu_participant *p, uint64_t now_us);   /* once a second */

/* tap.c: the room's tap, on its worker: a forwarded packet, and the dominant speaker changed */
void sfu_tap_packet(struct sfu_track *t, int layer, const struct rtp_hdr *h, uint16_t seq,
                    const uint8_t *payload, size_t payload_len, bool keyframe, uint64_t now_us);
void sfu_tap_speaker(struct sfu_room *r, uint64_t now_us);
/* Every tick: the programme the taps are told of (a new video is asked for a keyframe). */
void sfu_tap_tick(struct sfu_room *r);
/* Whether layer `layer` of t is the one its room's tap takes (keeps it on for the data saver). */
bool sfu_tap_wants(const struct sfu_track *t, int layer);
/* Main thread, as the room is freed: tells the tap it ended. */
void sfu_tap_room_gone(struct sfu_room *r);

/* speakers.c: dominant speaker and the loudest few per room */
void sfu_speakers_update(struct sfu_room *r, uint64_t now_us);

/* programme.c: what the public sees and hears of a room (WHEP viewers, the HLS feed): video = a
 * shared screen, else the dominant speaker's camera, else the most recent speaker's with a camera,
 * else any camera; audio = the dominant speaker's microphone, else the most recent speaker's, else
 * any (audio is forwarded only while its speaker is among the loudest, media.c).
 * Muted and not (yet) arriving tracks are skipped; NULL where there is none. Worker thread. */
void sfu_programme_pick(const struct sfu_room *r, struct sfu_track **video, struct sfu_track **audio);
/* The composed programme (the HLS feed) beside that video: the speaker's camera while `video` is a
 * shared screen (NULL otherwise), and the microphones of the loudest few (out[SFU_AUDIO_TOP_N],
 * loudest first; muted ones skipped). Returns how many voices. Worker thread. */
struct sfu_track *sfu_programme_side(const struct sfu_room *r, const struct sfu_track *video);
size_t sfu_programme_voices(const struct sfu_room *r, struct sfu_track **out);

/* viewer.c (worker): the room's viewers follow its programme (every tick), their budgets and
 * consent (once a second); all of them end when the room's last member leaves. */
void sfu_viewers_tick(struct sfu_room *r, uint64_t now_us, bool second);
void sfu_viewers_end(struct sfu_room *r);
/* main thread: a viewer's `closed` event arrived */
void sfu_viewer_deliver_closed(struct sfu_participant *p);

/* media.c: forwarding publishers' RTP to subscribers */
extern const struct peer_cbs sfu_pub_peer_cbs, sfu_sub_peer_cbs;
bool sfu_peer_up(const struct peer *p);
/* An RTP packet for `sub` in the worker's scratch buffer, with its next transport-wide
 * sequence number in *tseq; its length, 0 when it does not fit. */
size_t sfu_media_write(struct sfu_participant *sub, bool marker, uint8_t pt, uint16_t seq, uint32_t ts,
                       uint32_t ssrc, const uint8_t *payload, size_t payload_len, uint16_t *tseq);
/* Protects and sends the scratch packet to `sub`, tells its bandwidth estimator; 0 or an errno. */
/* droppable: video, shed first when the subscriber's TCP path backs up */
int sfu_media_send(struct sfu_participant *sub, size_t n, uint16_t tseq, bool droppable);
void sfu_track_free(struct sfu_track *t);

/* repair.c: NACKs (retransmission budget, duplicates), PLI/FIR, keyframe requests */
struct rtcp_pkt;
void sfu_repair_on_feedback(struct sfu_participant *sub, const struct rtcp_pkt *pk);
void sfu_track_request_keyframe(struct sfu_track *t, int layer, bool force);

/* reports.c: RTCP from and to peers */
void sfu_reports_pub_rtcp(void *arg, struct peer *peer, uint8_t *pkt, size_t len);
void sfu_reports_sub_rtcp(void *arg, struct peer *peer, uint8_t *pkt, size_t len);
void sfu_worker_reports(struct sfu_worker *w);   /* RTCP reports of the worker's rooms */
void sfu_worker_feedback(struct sfu_worker *w);  /* transport-cc feedback of its rooms */
void sfu_send_feedback(struct sfu_participant *p);   /* transport-cc feedback to a publisher */

/* layers.c */
void sfu_update_budget(struct sfu_participant *sub);   /* estimate → layers */
void sfu_participant_drop(struct sfu_participant *p, enum sfu_leave_reason why);

/* sfu.c */
void sfu_rooms_tick(struct sfu_worker *w, uint64_t now_us, bool second);   /* worker: speakers, budgets, consent */
void sfu_participant_release(struct sfu_participant *p);   /* main thread: after the worker let go of p */

#endif
