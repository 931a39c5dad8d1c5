"""Small helpers shared by the interop tests."""
import asyncio
import contextlib
import os

from plenum_client import PlenumClient

VERBOSE = bool(os.environ.get("PLENUM_TEST_VERBOSE"))


def run(coro, timeout):
    """Runs one test's coroutine on a fresh event loop with an overall time limit."""
    async def limited():
        return await asyncio.wait_for(coro, timeout)
    return asyncio.run(limited())


@contextlib.asynccontextmanager
async def clients(server, *names, **kw):
    """Connected (not yet joined) clients, closed on the way out."""
    cs = [PlenumClient(server.ws_url, n, log=print if VERBOSE else None, **kw) for n in names]
    try:
        for c in cs:
            await c.connect()
        yield cs
    finally:
        await asyncio.gather(*(c.close() for c in cs), return_exceptions=True)
