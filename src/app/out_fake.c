/* out_fake: --test-fake-out, for the browser tests of consent (signal_out.h) before the real media
 * side is wired in: starts succeed and stops are accepted, with a warning line each; no media. */
#include "app/out_fake.h"

#include "base/log.h"

static const char *what_name(enum signal_out what)
{
	return what == SIGNAL_OUT_RECORDING ? "recording" : "streaming";
}

static int fake_start(void *arg, enum signal_out what, const char *room_key, const char *tenant)
{
	(void)arg;
	(void)room_key;
	(void)tenant;
	log_warn("out", "TEST MODE: %s \"started\" without recording or streaming anything", what_name(what));
	return 0;
}

static void fake_stop(void *arg, enum signal_out what, const char *room_key)
{
	(void)arg;
	(void)room_key;
	log_warn("out", "TEST MODE: %s \"stopped\"", what_name(what));
}

const struct signal_out_ops app_out_fake_ops = { fake_start, fake_stop };
