// Media over TCP (ICE-TCP, RFC 6544) for networks that block UDP: the browsers sit in a client
// network namespace whose nftables rules drop every UDP packet; plenum offers a passive TCP
// candidate on --media-tcp-port. Two pages meet, decode each other's video, receive audio, and
// getStats shows TCP on the selected candidate pairs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlenum, freePort } from './lib-plenum.mjs';
import { clientNetwork, meetOverTcp, mediaTcpLinks } from './lib-netlab.mjs';

let env;
let net;
let SERVER_IP;
before(async () => {
  net = await clientNetwork('ice-tcp', { firewall: ['meta l4proto udp counter drop'] });
  SERVER_IP = net.serverIp;
  const port = await freePort('tcp');
  const tcp = await freePort('tcp');
  env = await startPlenum('ice-tcp', {
    host: SERVER_IP, port, chromium: net.chromium, extraArgs: ['--media-tcp-port', String(tcp), '--metrics-allow', `${SERVER_IP}/32`],
    browserArgs: [`--unsafely-treat-insecure-origin-as-secure=http://${SERVER_IP}:${port}`],
  });
});
after(async () => {
  const problems = env ? await env.stop() : [];
  net?.stop();
  assert.deepEqual(problems, []);
});

test('UDP blocked: two pages meet over ICE-TCP', async () => {
  const { pages, pairs } = await meetOverTcp(env, 'tcp-room');
  for (const { label, which, pair } of pairs) assert.equal(pair.remote.protocol, 'tcp', `${label} ${which}`);
  const rules = net.counters();
  const dropped = Number((rules.match(/udp counter packets (\d+)/) || [])[1] || 0);
  console.log(`client-side UDP packets dropped by nftables: ${dropped}`);
  assert.ok(dropped > 0, 'the browsers tried UDP and nftables dropped it');
  assert.equal(await mediaTcpLinks(env), 4, 'two PeerConnections per page, each on its own TCP connection');
  await Promise.all(pages.map((p) => p.context().close()));
});
