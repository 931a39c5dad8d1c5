// Browser tests: two Chromium pages (fake camera and microphone) meet through plenum and each decodes
// the other's video and audio; the meeting page loads nothing from any origin but the server's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPlenum, sleep, OUT } from './lib-plenum.mjs';

let env;

before(async () => {
  env = await startPlenum('meeting');
});

after(async () => {
  const problems = await env.stop();
  assert.deepEqual(problems, [], `${problems.join('\n')}\n${env.logTail()}`);
});

const openPage = (room, name, requests) => env.open(room, name, { requests, lang: 'en' });
const waitFor = (page, what, fn, arg, timeout) => env.waitFor(page, what, fn, arg, timeout);

// inbound-rtp of the subscribe PeerConnection, per kind: framesDecoded, packetsReceived, frameWidth.
async function inbound(page) {
  return page.evaluate(async () => {
    const pc = window.plenum.subscribePc;
    const out = { video: { framesDecoded: 0, packetsReceived: 0, frameWidth: 0 }, audio: { packetsReceived: 0 } };
    if (!pc) return out;
    (await pc.getStats()).forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      const o = out[s.kind];
      o.packetsReceived += s.packetsReceived || 0;
      if (s.kind === 'video') { o.framesDecoded += s.framesDecoded || 0; o.frameWidth = Math.max(o.frameWidth, s.frameWidth || 0); }
    });
    return out;
  });
}

test('two browsers meet: each decodes the other\'s video and receives audio', async () => {
  const room = 'browser-meeting';
  const alice = await openPage(room, 'Alice');
  const bob = await openPage(room, 'Bob');
  for (const page of [alice, bob]) {
    await waitFor(page, 'joined', () => window.plenum && window.plenum.state === 'joined');
  }
  const ids = {
    alice: await alice.evaluate(() => window.plenum.participantId),
    bob: await bob.evaluate(() => window.plenum.participantId),
  };
  assert.ok(Number.isInteger(ids.alice) && Number.isInteger(ids.bob) && ids.alice !== ids.bob, JSON.stringify(ids));
  for (const [page, other] of [[alice, ids.bob], [bob, ids.alice]]) {
    await waitFor(page, 'the other participant listed', (id) => window.plenum.participants.has(id), other);
    await waitFor(page, 'video frames decoded', async () => {
      const pc = window.plenum.subscribePc;
      if (!pc) return false;
      let frames = 0;
      let audio = 0;
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded || 0;
        if (s.type === 'inbound-rtp' && s.kind === 'audio') audio += s.packetsReceived || 0;
      });
      return frames > 10 && audio > 10;
    });
    await waitFor(page, 'the other\'s tile shows video',
      (id) => { const v = document.querySelector(`.tile[data-participant-id="${id}"] video`); return v && v.videoWidth > 0; }, other);
  }
  // frames keep being decoded
  const first = { alice: await inbound(alice), bob: await inbound(bob) };
  await sleep(2000);
  const second = { alice: await inbound(alice), bob: await inbound(bob) };
  for (const who of ['alice', 'bob']) {
    assert.ok(second[who].video.framesDecoded > first[who].video.framesDecoded + 10,
      `${who}: video frames decoded ${first[who].video.framesDecoded} -> ${second[who].video.framesDecoded}`);
    assert.ok(second[who].audio.packetsReceived > first[who].audio.packetsReceived + 25,
      `${who}: audio packets ${first[who].audio.packetsReceived} -> ${second[who].audio.packetsReceived}`);
    assert.ok(second[who].video.frameWidth > 0, `${who}: frameWidth ${second[who].video.frameWidth}`);
  }
  await alice.screenshot({ path: join(OUT, 'meeting.png') });
  await alice.context().close();
  // Bob sees Alice leave
  await waitFor(bob, 'Alice gone', (id) => !window.plenum.participants.has(id), ids.alice);
  await waitFor(bob, 'Alice\'s tile gone', (id) => !document.querySelector(`.tile[data-participant-id="${id}"]`), ids.alice);
  await bob.context().close();
});

test('the meeting page loads nothing from other origins', async () => {
  const requests = [];
  const page = await openPage('origin-check', 'Carol', requests);
  await waitFor(page, 'joined', () => window.plenum && window.plenum.state === 'joined');
  await sleep(1500);  // let late loads (fonts, images, i18n) happen
  const landing = await page.context().newPage();
  landing.on('request', (r) => requests.push(r.url()));
  await landing.goto(`${env.base}/`);
  await sleep(500);
  const origin = new URL(env.base).origin;
  const foreign = requests.filter((u) => {
    if (u.startsWith('data:') || u.startsWith('blob:')) return false;
    try { return new URL(u).origin !== origin; } catch { return true; }
  });
  assert.ok(requests.length > 3, `only ${requests.length} requests recorded: ${requests.join(' ')}`);
  assert.deepEqual(foreign, [], `requests to other origins: ${foreign.join(' ')}`);
  await page.context().close();
});
