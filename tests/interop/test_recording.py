"""Recording a meeting (issue 11): three aiortc participants with known synthetic sources — Anna
(red camera, a 440 Hz voice), Bernd (blue camera, 660 Hz) and Clara (a green shared screen) — a
host records 20 s in which the speaker changes from Anna to Bernd; plenum writes one WebM per track
without transcoding and, when the recording stops, renders one MP4 (H.264 + AAC) in ffmpeg. The
file is checked with ffprobe and ffmpeg: duration, the speaker beside the screen at two moments,
audio that is not silent. Faults: a full disk (a small tmpfs), ffmpeg killed mid-render."""
import asyncio
import fractions
import html
import json
import re
import urllib.error
import urllib.request
import math
import os
import shutil
import signal
import subprocess
import tempfile
import time

import av
import numpy
import pytest
from aiortc import RTCSessionDescription

from helpers import run
from plenum_client import PacedTrack, PlenumClient, _prefer, new_pc

FFPROBE = shutil.which("ffprobe")
pytestmark = pytest.mark.skipif(not FFPROBE or not shutil.which("ffmpeg"), reason="needs Debian's ffmpeg")


class SolidTrack(PacedTrack):
    """A camera (or screen) of one colour, 320x240 at 15 fps."""
    kind = "video"

    def __init__(self, bgr, width=320, height=240, fps=15):
        super().__init__()
        self.fps = fps
        self.img = numpy.zeros((height, width, 3), numpy.uint8)
        self.img[:, :] = bgr

    async def recv(self):
        await self._wait_for(self._n / self.fps)
        frame = av.VideoFrame.from_ndarray(self.img, format="bgr24")
        frame.pts = int(self._n * 90000 / self.fps)
        frame.time_base = fractions.Fraction(1, 90000)
        self._n += 1
        return frame


class VoiceTrack(PacedTrack):
    """A tone while `speaking`, near-silence otherwise (the audio level follows: aiortc computes it)."""
    kind = "audio"
    RATE, SAMPLES = 48000, 960

    def __init__(self, freq):
        super().__init__()
        self.freq = freq
        self.speaking = False

    async def recv(self):
        ts = self._n * self.SAMPLES
        await self._wait_for(ts / self.RATE)
        t = (numpy.arange(self.SAMPLES) + ts) / self.RATE
        amp = 9000 if self.speaking else 3
        data = (numpy.sin(2 * math.pi * self.freq * t) * amp).astype(numpy.int16)
        frame = av.AudioFrame.from_ndarray(data.reshape(1, -1), format="s16", layout="mono")
        frame.pts = ts
        frame.sample_rate = self.RATE
        frame.time_base = fractions.Fraction(1, self.RATE)
        self._n += 1
        return frame


class Participant(PlenumClient):
    """A PlenumClient publishing the given tracks; `screen` is labelled as a shared screen."""

    def __init__(self, ws_url, name, *, voice=None, camera=None, screen=None):
        super().__init__(ws_url, name)
        self.voice, self.camera, self.screen = voice, camera, screen

    async def publish(self):
        pc = self.pub_pc = new_pc()
        labels = []
        for track, kind, source in ((self.voice, "audio", "microphone"), (self.camera, "video", "camera"),
                                    (self.screen, "video", "screen")):
            if track is None:
                continue
            t = pc.addTransceiver(track, direction="sendonly")
            _prefer(t, kind, {"audio/opus"} if kind == "audio" else {"video/vp8", "video/rtx"})
            labels.append((t, source))
        await pc.setLocalDescription(await pc.createOffer())
        tracks = [{"mid": t.mid, "source": source} for t, source in labels]
        res = await self.request("publish", {"sdp": pc.localDescription.sdp, "tracks": tracks})
        await pc.setRemoteDescription(RTCSessionDescription(sdp=res["sdp"], type="answer"))
        return res


def http(url, raw=False, headers=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
            body = r.read()
            return r.status, body if raw else body.decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read() if raw else e.read().decode(errors="replace")


def probe(path):
    out = subprocess.run([FFPROBE, "-v", "error", "-show_entries", "format=duration:stream=codec_type,codec_name",
                          "-of", "json", path], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def pixel(path, at_s, x, y):
    """The RGB colour of one pixel of the frame at at_s seconds."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", str(at_s), "-i", path, "-frames:v", "1",
                          "-vf", f"crop=8:8:{x - 4}:{y - 4},scale=1:1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    assert len(raw) == 3, f"no frame at {at_s} s"
    return tuple(raw)


def loudness(path, start_s, dur_s):
    """Mean volume (dB) of the audio between start_s and start_s + dur_s."""
    err = subprocess.run(["ffmpeg", "-v", "info", "-ss", str(start_s), "-t", str(dur_s), "-i", path, "-vn",
                          "-af", "volumedetect", "-f", "null", "-"], capture_output=True, text=True).stderr
    for line in err.splitlines():
        if "mean_volume:" in line:
            return float(line.split("mean_volume:")[1].split()[0])
    raise AssertionError(f"no volume measured: {err[-400:]}")


def close(c, colour, tol=60):
    return all(abs(a - b) <= tol for a, b in zip(c, colour))


RED, BLUE, GREEN = (255, 0, 0), (0, 0, 255), (0, 255, 0)


async def meeting(server, room):
    anna = Participant(server.ws_url, "Anna", voice=VoiceTrack(440), camera=SolidTrack((0, 0, 255)))
    bernd = Participant(server.ws_url, "Bernd", voice=VoiceTrack(660), camera=SolidTrack((255, 0, 0)))
    clara = Participant(server.ws_url, "Clara", voice=VoiceTrack(880), screen=SolidTrack((0, 255, 0), 640, 360, 5))
    for p in (anna, bernd, clara):
        await p.start(room)
    for p in (anna, bernd, clara):
        others = [q.participant_id for q in (anna, bernd, clara) if q is not p]
        await p.wait_for(lambda p=p, o=others: all(p.video_frames.get(i, 0) > 3 for i in o), 30, "video of the others")
    return anna, bernd, clara


async def stop_all(*ps):
    await asyncio.gather(*(p.close() for p in ps), return_exceptions=True)


def recordings(root):
    found = []
    for dirpath, _, files in os.walk(root):
        found += [os.path.join(dirpath, f) for f in files]
    return sorted(found)


def test_recording_speaker_change_screen_and_audio(start_server):
    rec_dir = tempfile.mkdtemp(prefix="plenum-rec-")
    server = start_server(["--recording-dir", rec_dir])

    async def go():
        anna, bernd, clara = await meeting(server, "ratssitzung")
        try:
            await anna.request("recording_start")
            anna.voice.speaking = True
            await asyncio.sleep(10)
            anna.voice.speaking, bernd.voice.speaking = False, True
            await asyncio.sleep(10)
            await anna.request("recording_stop")
            ev = await anna.wait_for(lambda: anna.find_event("out_report"), 120, "the composed file")
            link = await anna.request("recordings_link")
            refused = (await bernd.call("recordings_link")).get("error", {}).get("code")
            return ev[1], link, refused
        finally:
            await stop_all(anna, bernd, clara)

    ready, link, refused = run(go(), 200)
    assert refused == "forbidden", "only hosts get the recordings link"
    assert ready["status"] == "ready", ready
    files = recordings(rec_dir)
    mp4 = [f for f in files if f.endswith(".mp4")]
    assert len(mp4) == 1 and os.path.basename(mp4[0]) == ready["file"], files
    assert os.path.dirname(mp4[0]) == os.path.join(rec_dir, "default"), "files are kept per tenant"
    webm = [f for f in files if f.endswith(".webm")]
    assert len(webm) == 6, f"one file per track (3 voices, 2 cameras, 1 screen): {files}"
    # the tracks are what was received, not transcoded
    for f in webm:
        codecs = {s["codec_name"] for s in probe(f)["streams"]}
        assert codecs <= {"vp8", "opus"} and codecs, (f, codecs)
    timeline = json.load(open(os.path.join(mp4[0][:-4], "timeline.json")))
    assert len(timeline["speakers"]) >= 2, timeline["speakers"]

    info = probe(mp4[0])
    kinds = {s["codec_type"]: s["codec_name"] for s in info["streams"]}
    assert kinds == {"video": "h264", "audio": "aac"}, kinds
    duration = float(info["format"]["duration"])
    assert abs(duration - 20) <= 2, f"duration {duration} s"
    # the shared screen fills the left, the speaker is beside it: Anna (red) first, then Bernd (blue)
    assert close(pixel(mp4[0], 4, 480, 360), GREEN), "the screen is large"
    first, second = pixel(mp4[0], 6, 1120, 360), pixel(mp4[0], 17, 1120, 360)
    assert close(first, RED), f"Anna beside the screen at 6 s: {first}"
    assert close(second, BLUE), f"Bernd beside the screen at 17 s: {second}"
    # someone spoke all along: not silent
    assert loudness(mp4[0], 2, 6) > -45 and loudness(mp4[0], 12, 6) > -45

    # the host's page of recordings: signed, expiring, this room only
    assert link["expires"] - time.time() > 3600
    status, page = http(link["url"])
    assert status == 200 and ready["file"] in page, page[:400]
    status, page_de = http(link["url"], headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert status == 200 and "Aufnahmen der Sitzung" in page_de and 'lang="de"' in page_de, page_de[:400]
    href = re.search(r'href="([^"]+\.mp4\?t=[^"]+)"', page).group(1)
    status, body = http(server.base + html.unescape(href), raw=True)
    assert status == 200 and len(body) == os.path.getsize(mp4[0]), (status, len(body))
    base, token = link["url"].split("?t=")
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for url in (base, f"{base}?t={tampered}", f"{base}?t=x.y.z", link["url"].replace("/ratssitzung?", "/andere?"),
                f"{base}/..%2F..%2Fetc%2Fpasswd?t={token}", f"{base}/ratssitzung-1.webm?t={token}"):
        status, _ = http(url)
        assert status in (403, 404), (url, status)
    shutil.rmtree(rec_dir, ignore_errors=True)


def wait_metric(server, name, labels, want, timeout=10):
    from plenum_client import metrics_text, parse_metrics
    deadline = time.monotonic() + timeout
    while True:
        got = parse_metrics(metrics_text(server)).get((name, labels))
        if got == want or time.monotonic() > deadline:
            return got
        time.sleep(0.2)


async def frames_keep_coming(p, pid, seconds=3):
    """The meeting goes on: p keeps decoding pid's video."""
    before = p.video_frames.get(pid, 0)
    await asyncio.sleep(seconds)
    return p.video_frames.get(pid, 0) - before


@pytest.mark.skipif(os.geteuid() != 0, reason="mounts a small tmpfs (root)")
def test_recording_disk_full_stops_it_and_the_meeting_goes_on(start_server):
    rec_dir = tempfile.mkdtemp(prefix="plenum-full-")
    # 1 MiB kept free by the server, 400 kB to write into: full after a few seconds of three voices
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1400k", "tmpfs", rec_dir], check=True)
    try:
        server = start_server(["--recording-dir", rec_dir, "--recording-min-free-mb", "1"])

        async def go():
            anna, bernd, clara = await meeting(server, "vollesplatte")
            try:
                anna.voice.speaking = True
                await anna.request("recording_start")
                ev = await anna.wait_for(lambda: anna.find_event("out_report"), 60, "the failure report")
                updated = await bernd.wait_for(
                    lambda: bernd.find_event("out_updated", lambda d: d.get("what") == "recording"
                                             and not d.get("active", True)), 10, "recording off for everyone")
                going_on = await frames_keep_coming(bernd, anna.participant_id)
                again = await anna.call("recording_start")
                return ev[1], updated[1], going_on, again
            finally:
                await stop_all(anna, bernd, clara)

        report, updated, going_on, again = run(go(), 120)
        assert report["status"] == "failed" and report["reason"] == "disk_full", report
        assert going_on > 10, f"the meeting went on: {going_on} frames in 3 s"
        assert again.get("error", {}).get("code") == "disk_full", again
        assert wait_metric(server, "plenum_recording_failures_total", (("reason", "disk_full"),), 1) == 1
        assert wait_metric(server, "plenum_recording_failures_total", (("reason", "disk_full_at_start"),), 1) == 1
    finally:
        subprocess.run(["umount", "-l", rec_dir])
        os.rmdir(rec_dir)


def ffmpeg_of(rec_dir):
    """pids of the render processes working on rec_dir (their command lines name it)."""
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        if cmd and os.path.basename(cmd[0]) == b"ffmpeg" and any(rec_dir.encode() in a for a in cmd):
            pids.append(int(pid))
    return pids


def test_render_killed_is_reported_and_the_meeting_goes_on(start_server):
    rec_dir = tempfile.mkdtemp(prefix="plenum-kill-")
    server = start_server(["--recording-dir", rec_dir])

    async def go():
        anna, bernd, clara = await meeting(server, "abbruch")
        try:
            anna.voice.speaking = True
            await anna.request("recording_start")
            await asyncio.sleep(8)
            await anna.request("recording_stop")
            pids = await anna.wait_for(lambda: ffmpeg_of(rec_dir), 20, "the render's ffmpeg")
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
            ev = await anna.wait_for(lambda: anna.find_event("out_report"), 30, "the render's report")
            going_on = await frames_keep_coming(bernd, anna.participant_id)
            return ev[1], going_on
        finally:
            await stop_all(anna, bernd, clara)

    report, going_on = run(go(), 120)
    assert report["status"] == "render_failed", report
    assert going_on > 10, f"the meeting went on: {going_on} frames in 3 s"
    files = recordings(rec_dir)
    assert not [f for f in files if f.endswith(".mp4")], f"no half-made file is left: {files}"
    assert len([f for f in files if f.endswith(".webm")]) == 6, "the tracks are kept for another try"
    assert wait_metric(server, "plenum_renders_total", (("result", "failed"),), 1) == 1
    shutil.rmtree(rec_dir, ignore_errors=True)
