/* tcp_framing: RFC 4571 §2 — a 16-bit length, then that many bytes; frames are parsed where they
 * were read, and only the partial frame at the end moves to the front of the buffer. */
#include "net/tcp_framing.h"

#include <errno.h>
#include <string.h>

uint8_t *net_deframer_space(struct net_deframer *d, size_t *avail)
{
	*avail = sizeof d->buf - d->len;
	return d->buf + d->len;
}

int net_deframer_commit(struct net_deframer *d, size_t n, net_frame_fn fn, void *arg)
{
	if (n > sizeof d->buf - d->len)
		n = sizeof d->buf - d->len;
	d->len += n;
	size_t off = 0;
	int err = 0;
	while (d->len - off >= 2) {
		size_t flen = (size_t)d->buf[off] << 8 | d->buf[off + 1];
		if (flen > NET_FRAME_MAX) {
			err = EMSGSIZE;
			break;
		}
		if (d->len - off - 2 < flen)
			break;
		if (flen)
			fn(arg, d->buf + off + 2, flen);
		off += 2 + flen;
	}
	if (err) {
		d->len = 0;
		return err;
	}
	d->len -= off;
	if (off && d->len)
		memmove(d->buf, d->buf + off, d->len);
	return 0;
}

int net_deframer_feed(struct net_deframer *d, const uint8_t *in, size_t n, net_frame_fn fn, void *arg)
{
	while (n) {
		size_t avail;
		uint8_t *dst = net_deframer_space(d, &avail);
		size_t k = n < avail ? n : avail;
		memcpy(dst, in, k);
		int err = net_deframer_commit(d, k, fn, arg);
		if (err)
			return err;
		in += k;
		n -= k;
	}
	return 0;
}
