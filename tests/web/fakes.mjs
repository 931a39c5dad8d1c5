// Test doubles for the web client's non-DOM modules: a clock whose time only moves when a test
// says so, a WebSocket the test answers frame by frame, and a PeerConnection good enough to publish.

/** Timers that fire only from advance(ms); random() is fixed so backoff delays are exact. */
export class FakeClock {
  constructor(randomValue = 0.5) {
    this.now = 0;
    this.seq = 1;
    this.timers = new Map();   // id -> {at, fn, every}
    this.randomValue = randomValue;
    this.api = {
      setTimeout: (fn, ms) => this.add(fn, ms, 0),
      clearTimeout: (id) => this.timers.delete(id),
      setInterval: (fn, ms) => this.add(fn, ms, ms),
      clearInterval: (id) => this.timers.delete(id),
      random: () => this.randomValue,
    };
  }

  add(fn, ms, every) {
    const id = this.seq++;
    this.timers.set(id, { at: this.now + Math.max(0, ms || 0), fn, every });
    return id;
  }

  /** Moves time forward, firing due timers in order; awaits promise callbacks in between. */
  async advance(ms) {
    const end = this.now + ms;
    for (;;) {
      let next = null;
      for (const [id, tm] of this.timers) if (tm.at <= end && (!next || tm.at < next[1].at)) next = [id, tm];
      if (!next) break;
      const [id, tm] = next;
      this.now = tm.at;
      if (tm.every) tm.at += tm.every; else this.timers.delete(id);
      tm.fn();
      await flush();
    }
    this.now = end;
    await flush();
  }

  pending() {
    return [...this.timers.values()].map((tm) => tm.at - this.now).sort((a, b) => a - b);
  }
}

/** Lets queued promise callbacks run. */
export async function flush(rounds = 10) {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/**
 * A WebSocket class whose instances are recorded in FakeSocket.made. A test opens them, reads
 * what the client sent (sent: parsed JSON), answers (reply, error, event) and drops them (drop).
 */
export function fakeSocketClass() {
  class FakeSocket {
    constructor(url, protocol) {
      this.url = url;
      this.protocol = protocol;
      this.readyState = 0;
      this.sent = [];
      this.closedByClient = false;
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      FakeSocket.made.push(this);
    }

    send(text) {
      if (this.readyState !== 1) throw new Error('send on a socket that is not open');
      this.sent.push(JSON.parse(text));
    }

    close() {
      this.closedByClient = true;
      this.readyState = 3;
    }

    open() {
      this.readyState = 1;
      this.onopen?.({});
    }

    deliver(msg) {
      this.onmessage?.({ data: typeof msg === 'string' ? msg : JSON.stringify(msg) });
    }

    /** The last request of a method the client sent on this socket. */
    last(method) {
      return [...this.sent].reverse().find((m) => m.method === method);
    }

    reply(req, result = {}) {
      this.deliver({ id: req.id, result });
    }

    fail(req, code, message = code) {
      this.deliver({ id: req.id, error: { code, message } });
    }

    event(name, data = {}) {
      this.deliver({ event: name, data });
    }

    drop() {
      this.readyState = 3;
      this.onclose?.({ code: 1006 });
    }
  }
  FakeSocket.made = [];
  FakeSocket.OPEN = 1;
  return FakeSocket;
}

/** Opens the newest socket and answers its hello; returns the socket. */
export async function connect(Socket, { version = 1 } = {}) {
  const ws = Socket.made[Socket.made.length - 1];
  ws.open();
  await flush();
  const hello = ws.last('hello');
  if (!hello) throw new Error('no hello sent');
  ws.reply(hello, { version, server: 'fake' });
  await flush();
  return ws;
}

/** A PeerConnection with just what Session.publish and its listeners use. */
export function fakePeerConnection() {
  let mid = 0;
  const transceivers = [];
  return {
    signalingState: 'stable',
    connectionState: 'new',
    localDescription: null,
    addTransceiver(trackOrKind, init = {}) {
      const tr = { mid: String(mid++), stopped: false, direction: init.direction, sender: { replaceTrack: async () => {} },
        receiver: { track: { id: `t${mid}`, kind: typeof trackOrKind === 'string' ? trackOrKind : 'audio' } } };
      transceivers.push(tr);
      return tr;
    },
    getTransceivers: () => transceivers,
    addEventListener() {},
    async createOffer() { return { type: 'offer', sdp: 'v=0 fake offer' }; },
    async createAnswer() { return { type: 'answer', sdp: 'v=0 fake answer' }; },
    async setLocalDescription(d) { this.localDescription = d; this.signalingState = d.type === 'offer' ? 'have-local-offer' : 'stable'; },
    async setRemoteDescription() { this.signalingState = 'stable'; },
    close() { this.signalingState = 'closed'; },
  };
}
