#!/usr/bin/python3
"""A stand-in for build/plenum built on aiortc, to check the interop harness itself:
`PLENUM_BIN=tests/interop/mock_sfu.py python3 -m pytest tests/interop -k meeting`. It speaks protocol v1
(hello, join, publish, subscribe_answer, leave, ping) and relays media; it is not ICE-lite, has no UDP
media port of its own and counts no packets, so the metrics and garbage tests fail against it."""
import argparse
import asyncio
import json
import re
import signal
import sys
from http import HTTPStatus

sys.path.insert(0, __import__("os").path.dirname(__file__))
from plenum_client import new_pc  # noqa: E402  (also patches aioice for loopback)
import websockets  # noqa: E402
from aiortc import RTCSessionDescription  # noqa: E402
from aiortc.contrib.media import MediaRelay  # noqa: E402

ROOM_RE = re.compile(r"^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$")
rooms = {}   # name -> {pid: Participant}
next_id = [1]
relay = MediaRelay()


class Participant:
    def __init__(self, ws, name, room):
        self.ws, self.name, self.room = ws, name, room
        self.id = next_id[0]
        next_id[0] += 1
        self.pub_pc = None
        self.tracks = []          # published (kind, track)
        self.sub_pc = None
        self.sub_tracks = []      # (participant_id, kind) per added sender, in order
        self.version = 0
        self.negotiating = False
        self.dirty = False

    async def send(self, obj):
        try:
            await self.ws.send(json.dumps(obj))
        except websockets.ConnectionClosed:
            pass

    async def offer(self):
        if self.negotiating:
            self.dirty = True
            return
        self.negotiating, self.dirty = True, False
        if self.sub_pc is None:
            self.sub_pc = new_pc()
        pc = self.sub_pc
        have = {(p, k) for p, k in self.sub_tracks}
        for other in list(rooms.get(self.room, {}).values()):
            if other is self:
                continue
            for kind, track in other.tracks:
                if (other.id, kind) not in have:
                    pc.addTransceiver(relay.subscribe(track), direction="sendonly")
                    self.sub_tracks.append((other.id, kind))
        await pc.setLocalDescription(await pc.createOffer())
        self.version += 1
        tracks = [{"mid": t.mid, "participant_id": p, "kind": k, "active": True}
                  for t, (p, k) in zip(pc.getTransceivers(), self.sub_tracks)]
        await self.send({"event": "subscribe_offer",
                         "data": {"version": self.version, "sdp": pc.localDescription.sdp, "tracks": tracks}})


async def broadcast(room, obj, skip=None):
    for p in list(rooms.get(room, {}).values()):
        if p is not skip:
            await p.send(obj)


async def leave(p, reason):
    members = rooms.get(p.room, {})
    members.pop(p.id, None)
    if not members:
        rooms.pop(p.room, None)
    for pc in (p.pub_pc, p.sub_pc):
        if pc:
            await pc.close()
    await broadcast(p.room, {"event": "participant_left", "data": {"id": p.id, "reason": reason}})


async def handler(ws, path=None):
    me, helloed = None, False
    try:
        async for text in ws:
            if len(text) > 65536:
                await ws.send(json.dumps({"id": None, "error": {"code": "message_too_large", "message": "too large"}}))
                continue
            try:
                msg = json.loads(text)
                rid, method, params = msg["id"], msg["method"], msg.get("params", {})
                assert isinstance(rid, int)
            except Exception:  # noqa: BLE001
                await ws.send(json.dumps({"id": None, "error": {"code": "bad_request", "message": "malformed"}}))
                continue

            async def err(code):
                await ws.send(json.dumps({"id": rid, "error": {"code": code, "message": code}}))

            async def ok(result):
                await ws.send(json.dumps({"id": rid, "result": result}))
            if method == "hello":
                helloed = True
                await ok({"version": 1, "server": "plenum", "server_version": "0.1.0-mock"})
            elif not helloed:
                await err("hello_required")
            elif method == "ping":
                await ok({})
            elif method == "join":
                room, name = str(params.get("room", "")).lower(), params.get("name", "")
                if not ROOM_RE.match(room):
                    await err("room_name_invalid")
                elif not name or len(name.encode()) > 64 or any(ord(c) < 32 or ord(c) == 127 for c in name):
                    await err("display_name_invalid")
                else:
                    me = Participant(ws, name, room)
                    await ok({"participant_id": me.id, "room": room})
                    members = rooms.setdefault(room, {})
                    for o in members.values():
                        await me.send({"event": "participant_joined", "data": {"id": o.id, "name": o.name, "audio_muted": False, "video_muted": False}})
                    await broadcast(room, {"event": "participant_joined", "data": {"id": me.id, "name": name, "audio_muted": False, "video_muted": False}})
                    members[me.id] = me
                    if any(o.tracks for o in members.values() if o is not me):
                        asyncio.ensure_future(me.offer())
            elif me is None:
                await err("not_joined")
            elif method == "publish":
                pc = me.pub_pc = new_pc()
                p = me

                @pc.on("track")
                def on_track(track, p=p):
                    p.tracks.append((track.kind, track))
                    for o in list(rooms.get(p.room, {}).values()):
                        if o is not p:
                            asyncio.ensure_future(o.offer())
                await pc.setRemoteDescription(RTCSessionDescription(params["sdp"], "offer"))
                await pc.setLocalDescription(await pc.createAnswer())
                await ok({"sdp": pc.localDescription.sdp})
            elif method == "subscribe_answer":
                if params.get("version") != me.version:
                    await err("stale_answer")
                    continue
                await me.sub_pc.setRemoteDescription(RTCSessionDescription(params["sdp"], "answer"))
                await ok({})
                me.negotiating = False
                if me.dirty:
                    asyncio.ensure_future(me.offer())
            elif method == "leave":
                await leave(me, "left")
                me = None
                await ok({})
            else:
                await err("unknown_method")
    finally:
        if me is not None:
            await leave(me, "closed")


def process_request(path, headers):
    if path == "/healthz":
        return HTTPStatus.OK, [], b"ok\n"
    if path == "/metrics":
        n = sum(len(r) for r in rooms.values())
        body = f"plenum_rooms {len(rooms)}\nplenum_participants {n}\n"
        return HTTPStatus.OK, [("Content-Type", "text/plain")], body.encode()
    if path != "/ws":
        return HTTPStatus.NOT_FOUND, [], b"not found\n"
    return None


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True)
    ap.add_argument("--media-port")
    ap.add_argument("--public-ip")
    ap.add_argument("--log-level")
    a = ap.parse_args()
    host, port = a.listen.rsplit(":", 1)
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with websockets.serve(handler, host, int(port), subprotocols=["plenum.v1"],
                                process_request=process_request, max_size=1 << 20):
        print(f"mock plenum listening on {a.listen}", flush=True)
        await stop


if __name__ == "__main__":
    asyncio.run(main())
