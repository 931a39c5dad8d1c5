/* ssrc: per-SSRC state of an SRTP session: an open-addressed table, packet index estimation and
 * the replay window. RFC 3711 §3.3.1 (index estimation), §3.3.2 (replay protection). */
#include "srtp/srtp_int.h"

#include <errno.h>
#include <stdlib.h>

/* Far more streams than one PeerConnection carries; bounds what a peer can make us track. */
#define MAX_SSRCS 4096

static uint32_t slot_of(uint32_t ssrc, uint32_t cap)
{
	return (ssrc * 2654435761u) & (cap - 1);
}

struct srtp_ssrc *srtp_sess_ssrc_find(struct srtp_sess *s, uint32_t ssrc)
{
	for (uint32_t i = slot_of(ssrc, s->tab_cap);; i = (i + 1) & (s->tab_cap - 1)) {
		struct srtp_ssrc *e = &s->tab[i];
		if (!e->used)
			return NULL;
		if (e->ssrc == ssrc)
			return e;
	}
}

static struct srtp_ssrc *place(struct srtp_ssrc *tab, uint32_t cap, const struct srtp_ssrc *st)
{
	uint32_t i = slot_of(st->ssrc, cap);
	while (tab[i].used)
		i = (i + 1) & (cap - 1);
	tab[i] = *st;
	tab[i].used = true;
	return &tab[i];
}

int srtp_sess_ssrc_insert(struct srtp_sess *s, const struct srtp_ssrc *st, struct srtp_ssrc **out)
{
	/* Keep the load at most one half, so probes stay short and an empty slot always exists. */
	if ((s->tab_count + 1) * 2 > s->tab_cap) {
		if (s->tab_count >= MAX_SSRCS)
			return ENOMEM;
		uint32_t cap = s->tab_cap * 2;
		struct srtp_ssrc *tab = calloc(cap, sizeof *tab);
		if (!tab)
			return ENOMEM;
		for (uint32_t i = 0; i < s->tab_cap; i++)
			if (s->tab[i].used)
				place(tab, cap, &s->tab[i]);
		free(s->tab);
		s->tab = tab;
		s->tab_cap = cap;
	}
	s->tab_count++;
	*out = place(s->tab, s->tab_cap, st);
	return 0;
}

int64_t srtp_sess_estimate_index(uint64_t hi, uint16_t seq)
{
	int64_t roc = (int64_t)(hi >> 16), v = roc;
	int32_t s_l = (int32_t)(hi & 0xffff);
	if (s_l < 32768) {
		if ((int32_t)seq - s_l > 32768)
			v = roc - 1;
	} else if (s_l - 32768 > (int32_t)seq) {
		v = roc + 1;
	}
	if (v < 0 || v > (int64_t)UINT32_MAX)
		return -1;
	return v << 16 | seq;
}

int srtp_sess_replay_check(const struct srtp_replay *r, bool seen, uint64_t idx)
{
	if (!seen || idx > r->hi)
		return 0;
	uint64_t d = r->hi - idx;
	if (d >= SRTP_REPLAY_WINDOW)
		return EALREADY;
	return (r->bits[d / 64] >> (d % 64)) & 1 ? EALREADY : 0;
}

void srtp_sess_replay_add(struct srtp_replay *r, bool seen, uint64_t idx)
{
	if (!seen || idx > r->hi) {
		uint64_t shift = seen ? idx - r->hi : SRTP_REPLAY_WINDOW;
		if (shift >= SRTP_REPLAY_WINDOW) {
			r->bits[0] = r->bits[1] = 0;
		} else if (shift >= 64) {
			r->bits[1] = r->bits[0] << (shift - 64);
			r->bits[0] = 0;
		} else if (shift > 0) {
			r->bits[1] = r->bits[1] << shift | r->bits[0] >> (64 - shift);
			r->bits[0] <<= shift;
		}
		r->bits[0] |= 1;
		r->hi = idx;
		return;
	}
	uint64_t d = r->hi - idx;
	if (d < SRTP_REPLAY_WINDOW)
		r->bits[d / 64] |= (uint64_t)1 << (d % 64);
}
