"""The ICE-TCP port (--media-tcp-port) against outsiders: connections that never send a byte, from
one address and from many; first bytes that are not ICE; a check that names no participant; a frame
over RFC 4571's bound of 4,096 bytes; every link slot taken by checks for nobody. plenum closes each by the bound that names it, counts it per
reason in /metrics, and still takes a connection from another address while one address sits at its
cap. Loopback only (many source addresses of 127.0.0.0/8); every step bounded in count and time."""
import os
import select
import socket
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "interop"))

from conftest import free_port  # noqa: E402
from plenum_client import metrics_text, parse_metrics  # noqa: E402
from test_connections import raise_own_fd_limit  # noqa: E402

# src/peer/tcp_accept.h, src/peer/demux.h and src/sfu/sfu_internal.h
LINKS_MAX = 1024
EVICT_AGE_S = 1
PENDING_MAX = 256
PENDING_PER_ADDR = 16
FIRST_BYTES_S = 5
UNBOUND_S = 10


def refused(srv):
    m = parse_metrics(metrics_text(srv))
    out = {}
    for (name, labels), v in m.items():
        if name == "plenum_media_tcp_refused_total":
            out[dict(labels)["reason"]] = v
    assert set(out) == {"limit", "pending", "timeout", "not_ice", "unbound", "evicted", "bad_framing"}, out
    out["links"] = m[("plenum_media_tcp_links", ())]
    return out


def wait_for(what, cond, timeout):
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.1)


def media_tcp_server(start_server):
    port = free_port(socket.SOCK_STREAM)
    srv = start_server(args=["--media-tcp-port", str(port)])
    return srv, port


def connect_from(src, port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(src, 0))
    s.setblocking(False)
    return s


def closed_by_server(s):
    """True once the server closed s (EOF or reset); False while it is open and silent."""
    p = select.poll()                # select() cannot take fds past 1,023
    p.register(s, select.POLLIN)
    if not p.poll(0):
        return False
    try:
        return s.recv(65536) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except BlockingIOError:
        return False


def stun_check(ufrag):
    """An RFC 4571-framed STUN Binding request whose USERNAME starts with ufrag (a check for it)."""
    user = f"{ufrag}:browser".encode()
    attr = struct.pack("!HH", 0x0006, len(user)) + user + b"\0" * (-len(user) % 4)
    msg = struct.pack("!HHI", 0x0001, len(attr), 0x2112A442) + os.urandom(12) + attr
    return struct.pack("!H", len(msg)) + msg


def test_silent_connections_capped_per_address(start_server):
    """40 connections from one address that send nothing: 16 wait for their first bytes, 24 are
    closed at once; another address still gets in; the 16 (and it) are closed after 5 s."""
    raise_own_fd_limit()
    srv, port = media_tcp_server(start_server)
    socks = [connect_from("127.0.0.50", port) for _ in range(40)]
    wait_for("24 refused for the per-address cap", lambda: refused(srv)["pending"] == 40 - PENDING_PER_ADDR, 10)
    other = connect_from("127.0.0.51", port)
    n_closed = lambda: sum(closed_by_server(s) for s in socks)  # noqa: E731
    wait_for("the refused connections closed", lambda: n_closed() >= 40 - PENDING_PER_ADDR, 5)
    if refused(srv)["timeout"] == 0:    # none timed out yet: exactly the refused ones are closed
        assert n_closed() == 40 - PENDING_PER_ADDR, n_closed()
    assert not closed_by_server(other), "another address was refused while one address sat at its cap"
    assert refused(srv)["pending"] == 40 - PENDING_PER_ADDR, "the other address was counted as refused"
    t0 = time.monotonic()
    wait_for("the silent connections closed after their first-bytes time",
             lambda: all(closed_by_server(s) for s in socks + [other]), FIRST_BYTES_S + 10)
    waited = time.monotonic() - t0
    r = refused(srv)
    print(f"media TCP: 40 silent from one address + 1 from another → refused {r}, the rest closed {waited:.1f} s later")
    assert r["timeout"] == PENDING_PER_ADDR + 1, r
    assert r["pending"] == 40 - PENDING_PER_ADDR, r
    for s in socks + [other]:
        s.close()
    assert srv.alive()


def test_silent_connections_capped_in_all(start_server):
    """16 silent connections from each of 20 addresses (320): 256 wait, 64 are refused."""
    raise_own_fd_limit()
    srv, port = media_tcp_server(start_server)
    socks = [connect_from(f"127.0.1.{a}", port) for a in range(1, 21) for _ in range(PENDING_PER_ADDR)]
    wait_for("the total cap refused the rest", lambda: refused(srv)["pending"] == len(socks) - PENDING_MAX, 10)
    if refused(srv)["timeout"] == 0:
        assert sum(not closed_by_server(s) for s in socks) == PENDING_MAX
    wait_for("all closed after their first-bytes time", lambda: all(closed_by_server(s) for s in socks), FIRST_BYTES_S + 15)
    r = refused(srv)
    print(f"media TCP: 320 silent from 20 addresses → refused {r}")
    assert r["pending"] == len(socks) - PENDING_MAX and r["timeout"] == PENDING_MAX, r
    for s in socks:
        s.close()
    assert srv.alive()


def test_not_ice_unbound_and_oversized(start_server):
    """First bytes that are not ICE: closed at once. A check for a ufrag no participant has: taken
    by a media worker, closed after 10 s without a valid check. A frame announcing more than 4,096
    bytes after a check: closed at once."""
    srv, port = media_tcp_server(start_server)
    http = connect_from("127.0.0.60", port)
    http.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    wait_for("a non-ICE connection closed", lambda: closed_by_server(http), 5)
    assert refused(srv)["not_ice"] == 1

    stray = connect_from("127.0.0.61", port)
    stray.sendall(stun_check("Anobodyhere"))                # worker 0's alphabet letter, no such transport
    big = connect_from("127.0.0.62", port)
    big.sendall(stun_check("Anobodyelse") + struct.pack("!H", 0xFFFF) + b"\0" * 64)
    wait_for("the oversized frame closed", lambda: closed_by_server(big), 5)
    assert refused(srv)["bad_framing"] == 1
    assert not closed_by_server(stray), "an unbound link closed before its time"
    t0 = time.monotonic()
    wait_for("the unbound link closed", lambda: closed_by_server(stray), UNBOUND_S + 10)
    r = refused(srv)
    print(f"media TCP: not ICE, oversized frame, unbound link (closed {time.monotonic() - t0:.1f} s after) → {r}")
    assert r["unbound"] == 1 and r["not_ice"] == 1 and r["bad_framing"] == 1, r
    for s in (http, stray, big):
        s.close()
    assert srv.alive()


def test_links_for_nobody_make_room(start_server):
    """1,024 links (the limit) whose checks name no participant: a newcomer is not refused; the
    oldest such link that had a second to carry a valid check is closed for it."""
    raise_own_fd_limit()
    port = free_port(socket.SOCK_STREAM)
    srv = start_server(args=["--media-tcp-port", str(port)], nofile=4096)
    socks = []
    for i in range(LINKS_MAX):
        s = connect_from(f"127.0.2.{1 + i // PENDING_PER_ADDR}", port)
        s.sendall(stun_check(f"Astray{i}"))
        socks.append(s)
    wait_for("every link slot taken", lambda: refused(srv)["links"] == LINKS_MAX, 10)
    time.sleep(EVICT_AGE_S + 0.5)    # the strays are now old enough to be closed for newcomers
    before = refused(srv)
    newcomers = []
    for i in range(8):
        s = connect_from("127.0.3.1", port)
        s.sendall(stun_check(f"Anewcomer{i}"))
        newcomers.append(s)
    r = wait_for("the newcomers taken", lambda: (lambda x: x if x["evicted"] + x["unbound"] - before["evicted"] - before["unbound"] >= 8 else None)(refused(srv)), 10)
    print(f"media TCP: {LINKS_MAX} links for nobody, then 8 newcomers → {r}")
    assert r["limit"] == 0, f"a newcomer was refused at the limit: {r}"
    if before["unbound"] == r["unbound"]:         # no stray reached its 10 s in the meantime
        assert r["evicted"] == 8, r
    assert not any(closed_by_server(s) for s in newcomers), "a newcomer was closed instead of a stray"
    for s in socks + newcomers:
        s.close()
    assert srv.alive()
