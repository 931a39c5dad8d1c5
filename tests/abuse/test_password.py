"""Password guessing (issue 7, finding 2): 300 client addresses guess one room's password as fast as
they can; the guesses the server actually evaluates stay within the room's budget plus its backoff
rate, the host sees password_guard and can reset it; a NAT neighbour that guessed wrong 20 times
still gets in with the right password. Loopback only; every step bounded in count and time."""
import asyncio
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "interop"))

from helpers import run  # noqa: E402
from raw_client import Raw, raise_own_fd_limit  # noqa: E402

PASSWORD = "73914"             # five digits, as a meeting invitation might carry
WINDOW = 8.0                   # seconds the 300 addresses guess
PER_ADDRESS = 400              # guesses one address sends at most
ROOM_BUDGET = 30               # MEET_GUARD_BUDGET
BACKOFF_MIN_S = 2.0            # MEET_GUARD_ROOM_MIN_US: in backoff at most one guess per 2 s


def addresses(n):
    """127.0.0.2 … 127.0.0.255, then 127.0.1.2 …: n distinct loopback client addresses."""
    out = [f"127.0.0.{x}" for x in range(2, 256)] + [f"127.0.1.{x}" for x in range(2, 256)]
    return out[:n]


async def guesser(c, room, counts, stop_at):
    """One address guessing until the window ends (or PER_ADDRESS guesses)."""
    for i in range(PER_ADDRESS):
        if time.monotonic() >= stop_at:
            break
        guess = f"{(hash(c.source) + i * 7919) % 100000:05d}"
        if guess == PASSWORD:
            continue
        r = await c.call("join", {"room": room, "name": "G", "password": guess})
        code = c.code(r)
        counts[code] = counts.get(code, 0) + 1
        assert code != "ok", "a wrong password was accepted"


def test_many_addresses_stay_within_the_room_budget(server):
    raise_own_fd_limit()

    async def body():
        host = await Raw(server.ws_url).connect()
        r = await host.call("join", {"room": "guarded", "name": "Host"})
        assert r["result"]["role"] == "host"
        assert host.code(await host.call("set_password", {"password": PASSWORD})) == "ok"
        counts = {}
        conns = await asyncio.gather(*(Raw(server.ws_url, src).connect() for src in addresses(300)))
        t0 = time.monotonic()
        await asyncio.gather(*(guesser(c, "guarded", counts, t0 + WINDOW) for c in conns))
        elapsed = time.monotonic() - t0
        evaluated = counts.get("password_wrong", 0)
        held = counts.get("rate_limited", 0)
        total = sum(counts.values())
        print(f"\n300 addresses, {elapsed:.1f} s: {total} guesses sent, {evaluated} evaluated "
              f"(password_wrong), {held} held back (rate_limited); {evaluated / elapsed:.1f} evaluated/s")
        assert set(counts) <= {"password_wrong", "rate_limited"}, counts
        bound = ROOM_BUDGET + int(elapsed / BACKOFF_MIN_S) + 1
        assert evaluated <= bound, f"{evaluated} guesses evaluated in {elapsed:.1f} s (bound {bound})"
        assert held > evaluated, counts
        # The host saw the guard in backoff, and not one event per guess.
        guard = [d for e, d in host.events if e == "password_guard"]
        assert guard, "the host never saw password_guard"
        assert guard[-1]["delay_s"] > 0 and guard[-1]["failures"] >= ROOM_BUDGET, guard[-1]
        assert len(guard) <= elapsed + 3, f"{len(guard)} password_guard events in {elapsed:.1f} s"
        # In backoff even the right password waits; after the host's reset it joins at once.
        assert host.code(await host.call("password_guard_reset")) == "ok"
        deadline = time.monotonic() + 5
        while not any(e == "password_guard" and d["delay_s"] == 0 and d["failures"] == 0
                      for e, d in host.events):
            assert time.monotonic() < deadline, "no password_guard {0, 0} after the reset"
            await asyncio.sleep(0.05)
        fresh = await Raw(server.ws_url, "127.0.1.200").connect()
        r = await fresh.call("join", {"room": "guarded", "name": "Citizen", "password": PASSWORD})
        assert fresh.code(r) == "ok", r
        assert r["result"]["role"] == "guest"
        # A guest may not reset the guard.
        assert fresh.code(await fresh.call("password_guard_reset")) == "forbidden"
        assert not host.closed
        await asyncio.gather(*(c.close() for c in conns))
        await fresh.close()
        await host.close()

    run(body(), 120)
    assert server.alive()


def test_nat_neighbour_still_gets_in(server):
    async def body():
        host = await Raw(server.ws_url).connect()
        await host.call("join", {"room": "natroom", "name": "Host"})
        assert host.code(await host.call("set_password", {"password": PASSWORD})) == "ok"
        # Someone behind the same address as the citizen guesses wrong 20 times.
        att = await Raw(server.ws_url, "127.0.0.9").connect()
        codes = []
        for i in range(20):
            r = await att.call("join", {"room": "natroom", "name": "A", "password": f"x{i}"})
            codes.append(att.code(r))
        assert set(codes) <= {"password_wrong", "rate_limited"}, codes
        assert "rate_limited" in codes
        # The citizen, same address, right password: accepted, possibly after a delay.
        cit = await Raw(server.ws_url, "127.0.0.9").connect()
        t0 = time.monotonic()
        tries = 0
        while True:
            tries += 1
            r = await cit.call("join", {"room": "natroom", "name": "Citizen", "password": PASSWORD})
            if cit.code(r) == "ok":
                break
            assert cit.code(r) == "rate_limited", r
            assert time.monotonic() - t0 < 40, "the right password was never accepted"
            await asyncio.sleep(0.25)
        print(f"\nNAT neighbour: joined after {time.monotonic() - t0:.1f} s, {tries} tries")
        assert r["result"]["role"] == "guest"
        for c in (cit, att, host):
            await c.close()

    run(body(), 60)
    assert server.alive()
