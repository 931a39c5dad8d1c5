// The hosts' room settings dialog: password (set, change, remove), lobby, lock, music mode for
// everyone, mute everyone else, end the meeting (with a confirmation), and the password guard.
// Recording and the livestream have their section here too (room/out.js).

import { PasswordGuard } from './password-guard.js';

const $ = (id) => document.getElementById(id);
const HOST_ERRORS = ['forbidden', 'not_found', 'rate_limited', 'bad_request', 'disconnected',
  'feature_disabled', 'disk_full', 'busy', 'no_media', 'out_failed'];

export class RoomDialog {
  /** session(): the current Session or null; announce(text): the polite live region. */
  constructor({ t, session, announce }) {
    this.t = t;
    this.session = session;
    this.announce = announce;
    this.dialog = $('room-dialog');
    this.guard = new PasswordGuard({
      t, reset: () => this.hostRequest('password_guard_reset', {}, () => announce(t('guard.reset_done'))),
    });
    this.bind();
  }

  open() {
    this.render();
    $('room-end-confirm').hidden = true;
    $('room-dialog-error').hidden = true;
    $('room-password-error').hidden = true;
    this.dialog.showModal();
  }

  render() {
    const s = this.session();
    if (!s) return;
    const st = s.roomState;
    $('room-password-state').textContent = this.t(st.has_password ? 'host.password_on' : 'host.password_off');
    $('room-password-set').textContent = this.t(st.has_password ? 'host.password_change' : 'host.password_set');
    $('room-password-remove').hidden = !st.has_password;
    $('room-lobby').checked = !!st.lobby;
    $('room-locked').checked = !!st.locked;
    $('room-music').checked = !!st.music;
    this.guard.render(s.isHost ? s.passwordGuard : null);
    if (!s.isHost && this.dialog.open) this.dialog.close();
  }

  /** A host request; its error is shown in the dialog. Resolves true when it went through
   * (after(result) ran). */
  async hostRequest(method, params, after) {
    const err = $('room-dialog-error');
    err.hidden = true;
    try {
      const result = await this.session().request(method, params);
      if (after) after(result);
      return true;
    } catch (e) {
      err.textContent = this.t(`host.error.${HOST_ERRORS.includes(e.code) ? e.code : 'generic'}`);
      err.hidden = false;
      this.render();
      return false;
    }
  }

  async savePassword() {
    const pw = $('room-password').value;
    const perr = $('room-password-error');
    const len = new TextEncoder().encode(pw).length;
    if (len < 1 || len > 128) {
      perr.textContent = this.t('host.password_invalid');
      perr.hidden = false;
      $('room-password').focus();
      return;
    }
    perr.hidden = true;
    await this.hostRequest('set_password', { password: pw }, () => {
      $('room-password').value = '';
      this.announce(this.t('host.password_saved'));
    });
  }

  bind() {
    const t = this.t;
    $('open-room-settings').addEventListener('click', () => this.open());
    $('room-dialog-close').addEventListener('click', () => this.dialog.close());
    $('room-password-form').addEventListener('submit', (ev) => { ev.preventDefault(); this.savePassword(); });
    $('room-password-remove').addEventListener('click', () => this.hostRequest('set_password', { password: null },
      () => { this.announce(t('host.password_removed')); $('room-password').focus(); }));
    $('room-lobby').addEventListener('change', (e) => this.hostRequest('set_lobby', { enabled: e.target.checked }));
    $('room-locked').addEventListener('change', (e) => this.hostRequest('set_locked', { locked: e.target.checked }));
    $('room-music').addEventListener('change', (e) => this.hostRequest('set_room_music', { enabled: e.target.checked }));
    $('room-mute-all').addEventListener('click', () => this.hostRequest('mute_all', {}, () => this.announce(t('host.muted_all'))));
    $('room-end').addEventListener('click', () => { $('room-end-confirm').hidden = false; $('room-end-yes').focus(); });
    $('room-end-no').addEventListener('click', () => { $('room-end-confirm').hidden = true; $('room-end').focus(); });
    $('room-end-yes').addEventListener('click', async () => {
      if (await this.hostRequest('end_meeting', {})) this.dialog.close();
    });
  }
}
