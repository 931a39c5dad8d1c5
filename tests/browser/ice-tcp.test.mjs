// Media over TCP (ICE-TCP, RFC 6544) for networks that block UDP: the browsers sit in a client
// network namespace whose nftables rules drop every UDP packet; plenum offers a passive TCP
// candidate on --media-tcp-port. Two pages meet, decode each other's video, receive audio, and
// getStats shows TCP on the selected candidate pairs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlenum, joined, inbound, sleep, freePort } from './lib-plenum.mjs';
import { clientNetwork, selectedPair, videoDecoded } from './lib-netlab.mjs';

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
  const a = await env.open('tcp-room', 'Anke');
  await joined(env, a);
  const b = await env.open('tcp-room', 'Bodo');
  await joined(env, b);
  for (const p of [a, b]) await videoDecoded(env, p);
  const before1 = await inbound(b);
  await sleep(2000);
  const after1 = await inbound(b);
  assert.ok(after1.video.framesDecoded > before1.video.framesDecoded, `frames ${before1.video.framesDecoded} -> ${after1.video.framesDecoded}`);
  assert.ok(after1.audio.packetsReceived > before1.audio.packetsReceived, 'audio keeps arriving');
  const ain = await inbound(a);
  assert.ok(ain.video.framesDecoded > 0 && ain.audio.packetsReceived > 0, `Anke receives: ${JSON.stringify(ain)}`);
  for (const [p, label] of [[a, 'Anke'], [b, 'Bodo']]) {
    for (const which of ['publish', 'subscribe']) {
      const pair = await selectedPair(p, which);
      console.log(`${label} ${which}: ${JSON.stringify(pair)}`);
      assert.equal(pair?.local.protocol, 'tcp', `${label} ${which} pair: ${JSON.stringify(pair)}`);
      assert.equal(pair?.remote.protocol, 'tcp');
    }
  }
  const rules = net.counters();
  const dropped = Number((rules.match(/udp counter packets (\d+)/) || [])[1] || 0);
  console.log(`client-side UDP packets dropped by nftables: ${dropped}`);
  assert.ok(dropped > 0, 'the browsers tried UDP and nftables dropped it');
  const metrics = await (await fetch(`${env.base}/metrics`)).text();
  console.log(metrics.split('\n').filter((l) => l.startsWith('plenum_media_tcp')).join('\n'));
  const open = Number((metrics.match(/^plenum_media_tcp_links (\d+)/m) || [])[1]);
  assert.equal(open, 4, 'two PeerConnections per page, each on its own TCP connection');
  await Promise.all([a, b].map((p) => p.context().close()));
});
