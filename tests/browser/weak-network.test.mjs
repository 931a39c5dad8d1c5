// Weak networks (issue 9): what a person on a poor downlink hears and sees. A publisher (camera and
// mic, fake devices, simulcast as the client does it) on an unimpaired link; a subscriber (camera
// off, mic on) whose link is impaired (lib-weaknet: tbf rate cap on its downlink, or a relay that
// adds delay and random loss). Each condition is a fresh setup and room: the subscriber first
// decodes the publisher's video on a clean link, then the impairment starts (for the relay it is
// there from the start), WARM_S seconds pass, and MEASURE_S seconds are measured from the
// subscriber's getStats, sampled once a second in the page. One table line per condition
// ("weaknet | ..."): Chromium's freeze time, seconds without a decoded frame, audio concealment,
// the layer received (frame height), RTT, plus the server's NACK retransmissions from /metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadavg } from 'node:os';
import { sleep, joined, inbound } from './lib-plenum.mjs';
import { videoDecoded } from './lib-netlab.mjs';
import { weakNetwork, startSampler, samples, figures, row, TBF, startPublisherSampler, publisherSamples, markAvailable } from './lib-weaknet.mjs';

const WARM_S = Number(process.env.WEAKNET_WARM_S || 5);
const MEASURE_S = Number(process.env.WEAKNET_MEASURE_S || 25);
// The subscriber's window: its one remote tile is large enough to ask for the 360p layer, not the
// 720p one (pick_layer: a layer fits a tile up to 5/4 of its height).
const [vw, vh] = (process.env.WEAKNET_SUB_VIEWPORT || '1280x720').split('x').map(Number);
const SUB_VIEWPORT = { width: vw, height: vh };
const RECOVERY_S = 10;   // the issue's product requirement: video back within 10 s of the cap lifted

const rows = [];

/** A fresh setup and room; returns what was measured. `impair(w)` starts the impairment. */
async function condition(name, { relay = null, impair = null, after = null } = {}) {
  const w = await weakNetwork(`weaknet-${name}`, { relay });
  let estTimer = null;
  try {
    const room = `weak-${name}`;
    const pub = await w.openPublisher(room, 'Publisher');
    const pid = await joined(w.env, pub);
    const sub = await w.openSubscriber(room, 'Subscriber', { viewport: SUB_VIEWPORT, camera: false });
    await joined(w.env, sub);
    await videoDecoded(w.env, sub, 30, 60000);
    await startSampler(sub, pid);
    await startPublisherSampler(pub);
    const m0 = await w.metrics();
    // the server's view once a second: the subscribers' summed downlink estimate (the subscriber's
    // and the publisher's, whose own downlink carries only the subscriber's audio) and repairs
    const est = [];
    estTimer = setInterval(() => {
      w.metrics().then((m) => est.push({ at: Date.now(), sum: m.plenum_downlink_estimate_bps_sum || 0, retx: m.plenum_nack_retransmissions_total || 0 })).catch(() => {});
    }, 1000);
    if (impair) impair(w);
    const n = WARM_S + MEASURE_S + 1;
    const deadline = Date.now() + (n + 60) * 1000;   // sampling runs in the page; this only bounds a hung page
    let list = await samples(sub);
    while (list.length < n + 1) {
      assert.ok(Date.now() < deadline, `${name}: only ${list.length} of ${n + 1} samples`);
      await sleep(1000);
      list = await samples(sub);
    }
    clearInterval(estTimer);
    const m1 = await w.metrics();
    const ests = est.slice(WARM_S).map((e) => e.sum / 1000).sort((a, b) => a - b);
    const window = markAvailable(list.slice(WARM_S + 1, n + 1), await publisherSamples(pub));
    const f = figures(window);
    const m = (k) => (m1[k] || 0) - (m0[k] || 0);
    const extra = {
      retx: m('plenum_nack_retransmissions_total'),
      'retx dropped': m('plenum_nack_retransmits_dropped_total'),
      'nack dups': m('plenum_nack_duplicates_total'),
      plis: m('plenum_keyframe_requests_total'),
      'layer switches': m('plenum_simulcast_layer_switches_total'),
      'estimate sum kbit/s': `${Math.round((m0.plenum_downlink_estimate_bps_sum || 0) / 1000)} before, ${Math.round(ests[0] || 0)}-${Math.round(ests[ests.length - 1] || 0)} in window`,
      'pkts dropped': m('plenum_packets_dropped_total'),
    };
    extra['lost video/audio'] = `${f.videoLost}/${f.audioLost}`;
    extra['load avg'] = loadavg()[0].toFixed(1);   // others' tests share this machine: how busy it was
    const line = row(name, f, extra);
    rows.push(line);
    console.log(line);
    console.log(`weaknet ${name} samples (height/available/frames/rtt ms): ${window.map((s) => `${s.height}/${s.available}/${s.framesDecoded}/${s.rtt === null ? '-' : Math.round(s.rtt * 1000)}${s.state ? `/${s.state}` : ''}`).join(' ')}`);
    if (impair) console.log(`weaknet ${name} qdisc: ${w.qdisc().replace(/\s+/g, ' ').trim()}`);
    if (process.env.WEAKNET_DEBUG) console.log(`weaknet ${name} raw: ${JSON.stringify(window.slice(0, 4))}`);
    f.load = extra['load avg'];
    const res = { w, sub, pid, f, list, window, last: list[list.length - 1] };
    if (after) await after(res);
    return res;
  } finally {
    clearInterval(estTimer);
    const problems = await w.stop();
    if (relay) console.log(`weaknet ${name} relay counters: ${w.relayOutput().slice(1).join(' ')}`);
    assert.deepEqual(problems, [], `${name}: clean stop`);
  }
}

test('no impairment (baseline): smooth video at the tile\'s layer, clean audio', async () => {
  const { f } = await condition('baseline');
  assert.ok(f.longestStallS < 3, `longest stretch without a decoded frame ${f.longestStallS.toFixed(1)} s (load avg ${f.load})`);
  assert.ok(f.concealedPct < 2, `audio concealed ${f.concealedPct.toFixed(2)} % (load avg ${f.load})`);
  assert.ok(f.keptShare >= 0.8, `the tile's layer (as sent) in ${(f.keptShare * 100).toFixed(0)} % of samples; received ${JSON.stringify(f.heights)}, available ${JSON.stringify(f.available)} (load avg ${f.load})`);
});

test('400 kbit/s downlink: video keeps decoding, audio clean', async () => {
  const { f } = await condition('cap-400k', { impair: (w) => w.shape(400) });
  assert.ok(f.longestStallS < 3, `longest stretch without a decoded frame ${f.longestStallS.toFixed(1)} s (load avg ${f.load})`);
  assert.ok(f.frames > 0, 'video decoded in the window');
  assert.ok(f.concealedPct < 2, `audio concealed ${f.concealedPct.toFixed(2)} % (load avg ${f.load})`);
});

test('150 kbit/s downlink: audio stays clean, the tile shows the paused state, video returns when the cap is lifted', async (t) => {
  await condition('cap-150k', {
    impair: (w) => w.shape(150),
    after: async ({ w, sub, pid, f, last }) => {
      await t.test('audio concealment under 2 %', () => {
        assert.ok(f.concealedPct < 2, `audio concealed ${f.concealedPct.toFixed(2)} % (load avg ${f.load})`);
      });
      await t.test('the tile shows data-video-state="paused"', async () => {
        const state = await sub.evaluate((id) => document.querySelector(`.tile[data-participant-id="${id}"][data-source="camera"]`)?.dataset.videoState ?? null, pid);
        console.log(`weaknet cap-150k tile: data-video-state=${JSON.stringify(state)} text ${JSON.stringify(last.text)}; paused in ${(f.pausedShare * 100).toFixed(0)} % of samples`);
        assert.equal(state, 'paused', 'the tile of the publisher on the capped subscriber');
      });
      await t.test(`the cap lifted: video decodes again within ${RECOVERY_S} s`, async () => {
        w.shape(null);
        const lifted = Date.now();
        let prev = await inbound(sub);
        let prevAt = Date.now();
        let back = null;
        let good = 0;   // consecutive half-seconds with video
        while (Date.now() - lifted < RECOVERY_S * 1000) {
          await sleep(500);
          const now = await inbound(sub);
          const at = Date.now();
          const state = await sub.evaluate((id) => document.querySelector(`.tile[data-participant-id="${id}"][data-source="camera"]`)?.dataset.videoState ?? '', pid);
          const fps = ((now.video.framesDecoded - prev.video.framesDecoded) * 1000) / (at - prevAt);
          // video is back when it decodes at a watchable rate for a second and the tile no longer says paused
          good = fps >= 8 && now.video.framesDecoded - prev.video.framesDecoded >= 4 && state !== 'paused' ? good + 1 : 0;
          if (good >= 2) { back = { s: (at - lifted) / 1000, fps, state, height: now.video.frameHeight }; break; }
          prev = now;
          prevAt = at;
        }
        console.log(`weaknet cap-150k recovery: ${back ? `video back ${back.s.toFixed(1)} s after the cap was lifted (${back.fps.toFixed(0)} fps, ${back.height}p)` : `no video within ${RECOVERY_S} s`}`);
        assert.ok(back, `video decodes again within ${RECOVERY_S} s of the cap lifted`);
      });
    },
  });
});

test('80 ms RTT + 3 % random loss, no cap: the subscriber keeps its tile\'s layer', async () => {
  const loss = Number(process.env.WEAKNET_LOSS ?? 0.03);   // a knob for finding out what the loss does, not the delay
  const { f } = await condition('loss-3pct', { relay: { delayMs: 40, loss, seed: 9 } });
  assert.ok(f.frames > 0, 'video decoded in the window');
  // the layer the tile asks for (360p here) as far as the publisher sends it: on a busy machine
  // Chromium's CPU adaptation can stop its 360p layer, which no server could forward
  assert.ok(f.keptShare >= 0.8, `the tile's layer (as sent) in ${(f.keptShare * 100).toFixed(0)} % of samples (want ≥ 80 %); received ${JSON.stringify(f.heights)}, available ${JSON.stringify(f.available)} (load avg ${f.load})`);
});

test('the table', () => {
  console.log(`weaknet conditions: tbf burst ${TBF.burst} latency ${TBF.latency}; relay 40 ms each way, 3 % loss each way; warm-up ${WARM_S} s, measured ${MEASURE_S} s`);
  for (const r of rows) console.log(r);
  assert.ok(rows.length > 0, 'conditions measured');
});
