// Unit tests of web/assets/js/quality.js and its use in session.js (issue 9): publish_layers
// applied to RTCRtpSender parameters (by rid, other fields kept, one call at a time, missing or
// replaced senders tolerated, the data saver's cap), the downlink event's paused videos and the
// screen-reader rate limit, the own level's hysteresis, the weak-connection notice's timing and
// the data saver's set_video_prefs sizes. Fake senders and a fake clock; no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  layeredParameters, PublishLayers, tileVideoState, pausedKey, QualityModel, PauseAnnouncer, WeakNotice, downlinkFrom,
  videoPrefsFor, publishSample, uplinkLevel, worst, SAVER_HEIGHT,
} from '../../web/assets/js/quality.js';
import { SignalingClient, BACKOFF_MS } from '../../web/assets/js/protocol.js';
import { Session, SIMULCAST } from '../../web/assets/js/session.js';
import { FakeClock, fakeSocketClass, fakePeerConnection, connect, flush } from './fakes.mjs';

const quiet = { warn: () => {} };

/** A sender with Chromium's rules: setParameters wants the last getParameters' transactionId. */
function fakeSender(encodings, { kind = 'video' } = {}) {
  let tx = 0;
  const sender = {
    track: { kind },
    params: { transactionId: 'tx0', codecs: [{ mimeType: 'video/VP8' }], rtcp: { reducedSize: true }, headerExtensions: [], encodings },
    calls: [],
    inFlight: 0,
    maxInFlight: 0,
    gate: null,            // a promise setParameters waits for (to hold calls open)
    failNext: null,        // an error name the next setParameters rejects with
    getParameters() {
      sender.params = { ...sender.params, transactionId: `tx${++tx}` };
      return structuredClone(sender.params);
    },
    async setParameters(p) {
      sender.inFlight++;
      sender.maxInFlight = Math.max(sender.maxInFlight, sender.inFlight);
      try {
        if (sender.gate) await sender.gate;
        if (sender.failNext) {
          const name = sender.failNext;
          sender.failNext = null;
          throw Object.assign(new Error(name), { name });
        }
        if (p.transactionId !== sender.params.transactionId) throw Object.assign(new Error('stale'), { name: 'InvalidModificationError' });
        sender.calls.push(structuredClone(p));
        sender.params = structuredClone(p);
      } finally {
        sender.inFlight--;
      }
    },
  };
  return sender;
}

const simulcast = () => SIMULCAST.map((e) => ({ ...e, active: true }));
const actives = (sender) => Object.fromEntries(sender.params.encodings.map((e) => [e.rid, e.active]));

test('layeredParameters sets active by rid and keeps every other field', () => {
  const params = { transactionId: 't1', codecs: [{ mimeType: 'video/VP8' }], encodings: simulcast() };
  const { params: out, changed } = layeredParameters(params, { q: true, h: false, f: false });
  assert.equal(changed, true);
  assert.equal(out.transactionId, 't1');
  assert.deepEqual(out.codecs, params.codecs);
  assert.deepEqual(out.encodings.map((e) => [e.rid, e.active, e.maxBitrate, e.scaleResolutionDownBy]),
    [['q', true, 150000, 4], ['h', false, 500000, 2], ['f', false, 1500000, undefined]]);
  assert.equal(params.encodings[1].active, true, 'the input is not changed');
  // nothing to do: no change reported
  assert.equal(layeredParameters(out, { q: true, h: false, f: false }).changed, false);
  // an encoding without a known rid is left alone
  const odd = layeredParameters({ encodings: [{ rid: 'x', active: true }] }, { q: false });
  assert.equal(odd.changed, false);
});

test('publish_layers: by mid and rid, merged over earlier wishes, other parameters kept', async () => {
  const cam = fakeSender(simulcast());
  const mic = fakeSender([{ active: true }], { kind: 'audio' });
  const trs = [{ mid: '0', sender: mic }, { mid: '1', sender: cam }];
  const layers = new PublishLayers({ transceivers: () => trs, cameraMid: () => '1', log: quiet });
  await layers.set({ mid: '1', active: { q: true, h: false, f: false } });
  assert.deepEqual(actives(cam), { q: true, h: false, f: false });
  assert.deepEqual(cam.params.codecs, [{ mimeType: 'video/VP8' }], 'codecs kept');
  assert.deepEqual(cam.params.rtcp, { reducedSize: true }, 'rtcp kept');
  assert.equal(cam.params.encodings[0].maxBitrate, 150000, 'encoding fields kept');
  // a later event naming only h: q and f stay as they were
  await layers.set({ mid: '1', active: { h: true } });
  assert.deepEqual(actives(cam), { q: true, h: true, f: false });
  assert.equal(mic.calls.length, 0, 'the microphone is not touched');
  // junk is ignored
  await layers.set({ mid: '1', active: 'yes' });
  await layers.set(null);
  assert.deepEqual(actives(cam), { q: true, h: true, f: false });
  assert.equal(cam.calls.length, 2);
});

test('publish_layers for a mid without a sender waits for the next apply; failures are retried', async () => {
  const trs = [];
  const warnings = [];
  const layers = new PublishLayers({ transceivers: () => trs, cameraMid: () => '1', log: { warn: (...a) => warnings.push(a) } });
  await layers.set({ mid: '1', active: { q: false, h: true, f: true } });   // nothing to apply to: no error
  const cam = fakeSender(simulcast());
  trs.push({ mid: '1', sender: cam });
  await layers.apply();                                                        // after the publish answer
  assert.deepEqual(actives(cam), { q: false, h: true, f: true });
  // the sender is renegotiated under our feet: the call fails, is logged, and the next apply sets it
  cam.failNext = 'InvalidStateError';
  await layers.set({ mid: '1', active: { q: true } });
  assert.equal(warnings.length, 1);
  assert.equal(actives(cam).q, false);
  await layers.apply();
  assert.equal(actives(cam).q, true);
  // a transceiver that is stopped, or has no mid yet, is skipped
  trs[0] = { mid: null, sender: cam };
  await layers.set({ mid: '1', active: { q: false } });
  assert.equal(actives(cam).q, true);
  // a PeerConnection that is gone (transceivers() throws) is no error either
  const gone = new PublishLayers({ transceivers: () => { throw new Error('closed'); }, log: quiet });
  await gone.set({ mid: '1', active: { q: false } });
});

test('publish_layers calls are serialized and the newest wish wins', async () => {
  const cam = fakeSender(simulcast());
  const layers = new PublishLayers({ transceivers: () => [{ mid: '1', sender: cam }], cameraMid: () => '1', log: quiet });
  let open;
  cam.gate = new Promise((r) => { open = r; });
  const first = layers.set({ mid: '1', active: { f: false } });
  await flush();
  layers.set({ mid: '1', active: { h: false } });
  layers.set({ mid: '1', active: { q: false, h: true } });
  await flush();
  assert.equal(cam.inFlight, 1, 'one call in flight while the first waits');
  cam.gate = null;
  open();
  await first;
  await layers.running;
  assert.equal(cam.maxInFlight, 1, 'never two setParameters at once');
  assert.deepEqual(actives(cam), { q: false, h: true, f: false });
  assert.ok(cam.calls.length <= 2, `the queued wishes were applied together (${cam.calls.length} calls)`);
});

test('data saver: the camera sends no full layer, a single layer half size; a screen share is not touched', async () => {
  const cam = fakeSender(simulcast());
  const screen = fakeSender([{ active: true }]);
  const trs = [{ mid: '1', sender: cam }, { mid: '2', sender: screen }];
  const layers = new PublishLayers({ transceivers: () => trs, cameraMid: () => '1', log: quiet });
  await layers.setSaver(true);
  assert.deepEqual(actives(cam), { q: true, h: true, f: false });
  assert.equal(screen.calls.length, 0);
  // the server asking for f does not override the saver; asking for h off still counts
  await layers.set({ mid: '1', active: { f: true, h: false } });
  assert.deepEqual(actives(cam), { q: true, h: false, f: false });
  await layers.setSaver(false);
  assert.deepEqual(actives(cam), { q: true, h: false, f: true }, 'the server\'s wishes return');
  // one layer (no simulcast): lower resolution and bitrate, and back
  const single = fakeSender([{ active: true }]);
  const one = new PublishLayers({ transceivers: () => [{ mid: '1', sender: single }], cameraMid: () => '1', log: quiet });
  await one.setSaver(true);
  assert.equal(single.params.encodings[0].scaleResolutionDownBy, 2);
  assert.equal(single.params.encodings[0].maxBitrate, 500000);
  await one.setSaver(false);
  assert.equal(single.params.encodings[0].scaleResolutionDownBy, 1);
  assert.equal('maxBitrate' in single.params.encodings[0], false);
});

// ---- in the session --------------------------------------------------------------------------

function sessionSetup() {
  const clock = new FakeClock(0.5);
  const Socket = fakeSocketClass();
  const signaling = new SignalingClient('ws://127.0.0.1:1/ws', { WebSocket: Socket, clock: clock.api });
  const senders = [];
  const session = new Session({
    signaling, room: 'rathaus', name: 'Ada', local: {},
    createPeerConnection: () => {
      const pc = fakePeerConnection();
      const add = pc.addTransceiver.bind(pc);
      pc.addTransceiver = (kind, init = {}) => {
        const tr = add(kind, init);
        const video = kind === 'video';
        tr.sender = Object.assign(fakeSender(init.sendEncodings ? init.sendEncodings.map((e) => ({ ...e, active: true })) : [{ active: true }],
          { kind: video ? 'video' : 'audio' }), { replaceTrack: async () => {} });
        senders.push(tr.sender);
        return tr;
      };
      return pc;
    },
  });
  const downlinks = [];
  session.on('downlink', (d) => downlinks.push(d));
  const join = async () => {
    session.start();
    const ws = await connect(Socket);
    ws.reply(ws.last('join'), { participant_id: 11, role: 'guest', room: 'rathaus' });
    await flush();
    ws.reply(ws.last('publish'), { sdp: 'v=0 fake answer' });
    await flush();
    return ws;
  };
  /** Answers the join and publish of the newest socket (after a reconnect). */
  const rejoin = async () => {
    const ws = await connect(Socket);
    ws.reply(ws.last('join'), { participant_id: 12, role: 'guest', room: 'rathaus' });
    await flush();
    ws.reply(ws.last('publish'), { sdp: 'v=0 fake answer' });
    await flush(30);
    return ws;
  };
  return { session, join, rejoin, clock, senders, downlinks };
}

test('the session applies publish_layers to its camera sender and the data saver survives a rejoin', async () => {
  const { session, join, rejoin, clock, senders } = sessionSetup();
  const ws = await join();
  assert.equal(session.state, 'joined');
  const cam = senders[1];
  const mid = session.publishTransceivers.video.mid;
  ws.event('publish_layers', { mid, active: { q: true, h: true, f: false } });
  await flush(30);
  assert.deepEqual(actives(cam), { q: true, h: true, f: false });
  ws.event('publish_layers', { mid: '99', active: { q: false } });   // no such mid: nothing breaks
  ws.event('publish_layers', { mid, active: { q: false } });
  await flush(30);
  assert.deepEqual(actives(cam), { q: false, h: true, f: false });
  assert.equal(senders[0].calls.length, 0, 'audio untouched');
  // data saver on, then the connection drops: the new camera sender starts without its full layer
  await session.setDataSaver(true);
  assert.deepEqual(actives(cam), { q: false, h: true, f: false });
  ws.drop();
  await clock.advance(BACKOFF_MS[0]);
  await rejoin();
  const cam2 = senders[senders.length - 1];
  assert.notEqual(cam2, cam);
  assert.deepEqual(actives(cam2), { q: true, h: true, f: false }, 'old wishes forgotten, the saver kept');
});

test('downlink: checked, paused entries deduplicated, cleared on reset; participants carry quality', async () => {
  const { session, join, downlinks } = sessionSetup();
  const ws = await join();
  ws.event('participant_joined', { id: 7, name: 'Bob', quality: 'fair' });
  ws.event('participant_joined', { id: 8, name: 'Cem', quality: 'excellent' });
  ws.event('downlink', {
    estimate_kbps: 310, rtt_ms: 120, loss_pct: 4.5, quality: 'poor', future_field: 1,
    paused: [{ participant_id: 7, source: 'camera' }, { participant_id: 7, source: 'camera' },
      { participant_id: 8, source: 'microphone' }, { participant_id: '9', source: 'camera' }, null],
  });
  await flush();
  assert.equal(session.participants.get(7).quality, 'fair');
  assert.equal(session.participants.get(8).quality, null, 'an unknown word is no level');
  ws.event('participant_updated', { id: 7, audio_muted: true });
  await flush();
  assert.equal(session.participants.get(7).quality, 'fair', 'kept when an update leaves it out');
  ws.event('participant_updated', { id: 7, quality: 'poor' });
  await flush();
  assert.equal(session.participants.get(7).quality, 'poor');
  assert.equal(downlinks.length, 1);
  assert.deepEqual(downlinks[0], { estimate_kbps: 310, rtt_ms: 120, loss_pct: 4.5, quality: 'poor',
    paused: [{ participant_id: 7, source: 'camera' }], unsupported: [] });
  ws.drop();
  await flush();
  assert.equal(downlinks[1], null, 'a reset clears the paused videos');
  assert.equal(session.downlink, null);
});

// ---- levels --------------------------------------------------------------------------------

test('quality model: one bad sample is no warning; worse after 2 ticks, better after 3, the mildest of a run', () => {
  const m = new QualityModel();
  assert.equal(m.push(null), false);
  assert.equal(m.level, null);
  m.push('poor');
  assert.equal(m.level, null, 'a poor start needs a second tick');
  m.push('poor');
  assert.equal(m.level, 'poor');
  m.reset();
  m.push('good');
  assert.equal(m.level, 'good', 'the first known level at once');
  m.push('poor');
  assert.equal(m.level, 'good', 'one poor tick changes nothing');
  m.push('good');
  m.push('poor');
  assert.equal(m.level, 'good', 'the run was broken');
  m.push('poor');
  assert.equal(m.level, 'poor', 'two poor ticks in a row');
  m.push('good');
  m.push('fair');
  assert.equal(m.level, 'poor');
  m.push('good');
  assert.equal(m.level, 'fair', 'three better ticks: the mildest improvement of the run');
  m.push('poor');
  m.push('fair');   // a worse run ends in the less bad level
  assert.equal(m.level, 'fair', 'a tick at the current level breaks the run');
  m.push('poor');
  m.push(null);     // unknown ticks neither count nor break a run
  m.push('poor');
  assert.equal(m.level, 'poor');
  assert.equal(worst('good', null, 'fair'), 'fair');
  assert.equal(worst(null, undefined), null);
});

test('publish-side getStats: loss, round trip, bandwidth limits and the estimate give the level', () => {
  const report = (...entries) => new Map(entries.map((e, i) => [String(i), e]));
  const sample = publishSample(report(
    { type: 'outbound-rtp', kind: 'video', qualityLimitationReason: 'bandwidth', bytesSent: 5000 },
    { type: 'remote-inbound-rtp', kind: 'video', fractionLost: 0.01, roundTripTime: 0.05 },
    { type: 'remote-inbound-rtp', kind: 'audio', fractionLost: 0.02, roundTripTime: 0.06 },
    { type: 'transport', selectedCandidatePairId: 'CP2' },
    { type: 'candidate-pair', id: 'CP1', nominated: true, state: 'succeeded', availableOutgoingBitrate: 50000 },
    { type: 'candidate-pair', id: 'CP2', nominated: true, state: 'succeeded', availableOutgoingBitrate: 900000 },
  ));
  assert.equal(sample.bandwidthLimited, true);
  assert.equal(sample.lossPct, 2);
  assert.equal(sample.rttMs, 60);
  assert.equal(sample.availableKbps, 900, 'the selected pair\'s estimate, not another pair\'s');
  assert.equal(uplinkLevel(sample), 'fair', 'limited by bandwidth');
  assert.equal(uplinkLevel({ ...sample, bandwidthLimited: false }), 'good');
  assert.equal(uplinkLevel({ ...sample, bandwidthLimited: false, lossPct: 12 }), 'poor');
  assert.equal(uplinkLevel({ ...sample, bandwidthLimited: false, rttMs: 900 }), 'poor');
  assert.equal(uplinkLevel({ ...sample, bandwidthLimited: false, availableKbps: 120 }), 'poor');
  assert.equal(uplinkLevel({ ...sample, bandwidthLimited: false, availableKbps: 120, sendingVideo: false }), 'good',
    'the estimate of a link that sends no video says nothing');
  assert.equal(uplinkLevel(publishSample(report())), null, 'no stats yet: unknown');
});

test('paused videos are announced once, not per flicker', () => {
  const clock = new FakeClock();
  const a = new PauseAnnouncer({ now: () => clock.now, quietMs: 60000 });
  assert.equal(a.update(1), 'quality.announce_paused');
  assert.equal(a.update(2), null, 'a second paused tile: nothing new to say');
  clock.now += 2000;
  assert.equal(a.update(0), null, 'back after 2 s: too soon to say again');
  clock.now += 2000;
  assert.equal(a.update(1), null, 'paused again: still said');
  clock.now += 60000;
  assert.equal(a.update(0), 'quality.announce_resumed');
  assert.equal(a.update(1), null, 'within a minute of the last announcement');
  clock.now += 60000;
  assert.equal(a.update(0), null, 'nothing to take back: the pause was not announced');
  assert.equal(a.update(1), 'quality.announce_paused');
});

test('the weak-connection notice: shown when poor, hidden when good, quiet for 10 min after closing', () => {
  const clock = new FakeClock();
  const n = new WeakNotice({ now: () => clock.now });
  assert.equal(n.update('fair'), null);
  assert.equal(n.update('poor'), 'show');
  assert.equal(n.update('poor'), null, 'shown once');
  assert.equal(n.update('fair'), null, 'stays while not good');
  assert.equal(n.update('good'), 'hide');
  assert.equal(n.update('poor'), 'show', 'not closed by the user: may come back');
  n.close();
  clock.now += 60000;
  assert.equal(n.update('poor'), null, 'closed a minute ago');
  clock.now += 10 * 60000;
  assert.equal(n.update('poor', { audioOnly: true }), null, 'nothing to offer with audio only on');
  assert.equal(n.update('poor'), 'show');
  assert.equal(n.update('poor', { audioOnly: true }), 'hide', 'audio only switched on elsewhere');
});

test('data saver prefs: small cameras but the speaker\'s, screens as shown, audio only without cameras', () => {
  const tiles = [
    { id: 7, source: 'camera', height: 540 },
    { id: 8, source: 'camera', height: 360 },
    { id: 8, source: 'screen', height: 720 },
    { id: 9, source: 'camera', height: 0 },
    { id: 10, source: 'camera', height: 120 },
  ];
  assert.deepEqual(videoPrefsFor(tiles, 'off', 8), { last_n: 50, tiles });
  assert.deepEqual(videoPrefsFor(tiles, 'low', 8).tiles.map((x) => x.height), [SAVER_HEIGHT, 360, 720, 0, 120]);
  assert.deepEqual(videoPrefsFor(tiles, 'low', 0).tiles.map((x) => x.height), [180, 180, 720, 0, 120], 'nobody speaks: all small');
  const audio = videoPrefsFor(tiles, 'audio', 8);
  assert.equal(audio.last_n, 0);
  assert.deepEqual(audio.tiles.map((x) => x.height), [0, 0, 720, 0, 0]);
  assert.equal(tiles[0].height, 540, 'the input is not changed');
});

test('downlinkFrom tolerates junk', () => {
  assert.deepEqual(downlinkFrom(null), { estimate_kbps: null, rtt_ms: null, loss_pct: null, quality: null, paused: [], unsupported: [] });
  assert.deepEqual(downlinkFrom({ estimate_kbps: -1, rtt_ms: 'x', quality: 'good', paused: 'all' }).quality, 'good');
});

test('downlink paused keys to tile states: only videos shown and received can be paused', () => {
  const d = downlinkFrom({ quality: 'poor', paused: [{ participant_id: 7, source: 'camera' }, { participant_id: 8, source: 'screen' }] });
  const paused = new Set(d.paused.map((p) => pausedKey(p.participant_id, p.source)));
  const state = (tile, opts) => tileVideoState(tile, paused, opts);
  assert.equal(state({ id: 7, source: 'camera', videoOff: false }), 'paused');
  assert.equal(state({ id: 8, source: 'screen', videoOff: false }), 'paused');
  assert.equal(state({ id: 8, source: 'camera', videoOff: false }), 'live', 'by source');
  assert.equal(state({ id: 9, source: 'camera', videoOff: false }), 'live');
  assert.equal(state({ id: 7, source: 'camera', videoOff: true }), 'live', 'a camera that is off is not paused');
  assert.equal(state({ id: 7, source: 'camera', videoOff: false }, { audioOnly: true }), 'live', 'audio only: not received');
  assert.equal(state({ id: 8, source: 'screen', videoOff: false }, { audioOnly: true }), 'paused', 'screens are still received');
  assert.equal(state({ id: null, self: true, source: 'camera' }), 'live');
  // the next event without them: live again
  const none = new Set(downlinkFrom({ quality: 'fair', paused: [] }).paused.map((p) => pausedKey(p.participant_id, p.source)));
  assert.equal(tileVideoState({ id: 7, source: 'camera', videoOff: false }, none), 'live');
});
