"""Several towns on one plenum, over real HTTP and WebSockets: each host name gets its tenant's
site.json, colours, logo and frame-ancestors; an unknown host name a 404 page; the same room name
on two host names is two rooms; host tokens (JWTs signed here with hmac/hashlib and python3-cryptography,
independently of plenum's code) make hosts and guests, and every bad token gets its own error code;
with open-rooms = token a guest waits until the host arrives."""
import asyncio
import base64
import hashlib
import hmac
import http.client
import json
import os
import time

import pytest

from helpers import run
from plenum_client import PlenumClient, http_get, parse_metrics

SECRET_BUEHL = b"buehl-portal-secret-0123456789abcdef-xyz"
SECRET_BRUSL = b"bruchsal-portal-secret-0123456789abcdef-q"
LOGO = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4" fill="#7a1f2b"/></svg>'


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(claims, secret, header=None):
    head = b64url(json.dumps(header or {"alg": "HS256", "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims).encode())
    sig = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(sig)}"


def claims(**kw):
    c = {"aud": "buehl", "room": "rat", "role": "host", "name": "Bürgermeisterin", "exp": int(time.time()) + 600}
    c.update(kw)
    return {k: v for k, v in c.items() if v is not None}


@pytest.fixture
def towns(start_server, tmp_path):
    def secret(name, data):
        p = tmp_path / name
        p.write_bytes(data + b"\n")
        os.chmod(p, 0o600)
        return p
    logo = tmp_path / "buehl.svg"
    logo.write_bytes(LOGO)
    conf = tmp_path / "towns.conf"
    conf.write_text(f"""
[tenant buehl]
hosts = palim.test
name = Palim! Palim!
logo = {logo}
color = #7a1f2b
language = de
welcome = Willkommen bei Palim! Palim!
imprint-url = https://www.buehl.example/impressum
embed-origins = https://www.buehl.example
token-secret-file = {secret('buehl.secret', SECRET_BUEHL)}
open-rooms = token
max-rooms = 3

[tenant bruchsal]
hosts = brusl.test
name = Brusl babbld
color = #00594f
token-secret-file = {secret('brusl.secret', SECRET_BRUSL)}
""")
    return start_server(args=["--config", str(conf)])


def get(server, host, path):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", path, headers={"Host": f"{host}:{server.port}"})
    r = conn.getresponse()
    body = r.read()
    headers = r.getheaders()
    conn.close()
    return r.status, headers, body


def client(server, host, name):
    return PlenumClient(f"ws://{host}:{server.port}/ws", name, audio=False, video=False, connect_host="127.0.0.1")


async def joined(c, room, **extra):
    await c.connect()
    await c.hello()
    return await c.call("join", {"room": room, "name": c.name, **extra})


def test_each_host_name_gets_its_town(towns):
    status, headers, body = get(towns, "palim.test", "/assets/site.json")
    assert status == 200
    site = json.loads(body)
    assert site["tenant"] == "buehl" and site["name"] == "Palim! Palim!" and site["language"] == "de"
    assert site["logo_url"] == "/assets/brand/logo" and site["open_rooms"] == "token"
    assert site["imprint_url"] == "https://www.buehl.example/impressum"
    assert site["welcome"] == "Willkommen bei Palim! Palim!"
    csp = [v for k, v in headers if k.lower() == "content-security-policy"]
    assert "frame-ancestors https://www.buehl.example" in csp, csp
    site2 = json.loads(get(towns, "brusl.test", "/assets/site.json")[2])
    assert site2["tenant"] == "bruchsal" and site2["name"] == "Brusl babbld" and site2["logo_url"] == ""
    # colours, logo, and who may frame the pages
    assert b"--brand: #7a1f2b;" in get(towns, "palim.test", "/assets/css/brand.css")[2]
    assert b"--brand: #00594f;" in get(towns, "brusl.test", "/assets/css/brand.css")[2]
    status, headers, body = get(towns, "palim.test", "/assets/brand/logo")
    assert status == 200 and body == LOGO and ("Content-Type", "image/svg+xml") in headers or \
        dict((k.lower(), v) for k, v in headers)["content-type"] == "image/svg+xml"
    assert get(towns, "brusl.test", "/assets/brand/logo")[0] == 404
    status, headers, _ = get(towns, "brusl.test", "/rat")
    assert status == 200
    assert "frame-ancestors 'none'" in [v for k, v in headers if k.lower() == "content-security-policy"]
    # an address no tenant has: a 404 page, and no WebSocket
    status, _, body = get(towns, "127.0.0.1", "/")
    assert status == 404 and b"This address is not served here" in body
    assert get(towns, "127.0.0.1", "/healthz")[0] == 200

    async def go():
        c = PlenumClient(towns.ws_url, "nobody", audio=False, video=False)
        with pytest.raises(Exception):
            await c.connect()
    run(go(), 20)


def test_same_room_name_on_two_host_names_is_two_rooms(towns):
    async def go():
        a = client(towns, "brusl.test", "Anna")
        b = client(towns, "brusl.test", "Ben")
        # buehl opens rooms by token only: its host comes with one
        c = client(towns, "palim.test", "Clara")
        try:
            ra = await joined(a, "rat")
            rb = await joined(b, "Rat")
            rc = await joined(c, "rat", token=hs256(claims(name="Clara"), SECRET_BUEHL))
            assert ra["result"]["room"] == rb["result"]["room"] == rc["result"]["room"] == "rat"
            await a.wait_event("participant_joined", lambda d: d.get("id") == rb["result"]["participant_id"], 10)
            await asyncio.sleep(1.0)
            seen_by_c = [d for _, n, d in c.events if n == "participant_joined"]
            assert seen_by_c == [], seen_by_c
            seen_by_a = {d["id"] for _, n, d in a.events if n == "participant_joined"}
            assert rc["result"]["participant_id"] not in seen_by_a
            status, body = http_get(towns.base + "/metrics")
            m = parse_metrics(body)
            assert m[("plenum_tenant_participants", (("tenant", "bruchsal"),))] == 2
            assert m[("plenum_tenant_participants", (("tenant", "buehl"),))] == 1
            assert m[("plenum_tenant_rooms", (("tenant", "buehl"),))] == 1
        finally:
            for x in (a, b, c):
                await x.close()
    run(go(), 60)


def test_tokens_host_guest_and_every_refusal(towns):
    now = int(time.time())
    bad = {
        "token_expired": hs256(claims(exp=now - 120), SECRET_BUEHL),
        "token_not_yet_valid": hs256(claims(nbf=now + 600), SECRET_BUEHL),
        "token_signature": hs256(claims(), b"some-other-secret-of-the-same-length-0123"),
        "token_wrong_tenant": hs256(claims(aud="bruchsal"), SECRET_BRUSL),
        "token_algorithm": b64url(b'{"alg":"none","typ":"JWT"}') + "." + b64url(json.dumps(claims()).encode()) + ".",
        "token_malformed": "not-a-token",
        "token_wrong_room": hs256(claims(room="kulturausschuss"), SECRET_BUEHL),
        "token_claims": hs256(claims(role="mayor"), SECRET_BUEHL),
    }

    async def go():
        for code, token in bad.items():
            c = client(towns, "palim.test", "Eve")
            try:
                reply = await joined(c, "rat", token=token)
                assert reply.get("error", {}).get("code") == code, (code, reply)
                assert reply["error"]["message"]
            finally:
                await c.close()
        # an RS256 token for a tenant that only has an HS256 secret: no key confusion
        c = client(towns, "palim.test", "Eve")
        try:
            head = b64url(b'{"alg":"RS256","typ":"JWT"}')
            reply = await joined(c, "rat", token=f"{head}.{b64url(json.dumps(claims()).encode())}.{b64url(b'x' * 256)}")
            assert reply["error"]["code"] == "token_algorithm", reply
        finally:
            await c.close()
        host = client(towns, "palim.test", "ignored")
        guest = client(towns, "palim.test", "Gustav")
        try:
            rh = await joined(host, "rat", token=hs256(claims(room="*"), SECRET_BUEHL))
            assert rh["result"]["role"] == "host", rh
            rg = await joined(guest, "rat", token=hs256(claims(role="guest", name="Gast Gustav"), SECRET_BUEHL))
            assert rg["result"]["role"] == "guest", rg
            ev = await host.wait_event("participant_joined", lambda d: d.get("id") == rg["result"]["participant_id"], 10)
            assert ev[1]["name"] == "Gast Gustav"   # the token's name
            _, seen = await guest.wait_event("participant_joined", lambda d: d.get("id") == rh["result"]["participant_id"], 10)
            assert seen["name"] == "Bürgermeisterin" and seen["role"] == "host", seen
        finally:
            await host.close()
            await guest.close()
        # the tokens never reach the log
        assert "eyJ" not in towns.log_text()
    run(go(), 90)


def test_guests_wait_until_the_host_arrives(towns):
    async def go():
        g1 = client(towns, "palim.test", "Frau Meier")
        g2 = client(towns, "palim.test", "Herr Kaya")
        host = client(towns, "palim.test", "x")
        try:
            r1 = await joined(g1, "buergerfragestunde")
            assert r1["result"]["waiting"] is True and r1["result"]["reason"] == "not_started", r1
            assert r1["result"]["participant_id"] is None
            r2 = await joined(g2, "buergerfragestunde",
                              token=hs256(claims(room="buergerfragestunde", role="guest", name=None), SECRET_BUEHL))
            assert r2["result"]["reason"] == "not_started", r2
            await asyncio.sleep(0.5)
            assert not g1.find_event("joined")
            rh = await joined(host, "buergerfragestunde", token=hs256(claims(room="buergerfragestunde"), SECRET_BUEHL))
            assert rh["result"]["role"] == "host"
            for g in (g1, g2):
                ev = await g.wait_event("joined", timeout=10)
                assert ev[1]["role"] == "guest" and isinstance(ev[1]["participant_id"], int), ev
            await host.wait_event("participant_joined", lambda d: d.get("name") == "Herr Kaya", 10)
            # once open, a guest enters at once
            g3 = client(towns, "palim.test", "Frau Schmitt")
            try:
                r3 = await joined(g3, "buergerfragestunde")
                assert isinstance(r3["result"]["participant_id"], int), r3
            finally:
                await g3.close()
        finally:
            for x in (g1, g2, host):
                if x.ws is not None and x.closed is None:
                    await x.call("leave")   # a host who leaves (not dropped) holds no seat
                await x.close()
        # a waiting guest who gives up leaves no room behind; the tenant's room limit holds
        waiting = []
        try:
            for i in range(3):
                w = client(towns, "palim.test", f"w{i}")
                waiting.append(w)
                r = await joined(w, f"raum-{i}")
                assert r["result"]["reason"] == "not_started", r
            w = client(towns, "palim.test", "w3")
            waiting.append(w)
            r = await joined(w, "raum-3")
            assert r["error"]["code"] == "rooms_full", r
        finally:
            for w in waiting:
                await w.close()
        await asyncio.sleep(0.5)
        m = parse_metrics(http_get(towns.base + "/metrics")[1])
        assert m[("plenum_tenant_rooms", (("tenant", "buehl"),))] == 0
        assert m[("plenum_tenant_rooms_refused_total", (("tenant", "buehl"),))] == 1
    run(go(), 90)
