/* policy: who may do what (the role table), rate limits as GCRA token buckets on an injected
 * clock, and the rules for chat text (UTF-8, RFC 3629) and reactions. */
#include <string.h>

#include "meet/meet.h"

#include "base/utf8.h"

static const bool host_only[MEET_ACT_COUNT] = {
	[MEET_ACT_SET_PASSWORD] = true, [MEET_ACT_SET_LOBBY] = true, [MEET_ACT_LOBBY_ADMIT] = true,
	[MEET_ACT_LOBBY_DENY] = true, [MEET_ACT_SET_LOCKED] = true, [MEET_ACT_MAKE_HOST] = true,
	[MEET_ACT_MUTE] = true, [MEET_ACT_MUTE_ALL] = true, [MEET_ACT_ASK_UNMUTE] = true,
	[MEET_ACT_REMOVE] = true, [MEET_ACT_END_MEETING] = true, [MEET_ACT_LOWER_OTHER_HAND] = true,
	[MEET_ACT_SET_ROOM_MUSIC] = true, [MEET_ACT_RECORD] = true, [MEET_ACT_STREAM] = true,
	[MEET_ACT_STREAM_LINKS] = true, [MEET_ACT_BREAKOUT] = true,
};

bool meet_may(enum meet_role role, enum meet_action action)
{
	if ((unsigned)action >= MEET_ACT_COUNT)
		return false;
	return role == MEET_HOST || !host_only[action];
}

const struct meet_limit meet_limit_chat = { 10, 10000000u };
const struct meet_limit meet_limit_reaction = { 5, 10000000u };
const struct meet_limit meet_limit_hand = { 10, 10000000u };
const struct meet_limit meet_limit_media = { 20, 10000000u };
const struct meet_limit meet_limit_music = { 5, 10000000u };
const struct meet_limit meet_limit_knock_room = { 20, 10000000u };
const struct meet_limit meet_limit_knock_group = { 5, 60000000u };
const struct meet_limit meet_limit_out = { 6, 10000000u };
const struct meet_limit meet_limit_out_status = { 5, 10000000u };
const struct meet_limit meet_limit_join = { 6, 12000000u };
const struct meet_limit meet_limit_breakout = { 30, 10000000u };
const struct meet_limit meet_limit_breakout_help = { 1, 30000000u };

/* GCRA: each event moves the theoretical arrival time by T = window/burst; an event is allowed
 * while tat - now ≤ window - T, i.e. at most `burst` at once and `burst` per window after. */
bool meet_bucket_ready(const struct meet_bucket *b, const struct meet_limit *l, uint64_t now_us,
                       uint64_t *retry_us)
{
	uint64_t t = l->window_us / (l->burst ? l->burst : 1);
	uint64_t tat = b->tat > now_us ? b->tat : now_us;
	uint64_t tolerance = l->window_us - t;
	if (tat - now_us > tolerance) {
		if (retry_us)
			*retry_us = tat - now_us - tolerance;
		return false;
	}
	return true;
}

bool meet_bucket_take(struct meet_bucket *b, const struct meet_limit *l, uint64_t now_us, uint64_t *retry_us)
{
	if (!meet_bucket_ready(b, l, now_us, retry_us))
		return false;
	uint64_t tat = b->tat > now_us ? b->tat : now_us;
	b->tat = tat + l->window_us / (l->burst ? l->burst : 1);
	return true;
}

enum meet_err meet_take(struct meet_bucket *b, const struct meet_limit *l, uint64_t now_us, uint64_t *retry_us)
{
	return meet_bucket_take(b, l, now_us, retry_us) ? MEET_OK : MEET_ERR_RATE_LIMITED;
}

enum meet_err meet_chat_take(struct meet_member *m, uint64_t now_us, uint64_t *retry_us)
{
	return meet_bucket_take(&m->chat, &meet_limit_chat, now_us, retry_us) ? MEET_OK : MEET_ERR_RATE_LIMITED;
}

enum meet_err meet_reaction_take(struct meet_member *m, uint64_t now_us, uint64_t *retry_us)
{
	return meet_bucket_take(&m->reaction, &meet_limit_reaction, now_us, retry_us) ? MEET_OK
	                                                                               : MEET_ERR_RATE_LIMITED;
}


/* Valid UTF-8 of 1..max bytes; control characters refused unless allow_nl and '\n'. */
static enum meet_err text_check(const char *text, size_t len, size_t max, bool controls_ok_nl)
{
	if (!text || len == 0 || len > max)
		return MEET_ERR_INVALID;
	const unsigned char *s = (const unsigned char *)text;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_next(s + i, len - i, &cp);
		if (!n)
			return MEET_ERR_INVALID;
		if (utf8_is_control(cp) && !(controls_ok_nl && cp == '\n'))
			return MEET_ERR_INVALID;
		i += n;
	}
	return MEET_OK;
}

enum meet_err meet_chat_check(const char *text, size_t len)
{
	return text_check(text, len, MEET_CHAT_MAX, true);
}

/* Used by password.c: passwords are UTF-8 without NUL; other characters are the user's choice. */
enum meet_err meet_password_valid(const char *pw, size_t len)
{
	if (!pw || len == 0 || len > MEET_PASSWORD_MAX || memchr(pw, 0, len) ||
	    !utf8_valid((const unsigned char *)pw, len))
		return MEET_ERR_INVALID;
	return MEET_OK;
}

static const char *const reactions[] = {
	"\xF0\x9F\x91\x8D",             /* 👍 */
	"\xF0\x9F\x91\x8F",             /* 👏 */
	"\xE2\x9D\xA4\xEF\xB8\x8F",     /* ❤️ (U+2764 U+FE0F) */
	"\xF0\x9F\x98\x82",             /* 😂 */
	"\xF0\x9F\x98\xAE",             /* 😮 */
	"\xF0\x9F\x8E\x89",             /* 🎉 */
};

const char *meet_reaction_canonical(const char *emoji, size_t len)
{
	if (!emoji)
		return NULL;
	for (size_t i = 0; i < sizeof reactions / sizeof reactions[0]; i++)
		if (strlen(reactions[i]) == len && memcmp(reactions[i], emoji, len) == 0)
			return reactions[i];
	/* ❤ without the emoji variation selector means the same heart */
	if (len == 3 && memcmp(emoji, "\xE2\x9D\xA4", 3) == 0)
		return reactions[2];
	return NULL;
}
