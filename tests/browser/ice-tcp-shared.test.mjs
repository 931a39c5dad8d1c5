// One port for everything: plenum serves HTTPS itself and takes media over TCP on the same port
// (--media-tcp-port equal to the --listen port: the first bytes of a connection tell a TLS
// ClientHello from an RFC 4571-framed ICE check). The browsers' network lets only TCP to that one
// port out — no UDP, no other port. Two pages meet over it.
// The port is 443, the one port such networks let out. Chromium takes ICE candidates below port
// 1024 only on 80 and 443 and only on addresses that are not private (webrtc's VerifyCandidate:
// with the client network on 10.99.N.x, the candidate on 443 was dropped as invalid); the test's
// namespaces therefore use RFC 2544's benchmarking range (lib-netlab.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startPlenum, OUT } from './lib-plenum.mjs';
import { clientNetwork, meetOverTcp, mediaTcpLinks } from './lib-netlab.mjs';

const PORT = 443;
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';   // the test's own certificate, for /healthz

let env;
let net;
let SERVER_IP;
before(async () => {
  const key = join(OUT, 'browser', 'ice-tcp-shared.key.pem');
  const cert = join(OUT, 'browser', 'ice-tcp-shared.cert.pem');
  net = await clientNetwork('ice-tcp-shared', { firewall: ['meta l4proto udp counter drop', `tcp dport != ${PORT} counter drop`] });
  SERVER_IP = net.serverIp;
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=plenum.test', '-addext', `subjectAltName=IP:${SERVER_IP}`], { stdio: 'ignore' });
  env = await startPlenum('ice-tcp-shared', {
    host: SERVER_IP, port: PORT, scheme: 'https', chromium: net.chromium,
    extraArgs: ['--media-tcp-port', String(PORT), '--cert', cert, '--key', key, '--metrics-allow', `${SERVER_IP}/32`],
    browserArgs: ['--ignore-certificate-errors'],
  });
});
after(async () => {
  const problems = env ? await env.stop() : [];
  net?.stop();
  assert.deepEqual(problems, []);
});

test('only one TCP port open: pages, WebSocket and media over it', async () => {
  const { pages, pairs } = await meetOverTcp(env, 'oneport');
  for (const { label, which, pair } of pairs) assert.equal(pair.remote.port, PORT, `${label} ${which}: media on the web port`);
  console.log(net.counters().split('\n').filter((l) => l.includes('counter')).join('\n'));
  assert.equal(await mediaTcpLinks(env), 4);
  await Promise.all(pages.map((p) => p.context().close()));
});
