/* errors: the one table of client-facing protocol error codes, their default English messages,
 * and the mapping from the media server's enum sfu_err. See docs/protocol.md. */
#ifndef PLENUM_SIGNAL_ERRORS_H
#define PLENUM_SIGNAL_ERRORS_H

enum signal_err {
	SIGNAL_OK = 0,
	SIGNAL_ERR_BAD_REQUEST,
	SIGNAL_ERR_MESSAGE_TOO_LARGE,
	SIGNAL_ERR_HELLO_REQUIRED,
	SIGNAL_ERR_UNSUPPORTED_VERSION,
	SIGNAL_ERR_UNKNOWN_METHOD,
	SIGNAL_ERR_NOT_JOINED,
	SIGNAL_ERR_ALREADY_JOINED,
	SIGNAL_ERR_ROOM_NAME_INVALID,
	SIGNAL_ERR_DISPLAY_NAME_INVALID,
	SIGNAL_ERR_SDP_INVALID,
	SIGNAL_ERR_INVALID_STATE,
	SIGNAL_ERR_STALE_ANSWER,
	SIGNAL_ERR_ROOM_FULL,
	SIGNAL_ERR_INTERNAL,
	SIGNAL_ERR_FORBIDDEN,
	SIGNAL_ERR_NOT_FOUND,
	SIGNAL_ERR_PASSWORD_REQUIRED,
	SIGNAL_ERR_PASSWORD_WRONG,
	SIGNAL_ERR_RATE_LIMITED,
	SIGNAL_ERR_ROOM_LOCKED,
	SIGNAL_ERR_LOBBY_FULL,
	SIGNAL_ERR_ROOMS_FULL,           /* the tenant's limit of rooms */
	SIGNAL_ERR_TOKEN_MALFORMED,      /* host tokens (JWT): see docs/protocol.md */
	SIGNAL_ERR_TOKEN_ALGORITHM,
	SIGNAL_ERR_TOKEN_SIGNATURE,
	SIGNAL_ERR_TOKEN_EXPIRED,
	SIGNAL_ERR_TOKEN_NOT_YET_VALID,
	SIGNAL_ERR_TOKEN_WRONG_TENANT,
	SIGNAL_ERR_TOKEN_WRONG_ROOM,
	SIGNAL_ERR_TOKEN_CLAIMS,
	SIGNAL_ERR_FEATURE_DISABLED,     /* recording/streaming: see docs/protocol.md */
	SIGNAL_ERR_DISK_FULL,
	SIGNAL_ERR_BUSY,
	SIGNAL_ERR_NO_MEDIA,
	SIGNAL_ERR_OUT_FAILED,
	SIGNAL_ERR_ALREADY_VOTED,        /* polls: see docs/protocol.md */
	SIGNAL_ERR_POLL_CLOSED,
	SIGNAL_ERR_TOO_MANY_POLLS,
	SIGNAL_ERR_POLL_FULL,
	SIGNAL_ERR_E2EE_REQUIRED,        /* end-to-end encryption: see docs/protocol.md */
	SIGNAL_ERR_E2EE_OFF,
	SIGNAL_ERR_E2EE,
	SIGNAL_ERR_COUNT
};

/* The wire code ("bad_request", …); "internal_error" for values out of range. */
const char *signal_err_code(enum signal_err err);
/* The default English message for the code. */
const char *signal_err_message(enum signal_err err);
/* Wire code → enum; 0, or -1 when unknown. */
int signal_err_parse(const char *code, enum signal_err *out);
/* A return value of the sfu API (0 or -SFU_ERR_*) → protocol error (SIGNAL_OK for 0). */
enum signal_err signal_err_from_sfu(int rc);
/* A meeting-policy verdict (enum meet_err) → protocol error. */
enum signal_err signal_err_from_meet(int err);
/* What the media side's start answered (0 or an errno, signal_out.h) → protocol error. */
enum signal_err signal_err_from_out(int err);

#endif
