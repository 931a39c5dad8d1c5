"""Protocol errors over the real WebSocket: each gets its code from the error table, and neither the
connection nor the room suffers for it."""
import asyncio
import json

import pytest

# docs/protocol.md: at most 262144 bytes per message (after reassembly), larger ones get
# message_too_large with "id": null and are discarded.
MAX_MESSAGE = 262144

from helpers import clients, run
from plenum_client import ProtocolError


async def expect_error(client, method, params, code):
    reply = await client.call(method, params)
    assert "error" in reply, f"{method} {params!r}: expected error {code}, got {reply}"
    assert reply["error"].get("code") == code, f"{method} {params!r}: {reply}"
    assert isinstance(reply["error"].get("message"), str) and reply["error"]["message"], reply
    return reply


async def next_orphan(client, timeout=5):
    n = len(client.orphans)
    await client.wait_for(lambda: len(client.orphans) > n, timeout, "a reply with id null")
    return client.orphans[n]


def test_requests_before_hello_get_hello_required(server):
    async def body():
        async with clients(server, "Alice") as (a,):
            await expect_error(a, "join", {"room": "errors", "name": "Alice"}, "hello_required")
            await expect_error(a, "ping", {}, "hello_required")
            await expect_error(a, "hello", {"version": 2}, "unsupported_version")
            await a.hello()
            await a.request("ping", {})
            await a.join("errors")
    run(body(), 30)


ROOM_NAMES_BAD = ["Bad Room", "room/1", "-leading", "trailing.", "_x", "", "a" * 65, "ümlaut", "a\u0000b"]
DISPLAY_NAMES_BAD = ["Al\u0007ice", "new\nline", "", "x" * 65, "tab\there", "del\u007f", "c1\u0085control"]


def test_join_validates_room_and_display_names(server):
    async def body():
        async with clients(server, "Alice") as (a,):
            await a.hello()
            await expect_error(a, "publish", {"sdp": "v=0\r\n"}, "not_joined")
            for room in ROOM_NAMES_BAD:
                await expect_error(a, "join", {"room": room, "name": "Alice"}, "room_name_invalid")
            for name in DISPLAY_NAMES_BAD:
                await expect_error(a, "join", {"room": "fine-room", "name": name}, "display_name_invalid")
            await expect_error(a, "join", {"room": 5, "name": "Alice"}, "bad_request")
            await expect_error(a, "join", {"room": "fine-room"}, "bad_request")
            await expect_error(a, "frobnicate", {}, "unknown_method")
            # the longest valid names, with UTF-8 in the display name, are accepted
            res = await a.request("join", {"room": "A" + "b" * 62 + "9", "name": "Zoë " + "x" * 59})
            assert res["room"] == "a" + "b" * 62 + "9"
            await expect_error(a, "join", {"room": "other", "name": "Alice"}, "already_joined")
    run(body(), 30)


def test_malformed_json_is_answered_and_the_connection_and_room_carry_on(server):
    async def body():
        async with clients(server, "Alice", "Bob") as (a, b):
            await a.hello()
            await a.join("json-room")
            for junk in ["{not json", "[1,2,3]", "\"just a string\"", '{"method":"ping"}',
                         '{"id":"seven","method":"ping"}', '{"id":-1,"method":"ping"}']:
                await a.send_raw(junk)
                reply = await next_orphan(a)
                assert reply.get("id") is None and reply.get("error", {}).get("code") == "bad_request", (junk, reply)
            await a.request("ping", {})
            # the room carries on: Bob joins and each sees the other
            await b.hello()
            await b.join("json-room")
            await b.wait_event("participant_joined", lambda d: d["id"] == a.participant_id)
            await a.wait_event("participant_joined", lambda d: d["id"] == b.participant_id)
            assert a.closed is None
    run(body(), 30)


def test_oversized_message_is_refused(server):
    async def body():
        async with clients(server, "Alice", "Bob") as (a, b):
            await a.hello()
            await a.join("big-room")
            big = json.dumps({"id": 99, "method": "ping", "params": {"pad": "x" * (262144 + 100)}})
            await a.send_raw(big)
            await a.wait_for(lambda: a.orphans or a.closed, 10, "an answer to the oversized message")
            if a.orphans:
                err = a.orphans[0].get("error", {})
                assert err.get("code") == "message_too_large" and a.orphans[0].get("id", 0) is None, a.orphans[0]
            else:
                pytest.fail(f"connection closed {a.closed} without a message_too_large error")
            # a message of exactly the limit is fine
            rid = 100
            pad = 262144 - len(json.dumps({"id": rid, "method": "ping", "params": {"pad": ""}}))
            exact = json.dumps({"id": rid, "method": "ping", "params": {"pad": "y" * pad}})
            assert len(exact) == 262144
            if a.closed is None:
                fut = asyncio.get_running_loop().create_future()
                a._pending[rid] = fut
                await a.send_raw(exact)
                reply = await asyncio.wait_for(fut, 10)
                assert reply.get("result") == {}, reply
            # the room carries on
            await b.hello()
            await b.join("big-room")
            assert b.participant_id
    run(body(), 30)
