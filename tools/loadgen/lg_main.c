/* lg_main: the load generator's command line, scenario (rooms × participants with cameras, screens,
 * speakers), ramp, the 5 ms tick that drives media and timers, and the measurement window. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "dtls/dtls.h"

#include "lg.h"

void lg_report(struct lg *lg);   /* report.c */
double lg_proc_cpu_s(int pid);   /* report.c */

static struct lg g;

void lg_log(struct lg *lg, int level, const char *fmt, ...)
{
	if (level == LG_INFO && lg->o.quiet)
		return;
	if (level == LG_DBG && !lg->o.verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "loadgen: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: loadgen --server plenum|janus --url ws://127.0.0.1:PORT/ws [options]\n"
	        "  --rooms R            rooms (default 1)\n"
	        "  --participants P     participants per room (default 2)\n"
	        "  --cameras C          the first C of each room publish a camera (default 1)\n"
	        "  --screens S          the next S publish a screen (default 0)\n"
	        "  --speakers K         the first K of each room publish audio (default 1)\n"
	        "  --duration SECS      measurement window (default 10)\n"
	        "  --simulcast on|off   camera as q/h/f simulcast (default on)\n"
	        "  --codec vp8|h264     the video codec publishers offer and send (default vp8; h264: H.264\n"
	        "                       packetization-mode=1 only: STAP-A of SPS and PPS, FU-A, an IDR every 3 s)\n"
	        "  --tcp-subscribers    receive over ICE-TCP (the server's passive TCP candidate)\n"
	        "  --ramp-ms MS         one participant joins every MS (default 20)\n"
	        "  --setup-timeout SECS wait this long after the ramp for every PC (default 30)\n"
	        "  --drop-pct P         subscribers discard P %% of video packets (simulated loss; NACK/RTX repair it)\n"
	        "  --camera-tile H      subscribers show every camera H px high and say so, as the web client\n"
	        "                       does (plenum: set_video_prefs; Janus: the matching substream); 0: not\n"
	        "                       said, the server's default (default 0)\n"
	        "  --warmup SECS        wait this long after everyone is ready and the signaling quiet before\n"
	        "                       the window opens (default 1; the data saver pauses layers after 3 s)\n"
	        "  --focus-check        after the window, the last participant pins the first camera (a 720 px\n"
	        "                       tile; plenum only): how long until its top layer arrives (at most 20 s)\n"
	        "  --ignore-publish-layers  keep sending every layer whatever publish_layers says (as a client\n"
	        "                       without the data saver)\n"
	        "  --whep-viewers N     N WHEP viewers of room 0 (plenum): its host starts streaming, asks for\n"
	        "                       stream_links, and the viewers POST recvonly offers to its whep url\n"
	        "  --record             room 0's host records the meeting (recording_start before the window,\n"
	        "                       recording_stop at its end; plenum with --recording-dir)\n"
	        "  --json FILE          write the results as JSON\n"
	        "  --server-pid PID     also report the server's CPU time over the window\n"
	        "  --check              exit 3 on loss > 1 %%, a subscriber without keyframe or a failed join\n"
	        "  --quiet, --verbose\n");
}

static int parse_url(struct lg_opts *o)
{
	const char *u = o->url;
	if (strncmp(u, "ws://", 5) != 0)
		return EINVAL;
	u += 5;
	const char *slash = strchr(u, '/');
	const char *colon = strchr(u, ':');
	size_t hl = colon && (!slash || colon < slash) ? (size_t)(colon - u) : slash ? (size_t)(slash - u) : strlen(u);
	if (!hl || hl >= sizeof o->host)
		return EINVAL;
	memcpy(o->host, u, hl);
	o->host[hl] = '\0';
	o->port = 80;
	if (colon && (!slash || colon < slash)) {
		long port = strtol(colon + 1, NULL, 10);
		if (port <= 0 || port > 65535)
			return EINVAL;
		o->port = (uint16_t)port;
	}
	snprintf(o->path, sizeof o->path, "%s", slash ? slash : "/");
	return 0;
}

static int parse_args(struct lg_opts *o, int argc, char **argv)
{
	o->rooms = 1; o->participants = 2; o->cameras = 1; o->screens = 0; o->speakers = 1;
	o->duration_s = 10; o->ramp_ms = 20; o->setup_timeout_s = 30; o->simulcast = true; o->warmup_s = 1;
	o->server = "plenum";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NUM(flag, field) if (strcmp(a, flag) == 0 && v) { o->field = (unsigned)strtoul(v, NULL, 10); i++; continue; }
		NUM("--rooms", rooms) NUM("--participants", participants) NUM("--cameras", cameras)
		NUM("--screens", screens) NUM("--speakers", speakers) NUM("--duration", duration_s)
		NUM("--ramp-ms", ramp_ms) NUM("--setup-timeout", setup_timeout_s) NUM("--drop-pct", drop_pct)
		NUM("--camera-tile", camera_tile) NUM("--warmup", warmup_s) NUM("--whep-viewers", whep_viewers)
#undef NUM
		if (strcmp(a, "--server") == 0 && v) { o->server = v; i++; continue; }
		if (strcmp(a, "--url") == 0 && v) { o->url = v; i++; continue; }
		if (strcmp(a, "--json") == 0 && v) { o->json_path = v; i++; continue; }
		if (strcmp(a, "--server-pid") == 0 && v) { o->server_pid = atoi(v); i++; continue; }
		if (strcmp(a, "--simulcast") == 0 && v) { o->simulcast = strcmp(v, "off") != 0; i++; continue; }
		if (strcmp(a, "--codec") == 0 && v && (strcmp(v, "h264") == 0 || strcmp(v, "vp8") == 0)) {
			o->h264 = strcmp(v, "h264") == 0;
			i++;
			continue;
		}
		if (strcmp(a, "--quiet") == 0) { o->quiet = true; continue; }
		if (strcmp(a, "--tcp-subscribers") == 0) { o->tcp_subscribers = true; continue; }
		if (strcmp(a, "--verbose") == 0) { o->verbose = true; continue; }
		if (strcmp(a, "--check") == 0) { o->check = true; continue; }
		if (strcmp(a, "--focus-check") == 0) { o->focus_check = true; continue; }
		if (strcmp(a, "--record") == 0) { o->record = true; continue; }
		if (strcmp(a, "--ignore-publish-layers") == 0) { o->ignore_layers = true; continue; }
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) { usage(stdout); exit(0); }
		fprintf(stderr, "loadgen: unknown or incomplete option '%s'\n", a);
		usage(stderr);
		return EINVAL;
	}
	if (strcmp(o->server, "plenum") != 0 && strcmp(o->server, "janus") != 0) {
		fprintf(stderr, "loadgen: --server is plenum or janus\n");
		return EINVAL;
	}
	if (!o->url)
		o->url = strcmp(o->server, "janus") == 0 ? "ws://127.0.0.1:8188/" : "ws://127.0.0.1:8080/ws";
	if (parse_url(o) != 0) {
		fprintf(stderr, "loadgen: --url wants ws://HOST:PORT/PATH\n");
		return EINVAL;
	}
	if ((o->whep_viewers || o->record) && strcmp(o->server, "plenum") != 0) {
		fprintf(stderr, "loadgen: --whep-viewers and --record are plenum only\n");
		return EINVAL;
	}
	if (o->whep_viewers > 5000) {
		fprintf(stderr, "loadgen: at most 5000 WHEP viewers\n");
		return EINVAL;
	}
	if (!o->rooms || !o->participants || o->rooms * o->participants > 5000) {
		fprintf(stderr, "loadgen: need 1..5000 participants in all\n");
		return EINVAL;
	}
	return 0;
}

/* ---- what adapters call ------------------------------------------------------------------------ */

bool lg_part_wants_publish(const struct lg_part *p)
{
	return p->camera || p->screen || p->speaker;
}

void lg_part_fail(struct lg_part *p, const char *fmt, ...)
{
	if (p->failed)
		return;
	p->failed = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->fail_reason, sizeof p->fail_reason, fmt, ap);
	va_end(ap);
	lg_log(p->lg, p->lg->measuring ? LG_ERR : LG_INFO, "%s failed: %s", p->name, p->fail_reason);
}

void lg_part_joined(struct lg_part *p)
{
	p->joined = true;
	p->t_joined = lg_now();
}

int lg_part_publish_offer(struct lg_part *p, char **sdp_out)
{
	*sdp_out = NULL;
	if (!lg_part_wants_publish(p))
		return 0;
	int rc = p->pub ? 0 : lg_pc_new(p->lg, p, true, &p->pub);
	if (rc == 0 && p->pub->n_tx == 0)
		lg_media_tx_init(p->lg, p->pub);
	if (rc == 0)
		rc = lg_sdp_publish_offer(p->pub, p->lg->sdp_buf, 1 << 18);
	if (rc == 0 && !(*sdp_out = strdup(p->lg->sdp_buf)))
		rc = ENOMEM;
	if (rc)
		lg_part_fail(p, "publish offer: %s", strerror(rc));
	return rc;
}

int lg_part_publish_answer(struct lg_part *p, const char *sdp)
{
	lg_log(p->lg, LG_DBG, "%s publish answer:\n%s", p->name, sdp);
	int rc = p->pub ? lg_sdp_publish_apply_answer(p->pub, sdp) : EINVAL;
	if (rc)
		lg_part_fail(p, "publish answer not usable: %s", strerror(rc));
	return rc;
}

int lg_part_subscribe_offer(struct lg_part *p, const char *sdp, char **answer_out)
{
	*answer_out = NULL;
	int rc = p->sub ? 0 : lg_pc_new(p->lg, p, false, &p->sub);
	lg_log(p->lg, LG_DBG, "%s subscribe offer:\n%s", p->name, sdp);
	if (rc == 0) {
		p->sub_offered = true;
		rc = lg_sdp_subscribe_answer(p->sub, sdp, p->lg->sdp_buf, 1 << 18);
	}
	if (rc == 0 && !(*answer_out = strdup(p->lg->sdp_buf)))
		rc = ENOMEM;
	if (rc)
		lg_part_fail(p, "subscribe offer not usable: %s", strerror(rc));
	return rc;
}

/* ---- the run ----------------------------------------------------------------------------------- */

static bool expects_sub(const struct lg_part *p)
{
	/* someone who joined earlier in the same room publishes */
	const struct lg_part *base = p - p->index;
	for (unsigned i = 0; i < p->index; i++)
		if (lg_part_wants_publish(&base[i]))
			return true;
	return false;
}

static bool room_has_other_publisher(const struct lg_part *p)
{
	const struct lg_part *base = p - p->index;
	for (unsigned i = 0; i < p->lg->o.participants; i++)
		if (i != p->index && lg_part_wants_publish(&base[i]))
			return true;
	return false;
}

static bool pc_up(const struct lg_pc *pc) { return pc && pc->state == PC_UP; }

static void update_ready(struct lg *lg, struct lg_part *p, uint64_t now)
{
	if (p->ready || p->failed || !p->joined)
		return;
	if (lg_part_wants_publish(p) && !pc_up(p->pub))
		return;
	if (expects_sub(p) && !pc_up(p->sub))
		return;
	p->ready = true;
	p->t_ready = now;
}

static bool all_settled(struct lg *lg)
{
	if (!lg_whep_settled(lg) || (lg->o.record && !lg->recording && !lg->out_error[0]))
		return false;
	for (unsigned i = 0; i < lg->n_parts; i++) {
		struct lg_part *p = &lg->parts[i];
		if (p->failed)
			continue;
		if (!p->ready || !lg->sig->settled(p))
			return false;
		if (room_has_other_publisher(p) && !pc_up(p->sub))
			return false;
	}
	return true;
}

double lg_unix_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void start_window(struct lg *lg, uint64_t now)
{
	lg->measuring = true;
	lg->window_start_unix = lg_unix_now();
	lg->window_start_us = now;
	lg->max_lag_us = 0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	lg->layers_paused_at_start = lg->layers_paused;
	lg->cpu_window_s = -(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	if (lg->o.server_pid)
		lg->server_cpu_s = -lg_proc_cpu_s(lg->o.server_pid);
	for (unsigned i = 0; i < lg->n_parts; i++)
		if (lg->parts[i].sub)
			lg_media_window_start(lg->parts[i].sub);
	lg_whep_window_start(lg);
	unsigned ready = 0;
	for (unsigned i = 0; i < lg->n_parts; i++)
		ready += lg->parts[i].ready;
	lg_log(lg, LG_INFO, "%u of %u participants ready after %.1f s; measuring for %u s", ready, lg->n_parts,
	       (now - lg->t0) / 1e6, lg->o.duration_s);
}

#define FOCUS_TIMEOUT_US 20000000ull

static void finish(struct lg *lg)
{
	lg->done = true;
	lg_report(lg);
	for (unsigned i = 0; i < lg->n_parts; i++)
		lg_ws_close(&lg->parts[i]);
	uv_timer_stop(&lg->tick);
	uv_stop(lg->loop);
}

/* The last participant of the first room, a viewer when there are more participants than
 * publishers: it pins a camera after the window, outside what is measured. */
static void start_focus(struct lg *lg, uint64_t now)
{
	struct lg_part *p = &lg->parts[lg->o.participants - 1];
	if (!lg->sig->focus || p->failed || !p->sub || !lg->sig->focus(p)) {
		lg_log(lg, LG_INFO, "focus check: not possible (%s)", lg->sig->focus ? "no camera to pin" : "plenum only");
		finish(lg);
		return;
	}
	lg->focus_part = p;
	lg->focus_start_us = now;
	lg->focusing = true;
}

static void end_window(struct lg *lg, uint64_t now)
{
	lg->measuring = false;
	lg->window_end_us = now;
	lg->window_end_unix = lg_unix_now();
	lg->layers_paused_at_end = lg->layers_paused;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	lg->cpu_window_s += ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	if (lg->o.server_pid)
		lg->server_cpu_s += lg_proc_cpu_s(lg->o.server_pid);
	if (lg->sig->window_end && !lg->parts[0].failed)
		lg->sig->window_end(&lg->parts[0]);
	if (lg->o.focus_check)
		start_focus(lg, now);
	else
		finish(lg);
}

static void on_tick(uv_timer_t *t)
{
	struct lg *lg = t->data;
	uint64_t now = lg_now();
	if (lg->last_tick_us && lg->measuring) {
		uint64_t expect = lg->last_tick_us + LG_TICK_MS * 1000;
		uint64_t lag = now > expect ? now - expect : 0;
		lg_hist_add(&lg->lag, lag);
		if (lag > lg->max_lag_us)
			lg->max_lag_us = lag;
	}
	lg->last_tick_us = now;
	while (lg->n_started < lg->n_parts && now >= lg->t0 + (uint64_t)lg->n_started * lg->o.ramp_ms * 1000) {
		struct lg_part *p = &lg->parts[lg->n_started++];
		p->started = true;
		p->t_start = now;
		lg_ws_open(p);
	}
	for (unsigned i = 0; i < lg->n_started; i++) {
		struct lg_part *p = &lg->parts[i];
		if (p->failed)
			continue;
		lg->sig->tick(p, now);
		if (p->pub)
			lg_pc_tick(p->pub, now);
		if (p->sub)
			lg_pc_tick(p->sub, now);
		update_ready(lg, p, now);
	}
	lg_whep_tick(lg, now);
	lg_tx_flush(lg);
	if (!lg->measuring && !lg->done && !lg->window_end_us && lg->n_started == lg->n_parts) {
		uint64_t ramp_end = lg->t0 + (uint64_t)lg->n_parts * lg->o.ramp_ms * 1000;
		if (!lg->all_ready_us && all_settled(lg))
			lg->all_ready_us = now;
		if ((lg->all_ready_us && now - lg->all_ready_us >= (uint64_t)lg->o.warmup_s * 1000000) ||
		    (now > ramp_end && now - ramp_end >= (uint64_t)lg->o.setup_timeout_s * 1000000))
			start_window(lg, now);
	} else if (lg->measuring && now - lg->window_start_us >= (uint64_t)lg->o.duration_s * 1000000) {
		end_window(lg, now);
	} else if (lg->focus_part && !lg->done &&
	           (!lg->focusing || lg->focus_part->failed || now - lg->focus_start_us >= FOCUS_TIMEOUT_US)) {
		lg->focusing = false;
		finish(lg);
	}
}

int main(int argc, char **argv)
{
	struct lg *lg = &g;
	if (parse_args(&lg->o, argc, argv) != 0)
		return 1;
	lg->sig = strcmp(lg->o.server, "janus") == 0 ? &lg_sig_janus : &lg_sig_plenum;
	lg->loop = uv_default_loop();
	lg->n_parts = lg->o.rooms * lg->o.participants;
	lg->parts = calloc(lg->n_parts, sizeof *lg->parts);
	lg->mm = calloc(LG_BATCH, sizeof *lg->mm);
	lg->iov = calloc(LG_BATCH, sizeof *lg->iov);
	lg->bufs = calloc(LG_BATCH, LG_PKT_CAP);
	lg->sdp_buf = malloc(1 << 18);
	lg->next_tag_id = 1;
	if (!lg->parts || !lg->mm || !lg->iov || !lg->bufs || !lg->sdp_buf)
		return 1;
	memset(lg->scratch, 0, sizeof lg->scratch);
	int rc = dtls_cert_new(&lg->cert);
	if (rc) {
		fprintf(stderr, "loadgen: certificate: %s\n", strerror(rc));
		return 1;
	}
	if (lg_whep_init(lg) != 0)
		return 1;
	if (lg_ws_init(lg) != 0) {
		fprintf(stderr, "loadgen: libwebsockets context failed\n");
		return 1;
	}
	for (unsigned r = 0; r < lg->o.rooms; r++)
		for (unsigned i = 0; i < lg->o.participants; i++) {
			struct lg_part *p = &lg->parts[r * lg->o.participants + i];
			p->lg = lg;
			p->room = r;
			p->index = i;
			p->global_index = r * lg->o.participants + i;
			p->camera = i < lg->o.cameras;
			p->screen = i >= lg->o.cameras && i < lg->o.cameras + lg->o.screens;
			p->speaker = i < lg->o.speakers;
			snprintf(p->name, sizeof p->name, "lg-%u-%u", r, i);
		}
	lg_log(lg, LG_INFO, "%s at %s: %u room(s) x %u participants (%u cameras%s, %u screens, %u speakers), %u s",
	       lg->o.server, lg->o.url, lg->o.rooms, lg->o.participants, lg->o.cameras,
	       lg->o.simulcast ? " simulcast" : "", lg->o.screens, lg->o.speakers, lg->o.duration_s);
	lg->t0 = lg_now();
	uv_timer_init(lg->loop, &lg->tick);
	lg->tick.data = lg;
	uv_timer_start(&lg->tick, on_tick, 0, LG_TICK_MS);
	uv_run(lg->loop, UV_RUN_DEFAULT);
	/* let the close frames go out */
	for (int i = 0; i < 20; i++)
		uv_run(lg->loop, UV_RUN_NOWAIT);
	return lg->exit_code;
}
