// The video codec a publisher sends: VP8 whenever the browser can (every subscriber decodes it,
// recordings take it), else H.264 packetization-mode=1 Constrained Baseline (RFC 6184), which
// iPhones and older phones encode in hardware. The test switch localStorage 'plenum.videoCodec'
// = 'h264' forces H.264 (tests/browser/h264.test.mjs).

export const CODEC_KEY = 'plenum.videoCodec';

export function forcedCodec() {
  try { return localStorage.getItem(CODEC_KEY) === 'h264' ? 'h264' : null; } catch { return null; }
}

const isH264Mode1Baseline = (c) => /^video\/h264$/i.test(c.mimeType) && /packetization-mode=1/.test(c.sdpFmtpLine || '') &&
  /profile-level-id=42/i.test(c.sdpFmtpLine || '');

/**
 * The codec order for a video transceiver's setCodecPreferences, from RTCRtpSender.getCapabilities
 * ('video').codecs: null to keep the browser's own (it offers VP8); H.264 mode 1 Baseline first
 * (Constrained Baseline 42e0.. before 4200..) with RTX when VP8 is missing or H.264 is forced.
 * H.264 only when forced, so the server cannot fall back to VP8. Null when H.264 is missing too.
 */
export function videoCodecOrder(codecs, { force = null } = {}) {
  const list = Array.isArray(codecs) ? codecs : [];
  const vp8 = list.some((c) => /^video\/vp8$/i.test(c.mimeType));
  if (vp8 && force !== 'h264') return null;
  const h264 = list.filter(isH264Mode1Baseline)
    .sort((a, b) => Number(/profile-level-id=42e0/i.test(b.sdpFmtpLine)) - Number(/profile-level-id=42e0/i.test(a.sdpFmtpLine)));
  if (!h264.length) return null;
  const rtx = list.filter((c) => /^video\/rtx$/i.test(c.mimeType));
  const rest = force === 'h264' ? [] : list.filter((c) => !h264.includes(c) && !rtx.includes(c));
  return [...h264, ...rtx, ...rest];
}

/** Applies the order to a video transceiver; returns 'h264' when H.264 was put first, else null. */
export function preferVideoCodec(transceiver, { force = forcedCodec() } = {}) {
  try {
    if (!transceiver?.setCodecPreferences || typeof RTCRtpSender === 'undefined') return null;
    const order = videoCodecOrder(RTCRtpSender.getCapabilities('video')?.codecs, { force });
    if (!order) return null;
    transceiver.setCodecPreferences(order);
    return 'h264';
  } catch (err) {
    console.info('plenum: codec preferences not applied', err && err.name);
    return null;
  }
}
