// The pre-join screen: display name (remembered), camera preview, device choice, microphone and
// camera toggles, and a clear message when devices are denied or missing.

import { listDevices, onDeviceChange } from '../media.js';
import { displayNameProblem } from '../names.js';
import { renderToggle } from './controls.js';
import { initials } from './tiles.js';

const NAME_KEY = 'plenum.displayName';

export function rememberedName() {
  try { return localStorage.getItem(NAME_KEY) || ''; } catch { return ''; }
}

export function rememberName(name) {
  try { localStorage.setItem(NAME_KEY, name); } catch { /* private mode: fine */ }
}

/** The message for capture errors {audio?, video?}, or '' when there are none. */
export function deviceMessage(errors, t) {
  const a = errors.audio;
  const v = errors.video;
  if (!a && !v) return '';
  const parts = a && v && a === v ? [t(`device.both.${a}`)]
    : [v && t(`device.video.${v}`), a && t(`device.audio.${a}`)].filter(Boolean);
  return `${parts.join(' ')} ${t('device.join_anyway')}`;
}

export class Prejoin {
  /** name: a name to prefill (from a link), else the remembered one. */
  constructor({ t, media, room, name = '', onJoin }) {
    this.t = t;
    this.prefill = name;
    this.starting = Promise.resolve();
    this.media = media;
    this.onJoin = onJoin;
    this.root = document.getElementById('prejoin');
    this.video = document.getElementById('preview-video');
    this.avatar = document.getElementById('preview-avatar');
    this.preview = document.getElementById('preview');
    this.nameInput = document.getElementById('name-input');
    this.nameError = document.getElementById('name-error');
    this.camSelect = document.getElementById('cam-select');
    this.micSelect = document.getElementById('mic-select');
    this.micButton = document.getElementById('pre-mic');
    this.camButton = document.getElementById('pre-cam');
    this.passwordField = document.getElementById('password-field');
    this.passwordInput = document.getElementById('password-input');
    this.passwordError = document.getElementById('password-error');
    this.message = document.getElementById('device-message');
    this.messageText = document.getElementById('device-message-text');
    document.getElementById('prejoin-room').textContent = room;
    this.offDeviceChange = () => {};
    this.bind();
  }

  bind() {
    this.nameInput.value = this.prefill || rememberedName();
    this.nameInput.addEventListener('input', () => {
      this.renderAvatar();
      if (!this.nameError.hidden) this.checkName();
    });
    this.micButton.addEventListener('click', async () => {
      await this.media.setAudioOn(!this.media.audioOn);
      this.render();
    });
    this.camButton.addEventListener('click', async () => {
      this.camButton.disabled = true;
      await this.media.setVideoOn(!this.media.videoOn);
      this.camButton.disabled = false;
      this.render();
    });
    this.camSelect.addEventListener('change', async () => {
      await this.media.useDevice('video', this.camSelect.value);
      this.render();
    });
    this.micSelect.addEventListener('change', async () => {
      await this.media.useDevice('audio', this.micSelect.value);
      this.render();
    });
    // Phones: the on-screen keyboard must not cover "Join now" (the page shrinks with it:
    // interactive-widget=resizes-content in room.html).
    const joinInView = () => {
      if (document.activeElement === this.nameInput) document.getElementById('join-button').scrollIntoView({ block: 'nearest' });
    };
    this.nameInput.addEventListener('focus', () => setTimeout(joinInView, 300));
    globalThis.visualViewport?.addEventListener('resize', joinInView);
    document.getElementById('prejoin-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      await this.starting;   // the devices asked for before the click, not half of them
      const name = this.checkName();
      if (name === null) {
        this.nameInput.focus();
        return;
      }
      rememberName(name);
      this.onJoin(name, this.passwordField.hidden ? null : this.passwordInput.value);
    });
  }

  /** Returns the trimmed name, or null after showing why it is not usable. */
  checkName() {
    const name = this.nameInput.value.trim();
    const problem = displayNameProblem(name);
    this.nameError.hidden = !problem;
    this.nameError.textContent = problem ? this.t(`name_error.${problem}`) : '';
    if (problem) this.nameInput.setAttribute('aria-invalid', 'true');
    else this.nameInput.removeAttribute('aria-invalid');
    return problem ? null : name;
  }

  /** Shows the password field with why it is needed (password_required, _wrong, rate_limited). */
  askPassword(code, message) {
    this.passwordField.hidden = false;
    const text = code === 'password_required' ? '' : this.t(`password.${code}`, { detail: message || '' });
    this.passwordError.textContent = text;
    this.passwordError.hidden = !text;
    if (text) this.passwordInput.setAttribute('aria-invalid', 'true');
    else this.passwordInput.removeAttribute('aria-invalid');
    this.passwordInput.value = '';
    this.passwordInput.focus();
  }

  async show() {
    this.root.hidden = false;
    this.render();
    if (!this.media.audio && !this.media.video) {
      this.starting = this.media.start().catch(() => {});
      await this.starting;
    }
    this.render();
    await this.fillDevices();
    this.offDeviceChange = onDeviceChange(() => this.fillDevices());
    if (!this.nameInput.value) this.nameInput.focus();
  }

  hide() {
    this.root.hidden = true;
    this.offDeviceChange();
    this.video.srcObject = null;
  }

  renderAvatar() {
    this.avatar.firstElementChild.textContent = initials(this.nameInput.value || '?');
  }

  render() {
    const m = this.media;
    this.video.srcObject = m.video ? new MediaStream([m.video]) : null;
    this.preview.classList.toggle('tile--video-off', !m.video);
    this.renderAvatar();
    renderToggle(this.micButton, 'audio', m.audioOn, this.t, !m.errors.audio);
    renderToggle(this.camButton, 'video', m.videoOn, this.t, !m.errors.video);
    const text = deviceMessage(m.errors, this.t);
    this.message.hidden = !text;
    this.messageText.textContent = text;
  }

  async fillDevices() {
    const devices = await listDevices();
    this.fillSelect(this.camSelect, devices.videoinput, this.media.videoDeviceId, 'prejoin.camera_n', 'prejoin.no_camera');
    this.fillSelect(this.micSelect, devices.audioinput, this.media.audioDeviceId, 'prejoin.microphone_n', 'prejoin.no_microphone');
  }

  fillSelect(select, list, current, numbered, none) {
    select.replaceChildren();
    if (!list.length) {
      select.append(new Option(this.t(none), ''));
      select.disabled = true;
      return;
    }
    select.disabled = false;
    list.forEach((d, i) => {
      const label = d.label || this.t(numbered, { n: i + 1 });
      select.append(new Option(label, d.deviceId, false, d.deviceId === current));
    });
  }
}
