/* sdp_int: helpers shared by the sdp files — string slices, tokens, and a bounded text writer.
 * RFC 8866 §9 grammar (token, byte-string). */
#ifndef PLENUM_SDP_SDP_INT_H
#define PLENUM_SDP_SDP_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"
#include "sdp/sdp.h"

/* A borrowed slice of text, not NUL-terminated. */
struct sdp_sv { const char *p; size_t n; };

/* Next space- or tab-separated token of *rest (advancing it); false when none is left. */
bool sdp_sv_token(struct sdp_sv *rest, struct sdp_sv *tok);
/* Splits s at the first `c`: head before, tail after; false (head = s, tail empty) without one. */
bool sdp_sv_split(struct sdp_sv s, char c, struct sdp_sv *head, struct sdp_sv *tail);
bool sdp_sv_eq(struct sdp_sv s, const char *lit);
bool sdp_sv_ieq(struct sdp_sv s, const char *lit);
struct sdp_sv sdp_sv_trim(struct sdp_sv s);
/* Decimal digits only, value ≤ max; false otherwise. */
bool sdp_sv_uint(struct sdp_sv s, uint64_t max, uint64_t *out);
/* Copies into dst[cap] with a NUL; false (dst untouched) when it does not fit. */
bool sdp_sv_copy(char *dst, size_t cap, struct sdp_sv s);

/* RFC 8866 token-char: printable ASCII except space and a few separators. */
bool sdp_is_token(const char *s);

/* The session-level lines both writers share: v=, o=, s=, t=, BUNDLE group of the given mids,
 * ice-lite. */
void sdp_write_session_head(struct strbuf *b, const struct sdp_local *l, const char *const *mids, size_t n_mids);
/* c= line and the transport attributes of one m-line (ufrag, pwd, fingerprint, setup). */
void sdp_write_transport(struct strbuf *b, const struct sdp_local *l, const char *setup);
/* The host candidate and end-of-candidates. */
void sdp_write_candidate(struct strbuf *b, const struct sdp_local *l);
/* answer.c, shared by both answers: whether mid is in s's BUNDLE group; an RTP/SAVPF profile; the
 * first codec of m named `name` at `clock` (offer order); the RTX codec for `apt`; an extmap id
 * usable in a one-byte header (1-14), else 0; an m-line rejected (port 0) with its mid. */
bool sdp_in_bundle(const struct sdp_session *s, const char *mid);
bool sdp_proto_savpf(const char *proto);
const struct sdp_codec *sdp_pick_codec(const struct sdp_media *m, const char *name, uint32_t clock);
const struct sdp_codec *sdp_pick_rtx(const struct sdp_media *m, uint8_t apt);
/* h264_fmtp.c: the first H.264 codec of m that plenum takes (packetization-mode=1, Constrained
 * Baseline before Baseline), its parameters in *fmtp; NULL when none. */
const struct sdp_codec *sdp_pick_h264(const struct sdp_media *m, struct sdp_h264_fmtp *fmtp);
uint8_t sdp_ext_id_short(const struct sdp_media *m, const char *uri);
void sdp_write_rejected(struct strbuf *b, const struct sdp_media *m);
/* The start of an answer: the arguments, room for the offer's m-lines, a transport that is not
 * setup:passive. 0, EINVAL, ENOSPC or EPROTO; *n_out = 0 and the text empty. */
int sdp_answer_begin(const struct sdp_session *offer, const struct sdp_local *local, bool has_out, size_t out_cap,
                     size_t *n_out, char *answer, size_t cap);
/* Whether the accepted m-lines (chosen[i] non-NULL) carry rtcp-mux as BUNDLE needs it. */
bool sdp_offer_muxed(const struct sdp_session *offer, const struct sdp_codec *const *chosen);
/* The end of an answer: 0 (*n_out = the offer's m-lines) or the writer's error (the text emptied). */
int sdp_answer_end(struct strbuf *b, const struct sdp_session *offer, size_t *n_out);
/* Checks plenum's own sdp_local: non-empty tokens, an IP literal, a port. */
bool sdp_local_valid(const struct sdp_local *l);

#endif
