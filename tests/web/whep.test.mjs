// Unit tests of the live page's WHEP client (web/assets/js/whep.js): the token from the fragment,
// what each refusal means and when to try again, and the POST and DELETE a viewing makes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WhepViewer, tokenFromFragment, refusal, RETRY_MS, RETRY_MAX_MS } from '../../web/assets/js/whep.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJyb29tIjoicmF0In0.c2lnbmF0dXJl';

test('the token comes from the fragment, as the link or as token=; anything else is no token', () => {
  assert.equal(tokenFromFragment(`#${JWT}`), JWT);
  assert.equal(tokenFromFragment(`#token=${JWT}&lang=de`), JWT);
  for (const bad of ['', '#', '#abc', '#a.b', `#${JWT}.x`, '#a.b.c d', `#${'x'.repeat(3000)}.a.b`, '#<script>.a.b'])
    assert.equal(tokenFromFragment(bad), '', bad);
});

test('refusals: 401 and bad offers are final, the rest are tried again politely', () => {
  assert.deepEqual(refusal(401), { kind: 'invalid', retryMs: 0 });
  assert.deepEqual(refusal(400), { kind: 'failed', retryMs: 0 });
  assert.deepEqual(refusal(415), { kind: 'failed', retryMs: 0 });
  assert.deepEqual(refusal(403), { kind: 'not_started', retryMs: RETRY_MS });
  assert.deepEqual(refusal(404), { kind: 'no_meeting', retryMs: RETRY_MS });
  assert.deepEqual(refusal(503, '30'), { kind: 'busy', retryMs: 30000 });
  assert.deepEqual(refusal(429, '5'), { kind: 'busy', retryMs: RETRY_MS });   // never sooner than RETRY_MS
  assert.deepEqual(refusal(503, '86400'), { kind: 'busy', retryMs: RETRY_MAX_MS });
  assert.deepEqual(refusal(502, 'soon'), { kind: 'busy', retryMs: RETRY_MS });
});

class FakePC {
  constructor(config) {
    this.config = config;
    this.transceivers = [];
    this.closed = false;
    this.remote = null;
    FakePC.last = this;
  }
  addTransceiver(kind, init) { this.transceivers.push([kind, init.direction]); }
  async createOffer() { return { type: 'offer', sdp: 'v=0 offer' }; }
  async setLocalDescription(d) { this.localDescription = d; }
  async setRemoteDescription(d) { this.remote = d; }
  close() { this.closed = true; }
}

function fakeFetch(answer) {
  const calls = [];
  const fn = async (url, init) => {
    calls.push({ url, ...init });
    if (init.method === 'DELETE') return { status: 200 };
    return {
      status: answer.status,
      headers: { get: (h) => ({ location: answer.location, 'retry-after': answer.retryAfter })[h.toLowerCase()] ?? null },
      text: async () => answer.body ?? '',
    };
  };
  fn.calls = calls;
  return fn;
}

test('a viewing posts a recvonly offer with the token, applies the answer and deletes its resource', async () => {
  const fetch = fakeFetch({ status: 201, location: '/whep/rat/0123456789abcdef0123456789abcdef', body: 'v=0 answer' });
  const v = new WhepViewer('https://meet.example/whep/rat', JWT, { fetch, RTCPeerConnection: FakePC });
  assert.deepEqual(await v.start(() => {}), { ok: true });
  const pc = FakePC.last;
  assert.deepEqual(pc.transceivers, [['audio', 'recvonly'], ['video', 'recvonly']]);
  assert.equal(pc.config.bundlePolicy, 'max-bundle');
  assert.deepEqual(pc.remote, { type: 'answer', sdp: 'v=0 answer' });
  const post = fetch.calls[0];
  assert.equal(post.method, 'POST');
  assert.equal(post.body, 'v=0 offer');
  assert.equal(post.headers.Authorization, `Bearer ${JWT}`);
  assert.equal(post.headers['Content-Type'], 'application/sdp');
  v.stop();
  assert.equal(fetch.calls[1].method, 'DELETE');
  assert.equal(fetch.calls[1].url, 'https://meet.example/whep/rat/0123456789abcdef0123456789abcdef');
  assert.equal(fetch.calls[1].keepalive, true);
  assert.ok(pc.closed);
  v.stop();   // once only
  assert.equal(fetch.calls.length, 2);
});

test('a refused or unreachable POST closes the connection and deletes nothing', async () => {
  const fetch = fakeFetch({ status: 403 });
  const v = new WhepViewer('https://meet.example/whep/rat', JWT, { fetch, RTCPeerConnection: FakePC });
  assert.deepEqual(await v.start(() => {}), { ok: false, status: 403, retryAfter: null });
  assert.ok(FakePC.last.closed);
  assert.equal(v.pc, null);
  v.stop();
  assert.equal(fetch.calls.length, 1);
  const down = new WhepViewer('https://meet.example/whep/rat', JWT, {
    fetch: async () => { throw new TypeError('network'); }, RTCPeerConnection: FakePC });
  assert.deepEqual(await down.start(() => {}), { ok: false, status: 0, retryAfter: null });
  assert.ok(FakePC.last.closed);
});
