/* tenant_policy: the towns of one server as the protocol sees them — each with its own rooms
 * (room keys "TENANT/NAME"), room and participant limits, who may open a room, and the keys its
 * portal signs host tokens with; a join's token checked (src/auth/jwt.c) against the tenant and
 * the room. Tokens are never logged. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/jwt.h"
#include "signal/proto_int.h"

#define TOKEN_LEEWAY_S 30

static struct proto_tenant *tenant_alloc(const char *id)
{
	struct proto_tenant *t = calloc(1, sizeof *t);
	if (t)
		snprintf(t->id, sizeof t->id, "%s", id);
	return t;
}

struct proto_tenant *proto_server_tenant(struct proto_server *s, const char *id)
{
	for (struct proto_tenant *t = s->tenants; t; t = t->next)
		if (strcmp(t->id, id) == 0)
			return t;
	return NULL;
}

int proto_tenants_init(struct proto_server *s)
{
	s->tenants = tenant_alloc("default");
	return s->tenants ? 0 : ENOMEM;
}

void proto_tenants_free(struct proto_server *s)
{
	for (struct proto_tenant *t = s->tenants, *next; t; t = next) {
		next = t->next;
		for (size_t i = 0; i < t->n_keys; i++)
			jwt_key_free(t->keys[i]);
		free(t);
	}
	s->tenants = NULL;
}

static int add_keys(struct proto_tenant *t, const struct proto_tenant_config *cfg)
{
	if (cfg->token_secret && jwt_key_hs256(&t->keys[t->n_keys++], cfg->token_secret, cfg->token_secret_len) != 0) {
		t->n_keys--;
		log_error("signal", "tenant %s: the token secret cannot be used (HS256 needs at least 32 bytes)", t->id);
		return EINVAL;
	}
	if (cfg->token_public_pem) {
		char why[256] = "";
		if (jwt_key_public_pem(&t->keys[t->n_keys], cfg->token_public_pem, strlen(cfg->token_public_pem), why,
		                       sizeof why) != 0) {
			log_error("signal", "tenant %s: the token public key cannot be used: %s", t->id, why);
			return EINVAL;
		}
		t->n_keys++;
	}
	return 0;
}

int proto_server_add_tenant(struct proto_server *s, const struct proto_tenant_config *cfg, struct proto_tenant **out)
{
	if (!cfg || !cfg->id || !*cfg->id || strlen(cfg->id) > 32)
		return EINVAL;
	struct proto_tenant *t = proto_server_tenant(s, cfg->id);
	bool fresh = !t;
	if (t && (strcmp(t->id, "default") != 0 || t->n_keys))
		return EEXIST;
	if (fresh && !(t = tenant_alloc(cfg->id)))
		return ENOMEM;
	t->max_room_participants = cfg->max_room_participants;
	t->max_rooms = cfg->max_rooms;
	t->token_required = cfg->token_required;
	memcpy(t->out_off, cfg->out_off, sizeof t->out_off);
	int err = add_keys(t, cfg);
	if (err) {
		for (size_t i = 0; i < t->n_keys; i++)
			jwt_key_free(t->keys[i]);
		t->n_keys = 0;
		if (fresh)
			free(t);
		return err;
	}
	if (fresh) {
		struct proto_tenant **tail = &s->tenants;
		while (*tail)
			tail = &(*tail)->next;
		*tail = t;
	}
	if (out)
		*out = t;
	return 0;
}

void proto_server_set_usage(struct proto_server *s, struct usage *u)
{
	s->usage = u;
}

void proto_conn_set_tenant(struct proto_conn *c, struct proto_tenant *t)
{
	if (t)
		c->tenant = t;
}

void proto_conn_set_browser(struct proto_conn *c, int family)
{
	c->browser = family;
}

static enum signal_err from_jwt(enum jwt_err e)
{
	switch (e) {
	case JWT_OK: return SIGNAL_OK;
	case JWT_ERR_ALGORITHM: return SIGNAL_ERR_TOKEN_ALGORITHM;
	case JWT_ERR_AUDIENCE: return SIGNAL_ERR_TOKEN_WRONG_TENANT;
	case JWT_ERR_SIGNATURE: return SIGNAL_ERR_TOKEN_SIGNATURE;
	case JWT_ERR_EXPIRED: return SIGNAL_ERR_TOKEN_EXPIRED;
	case JWT_ERR_NOT_YET_VALID: return SIGNAL_ERR_TOKEN_NOT_YET_VALID;
	case JWT_ERR_CLAIMS: return SIGNAL_ERR_TOKEN_CLAIMS;
	case JWT_ERR_MALFORMED:
	default: return SIGNAL_ERR_TOKEN_MALFORMED;
	}
}

enum signal_err proto_token_check(struct proto_conn *c, const char *token, size_t len, const char *canon,
                                  struct jwt_claims *out)
{
	struct proto_tenant *t = c->tenant;
	enum signal_err err;
	if (!t->n_keys) {
		err = SIGNAL_ERR_TOKEN_ALGORITHM;   /* this tenant accepts no tokens at all */
	} else {
		enum jwt_err je = jwt_verify(token, len, (const struct jwt_key *const *)t->keys, t->n_keys, t->id,
		                             (int64_t)time(NULL), TOKEN_LEEWAY_S, out);
		err = from_jwt(je);
		if (!err && !out->any_room) {
			char room[SFU_ROOM_NAME_MAX + 1];
			if (sfu_room_name_normalize(out->room, room) != 0 || strcmp(room, canon) != 0)
				err = SIGNAL_ERR_TOKEN_WRONG_ROOM;
		}
		if (!err && out->name[0] && sfu_display_name_check(out->name) != 0)
			err = SIGNAL_ERR_TOKEN_CLAIMS;
		/* a stream link's token (plenum's own) is no portal token, whatever key signed it */
		if (!err && out->use[0])
			err = SIGNAL_ERR_TOKEN_CLAIMS;
	}
	if (err) {
		t->token_refused++;
		if (log_limit_allow(&c->srv->log_guess, proto_now_us(c)))
			log_info("signal", "a token was refused: %s", signal_err_code(err));
	}
	return err;
}

bool proto_tenant_room_allowed(struct proto_tenant *t)
{
	if (!t->max_rooms || t->rooms < t->max_rooms)
		return true;
	t->rooms_refused++;
	return false;
}

void proto_tenant_room_opened(struct meet_room *r, struct proto_tenant *t)
{
	r->owner = t;
	t->rooms++;
}

void proto_tenant_room_closed(struct meet_room *r)
{
	struct proto_tenant *t = r->owner;
	if (t && t->rooms)
		t->rooms--;
	r->owner = NULL;
}

size_t proto_server_tenant_metrics(const struct proto_server *s, char *out, size_t cap)
{
	static const struct { const char *name, *type, *help; } m[] = {
		{ "plenum_tenant_rooms", "gauge", "Rooms open now, by tenant" },
		{ "plenum_tenant_participants", "gauge", "Participants in rooms now, by tenant" },
		{ "plenum_tenant_joins_total", "counter", "Joins since start, by tenant" },
		{ "plenum_tenant_tokens_refused_total", "counter", "Host tokens refused since start, by tenant" },
		{ "plenum_tenant_rooms_refused_total", "counter", "Rooms not opened because of the tenant's max-rooms" },
	};
	size_t len = 0;
	for (size_t k = 0; k < sizeof m / sizeof m[0]; k++) {
		int n = snprintf(out + len, cap - len, "# HELP %s %s\n# TYPE %s %s\n", m[k].name, m[k].help, m[k].name, m[k].type);
		if (n < 0 || (size_t)n >= cap - len)
			return len;
		len += (size_t)n;
		for (const struct proto_tenant *t = s->tenants; t; t = t->next) {
			unsigned long long v = k == 0 ? t->rooms : k == 1 ? t->participants : k == 2 ? t->joins
			                     : k == 3 ? t->token_refused : t->rooms_refused;
			n = snprintf(out + len, cap - len, "%s{tenant=\"%s\"} %llu\n", m[k].name, t->id, v);
			if (n < 0 || (size_t)n >= cap - len)
				return len;
			len += (size_t)n;
		}
	}
	return len;
}
