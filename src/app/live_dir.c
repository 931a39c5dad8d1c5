/* live_dir: the HLS directory's default, so that `make run` streams without configuration: under
 * systemd (RuntimeDirectory=) its private /run folder, else a fresh mkdtemp folder in $TMPDIR. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "app/live_dir.h"

int app_live_dir(const char *configured, char *out, size_t cap, bool *made)
{
	*made = false;
	const char *run = getenv("RUNTIME_DIRECTORY");
	const char *tmp = getenv("TMPDIR");
	int n;
	if (configured)
		n = snprintf(out, cap, "%s", configured);
	else if (run && run[0] == '/')
		n = snprintf(out, cap, "%s/live", run);
	else
		n = snprintf(out, cap, "%s/plenum-live-XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp");
	if (n < 0 || (size_t)n >= cap)
		return ENAMETOOLONG;
	if (configured || (run && run[0] == '/'))
		return 0;
	if (!mkdtemp(out))
		return errno;
	*made = true;
	return 0;
}
