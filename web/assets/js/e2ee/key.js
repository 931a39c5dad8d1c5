// The key of an end-to-end encrypted meeting: derived in the browser from the passphrase that is
// shared out of band (a link's fragment, or typed), with the room's name as salt. It never
// reaches the server. No DOM.

export const PBKDF2_ITERATIONS = 310000;   // OWASP's figure for PBKDF2-HMAC-SHA-256
export const PASSPHRASE_MIN = 8;
export const PASSPHRASE_MAX = 256;
const SALT_PREFIX = 'plenum e2ee v1 ';

/** Why a passphrase is not usable: 'empty', 'short', 'long', or null. */
export function passphraseProblem(p) {
  const s = typeof p === 'string' ? p : '';
  if (!s) return 'empty';
  if (s.length < PASSPHRASE_MIN) return 'short';
  if (s.length > PASSPHRASE_MAX) return 'long';
  return null;
}

/** A non-extractable AES-GCM-128 key for frames (PBKDF2-SHA-256 of passphrase, room as salt). */
export async function deriveKey(passphrase, room, iterations = PBKDF2_ITERATIONS) {
  const enc = new TextEncoder();
  const base = await crypto.subtle.importKey('raw', enc.encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: enc.encode(SALT_PREFIX + room), iterations },
    base, { name: 'AES-GCM', length: 128 }, false, ['encrypt', 'decrypt']);
}

/** A fresh passphrase for a new meeting: 4 groups of 5 letters and digits (about 99 bits). */
export function generatePassphrase(random = (n) => crypto.getRandomValues(new Uint8Array(n))) {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';   // no 0/o, 1/l/i: read aloud, typed by hand
  const out = [];
  while (out.length < 20) {
    for (const b of random(32)) {
      if (b < 248 && out.length < 20) out.push(alphabet[b % 31]);   // 248 = 8 · 31: no bias
    }
  }
  return [0, 5, 10, 15].map((i) => out.slice(i, i + 5).join('')).join('-');
}

/** Whether this browser can encrypt frames: RTCRtpScriptTransform, else encoded streams. */
export function e2eeSupported(g = globalThis) {
  if (typeof g.RTCRtpScriptTransform === 'function') return 'script-transform';
  if (typeof g.RTCRtpSender?.prototype?.createEncodedStreams === 'function' &&
      typeof g.RTCRtpReceiver?.prototype?.createEncodedStreams === 'function') return 'encoded-streams';
  return null;
}

/** The passphrase in a fragment (#…&e2ee=…), or null. */
export function passphraseFromHash(hash) {
  try {
    const v = new URLSearchParams(String(hash || '').replace(/^#/, '')).get('e2ee');
    return v && !passphraseProblem(v) ? v : null;
  } catch {
    return null;
  }
}

/**
 * Reads #e2ee= from the fragment and removes it from the address bar at once (kept in memory
 * only: no screenshot or shared screen shows it), keeping the rest of the fragment. Returns the
 * passphrase, or null when the link carries no usable one.
 */
export function takePassphrase(loc = globalThis.location, hist = globalThis.history) {
  const frag = new URLSearchParams(String(loc?.hash || '').replace(/^#/, ''));
  if (!frag.has('e2ee')) return null;
  const pass = passphraseFromHash(loc.hash);
  frag.delete('e2ee');
  const hash = frag.toString();
  if (hist) hist.replaceState(hist.state ?? null, '', `${loc.pathname}${loc.search || ''}${hash ? `#${hash}` : ''}`);
  return pass;
}
