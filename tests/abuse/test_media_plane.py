"""The media port against a participant who turns hostile: a flood of connectivity checks with a
known ufrag and a wrong password (answered within the per-source error budget only), and a NACK
storm from a subscriber (retransmissions held to its budget). Others' media keeps flowing, their
ICE stays connected. Loopback only; every flood is bounded in packets and time."""
import asyncio
import hashlib
import hmac
import os
import re
import socket
import struct
import threading
import time
import zlib

from helpers import clients, run
from plenum_client import metric_sum, metrics_text, parse_metrics

# src/ice/ice_lite.h: unauthenticated error responses per source IP address
ICE_ERR_PER_SEC = 5
ICE_ERR_BURST = 10
# src/sfu/repair.h: retransmissions per subscriber
SFU_RTX_MAX_PPS = 250
SFU_RTX_BURST_MS = 500

FLOOD_PACKETS = 200_000
FLOOD_MAX_S = 8.0


def metric(server, name):
    return metric_sum(parse_metrics(metrics_text(server)), name)


def dropped(text, reason):
    m = re.search(r'^plenum_packets_dropped_total\{reason="%s"\} (\d+)' % re.escape(reason), text, re.M)
    return int(m.group(1)) if m else 0


def cpu_seconds(proc):
    """User plus system CPU time the server process has used (Linux /proc)."""
    with open(f"/proc/{proc.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ice_ufrag(sdp):
    m = re.search(r"^a=ice-ufrag:(\S+)", sdp, re.M)
    assert m, sdp
    return m.group(1)


def stun_check(username, password, tid):
    """A binding request as a controlling agent sends it: USERNAME, PRIORITY, ICE-CONTROLLING,
    MESSAGE-INTEGRITY (keyed with `password`) and FINGERPRINT (RFC 8489, RFC 8445 §7.1)."""
    def attr(t, v):
        return struct.pack("!HH", t, len(v)) + v + b"\0" * ((4 - len(v) % 4) % 4)
    body = attr(0x0006, username.encode()) + attr(0x0024, struct.pack("!I", 0x6e0001ff)) + \
        attr(0x802A, struct.pack("!Q", 0x1122334455667788))
    head = struct.pack("!HHI", 0x0001, len(body) + 24, 0x2112A442) + tid
    mac = hmac.new(password.encode(), head + body, hashlib.sha1).digest()
    body += attr(0x0008, mac)
    head = struct.pack("!HHI", 0x0001, len(body) + 8, 0x2112A442) + tid
    crc = (zlib.crc32(head + body) & 0xFFFFFFFF) ^ 0x5354554E
    return head + body + attr(0x8028, struct.pack("!I", crc))


class Flood:
    """Sends `packets` datagrams (cycling through `payloads`) from 127.0.0.X to the media port in a
    thread, and counts the STUN error responses that come back."""

    def __init__(self, server, host, payloads, packets, max_s):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        self.to = ("127.0.0.1", server.media_port)
        self.payloads, self.packets, self.max_s = payloads, packets, max_s
        self.sent = 0
        self.errors = 0            # binding error responses (401 and 400)
        self.other = 0
        self.done = threading.Event()
        self.elapsed = 0.0

    def _send(self):
        start = time.monotonic()
        n = len(self.payloads)
        while self.sent < self.packets and time.monotonic() - start < self.max_s:
            for _ in range(500):
                try:
                    self.sock.sendto(self.payloads[self.sent % n], self.to)
                except (BlockingIOError, OSError):
                    pass
                self.sent += 1
        self.elapsed = time.monotonic() - start
        self.done.set()

    def _recv(self):
        self.sock.settimeout(0.2)
        quiet_after = None
        while True:
            try:
                data = self.sock.recv(2048)
            except socket.timeout:
                if self.done.is_set():
                    if quiet_after is None:
                        quiet_after = time.monotonic() + 1.0
                    elif time.monotonic() > quiet_after:
                        return
                continue
            if len(data) >= 20 and struct.unpack("!H", data[:2])[0] == 0x0111:
                self.errors += 1
            else:
                self.other += 1

    async def run(self):
        rt = threading.Thread(target=self._recv, daemon=True)
        st = threading.Thread(target=self._send, daemon=True)
        rt.start()
        st.start()
        while rt.is_alive():
            await asyncio.sleep(0.1)
        self.sock.close()


def test_wrong_password_flood_answered_within_budget(server):
    """Mallory joins and publishes, so she knows the server's ufrag for her publish transport, then
    floods the media port with checks carrying that ufrag and a wrong password. Alice's media to
    Bob keeps flowing and every ICE connection stays up; the 401s Mallory gets are bounded by the
    per-source error budget, however many checks she sends."""
    async def body():
        async with clients(server, "Alice") as (a,), clients(server, "Bob", audio=False, video=False) as (b,), \
                clients(server, "Mallory", audio=True, video=False) as (m,):
            await a.start("flood")
            await b.start("flood")
            await b.wait_media_from(a.participant_id, video=10, audio=10, timeout=20)
            await m.hello()
            await m.join("flood")
            answer = await m.publish()
            await m.wait_for(lambda: m.pub_connected_at, 10, "Mallory's publish transport connected")
            server_ufrag = ice_ufrag(answer["sdp"])
            own_ufrag = ice_ufrag(m.pub_pc.localDescription.sdp)
            username = f"{server_ufrag}:{own_ufrag}"
            payloads = [stun_check(username, "not-the-password-at-all!", os.urandom(12)) for _ in range(64)]
            before_text = metrics_text(server)
            v0, a0 = b.video_frames[a.participant_id], b.audio_frames[a.participant_id]
            flood = Flood(server, "127.0.0.23", payloads, FLOOD_PACKETS, FLOOD_MAX_S)
            cpu0 = cpu_seconds(server.proc)
            await flood.run()
            cpu = cpu_seconds(server.proc) - cpu0
            after_text = metrics_text(server)
            seen = dropped(after_text, "malformed_stun") - dropped(before_text, "malformed_stun")
            window = flood.elapsed + 1.5     # the sending time and the draining after it
            cap = ICE_ERR_BURST + ICE_ERR_PER_SEC * window + 2
            print(f"\nflood: {flood.sent} checks sent in {flood.elapsed:.2f} s "
                  f"({flood.sent / max(flood.elapsed, 1e-6):.0f}/s); server refused {seen} "
                  f"({seen / max(flood.elapsed, 1e-6):.0f}/s); error responses received {flood.errors} "
                  f"(cap {cap:.0f}); other datagrams {flood.other}; server CPU {cpu:.2f} s "
                  f"= {cpu * 1e6 / max(seen, 1):.2f} us per check, all of its media included")
            assert server.alive()
            assert seen > 0, "the flood never reached the ICE agent"
            assert flood.errors >= 1, "not even the first wrong check was answered"
            assert flood.errors <= cap, f"{flood.errors} error responses, budget allows {cap:.0f}"
            assert flood.other == 0
            # everyone's transports stay connected, and Alice's media still reaches Bob
            await b.wait_for(lambda: b.video_frames[a.participant_id] >= v0 + 15 and
                             b.audio_frames[a.participant_id] >= a0 + 25, 15,
                             "Alice's media at Bob after the flood")
            for who, pc in (("Alice publish", a.pub_pc), ("Bob subscribe", b.sub_pc), ("Mallory publish", m.pub_pc)):
                assert pc.connectionState == "connected", f"{who}: {pc.connectionState}"
                assert pc.iceConnectionState in ("connected", "completed"), f"{who}: {pc.iceConnectionState}"
    run(body(), 90)


def _video_receiver(client):
    pc = client.sub_pc
    for t in pc.getTransceivers():
        if t.kind == "video" and t.receiver is not None:
            return t.receiver
    return None


def _video_stream(receiver):
    """(ssrc, highest sequence number) of the media stream the receiver gets (not its RTX)."""
    streams = getattr(receiver, "_RTCRtpReceiver__remote_streams")
    rtx = getattr(receiver, "_RTCRtpReceiver__rtx_ssrc")
    best = None
    for ssrc, st in streams.items():
        if ssrc in rtx or st.max_seq is None:
            continue
        if best is None or st.packets_received > best[2]:
            best = (ssrc, st.max_seq, st.packets_received)
    return best


def test_nack_storm_held_to_budget(server):
    """Bob subscribes to Alice and, for a bounded time, sends NACKs listing the last 256 packets
    (16 FCIs, every BLP bit set) 50 times a second. The server's retransmissions grow at most by
    the per-subscriber cap times the storm's duration (plus the bucket's burst), the refused ones
    are counted, and Bob still decodes Alice's video."""
    storm_s = 3.0

    async def body():
        async with clients(server, "Alice") as (a,), clients(server, "Bob", audio=False, video=False) as (b,):
            await a.start("nack-storm")
            await b.start("nack-storm")
            await b.wait_media_from(a.participant_id, video=15, audio=10, timeout=20)
            receiver = _video_receiver(b)
            assert receiver is not None
            r0, d0 = metric(server, "plenum_nack_retransmissions_total"), \
                metric(server, "plenum_nack_retransmits_dropped_total")
            sent_nacks = 0
            start = time.monotonic()
            while time.monotonic() - start < storm_s:
                ssrc, max_seq, _ = _video_stream(receiver)
                lost = [(max_seq - 255 + i) & 0xFFFF for i in range(256)]
                if max_seq < 255:   # aiortc's NACK writer cannot pack a list that wraps past 65535
                    lost = [q for q in lost if q <= max_seq]
                await receiver._send_rtcp_nack(ssrc, lost)
                sent_nacks += 1
                await asyncio.sleep(0.02)
            elapsed = time.monotonic() - start
            await asyncio.sleep(0.5)
            r1, d1 = metric(server, "plenum_nack_retransmissions_total"), \
                metric(server, "plenum_nack_retransmits_dropped_total")
            dup = metric(server, "plenum_nack_duplicates_total")
            cap = SFU_RTX_MAX_PPS * (elapsed + 0.5) + SFU_RTX_MAX_PPS * SFU_RTX_BURST_MS / 1000 + 50
            print(f"\nNACK storm: {sent_nacks} NACKs x 256 packets in {elapsed:.2f} s; retransmitted "
                  f"{r1 - r0:.0f} (cap {cap:.0f}), refused {d1 - d0:.0f}, duplicates {dup:.0f}")
            assert r1 - r0 <= cap, f"{r1 - r0} retransmissions, the budget allows {cap:.0f}"
            assert r1 - r0 > 0, "no NACK was answered at all"
            assert d1 - d0 > 0, "nothing was refused"
            assert server.alive()
            v0 = b.video_frames[a.participant_id]
            await b.wait_for(lambda: b.video_frames[a.participant_id] >= v0 + 10, 10, "Alice's video after the storm")
            assert b.sub_pc.connectionState == "connected"
    run(body(), 60)
