"""Joins with made-up tokens: a token costs the server a signature check (RS256/ES256 for a town's
portal key), so an outsider looping `join` with forged tokens on one connection is held to 6 at once,
then one per 2 s (`rate_limited` with a retry time), while another connection — a citizen — joins
as usual, and the server logs the refusals at a bounded rate. Loopback only."""
import asyncio
import base64
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "interop"))

from helpers import run  # noqa: E402
from raw_client import Raw  # noqa: E402

ATTEMPTS = 40


def b64(obj):
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def forged(i):
    """A well-formed JWT whose signature is garbage (each one different)."""
    head = b64({"alg": "HS256", "typ": "JWT"})
    body = b64({"aud": "plenum", "room": "rathaus", "host": True, "exp": 4102444800, "jti": str(i)})
    return f"{head}.{body}.{b64({'sig': i})}"


def test_forged_tokens_are_held_to_a_pace_per_connection(server):
    async def go():
        attacker, citizen = Raw(server.ws_url), Raw(server.ws_url)
        await attacker.connect()
        await citizen.connect()
        try:
            await attacker.call("hello", {"version": 1})
            await citizen.call("hello", {"version": 1})
            codes = []
            for i in range(ATTEMPTS):
                r = await attacker.call("join", {"room": "rathaus", "name": "Mallory", "token": forged(i)})
                codes.append(attacker.code(r))
            last = r
            ok = await citizen.call("join", {"room": "rathaus", "name": "Bürgerin"})
            return codes, last, citizen.code(ok)
        finally:
            await attacker.close()
            await citizen.close()

    codes, last, citizen = run(go(), 60)
    checked = [c for c in codes if c != "rate_limited"]
    assert 6 <= len(checked) <= 8, f"signature checks allowed: {len(checked)} of {ATTEMPTS}: {codes}"
    assert all(c.startswith("token_") for c in checked), checked
    assert codes[-1] == "rate_limited" and "try again" in last["error"]["message"], last
    assert citizen == "ok", "another connection is not affected"
