// End-to-end encryption on the meeting page: the passphrase from the link (or typed in the
// pre-join form), the check box that makes a new meeting encrypted, what room_status says of an
// existing one, the refusal when this browser cannot encrypt, the indicator in the header, the
// key and the frame worker for the session, and the hint when frames fail to decrypt.

import { deriveKey, e2eeSupported, passphraseProblem, takePassphrase } from '../e2ee/key.js';
import { FrameCrypto } from '../e2ee/crypto.js';

const $ = (id) => document.getElementById(id);

export function createE2ee(app) {
  const { t, ui } = app;
  const mode = e2eeSupported();
  const state = {
    passphrase: takePassphrase(),   // memory only; the invitation link carries it again
    roomSays: false,                // room_status: the meeting exists and is encrypted
    crypto: null,                   // FrameCrypto of the current meeting
  };
  const box = () => $('e2ee-check');
  const wanted = () => state.roomSays || box().checked;

  function bind() {
    box().checked = !!state.passphrase;
    box().addEventListener('change', render);
    $('e2ee-pass-input').value = state.passphrase || '';
    $('e2ee-pass-input').addEventListener('input', () => { if (!$('e2ee-pass-error').hidden) check(); });
    render();
  }

  /** The pre-join form's part: locked on when the meeting is encrypted, the notice, the refusal. */
  function render() {
    const on = wanted();
    box().checked = on;
    box().disabled = state.roomSays;   // the meeting decided; the text says why
    $('e2ee-pass-field').hidden = !on || !mode;   // no passphrase to ask where it could not be used
    $('prejoin-e2ee-notice').hidden = !on;
    $('prejoin-e2ee-text').textContent = t(state.roomSays ? 'e2ee.prejoin_room' : 'e2ee.prejoin_new');
    const refused = on && !mode;
    $('e2ee-unsupported').hidden = !refused;
    $('e2ee-unsupported').textContent = refused ? t('e2ee.unsupported') : '';
    $('join-button').disabled = refused;
    if (refused) $('join-button').setAttribute('aria-describedby', 'e2ee-unsupported');
    else $('join-button').removeAttribute('aria-describedby');
  }

  /** The passphrase when it is usable, else null after saying why (and focusing the field). */
  function check() {
    const input = $('e2ee-pass-input');
    const problem = passphraseProblem(input.value);
    $('e2ee-pass-error').hidden = !problem;
    $('e2ee-pass-error').textContent = problem ? t(`e2ee.passphrase_${problem}`) : '';
    if (problem) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    return problem ? null : input.value;
  }

  /** Before joining: true when the form may go on (nothing to encrypt, or a usable passphrase). */
  function ready() {
    if (!wanted()) return true;
    if (!mode) return false;
    const pass = check();
    if (pass === null) {
      $('e2ee-pass-input').focus();
      return false;
    }
    state.passphrase = pass;
    return true;
  }

  /** The session's FrameCrypto for this meeting, or null for a meeting in the clear. */
  async function start() {
    stop();
    if (!wanted() || !mode || !state.passphrase) return null;
    const key = await deriveKey(state.passphrase, ui.room);
    state.crypto = new FrameCrypto({ key, mode });
    state.crypto.on('failing', (failing) => {
      if (failing) app.toasts.show(t('e2ee.cannot_decrypt'), { kind: 'warn', key: 'e2ee', timeoutMs: 0 });
      else app.toasts.dismiss('e2ee');
    });
    return state.crypto;
  }

  function stop() {
    state.crypto?.close();
    state.crypto = null;
  }

  /** room_status before joining: an encrypted meeting locks the box on. */
  function status(e2ee) {
    state.roomSays = e2ee === true;
    if ($('prejoin') && !$('prejoin').hidden) render();
  }

  /** The header's indicator, as the server says (room_state.e2ee). */
  function badge(roomState) {
    $('e2ee-badge').hidden = !(roomState && roomState.e2ee === true);
  }

  return {
    bind, render, ready, start, stop, status, badge,
    get passphrase() { return wanted() ? state.passphrase : null; },
    get crypto() { return state.crypto; },
    get supported() { return !!mode; },
  };
}
