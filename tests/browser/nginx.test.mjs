// Browser test behind nginx: a real nginx runs docs/nginx/plenum.conf in front of plenum
// (tests/proxy/nginx-site.sh), terminating TLS for https://plenum.test:PORT with a test CA
// (tests/proxy/make-ca.sh); plenum serves plain HTTP with --trusted-proxy 127.0.0.1/32 and
// --server-name plenum.test. Two Chromium pages load the meeting through nginx (HTTP/2), signal
// over wss through it, send media straight to plenum over UDP, and each decodes the other's video.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startPlenum, joined, inbound, sleep, freePort, ROOT, OUT } from './lib-plenum.mjs';
import { makeCa, runScript, startNginx } from './lib-nginx.mjs';

const NAME = 'plenum.test';
const DIR = join(OUT, 'browser', 'nginx');

/** nginx in front of plenum's port: the lib's `front`. */
async function nginxFront({ port }) {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const ca = makeCa(join(DIR, 'ca'), NAME);
  const httpsPort = await freePort('tcp');
  const httpPort = await freePort('tcp');
  runScript(join(ROOT, 'tests', 'proxy', 'nginx-site.sh'), [DIR, String(httpsPort), String(httpPort), String(port),
    ca.cert, ca.key, NAME]);
  const nginx = await startNginx(DIR, { port: httpsPort });
  // Chromium finds plenum.test at 127.0.0.1 without any DNS.
  return {
    base: `https://${NAME}:${httpsPort}`,
    browserArgs: [`--host-resolver-rules=MAP ${NAME} 127.0.0.1`, ...ca.browserArgs],
    stop: nginx.stop,
  };
}

let env;

before(async () => {
  env = await startPlenum('nginx', {
    extraArgs: ['--trusted-proxy', '127.0.0.1/32', '--server-name', NAME, '--workers', '1'],
    front: nginxFront,
  });
});

after(async () => {
  const problems = await env.stop();
  assert.deepEqual(problems, [], `${problems.join('\n')}\n${env.logTail()}`);
});

test('two browsers meet through nginx (TLS, HTTP/2, wss): each decodes the other\'s video', async () => {
  const room = 'behind-nginx';
  const alice = await env.open(room, 'Alice');
  const bob = await env.open(room, 'Bob');
  const ids = { alice: await joined(env, alice), bob: await joined(env, bob) };
  assert.notEqual(ids.alice, ids.bob);
  // the page came over HTTPS from plenum.test through nginx, and signals over wss through it
  for (const page of [alice, bob]) {
    const where = await page.evaluate(() => ({ origin: location.origin, secure: window.isSecureContext }));
    assert.deepEqual(where, { origin: env.base, secure: true });
  }
  for (const [page, other] of [[alice, ids.bob], [bob, ids.alice]]) {
    await env.waitFor(page, 'the other participant listed', (id) => window.plenum.participants.has(id), other);
    await env.waitFor(page, 'video frames decoded', async () => {
      const pc = window.plenum.subscribePc;
      if (!pc) return false;
      let frames = 0;
      (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded || 0; });
      return frames > 10;
    }, undefined, 30000);
  }
  const first = { alice: await inbound(alice), bob: await inbound(bob) };
  await sleep(2000);
  const second = { alice: await inbound(alice), bob: await inbound(bob) };
  for (const who of ['alice', 'bob']) {
    assert.ok(second[who].video.framesDecoded > first[who].video.framesDecoded + 10,
      `${who}: video frames decoded ${first[who].video.framesDecoded} -> ${second[who].video.framesDecoded}`);
  }
  const metrics = await (await fetch(`${env.direct}/metrics`)).text();
  assert.match(metrics, /plenum_forwarded_for_fallback_total\{reason="invalid"\} 0/);
  for (const page of [alice, bob]) await page.context().close();
  // nginx carried the pages over HTTP/2 and both WebSocket upgrades (logged when they closed)
  const log = () => readFileSync(join(DIR, 'access.log'), 'utf8');
  for (let t = Date.now(); (log().match(/"GET \/ws HTTP\/1\.1" 101/g) || []).length < 2; await sleep(100)) {
    assert.ok(Date.now() - t < 10000, `nginx logged no two WebSocket upgrades:\n${log()}`);
  }
  assert.match(log(), /"GET \/behind-nginx\?[^"]* HTTP\/2\.0" 200/);
});
