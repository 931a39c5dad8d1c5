/* fuzz_signal: arbitrary bytes as signaling messages through the protocol layer (no sockets).
 * The whole input is one message on a fresh connection; then the input, split at newlines, is a
 * sequence of messages on a connection that said hello (so join, publish, … are reached).
 * Every outbound message must be one JSON object with an id or an event. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "base/log.h"
#include "sfu/sfu.h"
#include "signal/protocol.h"

static struct sfu *sfu;
static struct proto_server *srv;
static uv_loop_t loop;

static int check_send(void *arg, const char *text, size_t len)
{
	json_error_t err;
	json_t *m = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(m))
		abort();
	json_t *id = json_object_get(m, "id");
	json_t *ev = json_object_get(m, "event");
	if (!id == !ev)
		abort();
	if (id && !(json_object_get(m, "result") || json_object_get(m, "error")))
		abort();
	json_decref(m);
	(*(unsigned *)arg)++;
	return 0;
}

static void setup(void)
{
	log_set_level(LOG_LEVEL_OFF);
	uv_loop_init(&loop);
	struct sfu_config cfg = { .public_ip = "127.0.0.1", .bind_ip = "127.0.0.1", .media_port = 0,
	                          .max_room_participants = 4 };
	if (sfu_new(&sfu, &loop, &cfg) != 0)
		abort();
	if (proto_server_new(&srv, sfu, NULL) != 0)
		abort();
	/* the built-in tenant with a portal's HS256 key and rooms opened by token, so that joins reach
	 * the token checks and the wait for the host */
	static const char secret[] = "fuzz-portal-secret-0123456789abcdef";
	struct proto_tenant_config tc = { .id = "default", .token_required = true, .token_secret = secret,
	                                  .token_secret_len = sizeof secret - 1 };
	if (proto_server_add_tenant(srv, &tc, NULL) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!sfu)
		setup();
	unsigned sent = 0, requests = 0;
	struct proto_conn *c, *peer;

	/* One message on a fresh connection: exactly one answer. */
	if (proto_conn_new(&c, srv, check_send, &sent))
		return 0;
	proto_conn_receive(c, (const char *)data, size);
	if (sent != 1)
		abort();
	proto_conn_free(c);

	/* A peer already in the room the seeds use, so joins there produce events. */
	unsigned peer_sent = 0;
	if (proto_conn_new(&peer, srv, check_send, &peer_sent))
		return 0;
	static const char p_hello[] = "{\"id\":1,\"method\":\"hello\",\"params\":{\"version\":1}}";
	static const char p_join[] = "{\"id\":2,\"method\":\"join\",\"params\":{\"room\":\"fuzz\",\"name\":\"Peer\"}}";
	proto_conn_receive(peer, p_hello, strlen(p_hello));
	proto_conn_receive(peer, p_join, strlen(p_join));

	/* Newline-separated messages after hello: one answer each, plus events. */
	sent = 0;
	if (proto_conn_new(&c, srv, check_send, &sent) == 0) {
		proto_conn_receive(c, p_hello, strlen(p_hello));
		const char *p = (const char *)data, *end = p + size;
		while (p < end && requests < 64) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
			unsigned before = sent;
			proto_conn_receive(c, p, len);
			if (sent == before)
				abort();
			requests++;
			p += len + 1;
		}
		proto_conn_free(c);
	}
	proto_conn_free(peer);
	return 0;
}
