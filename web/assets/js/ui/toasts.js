// Toasts (short notices, optionally with one action) and the polite live region for joins/leaves.

import { icon } from './icons.js';

const KIND_ICON = { info: 'info', ok: 'check', warn: 'warn', error: 'warn' };

export class Toasts {
  constructor(container, announcer) {
    this.container = container;
    this.announcer = announcer;
    this.byKey = new Map();
  }

  /**
   * Shows a notice. Options: kind (info|ok|warn|error), timeoutMs (0 = stays), key (a later
   * toast with the same key replaces it), action {label, run}. Returns a dismiss function.
   */
  show(text, { kind = 'info', timeoutMs = 5000, key, action } = {}) {
    if (key) this.dismiss(key);
    const el = document.createElement('div');
    el.className = `toast toast--${kind}`;
    el.append(icon(KIND_ICON[kind] || 'info', 'icon toast__icon'));
    const msg = document.createElement('span');
    msg.className = 'toast__text';
    msg.textContent = text;
    el.append(msg);
    if (action) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'toast__action';
      b.textContent = action.label;
      b.addEventListener('click', () => { remove(); action.run(); });
      el.append(b);
    }
    const remove = () => {
      clearTimeout(timer);
      el.remove();
      if (key && this.byKey.get(key) === remove) this.byKey.delete(key);
    };
    const timer = timeoutMs ? setTimeout(remove, timeoutMs) : 0;
    if (key) this.byKey.set(key, remove);
    this.container.append(el);
    return remove;
  }

  /** Removes every toast (when the screen changes). */
  clear() {
    this.container.replaceChildren();
    this.byKey.clear();
  }

  dismiss(key) {
    this.byKey.get(key)?.();
  }

  /** Says something to screen readers without showing it (joins, leaves, mute changes). */
  announce(text) {
    // Clearing first makes a repeated identical message be read again.
    this.announcer.textContent = '';
    setTimeout(() => { this.announcer.textContent = text; }, 50);
  }
}
