// Browser tests: two Chromium pages (fake camera and microphone) meet through plenum and each decodes
// the other's video and audio; the meeting page loads nothing from any origin but the server's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { mkdirSync, openSync, readFileSync, closeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'tests', 'output');
const BIN = resolve(ROOT, process.env.PLENUM_BIN || 'build/plenum');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const SANITIZER = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: \w+Sanitizer/;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort(kind) {
  return new Promise((res, rej) => {
    if (kind === 'udp') {
      const s = createSocket('udp4');
      s.on('error', rej);
      s.bind(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
    } else {
      const s = createServer();
      s.on('error', rej);
      s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
    }
  });
}

let server, serverExit, logPath, base, browser;

before(async () => {
  mkdirSync(join(OUT, 'browser'), { recursive: true });
  const port = await freePort('tcp');
  let mport = await freePort('udp');
  while (mport === port) mport = await freePort('udp');
  base = `http://127.0.0.1:${port}`;
  logPath = join(OUT, 'browser', 'server.log');
  const fd = openSync(logPath, 'w');
  server = spawn(BIN, ['--listen', `127.0.0.1:${port}`, '--media-port', String(mport), '--public-ip', '127.0.0.1',
    '--log-level', 'debug'], { cwd: ROOT, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  serverExit = new Promise((res) => server.on('exit', (code, sig) => res({ code, sig })));
  const deadline = Date.now() + 15000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`server exited (${server.exitCode}) before answering /healthz\n${logTail()}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.status === 200) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`server did not answer /healthz within 15 s\n${logTail()}`);
    await sleep(100);
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 30000 });
});

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (!server) return;
  if (server.exitCode === null) server.kill('SIGTERM');
  const res = await Promise.race([serverExit, sleep(10000).then(() => null)]);
  if (res === null) server.kill('SIGKILL');
  const log = readFileSync(logPath, 'utf8');
  assert.ok(res !== null, 'server did not stop within 10 s of SIGTERM');
  assert.equal(res.code, 0, `server exit: ${JSON.stringify(res)}\n${logTail()}`);
  assert.ok(!SANITIZER.test(log), `sanitizer report in ${logPath}`);
});

function logTail(n = 30) {
  try { return readFileSync(logPath, 'utf8').split('\n').slice(-n).join('\n'); } catch { return ''; }
}

async function openPage(room, name, requests) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`${name} console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`${name} pageerror: ${e.message}`));
  if (requests) {
    page.on('request', (r) => requests.push(r.url()));
    page.on('websocket', (ws) => requests.push(ws.url().replace(/^ws/, 'http')));
  }
  page.consoleLines = consoleLines;
  await page.goto(`${base}/${room}?name=${encodeURIComponent(name)}&join=1`);
  return page;
}

async function waitFor(page, what, fn, arg, timeout = 20000) {
  try {
    return await page.waitForFunction(fn, arg, { timeout, polling: 200 });
  } catch (e) {
    const state = await page.evaluate(() => window.plenum && ({ state: window.plenum.state, id: window.plenum.participantId,
      pub: window.plenum.publishPc?.connectionState, sub: window.plenum.subscribePc?.connectionState })).catch(() => null);
    throw new Error(`${what}: ${e.message}\nstate ${JSON.stringify(state)}\n${page.consoleLines.slice(-15).join('\n')}\n--- server ---\n${logTail(15)}`);
  }
}

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
  await landing.goto(`${base}/`);
  await sleep(500);
  const origin = new URL(base).origin;
  const foreign = requests.filter((u) => {
    if (u.startsWith('data:') || u.startsWith('blob:')) return false;
    try { return new URL(u).origin !== origin; } catch { return true; }
  });
  assert.ok(requests.length > 3, `only ${requests.length} requests recorded: ${requests.join(' ')}`);
  assert.deepEqual(foreign, [], `requests to other origins: ${foreign.join(' ')}`);
  await page.context().close();
});
