"""Poll floods: 60 guests hammer three running polls with votes, then (once a host lets anyone ask)
with new polls. Each counts one vote per poll, the rest is already_voted or rate_limited; the host
hears of the votes at a bounded pace (not one event per vote) and stays connected; at most three
polls run and the room's creation budget holds. Loopback only; every step bounded in count and time."""
import asyncio
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "interop"))

from helpers import run  # noqa: E402
from raw_client import Raw, raise_own_fd_limit  # noqa: E402

GUESTS = 60
VOTES_EACH = 30                # per guest, over three polls
POLLS_RUNNING_MAX = 3          # MEET_POLLS_RUNNING_MAX
ROOM_CREATE_BUDGET = 10        # meet_limit_poll_create_room: 10 per minute per room


def sources(n):
    return [f"127.0.4.{x}" for x in range(1, n + 1)]


async def voter(c, polls, counts):
    for k in range(VOTES_EACH):
        r = await c.call("poll_vote", {"poll_id": polls[k % len(polls)], "choices": [k % 2]})
        code = c.code(r)
        counts[code] = counts.get(code, 0) + 1


def poll_events(c, since=0):
    return [d for e, d in c.events[since:] if e == "poll"]


def test_vote_flood(server):
    raise_own_fd_limit()

    async def body():
        host = await Raw(server.ws_url).connect()
        r = await host.call("join", {"room": "abstimmung", "name": "Host"})
        assert r["result"]["role"] == "host"
        polls = []
        for i, secret in enumerate((True, False, True)):
            r = await host.call("poll_create", {"question": f"Frage {i}", "answers": ["Ja", "Nein"],
                                                "secret": secret})
            polls.append(r["result"]["poll_id"])
        guests = await asyncio.gather(*(Raw(server.ws_url, s).connect() for s in sources(GUESTS)))
        for g in guests:
            assert g.code(await g.call("join", {"room": "abstimmung", "name": "Gast"})) == "ok"
        mark = len(host.events)
        counts = {}
        t0 = time.monotonic()
        await asyncio.gather(*(voter(g, polls, counts) for g in guests))
        elapsed = time.monotonic() - t0
        await asyncio.sleep(1.5)   # the held-back last update arrives with the next tick
        total = sum(counts.values())
        updates = poll_events(host, mark)
        print(f"\n{total} votes in {elapsed:.1f} s: {counts}; the host got {len(updates)} poll events")
        assert total == GUESTS * VOTES_EACH
        assert set(counts) <= {"ok", "already_voted", "rate_limited"}, counts
        assert counts["ok"] == GUESTS * len(polls), counts
        # the host's view: exact in the end, at most ~2 events per poll per second on the way
        for pid in polls:
            last = [d for d in updates if d["poll_id"] == pid][-1]
            assert last["voters"] == GUESTS and sum(last["tallies"]) == GUESTS, last
        assert len(updates) <= len(polls) * (2 * (elapsed + 1.5) + 2), (len(updates), elapsed)
        assert not host.closed
        for pid in polls:
            assert host.code(await host.call("poll_close", {"poll_id": pid})) == "ok"
        await asyncio.gather(*(g.close() for g in guests))
        await host.close()

    run(body(), 120)
    assert server.alive()


def test_create_flood_when_anyone_may_ask(server):
    raise_own_fd_limit()

    async def body():
        host = await Raw(server.ws_url).connect()
        await host.call("join", {"room": "umfrage", "name": "Host"})
        assert host.code(await host.call("set_polls_open", {"anyone": True})) == "ok"
        guests = await asyncio.gather(*(Raw(server.ws_url, s).connect() for s in sources(GUESTS)))
        for g in guests:
            assert g.code(await g.call("join", {"room": "umfrage", "name": "Gast"})) == "ok"
        counts = {}
        t0 = time.monotonic()

        async def asker(g):
            for k in range(5):
                r = await g.call("poll_create", {"question": "?" * 300, "answers": ["x" * 100] * 10})
                code = g.code(r)
                counts[code] = counts.get(code, 0) + 1
                if code == "ok":
                    # a guest cannot close it to make room for more
                    assert g.code(await g.call("poll_close", {"poll_id": r["result"]["poll_id"]})) == "forbidden"

        await asyncio.gather(*(asker(g) for g in guests))
        print(f"\npoll_create flood: {counts}")
        assert set(counts) <= {"ok", "too_many_polls", "rate_limited"}, counts
        assert counts["ok"] == POLLS_RUNNING_MAX, counts
        # each guest heard of three polls, not of every attempt
        for g in guests[:5]:
            assert len(poll_events(g)) == POLLS_RUNNING_MAX, len(poll_events(g))
        # the host closes them; the room-wide budget (10 a minute) still bounds what follows
        ids = sorted({d["poll_id"] for d in poll_events(host)})
        for pid in ids:
            assert host.code(await host.call("poll_close", {"poll_id": pid})) == "ok"
        made = 0
        for g in guests:
            r = await g.call("poll_create", {"question": "Noch eine?", "answers": ["a", "b"]})
            if g.code(r) == "ok":
                made += 1
                await host.call("poll_close", {"poll_id": r["result"]["poll_id"]})
        refilled = (time.monotonic() - t0) / 6.0   # one more per 6 s
        assert 1 <= made <= ROOM_CREATE_BUDGET - POLLS_RUNNING_MAX + refilled + 1, (made, refilled)
        assert not host.closed
        await asyncio.gather(*(g.close() for g in guests))
        await host.close()

    run(body(), 120)
    assert server.alive()
