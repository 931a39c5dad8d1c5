// The page's side of end-to-end encryption: one worker (worker.js) for all frames, a transform
// on every sender of the publish PeerConnection and every receiver of the subscribe one, and what
// the worker counts: whether frames fail to decrypt (a wrong passphrase) and what sealing costs.
//
// Events: 'stats' ({sealed, opened, failed, sealMs, openMs}) once a second while frames flow,
// 'failing' (true|false): frames failed and none opened for FAILING_S seconds in a row, or again not.

import { Emitter } from '../emitter.js';
import { e2eeSupported } from './key.js';

export const FAILING_S = 3;

export class FrameCrypto extends Emitter {
  /** key: the room's CryptoKey (key.js deriveKey); mode: e2eeSupported()'s answer. */
  constructor({ key, mode = e2eeSupported(), workerUrl = new URL('./worker.js', import.meta.url) }) {
    super();
    if (!mode) throw new Error('this browser cannot encrypt frames');
    this.key = key;
    this.mode = mode;
    this.attached = new WeakSet();
    this.badSeconds = 0;
    this.failing = false;
    this.totals = { sealed: 0, opened: 0, failed: 0, sealMs: 0, openMs: 0 };
    this.worker = new Worker(workerUrl, { type: 'module', name: 'plenum-e2ee' });
    this.worker.postMessage({ type: 'key', key });
    this.worker.onmessage = (ev) => this.onStats(ev.data);
  }

  /** What both PeerConnections need (encoded streams must be asked for when they are made). */
  get pcConfig() {
    return this.mode === 'encoded-streams' ? { encodedInsertableStreams: true } : {};
  }

  /** A publish transceiver's sender: its frames leave sealed. */
  sender(sender, kind) {
    this.attach(sender, 'encrypt', kind);
  }

  /** A subscribe transceiver's receiver: its frames are opened, or dropped. */
  receiver(receiver, kind) {
    this.attach(receiver, 'decrypt', kind);
  }

  attach(endpoint, operation, kind) {
    if (!endpoint || this.attached.has(endpoint)) return;
    this.attached.add(endpoint);
    const options = { operation, kind: kind === 'audio' ? 'audio' : 'video', key: this.key };
    if (this.mode === 'script-transform') {
      endpoint.transform = new RTCRtpScriptTransform(this.worker, options);
      return;
    }
    const { readable, writable } = endpoint.createEncodedStreams();
    this.worker.postMessage({ type: 'streams', readable, writable, options }, [readable, writable]);
  }

  onStats(d) {
    if (d?.type === 'error') console.warn('plenum: e2ee transform ended', d.operation, d.kind, d.message);
    if (!d || d.type !== 'stats') return;
    for (const k of Object.keys(this.totals)) this.totals[k] += Number(d[k]) || 0;
    this.emit('stats', d);
    if (d.opened > 0) this.badSeconds = 0;
    else if (d.failed > 0) this.badSeconds++;
    const failing = this.badSeconds >= FAILING_S;
    if (failing !== this.failing) {
      this.failing = failing;
      this.emit('failing', failing);
    }
  }

  close() {
    this.worker.terminate();
  }
}
