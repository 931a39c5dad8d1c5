// The lobby as the one waiting sees it: the waiting screen (with "Stop waiting"), and the message
// when a host says no, the room is locked or the meeting ends meanwhile.

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

  show() {
    this.toasts.clear();
    this.screens.show('lobby-wait');
    $('lobby-wait-title').focus();
    this.toasts.announce(this.t('lobby.wait_title'));
  }

  /** A host refused (or the room ended or was locked) while we waited. */
  denied(reason) {
    this.onEnd();
    const key = DENIED.includes(reason) ? reason : 'denied';
    this.screens.message(`lobby.denied.${key}.title`, `lobby.denied.${key}.text`, { rejoin: key !== 'room_ended' });
  }
}
