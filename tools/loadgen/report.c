/* report: the load generator's results — delay histogram (log-linear, ~6 % buckets), join times,
 * loss and keyframe coverage per received stream, own and server CPU, human summary and JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lg.h"

static unsigned bucket_of(uint64_t v)
{
	if (v < 16)
		return (unsigned)v;
	unsigned e = 63 - (unsigned)__builtin_clzll(v);   /* >= 4 */
	unsigned sub = (unsigned)(v >> (e - 4)) & 15;
	unsigned b = (e - 3) * 16 + sub;
	return b < LG_HIST_BUCKETS ? b : LG_HIST_BUCKETS - 1;
}

static uint64_t bucket_value(unsigned b)
{
	if (b < 16)
		return b;
	unsigned e = b / 16 + 3, sub = b % 16;
	return ((uint64_t)(16 + sub) << (e - 4)) + ((uint64_t)1 << (e - 4)) / 2;
}

void lg_hist_add(struct lg_hist *h, uint64_t v)
{
	h->b[bucket_of(v)]++;
	h->n++;
	if (v > h->max)
		h->max = v;
}

uint64_t lg_hist_pct(const struct lg_hist *h, double p)
{
	if (!h->n)
		return 0;
	uint64_t want = (uint64_t)(p * (double)h->n);
	if (want >= h->n)
		want = h->n - 1;
	uint64_t seen = 0;
	for (unsigned b = 0; b < LG_HIST_BUCKETS; b++) {
		seen += h->b[b];
		if (seen > want) {
			uint64_t v = bucket_value(b);
			return v > h->max ? h->max : v;
		}
	}
	return h->max;
}

double lg_proc_cpu_s(int pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	unsigned long ut = 0, stt = 0;
	/* after ") ": state(3) ... utime is field 14, stime 15 */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &stt) != 2)
		return 0;
	return (double)(ut + stt) / (double)sysconf(_SC_CLK_TCK);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void lg_report(struct lg *lg)
{
	struct lg_opts *o = &lg->o;
	double win = (lg->window_end_us - lg->window_start_us) / 1e6;
	unsigned joined = 0, failed = 0;
	uint64_t *joins = calloc(lg->n_parts + 1, sizeof *joins);
	size_t nj = 0;
	uint64_t src_expected = 0, src_received = 0;
	uint64_t expected = 0, received = 0, streams = 0, with_key = 0, video_streams = 0, lossy_streams = 0;
	unsigned subs_without_key = 0;
	double worst_loss = 0;
	for (unsigned i = 0; i < lg->n_parts; i++) {
		struct lg_part *p = &lg->parts[i];
		if (p->ready && !p->failed) {
			joined++;
			if (joins)
				joins[nj++] = p->t_ready - p->t_start;
		} else {
			failed++;
			char sig[160] = "";
			if (lg->sig->describe)
				lg->sig->describe(p, sig, sizeof sig);
			lg_log(lg, LG_INFO, "%s did not join (%s): %s", p->name, sig,
			       p->fail_reason[0] ? p->fail_reason : !p->joined ? "no join response" :
			       (lg_part_wants_publish(p) && !(p->pub && p->pub->state == PC_UP)) ? "publish PC not connected"
			                                                                          : "subscribe PC not connected");
		}
		if (!p->sub)
			continue;
		bool missing_key = false;
		for (size_t k = 0; k < p->sub->n_rx; k++) {
			struct lg_rx *r = &p->sub->rx[k];
			if (!r->pkts)
				continue;
			streams++;
			uint64_t e, rc, se, sr;
			lg_seqwin_totals(&r->rtp, &e, &rc);
			lg_seqwin_totals(&r->src, &se, &sr);
			src_expected += se;
			src_received += sr;
			expected += e;
			received += rc;
			double l = e ? 100.0 * (double)(e - rc) / (double)e : 0;
			if (e >= 50 && l > 1.0)
				lossy_streams++;
			if (e >= 50 && l > worst_loss)
				worst_loss = l;
			if (r->kind == LG_VIDEO) {
				video_streams++;
				if (r->keyframes)
					with_key++;
				else
					missing_key = true;
			}
		}
		subs_without_key += missing_key;
	}
	qsort(joins, nj, sizeof *joins, cmp_u64);
	double j50 = nj ? joins[nj / 2] / 1000.0 : 0, j99 = nj ? joins[(nj * 99) / 100 < nj ? (nj * 99) / 100 : nj - 1] / 1000.0 : 0;
	free(joins);
	double loss = expected ? 100.0 * (double)(expected - received) / (double)expected : 0;
	double not_fwd = src_expected ? 100.0 * (double)(src_expected - src_received) / (double)src_expected : 0;
	double bitrate = win > 0 ? lg->sub_bytes * 8.0 / win : 0;
	double cpu_frac = win > 0 ? lg->cpu_window_s / win : 0;
	bool saturated = cpu_frac > 0.9 || lg->max_lag_us > 50000;
	uint64_t d50 = lg_hist_pct(&lg->delay, 0.5), d99 = lg_hist_pct(&lg->delay, 0.99);

	bool check_fail = lossy_streams > 0 || subs_without_key > 0 || failed > 0 || streams == 0;
	lg->exit_code = joined == 0 ? 1 : (o->check && check_fail) ? 3 : 0;

	printf("loadgen %s: %u room(s) x %u participants, %u cameras%s, %u screens, %u speakers; window %.1f s\n",
	       o->server, o->rooms, o->participants, o->cameras, o->simulcast ? " (simulcast)" : "", o->screens,
	       o->speakers, win);
	printf("  joined %u/%u (failed %u), join time p50 %.0f ms, p99 %.0f ms\n", joined, lg->n_parts, failed, j50, j99);
	printf("  sent %llu packets, received %llu packets, %.2f Mbit/s, %llu streams (%llu video, %llu with keyframe)\n",
	       (unsigned long long)lg->pub_packets, (unsigned long long)lg->sub_packets, bitrate / 1e6,
	       (unsigned long long)streams, (unsigned long long)video_streams, (unsigned long long)with_key);
	printf("  loss %.3f %% (worst stream %.2f %%, %llu streams over 1 %%), subscribers without keyframe %u\n", loss,
	       worst_loss, (unsigned long long)lossy_streams, subs_without_key);
	printf("  of the publishers' packets on received streams %.2f %% were not forwarded (layer switches, "
	       "loudest-N, last-N, or loss)\n", not_fwd);
	printf("  delay p50 %.2f ms, p99 %.2f ms, max %.2f ms; NACKs sent %llu, retransmitted %llu, PLIs %llu\n",
	       d50 / 1000.0, d99 / 1000.0, lg->delay.max / 1000.0, (unsigned long long)lg->nacks_sent,
	       (unsigned long long)lg->retransmits_sent, (unsigned long long)lg->plis_sent);
	if (o->drop_pct)
		printf("  simulated loss: %llu video packets discarded, %llu retransmissions received\n",
		       (unsigned long long)lg->dropped_on_purpose, (unsigned long long)lg->repaired);
	printf("  loadgen CPU %.2f s (%.0f %% of a core), loop lag p99 %.1f ms, max %.1f ms%s\n", lg->cpu_window_s,
	       100 * cpu_frac, lg_hist_pct(&lg->lag, 0.99) / 1000.0, lg->max_lag_us / 1000.0, saturated ? " -- SATURATED: the numbers are not trustworthy" : "");
	if (o->server_pid)
		printf("  server CPU %.2f s (%.0f %% of a core)\n", lg->server_cpu_s,
		       win > 0 ? 100 * lg->server_cpu_s / win : 0);
	double pub_bps = win > 0 ? lg->pub_bytes * 8.0 / win : 0;
	double cam_bps = 0;
	unsigned cams = 0;
	for (unsigned i = 0; i < lg->n_parts; i++)
		if (lg->parts[i].camera && lg->parts[i].pub) {
			cams++;
			cam_bps += win > 0 ? lg->parts[i].pub->win_bytes_sent * 8.0 / win : 0;
		}
	if (cams)
		cam_bps /= cams;
	printf("  publishers' uplink %.0f kbit/s in all, %.0f kbit/s per camera; simulcast layers paused by the server "
	       "(publish_layers): %u at the window's start, %u at its end (most %u), %llu pauses and %llu resumes "
	       "(%llu and %llu in the window)\n", pub_bps / 1000, cam_bps / 1000, lg->layers_paused_at_start,
	       lg->layers_paused_at_end, lg->layers_paused_max, (unsigned long long)lg->layer_pauses,
	       (unsigned long long)lg->layer_resumes, (unsigned long long)lg->layer_pauses_win,
	       (unsigned long long)lg->layer_resumes_win);
	printf("  received by layer: audio %llu, q %llu, h %llu, f %llu, screen %llu packets\n",
	       (unsigned long long)lg->sub_packets_by_src[LG_SRC_AUDIO], (unsigned long long)lg->sub_packets_by_src[LG_SRC_Q],
	       (unsigned long long)lg->sub_packets_by_src[LG_SRC_H], (unsigned long long)lg->sub_packets_by_src[LG_SRC_F],
	       (unsigned long long)lg->sub_packets_by_src[LG_SRC_SCREEN]);
	double focus_ms = lg->focus_done_us ? (lg->focus_done_us - lg->focus_start_us) / 1000.0 : -1;
	if (o->focus_check && lg->focus_part)
		printf("  focus check: %s pinned a camera; %s\n", lg->focus_part->name,
		       focus_ms >= 0 ? "its top layer arrived" : "its top layer did NOT arrive within 20 s");
	if (o->focus_check && lg->focus_part && focus_ms >= 0)
		printf("  focus check: a %u px keyframe after %.0f ms\n", lg->focus_height, focus_ms);
	if (o->focus_check && lg->focus_part)
		printf("  focus check: a layer resumed %s%.0f ms after the pin; the viewer got q %llu, h %llu, f %llu packets meanwhile\n",
		       lg->focus_resume_us ? "" : "(none) ", lg->focus_resume_us ? (lg->focus_resume_us - lg->focus_start_us) / 1000.0 : 0,
		       (unsigned long long)lg->focus_rx[LG_SRC_Q], (unsigned long long)lg->focus_rx[LG_SRC_H],
		       (unsigned long long)lg->focus_rx[LG_SRC_F]);
	if (o->check)
		printf("  check: %s\n", check_fail ? "FAILED" : "passed");
	if (!o->json_path)
		lg_whep_report(lg, NULL);

	if (o->json_path) {
		json_t *j = json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:f, s:i, s:f, s:f, s:i}",
		                      "server", o->server, "rooms", o->rooms, "participants", o->participants,
		                      "cameras", o->cameras, "screens", o->screens, "speakers", o->speakers,
		                      "duration_s", win, "joined", joined, "join_ms_p50", j50, "join_ms_p99", j99,
		                      "failed_joins", failed);
		json_object_set_new(j, "camera_tile", json_integer(o->camera_tile));
		json_object_set_new(j, "warmup_s", json_integer(o->warmup_s));
		json_object_set_new(j, "window_start_unix", json_real(lg->window_start_unix));
		json_object_set_new(j, "window_end_unix", json_real(lg->window_end_unix));
		json_object_set_new(j, "pub_bytes_sent", json_integer((json_int_t)lg->pub_bytes));
		json_object_set_new(j, "pub_bitrate_bps", json_real(pub_bps));
		json_object_set_new(j, "pub_camera_bitrate_bps", json_real(cam_bps));
		json_object_set_new(j, "pub_packets_per_s", json_real(win > 0 ? (lg->pub_packets + lg->retransmits_sent) / win : 0));
		json_object_set_new(j, "layers_paused_at_start", json_integer(lg->layers_paused_at_start));
		json_object_set_new(j, "layers_paused_at_end", json_integer(lg->layers_paused_at_end));
		json_object_set_new(j, "sub_packets_by_layer",
		                    json_pack("{s:I, s:I, s:I, s:I, s:I}", "audio", (json_int_t)lg->sub_packets_by_src[LG_SRC_AUDIO],
		                              "q", (json_int_t)lg->sub_packets_by_src[LG_SRC_Q], "h", (json_int_t)lg->sub_packets_by_src[LG_SRC_H],
		                              "f", (json_int_t)lg->sub_packets_by_src[LG_SRC_F], "screen", (json_int_t)lg->sub_packets_by_src[LG_SRC_SCREEN]));
		json_object_set_new(j, "layers_paused_max", json_integer(lg->layers_paused_max));
		json_object_set_new(j, "layer_pauses", json_integer((json_int_t)lg->layer_pauses));
		json_object_set_new(j, "layer_resumes", json_integer((json_int_t)lg->layer_resumes));
		json_object_set_new(j, "layer_pauses_in_window", json_integer((json_int_t)lg->layer_pauses_win));
		json_object_set_new(j, "layer_resumes_in_window", json_integer((json_int_t)lg->layer_resumes_win));
		if (o->focus_check) {
			json_t *f = json_object();
			json_object_set_new(f, "viewer", lg->focus_part ? json_string(lg->focus_part->name) : json_null());
			json_object_set_new(f, "ok", json_boolean(focus_ms >= 0));
			json_object_set_new(f, "ms", focus_ms >= 0 ? json_real(focus_ms) : json_null());
			json_object_set_new(f, "frame_height", json_integer(lg->focus_height));
			json_object_set_new(f, "resume_ms", lg->focus_resume_us ? json_real((lg->focus_resume_us - lg->focus_start_us) / 1000.0) : json_null());
			json_object_set_new(f, "received_by_layer",
			                    json_pack("{s:I, s:I, s:I, s:I}", "q", (json_int_t)lg->focus_rx[LG_SRC_Q], "h", (json_int_t)lg->focus_rx[LG_SRC_H],
			                              "f", (json_int_t)lg->focus_rx[LG_SRC_F], "screen", (json_int_t)lg->focus_rx[LG_SRC_SCREEN]));
			json_object_set_new(j, "focus_check", f);
		}
		json_object_set_new(j, "pub_packets_sent", json_integer((json_int_t)lg->pub_packets));
		json_object_set_new(j, "sub_packets_received", json_integer((json_int_t)lg->sub_packets));
		json_object_set_new(j, "sub_bytes_received", json_integer((json_int_t)lg->sub_bytes));
		json_object_set_new(j, "sub_bitrate_bps", json_real(bitrate));
		json_object_set_new(j, "loss_pct", json_real(loss));
		json_object_set_new(j, "worst_stream_loss_pct", json_real(worst_loss));
		json_object_set_new(j, "not_forwarded_pct", json_real(not_fwd));
		json_object_set_new(j, "delay_us_p50", json_integer((json_int_t)d50));
		json_object_set_new(j, "delay_us_p99", json_integer((json_int_t)d99));
		json_object_set_new(j, "delay_us_max", json_integer((json_int_t)lg->delay.max));
		json_object_set_new(j, "streams_received", json_integer((json_int_t)streams));
		json_object_set_new(j, "video_streams_received", json_integer((json_int_t)video_streams));
		json_object_set_new(j, "streams_with_keyframe", json_integer((json_int_t)with_key));
		json_object_set_new(j, "subscribers_without_keyframe", json_integer(subs_without_key));
		json_object_set_new(j, "nacks_sent", json_integer((json_int_t)lg->nacks_sent));
		json_object_set_new(j, "dropped_on_purpose", json_integer((json_int_t)lg->dropped_on_purpose));
		json_object_set_new(j, "retransmissions_received", json_integer((json_int_t)lg->repaired));
		json_object_set_new(j, "retransmits_sent", json_integer((json_int_t)lg->retransmits_sent));
		json_object_set_new(j, "plis_sent", json_integer((json_int_t)lg->plis_sent));
		json_object_set_new(j, "simulcast", json_boolean(o->simulcast));
		json_object_set_new(j, "loadgen_cpu_s", json_real(lg->cpu_window_s));
		json_object_set_new(j, "loadgen_max_lag_ms", json_real(lg->max_lag_us / 1000.0));
		json_object_set_new(j, "loadgen_lag_ms_p99", json_real(lg_hist_pct(&lg->lag, 0.99) / 1000.0));
		if (o->server_pid)
			json_object_set_new(j, "server_cpu_s", json_real(lg->server_cpu_s));
		json_object_set_new(j, "saturated", json_boolean(saturated));
		lg_whep_report(lg, j);
		if (o->check)
			json_object_set_new(j, "check_passed", json_boolean(!check_fail));
		if (json_dump_file(j, o->json_path, JSON_INDENT(2)) != 0)
			lg_log(lg, LG_ERR, "cannot write %s", o->json_path);
		json_decref(j);
	}
	fflush(stdout);
}
