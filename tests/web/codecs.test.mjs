// codecs.js: which video codec a publisher prefers (VP8 when it can, else or when forced H.264
// packetization-mode=1 Baseline with RTX), from the capability lists Chromium 156 and Firefox ESR
// 153 report here; and quality.js's downlinkFrom keeps the videos a browser cannot decode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { videoCodecOrder } from '../../web/assets/js/codecs.js';
import { downlinkFrom } from '../../web/assets/js/quality.js';

const c = (mimeType, sdpFmtpLine) => ({ mimeType, clockRate: 90000, sdpFmtpLine });
// RTCRtpSender.getCapabilities('video').codecs of Debian's Chromium 156 (H.264 part as measured)
const CHROMIUM = [
  c('video/VP8'), c('video/rtx'), c('video/VP9', 'profile-id=0'),
  c('video/H264', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f'),
  c('video/H264', 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f'),
  c('video/H264', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f'),
  c('video/H264', 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f'),
  c('video/H264', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f'),
  c('video/AV1'), c('video/red'), c('video/ulpfec'),
];
// Firefox ESR 153 without OpenH264 (none can be fetched here)
const FIREFOX = [c('video/VP8', 'max-fs=12288;max-fr=60'), c('video/rtx'), c('video/VP9', 'max-fs=12288;max-fr=60'),
  c('video/AV1'), c('video/ulpfec'), c('video/red')];

test('VP8 stays the browser default when it is there', () => {
  assert.equal(videoCodecOrder(CHROMIUM), null);
  assert.equal(videoCodecOrder(FIREFOX), null);
});

test('forced H.264: mode 1 Baseline only, Constrained Baseline first, then RTX', () => {
  const order = videoCodecOrder(CHROMIUM, { force: 'h264' });
  assert.deepEqual(order.map((x) => `${x.mimeType} ${x.sdpFmtpLine ?? ''}`.trim()), [
    'video/H264 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    'video/H264 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
    'video/rtx',
  ]);
});

test('no VP8: H.264 first, the rest kept; no H.264 either: nothing to change', () => {
  const noVp8 = CHROMIUM.filter((x) => x.mimeType !== 'video/VP8');
  const order = videoCodecOrder(noVp8);
  assert.equal(order[0].sdpFmtpLine, 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f');
  assert.ok(order.some((x) => x.mimeType === 'video/VP9'));
  assert.equal(videoCodecOrder(FIREFOX, { force: 'h264' }), null);   /* Firefox here: stays VP8 */
  assert.equal(videoCodecOrder(undefined), null);
});

test('downlink: unsupported videos are kept, checked like paused ones', () => {
  const d = downlinkFrom({ quality: 'good', paused: [], unsupported: [
    { participant_id: 3, source: 'camera', codec: 'H264' }, { participant_id: 3, source: 'camera' },
    { participant_id: 'x', source: 'camera' }, { participant_id: 4, source: 'mic' }] });
  assert.deepEqual(d.unsupported, [{ participant_id: 3, source: 'camera' }]);
  assert.deepEqual(downlinkFrom({}).unsupported, []);
});
