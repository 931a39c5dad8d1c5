// Unit tests of web/assets/js/session.js over a fake WebSocket, a fake clock and fake
// PeerConnections: the join, the rejoin_token sent once after a dropped connection (never after a
// leave), the lobby list kept from a snapshot and deltas, password_guard for hosts, rate_limited
// answers reported once and never retried, the TURN servers of a join result reaching both
// PeerConnections, and an invitation link's token: sent in join, its refusals fatal, the wait for a
// meeting that has not started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignalingClient, BACKOFF_MS } from '../../web/assets/js/protocol.js';
import { Session, LOBBY_MAX, JOIN_TRIES, TOKEN_ERRORS, pcConfigFrom } from '../../web/assets/js/session.js';
import { FakeClock, fakeSocketClass, fakePeerConnection, connect, flush } from './fakes.mjs';

function setup({ role = 'host', token = 'tok-1', session: more = {} } = {}) {
  const clock = new FakeClock(0.5);
  const Socket = fakeSocketClass();
  const signaling = new SignalingClient('ws://127.0.0.1:1/ws', { WebSocket: Socket, clock: clock.api });
  const pcConfigs = [];               // the RTCConfiguration of every PeerConnection made, in order
  const session = new Session({
    signaling, room: 'rathaus', name: 'Ada', local: {}, ...more,
    createPeerConnection: (config) => { pcConfigs.push(config); return fakePeerConnection(); },
  });
  const seen = [];
  for (const name of ['lobby', 'rate-limited', 'password-guard', 'joined', 'reconnecting', 'state', 'lobby-waiting', 'fatal']) {
    session.on(name, (...args) => seen.push([name, ...args]));
  }
  /** Connects the newest socket and answers join (with role, token) and publish. */
  const answerJoin = async (result = {}) => {
    const ws = await connect(Socket);
    const join = ws.last('join');
    assert.ok(join, 'join sent after hello');
    const base = { participant_id: 11, role, room: 'rathaus' };
    if (token !== null) base.rejoin_token = token;
    ws.reply(join, { ...base, ...result });
    await flush();
    const pub = ws.last('publish');
    if (pub) ws.reply(pub, { sdp: 'v=0 fake answer' });
    await flush();
    return { ws, join };
  };
  return { clock, Socket, signaling, session, seen, answerJoin, pcConfigs };
}

test('the first join carries no rejoin_token; the one from its result is kept in memory', async () => {
  const { session, answerJoin } = setup();
  session.start();
  const { join } = await answerJoin();
  assert.deepEqual(join.params, { room: 'rathaus', name: 'Ada', camera: false });
  assert.equal(session.state, 'joined');
  assert.equal(session.rejoinToken, 'tok-1');
  assert.equal(session.role, 'host');
});

test('after a dropped connection the automatic rejoin sends the token once; the new one replaces it', async () => {
  const { session, clock, Socket, seen, answerJoin } = setup();
  session.start();
  const first = await answerJoin({ rejoin_token: 'tok-1' });
  first.ws.drop();
  assert.equal(session.state, 'joining');
  assert.ok(seen.some(([n]) => n === 'reconnecting'));
  await clock.advance(BACKOFF_MS[0]);
  assert.equal(Socket.made.length, 2, 'reconnected after the first backoff step');
  const second = await answerJoin({ rejoin_token: 'tok-2' });
  assert.equal(second.join.params.rejoin_token, 'tok-1', 'the token of the dropped seat');
  assert.equal(session.rejoinToken, 'tok-2', 'single use: the result brings the next one');
  assert.equal(session.role, 'host');
  // Dropped again before any answer: the token was spent on the last join, the next one is tok-2.
  second.ws.drop();
  await clock.advance(BACKOFF_MS[0]);
  const ws3 = await connect(Socket);
  assert.equal(ws3.last('join').params.rejoin_token, 'tok-2');
  ws3.drop();
  await clock.advance(BACKOFF_MS[0]);
  const ws4 = await connect(Socket);
  assert.equal('rejoin_token' in ws4.last('join').params, false, 'a token is sent at most once');
});

test('a server without rejoin_token: nothing is sent on rejoin', async () => {
  const { session, clock, answerJoin } = setup({ token: null });
  session.start();
  const first = await answerJoin();
  assert.equal(session.rejoinToken, null);
  first.ws.drop();
  await clock.advance(BACKOFF_MS[0]);
  const second = await answerJoin();
  assert.deepEqual(second.join.params, { room: 'rathaus', name: 'Ada', camera: false });
});

test('after leave() the token is forgotten', async () => {
  const { session, answerJoin } = setup();
  session.start();
  const { ws } = await answerJoin();
  const leaving = session.leave();
  await flush();
  ws.reply(ws.last('leave'), {});
  await leaving;
  assert.equal(session.state, 'left');
  assert.equal(session.rejoinToken, null);
});

test('hosts keep the lobby from the snapshot and the knock/left deltas', async () => {
  const { session, seen, answerJoin } = setup();
  session.start();
  const { ws } = await answerJoin();
  ws.event('lobby_updated', { waiting: [{ lobby_id: 1, name: 'Berta' }, { lobby_id: 2, name: 'Cem' }] });
  assert.deepEqual(session.lobby.map((w) => w.lobby_id), [1, 2]);
  ws.event('lobby_knock', { lobby_id: 3, name: 'Dora' });
  ws.event('lobby_knock', { lobby_id: 4, name: 'Emil' });
  ws.event('lobby_left', { lobby_id: 2 });
  ws.event('lobby_left', { lobby_id: 42 });            // unknown: nothing changes
  ws.event('lobby_knock', { lobby_id: 3, name: 'Dora B.' }); // the same one again: renamed, not doubled
  ws.event('lobby_knock', { name: 'no id' });          // junk: ignored
  assert.deepEqual(session.lobby, [{ lobby_id: 1, name: 'Berta' }, { lobby_id: 3, name: 'Dora B.' }, { lobby_id: 4, name: 'Emil' }]);
  const changes = seen.filter(([n]) => n === 'lobby').map(([, , change]) => change);
  assert.ok(changes.some((c) => c && c.knocked && c.knocked.name === 'Emil'), 'a knock is reported as such');
  assert.ok(changes.some((c) => c && c.left && c.left.name === 'Cem'), 'a departure is reported as such');
  // An old server's snapshot still replaces the whole list.
  ws.event('lobby_updated', { waiting: [{ lobby_id: 9, name: 'Fritz' }] });
  assert.deepEqual(session.lobby, [{ lobby_id: 9, name: 'Fritz' }]);
  // No longer host: the list is gone.
  ws.event('room_updated', { hosts: [99] });
  assert.equal(session.role, 'guest');
  assert.deepEqual(session.lobby, []);
});

test('the lobby list is bounded', async () => {
  const { session, answerJoin } = setup();
  session.start();
  const { ws } = await answerJoin();
  for (let i = 0; i < LOBBY_MAX + 50; i++) ws.event('lobby_knock', { lobby_id: i, name: `p${i}`.repeat(100) });
  assert.equal(session.lobby.length, LOBBY_MAX);
  assert.ok(session.lobby.every((w) => w.name.length <= 200), 'names are cut');
});

test('password_guard reaches hosts only; reset is a plain request', async () => {
  const { session, seen, answerJoin } = setup();
  session.start();
  const { ws } = await answerJoin();
  ws.event('password_guard', { failures: 7, delay_s: 16 });
  assert.deepEqual(session.passwordGuard, { failures: 7, delay_s: 16 });
  ws.event('password_guard', { failures: -3, delay_s: 'x' });
  assert.deepEqual(session.passwordGuard, { failures: 0, delay_s: 0 }, 'junk becomes zero');
  const reset = session.request('password_guard_reset', {});
  ws.reply(ws.last('password_guard_reset'), {});
  assert.deepEqual(await reset, {});
  ws.event('room_updated', { hosts: [99] });
  assert.equal(session.passwordGuard, null, 'a guest sees no guard');
  ws.event('password_guard', { failures: 1, delay_s: 0 });
  assert.equal(session.passwordGuard, null);
  assert.ok(seen.some(([n, g]) => n === 'password-guard' && g && g.failures === 7));
});

test('rate_limited on a fan-out request is reported once and never retried', async () => {
  const { session, clock, seen, answerJoin } = setup({ role: 'guest' });
  session.start();
  const { ws } = await answerJoin();
  const count = (m) => ws.sent.filter((x) => x.method === m).length;
  const hand = session.request('raise_hand', {});
  ws.fail(ws.last('raise_hand'), 'rate_limited', 'too many');
  await assert.rejects(hand, (e) => e.code === 'rate_limited');
  const mediaBefore = count('media_state');
  session.setAudioMuted(true);
  ws.fail(ws.last('media_state'), 'rate_limited', 'too many');
  await flush();
  await clock.advance(15000);   // any retry timer would have fired (the first ping comes at 20 s)
  assert.equal(count('raise_hand'), 1, 'raise_hand sent once, not retried');
  assert.equal(count('media_state'), mediaBefore + 1, 'media_state sent once, not retried');
  const limited = seen.filter(([n]) => n === 'rate-limited').map(([, m]) => m);
  assert.deepEqual(limited, ['raise_hand', 'media_state']);
  // Other errors and other methods are not reported as rate limits.
  const other = session.request('set_lobby', { enabled: true });
  ws.fail(ws.last('set_lobby'), 'rate_limited');
  await assert.rejects(other);
  assert.equal(seen.filter(([n]) => n === 'rate-limited').length, 2);
});

/** Starts a session whose every join is refused with `code`; returns the joins sent after 60 s. */
async function refusedJoins(code, { password = null } = {}) {
  const { session, clock, Socket } = setup();
  if (password) session.password = password;
  const fatal = [];
  session.on('fatal', (c) => fatal.push(c));
  session.on('password', (c) => fatal.push(`password:${c}`));
  session.start();
  let joins = 0;
  for (let round = 0; round < 40; round++) {
    const ws = Socket.made[Socket.made.length - 1];
    if (ws.readyState === 0) {
      ws.open();
      await flush();
      const hello = ws.last('hello');
      if (hello) ws.reply(hello, { version: 1 });
      await flush();
    }
    for (const m of ws.sent) {
      if (m.answered) continue;
      m.answered = true;
      if (m.method === 'join') { joins++; ws.fail(m, code); }
      if (m.method === 'leave') ws.reply(m, {});
      await flush();
    }
    await clock.advance(1500);
  }
  return { joins, fatal, state: session.state, sockets: Socket.made.length };
}

test('a full lobby or knocking too often ends the attempt: one join, a clear code, no loop', async () => {
  for (const code of ['lobby_full', 'rate_limited']) {
    const r = await refusedJoins(code);
    assert.equal(r.joins, 1, `${code}: joins sent ${r.joins}`);
    assert.deepEqual(r.fatal, [code]);
    assert.equal(r.state, 'error');
  }
});

test('rate_limited after a wrong password is the password question again, asked once', async () => {
  const r = await refusedJoins('rate_limited', { password: 'geheim' });
  assert.equal(r.joins, 1);
  assert.deepEqual(r.fatal, ['password:rate_limited']);
  assert.equal(r.state, 'password');
});

test('unexplained join failures give up after JOIN_TRIES instead of looping', async () => {
  for (const code of ['internal', 'already_joined', 'timeout']) {
    const r = await refusedJoins(code);
    assert.equal(r.joins, JOIN_TRIES, `${code}: joins sent ${r.joins}`);
    assert.deepEqual(r.fatal, [code]);
    assert.equal(r.state, 'error');
  }
});

const TURN = (user) => [{ urls: ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp'],
  username: user, credential: `pw-of-${user}` }];

test('ice_servers of the join result reach the publish and the subscribe PeerConnection; a rejoin brings new ones', async () => {
  const { session, clock, pcConfigs, answerJoin } = setup();
  session.start();
  const first = await answerJoin({ ice_servers: TURN('1700000000:aaaa') });
  first.ws.event('subscribe_offer', { version: 1, sdp: 'v=0 fake offer', tracks: [] });
  await flush();
  assert.equal(pcConfigs.length, 2, 'publish and subscribe');
  for (const c of pcConfigs) {
    assert.deepEqual(c.iceServers, TURN('1700000000:aaaa'));
    assert.equal(c.bundlePolicy, 'max-bundle');
    assert.equal('iceTransportPolicy' in c, false, 'the browser chooses (all candidates) unless the server says relay');
  }
  first.ws.drop();
  await clock.advance(BACKOFF_MS[0]);
  const second = await answerJoin({ ice_servers: TURN('1700086400:bbbb'), ice_transport_policy: 'relay' });
  second.ws.event('subscribe_offer', { version: 1, sdp: 'v=0 fake offer', tracks: [] });
  await flush();
  assert.equal(pcConfigs.length, 4);
  for (const c of pcConfigs.slice(2)) {
    assert.deepEqual(c.iceServers, TURN('1700086400:bbbb'), 'the rejoin\'s fresh credential');
    assert.equal(c.iceTransportPolicy, 'relay');
  }
});

test('a join result without ice_servers: no ICE servers, no policy (plenum is reached directly)', async () => {
  const { session, pcConfigs, answerJoin } = setup();
  session.start();
  await answerJoin({ ice_transport_policy: 'relay' });   // relay without a TURN server would connect nowhere
  assert.equal(pcConfigs.length, 1);
  assert.deepEqual(pcConfigs[0].iceServers, []);
  assert.equal('iceTransportPolicy' in pcConfigs[0], false);
});

test('pcConfigFrom keeps only well-formed TURN entries and no other policy', () => {
  const ok = { urls: 'turns:turn.example.org:443?transport=tcp', username: 'u', credential: 'c' };
  const c = pcConfigFrom({ ice_servers: [ok, null, 'turn:x', { urls: ['stun:evil.example'], username: 'u', credential: 'c' },
    { urls: ['turn:x'], username: 7, credential: 'c' }, { urls: ['turn:x'], username: 'u' },
    { urls: ['turn:x', 42, 'https://evil.example'], username: 'u', credential: 'c', extra: 'dropped' }],
  ice_transport_policy: 'all' });
  assert.deepEqual(c.iceServers, [{ urls: ['turns:turn.example.org:443?transport=tcp'], username: 'u', credential: 'c' },
    { urls: ['turn:x'], username: 'u', credential: 'c' }]);
  assert.equal('iceTransportPolicy' in c, false);
  const many = pcConfigFrom({ ice_servers: Array.from({ length: 50 }, () => ok), ice_transport_policy: 'relay' });
  assert.equal(many.iceServers.length, 8, 'bounded');
  assert.equal(many.iceTransportPolicy, 'relay');
  assert.deepEqual(pcConfigFrom({ ice_servers: 'turn:x' }).iceServers, []);
  assert.deepEqual(pcConfigFrom(undefined).iceServers, []);
});

test('a link\'s token goes in join with whether the camera is on; a token error ends the attempt', async () => {
  const camera = { kind: 'video' };
  const { session, answerJoin } = setup({ session: { token: 'a.b.c', local: { video: camera, videoMuted: false } } });
  session.start();
  const { join } = await answerJoin();
  assert.deepEqual(join.params, { room: 'rathaus', name: 'Ada', token: 'a.b.c', camera: true });
  for (const code of TOKEN_ERRORS) {
    const r = await refusedJoins(code);
    assert.equal(r.joins, 1, `${code}: joins sent ${r.joins}`);
    assert.deepEqual(r.fatal, [code]);
    assert.equal(r.state, 'error');
  }
});

test('after a drop the token is sent again only while it has time left; a token name replaces the typed one', async () => {
  const now = Math.floor(Date.now() / 1000);
  for (const [exp, again] of [[now + 3600, true], [now + 10, false], [null, true]]) {
    const { session, clock, answerJoin } = setup({ session: { token: 'a.b.c', tokenExp: exp } });
    session.start();
    const first = await answerJoin({ name: 'Ada Lovelace' });
    assert.equal(first.join.params.token, 'a.b.c', 'the first join always carries it');
    assert.equal(session.self.name, 'Ada Lovelace');
    first.ws.drop();
    await clock.advance(BACKOFF_MS[0]);
    const second = await answerJoin();
    assert.equal(second.join.params.token === 'a.b.c', again, `exp ${exp}: ${JSON.stringify(second.join.params)}`);
    assert.equal(second.join.params.rejoin_token, 'tok-1');
  }
});

test('waiting for a meeting that has not started says why; the joined event lets one in', async () => {
  const { session, seen, Socket, answerJoin } = setup({ role: 'guest' });
  session.start();
  const { ws } = await answerJoin({ participant_id: null, waiting: true, lobby_id: 4, reason: 'not_started' });
  assert.equal(session.state, 'lobby');
  assert.deepEqual(seen.filter(([n]) => n === 'lobby-waiting'), [['lobby-waiting', 4, 'not_started']]);
  ws.event('joined', { participant_id: 12, room: 'rathaus', role: 'guest', rejoin_token: 'tok-9' });
  await flush();
  const pub = ws.last('publish');
  if (pub) ws.reply(pub, { sdp: 'v=0 fake answer' });
  await flush();
  assert.equal(session.state, 'joined');
  assert.equal(session.participantId, 12);
  assert.equal(Socket.made.length, 1);
});

test('every token error and the not-started wait have their words in German and English', async () => {
  const { readFile } = await import('node:fs/promises');
  for (const lang of ['de', 'en']) {
    const strings = JSON.parse(await readFile(new URL(`../../web/assets/i18n/${lang}.json`, import.meta.url), 'utf8'));
    const keys = TOKEN_ERRORS.flatMap((c) => [`failed.${c}.title`, `failed.${c}.text`])
      .concat(['failed.join_as_guest', 'failed.guest_hint', 'lobby.not_started.title', 'lobby.not_started.text', 'lobby.not_started.announce']);
    assert.deepEqual(keys.filter((k) => !strings[k]), [], `${lang}: missing`);
  }
});

test('recording and streaming: features and state from the join, out_updated for everyone, out_report for hosts only', async () => {
  const { session, answerJoin } = setup({ role: 'guest' });
  const outs = [];
  const reports = [];
  session.on('out', (...args) => outs.push(args));
  session.on('out-report', (d) => reports.push(d));
  session.start();
  const { ws } = await answerJoin({
    features: { recording: true, streaming: 'yes' },
    room_state: { hosts: [1], recording: { active: true, started_by: 'Ann', since: 1700000000000 } },
  });
  assert.deepEqual(session.features, { recording: true, streaming: false }, 'only true is true');
  assert.equal(session.roomState.recording.active, true);
  assert.equal(session.roomState.recording.started_by, 'Ann');
  assert.equal(session.roomState.streaming.active, false, 'what the server did not say is off');
  ws.event('out_updated', { what: 'streaming', change: 'started', active: true, started_by: 'Bo'.repeat(300), since: 5 });
  assert.equal(session.roomState.streaming.active, true);
  assert.equal(session.roomState.streaming.started_by.length, 200, 'names are cut');
  ws.event('out_updated', { what: 'recording', change: 'failed', active: false, reason: 'disk_full', stopped_at: 9, since: -1 });
  assert.equal(session.roomState.recording.active, false);
  assert.equal(session.roomState.recording.since, null, 'junk numbers become null');
  ws.event('out_updated', { what: 'minutes', change: 'started', active: true });   // unknown: ignored
  assert.deepEqual(outs.map(([what, change]) => [what, change]), [['streaming', 'started'], ['recording', 'failed']]);
  // a room_updated keeps the record
  ws.event('room_updated', { hosts: [1], locked: true });
  assert.equal(session.roomState.streaming.active, true);
  ws.event('out_report', { what: 'recording', status: 'failed', reason: 'disk_full' });
  assert.equal(reports.length, 0, 'a guest hears no report');
  ws.event('room_updated', { hosts: [11] });
  ws.event('out_report', { what: 'recording', status: 'ready', file: 'a.mp4' });
  assert.deepEqual(reports, [{ what: 'recording', status: 'ready', file: 'a.mp4' }]);
});
