/* quality: how well each participant's connection carries the meeting, as plenum sees it — its
 * downlink (videos paused for want of bandwidth, the loss it reports, the round trip
 * of transport-cc feedback) and its uplink (the loss of what it publishes). The room hears of a
 * change (participant_updated: quality); the participant itself gets its downlink event with the
 * videos paused for it. Worse news is told once it held 1.5 s, better news once it held 4 s. */
#include <string.h>

#include "base/log.h"
#include "sfu/sfu_internal.h"

static const char *MOD = "quality";

#define SFU_QUALITY_HOLD_US 4000000ull
#define SFU_QUALITY_WORSE_US 1500000ull
#define SFU_QUALITY_POOR_LOSS 0.10
#define SFU_QUALITY_FAIR_LOSS 0.03
#define SFU_QUALITY_POOR_RTT_MS 800u
#define SFU_QUALITY_FAIR_RTT_MS 400u

static enum sfu_quality measure(const struct sfu_participant *p, uint32_t rtt_ms)
{
	double down = p->down_loss / 256.0, up = p->up_loss / 256.0;
	double loss = down > up ? down : up;
	if (p->n_paused_bw || loss > SFU_QUALITY_POOR_LOSS || rtt_ms > SFU_QUALITY_POOR_RTT_MS)
		return SFU_QUALITY_POOR;
	/* videos sent below their tiles' layers are not counted: in a large meeting that is the budget
	 * at work, not a weak connection (and every subscriber's change would reach the whole room) */
	if (loss > SFU_QUALITY_FAIR_LOSS || rtt_ms > SFU_QUALITY_FAIR_RTT_MS)
		return SFU_QUALITY_FAIR;
	return SFU_QUALITY_GOOD;
}

static void downlink_info(const struct sfu_participant *p, uint32_t rtt_ms, struct sfu_downlink_info *d)
{
	memset(d, 0, sizeof *d);
	d->estimate_bps = p->budget_bps;
	d->rtt_ms = rtt_ms;
	d->loss = p->down_loss / 256.0;
	d->quality = p->quality;
	/* paused for want of bandwidth; refused by the subscriber's browser (a codec it cannot decode) */
	for (size_t i = 0; i < p->n_downs; i++) {
		const struct sfu_down *dn = p->downs[i];
		bool refused = dn->refused;
		size_t *n = refused ? &d->n_unsupported : &d->n_paused;
		if (!dn->src || !(refused || dn->paused_bw) || *n == SFU_DOWNLINK_PAUSED_MAX)
			continue;
		if (refused) {
			d->unsupported[*n].participant_id = dn->src_participant;
			d->unsupported[*n].source = dn->source;
		} else {
			d->paused[*n].participant_id = dn->src_participant;
			d->paused[*n].source = dn->source;
		}
		(*n)++;
	}
}

static bool same_paused(const struct sfu_downlink_info *a, const struct sfu_downlink_info *b)
{
	if (a->n_paused != b->n_paused || a->n_unsupported != b->n_unsupported)
		return false;
	for (size_t i = 0; i < a->n_unsupported; i++)
		if (a->unsupported[i].participant_id != b->unsupported[i].participant_id)
			return false;
	for (size_t i = 0; i < a->n_paused; i++)
		if (a->paused[i].participant_id != b->paused[i].participant_id || a->paused[i].source != b->paused[i].source)
			return false;
	return true;
}

void sfu_quality_update(struct sfu_participant *p, uint64_t now)
{
	uint32_t rtt_ms = 0;
	if (p->bwe && p->sub && sfu_peer_up(p->sub)) {
		struct bwe_stats st;
		bwe_get_stats(p->bwe, &st);
		rtt_ms = (uint32_t)(st.rtt_us / 1000u);
		/* once a second per subscriber, at debug level only: how its downlink is judged */
		log_debug(MOD, "downlink %u: estimate %llu (delay %llu, loss cap %llu, acked %llu), rtt %u ms, loss %u/256, "
		          "want %llu, resume %llu, paused %u, lowered %u, probes %llu (raised %llu, last %llu), overuses %llu, loss cuts %llu, reported lost %llu of %llu", p->id,
		          (unsigned long long)p->budget_bps, (unsigned long long)st.delay_bps, (unsigned long long)st.loss_bps,
		          (unsigned long long)st.acked_bps, rtt_ms, p->down_loss, (unsigned long long)p->want_bps,
		          (unsigned long long)p->resume_bps, p->n_paused_bw, p->n_lowered, (unsigned long long)st.probes,
		          (unsigned long long)st.probes_raised, (unsigned long long)st.last_probe_bps,
		          (unsigned long long)st.overuses, (unsigned long long)st.loss_cuts,
		          (unsigned long long)st.reported_lost, (unsigned long long)st.reported);
	}
	enum sfu_quality q = measure(p, rtt_ms);
	if (q != p->quality_seen) {
		p->quality_seen = q;
		p->quality_since_us = now;
	}
	/* worse news once it held for two measurements, better news after SFU_QUALITY_HOLD_US: one
	 * change reaches everybody in the room, so a flapping link must not flood it */
	uint64_t held = now - p->quality_since_us;
	bool changed = (q > p->quality && held >= SFU_QUALITY_WORSE_US) || (q < p->quality && held >= SFU_QUALITY_HOLD_US);
	if (changed) {
		p->quality = q;
		if (p->room)
			sfu_room_broadcast_update(p->room, p);
	}
	if (!p->bwe || !p->sub || !sfu_peer_up(p->sub))
		return;   /* no downlink to speak of yet */
	struct sfu_downlink_info d;
	downlink_info(p, rtt_ms, &d);
	if (p->downlink_told && !changed && same_paused(&d, &p->downlink_last))
		return;
	p->downlink_told = true;
	p->downlink_last = d;
	if (p->ev && p->ev->downlink)
		p->ev->downlink(p->ev_arg, &d);
}
