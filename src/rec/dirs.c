/* dirs: mkdir -p and rm -r for the recorder's own folders (paths it built itself from checked
 * names); nftw with FTW_PHYS, so a link inside is removed, never followed. */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rec/dirs.h"

int rec_mkdirs(const char *path)
{
	char tmp[1024];
	if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
		return ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0750) != 0 && errno != EEXIST)
			return errno;
		*p = '/';
	}
	return mkdir(tmp, 0750) != 0 && errno != EEXIST ? errno : 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(flag == FTW_DP ? rmdir : unlink)(path);
	return 0;
}

int rec_rmtree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return errno;
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return lstat(path, &st) == 0 ? EBUSY : 0;
}
