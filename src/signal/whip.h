/* whip: the WHIP endpoint (RFC 9725) of src/signal — the HTTP side (http.c hands /whip/ requests and
 * their offers here) and the encoders publishing into meetings as participants. Private to src/signal/. */
#ifndef PLENUM_SIGNAL_WHIP_H
#define PLENUM_SIGNAL_WHIP_H

#include "signal/proto_int.h"
#include "signal/signal_int.h"

#define SIGNAL_WHIP_PREFIX "/whip/"

/* A request under /whip/ (`rest` after the prefix) of tenant t: answers at once, or for a POST reads
 * its offer into pss->offer. */
int signal_whip_request(struct signal *s, struct lws *wsi, struct signal_pss *pss, struct signal_tenant *t,
                        const char *rest);
/* LWS_CALLBACK_HTTP_BODY_COMPLETION of such a POST: the encoder joins, or is refused. */
int signal_whip_offer(struct signal *s, struct lws *wsi, struct signal_pss *pss);
/* Frees the resources whose participant left (removed, the meeting ended, the media timed out). */
void signal_whip_sweep(struct signal *s);
int signal_whip_init(struct signal *s);
void signal_whip_free(struct signal *s);

#endif
