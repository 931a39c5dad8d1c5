/* fuzz_tcp: the ICE-TCP front door on arbitrary bytes — the listener's first-bytes sorting
 * (src/peer/tcp_accept.c) on every prefix, and RFC 4571 deframing (src/net/tcp_framing.c) of
 * the stream fed in pieces whose sizes the input chooses. Frames must stay inside the input. */
#include <stdlib.h>
#include <string.h>

#include "net/tcp_framing.h"
#include "peer/demux.h"
#include "peer/tcp_accept.h"

struct seen {
	size_t bytes;
	size_t total;
};

static void on_frame(void *arg, uint8_t *frame, size_t len)
{
	struct seen *s = arg;
	if (!len || len > NET_FRAME_MAX)
		abort();
	s->bytes += len + 2;
	if (s->bytes > s->total)
		abort();   /* a frame made of bytes that were never fed */
	frame[0] ^= 1;   /* frames may be modified */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int worker;
	size_t lim = size < PEER_TCP_SNIFF_MAX ? size : PEER_TCP_SNIFF_MAX;
	for (size_t k = 0; k <= lim; k++) {
		enum peer_tcp_kind kind = peer_tcp_classify(data, k, &worker);
		if (kind == PEER_TCP_ICE && (worker < -1 || worker >= PEER_MAX_WORKERS))
			abort();
	}
	static struct net_deframer d;
	memset(&d, 0, sizeof d);
	struct seen s = { 0, size };
	/* the first byte picks the piece size, the rest is the stream */
	if (size < 1)
		return 0;
	size_t piece = 1 + data[0] % 97;
	for (size_t off = 1; off < size; off += piece) {
		size_t n = size - off < piece ? size - off : piece;
		if (net_deframer_feed(&d, data + off, n, on_frame, &s) != 0)
			break;
	}
	return 0;
}
