"""Cross-site WebSocket hijacking and DNS rebinding (issue 7, finding 1): the upgrade to plenum.v1 is
refused unless Origin names this server by scheme, host and port (or a configured --allowed-origin),
a header too long to check is refused rather than ignored, and with --server-name configured a Host
naming another site is refused. Raw sockets on loopback, one handshake per case."""
import base64
import json
import os
import socket
import struct

KEY = base64.b64encode(os.urandom(16)).decode()


def upgrade(port, host, origin=None, extra=()):
    """Sends a WebSocket upgrade for /ws; returns (status code or 0 when closed unanswered, socket)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    lines = ["GET /ws HTTP/1.1", f"Host: {host}", "Upgrade: websocket", "Connection: Upgrade",
             f"Sec-WebSocket-Key: {KEY}", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Protocol: plenum.v1"]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    lines += list(extra)
    s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    head = b""
    try:
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                break
            head += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    if not head.startswith(b"HTTP/1.1 "):
        s.close()
        return 0, None
    return int(head[9:12]), s


def refused(port, host, origin=None):
    status, s = upgrade(port, host, origin)
    if s:
        s.close()
    return status != 101


def ws_hello(s):
    """One masked text frame with hello; the reply's JSON."""
    payload = json.dumps({"id": 1, "method": "hello", "params": {"version": 1}}).encode()
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    s.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)
    head = s.recv(2)
    n = head[1] & 0x7F
    if n == 126:
        n = struct.unpack("!H", s.recv(2))[0]
    body = b""
    while len(body) < n:
        body += s.recv(n - len(body))
    return json.loads(body)


def test_origin_longer_than_the_buffer_is_refused(server):
    host = f"127.0.0.1:{server.port}"
    origin = "http://" + "a" * 250 + ".example:" + str(server.port)   # 300 characters, a valid name
    assert len(origin) >= 260
    assert refused(server.port, host, origin), "an Origin too long to check was accepted"
    assert server.alive()


def test_https_origin_on_the_plain_http_port_is_refused(server):
    host = f"127.0.0.1:{server.port}"
    assert refused(server.port, host, f"https://127.0.0.1:{server.port}")


def test_foreign_origin_and_wrong_port_are_refused(server):
    host = f"127.0.0.1:{server.port}"
    assert refused(server.port, host, f"http://evil.example:{server.port}")
    assert refused(server.port, host, f"http://127.0.0.1:{server.port + 1}")
    assert refused(server.port, host, "http://127.0.0.1")          # port 80 by default
    assert refused(server.port, host, "null")
    assert refused(server.port, host, f"http://127.0.0.1:{server.port}/path")


def test_own_origin_is_accepted_and_says_hello(server):
    host = f"127.0.0.1:{server.port}"
    for origin in (f"http://127.0.0.1:{server.port}", f"HTTP://127.0.0.1:{server.port}", None):
        status, s = upgrade(server.port, host, origin)
        assert status == 101, f"origin {origin!r}: status {status}"
        reply = ws_hello(s)
        s.close()
        assert reply.get("result", {}).get("server") == "plenum", reply


def test_allowed_origin_flag(start_server):
    srv = start_server(args=["--allowed-origin", "https://meet.example.org"])
    host = f"127.0.0.1:{srv.port}"
    status, s = upgrade(srv.port, host, "https://meet.example.org")
    assert status == 101
    assert ws_hello(s)["result"]["server"] == "plenum"
    s.close()
    assert refused(srv.port, host, "http://meet.example.org")      # scheme differs
    assert refused(srv.port, host, "https://meet.example.org:8443")  # port differs


def test_foreign_host_is_refused_when_server_names_are_configured(start_server):
    srv = start_server(args=["--server-name", "meet.example.org"])
    port = srv.port
    origin_of = lambda h: f"http://{h}"   # noqa: E731
    # a rebound name: Host and Origin agree with each other, not with this server
    assert refused(port, f"evil.example:{port}", origin_of(f"evil.example:{port}"))
    assert refused(port, f"evil.example:{port}")
    status, s = upgrade(port, f"meet.example.org:{port}", origin_of(f"meet.example.org:{port}"))
    assert status == 101
    s.close()
    status, s = upgrade(port, f"MEET.example.org:{port}")
    assert status == 101
    s.close()
    status, s = upgrade(port, f"127.0.0.1:{port}", origin_of(f"127.0.0.1:{port}"))
    assert status == 101, "the listen address stays accepted"
    s.close()


def test_names_are_refused_in_host_by_default(server):
    """Without --server-name a DNS name in Host is refused (rebinding); IP literals and localhost pass."""
    port = server.port
    assert refused(port, f"evil.example:{port}", f"http://evil.example:{port}")
    status, s = upgrade(port, f"localhost:{port}", f"http://localhost:{port}")
    assert status == 101
    s.close()


def test_plain_http_checks_host_too(start_server):
    srv = start_server(args=["--server-name", "meet.example.org"])
    for path, host, want in (("/", f"evil.example:{srv.port}", 421), ("/", f"meet.example.org:{srv.port}", 200),
                             ("/metrics", f"evil.example:{srv.port}", 421), ("/", "x" * 300, 421),
                             ("/healthz", f"lb-internal.example:{srv.port}", 200)):
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        assert data.startswith(f"HTTP/1.1 {want}".encode()), (path, host, data[:80])
