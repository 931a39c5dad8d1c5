// capture: plenum's SDP as the running server writes it, and whether Chromium and Firefox ESR take it.
// Starts the real server (PLENUM_BIN, default build/plenum) and, in each browser, on the server's own
// page: joins a room per scenario over the signaling protocol, publishes the browser's offer, applies
// the server's answer; then answers the server's subscribe offer for a second participant. The
// offers, answers and results land in tests/vectors/sdp/ (test_sdp compares them with what the
// current code generates). With --check nothing is written: the run only tells whether both
// browsers still take what the server writes now. Run inside scripts/netns.sh; see capture.sh.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, OUT, startPlenum } from '../../../browser/lib-plenum.mjs';
import { firefoxInstalled, launchFirefox } from '../../../browser/lib-firefox.mjs';

const CHECK = process.argv.includes('--check');
const VEC = CHECK ? mkdtempSync(join(tmpdir(), 'plenum-sdp-check-')) : join(ROOT, 'tests', 'vectors', 'sdp');

// Runs in the page (its source is sent to the browser, so it uses nothing from outside).
async function scenarios(arg) {
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
  async function connect() {
    const ws = new WebSocket(url, 'plenum.v1');
    const pending = new Map(), waiters = [], events = [];
    let next = 1;
    ws.onmessage = (m) => {
      const msg = JSON.parse(m.data);
      if (msg.event) {
        events.push(msg);
        for (const w of waiters.splice(0)) w();
        return;
      }
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.error) p.rej(new Error(`${msg.error.code}: ${msg.error.message}`));
      else p.res(msg.result);
    };
    await new Promise((res, rej) => { ws.onopen = res; ws.onerror = () => rej(new Error('websocket failed')); });
    const c = {
      req(method, params) {
        const id = next++;
        ws.send(JSON.stringify({ id, method, params }));
        return new Promise((res, rej) => pending.set(id, { res, rej }));
      },
      async event(name) {
        for (;;) {
          const e = events.find((x) => x.event === name);
          if (e) return e.data;
          await new Promise((res) => waiters.push(res));
        }
      },
      close() { ws.close(); },
    };
    await c.req('hello', { version: 1, client: 'sdp-capture' });
    return c;
  }
  const b = arg.browser, files = {}, results = [];
  async function session(room, name) {
    const c = await connect();
    await c.req('join', { room, name });
    return c;
  }
  async function publish(name, setup, config) {
    const c = await session(`cap-${b}-${name}`, 'Capture');
    const pc = new RTCPeerConnection(Object.assign({ iceServers: [] }, config || {}));
    try {
      await setup(pc);
      const offer = await pc.createOffer();
      files[`offer-${name}.sdp`] = offer.sdp;
      await pc.setLocalDescription(offer);
      const { sdp } = await c.req('publish', { sdp: offer.sdp });
      files[`publish-answer-${name}.sdp`] = sdp;
      await pc.setRemoteDescription({ type: 'answer', sdp });
      const dirs = pc.getTransceivers().map((t) => t.mid + ':' + t.currentDirection).join(' ');
      results.push(`publish ${name}: accepted (${dirs})`);
    } catch (e) {
      results.push(`publish ${name}: ERROR ${e.name}: ${e.message}`);
    }
    pc.close();
    c.close();
  }
  const sendonly = (pc) => {
    pc.addTransceiver('audio', { direction: 'sendonly' });
    pc.addTransceiver('video', { direction: 'sendonly' });
  };
  const camera = async (pc) => {
    const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    for (const t of s.getTracks()) pc.addTransceiver(t, { direction: 'sendonly', streams: [s] });
  };
  await publish('transceivers', sendonly);
  await publish('gum', camera);
  await publish('datachannel', async (pc) => { sendonly(pc); pc.createDataChannel('chat'); });
  await publish('datachannel-first', async (pc) => { pc.createDataChannel('chat'); sendonly(pc); });
  await publish('maxbundle', sendonly, { bundlePolicy: 'max-bundle' });
  const simulcast = (pc) => {
    pc.addTransceiver('audio', { direction: 'sendonly' });
    return pc.addTransceiver('video', { direction: 'sendonly', sendEncodings: [
      { rid: 'q', scaleResolutionDownBy: 4 }, { rid: 'h', scaleResolutionDownBy: 2 }, { rid: 'f' }] });
  };
  await publish('simulcast', simulcast);
  // H.264 only (the web client's plenum.videoCodec = 'h264'): mode 1 Baseline and RTX preferred
  const h264 = RTCRtpSender.getCapabilities('video').codecs.filter((k) => /^video\/h264$/i.test(k.mimeType) &&
    /packetization-mode=1/.test(k.sdpFmtpLine) && /profile-level-id=42/.test(k.sdpFmtpLine));
  const rtx = RTCRtpSender.getCapabilities('video').codecs.filter((k) => /^video\/rtx$/i.test(k.mimeType));
  const preferH264 = (tr) => tr.setCodecPreferences([...h264, ...rtx]);
  if (h264.length) await publish('h264-simulcast', async (pc) => preferH264(simulcast(pc)));
  else results.push('publish h264-simulcast: skipped (no H.264 in RTCRtpSender.getCapabilities)');

  // subscribe: a publisher with camera and microphone, then a viewer who answers the server's offer
  // `given`: another browser's publish offer, only signalled (no media is needed for the SDP)
  async function subscribe(name, prefer, given) {
    const room = `cap-${b}-${name}`;
    const pubc = await session(room, 'Publisher');
    const pub = new RTCPeerConnection({ iceServers: [] });
    let sub = null, subc = null;
    try {
      if (given) {
        await pubc.req('publish', { sdp: given });
      } else {
        await camera(pub);
        if (prefer) prefer(pub.getTransceivers()[1]);
        const offer = await pub.createOffer();
        files[`${name}-publisher-offer.sdp`] = offer.sdp;
        await pub.setLocalDescription(offer);
        const { sdp } = await pubc.req('publish', { sdp: offer.sdp });
        await pub.setRemoteDescription({ type: 'answer', sdp });
      }
      subc = await session(room, 'Viewer');
      const so = await subc.event('subscribe_offer');
      files[`${name}-offer.sdp`] = so.sdp;
      sub = new RTCPeerConnection({ iceServers: [] });
      await sub.setRemoteDescription({ type: 'offer', sdp: so.sdp });
      const answer = await sub.createAnswer();
      files[`${name}-answer.sdp`] = answer.sdp;
      await sub.setLocalDescription(answer);
      await subc.req('subscribe_answer', { version: so.version, sdp: answer.sdp });   /* the server's check */
      const kinds = sub.getTransceivers().map((t) => t.mid + ':' + t.receiver.track.kind + ':' + t.currentDirection).join(' ');
      results.push(`${name}: accepted (${kinds})`);
    } catch (e) {
      results.push(`${name}: ERROR ${e.name}: ${e.message}`);
    }
    pub.close();
    if (sub) sub.close();
    pubc.close();
    if (subc) subc.close();
  }
  await subscribe('subscribe');
  // without H.264 of its own, the browser answers an offer of Chromium's H.264 video (it refuses it)
  if (h264.length) await subscribe('subscribe-h264', preferH264);
  else if (arg.h264PublisherOffer) await subscribe('subscribe-h264', null, arg.h264PublisherOffer);
  else results.push('subscribe-h264: skipped (no H.264 in RTCRtpSender.getCapabilities)');
  results.push('userAgent: ' + navigator.userAgent);
  return { files, results };
}

// Starts `scenarios` in the page without waiting (a BiDi call must answer within seconds).
const start = `(arg) => { window.__capture = null; (${scenarios})(arg).then((r) => { window.__capture = r; },
  (e) => { window.__capture = { fatal: String(e && e.stack || e) }; }); return true; }`;

function store(browser, got) {
  if (!got || got.fatal) throw new Error(`${browser}: ${got ? got.fatal : 'no result'}`);
  for (const [name, text] of Object.entries(got.files)) writeFileSync(join(VEC, `${browser}-${name}`), text);
  writeFileSync(join(VEC, `${browser}-results.txt`), got.results.join('\n') + '\n');
  console.log(`${browser}:\n  ${got.results.join('\n  ')}`);
  return got.results.some((r) => r.includes('ERROR')) ? 1 : 0;
}

const env = await startPlenum('sdp-capture', { extraArgs: ['--workers', '0'] });
let failed = 0;
try {
  const page = await env.browser.newPage();
  await page.goto(`${env.base}/`);
  await page.evaluate(`(${start})(${JSON.stringify({ browser: 'chromium' })})`);
  await page.waitForFunction(() => window.__capture, null, { timeout: 120000, polling: 200 });
  failed += store('chromium', await page.evaluate(() => window.__capture));

  if (firefoxInstalled()) {
    mkdirSync(join(OUT, 'browser'), { recursive: true });
    const ff = await launchFirefox(`${env.base}/`, { logPath: join(OUT, 'browser', 'sdp-capture-firefox.log') });
    try {
      await ff.bidi.waitFor('page loaded', () => document.readyState === 'complete');
      const h264PublisherOffer = readFileSync(join(VEC, 'chromium-subscribe-h264-publisher-offer.sdp'), 'utf8');
      await ff.bidi.evaluate(start, { browser: 'firefox', h264PublisherOffer });
      failed += store('firefox', await ff.bidi.waitFor('capture', () => window.__capture, null, 120000));
    } finally {
      await ff.stop();
    }
  } else {
    console.log('firefox-esr not installed: its vectors are left as they are');
  }
} finally {
  const problems = await env.stop();
  if (problems.length) {
    console.log(`server: ${problems.join('; ')}`);
    failed++;
  }
  if (CHECK) rmSync(VEC, { recursive: true, force: true });
}
console.log(failed ? 'capture: FAILED' : CHECK ? 'capture: both browsers take the SDP the server writes now'
  : `capture: vectors written to ${VEC}`);
process.exit(failed ? 1 : 0);
