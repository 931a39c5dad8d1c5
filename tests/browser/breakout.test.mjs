// Breakout groups through the browser client: a host makes two groups of two from the panel; the
// members see, hear and chat only inside their group; one is moved; the host's message reaches
// every group; the groups close after a countdown and everyone is back in the main room, decoding
// everyone's video, with no second getUserMedia on any page (a move keeps the local media).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPlenum, joined, sleep, OUT, closePages as close, serverHas, assertNoAxeViolations as axe } from './lib-plenum.mjs';

let env;
before(async () => { env = await startPlenum('breakout'); });
after(async () => {
  const problems = env ? await env.stop() : [];
  assert.deepEqual(problems, []);
});

/**
 * Runs in each page before its scripts: counts getUserMedia calls (window.__gum), asks the fake
 * camera for a small picture (five pages on a small machine) and records the visible notices.
 */
function pageSetup() {
  window.__gum = 0;
  const md = navigator.mediaDevices;
  const gum = md.getUserMedia.bind(md);
  md.getUserMedia = (c) => {
    window.__gum++;
    const want = c && c.video ? { ...c, video: { ...(typeof c.video === 'object' ? c.video : {}), width: 320, height: 180, frameRate: 15 } } : c;
    return gum(want);
  };
  window.__notices = [];
  document.addEventListener('DOMContentLoaded', () => {
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) window.__notices.push(`${n.dataset?.kind}: ${n.textContent}`);
    }).observe(document.getElementById('notices'), { childList: true });
  });
}

// bypassCSP: axe-core is injected as an inline script
const open = (name) => env.open('breakout-room', name, { init: pageSetup, query: { simulcast: '0' }, bypassCSP: true });
const remoteIds = (page) => page.evaluate(() => [...window.plenum.participants.keys()].sort((x, y) => x - y));
const tileIds = (page) => page.$$eval('.stage .tile[data-participant-id][data-source="camera"]',
  (els) => els.map((e) => Number(e.dataset.participantId)).sort((x, y) => x - y));
const sorted = (ids) => [...ids].sort((x, y) => x - y);

/** Frames decoded from each participant's camera, by the tile's own track (its transceiver's mid). */
function framesFrom(page, ids) {
  return page.evaluate(async (list) => {
    const pc = window.plenum.subscribePc;
    const stats = pc ? await pc.getStats() : new Map();
    const out = {};
    for (const id of list) {
      const v = document.querySelector(`.tile[data-participant-id="${id}"][data-source="camera"] video`);
      const track = v?.srcObject?.getVideoTracks()[0];
      const mid = track && pc?.getTransceivers().find((tr) => tr.receiver.track === track)?.mid;
      out[id] = 0;
      stats.forEach((s) => { if (mid != null && s.type === 'inbound-rtp' && s.kind === 'video' && s.mid === mid) out[id] = s.framesDecoded || 0; });
    }
    return out;
  }, ids);
}

/** The page has exactly these others (list and tiles) and decodes fresh video from each of them. */
async function meetsExactly(page, ids, what) {
  const want = sorted(ids);
  await env.waitFor(page, `${what}: participants ${want}`, (w) => JSON.stringify([...window.plenum.participants.keys()].sort((x, y) => x - y)) === JSON.stringify(w), want, 30000);
  await env.waitFor(page, `${what}: tiles ${want}`, (w) => {
    const tiles = [...document.querySelectorAll('.stage .tile[data-participant-id][data-source="camera"]')];
    return JSON.stringify(tiles.map((e) => Number(e.dataset.participantId)).sort((x, y) => x - y)) === JSON.stringify(w)
      && tiles.every((e) => e.querySelector('video')?.videoWidth > 0);
  }, want, 30000);
  const first = await framesFrom(page, want);
  await sleep(1500);
  const second = await framesFrom(page, want);
  for (const id of want) assert.ok(second[id] > first[id], `${page.label} ${what}: frames from ${id}: ${first[id]} -> ${second[id]}`);
  assert.deepEqual(await tileIds(page), want, `${page.label} ${what}: tiles`);
}

async function sendChat(page, text) {
  if (await page.locator('#chat-panel').isHidden()) await page.click('#ctl-chat');
  await page.fill('#chat-input', text);
  await page.click('#chat-send');
  await page.waitForFunction(() => document.getElementById('chat-input').value === '');
  await page.click('#chat-close');
}
const chatTexts = (page) => page.$$eval('#chat-log .chat__text', (els) => els.map((e) => e.textContent));

test('breakout groups: two groups of two meet apart, one moves, a message to all, back together', async (t) => {
  const host = await open('Hanna');
  const hid = await joined(env, host);
  if (!(await serverHas(host, 'breakout_setup'))) {
    t.skip('this server has no breakout groups (breakout_setup unknown)');
    await close(host);
    return;
  }
  const guests = [];
  for (const name of ['Anna', 'Ben', 'Cleo', 'Dirk']) {
    const page = await open(name);
    guests.push({ page, name, id: await joined(env, page) });
  }
  const [a, b, c, d] = guests;
  const all = [host, ...guests.map((g) => g.page)];
  const ids = { [hid]: 'Hanna', ...Object.fromEntries(guests.map((g) => [g.id, g.name])) };
  for (const p of all) await env.waitFor(p, 'everyone listed', (n) => window.plenum.participants.size === n, 4, 30000);
  const gumAtJoin = await Promise.all(all.map((p) => p.evaluate(() => window.__gum)));
  assert.ok(gumAtJoin.every((n) => n >= 1), `getUserMedia calls at join ${gumAtJoin}`);

  // A guest sees no "Groups" button and cannot set groups up.
  assert.ok(await a.page.locator('#ctl-breakout').isHidden(), 'a guest has no groups button before they open');

  // The host's panel: two groups (the default names), each of two guests.
  await host.click('#ctl-breakout');
  await env.waitFor(host, 'panel', () => !document.getElementById('breakout-panel').hidden);
  assert.equal(await host.inputValue('#breakout-count'), '2');
  assert.equal(await host.inputValue('#breakout-name-0'), 'Room 1');
  await host.fill('#breakout-name-1', 'Room 1');
  await host.getByRole('button', { name: 'Create groups' }).click();
  await env.waitFor(host, 'same names refused here', () => /same name/.test(document.getElementById('breakout-form-error').textContent));
  await host.fill('#breakout-name-1', 'Room 2');
  await host.check('#breakout-allow-choose');
  await host.getByRole('button', { name: 'Create groups' }).click();
  await env.waitFor(host, 'planned', () => window.plenum.breakout.state === 'planned' && window.plenum.breakout.groups.length === 2);
  for (const [g, group] of [[a, 'Room 1'], [b, 'Room 1'], [c, 'Room 2'], [d, 'Room 2']]) {
    await host.getByLabel(`Group for ${g.name}`).selectOption({ label: group });
    await env.waitFor(host, `${g.name} planned in ${group}`, ([id, n]) => window.plenum.breakout.groups
      .find((x) => x.name === n)?.members?.some((m) => m.id === id), [g.id, group]);
  }
  for (const g of guests) assert.equal(await g.page.evaluate(() => window.plenum.breakout.state), 'none', 'guests never see the plan');
  await host.fill('#breakout-minutes', '10');
  await host.screenshot({ path: join(OUT, 'breakout-host-plan.png') });
  await axe(host, 'the host\'s plan');
  await host.getByRole('button', { name: 'Open groups' }).click();

  // Each pair meets alone: the list, the tiles and the decoded video are the group mate's only.
  for (const [g, mate, group] of [[a, b, 'Room 1'], [b, a, 'Room 1'], [c, d, 'Room 2'], [d, c, 'Room 2']]) {
    await env.waitFor(g.page, 'banner', (n) => !document.getElementById('breakout-banner').hidden
      && document.getElementById('breakout-where').textContent === `You are in the group “${n}”`, group);
    await meetsExactly(g.page, [mate.id], `in ${group}`);
  }
  await env.waitFor(host, 'host alone in the main room', () => window.plenum.participants.size === 0);
  assert.ok(await host.locator('#invite-card').isHidden(), 'the host is offered the invitation as if alone');
  assert.match(await a.page.textContent('#breakout-time'), /^\d+:\d\d left$/);
  assert.ok(await a.page.locator('#breakout-call').isVisible(), 'call the host offered in a group');
  await a.page.screenshot({ path: join(OUT, 'breakout-guest-banner.png') });
  await host.screenshot({ path: join(OUT, 'breakout-host-open.png') });
  await axe(host, 'the host\'s panel while open');
  await axe(a.page, 'a guest\'s banner');

  // Chat stays in the group.
  await sendChat(a.page, 'Hallo Gruppe 1');
  await env.waitFor(b.page, 'chat in group 1', () => [...document.querySelectorAll('#chat-log .chat__text')].some((e) => e.textContent === 'Hallo Gruppe 1'));
  await sleep(1000);
  for (const g of [c, d]) assert.ok(!(await chatTexts(g.page)).includes('Hallo Gruppe 1'), `${g.name} in group 2 got group 1's chat`);
  assert.ok(!(await chatTexts(host)).includes('Hallo Gruppe 1'), 'the host in the main room got group 1\'s chat');

  // Calling the host: the host is told, with a way to join, and joins group 1.
  await a.page.click('#breakout-call');
  const help = host.locator('#toasts .toast', { hasText: 'Anna asks for help in “Room 1”' });
  await help.waitFor({ state: 'visible' });
  await help.getByRole('button', { name: 'Join Room 1' }).click();
  await env.waitFor(host, 'host in Room 1', () => document.getElementById('breakout-where').textContent === 'You are in the group “Room 1”');
  await meetsExactly(host, [a.id, b.id], 'the host in Room 1');

  // Ben moves to group 2: Anna stays with the host, Ben meets Cleo and Dirk.
  await host.getByLabel('Move Ben to').selectOption({ label: 'Room 2' });
  await env.waitFor(b.page, 'Ben in Room 2', () => document.getElementById('breakout-where').textContent === 'You are in the group “Room 2”');
  await meetsExactly(b.page, [c.id, d.id], 'after the move');
  await meetsExactly(c.page, [b.id, d.id], 'after the move');
  await meetsExactly(a.page, [hid], 'after the move');

  // Dirk chooses group 1 himself (allowed by the host); nobody was shown as "left" on any move.
  await d.page.click('#breakout-choose');
  await d.page.getByRole('button', { name: 'Join Room 1' }).click();
  await env.waitFor(d.page, 'Dirk in Room 1', (want) => document.getElementById('breakout-where').textContent === 'You are in the group “Room 1”'
    && JSON.stringify([...window.plenum.participants.keys()].sort((x, y) => x - y)) === JSON.stringify(want), sorted([hid, a.id]));
  await env.waitFor(c.page, 'Cleo with Ben only', (id) => window.plenum.participants.size === 1 && window.plenum.participants.has(id), b.id);
  for (const g of guests) {
    const left = (await g.page.evaluate(() => window.__notices)).filter((n) => n.startsWith('leave'));
    assert.deepEqual(left, [], `${g.name} was shown a move as leaving`);
  }

  // A message to all groups reaches everyone, prominent and in a live region.
  await host.fill('#breakout-text', 'Noch zwei Minuten, bitte zum Ende kommen.');
  await host.getByRole('button', { name: 'Send to all groups' }).click();
  for (const p of all) {
    await env.waitFor(p, 'message to all', () => /Noch zwei Minuten, bitte zum Ende kommen\./.test(document.getElementById('breakout-broadcast').textContent));
    assert.equal(await p.getAttribute('#breakout-broadcast', 'aria-live'), 'assertive');
  }
  assert.match(await c.page.textContent('#breakout-broadcast'), /Message from Hanna to all groups/);
  await axe(c.page, 'the message to all groups');

  // Closing with a countdown of a few seconds: everyone sees it, then all are back together.
  await host.fill('#breakout-seconds', '4');
  await host.getByRole('button', { name: 'Close groups' }).click();
  for (const g of guests) {
    await env.waitFor(g.page, 'closing countdown', () => document.getElementById('breakout-banner').classList.contains('is-closing')
      && /^Groups close in [1-4] seconds?$/.test(document.getElementById('breakout-time').textContent));
  }
  await d.page.screenshot({ path: join(OUT, 'breakout-closing.png') });
  for (const p of all) {
    await env.waitFor(p, 'groups closed', () => window.plenum.breakout.state === 'none' && document.getElementById('breakout-banner').hidden, undefined, 20000);
  }
  for (const g of guests) {
    await env.waitFor(g.page, 'back in the main room', () => [...document.querySelectorAll('#toasts .toast')].some((e) => /Back in the main room/.test(e.textContent)));
  }
  for (const p of all) {
    const me = await p.evaluate(() => window.plenum.participantId);
    await meetsExactly(p, Object.keys(ids).map(Number).filter((id) => id !== me), 'back in the main room');
  }
  const gumAtEnd = await Promise.all(all.map((p) => p.evaluate(() => window.__gum)));
  assert.deepEqual(gumAtEnd, gumAtJoin, 'a page asked for camera or microphone again');
  await close(...all);
});
