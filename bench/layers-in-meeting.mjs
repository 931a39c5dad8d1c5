// The web meeting with real browsers in it, for `make bench`: 118 load-generator participants
// (5 simulcast cameras, 1 shared screen, microphones off), Clara in Chromium publishing a simulcast
// camera and the only voice, and Dirk in Chromium watching at 1920×1080 with camera and microphone
// off — 120 people, 6 cameras, 1 screen, as the web meeting scenario. With the screen shared, Dirk's
// client (1920×1080) shows the presentation layout; Dirk scrolls its strip to Clara, a 176×99 px
// thumbnail: the low layer must arrive. Dirk switches to the speaker layout, where Clara, the active speaker, fills the stage: the
// high layer must arrive. Back in the presentation layout: the low layer again. What is checked is
// getStats' frameHeight of Clara's stream in Dirk's subscribe PeerConnection, as a user would see.
//
// Run inside a loopback-only network namespace (bench/run.sh does). Prints one JSON line; exit 0
// when every switch happened, 1 when one did not, 2 when the meeting could not be set up.
// Env: PLENUM_BIN (build/plenum), LOADGEN (build/tools/loadgen), LAYERS_TIMEOUT_MS (30000 per step).
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { startPlenum, joined, ROOT, sleep } from '../tests/browser/lib-plenum.mjs';

const LOADGEN = resolve(ROOT, process.env.LOADGEN || 'build/tools/loadgen');
const STEP_MS = Number(process.env.LAYERS_TIMEOUT_MS || 30000);
const ROOM = 'loadgen-0';   // the load generator's first room
const LOW_MAX = 180;        // Chromium's lowest simulcast layer of a 720p camera
const HIGH_MIN = 540;

const result = { participants: 0, steps: [], ok: false };
let env;
let loadgen;
let claraPage;   // what Clara's browser sends per layer is noted at every step (the data saver)

function finish(code, error) {
  if (error) result.error = String(error.message || error).split('\n').slice(0, 6).join(' | ');
  console.log(JSON.stringify(result));
  process.exitCode = code;
}

/** frameHeight and frames decoded of participant id's camera in page's subscribe PeerConnection. */
function cameraStats(page, id) {
  return page.evaluate(async (pid) => {
    const v = document.querySelector(`.tile[data-participant-id="${pid}"][data-source="camera"] video`);
    const track = v?.srcObject?.getVideoTracks()[0];
    const pc = window.plenum.subscribePc;
    if (!track || !pc) return { height: 0, frames: 0, tile: 0 };
    const tr = pc.getTransceivers().find((x) => x.receiver.track === track);
    let height = 0;
    let frames = 0;
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video' && s.mid === tr?.mid) { height = s.frameHeight || 0; frames = s.framesDecoded || 0; }
    });
    return { height, frames, tile: Math.round(v.clientHeight) };
  }, id);
}

/** Polls until Clara's stream in Dirk's page has a frameHeight that ok() accepts. */
async function untilHeight(dirk, id, name, ok) {
  const t0 = Date.now();
  let last = { height: 0, frames: 0, tile: 0 };
  while (Date.now() - t0 < STEP_MS) {
    last = await cameraStats(dirk, id);
    if (last.frames > 0 && ok(last.height)) break;
    await sleep(250);
  }
  if (process.env.LAYERS_DEBUG) {
    console.error(JSON.stringify(await dirk.evaluate((pid) => ({ n: window.plenum.videoPrefs?.tiles?.length,
      last_n: window.plenum.videoPrefs?.last_n, clara: (window.plenum.videoPrefs?.tiles || []).filter((x) => x.id === pid) }), id)));
    console.error(dirk.consoleLines.filter((l) => /prefs|warn|error/i.test(l)).slice(-5).join('\n'));
  }
  const step = { step: name, frame_height: last.height, tile_height: last.tile, ok: last.frames > 0 && ok(last.height),
    seconds: Math.round((Date.now() - t0) / 100) / 10 };
  if (claraPage) step.publisher_layers = await publisherLayers(claraPage).catch(() => undefined);
  step.server_layers = await serverLayers();
  result.steps.push(step);
  return step.ok;
}

/** What Clara's browser sends per simulcast layer (and why it sends less, if it does). */
function publisherLayers(page) {
  return page.evaluate(async () => {
    const out = [];
    (await window.plenum.publishPc.getStats()).forEach((s) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video') {
        out.push({ rid: s.rid, frameHeight: s.frameHeight || 0, fps: s.framesPerSecond || 0, limited: s.qualityLimitationReason });
      }
    });
    return out.sort((a, b) => a.frameHeight - b.frameHeight);
  });
}

/** The data saver's counters on the server's /metrics (layers off now, pauses and resumes so far). */
async function serverLayers() {
  try {
    const text = await (await fetch(`${env.base}/metrics`)).text();
    const get = (name) => Number((text.match(new RegExp(`^${name} (\\S+)$`, 'm')) || [])[1] ?? NaN);
    return { off: get('plenum_publish_layers_off'), pauses: get('plenum_publish_layer_pauses_total'),
      resumes: get('plenum_publish_layer_resumes_total') };
  } catch {
    return undefined;
  }
}

/** Scrolls the presentation layout's strip to Clara's tile, as Dirk would to see her. */
async function scrollTo(page, id) {
  await page.evaluate((pid) => document.querySelector(`.tile[data-participant-id="${pid}"][data-source="camera"]`)
    ?.scrollIntoView({ block: 'nearest', inline: 'center' }), id);
}

async function setLayout(page, layout) {
  await page.click('#ctl-more');
  await page.check(`input[name="layout"][value="${layout}"]`);
  await page.keyboard.press('Escape');
}

async function main() {
  env = await startPlenum('bench-layers', { extraArgs: ['--log-level', 'warn'] });
  const clara = await env.open(ROOM, 'Clara');
  const claraId = await joined(env, clara);
  claraPage = clara;
  const ws = `${env.base.replace('http', 'ws')}/ws`;
  loadgen = spawn(LOADGEN, ['--server', 'plenum', '--url', ws, '--participants', '118', '--cameras', '5', '--screens', '1',
    '--speakers', '0', '--camera-tile', '99', '--duration', '600', '--setup-timeout', '60'],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  let lgErr = '';
  loadgen.stderr.on('data', (d) => { lgErr = (lgErr + d).slice(-2000); });
  loadgen.stdout.on('data', (d) => { lgErr = (lgErr + d).slice(-2000); });
  const dirk = await env.open(ROOM, 'Dirk', { viewport: { width: 1920, height: 1080 } });
  await joined(env, dirk);
  // A listener: camera and microphone off.
  await dirk.click('#ctl-cam');
  await dirk.click('#ctl-mic');
  try {
    await env.waitFor(dirk, '120 participants and the shared screen', () => window.plenum.participants.size >= 119
      && document.querySelector('.tile[data-source="screen"]') !== null, null, 90000);
  } catch (e) {
    const seen = await dirk.evaluate(() => ({ participants: window.plenum.participants.size,
      screens: document.querySelectorAll('.tile[data-source="screen"]').length,
      cameras: document.querySelectorAll('.tile[data-source="camera"]').length }));
    throw new Error(`${JSON.stringify(seen)}; loadgen: ${lgErr.slice(-600)}; ${e.message}`);
  }
  result.participants = await dirk.evaluate(() => window.plenum.participants.size + 1);
  if (loadgen.exitCode !== null) throw new Error(`loadgen exited ${loadgen.exitCode}: ${lgErr}`);

  result.publisher_layers = await publisherLayers(clara);
  await scrollTo(dirk, claraId);
  const thumb = await untilHeight(dirk, claraId, 'presentation: Clara as a thumbnail', (h) => h > 0 && h <= LOW_MAX);
  await setLayout(dirk, 'speaker');
  try {
    await env.waitFor(dirk, 'Clara in focus', (id) => document.querySelector('.tile--focus')?.dataset.participantId === String(id),
      claraId, STEP_MS);
  } catch (e) {
    const seen = await dirk.evaluate(() => ({ speaker: window.plenum.activeSpeaker,
      focus: document.querySelector('.tile--focus')?.dataset.participantId }));
    throw new Error(`Clara (${claraId}) not in focus: ${JSON.stringify(seen)}`);
  }
  const large = await untilHeight(dirk, claraId, 'speaker: Clara fills the stage', (h) => h >= HIGH_MIN);
  await setLayout(dirk, 'auto');
  await scrollTo(dirk, claraId);
  const back = await untilHeight(dirk, claraId, 'presentation again: a thumbnail', (h) => h > 0 && h <= LOW_MAX);
  result.ok = thumb && large && back;
  return result.ok ? 0 : 1;
}

let code = 2;
try {
  code = await main();
  finish(code);
} catch (e) {
  finish(code, e);
} finally {
  if (loadgen && loadgen.exitCode === null) loadgen.kill('SIGINT');
  await sleep(500);
  if (loadgen && loadgen.exitCode === null) loadgen.kill('SIGKILL');
  const problems = env ? await env.stop() : [];
  if (problems.length) {
    console.error(`layers-in-meeting: ${problems.join('; ')}`);
    if (!process.exitCode) process.exitCode = 1;
  }
}
