// Data saver at the publisher (issue 9): while the only viewer sees Anke's camera as a small tile,
// her browser stops sending the simulcast layers nobody receives (plenum's publish_layers →
// encodings[i].active = false, and outbound-rtp of that rid stops growing); when Bodo enlarges her
// tile (a big window, his own picture hidden), the full layer comes back within seconds. Prints
// the figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlenum, joined, sleep } from './lib-plenum.mjs';

let env;
before(async () => { env = await startPlenum('data-saver'); });
after(async () => {
  const problems = env ? await env.stop() : [];
  assert.deepEqual(problems, []);
});

/** Anke's camera sender: each rid's `active` and outbound-rtp bytesSent. */
function cameraLayers(page) {
  return page.evaluate(async () => {
    const pc = window.plenum.publishPc;
    const tr = pc?.getTransceivers().find((x) => x.sender.track?.kind === 'video');
    if (!tr) return null;
    const out = {};
    for (const e of tr.sender.getParameters().encodings) out[e.rid] = { active: e.active, bytes: 0 };
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video' && out[s.rid]) out[s.rid].bytes = s.bytesSent || 0;
    });
    return out;
  });
}

async function metric(name) {
  const text = await (await fetch(`${env.base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

/** Waits (polling every 500 ms, up to timeoutMs) until pred(layers) holds; returns {layers, ms}. */
async function until(page, what, pred, timeoutMs) {
  const start = Date.now();
  let layers = null;
  while (Date.now() - start < timeoutMs) {
    layers = await cameraLayers(page);
    if (layers && pred(layers)) return { layers, ms: Date.now() - start };
    await sleep(500);
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s; layers ${JSON.stringify(layers)}`);
}

test('small tiles only: the full layer stops at the publisher; an enlarged tile brings it back', async () => {
  const room = 'data-saver';
  const anke = await env.open(room, 'Anke');
  await joined(env, anke);
  // Bodo on a small window: Anke's tile is small, nobody wants her full (or middle) layer
  const bodo = await env.open(room, 'Bodo', { viewport: { width: 480, height: 360 } });
  await joined(env, bodo);
  try {
    const off = await until(anke, 'the full layer switched off', (l) => l.f && l.f.active === false, 30000);
    const b0 = off.layers.f.bytes;
    await sleep(3000);
    const still = await cameraLayers(anke);
    console.log(`data saver: f off ${off.ms} ms after the check began; f bytes ${b0} → ${still.f.bytes} over 3 s; `
      + `q ${still.q.bytes} B, h active ${still.h.active}; layers off at the server ${await metric('plenum_publish_layers_off')}`);
    assert.equal(still.f.active, false);
    assert.ok(still.f.bytes - b0 < 2000, `the full layer keeps being sent: ${b0} → ${still.f.bytes}`);
    assert.ok(still.q.bytes > 0, 'the lowest layer is sent');
    assert.ok(await metric('plenum_publish_layer_pauses_total') >= 1);
    // Bodo enlarges his window and hides his own picture: Anke fills his stage and her full layer
    // is wanted again
    const aid = await anke.evaluate(() => window.plenum.participantId);
    await bodo.setViewportSize({ width: 1920, height: 1080 });
    await bodo.click('#ctl-more');
    await env.waitFor(bodo, 'settings', () => document.getElementById('settings-dialog').open);
    await bodo.uncheck('#set-self-view');
    await bodo.keyboard.press('Escape');
    await env.waitFor(bodo, 'Anke large, asked for big', (id) => {
      const tile = window.plenum.videoPrefs?.tiles?.find((x) => x.id === id && x.source === 'camera');
      return tile && tile.height >= 600;
    }, aid).catch(async (e) => {
      throw new Error(`${e.message}\nBodo asks ${await bodo.evaluate(() => JSON.stringify(window.plenum.videoPrefs))}`);
    });
    const on = await until(anke, 'the full layer back', (l) => l.f && l.f.active !== false, 15000);
    const b1 = on.layers.f.bytes;
    const grown = await until(anke, 'the full layer sent again', (l) => l.f.bytes > b1 + 5000, 15000);
    console.log(`data saver: f back on ${on.ms} ms after the tile grew, sending again after ${on.ms + grown.ms} ms; `
      + `resumes at the server ${await metric('plenum_publish_layer_resumes_total')}`);
  } finally {
    await Promise.all([anke, bodo].map((p) => p.context().close().catch(() => {})));
  }
});

test('--keep-unused-layers: every layer stays on', async () => {
  const keep = await startPlenum('data-saver-keep', { extraArgs: ['--keep-unused-layers'] });
  const saved = env;
  env = keep;
  try {
    const room = 'keep-layers';
    const anke = await keep.open(room, 'Anke');
    await joined(keep, anke);
    const bodo = await keep.open(room, 'Bodo', { viewport: { width: 480, height: 360 } });
    await joined(keep, bodo);
    await sleep(8000);   // past the 3 s after which an unused layer would be paused
    const l = await cameraLayers(anke);
    assert.notEqual(l.f.active, false, JSON.stringify(l));
    assert.equal(await metric('plenum_publish_layer_pauses_total'), 0);
    await Promise.all([anke, bodo].map((p) => p.context().close().catch(() => {})));
  } finally {
    env = saved;
    assert.deepEqual(await keep.stop(), []);
  }
});
