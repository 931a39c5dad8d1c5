/* rtp_stats: per-stream receive statistics for RTCP receiver reports.
 * RFC 3550 appendix A.1 (sequence number validity), A.3 (loss), A.8 (interarrival jitter). */
#include "rtp/rtp.h"

#include <string.h>

#define RTP_SEQ_MOD (1u << 16)
#define MAX_DROPOUT 3000u
#define MAX_MISORDER 100u

static void init_seq(struct rtp_recv_stats *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = RTP_SEQ_MOD + 1; /* so seq == bad_seq is false */
	s->cycles = 0;
	s->received = 0;
	s->received_prior = 0;
	s->expected_prior = 0;
}

void rtp_recv_stats_init(struct rtp_recv_stats *s, uint16_t first_seq)
{
	memset(s, 0, sizeof(*s));
	init_seq(s, first_seq);
}

/* A.1 update_seq without probation; true when the packet counts. */
static bool update_seq(struct rtp_recv_stats *s, uint16_t seq)
{
	uint16_t udelta = (uint16_t)(seq - s->max_seq);
	if (udelta < MAX_DROPOUT) {
		/* in order, with permissible gap */
		if (seq < s->max_seq)
			s->cycles += RTP_SEQ_MOD;
		s->max_seq = seq;
	} else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
		/* a very large jump */
		if (seq == s->bad_seq) {
			/* two sequential packets: assume the other side restarted without telling us */
			init_seq(s, seq);
		} else {
			s->bad_seq = (seq + 1) & (RTP_SEQ_MOD - 1);
			return false;
		}
	}
	/* else duplicate or reordered packet */
	s->received++;
	return true;
}

void rtp_recv_stats_update(struct rtp_recv_stats *s, uint16_t seq, uint32_t rtp_ts, uint32_t arrival_ts)
{
	if (!update_seq(s, seq))
		return;
	uint32_t transit = arrival_ts - rtp_ts;
	if (s->have_transit) {
		int32_t d = (int32_t)(transit - s->transit);
		uint32_t ad = d < 0 ? (uint32_t)0 - (uint32_t)d : (uint32_t)d;
		/* J += (|D| - J) / 16, kept scaled by 16 */
		s->jitter += ad - ((s->jitter + 8) >> 4);
	}
	s->transit = transit;
	s->have_transit = true;
}

void rtp_recv_stats_report(struct rtp_recv_stats *s, uint8_t *fraction_lost, int32_t *cumulative_lost, uint32_t *ext_highest_seq, uint32_t *jitter)
{
	uint32_t extended_max = s->cycles + s->max_seq;
	uint32_t expected = extended_max - s->base_seq + 1;
	int64_t lost = (int64_t)expected - (int64_t)s->received;
	if (lost > 0x7fffff)
		lost = 0x7fffff;
	else if (lost < -0x800000)
		lost = -0x800000;

	uint32_t expected_interval = expected - s->expected_prior;
	uint32_t received_interval = s->received - s->received_prior;
	int64_t lost_interval = (int64_t)expected_interval - (int64_t)received_interval;
	s->expected_prior = expected;
	s->received_prior = s->received;

	uint8_t fraction = 0;
	if (expected_interval != 0 && lost_interval > 0) {
		uint64_t f = ((uint64_t)lost_interval << 8) / expected_interval;
		fraction = (uint8_t)(f > 255 ? 255 : f); /* everything lost would be 256 */
	}

	*fraction_lost = fraction;
	*cumulative_lost = (int32_t)lost;
	*ext_highest_seq = extended_max;
	*jitter = s->jitter >> 4;
}
