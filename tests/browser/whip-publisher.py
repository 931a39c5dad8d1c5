#!/usr/bin/python3
"""A chamber's encoder for the browser tests: an aiortc WHIP publisher (RFC 9725) of colour bars and a
tone. Usage: whip-publisher.py URL TOKEN. Prints "LOCATION <path>" once the POST is answered (or
"REFUSED <status>" and exits 1), keeps publishing until a line "delete" or the end of stdin, then
sends DELETE and prints "DELETED <status>"."""
import asyncio
import os
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop"))
from aiortc import RTCSessionDescription  # noqa: E402

from plenum_client import ColourBarsTrack, SineTrack, _prefer, new_pc  # noqa: E402


def http(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, {}, e.read().decode("utf-8", "replace")


async def main(url, token):
    loop = asyncio.get_running_loop()
    pc = new_pc()
    _prefer(pc.addTransceiver(SineTrack(), direction="sendonly"), "audio", {"audio/opus"})
    _prefer(pc.addTransceiver(ColourBarsTrack(), direction="sendonly"), "video", {"video/vp8"})
    await pc.setLocalDescription(await pc.createOffer())
    headers = {"Content-Type": "application/sdp", "Authorization": f"Bearer {token}"}
    status, hdr, answer = await loop.run_in_executor(
        None, lambda: http("POST", url, pc.localDescription.sdp.encode(), headers))
    if status != 201:
        print(f"REFUSED {status} {answer.strip()}", flush=True)
        await pc.close()
        return 1
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    location = hdr["location"]
    print(f"LOCATION {location}", flush=True)
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line or line.strip() == "delete":
            break
    resource = url.split("/whip/")[0] + location
    status, _, _ = await loop.run_in_executor(None, lambda: http("DELETE", resource, None, headers))
    print(f"DELETED {status}", flush=True)
    await pc.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2])))
