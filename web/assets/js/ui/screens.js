// The meeting page's whole-page screens: which one shows (pre-join, lobby, meeting, left, failed),
// the message screen after leaving, removal, the end or a lobby refusal, and the failure screen.

import { TOKEN_ERRORS } from '../session.js';

const $ = (id) => document.getElementById(id);
// Token errors (an invitation link the server refuses): the page offers to join as a guest instead,
// which is a reload, since the token left the address bar when the page opened.
const TOKEN_FAILURES = TOKEN_ERRORS;
const KNOWN_FAILURES = ['room_name_invalid', 'display_name_invalid', 'room_full', 'unsupported_version', 'room_locked',
  'lobby_full', 'rate_limited', 'e2ee_required', 'e2ee_off', ...TOKEN_FAILURES];
const RETRYABLE = ['room_full', 'room_locked', 'lobby_full', 'rate_limited', 'e2ee_required', 'e2ee_off'];

export class Screens {
  /** room(): the room name shown in the texts. */
  constructor({ t, room }) {
    this.t = t;
    this.room = room;
    this.messageKeys = null;   // {title, text, rejoin} of the message screen, for a language switch
    this.failedCode = null;
  }

  show(id) {
    for (const el of document.querySelectorAll('main.screen')) el.hidden = el.id !== id;
    document.body.dataset.screen = id;
    document.body.classList.toggle('page--dark', id === 'meeting');
    document.body.classList.toggle('page--light', id !== 'meeting');
    $('meeting-info').hidden = id !== 'meeting';
  }

  get current() {
    return document.body.dataset.screen;
  }

  /** Something waiting does not fix: invalid room name, room full or locked, old client. */
  failure(code) {
    this.failedCode = code;
    const key = KNOWN_FAILURES.includes(code) ? code : 'generic';
    $('failed-title').textContent = this.t(`failed.${key}.title`);
    $('failed-text').textContent = this.t(`failed.${key}.text`, { room: this.room() });
    $('retry').hidden = !RETRYABLE.includes(code);
    const token = TOKEN_FAILURES.includes(code);
    $('join-as-guest').hidden = !token;
    $('failed-guest-hint').hidden = !token;
    this.show('failed');
    $('failed-title').focus?.();
  }

  /** The message screen (title and text are i18n keys); rejoin: whether "Join again" is offered. */
  message(title, text, { rejoin = true } = {}) {
    this.messageKeys = { title, text, rejoin };
    $('left-title').textContent = this.t(title);
    $('left-text').textContent = this.t(text, { room: this.room() });
    $('rejoin').hidden = !rejoin;
    this.show('left');
    $('left-title').focus();
  }

  relabel() {
    if (this.messageKeys && !$('left').hidden) {
      $('left-title').textContent = this.t(this.messageKeys.title);
      $('left-text').textContent = this.t(this.messageKeys.text, { room: this.room() });
    }
    if (this.failedCode && !$('failed').hidden) this.failure(this.failedCode);
  }
}
