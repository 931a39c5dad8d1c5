"""Lobby flood (issue 7, finding 4): 1,000 knocks from 250 addresses over 500 connections at a room
with a lobby. The host stays connected and host, the bytes it receives stay bounded (lobby deltas,
not the whole list per change), knocks beyond the cap or rate get lobby_full / rate_limited. And a
host whose socket dies comes back with its rejoin_token inside the grace period and is host again,
while a guest who joined meanwhile is not. Loopback only; every step bounded in count and time."""
import asyncio
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "interop"))

from helpers import run  # noqa: E402
from raw_client import Raw, raise_own_fd_limit  # noqa: E402

KNOCKS = 1000
ADDRESSES = 250
CONNS = 500                    # two per address, two knocks each
LOBBY_MAX = 100                # MEET_LOBBY_MAX
HOST_BYTES_MAX = 512 * 1024    # what the host may receive over the whole flood


def addresses(n):
    out = [f"127.0.2.{x}" for x in range(1, 255)] + [f"127.0.3.{x}" for x in range(1, 255)]
    return out[:n]


async def knocker(c, room, counts):
    """Two knocks on one connection: a waiting knock is cancelled (leave) before the next."""
    for k in range(2):
        r = await c.call("join", {"room": room, "name": "Knock knock"})
        code = c.code(r)
        if code == "ok" and r["result"].get("waiting") is not True:
            code = "entered without waiting"   # the lobby is gone: the host was pushed out
        counts[code] = counts.get(code, 0) + 1
        if code == "ok":
            if k == 0:
                await c.call("leave")     # gives up and knocks again: more deltas


def waiting_from_deltas(events):
    """The host's view of the lobby, rebuilt from the snapshot and the deltas; its largest size."""
    waiting, largest = set(), 0
    for e, d in events:
        if e == "lobby_updated":
            waiting = {w["lobby_id"] for w in d["waiting"]}
        elif e == "lobby_knock":
            waiting.add(d["lobby_id"])
        elif e == "lobby_left":
            waiting.discard(d["lobby_id"])
        largest = max(largest, len(waiting))
    return waiting, largest


def test_knock_flood_keeps_the_host(server):
    raise_own_fd_limit()

    async def body():
        host = await Raw(server.ws_url).connect()
        r = await host.call("join", {"room": "townhall", "name": "Host"})
        assert r["result"]["role"] == "host"
        host_id = r["result"]["participant_id"]
        assert host.code(await host.call("set_lobby", {"enabled": True})) == "ok"
        srcs = addresses(ADDRESSES)
        conns = await asyncio.gather(*(Raw(server.ws_url, srcs[i % ADDRESSES]).connect() for i in range(CONNS)))
        bytes0 = host.bytes
        counts = {}
        t0 = time.monotonic()
        await asyncio.gather(*(knocker(c, "townhall", counts) for c in conns))
        elapsed = time.monotonic() - t0
        await asyncio.sleep(0.5)
        got = host.bytes - bytes0
        total = sum(counts.values())
        print(f"\n{total} knocks in {elapsed:.1f} s: {counts}; the host received {got} bytes "
              f"in {len(host.events)} events; host connection closed: {host.closed}")
        assert total == KNOCKS
        assert set(counts) <= {"ok", "lobby_full", "rate_limited"}, counts
        assert counts.get("ok", 0) <= LOBBY_MAX + KNOCKS // 2
        assert counts.get("lobby_full", 0) + counts.get("rate_limited", 0) >= KNOCKS // 2, counts
        # Bounded: deltas only, and the lobby never above its cap.
        assert got <= HOST_BYTES_MAX, f"the host received {got} bytes"
        assert not any(e == "lobby_updated" for e, _ in host.events), "the whole list was sent again"
        waiting, largest = waiting_from_deltas(host.events)
        assert largest <= LOBBY_MAX, largest
        # Still connected, still host: host methods work and the state says so.
        assert not host.closed
        assert host.code(await host.call("lobby_deny", {"all": True})) == "ok"
        assert host.code(await host.call("set_locked", {"locked": True})) == "ok"
        states = [d for e, d in host.events if e == "room_updated"]
        assert states and states[-1]["hosts"] == [host_id], states[-1:]
        waiting, _ = waiting_from_deltas(host.events)
        assert not waiting, f"{len(waiting)} still waiting after deny all"
        await asyncio.gather(*(c.close() for c in conns))
        await host.close()

    run(body(), 180)
    assert server.alive()


def test_dropped_host_rejoins_with_token(server):
    async def body():
        host = await Raw(server.ws_url, "127.0.0.20").connect()
        r = await host.call("join", {"room": "seats", "name": "Host"})
        assert r["result"]["role"] == "host"
        token = r["result"]["rejoin_token"]
        assert isinstance(token, str) and len(token) >= 16
        early = await Raw(server.ws_url, "127.0.0.21").connect()
        r = await early.call("join", {"room": "seats", "name": "Early"})
        assert r["result"]["role"] == "guest"
        # The host's socket dies without a close handshake.
        host.ws.transport.abort()
        await asyncio.sleep(0.5)
        late = await Raw(server.ws_url, "127.0.0.22").connect()
        r = await late.call("join", {"room": "seats", "name": "Late"})
        assert r["result"]["role"] == "guest", r
        late_id = r["result"]["participant_id"]
        assert r["result"]["room_state"]["hosts"] == [], r["result"]["room_state"]
        # Nobody was promoted because of the drop; a guest cannot use host methods.
        assert early.code(await early.call("set_locked", {"locked": True})) == "forbidden"
        back = await Raw(server.ws_url, "127.0.0.20").connect()
        r = await back.call("join", {"room": "seats", "name": "Host", "rejoin_token": token})
        assert r["result"]["role"] == "host", r
        back_id = r["result"]["participant_id"]
        assert r["result"]["rejoin_token"] != token
        assert back.code(await back.call("set_locked", {"locked": False})) == "ok"
        deadline = time.monotonic() + 5
        while True:
            states = [d for e, d in late.events if e == "room_updated"]
            if states and states[-1]["hosts"] == [back_id]:
                break
            assert time.monotonic() < deadline, f"late guest's view: {states[-1:]}"
            await asyncio.sleep(0.05)
        assert late_id not in states[-1]["hosts"]
        # The token was single-use.
        again = await Raw(server.ws_url, "127.0.0.23").connect()
        r = await again.call("join", {"room": "seats", "name": "Copy", "rejoin_token": token})
        assert r["result"]["role"] == "guest", r
        for c in (again, back, late, early):
            await c.close()

    run(body(), 60)
    assert server.alive()
