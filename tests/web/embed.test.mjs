// Unit tests of the embedding bridge (web/assets/js/embed.js) and the embedding page's API
// (web/api/plenum-embed.js, loaded into a fake window): who may talk to whom, what is ignored,
// and which events a session's life produces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { createEmbedBridge, embedParams, exactOrigin } from '../../web/assets/js/embed.js';
import { Emitter } from '../../web/assets/js/emitter.js';

const PORTAL = 'https://portal.buehl.de';
const flush = () => new Promise((r) => setTimeout(r, 0));

/** A framed page: win.parent records what is posted to it; deliver() fires a message event. */
function fakeFrame() {
  const posted = [];
  const listeners = [];
  const parent = { postMessage: (msg, target) => posted.push({ msg, target }) };
  const win = {
    parent,
    addEventListener: (type, fn) => { if (type === 'message') listeners.push(fn); },
  };
  const deliver = (data, { source = parent, origin = PORTAL } = {}) => listeners.forEach((fn) => fn({ data, source, origin }));
  return { win, parent, posted, deliver, events: () => posted.map((p) => p.msg.name) };
}

const silent = { info() {}, warn() {}, error() {} };

async function activeBridge(handlers = {}, { origins = [PORTAL], hash = `#embed=${encodeURIComponent(PORTAL)}&name=Eve`, settleMs = 20 } = {}) {
  const f = fakeFrame();
  const bridge = createEmbedBridge({ win: f.win, hash, allowedOrigins: async () => origins, log: silent, settleMs });
  const ok = await bridge.start(handlers);
  return { ...f, bridge, ok };
}

test('the fragment: exactly an origin, a name, a language', () => {
  assert.deepEqual(embedParams(`#embed=${encodeURIComponent(PORTAL)}&name=%20Eve%20&lang=de&jwt=x`), { origin: PORTAL, name: 'Eve', lang: 'de' });
  for (const bad of ['https://portal.buehl.de/', 'https://portal.buehl.de/x', 'javascript:alert(1)', 'null', '*', 'portal.buehl.de', '']) {
    assert.equal(exactOrigin(bad), '', bad);
  }
  assert.equal(exactOrigin('http://portal.test:8080'), 'http://portal.test:8080');
  assert.deepEqual(embedParams(''), { origin: '', name: '', lang: '' });
  assert.deepEqual(embedParams(undefined), { origin: '', name: '', lang: '' });
});

test('active only when framed, named and listed; ready goes to that origin only', async () => {
  const a = await activeBridge();
  assert.equal(a.ok, true);
  assert.equal(a.bridge.active, true);
  assert.deepEqual(a.posted, [{ msg: { plenum: 1, type: 'event', name: 'ready', data: {} }, target: PORTAL }]);

  const unlisted = await activeBridge({}, { origins: ['https://www.buehl.de'] });
  assert.equal(unlisted.ok, false);
  assert.deepEqual(unlisted.posted, []);

  const listedWithSlash = await activeBridge({}, { origins: [`${PORTAL}/`] });
  assert.equal(listedWithSlash.ok, true, 'the list is compared as origins');

  const unnamed = await activeBridge({}, { hash: '#name=Eve' });
  assert.equal(unnamed.ok, false);

  const top = { addEventListener() {} };
  top.parent = top;                                   // not framed
  const b = createEmbedBridge({ win: top, hash: `#embed=${encodeURIComponent(PORTAL)}`, allowedOrigins: async () => [PORTAL], log: silent });
  assert.equal(await b.start({}), false);

  const failing = createEmbedBridge({ win: fakeFrame().win, hash: `#embed=${encodeURIComponent(PORTAL)}`, allowedOrigins: async () => { throw new Error('offline'); }, log: silent });
  assert.equal(await failing.start({}), false, 'no list, no bridge');
});

test('commands: only from the parent at the named origin, well formed and known', async () => {
  const calls = [];
  const handlers = {
    toggleMicrophone: () => calls.push('mic'),
    setDisplayName: (d) => calls.push(`name:${d.name}`),
    leave: () => { throw new Error('boom'); },
    toggleCamera: async () => { calls.push('cam'); throw new Error('async boom'); },
  };
  const f = await activeBridge(handlers);
  const cmd = (name, data) => ({ plenum: 1, type: 'command', name, data });
  f.deliver(cmd('toggleMicrophone'));
  f.deliver(cmd('toggleMicrophone'), { origin: 'https://evil.test' });
  f.deliver(cmd('toggleMicrophone'), { source: {} });
  f.deliver(cmd('toggleMicrophone'), { source: null });
  for (const bad of [null, 'toggleMicrophone', 42, [], { plenum: 2, type: 'command', name: 'toggleMicrophone' },
    { plenum: 1, type: 'event', name: 'toggleMicrophone' }, { plenum: 1, type: 'command', name: 'constructor' },
    { plenum: 1, type: 'command', name: '__proto__' }, { plenum: 1, type: 'command', name: 'eval' }]) {
    assert.doesNotThrow(() => f.deliver(bad));
  }
  f.deliver(cmd('setDisplayName', { name: 'Ada' }));
  f.deliver(cmd('setDisplayName', 'not an object'));
  assert.doesNotThrow(() => f.deliver(cmd('leave')));
  f.deliver(cmd('toggleCamera'));
  await flush();
  assert.deepEqual(calls, ['mic', 'name:Ada', 'name:undefined', 'cam']);
});

test('a session: joined, people in and out, mute changes, leaving', async () => {
  const f = await activeBridge();
  const s = new Emitter();
  f.bridge.attach(s);
  s.emit('state', 'joining');
  s.emit('joined', { participantId: 7, room: 'rathaus', role: 'host' });
  s.emit('local-media', { audio_muted: false, video_muted: true });
  s.emit('participant-joined', { id: 8, name: 'Bo', role: 'guest' });
  s.emit('participant-joined', { id: 9, name: 'Cy', role: 'guest' });
  s.emit('local-media', { audio_muted: true, video_muted: true });
  s.emit('local-media', { audio_muted: true, video_muted: true });
  s.emit('participant-left', { id: 8, name: 'Bo' }, 'left');
  s.emit('participant-left', { id: 8, name: 'Bo' }, 'left');
  // a reconnect: everybody dropped and back, but 9 left meanwhile; 10 is new
  s.emit('participant-left', { id: 9, name: 'Cy' }, 'reconnect');
  s.emit('joined', { participantId: 11, room: 'rathaus', role: 'host' });
  s.emit('participant-joined', { id: 10, name: 'Di' });
  await new Promise((r) => setTimeout(r, 60));
  s.emit('state', 'left');
  await flush();
  s.emit('ended', 'ended');                       // after leaving: nothing more
  const got = f.posted.slice(1).map((p) => [p.msg.name, p.msg.data]);
  assert.deepEqual(got, [
    ['joined', { participantId: 7, room: 'rathaus', role: 'host' }],
    ['audioMuteChanged', { muted: false }],
    ['videoMuteChanged', { muted: true }],
    ['participantJoined', { id: 8, name: 'Bo' }],
    ['participantJoined', { id: 9, name: 'Cy' }],
    ['audioMuteChanged', { muted: true }],
    ['participantLeft', { id: 8 }],
    ['participantJoined', { id: 10, name: 'Di' }],
    ['participantLeft', { id: 9 }],
    ['left', { reason: 'left' }],
    ['readyToClose', { reason: 'left' }],
  ]);
  assert.ok(f.posted.every((p) => p.target === PORTAL && p.msg.plenum === 1 && p.msg.type === 'event'));
});

test('the meeting ended; a lobby refusal closes without a join', async () => {
  const f = await activeBridge();
  const s = new Emitter();
  f.bridge.attach(s);
  s.emit('joined', { participantId: 1, room: 'r', role: 'guest' });
  s.emit('ended', 'removed');
  assert.deepEqual(f.events().slice(1), ['joined', 'left', 'readyToClose']);
  assert.deepEqual(f.posted.at(-1).msg.data, { reason: 'removed' });

  const g = await activeBridge();
  const l = new Emitter();
  g.bridge.attach(l);
  l.emit('state', 'lobby');
  l.emit('state', 'left');
  l.emit('lobby-denied', 'denied');
  await flush();
  assert.deepEqual(g.posted.slice(1).map((p) => [p.msg.name, p.msg.data]), [['readyToClose', { reason: 'denied' }]]);
});

test('events before the origin check wait for it; an inactive bridge posts nothing', async () => {
  const f = fakeFrame();
  let allow;
  const bridge = createEmbedBridge({ win: f.win, hash: `#embed=${encodeURIComponent(PORTAL)}`,
    allowedOrigins: () => new Promise((r) => { allow = r; }), log: silent });
  const started = bridge.start({});
  const s = new Emitter();
  bridge.attach(s);
  s.emit('joined', { participantId: 1, room: 'r', role: 'guest' });
  assert.deepEqual(f.posted, []);
  allow([PORTAL]);
  await started;
  assert.deepEqual(f.events(), ['ready', 'joined']);

  const g = fakeFrame();
  const off = createEmbedBridge({ win: g.win, hash: '', log: silent });
  await off.start({});
  off.attach(new Emitter()).call();
  off.event('joined', {});
  assert.deepEqual(g.posted, []);
});

// ---- web/api/plenum-embed.js in a fake window ---------------------------------------------------

const API = readFileSync(new URL('../../web/api/plenum-embed.js', import.meta.url), 'utf8');
const PLENUM = 'https://meet.buehl.de';

function fakeWindow({ scriptSrc = `${PLENUM}/api/plenum-embed.js` } = {}) {
  const listeners = new Set();
  const frameWin = { posted: [], postMessage(msg, target) { this.posted.push({ msg, target }); } };
  const makeEl = (tag) => ({
    tagName: tag.toUpperCase(), attrs: {}, style: {}, children: [], parentNode: null,
    setAttribute(k, v) { this.attrs[k] = String(v); },
    appendChild(c) { c.parentNode = this; this.children.push(c); if (c.tagName === 'IFRAME') c.contentWindow = frameWin; return c; },
    removeChild(c) { this.children = this.children.filter((x) => x !== c); c.parentNode = null; c.contentWindow = null; },
  });
  const body = makeEl('body');
  const win = {
    URL,
    console: { error() {} },
    location: { origin: PORTAL },
    document: { currentScript: scriptSrc ? { src: scriptSrc } : null, body, documentElement: { lang: 'de' }, createElement: makeEl },
    addEventListener: (t, fn) => { if (t === 'message') listeners.add(fn); },
    removeEventListener: (t, fn) => { if (t === 'message') listeners.delete(fn); },
  };
  win.window = win;
  runInNewContext(API, win);
  const deliver = (data, { source = frameWin, origin = PLENUM } = {}) => listeners.forEach((fn) => fn({ data, source, origin }));
  return { win, body, frameWin, deliver, listeners };
}

const ev = (name, data = {}) => ({ plenum: 1, type: 'event', name, data });

test('the API: an iframe at the script\'s origin, parameters in the fragment, the allow list', () => {
  const { win, body } = fakeWindow();
  const m = new win.PlenumMeeting({ parentNode: body, room: 'Elternabend 3b', name: 'Eve Müller', lang: 'de', token: 'a.b.c', width: 800, height: '50vh' });
  const f = body.children[0];
  assert.equal(m.getIFrame(), f);
  const url = new URL(f.src);
  assert.equal(url.origin, PLENUM);
  assert.equal(url.pathname, '/Elternabend%203b');
  assert.equal(url.search, '', 'nothing in the query: the server never sees name or token');
  const frag = new URLSearchParams(url.hash.slice(1));
  assert.equal(frag.get('embed'), PORTAL);
  assert.equal(frag.get('name'), 'Eve Müller');
  assert.equal(frag.get('lang'), 'de');
  assert.equal(frag.get('jwt'), 'a.b.c');
  assert.equal(f.attrs.allow, 'camera; microphone; display-capture; fullscreen; autoplay; clipboard-write');
  assert.equal(f.attrs.title, 'Videokonferenz: Elternabend 3b');
  assert.equal(f.style.width, '800px');
  assert.equal(f.style.height, '50vh');

  const o = new win.PlenumMeeting({ room: 'rathaus', origin: 'https://other.example/some/path', lang: 'en' });
  assert.equal(new URL(o.getIFrame().src).origin, 'https://other.example');
  assert.equal(o.getIFrame().attrs.title, 'Video meeting: rathaus');
  assert.equal(new URLSearchParams(new URL(o.getIFrame().src).hash.slice(1)).has('jwt'), false);
  assert.throws(() => new win.PlenumMeeting({ parentNode: body }), /room/);
  assert.throws(() => new win.PlenumMeeting({ room: 'x', origin: 'javascript:alert(1)' }), /origin/);

  const noScript = fakeWindow({ scriptSrc: null });
  assert.throws(() => new noScript.win.PlenumMeeting({ room: 'x' }), /origin/);
  assert.doesNotThrow(() => new noScript.win.PlenumMeeting({ room: 'x', origin: PLENUM }));
});

test('the API: events only from its iframe at the plenum origin; commands wait for ready', () => {
  const { win, body, frameWin, deliver, listeners } = fakeWindow();
  const m = new win.PlenumMeeting({ parentNode: body, room: 'rathaus' });
  const got = [];
  for (const name of win.PlenumMeeting.EVENTS) m.on(name, (d) => got.push([name, d]));
  m.on('joined', () => { throw new Error('a handler that fails'); });
  m.on('nonsense', () => got.push(['nonsense']));

  m.setDisplayName('Ada');
  m.toggleMicrophone();
  assert.deepEqual(frameWin.posted, [], 'nothing posted before ready');

  deliver(ev('joined', { participantId: 1 }), { origin: 'https://evil.test' });
  deliver(ev('joined', { participantId: 1 }), { source: {} });
  for (const bad of [null, 'x', { plenum: 1, type: 'command', name: 'joined' }, { plenum: 0, type: 'event', name: 'joined' },
    ev('nonsense'), ev('toString'), ev('__proto__')]) {
    assert.doesNotThrow(() => deliver(bad));
  }
  assert.deepEqual(got, []);

  deliver(ev('ready'));
  assert.deepEqual(JSON.parse(JSON.stringify(frameWin.posted.map((p) => [p.msg, p.target]))), [
    [{ plenum: 1, type: 'command', name: 'setDisplayName', data: { name: 'Ada' } }, PLENUM],
    [{ plenum: 1, type: 'command', name: 'toggleMicrophone', data: {} }, PLENUM],
  ]);
  m.toggleCamera();
  m.leave();
  assert.deepEqual(frameWin.posted.slice(2).map((p) => p.msg.name), ['toggleCamera', 'leave']);

  deliver(ev('joined', { participantId: 3, room: 'rathaus', role: 'guest' }));
  deliver(ev('participantJoined', { id: 4, name: 'Bo' }));
  deliver(ev('readyToClose', 'not an object'));
  assert.deepEqual(JSON.parse(JSON.stringify(got)), [['ready', {}], ['joined', { participantId: 3, room: 'rathaus', role: 'guest' }],
    ['participantJoined', { id: 4, name: 'Bo' }], ['readyToClose', {}]]);

  const fn = () => got.push(['again']);
  m.on('left', fn).off('left', fn);
  deliver(ev('left'));
  assert.equal(got.filter((g) => g[0] === 'again').length, 0);

  m.dispose();
  assert.equal(body.children.length, 0, 'the iframe is gone');
  assert.equal(listeners.size, 0, 'the message listener is gone');
  m.toggleMicrophone();
  m.dispose();
});
