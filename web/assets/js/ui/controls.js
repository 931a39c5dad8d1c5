// Microphone and camera toggles (control bar and pre-join preview), the keyboard shortcuts
// (M microphone, V camera, H hand, C chat, S screen, P people, ? the list) and copying links.

import { setIcon } from './icons.js';

const KINDS = {
  audio: { on: 'mic', off: 'micOff', key: 'M', strings: 'mic' },
  video: { on: 'cam', off: 'camOff', key: 'V', strings: 'cam' },
};

/**
 * Shows a toggle's state: icon, visible label (if the button has one), accessible name and a
 * title that names the shortcut. `available` false means there is no such device.
 * One convention for every toggle button of the client: its words name the action a press does
 * ("Turn microphone off", "Share screen" / "Stop sharing", "Raise hand" / "Lower hand", "Pin" /
 * "Unpin"), the icon and colour show the state, and no button both changes its words and
 * carries aria-pressed. Switches (checkboxes) name the setting instead ("Noise suppression").
 */
export function renderToggle(button, kind, on, t, available = true) {
  const k = KINDS[kind];
  setIcon(button, on ? k.on : k.off);
  button.classList.toggle('is-off', !on);
  const action = on ? t(`controls.${k.strings}_off`) : t(`controls.${k.strings}_on`);
  const hint = available ? t('controls.shortcut', { action, key: k.key }) : t(`controls.${k.strings}_missing`);
  button.title = hint;
  const label = button.querySelector('.control__label');
  if (label) label.textContent = action;
  button.setAttribute('aria-label', action);
}

function typingInField(ev) {
  const el = ev.target;
  return el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

/**
 * Calls actions[key] for a single key (m, v, h, c, s, p, ?) unless the user is typing in a field,
 * a dialog is open, or a modifier is held.
 */
export function bindShortcuts(isActive, actions) {
  const onKey = (ev) => {
    if (!isActive() || ev.repeat || ev.ctrlKey || ev.metaKey || ev.altKey || typingInField(ev)) return;
    if (document.querySelector('dialog[open]')) return;
    const key = ev.key === '?' ? '?' : ev.key.toLowerCase();
    const fn = actions[key];
    if (!fn) return;
    ev.preventDefault();
    fn();
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}

/** Copies text to the clipboard; falls back to a hidden field where the Clipboard API is missing. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const field = document.createElement('textarea');
    field.value = text;
    field.setAttribute('readonly', '');
    field.className = 'sr-only';
    document.body.append(field);
    field.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch { ok = false; }
    field.remove();
    return ok;
  }
}
