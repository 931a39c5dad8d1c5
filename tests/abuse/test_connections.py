"""File descriptors (issue 7, finding 3): a server under a low fd limit (RLIMIT_NOFILE 256, as a small
systemd LimitNOFILE) flooded with 600 idle TCP connections — from one address, then from sixty —
keeps answering /healthz and a legitimate client on another address, logs a bounded amount, does not
spin on accept, and closes a WebSocket that never says hello. Loopback only; every step bounded."""
import asyncio
import os
import resource
import socket
import sys
import time

import websockets

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "interop"))

from helpers import run  # noqa: E402
from plenum_client import SUBPROTOCOL, PlenumClient, parse_metrics  # noqa: E402

FLOOD = 600
NOFILE = 256
LOG_GROWTH_MAX = 200_000       # bytes the server may log over one flood
IDLE_WINDOW = 3.0              # seconds of CPU sampling after a flood
LEGIT = "127.0.0.200"          # the legitimate user's address
MONITOR = "127.0.0.201"        # where /healthz and /metrics are fetched from


def raise_own_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 4096) if hard != resource.RLIM_INFINITY else 4096
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def http_from(src, port, path, timeout=5.0):
    """GET path from source address src; (status, body) or (0, '') when refused or closed."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(src, 0))
    except OSError:
        return 0, ""
    try:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        return 0, ""
    finally:
        s.close()
    if not data.startswith(b"HTTP/1.1 "):
        return 0, ""
    head, _, body = data.partition(b"\r\n\r\n")
    return int(data[9:12]), body.decode("utf-8", "replace")


def metrics(srv):
    deadline = time.monotonic() + 10
    while True:
        status, body = http_from(MONITOR, srv.port, "/metrics")
        if status == 200:
            return parse_metrics(body)
        assert time.monotonic() < deadline, f"/metrics not answered (status {status})"
        time.sleep(0.2)


def metric(m, name, **labels):
    for (n, lab), v in m.items():
        if n == name and all(dict(lab).get(k) == val for k, val in labels.items()):
            return v
    return 0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def flood(port, sources, count):
    """count non-blocking connects spread over sources; the sockets are held open by the caller."""
    socks = []
    for i in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.bind((sources[i % len(sources)], 0))
        s.connect_ex(("127.0.0.1", port))
        socks.append(s)
    return socks


class BoundClient(PlenumClient):
    """A PlenumClient whose socket leaves from a chosen loopback address."""

    def __init__(self, *a, source, **kw):
        super().__init__(*a, **kw)
        self.source = source

    async def connect(self):
        self.ws = await websockets.connect(self.ws_url, subprotocols=[SUBPROTOCOL], max_size=4 << 20,
                                           ping_interval=None, local_addr=(self.source, 0), open_timeout=5)
        self._tasks.append(asyncio.create_task(self._read_loop()))
        self._tasks.append(asyncio.create_task(self._subscribe_loop()))
        return self


async def legit_join(srv, room):
    """Connects from LEGIT, says hello and joins; retries a refused connect for up to 20 s."""
    deadline = time.monotonic() + 20
    while True:
        c = BoundClient(srv.ws_url, "Citizen", audio=False, video=False, source=LEGIT)
        try:
            await c.connect()
            await c.hello()
            res = await c.join(room)
            await c.close()
            return res
        except (OSError, asyncio.TimeoutError, websockets.WebSocketException, ConnectionError):
            await asyncio.gather(c.close(), return_exceptions=True)
            assert time.monotonic() < deadline, "the legitimate client could not join during the flood"
            await asyncio.sleep(0.5)


def check_flood(srv, sources, label):
    log_before = len(srv.log_text().encode())
    t0 = time.monotonic()
    socks = flood(srv.port, sources, FLOOD)
    try:
        time.sleep(2.0)                       # the server accepts (or refuses) the backlog
        assert srv.alive(), f"{label}: server died"
        status, body = http_from(MONITOR, srv.port, "/healthz")
        assert (status, body) == (200, "ok"), f"{label}: /healthz answered {status} {body!r}"
        res = run(legit_join(srv, f"fd-{label}"), 40)
        assert isinstance(res.get("participant_id"), int)
        c0 = cpu_seconds(srv.proc.pid)
        time.sleep(IDLE_WINDOW)
        cpu = cpu_seconds(srv.proc.pid) - c0
        m = metrics(srv)
        grown = len(srv.log_text().encode()) - log_before
        print(f"{label}: {FLOOD} connections from {len(sources)} address(es): log +{grown} bytes in "
              f"{time.monotonic() - t0:.1f} s, server CPU {cpu:.2f} s in a {IDLE_WINDOW:.0f} s idle window, "
              f"open {metric(m, 'plenum_connections'):.0f} of {metric(m, 'plenum_connections_max'):.0f}, refused "
              f"per_ip {metric(m, 'plenum_connections_refused_total', reason='per_ip'):.0f} "
              f"total {metric(m, 'plenum_connections_refused_total', reason='total'):.0f} "
              f"evicted {metric(m, 'plenum_connections_refused_total', reason='evicted_idle'):.0f}")
        assert grown < LOG_GROWTH_MAX, f"{label}: the log grew by {grown} bytes"
        assert cpu < IDLE_WINDOW * 0.5, f"{label}: the server spins ({cpu:.2f} s CPU in {IDLE_WINDOW} s)"
        assert metric(m, "plenum_connections") <= metric(m, "plenum_connections_max") + 32
        return m
    finally:
        for s in socks:
            s.close()


def test_fd_flood_from_one_address(start_server):
    raise_own_fd_limit()
    srv = start_server(nofile=NOFILE)
    m = check_flood(srv, ["127.0.0.2"], "one")   # 127.0.0.1 is this machine: exempt (a local proxy)
    per_ip = metric(m, "plenum_connections_refused_total", reason="per_ip")
    assert per_ip >= FLOOD // 2, f"only {per_ip} connections refused for their address"


def test_fd_flood_from_many_addresses(start_server):
    raise_own_fd_limit()
    srv = start_server(nofile=NOFILE)
    sources = [f"127.0.0.{10 + i}" for i in range(60)]
    m = check_flood(srv, sources, "many")
    limited = (metric(m, "plenum_connections_refused_total", reason="total") +
               metric(m, "plenum_connections_refused_total", reason="evicted_idle"))
    assert limited >= FLOOD - metric(m, "plenum_connections_max"), f"only {limited} refused or evicted"


def held(srv, source, count):
    """count connections from source, held idle for a moment; the per_ip refusals they caused."""
    before = metric(metrics(srv), "plenum_connections_refused_total", reason="per_ip")
    socks = flood(srv.port, [source], count)
    try:
        time.sleep(1.0)
        return metric(metrics(srv), "plenum_connections_refused_total", reason="per_ip") - before
    finally:
        for s in socks:
            s.close()


def test_per_address_cap_and_its_exemptions(start_server):
    """127.0.0.1 and ::1 (a reverse proxy on the same machine) are exempt by default; --per-ip-exempt
    replaces that list."""
    srv = start_server(nofile=NOFILE, args=["--max-connections-per-ip", "10"])
    assert held(srv, "127.0.0.1", 40) == 0
    assert held(srv, "127.0.0.3", 40) == 30
    srv2 = start_server(nofile=NOFILE, args=["--max-connections-per-ip", "10", "--per-ip-exempt", "127.0.0.3/32"])
    assert held(srv2, "127.0.0.3", 40) == 0
    assert held(srv2, "127.0.0.1", 40) == 30


def test_websocket_without_hello_is_closed(server):
    async def scenario():
        greeted = PlenumClient(server.ws_url, "Greeted", audio=False, video=False)
        await greeted.connect()
        await greeted.hello()
        ws = await websockets.connect(server.ws_url, subprotocols=[SUBPROTOCOL], ping_interval=None)
        t0 = time.monotonic()
        try:
            await asyncio.wait_for(ws.wait_closed(), 30)
        except asyncio.TimeoutError:
            raise AssertionError("a WebSocket that never said hello was still open after 30 s")
        print(f"closed after {time.monotonic() - t0:.1f} s, code {ws.close_code} {ws.close_reason!r}")
        # the one that said hello, as old by now, still gets answers
        reply = await greeted.call("hello", {"version": 1}, timeout=5)
        assert reply.get("error", {}).get("code") == "invalid_state", reply
        await greeted.close()
    run(scenario(), 45)
    m = metrics(server)
    assert metric(m, "plenum_connections_refused_total", reason="hello_timeout") == 1


def test_no_fd_left_does_not_spin(start_server):
    """The fd limit lowered under a running server (below what its connection cap assumed): accept
    fails for lack of fds, and the server neither spins nor floods its log, and recovers."""
    raise_own_fd_limit()
    srv = start_server(nofile=NOFILE)
    in_use = len(os.listdir(f"/proc/{srv.proc.pid}/fd"))
    resource.prlimit(srv.proc.pid, resource.RLIMIT_NOFILE, (in_use + 4, NOFILE))   # the soft limit
    log_before = len(srv.log_text().encode())
    socks = flood(srv.port, [f"127.0.0.{10 + i}" for i in range(50)], 100)
    try:
        time.sleep(1.5)
        c0 = cpu_seconds(srv.proc.pid)
        time.sleep(IDLE_WINDOW)
        cpu = cpu_seconds(srv.proc.pid) - c0
        grown = len(srv.log_text().encode()) - log_before
        print(f"fds exhausted ({in_use + 4} allowed): server CPU {cpu:.2f} s in a {IDLE_WINDOW:.0f} s window, "
              f"log +{grown} bytes")
        assert srv.alive()
        assert cpu < IDLE_WINDOW * 0.5, f"the server spins on accept ({cpu:.2f} s CPU in {IDLE_WINDOW} s)"
        assert grown < LOG_GROWTH_MAX, f"the log grew by {grown} bytes"
    finally:
        for s in socks:
            s.close()
    resource.prlimit(srv.proc.pid, resource.RLIMIT_NOFILE, (NOFILE, NOFILE))
    deadline = time.monotonic() + 30
    while http_from(MONITOR, srv.port, "/healthz") != (200, "ok"):
        assert time.monotonic() < deadline, "/healthz not answered again after the flood"
        time.sleep(0.5)
