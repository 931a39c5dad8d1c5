// TURN through a real coturn (use-auth-secret): plenum with --turn, --turn-secret-file and the test
// switch --test-force-relay, so Chromium may send media only through relayed candidates. Two pages
// meet and decode each other's video over a UDP relay, and again over a TCP relay; with a secret
// coturn does not know, no relay is allocated (coturn logs the refusal) and no media flows.
// Runs inside scripts/netns.sh like every browser test: coturn, plenum and Chromium see only loopback.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPlenum, sleep, inbound, OUT } from './lib-plenum.mjs';
import { startCoturn, secretFile, stopAll } from './lib-coturn.mjs';

const SECRET = 'stadt-turn-secret-for-tests';
const DIR = join(OUT, 'browser', 'turn');
after(stopAll);

/** The selected candidate pair of one PeerConnection, every local candidate, and its configuration. */
function transportOf(page, which) {
  return page.evaluate(async (w) => {
    const pc = window.plenum[w];
    if (!pc) return null;
    const stats = await pc.getStats();
    let pair = null;
    stats.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId); });
    const cand = (id) => { const c = id && stats.get(id); return c ? { candidateType: c.candidateType, relayProtocol: c.relayProtocol, protocol: c.protocol, address: c.address, port: c.port } : null; };
    const locals = [];
    stats.forEach((s) => { if (s.type === 'local-candidate') locals.push(cand(s.id)); });
    const cfg = pc.getConfiguration();
    return {
      connectionState: pc.connectionState, gathering: pc.iceGatheringState, policy: cfg.iceTransportPolicy,
      servers: cfg.iceServers.map((s) => ({ urls: s.urls, username: s.username })),
      local: pair ? cand(pair.localCandidateId) : null, remote: pair ? cand(pair.remoteCandidateId) : null, locals,
    };
  }, which);
}

async function meetThroughRelay(coturn, transport) {
  const t0 = Date.now();
  const uri = `turn:127.0.0.1:${coturn.port}?transport=${transport}`;
  const env = await startPlenum(`turn-${transport}`, {
    extraArgs: ['--turn', uri, '--turn-secret-file', coturn.secretPath, '--test-force-relay'],
  });
  try {
    const room = `turn-${transport}`;
    const alice = await env.open(room, 'Alice');
    const bob = await env.open(room, 'Bob');
    for (const page of [alice, bob]) {
      await env.waitFor(page, 'joined', () => window.plenum.state === 'joined');
      await env.waitFor(page, 'video decoded through the relay', async () => {
        const pc = window.plenum.subscribePc;
        if (!pc || pc.connectionState !== 'connected') return false;
        let frames = 0;
        (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded || 0; });
        return frames > 10;
      }, undefined, 30000);
    }
    const first = [await inbound(alice), await inbound(bob)];
    await sleep(2000);
    const second = [await inbound(alice), await inbound(bob)];
    const seen = {};
    for (const [i, page] of [alice, bob].entries()) {
      assert.ok(second[i].video.framesDecoded > first[i].video.framesDecoded + 10,
        `${page.label}: frames ${first[i].video.framesDecoded} -> ${second[i].video.framesDecoded}`);
      for (const which of ['publishPc', 'subscribePc']) {
        const tr = await transportOf(page, which);
        const what = `${page.label} ${which}: ${JSON.stringify(tr)}`;
        assert.equal(tr.policy, 'relay', `the server's switch reached the page: ${what}`);
        assert.deepEqual(tr.servers.map((s) => s.urls).flat(), [uri], what);
        assert.match(tr.servers[0].username, /^\d+:[A-Za-z0-9+/]{16}$/, what);
        assert.equal(tr.local?.candidateType, 'relay', what);
        assert.equal(tr.local.relayProtocol, transport, what);
        assert.ok(tr.locals.length > 0 && tr.locals.every((c) => c.candidateType === 'relay'), `only relayed candidates: ${what}`);
        assert.equal(tr.remote?.address, '127.0.0.1', `plenum's host candidate: ${what}`);
        seen[`${page.label}.${which}`] = `${tr.local.candidateType}/${tr.local.relayProtocol} ${tr.local.address}:${tr.local.port} -> ${tr.remote.address}:${tr.remote.port}`;
      }
    }
    const log = coturn.log();
    for (const page of [alice, bob]) {
      const user = (await transportOf(page, 'publishPc')).servers[0].username;
      assert.ok(log.includes(`user <${user}>: incoming packet ALLOCATE processed, success`), `coturn allocated for ${user}`);
    }
    console.log(`turn ${transport}: ${JSON.stringify(seen)}; ${Date.now() - t0} ms`);
  } finally {
    const problems = await env.stop();
    assert.deepEqual(problems, [], `${problems.join('\n')}\n${env.logTail()}`);
  }
}

let coturn;

test('two browsers meet through coturn over UDP: relayed candidates only, video decoded', async () => {
  coturn = await startCoturn(DIR, SECRET);
  await meetThroughRelay(coturn, 'udp');
});

test('the same over a TCP relay', async () => {
  coturn = coturn || await startCoturn(DIR, SECRET);
  await meetThroughRelay(coturn, 'tcp');
});

test('credentials made with a secret coturn does not know: no relay, no media, and coturn says why', async () => {
  coturn = coturn || await startCoturn(DIR, SECRET);
  const wrong = secretFile(DIR, 'wrong-secret', 'a-different-secret');
  const env = await startPlenum('turn-wrong-secret', {
    extraArgs: ['--turn', `turn:127.0.0.1:${coturn.port}?transport=udp`, '--turn-secret-file', wrong, '--test-force-relay'],
  });
  try {
    const alice = await env.open('turn-wrong', 'Alice');
    const bob = await env.open('turn-wrong', 'Bob');
    for (const page of [alice, bob]) await env.waitFor(page, 'joined', () => window.plenum.state === 'joined');
    // Chromium gives up on a TURN server that answers 401 to the credential within a few seconds.
    await env.waitFor(alice, 'gathering done', () => window.plenum.publishPc?.iceGatheringState === 'complete', undefined, 20000);
    await sleep(3000);
    for (const page of [alice, bob]) {
      const tr = await transportOf(page, 'publishPc');
      const what = `${page.label}: ${JSON.stringify(tr)}`;
      assert.equal(tr.policy, 'relay', what);
      assert.deepEqual(tr.locals.filter((c) => c.candidateType === 'relay'), [], `no relay allocated: ${what}`);
      assert.notEqual(tr.connectionState, 'connected', what);
      assert.equal(tr.local, null, what);
      assert.equal((await inbound(page)).video.framesDecoded, 0, `${page.label} decoded video without a relay`);
      const log = coturn.log();
      assert.ok(log.includes(`Cannot find credentials of user <${tr.servers[0].username}>`), `coturn refused ${tr.servers[0].username}\n${log.slice(-2000)}`);
      assert.ok(!log.includes(`user <${tr.servers[0].username}>: incoming packet ALLOCATE processed, success`), 'no allocation');
    }
  } finally {
    const problems = await env.stop();
    assert.deepEqual(problems, [], `${problems.join('\n')}\n${env.logTail()}`);
  }
});
