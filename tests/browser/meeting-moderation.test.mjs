// Meeting features through the browser client: room password, lobby admit/deny, a host muting,
// removing and ending, the hand queue, and joining and muting by keyboard alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPlenum, joined, inbound, sleep, OUT, recordAnnouncements, announced, openRoomSettings,
  closePages as close } from './lib-plenum.mjs';

let env;
before(async () => { env = await startPlenum('meeting-moderation'); });
after(async () => {
  const problems = env ? await env.stop() : [];
  assert.deepEqual(problems, []);
});


async function hostActions(page, name) {
  if (await page.locator('#people-panel').isHidden()) await page.click('#ctl-people');
  const toggle = page.getByRole('button', { name: `Host actions for ${name}` });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
}

test('room password: a joiner is asked, a wrong one is refused, the right one lets in', async () => {
  const room = 'pw-room';
  const host = await env.open(room, 'Hanna');
  await joined(env, host);
  assert.equal(await host.evaluate(() => window.plenum.role), 'host');
  await openRoomSettings(host);
  await host.fill('#room-password', 'Gartenzwerg-7');
  await host.click('#room-password-set');
  await env.waitFor(host, 'room has a password', () => window.plenum.roomState.has_password === true);
  await host.click('#room-dialog-close');

  const guest = await env.open(room, 'Gustav');
  await env.waitFor(guest, 'asked for the password', () => window.plenum.state === 'password'
    && !document.getElementById('password-field').hidden && document.body.dataset.screen === 'prejoin');
  await guest.fill('#password-input', 'falsch');
  await guest.click('#join-button');
  await env.waitFor(guest, 'wrong password message', () => window.plenum.state === 'password'
    && !document.getElementById('password-error').hidden);
  assert.match(await guest.textContent('#password-error'), /not right/);
  await guest.fill('#password-input', 'Gartenzwerg-7');
  await guest.click('#join-button');
  const gid = await joined(env, guest);
  await env.waitFor(host, 'host sees the guest', (id) => window.plenum.participants.has(id), gid);
  assert.equal(await guest.evaluate(() => window.plenum.role), 'guest');
  await close(host, guest);
});

test('lobby: the host is told, admits one and denies another', async () => {
  const room = 'lobby-room';
  const host = await env.open(room, 'Hanna');
  await joined(env, host);
  await openRoomSettings(host);
  await host.check('#room-lobby');
  await env.waitFor(host, 'lobby on', () => window.plenum.roomState.lobby === true);
  await host.click('#room-dialog-close');

  await recordAnnouncements(host);
  const g1 = await env.open(room, 'Ida');
  await env.waitFor(g1, 'waiting screen', () => window.plenum.state === 'lobby' && document.body.dataset.screen === 'lobby-wait');
  await env.waitFor(host, 'host sees Ida waiting', () => window.plenum.lobby.some((w) => w.name === 'Ida')
    && [...document.querySelectorAll('#lobby-list li')].some((li) => li.textContent.includes('Ida')));
  await announced(env, host, 'knock announced', 'Ida is waiting');
  await g1.screenshot({ path: join(OUT, 'lobby-waiting.png') });
  await host.screenshot({ path: join(OUT, 'lobby-host.png') });
  await host.getByRole('button', { name: 'Admit Ida' }).click();
  const id1 = await joined(env, g1);
  await env.waitFor(host, 'Ida in the meeting', (id) => window.plenum.participants.has(id), id1);

  const g2 = await env.open(room, 'Jonas');
  await env.waitFor(host, 'host sees Jonas waiting', () => window.plenum.lobby.some((w) => w.name === 'Jonas'));
  await host.getByRole('button', { name: 'Deny Jonas' }).click();
  await env.waitFor(g2, 'denied screen', () => document.body.dataset.screen === 'left'
    && /not let in/.test(document.getElementById('left-title').textContent));
  await close(host, g1, g2);
});

test('a host mutes a guest: the mic goes off there, it is announced, and no more audio arrives', async () => {
  const room = 'mute-room';
  const host = await env.open(room, 'Hanna');
  await joined(env, host);
  const guest = await env.open(room, 'Karl');
  const gid = await joined(env, guest);
  await env.waitFor(host, 'audio from Karl', async () => {
    let n = 0;
    (await window.plenum.subscribePc?.getStats())?.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') n += s.packetsReceived; });
    return n > 50;
  });
  await hostActions(host, 'Karl');
  await host.getByRole('button', { name: 'Mute microphone: Karl' }).click();
  await env.waitFor(guest, 'mic off on the muted page', () => document.getElementById('ctl-mic').classList.contains('is-off'));
  await env.waitFor(guest, 'muted announced', () => /turned your microphone off/.test(document.getElementById('announcer-assertive').textContent));
  await env.waitFor(host, 'Karl shown muted', (id) => window.plenum.participants.get(id)?.audio_muted === true, gid);
  await sleep(1500);
  const a = await inbound(host);
  await sleep(2000);
  const b = await inbound(host);
  assert.ok(b.audio.packetsReceived - a.audio.packetsReceived <= 5,
    `audio still arrives after the mute: ${a.audio.packetsReceived} -> ${b.audio.packetsReceived}`);

  // Asking to unmute never unmutes by itself.
  await hostActions(host, 'Karl');
  await host.getByRole('button', { name: 'Ask to unmute: Karl' }).click();
  await env.waitFor(guest, 'unmute request shown', () => /asks you to turn on your microphone/.test(document.getElementById('toasts').textContent));
  assert.ok(await guest.evaluate(() => document.getElementById('ctl-mic').classList.contains('is-off')), 'mic stayed off');
  await close(host, guest);
});

test('a host removes a guest, then ends the meeting for everyone', async () => {
  const room = 'end-room';
  const host = await env.open(room, 'Hanna');
  await joined(env, host);
  const g1 = await env.open(room, 'Lena');
  const id1 = await joined(env, g1);
  const g2 = await env.open(room, 'Mats');
  await joined(env, g2);
  await recordAnnouncements(g2);
  await env.waitFor(host, 'Lena listed', (id) => window.plenum.participants.has(id), id1);
  await hostActions(host, 'Lena');
  await host.getByRole('button', { name: 'Remove from meeting: Lena' }).click();
  await env.waitFor(g1, 'removed screen', () => document.body.dataset.screen === 'left'
    && /removed/.test(document.getElementById('left-title').textContent));
  await env.waitFor(host, 'Lena gone', (id) => !window.plenum.participants.has(id), id1);
  await announced(env, g2, 'removal announced', 'Lena was removed');

  await openRoomSettings(host);
  await host.click('#room-end');
  await host.click('#room-end-yes');
  for (const p of [g2, host]) {
    await env.waitFor(p, 'meeting ended screen', () => document.body.dataset.screen === 'left'
      && /meeting has ended/.test(document.getElementById('left-title').textContent));
  }
  await close(host, g1, g2);
});

test('raised hands keep their order; a host lowers one', async () => {
  const room = 'hand-room';
  const host = await env.open(room, 'Hanna');
  await joined(env, host);
  const g1 = await env.open(room, 'Nora');
  const id1 = await joined(env, g1);
  const g2 = await env.open(room, 'Otto');
  const id2 = await joined(env, g2);
  await env.waitFor(host, 'both listed', (ids) => ids.every((i) => window.plenum.participants.has(i)), [id1, id2]);
  await recordAnnouncements(host);
  await g1.keyboard.press('h');           // the shortcut
  await env.waitFor(host, 'Nora first', (id) => window.plenum.hands[0] === id, id1);
  await g2.click('#ctl-hand');            // the button
  await env.waitFor(host, 'queue Nora, Otto', (ids) => JSON.stringify(window.plenum.hands) === JSON.stringify(ids), [id1, id2]);
  await announced(env, host, 'hand announced', 'Otto raised their hand, number 2');
  await host.click('#ctl-people');
  const names = await host.$$eval('#hands-list li .people__name', (els) => els.map((e) => e.textContent));
  assert.deepEqual(names, ['Nora', 'Otto']);
  assert.equal(await g2.getAttribute('#ctl-hand', 'data-on'), 'true');
  await host.getByRole('button', { name: 'Lower hand: Nora' }).click();
  await env.waitFor(host, 'queue Otto', (id) => JSON.stringify(window.plenum.hands) === JSON.stringify([id]), id2);
  await env.waitFor(g1, 'Nora sees her hand lowered', () => document.getElementById('ctl-hand').dataset.on === 'false');
  await close(host, g1, g2);
});

test('keyboard alone: join from the pre-join screen and mute, shortcuts quiet while typing', async () => {
  const room = 'keys-room';
  const page = await env.open(room, 'Paula', { join: false });
  await page.waitForSelector('#name-input:not([disabled])');
  await env.waitFor(page, 'pre-join ready', () => document.body.dataset.screen === 'prejoin' && document.activeElement?.id === 'name-input');
  await page.keyboard.type('Paula Keys');
  const tabTo = async (id, max = 30) => {
    for (let i = 0; i < max; i++) {
      if (await page.evaluate((x) => document.activeElement?.id === x, id)) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached #${id}`);
  };
  await tabTo('join-button');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'focused button shows a focus outline');
  await page.keyboard.press('Enter');
  await joined(env, page);
  await tabTo('ctl-mic');
  await page.keyboard.press('Space');
  await env.waitFor(page, 'mic off by Space', () => document.getElementById('ctl-mic').classList.contains('is-off'));
  await page.keyboard.press('Enter');
  await env.waitFor(page, 'mic on by Enter', () => !document.getElementById('ctl-mic').classList.contains('is-off'));
  await page.keyboard.press('c');
  await env.waitFor(page, 'chat open and focused', () => !document.getElementById('chat-panel').hidden && document.activeElement?.id === 'chat-input');
  await page.keyboard.type('mmm vvv');
  await sleep(300);
  assert.ok(!(await page.evaluate(() => document.getElementById('ctl-mic').classList.contains('is-off'))), 'typing m did not mute');
  await page.keyboard.press('Escape');
  await env.waitFor(page, 'chat closed, focus back on the chat button', () => document.getElementById('chat-panel').hidden && document.activeElement?.id === 'ctl-chat');
  await page.keyboard.press('m');
  await env.waitFor(page, 'M mutes', () => document.getElementById('ctl-mic').classList.contains('is-off'));
  await page.keyboard.press('?');
  await env.waitFor(page, 'shortcuts dialog', () => document.getElementById('shortcuts-dialog').open);
  await page.keyboard.press('Escape');
  await close(page);
});
