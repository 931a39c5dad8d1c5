/* events: the sfu's per-participant callbacks (struct sfu_events) turned into signaling v1
 * events on that participant's connection, with the meeting's view (role, hand, …) added.
 * Called on the loop thread. */
#include <string.h>

#include "signal/proto_int.h"

static const char *const leave_reasons[] = {
	[SFU_LEFT_BYE] = "left",
	[SFU_LEFT_TIMEOUT] = "timeout",
	[SFU_LEFT_CLOSED] = "closed",
	[SFU_LEFT_REMOVED] = "removed",
	[SFU_LEFT_ENDED] = "ended",
	[SFU_LEFT_MOVED] = "moved",
};

static const char *leave_reason(enum sfu_leave_reason reason)
{
	if ((unsigned)reason < sizeof leave_reasons / sizeof leave_reasons[0])
		return leave_reasons[reason];
	return "left";
}

static void emit_event(struct proto_conn *c, const char *name, json_t *data)
{
	proto_event(c, name, data);
}

static json_t *participant_json(struct proto_conn *c, const struct sfu_participant_info *p)
{
	return proto_participant_json(c->room, NULL, p);
}

static void ev_participant_joined(void *arg, const struct sfu_participant_info *p)
{
	struct proto_conn *c = arg;
	if (proto_conn_listening(c))
		emit_event(c, "participant_joined", participant_json(c, p));
}

static void ev_participant_updated(void *arg, const struct sfu_participant_info *p)
{
	struct proto_conn *c = arg;
	if (proto_conn_listening(c))
		emit_event(c, "participant_updated", participant_json(c, p));
}

static void ev_participant_left(void *arg, uint32_t id, enum sfu_leave_reason reason)
{
	struct proto_conn *c = arg;
	if (proto_conn_listening(c))
		emit_event(c, "participant_left", json_pack("{s:I, s:s}", "id", (json_int_t)id,
		                                            "reason", leave_reason(reason)));
}

static void ev_subscribe_offer(void *arg, uint32_t version, const char *sdp,
                               const struct sfu_track_info *tracks, size_t n_tracks)
{
	struct proto_conn *c = arg;
	if (!proto_conn_listening(c))
		return;
	json_t *list = json_array();
	for (size_t i = 0; list && i < n_tracks; i++) {
		const struct sfu_track_info *t = &tracks[i];
		json_array_append_new(list, json_pack("{s:s%, s:I, s:s, s:s, s:b}",
			"mid", t->mid, strnlen(t->mid, sizeof t->mid),
			"participant_id", (json_int_t)t->participant_id,
			"kind", t->kind == SFU_KIND_VIDEO ? "video" : "audio",
			"source", proto_source_name(t->source), "active", t->active));
	}
	emit_event(c, "subscribe_offer", json_pack("{s:I, s:s, s:o}", "version", (json_int_t)version,
	                                           "sdp", sdp ? sdp : "", "tracks", list));
}

static void ev_dropped(void *arg, enum sfu_leave_reason reason)
{
	struct proto_conn *c = arg;
	if (!proto_conn_listening(c))
		return;
	/* The sfu frees the participant right after; the client may join again. */
	c->participant = NULL;
	emit_event(c, "dropped", json_pack("{s:s}", "reason", leave_reason(reason)));
	proto_room_forget(c);
}

static void ev_active_speaker(void *arg, uint32_t participant_id)
{
	struct proto_conn *c = arg;
	if (proto_conn_listening(c))
		emit_event(c, "active_speaker", json_pack("{s:I}", "id", (json_int_t)participant_id));
}

static const char *const quality_names[] = { [SFU_QUALITY_GOOD] = "good", [SFU_QUALITY_FAIR] = "fair", [SFU_QUALITY_POOR] = "poor" };

const char *proto_quality_name(enum sfu_quality q)
{
	return (unsigned)q < sizeof quality_names / sizeof quality_names[0] ? quality_names[q] : "good";
}

static void ev_downlink(void *arg, const struct sfu_downlink_info *d)
{
	struct proto_conn *c = arg;
	if (!proto_conn_listening(c))
		return;
	json_t *paused = json_array(), *unsupported = json_array();
	for (size_t i = 0; paused && i < d->n_paused; i++)
		json_array_append_new(paused, json_pack("{s:I, s:s}", "participant_id", (json_int_t)d->paused[i].participant_id,
		                                        "source", proto_source_name(d->paused[i].source)));
	for (size_t i = 0; unsupported && i < d->n_unsupported; i++)
		json_array_append_new(unsupported, json_pack("{s:I, s:s, s:s}", "participant_id",
		                                             (json_int_t)d->unsupported[i].participant_id, "source",
		                                             proto_source_name(d->unsupported[i].source), "codec", "H264"));
	emit_event(c, "downlink", json_pack("{s:I, s:I, s:f, s:s, s:o, s:o}",
		"estimate_kbps", (json_int_t)(d->estimate_bps / 1000u), "rtt_ms", (json_int_t)d->rtt_ms,
		"loss_pct", (double)(int)(d->loss * 1000 + 0.5) / 10.0, "quality", proto_quality_name(d->quality),
		"paused", paused, "unsupported", unsupported));
}

static void ev_publish_layers(void *arg, const struct sfu_publish_layers *l)
{
	struct proto_conn *c = arg;
	if (!proto_conn_listening(c))
		return;
	json_t *active = json_object();
	for (size_t i = 0; active && i < l->n; i++)
		if (l->rids[i][0])
			json_object_set_new(active, l->rids[i], json_boolean(l->active[i]));
	emit_event(c, "publish_layers", json_pack("{s:s, s:o}", "mid", l->mid, "active", active));
}

const struct sfu_events proto_sfu_events = {
	.participant_joined = ev_participant_joined,
	.participant_left = ev_participant_left,
	.participant_updated = ev_participant_updated,
	.subscribe_offer = ev_subscribe_offer,
	.dropped = ev_dropped,
	.active_speaker = ev_active_speaker,
	.downlink = ev_downlink,
	.publish_layers = ev_publish_layers,
};
