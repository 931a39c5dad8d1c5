// Browser test of the client side of the hardened protocol, with the page's WebSocket passed
// through a Playwright route that can add server messages: the password guard in the hosts' room
// dialog (German and English, reset, axe clean), a rate_limited answer shown once and not retried,
// the lobby list kept from a snapshot plus knock/left deltas, and the rejoin_token sent once with
// the automatic rejoin after the connection drops.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPlenum, joined, sleep, OUT, ROOT, recordAnnouncements, announced } from './lib-plenum.mjs';

const AXE = join(ROOT, 'tests', 'browser', 'node_modules', 'axe-core', 'axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let env;
before(async () => { env = await startPlenum('contract'); });
after(async () => {
  const problems = env ? await env.stop() : [];
  assert.deepEqual(problems, [], problems.join('\n'));
});

/**
 * Opens a page whose signaling runs through a proxy. Every frame the page sends is recorded in
 * proxy.sent (parsed); onPage(msg) may answer it itself (return a reply object) instead of
 * forwarding; onServer(msg) may change a server message. proxy.inject(event, data) pushes an
 * event to the page; proxy.drop() closes the page's socket as a lost connection would.
 */
async function openProxied(room, name, { lang = 'en', onPage = () => null, onServer = (m) => m } = {}) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 720 }, locale: lang === 'de' ? 'de-DE' : 'en-US', bypassCSP: true });
  const page = await context.newPage();
  page.label = name;
  page.consoleLines = [];
  page.on('console', (m) => page.consoleLines.push(`${name} console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => page.consoleLines.push(`${name} pageerror: ${e.message}`));
  const proxy = { sent: [], routes: [] };
  await page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    proxy.routes.push(ws);
    ws.onMessage((text) => {
      const msg = JSON.parse(text);
      proxy.sent.push(msg);
      const reply = onPage(msg);
      if (reply) ws.send(JSON.stringify(reply));
      else server.send(text);
    });
    server.onMessage((text) => ws.send(JSON.stringify(onServer(JSON.parse(text)))));
  });
  proxy.inject = (event, data) => proxy.routes[proxy.routes.length - 1].send(JSON.stringify({ event, data }));
  proxy.drop = () => proxy.routes[proxy.routes.length - 1].close();
  proxy.count = (method) => proxy.sent.filter((m) => m.method === method).length;
  await page.goto(`${env.base}/${room}?name=${encodeURIComponent(name)}&lang=${lang}`);
  await env.clickJoin(page);
  return { page, proxy, context };
}

async function axe(page, what) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  }, TAGS);
  assert.deepEqual(result, [], `${what}: axe violations\n${JSON.stringify(result, null, 2)}`);
}

for (const lang of ['en', 'de']) {
  test(`password guard (${lang}): hosts are told once, see it in room settings and can reset it`, async () => {
    const words = lang === 'de'
      ? { alert: /probiert Raum-Passwörter aus: 5 falsche Versuche/, text: /5 falsche Passwörter versucht\. Jeder neue Versuch wartet jetzt 8 Sekunden/, done: /zurückgesetzt/ }
      : { alert: /trying room passwords: 5 wrong tries/, text: /5 wrong passwords were tried for this room\. Each new try now waits 8 seconds/, done: /has been reset/ };
    const { page, proxy, context } = await openProxied(`guard-${lang}`, 'Hilde', {
      lang,
      // today's server does not know password_guard_reset yet: the proxy answers for it
      onPage: (m) => (m.method === 'password_guard_reset' ? { id: m.id, result: {} } : null),
    });
    await joined(env, page);
    assert.equal(await page.evaluate(() => window.plenum.role), 'host');
    await page.evaluate(() => {
      window.__toasts = [];
      new MutationObserver(() => window.__toasts.push(document.getElementById('toasts').textContent))
        .observe(document.getElementById('toasts'), { childList: true, subtree: true, characterData: true });
    });
    proxy.inject('password_guard', { failures: 3, delay_s: 0 });
    proxy.inject('password_guard', { failures: 5, delay_s: 8 });
    await env.waitFor(page, 'guard state', () => window.plenum.passwordGuard?.failures === 5);
    const alerts = await page.evaluate(() => document.querySelectorAll('#toasts .toast').length);
    assert.equal(alerts, 1, 'one toast for the guesses, not one per update');
    assert.equal(await page.evaluate(() => document.getElementById('toasts').getAttribute('aria-live')), 'polite');
    await page.click('#toasts .toast__action');
    await env.waitFor(page, 'room dialog open', () => document.getElementById('room-dialog').open);
    const text = await page.textContent('#room-guard-text');
    assert.match(text, words.text);
    assert.equal(await page.isVisible('#room-guard'), true);
    await page.screenshot({ path: join(OUT, 'browser', `guard-${lang}.png`) });
    await axe(page, `room dialog with the password guard (${lang})`);
    await recordAnnouncements(page);   // every announcement, not only the latest: others may follow at once
    await page.click('#room-guard-reset');
    await announced(env, page, 'reset announced', words.done.source);
    assert.equal(proxy.count('password_guard_reset'), 1);
    proxy.inject('password_guard', { failures: 0, delay_s: 0 });
    await env.waitFor(page, 'guard hidden after the reset', () => document.getElementById('room-guard').hidden);
    await context.close();
  });
}

test('a guest never sees the password guard', async () => {
  const host = await env.open('guard-guest', 'Hanna');
  await joined(env, host);
  const { page, proxy, context } = await openProxied('guard-guest', 'Gast');
  await joined(env, page);
  proxy.inject('password_guard', { failures: 9, delay_s: 30 });
  await sleep(500);
  assert.equal(await page.evaluate(() => window.plenum.passwordGuard), null);
  assert.equal(await page.evaluate(() => document.querySelectorAll('#toasts .toast').length), 0);
  await context.close();
  await host.context().close();
});

test('rate_limited on the hand: one polite notice, no retry', async () => {
  const { page, proxy, context } = await openProxied('limited-room', 'Rita', {
    onPage: (m) => (m.method === 'raise_hand' ? { id: m.id, error: { code: 'rate_limited', message: 'too many requests' } } : null),
  });
  await joined(env, page);
  await page.click('#ctl-hand');
  await env.waitFor(page, 'rate-limited notice', () => [...document.querySelectorAll('#toasts .toast')].some((t) => /wait a moment/.test(t.textContent)));
  await sleep(3000);
  assert.equal(proxy.count('raise_hand'), 1, 'the request was not repeated');
  const toasts = await page.evaluate(() => [...document.querySelectorAll('#toasts .toast')].map((t) => t.textContent));
  assert.equal(toasts.length, 1, `one notice: ${JSON.stringify(toasts)}`);
  assert.equal(await page.getAttribute('#ctl-hand', 'data-on'), 'false');
  await context.close();
});

test('hosts keep the lobby from a snapshot and knock/left deltas', async () => {
  const { page, proxy, context } = await openProxied('delta-room', 'Lotte');
  await joined(env, page);
  proxy.inject('lobby_updated', { waiting: [{ lobby_id: 901, name: 'Wanda' }, { lobby_id: 902, name: 'Xaver' }] });
  proxy.inject('lobby_knock', { lobby_id: 903, name: 'Yusuf' });
  proxy.inject('lobby_left', { lobby_id: 901 });
  await env.waitFor(page, 'lobby of two', () => window.plenum.lobby.length === 2);
  assert.deepEqual(await page.evaluate(() => window.plenum.lobby.map((w) => w.name)), ['Xaver', 'Yusuf']);
  await page.click('#ctl-people');
  const listed = await page.evaluate(() => document.getElementById('lobby-list').textContent);
  assert.match(listed, /Xaver/);
  assert.match(listed, /Yusuf/);
  assert.doesNotMatch(listed, /Wanda/);
  assert.equal(await page.textContent('#people-badge'), '2');
  await context.close();
});

test('after a dropped connection the rejoin carries the rejoin_token once', async () => {
  let joins = 0;
  const { page, proxy, context } = await openProxied('rejoin-room', 'Rolf', {
    // today's server has no tokens yet: the proxy adds one to each join result
    onServer: (m) => {
      if (m.result && m.result.participant_id !== undefined) m.result.rejoin_token = `tok-${++joins}`;
      return m;
    },
  });
  await joined(env, page);
  const first = proxy.sent.find((m) => m.method === 'join');
  assert.equal('rejoin_token' in first.params, false);
  proxy.drop();
  await env.waitFor(page, 'rejoined', () => window.plenum.state === 'joined' && window.plenum.participantId !== null, undefined, 30000);
  const js = proxy.sent.filter((m) => m.method === 'join');
  assert.equal(js.length, 2, JSON.stringify(js));
  assert.equal(js[1].params.rejoin_token, 'tok-1');
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.doesNotMatch(stored, /tok-/, 'the token is kept in memory only');
  await context.close();
});
