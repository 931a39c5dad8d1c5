// Browser test: a meeting embedded in another site with /api/plenum-embed.js (docs/embedding.md).
// One tenant (palim.test) lists one embedding origin (portal.test). A portal page embeds the
// meeting; a second person joins directly; the portal's commands reach the meeting and its
// events reach the portal. The same portal page from evil.test is refused by frame-ancestors,
// and messages from an evil.test frame inside the portal page are ignored both ways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { mkdtempSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlenum, freePort, sleep, OUT } from './lib-plenum.mjs';

const ROOM = 'embed-rathaus';
let env;
let portal;            // the embedding sites' HTTP server (portal.test and evil.test, one port)
let dir;
let P;                 // plenum's port
let Q;                 // the portal server's port
let secret;            // the tenant's HS256 token secret
const plenumOrigin = () => `http://palim.test:${P}`;
const portalOrigin = () => `http://portal.test:${Q}`;
const evilOrigin = () => `http://evil.test:${Q}`;

/** The embedding page: the API from plenum, a meeting, every event recorded in window.__events. */
function hostPage() {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Portal</title></head>
<body>
<h1>Rathaus-Portal</h1>
<div id="meeting"></div>
<script src="${plenumOrigin()}/api/plenum-embed.js"></script>
<script>
  const q = new URLSearchParams(location.search);
  window.__events = [];
  window.__errors = [];
  try {
    window.m = new PlenumMeeting({ parentNode: document.getElementById('meeting'), room: q.get('room'),
      name: q.get('name') || undefined, token: q.get('token') || undefined, lang: 'en', width: 1000, height: 640 });
    for (const name of PlenumMeeting.EVENTS) m.on(name, (data) => window.__events.push({ name, data }));
  } catch (e) { window.__errors.push(String(e)); }
  if (q.get('evil')) {
    const f = document.createElement('iframe');
    f.id = 'evil';
    f.src = q.get('evil');
    f.width = 200; f.height = 100;
    document.body.append(f);
  }
</script>
</body></html>`;
}

function startPortal() {
  return new Promise((res) => {
    const server = createServer((req, resp) => {
      const path = new URL(req.url, 'http://x').pathname;
      if (path === '/host.html') {
        resp.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        resp.end(hostPage());
      } else if (path === '/evil.html') {
        resp.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        resp.end('<!doctype html><html><head><meta charset="utf-8"><title>evil</title></head><body>evil</body></html>');
      } else {
        resp.writeHead(404);
        resp.end();
      }
    });
    server.listen(Q, '127.0.0.1', () => res(server));
  });
}

/** An HS256 token of the tenant's portal. */
function sign(claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

/** GET on plenum at 127.0.0.1 with a given Host header: {status, headers, body}. */
function get(path, host) {
  return new Promise((res, rej) => {
    const req = request({ host: '127.0.0.1', port: P, path, headers: { host } }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c) => { body += c; });
      r.on('end', () => res({ status: r.statusCode, headers: r.headers, body }));
    });
    req.on('error', rej);
    req.end();
  });
}

before(async () => {
  P = await freePort('tcp');
  Q = await freePort('tcp');
  while (Q === P) Q = await freePort('tcp');
  dir = mkdtempSync(join(tmpdir(), 'plenum-embed-'));
  const config = join(dir, 'plenum.conf');
  secret = randomBytes(24).toString('hex');
  const secretPath = join(dir, 'buehl.jwt-secret');
  writeFileSync(secretPath, secret);
  chmodSync(secretPath, 0o600);
  writeFileSync(config, [
    '[tenant buehl]',
    'hosts = palim.test',
    'name = Palim! Palim!',
    `embed_origins = ${portalOrigin()}`,
    `token_secret_file = ${secretPath}`,
    '',
  ].join('\n'));
  const hosts = ['palim.test', 'portal.test', 'evil.test'];
  env = await startPlenum('embed', {
    port: P,
    extraArgs: ['--config', config],
    browserArgs: [
      `--host-resolver-rules=${hosts.map((h) => `MAP ${h} 127.0.0.1`).join(', ')}`,
      // plain http in the test: camera and microphone need a secure context (the whole frame chain)
      `--unsafely-treat-insecure-origin-as-secure=${plenumOrigin()},${portalOrigin()},${evilOrigin()}`,
    ],
  });
  portal = await startPortal();
});

after(async () => {
  await new Promise((r) => (portal ? portal.close(r) : r()));
  const problems = env ? await env.stop() : [];
  if (dir) rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(problems, [], problems.join('\n'));
});

async function newPage(label) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const page = await context.newPage();
  page.label = label;
  page.consoleLines = [];
  page.on('console', (m) => page.consoleLines.push(`${label} console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => page.consoleLines.push(`${label} pageerror: ${e.message}`));
  return { context, page };
}

/** Waits for fn in a page or frame, with the host page's events, console and the server log on failure. */
async function waitIn(target, page, what, fn, arg, timeout = 45000) {
  try {
    return await target.waitForFunction(fn, arg, { timeout, polling: 200 });
  } catch (e) {
    const events = await page.evaluate(() => JSON.stringify(window.__events ?? null)).catch(() => 'n/a');
    const frames = page.frames().map((f) => f.url()).join(' | ');
    throw new Error(`${page.label}: ${what}: ${e.message.split('\n')[0]}\nevents ${events}\nframes ${frames}\n`
      + `${page.consoleLines.slice(-20).join('\n')}\n--- server ---\n${env.logTail(20)}`);
  }
}

const plenumFrame = (page) => page.frames().find((f) => f.url().startsWith(plenumOrigin()));
const events = (page) => page.evaluate(() => window.__events);
const eventsNamed = async (page, name) => (await events(page)).filter((e) => e.name === name);

/** Waits for an event `name` whose data has match's fields; returns all events of that name. */
async function waitEvent(page, what, name, match = {}) {
  await waitIn(page, page, what, ([n, m]) => (window.__events || []).some((e) => e.name === n
    && Object.entries(m).every(([k, v]) => e.data && e.data[k] === v)), [name, match]);
  return eventsNamed(page, name);
}

test('the server: the API script, and frame-ancestors from the tenant\'s embed_origins', async () => {
  const api = await get('/api/plenum-embed.js', `palim.test:${P}`);
  assert.equal(api.status, 200, 'GET /api/plenum-embed.js');
  assert.match(api.headers['content-type'] || '', /javascript/);
  assert.match(api.body, /PlenumMeeting/);
  const room = await get(`/${ROOM}`, `palim.test:${P}`);
  assert.equal(room.status, 200);
  const csp = room.headers['content-security-policy'] || '';
  const fa = /frame-ancestors ([^;]*)/.exec(csp);
  assert.ok(fa, `a frame-ancestors directive: ${csp}`);
  assert.deepEqual(fa[1].trim().split(/\s+/), [portalOrigin()], `only the portal may frame the meeting: ${csp}`);
  const site = JSON.parse((await get('/assets/site.json', `palim.test:${P}`)).body);
  assert.deepEqual(site.embed_origins, [portalOrigin()]);
});

test('an embedded meeting: commands in, events out; messages from another origin are ignored', async () => {
  const a = await newPage('portal');
  await a.page.goto(`${portalOrigin()}/host.html?room=${ROOM}&name=Anna&evil=${encodeURIComponent(`${evilOrigin()}/evil.html`)}`);
  assert.deepEqual(await a.page.evaluate(() => window.__errors), []);
  await waitEvent(a.page, 'ready from the embedded meeting', 'ready');
  const frame = plenumFrame(a.page);
  assert.ok(frame, `the plenum frame: ${a.page.frames().map((f) => f.url())}`);
  const iframe = await a.page.evaluate(() => {
    const f = window.m.getIFrame();
    return { allow: f.getAttribute('allow'), title: f.getAttribute('title'), src: f.src };
  });
  assert.equal(iframe.allow, 'camera; microphone; display-capture; fullscreen; autoplay; clipboard-write');
  assert.equal(iframe.title, `Video meeting: ${ROOM}`);
  assert.equal(new URL(iframe.src).search, '', 'nothing for the server in the query');

  // The pre-join screen: the name from the fragment, then the portal's setDisplayName; the click joins.
  await waitIn(frame, a.page, 'embedded pre-join', () => window.plenum && window.plenum.state === 'prejoin'
    && document.getElementById('name-input').value === 'Anna');
  await sleep(1500);
  assert.equal(await frame.evaluate(() => window.plenum.state), 'prejoin', 'embedding never joins by itself');
  assert.equal((await eventsNamed(a.page, 'joined')).length, 0);
  await a.page.evaluate(() => window.m.setDisplayName('Anna Amsel'));
  await waitIn(frame, a.page, 'the portal\'s name in the field', () => document.getElementById('name-input').value === 'Anna Amsel');
  // The camera command on the pre-join screen presses its toggle: off, and on again.
  await a.page.evaluate(() => window.m.toggleCamera());
  await waitIn(frame, a.page, 'pre-join camera off by command', () => document.getElementById('pre-cam').classList.contains('is-off'));
  await waitIn(frame, a.page, 'pre-join camera toggle ready again', () => !document.getElementById('pre-cam').disabled);
  await a.page.evaluate(() => window.m.toggleCamera());
  await waitIn(frame, a.page, 'pre-join camera on again by command', () => !document.getElementById('pre-cam').classList.contains('is-off'));
  await waitIn(frame, a.page, 'pre-join camera toggle ready', () => !document.getElementById('pre-cam').disabled);
  await frame.click('#join-button');
  const [joinedEv] = await waitEvent(a.page, 'joined event', 'joined');
  await waitIn(frame, a.page, 'the embedded page joined', () => window.plenum.state === 'joined');
  const aId = await frame.evaluate(() => window.plenum.participantId);
  assert.equal(joinedEv.data.participantId, aId);
  assert.equal(joinedEv.data.room, ROOM);
  assert.equal(joinedEv.data.role, 'host', 'the first one in is host');
  await waitEvent(a.page, 'the microphone state after joining', 'audioMuteChanged', { muted: false });

  // Bert joins directly at palim.test.
  const b = await newPage('Bert');
  await b.page.goto(`${plenumOrigin()}/${ROOM}?lang=en&name=Bert`);
  await waitIn(b.page, b.page, 'Bert pre-join', () => window.plenum && window.plenum.state === 'prejoin');
  await b.page.click('#join-button');
  await waitIn(b.page, b.page, 'Bert joined', () => window.plenum && window.plenum.state === 'joined');
  const bId = await b.page.evaluate(() => window.plenum.participantId);
  const [pj] = await waitEvent(a.page, 'participantJoined for Bert', 'participantJoined');
  assert.deepEqual(pj.data, { id: bId, name: 'Bert' });
  await waitIn(b.page, b.page, 'Bert sees Anna Amsel', (id) => window.plenum.participants.get(id)?.name === 'Anna Amsel', aId);

  // toggleMicrophone from the portal: Bert sees the mute, the portal hears of it.
  await a.page.evaluate(() => window.m.toggleMicrophone());
  await waitIn(b.page, b.page, 'Anna muted as Bert sees it', (id) => window.plenum.participants.get(id)?.audio_muted === true, aId);
  await waitEvent(a.page, 'audioMuteChanged muted', 'audioMuteChanged', { muted: true });
  await a.page.screenshot({ path: join(OUT, 'browser', 'embed-meeting.png') });

  // The evil.test frame inside the portal page: a command to the meeting, forged events to the portal.
  const evil = a.page.frames().find((f) => f.url().startsWith(evilOrigin()));
  assert.ok(evil, 'the evil.test frame');
  // Both windows note every message that reaches them, to show the forged ones did arrive.
  const seeAll = () => { window.__seen = []; window.addEventListener('message', (e) => window.__seen.push(e.origin)); };
  await frame.evaluate(seeAll);
  await a.page.evaluate(seeAll);
  const evilSaw = await evil.evaluate(() => {
    const target = window.parent.frames[0];
    const cmd = (name, data = {}) => ({ plenum: 1, type: 'command', name, data });
    for (const c of [cmd('toggleMicrophone'), cmd('toggleCamera'), cmd('setDisplayName', { name: 'Mallory' }), cmd('leave')]) {
      target.postMessage(c, '*');
    }
    const ev = (name, data) => ({ plenum: 1, type: 'event', name, data });
    window.parent.postMessage(ev('participantJoined', { id: 999, name: 'Mallory' }), '*');
    window.parent.postMessage(ev('readyToClose', {}), '*');
    return window.parent.frames.length;
  });
  assert.equal(evilSaw, 2, 'the evil frame sees both frames of the portal page');
  // The portal page itself, not being the meeting frame, cannot forge the meeting's events either.
  await a.page.evaluate(() => window.postMessage({ plenum: 1, type: 'event', name: 'participantLeft', data: { id: 1 } }, '*'));
  // The real portal's command after them still works (and the evil ones have long been delivered).
  await a.page.evaluate(() => window.m.toggleCamera());
  await waitEvent(a.page, 'videoMuteChanged muted after the portal\'s toggleCamera', 'videoMuteChanged', { muted: true });
  await sleep(2000);
  const after = await frame.evaluate(() => ({ state: window.plenum.state, micOff: document.getElementById('ctl-mic').classList.contains('is-off') }));
  assert.equal(after.state, 'joined', 'the evil leave was ignored');
  assert.equal(after.micOff, true, 'the evil toggleMicrophone was ignored (the microphone stays off)');
  assert.equal(await b.page.evaluate((id) => window.plenum.participants.get(id)?.audio_muted, aId), true);
  assert.equal(await b.page.evaluate((id) => window.plenum.participants.get(id)?.video_muted, aId), true);
  assert.ok((await frame.evaluate(() => window.__seen)).includes(evilOrigin()), 'the evil commands reached the meeting page');
  assert.ok((await a.page.evaluate(() => window.__seen)).includes(evilOrigin()), 'the forged events reached the portal page');
  const all = await events(a.page);
  assert.ok(!all.some((e) => e.data && (e.data.id === 999 || e.data.name === 'Mallory')), `no forged event delivered: ${JSON.stringify(all)}`);
  assert.ok(!all.some((e) => e.name === 'readyToClose' || e.name === 'participantLeft'), `no forged event delivered: ${JSON.stringify(all)}`);

  // Bert leaves: participantLeft. Then the portal leaves: left and readyToClose.
  await b.page.click('#ctl-leave');
  await waitIn(b.page, b.page, 'Bert left', () => window.plenum.state === 'left');
  const [pl] = await waitEvent(a.page, 'participantLeft for Bert', 'participantLeft');
  assert.deepEqual(pl.data, { id: bId });
  await a.page.evaluate(() => window.m.leave());
  await waitEvent(a.page, 'readyToClose after leave()', 'readyToClose');
  await waitIn(frame, a.page, 'the embedded page left', () => window.plenum.state === 'left');
  const names = (await events(a.page)).map((e) => e.name);
  assert.ok(names.indexOf('left') >= 0 && names.indexOf('left') < names.indexOf('readyToClose'), `left, then readyToClose: ${names}`);
  await a.page.screenshot({ path: join(OUT, 'browser', 'embed-portal.png') });
  await a.page.evaluate(() => window.m.dispose());
  assert.equal(await a.page.evaluate(() => document.querySelectorAll('#meeting iframe').length), 0, 'dispose removes the iframe');
  await b.context.close();
  await a.context.close();
});

test('the same page on an origin not in embed_origins: the browser refuses to frame the meeting', async () => {
  const c = await newPage('evil-host');
  await c.page.goto(`${evilOrigin()}/host.html?room=${ROOM}&name=Eve`);
  assert.deepEqual(await c.page.evaluate(() => window.__errors), []);
  // A generous wait: a ready would have come long before.
  await sleep(8000);
  const got = await events(c.page);
  assert.deepEqual(got, [], `no event from a refused frame: ${JSON.stringify(got)}`);
  const frame = c.page.frames().find((f) => f !== c.page.mainFrame());
  assert.ok(frame, 'the iframe exists');
  const inside = await frame.evaluate(() => ({ plenum: !!window.plenum, prejoin: !!document.getElementById('prejoin'), href: location.href }))
    .catch((e) => ({ error: e.message.split('\n')[0] }));
  assert.ok(!inside.plenum && !inside.prejoin, `the frame is not plenum's page: ${JSON.stringify(inside)}`);
  const csp = c.page.consoleLines.filter((l) => /frame-ancestors/.test(l));
  console.log(`# console about frame-ancestors: ${JSON.stringify(csp)}`);
  assert.ok(csp.length > 0, `a frame-ancestors refusal in the console:\n${c.page.consoleLines.join('\n')}`);
  await c.context.close();
});

test('a token through the API: in the fragment, gone from the frame\'s address, sent in join', async () => {
  const room = 'embed-token';
  // Bert is first (so host by arriving); the portal's host token makes Anna host too, under the token's name.
  const b = await newPage('Bert');
  await b.page.goto(`${plenumOrigin()}/${room}?lang=en&name=Bert`);
  await waitIn(b.page, b.page, 'Bert pre-join', () => window.plenum && window.plenum.state === 'prejoin');
  await b.page.click('#join-button');
  await waitIn(b.page, b.page, 'Bert joined', () => window.plenum && window.plenum.state === 'joined');

  const token = sign({ aud: 'buehl', room, role: 'host', name: 'Bürgermeisterin Weber', exp: Math.floor(Date.now() / 1000) + 3600 });
  const a = await newPage('portal-token');
  const sent = [];
  a.page.on('websocket', (ws) => ws.on('framesent', (f) => {
    try { sent.push(JSON.parse(typeof f.payload === 'string' ? f.payload : f.payload.toString())); } catch { /* binary */ }
  }));
  const requests = [];
  a.page.on('request', (r) => requests.push(r.url()));
  await a.page.goto(`${portalOrigin()}/host.html?room=${room}&name=Anna&token=${encodeURIComponent(token)}`);
  await waitEvent(a.page, 'ready with a token', 'ready');
  const frame = plenumFrame(a.page);
  await waitIn(frame, a.page, 'embedded pre-join', () => window.plenum && window.plenum.state === 'prejoin');
  const hash = await frame.evaluate(() => location.hash);
  assert.ok(!hash.includes('jwt') && !hash.includes(token), `the token left the frame's address: ${hash}`);
  assert.match(hash, /embed=/, 'the rest of the fragment stays');
  await frame.click('#join-button');
  const [j] = await waitEvent(a.page, 'joined with the host token', 'joined');
  assert.equal(j.data.role, 'host', 'the token made Anna host');
  await waitIn(b.page, b.page, 'Bert sees the token\'s name', (id) => window.plenum.participants.get(id)?.name === 'Bürgermeisterin Weber', j.data.participantId);
  const joins = sent.filter((m) => m.method === 'join');
  assert.equal(joins.length, 1);
  assert.equal(joins[0].params.token, token, 'the token went in join');
  const plenumRequests = requests.filter((u) => u.startsWith(plenumOrigin()));
  assert.ok(plenumRequests.length > 0);
  assert.ok(!plenumRequests.some((u) => u.includes(token.split('.')[2])), `no request carries the token: ${plenumRequests.join(' ')}`);
  await a.page.evaluate(() => window.m.leave());
  await waitEvent(a.page, 'readyToClose', 'readyToClose');
  await a.context.close();
  await b.context.close();
});
