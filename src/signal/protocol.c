/* protocol: one signaling connection — parses and validates each inbound JSON message, dispatches
 * it through the method table, and sends exactly one response or error, then the events it caused. */
#include "signal/protocol.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/jwt.h"
#include "base/log.h"
#include "base/util.h"
#include "signal/proto_int.h"

#define PROTO_ID_MAX 2147483648LL   /* 2^31 */

int proto_server_new(struct proto_server **out, struct sfu *sfu, struct proto_stats *stats)
{
	struct proto_server *s = calloc(1, sizeof *s);
	if (!s)
		return ENOMEM;
	s->sfu = sfu;
	s->stats = stats;
	s->clock = &clock_system;
	s->log_guess.per_sec = 2;
	uint8_t stream[JWT_HS256_SECRET_MIN];
	int err = util_random(s->addr_key, sizeof s->addr_key);
	if (!err)
		err = util_random(stream, sizeof stream);
	if (!err)
		err = jwt_key_hs256(&s->stream_key, stream, sizeof stream);
	explicit_bzero(stream, sizeof stream);
	if (!err && (err = meet_new(&s->meet)) != 0)
		jwt_key_free(s->stream_key);
	if (!err && (err = proto_tenants_init(s)) != 0) {
		meet_free(s->meet);
		jwt_key_free(s->stream_key);
	}
	if (err) {
		free(s);
		return err;
	}
	*out = s;
	return 0;
}

void proto_server_free(struct proto_server *s)
{
	if (!s)
		return;
	meet_free(s->meet);
	proto_tenants_free(s);
	proto_turn_free(s);
	jwt_key_free(s->stream_key);
	free(s);
}

int proto_server_set_stream_secret(struct proto_server *s, const void *secret, size_t len)
{
	struct jwt_key *k;
	int err = jwt_key_hs256(&k, secret, len);
	if (err)
		return err;
	jwt_key_free(s->stream_key);
	s->stream_key = k;
	return 0;
}

void proto_server_set_clock(struct proto_server *s, const struct clock_src *clock)
{
	s->clock = clock ? clock : &clock_system;
}

uint64_t proto_now_us(const struct proto_conn *c)
{
	return clock_now(c->srv->clock);
}

uint64_t proto_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int proto_conn_new(struct proto_conn **out, struct proto_server *srv, proto_send_fn send, void *send_arg)
{
	struct proto_conn *c = calloc(1, sizeof *c);
	if (!c)
		return ENOMEM;
	c->srv = srv;
	c->sfu = srv->sfu;
	c->send = send;
	c->send_arg = send_arg;
	c->stats = srv->stats;
	c->pending_tail = &c->pending;
	c->tenant = srv->tenants;
	*out = c;
	return 0;
}

void proto_conn_set_peer(struct proto_conn *c, const char *address)
{
	/* A keyed hash of the address group (IPv4 /32, IPv6 /64): equal for one group within this
	 * process, useless outside it. */
	c->addr = meet_addr_group(c->srv->addr_key, address);
}

void proto_conn_set_base_url(struct proto_conn *c, const char *url)
{
	if (url && strlen(url) < sizeof c->base_url)
		snprintf(c->base_url, sizeof c->base_url, "%s", url);
}

void proto_conn_set_admitted(struct proto_conn *c, const char *room_key)
{
	if (room_key && strlen(room_key) < sizeof c->admitted_key)
		snprintf(c->admitted_key, sizeof c->admitted_key, "%s", room_key);
}

void proto_pending_clear(struct proto_conn *c)
{
	struct proto_pending *p = c->pending;
	while (p) {
		struct proto_pending *next = p->next;
		free(p);
		p = next;
	}
	c->pending = NULL;
	c->pending_tail = &c->pending;
}

void proto_conn_free(struct proto_conn *c)
{
	if (!c)
		return;
	/* Leaving may send events to other connections, never to this one. */
	c->busy++;
	if (c->lobby_id)
		proto_room_lobby_cancel(c);
	if (c->participant) {
		struct sfu_participant *p = c->participant;
		c->participant = NULL;
		sfu_leave(p, SFU_LEFT_CLOSED);
		proto_room_drop(c);   /* a lost connection: a host's seat is held */
	}
	proto_pending_clear(c);
	free(c);
}

bool proto_conn_joined(const struct proto_conn *c)
{
	return c->participant != NULL;
}

bool proto_conn_greeted(const struct proto_conn *c)
{
	return c->hello_done;
}

void proto_pending_flush(struct proto_conn *c)
{
	if (c->busy)
		return;
	struct proto_pending *p = c->pending;
	c->pending = NULL;
	c->pending_tail = &c->pending;
	while (p) {
		struct proto_pending *next = p->next;
		c->send(c->send_arg, p->text, p->len);
		free(p);
		p = next;
	}
}

void proto_emit(struct proto_conn *c, json_t *msg, bool is_event)
{
	if (!msg) {
		log_warn("signal", "could not build an outbound message");
		return;
	}
	char *text = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (!text) {
		log_warn("signal", "could not serialise an outbound message");
		return;
	}
	size_t len = strlen(text);
	if (is_event && c->stats)
		c->stats->events++;
	if (is_event && c->busy) {
		struct proto_pending *p = malloc(sizeof *p + len + 1);
		if (p) {
			p->next = NULL;
			p->len = len;
			memcpy(p->text, text, len + 1);
			*c->pending_tail = p;
			c->pending_tail = &p->next;
		}
	} else {
		c->send(c->send_arg, text, len);
	}
	free(text);
}

void proto_event(struct proto_conn *c, const char *name, json_t *data)
{
	if (!data)
		return;
	proto_emit(c, json_pack("{s:s, s:o}", "event", name, "data", data), true);
}

void proto_event_now(struct proto_conn *c, const char *name, json_t *data)
{
	if (!data)
		return;
	if (c->stats)
		c->stats->events++;
	proto_emit(c, json_pack("{s:s, s:o}", "event", name, "data", data), false);
}

static void send_error(struct proto_conn *c, json_int_t id, enum signal_err err, const char *message)
{
	if (c->stats)
		c->stats->errors++;
	json_t *jid = id > 0 ? json_integer(id) : json_null();
	proto_emit(c, json_pack("{s:o, s:{s:s, s:s}}", "id", jid, "error", "code", signal_err_code(err),
	                        "message", message ? message : signal_err_message(err)), false);
}

void proto_conn_reject(struct proto_conn *c, enum signal_err err, const char *message)
{
	if (c->stats)
		c->stats->malformed++;
	send_error(c, 0, err, message);
}

/* The request's id: 1..2^31, or 0 when absent or invalid. */
static json_int_t request_id(const json_t *root)
{
	const json_t *jid = json_object_get(root, "id");
	if (!json_is_integer(jid))
		return 0;
	json_int_t id = json_integer_value(jid);
	return id >= 1 && id <= PROTO_ID_MAX ? id : 0;
}

static void dispatch(struct proto_conn *c, json_int_t id, const char *name, json_t *params)
{
	const struct proto_method *m = proto_method_find(name);
	if (!c->hello_done && !(m && strcmp(m->name, "hello") == 0)) {
		send_error(c, id, SIGNAL_ERR_HELLO_REQUIRED, NULL);
		return;
	}
	if (!m) {
		send_error(c, id, SIGNAL_ERR_UNKNOWN_METHOD, NULL);
		return;
	}
	struct proto_req r = { .c = c, .params = params };
	c->busy++;
	if (c->member)
		proto_room_seats_check(c);
	enum signal_err err = SIGNAL_OK;
	if ((m->checks & PROTO_JOINED) && !c->participant)
		err = SIGNAL_ERR_NOT_JOINED;
	else if ((m->checks & PROTO_ACTION) && !(c->member && meet_may(c->member->role, m->action)))
		err = SIGNAL_ERR_FORBIDDEN;
	else
		err = m->handler(&r);
	if (err == SIGNAL_OK && !r.result)
		err = SIGNAL_ERR_INTERNAL;
	if (err == SIGNAL_OK)
		proto_emit(c, json_pack("{s:I, s:o}", "id", id, "result", r.result), false);
	else {
		json_decref(r.result);
		send_error(c, id, err, r.message);
	}
	if (--c->busy == 0)
		proto_pending_flush(c);
}

void proto_conn_receive(struct proto_conn *c, const char *msg, size_t len)
{
	if (len > PROTO_MAX_MESSAGE) {
		proto_conn_reject(c, SIGNAL_ERR_MESSAGE_TOO_LARGE, NULL);
		return;
	}
	if (c->stats)
		c->stats->requests++;
	json_error_t jerr;
	json_t *root = json_loadb(msg, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (!json_is_object(root)) {
		if (c->stats)
			c->stats->malformed++;
		send_error(c, 0, SIGNAL_ERR_BAD_REQUEST, root ? "The message is not a JSON object."
		                                              : "The message is not valid JSON.");
		json_decref(root);
		return;
	}
	json_int_t id = request_id(root);
	const json_t *jmethod = json_object_get(root, "method");
	json_t *params = json_object_get(root, "params");
	if (!id) {
		send_error(c, 0, SIGNAL_ERR_BAD_REQUEST, "The request has no valid id.");
	} else if (!json_is_string(jmethod)) {
		send_error(c, id, SIGNAL_ERR_BAD_REQUEST, "The request has no method.");
	} else if (params && !json_is_object(params) && !json_is_null(params)) {
		send_error(c, id, SIGNAL_ERR_BAD_REQUEST, "params must be an object.");
	} else {
		const char *name = json_string_value(jmethod);
		if (strlen(name) != json_string_length(jmethod))
			name = "";   /* an embedded NUL: no method has that name */
		json_t *empty = NULL;
		if (!json_is_object(params))
			params = empty = json_object();
		if (params)
			dispatch(c, id, name, params);
		json_decref(empty);
	}
	json_decref(root);
}
