/* floor: this machine's per-packet floor for an SFU — recvmmsg, SRTP unprotect, re-protect with a
 * subscriber's session, sendmmsg, in batches of 32 over loopback UDP. RFC 3711, RFC 7714 (SRTP).
 *
 * Three threads: a generator (protects fresh packets as a publisher would and sends them), the
 * "server" (the measured path) and a sink (counts what the server sent). The server thread runs on
 * CPU 1 and the other two on CPU 0 when there are two CPUs; its CPU time (user + sys, from
 * getrusage(RUSAGE_THREAD)) divided by the packets it forwarded is the number reported.
 *
 * Each row is the median of --repeat runs (default 3) of --seconds each (default 1.5).
 *
 *   build/bench/floor [--seconds S] [--repeat N] [--json FILE]
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "srtp/srtp.h"

#define PAYLOAD 1100
#define HDR 12
#define PKT (HDR + PAYLOAD)
#define CAP (PKT + SRTP_SESS_MAX_OVERHEAD + 64)
#define BATCH 32
#define WINDOW 1024 /* packets in flight between generator and sink */
#define NOCRYPTO 0  /* profile value for the plain-UDP row */

static const uint8_t pub_key[30] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				     17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30 };
static const uint8_t sub_key[30] = { 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45,
				     46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60 };

struct result {
	const char *profile;
	const char *path;
	double us_per_pkt, user_us, sys_us;
	double pps;     /* packets forwarded per second of wall time */
	double busy;    /* server thread CPU / wall time in the window */
	unsigned long long packets;
	unsigned long long errors;
};

static int ncpu;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void thread_cpu(double *user, double *sys)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	*user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	*sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double thread_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pin(int cpu)
{
	if (ncpu < 2)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void make_rtp(uint8_t *p, uint16_t seq, uint32_t ssrc)
{
	memset(p + HDR, 0xab, PAYLOAD);
	p[0] = 0x80;
	p[1] = 96;
	wr16(p + 2, seq);
	wr32(p + 4, seq * 3000u);
	wr32(p + 8, ssrc);
}

static int udp_socket(struct sockaddr_in *bound)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		exit(1);
	}
	int big = 16 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big) != 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
	struct timeval tv = { 0, 200000 }; /* lets blocked receivers notice the end */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
		perror("bind");
		exit(1);
	}
	*bound = a;
	return fd;
}

static void connect_to(int fd, const struct sockaddr_in *to)
{
	if (connect(fd, (const struct sockaddr *)to, sizeof *to) != 0) {
		perror("connect");
		exit(1);
	}
}

/* One run of the loopback path. */
struct run {
	int profile;             /* enum srtp_profile, or NOCRYPTO */
	double seconds, warmup;
	int gen_fd, srv_fd, sink_fd;
	struct sockaddr_in sink_addr; /* the server socket stays unconnected, as an SFU's does */
	atomic_int stop;         /* set by the server when its window is over */
	atomic_ullong sent, sunk;
	struct result *res;
};

static void *gen_main(void *arg)
{
	struct run *r = arg;
	pin(0);
	struct srtp_sess *tx = NULL;
	if (r->profile != NOCRYPTO && srtp_sess_new(&tx, r->profile, pub_key, pub_key + 16) != 0) {
		fprintf(stderr, "srtp_sess_new failed\n");
		exit(1);
	}
	static uint8_t bufs[BATCH][CAP];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	uint16_t seq = 1;
	while (!atomic_load(&r->stop)) {
		if (atomic_load(&r->sent) - atomic_load(&r->sunk) > WINDOW) {
			sched_yield();
			continue;
		}
		memset(msgs, 0, sizeof msgs);
		for (int i = 0; i < BATCH; i++) {
			size_t len = PKT;
			make_rtp(bufs[i], seq++, 0x11223344);
			if (tx)
				srtp_sess_protect_rtp(tx, bufs[i], PKT, CAP, &len);
			iov[i] = (struct iovec){ bufs[i], len };
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		int n = sendmmsg(r->gen_fd, msgs, BATCH, 0);
		if (n > 0)
			atomic_fetch_add(&r->sent, (unsigned long long)n);
	}
	srtp_sess_free(tx);
	return NULL;
}

static void *sink_main(void *arg)
{
	struct run *r = arg;
	pin(0);
	static uint8_t bufs[BATCH][CAP];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	while (!atomic_load(&r->stop)) {
		for (int i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){ bufs[i], CAP };
			memset(&msgs[i], 0, sizeof msgs[i]);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		int n = recvmmsg(r->sink_fd, msgs, BATCH, MSG_WAITFORONE, NULL);
		if (n > 0)
			atomic_fetch_add(&r->sunk, (unsigned long long)n);
	}
	return NULL;
}

/* The measured path: everything a forwarding SFU must do for one packet to one subscriber. */
static void *srv_main(void *arg)
{
	struct run *r = arg;
	pin(1);
	struct srtp_sess *rx = NULL, *tx = NULL;
	if (r->profile != NOCRYPTO && (srtp_sess_new(&rx, r->profile, pub_key, pub_key + 16) != 0 ||
				       srtp_sess_new(&tx, r->profile, sub_key, sub_key + 16) != 0)) {
		fprintf(stderr, "srtp_sess_new failed\n");
		exit(1);
	}
	static uint8_t bufs[BATCH][CAP];
	struct mmsghdr in[BATCH], out[BATCH];
	struct iovec iin[BATCH], iout[BATCH];
	unsigned long long fwd = 0, errs = 0, fwd0 = 0;
	double u0 = 0, s0 = 0, t0 = 0, start = now_s();
	int measuring = 0;
	for (;;) {
		double t = now_s();
		if (!measuring && t - start >= r->warmup) {
			measuring = 1;
			thread_cpu(&u0, &s0);
			t0 = t;
			fwd0 = fwd;
		} else if (measuring && t - t0 >= r->seconds) {
			break;
		}
		for (int i = 0; i < BATCH; i++) {
			iin[i] = (struct iovec){ bufs[i], CAP };
			memset(&in[i], 0, sizeof in[i]);
			in[i].msg_hdr.msg_iov = &iin[i];
			in[i].msg_hdr.msg_iovlen = 1;
		}
		/* Blocking, no MSG_WAITFORONE: returns a full batch of 32 unless the receive timeout hits. */
		int n = recvmmsg(r->srv_fd, in, BATCH, 0, NULL);
		if (n <= 0)
			continue;
		int m = 0;
		for (int i = 0; i < n; i++) {
			size_t len = in[i].msg_len, plain = len, olen = len;
			if (rx && (srtp_sess_unprotect_rtp(rx, bufs[i], len, &plain) != 0 ||
				   srtp_sess_protect_rtp(tx, bufs[i], plain, CAP, &olen) != 0)) {
				errs++;
				continue;
			}
			iout[m] = (struct iovec){ bufs[i], olen };
			memset(&out[m], 0, sizeof out[m]);
			out[m].msg_hdr.msg_name = &r->sink_addr;
			out[m].msg_hdr.msg_namelen = sizeof r->sink_addr;
			out[m].msg_hdr.msg_iov = &iout[m];
			out[m].msg_hdr.msg_iovlen = 1;
			m++;
		}
		int sent = m ? sendmmsg(r->srv_fd, out, m, 0) : 0;
		if (sent > 0)
			fwd += (unsigned long long)sent;
	}
	double u1, s1, t1 = now_s();
	thread_cpu(&u1, &s1);
	atomic_store(&r->stop, 1);
	unsigned long long pk = fwd - fwd0;
	struct result *res = r->res;
	res->packets = pk;
	res->errors = errs;
	res->user_us = pk ? (u1 - u0) * 1e6 / pk : 0;
	res->sys_us = pk ? (s1 - s0) * 1e6 / pk : 0;
	res->us_per_pkt = res->user_us + res->sys_us;
	res->pps = pk / (t1 - t0);
	res->busy = ((u1 - u0) + (s1 - s0)) / (t1 - t0);
	srtp_sess_free(rx);
	srtp_sess_free(tx);
	return NULL;
}

static void run_udp(int profile, double seconds, struct result *res)
{
	struct run r = { .profile = profile, .seconds = seconds, .warmup = 0.3, .res = res };
	struct sockaddr_in ga, sa, ka;
	r.gen_fd = udp_socket(&ga);
	r.srv_fd = udp_socket(&sa);
	r.sink_fd = udp_socket(&ka);
	connect_to(r.gen_fd, &sa);
	r.sink_addr = ka;
	pthread_t g, s, k;
	pthread_create(&s, NULL, srv_main, &r);
	pthread_create(&k, NULL, sink_main, &r);
	pthread_create(&g, NULL, gen_main, &r);
	pthread_join(s, NULL);
	pthread_join(g, NULL);
	pthread_join(k, NULL);
	close(r.gen_fd);
	close(r.srv_fd);
	close(r.sink_fd);
	res->profile = profile == NOCRYPTO ? "none" : srtp_profile_name(profile);
	res->path = profile == NOCRYPTO ? "udp only" : "udp + srtp";
}

/* Unprotect + re-protect only, in memory, on the server's CPU: the crypto share of the floor. */
#define MEMN 4096
static uint8_t memwire[MEMN][CAP];
static size_t memlen[MEMN];

static void *mem_main(void *arg)
{
	struct run *r = arg;
	pin(1);
	struct srtp_sess *pub, *rx, *tx;
	srtp_sess_new(&pub, r->profile, pub_key, pub_key + 16);
	srtp_sess_new(&rx, r->profile, pub_key, pub_key + 16);
	srtp_sess_new(&tx, r->profile, sub_key, sub_key + 16);
	uint16_t seq = 1;
	unsigned long long pk = 0, errs = 0;
	double cpu = 0, ucpu = 0, scpu = 0, wall = 0, tcpu = 0;
	while (wall < r->seconds) {
		for (int i = 0; i < MEMN; i++) { /* prepared outside the timed part */
			make_rtp(memwire[i], seq++, 0x11223344);
			srtp_sess_protect_rtp(pub, memwire[i], PKT, CAP, &memlen[i]);
		}
		double u0, s0, u1, s1, t0 = now_s(), c0 = thread_clock();
		thread_cpu(&u0, &s0);
		for (int i = 0; i < MEMN; i++) {
			size_t plain, olen;
			if (srtp_sess_unprotect_rtp(rx, memwire[i], memlen[i], &plain) != 0 ||
			    srtp_sess_protect_rtp(tx, memwire[i], plain, CAP, &olen) != 0)
				errs++;
		}
		thread_cpu(&u1, &s1);
		tcpu += thread_clock() - c0;
		wall += now_s() - t0;
		ucpu += u1 - u0;
		scpu += s1 - s0;
		cpu += (u1 - u0) + (s1 - s0);
		pk += MEMN;
	}
	struct result *res = r->res;
	res->packets = pk;
	res->errors = errs;
	res->user_us = ucpu * 1e6 / pk;
	res->sys_us = scpu * 1e6 / pk;
	/* the thread's CPU clock: precise, and blind to time the thread was preempted */
	res->us_per_pkt = tcpu * 1e6 / pk;
	res->pps = pk / wall;
	res->busy = cpu / wall;
	srtp_sess_free(pub);
	srtp_sess_free(rx);
	srtp_sess_free(tx);
	return NULL;
}

static void run_mem(int profile, double seconds, struct result *res)
{
	struct run r = { .profile = profile, .seconds = seconds, .res = res };
	pthread_t t;
	pthread_create(&t, NULL, mem_main, &r);
	pthread_join(t, NULL);
	res->profile = srtp_profile_name(profile);
	res->path = "srtp only (memory)";
}

static int by_cost(const void *a, const void *b)
{
	double x = ((const struct result *)a)->us_per_pkt, y = ((const struct result *)b)->us_per_pkt;
	return (x > y) - (x < y);
}

static void json_row(FILE *f, const struct result *r, int last)
{
	fprintf(f,
		"    {\"profile\": \"%s\", \"path\": \"%s\", \"cpu_us_per_pkt\": %.3f, \"user_us\": %.3f, "
		"\"sys_us\": %.3f, \"pkts_per_s\": %.0f, \"server_busy\": %.3f, \"packets\": %llu, "
		"\"errors\": %llu}%s\n",
		r->profile, r->path, r->us_per_pkt, r->user_us, r->sys_us, r->pps, r->busy, r->packets,
		r->errors, last ? "" : ",");
}

int main(int argc, char **argv)
{
	const char *json = NULL;
	double seconds = 1.5;
	int repeat = 3;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && i + 1 < argc) {
			json = argv[++i];
		} else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) {
			repeat = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
			seconds = atof(argv[++i]);
		} else {
			fprintf(stderr, "usage: %s [--seconds S] [--repeat N] [--json FILE]\n", argv[0]);
			return 2;
		}
	}
	if (seconds <= 0)
		seconds = 1.5;
	if (repeat < 1 || repeat > 9)
		repeat = 3;
	ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);

	struct result res[5];
	struct { int profile, mem; } rows[5] = {
		{ SRTP_PROFILE_AEAD_AES_128_GCM, 0 }, { SRTP_PROFILE_AEAD_AES_128_GCM, 1 },
		{ SRTP_PROFILE_AES128_CM_SHA1_80, 0 }, { SRTP_PROFILE_AES128_CM_SHA1_80, 1 },
		{ NOCRYPTO, 0 },
	};
	for (int i = 0; i < 5; i++) { /* the median of `repeat` runs: this machine is a shared VM */
		struct result tries[9];
		for (int t = 0; t < repeat; t++) {
			if (rows[i].mem)
				run_mem(rows[i].profile, seconds / 2, &tries[t]);
			else
				run_udp(rows[i].profile, seconds, &tries[t]);
		}
		qsort(tries, (size_t)repeat, sizeof tries[0], by_cost);
		res[i] = tries[repeat / 2];
		for (int t = 0; t < repeat; t++)
			res[i].errors = tries[t].errors > res[i].errors ? tries[t].errors : res[i].errors;
	}

	printf("floor: recvmmsg -> SRTP unprotect -> protect (subscriber session) -> sendmmsg\n");
	printf("       batches of %d, %d-byte payload (%d-byte RTP), loopback UDP, %s\n", BATCH, PAYLOAD,
	       PKT, ncpu >= 2 ? "server thread on CPU 1, generator and sink on CPU 0" : "one CPU, unpinned");
	printf("       each row the median of %d runs of %.1f s\n", repeat, seconds);
	printf("%-18s %-19s %9s %7s %7s %10s %6s %7s\n", "profile", "path", "µs CPU", "user", "sys",
	       "pkts/s", "busy", "errors");
	for (int i = 0; i < 5; i++)
		printf("%-18s %-19s %9.2f %7.2f %7.2f %10.0f %5.0f%% %7llu\n", res[i].profile, res[i].path,
		       res[i].us_per_pkt, res[i].user_us, res[i].sys_us, res[i].pps, res[i].busy * 100,
		       res[i].errors);
	printf("floor per forwarded packet: %.2f µs (AEAD_AES_128_GCM), %.2f µs (AES_CM_128_HMAC_SHA1_80)\n",
	       res[0].us_per_pkt, res[2].us_per_pkt);
	if (res[0].busy < 0.8 || res[2].busy < 0.8)
		printf("note: the server thread was idle part of the time (generator-bound); the per-packet\n"
		       "      numbers include the extra wake-ups that costs\n");

	if (json) {
		FILE *f = fopen(json, "w");
		if (!f) {
			perror(json);
			return 1;
		}
		fprintf(f, "{\n  \"payload_bytes\": %d,\n  \"batch\": %d,\n  \"cpus\": %d,\n  \"repeat\": %d,\n  \"seconds\": %.2f,\n",
			PAYLOAD, BATCH, ncpu, repeat, seconds);
		fprintf(f, "  \"floor_us_gcm\": %.3f,\n  \"floor_us_cm\": %.3f,\n  \"udp_only_us\": %.3f,\n",
			res[0].us_per_pkt, res[2].us_per_pkt, res[4].us_per_pkt);
		fprintf(f, "  \"rows\": [\n");
		for (int i = 0; i < 5; i++)
			json_row(f, &res[i], i == 4);
		fprintf(f, "  ]\n}\n");
		fclose(f);
	}
	for (int i = 0; i < 5; i++)
		if (res[i].errors)
			return 1;
	return 0;
}
