// Browser test: one plenum, three towns (tenants of the configuration file), each on its own host
// name — Chromium maps palim.test, brusl.test and ettl.test to 127.0.0.1. Each town's brand on the
// landing, pre-join and meeting pages (name, logo, colour, imprint, language; axe-core finds no
// WCAG 2.1 A/AA violation); a room called `rat` in two towns is two rooms; an invitation token in
// the link (minted here with node:crypto, independent of plenum's code) leaves the address bar at
// once and goes in join only; an expired one is told as such with a way in as a guest; and where
// only a host's token opens a room, a guest waits ("not started") until the host arrives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlenum, freePort, joined, recordAnnouncements, announced, OUT, ROOT, assertNoAxeViolations } from './lib-plenum.mjs';

const VIEW = { width: 1280, height: 720 };
const WAIT = 45000;   // generous: a loaded two-core machine runs plenum and several Chromium pages

const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" width="84" height="32" viewBox="0 0 84 32">
<rect width="32" height="32" rx="6" fill="#7a1f2b"/><path d="M9 24V8h8a5 5 0 0 1 0 10h-8" fill="none" stroke="#fff" stroke-width="3"/>
<text x="40" y="22" font-family="sans-serif" font-size="15" font-weight="700" fill="#7a1f2b">Bühl</text></svg>`;

// Each town as the config file says it and as the pages should show it. `locale` is the browser's
// preference, chosen against the town's language so that <html lang> shows the town's default wins.
const TOWNS = {
  buehl: {
    host: 'palim.test', name: 'Palim! Palim!', color: '#7a1f2b', rgb: 'rgb(122, 31, 43)', language: 'de', locale: 'en-US',
    imprint: 'https://www.buehl.example/impressum', privacy: 'https://www.buehl.example/datenschutz',
    welcome: 'Willkommen bei den Videokonferenzen der Stadt Bühl – für Sprechstunden, Beiräte und Vereine.',
    logo: true, openRooms: 'anyone',
  },
  bruchsal: {
    host: 'brusl.test', name: 'Brusl babbld', color: '#00594f', rgb: 'rgb(0, 89, 79)', language: 'en', locale: 'de-DE',
    imprint: 'https://www.bruchsal.example/imprint', privacy: '', welcome: '', logo: false, openRooms: 'anyone',
  },
  ettlingen: {
    host: 'ettl.test', name: 'Ettlingen im Gespräch', color: '#1d4f91', rgb: 'rgb(29, 79, 145)', language: 'de', locale: 'de-DE',
    imprint: 'https://www.ettlingen.example/impressum', privacy: '', welcome: '', logo: false, openRooms: 'token',
  },
};

let env;
let dir;
let port;
const secrets = {};
const origin = (id) => `http://${TOWNS[id].host}:${port}`;

function configFile() {
  const lines = [];
  for (const [id, town] of Object.entries(TOWNS)) {
    secrets[id] = randomBytes(24).toString('hex');   // 48 bytes of text; no newline
    const secretPath = join(dir, `${id}.jwt-secret`);
    writeFileSync(secretPath, secrets[id]);
    chmodSync(secretPath, 0o600);
    lines.push(`[tenant ${id}]`, `hosts = ${town.host}`, `name = ${town.name}`, `color = ${town.color}`,
      `language = ${town.language}`, `imprint_url = ${town.imprint}`, `open_rooms = ${town.openRooms}`,
      `token_secret_file = ${secretPath}`);
    if (town.privacy) lines.push(`privacy_url = ${town.privacy}`);
    if (town.welcome) lines.push(`welcome = ${town.welcome}`);
    if (town.logo) {
      writeFileSync(join(dir, `${id}.svg`), LOGO);
      lines.push(`logo = ${join(dir, `${id}.svg`)}`);
    }
    lines.push('');
  }
  const path = join(dir, 'plenum.conf');
  writeFileSync(path, lines.join('\n'));
  return path;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'plenum-tenants-'));
  port = await freePort('tcp');
  const hosts = Object.values(TOWNS).map((t) => t.host);
  env = await startPlenum('tenants', {
    port,
    extraArgs: ['--config', configFile()],
    browserArgs: [
      `--host-resolver-rules=${hosts.map((h) => `MAP ${h} 127.0.0.1`).join(', ')}`,
      // the cameras need a secure context; these test host names are plain http
      `--unsafely-treat-insecure-origin-as-secure=${hosts.map((h) => `http://${h}:${port}`).join(',')}`,
    ],
  });
});
after(async () => {
  const problems = env ? await env.stop() : [];
  if (dir) rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(problems, [], problems.join('\n'));
});

/** An HS256 JWT signed with the town's secret (RFC 7519, by hand: no plenum code involved). */
function mint(id, claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const data = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${data}.${createHmac('sha256', secrets[id]).update(data).digest('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);

/** A page of a town in a fresh context; records console lines and the WebSocket frames it sends. */
async function openTown(id, path, { label = id, locale = TOWNS[id].locale, viewport = VIEW } = {}) {
  const context = await env.browser.newContext({ viewport, locale, bypassCSP: true });  // axe is an inline script
  const page = await context.newPage();
  page.label = label;
  page.consoleLines = [];
  page.sent = [];
  page.on('console', (m) => page.consoleLines.push(`${label} console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => page.consoleLines.push(`${label} pageerror: ${e.message}`));
  page.on('websocket', (ws) => ws.on('framesent', (f) => {
    try { page.sent.push(JSON.parse(typeof f.payload === 'string' ? f.payload : f.payload.toString())); } catch { /* binary */ }
  }));
  await page.goto(`${origin(id)}${path}`);
  return page;
}

const waitFor = (page, what, fn, arg) => env.waitFor(page, what, fn, arg, WAIT);
const prejoinReady = (page) => waitFor(page, 'pre-join ready', () => window.plenum && window.plenum.state === 'prejoin'
  && document.documentElement.dataset.site === 'ready');
async function clickJoin(page) {
  await prejoinReady(page);
  await page.click('#join-button');
}

const axe = assertNoAxeViolations;

/** What the page shows of the brand, read in the page. */
function brandOf(page) {
  return page.evaluate(async () => {
    const slot = document.querySelector('[data-slot="logo"]');
    const img = slot.querySelector('img.brand__logo');
    const primary = document.querySelector('main:not([hidden]) .button--primary:not([hidden])');
    const nameEl = slot.querySelector('.brand__name');
    return {
      name: nameEl.textContent,
      nameVisible: getComputedStyle(nameEl).visibility === 'visible' && nameEl.getClientRects().length > 0,
      title: document.title,
      lang: document.documentElement.lang,
      logo: img ? { alt: img.alt, naturalWidth: img.naturalWidth, height: img.getBoundingClientRect().height } : null,
      mark: !!slot.querySelector('svg.brand__mark'),
      headerHeight: document.querySelector('.site-header').getBoundingClientRect().height,
      primary: primary ? getComputedStyle(primary).backgroundColor : null,
      imprint: document.querySelector('[data-site-link="imprint"]')?.href ?? null,
      imprintShown: !document.querySelector('[data-site-link="imprint"]').hidden,
      privacy: document.querySelector('[data-site-link="privacy"]').hidden ? '' : document.querySelector('[data-site-link="privacy"]').href,
    };
  });
}

function checkBrand(id, got, where) {
  const town = TOWNS[id];
  const say = `${id} ${where}: ${JSON.stringify(got)}`;
  assert.equal(got.name, town.name, say);
  assert.ok(got.nameVisible, `${say}: the name shows`);
  assert.ok(got.title.includes(town.name), `${say}: title`);
  assert.ok(!got.title.includes('plenum'), `${say}: no plenum in the title`);
  assert.equal(got.lang, town.language, `${say}: the town's language (the browser prefers ${town.locale})`);
  if (town.logo) {
    assert.ok(got.logo, `${say}: logo`);
    assert.equal(got.logo.alt, town.name, say);
    assert.ok(got.logo.naturalWidth > 0, `${say}: the logo loaded`);
    assert.equal(got.mark, false, `${say}: the logo replaces plenum's mark`);
  } else {
    assert.equal(got.logo, null, say);
    assert.ok(got.mark, `${say}: plenum's mark stays without a logo`);
  }
  assert.equal(got.primary, town.rgb, `${say}: primary button colour`);
  assert.ok(got.imprintShown, say);
  assert.equal(got.imprint, town.imprint, say);
  assert.equal(got.privacy, town.privacy, say);
}

const headers = {};   // header heights per town and page: a logo must not change them
const shot = (page, id, what) => page.screenshot({ path: join(OUT, 'browser', `tenant-${id}-${what}.png`) });

for (const id of ['buehl', 'bruchsal']) {
  test(`${id}: its brand on the landing, pre-join and meeting pages; axe finds nothing`, async () => {
    const town = TOWNS[id];
    const landing = await openTown(id, '/', { label: `${id}-landing` });
    await waitFor(landing, 'landing shown', () => !document.getElementById('main').hidden && document.documentElement.dataset.site === 'ready');
    const l = await brandOf(landing);
    checkBrand(id, l, 'landing');
    const lead = await landing.evaluate(() => ({ text: document.querySelector('.landing__lead').textContent, lang: document.querySelector('.landing__lead').lang }));
    if (town.welcome) assert.deepEqual(lead, { text: town.welcome, lang: town.language }, 'the welcome text replaces the lead');
    else assert.ok(lead.text.length > 20 && lead.text !== town.welcome, `plenum's lead without a welcome: ${lead.text}`);
    await shot(landing, id, 'landing');
    await axe(landing, `${id} landing`);
    await landing.setViewportSize({ width: 360, height: 740 });
    await axe(landing, `${id} landing at 360 px`);
    await shot(landing, id, 'landing-360');
    await landing.context().close();

    const page = await openTown(id, '/sprechstunde?name=Ada', { label: `${id}-ada` });
    await prejoinReady(page);
    const p = await brandOf(page);
    checkBrand(id, p, 'pre-join');
    assert.ok(p.title.startsWith('sprechstunde'), p.title);
    if (town.logo) assert.ok(Math.abs(p.logo.height - 32) < 1, `the logo is as high as plenum's mark: ${p.logo.height}`);
    await shot(page, id, 'prejoin');
    await axe(page, `${id} pre-join`);

    await page.click('#join-button');
    await joined({ waitFor }, page);
    const m = await brandOf(page);
    checkBrand(id, { ...m, primary: town.rgb }, 'meeting');   // the meeting's bar has no primary button in view
    // a logo keeps the header as high as plenum's mark does (the other town has none)
    headers[id] = { landing: l.headerHeight, prejoin: p.headerHeight, meeting: m.headerHeight };
    if (Object.keys(headers).length === 2) assert.equal(new Set(Object.values(headers).map((h) => JSON.stringify(h))).size, 1, JSON.stringify(headers));
    await shot(page, id, 'meeting');
    await axe(page, `${id} meeting`);
    await page.context().close();
  });
}

test('a room called rat on two host names is two rooms', async () => {
  const names = { a: 'Anton Palim', b: 'Berta Brusl', c: 'Cäsar Palim' };
  const a = await openTown('buehl', `/rat?name=${encodeURIComponent(names.a)}`, { label: 'palim-anton' });
  await clickJoin(a);
  await joined({ waitFor }, a);
  const b = await openTown('bruchsal', `/rat?name=${encodeURIComponent(names.b)}`, { label: 'brusl-berta' });
  await clickJoin(b);
  await joined({ waitFor }, b);
  const c = await openTown('buehl', `/rat?name=${encodeURIComponent(names.c)}`, { label: 'palim-caesar' });
  await clickJoin(c);
  await joined({ waitFor }, c);
  // Events reach a room in order: once Anton sees Cäsar (who came after Berta), he would have seen Berta too.
  await waitFor(a, 'Anton sees Cäsar', (n) => [...window.plenum.participants.values()].some((p) => p.name === n), names.c);
  await waitFor(c, 'Cäsar sees Anton', (n) => [...window.plenum.participants.values()].some((p) => p.name === n), names.a);
  await waitFor(a, 'two tiles for Anton', () => document.querySelectorAll('.stage .tile').length === 2);
  const seen = async (pg) => pg.evaluate(() => ({ names: [...window.plenum.participants.values()].map((p) => p.name),
    tiles: document.querySelectorAll('.stage .tile').length, room: window.plenum.room }));
  const sa = await seen(a);
  const sb = await seen(b);
  const sc = await seen(c);
  assert.deepEqual(sa.names, [names.c], JSON.stringify(sa));
  assert.deepEqual(sc.names, [names.a], JSON.stringify(sc));
  assert.deepEqual(sb, { names: [], tiles: 1, room: 'rat' }, 'Berta in Bruchsal sees nobody');
  for (const pg of [a, b, c]) await pg.context().close();
});

test('an invitation token leaves the address bar at once and goes in join only; its name is used', async () => {
  const token = mint('buehl', { aud: 'buehl', room: 'buergersprechstunde', role: 'host', name: 'Amtsleiterin Berg', exp: now() + 600 });
  const page = await openTown('buehl', `/buergersprechstunde?jwt=${token}&lang=en`, { label: 'berg' });
  const early = await page.evaluate(() => location.href);
  await prejoinReady(page);
  const after1 = await page.evaluate(() => ({ href: location.href, name: document.getElementById('name-input').value,
    lang: document.documentElement.lang, stored: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) }));
  assert.ok(!early.includes('jwt') && !early.includes(token), `no token in the address once loaded: ${early}`);
  assert.ok(!after1.href.includes('jwt'), after1.href);
  assert.equal(after1.lang, 'en', '?lang= next to the token still applies');
  assert.equal(after1.name, 'Amtsleiterin Berg', "the token's name prefills the field");
  await page.fill('#name-input', 'Irgendwer');   // the server uses the token's name anyway
  await page.click('#join-button');
  await joined({ waitFor }, page);
  assert.equal(await page.evaluate(() => window.plenum.role), 'host', "the token's role");
  const joins = page.sent.filter((m) => m.method === 'join');
  assert.equal(joins.length, 1, JSON.stringify(page.sent.map((m) => m.method)));
  assert.equal(joins[0].params.token, token);
  assert.equal(joins[0].params.camera, true, 'the camera was on when joining');
  const elsewhere = page.sent.filter((m) => m.method !== 'join' && JSON.stringify(m).includes(token));
  assert.deepEqual(elsewhere, [], 'the token goes in join only');

  // the token in the fragment: the same; the second person sees the token's name, not the typed one
  const token2 = mint('buehl', { aud: 'buehl', room: '*', role: 'guest', name: 'Bürger Clemens', exp: now() + 600 });
  const guest = await openTown('buehl', `/buergersprechstunde#jwt=${token2}`, { label: 'clemens' });
  await prejoinReady(guest);
  const g = await guest.evaluate(() => location.href);
  assert.ok(!g.includes('jwt'), g);
  await guest.click('#join-button');
  await joined({ waitFor }, guest);
  await waitFor(guest, 'the host under the token name', () => [...window.plenum.participants.values()].some((p) => p.name === 'Amtsleiterin Berg'));
  assert.equal(await guest.evaluate(() => window.plenum.role), 'guest');
  const leaked = [...page.consoleLines, ...guest.consoleLines].filter((l) => l.includes(token) || l.includes(token2));
  assert.deepEqual(leaked, [], 'no token in the console');
  assert.ok(!after1.stored.includes(token), 'no token in localStorage or sessionStorage');
  for (const pg of [page, guest]) await pg.context().close();
});

test('an expired invitation says so and offers to join as a guest', async () => {
  const token = mint('buehl', { aud: 'buehl', room: 'rat', role: 'host', name: 'Zu Spät', exp: now() - 600 });
  const page = await openTown('buehl', `/rat?jwt=${token}&lang=en&name=Dora`, { label: 'dora' });
  await clickJoin(page);
  await waitFor(page, 'the failure screen', () => document.body.dataset.screen === 'failed');
  const f = await page.evaluate(() => ({ title: document.getElementById('failed-title').textContent,
    text: document.getElementById('failed-text').textContent, guest: !document.getElementById('join-as-guest').hidden,
    retry: !document.getElementById('retry').hidden, focused: document.activeElement?.id }));
  assert.deepEqual(f, { title: 'This invitation link has expired', text: 'Your invitation link has expired. Ask the organiser for a new one.',
    guest: true, retry: false, focused: 'failed-title' });
  await shot(page, 'buehl', 'token-expired');
  await axe(page, 'expired token screen');
  await page.click('#join-as-guest');
  await prejoinReady(page);
  assert.ok(!(await page.evaluate(() => location.href)).includes('jwt'));
  if (!(await page.inputValue('#name-input'))) await page.fill('#name-input', 'Dora');
  await page.click('#join-button');
  await joined({ waitFor }, page);
  assert.equal(await page.evaluate(() => window.plenum.role), 'guest');
  const joins = page.sent.filter((m) => m.method === 'join');
  assert.equal('token' in joins[joins.length - 1].params, false, 'the guest join carries no token');
  await page.context().close();
});

test('where a host token opens rooms, a guest waits until the host arrives; waiting can be stopped', async () => {
  const guest = await openTown('ettlingen', '/rat?name=Gerda', { label: 'gerda' });
  await prejoinReady(guest);
  await recordAnnouncements(guest);
  await guest.click('#join-button');
  await waitFor(guest, 'the not-started screen', () => document.body.dataset.screen === 'lobby-wait'
    && document.getElementById('lobby-wait').dataset.reason === 'not_started');
  const w = await guest.evaluate(() => ({ title: document.getElementById('lobby-wait-title').textContent,
    text: document.getElementById('lobby-wait-text').textContent, focused: document.activeElement?.id, state: window.plenum.state }));
  assert.deepEqual(w, { title: 'Die Besprechung hat noch nicht begonnen',
    text: 'Sie werden hereingelassen, sobald die Moderation da ist. Bitte lassen Sie diese Seite geöffnet.',
    focused: 'lobby-wait-title', state: 'lobby' });
  await announced(env, guest, 'said politely', 'noch nicht begonnen');
  assert.equal(await guest.evaluate(() => document.getElementById('announcer').getAttribute('aria-live')), 'polite');
  await shot(guest, 'ettlingen', 'not-started');
  await axe(guest, 'not-started waiting screen');

  // a second guest stops waiting
  const quitter = await openTown('ettlingen', '/rat?name=Quentin', { label: 'quentin' });
  await clickJoin(quitter);
  await waitFor(quitter, 'waiting', () => document.body.dataset.screen === 'lobby-wait');
  await quitter.click('#lobby-cancel');
  await waitFor(quitter, 'stopped waiting', () => document.body.dataset.screen === 'left');
  assert.equal(await quitter.textContent('#left-title'), 'Sie warten nicht mehr');
  await quitter.context().close();

  const token = mint('ettlingen', { aud: 'ettlingen', room: 'rat', role: 'host', name: 'Oberbürgermeister Arno', exp: now() + 600 });
  const host = await openTown('ettlingen', `/rat?jwt=${token}`, { label: 'arno' });
  await clickJoin(host);
  await joined({ waitFor }, host);
  assert.equal(await host.evaluate(() => window.plenum.role), 'host');
  await joined({ waitFor }, guest);
  await waitFor(guest, 'the guest sees the host', () => [...window.plenum.participants.values()].some((p) => p.name === 'Oberbürgermeister Arno'));
  await waitFor(host, 'the host sees the guest', () => [...window.plenum.participants.values()].some((p) => p.name === 'Gerda'));
  await waitFor(guest, 'two tiles', () => document.querySelectorAll('.stage .tile').length === 2);
  assert.equal(await guest.evaluate(() => document.body.dataset.screen), 'meeting');
  for (const pg of [guest, host]) await pg.context().close();
});
