"""A plenum protocol v1 client for the interop tests: WebSocket signaling plus aiortc publish and
subscribe PeerConnections (synthetic VP8 colour bars and an Opus sine tone), counting what it decodes."""
import asyncio
import fractions
import itertools
import json
import math
import time
import urllib.request

import aioice.ice

# aioice drops loopback addresses; the tests run in a namespace where 127.0.0.1 is all there is.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]

import aiortc.codecs  # noqa: E402
from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters  # noqa: E402

# aiortc 1.4 gives ssrc-audio-level (audio) and abs-send-time (video) the same extmap id 2 inside one
# BUNDLE group (RFC 8843 forbids that) and then misparses its own packets; give audio level id 3.
aiortc.codecs.HEADER_EXTENSIONS["audio"][1] = RTCRtpHeaderExtensionParameters(
    id=3, uri="urn:ietf:params:rtp-hdrext:ssrc-audio-level")

import av  # noqa: E402
import numpy  # noqa: E402
import websockets  # noqa: E402
from aiortc import (RTCConfiguration, RTCPeerConnection,  # noqa: E402
                    RTCSessionDescription)
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack  # noqa: E402
from aiortc.rtcrtpsender import RTCRtpSender  # noqa: E402

SUBPROTOCOL = "plenum.v1"


class ProtocolError(Exception):
    """An error response: code and message as the server sent them."""

    def __init__(self, code, message, reply=None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.reply = reply


class PacedTrack(MediaStreamTrack):
    """A synthetic track whose frames leave in real time: frame n waits until its offset from the first."""

    def __init__(self):
        super().__init__()
        self._start = None
        self._n = 0

    async def _wait_for(self, offset_s):
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        delay = self._start + offset_s - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


class ColourBarsTrack(PacedTrack):
    """Moving colour bars with a frame counter stripe, at `fps` frames per second."""
    kind = "video"

    def __init__(self, width=320, height=240, fps=15):
        super().__init__()
        self.width, self.height, self.fps = width, height, fps
        bars = numpy.array([[255, 255, 255], [0, 255, 255], [255, 255, 0], [0, 255, 0],
                            [255, 0, 255], [0, 0, 255], [255, 0, 0], [0, 0, 0]], numpy.uint8)
        self._row = bars[numpy.arange(width) * len(bars) // width]

    async def recv(self):
        await self._wait_for(self._n / self.fps)
        row = numpy.roll(self._row, (self._n * 4) % self.width, axis=0)
        img = numpy.broadcast_to(row, (self.height, self.width, 3)).copy()
        img[: self.height // 8, : (self._n % self.width)] = 128
        frame = av.VideoFrame.from_ndarray(img, format="bgr24")
        frame.pts = int(self._n * 90000 / self.fps)
        frame.time_base = fractions.Fraction(1, 90000)
        self._n += 1
        return frame


class SineTrack(PacedTrack):
    """A 48 kHz mono sine tone in 20 ms frames."""
    kind = "audio"
    RATE = 48000
    SAMPLES = 960

    def __init__(self, freq=440.0, amplitude=8000):
        super().__init__()
        self.freq = freq
        self.amplitude = amplitude   # 0: silence (RFC 6464 level 127); may change while it plays

    async def recv(self):
        ts = self._n * self.SAMPLES
        await self._wait_for(ts / self.RATE)
        t = (numpy.arange(self.SAMPLES) + ts) / self.RATE
        data = (numpy.sin(2 * math.pi * self.freq * t) * self.amplitude).astype(numpy.int16)
        frame = av.AudioFrame.from_ndarray(data.reshape(1, -1), format="s16", layout="mono")
        frame.pts = ts
        frame.sample_rate = self.RATE
        frame.time_base = fractions.Fraction(1, self.RATE)
        self._n += 1
        return frame


def _prefer(transceiver, kind, mimes):
    codecs = [c for c in RTCRtpSender.getCapabilities(kind).codecs if c.mimeType.lower() in mimes]
    transceiver.setCodecPreferences(codecs)


def new_pc():
    # Without iceServers aiortc falls back to a public STUN server.
    return RTCPeerConnection(RTCConfiguration(iceServers=[]))


class PlenumClient:
    """One participant. `events` holds every pushed event as (monotonic time, name, data)."""

    def __init__(self, ws_url, name="peer", *, audio=True, video=True, fps=15, log=None, connect_host=None,
                 size=(320, 240), amplitude=8000):
        self.ws_url = ws_url
        self.connect_host = connect_host   # the address to reach when the URL names a host by its name
        self.name = name
        self.want_audio, self.want_video, self.fps = audio, video, fps
        self.size, self.amplitude = size, amplitude
        self.tone = None           # the SineTrack it publishes
        self.log = log or (lambda *a: None)
        self.ws = None
        self._ids = itertools.count(1)
        self._pending = {}
        self.events = []
        self.orphans = []          # replies with id null (or an id we never sent)
        self.errors = []           # exceptions from background tasks
        self.closed = None         # set when the socket closes: (code, reason)
        self.participant_id = None
        self.room = None
        self.pub_pc = None
        self.sub_pc = None
        self.sub_versions = []     # subscribe_offer versions answered
        self.mids = {}             # mid -> (participant_id, kind) from the latest subscribe_offer
        self.video_frames = {}     # participant_id -> decoded video frames
        self.audio_frames = {}     # participant_id -> decoded audio frames
        self.first_video = {}      # participant_id -> monotonic time of the first decoded frame
        self.video_size = {}       # participant_id -> (width, height) of the last frame
        self.pub_connected_at = None
        self.sub_connected_at = None
        self._tasks = []
        self._sub_queue = asyncio.Queue()

    # --- signaling ---------------------------------------------------------------------------
    async def connect(self):
        extra = {"host": self.connect_host} if self.connect_host else {}
        self.ws = await websockets.connect(self.ws_url, subprotocols=[SUBPROTOCOL],
                                           max_size=4 << 20, ping_interval=None, **extra)
        assert self.ws.subprotocol == SUBPROTOCOL, f"subprotocol {self.ws.subprotocol!r}"
        self._tasks.append(asyncio.create_task(self._read_loop()))
        self._tasks.append(asyncio.create_task(self._subscribe_loop()))
        return self

    async def _read_loop(self):
        try:
            async for text in self.ws:
                msg = json.loads(text)
                self.log(f"{self.name} <- {text[:300]}")
                if "event" in msg:
                    self.events.append((time.monotonic(), msg["event"], msg.get("data")))
                    if msg["event"] == "subscribe_offer":
                        self._sub_queue.put_nowait(msg["data"])
                    continue
                fut = self._pending.pop(msg.get("id"), None)
                if fut is not None and not fut.done():
                    fut.set_result(msg)
                else:
                    self.orphans.append(msg)
        except websockets.ConnectionClosed as e:
            pass
        finally:
            self.closed = (self.ws.close_code, self.ws.close_reason)
            for fut in self._pending.values():
                if not fut.done():
                    fut.set_exception(ConnectionError("websocket closed"))

    async def send_raw(self, text):
        self.log(f"{self.name} -> {text[:300]}")
        await self.ws.send(text)

    async def call(self, method, params=None, timeout=10.0):
        """Sends a request; returns the whole reply (result or error)."""
        rid = next(self._ids)
        fut = asyncio.get_running_loop().create_future()
        self._pending[rid] = fut
        msg = {"id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        await self.send_raw(json.dumps(msg))
        reply = await asyncio.wait_for(fut, timeout)
        assert reply.get("id") == rid
        assert ("result" in reply) != ("error" in reply), f"reply has not exactly one of result/error: {reply}"
        return reply

    async def request(self, method, params=None, timeout=10.0):
        reply = await self.call(method, params, timeout)
        if "error" in reply:
            err = reply["error"]
            raise ProtocolError(err.get("code"), err.get("message"), reply)
        assert isinstance(reply["result"], dict), reply
        return reply["result"]

    async def hello(self):
        res = await self.request("hello", {"version": 1, "client": "plenum-interop-tests"})
        assert res.get("version") == 1 and res.get("server") == "plenum", res
        return res

    async def join(self, room):
        res = await self.request("join", {"room": room, "name": self.name})
        assert isinstance(res.get("participant_id"), int), res
        self.participant_id = res["participant_id"]
        self.room = res["room"]
        return res

    async def start(self, room):
        """connect, hello, join, publish."""
        if self.ws is None:
            await self.connect()
        await self.hello()
        await self.join(room)
        if self.want_audio or self.want_video:
            await self.publish()
        return self

    async def wait_for(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            if self.errors:
                raise AssertionError(f"{self.name}: background error while waiting for {what}: {self.errors[0]!r}")
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: timed out after {timeout}s waiting for {what}; "
                                     f"{self.summary()}")
            await asyncio.sleep(0.05)

    def find_event(self, name, pred=lambda d: True, since=0.0):
        for t, ev, data in self.events:
            if ev == name and t >= since and pred(data):
                return (t, data)
        return None

    async def wait_event(self, name, pred=lambda d: True, timeout=10.0, since=0.0):
        return await self.wait_for(lambda: self.find_event(name, pred, since), timeout, f"event {name}")

    # --- media -------------------------------------------------------------------------------
    async def publish(self):
        pc = self.pub_pc = new_pc()
        pc.on("connectionstatechange", lambda: self._pub_state(pc))
        if self.want_audio:
            self.tone = SineTrack(amplitude=self.amplitude)
            t = pc.addTransceiver(self.tone, direction="sendonly")
            _prefer(t, "audio", {"audio/opus"})
        if self.want_video:
            t = pc.addTransceiver(ColourBarsTrack(*self.size, fps=self.fps), direction="sendonly")
            _prefer(t, "video", {"video/vp8", "video/rtx"})
        await pc.setLocalDescription(await pc.createOffer())  # aiortc: gathering completes here
        res = await self.request("publish", {"sdp": pc.localDescription.sdp})
        assert isinstance(res.get("sdp"), str), res
        await pc.setRemoteDescription(RTCSessionDescription(sdp=res["sdp"], type="answer"))
        return res

    def _pub_state(self, pc):
        self.log(f"{self.name} publish pc {pc.connectionState}")
        if pc.connectionState == "connected" and self.pub_connected_at is None:
            self.pub_connected_at = time.monotonic()

    def _sub_state(self, pc):
        self.log(f"{self.name} subscribe pc {pc.connectionState}")
        if pc.connectionState == "connected" and self.sub_connected_at is None:
            self.sub_connected_at = time.monotonic()

    async def _subscribe_loop(self):
        while True:
            data = await self._sub_queue.get()
            while not self._sub_queue.empty():  # newer offers supersede older ones
                data = self._sub_queue.get_nowait()
            try:
                await self._answer(data)
            except Exception as e:  # noqa: BLE001 - reported through wait_for
                self.log(f"{self.name} subscribe failed: {e!r}")
                self.errors.append(e)

    async def _answer(self, data):
        for tr in data.get("tracks", []):
            self.mids[str(tr["mid"])] = (tr["participant_id"], tr["kind"])
        if self.sub_pc is None:
            pc = self.sub_pc = new_pc()
            pc.on("connectionstatechange", lambda: self._sub_state(pc))
            pc.on("track", lambda track: self._on_track(pc, track))
        pc = self.sub_pc
        await pc.setRemoteDescription(RTCSessionDescription(sdp=data["sdp"], type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        try:
            await self.request("subscribe_answer", {"version": data["version"], "sdp": pc.localDescription.sdp})
            self.sub_versions.append(data["version"])
        except ProtocolError as e:
            if e.code != "stale_answer" or self._sub_queue.empty():
                raise

    def _on_track(self, pc, track):
        mid = next((t.mid for t in pc.getTransceivers() if t.receiver.track is track), None)
        self.log(f"{self.name} remote {track.kind} track on mid {mid}")
        self._tasks.append(asyncio.create_task(self._consume(track, mid)))

    async def _consume(self, track, mid):
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            pid = self.mids.get(str(mid), (None,))[0]
            if track.kind == "video":
                self.video_frames[pid] = self.video_frames.get(pid, 0) + 1
                self.first_video.setdefault(pid, time.monotonic())
                self.video_size[pid] = (frame.width, frame.height)
            else:
                self.audio_frames[pid] = self.audio_frames.get(pid, 0) + 1

    def media_from(self, pid, video=10, audio=10):
        return self.video_frames.get(pid, 0) >= video and self.audio_frames.get(pid, 0) >= audio

    async def wait_media_from(self, pid, video=10, audio=10, timeout=15.0):
        await self.wait_for(lambda: self.media_from(pid, video, audio), timeout,
                            f"{video} video and {audio} audio frames from participant {pid}")

    def summary(self):
        return (f"participant_id={self.participant_id} pub={self.pub_pc and self.pub_pc.connectionState} "
                f"sub={self.sub_pc and self.sub_pc.connectionState} video_frames={self.video_frames} "
                f"audio_frames={self.audio_frames} subscribe_versions={self.sub_versions} "
                f"events={[e[1] for e in self.events]} orphans={self.orphans[:3]}")

    async def close(self):
        for pc in (self.pub_pc, self.sub_pc):
            if pc is not None:
                try:
                    await asyncio.wait_for(pc.close(), 5)
                except Exception:  # noqa: BLE001
                    pass
        if self.ws is not None:
            await self.ws.close()
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def http_get(url, timeout=5.0):
    """(status, body text); never raises on HTTP error statuses. https:// URLs are fetched without
    checking the certificate (the tests' servers use throwaway self-signed ones)."""
    context = None
    if url.startswith("https://"):
        import ssl
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def parse_metrics(text):
    """Prometheus text -> {(name, ((label, value), ...)): float}."""
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        head, _, value = line.rpartition(" ")
        if "{" in head:
            name, _, rest = head.partition("{")
            labels = []
            for part in rest.rstrip("}").split(","):
                if part:
                    k, _, v = part.partition("=")
                    labels.append((k.strip(), v.strip().strip('"')))
            key = (name, tuple(sorted(labels)))
        else:
            key = (head.strip(), ())
        out[key] = float(value)
    return out


def metrics_text(server):
    """The test server's /metrics as text (fetched from loopback, which may read it); a status
    other than 200 fails the test."""
    status, text = http_get(server.base + "/metrics")
    assert status == 200, f"/metrics: {status}"
    return text


def metric_sum(metrics, name):
    return sum(v for (n, _), v in metrics.items() if n == name)
