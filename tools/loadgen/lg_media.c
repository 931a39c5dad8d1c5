/* lg_media: synthetic media of the load generator — Opus-like audio with audio levels, VP8 frames
 * with valid payload descriptors and keyframe headers (or H.264: STAP-A of SPS and PPS, FU-A),
 * NACK/PLI/FIR answers and sender reports on the publish side; delay, loss, keyframes, receiver
 * reports, NACKs and PLIs on the subscribe side. RFC 7741 (VP8 RTP), RFC 6386 §9.1, RFC 6184
 * (H.264 RTP), RFC 6464 (audio level), RFC 4588 (RTX), RFC 3550, RFC 4585. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "codec/h264.h"
#include "codec/vp8.h"
#include "rtcp/rtcp.h"
#include "rtcp/twcc.h"
#include "rtp/rtp.h"

#include "lg.h"

#define KEY_INTERVAL_US 3000000
#define KEY_MIN_GAP_US 1000000
#define AUDIO_PTIME_US 20000
#define VP8_DESC_LEN 6

/* ---- the 16-byte tag every payload carries ----------------------------------------------------- */

static void tag_write(uint8_t *p, uint16_t id, uint32_t seq, uint64_t now)
{
	wr16(p, LG_TAG_MAGIC);
	wr16(p + 2, id);
	wr32(p + 4, seq);
	wr32(p + 8, (uint32_t)(now >> 32));
	wr32(p + 12, (uint32_t)now);
}

/* ---- publish ----------------------------------------------------------------------------------- */

static struct lg_tx *tx_add(struct lg *lg, struct lg_pc *pc, enum lg_kind kind, unsigned mline)
{
	if (pc->n_tx == LG_MAX_TX)
		return NULL;
	struct lg_tx *t = &pc->tx[pc->n_tx++];
	memset(t, 0, sizeof *t);
	t->kind = kind;
	t->mline = (uint8_t)mline;
	snprintf(t->mid, sizeof t->mid, "%u", mline);
	t->ssrc = util_random_u32();
	t->rtx_ssrc = util_random_u32();
	t->seq = (uint16_t)util_random_u32();
	t->rtx_seq = (uint16_t)util_random_u32();
	t->ts0 = util_random_u32();
	t->tag_id = lg->next_tag_id++;
	t->picture_id = (uint16_t)(util_random_u32() & 0x7fff);
	if (kind == LG_VIDEO)
		t->hist = calloc(LG_HIST, sizeof *t->hist);
	return t;
}

static void video_layer(struct lg_tx *t, const char *rid, uint16_t w, uint16_t h, uint32_t bps, unsigned fps)
{
	snprintf(t->rid, sizeof t->rid, "%s", rid);
	t->width = w;
	t->height = h;
	t->bitrate = bps;
	t->fps = fps;
}

/* The camera's simulcast layers, lowest first (as Chromium sends a 720p camera). */
static const struct { const char *rid; uint16_t w, h; uint32_t bps; unsigned fps; } CAMERA[] = {
	{ "q", 320, 180, 150000, 15 }, { "h", 640, 360, 500000, 30 }, { "f", 1280, 720, 1500000, 30 },
};
#define N_CAMERA (sizeof CAMERA / sizeof CAMERA[0])

unsigned lg_layer_for_tile(unsigned tile_height)
{
	unsigned layer = 0;
	for (unsigned i = 0; i < N_CAMERA; i++)
		if (CAMERA[i].h <= tile_height * 5 / 4)
			layer = i;
	return layer;
}

void lg_media_tx_init(struct lg *lg, struct lg_pc *pc)
{
	struct lg_part *p = pc->part;
	unsigned m = 0;
	uint64_t now = lg_now();
	uint64_t phase = util_random_u32() % 33000;
	if (p->speaker) {
		struct lg_tx *t = tx_add(lg, pc, LG_AUDIO, m++);
		t->next_audio_us = now + phase % AUDIO_PTIME_US;
	}
	if (p->camera) {
		if (lg->o.simulcast) {
			for (unsigned k = 0; k < N_CAMERA; k++) {
				unsigned i = lg->sig->rids_high_first ? N_CAMERA - 1 - k : k;
				video_layer(tx_add(lg, pc, LG_VIDEO, m), CAMERA[i].rid, CAMERA[i].w, CAMERA[i].h, CAMERA[i].bps,
				            CAMERA[i].fps);
			}
		} else {
			const unsigned top = N_CAMERA - 1;
			video_layer(tx_add(lg, pc, LG_VIDEO, m), "", CAMERA[top].w, CAMERA[top].h, CAMERA[top].bps, CAMERA[top].fps);
		}
		m++;
	}
	if (p->screen) {
		struct lg_tx *t = tx_add(lg, pc, LG_VIDEO, m++);
		video_layer(t, "", 1920, 1080, 1000000, 5);
		t->screen = true;
	}
	for (size_t i = 0; i < pc->n_tx; i++) {
		struct lg_tx *t = &pc->tx[i];
		t->next_frame_us = now + phase;
		t->last_key_us = 0;
		lg->tag_src[t->tag_id] = t->kind == LG_AUDIO ? LG_SRC_AUDIO : t->screen ? LG_SRC_SCREEN :
		                         strcmp(t->rid, "q") == 0 ? LG_SRC_Q : strcmp(t->rid, "h") == 0 ? LG_SRC_H : LG_SRC_F;
	}
}

static size_t ext_build(struct lg_pc *pc, const struct lg_tx *t, struct rtp_ext_elem *e, uint8_t *twcc,
                        const uint8_t *level, bool repair)
{
	size_t n = 0;
	if (pc->ext_mid)
		e[n++] = (struct rtp_ext_elem){ pc->ext_mid, (uint8_t)strlen(t->mid), (const uint8_t *)t->mid };
	if (pc->ext_twcc) {
		wr16(twcc, pc->twcc_seq++);
		e[n++] = (struct rtp_ext_elem){ pc->ext_twcc, 2, twcc };
	}
	if (level && pc->ext_level)
		e[n++] = (struct rtp_ext_elem){ pc->ext_level, 1, level };
	if (t->rid[0]) {
		uint8_t id = repair ? pc->ext_rrid : pc->ext_rid;
		if (id)
			e[n++] = (struct rtp_ext_elem){ id, (uint8_t)strlen(t->rid), (const uint8_t *)t->rid };
	}
	return n;
}

static void send_rtp(struct lg_pc *pc, struct lg_tx *t, bool marker, uint32_t ts, const uint8_t *payload,
                     size_t plen, const uint8_t *level)
{
	struct lg *lg = pc->lg;
	struct rtp_ext_elem e[5];
	uint8_t twcc[2];
	size_t ne = ext_build(pc, t, e, twcc, level, false);
	uint8_t *slot = lg_tx_slot(pc);
	uint16_t seq = t->seq++;
	size_t len = rtp_write(slot, LG_PKT_CAP - SRTP_MAX_TRAILER, marker, t->pt, seq, ts, t->ssrc, e, ne, payload, plen);
	if (!len)
		return;
	if (t->hist && len <= sizeof t->hist[0].data) {
		struct lg_hist_pkt *hp = &t->hist[seq & (LG_HIST - 1)];
		hp->seq = seq;
		hp->len = (uint16_t)len;
		memcpy(hp->data, slot, len);
	}
	t->pkts++;
	t->octets += (uint32_t)plen;
	if (lg->measuring)
		lg->pub_packets++;
	lg_tx_commit(pc, len, false);
}

static uint32_t rtp_ts_at(const struct lg *lg, const struct lg_tx *t, uint64_t at)
{
	uint64_t rate = t->kind == LG_AUDIO ? 48000 : 90000;
	return t->ts0 + (uint32_t)((at - lg->t0) * rate / 1000000u);
}

static void send_audio(struct lg_pc *pc, struct lg_tx *t, uint64_t due, uint64_t now)
{
	struct lg *lg = pc->lg;
	uint8_t *pl = lg->scratch;
	size_t plen = 60 + util_random_u32() % 41;
	pl[0] = 0x78;   /* TOC: config 15 (hybrid fullband 20 ms), mono, one frame */
	tag_write(pl + 1, t->tag_id, t->tag_seq++, now);
	/* talk spurts: a level between roughly -25 and -60 dBov that drifts */
	double ph = (double)t->audio_n++ * 0.02;
	uint8_t lev = (uint8_t)(42 + 15 * sin(ph * 1.3 + t->tag_id) + 5 * sin(ph * 7.1));
	uint8_t level = 0x80 | (lev & 0x7f);
	send_rtp(pc, t, false, rtp_ts_at(lg, t, due), pl, plen, &level);
}

/* Packet i of the current frame: VP8 descriptor, the frame tag (and keyframe header) on the first,
 * the loadgen tag with the send time. */
static void send_frame_packet(struct lg_pc *pc, struct lg_tx *t, unsigned i, uint64_t now)
{
	struct lg *lg = pc->lg;
	uint8_t *pl = lg->scratch;
	size_t o = 0, per = t->frame_per;
	bool key = t->frame_key;
	pl[o++] = 0x80 | (i == 0 ? 0x10 : 0);          /* X, S on the first packet, PID 0 */
	pl[o++] = 0xE0;                                /* I, L, T */
	pl[o++] = 0x80 | (uint8_t)(t->picture_id >> 8);  /* M: 15-bit picture id */
	pl[o++] = (uint8_t)t->picture_id;
	pl[o++] = t->tl0;
	pl[o++] = 0x20;                                /* TID 0, Y */
	if (i == 0) {
		uint32_t first_part = (uint32_t)(per > 64 ? per / 4 : 16);
		uint32_t tagbits = (key ? 0 : 1) | (0 << 1) | (1 << 4) | (first_part << 5);
		pl[o++] = (uint8_t)tagbits;
		pl[o++] = (uint8_t)(tagbits >> 8);
		pl[o++] = (uint8_t)(tagbits >> 16);
		if (key) {
			pl[o++] = 0x9d; pl[o++] = 0x01; pl[o++] = 0x2a;
			pl[o++] = (uint8_t)t->width; pl[o++] = (uint8_t)(t->width >> 8);
			pl[o++] = (uint8_t)t->height; pl[o++] = (uint8_t)(t->height >> 8);
		}
	}
	tag_write(pl + o, t->tag_id, t->tag_seq++, now);
	o += LG_TAG_LEN;
	size_t plen = per > o ? per : o;
	if (plen > LG_MTU_PAYLOAD)
		plen = LG_MTU_PAYLOAD;
	send_rtp(pc, t, i + 1 == t->frame_npk, t->frame_ts, pl, plen, NULL);
	t->pace_bytes -= (int64_t)plen;
}

/* ---- H.264 (RFC 6184, packetization-mode=1) ----------------------------------------------------- */

struct bitw { uint8_t *p; size_t cap, bits; };

static void put_bits(struct bitw *w, uint32_t v, unsigned n)
{
	while (n--) {
		size_t byte = w->bits / 8;
		if (byte >= w->cap)
			return;
		if (w->bits % 8 == 0)
			w->p[byte] = 0;
		if ((v >> n) & 1u)
			w->p[byte] |= (uint8_t)(0x80u >> (w->bits % 8));
		w->bits++;
	}
}

static void put_ue(struct bitw *w, uint32_t v)
{
	unsigned len = 0;
	for (uint32_t x = v + 1; x > 1; x >>= 1)
		len++;
	put_bits(w, 0, len);
	put_bits(w, v + 1, len + 1);
}

/* A Constrained Baseline SPS (42e01f, poc type 2, one reference frame) for w x h, with frame
 * cropping for sizes that are not whole macroblocks, emulation prevention bytes inserted. */
static size_t h264_sps(uint8_t *out, size_t cap, uint16_t width, uint16_t height)
{
	uint8_t rbsp[32];
	struct bitw w = { rbsp, sizeof rbsp, 0 };
	unsigned wm = (width + 15u) / 16u, hm = (height + 15u) / 16u;
	put_bits(&w, 0x42e01f, 24);
	put_ue(&w, 0);               /* seq_parameter_set_id */
	put_ue(&w, 0);               /* log2_max_frame_num_minus4 */
	put_ue(&w, 2);               /* pic_order_cnt_type */
	put_ue(&w, 1);               /* max_num_ref_frames */
	put_bits(&w, 0, 1);
	put_ue(&w, wm - 1);
	put_ue(&w, hm - 1);
	put_bits(&w, 0x3, 2);        /* frame_mbs_only, direct_8x8_inference */
	bool crop = wm * 16 != width || hm * 16 != height;
	put_bits(&w, crop, 1);
	if (crop) {
		put_ue(&w, 0);
		put_ue(&w, (wm * 16 - width) / 2);
		put_ue(&w, 0);
		put_ue(&w, (hm * 16 - height) / 2);
	}
	put_bits(&w, 0, 1);          /* no VUI */
	put_bits(&w, 1, 1);          /* rbsp_stop_one_bit */
	size_t n = (w.bits + 7) / 8, o = 0;
	unsigned zeros = 0;
	out[o++] = 0x67;
	for (size_t i = 0; i < n && o + 2 < cap; i++) {
		if (zeros >= 2 && rbsp[i] <= 3) {
			out[o++] = 3;
			zeros = 0;
		}
		out[o++] = rbsp[i];
		zeros = rbsp[i] == 0 ? zeros + 1 : 0;
	}
	return o;
}

static const uint8_t h264_pps[] = { 0x68, 0xce, 0x3c, 0x80 };

/* Packet i of the current H.264 frame. A keyframe: a STAP-A of SPS, PPS and (when the frame is one
 * packet) the IDR, else an SEI, then the IDR in FU-A fragments (a single NAL unit when it is one
 * packet). A delta frame: a single NAL unit or FU-A fragments of a P slice. The loadgen tag
 * follows the NAL unit (or FU) header of the packet's last NAL unit. */
static void send_h264_packet(struct lg_pc *pc, struct lg_tx *t, unsigned i, uint64_t now)
{
	struct lg *lg = pc->lg;
	uint8_t *pl = lg->scratch;
	size_t o = 0, per = t->frame_per, last_size = 0;
	bool key = t->frame_key;
	uint8_t type = key ? H264_NAL_IDR : H264_NAL_SLICE, nri = key ? 0x60 : 0x40;
	unsigned first = key ? 1 : 0, frags = t->frame_npk - first;   /* packets of the slice */
	if (key && i == 0) {
		pl[o++] = 0x78;   /* STAP-A */
		size_t n = h264_sps(pl + o + 2, 40, t->width, t->height);
		wr16(pl + o, (uint16_t)n);
		o += 2 + n;
		wr16(pl + o, sizeof h264_pps);
		memcpy(pl + o + 2, h264_pps, sizeof h264_pps);
		o += 2 + sizeof h264_pps;
		last_size = o;
		o += 2;
		pl[o++] = frags ? H264_NAL_SEI : (uint8_t)(nri | H264_NAL_IDR);
	} else if (frags == 1) {
		pl[o++] = (uint8_t)(nri | type);
	} else {
		pl[o++] = (uint8_t)(nri | H264_FU_A);
		pl[o++] = (uint8_t)((i == first ? 0x80 : 0) | (i + 1 == t->frame_npk ? 0x40 : 0) | type);
	}
	tag_write(pl + o, t->tag_id, t->tag_seq++, now);
	o += LG_TAG_LEN;
	size_t plen = per > o ? per : o;
	if (plen > LG_MTU_PAYLOAD)
		plen = LG_MTU_PAYLOAD;
	if (last_size)
		wr16(pl + last_size, (uint16_t)(plen - last_size - 2));
	send_rtp(pc, t, i + 1 == t->frame_npk, t->frame_ts, pl, plen, NULL);
	t->pace_bytes -= (int64_t)plen;
}

/* Where the loadgen tag is in a received H.264 payload (see send_h264_packet); 0 when nowhere. */
static size_t h264_tag_off(const struct h264_info *h, const uint8_t *pl, size_t plen)
{
	if (h->packet_type == H264_FU_A)
		return 2;
	if (h->packet_type != H264_STAP_A)
		return 1;
	size_t off = 1, last = 0;
	while (off + 2 < plen) {   /* h264_parse checked the sizes */
		last = off + 2;
		off = last + ((size_t)pl[off] << 8 | pl[off + 1]);
	}
	return last ? last + 1 : 0;
}

/* Sends what the pacer allows of the current frame (all of it with drain). */
static void pace_frame(struct lg_pc *pc, struct lg_tx *t, uint64_t now, bool drain)
{
	int64_t rate = (int64_t)t->bitrate * 5 / 2 / 8;   /* bytes per second */
	if (t->pace_at_us && now > t->pace_at_us) {
		t->pace_bytes += rate * (int64_t)(now - t->pace_at_us) / 1000000;
		int64_t cap = rate / 100 > LG_MTU_PAYLOAD ? rate / 100 : LG_MTU_PAYLOAD;   /* 10 ms worth */
		if (t->pace_bytes > cap)
			t->pace_bytes = cap;
	}
	t->pace_at_us = now;
	while (t->frame_next < t->frame_npk && (drain || t->pace_bytes > 0)) {
		if (pc->lg->o.h264)
			send_h264_packet(pc, t, t->frame_next++, now);
		else
			send_frame_packet(pc, t, t->frame_next++, now);
	}
}

/* A new frame is due: what is left of the last one goes first (a pacer that fell behind catches
 * up), then the new one starts, paced. */
static void send_frame(struct lg_pc *pc, struct lg_tx *t, uint64_t due, uint64_t now)
{
	pace_frame(pc, t, now, true);
	bool key = t->last_key_us == 0 || now - t->last_key_us >= KEY_INTERVAL_US ||
	           (t->key_wanted && now - t->last_key_us >= KEY_MIN_GAP_US);
	size_t avg = t->bitrate / 8 / t->fps;
	size_t size = key ? avg * 3 : avg * (85 + util_random_u32() % 31) / 100;
	const size_t room = LG_MTU_PAYLOAD - VP8_DESC_LEN - LG_TAG_LEN - 10;
	size_t npk = (size + room - 1) / room;
	if (!npk)
		npk = 1;
	if (key) {
		t->last_key_us = now;
		t->key_wanted = false;
		t->keyframes_sent++;
	}
	t->picture_id = (t->picture_id + 1) & 0x7fff;
	t->tl0++;
	t->frame_ts = rtp_ts_at(pc->lg, t, due);
	t->frame_npk = (uint16_t)npk;
	t->frame_per = (uint32_t)(size / npk);
	t->frame_key = key;
	t->frame_next = 0;
	pace_frame(pc, t, now, false);
}

static void send_sr(struct lg_pc *pc, uint64_t now)
{
	struct lg *lg = pc->lg;
	uint8_t *slot = lg_tx_slot(pc);
	size_t n = 0;
	uint64_t ntp = clock_ntp_now();
	for (size_t i = 0; i < pc->n_tx; i++) {
		struct lg_tx *t = &pc->tx[i];
		if (!t->active || t->paused || !t->pkts)
			continue;
		size_t w = rtcp_write_sr(slot + n, LG_PKT_CAP - SRTP_MAX_TRAILER - n, t->ssrc, ntp, rtp_ts_at(lg, t, now),
		                         t->pkts, t->octets, NULL, 0);
		if (!w)
			break;
		n += w;
	}
	if (n)
		lg_tx_commit(pc, n, true);
}

void lg_media_tx_tick(struct lg_pc *pc, uint64_t now)
{
	for (size_t i = 0; i < pc->n_tx; i++) {
		struct lg_tx *t = &pc->tx[i];
		if (!t->active || t->paused)
			continue;
		if (t->kind == LG_AUDIO) {
			if (now - t->next_audio_us > 200000 && now > t->next_audio_us)
				t->next_audio_us = now;   /* the loop stalled: skip, do not burst */
			while (now >= t->next_audio_us) {
				send_audio(pc, t, t->next_audio_us, now);
				t->next_audio_us += AUDIO_PTIME_US;
			}
		} else {
			uint64_t period = 1000000u / t->fps;
			if (now > t->next_frame_us && now - t->next_frame_us > 200000)
				t->next_frame_us = now;
			if (now >= t->next_frame_us) {
				send_frame(pc, t, t->next_frame_us, now);
				t->next_frame_us += period;
			} else {
				pace_frame(pc, t, now, false);
			}
		}
	}
	if (now >= pc->next_rtcp_us) {
		send_sr(pc, now);
		pc->next_rtcp_us = now + 1000000;
	}
}

void lg_media_tx_set_paused(struct lg_pc *pc, struct lg_tx *t, bool paused, uint64_t now)
{
	struct lg *lg = pc->lg;
	if (t->paused == paused || t->kind != LG_VIDEO)
		return;
	t->paused = paused;
	if (paused) {
		t->frame_next = t->frame_npk;   /* what is left of the current frame is not sent */
		lg->layers_paused++;
		if (lg->layers_paused > lg->layers_paused_max)
			lg->layers_paused_max = lg->layers_paused;
		lg->layer_pauses++;
		if (lg->measuring)
			lg->layer_pauses_win++;
	} else {
		/* an encoder switched on starts with a keyframe, at once, and paces from zero */
		t->last_key_us = 0;
		t->key_wanted = false;
		t->next_frame_us = now;
		t->pace_bytes = 0;
		t->pace_at_us = now;
		t->frame_next = t->frame_npk = 0;
		if (lg->layers_paused)
			lg->layers_paused--;
		lg->layer_resumes++;
		if (lg->focus_part && !lg->focus_resume_us)
			lg->focus_resume_us = now;
		if (lg->measuring)
			lg->layer_resumes_win++;
	}
}

static struct lg_tx *tx_by_ssrc(struct lg_pc *pc, uint32_t ssrc)
{
	for (size_t i = 0; i < pc->n_tx; i++)
		if (pc->tx[i].active && pc->tx[i].ssrc == ssrc)
			return &pc->tx[i];
	return NULL;
}

struct nack_ctx { struct lg_pc *pc; struct lg_tx *t; };

static void resend(void *arg, uint16_t seq)
{
	struct nack_ctx *c = arg;
	struct lg_tx *t = c->t;
	struct lg_pc *pc = c->pc;
	if (!t->hist || t->paused)
		return;   /* a paused layer's encoder and its retransmissions are off */
	struct lg_hist_pkt *hp = &t->hist[seq & (LG_HIST - 1)];
	if (hp->seq != seq || !hp->len)
		return;
	uint8_t *slot = lg_tx_slot(pc);
	size_t len;
	if (t->rtx_pt) {
		struct rtp_hdr h;
		if (rtp_parse(&h, hp->data, hp->len) != 0)
			return;
		uint8_t *pl = pc->lg->scratch;
		wr16(pl, seq);
		memcpy(pl + 2, h.payload, h.payload_len);
		struct rtp_ext_elem e[5];
		uint8_t twcc[2];
		size_t ne = ext_build(pc, t, e, twcc, NULL, true);
		len = rtp_write(slot, LG_PKT_CAP - SRTP_MAX_TRAILER, h.marker, t->rtx_pt, t->rtx_seq++, h.ts, t->rtx_ssrc,
		                e, ne, pl, h.payload_len + 2);
		if (!len)
			return;
	} else {
		memcpy(slot, hp->data, hp->len);
		len = hp->len;
	}
	t->retransmits++;
	if (pc->lg->measuring)
		pc->lg->retransmits_sent++;
	lg_tx_commit(pc, len, false);
}

static void fir_cb(void *arg, uint32_t ssrc, uint8_t seq_nr)
{
	struct lg_tx *t = tx_by_ssrc(arg, ssrc);
	if (t)
		t->key_wanted = true;
}

void lg_media_rtcp_in(struct lg_pc *pc, const uint8_t *buf, size_t len, uint64_t now)
{
	if (!pc->is_pub)
		return;
	struct rtcp_iter it;
	struct rtcp_pkt p;
	rtcp_iter_init(&it, buf, len);
	while (rtcp_iter_next(&it, &p) == 1) {
		if (p.pt == RTCP_RTPFB && p.fmt == RTCP_RTPFB_NACK) {
			struct nack_ctx c = { pc, tx_by_ssrc(pc, p.media_ssrc) };
			if (c.t)
				rtcp_nack_for_each(&p, resend, &c);
		} else if (p.pt == RTCP_PSFB && p.fmt == RTCP_PSFB_PLI) {
			struct lg_tx *t = tx_by_ssrc(pc, p.media_ssrc);
			if (t)
				t->key_wanted = true;
		} else if (p.pt == RTCP_PSFB && p.fmt == RTCP_PSFB_FIR) {
			rtcp_fir_for_each(&p, fir_cb, pc);
		}
	}
}

/* ---- subscribe --------------------------------------------------------------------------------- */

struct lg_rx *lg_rx_add(struct lg_pc *pc, uint32_t ssrc)
{
	for (size_t i = 0; i < pc->n_rx; i++)
		if (pc->rx[i].ssrc == ssrc)
			return &pc->rx[i];
	if (pc->n_rx == pc->cap_rx) {
		size_t cap = pc->cap_rx ? pc->cap_rx * 2 : 16;
		struct lg_rx *n = realloc(pc->rx, cap * sizeof *n);
		if (!n)
			return NULL;
		pc->rx = n;
		pc->cap_rx = cap;
	}
	struct lg_rx *r = &pc->rx[pc->n_rx++];
	memset(r, 0, sizeof *r);
	r->ssrc = ssrc;
	return r;
}

static struct lg_rx *rx_find(struct lg_pc *pc, uint32_t ssrc, bool *is_rtx)
{
	*is_rtx = false;
	if (pc->rx_last < pc->n_rx && pc->rx[pc->rx_last].ssrc == ssrc)
		return &pc->rx[pc->rx_last];
	for (size_t i = 0; i < pc->n_rx; i++) {
		if (pc->rx[i].ssrc == ssrc) {
			pc->rx_last = i;
			return &pc->rx[i];
		}
		if (pc->rx[i].rtx_ssrc == ssrc) {
			*is_rtx = true;
			return &pc->rx[i];
		}
	}
	return NULL;
}

/* bit k of the window: number max - k was seen */
static void win_shift(uint64_t *bits, uint32_t d)
{
	if (d >= 512) {
		memset(bits, 0, 8 * sizeof *bits);
		return;
	}
	uint32_t w = d / 64, s = d % 64;
	for (int i = 7; i >= 0; i--) {
		uint64_t v = i - (int)w >= 0 ? bits[i - w] << s : 0;
		if (s && i - (int)w - 1 >= 0)
			v |= bits[i - w - 1] >> (64 - s);
		bits[i] = v;
	}
}

void lg_seqwin_totals(const struct lg_seqwin *w, uint64_t *expected, uint64_t *received)
{
	*expected = w->expected + (w->open ? (uint64_t)(w->max - w->base) + 1 : 0);
	*received = w->received + (w->open ? w->recv : 0);
	if (*received > *expected)
		*received = *expected;
}

void lg_seqwin_add(struct lg_seqwin *w, uint16_t id, uint32_t seq)
{
	if (!w->open || w->id != id) {
		if (w->open) {
			w->expected += (uint64_t)(w->max - w->base) + 1;
			w->received += w->recv;
		}
		w->open = true;
		w->id = id;
		w->base = w->max = seq;
		w->recv = 1;
		memset(w->bits, 0, sizeof w->bits);
		w->bits[0] = 1;
		return;
	}
	int32_t d = (int32_t)(seq - w->max);
	if (d > 0) {
		win_shift(w->bits, (uint32_t)d);
		w->bits[0] |= 1;
		w->max = seq;
		w->recv++;
	} else if ((int32_t)(seq - w->base) >= 0 && -d < 512) {
		uint32_t k = (uint32_t)-d;
		if (!(w->bits[k / 64] & (1ull << (k % 64)))) {
			w->bits[k / 64] |= 1ull << (k % 64);
			w->recv++;
		}
	}
}

static void send_pli(struct lg_pc *pc, struct lg_rx *r, uint64_t now)
{
	uint8_t *slot = lg_tx_slot(pc);
	size_t n = rtcp_write_pli(slot, LG_PKT_CAP - SRTP_MAX_TRAILER, pc->rtcp_ssrc, r->ssrc);
	r->last_pli_us = now;
	if (pc->lg->measuring)
		pc->lg->plis_sent++;
	if (n)
		lg_tx_commit(pc, n, true);
}

static void send_nack(struct lg_pc *pc, struct lg_rx *r, uint16_t from, uint16_t to)
{
	uint16_t seqs[32];
	size_t n = 0;
	for (uint16_t s = from; s != to && n < 32; s++)
		seqs[n++] = s;
	uint8_t *slot = lg_tx_slot(pc);
	size_t len = rtcp_write_nack(slot, LG_PKT_CAP - SRTP_MAX_TRAILER, pc->rtcp_ssrc, r->ssrc, seqs, n);
	if (pc->lg->measuring)
		pc->lg->nacks_sent++;
	if (len)
		lg_tx_commit(pc, len, true);
}

void lg_media_rtp_in(struct lg_pc *pc, const uint8_t *buf, size_t len, size_t wire_len, uint64_t now)
{
	struct lg *lg = pc->lg;
	struct rtp_hdr h;
	if (rtp_parse(&h, buf, len) != 0)
		return;
	if (pc->twcc) {
		const uint8_t *v;
		size_t vl;
		if (rtp_ext_find(&h, pc->ext_twcc, &v, &vl) == 0 && vl == 2)
			twcc_recorder_add(pc->twcc, rd16(v), now);
	}
	bool is_rtx;
	struct lg_rx *r = rx_find(pc, h.ssrc, &is_rtx);
	/* simulated loss on the way in: video only, retransmissions always arrive */
	if (lg->o.drop_pct && r && !is_rtx && r->kind == LG_VIDEO && r->got_rtp && h.pt != r->rtx_pt &&
	    util_random_u32() % 100 < lg->o.drop_pct) {
		lg->dropped_on_purpose++;
		return;
	}
	if (!r) {
		/* not signalled: an RTX of a known stream by payload type, else a new stream */
		for (size_t i = 0; i < pc->n_rx; i++)
			if (pc->rx[i].rtx_pt && pc->rx[i].rtx_pt == h.pt)
				return;
		r = lg_rx_add(pc, h.ssrc);
		if (!r)
			return;
		r->kind = h.pt == 111 ? LG_AUDIO : LG_VIDEO;
		r->pt = h.pt;
		r->nack_ok = r->kind == LG_VIDEO;
		r->h264 = r->kind == LG_VIDEO && lg->o.h264;
	}
	const uint8_t *pl = h.payload;
	size_t plen = h.payload_len;
	uint16_t media_seq = h.seq;
	if (is_rtx || (r->rtx_pt && h.pt == r->rtx_pt && h.ssrc != r->ssrc)) {
		if (plen < 2 || !r->got_rtp)
			return;
		is_rtx = true;
		lg->repaired++;
		media_seq = rd16(pl);   /* OSN */
		pl += 2;
		plen -= 2;
	} else {
		uint32_t rate_ts = (uint32_t)(now * (r->kind == LG_AUDIO ? 48 : 90) / 1000);
		if (!r->got_rtp) {
			rtp_recv_stats_init(&r->rs, h.seq);
			r->got_rtp = true;
			r->first_us = now;
			r->ext_max = h.seq;
		} else if (r->nack_ok) {
			int16_t d = rtp_seq_diff(h.seq, r->rs.max_seq);
			if (d > 1 && d <= 32)
				send_nack(pc, r, (uint16_t)(r->rs.max_seq + 1), h.seq);
		}
		rtp_recv_stats_update(&r->rs, h.seq, h.ts, rate_ts);
	}
	size_t off = 0;
	if (r->kind == LG_AUDIO) {
		off = 1;
	} else {
		bool key = false, sized = false;
		uint16_t kw = 0, kh = 0;
		if (r->h264) {
			struct h264_info hi;
			if (h264_parse(&hi, pl, plen) != 0)
				return;
			off = h264_tag_off(&hi, pl, plen);
			key = h264_info_is_keyframe(&hi);
			sized = key && h264_info_keyframe_size(&hi, &kw, &kh) == 0;
		} else {
			struct vp8_desc d;
			if (vp8_parse_descriptor(&d, pl, plen) != 0)
				return;
			off = d.desc_len;
			if (d.start_of_partition && d.partition_id == 0) {
				key = vp8_is_keyframe(pl, plen);
				off += key ? 10 : 3;
				sized = key && vp8_desc_keyframe_size(&d, pl, plen, &kw, &kh) == 0;
			}
		}
		if (key && !is_rtx)
			r->keyframes++;
		if (sized && lg->focusing && pc->part == lg->focus_part && kh >= 540 && kh < 1080) {
			/* the pinned camera's top layer (720p; the screen is 1080p, the tiles' layer 180p) */
			lg->focus_done_us = now;
			lg->focus_height = kh;
			lg->focusing = false;
		}
		if (!r->keyframes && !is_rtx && now - r->last_pli_us >= KEY_MIN_GAP_US)
			send_pli(pc, r, now);
	}
	if (off + LG_TAG_LEN > plen || rd16(pl + off) != LG_TAG_MAGIC)
		return;
	uint32_t ext = r->ext_max + (uint32_t)(int32_t)rtp_seq_diff(media_seq, (uint16_t)r->ext_max);
	if ((int32_t)(ext - r->ext_max) > 0)
		r->ext_max = ext;
	const uint8_t *tag = pl + off;
	if (lg->focusing && pc->part == lg->focus_part && !is_rtx)
		lg->focus_rx[lg->tag_src[rd16(tag + 2)]]++;
	if (!lg->measuring)
		return;
	lg_seqwin_add(&r->rtp, 0, ext);
	uint64_t sent = (uint64_t)rd32(tag + 8) << 32 | rd32(tag + 12);
	if (!is_rtx) {
		r->pkts++;
		r->bytes += wire_len;
		if (pc->part->whep) {
			/* WHEP viewers apart: the meeting's own figures stay comparable with and without them */
			lg->whep_packets++;
			lg->whep_bytes += wire_len;
		} else {
			lg->sub_packets++;
			lg->sub_bytes += wire_len;
			lg->sub_packets_by_src[lg->tag_src[rd16(tag + 2)]]++;
			lg_hist_add(&lg->delay, now > sent ? now - sent : 0);
		}
	}
	lg_seqwin_add(&r->src, rd16(tag + 2), rd32(tag + 4));
}

void lg_media_rx_tick(struct lg_pc *pc, uint64_t now)
{
	for (size_t i = 0; i < pc->n_rx; i++) {
		struct lg_rx *r = &pc->rx[i];
		if (r->kind == LG_VIDEO && r->got_rtp && !r->keyframes && now - r->last_pli_us >= KEY_MIN_GAP_US)
			send_pli(pc, r, now);
	}
	if (pc->twcc && now >= pc->next_twcc_us) {
		pc->next_twcc_us = now + 50000;
		if (twcc_recorder_pending(pc->twcc)) {
			uint8_t *slot = lg_tx_slot(pc);
			size_t n = twcc_recorder_write(pc->twcc, slot, LG_PKT_CAP - SRTP_MAX_TRAILER, pc->rtcp_ssrc,
			                               pc->n_rx ? pc->rx[0].ssrc : 0);
			if (n)
				lg_tx_commit(pc, n, true);
		}
	}
	if (now < pc->next_rtcp_us)
		return;
	pc->next_rtcp_us = now + 1000000;
	struct rtcp_report_block b[RTCP_MAX_REPORT_BLOCKS];
	size_t nb = 0, done = 0;
	uint8_t *slot = NULL;
	size_t n = 0;
	for (size_t i = 0; i <= pc->n_rx; i++) {
		if (i < pc->n_rx && pc->rx[i].got_rtp) {
			struct lg_rx *r = &pc->rx[i];
			struct rtcp_report_block *rb = &b[nb++];
			memset(rb, 0, sizeof *rb);
			rb->ssrc = r->ssrc;
			rtp_recv_stats_report(&r->rs, &rb->fraction_lost, &rb->cumulative_lost, &rb->ext_highest_seq,
			                      &rb->jitter);
		}
		if (nb && (nb == RTCP_MAX_REPORT_BLOCKS || i == pc->n_rx)) {
			slot = lg_tx_slot(pc);
			n = rtcp_write_rr(slot, LG_PKT_CAP - SRTP_MAX_TRAILER, pc->rtcp_ssrc, b, nb);
			if (n)
				lg_tx_commit(pc, n, true);
			done += nb;
			nb = 0;
		}
	}
	if (!done) {
		slot = lg_tx_slot(pc);
		n = rtcp_write_rr(slot, LG_PKT_CAP - SRTP_MAX_TRAILER, pc->rtcp_ssrc, NULL, 0);
		if (n)
			lg_tx_commit(pc, n, true);
	}
}

void lg_media_window_start(struct lg_pc *pc)
{
	for (size_t i = 0; i < pc->n_rx; i++) {
		struct lg_rx *r = &pc->rx[i];
		memset(&r->rtp, 0, sizeof r->rtp);
		memset(&r->src, 0, sizeof r->src);
		r->pkts = r->bytes = 0;
	}
}
