// Chat through the browser client: room messages reach everyone, private ones only sender and
// recipient, markup arrives as text, the unread counter counts; and the language switch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlenum, joined, sleep, recordAnnouncements, announced } from './lib-plenum.mjs';

let env;
before(async () => { env = await startPlenum('meeting-chat'); });
after(async () => {
  const problems = env ? await env.stop() : [];
  assert.deepEqual(problems, []);
});

const close = (...pages) => Promise.all(pages.map((p) => p.context().close().catch(() => {})));
const texts = (page) => page.$$eval('#chat-log .chat__text', (els) => els.map((e) => e.textContent));

async function send(page, text, toName) {
  if (await page.locator('#chat-panel').isHidden()) await page.click('#ctl-chat');
  await page.selectOption('#chat-to', toName ? { label: toName } : { value: '' });
  await page.fill('#chat-input', text);
  await page.click('#chat-send');
  await page.waitForFunction(() => document.getElementById('chat-input').value === '');
}

test('room chat reaches everyone, private chat only the recipient, markup stays text', async () => {
  const room = 'chat-room';
  const a = await env.open(room, 'Anna');
  const aid = await joined(env, a);
  const b = await env.open(room, 'Ben');
  const bid = await joined(env, b);
  const c = await env.open(room, 'Cleo');
  const cid = await joined(env, c);
  await env.waitFor(a, 'all listed', (ids) => ids.every((i) => window.plenum.participants.has(i)), [bid, cid]);
  await recordAnnouncements(c);
  const dialogs = [];
  for (const p of [a, b, c]) p.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });

  await send(a, 'Guten Morgen zusammen');
  for (const p of [a, b, c]) {
    await env.waitFor(p, 'room message', () => [...document.querySelectorAll('#chat-log .chat__text')].some((e) => e.textContent === 'Guten Morgen zusammen'));
  }
  // Closed chat: the unread counter counts, and the message is announced.
  assert.equal(await c.textContent('#chat-unread'), '1');
  assert.match(await c.getAttribute('#ctl-chat', 'aria-label'), /1 unread message/);
  await announced(env, c, 'message announced', 'Message from Anna: Guten Morgen');

  await send(a, 'Nur für Ben', 'Ben');
  await env.waitFor(b, 'private message at Ben', () => [...document.querySelectorAll('#chat-log .chat__text')].some((e) => e.textContent === 'Nur für Ben'));
  await env.waitFor(a, 'private message at Anna', () => [...document.querySelectorAll('#chat-log .chat__private')].some((e) => /privately to Ben/.test(e.textContent)));
  await sleep(1500);
  assert.ok(!(await texts(c)).includes('Nur für Ben'), 'Cleo got the private message');
  assert.equal(await c.textContent('#chat-unread'), '1');

  const evil = '<img src=x onerror=alert(1)> <b>fett</b> https://example.org/';
  await send(b, evil);
  for (const p of [a, c]) {
    await env.waitFor(p, 'markup shown as text', (s) => [...document.querySelectorAll('#chat-log .chat__text')].some((e) => e.textContent === s), evil);
    assert.equal(await p.locator('#chat-log img, #chat-log b, #chat-log a').count(), 0, 'markup became elements');
  }
  await sleep(300);
  assert.deepEqual(dialogs, [], 'a script ran');

  // Opening the chat clears the counter; times are formatted for the language.
  await c.click('#ctl-chat');
  await env.waitFor(c, 'counter cleared', () => document.getElementById('chat-unread').hidden);
  const time = await c.textContent('#chat-log time');
  assert.match(time, /^\d{1,2}:\d{2}\s?(AM|PM)?$/);

  // The limit is shown while typing.
  await c.fill('#chat-input', 'ä'.repeat(1001));
  assert.match(await c.textContent('#chat-count'), /2,002 \/ 2,000/);
  await c.click('#chat-send');
  await env.waitFor(c, 'too long', () => !document.getElementById('chat-error').hidden);
  void aid;
  await close(a, b, c);
});

test('rate limit: the server refuses a flood and the chat says so', async () => {
  const a = await env.open('chat-flood', 'Dora');
  await joined(env, a);
  await a.click('#ctl-chat');
  for (let i = 0; i < 12; i++) {
    await a.fill('#chat-input', `Nachricht ${i}`);
    await a.press('#chat-input', 'Enter');
    await a.waitForFunction(() => document.getElementById('chat-input').value === ''
      || !document.getElementById('chat-error').hidden);
  }
  await env.waitFor(a, 'rate limit message', () => /too quickly/.test(document.getElementById('chat-error').textContent));
  await close(a);
});

test('language switch: German and English, lang attribute follows', async () => {
  const page = await env.open('lang-room', 'Emil');
  await joined(env, page);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.textContent('#ctl-leave .control__label'), 'Leave');
  await page.click('#ctl-more');
  await page.selectOption('#set-lang', 'de');
  await env.waitFor(page, 'German', () => document.documentElement.lang === 'de');
  assert.equal(await page.textContent('#ctl-leave .control__label'), 'Verlassen');
  assert.equal(await page.textContent('#settings-title'), 'Einstellungen');
  assert.match(await page.getAttribute('#ctl-mic', 'aria-label'), /Mikrofon/);
  assert.match(await page.textContent('#participant-count-text'), /Person|Teilnehm/);
  await page.keyboard.press('Escape');
  // The choice is remembered for the landing page.
  const landing = await page.context().newPage();
  await landing.goto(`${env.base}/`);
  await landing.waitForFunction(() => document.documentElement.lang === 'de' && document.querySelector('#landing-title').textContent.length > 0);
  await landing.selectOption('#lang-select', 'en');
  await landing.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await landing.textContent('#landing-title'), 'Meet by video – simply in the browser');
  await close(page);
});
