// End-to-end encryption in the web client without a browser: frame sealing and opening (what
// stays clear for the server, wrong key and changed bytes dropped, IVs never repeating), the key
// from the passphrase, the fragment, and the session joining with e2ee and a transform on every
// sender and receiver.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clearBytes, ivSource, openFrame, sealFrame, TAG_BYTES, TRAILER_BYTES } from '../../web/assets/js/e2ee/frame.js';
import { deriveKey, e2eeSupported, generatePassphrase, passphraseFromHash, passphraseProblem } from '../../web/assets/js/e2ee/key.js';
import { SignalingClient } from '../../web/assets/js/protocol.js';
import { Session } from '../../web/assets/js/session.js';
import { FakeClock, fakeSocketClass, fakePeerConnection, connect, flush } from './fakes.mjs';

const FAST = 1000;   // PBKDF2 iterations in tests (the page uses PBKDF2_ITERATIONS)

function vp8Keyframe(n) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + 3) & 0xff;
  b[0] = 0x10;   // P = 0: keyframe
  return b;
}

test('a sealed frame keeps the server\'s bytes clear and opens with the same key only', async () => {
  const key = await deriveKey('correct horse battery', 'rathaus', FAST);
  const wrong = await deriveKey('wrong horse battery', 'rathaus', FAST);
  const otherRoom = await deriveKey('correct horse battery', 'schule', FAST);
  const plain = vp8Keyframe(1200);
  const sealed = new Uint8Array(await sealFrame(key, plain.buffer, clearBytes('video', 'key'), ivSource()));
  assert.equal(sealed.length, plain.length + TAG_BYTES + TRAILER_BYTES);
  assert.deepEqual(sealed.subarray(0, 10), plain.subarray(0, 10), 'VP8 keyframe header in the clear');
  assert.notDeepEqual(sealed.subarray(10, 40), plain.subarray(10, 40), 'the rest is not');
  const opened = await openFrame(key, sealed.buffer, 10);
  assert.deepEqual(new Uint8Array(opened), plain);
  assert.equal(await openFrame(wrong, sealed.buffer, 10), null, 'a wrong passphrase fails authentication');
  assert.equal(await openFrame(otherRoom, sealed.buffer, 10), null, 'the room is the salt');
  const changed = sealed.slice();
  changed[1] ^= 1;   // the clear header is authenticated too
  assert.equal(await openFrame(key, changed.buffer, 10), null);
  assert.equal(await openFrame(key, new Uint8Array(5).buffer, 10), null, 'too short: dropped');
  assert.equal(await openFrame(key, plain.buffer, 10), null, 'an unencrypted frame: dropped');
});

test('delta frames keep 3 bytes, Opus 1; tiny frames survive', async () => {
  assert.equal(clearBytes('video', 'delta'), 3);
  assert.equal(clearBytes('video', 'key'), 10);
  assert.equal(clearBytes('audio'), 1);
  const key = await deriveKey('correct horse battery', 'rathaus', FAST);
  const opus = new Uint8Array([0x78, 1, 2, 3, 4]);
  const sealed = new Uint8Array(await sealFrame(key, opus.buffer, 1, ivSource()));
  assert.equal(sealed[0], 0x78, 'TOC byte clear');
  assert.deepEqual(new Uint8Array(await openFrame(key, sealed.buffer, 1)), opus);
  const one = new Uint8Array([0x78]);
  const s1 = await sealFrame(key, one.buffer, 1, ivSource());
  assert.deepEqual(new Uint8Array(await openFrame(key, s1, 1)), one);
});

test('IVs: random prefix per sender, counter per frame, fresh prefix at the wrap', () => {
  let calls = 0;
  const next = ivSource((n) => { calls++; return new Uint8Array(n).fill(calls); });
  const a = next();
  const b = next();
  assert.deepEqual(a.subarray(0, 8), b.subarray(0, 8));
  assert.notDeepEqual(a, b);
  assert.equal(new DataView(b.buffer).getUint32(8), 1);
  const seen = new Set([...Array(1000)].map(() => ivSource()()).map((iv) => Buffer.from(iv).toString('hex')));
  assert.equal(seen.size, 1000, 'senders do not share IVs');
});

test('passphrases: rules, generated ones, and only the fragment carries one', () => {
  assert.equal(passphraseProblem(''), 'empty');
  assert.equal(passphraseProblem('short'), 'short');
  assert.equal(passphraseProblem('x'.repeat(257)), 'long');
  assert.equal(passphraseProblem('long enough'), null);
  const p = generatePassphrase();
  assert.match(p, /^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
  assert.notEqual(generatePassphrase(), p);
  assert.equal(passphraseFromHash('#t=Rat&e2ee=abcde-fghij'), 'abcde-fghij');
  assert.equal(passphraseFromHash('#e2ee=short'), null);
  assert.equal(passphraseFromHash(''), null);
  assert.equal(e2eeSupported({}), null);
  assert.equal(e2eeSupported({ RTCRtpScriptTransform: function f() {} }), 'script-transform');
});

test('an encrypted session joins with e2ee: true and puts a transform on every sender and receiver', async () => {
  const clock = new FakeClock(0.5);
  const Socket = fakeSocketClass();
  const signaling = new SignalingClient('ws://127.0.0.1:1/ws', { WebSocket: Socket, clock: clock.api });
  const attached = [];
  const configs = [];
  const e2ee = {
    pcConfig: { encodedInsertableStreams: true },
    sender: (s, kind) => attached.push(['send', kind]),
    receiver: (r, kind) => attached.push(['receive', kind]),
  };
  const session = new Session({
    signaling, room: 'rathaus', name: 'Ada', local: {}, e2ee,
    createPeerConnection: (config) => { configs.push(config); return fakePeerConnection(); },
  });
  const fatal = [];
  session.on('fatal', (code) => fatal.push(code));
  session.start();
  const ws = await connect(Socket);
  const join = ws.last('join');
  assert.equal(join.params.e2ee, true);
  ws.reply(join, { participant_id: 3, role: 'host', room: 'rathaus', room_state: { e2ee: true, hosts: [3] } });
  await flush();
  ws.reply(ws.last('publish'), { sdp: 'v=0 fake answer' });
  await flush();
  assert.equal(session.roomState.e2ee, true);
  assert.deepEqual(attached, [['send', 'audio'], ['send', 'video']]);
  assert.equal(configs[0].encodedInsertableStreams, true);
  ws.event('subscribe_offer', { version: 1, sdp: 'v=0 fake offer', tracks: [] });
  await flush();
  assert.equal(configs.length, 2);
  assert.equal(configs[1].encodedInsertableStreams, true);
  assert.deepEqual(fatal, []);
});

test('e2ee_required and e2ee_off end the attempt with that code', async () => {
  for (const code of ['e2ee_required', 'e2ee_off']) {
    const clock = new FakeClock(0.5);
    const Socket = fakeSocketClass();
    const signaling = new SignalingClient('ws://127.0.0.1:1/ws', { WebSocket: Socket, clock: clock.api });
    const session = new Session({ signaling, room: 'rathaus', name: 'Ada', local: {}, createPeerConnection: fakePeerConnection });
    const fatal = [];
    session.on('fatal', (c) => fatal.push(c));
    session.start();
    const ws = await connect(Socket);
    const join = ws.last('join');
    assert.equal('e2ee' in join.params, false, 'a session without encryption does not ask for it');
    ws.fail(join, code);
    await flush();
    assert.deepEqual(fatal, [code]);
  }
});

test('an invitation link carries the passphrase in the fragment, and the page takes it out of the address bar', async () => {
  const { roomLink, titleFromHash } = await import('../../web/assets/js/names.js');
  const { takePassphrase } = await import('../../web/assets/js/e2ee/key.js');
  const link = roomLink('https://meet.example', 'rat', 'Rat & Tat', 'abcde-fghij-kmnpq');
  const url = new URL(link);
  assert.equal(url.search, '', 'nothing in the query: the server never sees it');
  assert.equal(titleFromHash(url.hash), 'Rat & Tat');
  let replaced = null;
  const loc = { pathname: url.pathname, search: '', hash: url.hash };
  const pass = takePassphrase(loc, { state: null, replaceState: (s, t, u) => { replaced = u; } });
  assert.equal(pass, 'abcde-fghij-kmnpq');
  assert.equal(replaced, '/rat#t=Rat+%26+Tat');
  assert.equal(takePassphrase({ pathname: '/rat', search: '', hash: '#t=x' }, null), null);
});
