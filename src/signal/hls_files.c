/* hls_files: the HLS livestream's HTTP face (RFC 8216) — GET /hls/<room>/index.m3u8 and its
 * segments, read from the live directory while the room streams; public, CORS for town websites. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meet/meet.h"
#include "sfu/sfu.h"
#include "signal/proto_int.h"
#include "signal/signal_int.h"
#include "signal/signal_out.h"
#include "signal/signal_tenant.h"

#define NAME_MAX_LEN 32

static const char *const cors[] = { "access-control-allow-origin:", "*", NULL };

bool signal_hls_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (strcmp(name, "index.m3u8") == 0)
		return true;
	if (n < 8 || n > NAME_MAX_LEN || strncmp(name, "seg-", 4) != 0 || strcmp(name + n - 3, ".ts") != 0)
		return false;
	for (size_t i = 4; i < n - 3; i++)
		if (name[i] < '0' || name[i] > '9')
			return false;
	return true;
}

static int reply(struct lws *wsi, struct signal_pss *pss, unsigned status, const char *text)
{
	char *body = strdup(text);
	if (!body)
		return 1;
	return signal_http_reply_cached(wsi, pss, status, "text/plain; charset=utf-8", body, strlen(body), "no-store",
	                                cors);
}

/* The whole file (a regular file, no link followed, at most SIGNAL_HLS_FILE_MAX). 0 or an errno. */
static int read_file(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno;
	struct stat st;
	int e = fstat(fd, &st) != 0 ? errno : !S_ISREG(st.st_mode) ? ENOENT
	      : (uint64_t)st.st_size > SIGNAL_HLS_FILE_MAX ? EFBIG : 0;
	char *buf = e ? NULL : malloc((size_t)st.st_size + 1);
	if (!e && !buf)
		e = ENOMEM;
	size_t got = 0;
	while (!e && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			e = n < 0 ? errno : EIO;
		else
			got += (size_t)n;
	}
	close(fd);
	if (e) {
		free(buf);
		return e;
	}
	*out = buf;
	*len = got;
	return 0;
}

int signal_hls_request(struct signal *s, struct lws *wsi, struct signal_pss *pss, const struct signal_tenant *t,
                       const char *rest)
{
	const char *slash = strchr(rest, '/');
	size_t n = slash ? (size_t)(slash - rest) : 0;
	char name[SFU_ROOM_NAME_MAX + 1], canon[SFU_ROOM_NAME_MAX + 1], key[SFU_ROOM_KEY_MAX + 1];
	if (!s->live_dir || !slash || n == 0 || n > SFU_ROOM_NAME_MAX || !signal_hls_name_ok(slash + 1))
		return reply(wsi, pss, 404, "no such stream\n");
	memcpy(name, rest, n);
	name[n] = '\0';
	if (sfu_room_name_normalize(name, canon) != 0)
		return reply(wsi, pss, 404, "no such stream\n");
	snprintf(key, sizeof key, "%s/%s", t->id, canon);
	if (!meet_room_find(s->proto->meet, key) || !signal_out_active(s, key, SIGNAL_OUT_STREAMING))
		return reply(wsi, pss, 404, "the livestream has not started or has ended\n");
	char path[1024];
	snprintf(path, sizeof path, "%s/%s/%s", s->live_dir, key, slash + 1);
	char *body = NULL;
	size_t len = 0;
	int e = read_file(path, &body, &len);
	if (e)
		return reply(wsi, pss, e == EFBIG || e == ENOMEM ? 503 : 404,
		             e == EFBIG || e == ENOMEM ? "not available\n" : "not (yet) there\n");
	bool playlist = strcmp(slash + 1, "index.m3u8") == 0;
	/* the playlist changes every segment; a segment never changes once its name is in it */
	return signal_http_reply_cached(wsi, pss, 200, playlist ? "application/vnd.apple.mpegurl" : "video/mp2t",
	                                body, len, playlist ? "max-age=1" : "max-age=3600, immutable", cors);
}
