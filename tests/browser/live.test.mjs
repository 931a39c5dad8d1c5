// Browser tests of the public live page (issue 11): a host in a meeting with camera opens the
// Stream links dialog (axe-core, 1366 and 390 px); a citizen's page opened from `live_page` says
// "not started" while streaming is off, tries again by itself once a host starts streaming and then
// decodes video and receives audio (muted, with "Turn sound on"); the token leaves the address bar;
// leaving the page deletes its viewer; invalid links and rooms without a meeting are said plainly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPlenum, joined, sleep, OUT, assertNoAxeViolations, keepSockets, hostRequest } from './lib-plenum.mjs';

const WIDE = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
const ROOM = 'gemeinderat-live';

let env;
before(async () => { env = await startPlenum('live'); });
after(async () => {
  const problems = env ? await env.stop() : [];
  assert.deepEqual(problems, [], `${problems.join('\n')}\n${env?.logTail()}`);
});

/** A viewer's page on `url` (axe is injected inline, so without the CSP). */
async function openLive(url, { viewport = WIDE, lang = 'en' } = {}) {
  const context = await env.browser.newContext({ viewport, locale: lang === 'de' ? 'de-DE' : 'en-US', bypassCSP: true });
  const page = await context.newPage();
  const lines = [];
  page.on('console', (m) => lines.push(`viewer console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`viewer pageerror: ${e.message}`));
  page.consoleLines = lines;
  page.label = 'viewer';
  await page.goto(url);
  return page;
}

const liveState = (page, state, timeout = 20000) =>
  env.waitFor(page, `live page ${state}`, (s) => window.plenumLive && window.plenumLive.state === s, state, timeout);

/** inbound-rtp of the live page's PeerConnection. */
function liveInbound(page) {
  return page.evaluate(async () => {
    const out = { frames: 0, video: 0, audio: 0, height: 0 };
    const pc = window.plenumLive.pc;
    if (!pc) return out;
    (await pc.getStats()).forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'audio') out.audio += s.packetsReceived || 0;
      if (s.kind === 'video') {
        out.video += s.packetsReceived || 0;
        out.frames += s.framesDecoded || 0;
        out.height = Math.max(out.height, s.frameHeight || 0);
      }
    });
    return out;
  });
}

async function viewers() {
  const text = await (await fetch(`${env.base}/metrics`)).text();
  const m = text.match(/^plenum_whep_viewers (\d+)$/m);
  assert.ok(m, 'plenum_whep_viewers in /metrics');
  return Number(m[1]);
}

const shot = (page, name) => page.screenshot({ path: join(OUT, 'browser', `${name}.png`), fullPage: true });

/** axe-core and a screenshot (`name`-1366, `name`-390) at 1366 px, then at 390 px, where the page stays. */
async function wideAndPhone(page, what, name) {
  await assertNoAxeViolations(page, `${what} at 1366 px`);
  await shot(page, `${name}-1366`);
  await page.setViewportSize(PHONE);
  await sleep(300);
  await assertNoAxeViolations(page, `${what} at 390 px`);
  await shot(page, `${name}-390`);
}

/** Polls the live page's inbound-rtp until video frames and audio packets pass `n`. */
async function mediaArrives(page, n) {
  const end = Date.now() + 20000;
  let last;
  while (Date.now() < end) {
    last = await liveInbound(page);
    if (last.frames > n && last.audio > n) return last;
    await sleep(200);
  }
  assert.fail(`live page: no media within 20 s: ${JSON.stringify(last)}\n${env.logTail(15)}`);
}
const statusText = (page) => page.locator('#live-status').textContent();

test('the live page: not started, then the programme with sound on demand; the viewer goes with the page', async () => {
  const host = await env.open(ROOM, 'Bürgermeisterin', { viewport: WIDE, init: keepSockets, bypassCSP: true });
  await joined(env, host);
  await env.waitFor(host, 'host', () => window.plenum.role === 'host');

  // the Stream links dialog, as a host opens it from the people panel
  await host.click('#ctl-people');
  await host.click('#open-stream-links');
  await env.waitFor(host, 'links shown', () => document.getElementById('stream-live-page').value.length > 0);
  const livePage = await host.inputValue('#stream-live-page');
  const whipUrl = await host.inputValue('#stream-whip-url');
  assert.match(livePage, new RegExp(`^${env.base}/live/${ROOM}#[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
  assert.equal(whipUrl, `${env.base}/whip/${ROOM}`);
  await wideAndPhone(host, 'stream links dialog', 'live-stream-links');
  const fits = await host.evaluate(() => {
    const d = document.getElementById('stream-dialog').getBoundingClientRect();
    const wide = [...document.querySelectorAll('#stream-dialog *')].filter((e) => e.getBoundingClientRect().right > innerWidth + 1);
    return { left: d.left, right: d.right, width: innerWidth, wide: wide.map((e) => e.id || e.tagName) };
  });
  assert.ok(fits.left >= 0 && fits.right <= fits.width && fits.wide.length === 0, `dialog fits 390 px: ${JSON.stringify(fits)}`);
  await host.click('#stream-dialog-close');
  await host.setViewportSize(WIDE);

  // streaming is off: the page says so, counts down, and holds no token in its address
  const viewer = await openLive(livePage);
  await liveState(viewer, 'not_started');
  assert.match(await statusText(viewer), /The livestream has not started yet/);
  assert.equal(await viewer.evaluate(() => location.href), `${env.base}/live/${ROOM}`);
  assert.equal(await viewer.evaluate(() => document.getElementById('live-status').getAttribute('role')), 'status');
  await env.waitFor(viewer, 'countdown', () => /Next try in (1[0-5]|[5-9]) seconds/.test(document.getElementById('live-countdown').textContent));
  const retryAt = await viewer.evaluate(() => window.plenumLive.retryAt - Date.now());
  assert.ok(retryAt > 9000 && retryAt <= 15000, `next try in ${retryAt} ms`);
  assert.equal(await viewer.evaluate(() => document.title), `Livestream: ${ROOM} · plenum`);
  await assertNoAxeViolations(viewer, 'live page, not started');
  await shot(viewer, 'live-not-started-1366');
  assert.equal(await viewers(), 0);

  // a host starts streaming: the page's next try (within 15 s, without reloading) plays it
  const started = await hostRequest(host, 'streaming_start');
  assert.ok(started.result && started.result.active === true, JSON.stringify(started));
  await liveState(viewer, 'playing', 25000);
  assert.equal(await viewer.evaluate(() => window.plenumLive.attempts), 2);
  const a = await mediaArrives(viewer, 10);
  await sleep(2000);
  const b = await liveInbound(viewer);
  assert.ok(b.frames > a.frames + 10, `frames ${a.frames} -> ${b.frames}`);
  assert.ok(b.audio > a.audio + 25, `audio packets ${a.audio} -> ${b.audio}`);
  assert.ok(b.height > 0, `frame height ${b.height}`);
  await env.waitFor(viewer, 'the video element plays', () => {
    const v = document.getElementById('live-video');
    return v.videoWidth > 0 && !v.paused && v.controls;
  });
  assert.match(await statusText(viewer), /The livestream is on/);
  assert.equal(await viewers(), 1);

  // muted autoplay, and the sound on a click
  assert.equal(await viewer.evaluate(() => document.getElementById('live-video').muted), true);
  assert.equal(await viewer.isVisible('#live-unmute'), true);
  await viewer.click('#live-unmute');
  assert.equal(await viewer.evaluate(() => document.getElementById('live-video').muted), false);
  assert.equal(await viewer.isVisible('#live-unmute'), false);
  await wideAndPhone(viewer, 'live page, playing', 'live-playing');
  const overflow = await viewer.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling at 390 px (${overflow} px)`);

  // leaving the page deletes the viewer at once (not after the 20 s consent timeout)
  await viewer.goto('about:blank');
  const deadline = Date.now() + 3000;
  while (await viewers() !== 0 && Date.now() < deadline) await sleep(100);
  assert.equal(await viewers(), 0, 'the viewer is gone after pagehide');
  await viewer.context().close();

  // the meeting ends: the same link now says there is no meeting in the room
  await host.context().close();
  await sleep(500);
  const late = await openLive(livePage, { viewport: PHONE, lang: 'de' });
  await liveState(late, 'no_meeting');
  assert.match(await statusText(late), /In diesem Raum findet gerade keine Sitzung statt/);
  assert.equal(await late.evaluate(() => document.documentElement.lang), 'de');
  await assertNoAxeViolations(late, 'live page, no meeting (de, 390 px)');
  await shot(late, 'live-no-meeting-390');
  await late.context().close();
});

test('the live page: a link without a valid token says so and does not try again', async () => {
  for (const hash of ['#eyJhbGciOiJIUzI1NiJ9.eyJyb29tIjoieCJ9.c2ln', '']) {
    const page = await openLive(`${env.base}/live/${ROOM}${hash}`);
    await liveState(page, 'invalid');
    assert.match(await statusText(page), /This link is not valid \(any more\)/);
    assert.equal(await page.isVisible('#live-retry'), false);
    await sleep(1000);
    assert.equal(await page.evaluate(() => window.plenumLive.retryAt), 0);
    if (hash) await assertNoAxeViolations(page, 'live page, invalid link');
    if (hash) await shot(page, 'live-invalid-1366');
    await page.context().close();
  }
});
