"""Fan-out flood (issue 7, finding 5): in a 30-person room one guest sends 30,000 hand, media_state
and set_music requests as fast as it can. Most get rate_limited, the server's memory stays bounded,
every other participant still receives events and stays connected; the round trip of an unrelated
room is measured before and during the flood and printed. Loopback only; bounded in count and time."""
import asyncio
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "interop"))

from helpers import run  # noqa: E402
from raw_client import Raw, raise_own_fd_limit  # noqa: E402

ROOM_SIZE = 30
REQUESTS = 30000
BATCH = 500                    # requests in flight at once
RSS_GROWTH_MAX = 50 << 20      # bytes


def rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


REQS = [("raise_hand", {}), ("lower_hand", {}),
        ("media_state", {"audio_muted": True, "video_muted": False}),
        ("media_state", {"audio_muted": False, "video_muted": False}),
        ("set_music", {"enabled": True}), ("set_music", {"enabled": False})]


async def pings(c, n):
    """n sequential ping round trips, in ms."""
    out = []
    for _ in range(n):
        t = time.monotonic()
        assert c.code(await c.call("ping")) == "ok"
        out.append((time.monotonic() - t) * 1000)
    return out


async def pinger(c, stop, out):
    while not stop.is_set():
        out.extend(await pings(c, 1))
        await asyncio.sleep(0.02)


def test_one_guest_cannot_flood_a_room(server):
    raise_own_fd_limit()

    async def body():
        members = []
        for i in range(ROOM_SIZE):
            c = await Raw(server.ws_url, f"127.0.4.{i + 1}").connect()
            r = await c.call("join", {"room": "council", "name": f"P{i}"})
            assert "result" in r, r
            members.append(c)
        host, flooder, others = members[0], members[-1], members[:-1]
        a = await Raw(server.ws_url, "127.0.5.1").connect()
        await a.call("join", {"room": "elsewhere", "name": "A"})
        b = await Raw(server.ws_url, "127.0.5.2").connect()
        await b.call("join", {"room": "elsewhere", "name": "B"})
        before = await pings(a, 50)
        rss0 = rss(server.proc.pid)
        counts, peak = {}, rss0
        stop, during = asyncio.Event(), []
        ping_task = asyncio.create_task(pinger(a, stop, during))
        t0 = time.monotonic()
        sent = 0
        while sent < REQUESTS:
            n = min(BATCH, REQUESTS - sent)
            replies = await asyncio.gather(*(flooder.call(*REQS[(sent + k) % len(REQS)], timeout=60)
                                             for k in range(n)))
            for r in replies:
                code = flooder.code(r)
                counts[code] = counts.get(code, 0) + 1
            sent += n
            peak = max(peak, rss(server.proc.pid))
        elapsed = time.monotonic() - t0
        stop.set()
        await ping_task
        growth = peak - rss0
        print(f"\n{REQUESTS} requests in {elapsed:.1f} s ({REQUESTS / elapsed:.0f}/s): {counts}; "
              f"RSS {rss0 >> 20} MB -> peak {peak >> 20} MB (+{growth / 1048576:.1f} MB)")
        print(f"unrelated room ping: before median {statistics.median(before):.2f} ms, "
              f"during median {statistics.median(during):.2f} ms (n={len(during)}), "
              f"max {max(during):.1f} ms")
        events = sum(len(c.events) for c in others)
        print(f"events delivered to the 29 others: {events}; bytes {sum(c.bytes for c in others)}")
        assert set(counts) <= {"ok", "rate_limited"}, counts
        assert counts.get("rate_limited", 0) >= REQUESTS * 0.95, counts
        assert growth <= RSS_GROWTH_MAX, f"RSS grew {growth >> 20} MB"
        # Everybody else is still there and still hears the room.
        assert all(not c.closed for c in others + [flooder, a, b])
        marks = [len(c.events) for c in others]
        assert host.code(await host.call("set_room_music", {"enabled": True})) == "ok"
        deadline = time.monotonic() + 10
        for c, m in zip(others, marks):
            while not any(e == "room_updated" and d.get("music") for e, d in c.events[m:]):
                assert time.monotonic() < deadline, "a participant did not hear room_updated"
                await asyncio.sleep(0.05)
        for c in members + [a, b]:
            await c.close()

    run(body(), 240)
    assert server.alive()
