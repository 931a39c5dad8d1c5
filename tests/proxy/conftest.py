"""Proxy-test fixtures: plenum (the interop suite's `start_server`) behind a real nginx that runs
docs/nginx/plenum.conf (tests/proxy/nginx-site.sh), terminating TLS for plenum.test with a test CA
made here (tests/proxy/make-ca.sh). Logs under tests/output/proxy/; nginx is stopped and its error
log checked after each test."""
import importlib.util
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
INTEROP = os.path.join(ROOT, "tests", "interop")
sys.path.insert(0, INTEROP)
sys.path.insert(0, os.path.join(ROOT, "tests", "abuse"))
OUTPUT = os.path.join(ROOT, "tests", "output", "proxy")
os.environ.setdefault("PLENUM_TEST_OUTPUT", OUTPUT)

_spec = importlib.util.spec_from_file_location("interop_conftest", os.path.join(INTEROP, "conftest.py"))
interop_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(interop_conftest)
start_server = interop_conftest.start_server
free_port = interop_conftest.free_port

NAME = "plenum.test"
NGINX = os.environ.get("NGINX_BIN", "/usr/sbin/nginx")
# What plenum behind nginx runs with: only nginx (on loopback) is believed about forwarded
# addresses; /metrics for nginx's machine itself only, so that a request through nginx is judged
# by the address nginx names (a test fails if plenum judged nginx's own).
PROXIED_ARGS = ["--trusted-proxy", "127.0.0.1/32", "--server-name", NAME, "--metrics-allow", "127.0.0.1/32"]


@pytest.fixture(scope="session")
def ca(tmp_path_factory):
    d = tmp_path_factory.mktemp("ca")
    subprocess.run([os.path.join(HERE, "make-ca.sh"), str(d), NAME], check=True)
    return d


class Nginx:
    """One nginx in the foreground (daemon off), its files in `dir`."""

    def __init__(self, dir, plenum_port, cert, key):
        self.dir = dir
        self.https_port = free_port(socket.SOCK_STREAM)
        self.http_port = free_port(socket.SOCK_STREAM)
        subprocess.run([os.path.join(HERE, "nginx-site.sh"), dir, str(self.https_port), str(self.http_port),
                        str(plenum_port), cert, key, NAME], check=True)
        self.conf = os.path.join(dir, "nginx.conf")
        self.error_log = os.path.join(dir, "error.log")
        self.proc = None

    def start(self):
        if not os.access(NGINX, os.X_OK):
            pytest.fail(f"{NGINX} missing (scripts/deps.sh installs Debian's nginx)")
        self.out = open(os.path.join(self.dir, "nginx.out"), "wb")
        self.proc = subprocess.Popen([NGINX, "-p", self.dir, "-c", self.conf, "-e", self.error_log,
                                      "-g", "daemon off;"], stdin=subprocess.DEVNULL, stdout=self.out,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"nginx exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.proc.kill()
                pytest.fail(f"nginx did not listen within 10 s\n{self.log_tail()}")
            time.sleep(0.05)

    def log_tail(self, n=20):
        text = ""
        for path in (os.path.join(self.dir, "nginx.out"), self.error_log):
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    text += f"--- {path} ---\n" + "".join(f.readlines()[-n:])
        return text

    def stop(self):
        """Fast shutdown (SIGTERM); returns problems: an early death, a hang, [emerg]/[alert]/[crit]."""
        problems = []
        if self.proc is None:
            return problems
        if self.proc.poll() is not None:
            problems.append(f"nginx died during the test (status {self.proc.returncode})")
        else:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                problems.append("nginx did not stop within 10 s of SIGTERM")
        self.out.close()
        if os.path.exists(self.error_log):
            with open(self.error_log, errors="replace") as f:
                bad = [line for line in f if re.search(r"\[(emerg|alert|crit)\]", line)]
            if bad:
                problems.append("nginx error log:\n" + "".join(bad[-10:]))
        return problems


class Proxied:
    """plenum and the nginx in front of it; clients address https://plenum.test:PORT at 127.0.0.1."""

    def __init__(self, plenum, nginx, ca_dir):
        self.plenum, self.nginx = plenum, nginx
        self.port = nginx.https_port
        self.origin = f"https://{NAME}:{self.port}"
        self.ws_url = f"wss://{NAME}:{self.port}/ws"
        self.tls = ssl.create_default_context(cafile=os.path.join(ca_dir, "ca.pem"))

    def ws_kw(self, **extra):
        """websockets.connect arguments for a connection through nginx."""
        kw = dict(ssl=self.tls, host="127.0.0.1", port=self.port, server_hostname=NAME)
        kw.update(extra)
        return kw

    def request(self, path, source="127.0.0.1", headers=None):
        """GET through nginx (HTTP/1.1 over TLS for plenum.test) from a loopback source address:
        (status, {header: value} lower-cased, body with any chunking undone)."""
        raw = socket.create_connection(("127.0.0.1", self.port), 10, (source, 0))
        with self.tls.wrap_socket(raw, server_hostname=NAME) as s:
            lines = [f"GET {path} HTTP/1.1", f"Host: {NAME}:{self.port}", "Connection: close"]
            lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
            s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        rows = head.decode("latin-1").split("\r\n")
        h = {k.strip().lower(): v.strip() for k, _, v in (r.partition(":") for r in rows[1:])}
        if h.get("transfer-encoding") == "chunked":
            out = b""
            while body:
                size, _, rest = body.partition(b"\r\n")
                n = int(size.split(b";")[0], 16)
                if n == 0:
                    break
                out, body = out + rest[:n], rest[n + 2:]
            body = out
        return int(rows[0].split(" ", 2)[1]), h, body

    def get(self, path, source="127.0.0.1", headers=None):
        """GET through nginx from a loopback source address: (status, body)."""
        status, _, body = self.request(path, source, headers)
        return status, body


@pytest.fixture
def proxied(start_server, ca, request):
    """A factory: proxied(args=[...]) starts plenum with PROXIED_ARGS + args and nginx in front."""
    started = []
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)

    def start(args=()):
        plenum = start_server(args=PROXIED_ARGS + list(args))
        d = os.path.join(OUTPUT, f"{name}.nginx{'.' + str(len(started)) if started else ''}")
        subprocess.run(["rm", "-rf", d], check=True)
        nginx = Nginx(d, plenum.port, str(ca / "server.pem"), str(ca / "server.key"))
        started.append(nginx)
        nginx.start()
        return Proxied(plenum, nginx, str(ca))

    yield start
    problems = []
    for n in started:
        problems += n.stop()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
