/* methods: the request handlers of signaling v1 and their dispatch table — hello, join, publish,
 * subscribe_answer, media_state, leave, ping. Each validates its params, then calls the sfu. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "signal/proto_int.h"

/* A required string param; fails with bad_request when missing or not a string. `nul_err`
 * is the error for a string with an embedded NUL (which no field accepts). */
static enum signal_err param_string(struct proto_req *r, const char *key, enum signal_err nul_err,
                                    const char **out)
{
	const json_t *v = json_object_get(r->params, key);
	if (!json_is_string(v)) {
		r->message = v ? "A parameter has the wrong type." : "A required parameter is missing.";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	*out = json_string_value(v);
	if (strlen(*out) != json_string_length(v))
		return nul_err;
	return SIGNAL_OK;
}

static enum signal_err param_bool(struct proto_req *r, const char *key, bool *out)
{
	const json_t *v = json_object_get(r->params, key);
	if (!json_is_boolean(v)) {
		r->message = v ? "A parameter has the wrong type." : "A required parameter is missing.";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	*out = json_is_true(v);
	return SIGNAL_OK;
}

static enum signal_err param_int(struct proto_req *r, const char *key, json_int_t *out)
{
	const json_t *v = json_object_get(r->params, key);
	if (!json_is_integer(v)) {
		r->message = v ? "A parameter has the wrong type." : "A required parameter is missing.";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	*out = json_integer_value(v);
	return SIGNAL_OK;
}

static enum signal_err m_hello(struct proto_req *r)
{
	json_int_t version;
	enum signal_err err;
	if (r->c->hello_done) {
		r->message = "hello was already sent on this connection.";
		return SIGNAL_ERR_INVALID_STATE;
	}
	if ((err = param_int(r, "version", &version)))
		return err;
	const json_t *client = json_object_get(r->params, "client");
	if (client && !json_is_string(client)) {
		r->message = "client must be a string.";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	if (version != PROTO_VERSION)
		return SIGNAL_ERR_UNSUPPORTED_VERSION;
	r->c->hello_done = true;
	r->result = json_pack("{s:i, s:s, s:s}", "version", PROTO_VERSION, "server", "plenum",
	                      "server_version", PROTO_SERVER_VERSION);
	return SIGNAL_OK;
}

static enum signal_err m_join(struct proto_req *r)
{
	struct proto_conn *c = r->c;
	const char *room, *name;
	char canon[SFU_ROOM_NAME_MAX + 1];
	enum signal_err err;
	if (c->participant)
		return SIGNAL_ERR_ALREADY_JOINED;
	if ((err = param_string(r, "room", SIGNAL_ERR_ROOM_NAME_INVALID, &room)) ||
	    (err = param_string(r, "name", SIGNAL_ERR_DISPLAY_NAME_INVALID, &name)))
		return err;
	if (sfu_room_name_normalize(room, canon) != 0)
		return SIGNAL_ERR_ROOM_NAME_INVALID;
	if (sfu_display_name_check(name) != 0)
		return SIGNAL_ERR_DISPLAY_NAME_INVALID;
	struct sfu_participant *p = NULL;
	c->joining = true;
	int rc = sfu_join(c->sfu, canon, name, &proto_sfu_events, c, &p);
	c->joining = false;
	if (rc != 0 || !p) {
		/* Events fired before a failed join belong to no participant. */
		proto_pending_clear(c);
		return rc ? signal_err_from_sfu(rc) : SIGNAL_ERR_INTERNAL;
	}
	c->participant = p;
	uint32_t pid = sfu_participant_id(p);
	r->result = json_pack("{s:I, s:s}", "participant_id", (json_int_t)pid, "room", canon);
	return SIGNAL_OK;
}

static enum signal_err m_publish(struct proto_req *r)
{
	const char *sdp;
	enum signal_err err;
	if (!r->c->participant)
		return SIGNAL_ERR_NOT_JOINED;
	if ((err = param_string(r, "sdp", SIGNAL_ERR_SDP_INVALID, &sdp)))
		return err;
	log_debug("signal", "publish offer:\n%s", sdp);
	char *answer = NULL;
	int rc = sfu_publish(r->c->participant, sdp, NULL, &answer);
	if (rc != 0) {
		free(answer);
		return signal_err_from_sfu(rc);
	}
	if (!answer)
		return SIGNAL_ERR_INTERNAL;
	log_debug("signal", "publish answer:\n%s", answer);
	r->result = json_pack("{s:s}", "sdp", answer);
	free(answer);
	return SIGNAL_OK;
}

static enum signal_err m_subscribe_answer(struct proto_req *r)
{
	const char *sdp;
	json_int_t version;
	enum signal_err err;
	if (!r->c->participant)
		return SIGNAL_ERR_NOT_JOINED;
	if ((err = param_int(r, "version", &version)))
		return err;
	if (version < 0 || version > UINT32_MAX) {
		r->message = "version is out of range.";
		return SIGNAL_ERR_BAD_REQUEST;
	}
	if ((err = param_string(r, "sdp", SIGNAL_ERR_SDP_INVALID, &sdp)))
		return err;
	log_debug("signal", "subscribe answer %u:\n%s", (unsigned)version, sdp);
	int rc = sfu_subscribe_answer(r->c->participant, (uint32_t)version, sdp);
	if (rc != 0)
		return signal_err_from_sfu(rc);
	r->result = json_object();
	return SIGNAL_OK;
}

static enum signal_err m_media_state(struct proto_req *r)
{
	bool audio, video;
	enum signal_err err;
	if (!r->c->participant)
		return SIGNAL_ERR_NOT_JOINED;
	if ((err = param_bool(r, "audio_muted", &audio)) || (err = param_bool(r, "video_muted", &video)))
		return err;
	int rc = sfu_set_media_state(r->c->participant, audio, video);
	if (rc != 0)
		return signal_err_from_sfu(rc);
	r->result = json_object();
	return SIGNAL_OK;
}

static enum signal_err m_leave(struct proto_req *r)
{
	struct sfu_participant *p = r->c->participant;
	if (!p)
		return SIGNAL_ERR_NOT_JOINED;
	r->c->participant = NULL;
	sfu_leave(p, SFU_LEFT_BYE);
	r->result = json_object();
	return SIGNAL_OK;
}

static enum signal_err m_ping(struct proto_req *r)
{
	r->result = json_object();
	return SIGNAL_OK;
}

static const struct proto_method methods[] = {
	{ "hello", m_hello },
	{ "join", m_join },
	{ "publish", m_publish },
	{ "subscribe_answer", m_subscribe_answer },
	{ "media_state", m_media_state },
	{ "leave", m_leave },
	{ "ping", m_ping },
};

const struct proto_method *proto_method_find(const char *name)
{
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strcmp(methods[i].name, name) == 0)
			return &methods[i];
	return NULL;
}
