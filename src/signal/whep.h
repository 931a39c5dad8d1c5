/* whep: the WHEP endpoint (draft-ietf-wish-whep) of src/signal — viewers of a meeting's livestream
 * under /whep/<room>[/<id>] (http.c hands requests and offers here). Private to src/signal/. */
#ifndef PLENUM_SIGNAL_WHEP_H
#define PLENUM_SIGNAL_WHEP_H

#include "signal/signal_int.h"

#define SIGNAL_WHEP_PREFIX "/whep/"
#define SIGNAL_WHEP_RATE 20                 /* offers per second, server-wide ... */
#define SIGNAL_WHEP_BURST 40                /* ... and at once */

/* A request under /whep/ (`rest` after the prefix) of tenant t (may be NULL): OPTIONS, POST (its
 * offer is read into pss->offer), DELETE, others 405. */
int signal_whep_request(struct signal *s, struct lws *wsi, struct signal_pss *pss, struct signal_tenant *t,
                        const char *rest);
/* LWS_CALLBACK_HTTP_BODY_COMPLETION of such a POST: admits the viewer or refuses. */
int signal_whep_offer(struct signal *s, struct lws *wsi, struct signal_pss *pss);
void signal_whep_free(struct signal *s);   /* ends every viewer (before the sfu goes) */

#endif
