/* ice_servers: the TURN servers a join result hands to the browser (RTCIceServer, W3C WebRTC §4.2.1),
 * each join with a fresh coturn use-auth-secret credential (draft-uberti-behave-turn-rest-00). */
#include <errno.h>
#include <openssl/crypto.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/util.h"
#include "signal/proto_int.h"

#define TURN_ID_LEN 16               /* random characters after the expiry: 96 bits, no person in them */

void proto_turn_free(struct proto_server *s)
{
	json_decref(s->turn_urls);
	s->turn_urls = NULL;
	OPENSSL_cleanse(s->turn_secret, sizeof s->turn_secret);
	s->turn_secret_len = 0;
}

int proto_server_set_turn(struct proto_server *s, const struct proto_turn *t)
{
	proto_turn_free(s);
	s->force_relay = false;
	if (!t || t->n_uris == 0)
		return 0;
	if (!t->uris || !t->secret || t->secret_len == 0 || t->secret_len > TURN_SECRET_MAX || t->ttl_s == 0)
		return EINVAL;
	json_t *urls = json_array();
	for (size_t i = 0; urls && i < t->n_uris; i++) {
		struct turn_uri u;
		const char *why;
		json_t *one = turn_uri_parse(t->uris[i], &u, &why) == 0 ? json_string(t->uris[i]) : NULL;
		if (!one || json_array_append_new(urls, one) != 0) {
			json_decref(urls);
			return one ? ENOMEM : EINVAL;
		}
	}
	if (!urls)
		return ENOMEM;
	s->turn_urls = urls;
	memcpy(s->turn_secret, t->secret, t->secret_len);
	s->turn_secret_len = t->secret_len;
	s->turn_ttl_s = t->ttl_s;
	s->force_relay = t->force_relay;
	return 0;
}

json_t *proto_ice_servers_json(const struct proto_server *s)
{
	if (!s->turn_urls)
		return NULL;
	/* The id is random per join: coturn's logs cannot tie a citizen's meetings together, and the
	 * display name never leaves plenum. */
	char id[TURN_ID_LEN + 1];
	struct turn_cred cred;
	time_t now = time(NULL);
	if (util_random_token(id, TURN_ID_LEN) != 0 || now < 0 ||
	    turn_cred_make(s->turn_secret, s->turn_secret_len, (uint64_t)now + s->turn_ttl_s, id, &cred) != 0) {
		log_warn("signal", "no TURN credential for this join (random or HMAC failed)");
		return NULL;
	}
	json_t *servers = json_pack("[{s:O, s:s, s:s}]", "urls", s->turn_urls, "username", cred.username,
	                            "credential", cred.password);
	OPENSSL_cleanse(&cred, sizeof cred);
	return servers;
}
