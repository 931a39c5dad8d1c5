// plenum signaling client: JSON over WebSocket (protocol v1, subprotocol "plenum.v1").
// Requests by id with promises, pushed events, hello on every (re)connect, reconnect with backoff.
// No DOM here: WebSocket and timers are passed in (browser globals by default), so node's tests
// drive it with a fake socket and a fake clock.

import { Emitter } from './emitter.js';

const SUBPROTOCOL = 'plenum.v1';
const PROTOCOL_VERSION = 1;
const REQUEST_TIMEOUT_MS = 10000;
const PING_INTERVAL_MS = 20000;
export const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];
export { REQUEST_TIMEOUT_MS, PING_INTERVAL_MS };
const OPEN = 1;                  // WebSocket.OPEN

/** Browser timers and randomness; tests pass their own clock with the same four functions. */
const SYSTEM_CLOCK = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (t) => globalThis.clearTimeout(t),
  setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
  clearInterval: (t) => globalThis.clearInterval(t),
  random: () => Math.random(),
};

/** An error answered by the server ({code, message}) or raised locally (code "disconnected", "timeout"). */
export class ProtocolError extends Error {
  constructor(code, message) {
    super(message || code);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

/** The default URL: same origin, path /ws, ws: or wss: following the page. */
export function defaultUrl(loc = globalThis.location) {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/ws`;
}

/**
 * One signaling connection that keeps itself open until close() is called.
 * Listeners: on('open', fn(helloResult)), on('close', fn({attempt, delayMs})),
 * on('event', fn(name, data)), and on(<event name>, fn(data)) for each server event.
 */
export class SignalingClient extends Emitter {
  /** Options: client (name sent in hello), WebSocket (constructor), clock (timers, random). */
  constructor(url, { client = 'plenum-web', WebSocket: Socket = globalThis.WebSocket, clock = SYSTEM_CLOCK } = {}) {
    super();
    this.url = url;
    this.Socket = Socket;
    this.clock = { ...SYSTEM_CLOCK, ...clock };
    this.clientName = client;
    this.ws = null;
    this.ready = false;          // hello answered on the current socket
    this.nextId = 1;
    this.pending = new Map();    // id -> {resolve, reject, timer}
    this.wanted = false;         // whether we should stay connected
    this.attempt = 0;
    this.retryTimer = null;
    this.pingTimer = null;
  }

  /** Starts connecting (and reconnecting after drops) until close(). */
  open() {
    if (this.wanted) return;
    this.wanted = true;
    this.attempt = 0;
    this.connect();
  }

  /** Closes for good: no reconnect, pending requests fail with "disconnected". */
  close() {
    this.wanted = false;
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.teardown();
  }

  /** Drops the current socket and reconnects (used when the server stops answering). */
  reconnectNow() {
    if (!this.wanted) return;
    this.teardown();
    this.scheduleRetry();
  }

  connect() {
    this.retryTimer = null;
    let ws;
    try {
      ws = new this.Socket(this.url, SUBPROTOCOL);
    } catch (err) {
      console.error('plenum: cannot create WebSocket', err);
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => this.onSocketOpen(ws);
    ws.onmessage = (ev) => this.onSocketMessage(ws, ev);
    ws.onclose = () => this.onSocketClose(ws);
    ws.onerror = () => { /* a close event follows */ };
  }

  async onSocketOpen(ws) {
    if (ws !== this.ws) return;
    try {
      const result = await this.send('hello', { version: PROTOCOL_VERSION, client: this.clientName }, true);
      if (ws !== this.ws) return;
      this.ready = true;
      this.attempt = 0;
      this.startPing();
      this.emit('open', result);
    } catch (err) {
      if (ws !== this.ws) return;
      console.error('plenum: hello failed', err);
      this.emit('fatal', err);
      if (err.code === 'unsupported_version') this.close();
      else this.reconnectNow();
    }
  }

  onSocketMessage(ws, ev) {
    if (ws !== this.ws) return;
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      console.warn('plenum: unparsable message from server');
      return;
    }
    if (msg && typeof msg.event === 'string') {
      this.emit('event', msg.event, msg.data || {});
      this.emit(msg.event, msg.data || {});
      return;
    }
    if (msg && msg.id === null && msg.error) {
      console.warn('plenum: server rejected a message:', msg.error.code, msg.error.message);
      return;
    }
    const p = msg && this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    this.clock.clearTimeout(p.timer);
    if (msg.error) p.reject(new ProtocolError(msg.error.code, msg.error.message));
    else p.resolve(msg.result || {});
  }

  onSocketClose(ws) {
    if (ws !== this.ws) return;
    this.teardown();
    if (this.wanted) this.scheduleRetry();
  }

  teardown() {
    const wasReady = this.ready;
    this.ready = false;
    this.clock.clearInterval(this.pingTimer);
    this.pingTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try { ws.close(1000); } catch { /* already closed */ }
    }
    for (const [, p] of this.pending) {
      this.clock.clearTimeout(p.timer);
      p.reject(new ProtocolError('disconnected', 'connection closed'));
    }
    this.pending.clear();
    if (wasReady) this.emit('down');
  }

  scheduleRetry() {
    if (this.retryTimer) return;
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    const delayMs = Math.round(base * (0.8 + this.clock.random() * 0.4));
    this.attempt += 1;
    this.emit('close', { attempt: this.attempt, delayMs });
    this.retryTimer = this.clock.setTimeout(() => this.connect(), delayMs);
  }

  startPing() {
    this.clock.clearInterval(this.pingTimer);
    this.pingTimer = this.clock.setInterval(() => {
      this.request('ping').catch((err) => {
        if (err.code === 'timeout') this.reconnectNow();
      });
    }, PING_INTERVAL_MS);
  }

  /** Sends a request once the connection is ready; resolves with result, rejects with ProtocolError. */
  request(method, params = {}) {
    if (!this.ready) return Promise.reject(new ProtocolError('disconnected', 'not connected'));
    return this.send(method, params, false);
  }

  send(method, params, beforeHello) {
    const ws = this.ws;
    if (!ws || ws.readyState !== OPEN || (!beforeHello && !this.ready)) {
      return Promise.reject(new ProtocolError('disconnected', 'not connected'));
    }
    const id = this.nextId;
    this.nextId = this.nextId >= 0x7fffffff ? 1 : this.nextId + 1;
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(id);
        reject(new ProtocolError('timeout', `${method} timed out`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ id, method, params }));
    });
  }
}
