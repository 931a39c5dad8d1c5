"""HLS livestream of a meeting (issue 11): two aiortc participants with known colours and tones —
Anna (red camera, 440 Hz) and Bernd (blue camera, 660 Hz). A host starts streaming; plenum feeds the
programme (the speaker's camera and voice) to one ffmpeg per room that writes HLS (H.264 + AAC, 2 s
segments) under --live-dir, served at /hls/<room>/index.m3u8. Checked: the playlist within 10 s,
segments that ffprobe decodes, the speaker change, headers, the names refused, the folder gone and
404 after streaming_stop; a killed encoder is reported (encoder_failed) and the meeting (and its recording) goes on.
Composed like the recording: with Clara's green screen shared, the screen fills the left and the speaker's
camera is beside it (320x240 at x=960); two voices at once are both in the mix; a screen share that ends and
voices that go quiet do not stall the stream, which then shows the speaker large again."""
import asyncio
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request

import numpy
import pytest

from helpers import run
from plenum_client import http_get, parse_metrics
from test_recording import BLUE, FFPROBE, GREEN, RED, Participant, SolidTrack, VoiceTrack, close, probe, stop_all

pytestmark = pytest.mark.skipif(not FFPROBE, reason="needs Debian's ffmpeg")
ROOM = "ratssitzung"


def fetch(url):
    """(status, headers, body bytes); never raises on HTTP error statuses."""
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def hls_metrics(server):
    status, text = http_get(server.base + "/metrics")
    assert status == 200
    m = parse_metrics(text)
    return {k[0]: v for k, v in m.items() if k[0].startswith("plenum_hls_")}


async def meeting(server):
    anna = Participant(server.ws_url, "Anna", voice=VoiceTrack(440), camera=SolidTrack((0, 0, 255)))
    bernd = Participant(server.ws_url, "Bernd", voice=VoiceTrack(660), camera=SolidTrack((255, 0, 0)))
    for p in (anna, bernd):
        await p.start(ROOM)
    await anna.wait_for(lambda: anna.video_frames.get(bernd.participant_id, 0) > 3, 30, "Bernd's video")
    await bernd.wait_for(lambda: bernd.video_frames.get(anna.participant_id, 0) > 3, 30, "Anna's video")
    return anna, bernd


async def segments(server, count, timeout, after=None):
    """The playlist once it names `count` segments (newer than `after`, if given): (text, names)."""
    deadline = time.monotonic() + timeout
    url = f"{server.base}/hls/{ROOM}/index.m3u8"
    while True:
        status, headers, body = await asyncio.to_thread(fetch, url)
        names = re.findall(r"^(seg-\d+\.ts)$", body.decode(errors="replace"), re.M) if status == 200 else []
        fresh = [n for n in names if after is None or n > after]
        if len(fresh) >= count:
            return body.decode(), headers, fresh
        assert time.monotonic() < deadline, f"no {count} segments in {timeout} s: {status} {body[:300]!r}"
        await asyncio.sleep(0.3)


def save(server, name, tmp_path):
    status, headers, body = fetch(f"{server.base}/hls/{ROOM}/{name}")
    assert status == 200, (name, status)
    assert headers["Content-Type"] == "video/mp2t"
    assert "max-age=3600" in headers["Cache-Control"]
    assert headers["Access-Control-Allow-Origin"] == "*"
    path = tmp_path / name
    path.write_bytes(body)
    return str(path)


def pixel(path, x=640, y=360):
    """The RGB colour of one pixel of the segment's last decoded frame."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-vf", f"crop=8:8:{x - 4}:{y - 4},scale=1:1",
                          "-update", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-y", "/dev/stdout"],
                         capture_output=True).stdout
    assert len(raw) >= 3, f"no frame in {path}"
    return tuple(raw[-3:])


def tones(path, freqs):
    """Of each frequency: how far its level in the segment's audio stands above the spectrum's median (dB)."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-vn", "-ac", "1", "-ar", "48000", "-f", "s16le", "-"],
                         capture_output=True).stdout
    pcm = numpy.frombuffer(raw, numpy.int16).astype(numpy.float64)
    assert len(pcm) > 24000, f"no audio in {path}"
    spec = numpy.abs(numpy.fft.rfft(pcm))
    hz = numpy.fft.rfftfreq(len(pcm), 1 / 48000)
    floor = numpy.median(spec[(hz > 100) & (hz < 4000)]) + 1e-9
    return {f: 20 * numpy.log10(spec[(hz > f - 5) & (hz < f + 5)].max() / floor) for f in freqs}


def encoder_pid(server, live_dir):
    """The server's child process that writes into live_dir (prlimit → nice → ffmpeg is one pid)."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().split(b"\0")
        except OSError:
            continue
        if ppid == server.proc.pid and any(live_dir.encode() in a for a in cmd):
            return int(pid)
    return None


def streamed(start_server, tmp_path):
    """A server with a live folder, and a folder for the segments a test saves: (live, server, out)."""
    live = tmp_path / "live"
    server = start_server(["--live-dir", str(live)])
    out = tmp_path / "out"
    out.mkdir()
    return live, server, out


def test_hls_stream_follows_the_speaker(start_server, tmp_path):
    live, server, out = streamed(start_server, tmp_path)

    async def go():
        anna, bernd = await meeting(server)
        try:
            # nothing is served before streaming is on, and only the encoder's own names
            assert (await asyncio.to_thread(fetch, f"{server.base}/hls/{ROOM}/index.m3u8"))[0] == 404
            anna.voice.speaking = True
            await asyncio.sleep(2)
            t0 = time.monotonic()
            await anna.request("streaming_start")
            text, headers, names = await segments(server, 1, 10)
            assert time.monotonic() - t0 < 10.5
            assert headers["Content-Type"] == "application/vnd.apple.mpegurl"
            assert headers["Cache-Control"] == "max-age=1"
            assert headers["Access-Control-Allow-Origin"] == "*"
            assert "#EXT-X-INDEPENDENT-SEGMENTS" in text and "#EXT-X-TARGETDURATION:2" in text
            assert hls_metrics(server)["plenum_hls_streams"] == 1
            text, _, names = await segments(server, 2, 15)
            files = [save(server, n, out) for n in names[-2:]]
            for f in files:
                kinds = {s["codec_type"]: s["codec_name"] for s in probe(f)["streams"]}
                assert kinds == {"video": "h264", "audio": "aac"}, (f, kinds)
            first = pixel(files[-1])
            assert close(first, RED), f"Anna (red) speaks: {first}"
            for bad in ("index.m3u8.tmp", "..%2f..%2fetc%2fpasswd", "seg-1.mp4", ".index.m3u8", "seg-.ts",
                        "%2e%2e%2f%2e%2e%2findex.m3u8"):
                status, _, body = await asyncio.to_thread(fetch, f"{server.base}/hls/{ROOM}/{bad}")
                assert status == 404 or not body.startswith(b"#EXTM3U"), (bad, status)   # lws may resolve ../
            assert (await asyncio.to_thread(fetch, f"{server.base}/hls/other/index.m3u8"))[0] == 404
            # the speaker changes: a later segment shows Bernd (blue)
            last = names[-1]
            anna.voice.speaking, bernd.voice.speaking = False, True
            await asyncio.sleep(3)
            _, _, names = await segments(server, 2, 15, after=last)
            later = save(server, names[-1], out)
            second = pixel(later)
            assert close(second, BLUE), f"Bernd (blue) speaks: {second}"
            await anna.request("streaming_stop")
            assert (await asyncio.to_thread(fetch, f"{server.base}/hls/{ROOM}/index.m3u8"))[0] == 404
            room_dir = live / "default" / ROOM
            deadline = time.monotonic() + 5
            while room_dir.exists():
                assert time.monotonic() < deadline, f"{room_dir} still there: {os.listdir(room_dir)}"
                await asyncio.sleep(0.2)
            m = hls_metrics(server)
            assert m["plenum_hls_streams"] == 0 and m["plenum_hls_encoder_failures_total"] == 0, m
        finally:
            await stop_all(anna, bernd)

    run(go(), 120)


def test_hls_encoder_killed(start_server, tmp_path):
    live = tmp_path / "live"
    server = start_server(["--live-dir", str(live), "--recording-dir", str(tmp_path / "rec")])

    async def go():
        anna, bernd = await meeting(server)
        try:
            anna.voice.speaking = True
            await anna.request("recording_start")   # a recording and the stream tap the room together
            await anna.request("streaming_start")
            await segments(server, 1, 10)
            pid = encoder_pid(server, str(live))
            assert pid, "the encoder runs as the server's child"
            os.kill(pid, signal.SIGKILL)
            ev = await anna.wait_for(lambda: anna.find_event("out_report", lambda d: d.get("what") == "streaming"),
                                     10, "the encoder's failure")
            assert ev[1]["status"] == "failed" and ev[1]["reason"] == "encoder_failed", ev[1]
            assert (await asyncio.to_thread(fetch, f"{server.base}/hls/{ROOM}/index.m3u8"))[0] == 404
            # the meeting goes on: media still flows between the two
            before = bernd.video_frames.get(anna.participant_id, 0)
            await bernd.wait_for(lambda: bernd.video_frames.get(anna.participant_id, 0) > before + 15, 10,
                                 "Anna's video after the encoder died")
            m = hls_metrics(server)
            assert m["plenum_hls_encoder_failures_total"] == 1 and m["plenum_hls_streams"] == 0, m
            assert not (live / "default" / ROOM).exists()
            # streaming can start again; the recording ran on all along
            await anna.request("streaming_start")
            await segments(server, 1, 10)
            await anna.request("streaming_stop")
            webm = [f for _, _, fs in os.walk(tmp_path / "rec") for f in fs if f.endswith(".webm")]
            assert len(webm) == 4, webm
        finally:
            await stop_all(anna, bernd)

    run(go(), 120)


def test_hls_composed_screen_speaker_and_mix(start_server, tmp_path):
    live, server, out = streamed(start_server, tmp_path)

    async def go():
        anna, bernd = await meeting(server)
        clara = Participant(server.ws_url, "Clara", voice=VoiceTrack(880), screen=SolidTrack((0, 255, 0), 640, 360, 5))
        await clara.start(ROOM)
        try:
            await anna.wait_for(lambda: anna.video_frames.get(clara.participant_id, 0) > 3, 30, "Clara's screen")
            anna.voice.speaking = True
            await asyncio.sleep(2)
            await anna.request("streaming_start")
            _, _, names = await segments(server, 2, 20)
            seg = save(server, names[-1], out)
            assert close(pixel(seg, 100, 360), GREEN), f"the screen fills the left: {pixel(seg, 100, 360)}"
            assert close(pixel(seg, 480, 360), GREEN), f"the screen fills the left: {pixel(seg, 480, 360)}"
            beside = pixel(seg, 1120, 360)
            assert close(beside, RED), f"Anna (red) beside the screen: {beside}"
            assert close(pixel(seg, 1120, 100), (0, 0, 0)), "black above the speaker's box"
            # two voices at once: both tones are in the mix, Clara's (silent) is not
            bernd.voice.speaking = True
            await asyncio.sleep(3)
            _, _, names = await segments(server, 1, 15, after=names[-1])
            seg = save(server, names[-1], out)
            level = tones(seg, (440, 660, 880))
            assert level[440] > 20 and level[660] > 20, f"both voices in the mix: {level}"
            assert level[880] < min(level[440], level[660]) - 40, f"a silent voice adds no tone: {level}"
            # the screen share ends (a host ends it, its frames stop) and everyone goes quiet: segments
            # keep coming, the speaker large again
            await anna.request("mute", {"id": clara.participant_id, "source": "screen"})
            clara.screen.stop()
            anna.voice.speaking = bernd.voice.speaking = False
            last = names[-1]
            t0 = time.monotonic()
            await asyncio.sleep(10)
            _, _, names = await segments(server, 4, 5, after=last)
            assert time.monotonic() - t0 < 16
            seg = save(server, names[-1], out)
            kinds = {s["codec_type"]: s["codec_name"] for s in probe(seg)["streams"]}
            assert kinds == {"video": "h264", "audio": "aac"}, kinds
            big = pixel(seg, 640, 360)
            assert close(big, RED) or close(big, BLUE), f"the speaker large, no screen: {big}"
            # Anna's 4:3 camera fills x 160..1120: where the box would be (x 960..1280), the speaker is
            assert close(pixel(seg, 1000, 360), big) and close(pixel(seg, 400, 360), big), "no box beside"
            m = hls_metrics(server)
            assert m["plenum_hls_encoder_failures_total"] == 0 and m["plenum_hls_streams"] == 1, m
            await anna.request("streaming_stop")
        finally:
            await stop_all(anna, bernd, clara)

    run(go(), 150)
