"""End-to-end encrypted meetings through the server's front doors: the first member's join with
e2ee decides; a join without it is refused (e2ee_required), also one that would knock; recording,
streaming and stream links are refused (e2ee); a WHIP encoder and a WHEP viewer holding links made
while the room was in the clear get 403, counted as plenum_whip_refused_total{reason="e2ee"}."""
import asyncio

from helpers import clients, run
from plenum_client import ProtocolError, metrics_text, parse_metrics
from test_whip import encoder_offer, post


def refused(server, reason):
    m = parse_metrics(metrics_text(server))
    return m.get(("plenum_whip_refused_total", (("reason", reason),)), 0)


async def expect_error(client, method, params, code):
    try:
        await client.request(method, params)
    except ProtocolError as e:
        assert e.code == code, (method, e.code, e.message)
        return e.message
    raise AssertionError(f"{method} succeeded, expected {code}")


def test_encrypted_room_refuses_clear_joins_and_everything_that_would_need_the_media(server):
    async def body():
        async with clients(server, "Clear", "Sealer", "Plain") as (c, s, p):
            # links made while the room is in the clear, then that meeting ends
            await c.hello()
            await c.join("sealed")
            links = await c.request("stream_links", {"name": "Ratssaal"})
            await c.request("leave")
            # the next first member makes it encrypted
            await s.hello()
            res = await s.request("join", {"room": "sealed", "name": "Sealer", "e2ee": True})
            assert res["room_state"]["e2ee"] is True, res
            assert res["features"] == {"recording": False, "streaming": False}, res
            await p.hello()
            status = await p.request("room_status", {"room": "sealed"})
            assert status["e2ee"] is True, status
            await expect_error(p, "join", {"room": "sealed", "name": "Plain"}, "e2ee_required")
            await expect_error(p, "join", {"room": "sealed", "name": "Plain", "e2ee": "yes"}, "bad_request")
            msg = await expect_error(s, "recording_start", {}, "e2ee")
            assert "cannot read" in msg, msg
            await expect_error(s, "streaming_start", {}, "e2ee")
            await expect_error(s, "stream_links", {}, "e2ee")
            # an encoder with the old WHIP token, a viewer with the old WHEP token
            before = refused(server, "e2ee")
            pc, sdp = await encoder_offer()
            st, _, text = await post(links["whip"]["url"], sdp, links["whip"]["token"])
            await pc.close()
            assert st == 403 and "end-to-end encrypted" in text, (st, text)
            assert refused(server, "e2ee") == before + 1
            st, _, text = await post(links["whep"]["url"], "v=0\r\n", links["whep"]["token"])
            assert st == 403 and "end-to-end encrypted" in text, (st, text)
            # nobody but the sealer is in: no participant_joined reached it
            assert not [e for e in s.events if e[1] == "participant_joined" and (e[2] or {}).get("name") == "Plain"]
    run(body(), 60)
