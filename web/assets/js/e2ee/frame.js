// Frame encryption of end-to-end encrypted meetings, in the spirit of SFrame (RFC 9605): AES-GCM
// per encoded frame with the room's key. No DOM, no WebRTC: the worker and node's tests use it.
//
// A frame leaves as  [clear header][ciphertext ‖ GCM tag (16)][IV (12)][key id (1)].
// The clear header is what the server reads: the VP8 payload header (10 bytes of a keyframe,
// 3 of a delta frame) and Opus's TOC byte (1); it is the GCM additional data, so nobody can change
// it unnoticed. The IV is 8 random bytes of the sending transform and a 32-bit frame counter:
// IVs of many senders under one shared key do not repeat.

export const TAG_BYTES = 16;
export const IV_BYTES = 12;
export const TRAILER_BYTES = IV_BYTES + 1;
export const KEY_ID = 1;             // one passphrase key per room; no rotation yet

/** Bytes left in the clear: 'key' | 'delta' video frames (VP8), else audio (Opus). */
export function clearBytes(kind, type) {
  if (kind === 'video') return type === 'key' ? 10 : 3;
  return 1;
}

/** An IV source of one sending transform: a random prefix, then a counter. */
export function ivSource(random = (n) => crypto.getRandomValues(new Uint8Array(n))) {
  const prefix = random(8);
  let counter = 0;
  return () => {
    const iv = new Uint8Array(IV_BYTES);
    iv.set(prefix, 0);
    new DataView(iv.buffer).setUint32(8, counter);
    counter = (counter + 1) >>> 0;
    if (counter === 0) prefix.set(random(8));   // 2^32 frames: a fresh prefix, never a repeat
    return iv;
  };
}

/** Encrypts one frame's data (ArrayBuffer); resolves to the ArrayBuffer to send. */
export async function sealFrame(key, data, clear, nextIv) {
  const bytes = new Uint8Array(data);
  const n = Math.min(clear, bytes.length);
  const header = bytes.subarray(0, n);
  const iv = nextIv();
  const sealed = new Uint8Array(await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: header, tagLength: TAG_BYTES * 8 }, key, bytes.subarray(n)));
  const out = new Uint8Array(n + sealed.length + TRAILER_BYTES);
  out.set(header, 0);
  out.set(sealed, n);
  out.set(iv, n + sealed.length);
  out[out.length - 1] = KEY_ID;
  return out.buffer;
}

/**
 * Decrypts one received frame (ArrayBuffer); resolves to the plain ArrayBuffer, or null when it
 * is no frame of ours or fails authentication (wrong key, changed bytes): it must be dropped.
 */
export async function openFrame(key, data, clear) {
  const bytes = new Uint8Array(data);
  const n = Math.min(clear, bytes.length - TRAILER_BYTES - TAG_BYTES);
  if (n < 0 || bytes[bytes.length - 1] !== KEY_ID) return null;
  const end = bytes.length - TRAILER_BYTES;
  const iv = bytes.slice(end, end + IV_BYTES);
  const header = bytes.subarray(0, n);
  try {
    const plain = new Uint8Array(await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv, additionalData: header, tagLength: TAG_BYTES * 8 }, key, bytes.subarray(n, end)));
    const out = new Uint8Array(n + plain.length);
    out.set(header, 0);
    out.set(plain, n);
    return out.buffer;
  } catch {
    return null;
  }
}
