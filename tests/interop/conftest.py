"""Interop-test fixtures: a plenum server on free loopback ports, started fresh for each test, logging to
tests/output/interop/<test>.server.log and checked on the way out (clean exit, no sanitizer report)."""
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from plenum_client import http_get  # noqa: E402

OUTPUT = os.path.join(ROOT, "tests", "output", "interop")
SANITIZER_RE = re.compile(r"(ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|"
                          r"WARNING: AddressSanitizer|WARNING: ThreadSanitizer|SUMMARY: \w+Sanitizer)")


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """One plenum process. `args` are extra command-line flags; `nofile` lowers RLIMIT_NOFILE (as a
    systemd unit's LimitNOFILE would) before it starts."""

    def __init__(self, binary, log_path, args=(), nofile=None, https=False):
        self.binary = binary
        self.log_path = log_path
        self.args = list(args)
        self.nofile = nofile
        self.scheme = "https" if https else "http"
        self.port = free_port(socket.SOCK_STREAM)
        self.media_port = free_port(socket.SOCK_DGRAM)
        while self.media_port == self.port:
            self.media_port = free_port(socket.SOCK_DGRAM)
        self.proc = None

    @property
    def base(self):
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def ws_url(self):
        return f"{'wss' if self.scheme == 'https' else 'ws'}://127.0.0.1:{self.port}/ws"

    def start(self):
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:halt_on_error=1")
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
        self.log = open(self.log_path, "wb")
        cmd = [self.binary, "--listen", f"127.0.0.1:{self.port}", "--media-port", str(self.media_port),
               "--public-ip", "127.0.0.1", "--log-level", "debug"] + \
            shlex.split(os.environ.get("PLENUM_EXTRA_ARGS", "")) + self.args
        self.log.write(("$ " + " ".join(cmd) + "\n").encode())
        self.log.flush()
        preexec = None
        if self.nofile is not None:
            import resource
            limit = self.nofile

            def preexec():
                resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=preexec)
        deadline = time.monotonic() + 15
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"server exited with {self.proc.returncode} before answering /healthz\n"
                            f"{self.log_tail()}")
            try:
                status, _ = http_get(self.base + "/healthz", timeout=1)
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.proc.kill()
                pytest.fail(f"server did not answer GET /healthz with 200 within 15 s\n{self.log_tail()}")
            time.sleep(0.1)

    def log_text(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def log_tail(self, n=40):
        lines = self.log_text().splitlines()
        return f"--- {self.log_path} (last {min(n, len(lines))} lines) ---\n" + "\n".join(lines[-n:])

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGTERM, wait; returns a list of problems (empty when the server stopped cleanly). A test that
        stopped it itself (to start another on the same files) is not asked again at the end."""
        if getattr(self, "stopped", False):
            return []
        self.stopped = True
        problems = []
        if self.proc.poll() is not None:
            problems.append(f"server died during the test (exit status {self.proc.returncode})")
        else:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                problems.append("server did not exit within 10 s of SIGTERM")
            if self.proc.returncode != 0 and not problems:
                problems.append(f"server exited with status {self.proc.returncode} after SIGTERM")
        text = self.log_text()
        self.log.close()
        m = SANITIZER_RE.search(text)
        if m:
            start = max(0, text.rfind("\n", 0, max(0, m.start() - 2000)))
            problems.append("sanitizer report in server output:\n" + text[start:m.start() + 4000])
        return problems


def server_binary():
    binary = os.environ.get("PLENUM_BIN", os.path.join(ROOT, "build", "plenum"))
    if not os.path.isabs(binary):
        binary = os.path.join(ROOT, binary)
    if not os.access(binary, os.X_OK):
        pytest.fail(f"server binary {binary} missing (build it: make, or make asan-unit)")
    return binary


@pytest.fixture
def start_server(request):
    """A factory: start_server(args=[...], nofile=N, https=bool) starts a plenum for this test (several may run);
    each is stopped and checked (clean exit, no sanitizer report) when the test ends."""
    started = []
    output = os.environ.get("PLENUM_TEST_OUTPUT", OUTPUT)
    os.makedirs(output, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)

    def start(args=(), nofile=None, https=False):
        suffix = f".{len(started)}" if started else ""
        srv = Server(server_binary(), os.path.join(output, f"{name}{suffix}.server.log"), args, nofile, https)
        started.append(srv)
        srv.start()
        return srv

    yield start
    problems = []
    for srv in started:
        problems += srv.stop()
    if problems:
        pytest.fail("\n".join(problems) + "\n" + started[-1].log_tail(20), pytrace=False)


@pytest.fixture
def server(start_server):
    return start_server()
