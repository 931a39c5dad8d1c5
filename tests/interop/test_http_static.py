"""The web client over the wire (issue 9, item 5): files compressed as Accept-Encoding allows (gzip,
brotli; q=0 refuses; never png or woff2), strong ETags and Last-Modified with 304 on revalidation,
versioned asset URLs in the pages cached for good while unversioned ones revalidate, an unknown
version still served, a changed file seen at once, and nothing outside the web root, however the
path is spelled. Loopback only."""
import json
import ctypes
import gzip
import http.client
import os
import re
import shutil
import socket
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WEB = os.path.join(ROOT, "web")
IMMUTABLE = "public, max-age=31536000, immutable"
VERSIONED = re.compile(r'"/assets/v/([0-9a-f]{12})/js/room\.js"')


def get(server, path, headers=None, method="GET", conn=None):
    """(status, {header: value} lower-cased, body) over a fresh connection or `conn`."""
    c = conn or http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    c.request(method, path, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    if not conn:
        c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def raw_get(server, path):
    """A request line sent byte for byte (http.client would not send some of these paths)."""
    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nConnection: close\r\n\r\n".encode())
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except (socket.timeout, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head[9:12]) if head.startswith(b"HTTP/1.1 ") else 0
    return status, body


def unbrotli(data):
    """Brotli decoding through the system's libbrotlidec (no Python module needed)."""
    lib = ctypes.CDLL("libbrotlidec.so.1")
    out = ctypes.create_string_buffer(4 << 20)
    size = ctypes.c_size_t(len(out))
    ok = lib.BrotliDecoderDecompress(ctypes.c_size_t(len(data)), data, ctypes.byref(size), out)
    assert ok == 1, "not a valid brotli stream"
    return out.raw[:size.value]


def web_file(rel):
    with open(os.path.join(WEB, rel), "rb") as f:
        return f.read()


def version(server):
    _, _, body = get(server, "/some-room")
    m = VERSIONED.search(body.decode())
    assert m, "room.html names room.js under /assets/v/<version>/"
    return m.group(1)


def test_gzip_brotli_and_identity_as_accept_encoding_says(server):
    want = web_file("assets/js/session.js")
    s, h, body = get(server, "/assets/js/session.js", {"Accept-Encoding": "gzip"})
    assert s == 200 and h.get("content-encoding") == "gzip", h
    assert h.get("vary") == "Accept-Encoding" and int(h["content-length"]) == len(body)
    assert gzip.decompress(body) == want
    assert len(body) < len(want) / 3, f"gzip {len(body)} of {len(want)} bytes"
    s, h, body = get(server, "/assets/js/session.js", {"Accept-Encoding": "gzip, deflate, br"})
    assert h.get("content-encoding") == "br", h
    assert unbrotli(body) == want
    s, h, body = get(server, "/assets/js/session.js")
    assert s == 200 and "content-encoding" not in h and body == want, "no Accept-Encoding: identity"
    assert h.get("vary") == "Accept-Encoding"
    for ae, coding in [("gzip;q=0", None), ("br;q=0, gzip", "gzip"), ("gzip;q=0, br;q=0", None),
                       ("*;q=0", None), ("br;q=0, *", "gzip"), ("identity", None), ("GZIP;Q=0.5", "gzip"),
                       ("gzip;q=0.4, br;q=0.5", "br"), ("gzip;q=0.5, br;q=0.4", "gzip"), ("compress", None)]:
        _, h, body = get(server, "/assets/js/session.js", {"Accept-Encoding": ae})
        assert h.get("content-encoding") == coding, (ae, h.get("content-encoding"))
        assert (gzip.decompress(body) if coding == "gzip" else unbrotli(body) if coding == "br" else body) == want, ae


def test_head_reports_the_chosen_coding_without_a_body(server):
    _, g, gb = get(server, "/assets/css/plenum.css", {"Accept-Encoding": "gzip"})
    s, h, hb = get(server, "/assets/css/plenum.css", {"Accept-Encoding": "gzip"}, method="HEAD")
    assert s == 200 and hb == b"" and h.get("content-encoding") == "gzip"
    assert h["content-length"] == g["content-length"] == str(len(gb)) and h["etag"] == g["etag"]


def test_revalidation_with_if_none_match_and_if_modified_since(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    s, h, body = get(server, "/assets/js/room.js", {"Accept-Encoding": "gzip"}, conn=conn)
    etag, modified = h["etag"], h["last-modified"]
    assert re.fullmatch(r'"[0-9a-f]{20}-gz"', etag), etag
    assert h["cache-control"] == "no-cache", "an unversioned asset is revalidated"
    for inm in [etag, f"W/{etag}", f'"other", {etag}', "*"]:
        s, h304, body = get(server, "/assets/js/room.js", {"If-None-Match": inm, "Accept-Encoding": "gzip"}, conn=conn)
        assert s == 304 and body == b"", (inm, s)
        assert h304["etag"] == etag and h304["cache-control"] == "no-cache" and "content-encoding" not in h304
        assert "content-security-policy" in h304 and h304.get("x-content-type-options") == "nosniff"
    # the identity body has its own tag, and either tag validates the file
    _, hi, _ = get(server, "/assets/js/room.js", conn=conn)
    assert hi["etag"] != etag and hi["etag"] == etag.replace("-gz", "")
    assert get(server, "/assets/js/room.js", {"If-None-Match": etag}, conn=conn)[0] == 304
    s, _, body = get(server, "/assets/js/room.js", {"If-None-Match": '"stale"'}, conn=conn)
    assert s == 200 and body == web_file("assets/js/room.js")
    assert get(server, "/assets/js/room.js", {"If-Modified-Since": modified}, conn=conn)[0] == 304
    assert get(server, "/assets/js/room.js", {"If-Modified-Since": "Thu, 01 Jan 1998 00:00:00 GMT"}, conn=conn)[0] == 200
    assert get(server, "/assets/js/room.js", {"If-Modified-Since": "not a date"}, conn=conn)[0] == 200
    # If-None-Match decides when both are sent (RFC 9110 §13.2.2)
    assert get(server, "/assets/js/room.js", {"If-None-Match": '"stale"', "If-Modified-Since": modified}, conn=conn)[0] == 200
    # pages too: /<room> is room.html under any room name, revalidated with its tag
    s, hp, _ = get(server, "/room-a", conn=conn)
    assert hp["cache-control"] == "no-cache" and hp["etag"]
    assert get(server, "/room-b", {"If-None-Match": hp["etag"]}, conn=conn)[0] == 304
    assert get(server, "/", {"If-Modified-Since": get(server, "/", conn=conn)[1]["last-modified"]}, conn=conn)[0] == 304
    conn.close()


def test_versioned_urls_are_immutable_and_unknown_versions_still_served(server):
    v = version(server)
    _, _, index = get(server, "/")
    assert f'"/assets/v/{v}/css/plenum.css"' in index.decode() and '"/assets/css/' not in index.decode()
    s, h, body = get(server, f"/assets/v/{v}/js/room.js")
    assert s == 200 and h["cache-control"] == IMMUTABLE and body == web_file("assets/js/room.js")
    s, h, body = get(server, f"/assets/v/{v}/i18n/de.json", {"Accept-Encoding": "br"})
    assert s == 200 and h["cache-control"] == IMMUTABLE and unbrotli(body) == web_file("assets/i18n/de.json")
    # site.json is the tenant's (host name, configuration); the version covers the configuration
    _, h, body = get(server, f"/assets/v/{v}/site.json")
    assert h["cache-control"] == IMMUTABLE and h["content-type"] == "application/json"
    assert json.loads(body)["tenant"] == "default"
    # an old page after an upgrade: today's file, not cached for good under the old name
    for old in ["000000000000", "deadbeef", "x"]:
        s, h, body = get(server, f"/assets/v/{old}/js/room.js")
        assert s == 200 and h["cache-control"] == "no-cache" and body == web_file("assets/js/room.js"), old
    assert get(server, f"/assets/v/{v}/js/no-such-file.js")[0] == 404
    assert get(server, f"/assets/v/{v}")[0] == 404 and get(server, f"/assets/v/{v}/")[0] == 404
    # generated responses keep no-store
    assert get(server, "/healthz")[1]["cache-control"] == "no-store"


@pytest.fixture
def web_copy():
    """A copy of web/ in a temporary folder, with a secret next to it and links pointing at it."""
    tmp = tempfile.mkdtemp(prefix="plenum-web-")
    root = os.path.join(tmp, "web")
    shutil.copytree(WEB, root)
    with open(os.path.join(tmp, "secret.txt"), "w") as f:
        f.write("SECRET-OUTSIDE-THE-WEB-ROOT\n" * 20)
    os.symlink(os.path.join(tmp, "secret.txt"), os.path.join(root, "assets", "link.txt"))
    os.symlink(tmp, os.path.join(root, "assets", "up"))
    with open(os.path.join(root, "assets", ".hidden.js"), "w") as f:
        f.write("// SECRET-OUTSIDE-THE-WEB-ROOT hidden\n" * 20)
    # already compressed formats: text-like bytes that would shrink, never compressed again
    for name in ("font.woff2", "logo.png"):
        with open(os.path.join(root, "assets", name), "wb") as f:
            f.write(b"compressible " * 2000)
    yield root
    shutil.rmtree(tmp)


def test_the_live_page_of_a_room_and_nothing_else_below_live(server):
    v = version(server)
    s, h, body = get(server, "/live/gemeinderat")
    page = body.decode()
    assert s == 200 and h["content-type"].startswith("text/html") and h["cache-control"] == "no-cache", (s, h)
    assert f'"/assets/v/{v}/js/live.js"' in page and f'"/assets/v/{v}/css/live.css"' in page, page
    assert page == get(server, "/live/anderer-raum?lang=de")[2].decode()
    s, h, body = get(server, "/live/gemeinderat", method="HEAD")
    assert s == 200 and body == b"" and int(h["content-length"]) > 0
    s, _, body = get(server, f"/assets/v/{v}/js/live.js")
    assert s == 200 and body == web_file("assets/js/live.js")
    # a room named "live" keeps its meeting page; no deeper or empty path is a live page
    assert "/js/room.js" in get(server, "/live")[2].decode()
    for path in ["/live/", "/live/a/b", "/live/gemeinderat/", "/live/.hidden"]:
        assert get(server, path)[0] == 404, path


def test_no_path_reaches_outside_the_web_root(start_server, web_copy):
    srv = start_server(args=["--web-root", web_copy])
    v = version(srv)
    paths = ["/assets/../secret.txt", "/assets/../../secret.txt", "/assets/%2e%2e/secret.txt",
             "/assets/%2e%2e%2fsecret.txt", "/assets/js/..%2f..%2f..%2fsecret.txt", "/../secret.txt",
             "/assets/link.txt", f"/assets/v/{v}/link.txt", "/assets/up/secret.txt", f"/assets/v/{v}/up/secret.txt",
             f"/assets/v/{v}/../../secret.txt", f"/assets/v/{v}/%2e%2e/%2e%2e/secret.txt", "/assets/v/../../secret.txt",
             "/assets/v/%2e%2e/secret.txt", "/assets//secret.txt", "/assets/.hidden.js", f"/assets/v/{v}/.hidden.js",
             "/assets/v/.x/js/room.js", "/assets/%00/secret.txt", "/assets/js/room.js%00.txt", "/%2e%2e/secret.txt",
             "/assets/\\..\\secret.txt", f"/assets/v/{v}/js/../../../secret.txt"]
    for path in paths:
        status, body = raw_get(srv, path)
        # a refusal is a 4xx, the room page (lws folds "/assets/../x" to "/x") or a closed connection
        assert b"SECRET-OUTSIDE" not in body, f"{path} served a file outside the web root"
        assert status in (0, 200, 400, 403, 404), (path, status)
    for path in ["/assets/link.txt", f"/assets/v/{v}/link.txt", "/assets/up/secret.txt", "/assets/.hidden.js",
                 f"/assets/v/{v}/.hidden.js"]:
        assert raw_get(srv, path)[0] == 404, path
    assert srv.alive() and get(srv, f"/assets/v/{v}/js/room.js")[0] == 200


def test_compressed_formats_are_sent_as_they_are(start_server, web_copy):
    srv = start_server(args=["--web-root", web_copy])
    for name in ("font.woff2", "logo.png"):
        s, h, body = get(srv, f"/assets/{name}", {"Accept-Encoding": "gzip, br"})
        assert s == 200 and "content-encoding" not in h and "vary" not in h, (name, h)
        assert len(body) == 26000 and h["etag"], name


def test_a_changed_file_is_served_and_moves_the_version(start_server, web_copy):
    srv = start_server(args=["--web-root", web_copy])
    v1 = version(srv)
    _, h1, _ = get(srv, "/some-room")
    path = os.path.join(web_copy, "assets", "js", "names.js")
    with open(path, "a") as f:
        f.write("\n// changed while running\n")
    deadline = time.monotonic() + 10
    while version(srv) == v1:
        assert time.monotonic() < deadline, "the page still names the old version 10 s after a file changed"
        time.sleep(0.3)
    v2 = version(srv)
    s, h, body = get(srv, f"/assets/v/{v2}/js/names.js")
    assert s == 200 and body.endswith(b"// changed while running\n") and h["cache-control"] == IMMUTABLE
    assert get(srv, "/some-room", {"If-None-Match": h1["etag"]})[0] == 200, "the old page's tag no longer validates"
    # a file that is gone is gone
    os.unlink(path)
    deadline = time.monotonic() + 10
    while get(srv, "/assets/js/names.js")[0] != 404:
        assert time.monotonic() < deadline, "a deleted file is still served 10 s later"
        time.sleep(0.3)
