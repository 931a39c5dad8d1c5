"""WHEP viewers (draft-ietf-wish-whep): an aiortc viewer POSTs a receive-only offer with a stream token to
/whep/<room>, decodes the programme (the speaker's camera and voice) and follows a speaker change; the
refusals (401, 403/404, 405, 413, 415, 429), DELETE, and the viewer budget (503)."""
import asyncio
import base64
import hashlib
import hmac
import json
import os
import time
import urllib.request

from aiortc import RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from helpers import clients, run
from plenum_client import http_get, new_pc, parse_metrics

SECRET = b"whep-interop-secret-0123456789abcdef"
LOUD, SILENT = 8000, 0


def secret_args(tmp_path):
    path = tmp_path / "stream.secret"
    path.write_bytes(SECRET + b"\n")
    os.chmod(path, 0o600)
    return ["--stream-secret-file", str(path)]


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(room, use="whep", ttl=600, secret=SECRET):
    """A stream token as the server mints them (src/signal/stream_token.c), for the default tenant."""
    now = int(time.time())
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64(json.dumps({"aud": "stream:default", "room": room, "use": use, "iat": now, "exp": now + ttl},
                          separators=(",", ":")).encode())
    mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(mac)}"


def http(method, url, body=None, headers=None, timeout=10):
    """(status, headers, body text) of one request; never raises on HTTP error statuses."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode("utf-8", "replace")


async def ahttp(*a, **kw):
    return await asyncio.get_running_loop().run_in_executor(None, lambda: http(*a, **kw))


class Viewer:
    """An aiortc WHEP player: counts decoded video frames by size and audio frames."""

    def __init__(self, server, room):
        self.url = f"{server.base}/whep/{room}"
        self.pc = new_pc()
        self.sizes = {}
        self.audio = 0
        self.tasks = []
        self.pc.on("track", self._on_track)
        self.location = None

    def _on_track(self, track):
        self.tasks.append(asyncio.ensure_future(self._consume(track)))

    async def _consume(self, track):
        try:
            while True:
                frame = await track.recv()
                if track.kind == "video":
                    key = (frame.width, frame.height)
                    self.sizes[key] = self.sizes.get(key, 0) + 1
                else:
                    self.audio += 1
        except MediaStreamError:
            pass

    async def offer(self):
        self.pc.addTransceiver("audio", direction="recvonly")
        self.pc.addTransceiver("video", direction="recvonly")
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def start(self, tok):
        sdp = await self.offer()
        status, headers, body = await ahttp("POST", self.url, sdp.encode(), {
            "Content-Type": "application/sdp", "Authorization": f"Bearer {tok}"})
        if status == 201:
            self.location = headers["Location"]
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=body, type="answer"))
        return status, headers, body

    async def wait(self, pred, timeout, what):
        deadline = time.monotonic() + timeout
        while not pred():
            if time.monotonic() > deadline:
                raise AssertionError(f"viewer: timed out waiting for {what}: sizes {self.sizes}, audio {self.audio}")
            await asyncio.sleep(0.1)

    async def close(self):
        for t in self.tasks:
            t.cancel()
        await self.pc.close()


def metrics(server):
    status, text = http_get(server.base + "/metrics")
    assert status == 200
    m = parse_metrics(text)
    return m[("plenum_whep_viewers", ())], m[("plenum_whep_packets_sent_total", ())]


def test_viewer_follows_the_speaker(start_server, tmp_path):
    server = start_server(args=secret_args(tmp_path))

    async def main():
        async with clients(server, "alice", "bob") as (a, b):
            a.size, a.amplitude = (320, 240), LOUD
            b.size, b.amplitude = (192, 144), SILENT
            await a.start("council")
            await b.start("council")
            await a.request("streaming_start", {})
            await a.wait_for(lambda: a.video_frames.get(b.participant_id), 20, "bob's video at alice")
            await b.wait_for(lambda: b.video_frames.get(a.participant_id), 20, "alice's video at bob")
            v = Viewer(server, "council")
            try:
                status, headers, body = await v.start(token("council"))
                assert status == 201, (status, body)
                assert headers["Content-Type"] == "application/sdp"
                assert headers["Access-Control-Allow-Origin"] == "*"
                assert v.location.startswith("/whep/council/") and len(v.location) == len("/whep/council/") + 32
                assert "a=sendonly" in body and "a=ice-lite" in body
                # alice speaks: her camera and her voice
                await v.wait(lambda: v.sizes.get((320, 240), 0) >= 15 and v.audio >= 25, 20, "alice's video and audio")
                assert (192, 144) not in v.sizes, v.sizes
                viewers, packets = metrics(server)
                assert viewers == 1 and packets > 0, (viewers, packets)
                # bob takes over
                a.tone.amplitude, b.tone.amplitude = SILENT, LOUD
                await v.wait(lambda: v.sizes.get((192, 144), 0) >= 15, 20, "bob's video after the speaker change")
                audio_before = v.audio
                await v.wait(lambda: v.audio >= audio_before + 25, 10, "bob's audio")
                # participants do not see the viewer
                assert not a.find_event("participant_joined", lambda d: d.get("name") not in ("alice", "bob"))
                status, _, _ = await ahttp("DELETE", server.base + v.location)
                assert status == 200
                assert metrics(server)[0] == 0
                status, _, _ = await ahttp("DELETE", server.base + v.location)
                assert status == 404
            finally:
                await v.close()

    run(main(), 90)


def test_refusals(start_server, tmp_path):
    server = start_server(args=secret_args(tmp_path))

    async def main():
        async with clients(server, "alice") as (a,):
            await a.start("council")
            sdp = (await Viewer(server, "council").offer()).encode()
            url = f"{server.base}/whep/council"
            good = {"Content-Type": "application/sdp", "Authorization": f"Bearer {token('council')}"}

            async def post(headers, body=sdp, path=url):
                return (await ahttp("POST", path, body, headers))[:2]

            # a meeting that is not streamed admits no viewer (a host has to start streaming)
            assert (await post(good))[0] == 403
            await a.request("streaming_start", {})

            status, headers = await post({"Content-Type": "application/sdp"})
            assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer"), status
            for bad in (token("council", secret=b"x" * 40), token("other"), token("council", use="whip"),
                        token("council", ttl=-5), "not-a-token"):
                status, _ = await post({**good, "Authorization": f"Bearer {bad}"})
                assert status == 401, (bad, status)
            status, _ = await post({**good, "Content-Type": "text/plain"})
            assert status == 415
            status, _ = await post(good, body=b"v=0\r\n" + b"a=x\r\n" * 14000)
            assert status == 413
            status, _ = await post(good, body=b"v=0\r\nthis is no offer\r\n")
            assert status == 400
            status, _ = await post({**good, "Authorization": f"Bearer {token('nobody-here')}"},
                                   path=f"{server.base}/whep/nobody-here")
            assert status == 404
            status, _, _ = await ahttp("PATCH", url + "/" + "0" * 32, b"a=candidate", {"Content-Type": "application/trickle-ice-sdpfrag"})
            assert status == 405
            status, headers, _ = await ahttp("OPTIONS", url, None, {"Origin": "https://www.example-town.de",
                                                                   "Access-Control-Request-Method": "POST"})
            assert status == 204 and headers["Access-Control-Allow-Origin"] == "*"
            assert "POST" in headers["Access-Control-Allow-Methods"]
            # the offers' rate: 40 at once, then 20 a second
            statuses = [(await post({"Content-Type": "application/sdp"}))[0] for _ in range(60)]
            assert 429 in statuses and statuses.count(401) >= 30, statuses
            assert a.closed is None

    run(main(), 60)


def test_viewer_budget_and_meeting_end(start_server, tmp_path):
    server = start_server(args=secret_args(tmp_path) + ["--max-viewers", "1"])

    async def main():
        async with clients(server, "alice") as (a,):
            await a.start("council")
            await a.request("streaming_start", {})
            await a.wait_for(lambda: a.pub_connected_at, 10, "alice publishing")
            v1, v2 = Viewer(server, "council"), Viewer(server, "council")
            try:
                assert (await v1.start(token("council")))[0] == 201
                status, headers, _ = await v2.start(token("council"))
                assert status == 503 and headers["Retry-After"], status
                await v1.wait(lambda: sum(v1.sizes.values()) >= 5, 20, "video")
                await a.close()   # the last participant leaves: the stream ends
                deadline = time.monotonic() + 10
                while metrics(server)[0] != 0:
                    assert time.monotonic() < deadline, "the viewer outlived its meeting"
                    await asyncio.sleep(0.2)
                status, _, _ = await ahttp("DELETE", server.base + v1.location)
                assert status == 404
            finally:
                await v1.close()
                await v2.close()

    run(main(), 60)
