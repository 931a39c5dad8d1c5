/* fuzz_forwarded: arbitrary X-Forwarded-For values through signal_forwarded_for, the parser that
 * decides which client a request from a trusted proxy stands for (src/signal/addr.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "signal/signal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct signal_cidr trusted[3];
	static int ready;
	if (!ready) {
		signal_cidr_parse("127.0.0.1/32", &trusted[0]);
		signal_cidr_parse("10.0.0.0/8", &trusted[1]);
		signal_cidr_parse("::1/128", &trusted[2]);
		ready = 1;
	}
	/* a copy of exactly size bytes, so that a read past the value is a sanitizer report */
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	int family = 0;
	uint8_t addr[16];
	enum signal_fwd r = signal_forwarded_for(text, size, trusted, 3, &family, addr);
	if (r == SIGNAL_FWD_OK) {
		char out[64];
		if (signal_addr_text(family, addr, out, sizeof out) != 0)
			abort();   /* OK always names an address */
	} else if (r != SIGNAL_FWD_INVALID && !(r == SIGNAL_FWD_ABSENT && size == 0)) {
		abort();
	}
	free(text);
	return 0;
}
