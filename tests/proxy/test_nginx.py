"""plenum behind a real nginx (docs/nginx/plenum.conf) with --trusted-proxy 127.0.0.1/32: the
per-address limits and /metrics judge the client nginx names in X-Forwarded-For, not nginx's own
address; a client that writes X-Forwarded-For or X-Forwarded-Proto itself, directly to plenum, is
not believed; the page's https origin is accepted behind TLS termination. Source addresses
127.0.0.X stand for different citizens (nginx sees them as $remote_addr). Loopback only."""
import asyncio
import gzip
import http.client
import os
import re
import time

import pytest
import websockets

from helpers import run  # noqa: E402  (tests/interop)
from raw_client import Raw  # noqa: E402  (tests/abuse)

PASSWORD = "73914"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def direct_get(server, path, source="127.0.0.1", headers=None):
    """GET straight to plenum (no nginx) from a loopback source address: (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10, source_address=(source, 0))
    conn.request("GET", path, headers=headers or {})
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, body


async def host_with_password(url, room, **kw):
    host = await Raw(url, **kw).connect()
    r = await host.call("join", {"room": room, "name": "Host"})
    assert r["result"]["role"] == "host", r
    assert host.code(await host.call("set_password", {"password": PASSWORD})) == "ok"
    return host


async def guess_until_held(url, room, source, evaluated=5, fresh_headers=None, **kw):
    """Wrong guesses from `source` until `evaluated` of them were checked (password_wrong), waiting
    out the group's growing delay (rate_limited) in between. fresh_headers(i), when given, opens a
    new connection per guess with those extra headers. Returns the codes."""
    codes = []
    c = None if fresh_headers else await Raw(url, source, **kw).connect()
    deadline = time.monotonic() + 30
    i = 0
    while codes.count("password_wrong") < evaluated:
        assert time.monotonic() < deadline, codes
        if fresh_headers:
            c = await Raw(url, source, extra_headers=fresh_headers(i), **kw).connect()
        r = await c.call("join", {"room": room, "name": "A", "password": f"wrong{i}"})
        codes.append(c.code(r))
        assert codes[-1] in ("password_wrong", "rate_limited"), r
        if fresh_headers:
            await c.close()
        if codes[-1] == "rate_limited":
            await asyncio.sleep(0.3)
        i += 1
    if not fresh_headers:
        await c.close()
    return codes


def test_password_limit_counts_the_forwarded_address(proxied):
    """An attacker at 127.0.0.9 guessing through nginx is held back; a citizen at 127.0.0.10 with
    the right password, also through nginx, is let in at once. Were the guard counting nginx's
    address (127.0.0.1 for both), the citizen would be held back too — as the attacker's
    neighbour at 127.0.0.9 is."""
    p = proxied()

    async def body():
        host = await host_with_password(p.ws_url, "behind", **p.ws_kw())
        # The attacker also writes the citizen's address into X-Forwarded-For: nginx appends the
        # real one, and plenum reads from the right.
        codes = await guess_until_held(p.ws_url, "behind", "127.0.0.9",
                                       **p.ws_kw(extra_headers={"X-Forwarded-For": "127.0.0.10"}))
        assert "rate_limited" in codes, codes
        # 5 failures: the attacker's group now waits 4 s. The citizen is not in it.
        citizen = await Raw(p.ws_url, "127.0.0.10", **p.ws_kw()).connect()
        r = await citizen.call("join", {"room": "behind", "name": "Citizen", "password": PASSWORD})
        assert citizen.code(r) == "ok", r
        assert r["result"]["role"] == "guest"
        # The attacker's neighbour behind the same address, right password: held back with it.
        neighbour = await Raw(p.ws_url, "127.0.0.9", **p.ws_kw()).connect()
        r = await neighbour.call("join", {"room": "behind", "name": "Neighbour", "password": PASSWORD})
        assert neighbour.code(r) == "rate_limited", r
        for c in (neighbour, citizen, host):
            await c.close()

    run(body(), 60)
    assert p.plenum.alive()


@pytest.mark.parametrize("trusted", [True, False], ids=["with-trusted-proxy", "without-trusted-proxy"])
def test_forged_forwarded_for_is_not_believed(start_server, trusted):
    """A client that connects to plenum itself and names a new address in X-Forwarded-For on every
    connection stays one address group: held back after its free guesses. With --trusted-proxy the
    client (127.0.0.9) is not a proxy; without it nobody is, not even loopback (127.0.0.1)."""
    args = ["--trusted-proxy", "127.0.0.1/32"] if trusted else []
    srv = start_server(args=args)
    source = "127.0.0.9" if trusted else "127.0.0.1"

    async def body():
        host = await host_with_password(srv.ws_url, "forged")
        codes = await guess_until_held(srv.ws_url, "forged", source,
                                       fresh_headers=lambda i: {"X-Forwarded-For": f"198.51.100.{i + 1}"})
        assert "rate_limited" in codes, codes
        await host.close()

    run(body(), 60)
    assert srv.alive()


def test_forwarded_for_is_read_from_a_trusted_proxy(start_server):
    """The control of the test above: from the trusted address the same rotating header is
    believed — every guess a new address group, none held back (the room's budget is 30)."""
    srv = start_server(args=["--trusted-proxy", "127.0.0.1/32"])

    async def body():
        host = await host_with_password(srv.ws_url, "believed")
        codes = []
        for i in range(8):
            c = await Raw(srv.ws_url, "127.0.0.1", extra_headers={"X-Forwarded-For": f"198.51.100.{i + 1}"}).connect()
            r = await c.call("join", {"room": "believed", "name": "A", "password": f"wrong{i}"})
            codes.append(c.code(r))
            await c.close()
        assert codes == ["password_wrong"] * 8, codes
        await host.close()

    run(body(), 60)
    assert srv.alive()


def test_metrics_judged_by_the_forwarded_address(proxied):
    """--metrics-allow 127.0.0.1/32: nginx's machine may read /metrics; a visitor at 127.0.0.9
    through nginx may not, even when it claims 127.0.0.1 in X-Forwarded-For."""
    p = proxied()
    assert p.get("/metrics", "127.0.0.9")[0] == 403
    assert p.get("/metrics", "127.0.0.9", {"X-Forwarded-For": "127.0.0.1"})[0] == 403
    status, text = p.get("/metrics", "127.0.0.1")
    assert status == 200 and b"plenum_connections" in text
    # straight to plenum: the local scraper without a header is judged by its own address
    status, text = direct_get(p.plenum, "/metrics")
    assert status == 200 and b'plenum_forwarded_for_fallback_total{reason="absent"}' in text
    # a request from the trusted address whose X-Forwarded-For cannot be read is refused
    assert direct_get(p.plenum, "/metrics", headers={"X-Forwarded-For": "garbage"})[0] == 403
    # pages pass through nginx with plenum's headers and nginx's HSTS
    status, page = p.get("/", "127.0.0.9")
    assert status == 200 and b"<html" in page


def test_origin_behind_tls_termination(proxied):
    """Browsers on https://plenum.test:PORT open the WebSocket through nginx (plenum serves plain
    HTTP and learns the scheme from X-Forwarded-Proto); a foreign origin is refused; a client that
    sends X-Forwarded-Proto to plenum itself does not change the scheme plenum compares."""
    p = proxied()

    async def body():
        ok = await Raw(p.ws_url, "127.0.0.9", **p.ws_kw(origin=p.origin)).connect()
        await ok.close()
        with pytest.raises(websockets.InvalidHandshake):
            await Raw(p.ws_url, "127.0.0.9", **p.ws_kw(origin="https://evil.test")).connect()
        with pytest.raises(websockets.InvalidHandshake):   # the right name with the wrong scheme
            await Raw(p.ws_url, "127.0.0.9", **p.ws_kw(origin=f"http://plenum.test:{p.port}")).connect()
        # straight to plenum, Host as nginx would pass it on
        direct = f"ws://plenum.test:{p.port}/ws"
        kw = dict(host="127.0.0.1", port=p.plenum.port, origin=p.origin,
                  extra_headers={"X-Forwarded-Proto": "https"})
        with pytest.raises(websockets.InvalidHandshake):
            await Raw(direct, "127.0.0.9", **kw).connect()
        # the control: the same request from the trusted address is believed
        ok = await Raw(direct, "127.0.0.1", **kw).connect()
        await ok.close()

    run(body(), 30)
    assert p.plenum.alive()


def test_per_address_connection_cap_behind_nginx(proxied):
    """--max-connections-per-ip 3: behind nginx every connection comes from 127.0.0.1, which the
    cap exempts at accept; after the request headers each counts for the client nginx names. The
    fourth WebSocket from 127.0.0.11 is refused; 127.0.0.12 still gets in."""
    p = proxied(["--max-connections-per-ip", "3"])

    async def body():
        held = [await Raw(p.ws_url, "127.0.0.11", **p.ws_kw()).connect() for _ in range(3)]
        with pytest.raises((websockets.InvalidHandshake, ConnectionError, OSError)):
            await Raw(p.ws_url, "127.0.0.11", **p.ws_kw()).connect()
        other = await Raw(p.ws_url, "127.0.0.12", **p.ws_kw()).connect()
        for c in held + [other]:
            await c.close()
        # once they are gone, 127.0.0.11 may connect again
        await asyncio.sleep(0.5)
        again = await Raw(p.ws_url, "127.0.0.11", **p.ws_kw()).connect()
        await again.close()

    run(body(), 30)
    _, text = p.get("/metrics", "127.0.0.1")
    assert b'plenum_connections_refused_total{reason="per_ip"} 1' in text, text
    assert p.plenum.alive()


def tls_get(p, path, headers=None):
    """GET through nginx: (status, {header: value} lower-cased, body with any chunking undone)."""
    return p.request(path, headers=headers)


def test_compression_and_validators_pass_through_nginx(proxied):
    """nginx with gzip on for every text type passes plenum's compressed files, entity tags,
    304s and long-lived caching through as they are: nothing compressed twice, no tag weakened."""
    p = proxied()
    with open(os.path.join(ROOT, "web", "assets", "js", "session.js"), "rb") as f:
        want = f.read()
    direct = http.client.HTTPConnection("127.0.0.1", p.plenum.port, timeout=10)
    direct.request("GET", "/assets/js/session.js", headers={"Accept-Encoding": "gzip"})
    tag = dict((k.lower(), v) for k, v in direct.getresponse().getheaders())["etag"]
    direct.close()
    s, h, body = tls_get(p, "/assets/js/session.js", {"Accept-Encoding": "gzip"})
    assert s == 200 and h.get("content-encoding") == "gzip" and gzip.decompress(body) == want, h
    assert h.get("etag") == tag, f"nginx changed the entity tag: {h.get('etag')} for {tag}"
    assert "accept-encoding" in h.get("vary", "").lower()
    s, h, body = tls_get(p, "/assets/js/session.js", {"Accept-Encoding": "br, gzip"})
    assert s == 200 and h.get("content-encoding") == "br" and not body.startswith(b"\x1f\x8b"), h
    s, h, body = tls_get(p, "/assets/js/session.js", {"Accept-Encoding": "gzip", "If-None-Match": tag})
    assert s == 304 and body == b"", (s, h)
    status, _, page = tls_get(p, "/some-room")
    m = re.search(rb'"/assets/v/([0-9a-f]{12})/js/room\.js"', page)
    assert status == 200 and m, "the room page names its modules under /assets/v/<version>/"
    s, h, _ = tls_get(p, f"/assets/v/{m.group(1).decode()}/js/room.js", {"Accept-Encoding": "gzip"})
    assert s == 200 and h.get("cache-control") == "public, max-age=31536000, immutable", h
    assert "content-security-policy" in h and h.get("content-encoding") == "gzip"
