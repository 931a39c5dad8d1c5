/* out_fake: the test-only stand-in for the media side of recording and streaming
 * (--test-fake-out): every start succeeds and nothing is recorded or streamed. */
#ifndef PLENUM_APP_OUT_FAKE_H
#define PLENUM_APP_OUT_FAKE_H

#include "signal/signal_out.h"

/* Logs each start and stop (arg: unused, NULL). */
extern const struct signal_out_ops app_out_fake_ops;

#endif
