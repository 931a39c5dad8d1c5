/* live_dir: where HLS livestreams are encoded — --live-dir, or by default systemd's runtime
 * directory ($RUNTIME_DIRECTORY/live) or a private folder made in /tmp (mkdtemp, 0700). */
#ifndef PLENUM_APP_LIVE_DIR_H
#define PLENUM_APP_LIVE_DIR_H

#include <stdbool.h>
#include <stddef.h>

/* The directory into out; *made: a private one was made (remove it at exit). 0 or an errno. */
int app_live_dir(const char *configured, char *out, size_t cap, bool *made);

#endif
