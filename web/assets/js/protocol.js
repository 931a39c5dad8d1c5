// plenum signaling client: JSON over WebSocket (protocol v1, subprotocol "plenum.v1").
// Requests by id with promises, pushed events, hello on every (re)connect, reconnect with backoff.
// No DOM here: this module only needs WebSocket and timers.

import { Emitter } from './emitter.js';

const SUBPROTOCOL = 'plenum.v1';
const PROTOCOL_VERSION = 1;
const REQUEST_TIMEOUT_MS = 10000;
const PING_INTERVAL_MS = 20000;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

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
  constructor(url, { client = 'plenum-web' } = {}) {
    super();
    this.url = url;
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
    clearTimeout(this.retryTimer);
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
      ws = new WebSocket(this.url, SUBPROTOCOL);
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
    clearTimeout(p.timer);
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
    clearInterval(this.pingTimer);
    this.pingTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try { ws.close(1000); } catch { /* already closed */ }
    }
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new ProtocolError('disconnected', 'connection closed'));
    }
    this.pending.clear();
    if (wasReady) this.emit('down');
  }

  scheduleRetry() {
    if (this.retryTimer) return;
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    const delayMs = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt += 1;
    this.emit('close', { attempt: this.attempt, delayMs });
    this.retryTimer = setTimeout(() => this.connect(), delayMs);
  }

  startPing() {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
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
    if (!ws || ws.readyState !== WebSocket.OPEN || (!beforeHello && !this.ready)) {
      return Promise.reject(new ProtocolError('disconnected', 'not connected'));
    }
    const id = this.nextId;
    this.nextId = this.nextId >= 0x7fffffff ? 1 : this.nextId + 1;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ProtocolError('timeout', `${method} timed out`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ id, method, params }));
    });
  }
}
