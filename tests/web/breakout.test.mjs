// Unit tests of the client's breakout groups (web/assets/js/room/breakout.js) and their part of
// session.js: the server's state made safe to render, the limits checked before a request, the
// requests' params, and a move that keeps both PeerConnections (only the subscribe side renegotiates).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignalingClient } from '../../web/assets/js/protocol.js';
import { Session } from '../../web/assets/js/session.js';
import { breakoutFrom, namesProblem, textProblem, secondsLeft, everyone, groupName, breakoutRequests,
  NO_BREAKOUT } from '../../web/assets/js/room/breakout.js';
import { FakeClock, fakeSocketClass, fakePeerConnection, connect, flush } from './fakes.mjs';

const OPEN = {
  state: 'open', allow_choose: true, ends_at_ms: 5000, closing_at_ms: 0, your_group: 2,
  groups: [{ id: 1, name: 'Gruppe 1', count: 2, members: [{ id: 3, name: 'Ben' }, { id: 4, name: 'Cleo' }] },
    { id: 2, name: 'Gruppe 2', count: 1, members: [{ id: 5, name: 'Dora' }] }],
  main: [{ id: 1, name: 'Hanna' }],
};

test('the breakout state: as sent, with members for hosts and counts only for guests', () => {
  const b = breakoutFrom(OPEN);
  assert.equal(b.state, 'open');
  assert.equal(b.allowChoose, true);
  assert.equal(b.endsAtMs, 5000);
  assert.equal(b.yourGroup, 2);
  assert.equal(groupName(b, 2), 'Gruppe 2');
  assert.equal(groupName(b, 0), null);
  assert.deepEqual(everyone(b).map((p) => [p.name, p.group]), [['Hanna', 0], ['Ben', 1], ['Cleo', 1], ['Dora', 2]]);
  const guest = breakoutFrom({ ...OPEN, main: undefined, groups: OPEN.groups.map(({ members, ...g }) => g) });
  assert.equal(guest.main, null);
  assert.deepEqual(guest.groups.map((g) => [g.count, g.members]), [[2, null], [1, null]]);
  assert.deepEqual(everyone(guest), []);
});

test('junk from the server becomes no groups, or is left out', () => {
  for (const junk of [null, 'open', 7, [], { state: 'weird' }, { groups: [] }]) assert.deepEqual(breakoutFrom(junk), NO_BREAKOUT);
  const many = Array.from({ length: 30 }, (_, i) => ({ id: i + 1, name: `G${i + 1}`, count: 0 }));
  assert.equal(breakoutFrom({ state: 'open', groups: many }).groups.length, 20);
  const b = breakoutFrom({
    state: 'closing', closing_at_ms: -4, ends_at_ms: 'soon', your_group: 9,
    groups: [{ id: 1, name: 'A' }, { id: 1, name: 'twice' }, { id: 0, name: 'zero' }, { id: 2.5 }, null, { id: 3, name: 'x'.repeat(500), count: -1, members: [{ id: 8 }, { name: 'no id' }, 5] }],
    main: 'everyone',
  });
  assert.deepEqual(b.groups.map((g) => g.id), [1, 3]);
  assert.equal(b.groups[1].name.length, 64);
  assert.deepEqual(b.groups[1].members, [{ id: 8, name: '' }]);
  assert.equal(b.groups[1].count, 1, 'a bad count falls back to the members listed');
  assert.equal(b.yourGroup, 0, 'an unknown group is the main room');
  assert.equal(b.closingAtMs, 0);
  assert.equal(b.endsAtMs, 0);
  assert.equal(b.main, null);
});

test('the limits before a request: 1..20 distinct names of 1..64 bytes, messages of 1..2000 bytes', () => {
  assert.equal(namesProblem(['Gruppe 1', 'Gruppe 2']), '');
  assert.equal(namesProblem([]), 'count');
  assert.equal(namesProblem(Array.from({ length: 21 }, (_, i) => `G${i}`)), 'count');
  assert.equal(namesProblem(['A', '  ']), 'name_empty');
  assert.equal(namesProblem(['ä'.repeat(32)]), '', '64 bytes');
  assert.equal(namesProblem(['ä'.repeat(33)]), 'name_long', '66 bytes');
  assert.equal(namesProblem(['Gruppe 1', ' Gruppe 1 ']), 'name_twice');
  assert.equal(textProblem('Noch fünf Minuten'), '');
  assert.equal(textProblem('   '), 'text_empty');
  assert.equal(textProblem('€'.repeat(667)), 'text_long', '2001 bytes');
  assert.equal(textProblem('€'.repeat(666)), '');
});

test('seconds left are whole and never negative', () => {
  assert.equal(secondsLeft(10500, 10000), 1);
  assert.equal(secondsLeft(10000, 10000), 0);
  assert.equal(secondsLeft(9000, 10000), 0);
  assert.equal(secondsLeft(0, 10000), 0);
  assert.equal(secondsLeft(70000, 10000), 60);
});

test('the requests send what the protocol names, with the numbers kept in range', async () => {
  const sent = [];
  const r = breakoutRequests(async (method, params) => { sent.push([method, params]); return {}; });
  await r.setup([' Gruppe 1 ', 'Gruppe 2'], 1);
  await r.assign(7, 2);
  await r.random();
  await r.open('999');
  await r.open(-3);
  await r.move(7, 0);
  await r.broadcast(' Bitte zurückkommen ');
  await r.close(12.7);
  await r.close(5000);
  await r.join(1);
  await r.callHost();
  await r.cancel();
  assert.deepEqual(sent, [
    ['breakout_setup', { names: ['Gruppe 1', 'Gruppe 2'], allow_choose: true }],
    ['breakout_assign', { assign: { 7: 2 } }],
    ['breakout_assign', { random: true }],
    ['breakout_open', { minutes: 480 }],
    ['breakout_open', { minutes: 0 }],
    ['breakout_move', { participant_id: 7, group: 0 }],
    ['breakout_broadcast', { text: 'Bitte zurückkommen' }],
    ['breakout_close', { seconds: 12 }],
    ['breakout_close', { seconds: 300 }],
    ['breakout_join', { group: 1 }],
    ['breakout_call_host', {}],
    ['breakout_cancel', {}],
  ]);
});

async function joinedSession(role) {
  const clock = new FakeClock(0.5);
  const Socket = fakeSocketClass();
  const signaling = new SignalingClient('ws://127.0.0.1:1/ws', { WebSocket: Socket, clock: clock.api });
  let pcs = 0;
  const session = new Session({ signaling, room: 'rathaus', name: 'Ada', local: {}, createPeerConnection: () => { pcs++; return fakePeerConnection(); } });
  const seen = [];
  for (const name of ['breakout', 'breakout-message', 'breakout-help', 'participant-left', 'participant-joined', 'reconnecting']) {
    session.on(name, (...args) => seen.push([name, ...args]));
  }
  session.start();
  const ws = await connect(Socket);
  ws.event('breakout', { state: 'open' });   // before the join's answer: not ours yet
  ws.reply(ws.last('join'), { participant_id: 11, role, room: 'rathaus' });
  await flush();
  ws.reply(ws.last('publish'), { sdp: 'v=0 fake answer' });
  await flush();
  return { session, ws, seen, pcs: () => pcs };
}

test('the session passes breakout events on once joined; help calls reach hosts only', async () => {
  const host = await joinedSession('host');
  host.ws.event('breakout', OPEN);
  host.ws.event('breakout_message', { text: 'Noch 5 Minuten', from: { id: 1, name: 'Hanna' } });
  host.ws.event('breakout_message', { text: 42 });
  host.ws.event('breakout_help', { group: 1, participant_id: 3, name: 'Ben' });
  assert.deepEqual(host.seen.map(([n]) => n), ['breakout', 'breakout-message', 'breakout-help']);
  const guest = await joinedSession('guest');
  guest.ws.event('breakout_help', { group: 1, participant_id: 3, name: 'Ben' });
  assert.deepEqual(guest.seen, []);
});

test('a move: "moved" departures and the new group\'s arrivals, both PeerConnections kept', async () => {
  const { session, ws, seen, pcs } = await joinedSession('guest');
  ws.event('participant_joined', { id: 3, name: 'Ben' });
  ws.event('subscribe_offer', { version: 1, sdp: 'v=0 fake offer', tracks: [] });
  await flush();
  ws.reply(ws.last('subscribe_answer'));
  await flush();
  const publish = session.publishPc;
  const subscribe = session.subscribePc;
  assert.equal(pcs(), 2);
  ws.event('participant_left', { id: 3, reason: 'moved' });
  ws.event('participant_joined', { id: 5, name: 'Dora' });
  ws.event('subscribe_offer', { version: 2, sdp: 'v=0 fake offer', tracks: [] });
  await flush();
  assert.equal(session.publishPc, publish, 'the publish PeerConnection is untouched');
  assert.equal(session.subscribePc, subscribe, 'the subscribe PeerConnection is renegotiated, not replaced');
  assert.equal(pcs(), 2);
  assert.equal(ws.last('subscribe_answer').params.version, 2);
  assert.deepEqual(seen.filter(([n]) => n.startsWith('participant')).map(([n, p, r]) => [n, p.id, r]),
    [['participant-joined', 3, undefined], ['participant-left', 3, 'moved'], ['participant-joined', 5, undefined]]);
  assert.ok(!seen.some(([n]) => n === 'reconnecting'));
  assert.equal(session.state, 'joined');
});
