"""Losing a participant: peers run as separate processes; one is killed (its socket closes: reason
"closed") or frozen (socket open, media stopped: consent expires, reason "timeout"). The others'
meeting keeps running and the server reports the peer gone."""
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from plenum_client import http_get, metric_sum, parse_metrics

HERE = os.path.dirname(os.path.abspath(__file__))


class PeerProcess:
    def __init__(self, server, room, name):
        self.name = name
        self.lines = []
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "peer.py"), "--url", server.ws_url,
                                      "--room", room, "--name", name, "--seconds", "150"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.err = []
        threading.Thread(target=self._read, args=(self.proc.stdout, self.lines, True), daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, self.err, False), daemon=True).start()

    @staticmethod
    def _read(stream, out, is_json):
        for raw in stream:
            try:
                out.append(json.loads(raw) if is_json else raw.decode("utf-8", "replace"))
            except ValueError:
                out.append({"garbage": raw.decode("utf-8", "replace")})

    @property
    def participant_id(self):
        return next((m["ready"] for m in list(self.lines) if "ready" in m), None)

    def stats(self):
        return next((m["stats"] for m in reversed(list(self.lines)) if "stats" in m), {"video": {}, "audio": {}})

    def frames_from(self, pid):
        s = self.stats()
        return s["video"].get(str(pid), 0), s["audio"].get(str(pid), 0)

    def events(self, name):
        return [m["data"] for m in list(self.lines) if m.get("event") == name]

    def describe(self):
        return (f"{self.name}: exit={self.proc.poll()} stats={self.stats()} "
                f"events={[m['event'] for m in self.lines if 'event' in m]} stderr={''.join(self.err)[-1500:]}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def wait_until(pred, timeout, what, peers):
    deadline = time.monotonic() + timeout
    while not pred():
        for p in peers:
            if p.proc.poll() is not None and not getattr(p, "expected_dead", False):
                pytest.fail(f"peer {p.name} exited while waiting for {what}\n{p.describe()}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}\n" + "\n".join(p.describe() for p in peers))
        time.sleep(0.1)


def participants(server):
    status, text = http_get(server.base + "/metrics")
    assert status == 200
    return metric_sum(parse_metrics(text), "plenum_participants")


def meeting_of_three(server, room):
    """Starts the peers one after another, each once the earlier ones see each other (joining all at
    once is test_meeting.py's concern)."""
    peers = []
    for n in ("Alice", "Bob", "Carol"):
        peers.append(PeerProcess(server, room, n))
        wait_until(lambda: peers[-1].participant_id, 20, f"{n} joined", peers)
        for p in peers:
            for q in peers:
                if p is not q:
                    wait_until(lambda: min(p.frames_from(q.participant_id)) >= 10, 30,
                               f"{p.name} receiving {q.name}", peers)
    assert participants(server) == 3
    return peers


def check_survivors(server, peers, victim, reason, limit):
    a, b = [p for p in peers if p is not victim]
    t0 = time.monotonic()
    for p in (a, b):
        wait_until(lambda: any(d.get("id") == victim.participant_id for d in p.events("participant_left")),
                   limit, f"{p.name} told that {victim.name} left", peers)
    took = time.monotonic() - t0
    print(f"{victim.name} reported gone after {took:.1f} s")
    for p in (a, b):
        left = [d for d in p.events("participant_left") if d.get("id") == victim.participant_id]
        assert left[0]["reason"] == reason, f"{p.name} got {left}"
    assert participants(server) == 2
    # the remaining two still see each other's media
    before = (a.frames_from(b.participant_id), b.frames_from(a.participant_id))
    wait_until(lambda: a.frames_from(b.participant_id)[0] >= before[0][0] + 15 and
               b.frames_from(a.participant_id)[0] >= before[1][0] + 15 and
               a.frames_from(b.participant_id)[1] >= before[0][1] + 25 and
               b.frames_from(a.participant_id)[1] >= before[1][1] + 25,
               10, "the remaining two still exchanging media", [a, b])
    assert server.alive()


def test_killed_peer_is_reported_closed_and_meeting_goes_on(server):
    peers = meeting_of_three(server, "loss-kill")
    try:
        carol = peers[2]
        carol.proc.send_signal(signal.SIGKILL)
        carol.expected_dead = True
        carol.proc.wait()
        check_survivors(server, peers, carol, "closed", 30)
    finally:
        for p in peers:
            p.stop()


def test_frozen_peer_times_out_and_meeting_goes_on(server):
    """SIGSTOP keeps the TCP connection open but stops all media: only consent expiry can end it."""
    peers = meeting_of_three(server, "loss-freeze")
    carol = peers[2]
    try:
        carol.proc.send_signal(signal.SIGSTOP)
        check_survivors(server, peers, carol, "timeout", 35)
        carol.proc.send_signal(signal.SIGCONT)
        # the frozen peer, once it runs again, learns that it was dropped
        wait_until(lambda: carol.events("dropped"), 10, "Carol told she was dropped", [carol])
        assert carol.events("dropped")[0].get("reason") == "timeout"
    finally:
        carol.proc.send_signal(signal.SIGCONT)
        for p in peers:
            p.stop()
