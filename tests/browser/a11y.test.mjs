// Accessibility: axe-core (WCAG 2.0/2.1 A and AA rules) on the landing page, the pre-join screen,
// the lobby screen and a meeting of three with the chat open, the people panel and the settings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPlenum, joined, sleep, ROOT, assertNoAxeViolations } from './lib-plenum.mjs';

const BYPASS = { bypassCSP: true };  // axe is injected as an inline script

let env;
before(async () => { env = await startPlenum('a11y'); });
after(async () => {
  const problems = env ? await env.stop() : [];
  assert.deepEqual(problems, []);
});

const axe = assertNoAxeViolations;

test('landing page', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 720 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${env.base}/?lang=de`);
  await page.waitForFunction(() => !document.getElementById('main').hidden);
  await axe(page, 'landing (de)');
  await page.setViewportSize({ width: 360, height: 740 });
  await axe(page, 'landing at 360 px');
  await context.close();
});

test('pre-join screen, with the password field', async () => {
  const page = await env.open('a11y-prejoin', 'Ada', { join: false, ...BYPASS });
  await env.waitFor(page, 'pre-join', () => document.body.dataset.screen === 'prejoin' && document.getElementById('cam-select').options.length > 0);
  await axe(page, 'pre-join');
  await page.evaluate(() => { document.getElementById('password-field').hidden = false; });
  await axe(page, 'pre-join with password');
  await page.context().close();
});

test('a meeting of three with the chat open, the people panel, settings and the lobby screen', async () => {
  const room = 'a11y-meeting';
  const a = await env.open(room, 'Anton', BYPASS);
  const aid = await joined(env, a);
  const b = await env.open(room, 'Berta', BYPASS);
  await joined(env, b);
  const c = await env.open(room, 'Cäsar', BYPASS);
  await joined(env, c);
  await env.waitFor(a, 'three tiles', () => document.querySelectorAll('.stage .tile').length === 3);
  await b.click('#ctl-chat');
  await b.fill('#chat-input', 'Hallo <b>zusammen</b>');
  await b.click('#chat-send');
  await a.click('#ctl-chat');
  await env.waitFor(a, 'message shown', () => document.querySelectorAll('#chat-log li').length > 0);
  await b.click('#ctl-hand');
  await sleep(1000);
  await axe(a, 'meeting with chat (host)');
  await axe(b, 'meeting with chat (guest)');
  await a.click('#ctl-people');
  await a.getByRole('button', { name: 'Host actions for Berta' }).click();
  await axe(a, 'people panel with host actions');
  await a.click('#open-room-settings');
  await axe(a, 'room settings dialog');
  await a.click('#room-dialog-close');
  await a.click('#ctl-more');
  await axe(a, 'settings dialog');
  await a.keyboard.press('Escape');
  await a.click('#ctl-react');
  await axe(a, 'reactions');
  await a.keyboard.press('Escape');
  await c.setViewportSize({ width: 360, height: 740 });
  await axe(c, 'meeting at 360 px');
  // the lobby screen
  await a.click('#open-room-settings').catch(async () => { await a.click('#ctl-people'); await a.click('#open-room-settings'); });
  await a.check('#room-lobby');
  await env.waitFor(a, 'lobby on', () => window.plenum.roomState.lobby === true);
  const d = await env.open(room, 'Dora', BYPASS);
  await env.waitFor(d, 'lobby screen', () => document.body.dataset.screen === 'lobby-wait');
  await axe(d, 'lobby waiting screen');
  void aid;
  for (const p of [a, b, c, d]) await p.context().close();
});
