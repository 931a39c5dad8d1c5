// H.264 beside VP8 (RFC 6184, packetization-mode=1): a Chromium publisher forced to H.264
// (localStorage plenum.videoCodec = 'h264': setCodecPreferences with H.264 and RTX only, three
// simulcast layers) is decoded by other Chromiums as H.264, each getting the layer its tile takes
// and switching layers when the tile grows; Firefox ESR, which has no H.264 here (no OpenH264:
// RTCRtpReceiver.getCapabilities lists VP8, VP9, AV1 only), refuses that video and is told so
// (downlink.unsupported), while it still gets the audio and a VP8 publisher's video.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPlenum, joined, sleep, until, closePages, OUT } from './lib-plenum.mjs';
import { FIREFOX, firefoxInstalled, withFirefox } from './lib-firefox.mjs';

const FORCE_H264 = () => localStorage.setItem('plenum.videoCodec', 'h264');
const WAIT = 25000;   // ms for media to flow (a busy machine starts encoders slowly)

// What the page receives of participant `id`'s camera: frames decoded, frame height, codec (from
// the inbound-rtp's codec stats), audio packets of the subscribe PeerConnection. Runs in both
// browsers (the same web client).
async function videoOf(id) {
  const pc = window.plenum.subscribePc;
  const video = document.querySelector(`.tile[data-participant-id="${id}"][data-source="camera"] video`);
  const track = video && video.srcObject ? video.srcObject.getVideoTracks()[0] : null;
  const out = { framesDecoded: 0, frameHeight: 0, codec: null, audioPackets: 0, tileTrack: !!track,
    unsupported: [...(window.plenum.unsupportedVideos || [])] };
  if (!pc) return out;
  for (const tr of pc.getTransceivers()) {
    const r = tr.receiver;
    const mine = r.track.kind === 'audio' || (track && r.track.id === track.id);
    if (!mine) continue;
    const stats = await r.getStats();
    stats.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'audio') { out.audioPackets += s.packetsReceived || 0; return; }
      out.framesDecoded += s.framesDecoded || 0;
      out.frameHeight = Math.max(out.frameHeight, s.frameHeight || 0);
      const c = s.codecId && stats.get(s.codecId);
      if (c) out.codec = c.mimeType;
    });
  }
  return out;
}

// The publisher's own camera encodings: codec and, per rid, frame height and frames encoded.
async function sentCamera() {
  const pc = window.plenum.publishPc;
  const out = { codec: null, layers: {} };
  for (const tr of pc.getTransceivers()) {
    if (tr.receiver.track.kind !== 'video' || !tr.sender.track) continue;
    const stats = await tr.sender.getStats();
    stats.forEach((s) => {
      if (s.type !== 'outbound-rtp') return;
      out.layers[s.rid || '-'] = { height: s.frameHeight || 0, frames: s.framesEncoded || 0 };
      const c = s.codecId && stats.get(s.codecId);
      if (c) out.codec = c.mimeType;
    });
    break;
  }
  return out;
}

test('Chromium publishes H.264 only: other Chromiums decode it, each at its tile\'s layer', { timeout: 120000 }, async (t) => {
  const env = await startPlenum('h264');
  try {
    const room = 'h264-meeting';
    const anke = await env.open(room, 'Anke', { init: FORCE_H264 });
    const ankeId = await joined(env, anke);
    const sent = await until('Anke encodes H.264', () => anke.evaluate(sentCamera),
      (s) => s.codec === 'video/H264' && Object.values(s.layers).some((l) => l.frames > 10), WAIT);
    assert.equal(await anke.evaluate(() => window.plenum.videoCodec), 'h264');
    t.diagnostic(`Anke sends ${JSON.stringify(sent)}`);

    // Bodo alone with Anke in a large window: her tile takes a higher layer than the lowest
    const flowing = (x) => x.tileTrack && x.codec === 'video/H264' && x.framesDecoded > 20 && x.audioPackets > 10;
    const bodo = await env.open(room, 'Bodo', { viewport: { width: 1280, height: 720 } });
    await joined(env, bodo);
    const b = await until('Bodo decodes Anke\'s H.264 above the lowest layer', () => bodo.evaluate(videoOf, ankeId),
      (x) => flowing(x) && x.frameHeight > 180, 30000);
    await sleep(2000);
    const b2 = await bodo.evaluate(videoOf, ankeId);
    assert.ok(b2.framesDecoded > b.framesDecoded + 20, `Bodo keeps decoding ${JSON.stringify([b, b2])}`);
    t.diagnostic(`Bodo (1280x720): ${b2.frameHeight} lines`);
    await closePages(bodo);

    // Cem in a small window gets the lowest layer; his window grows and the server switches him
    // up at a keyframe of the larger layer
    const cem = await env.open(room, 'Cem', { viewport: { width: 400, height: 300 } });
    await joined(env, cem);
    const c = await until('Cem decodes Anke\'s H.264 at the lowest layer', () => cem.evaluate(videoOf, ankeId),
      (x) => flowing(x) && x.frameHeight > 0 && x.frameHeight <= 180, WAIT);
    t.diagnostic(`Cem (400x300): ${c.frameHeight} lines`);
    await cem.setViewportSize({ width: 1280, height: 720 });
    const up = await until('Cem switched up', () => cem.evaluate(videoOf, ankeId),
      (x) => x.frameHeight > c.frameHeight && x.framesDecoded > c.framesDecoded + 10, 30000);
    await sleep(1000);
    const up2 = await cem.evaluate(videoOf, ankeId);
    assert.ok(up2.framesDecoded > up.framesDecoded + 5 && up2.codec === 'video/H264', `Cem keeps decoding ${JSON.stringify([up, up2])}`);
    t.diagnostic(`Cem after growing (1280x720): ${up2.frameHeight} lines`);
    await anke.screenshot({ path: join(OUT, 'browser', 'h264-publisher.png') });
    await cem.screenshot({ path: join(OUT, 'browser', 'h264-in-chromium.png') });
    await closePages(anke, cem);
  } finally {
    const problems = await env.stop();
    assert.deepEqual(problems, [], `server: ${problems.join('; ')}\n${env.logTail()}`);
  }
});

test('Firefox ESR without H.264 refuses the H.264 video, is told, and keeps audio and VP8 video', { timeout: 120000 }, async (t) => {
  if (!firefoxInstalled()) {
    t.skip(`${FIREFOX} not installed (Debian package firefox-esr)`);
    return;
  }
  const env = await startPlenum('h264-firefox');
  await withFirefox(env, async (launch) => {
    const room = 'h264-firefox';
    const anke = await env.open(room, 'Anke', { init: FORCE_H264 });
    const ankeId = await joined(env, anke);
    const vera = await env.open(room, 'Vera');   // VP8, the default
    const veraId = await joined(env, vera);
    const ff = await launch(`${env.base}/${room}?name=Fuchs&lang=en`, { logPath: join(OUT, 'browser', 'h264-firefox.log') });
    await ff.bidi.waitFor('pre-join ready', () => window.plenum && window.plenum.state === 'prejoin');
    const caps = await ff.bidi.evaluate(() => RTCRtpReceiver.getCapabilities('video').codecs.map((c) => c.mimeType).join(' '));
    t.diagnostic(`Firefox receives: ${caps}`);
    if (/H264/i.test(caps)) {
      t.skip('this Firefox has H.264 (OpenH264 installed): the refusal cannot be shown');
      return;
    }
    await ff.bidi.evaluate(() => { document.getElementById('join-button').click(); return true; });
    await ff.bidi.waitFor('joined', () => window.plenum && window.plenum.state === 'joined');
    const key = `${ankeId}:camera`;
    const told = await until('Firefox told that Anke\'s video is H.264', () => ff.bidi.evaluate(videoOf, ankeId),
      (x) => x.unsupported.includes(key) && x.audioPackets > 25, WAIT);
    assert.equal(told.framesDecoded, 0, `no H.264 frames in Firefox ${JSON.stringify(told)}`);
    const vp8 = await until('Firefox decodes Vera\'s VP8', () => ff.bidi.evaluate(videoOf, veraId),
      (x) => x.framesDecoded > 20 && x.codec === 'video/VP8', WAIT);
    t.diagnostic(`Firefox: Anke ${JSON.stringify(told)}; Vera ${JSON.stringify(vp8)}`);
    // a later offer (Wim joins) keeps Anke's m-line rejected; Firefox takes it and decodes Wim
    const wim = await env.open(room, 'Wim');
    const wimId = await joined(env, wim);
    await until('Firefox decodes Wim\'s VP8 after the renegotiation', () => ff.bidi.evaluate(videoOf, wimId),
      (x) => x.framesDecoded > 20 && x.codec === 'video/VP8', WAIT);
    const still = await ff.bidi.evaluate(videoOf, ankeId);
    assert.ok(still.unsupported.includes(key) && still.framesDecoded === 0, `Anke's video stays refused ${JSON.stringify(still)}`);
    // the other Chromium still decodes Anke's H.264; the server logged the refusal
    await until('Vera decodes Anke\'s H.264', () => vera.evaluate(videoOf, ankeId),
      (x) => x.codec === 'video/H264' && x.framesDecoded > 20, WAIT);
    assert.match(readFileSync(env.logPath, 'utf8'), /cannot decode H\.264/);
    await closePages(anke, vera, wim);
  });
});
