"""Breakout commands have budgets: a host looping group changes (each fans a `breakout` event out to
everyone) is held to 30 per 10 s, a guest looping `breakout_join` or `breakout_call_host` to its own
small budget, and a guest cannot run groups at all; the meeting goes on for everyone else.
Loopback only."""
import asyncio
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "interop"))

from helpers import run  # noqa: E402
from raw_client import Raw  # noqa: E402

ATTEMPTS = 60


def test_breakout_commands_are_budgeted(server):
    async def go():
        host, guest, other = Raw(server.ws_url), Raw(server.ws_url), Raw(server.ws_url)
        for c in (host, guest, other):
            await c.connect()
        try:
            for c, name in ((host, "Host"), (guest, "Mallory"), (other, "Bürgerin")):
                r = await c.call("join", {"room": "kurs-flut", "name": name})
                assert c.code(r) == "ok", r
            assert guest.code(await guest.call("breakout_setup", {"names": ["x"]})) == "forbidden"
            assert host.code(await host.call("breakout_setup", {"names": ["A", "B"], "allow_choose": True})) == "ok"
            assert host.code(await host.call("breakout_open", {})) == "ok"
            before = sum(1 for ev, _ in other.events if ev == "breakout")
            codes = [host.code(await host.call("breakout_assign", {"random": True})) for _ in range(ATTEMPTS)]
            # the guest switches groups in a loop, and calls for the host in a loop
            joins = [guest.code(await guest.call("breakout_join", {"group": 1 + i % 2})) for i in range(ATTEMPTS)]
            calls = [guest.code(await guest.call("breakout_call_host")) for _ in range(10)]
            await asyncio.sleep(0.3)
            fanout = sum(1 for ev, _ in other.events if ev == "breakout") - before
            chat = await other.call("chat_send", {"text": "Ich bin noch da"})
            return codes, joins, calls, fanout, other.code(chat)
        finally:
            for c in (host, guest, other):
                await c.close()

    codes, joins, calls, fanout, chat = run(go(), 60)
    ok = codes.count("ok")
    assert 27 <= ok <= 31, f"host changes allowed: {ok} of {ATTEMPTS}: {codes}"
    assert set(codes) == {"ok", "rate_limited"}, codes
    assert 28 <= joins.count("ok") <= 32 and joins[-1] == "rate_limited", joins
    assert calls.count("ok") == 1 and set(calls) == {"ok", "rate_limited"}, calls
    assert fanout <= ok + joins.count("ok") + 2, f"{fanout} breakout events for one bystander"
    assert chat == "ok"
