"""A TURN client just big enough to ask coturn for an allocation (RFC 8656 §7.2) with the long-term
credential of RFC 8489 §9.2 (key MD5(username:realm:password), MESSAGE-INTEGRITY over HMAC-SHA1),
and coturn run for a test (scripts/coturn-test.sh) inside the test's loopback-only namespace."""
import hashlib
import hmac
import os
import socket
import struct
import subprocess
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

MAGIC = 0x2112A442
ALLOCATE_REQUEST, ALLOCATE_SUCCESS, ALLOCATE_ERROR = 0x0003, 0x0103, 0x0113
ATTR_USERNAME, ATTR_MESSAGE_INTEGRITY, ATTR_ERROR_CODE = 0x0006, 0x0008, 0x0009
ATTR_REALM, ATTR_NONCE, ATTR_XOR_RELAYED_ADDRESS = 0x0014, 0x0015, 0x0016
ATTR_REQUESTED_TRANSPORT, ATTR_FINGERPRINT = 0x0019, 0x8028


def _attr(kind, value):
    pad = (4 - len(value) % 4) % 4
    return struct.pack("!HH", kind, len(value)) + value + b"\0" * pad


def _parse(data):
    kind, length, magic = struct.unpack_from("!HHI", data)
    assert magic == MAGIC and length + 20 <= len(data), "not a STUN message"
    attrs, off = {}, 20
    while off + 4 <= 20 + length:
        t, n = struct.unpack_from("!HH", data, off)
        attrs.setdefault(t, data[off + 4:off + 4 + n])
        off += 4 + n + (4 - n % 4) % 4
    return kind, attrs


def _message(tid, attrs, key=None):
    body = b"".join(attrs)
    if key is not None:
        # MESSAGE-INTEGRITY: the length counts up to and including it (RFC 8489 §14.5)
        head = struct.pack("!HHI", ALLOCATE_REQUEST, len(body) + 24, MAGIC) + tid
        body += _attr(ATTR_MESSAGE_INTEGRITY, hmac.new(key, head + body, hashlib.sha1).digest())
    head = struct.pack("!HHI", ALLOCATE_REQUEST, len(body) + 8, MAGIC) + tid
    crc = (zlib.crc32(head + body) ^ 0x5354554E) & 0xFFFFFFFF
    body += _attr(ATTR_FINGERPRINT, struct.pack("!I", crc))
    return struct.pack("!HHI", ALLOCATE_REQUEST, len(body), MAGIC) + tid + body


def allocate(port, username, password, host="127.0.0.1", timeout=3.0):
    """Allocate over UDP: the unauthenticated request, coturn's 401 with realm and nonce, then the
    request with the credential. Returns (error code or 0, relayed (address, port) or None)."""
    transport = _attr(ATTR_REQUESTED_TRANSPORT, bytes([17, 0, 0, 0]))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)

        def ask(msg):
            s.sendto(msg, (host, port))
            return _parse(s.recvfrom(2048)[0])

        kind, attrs = ask(_message(os.urandom(12), [transport]))
        assert kind == ALLOCATE_ERROR and attrs[ATTR_ERROR_CODE][2:4] == b"\x04\x01", "expected the 401 challenge"
        realm, nonce = attrs[ATTR_REALM], attrs[ATTR_NONCE]
        key = hashlib.md5(username.encode() + b":" + realm + b":" + password.encode()).digest()
        kind, attrs = ask(_message(os.urandom(12), [transport, _attr(ATTR_USERNAME, username.encode()),
                                                     _attr(ATTR_REALM, realm), _attr(ATTR_NONCE, nonce)], key))
        if kind == ALLOCATE_ERROR:
            e = attrs[ATTR_ERROR_CODE]
            return e[2] * 100 + e[3], None
        assert kind == ALLOCATE_SUCCESS, hex(kind)
        x = attrs[ATTR_XOR_RELAYED_ADDRESS]
        rport = struct.unpack("!H", x[2:4])[0] ^ (MAGIC >> 16)
        raddr = socket.inet_ntoa(struct.pack("!I", struct.unpack("!I", x[4:8])[0] ^ MAGIC))
        return 0, (raddr, rport)


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1."""
    while True:
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            t.close()
            u.close()


class Coturn:
    """coturn with use-auth-secret and `secret`, on 127.0.0.1:port (UDP and TCP), logging to DIR/turnserver.log."""

    def __init__(self, directory, secret):
        os.makedirs(directory, exist_ok=True)
        self.dir = directory
        self.port = free_port()
        self.secret_path = os.path.join(directory, "static-auth-secret")
        fd = os.open(self.secret_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, secret.encode() + b"\n")
        os.close(fd)
        self.log_path = os.path.join(directory, "turnserver.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([os.path.join(ROOT, "scripts", "coturn-test.sh"), directory, str(self.port),
                                      self.secret_path], stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while "UDP listener opened" not in self.log_text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"coturn did not start:\n{self.log_text()[-3000:]}")
            time.sleep(0.1)

    def log_text(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
