"""Meetings of aiortc peers through plenum: each decodes the others' video and receives their audio,
and a late joiner gets a keyframe quickly (the server forwards its PLI or asks for a keyframe)."""
import asyncio

from helpers import clients, run
from plenum_client import http_get, metric_sum, parse_metrics


def test_two_peers_exchange_audio_and_video(server):
    async def body():
        async with clients(server, "Alice", "Bob") as (a, b):
            await a.start("interop-two")
            await b.start("Interop-Two")          # room names are case-insensitive
            assert a.room == b.room == "interop-two"
            assert a.participant_id != b.participant_id
            # each learns of the other
            await a.wait_event("participant_joined", lambda d: d["id"] == b.participant_id and d["name"] == "Bob")
            await b.wait_event("participant_joined", lambda d: d["id"] == a.participant_id and d["name"] == "Alice")
            await a.wait_media_from(b.participant_id, video=10, audio=25, timeout=20)
            await b.wait_media_from(a.participant_id, video=10, audio=25, timeout=20)
            # decoded frames are the publisher's size, and keep coming
            assert a.video_size[b.participant_id] == (320, 240), a.video_size
            assert b.video_size[a.participant_id] == (320, 240), b.video_size
            va, vb = a.video_frames[b.participant_id], b.video_frames[a.participant_id]
            await a.wait_for(lambda: a.video_frames[b.participant_id] >= va + 10 and
                             b.video_frames[a.participant_id] >= vb + 10, 5, "10 more frames each way")
            # the subscribe offers only listed the other participant's tracks
            assert {p for p, _ in a.mids.values()} == {b.participant_id}, a.mids
            assert sorted(k for _, k in a.mids.values()) == ["audio", "video"], a.mids
            # leaving is seen by the other side
            await b.request("leave", {})
            await a.wait_event("participant_left", lambda d: d["id"] == b.participant_id and d["reason"] == "left")
    run(body(), 60)


def test_late_joiner_gets_keyframes_asked_for_after_joining(server):
    """Carol joins after Alice's and Bob's first keyframes went by, and publishes no video herself, so
    every keyframe request from then on is on her behalf: she decodes video from both, and the server
    sent the publishers keyframe requests (its own, or her PLIs forwarded). The time from her
    subscribe connection to the first decoded frame is reported, not asserted."""
    def keyframe_requests():
        status, text = http_get(server.base + "/metrics")
        assert status == 200, f"/metrics answered {status}"
        return metric_sum(parse_metrics(text), "plenum_keyframe_requests_total")

    async def body():
        async with clients(server, "Alice", "Bob") as (a, b), clients(server, "Carol", video=False) as (c,):
            await a.start("late")
            await b.start("late")
            # ten decoded frames each way: the publishers' first keyframes are past, and aiortc
            # encodes the next one only when asked (PLI)
            await a.wait_media_from(b.participant_id, timeout=20)
            await b.wait_media_from(a.participant_id, timeout=20)
            before = keyframe_requests()
            await c.start("late")
            await c.wait_for(lambda: c.sub_connected_at, 10, "subscribe PeerConnection connected")
            await c.wait_media_from(a.participant_id, video=1, audio=1, timeout=10)
            await c.wait_media_from(b.participant_id, video=1, audio=1, timeout=10)
            asked = keyframe_requests() - before
            for p in (a, b):
                delay = c.first_video[p.participant_id] - c.sub_connected_at
                print(f"late joiner: first frame from {p.name} {delay:.3f} s after subscribe connected")
            print(f"late joiner: {asked:.0f} keyframe requests sent to publishers after Carol joined")
            assert asked >= 2, f"{asked} keyframe requests after a late join, want one per publisher at least"
            # and the existing peers hear the late joiner
            await a.wait_media_from(c.participant_id, video=0, timeout=10)
            await b.wait_media_from(c.participant_id, video=0, timeout=10)
    run(body(), 60)


def test_three_peers_joining_at_once_all_see_each_other(server):
    """Publishers appear while subscribe offers are outstanding: answers to those offers must still
    be taken (or be stale_answer, followed by a newer offer)."""
    async def body():
        async with clients(server, "Alice", "Bob", "Carol") as cs:
            await asyncio.gather(*(c.start("all-at-once") for c in cs))
            for p in cs:
                for q in cs:
                    if p is not q:
                        await p.wait_media_from(q.participant_id, timeout=20)
    run(body(), 60)
