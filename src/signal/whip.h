/* whip: the WHIP endpoint (RFC 9725) of src/signal — the HTTP side (http.c hands /whip/ requests and
 * their bodies here) and the encoders publishing into meetings as participants. Private to src/signal/. */
#ifndef PLENUM_SIGNAL_WHIP_H
#define PLENUM_SIGNAL_WHIP_H

#include "signal/proto_int.h"
#include "signal/signal_int.h"

#define SIGNAL_WHIP_PREFIX "/whip/"

/* Starts a /whip/… request (LWS_CALLBACK_HTTP): answers at once, or for a POST waits for its body. */
int signal_whip_http(struct signal *s, struct lws *wsi, struct signal_pss *pss, const char *path);
/* LWS_CALLBACK_HTTP_BODY, LWS_CALLBACK_HTTP_BODY_COMPLETION of such a POST. */
int signal_whip_body(struct signal *s, struct lws *wsi, struct signal_pss *pss, const void *in, size_t len);
int signal_whip_body_done(struct signal *s, struct lws *wsi, struct signal_pss *pss);
/* Frees the resources whose participant left (removed, the meeting ended, the media timed out). */
void signal_whip_sweep(struct signal *s);
int signal_whip_init(struct signal *s);
void signal_whip_free(struct signal *s);

#endif
