/* lg: the load generator's shared types — participants, simulated PeerConnections, RTP streams,
 * the signaling adapter interface and the measurement state. One process, one libuv loop. */
#ifndef PLENUM_TOOLS_LOADGEN_LG_H
#define PLENUM_TOOLS_LOADGEN_LG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include <jansson.h>
#include <uv.h>

#include "base/clock.h"
#include "net/tcp_framing.h"
#include "rtp/rtp.h"
#include "srtp/srtp.h"

#define SRTP_MAX_TRAILER SRTP_SESS_MAX_OVERHEAD

struct dtls_conn;
struct sdp_session;
struct dtls_cert;
struct srtp_sess;
struct lg;
struct lg_part;
struct lg_ws;
struct twcc_recorder;

#define LG_MTU_PAYLOAD 1200        /* most RTP payload bytes per packet (codec header included) */
#define LG_PKT_CAP 1500            /* one datagram buffer */
#define LG_TAG_LEN 16              /* magic(2) id(2) seq(4) send time µs(8) */
#define LG_TAG_MAGIC 0x4C47        /* "LG" */
#define LG_HIST 256                /* sent video packets kept per stream for NACKs (power of two) */
#define LG_TICK_MS 1
#define LG_MAX_TX 8                /* outgoing RTP streams per publish PC */
#define LG_BATCH 64                /* datagrams per sendmmsg */

enum lg_kind { LG_AUDIO, LG_VIDEO };
enum lg_src { LG_SRC_AUDIO, LG_SRC_Q, LG_SRC_H, LG_SRC_F, LG_SRC_SCREEN };   /* F: also a camera without simulcast */

/* ---- outgoing streams (publish side) ---------------------------------------------------------- */
struct lg_hist_pkt { uint16_t seq, len; uint8_t data[LG_MTU_PAYLOAD + 64]; };

struct lg_tx {
	enum lg_kind kind;
	bool active;                 /* negotiated and sent */
	bool paused;                 /* the server said publish_layers active:false for this rid (data saver) */
	bool screen;
	char mid[8], rid[4];
	uint8_t mline;               /* index into the offer's m-lines */
	uint32_t ssrc, rtx_ssrc;
	uint8_t pt, rtx_pt;          /* from the answer */
	uint16_t seq, rtx_seq;
	uint32_t ts0;
	uint16_t tag_id;
	uint32_t tag_seq;
	/* video */
	uint16_t width, height;
	uint32_t bitrate;
	unsigned fps;
	uint16_t picture_id;
	uint8_t tl0;
	uint64_t next_frame_us, last_key_us, last_key_req_us;
	bool key_wanted;
	/* the frame being paced out, as libwebrtc's pacer does: 2.5× the layer's rate in 5 ms steps */
	uint32_t frame_ts;
	uint16_t frame_npk, frame_next;
	uint32_t frame_per;
	bool frame_key;
	int64_t pace_bytes;          /* what may be sent now (negative: sent ahead) */
	uint64_t pace_at_us;
	/* audio */
	uint64_t next_audio_us;
	uint32_t audio_n;
	/* RTCP sender info */
	uint32_t pkts, octets;
	uint64_t keyframes_sent, retransmits;
	struct lg_hist_pkt *hist;    /* LG_HIST entries, video only */
};

/* A sequence-number window: runs of one id, 512 numbers deep for reordering and duplicates. */
struct lg_seqwin {
	bool open;
	uint16_t id;
	uint32_t base, max, recv;
	uint64_t bits[8];            /* bit k: number max - k was seen */
	uint64_t expected, received; /* closed runs */
};
void lg_seqwin_add(struct lg_seqwin *w, uint16_t id, uint32_t seq);
void lg_seqwin_totals(const struct lg_seqwin *w, uint64_t *expected, uint64_t *received);

/* ---- incoming streams (subscribe side) -------------------------------------------------------- */
struct lg_rx {
	uint32_t ssrc, rtx_ssrc;
	enum lg_kind kind;
	uint8_t pt, rtx_pt;
	bool nack_ok;
	bool h264;                   /* video in H.264 (the offer's codec), else VP8 */
	char mid[16];
	bool got_rtp;
	struct rtp_recv_stats rs;
	uint64_t first_us, last_pli_us, keyframes;
	uint64_t pkts, bytes;        /* in the window */
	/* loss: gaps in the RTP sequence as received (what a browser reports; RTX repairs count as
	 * received) and gaps in the publisher's tag sequence (packets the server did not forward,
	 * by choice — layer switches, loudest-N, last-N — or lost) */
	struct lg_seqwin rtp, src;
	uint32_t ext_max;            /* extended RTP sequence of the newest packet */
};

/* ---- one simulated PeerConnection ------------------------------------------------------------- */
enum lg_pc_state { PC_IDLE, PC_ICE, PC_DTLS, PC_UP, PC_FAILED };

struct lg_pc {
	struct lg *lg;
	struct lg_part *part;
	bool is_pub;
	int fd;
	bool tcp;                    /* media over a TCP connection to the server's passive candidate */
	struct net_deframer *deframer;
	uv_poll_t poll;
	bool poll_init;
	uint16_t local_port;
	struct sockaddr_in remote;
	bool have_remote;
	char lufrag[16], lpwd[40], rufrag[256], rpwd[256];
	char fp_alg[16], fp[160];
	uint64_t tiebreaker;
	bool dtls_server;            /* the remote said setup:active */
	bool dtls_heard;             /* a DTLS record came from the peer */
	uint64_t dtls_start_us;
	unsigned dtls_restarts;
	enum lg_pc_state state;
	uint64_t t_begin, t_up, next_check_us, next_consent_us, next_rtcp_us, last_resp_us;
	unsigned checks_sent, stun_errors, last_stun_error;
	uint8_t tid[16][12];          /* outstanding checks: a loaded server answers late */
	unsigned tid_next;
	struct dtls_conn *dtls;
	struct srtp_sess *srtp_tx, *srtp_rx;
	uint32_t rtcp_ssrc;
	uint16_t twcc_seq;
	uint8_t ext_mid, ext_level, ext_rid, ext_rrid, ext_twcc;   /* publish: from the answer; subscribe: twcc */
	struct twcc_recorder *twcc;  /* subscribe: arrivals for transport-cc feedback */
	uint64_t next_twcc_us;
	struct lg_tx tx[LG_MAX_TX];
	size_t n_tx;
	struct lg_rx *rx;            /* subscribe side */
	size_t n_rx, cap_rx;
	size_t rx_last;
	uint64_t stun_bad, srtp_bad, rtcp_in;
	uint64_t win_bytes_sent;     /* SRTP/SRTCP bytes sent in the window (publish side: the uplink) */
	char *fail_reason;
};

/* ---- signaling adapters ----------------------------------------------------------------------- */
struct lg_sig_ops {
	const char *name, *subprotocol;
	bool rids_high_first;        /* simulcast encodings listed f;h;q (janus.js) instead of q;h;f */
	void (*open)(struct lg_part *p);                              /* WebSocket is up */
	void (*message)(struct lg_part *p, const char *text, size_t len);
	void (*tick)(struct lg_part *p, uint64_t now_us);             /* keepalives, retries */
	bool (*settled)(const struct lg_part *p);                     /* nothing in flight */
	void (*free)(struct lg_part *p);
	void (*describe)(const struct lg_part *p, char *out, size_t cap);   /* for failure reports */
	/* --focus-check: show one camera large (a 720 px tile), as a viewer who pins it; NULL: not
	 * supported by this adapter. Returns false when there was no camera to pick. */
	bool (*focus)(struct lg_part *p);
	/* the measured window ended (the host stops a recording it started); NULL: nothing to do */
	void (*window_end)(struct lg_part *p);
};
extern const struct lg_sig_ops lg_sig_plenum, lg_sig_janus;

/* ---- one participant -------------------------------------------------------------------------- */
struct lg_part {
	struct lg *lg;
	unsigned room, index, global_index;
	char name[32];
	bool camera, screen, speaker;
	struct lg_ws *ws;
	void *sig;                   /* adapter state */
	bool started, joined, ready, failed, ws_closed;
	uint64_t t_start, t_joined, t_ready;
	struct lg_pc *pub, *sub;
	bool sub_offered;
	bool whep;                   /* a WHEP viewer: no WebSocket; its one PC is `sub`, offered by us */
	unsigned whep_tries;         /* POSTs answered 429/503 (retried) */
	uint64_t whep_retry_us;
	char fail_reason[96];
};

/* ---- options and the whole run ---------------------------------------------------------------- */
struct lg_opts {
	const char *server, *url, *json_path;
	unsigned rooms, participants, cameras, screens, speakers, duration_s, ramp_ms, setup_timeout_s;
	unsigned drop_pct;   /* subscribers discard this share of first-time video packets (simulated loss) */
	unsigned camera_tile;   /* height of each camera tile a subscriber reports, as the web client does; 0: none */
	unsigned warmup_s;      /* seconds between everyone ready and quiet and the window (default 1) */
	bool ignore_layers;     /* --ignore-publish-layers: send every layer whatever publish_layers says */
	bool focus_check;       /* after the window, one viewer pins a camera large: time until its top layer arrives */
	bool simulcast, quiet, check, verbose;
	bool h264;                   /* --codec h264: cameras and screens publish H.264 (RFC 6184), not VP8 */
	bool tcp_subscribers;        /* subscribe PCs over ICE-TCP (RFC 6544 active, RFC 4571 framing) */
	unsigned whep_viewers;       /* WHEP viewers of room 0 (plenum: its host starts streaming, gets the link) */
	bool record;                 /* room 0's host records the meeting from before the window to its end */
	int server_pid;
	char host[128], path[256];
	uint16_t port;
};

#define LG_HIST_BUCKETS (64 * 16)
struct lg_hist { uint64_t n, max; uint64_t b[LG_HIST_BUCKETS]; };
void lg_hist_add(struct lg_hist *h, uint64_t v);
uint64_t lg_hist_pct(const struct lg_hist *h, double p);

struct lg {
	uv_loop_t *loop;
	struct lg_opts o;
	const struct lg_sig_ops *sig;
	struct dtls_cert *cert;
	struct lws_context *lws;
	struct lg_part *parts;
	unsigned n_parts, n_started;
	uv_timer_t tick;
	uint64_t t0, last_tick_us, window_start_us, window_end_us, all_ready_us;
	bool measuring, done;
	uint64_t max_lag_us;
	uint16_t next_tag_id;
	/* window counters */
	uint64_t pub_packets, sub_packets, sub_bytes, retransmits_sent, nacks_sent, plis_sent;
	uint64_t dropped_on_purpose, repaired;   /* --drop-pct: discarded, and recovered by retransmission */
	uint64_t pub_bytes;                      /* SRTP/SRTCP bytes all publish PCs sent (the uplink) */
	/* data saver (publish_layers): layers paused now; pauses and resumes over the run and in the window */
	unsigned layers_paused, layers_paused_at_start, layers_paused_at_end, layers_paused_max;
	/* what the subscribers received in the window by what was sent: the tag id names the
	 * publisher's stream (LG_SRC_*) */
	uint8_t tag_src[65536];
	uint64_t sub_packets_by_src[5];
	uint64_t layer_pauses, layer_resumes, layer_pauses_win, layer_resumes_win;
	/* WHEP viewers and the host's recording/streaming (whep.c, sig_plenum.c) */
	struct lg_part *viewers;
	unsigned n_viewers, n_viewers_started;
	uint64_t next_viewer_us;
	char whep_path[256];         /* from the host's stream_links: /whep/ROOM */
	char *whep_token;
	bool streaming, recording;   /* the host's streaming_start / recording_start succeeded */
	char out_error[96];          /* why streaming or recording could not start */
	double rec_start_unix, rec_stop_unix;
	uint64_t whep_packets, whep_bytes;   /* RTP the viewers received in the window */
	/* --focus-check */
	struct lg_part *focus_part;
	uint64_t focus_start_us, focus_done_us;
	unsigned focus_height;                   /* frame height of the keyframe that ended it */
	uint64_t focus_resume_us;                /* a publisher was told to resume a layer, after the pin */
	uint64_t focus_rx[5];                    /* what the viewer received after the pin, by LG_SRC_* */
	bool focusing;
	struct lg_hist delay, lag;
	double cpu_window_s, server_cpu_s;
	double window_start_unix, window_end_unix;   /* CLOCK_REALTIME, for matching the server's /metrics */
	int exit_code;
	/* batch send */
	struct mmsghdr *mm;
	struct iovec *iov;
	uint8_t (*bufs)[LG_PKT_CAP];
	size_t n_batch;
	struct lg_pc *batch_pc;
	/* scratch */
	uint8_t scratch[LG_PKT_CAP];
	char *sdp_buf;               /* 256 KB for writing SDP */
};

/* Logging: errors always, info unless --quiet, debug with --verbose. */
void lg_log(struct lg *lg, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The simulcast layer (0 = lowest of q/h/f) a server picks for a tile of that height: the highest whose
 * height is at most 5/4 of the tile's, as plenum's layer choice does. */
unsigned lg_layer_for_tile(unsigned tile_height);
#define LG_ERR 0
#define LG_INFO 1
#define LG_DBG 2

/* ws.c — a WebSocket client on the loop (libwebsockets). */
int lg_ws_init(struct lg *lg);
void lg_ws_done(struct lg *lg);
int lg_ws_open(struct lg_part *p);
int lg_ws_send(struct lg_part *p, const char *text, size_t len);
int lg_ws_send_json(struct lg_part *p, json_t *msg);   /* steals msg */
void lg_ws_close(struct lg_part *p);

/* pc.c — transport of a simulated PeerConnection: socket, ICE (controlling, aggressive
 * nomination; answers the peer's checks too), DTLS client, SRTP. */
int lg_pc_new(struct lg *lg, struct lg_part *p, bool is_pub, struct lg_pc **out);
void lg_pc_free(struct lg_pc *pc);
/* Remote credentials and candidate from an SDP; starts ICE when they changed. 0 or an errno. */
int lg_pc_set_remote(struct lg_pc *pc, const char *sdp_text, const struct sdp_session *s);
void lg_pc_tick(struct lg_pc *pc, uint64_t now);
void lg_pc_fail(struct lg_pc *pc, const char *why);
/* Batched, protected sends: take a slot, fill `len` bytes of plain RTP/RTCP, commit. */
uint8_t *lg_tx_slot(struct lg_pc *pc);
void lg_tx_commit(struct lg_pc *pc, size_t len, bool rtcp);
void lg_tx_flush(struct lg *lg);
int lg_pc_send_raw(struct lg_pc *pc, const uint8_t *buf, size_t len);

/* media.c — synthetic Opus/VP8 publishing, NACK/PLI answers, SR; receive statistics, RR, PLI. */
void lg_media_tx_init(struct lg *lg, struct lg_pc *pc);
void lg_media_tx_tick(struct lg_pc *pc, uint64_t now);
void lg_media_rtcp_in(struct lg_pc *pc, const uint8_t *buf, size_t len, uint64_t now);
void lg_media_rtp_in(struct lg_pc *pc, const uint8_t *buf, size_t len, size_t wire_len, uint64_t now);
void lg_media_rx_tick(struct lg_pc *pc, uint64_t now);
void lg_media_window_start(struct lg_pc *pc);
/* Data saver: stop (paused) or resume one simulcast layer, as a browser sets encodings[i].active.
 * A paused layer sends nothing (no RTP, RTX or SR); a resumed one starts with a keyframe. */
void lg_media_tx_set_paused(struct lg_pc *pc, struct lg_tx *t, bool paused, uint64_t now);
struct lg_rx *lg_rx_add(struct lg_pc *pc, uint32_t ssrc);

/* sdpgen.c — the Chromium-shaped publish offer, its answer applied; the subscribe answer. */
int lg_sdp_publish_offer(struct lg_pc *pc, char *out, size_t cap);
int lg_sdp_publish_apply_answer(struct lg_pc *pc, const char *sdp);
/* Builds the answer to a server offer and updates the PC's receive table; starts ICE. */
int lg_sdp_subscribe_answer(struct lg_pc *pc, const char *offer, char *out, size_t cap);

/* sdpgen.c — a WHEP viewer's recvonly offer (Opus + VP8, BUNDLE, rtcp-mux) and the server's answer. */
int lg_sdp_whep_offer(struct lg_pc *pc, char *out, size_t cap);
int lg_sdp_whep_apply_answer(struct lg_pc *pc, const char *answer);

/* whep.c — WHEP viewers: POST the offer over plain HTTP once the host has the link, then receive. */
int lg_whep_init(struct lg *lg);
void lg_whep_set_link(struct lg *lg, const char *url, const char *token);
void lg_whep_tick(struct lg *lg, uint64_t now);
bool lg_whep_settled(const struct lg *lg);
void lg_whep_window_start(struct lg *lg);
void lg_whep_report(struct lg *lg, json_t *j);   /* j NULL: print only */

/* main.c — what adapters call. */
int lg_part_publish_offer(struct lg_part *p, char **sdp_out);   /* NULL offer: nothing to publish */
int lg_part_publish_answer(struct lg_part *p, const char *sdp);
int lg_part_subscribe_offer(struct lg_part *p, const char *sdp, char **answer_out);
void lg_part_joined(struct lg_part *p);
void lg_part_fail(struct lg_part *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool lg_part_wants_publish(const struct lg_part *p);
double lg_unix_now(void);   /* CLOCK_REALTIME seconds */

static inline uint64_t lg_now(void) { return clock_mono_us(); }

#endif
