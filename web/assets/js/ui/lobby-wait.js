// The lobby as the one waiting sees it: the waiting screen (with "Stop waiting"), and the message
// when a host says no, the room is locked or the meeting ends meanwhile. The same screen, with its
// own words, serves those waiting for a meeting that has not started (a town whose rooms open only
// when a host with an invitation token arrives: reason 'not_started').

const $ = (id) => document.getElementById(id);
const DENIED = ['denied', 'room_ended', 'room_locked'];

export class LobbyWait {
  /** cancel(): leaves the lobby; screens: the page's Screens; toasts: notices and live region. */
  constructor({ t, screens, toasts, cancel, onEnd }) {
    this.t = t;
    this.screens = screens;
    this.toasts = toasts;
    this.onEnd = onEnd;
    $('lobby-cancel').addEventListener('click', async () => {
      await cancel();
      this.onEnd();
      screens.message('lobby.cancelled.title', 'lobby.cancelled.text');
    });
  }

  /** reason: 'lobby' (a host lets each one in) or 'not_started' (in when the first host arrives). */
  show(reason = 'lobby') {
    const keys = reason === 'not_started'
      ? { title: 'lobby.not_started.title', text: 'lobby.not_started.text', say: 'lobby.not_started.announce' }
      : { title: 'lobby.wait_title', text: 'lobby.wait_text', say: 'lobby.wait_title' };
    // data-i18n: a language switch while waiting relabels the screen
    $('lobby-wait-title').dataset.i18n = keys.title;
    $('lobby-wait-title').textContent = this.t(keys.title);
    $('lobby-wait-text').dataset.i18n = keys.text;
    $('lobby-wait-text').textContent = this.t(keys.text);
    document.getElementById('lobby-wait').dataset.reason = reason;
    this.toasts.clear();
    this.screens.show('lobby-wait');
    $('lobby-wait-title').focus();
    this.toasts.announce(this.t(keys.say));
  }

  /** A host refused (or the room ended or was locked) while we waited. */
  denied(reason) {
    this.onEnd();
    const key = DENIED.includes(reason) ? reason : 'denied';
    this.screens.message(`lobby.denied.${key}.title`, `lobby.denied.${key}.text`, { rejoin: key !== 'room_ended' });
  }
}
