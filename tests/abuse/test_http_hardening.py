"""Smaller gaps of the HTTP edge (issue 7, finding 8): HEAD answered like GET without a body,
Permissions-Policy on every response, Strict-Transport-Security over TLS only, no TLS 1.2 CBC suites,
and /metrics only for the --metrics-allow ranges (by the TCP peer, not by a forwarded-for header).
Loopback only; the TLS server runs on a throwaway self-signed certificate."""
import os
import signal
import socket
import ssl
import subprocess
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def request(port, method, path, src="127.0.0.1", extra=(), wrap=None):
    """One request with Connection: close; (status, {header: value}, body bytes)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(src, 0))
    if wrap:
        s = wrap(s)
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"] + list(extra)
    s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ssl.SSLError, ConnectionResetError):
        pass
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1.1 "), data[:100]
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return int(lines[0][9:12]), headers, body


def test_head_is_answered_like_get_without_a_body(server):
    for path in ("/", "/assets/js/protocol.js", "/healthz", "/some-room"):
        gs, gh, gb = request(server.port, "GET", path)
        hs, hh, hb = request(server.port, "HEAD", path)
        assert gs == 200 and hs == 200, (path, gs, hs)
        assert hb == b"", f"HEAD {path} sent a body of {len(hb)} bytes"
        assert hh.get("content-length") == gh.get("content-length") == str(len(gb)), (path, gh, hh)
        assert hh.get("content-type") == gh.get("content-type"), path
    assert request(server.port, "HEAD", "/nothing/here")[0] == 404


def test_permissions_policy_and_no_hsts_on_plain_http(server):
    for path in ("/", "/healthz", "/nothing/here"):
        _, h, _ = request(server.port, "GET", path)
        pp = h.get("permissions-policy", "")
        for allowed in ("camera=(self)", "microphone=(self)", "display-capture=(self)"):
            assert allowed in pp, (path, pp)
        assert "geolocation=()" in pp and "payment=()" in pp, pp
        assert "strict-transport-security" not in h, f"HSTS over plain HTTP on {path}"


def test_metrics_only_from_allowed_addresses(start_server):
    srv = start_server(args=["--metrics-allow", "127.0.0.2/32"])
    status, _, _ = request(srv.port, "GET", "/metrics", src="127.0.0.1")
    assert status == 403
    status, _, _ = request(srv.port, "GET", "/metrics", src="127.0.0.1", extra=["X-Forwarded-For: 127.0.0.2"])
    assert status == 403, "a forwarded-for header opened /metrics"
    status, _, body = request(srv.port, "GET", "/metrics", src="127.0.0.2")
    assert status == 200 and b"plenum_rooms" in body
    assert request(srv.port, "GET", "/healthz", src="127.0.0.1")[0] == 200


def test_metrics_default_is_loopback(server):
    status, _, body = request(server.port, "GET", "/metrics", src="127.0.0.9")
    assert status == 200 and b"plenum_connections_refused_total" in body


@pytest.fixture
def tls_server():
    """A plenum serving HTTPS on a throwaway self-signed certificate (stopped afterwards)."""
    tmp = tempfile.mkdtemp(prefix="plenum-tls-")
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"],
                   check=True, capture_output=True)
    binary = os.environ.get("PLENUM_BIN", os.path.join(ROOT, "build", "plenum"))
    if not os.path.isabs(binary):
        binary = os.path.join(ROOT, binary)
    port, media_port = free_port(socket.SOCK_STREAM), free_port(socket.SOCK_DGRAM)
    log_path = os.path.join(tmp, "server.log")
    log = open(log_path, "wb")
    proc = subprocess.Popen([binary, "--listen", f"127.0.0.1:{port}", "--media-port", str(media_port),
                             "--cert", cert, "--key", key, "--log-level", "debug"], cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    deadline = time.monotonic() + 15
    while True:
        assert proc.poll() is None, open(log_path).read()
        try:
            if request(port, "GET", "/healthz", wrap=lambda s: ctx.wrap_socket(s))[0] == 200:
                break
        except (OSError, AssertionError):
            pass
        assert time.monotonic() < deadline, "the TLS server did not come up"
        time.sleep(0.2)
    yield port, ctx
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()
    text = open(log_path, errors="replace").read()
    assert proc.returncode == 0 and "Sanitizer" not in text, text[-3000:]


def test_hsts_over_tls(tls_server):
    port, ctx = tls_server
    status, h, _ = request(port, "GET", "/", wrap=lambda s: ctx.wrap_socket(s))
    assert status == 200
    assert h.get("strict-transport-security", "").startswith("max-age="), h
    assert "camera=(self)" in h.get("permissions-policy", "")


def tls12(port, ciphers):
    """Handshakes TLS 1.2 offering only `ciphers`; the suite chosen, or None when refused."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers(ciphers)
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        t = ctx.wrap_socket(s)
        name = t.cipher()[0]
        t.close()
        return name
    except (ssl.SSLError, ConnectionResetError):
        s.close()
        return None


def test_tls12_cbc_suites_are_refused(tls_server):
    port, _ = tls_server
    for cbc in ("ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA256",
                "AES128-SHA"):
        assert tls12(port, cbc) is None, f"TLS 1.2 with {cbc} was accepted"
    assert tls12(port, "ECDHE-ECDSA-AES128-GCM-SHA256") == "ECDHE-ECDSA-AES128-GCM-SHA256"
    assert tls12(port, "ECDHE-ECDSA-CHACHA20-POLY1305") == "ECDHE-ECDSA-CHACHA20-POLY1305"


def test_origin_scheme_over_tls(tls_server):
    """Over TLS the server's own origin is https://HOST:PORT; an http:// Origin is another site."""
    port, ctx = tls_server

    def upgrade(origin):
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5))
        s.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                   f"Sec-WebSocket-Protocol: plenum.v1\r\nOrigin: {origin}\r\n\r\n").encode())
        try:
            head = s.recv(4096)
        except (ssl.SSLError, ConnectionResetError, socket.timeout):
            head = b""
        s.close()
        return head[9:12] == b"101"

    assert upgrade(f"https://127.0.0.1:{port}")
    assert not upgrade(f"http://127.0.0.1:{port}")
