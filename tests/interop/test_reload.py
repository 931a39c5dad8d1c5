"""SIGHUP while a meeting goes on: a renewed TLS certificate at the same paths is served to new
connections, the open WebSocket session keeps working, a key that does not match the certificate
is refused (the old pair stays), and a configuration file with an error changes nothing."""
import asyncio
import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import time

import websockets

from plenum_client import SUBPROTOCOL

HERE = os.path.dirname(os.path.abspath(__file__))


def make_cert(directory, name):
    crt, key = os.path.join(directory, f"{name}.crt"), os.path.join(directory, f"{name}.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", crt, "-days", "2", "-subj", f"/CN={name}"],
                   check=True, capture_output=True)
    return crt, key


def served_cn(port):
    """The common name of the certificate the server presents to a new TLS connection."""
    out = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "localhost"],
                         input=b"", capture_output=True, timeout=10).stdout.decode()
    for line in out.splitlines():
        if line.startswith("subject="):
            return line.split("CN =")[-1].strip()
    return None


def wait_log(server, text, since, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.log_text().count(text) > since:
            return True
        time.sleep(0.05)
    return False


def test_sighup_reloads_certificate_and_keeps_the_meeting(start_server):
    tmp = tempfile.mkdtemp(prefix="plenum-reload-")
    try:
        a_crt, a_key = make_cert(tmp, "cert-a")
        b_crt, b_key = make_cert(tmp, "cert-b")
        crt, key = os.path.join(tmp, "live.crt"), os.path.join(tmp, "live.key")
        shutil.copy(a_crt, crt)
        shutil.copy(a_key, key)
        conf = os.path.join(tmp, "plenum.conf")
        with open(conf, "w") as f:
            f.write(f"cert = {crt}\nkey = {key}\nlog-level = debug\n")
        server = start_server(args=["--config", conf], https=True)
        assert served_cn(server.port) == "cert-a"

        async def meeting():
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            async with websockets.connect(f"wss://127.0.0.1:{server.port}/ws", subprotocols=[SUBPROTOCOL],
                                          ssl=ctx, ping_interval=None) as ws:
                async def call(i, method, params=None):
                    await ws.send(json.dumps({"id": i, "method": method, "params": params or {}}))
                    while True:   # events (downlink, participant_…) may come first
                        msg = json.loads(await ws.recv())
                        if msg.get("id") == i:
                            return msg
                assert "result" in await call(1, "hello", {"version": 1})
                joined = await call(2, "join", {"room": "reload-room", "name": "Rita"})
                assert "result" in joined, joined

                # A renewal: new certificate and key at the same paths.
                shutil.copy(b_crt, crt)
                shutil.copy(b_key, key)
                n = server.log_text().count("TLS certificate and key reloaded")
                server.proc.send_signal(signal.SIGHUP)
                assert await asyncio.to_thread(wait_log, server, "TLS certificate and key reloaded", n)
                assert await asyncio.to_thread(served_cn, server.port) == "cert-b"
                # The session opened before the reload still works.
                reply = await call(3, "media_state", {"audio_muted": True, "video_muted": True})
                assert reply.get("id") == 3, reply

                # A key that does not belong to the certificate: refused, cert-b stays.
                shutil.copy(a_crt, crt)
                n = server.log_text().count("not reloaded")
                server.proc.send_signal(signal.SIGHUP)
                assert await asyncio.to_thread(wait_log, server, "not reloaded", n)
                assert await asyncio.to_thread(served_cn, server.port) == "cert-b"

                # A configuration with an error: nothing changes, the server keeps running.
                with open(conf, "a") as f:
                    f.write("bogus = 1\n")
                n = server.log_text().count("the configuration has errors")
                server.proc.send_signal(signal.SIGHUP)
                assert await asyncio.to_thread(wait_log, server, "the configuration has errors", n)
                assert "unknown key 'bogus'" in server.log_text()
                assert server.alive()
                reply = await call(4, "leave")
                assert "result" in reply, reply

        asyncio.run(asyncio.wait_for(meeting(), 60))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
