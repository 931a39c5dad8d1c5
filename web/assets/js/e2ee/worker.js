// The worker of end-to-end encrypted meetings: every sending and receiving track's encoded frames
// pass through here (RTCRtpScriptTransform, or streams posted from createEncodedStreams) and are
// sealed or opened with the room's key (frame.js). Frames that fail are dropped, never decoded.
// Once a second the page hears the counts: {type: 'stats', sealed, opened, failed, sealMs, openMs};
// a broken pipe as {type: 'error', operation, kind, message}.

import { clearBytes, ivSource, openFrame, sealFrame } from './frame.js';

let roomKey = null;
const counts = { sealed: 0, opened: 0, failed: 0, sealMs: 0, openMs: 0 };

function transformer({ operation, kind, key }) {
  const nextIv = operation === 'encrypt' ? ivSource() : null;
  return new TransformStream({
    async transform(frame, controller) {
      const k = key || roomKey;
      if (!k) return;   // no key yet: nothing leaves in the clear, nothing unchecked is shown
      if (frame.data.byteLength === 0) {
        controller.enqueue(frame);
        return;
      }
      const clear = clearBytes(kind, kind === 'video' ? frame.type : undefined);
      const t0 = performance.now();
      if (operation === 'encrypt') {
        frame.data = await sealFrame(k, frame.data, clear, nextIv);
        counts.sealed++;
        counts.sealMs += performance.now() - t0;
        controller.enqueue(frame);
        return;
      }
      const plain = await openFrame(k, frame.data, clear);
      counts.openMs += performance.now() - t0;
      if (!plain) {
        counts.failed++;
        return;
      }
      frame.data = plain;
      counts.opened++;
      controller.enqueue(frame);
    },
  });
}

function run(readable, writable, options) {
  if (!options || (options.operation !== 'encrypt' && options.operation !== 'decrypt')) return;
  readable.pipeThrough(transformer(options)).pipeTo(writable).catch((err) => {
    // the PeerConnection closed (nothing to say), or the browser broke the pipe: the page logs it
    self.postMessage({ type: 'error', operation: options.operation, kind: options.kind, message: String(err?.message || err) });
  });
}

self.onrtctransform = (ev) => run(ev.transformer.readable, ev.transformer.writable, ev.transformer.options);

self.onmessage = (ev) => {
  const d = ev.data || {};
  if (d.type === 'key') roomKey = d.key;
  else if (d.type === 'streams') run(d.readable, d.writable, d.options);
};

setInterval(() => {
  if (!counts.sealed && !counts.opened && !counts.failed) return;
  self.postMessage({ type: 'stats', ...counts });
  Object.assign(counts, { sealed: 0, opened: 0, failed: 0, sealMs: 0, openMs: 0 });
}, 1000);
