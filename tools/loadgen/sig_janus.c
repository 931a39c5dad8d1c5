/* sig_janus: the load generator speaking Janus' VideoRoom API over WebSocket ("janus-protocol"). */
#include "lg.h"
static void j_open(struct lg_part *p) { lg_part_fail(p, "janus: not yet"); }
static void j_msg(struct lg_part *p, const char *t, size_t l) {}
static void j_tick(struct lg_part *p, uint64_t n) {}
static bool j_settled(const struct lg_part *p) { return true; }
static void j_free(struct lg_part *p) {}
const struct lg_sig_ops lg_sig_janus = { "janus", "janus-protocol", j_open, j_msg, j_tick, j_settled, j_free };
