// The chat panel: room messages and private messages (a recipient chosen from the participants),
// an unread counter on the chat button, the 2000-byte limit shown while typing, and the server's
// refusals (rate limit, too long). Messages are rendered with textContent only: links and markup
// arrive as plain text. Nothing is stored; the list is gone when the page is.

import { formatTime, formatNumber } from '../i18n.js';

export const CHAT_MAX_BYTES = 2000;
const encoder = new TextEncoder();
const bytes = (s) => encoder.encode(s).length;

export class Chat {
  /** send(text, to) -> Promise; names: id -> display name; selfId() -> own id. */
  constructor({ t, send, selfId, announce, onUnread }) {
    this.t = t;
    this.send = send;
    this.selfId = selfId;
    this.announce = announce;
    this.onUnread = onUnread;
    this.panel = document.getElementById('chat-panel');
    this.log = document.getElementById('chat-log');
    this.form = document.getElementById('chat-form');
    this.input = document.getElementById('chat-input');
    this.to = document.getElementById('chat-to');
    this.count = document.getElementById('chat-count');
    this.error = document.getElementById('chat-error');
    this.unread = 0;
    this.people = [];
    this.messages = [];  // {msg, li} for relabelling
    this.log.replaceChildren();
    this.bind();
    this.renderCount();
    this.setParticipants([]);
  }

  bind() {
    this.form.onsubmit = (ev) => { ev.preventDefault(); this.submit(); };
    this.input.oninput = () => { this.renderCount(); if (!this.error.hidden) this.showError(''); };
    this.input.onkeydown = (ev) => {
      // Enter sends, Shift+Enter starts a new line.
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        this.submit();
      }
    };
  }

  get isOpen() {
    return !this.panel.hidden;
  }

  opened() {
    this.unread = 0;
    this.onUnread(0);
    this.log.scrollTop = this.log.scrollHeight;
  }

  renderCount() {
    const n = bytes(this.input.value);
    this.count.textContent = this.t('chat.count', { n: formatNumber(n), max: formatNumber(CHAT_MAX_BYTES) });
    this.count.classList.toggle('is-over', n > CHAT_MAX_BYTES);
  }

  showError(text) {
    this.error.textContent = text;
    this.error.hidden = !text;
    if (text) this.input.setAttribute('aria-invalid', 'true');
    else this.input.removeAttribute('aria-invalid');
  }

  async submit() {
    const text = this.input.value.replace(/\r\n?/g, '\n');
    if (!text.trim()) return;
    if (bytes(text) > CHAT_MAX_BYTES) {
      this.showError(this.t('chat.error.too_long', { max: formatNumber(CHAT_MAX_BYTES) }));
      return;
    }
    const to = this.to.value ? Number(this.to.value) : null;
    try {
      await this.send(text, to);
      this.input.value = '';
      this.renderCount();
      this.showError('');
    } catch (err) {
      const known = ['rate_limited', 'not_found', 'bad_request', 'disconnected'];
      this.showError(this.t(`chat.error.${known.includes(err.code) ? err.code : 'generic'}`));
    }
  }

  /** The recipient list: everyone, or one participant [{id, name}]. Keeps the choice if possible. */
  setParticipants(list) {
    this.people = list;
    const current = this.to.value;
    this.to.replaceChildren(new Option(this.t('chat.to_everyone'), ''));
    for (const p of list) this.to.append(new Option(p.name, String(p.id)));
    this.to.value = list.some((p) => String(p.id) === current) ? current : '';
  }

  nameOf(id) {
    return this.people.find((p) => p.id === id)?.name ?? '';
  }

  /** A `chat` event: {message_id, from, from_name, to, text, ts}. */
  add(msg) {
    const li = document.createElement('li');
    li.className = 'chat__msg';
    const mine = msg.from === this.selfId();
    li.classList.toggle('chat__msg--mine', mine);
    li.classList.toggle('chat__msg--private', msg.to !== null && msg.to !== undefined);
    const head = document.createElement('p');
    head.className = 'chat__meta';
    const who = document.createElement('span');
    who.className = 'chat__from';
    const priv = document.createElement('span');
    priv.className = 'chat__private';
    const time = document.createElement('time');
    time.dateTime = new Date(msg.ts || Date.now()).toISOString();
    head.append(who, priv, time);
    const body = document.createElement('p');
    body.className = 'chat__text';
    body.textContent = String(msg.text ?? '');
    li.append(head, body);
    const entry = { msg, li, who, priv, time, mine };
    this.messages.push(entry);
    this.label(entry);
    const atEnd = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    this.log.append(li);
    if (atEnd || mine) this.log.scrollTop = this.log.scrollHeight;
    if (!mine) {
      const key = msg.to !== null && msg.to !== undefined ? 'announce.chat_private' : 'announce.chat';
      this.announce(this.t(key, { name: msg.from_name || this.nameOf(msg.from), text: String(msg.text).slice(0, 200) }));
      if (!this.isOpen) {
        this.unread += 1;
        this.onUnread(this.unread);
      }
    }
  }

  label({ msg, who, priv, time, mine }) {
    const t = this.t;
    who.textContent = mine ? t('chat.you') : (msg.from_name || this.nameOf(msg.from));
    const isPrivate = msg.to !== null && msg.to !== undefined;
    priv.hidden = !isPrivate;
    priv.textContent = !isPrivate ? '' : mine
      ? t('chat.private_to', { name: this.nameOf(msg.to) || '?' })
      : t('chat.private_from');
    time.textContent = formatTime(msg.ts || Date.now());
  }

  relabel() {
    this.messages.forEach((e) => this.label(e));
    this.renderCount();
    this.setParticipants(this.people);
  }
}
