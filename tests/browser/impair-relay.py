#!/usr/bin/python3
"""A UDP relay that impairs a link: a fixed delay each way and random loss (seeded), for the
weak-network browser tests (this kernel has no netem).

    impair-relay.py --listen IP:PORT --target IP:PORT [--delay-ms 40] [--loss 0.03] [--seed 1]

Packets to --listen from a client address are sent on to --target from a socket of that client's
own (so the target tells clients apart, and sees the relay's address as the peer); what the target
answers goes back to the client from --listen. Each direction adds --delay-ms and drops a packet
with probability --loss (one random.Random(--seed) for both directions, so a run is repeatable in
what it draws). Prints "ready" once listening; on SIGTERM/SIGINT prints one JSON line of counters
and exits. Only the addresses given are ever sent to.
"""
import argparse
import asyncio
import json
import random
import signal
import socket
import sys


def addr(s):
    host, port = s.rsplit(':', 1)
    return host, int(port)


class Relay:
    def __init__(self, loop, listen, target, delay, loss, rng):
        self.loop, self.target, self.delay, self.loss, self.rng = loop, target, delay, loss, rng
        self.listen_addr = listen
        self.up = {}          # client address -> upstream transport
        self.stats = {'up_in': 0, 'up_dropped': 0, 'down_in': 0, 'down_dropped': 0, 'clients': 0}
        self.front = None

    def lost(self):
        return self.loss > 0 and self.rng.random() < self.loss

    def later(self, fn, *args):
        if self.delay > 0:
            self.loop.call_later(self.delay, fn, *args)
        else:
            fn(*args)

    # client -> relay -> target
    def from_client(self, data, client):
        self.stats['up_in'] += 1
        if self.lost():
            self.stats['up_dropped'] += 1
            return
        self.later(self._send_up, data, client)

    def _send_up(self, data, client):
        up = self.up.get(client)
        if up is None:
            return
        up.sendto(data)

    async def upstream(self, client):
        relay = self

        class Up(asyncio.DatagramProtocol):
            def datagram_received(self, data, _src):
                relay.from_target(data, client)

        tr, _ = await self.loop.create_datagram_endpoint(
            Up, local_addr=(self.listen_addr[0], 0), remote_addr=self.target)
        return tr

    # target -> relay -> client
    def from_target(self, data, client):
        self.stats['down_in'] += 1
        if self.lost():
            self.stats['down_dropped'] += 1
            return
        self.later(self._send_down, data, client)

    def _send_down(self, data, client):
        if self.front is not None:
            self.front.sendto(data, client)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--listen', type=addr, required=True)
    ap.add_argument('--target', type=addr, required=True)
    ap.add_argument('--delay-ms', type=float, default=0)
    ap.add_argument('--loss', type=float, default=0)
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    loop = asyncio.get_running_loop()
    relay = Relay(loop, a.listen, a.target, a.delay_ms / 1000, a.loss, random.Random(a.seed))
    pending = {}

    class Front(asyncio.DatagramProtocol):
        def datagram_received(self, data, client):
            if client in relay.up:
                relay.from_client(data, client)
                return
            # a new client: its upstream socket first; packets meanwhile wait in order
            if client in pending:
                pending[client].append(data)
                return
            pending[client] = [data]

            async def open_up():
                relay.up[client] = await relay.upstream(client)
                relay.stats['clients'] += 1
                for d in pending.pop(client):
                    relay.from_client(d, client)
            loop.create_task(open_up())

    front, _ = await loop.create_datagram_endpoint(Front, local_addr=a.listen, family=socket.AF_INET)
    relay.front = front
    done = loop.create_future()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, lambda: done.done() or done.set_result(None))
    print('ready', flush=True)
    await done
    print(json.dumps(relay.stats), flush=True)
    front.close()
    for tr in relay.up.values():
        tr.close()


if __name__ == '__main__':
    asyncio.run(main())
    sys.exit(0)
