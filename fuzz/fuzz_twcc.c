/* fuzz_twcc: every input as RTCP carrying transport-cc feedback: parse, re-encode what was received
 * through a recorder and parse it back, and feed it to an estimator.
 * draft-holmer-rmcat-transport-wide-cc-extensions-01, draft-ietf-rmcat-gcc-02. */
#include <stdlib.h>
#include <string.h>

#include "bwe/bwe.h"
#include "rtcp/rtcp.h"
#include "rtcp/twcc.h"

#define WRAP_US ((int64_t)TWCC_REF_WRAP * TWCC_REF_UNIT_US)
#define OFFSET_US (WRAP_US * 1000)  /* keeps every arrival positive and its remainder unchanged */

struct expect {
	uint16_t first;
	bool any;
	int64_t ref_us;
	size_t count, received;
	uint8_t rx[65536];
	int64_t at[65536];              /* modulo WRAP_US */
};

static struct expect ex, back;
static struct twcc_recorder rec;

static int64_t mod_wrap(int64_t v) { return ((v % WRAP_US) + WRAP_US) % WRAP_US; }

static void first_cb(void *arg, uint16_t seq, bool received, int64_t arrival_us)
{
	struct expect *e = arg;
	if (e->count > 0 && seq != (uint16_t)(e->first + e->count))
		abort();
	if (e->count == 0)
		e->first = seq;
	e->count++;
	if (!received)
		return;
	e->received++;
	int64_t abs_us = e->ref_us + arrival_us;
	twcc_recorder_add(&rec, seq, (uint64_t)(abs_us + OFFSET_US));
	uint16_t i = (uint16_t)(seq - e->first);
	e->rx[i] = 1;
	e->at[i] = mod_wrap(abs_us);
}

static void back_cb(void *arg, uint16_t seq, bool received, int64_t arrival_us)
{
	struct expect *e = arg;
	uint16_t i = (uint16_t)(seq - ex.first);
	if (received) {
		if (!ex.rx[i] || mod_wrap(e->ref_us + arrival_us) != ex.at[i])
			abort();
		e->rx[i]++;
		e->received++;
	} else if (ex.rx[i]) {
		abort();
	}
}

/* The received packets of p, written again by a recorder, read back the same. */
static void roundtrip(const struct rtcp_pkt *p, const struct twcc_fb *fb)
{
	memset(&ex, 0, sizeof(ex));
	twcc_recorder_init(&rec);
	ex.ref_us = (int64_t)fb->ref_time * TWCC_REF_UNIT_US;
	if (twcc_parse(p, NULL, first_cb, &ex))
		abort();
	if (ex.count != fb->status_count)
		abort();
	if (!ex.received || fb->status_count > TWCC_RING)
		return;
	memset(&back, 0, sizeof(back));
	static uint8_t out[16384];
	size_t total = 0;
	while (twcc_recorder_pending(&rec)) {
		size_t len = twcc_recorder_write(&rec, out, sizeof(out), 1, 2);
		if (!len)
			abort();
		struct rtcp_iter it;
		struct rtcp_pkt q;
		struct twcc_fb f2;
		int r;
		rtcp_iter_init(&it, out, len);
		while ((r = rtcp_iter_next(&it, &q)) == 1) {
			if (q.len > rec.max_pkt_len || rtcp_validate_compound(q.buf, q.len) || twcc_parse(&q, &f2, NULL, NULL))
				abort();
			back.ref_us = (int64_t)f2.ref_time * TWCC_REF_UNIT_US;
			twcc_parse(&q, NULL, back_cb, &back);
		}
		if (r != 0)
			abort();
		if (++total > 10000)
			abort();
	}
	if (back.received != ex.received)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bwe *b;
	if (bwe_new(&b, 300000, 50000, 10000000))
		abort();
	struct rtcp_iter it;
	struct rtcp_pkt p;
	uint64_t now = 1000000;
	rtcp_iter_init(&it, data, size);
	while (rtcp_iter_next(&it, &p) == 1) {
		struct twcc_fb fb;
		if (twcc_parse(&p, &fb, NULL, NULL))
			continue;
		roundtrip(&p, &fb);
		/* the estimator has sent what the feedback reports on, 1 ms apart */
		for (uint32_t i = 0; i < fb.status_count; i += 1 + fb.status_count / 4096) {
			bwe_on_sent(b, (uint16_t)(fb.base_seq + i), 1200, now);
			now += 1000;
		}
	}
	for (int k = 0; k < 3; k++) {
		bwe_on_twcc(b, data, size, now);
		bwe_on_loss(b, size ? data[0] : 0, now);
		now += 50000;
		uint64_t e = bwe_estimate(b, now);
		if (e < 50000 || e > 10000000)
			abort();
	}
	bwe_free(b);
	return 0;
}
