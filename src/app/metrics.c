/* metrics: Prometheus text format 0.0.4 — HELP/TYPE lines, gauges and counters, drop reasons
 * as a label. Only aggregate numbers: no room names, no participant data. */
#include "app/metrics.h"
#include "rec/rec.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>

#include "base/strbuf.h"
#include "sfu/sfu.h"
#include "signal/signal.h"


static void metric(struct strbuf *o, const char *name, const char *type, const char *help, uint64_t v)
{
	strbuf_printf(o, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name, type, name, (unsigned long long)v);
}

size_t app_metrics_write(void *arg, char *out, size_t cap)
{
	struct app_metrics_src *src = arg;
	struct sfu_stats st;
	sfu_get_stats(src->sfu, &st);
	struct strbuf o;
	strbuf_init(&o, out, cap);
	metric(&o, "plenum_rooms", "gauge", "Rooms with at least one participant.", st.rooms);
	metric(&o, "plenum_participants", "gauge", "Participants in all rooms.", st.participants);
	metric(&o, "plenum_whep_viewers", "gauge", "WHEP viewers of the public livestreams.", st.viewers);
	metric(&o, "plenum_whep_packets_sent_total", "counter", "RTP packets forwarded to WHEP viewers.",
	       st.viewer_packets_sent);
	metric(&o, "plenum_websocket_connections", "gauge", "Open signaling connections.",
	       src->signal ? signal_connections(src->signal) : 0);
	struct signal_conn_stats cs;
	signal_get_conn_stats(src->signal, &cs);
	metric(&o, "plenum_connections", "gauge", "Open TCP connections of signaling (HTTP and WebSocket).", cs.open);
	metric(&o, "plenum_connections_max", "gauge", "Most TCP connections in all (--max-connections).", cs.max_connections);
	strbuf_printf(&o, "# HELP plenum_connections_refused_total Connections refused or closed by the limits, by reason.\n"
	        "# TYPE plenum_connections_refused_total counter\n"
	        "plenum_connections_refused_total{reason=\"per_ip\"} %llu\n"
	        "plenum_connections_refused_total{reason=\"total\"} %llu\n"
	        "plenum_connections_refused_total{reason=\"evicted_idle\"} %llu\n"
	        "plenum_connections_refused_total{reason=\"hello_timeout\"} %llu\n",
	        (unsigned long long)cs.refused_per_ip, (unsigned long long)cs.refused_total,
	        (unsigned long long)cs.evicted_idle, (unsigned long long)cs.hello_timeout);
	strbuf_printf(&o, "# HELP plenum_forwarded_for_fallback_total Connections from a trusted proxy judged by the proxy's address, by reason.\n"
	        "# TYPE plenum_forwarded_for_fallback_total counter\n"
	        "plenum_forwarded_for_fallback_total{reason=\"absent\"} %llu\n"
	        "plenum_forwarded_for_fallback_total{reason=\"invalid\"} %llu\n",
	        (unsigned long long)cs.forwarded_absent, (unsigned long long)cs.forwarded_invalid);
	metric(&o, "plenum_rtp_packets_received_total", "counter", "RTP packets received from publishers.", st.rtp_packets_received);
	metric(&o, "plenum_rtp_bytes_received_total", "counter", "RTP bytes received (decrypted).", st.rtp_bytes_received);
	metric(&o, "plenum_rtp_packets_sent_total", "counter", "RTP packets sent to subscribers.", st.rtp_packets_sent);
	metric(&o, "plenum_rtp_bytes_sent_total", "counter", "RTP bytes sent to subscribers (before encryption).", st.rtp_bytes_sent);
	metric(&o, "plenum_rtcp_packets_received_total", "counter", "RTCP compound packets received.", st.rtcp_packets_received);
	metric(&o, "plenum_rtcp_packets_sent_total", "counter", "RTCP compound packets sent.", st.rtcp_packets_sent);
	metric(&o, "plenum_nack_retransmissions_total", "counter", "Packets resent to answer subscribers' NACKs.", st.nack_retransmits);
	metric(&o, "plenum_nack_retransmits_dropped_total", "counter", "NACKed packets not resent: over the subscriber's retransmission budget.", st.nack_retransmits_dropped);
	metric(&o, "plenum_nack_duplicates_total", "counter", "NACKed packets not resent: resent within the last 100 ms already.", st.nack_duplicates);
	metric(&o, "plenum_probe_padding_packets_total", "counter", "Padding-only packets sent to probe subscribers' downlinks for room to bring video back.", st.probe_padding_packets);
	metric(&o, "plenum_videos_paused_bandwidth", "gauge", "Videos subscribers' tiles ask for that are paused because their downlink cannot carry them (audio first).", st.videos_paused_bw);
	metric(&o, "plenum_publish_layers_off", "gauge", "Simulcast layers publishers were told to stop encoding because nobody receives them (data saver).", st.pub_layers_off);
	metric(&o, "plenum_publish_layer_pauses_total", "counter", "Simulcast layers switched off at publishers because nobody received them.", st.pub_layers_paused);
	metric(&o, "plenum_publish_layer_resumes_total", "counter", "Simulcast layers switched back on at publishers because a subscriber needed them.", st.pub_layers_resumed);
	metric(&o, "plenum_keyframe_requests_total", "counter", "PLIs sent to publishers.", st.keyframe_requests);
	metric(&o, "plenum_simulcast_layer_switches_total", "counter", "Subscribers moved to another simulcast layer.", st.layer_switches);
	metric(&o, "plenum_twcc_feedback_received_total", "counter", "Transport-cc feedback packets from subscribers.", st.twcc_feedback_received);
	metric(&o, "plenum_twcc_feedback_sent_total", "counter", "Transport-cc feedback packets sent to publishers.", st.twcc_feedback_sent);
	metric(&o, "plenum_downlink_estimate_bps_sum", "gauge", "Sum of the subscribers' estimated downlinks.", st.subscriber_estimate_bps_sum);
	metric(&o, "plenum_media_tcp_accepted_total", "counter", "Connections accepted on the ICE-TCP port.", st.tcp_accepted);
	const struct { const char *reason; uint64_t v; } refused[] = {
		{ "limit", st.tcp_refused_limit },        /* the open-link limit (1,024) reached */
		{ "pending", st.tcp_refused_pending },    /* too many waiting for first bytes, in all or from one address */
		{ "timeout", st.tcp_refused_timeout },    /* no first bytes within 5 s */
		{ "not_ice", st.tcp_refused_not_ice },    /* first bytes neither an ICE check nor (shared port) TLS */
		{ "unbound", st.tcp_closed_unbound },     /* no check for a known transport within 10 s */
		{ "evicted", st.tcp_evicted_unbound },    /* such a link, closed at the limit for a newcomer */
		{ "bad_framing", st.tcp_closed_bad_framing },   /* a frame over 4,096 bytes */
	};
	strbuf_printf(&o, "# HELP plenum_media_tcp_refused_total ICE-TCP connections closed by plenum, by reason.\n"
	        "# TYPE plenum_media_tcp_refused_total counter\n");
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		strbuf_printf(&o, "plenum_media_tcp_refused_total{reason=\"%s\"} %llu\n", refused[i].reason,
		              (unsigned long long)refused[i].v);
	metric(&o, "plenum_media_tcp_links", "gauge", "Media TCP connections open.", st.tcp_links_open);
	metric(&o, "plenum_media_tcp_bytes_sent_total", "counter", "Bytes written to media TCP connections.", st.tcp_bytes_sent);
	strbuf_printf(&o, "# HELP plenum_media_tcp_shed_total Frames not queued for a TCP subscriber whose connection backed up: video first, then any.\n"
	        "# TYPE plenum_media_tcp_shed_total counter\n"
	        "plenum_media_tcp_shed_total{kind=\"video\"} %llu\nplenum_media_tcp_shed_total{kind=\"any\"} %llu\n",
	        (unsigned long long)st.tcp_shed_video, (unsigned long long)st.tcp_shed_all);
	const struct { const char *reason; uint64_t v; } drops[] = {
		{ "malformed_stun", st.dropped_malformed_stun },
		{ "malformed_rtp", st.dropped_malformed_rtp },
		{ "malformed_rtcp", st.dropped_malformed_rtcp },
		{ "srtp_auth", st.dropped_srtp_auth },
		{ "unknown_source", st.dropped_unknown_source },
		{ "unknown_ssrc", st.dropped_unknown_ssrc },
		{ "dtls", st.dropped_dtls },
		{ "send_failed", st.dropped_send },
	};
	strbuf_printf(&o, "# HELP plenum_packets_dropped_total Datagrams dropped, by reason.\n"
	        "# TYPE plenum_packets_dropped_total counter\n");
	for (size_t i = 0; i < sizeof drops / sizeof drops[0]; i++)
		strbuf_printf(&o, "plenum_packets_dropped_total{reason=\"%s\"} %llu\n", drops[i].reason, (unsigned long long)drops[i].v);
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
		strbuf_printf(&o, "# HELP process_cpu_seconds_total User and system CPU time.\n# TYPE process_cpu_seconds_total counter\n"
		        "process_cpu_seconds_total %.3f\n", cpu);
		strbuf_printf(&o, "# HELP process_max_resident_memory_bytes Peak resident memory.\n# TYPE process_max_resident_memory_bytes gauge\n"
		        "process_max_resident_memory_bytes %ld\n", ru.ru_maxrss * 1024L);
	}
	if (src->signal && !o.overflow && o.len < cap)
		o.len += signal_tenant_metrics(src->signal, out + o.len, cap - o.len);
	if (src->rec && !o.overflow && o.len < cap)
		o.len += rec_metrics(src->rec, out + o.len, cap - o.len);
	if (src->signal && !o.overflow && o.len < cap)
		o.len += signal_whip_metrics(src->signal, out + o.len, cap - o.len);
	return o.len;
}
