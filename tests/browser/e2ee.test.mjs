// End-to-end encrypted meetings in Chromium: two pages with the link's passphrase decode each
// other (frames and pixels), a third with a wrong passphrase decodes nothing and is told so, the
// server forwards the packets all the same (/metrics) and refuses recording; simulcast layers
// still follow the tile size; the encoded-streams fallback meets the script transform; a browser
// without either is told and does not join; the pre-join screen of an encrypted meeting and the
// landing page; screenshots; the publisher's cost (figures in the log); Firefox ESR with Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startPlenum, joined, sleep, keepSockets, hostRequest, assertNoAxeViolations, cameraPlays, chooseLayout, OUT } from './lib-plenum.mjs';
import { FIREFOX, firefoxInstalled, launchFirefox } from './lib-firefox.mjs';

const PASS = 'abcde-fghij-kmnpq-rstuv';
let env;
before(async () => { env = await startPlenum('e2ee'); });
after(async () => {
  const problems = env ? await env.stop() : [];
  assert.deepEqual(problems, []);
});

const close = (...pages) => Promise.all(pages.map((p) => p.context().close().catch(() => {})));

async function metric(name) {
  const text = await (await fetch(`${env.base}/metrics`)).text();
  const m = text.match(new RegExp(`^${name} (\\d+)`, 'm'));
  assert.ok(m, `${name} missing from /metrics`);
  return Number(m[1]);
}

/** Frames decoded and the mean brightness (0..255) of participant id's camera tile. */
function picture(page, id) {
  return page.evaluate(async (pid) => {
    const v = document.querySelector(`.tile[data-participant-id="${pid}"][data-source="camera"] video`);
    const pc = window.plenum.subscribePc;
    const track = v?.srcObject?.getVideoTracks()[0];
    let frames = 0;
    let packets = 0;
    let height = 0;
    if (pc && track) {
      const tr = pc.getTransceivers().find((x) => x.receiver.track === track);
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video' && s.mid === tr?.mid) {
          frames = s.framesDecoded || 0;
          packets = s.packetsReceived || 0;
          height = s.frameHeight || 0;
        }
      });
    }
    let brightness = 0;
    if (v && v.videoWidth > 0) {
      const c = document.createElement('canvas');
      c.width = 64;
      c.height = 36;
      const g = c.getContext('2d');
      g.drawImage(v, 0, 0, 64, 36);
      const d = g.getImageData(0, 0, 64, 36).data;
      let sum = 0;
      for (let i = 0; i < d.length; i += 4) sum += (d[i] + d[i + 1] + d[i + 2]) / 3;
      brightness = sum / (d.length / 4);
    }
    return { frames, packets, height, brightness, width: v?.videoWidth ?? 0 };
  }, id);
}

test('two pages with the passphrase see each other; a wrong passphrase sees nothing and is told; nothing leaves', async () => {
  const room = 'sealed-room';
  const sentBefore = await metric('plenum_rtp_packets_sent_total');
  const a = await env.open(room, 'Anna', { hash: `e2ee=${PASS}`, init: keepSockets });
  const aid = await joined(env, a);
  assert.equal(await a.evaluate(() => location.hash), '', 'the passphrase left the address bar');
  assert.equal(await a.evaluate(() => window.plenum.roomState.e2ee), true);
  assert.ok(await a.isVisible('#e2ee-badge'), 'the header says so');
  assert.match(await a.textContent('#e2ee-badge'), /end-to-end encrypted/i);
  const b = await env.open(room, 'Bernd', { hash: `t=Sealed&e2ee=${PASS}` });
  const bid = await joined(env, b);
  const c = await env.open(room, 'Carl', { hash: 'e2ee=the-wrong-passphrase' });
  await joined(env, c);
  for (const [page, other] of [[a, bid], [b, aid]]) await cameraPlays(env, page, 'decoded picture', other);
  const first = { a: await picture(a, bid), b: await picture(b, aid) };
  await sleep(3000);
  const second = { a: await picture(a, bid), b: await picture(b, aid) };
  for (const k of ['a', 'b']) {
    assert.ok(second[k].frames > first[k].frames + 10, `${k}: frames ${first[k].frames} -> ${second[k].frames}`);
    assert.ok(second[k].brightness > 20, `${k}: a picture, not black (${second[k].brightness.toFixed(1)})`);
  }
  // Carl's key is another: packets arrive, no frame opens, no frame is decoded, the hint shows
  await env.waitFor(c, 'cannot decrypt hint', () => [...document.querySelectorAll('#toasts *')]
    .some((e) => /cannot decrypt/i.test(e.textContent)), undefined, 20000);
  const cSees = [await picture(c, aid), await picture(c, bid)];
  for (const p of cSees) {
    assert.ok(p.packets > 50, `Carl receives packets (${p.packets})`);
    assert.equal(p.frames, 0, 'Carl decodes no frame');
    assert.equal(p.width, 0, 'Carl\'s tile stays black');
  }
  const ce = await c.evaluate(() => window.plenum.e2ee);
  assert.equal(ce.opened, 0);
  assert.ok(ce.failed > 50, `frames dropped at Carl: ${ce.failed}`);
  const ae = await a.evaluate(() => window.plenum.e2ee);
  assert.ok(ae.sealed > 100 && ae.opened > 100, `Anna sealed ${ae.sealed}, opened ${ae.opened}`);
  assert.ok(await metric('plenum_rtp_packets_sent_total') > sentBefore + 500, 'the server forwarded the packets');
  // what the server cannot read it cannot record or stream
  const rec = await hostRequest(a, 'recording_start');
  assert.equal(rec.error?.code, 'e2ee');
  assert.match(rec.error.message, /cannot read/);
  assert.equal((await hostRequest(a, 'streaming_start')).error?.code, 'e2ee');
  await a.screenshot({ path: join(OUT, 'e2ee-meeting-1280.png') });
  await c.screenshot({ path: join(OUT, 'e2ee-wrong-passphrase-1280.png') });
  await close(a, b, c);
});

test('simulcast in an encrypted meeting: a large tile gets the high layer, a small one the low layer', async () => {
  const room = 'sealed-layers';
  const a = await env.open(room, 'Clara', { hash: `e2ee=${PASS}` });
  const aid = await joined(env, a);
  assert.ok(await a.evaluate(() => window.plenum.simulcast), 'publishes three layers');
  const b = await env.open(room, 'Dirk', { hash: `e2ee=${PASS}` });
  await joined(env, b);
  await cameraPlays(env, b, 'video of Clara', aid);
  await chooseLayout(b, 'speaker');
  // a tile of 288 px or more takes the 360-line layer (the half layer of the 720p fake camera:
  // src/sfu/layers.c fits a layer up to 5/4 of the tile); notices on the stage may shrink it below 400
  await env.waitFor(b, 'large tile reported', (id) => (window.plenum.videoPrefs?.tiles || []).some((x) => x.id === id && x.height >= 300), aid);
  await cameraPlays(env, b, 'the high layer arrives', aid, { min: 360 });
  const large = await picture(b, aid);
  console.log(`# e2ee simulcast: large tile ${JSON.stringify(large)}`);
  await chooseLayout(b, 'grid');
  await b.setViewportSize({ width: 400, height: 320 });
  await cameraPlays(env, b, 'the low layer arrives', aid, { max: 180 });
  await sleep(1000);
  const small = await picture(b, aid);
  console.log(`# e2ee simulcast: small tile ${JSON.stringify(small)}`);
  assert.ok(large.height > small.height, `frameHeight large ${large.height}, small ${small.height}`);
  assert.ok(small.brightness > 20, `the low layer decrypts too (${small.brightness.toFixed(1)})`);
  await close(a, b);
});

const NO_TRANSFORMS = () => {
  delete window.RTCRtpScriptTransform;
  delete RTCRtpSender.prototype.createEncodedStreams;
  delete RTCRtpReceiver.prototype.createEncodedStreams;
};

test('the fallback (encoded streams, no RTCRtpScriptTransform) and the script transform decode each other', async () => {
  const room = 'sealed-streams';
  const a = await env.open(room, 'Hanna', { hash: `e2ee=${PASS}`, init: () => { delete window.RTCRtpScriptTransform; } });
  const aid = await joined(env, a);
  const b = await env.open(room, 'Ivo', { hash: `e2ee=${PASS}` });
  const bid = await joined(env, b);
  await cameraPlays(env, a, 'Ivo\'s picture at Hanna\'s', bid);
  await cameraPlays(env, b, 'Hanna\'s picture at Ivo\'s', aid);
  await sleep(2000);
  const ae = await a.evaluate(() => window.plenum.e2ee);
  const be = await b.evaluate(() => window.plenum.e2ee);
  assert.equal(ae.mode, 'encoded-streams');
  assert.equal(be.mode, 'script-transform');
  for (const e of [ae, be]) assert.ok(e.sealed > 50 && e.opened > 50 && e.failed === 0, JSON.stringify(e));
  assert.ok((await picture(a, bid)).brightness > 20 && (await picture(b, aid)).brightness > 20, 'pictures, not black');
  await close(a, b);
});

test('a browser that cannot encrypt is told and does not join; the pre-join of an encrypted meeting', async () => {
  const room = 'sealed-door';
  const a = await env.open(room, 'Erika', { hash: `e2ee=${PASS}` });
  await joined(env, a);
  const joinedEvents = [];
  a.on('console', () => {});
  await a.exposeFunction('__seen', (id) => joinedEvents.push(id));
  await a.evaluate(() => {
    const ids = new Set(window.plenum.participants.keys());
    setInterval(() => { for (const id of window.plenum.participants.keys()) if (!ids.has(id)) { ids.add(id); window.__seen(id); } }, 100);
  });
  const old = await env.open(room, 'Fritz', { hash: `e2ee=${PASS}`, join: false, init: NO_TRANSFORMS });
  await env.waitFor(old, 'pre-join ready', () => window.plenum && window.plenum.state === 'prejoin');
  await env.waitFor(old, 'refusal shown', () => !document.getElementById('e2ee-unsupported').hidden);
  assert.match(await old.textContent('#e2ee-unsupported'), /cannot take part in end-to-end encrypted meetings/);
  assert.ok(await old.isDisabled('#join-button'), 'no way to join');
  await old.click('#join-button', { force: true }).catch(() => {});
  await old.evaluate(() => document.getElementById('prejoin-form').requestSubmit());
  await sleep(3000);
  assert.equal(await old.evaluate(() => window.plenum.state), 'prejoin');
  assert.deepEqual(joinedEvents, [], 'nobody joined at Erika\'s');
  // without the link's passphrase: room_status says the meeting is encrypted, the box is locked on
  // (axe is injected: this page's CSP is bypassed; the other pages prove the worker passes plenum's CSP)
  const guest = await env.open(room, 'Gerda', { join: false, lang: 'de', bypassCSP: true });
  await env.waitFor(guest, 'pre-join ready', () => window.plenum && window.plenum.state === 'prejoin');
  await guest.fill('#name-input', 'Gerda');
  await env.waitFor(guest, 'encrypted notice', () => !document.getElementById('prejoin-e2ee-notice').hidden);
  assert.match(await guest.textContent('#prejoin-e2ee-text'), /Ende-zu-Ende-verschlüsselt/);
  assert.ok(await guest.isChecked('#e2ee-check'));
  assert.ok(await guest.isDisabled('#e2ee-check'));
  await guest.click('#join-button');
  await env.waitFor(guest, 'passphrase asked', () => !document.getElementById('e2ee-pass-error').hidden);
  assert.equal(await guest.evaluate(() => document.activeElement.id), 'e2ee-pass-input');
  await guest.screenshot({ path: join(OUT, 'e2ee-prejoin-de-1280.png') });
  await assertNoAxeViolations(guest, 'pre-join of an encrypted meeting');
  await guest.fill('#e2ee-pass-input', PASS);
  await guest.click('#join-button');
  await joined(env, guest);
  await env.waitFor(a, 'Gerda arrives', () => window.plenum.participants.size === 1);
  assert.equal(joinedEvents.length, 1, 'only Gerda joined');
  await old.screenshot({ path: join(OUT, 'e2ee-unsupported-1280.png') });
  await close(a, old, guest);
});

test('landing: an encrypted meeting gets a generated passphrase in the link\'s fragment', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'en-US', bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${env.base}/?lang=en`);
  await page.fill('#room-input', 'Verschlüsselt 1');
  await page.check('#e2ee-check');
  const pass = await page.inputValue('#e2ee-pass-input');
  assert.match(pass, /^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
  await page.click('#e2ee-new');
  assert.notEqual(await page.inputValue('#e2ee-pass-input'), pass, 'another one on request');
  await page.fill('#e2ee-pass-input', 'short');
  await page.click('#room-form button[type="submit"]');
  assert.match(await page.textContent('#e2ee-pass-error'), /at least 8/);
  assert.equal(new URL(page.url()).pathname, '/', 'not with that passphrase');
  await page.fill('#e2ee-pass-input', pass);
  assert.ok(await page.isHidden('#e2ee-pass-error'), 'the error goes once it is right');
  await page.screenshot({ path: join(OUT, 'e2ee-landing-1280.png') });
  await assertNoAxeViolations(page, 'landing with encryption ticked');
  await page.click('#room-form button[type="submit"]');
  await page.waitForURL(/\/verschluesselt-1/);
  await page.waitForFunction(() => window.plenum && window.plenum.state === 'prejoin');
  assert.equal(new URL(page.url()).search.includes(pass), false, 'never in the query');
  assert.ok(await page.isChecked('#e2ee-check'), 'the pre-join has it ticked');
  assert.equal(await page.inputValue('#e2ee-pass-input'), pass);
  await context.close();
});

/** CPU seconds (user + system) of this test's Chromium processes (descendants of node, not plenum). */
function chromiumCpu() {
  const parent = new Map();
  const info = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      parent.set(Number(d), Number(rest[1]));
      info.set(Number(d), { comm, cpu: (Number(rest[11]) + Number(rest[12])) / 100 });
    } catch { /* gone */ }
  }
  let sum = 0;
  for (const [pid, i] of info) {
    if (/plenum/.test(i.comm)) continue;
    for (let p = parent.get(pid); p; p = parent.get(p)) {
      if (p === process.pid) { sum += i.cpu; break; }
    }
  }
  return sum;
}

test('the cost of encryption: a publisher and a viewer, 20 s with and 20 s without', async () => {
  const figures = {};
  for (const [label, hash] of [['clear', ''], ['e2ee', `e2ee=${PASS}`]]) {
    const room = `cost-${label}`;
    const a = await env.open(room, 'Pub', { hash });
    await joined(env, a);
    const b = await env.open(room, 'Sub', { hash });
    const aid = await a.evaluate(() => window.plenum.participantId);
    await joined(env, b);
    await cameraPlays(env, b, 'video', aid);
    await sleep(3000);
    const cpu0 = chromiumCpu();
    const e0 = await a.evaluate(() => window.plenum.e2ee);
    await sleep(20000);
    const cpu = chromiumCpu() - cpu0;
    const e1 = await a.evaluate(() => window.plenum.e2ee);
    const frames = e1 ? e1.sealed - e0.sealed : 0;
    figures[label] = { cpuPercent: +(cpu / 20 * 100).toFixed(1),
      sealUsPerFrame: frames ? +(((e1.sealMs - e0.sealMs) / frames) * 1000).toFixed(1) : null, framesSealed: frames };
    await close(a, b);
  }
  console.log(`# e2ee cost (two pages, one browser, 20 s): ${JSON.stringify(figures)}`);
  assert.ok(figures.e2ee.framesSealed > 500, 'frames were sealed');
  assert.equal(figures.clear.framesSealed, 0);
});

/** Frames decoded of participant id's camera tile, and the page's e2ee totals; runs in either browser. */
async function decodedFrom(id) {
  const v = document.querySelector(`.tile[data-participant-id="${id}"][data-source="camera"] video`);
  const track = v?.srcObject?.getVideoTracks()[0];
  const pc = window.plenum.subscribePc;
  let frames = 0;
  if (pc && track) {
    const tr = pc.getTransceivers().find((x) => x.receiver.track === track);
    (await tr.receiver.getStats()).forEach((st) => { if (st.type === 'inbound-rtp') frames += st.framesDecoded || 0; });
  }
  return { frames, width: v?.videoWidth ?? 0, e2ee: window.plenum.e2ee };
}

test('Firefox ESR and Chromium decode each other in an encrypted meeting', { timeout: 90000 }, async (t) => {
  if (!firefoxInstalled()) {
    t.skip(`${FIREFOX} not installed (Debian package firefox-esr)`);
    return;
  }
  const room = 'sealed-firefox';
  const ff = await launchFirefox(`${env.base}/${room}?name=Fuchs&lang=en#e2ee=${PASS}`, { logPath: join(OUT, 'browser', 'e2ee-firefox.log') });
  try {
    await ff.bidi.waitFor('pre-join ready', () => window.plenum && window.plenum.state === 'prejoin');
    await ff.bidi.evaluate(() => { document.getElementById('join-button').click(); return true; });
    const ffId = await ff.bidi.waitFor('joined', () => window.plenum && window.plenum.state === 'joined' && window.plenum.participantId);
    const page = await env.open(room, 'Chrom', { hash: `e2ee=${PASS}` });
    const chromId = await joined(env, page);
    await cameraPlays(env, page, 'Firefox\'s picture in Chromium', ffId);
    const deadline = Date.now() + 30000;
    let inFf;
    do {
      await sleep(500);
      inFf = await ff.bidi.evaluate(decodedFrom, chromId);
    } while (!(inFf.frames > 10 && inFf.width > 0) && Date.now() < deadline);
    assert.ok(inFf.frames > 10 && inFf.width > 0, `Chromium's picture in Firefox: ${JSON.stringify(inFf)}`);
    await sleep(3000);   // the worker's counts come once a second
    inFf = await ff.bidi.evaluate(decodedFrom, chromId);
    assert.equal(inFf.e2ee.mode, 'script-transform');
    assert.ok(inFf.e2ee.sealed > 50 && inFf.e2ee.opened > 50 && inFf.e2ee.failed === 0, JSON.stringify(inFf.e2ee));
    const inChrome = await page.evaluate(decodedFrom, ffId);
    assert.ok(inChrome.frames > 10 && inChrome.e2ee.failed === 0, JSON.stringify(inChrome));
    await page.context().close();
  } catch (e) {
    e.message += `\n--- firefox page ---\n${ff.bidi?.consoleLines.slice(-15).join('\n') ?? ''}\n--- firefox ---\n${ff.log(15)}`;
    throw e;
  } finally {
    await ff.stop();
  }
});
