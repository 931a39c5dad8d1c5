"""HTTP side: /healthz, /metrics (names, labels, counters moving during a meeting), and that
garbage UDP datagrams on the media port are dropped and counted while a meeting keeps running."""
import os
import random
import socket
import struct

from helpers import clients, run
from plenum_client import http_get, metric_sum, parse_metrics

COUNTERS = ["plenum_rtp_packets_received_total", "plenum_rtp_packets_sent_total", "plenum_rtp_bytes_sent_total"]
DROPPED = "plenum_packets_dropped_total"


def scrape(server):
    status, text = http_get(server.base + "/metrics")
    assert status == 200, f"/metrics answered {status}"
    return parse_metrics(text)


def test_healthz_and_metrics_names(server):
    status, body = http_get(server.base + "/healthz")
    assert status == 200 and body.strip() == "ok", (status, body)
    m = scrape(server)
    names = {n for n, _ in m}
    for name in ["plenum_rooms", "plenum_participants"] + COUNTERS:
        assert name in names, f"{name} missing from /metrics: {sorted(names)}"
    reasons = [dict(labels).get("reason") for n, labels in m if n == DROPPED]
    assert reasons and all(reasons), f"{DROPPED}{{reason=...}} missing: {reasons}"
    assert metric_sum(m, "plenum_rooms") == 0 and metric_sum(m, "plenum_participants") == 0
    status, _ = http_get(server.base + "/no/such/thing")
    assert status == 404


def test_counters_move_during_a_meeting(server):
    async def body():
        async with clients(server, "Alice", "Bob") as (a, b):
            await a.start("metrics-room")
            await b.start("metrics-room")
            await a.wait_media_from(b.participant_id, timeout=20)
            await b.wait_media_from(a.participant_id, timeout=20)
            m1 = scrape(server)
            assert metric_sum(m1, "plenum_rooms") == 1
            assert metric_sum(m1, "plenum_participants") == 2
            for name in COUNTERS:
                assert metric_sum(m1, name) > 0, f"{name} is 0 during a meeting"
            await a.wait_media_from(b.participant_id, video=a.video_frames[b.participant_id] + 15, timeout=10)
            m2 = scrape(server)
            for name in COUNTERS:
                assert metric_sum(m2, name) > metric_sum(m1, name), f"{name} did not grow"
            # bytes sent grow by at least ~ the packets sent times a minimal RTP packet
            sent = metric_sum(m2, COUNTERS[1]) - metric_sum(m1, COUNTERS[1])
            assert metric_sum(m2, COUNTERS[2]) - metric_sum(m1, COUNTERS[2]) >= sent * 12
            await b.close()
            await a.wait_event("participant_left", lambda d: d["id"] == b.participant_id)
            m3 = scrape(server)
            assert metric_sum(m3, "plenum_participants") == 1
    run(body(), 60)


def garbage(rng):
    """(label, datagram) pairs covering every RFC 7983 range and some liars."""
    out = []
    for _ in range(40):
        out.append(("random", os.urandom(rng.randint(1, 1400))))
    for first in (0, 1, 2, 3, 20, 22, 63, 64, 127, 128, 191, 200, 255):
        out.append((f"first-byte-{first}", bytes([first]) + os.urandom(rng.randint(0, 200))))
    # STUN binding request header claiming 100 bytes of attributes, cut short
    hdr = struct.pack("!HHI12s", 0x0001, 100, 0x2112A442, os.urandom(12))
    out += [("stun-truncated", hdr + os.urandom(10)), ("stun-header-only", hdr[:12])]
    # a complete binding request with USERNAME for a ufrag nobody has, no integrity
    user = b"nosuchufrag:x"
    attr = struct.pack("!HH", 0x0006, len(user)) + user + b"\0" * (-len(user) % 4)
    out.append(("stun-unknown-ufrag", struct.pack("!HHI12s", 0x0001, len(attr), 0x2112A442, os.urandom(12)) + attr))
    # fake RTP (VP8 payload type) and RTCP from an address that never did ICE
    for seq in range(20):
        out.append(("fake-rtp", struct.pack("!BBHII", 0x80, 96, seq, seq * 3000, 0x1234567) + os.urandom(100)))
    out.append(("fake-rtcp-pli", struct.pack("!BBHII", 0x81, 206, 2, 0x1234567, 0x7654321)))
    out.append(("fake-dtls", bytes([22, 0xfe, 0xfd]) + os.urandom(60)))
    return out


def test_garbage_udp_is_dropped_and_counted(server):
    async def body():
        async with clients(server, "Alice", "Bob") as (a, b):
            await a.start("garbage-room")
            await b.start("garbage-room")
            await a.wait_media_from(b.participant_id, timeout=20)
            await b.wait_media_from(a.participant_id, timeout=20)
            before = metric_sum(scrape(server), DROPPED)
            junk = garbage(random.Random(7))
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for _, d in junk:
                s.sendto(d, ("127.0.0.1", server.media_port))
            s.close()
            fa, fb = a.video_frames[b.participant_id], b.video_frames[a.participant_id]
            await a.wait_for(lambda: a.video_frames[b.participant_id] >= fa + 15 and
                             b.video_frames[a.participant_id] >= fb + 15, 10, "the meeting going on after the garbage")
            after = metric_sum(scrape(server), DROPPED)
            print(f"{len(junk)} datagrams sent, {DROPPED} grew by {after - before}")
            assert after - before >= len(junk), f"{len(junk)} garbage datagrams, dropped counter grew by {after - before}"
            assert server.alive()
    run(body(), 60)
