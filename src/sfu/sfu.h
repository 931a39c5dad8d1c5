/* sfu: the media server's face towards signaling — rooms, participants, offers and answers.
 * Signaling calls these functions and receives events through struct sfu_events; nothing
 * here knows JSON or WebSockets, and nothing above knows packets. */
#ifndef PLENUM_SFU_SFU_H
#define PLENUM_SFU_SFU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define SFU_ROOM_NAME_MAX 64
#define SFU_ROOM_SCOPE_MAX 32     /* a room key "SCOPE/NAME": rooms of one scope (a tenant) apart from another's */
#define SFU_ROOM_KEY_MAX (SFU_ROOM_SCOPE_MAX + 1 + SFU_ROOM_NAME_MAX)
#define SFU_DISPLAY_NAME_MAX 64   /* bytes of UTF-8 */

struct sfu;
struct sfu_participant;
struct clock_src;

/* Errors returned (negated) by the functions below; signaling maps each to a protocol code. */
enum sfu_err {
	SFU_OK = 0,
	SFU_ERR_ROOM_NAME = 1,      /* room name fails the rules of sfu_room_name_normalize */
	SFU_ERR_DISPLAY_NAME,       /* display name not UTF-8, too long, or has control characters */
	SFU_ERR_SDP,                /* SDP unparsable or without a usable audio/video section */
	SFU_ERR_STATE,              /* e.g. publish twice, answer without an outstanding offer */
	SFU_ERR_STALE,              /* an answer to an offer that was superseded */
	SFU_ERR_ROOM_FULL,
	SFU_ERR_INTERNAL,
	SFU_ERR_NO_ROOM,            /* viewers: the room has no media (nobody in it) */
	SFU_ERR_BUSY,               /* viewers: as many watch as the room or the server allows */
};

struct sfu_config {
	const char *public_ip;      /* address put in ICE candidates */
	uint16_t media_port;        /* the one UDP port for all media */
	const char *bind_ip;        /* address the UDP socket binds to (default: public_ip) */
	uint16_t media_tcp_port;    /* ICE-TCP (RFC 6544 passive candidate) on this port; 0: none */
	unsigned media_tcp_max;     /* media TCP connections open at once (0: SFU_MEDIA_TCP_MAX_DEFAULT) */
	const char *media_tcp_bind; /* address the ICE-TCP port binds to (default: bind_ip) */
	unsigned max_room_participants;
	unsigned max_videos;        /* most camera videos forwarded to one subscriber (0: 25) */
	unsigned workers;           /* media threads, each with its own UDP port (media_port + i);
	                               0: media on the caller's loop, one port */
	const struct clock_src *clock;   /* NULL: the system's monotonic clock (tests drive time) */
	bool keep_unused_layers;    /* never tell publishers to pause simulcast layers nobody receives */
	unsigned max_viewers;       /* WHEP viewers on this server (0: SFU_MAX_VIEWERS_DEFAULT) */
	unsigned max_room_viewers;  /* and of one room (0: as many as the server allows) */
};

#define SFU_MAX_VIEWERS_DEFAULT 500

enum sfu_media_kind { SFU_KIND_AUDIO = 0, SFU_KIND_VIDEO = 1 };
/* What a published track carries; the client labels each m-line of its publish offer. */
enum sfu_source { SFU_SOURCE_MICROPHONE = 0, SFU_SOURCE_CAMERA, SFU_SOURCE_SCREEN, SFU_SOURCE_COUNT };

/* One track offered to a subscriber, in the order of the m-lines of the subscribe offer. */
struct sfu_track_info {
	char mid[16];
	uint32_t participant_id;    /* whose track it is */
	enum sfu_media_kind kind;
	enum sfu_source source;
	bool active;                /* false: the m-line is kept but inactive (track gone) */
};

/* How well a participant's connection carries the meeting, as plenum sees it (the worse of its
 * uplink and downlink): see src/sfu/quality.c. */
enum sfu_quality { SFU_QUALITY_GOOD = 0, SFU_QUALITY_FAIR, SFU_QUALITY_POOR };

struct sfu_participant_info {
	uint32_t id;
	const char *name;
	bool audio_muted, video_muted;
	bool publishing;
	bool music;                 /* publishes in music mode */
	enum sfu_quality quality;
};

#define SFU_DOWNLINK_PAUSED_MAX 64

/* A subscriber's own downlink: the estimate, and the videos it asked for that plenum does not
 * send because that estimate cannot carry them (audio first). */
struct sfu_downlink_info {
	uint64_t estimate_bps;
	uint32_t rtt_ms;
	double loss;                /* 0..1, as the subscriber last reported it */
	enum sfu_quality quality;
	struct { uint32_t participant_id; enum sfu_source source; } paused[SFU_DOWNLINK_PAUSED_MAX];
	size_t n_paused;
	/* videos its browser refused in the subscribe answer: it cannot decode their codec (H.264) */
	struct { uint32_t participant_id; enum sfu_source source; } unsupported[SFU_DOWNLINK_PAUSED_MAX];
	size_t n_unsupported;
};

/* The simulcast layers of one published video that some subscriber receives (data saver: the
 * publisher's browser stops encoding the others). */
struct sfu_publish_layers {
	char mid[32];
	char rids[3][16];
	bool active[3];
	size_t n;
};

/* MOVED: into another group of the same meeting (sfu_move) — still in the meeting. */
enum sfu_leave_reason { SFU_LEFT_BYE = 0, SFU_LEFT_TIMEOUT, SFU_LEFT_CLOSED, SFU_LEFT_REMOVED, SFU_LEFT_ENDED,
                        SFU_LEFT_MOVED };

/* Events for one participant's signaling connection. All are called on the thread of the loop
 * given to sfu_new (the media workers queue them there). */
struct sfu_events {
	void (*participant_joined)(void *arg, const struct sfu_participant_info *p);
	void (*participant_left)(void *arg, uint32_t id, enum sfu_leave_reason reason);
	void (*participant_updated)(void *arg, const struct sfu_participant_info *p);
	/* The server's (re-)offer for this participant's subscribe PeerConnection. */
	void (*subscribe_offer)(void *arg, uint32_t version, const char *sdp,
	                        const struct sfu_track_info *tracks, size_t n_tracks);
	/* The server dropped this participant (media timed out, removed by a host, meeting ended);
	 * no more events follow and the participant is freed right after. */
	void (*dropped)(void *arg, enum sfu_leave_reason reason);
	/* The room's dominant speaker changed (RFC 6464 audio levels); 0 = nobody speaks. */
	void (*active_speaker)(void *arg, uint32_t participant_id);
	/* This participant's downlink changed quality or paused videos (at most about once a second). */
	void (*downlink)(void *arg, const struct sfu_downlink_info *d);
	/* Which simulcast layers of one of this participant's published videos are received. */
	void (*publish_layers)(void *arg, const struct sfu_publish_layers *l);
};

struct sfu_stats {
	uint64_t rooms, participants;
	uint64_t viewers, viewer_packets_sent;   /* WHEP viewers now; RTP packets sent to viewers */
	uint64_t rtp_packets_received, rtp_packets_sent, rtp_bytes_received, rtp_bytes_sent;
	uint64_t rtcp_packets_received, rtcp_packets_sent;
	uint64_t dropped_malformed_stun, dropped_malformed_rtp, dropped_malformed_rtcp;
	uint64_t dropped_srtp_auth, dropped_unknown_source, dropped_dtls, dropped_unknown_ssrc;
	uint64_t dropped_send;
	uint64_t nack_retransmits, keyframe_requests;
	uint64_t nack_retransmits_dropped, nack_duplicates;
	uint64_t probe_padding_packets, probes;   /* downlink probing: padding packets, clusters */
	uint64_t videos_paused_bw;                /* videos not sent now for want of a subscriber's bandwidth */
	uint64_t pub_layers_paused, pub_layers_resumed, pub_layers_off;   /* data saver at publishers */
	uint64_t layer_switches, twcc_feedback_received, twcc_feedback_sent;
	uint64_t subscriber_estimate_bps_sum;   /* sum of subscribers' downlink estimates */
	/* ICE-TCP: connections accepted; closed before carrying media, by reason (the open-link
	 * limit, the pending caps, no first bytes in time, not ICE, no valid check in time on a
	 * worker, bad framing); open now; frames shed because a TCP reader fell behind (video
	 * first, then any) */
	uint64_t tcp_accepted, tcp_links_open;
	uint64_t tcp_refused_limit, tcp_refused_pending, tcp_refused_timeout, tcp_refused_not_ice;
	uint64_t tcp_closed_unbound, tcp_closed_bad_framing, tcp_evicted_unbound;
	uint64_t tcp_shed_video, tcp_shed_all, tcp_bytes_sent;
};

int sfu_new(struct sfu **out, uv_loop_t *loop, const struct sfu_config *cfg);
void sfu_free(struct sfu *sfu);
void sfu_get_stats(const struct sfu *sfu, struct sfu_stats *st);
/* The media port actually bound (useful when configured as 0). */
uint16_t sfu_media_port(const struct sfu *sfu);
/* The ICE-TCP port actually bound; 0 without ICE-TCP. */
uint16_t sfu_media_tcp_port(const struct sfu *sfu);
/* Shares the ICE-TCP port with the web server: every connection that is not ICE goes to
 * web(arg, fd) unread, on the caller's loop; the fd is web's to keep or close. */
void sfu_media_tcp_share(struct sfu *sfu, void (*web)(void *arg, int fd), void *arg);
/* Media threads (1 when media runs on the caller's loop). */
unsigned sfu_worker_count(const struct sfu *sfu);

/* Lowercases and checks a room name: 1..64 chars of [a-z0-9._-] after lowercasing, no leading
 * or trailing '.', '-' or '_'. Writes the canonical form; 0 or -SFU_ERR_ROOM_NAME. */
int sfu_room_name_normalize(const char *in, char out[SFU_ROOM_NAME_MAX + 1]);
/* A room key: a room name, or "SCOPE/NAME" with SCOPE 1..32 chars of [a-z0-9-] — the same name in
 * two scopes is two rooms. Writes the canonical key (the name normalised); 0 or -SFU_ERR_ROOM_NAME. */
int sfu_room_key_normalize(const char *in, char out[SFU_ROOM_KEY_MAX + 1]);
/* Checks a display name: valid UTF-8, 1..64 bytes, no control characters. 0 or -SFU_ERR_DISPLAY_NAME. */
int sfu_display_name_check(const char *name);

/* Joins the room of a room key (see sfu_room_key_normalize), creating it on first join. On success *out is the participant; `events`
 * and `arg` receive this participant's events until sfu_leave or `dropped`. The caller gets
 * the current participants through participant_joined events fired before this returns. */
int sfu_join(struct sfu *sfu, const char *room, const char *display_name,
             const struct sfu_events *events, void *arg, struct sfu_participant **out);
uint32_t sfu_participant_id(const struct sfu_participant *p);
/* The room's canonical key (lowercase; "SCOPE/NAME" when joined with a scope). */
const char *sfu_participant_room(const struct sfu_participant *p);
/* The client's label for one m-line of its publish offer. */
struct sfu_publish_track {
	char mid[32];
	enum sfu_source source;
};
struct sfu_publish_opts {
	bool music;                 /* stereo, high-bitrate Opus for music (no voice processing) */
	const struct sfu_publish_track *tracks;   /* labels by mid; unlabelled: microphone/camera */
	size_t n_tracks;
};
/* Handles the browser's publish offer — the first, or a renegotiation that adds or removes
 * tracks (e.g. a screen share); *answer is malloc'd SDP the caller frees. opts may be NULL. */
int sfu_publish(struct sfu_participant *p, const char *offer_sdp, const struct sfu_publish_opts *opts,
                char **answer);
/* The browser's answer to subscribe_offer `version`. */
int sfu_subscribe_answer(struct sfu_participant *p, uint32_t version, const char *answer_sdp);
/* Mute state as the participant reports it; others get participant_updated. */
int sfu_set_media_state(struct sfu_participant *p, bool audio_muted, bool video_muted);
/* Leaves the room (others get participant_left with `why`: BYE for a leave request, CLOSED
 * when the connection closed); p is freed. Not from inside p's own event callbacks. */
void sfu_leave(struct sfu_participant *p, enum sfu_leave_reason why);
/* Moderation: removes p (p's `dropped` fires with `why`, the others get participant_left). */
void sfu_remove(struct sfu_participant *p, enum sfu_leave_reason why);
/* Breakout groups: a meeting's room key KEY is its main room; its groups are the rooms
 * "KEY~1" .. "KEY~SFU_GROUPS_MAX", always on the same media thread as KEY (a family of rooms
 * shares a worker), so that a participant moves between them keeping both PeerConnections. */
#define SFU_GROUPS_MAX 20
#define SFU_ROOM_GROUP_KEY_MAX (SFU_ROOM_KEY_MAX + 3)   /* "KEY~20" */
/* Moves p to group `group` of the meeting it joined (0: the main room). The others of its old room
 * get participant_left SFU_LEFT_MOVED, p gets it for each of them; then, as in sfu_join, p and the
 * new room's members get participant_joined of each other, and subscribe offers follow (p loses
 * the old room's tracks and gains the new room's; its publish PeerConnection is untouched).
 * Speakers, last-N, taps and viewers are per room. 0 (also when already there), -SFU_ERR_STATE
 * (group out of range, or p is leaving), -SFU_ERR_ROOM_FULL, -SFU_ERR_INTERNAL. */
int sfu_move(struct sfu_participant *p, unsigned group);
/* The group p is in (0: the main room). */
unsigned sfu_participant_group(const struct sfu_participant *p);
/* Moderation: stops forwarding p's track(s) of `source` until p unmutes it itself through
 * sfu_set_media_state (a host can mute, never unmute). */
int sfu_force_mute(struct sfu_participant *p, enum sfu_source source);

/* A subscriber's wishes for the video it receives (from its layout): at most `last_n` camera
 * videos (the most recent speakers first; 0 = server default), pinned participants always,
 * screens always, and per remote participant the largest tile height it shows. */
struct sfu_video_pref {
	uint32_t participant_id;
	enum sfu_source source;
	uint16_t max_height;        /* 0: not shown (no video needed) */
};
int sfu_set_video_prefs(struct sfu_participant *p, unsigned last_n, const struct sfu_video_pref *prefs,
                        size_t n_prefs, const uint32_t *pinned, size_t n_pinned);

/* A tap: every RTP payload a room's publishers send, unencrypted, handed to a recorder on the
 * room's media thread — audio tracks, and of each video the best simulcast layer arriving (the
 * data saver keeps it on while tapped) — plus the room's dominant speaker changes. A tapped video
 * is asked for a keyframe when the tap starts and whenever its tapped layer changes. */
struct sfu_tap_media {
	uint32_t participant_id;
	uint32_t track_no;          /* stable per participant: one file per (participant, track_no) */
	enum sfu_media_kind kind;
	enum sfu_source source;
	int layer;                  /* the simulcast layer this packet belongs to (0: the only one) */
	bool marker, keyframe;      /* keyframe: VP8 packet that starts a keyframe */
	int slot;                   /* its track in the composed programme (SFU_TAP_*), -1: none */
	uint16_t seq;
	uint32_t ts;
	uint16_t width, height;     /* video: the layer's size from its last keyframe (0: unknown) */
	const uint8_t *payload;     /* the RTP payload (VP8 payload descriptor included) */
	size_t payload_len;
	uint64_t now_us;            /* the sfu clock's arrival time */
};
/* The composed programme's tracks (a packet's slot): the programme's video (sfu_programme_pick),
 * the speaker's camera beside a shared screen, and the voices of the loudest few, each keeping its
 * slot while it stays among them. */
#define SFU_TAP_MAIN 0              /* video: the shared screen, else the speaker's camera */
#define SFU_TAP_SIDE 1              /* video: the speaker's camera while a screen is shared */
#define SFU_TAP_VOICES 3            /* audio: slots 0 .. SFU_TAP_VOICES - 1 (SFU_AUDIO_TOP_N) */
struct sfu_tap_ops {
	/* On the room's media thread: fast, never blocks. true: the tap lost this video's frames and
	 * asks for a keyframe (sent at most every SFU_PLI_MIN_INTERVAL_US). */
	bool (*media)(void *arg, const struct sfu_tap_media *m);
	void (*speaker)(void *arg, uint32_t participant_id, uint64_t now_us);   /* 0: nobody speaks */
	/* On the signaling loop: the room closed (its last member left); the tap is gone. */
	void (*ended)(void *arg);
};
#define SFU_TAPS_MAX 4          /* taps of one room (a recording and a stream need two) */
/* Adds a tap (ops, arg) to a room; synchronous. ENOENT: no such room; EBUSY: the room has
 * SFU_TAPS_MAX taps, or this one already. */
int sfu_tap(struct sfu *sfu, const char *room_key, const struct sfu_tap_ops *ops, void *arg);
/* Removes the tap (ops, arg); synchronous: after it returns, none of its callbacks runs any more.
 * A tap the room does not have (or no room) is ignored. */
void sfu_untap(struct sfu *sfu, const char *room_key, const struct sfu_tap_ops *ops, void *arg);
/* WHEP viewers (draft-ietf-wish-whep): the public watches a room's programme (sfu_programme_pick:
 * the screen or the speaker, and the speaker's voice) without being a participant. */
struct sfu_viewer;
/* A receive-only viewer of room_key's programme from a WHEP offer (recvonly audio+video, BUNDLE);
 * *answer is malloc'd SDP. closed(arg) fires (on the signaling loop) when its transport times out
 * or the room's last participant left; the caller still calls sfu_viewer_close then (it may do so
 * inside `closed`). Errors: -SFU_ERR_ROOM_NAME, -SFU_ERR_NO_ROOM (nobody in the room),
 * -SFU_ERR_BUSY (the room's or the server's viewer budget), -SFU_ERR_SDP, -SFU_ERR_INTERNAL. */
int sfu_view(struct sfu *sfu, const char *room_key, const char *offer_sdp,
             void (*closed)(void *arg), void *arg, struct sfu_viewer **out, char **answer);
/* Ends the viewer (if it has not ended) and frees it; no `closed` follows. NULL is a no-op. */
void sfu_viewer_close(struct sfu_viewer *v);

#endif
