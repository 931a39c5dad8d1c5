// The strictest network: the browsers' side lets nothing out but TCP to port 443 (nftables in a
// client namespace). On the server side nginx owns 443 and splits it by SNI with
// docs/nginx/plenum-stream.conf: meet.plenum.test goes to the HTTPS site of docs/nginx/plenum.conf
// (PROXY protocol, so plenum still learns each citizen's address) and on to plenum;
// turn.plenum.test goes to a real coturn's TURN over TLS. plenum hands out
// turns:turn.plenum.test:443 with its credentials and, by the test switch --test-force-relay,
// makes the pages relay everything: two pages meet, each decodes the other's video, and getStats
// shows relayed candidates over TLS on every PeerConnection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startPlenum, freePort, joined, sleep, ROOT, OUT } from './lib-plenum.mjs';
import { clientNetwork, selectedPair, videoDecoded } from './lib-netlab.mjs';
import { makeCa, runScript, startNginx } from './lib-nginx.mjs';
import { startCoturn, stopAll } from './lib-coturn.mjs';

const MEET = 'meet.plenum.test';
const TURN = 'turn.plenum.test';
const DIR = join(OUT, 'browser', 'turn-443');

let net;
let env;
let coturn;
let nginx;

before(async () => {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  net = await clientNetwork('turn-443', { firewall: ['meta l4proto udp counter drop', 'tcp dport != 443 counter drop'] });
  const ca = makeCa(join(DIR, 'ca'), MEET, TURN);
  const coturnTls = await freePort('tcp');
  coturn = await startCoturn(DIR, 'turn-443-secret-for-tests', { tls: { port: coturnTls, cert: ca.cert, key: ca.key } });
  env = await startPlenum('turn-443', {
    chromium: net.chromium,
    extraArgs: ['--trusted-proxy', '127.0.0.1/32', '--server-name', MEET, '--workers', '1',
      '--turn', `turns:${TURN}:443?transport=tcp`, '--turn-secret-file', coturn.secretPath, '--test-force-relay'],
    front: async ({ port }) => {
      const [site, http, hop] = [await freePort('tcp'), await freePort('tcp'), await freePort('tcp')];
      runScript(join(ROOT, 'tests', 'proxy', 'nginx-site.sh'), [DIR, String(site), String(http), String(port), ca.cert, ca.key, MEET]);
      runScript(join(ROOT, 'tests', 'proxy', 'nginx-stream.sh'), [DIR, `${net.serverIp}:443`, TURN, String(site), String(hop), String(coturnTls)]);
      nginx = await startNginx(DIR, { host: net.serverIp, port: 443 });
      // both names at the server's address, as DNS would have them; no DNS in the namespaces
      return { base: `https://${MEET}`, stop: nginx.stop,
        browserArgs: [`--host-resolver-rules=MAP ${MEET} ${net.serverIp}, MAP ${TURN} ${net.serverIp}`, ...ca.browserArgs] };
    },
  });
});

after(async () => {
  const problems = env ? await env.stop() : [];
  await stopAll();
  net?.stop();
  assert.deepEqual(problems, [], `${problems.join('\n')}\n${env?.logTail()}`);
});

test('only TCP 443 out, nginx splitting 443 by SNI: two pages meet through coturn over TLS', async () => {
  const pages = [];
  for (const name of ['Anke', 'Bodo']) {
    const p = await env.open('nur-443', name);
    await joined(env, p);
    pages.push(p);
  }
  for (const p of pages) await videoDecoded(env, p);
  const log = coturn.log();
  for (const p of pages) {
    for (const which of ['publish', 'subscribe']) {
      const pair = await selectedPair(p, which);
      console.log(`${p.label} ${which}: ${JSON.stringify(pair)}`);
      assert.equal(pair?.local.type, 'relay', `${p.label} ${which}: ${JSON.stringify(pair)}`);
      assert.equal(pair.local.relayProtocol, 'tls', `${p.label} ${which}: TURN over TLS`);
    }
    const user = await p.evaluate(() => window.plenum.publishPc.getConfiguration().iceServers[0].username);
    assert.ok(log.includes(`user <${user}>: incoming packet ALLOCATE processed, success`), `coturn allocated for ${user}`);
  }
  console.log(net.counters().split('\n').filter((l) => l.includes('counter')).join('\n'));
  await Promise.all(pages.map((p) => p.context().close()));
  // The pages and both WebSockets came through the SNI split with the citizen's own address:
  // nginx's HTTPS site logged the client namespace's address, not the stream hop's 127.0.0.1
  // (a WebSocket is logged when it closes).
  const fromCitizen = (re) => nginx.accessLog().split('\n').filter((l) => l.startsWith(`${net.clientIp} `) && re.test(l));
  for (const t = Date.now(); fromCitizen(/"GET \/ws HTTP\/1\.1" 101 /).length < 2; await sleep(100)) {
    assert.ok(Date.now() - t < 10000, `no two WebSocket upgrades from ${net.clientIp} in nginx's log:\n${nginx.accessLog()}`);
  }
  assert.ok(fromCitizen(/"GET \/nur-443\?[^"]* HTTP\/2\.0" 200 /).length >= 2, nginx.accessLog());
});
