// Unit tests of web/assets/js/protocol.js (the signaling client) with a fake WebSocket and a fake
// clock: hello, requests matched by id, errors with codes, events, timeouts, reconnect with backoff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignalingClient, ProtocolError, BACKOFF_MS, REQUEST_TIMEOUT_MS, PING_INTERVAL_MS, defaultUrl } from '../../web/assets/js/protocol.js';
import { FakeClock, fakeSocketClass, connect, flush } from './fakes.mjs';

function client() {
  const clock = new FakeClock(0.5);           // jitter factor 0.8 + 0.5 * 0.4 = 1.0: delays are the table's
  const Socket = fakeSocketClass();
  const c = new SignalingClient('ws://127.0.0.1:1/ws', { WebSocket: Socket, clock: clock.api });
  return { c, clock, Socket };
}

test('hello first, with the protocol version and subprotocol; open reports the result', async () => {
  const { c, Socket } = client();
  const opened = [];
  c.on('open', (r) => opened.push(r));
  c.open();
  assert.equal(Socket.made.length, 1);
  assert.equal(Socket.made[0].protocol, 'plenum.v1');
  await connect(Socket);
  const hello = Socket.made[0].sent[0];
  assert.equal(hello.method, 'hello');
  assert.equal(hello.params.version, 1);
  assert.equal(c.ready, true);
  assert.deepEqual(opened, [{ version: 1, server: 'fake' }]);
  c.close();
});

test('responses are matched to requests by id, also out of order', async () => {
  const { c, Socket } = client();
  c.open();
  const ws = await connect(Socket);
  const a = c.request('ping', { n: 1 });
  const b = c.request('chat_send', { text: 'hi' });
  const [ra, rb] = ws.sent.slice(-2);
  assert.notEqual(ra.id, rb.id);
  ws.reply(rb, { which: 'b' });
  ws.reply(ra, { which: 'a' });
  assert.deepEqual(await a, { which: 'a' });
  assert.deepEqual(await b, { which: 'b' });
  // An answer to an id nobody waits for is ignored.
  ws.deliver({ id: 99999, result: { stray: true } });
  assert.equal(c.pending.size, 0);
  c.close();
});

test('an error answer rejects with its code and message', async () => {
  const { c, Socket } = client();
  c.open();
  const ws = await connect(Socket);
  const p = c.request('raise_hand');
  ws.fail(ws.last('raise_hand'), 'rate_limited', 'slow down');
  await assert.rejects(p, (err) => err instanceof ProtocolError && err.code === 'rate_limited' && err.message === 'slow down');
  c.close();
});

test('events reach both the named listener and the catch-all; junk frames are ignored', async () => {
  const { c, Socket } = client();
  c.open();
  const ws = await connect(Socket);
  const named = [];
  const all = [];
  c.on('participant_joined', (d) => named.push(d));
  c.on('event', (name, d) => all.push([name, d]));
  ws.event('participant_joined', { id: 7, name: 'Ada' });
  ws.deliver('{not json');
  ws.deliver({ event: 'room_updated' });
  assert.deepEqual(named, [{ id: 7, name: 'Ada' }]);
  assert.deepEqual(all, [['participant_joined', { id: 7, name: 'Ada' }], ['room_updated', {}]]);
  c.close();
});

test('a request without an answer times out with code "timeout"; a late answer changes nothing', async () => {
  const { c, clock, Socket } = client();
  c.open();
  const ws = await connect(Socket);
  const p = c.request('set_lobby', { enabled: true });
  let settled = false;
  p.catch(() => {}).finally(() => { settled = true; });
  await clock.advance(REQUEST_TIMEOUT_MS - 1);
  assert.equal(settled, false, 'not before the timeout');
  await clock.advance(1);
  await assert.rejects(p, (err) => err.code === 'timeout');
  ws.reply(ws.last('set_lobby'), {});
  assert.equal(c.pending.size, 0);
  c.close();
});

test('requests before the hello or after close fail with "disconnected" and send nothing', async () => {
  const { c, Socket } = client();
  await assert.rejects(c.request('ping'), (err) => err.code === 'disconnected');
  c.open();
  Socket.made[0].open();
  await assert.rejects(c.request('ping'), (err) => err.code === 'disconnected');
  assert.deepEqual(Socket.made[0].sent.map((m) => m.method), ['hello']);
  c.close();
});

test('reconnects with growing backoff, capped, and resets it after a good hello', async () => {
  const { c, clock, Socket } = client();
  const closes = [];
  c.on('close', (x) => closes.push(x.delayMs));
  c.open();
  const ws = await connect(Socket);
  const pending = c.request('ping');
  ws.drop();
  await assert.rejects(pending, (err) => err.code === 'disconnected');
  // Each attempt fails before its hello: the delays follow the table, then stay at its end.
  for (let i = 0; i < BACKOFF_MS.length + 2; i++) {
    const expected = BACKOFF_MS[Math.min(i, BACKOFF_MS.length - 1)];
    assert.equal(closes[i], expected, `attempt ${i + 1} waits ${expected} ms`);
    const made = Socket.made.length;
    await clock.advance(expected - 1);
    assert.equal(Socket.made.length, made, `no new socket before ${expected} ms`);
    await clock.advance(1);
    assert.equal(Socket.made.length, made + 1, `a new socket after ${expected} ms`);
    Socket.made[Socket.made.length - 1].drop();
  }
  // A successful hello resets the backoff to the first step.
  await clock.advance(BACKOFF_MS[BACKOFF_MS.length - 1]);
  const again = await connect(Socket);
  again.drop();
  assert.equal(closes[closes.length - 1], BACKOFF_MS[0]);
  c.close();
  const made = Socket.made.length;
  await clock.advance(60000);
  assert.equal(Socket.made.length, made, 'no reconnect after close()');
  assert.deepEqual(clock.pending(), [], 'no timer left after close()');
});

test('a ping without an answer drops the socket and reconnects', async () => {
  const { c, clock, Socket } = client();
  c.open();
  const ws = await connect(Socket);
  await clock.advance(PING_INTERVAL_MS);
  assert.ok(ws.last('ping'), 'pinged');
  await clock.advance(REQUEST_TIMEOUT_MS);
  assert.equal(ws.closedByClient, true, 'the silent socket is closed');
  await clock.advance(BACKOFF_MS[0]);
  assert.equal(Socket.made.length, 2, 'a new socket');
  c.close();
});

test('unsupported_version in the hello stops for good', async () => {
  const { c, clock, Socket } = client();
  const fatal = [];
  c.on('fatal', (e) => fatal.push(e.code));
  c.open();
  const ws = Socket.made[0];
  ws.open();
  await flush();
  ws.fail(ws.last('hello'), 'unsupported_version');
  await flush();
  await clock.advance(60000);
  assert.deepEqual(fatal, ['unsupported_version']);
  assert.equal(Socket.made.length, 1);
});

test('defaultUrl follows the page scheme', () => {
  assert.equal(defaultUrl({ protocol: 'https:', host: 'meet.example:8443' }), 'wss://meet.example:8443/ws');
  assert.equal(defaultUrl({ protocol: 'http:', host: '127.0.0.1:8080' }), 'ws://127.0.0.1:8080/ws');
});
