// The first meeting, as citizens see it (issue 9, item 6): room names typed freely become an
// address and the typed name is shown, the invite card while alone (copy, gone when somebody
// comes), visible notices (join, leave, chat preview, hand), "you are muted" when the muted
// microphone hears something (Chromium's fake microphone beeps), pin and volume from a tile, the
// host's leave dialog with "end for everyone", and the phone layout at 390×844 (no sideways
// scrolling, "Join now" in view, own picture as an overlay, five controls and "More"). axe-core
// runs with each of them on screen. Screenshots at 1366×768 and 390×844 go to
// tests/output/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPlenum, joined, OUT, ROOT } from './lib-plenum.mjs';

const AXE = join(ROOT, 'tests', 'browser', 'node_modules', 'axe-core', 'axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const SHOTS = join(OUT, 'screenshots');
const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
const BYPASS = { bypassCSP: true };   // axe is injected as an inline script

let env;
before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  env = await startPlenum('first-meeting');
});
after(async () => {
  const problems = env ? await env.stop() : [];
  assert.deepEqual(problems, []);
});

const close = (...pages) => Promise.all(pages.map((p) => p.context().close().catch(() => {})));
const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

async function axe(page, what) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary.split('\n').slice(0, 3).join(' ')}`) }));
  }, TAGS);
  assert.deepEqual(result, [], `${what}: axe violations\n${JSON.stringify(result, null, 2)}`);
}

/** Nothing scrolls sideways. */
async function noOverflow(page, what) {
  const r = await page.evaluate(() => ({ sw: document.scrollingElement.scrollWidth, w: innerWidth }));
  assert.ok(r.sw <= r.w, `${what}: the page is ${r.sw} px wide in a ${r.w} px window`);
}

const visibleNotices = (page) => page.$$eval('#notices .notice', (els) => els.map((e) => e.textContent));

test('a typed room name becomes an address; the typed name is shown and stays out of the server log', async () => {
  const context = await env.browser.newContext({ viewport: DESKTOP, locale: 'de-DE' });
  const page = await context.newPage();
  page.label = 'landing';
  page.consoleLines = [];
  await page.goto(`${env.base}/?lang=de`);
  await page.waitForFunction(() => !document.getElementById('main').hidden);
  // Only punctuation: a clear message, nothing happens.
  await page.fill('#room-input', '!!! ???');
  await page.click('#room-form button[type="submit"]');
  await page.waitForFunction(() => !document.getElementById('room-error').hidden);
  assert.match(await page.textContent('#room-error'), /keine Buchstaben oder Ziffern/);
  assert.match(new URL(page.url()).pathname, /^\/$/);
  // Spaces, capitals, umlauts and punctuation: the address is shown while typing, then used.
  await page.fill('#room-input', 'Elternabend Klasse 3b – Grüße!');
  await page.waitForFunction(() => !document.getElementById('room-address').hidden);
  assert.match(await page.textContent('#room-address'), /\/elternabend-klasse-3b-gruesse$/);
  await page.click('#room-form button[type="submit"]');
  await page.waitForURL(/\/elternabend-klasse-3b-gruesse#t=/);
  await env.waitFor(page, 'pre-join', () => window.plenum && window.plenum.state === 'prejoin');
  assert.equal(await page.textContent('#prejoin-room'), 'Elternabend Klasse 3b – Grüße!');
  assert.equal(await page.evaluate(() => window.plenum.room), 'elternabend-klasse-3b-gruesse');
  // A fragment that does not belong to the address is not shown (no misleading names by link).
  await page.goto(`${env.base}/elternabend-klasse-3b-gruesse?lang=en#t=${encodeURIComponent('Bürgeramt Sprechstunde')}`);
  await env.waitFor(page, 'pre-join again', () => window.plenum && window.plenum.state === 'prejoin');
  assert.equal(await page.textContent('#prejoin-room'), 'elternabend-klasse-3b-gruesse');
  // Typed straight into the address bar: the same address, the typed name shown.
  await page.goto(`${env.base}/${encodeURIComponent('Sprechstunde Bürgeramt')}?lang=en`);
  await env.waitFor(page, 'pre-join (typed path)', () => window.plenum && window.plenum.state === 'prejoin');
  assert.equal(new URL(page.url()).pathname, '/sprechstunde-buergeramt');
  assert.equal(await page.textContent('#prejoin-room'), 'Sprechstunde Bürgeramt');
  const log = readFileSync(env.logPath, 'utf8');
  assert.ok(!/Elternabend|Gr%C3%BC%C3%9Fe|Gr%c3%bc/i.test(log), 'the typed name reached the server log');
  await context.close();
});

test('alone: the invite card with the link, copy, and gone when somebody joins', async () => {
  const room = 'invite-room';
  const a = await env.open(room, 'Anna', { viewport: DESKTOP, query: {}, ...BYPASS });
  await a.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.base });
  await joined(env, a);
  await env.waitFor(a, 'invite card', () => !document.getElementById('invite-card').hidden);
  const link = await a.inputValue('#invite-link');
  assert.equal(link, `${env.base}/${room}`);
  await a.click('#invite-copy');
  await env.waitFor(a, 'copied or selected', () => document.getElementById('invite-status').textContent !== '');
  const copied = await a.evaluate(async () => {
    const f = document.getElementById('invite-link');
    const selected = document.activeElement === f && f.selectionStart === 0 && f.selectionEnd === f.value.length;
    let clip = null;
    try { clip = await navigator.clipboard.readText(); } catch { clip = null; }
    return { clip, selected };
  });
  assert.ok(copied.clip === link || copied.selected, `the link is neither on the clipboard nor selected: ${JSON.stringify(copied)}`);
  await axe(a, 'alone with the invite card');
  await shot(a, 'alone-invite-1366');
  await a.setViewportSize(PHONE);
  await env.waitFor(a, 'card on the phone', () => !document.getElementById('invite-card').hidden);
  await noOverflow(a, 'alone at 390 px');
  await axe(a, 'alone with the invite card at 390 px');
  await shot(a, 'alone-invite-390');
  await a.setViewportSize(DESKTOP);

  const b = await env.open(room, 'Bernd', { viewport: DESKTOP });
  await joined(env, b);
  await env.waitFor(a, 'card gone', () => document.getElementById('invite-card').hidden);
  await env.waitFor(b, 'no card for Bernd', () => document.getElementById('invite-card').hidden && window.plenum.participants.size === 1);
  await b.click('#ctl-leave');   // a guest leaves at once, no dialog
  await env.waitFor(b, 'Bernd left', () => window.plenum.state === 'left');
  await env.waitFor(a, 'card back', () => !document.getElementById('invite-card').hidden);
  await close(a, b);
});

test('visible notices: join, chat preview while the chat is closed, raised hand, leave', async () => {
  const room = 'notice-room';
  const a = await env.open(room, 'Anna', { viewport: DESKTOP, ...BYPASS });
  await joined(env, a);
  // Joins in the first second after one's own join are summed up, not shown one by one
  // (ui.quietUntil, room/events.js): Cäcilie comes after it, as people do.
  await a.waitForTimeout(1200);
  // Every notice Anna's page shows is kept, so a busy machine cannot let one expire (5 s) unseen.
  await a.evaluate(() => {
    window.noticesSeen = [];
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) window.noticesSeen.push(n.textContent);
    }).observe(document.getElementById('notices'), { childList: true });
  });
  const c = await env.open(room, 'Cäcilie Müller-Lüdenscheidt', { viewport: DESKTOP });
  await joined(env, c);
  await env.waitFor(a, 'join notice', () => window.noticesSeen.some((t) => /Cäcilie.*joined/.test(t)));
  await c.click('#ctl-chat');
  await c.fill('#chat-input', 'Guten Abend! Ich bin gleich da, mein Zug hat Verspätung.');
  await c.click('#chat-send');
  await env.waitFor(a, 'chat preview', () => [...document.querySelectorAll('#notices .notice--chat')].some((n) => /Cäcilie.*Guten Abend! Ich bin gleich da/.test(n.textContent)));
  await c.click('#ctl-hand');
  await env.waitFor(a, 'hand notice', () => [...document.querySelectorAll('#notices .notice--hand')].some((n) => /Cäcilie.*raised their hand/.test(n.textContent)));
  assert.equal(await a.getAttribute('#notices', 'aria-hidden'), 'true', 'the live region says it already');
  await axe(a, 'notices on screen');
  await shot(a, 'notices-1366');
  // A click on the preview opens the chat; messages while it is open make no preview.
  await a.click('#notices .notice--chat');
  await env.waitFor(a, 'chat open', () => !document.getElementById('chat-panel').hidden);
  await c.fill('#chat-input', 'Zweite Nachricht');
  await c.click('#chat-send');
  await env.waitFor(a, 'second message in the log', () => [...document.querySelectorAll('#chat-log .chat__text')].some((e) => e.textContent === 'Zweite Nachricht'));
  assert.ok(!(await visibleNotices(a)).some((n) => /Zweite Nachricht/.test(n)), 'a preview although the chat is open');
  await a.click('#chat-close');
  await a.setViewportSize(PHONE);
  await c.fill('#chat-input', 'Und eine dritte, recht lange Nachricht, damit man sieht, wie die Vorschau auf dem Telefon umbricht.');
  await c.click('#chat-send');
  await env.waitFor(a, 'phone preview', () => !!document.querySelector('#notices .notice--chat'));
  await noOverflow(a, 'notices at 390 px');
  await shot(a, 'notices-390');
  await close(c);
  await env.waitFor(a, 'leave notice', () => window.noticesSeen.some((t) => /Cäcilie.*left/.test(t)));
  await close(a);
});

test('"you are muted" when the muted microphone hears something', async () => {
  const a = await env.open('muted-room', 'Anna', { viewport: DESKTOP });
  await joined(env, a);
  await a.click('#ctl-mic');
  await env.waitFor(a, 'mic off', () => document.getElementById('ctl-mic').classList.contains('is-off'));
  // The fake microphone beeps; the track is only disabled, so the hint hears it.
  await env.waitFor(a, 'muted hint', () => [...document.querySelectorAll('#toasts .toast')].some((t) => /You are muted/.test(t.textContent)), undefined, 30000);
  await shot(a, 'muted-hint-1366');
  // Its button turns the microphone on, and the hint goes.
  await a.click('#toasts .toast__action');
  await env.waitFor(a, 'mic on again', () => !document.getElementById('ctl-mic').classList.contains('is-off')
    && ![...document.querySelectorAll('#toasts .toast')].some((t) => /You are muted/.test(t.textContent)));
  assert.equal(await a.evaluate(() => window.plenum.participants.size), 0);
  await close(a);
});

test('toggles: the words name the action, the same in the bar and on the pre-join screen', async () => {
  const p = await env.open('toggle-room', 'Anna', { viewport: DESKTOP, join: false, query: { name: 'Anna' } });
  await env.waitFor(p, 'pre-join', () => window.plenum && window.plenum.state === 'prejoin');
  assert.equal(await p.textContent('#pre-mic .control__label'), 'Turn microphone off');
  assert.equal(await p.textContent('#pre-cam .control__label'), 'Turn camera off');
  await p.click('#pre-mic');
  await env.waitFor(p, 'pre-join mic off', () => document.querySelector('#pre-mic .control__label').textContent === 'Turn microphone on');
  await p.click('#join-button');
  await joined(env, p);
  const bar = await p.evaluate(() => [...document.querySelectorAll('#controls .control')].map((b) => ({
    id: b.id, label: b.querySelector('.control__label')?.textContent, name: b.getAttribute('aria-label'), pressed: b.getAttribute('aria-pressed'),
  })));
  const mic = bar.find((b) => b.id === 'ctl-mic');
  assert.equal(mic.label, 'Turn microphone on');
  assert.equal(mic.name, 'Turn microphone on');
  assert.equal(bar.find((b) => b.id === 'ctl-cam').label, 'Turn camera off');
  assert.equal(bar.find((b) => b.id === 'ctl-hand').label, 'Raise hand');
  for (const b of bar) assert.equal(b.pressed, null, `${b.id} mixes changing words with aria-pressed`);
  await p.click('#ctl-hand');
  await env.waitFor(p, 'hand label', () => document.querySelector('#ctl-hand .control__label').textContent === 'Lower hand');
  await close(p);
});

test('settings: noise suppression off on the sent microphone, own picture hidden, blur only where the camera offers it', async () => {
  const p = await env.open('options-room', 'Anna', { viewport: DESKTOP, ...BYPASS });
  await joined(env, p);
  const sentAudio = () => p.evaluate(() => window.plenum.publishPc?.getSenders().find((s) => s.track?.kind === 'audio')?.track.getSettings().noiseSuppression);
  await env.waitFor(p, 'audio sent', () => !!window.plenum.publishPc?.getSenders().find((s) => s.track?.kind === 'audio'));
  assert.equal(await sentAudio(), true);
  await p.click('#ctl-more');
  await env.waitFor(p, 'settings', () => document.getElementById('settings-dialog').open);
  assert.equal(await p.isChecked('#set-noise'), true);
  // The blur switch is there exactly when the camera track can blur by itself.
  const blur = await p.evaluate(() => {
    const track = window.plenum.publishPc.getSenders().find((s) => s.track?.kind === 'video')?.track;
    const caps = track?.getCapabilities?.().backgroundBlur;
    return { offered: Array.isArray(caps) ? caps.includes(true) : caps === true, shown: !document.getElementById('set-blur-field').hidden };
  });
  assert.equal(blur.shown, blur.offered, `blur switch shown ${blur.shown}, offered by the camera ${blur.offered}`);
  await p.locator('#set-noise').scrollIntoViewIfNeeded();
  await axe(p, 'settings with the media switches');
  await shot(p, 'settings-switches-1366');
  await p.uncheck('#set-noise');
  await env.waitFor(p, 'noise suppression off on the sent track', () =>
    window.plenum.publishPc.getSenders().find((s) => s.track?.kind === 'audio')?.track.getSettings().noiseSuppression === false);
  await p.uncheck('#set-self-view');
  await env.waitFor(p, 'own picture hidden', () => document.querySelector('.stage .tile--self').hidden);
  await p.check('#set-self-view');
  await env.waitFor(p, 'own picture back', () => !document.querySelector('.stage .tile--self').hidden);
  await close(p);
});

test('host: pin and volume from a tile, the leave dialog, end for everyone', async () => {
  const room = 'end-room';
  const a = await env.open(room, 'Anna', { viewport: DESKTOP, ...BYPASS });
  await joined(env, a);
  assert.equal(await a.evaluate(() => window.plenum.role), 'host');
  const b = await env.open(room, 'Bernd', { viewport: DESKTOP });
  const bid = await joined(env, b);
  await env.waitFor(a, 'Bernd tile', (id) => !!document.querySelector(`.tile[data-participant-id="${id}"] .tile__options[aria-label="Options for Bernd"]`), bid);
  // Bernd's picture is there first: pinning is tried on a settled stage, not while his tracks arrive.
  await env.waitFor(a, "Bernd's video playing", (id) => {
    const v = document.querySelector(`.tile[data-participant-id="${id}"] video`);
    return !!v && v.readyState >= 2 && v.videoWidth > 0;
  }, bid);
  // Pin
  await a.click(`.tile[data-participant-id="${bid}"] .tile__options`);
  await env.waitFor(a, 'tile menu', () => !document.getElementById('tile-menu').hidden);
  assert.equal(await a.textContent('#tile-menu-pin'), 'Pin to the stage');
  await axe(a, 'tile options open');
  await a.click('#tile-menu-pin');
  await env.waitFor(a, 'pinned, large, always received', (id) => window.plenum.layout === 'speaker'
    && document.querySelector(`.stage__focus .tile[data-participant-id="${id}"]`)
    && JSON.stringify(window.plenum.videoPrefs?.pinned) === JSON.stringify([id]), bid);
  // Volume: the keyboard moves the slider, the audio element follows.
  await a.click(`.tile[data-participant-id="${bid}"] .tile__options`);
  await a.focus('#tile-menu-volume');
  for (let i = 0; i < 10; i++) await a.keyboard.press('ArrowLeft');
  await env.waitFor(a, 'volume 50 %', (id) => document.querySelector(`audio[data-participant-id="${id}"]`)?.volume === 0.5
    && document.getElementById('tile-menu-volume-value').textContent === '50 %', bid);
  await a.keyboard.press('Escape');
  await env.waitFor(a, 'menu closed, focus back', () => document.getElementById('tile-menu').hidden
    && document.activeElement?.classList.contains('tile__options'));
  await a.click(`.tile[data-participant-id="${bid}"] .tile__options`);
  assert.equal(await a.textContent('#tile-menu-pin'), 'Unpin');
  await a.click('#tile-menu-pin');
  await env.waitFor(a, 'unpinned', () => window.plenum.layout === 'grid' && JSON.stringify(window.plenum.videoPrefs?.pinned) === '[]');

  // The host's leave: a choice, then a confirmation naming how many it affects.
  await a.click('#ctl-leave');
  await env.waitFor(a, 'leave dialog', () => document.getElementById('leave-dialog').open);
  await axe(a, 'leave dialog for a host');
  await shot(a, 'leave-dialog-host-1366');
  await a.setViewportSize(PHONE);
  await shot(a, 'leave-dialog-host-390');
  await a.setViewportSize(DESKTOP);
  await a.click('#leave-end');
  await env.waitFor(a, 'confirmation', () => !document.getElementById('leave-confirm').hidden);
  assert.match(await a.textContent('#leave-end-question'), /all 2 people/);
  await shot(a, 'leave-confirm-host-1366');
  await a.click('#leave-end-no');
  await env.waitFor(a, 'back to the choice', () => !document.getElementById('leave-choose').hidden);
  await a.click('#leave-end');
  await a.click('#leave-end-yes');
  await env.waitFor(b, 'Bernd sees the meeting ended', () => window.plenum.state === 'ended'
    && document.body.dataset.screen === 'left' && /ended/i.test(document.getElementById('left-title').textContent));
  await env.waitFor(a, 'Anna too', () => window.plenum.state === 'ended');
  await close(a, b);
});

test('phone at 390×844: join in view, no sideways scrolling, own picture as an overlay, five controls and More', async () => {
  const room = encodeURIComponent('Elternabend Klasse 3b Sonnenblumenschule');   // the address: elternabend-klasse-3b-…
  const p = await env.open(room, 'Paula', { viewport: PHONE, lang: 'de', join: false, query: { name: 'Paula' }, ...BYPASS });
  await env.waitFor(p, 'pre-join', () => window.plenum && window.plenum.state === 'prejoin' && document.getElementById('cam-select').options.length > 0);
  await noOverflow(p, 'pre-join');
  const join = await p.evaluate(() => { const r = document.getElementById('join-button').getBoundingClientRect(); return { top: r.top, bottom: r.bottom, h: innerHeight }; });
  assert.ok(join.top >= 0 && join.bottom <= join.h, `"Jetzt beitreten" is out of view: ${JSON.stringify(join)}`);
  await axe(p, 'pre-join at 390 px');
  await shot(p, 'prejoin-390');
  const d = await env.open(room, 'Dieter', { viewport: DESKTOP, lang: 'de', join: false, query: { name: 'Dieter' } });
  await env.waitFor(d, 'pre-join desktop', () => window.plenum && window.plenum.state === 'prejoin' && document.getElementById('cam-select').options.length > 0);
  await shot(d, 'prejoin-1366');
  await d.click('#join-button');
  await joined(env, d);
  await p.click('#join-button');
  await joined(env, p);

  // One-to-one: the other person fills the stage, one's own picture is small and in a corner.
  await env.waitFor(p, 'overlay', () => {
    const self = document.querySelector('.stage .tile--self');
    const other = document.querySelector('.stage .tile[data-participant-id]');
    return document.getElementById('stage').classList.contains('stage--pip') && self && other
      && self.getBoundingClientRect().width < 130 && other.getBoundingClientRect().width > 300;
  });
  await noOverflow(p, 'meeting');
  const bar = await p.evaluate(() => [...document.querySelectorAll('#controls .control')].filter((b) => b.offsetParent)
    .map((b) => { const r = b.getBoundingClientRect(); return { id: b.id, left: r.left, right: r.right }; }));
  assert.deepEqual(bar.map((b) => b.id), ['ctl-mic', 'ctl-cam', 'ctl-hand', 'ctl-chat', 'ctl-overflow', 'ctl-leave']);
  for (const b of bar) assert.ok(b.left >= 0 && b.right <= PHONE.width, `${b.id} outside the view`);
  // The room's name as typed, readable in full (two lines at most, nothing cut off).
  const header = await p.evaluate(() => { const h = document.getElementById('meeting-room'); return { text: h.textContent, sh: h.scrollHeight, ch: h.clientHeight, sw: h.scrollWidth, cw: h.clientWidth }; });
  assert.equal(header.text, 'Elternabend Klasse 3b Sonnenblumenschule');
  assert.ok(header.sh <= header.ch + 1 && header.sw <= header.cw + 1, `the room's name is cut: ${JSON.stringify(header)}`);
  await axe(p, 'one-to-one at 390 px');
  await shot(p, 'one-to-one-390');
  await shot(d, 'one-to-one-1366');
  // Dragged to the top left, it settles there.
  const box = await p.locator('.stage .tile--self').boundingBox();
  await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await p.mouse.down();
  await p.mouse.move(40, 120, { steps: 5 });
  await p.mouse.up();
  await env.waitFor(p, 'top left', () => document.getElementById('stage').dataset.pipCorner === 'tl');
  // "Mehr": the rest, with the same words as on a wide screen.
  await p.click('#ctl-overflow');
  await env.waitFor(p, 'menu', () => !document.getElementById('overflow-menu').hidden);
  const items = await p.$$eval('#overflow-menu button', (els) => els.map((e) => e.textContent));
  const canShare = await p.evaluate(() => typeof navigator.mediaDevices?.getDisplayMedia === 'function');
  assert.deepEqual(items, [...(canShare ? ['Bildschirm teilen'] : []), 'Reagieren', 'Personen', 'Umfragen', 'Einstellungen']);
  await axe(p, 'More menu at 390 px');
  await shot(p, 'more-menu-390');
  await p.click('#overflow-menu button:has-text("Personen")');
  await env.waitFor(p, 'people panel', () => !document.getElementById('people-panel').hidden);
  await p.click('#people-close');
  await env.waitFor(p, 'focus on More', () => document.activeElement?.id === 'ctl-overflow');
  // On the wide screen "More" is not needed: the settings are one click away.
  await d.click('#ctl-more');
  await env.waitFor(d, 'settings', () => document.getElementById('settings-dialog').open);
  await shot(d, 'more-settings-1366');
  await d.keyboard.press('Escape');
  // A shared screen fills the phone's stage; the cameras become a thin strip.
  await d.click('#ctl-screen');
  await env.waitFor(p, 'presentation', () => window.plenum.layout === 'presentation'
    && document.querySelector('.stage__focus .tile[data-source="screen"] video')?.videoWidth > 0, undefined, 30000);
  const screen = await p.evaluate(() => {
    const r = document.querySelector('.stage__focus .tile[data-source="screen"]').getBoundingClientRect();
    const stage = document.getElementById('stage').getBoundingClientRect();
    return { w: r.width, h: r.height, sw: stage.width, sh: stage.height };
  });
  assert.ok(screen.w >= screen.sw - 16 && screen.h >= screen.sh * 0.6, `the screen does not fill the stage: ${JSON.stringify(screen)}`);
  await noOverflow(p, 'presentation');
  await shot(p, 'presentation-390');
  await close(p, d);
});
