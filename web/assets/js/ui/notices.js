// Visible notices on the stage, for everybody and not only for screen readers (those hear the
// same news from the polite live region already, so the notices themselves are aria-hidden and
// hold nothing to focus): who joined or left (in rooms of up to 10 people), a preview of a chat
// message while the chat is closed (a click opens it; the key C does too) and raised hands.
// At most three at a time; each fades after a few seconds.

import { icon } from './icons.js';

export const SMALL_ROOM = 10;
const MAX_SHOWN = 3;
const PREVIEW_CHARS = 90;

export class Notices {
  /** openChat(): opens the chat panel. */
  constructor({ container, openChat }) {
    this.box = container;
    this.openChat = openChat;
    this.box.setAttribute('aria-hidden', 'true');
  }

  /** kind: 'join' | 'leave' | 'chat' | 'hand'; text: what it says; who: a name in bold first. */
  show(kind, { who = '', text = '', timeoutMs = 5000 } = {}) {
    const el = document.createElement('div');
    el.className = `notice notice--${kind}`;
    el.dataset.kind = kind;
    const iconName = { join: 'people', leave: 'leave', chat: 'chat', hand: 'hand' }[kind] || 'info';
    el.append(icon(iconName, 'icon notice__icon'));
    const body = document.createElement('span');
    body.className = 'notice__text';
    if (who) {
      const b = document.createElement('strong');
      b.textContent = who;
      body.append(b, ' ');
    }
    body.append(text);
    el.append(body);
    if (kind === 'chat') el.addEventListener('click', () => { this.openChat(); this.clearKind('chat'); });
    this.box.append(el);
    while (this.box.children.length > MAX_SHOWN) this.box.firstElementChild.remove();
    setTimeout(() => el.remove(), timeoutMs);
    return el;
  }

  /** A chat message as a preview: "Berta: Hallo zusammen …" */
  chat(name, message, privateNote) {
    let text = String(message).replace(/\s+/g, ' ').trim();
    if (text.length > PREVIEW_CHARS) text = `${text.slice(0, PREVIEW_CHARS - 1)}…`;
    return this.show('chat', { who: privateNote ? `${name} (${privateNote}):` : `${name}:`, text, timeoutMs: 8000 });
  }

  clearKind(kind) {
    for (const el of this.box.querySelectorAll(`[data-kind="${kind}"]`)) el.remove();
  }

  clear() {
    this.box.replaceChildren();
  }
}
