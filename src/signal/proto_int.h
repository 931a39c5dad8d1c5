/* proto_int: the connection state shared by protocol.c (framing, dispatch), methods.c (the
 * request handlers) and events.c (sfu events → JSON). Private to src/signal/. */
#ifndef PLENUM_SIGNAL_PROTO_INT_H
#define PLENUM_SIGNAL_PROTO_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "sfu/sfu.h"
#include "signal/protocol.h"

struct proto_pending {
	struct proto_pending *next;
	size_t len;
	char text[];
};

struct proto_conn {
	struct sfu *sfu;
	proto_send_fn send;
	void *send_arg;
	struct proto_stats *stats;
	bool hello_done;
	bool joining;                     /* inside sfu_join: events are ours before *out is set */
	struct sfu_participant *participant;
	unsigned busy;                    /* handling a request: events wait until its response */
	struct proto_pending *pending, **pending_tail;
};

/* One request being handled. A handler returns SIGNAL_OK with `result` set (a new reference),
 * or an error; `message` optionally replaces the table's default message. */
struct proto_req {
	struct proto_conn *c;
	json_t *params;                   /* always an object */
	json_t *result;
	const char *message;
};

typedef enum signal_err (*proto_handler_fn)(struct proto_req *r);

struct proto_method {
	const char *name;
	proto_handler_fn handler;
};

/* methods.c: the dispatch table. NULL when the name is unknown. */
const struct proto_method *proto_method_find(const char *name);
extern const struct sfu_events proto_sfu_events;

/* protocol.c: serialises and sends (or queues while busy); steals `msg`. */
void proto_emit(struct proto_conn *c, json_t *msg, bool is_event);
/* Drops the events queued while busy. */
void proto_pending_clear(struct proto_conn *c);
/* Whether sfu events for this connection are still wanted. */
static inline bool proto_conn_listening(const struct proto_conn *c)
{
	return c->joining || c->participant != NULL;
}

#endif
