/* stun: STUN messages — decoding into a borrowed view, writing, MESSAGE-INTEGRITY and FINGERPRINT.
 * RFC 8489 (STUN), RFC 8445 §16 (ICE attributes), RFC 7983 (demultiplexing), RFC 5769 (vectors). */
#ifndef PLENUM_STUN_STUN_H
#define PLENUM_STUN_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define STUN_HEADER_LEN 20
#define STUN_MAGIC_COOKIE 0x2112A442u
#define STUN_FINGERPRINT_XOR 0x5354554Eu

#define STUN_BINDING_REQUEST 0x0001
#define STUN_BINDING_INDICATION 0x0011
#define STUN_BINDING_SUCCESS 0x0101
#define STUN_BINDING_ERROR 0x0111

/* Message class bits inside the type (RFC 8489 §5). */
#define STUN_CLASS_MASK 0x0110
#define STUN_CLASS_REQUEST 0x0000
#define STUN_CLASS_INDICATION 0x0010
#define STUN_CLASS_SUCCESS 0x0100
#define STUN_CLASS_ERROR 0x0110

/* Comprehension-required (0x0000–0x7FFF). */
#define STUN_ATTR_MAPPED_ADDRESS 0x0001
#define STUN_ATTR_USERNAME 0x0006
#define STUN_ATTR_MESSAGE_INTEGRITY 0x0008
#define STUN_ATTR_ERROR_CODE 0x0009
#define STUN_ATTR_UNKNOWN_ATTRIBUTES 0x000A
#define STUN_ATTR_REALM 0x0014
#define STUN_ATTR_NONCE 0x0015
#define STUN_ATTR_MESSAGE_INTEGRITY_SHA256 0x001C
#define STUN_ATTR_PASSWORD_ALGORITHM 0x001D
#define STUN_ATTR_USERHASH 0x001E
#define STUN_ATTR_XOR_MAPPED_ADDRESS 0x0020
#define STUN_ATTR_PRIORITY 0x0024
#define STUN_ATTR_USE_CANDIDATE 0x0025
/* Comprehension-optional (0x8000–0xFFFF). */
#define STUN_ATTR_PASSWORD_ALGORITHMS 0x8002
#define STUN_ATTR_ALTERNATE_DOMAIN 0x8003
#define STUN_ATTR_SOFTWARE 0x8022
#define STUN_ATTR_ALTERNATE_SERVER 0x8023
#define STUN_ATTR_FINGERPRINT 0x8028
#define STUN_ATTR_ICE_CONTROLLED 0x8029
#define STUN_ATTR_ICE_CONTROLLING 0x802A

#define STUN_MI_LEN 20      /* HMAC-SHA1 value */
#define STUN_MI_ATTR_LEN 24 /* with its attribute header */
#define STUN_FP_ATTR_LEN 8

/* Error codes used by ICE (RFC 8489 §14.8, RFC 8445 §16.1). */
#define STUN_ERR_BAD_REQUEST 400
#define STUN_ERR_UNAUTHORIZED 401
#define STUN_ERR_UNKNOWN_ATTRIBUTE 420
#define STUN_ERR_ROLE_CONFLICT 487
#define STUN_ERR_SERVER_ERROR 500

/* A decoded message: a view into `buf`, valid as long as the caller's buffer is. */
struct stun_msg {
	uint16_t type;
	uint16_t length; /* the header's length field: bytes after the 20-byte header */
	uint8_t tid[12];
	const uint8_t *username; /* not NUL-terminated */
	size_t username_len;
	bool has_integrity;
	size_t integrity_offset; /* offset of the MESSAGE-INTEGRITY attribute header in buf */
	bool has_fingerprint;
	bool fingerprint_ok;
	bool use_candidate;
	bool has_priority;
	uint32_t priority;
	bool ice_controlling, ice_controlled;
	uint64_t tiebreaker;
	bool has_xor_mapped;
	struct sockaddr_storage xor_mapped;
	uint16_t error_code;       /* 0 when absent, else class*100+number */
	uint16_t unknown_required; /* first unknown comprehension-required attribute, 0 if none */
	const uint8_t *buf;
	size_t len;
};

/* RFC 7983 demultiplexing test: first byte 0..3, at least a header, the magic cookie. */
bool stun_is_stun(const uint8_t *buf, size_t len);

/* Decodes one message occupying exactly `len` bytes (a UDP datagram). Returns 0 or EBADMSG.
 * Checks the header, the length field, attribute bounds and padding, the value length of every
 * attribute it interprets, and that FINGERPRINT comes last; a FINGERPRINT with the wrong value
 * decodes with fingerprint_ok == false. Attributes after MESSAGE-INTEGRITY, except FINGERPRINT,
 * are ignored (RFC 8489 §14.5). The first occurrence of a repeated attribute wins. */
int stun_msg_decode(struct stun_msg *m, const uint8_t *buf, size_t len);

/* MESSAGE-INTEGRITY (HMAC-SHA1, length field adjusted as RFC 8489 §14.5 says), compared in
 * constant time. False when the message has none. For short-term credentials the key is the
 * password; for long-term ones see stun_long_term_key. */
bool stun_msg_integrity_ok(const struct stun_msg *m, const uint8_t *key, size_t key_len);

/* The FINGERPRINT value of the first `len` bytes: CRC-32 XOR 0x5354554E (RFC 8489 §14.7). */
uint32_t stun_fingerprint(const uint8_t *buf, size_t len);

/* Long-term credential key MD5(username ":" realm ":" password) (RFC 8489 §9.2.2), inputs
 * already SASLprep'ed/OpaqueString-processed by the caller. 0 or EINVAL/EIO. */
int stun_long_term_key(uint8_t key[16], const char *username, const char *realm, const char *password);

/* Writes a message into a caller buffer. Errors stick in `err` (ENOSPC when the buffer is too
 * small, EINVAL for bad arguments, EAFNOSUPPORT for an unknown address family); once set, later
 * calls do nothing. `len` is the bytes written so far. */
struct stun_writer {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int err;
};

void stun_writer_init(struct stun_writer *w, uint8_t *buf, size_t cap, uint16_t type, const uint8_t tid[12]);
/* Appends an attribute, padded with zero bytes to a multiple of 4. */
void stun_writer_add(struct stun_writer *w, uint16_t attr, const void *val, size_t len);
void stun_writer_add_u32(struct stun_writer *w, uint16_t attr, uint32_t v);
void stun_writer_add_u64(struct stun_writer *w, uint16_t attr, uint64_t v);
/* XOR-MAPPED-ADDRESS style value for an AF_INET or AF_INET6 address. */
void stun_writer_add_xor_addr(struct stun_writer *w, uint16_t attr, const struct sockaddr *addr);
/* ERROR-CODE with code 300..699 and a UTF-8 reason (may be NULL). */
void stun_writer_add_error(struct stun_writer *w, uint16_t code, const char *reason);
/* Adds MESSAGE-INTEGRITY when key != NULL, then FINGERPRINT when asked. w->len is then the
 * final message length, unless w->err is set. */
void stun_writer_finish(struct stun_writer *w, const uint8_t *key, size_t key_len, bool fingerprint);

/* Decodes an XOR-MAPPED-ADDRESS style value (family, port, address XORed with cookie and tid).
 * 0 or EBADMSG. */
int stun_xor_addr_decode(struct sockaddr_storage *out, const uint8_t *val, size_t len, const uint8_t tid[12]);

#endif
