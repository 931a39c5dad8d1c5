/* whep: the load generator's WHEP viewers — receive-only PeerConnections that POST their offer over
 * plain HTTP (loopback) with the host's stream token and count what the programme brings them.
 * draft-ietf-wish-whep (HTTP offer/answer), RFC 9110 (the request), RFC 8829 (the offer). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "lg.h"

#define WHEP_GAP_US 60000          /* one POST every 60 ms: under the server's 20 offers a second */
#define WHEP_RETRY_US 1000000      /* after a 429 or 503 */
#define WHEP_TRIES 5
#define WHEP_RESP_MAX (96 * 1024)  /* an answer is a few kB; the server takes offers up to 64 KiB */

int lg_whep_init(struct lg *lg)
{
	if (!lg->o.whep_viewers)
		return 0;
	lg->viewers = calloc(lg->o.whep_viewers, sizeof *lg->viewers);
	if (!lg->viewers)
		return ENOMEM;
	lg->n_viewers = lg->o.whep_viewers;
	for (unsigned i = 0; i < lg->n_viewers; i++) {
		struct lg_part *v = &lg->viewers[i];
		v->lg = lg;
		v->whep = true;
		v->index = i;
		snprintf(v->name, sizeof v->name, "whep-%u", i);
	}
	return 0;
}

void lg_whep_set_link(struct lg *lg, const char *url, const char *token)
{
	const char *path = url ? strstr(url, "/whep/") : NULL;
	if (!path || !token || strlen(path) >= sizeof lg->whep_path) {
		snprintf(lg->out_error, sizeof lg->out_error, "stream_links without a usable whep url and token");
		return;
	}
	snprintf(lg->whep_path, sizeof lg->whep_path, "%s", path);
	free(lg->whep_token);
	lg->whep_token = strdup(token);
}

/* One blocking request on loopback (the join phase, outside the window): the status, the body. */
static int http_post(struct lg *lg, const char *path, const char *token, const char *body, int *status, char **resp)
{
	*status = 0;
	*resp = NULL;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	struct timeval tv = { .tv_sec = 5 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(lg->o.port) };
	size_t blen = strlen(body);
	char *buf = malloc(WHEP_RESP_MAX + 1);
	int err = !buf ? ENOMEM : inet_pton(AF_INET, lg->o.host, &a.sin_addr) == 1 ? 0 : EINVAL;
	if (!err && connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
		err = errno;
	if (!err) {
		int n = snprintf(buf, WHEP_RESP_MAX, "POST %s HTTP/1.1\r\nHost: %s:%u\r\nContent-Type: application/sdp\r\n"
		                 "Authorization: Bearer %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
		                 path, lg->o.host, (unsigned)lg->o.port, token, blen);
		if (n < 0 || n >= WHEP_RESP_MAX || send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n ||
		    send(fd, body, blen, MSG_NOSIGNAL) != (ssize_t)blen)
			err = EIO;
	}
	size_t got = 0;
	const char *end = NULL;
	long clen = -1;
	while (!err) {
		ssize_t n = recv(fd, buf + got, WHEP_RESP_MAX - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
		if (!end && (end = strstr(buf, "\r\n\r\n")) != NULL) {
			const char *cl = strcasestr(buf, "\r\ncontent-length:");
			clen = cl && cl < end ? strtol(cl + 17, NULL, 10) : -1;
		}
		if ((end && clen >= 0 && got >= (size_t)(end + 4 - buf) + (size_t)clen) || got == WHEP_RESP_MAX)
			break;
	}
	close(fd);
	if (!err && (!end || sscanf(buf, "HTTP/1.%*d %d", status) != 1))
		err = EPROTO;
	if (!err && !(*resp = strdup(end + 4)))
		err = ENOMEM;
	free(buf);
	return err;
}

static void viewer_post(struct lg *lg, struct lg_part *v, uint64_t now)
{
	int rc = v->sub ? 0 : lg_pc_new(lg, v, false, &v->sub);
	if (rc == 0)
		rc = lg_sdp_whep_offer(v->sub, lg->sdp_buf, 1 << 18);
	if (rc) {
		lg_part_fail(v, "WHEP offer: %s", strerror(rc));
		return;
	}
	int status;
	char *answer;
	rc = http_post(lg, lg->whep_path, lg->whep_token, lg->sdp_buf, &status, &answer);
	if (rc) {
		lg_part_fail(v, "WHEP POST: %s", strerror(rc));
		return;
	}
	if ((status == 429 || status == 503) && ++v->whep_tries < WHEP_TRIES) {
		v->whep_retry_us = now + WHEP_RETRY_US;   /* the server's budget: offers per second, viewers */
	} else if (status != 201) {
		lg_part_fail(v, "WHEP POST answered %d: %.60s", status, answer);
	} else {
		v->whep_retry_us = 0;
		v->joined = true;
		v->t_joined = now;
		rc = lg_sdp_whep_apply_answer(v->sub, answer);
		if (rc)
			lg_part_fail(v, "WHEP answer not usable: %s", strerror(rc));
	}
	free(answer);
}

void lg_whep_tick(struct lg *lg, uint64_t now)
{
	if (lg->whep_token && lg->n_viewers_started < lg->n_viewers && now >= lg->next_viewer_us) {
		struct lg_part *v = &lg->viewers[lg->n_viewers_started++];
		v->started = true;
		v->t_start = now;
		lg->next_viewer_us = now + WHEP_GAP_US;
		viewer_post(lg, v, now);
		now = lg_now();   /* the POST blocked: the new PC's timers start after `now` */
	}
	for (unsigned i = 0; i < lg->n_viewers_started; i++) {
		struct lg_part *v = &lg->viewers[i];
		if (v->failed)
			continue;
		if (v->whep_retry_us) {
			if (now >= v->whep_retry_us)
				viewer_post(lg, v, now);
			continue;
		}
		if (v->sub)
			lg_pc_tick(v->sub, now);
		if (!v->ready && v->sub && v->sub->state == PC_UP) {
			v->ready = true;
			v->t_ready = now;
		}
	}
}

/* Every viewer is up or has failed, or there will be none (the stream did not start). */
bool lg_whep_settled(const struct lg *lg)
{
	if (!lg->n_viewers || lg->out_error[0])
		return true;
	if (lg->n_viewers_started < lg->n_viewers)
		return false;
	for (unsigned i = 0; i < lg->n_viewers; i++)
		if (!lg->viewers[i].ready && !lg->viewers[i].failed)
			return false;
	return true;
}

void lg_whep_window_start(struct lg *lg)
{
	for (unsigned i = 0; i < lg->n_viewers_started; i++)
		if (lg->viewers[i].sub)
			lg_media_window_start(lg->viewers[i].sub);
}

void lg_whep_report(struct lg *lg, json_t *j)
{
	double win = (lg->window_end_us - lg->window_start_us) / 1e6;
	unsigned up = 0, with_key = 0, with_audio = 0;
	uint64_t min_pk = UINT64_MAX, max_pk = 0, expected = 0, received = 0;
	for (unsigned i = 0; i < lg->n_viewers; i++) {
		struct lg_part *v = &lg->viewers[i];
		if (!v->ready || v->failed || !v->sub) {
			if (v->started)
				lg_log(lg, LG_INFO, "%s: %s", v->name, v->fail_reason[0] ? v->fail_reason : "PC not connected");
			continue;
		}
		up++;
		uint64_t pk = 0;
		bool key = false, audio = false;
		for (size_t k = 0; k < v->sub->n_rx; k++) {
			struct lg_rx *r = &v->sub->rx[k];
			uint64_t e, rc;
			lg_seqwin_totals(&r->rtp, &e, &rc);
			expected += e;
			received += rc;
			pk += r->pkts;
			key |= r->kind == LG_VIDEO && r->keyframes;
			audio |= r->kind == LG_AUDIO && r->pkts;
		}
		with_key += key;
		with_audio += audio;
		min_pk = pk < min_pk ? pk : min_pk;
		max_pk = pk > max_pk ? pk : max_pk;
	}
	if (!up)
		min_pk = 0;
	double loss = expected ? 100.0 * (double)(expected - received) / (double)expected : 0;
	if (lg->n_viewers || lg->o.record)
		printf("  WHEP viewers %u/%u up (%u with a video keyframe, %u with audio), received %llu RTP packets "
		       "(%.0f/s, %.2f Mbit/s), per viewer %llu..%llu, loss %.2f %%; streaming %s, recording %s%s%s\n",
		       up, lg->n_viewers, with_key, with_audio, (unsigned long long)lg->whep_packets,
		       win > 0 ? lg->whep_packets / win : 0, win > 0 ? lg->whep_bytes * 8.0 / win / 1e6 : 0,
		       (unsigned long long)min_pk, (unsigned long long)max_pk, loss, lg->streaming ? "on" : "off",
		       lg->recording ? "on" : "off", lg->out_error[0] ? "; " : "", lg->out_error);
	if (!j)
		return;
	json_object_set_new(j, "whep_viewers", json_integer(lg->n_viewers));
	json_object_set_new(j, "whep_viewers_up", json_integer(up));
	json_object_set_new(j, "whep_viewers_with_keyframe", json_integer(with_key));
	json_object_set_new(j, "whep_viewers_with_audio", json_integer(with_audio));
	json_object_set_new(j, "whep_packets_received", json_integer((json_int_t)lg->whep_packets));
	json_object_set_new(j, "whep_bytes_received", json_integer((json_int_t)lg->whep_bytes));
	json_object_set_new(j, "whep_packets_per_s", json_real(win > 0 ? lg->whep_packets / win : 0));
	json_object_set_new(j, "whep_bitrate_bps", json_real(win > 0 ? lg->whep_bytes * 8.0 / win : 0));
	json_object_set_new(j, "whep_packets_per_viewer_min", json_integer((json_int_t)min_pk));
	json_object_set_new(j, "whep_packets_per_viewer_max", json_integer((json_int_t)max_pk));
	json_object_set_new(j, "whep_loss_pct", json_real(loss));
	json_object_set_new(j, "streaming", json_boolean(lg->streaming));
	json_object_set_new(j, "recording", json_boolean(lg->recording));
	json_object_set_new(j, "recording_s", json_real(lg->recording && lg->rec_stop_unix > lg->rec_start_unix
	                                                ? lg->rec_stop_unix - lg->rec_start_unix : 0));
	json_object_set_new(j, "out_error", lg->out_error[0] ? json_string(lg->out_error) : json_null());
}
