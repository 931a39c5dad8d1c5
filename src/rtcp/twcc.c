/* twcc: transport-wide congestion control feedback (RTPFB FMT 15): parser, and a receiver-side
 * recorder that writes feedback. draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1. */
#include "rtcp/twcc.h"

#include <errno.h>
#include <string.h>

#include "base/util.h"

#define HDR_LEN 20                  /* RTCP header, two SSRCs, base seq, count, ref time, fb count */
#define RUN_MAX 8191                /* 13-bit run length */

enum { SYM_LOST = 0, SYM_SMALL = 1, SYM_LARGE = 2, SYM_RESERVED = 3 };

/* ---- parsing ---- */

/* Reads the status symbols of a packet chunk by chunk. */
struct chunk_rd {
	const uint8_t *b;
	size_t off, end;
	uint16_t chunk;
	unsigned left, idx;             /* symbols left in the current chunk, index within it */
};

/* The next symbol 0..3, or -1 when the chunks run past the end. */
static int chunk_next(struct chunk_rd *c)
{
	while (!c->left) {
		if (c->off + 2 > c->end)
			return -1;
		c->chunk = rd16(c->b + c->off);
		c->off += 2;
		c->idx = 0;
		if (!(c->chunk & 0x8000))
			c->left = c->chunk & 0x1fff;          /* run length (0 is legal, if useless) */
		else
			c->left = (c->chunk & 0x4000) ? 7 : 14;
	}
	c->left--;
	unsigned i = c->idx++;
	if (!(c->chunk & 0x8000))
		return (c->chunk >> 13) & 3;
	if (c->chunk & 0x4000)
		return (c->chunk >> (12 - 2 * i)) & 3;
	return (c->chunk >> (13 - i)) & 1;
}

int twcc_parse(const struct rtcp_pkt *p, struct twcc_fb *fb, twcc_status_cb cb, void *arg)
{
	if (p->pt != RTCP_RTPFB || p->fmt != RTCP_RTPFB_TWCC)
		return EINVAL;
	size_t len = rtcp_pkt_body_len(p);
	if (len < HDR_LEN)
		return EBADMSG;
	const uint8_t *b = p->buf;
	struct twcc_fb h = {
		.sender_ssrc = rd32(b + 4), .media_ssrc = rd32(b + 8),
		.base_seq = rd16(b + 12), .status_count = rd16(b + 14),
		.ref_time = rd24(b + 16), .fb_count = b[19],
	};
	if (!h.status_count)
		return EBADMSG;
	/* First pass: every symbol valid, the chunks and the deltas they call for inside the packet. */
	struct chunk_rd c = { .b = b, .off = HDR_LEN, .end = len };
	size_t delta_bytes = 0;
	for (unsigned i = 0; i < h.status_count; i++) {
		int s = chunk_next(&c);
		if (s < 0 || s == SYM_RESERVED)
			return EBADMSG;
		delta_bytes += (size_t)s;
	}
	size_t d = c.off;
	if (d + delta_bytes > len)
		return EBADMSG;
	if (fb)
		*fb = h;
	if (!cb)
		return 0;
	/* Second pass: report. */
	c = (struct chunk_rd){ .b = b, .off = HDR_LEN, .end = len };
	int64_t t = 0;
	for (unsigned i = 0; i < h.status_count; i++) {
		int s = chunk_next(&c);
		uint16_t seq = (uint16_t)(h.base_seq + i);
		if (s == SYM_SMALL)
			t += (int64_t)b[d++] * TWCC_DELTA_UNIT_US;
		else if (s == SYM_LARGE) {
			t += (int64_t)(int16_t)rd16(b + d) * TWCC_DELTA_UNIT_US;
			d += 2;
		}
		cb(arg, seq, s != SYM_LOST, t);
	}
	return 0;
}

struct array_sink { struct twcc_status *out; size_t cap, n; };

static void array_cb(void *arg, uint16_t seq, bool received, int64_t arrival_us)
{
	struct array_sink *a = arg;
	if (a->n < a->cap)
		a->out[a->n++] = (struct twcc_status){ seq, received, arrival_us };
}

int twcc_parse_array(const struct rtcp_pkt *p, struct twcc_fb *fb, struct twcc_status *out, size_t cap, size_t *n)
{
	struct array_sink a = { out, cap, 0 };
	int r = twcc_parse(p, fb, array_cb, &a);
	*n = a.n;
	return r;
}

/* ---- writing ---- */

/* Packs symbols into chunks: up to 14 symbols are held back until it is clear whether they make a
 * run, a 1-bit vector (14 lost/small), or a 2-bit vector (7 of any). */
struct chunk_enc {
	uint8_t sym[14];
	unsigned n;                     /* symbols held (a run may exceed 14; then only sym[0] counts) */
	bool same, large;
	uint8_t *out;
	size_t chunks;                  /* chunks written */
};

static void enc_put(struct chunk_enc *e, uint16_t v) { wr16(e->out + 2 * e->chunks++, v); }

static void enc_vector2(struct chunk_enc *e, unsigned k)
{
	uint16_t v = 0xc000;
	for (unsigned i = 0; i < k; i++)
		v |= (uint16_t)(e->sym[i] << (12 - 2 * i));
	enc_put(e, v);
}

static void enc_vector1(struct chunk_enc *e, unsigned k)
{
	uint16_t v = 0x8000;
	for (unsigned i = 0; i < k; i++)
		v |= (uint16_t)(e->sym[i] << (13 - i));
	enc_put(e, v);
}

/* Emits one chunk from the held symbols because the next one does not fit with them. */
static void enc_emit(struct chunk_enc *e)
{
	if (e->same) {
		enc_put(e, (uint16_t)(e->sym[0] << 13 | e->n));
		e->n = 0;
	} else if (e->n == 14) {
		enc_vector1(e, 14);
		e->n = 0;
	} else {
		enc_vector2(e, 7);
		e->n -= 7;
		memmove(e->sym, e->sym + 7, e->n);
		e->same = true;
		e->large = false;
		for (unsigned i = 0; i < e->n; i++) {
			e->same &= e->sym[i] == e->sym[0];
			e->large |= e->sym[i] == SYM_LARGE;
		}
	}
}

static bool enc_can_add(const struct chunk_enc *e, uint8_t s)
{
	if (e->n < 7)
		return true;
	if (e->n < 14 && !e->large && s != SYM_LARGE)
		return true;
	return e->same && s == e->sym[0] && e->n < RUN_MAX;
}

static void enc_add(struct chunk_enc *e, uint8_t s)
{
	if (!enc_can_add(e, s))
		enc_emit(e);
	if (!e->n) {
		e->same = true;
		e->large = false;
	}
	if (e->n < 14)
		e->sym[e->n] = s;
	e->same &= s == e->sym[0];
	e->large |= s == SYM_LARGE;
	e->n++;
}

static void enc_final(struct chunk_enc *e)
{
	if (!e->n)
		return;
	if (e->same)
		enc_put(e, (uint16_t)(e->sym[0] << 13 | e->n));
	else if (e->n <= 7)
		enc_vector2(e, e->n);
	else
		enc_vector1(e, e->n);
	e->n = 0;
}

void twcc_recorder_init(struct twcc_recorder *r)
{
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < TWCC_RING; i++)
		r->slot[i].seq = -1;
	r->max_pkt_len = TWCC_MAX_PKT_LEN;
}

void twcc_recorder_add(struct twcc_recorder *r, uint16_t seq, uint64_t arrival_us)
{
	int64_t ext;
	if (!r->started) {
		r->started = true;
		ext = (int64_t)1 << 20 | seq;
		r->base = r->highest = ext;
		r->highest16 = seq;
	} else {
		ext = r->highest + (int16_t)(uint16_t)(seq - r->highest16);
	}
	if (ext < r->base) {
		r->late++;
		return;
	}
	if (ext > r->highest) {
		r->highest = ext;
		r->highest16 = seq;
		if (r->highest - r->base >= TWCC_RING) {
			int64_t nb = r->highest - TWCC_RING + 1;
			r->forgotten += (uint64_t)(nb - r->base);
			r->base = nb;
		}
	}
	size_t i = (size_t)ext & (TWCC_RING - 1);
	if (r->slot[i].seq == ext)
		return;                     /* duplicate: the first arrival counts */
	r->slot[i].seq = ext;
	r->slot[i].arrival_us = arrival_us;
}

bool twcc_recorder_pending(const struct twcc_recorder *r) { return r->started && r->base <= r->highest; }

static size_t round4(size_t n) { return (n + 3) & ~(size_t)3; }

/* Writes one feedback packet from r->base on, at most limit bytes; 0 when nothing fits. */
static size_t write_one(struct twcc_recorder *r, uint8_t *out, size_t limit, uint32_t sender_ssrc, uint32_t media_ssrc)
{
	if (limit < HDR_LEN + 4)
		return 0;
	struct chunk_enc e = { .out = out + HDR_LEN };
	size_t nd = 0;                  /* delta bytes in r->scratch */
	uint32_t count = 0;
	bool have_ref = false;
	uint64_t ref = r->last_ref;
	int64_t prev_q = 0;             /* the previous arrival, in delta units, as the receiver will sum it */
	int64_t seq = r->base;
	for (; seq <= r->highest && count < 0xffff; seq++) {
		const size_t i = (size_t)seq & (TWCC_RING - 1);
		uint8_t s = SYM_LOST;
		int64_t q = 0, d = 0;
		uint64_t new_ref = ref;
		if (r->slot[i].seq == seq) {
			uint64_t a = r->slot[i].arrival_us;
			q = (int64_t)(a / TWCC_DELTA_UNIT_US);
			int64_t base_q = prev_q;
			if (!have_ref) {
				new_ref = a / TWCC_REF_UNIT_US;
				base_q = (int64_t)new_ref * (TWCC_REF_UNIT_US / TWCC_DELTA_UNIT_US);
			}
			d = q - base_q;
			if (d >= 0 && d <= 255)
				s = SYM_SMALL;
			else if (d >= INT16_MIN && d <= INT16_MAX)
				s = SYM_LARGE;
			else
				break;              /* too far from the previous arrival: next packet */
		}
		/* room for this symbol's delta, a chunk it may close, and the final chunk */
		size_t chunk_room = (e.n && !enc_can_add(&e, s)) ? 4 : 2;
		if (round4(HDR_LEN + 2 * e.chunks + chunk_room + nd + s) > limit)
			break;
		if (s != SYM_LOST) {
			if (!have_ref) {
				have_ref = true;
				ref = new_ref;
			}
			if (s == SYM_SMALL)
				r->scratch[nd++] = (uint8_t)d;
			else {
				wr16(r->scratch + nd, (uint16_t)(int16_t)d);
				nd += 2;
			}
			prev_q = q;
		}
		enc_add(&e, s);
		count++;
	}
	if (!count)
		return 0;
	enc_final(&e);
	size_t body = HDR_LEN + 2 * e.chunks + nd, total = round4(body), pad = total - body;
	memcpy(out + HDR_LEN + 2 * e.chunks, r->scratch, nd);
	out[0] = (uint8_t)(0x80 | (pad ? 0x20 : 0) | RTCP_RTPFB_TWCC);
	out[1] = RTCP_RTPFB;
	wr16(out + 2, (uint16_t)(total / 4 - 1));
	wr32(out + 4, sender_ssrc);
	wr32(out + 8, media_ssrc);
	wr16(out + 12, (uint16_t)r->base);
	wr16(out + 14, (uint16_t)count);
	wr24(out + 16, (uint32_t)(ref % TWCC_REF_WRAP));
	out[19] = r->fb_count++;
	if (pad) {
		memset(out + body, 0, pad - 1);
		out[total - 1] = (uint8_t)pad;
	}
	r->last_ref = (uint32_t)(ref % TWCC_REF_WRAP);
	r->base = seq;
	return total;
}

size_t twcc_recorder_write(struct twcc_recorder *r, uint8_t *out, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc)
{
	size_t off = 0;
	while (twcc_recorder_pending(r)) {
		size_t lim = cap - off;
		if (lim > r->max_pkt_len)
			lim = r->max_pkt_len;
		size_t n = write_one(r, out + off, lim & ~(size_t)3, sender_ssrc, media_ssrc);
		if (!n)
			break;
		off += n;
	}
	return off;
}
