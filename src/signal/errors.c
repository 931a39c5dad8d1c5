/* errors: the protocol's error table (code string ↔ enum ↔ default message) and the mapping
 * from enum sfu_err. Adding a code means one row here and one in docs/protocol.md. */
#include "signal/errors.h"

#include <errno.h>
#include <string.h>

#include "meet/meet.h"
#include "sfu/sfu.h"

struct err_row {
	const char *code;
	const char *message;
};

static const struct err_row err_table[SIGNAL_ERR_COUNT] = {
	[SIGNAL_OK] = { "ok", "OK" },
	[SIGNAL_ERR_BAD_REQUEST] = { "bad_request", "The request is malformed." },
	[SIGNAL_ERR_MESSAGE_TOO_LARGE] = { "message_too_large", "The message exceeds 262144 bytes." },
	[SIGNAL_ERR_HELLO_REQUIRED] = { "hello_required", "The first request must be hello." },
	[SIGNAL_ERR_UNSUPPORTED_VERSION] = { "unsupported_version", "This server speaks protocol version 1." },
	[SIGNAL_ERR_UNKNOWN_METHOD] = { "unknown_method", "Unknown method." },
	[SIGNAL_ERR_NOT_JOINED] = { "not_joined", "Join a room first." },
	[SIGNAL_ERR_ALREADY_JOINED] = { "already_joined", "This connection has already joined a room." },
	[SIGNAL_ERR_ROOM_NAME_INVALID] = { "room_name_invalid",
		"Room names are 1 to 64 characters of a-z, 0-9, '.', '-' and '_', "
		"not starting or ending with '.', '-' or '_'." },
	[SIGNAL_ERR_DISPLAY_NAME_INVALID] = { "display_name_invalid",
		"Display names are 1 to 64 bytes of UTF-8 without control characters." },
	[SIGNAL_ERR_SDP_INVALID] = { "sdp_invalid", "The session description could not be used." },
	[SIGNAL_ERR_INVALID_STATE] = { "invalid_state", "The request is not valid in the current state." },
	[SIGNAL_ERR_STALE_ANSWER] = { "stale_answer", "The answer is for an offer that has been superseded." },
	[SIGNAL_ERR_ROOM_FULL] = { "room_full", "The room is full." },
	[SIGNAL_ERR_INTERNAL] = { "internal_error", "Internal server error." },
	[SIGNAL_ERR_FORBIDDEN] = { "forbidden", "Only a host may do this." },
	[SIGNAL_ERR_NOT_FOUND] = { "not_found", "No such participant or lobby entry." },
	[SIGNAL_ERR_PASSWORD_REQUIRED] = { "password_required", "This room needs a password." },
	[SIGNAL_ERR_PASSWORD_WRONG] = { "password_wrong", "The password is wrong." },
	[SIGNAL_ERR_RATE_LIMITED] = { "rate_limited", "Too many requests; try again later." },
	[SIGNAL_ERR_ROOM_LOCKED] = { "room_locked", "The room is locked." },
	[SIGNAL_ERR_LOBBY_FULL] = { "lobby_full", "The lobby of this room is full; try again later." },
	[SIGNAL_ERR_ROOMS_FULL] = { "rooms_full", "This service holds as many meetings as it may right now; try again later." },
	[SIGNAL_ERR_TOKEN_MALFORMED] = { "token_malformed", "The token is not a JSON Web Token." },
	[SIGNAL_ERR_TOKEN_ALGORITHM] = { "token_algorithm",
		"The token's signature algorithm is not one this service accepts." },
	[SIGNAL_ERR_TOKEN_SIGNATURE] = { "token_signature", "The token's signature is not valid." },
	[SIGNAL_ERR_TOKEN_EXPIRED] = { "token_expired", "The token has expired." },
	[SIGNAL_ERR_TOKEN_NOT_YET_VALID] = { "token_not_yet_valid", "The token is not valid yet." },
	[SIGNAL_ERR_TOKEN_WRONG_TENANT] = { "token_wrong_tenant", "The token is for another service." },
	[SIGNAL_ERR_TOKEN_WRONG_ROOM] = { "token_wrong_room", "The token is for another room." },
	[SIGNAL_ERR_TOKEN_CLAIMS] = { "token_claims", "The token's claims are not usable." },
	[SIGNAL_ERR_FEATURE_DISABLED] = { "feature_disabled", "This service does not offer this here." },
	[SIGNAL_ERR_DISK_FULL] = { "disk_full", "The recording storage is full; nothing was started." },
	[SIGNAL_ERR_BUSY] = { "busy", "As many recordings or streams run as this service allows; try again later." },
	[SIGNAL_ERR_NO_MEDIA] = { "no_media", "Nobody sends audio or video in this meeting yet; try again then." },
	[SIGNAL_ERR_OUT_FAILED] = { "out_failed", "It could not be started." },
	[SIGNAL_ERR_ALREADY_VOTED] = { "already_voted", "You have voted in this poll already." },
	[SIGNAL_ERR_POLL_CLOSED] = { "poll_closed", "This poll is closed." },
	[SIGNAL_ERR_TOO_MANY_POLLS] = { "too_many_polls", "Three polls are running; close one first." },
	[SIGNAL_ERR_POLL_FULL] = { "poll_full", "This poll takes no more votes." },
	[SIGNAL_ERR_E2EE_REQUIRED] = { "e2ee_required",
		"This meeting is end-to-end encrypted: join it with its passphrase, in a browser that can encrypt." },
	[SIGNAL_ERR_E2EE_OFF] = { "e2ee_off", "This meeting is not end-to-end encrypted: join it without a passphrase." },
	[SIGNAL_ERR_E2EE] = { "e2ee",
		"This meeting is end-to-end encrypted: the server cannot read its media, so it cannot record, "
		"stream or pass it on." },
};

const char *signal_err_code(enum signal_err err)
{
	if ((unsigned)err >= SIGNAL_ERR_COUNT)
		err = SIGNAL_ERR_INTERNAL;
	return err_table[err].code;
}

const char *signal_err_message(enum signal_err err)
{
	if ((unsigned)err >= SIGNAL_ERR_COUNT)
		err = SIGNAL_ERR_INTERNAL;
	return err_table[err].message;
}

int signal_err_parse(const char *code, enum signal_err *out)
{
	for (unsigned i = 1; i < SIGNAL_ERR_COUNT; i++) {
		if (strcmp(code, err_table[i].code) == 0) {
			*out = (enum signal_err)i;
			return 0;
		}
	}
	return -1;
}

static const enum signal_err from_sfu[] = {
	[SFU_OK] = SIGNAL_OK,
	[SFU_ERR_ROOM_NAME] = SIGNAL_ERR_ROOM_NAME_INVALID,
	[SFU_ERR_DISPLAY_NAME] = SIGNAL_ERR_DISPLAY_NAME_INVALID,
	[SFU_ERR_SDP] = SIGNAL_ERR_SDP_INVALID,
	[SFU_ERR_STATE] = SIGNAL_ERR_INVALID_STATE,
	[SFU_ERR_STALE] = SIGNAL_ERR_STALE_ANSWER,
	[SFU_ERR_ROOM_FULL] = SIGNAL_ERR_ROOM_FULL,
	[SFU_ERR_INTERNAL] = SIGNAL_ERR_INTERNAL,
};

enum signal_err signal_err_from_sfu(int rc)
{
	if (rc == 0)
		return SIGNAL_OK;
	unsigned e = rc < 0 ? (unsigned)-rc : (unsigned)rc;
	if (e >= sizeof from_sfu / sizeof from_sfu[0])
		return SIGNAL_ERR_INTERNAL;
	return from_sfu[e];
}

static const enum signal_err from_meet[] = {
	[MEET_OK] = SIGNAL_OK,
	[MEET_ERR_FORBIDDEN] = SIGNAL_ERR_FORBIDDEN,
	[MEET_ERR_NOT_FOUND] = SIGNAL_ERR_NOT_FOUND,
	[MEET_ERR_PASSWORD_REQUIRED] = SIGNAL_ERR_PASSWORD_REQUIRED,
	[MEET_ERR_PASSWORD_WRONG] = SIGNAL_ERR_PASSWORD_WRONG,
	[MEET_ERR_RATE_LIMITED] = SIGNAL_ERR_RATE_LIMITED,
	[MEET_ERR_LOCKED] = SIGNAL_ERR_ROOM_LOCKED,
	[MEET_ERR_INVALID] = SIGNAL_ERR_BAD_REQUEST,
	[MEET_ERR_NOMEM] = SIGNAL_ERR_INTERNAL,
	[MEET_ERR_LOBBY_FULL] = SIGNAL_ERR_LOBBY_FULL,
	[MEET_ERR_STATE] = SIGNAL_ERR_INVALID_STATE,
	[MEET_ERR_BUSY] = SIGNAL_ERR_BUSY,
	[MEET_ERR_TOO_MANY] = SIGNAL_ERR_TOO_MANY_POLLS,
	[MEET_ERR_E2EE_REQUIRED] = SIGNAL_ERR_E2EE_REQUIRED,
	[MEET_ERR_E2EE_OFF] = SIGNAL_ERR_E2EE_OFF,
	[MEET_ERR_E2EE] = SIGNAL_ERR_E2EE,
};

enum signal_err signal_err_from_meet(int err)
{
	if (err < 0 || (size_t)err >= sizeof from_meet / sizeof from_meet[0])
		return SIGNAL_ERR_INTERNAL;
	return from_meet[err];
}

enum signal_err signal_err_from_out(int err)
{
	switch (err) {
	case 0: return SIGNAL_OK;
	case ENOSPC: return SIGNAL_ERR_DISK_FULL;
	case EBUSY: return SIGNAL_ERR_BUSY;
	case ENOENT: return SIGNAL_ERR_NO_MEDIA;
	default: return SIGNAL_ERR_OUT_FAILED;
	}
}
