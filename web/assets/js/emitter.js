// A small event emitter shared by the non-DOM modules (session, signaling glue).

export class Emitter {
  constructor() {
    this.listeners = new Map();
  }

  on(name, fn) {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    this.listeners.get(name).add(fn);
    return () => this.listeners.get(name)?.delete(fn);
  }

  emit(name, ...args) {
    for (const fn of this.listeners.get(name) || []) {
      try { fn(...args); } catch (err) { console.error('plenum: listener for', name, 'failed', err); }
    }
  }
}
