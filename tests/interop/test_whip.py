"""WHIP (RFC 9725) into a meeting: a host asks for stream links, an aiortc encoder POSTs its offer with
the WHIP token and becomes a participant whose media the host decodes; DELETE ends it. Refusals: no or a
wrong token (401), a viewer's token (401), too large (413), wrong type (415), no meeting (404), budgets (429)."""
import asyncio
import urllib.request

from aiortc import RTCSessionDescription

from helpers import clients, run
from plenum_client import ColourBarsTrack, SineTrack, _prefer, metrics_text, new_pc, parse_metrics


def http(method, url, body=None, headers=None, timeout=10.0):
    """(status, headers dict with lower-case names, body text); never raises on HTTP error statuses."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read().decode("utf-8", "replace")


async def encoder_offer():
    """An aiortc publisher with Opus and VP8, the offer it makes (no labels: an encoder's)."""
    pc = new_pc()
    t = pc.addTransceiver(SineTrack(), direction="sendonly")
    _prefer(t, "audio", {"audio/opus"})
    t = pc.addTransceiver(ColourBarsTrack(), direction="sendonly")
    _prefer(t, "video", {"video/vp8"})
    await pc.setLocalDescription(await pc.createOffer())
    return pc, pc.localDescription.sdp


async def post(url, sdp, token, ctype="application/sdp"):
    headers = {"Content-Type": ctype}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return await asyncio.get_running_loop().run_in_executor(
        None, lambda: http("POST", url, sdp.encode(), headers))




def refused(server, reason):
    m = parse_metrics(metrics_text(server))
    return m.get(("plenum_whip_refused_total", (("reason", reason),)), 0)


def test_encoder_publishes_into_the_meeting_and_leaves_on_delete(server):
    async def body():
        async with clients(server, "Host") as (h,):
            await h.start("ratssaal")
            links = await h.request("stream_links", {"name": "Ratssaal"})
            whip = links["whip"]
            assert whip["url"] == server.base + "/whip/ratssaal", links
            assert links["whep"]["url"] == server.base + "/whep/ratssaal", links
            assert links["live_page"] == server.base + "/live/ratssaal#" + links["whep"]["token"], links
            assert links["hls"].startswith(server.base + "/hls/ratssaal/"), links
            pc, sdp = await encoder_offer()
            status, hdr, answer = await post(whip["url"], sdp, whip["token"])
            assert status == 201, (status, answer)
            assert hdr["content-type"] == "application/sdp", hdr
            loc = hdr["location"]
            assert loc.startswith("/whip/ratssaal/") and len(loc) == len("/whip/ratssaal/") + 32, loc
            await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
            ev = await h.wait_event("participant_joined", lambda d: d["name"] == "Ratssaal", timeout=10)
            enc = ev[1]["id"]
            # its tracks are offered to the host and its media decoded there
            await h.wait_media_from(enc, video=10, audio=10, timeout=20)
            assert sorted(k for p, k in h.mids.values() if p == enc) == ["audio", "video"], h.mids
            m = parse_metrics(metrics_text(server))
            assert m[("plenum_whip_sessions", ())] == 1
            # PATCH (trickle) is refused, OPTIONS answered
            loop = asyncio.get_running_loop()
            st, _, _ = await loop.run_in_executor(None, lambda: http("PATCH", server.base + loc, b"x",
                                                                     {"Content-Type": "application/trickle-ice-sdpfrag"}))
            assert st == 405
            st, hd, _ = await loop.run_in_executor(None, lambda: http("OPTIONS", whip["url"]))
            assert st == 204 and "POST" in hd["allow"] and hd["accept-post"] == "application/sdp", (st, hd)
            # a guessed id is not the resource
            st, _, _ = await loop.run_in_executor(None, lambda: http("DELETE", server.base + "/whip/ratssaal/" + "0" * 32))
            assert st == 404
            st, _, _ = await loop.run_in_executor(None, lambda: http("DELETE", server.base + loc))
            assert st == 200
            await h.wait_event("participant_left", lambda d: d["id"] == enc, timeout=10)
            st, _, _ = await loop.run_in_executor(None, lambda: http("DELETE", server.base + loc))
            assert st == 404
            await pc.close()
    run(body(), 60)


def test_tokens_types_and_sizes_are_refused(server):
    async def body():
        async with clients(server, "Host") as (h,):
            await h.start("ratssaal")
            links = await h.request("stream_links", {})
            url, token = links["whip"]["url"], links["whip"]["token"]
            pc, sdp = await encoder_offer()
            st, hd, _ = await post(url, sdp, None)
            assert st == 401 and hd["www-authenticate"].startswith("Bearer"), (st, hd)
            st, hd, _ = await post(url, sdp, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
            assert st == 401 and "www-authenticate" in hd
            st, _, _ = await post(url, sdp, links["whep"]["token"])        # a viewer's token
            assert st == 401
            st, _, _ = await post(server.base + "/whip/other-room", sdp, token)   # another room's
            assert st == 401
            st, _, _ = await post(url, sdp, token, ctype="text/plain")
            assert st == 415
            st, _, _ = await post(url, "v=0\r\n" + "a=x\r\n" * 20000, token)   # > 64 KiB
            assert st == 413
            st, _, _ = await post(url, "v=0\r\nnot an offer\r\n", token)
            assert st == 400
            assert refused(server, "token") == 4 and refused(server, "too_large") == 1
            assert refused(server, "media_type") == 1 and refused(server, "sdp") == 1
            # the default encoder name
            st, _, answer = await post(url, sdp, token)
            assert st == 201, answer
            await h.wait_event("participant_joined", lambda d: d["name"] == "Ratssaal", timeout=10)
            await pc.close()
    run(body(), 60)


def test_budgets_per_room_and_per_address(server):
    async def body():
        async with clients(server, "Host") as (h,):
            await h.start("ratssaal")
            links = await h.request("stream_links", {"name": "Kamera"})
            url, token = links["whip"]["url"], links["whip"]["token"]
            pcs = []
            for i in range(4):
                pc, sdp = await encoder_offer()
                pcs.append(pc)
                st, _, answer = await post(url, sdp, token)
                assert st == 201, (i, st, answer)
            st, _, text = await post(url, sdp, token)
            assert st == 429 and "meeting" in text, (st, text)
            assert refused(server, "room_budget") == 1
            # 10 POSTs at once per address: the 11th (and later) ones are held back
            for _ in range(7):
                st, _, _ = await post(url, sdp, "garbage")
            assert st == 429, st
            assert refused(server, "rate") >= 1
            for pc in pcs:
                await pc.close()
    run(body(), 60)


def test_no_meeting_and_guests(server):
    async def body():
        async with clients(server, "Host", "Guest") as (h, g):
            await h.start("ratssaal")
            await g.start("ratssaal")
            # a guest may not make links
            try:
                await g.request("stream_links", {})
                assert False, "a guest got stream links"
            except Exception as e:  # noqa: BLE001
                assert getattr(e, "code", None) == "forbidden", e
            links = await h.request("stream_links", {})
            pc, sdp = await encoder_offer()
            # the meeting ends: the token still verifies, but there is nothing to join
            await h.request("end_meeting", {})
            await asyncio.sleep(0.2)
            st, _, text = await post(links["whip"]["url"], sdp, links["whip"]["token"])
            assert st == 404, (st, text)
            assert refused(server, "no_meeting") == 1
            await pc.close()
    run(body(), 60)
