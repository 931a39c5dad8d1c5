// Browser test: a link cannot act for the citizen. /<room>?join=1&name=…&password=… shows the
// pre-join screen, publishes nothing and sends no join until the click, leaves no query (and so no
// password) in the address bar, and never fills the password field from the URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPlenum, joined, sleep, OUT } from './lib-plenum.mjs';

let env;
before(async () => { env = await startPlenum('links'); });
after(async () => {
  const problems = await env.stop();
  assert.deepEqual(problems, [], problems.join('\n'));
});

/** Opens a page that records every WebSocket frame it sends (method names of requests). */
async function openRecording(url) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'en-US' });
  const page = await context.newPage();
  page.label = 'Eve';
  page.consoleLines = [];
  page.on('console', (m) => page.consoleLines.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => page.consoleLines.push(`pageerror: ${e.message}`));
  const sent = [];
  page.on('websocket', (ws) => ws.on('framesent', (f) => {
    try { sent.push(JSON.parse(typeof f.payload === 'string' ? f.payload : f.payload.toString())); } catch { sent.push({ raw: true }); }
  }));
  await page.goto(url);
  return { page, sent, context };
}

test('a join link with name and password shows the pre-join screen and waits for the click', async () => {
  const room = 'link-room';
  const { page, sent, context } = await openRecording(`${env.base}/${room}?join=1&name=Eve&password=x&lang=en`);
  await env.waitFor(page, 'pre-join screen', () => window.plenum && window.plenum.state === 'prejoin' && document.body.dataset.screen === 'prejoin');
  // Give a direct join every chance to happen before looking.
  await sleep(2000);
  const before = await page.evaluate(() => ({
    state: window.plenum.state,
    screen: document.body.dataset.screen,
    search: location.search,
    href: location.href,
    name: document.getElementById('name-input').value,
    password: document.getElementById('password-input').value,
    publishPc: window.plenum.publishPc !== null,
    lang: document.documentElement.lang,
  }));
  const methods = sent.map((m) => m.method);
  assert.equal(before.state, 'prejoin', JSON.stringify(before));
  assert.equal(before.screen, 'prejoin');
  assert.equal(before.publishPc, false, 'nothing is published before the click');
  assert.ok(!methods.includes('join'), `no join before the click; sent ${JSON.stringify(methods)}`);
  assert.equal(before.search, '', `the address bar keeps no query: ${before.href}`);
  assert.ok(!/password/.test(before.href), 'no password in the address bar');
  assert.equal(before.name, 'Eve', 'the name from the link prefills the name field');
  assert.equal(before.password, '', 'the password field stays empty');
  assert.equal(before.lang, 'en', 'lang from the link still applies');
  await page.screenshot({ path: join(OUT, 'browser', 'link-prejoin.png') });

  await page.click('#join-button');
  await joined(env, page);
  const joins = sent.filter((m) => m.method === 'join');
  assert.equal(joins.length, 1, `one join after the click: ${JSON.stringify(joins)}`);
  assert.equal(joins[0].params.name, 'Eve');
  assert.ok(!('password' in joins[0].params), `the link's password is never sent: ${JSON.stringify(joins[0].params)}`);
  assert.equal(await page.evaluate(() => location.search), '');
  await context.close();
});
