#!/usr/bin/python3
"""One aiortc participant as its own process (for tests that kill or freeze a peer). Joins, publishes,
and prints one JSON object per line on stdout: {"ready": id} once joined, every pushed event as
{"event": name, "data": ...}, and {"stats": {...}} every 0.25 s. Runs until killed or --seconds pass."""
import argparse
import asyncio
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plenum_client import PlenumClient  # noqa: E402


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def main(a):
    c = PlenumClient(a.url, a.name)
    await c.connect()
    await c.start(a.room)
    emit({"ready": c.participant_id})
    seen = 0
    loop = asyncio.get_running_loop()
    end = loop.time() + a.seconds
    try:
        while loop.time() < end:
            for _, ev, data in c.events[seen:]:
                emit({"event": ev, "data": data if ev != "subscribe_offer" else {"version": data.get("version")}})
            seen = len(c.events)
            emit({"stats": {"video": {str(k): v for k, v in c.video_frames.items()},
                            "audio": {str(k): v for k, v in c.audio_frames.items()},
                            "closed": c.closed is not None, "errors": [repr(e) for e in c.errors]}})
            await asyncio.sleep(0.25)
    finally:
        await c.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--room", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--seconds", type=float, default=120)
    asyncio.run(main(ap.parse_args()))
