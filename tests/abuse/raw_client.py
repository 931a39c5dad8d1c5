"""A bare plenum protocol client for the abuse tests — one WebSocket from a chosen loopback address,
counting the bytes and events it receives — and the fd limit a test with many of them needs."""
import asyncio
import itertools
import json
import os
import resource
import sys

import websockets

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "interop"))

from plenum_client import SUBPROTOCOL  # noqa: E402


def raise_own_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 4096) if hard != resource.RLIM_INFINITY else 4096
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))



class Raw:
    """A bare protocol client from one loopback address: calls, events, bytes received."""

    def __init__(self, url, source="127.0.0.1", **connect_kw):
        """connect_kw go to websockets.connect: ssl, host, port, server_hostname (through a
        TLS proxy), extra_headers, origin."""
        self.url, self.source = url, source
        self.connect_kw = connect_kw
        self.ids = itertools.count(1)
        self.pending = {}
        self.events = []
        self.bytes = 0
        self.closed = False

    async def connect(self):
        self.ws = await websockets.connect(self.url, subprotocols=[SUBPROTOCOL], max_size=16 << 20,
                                           ping_interval=None, local_addr=(self.source, 0), open_timeout=10,
                                           **self.connect_kw)
        self.reader = asyncio.create_task(self._read())
        await self.call("hello", {"version": 1, "client": "abuse"})
        return self

    async def _read(self):
        try:
            async for text in self.ws:
                self.bytes += len(text)
                msg = json.loads(text)
                if "event" in msg:
                    self.events.append((msg["event"], msg.get("data")))
                    continue
                fut = self.pending.pop(msg.get("id"), None)
                if fut and not fut.done():
                    fut.set_result(msg)
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed = True
            for fut in self.pending.values():
                if not fut.done():
                    fut.set_exception(ConnectionError("closed"))

    async def call(self, method, params=None, timeout=20.0):
        rid = next(self.ids)
        fut = asyncio.get_running_loop().create_future()
        self.pending[rid] = fut
        await self.ws.send(json.dumps({"id": rid, "method": method, "params": params or {}}))
        return await asyncio.wait_for(fut, timeout)

    def code(self, reply):
        return reply.get("error", {}).get("code", "ok")

    async def close(self):
        try:
            await asyncio.wait_for(self.ws.close(), 3)
        except Exception:
            pass
        self.reader.cancel()
