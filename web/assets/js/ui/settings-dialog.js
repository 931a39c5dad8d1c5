// The settings dialog of the meeting: layout, camera, microphone and speaker choice, music mode,
// audio only, language and the way to the shortcuts list. Device lists refresh while it is open.

import { listDevices, speakerChoiceSupported, onDeviceChange } from '../media.js';

const $ = (id) => document.getElementById(id);

export class SettingsDialog {
  /**
   * state(): {mode, music, audioOnly, videoDeviceId, audioDeviceId, sinkId};
   * actions: {layout(mode), device(kind, id), speaker(id), music(on), audioOnly(on)}.
   */
  constructor({ t, state, actions }) {
    this.t = t;
    this.state = state;
    this.actions = actions;
    this.dialog = $('settings-dialog');
    for (const r of this.layoutRadios()) {
      r.addEventListener('change', () => { if (r.checked) actions.layout(r.value); });
    }
    $('set-cam').addEventListener('change', (e) => actions.device('video', e.target.value));
    $('set-mic').addEventListener('change', (e) => actions.device('audio', e.target.value));
    $('set-speaker').addEventListener('change', (e) => actions.speaker(e.target.value));
    $('set-music').addEventListener('change', (e) => actions.music(e.target.checked));
    $('set-audio-only').addEventListener('change', (e) => actions.audioOnly(e.target.checked));
    $('open-shortcuts').addEventListener('click', () => { this.dialog.close(); $('shortcuts-dialog').showModal(); });
    $('ctl-more').addEventListener('click', () => this.open());
    onDeviceChange(() => { if (this.dialog.open) this.fillDevices(); });
  }

  layoutRadios() {
    return document.querySelectorAll('input[name="layout"]');
  }

  async open() {
    const s = this.state();
    for (const r of this.layoutRadios()) r.checked = r.value === s.mode;
    $('set-music').checked = s.music;
    $('set-audio-only').checked = s.audioOnly;
    await this.fillDevices();
    this.dialog.showModal();
  }

  /** Music mode may fail or be refused: the switch shows what is really on. */
  showMusic(on) {
    $('set-music').checked = on;
  }

  async fillDevices() {
    const devices = await listDevices();
    const s = this.state();
    this.fill($('set-cam'), devices.videoinput, s.videoDeviceId, 'prejoin.camera_n', 'prejoin.no_camera');
    this.fill($('set-mic'), devices.audioinput, s.audioDeviceId, 'prejoin.microphone_n', 'prejoin.no_microphone');
    $('set-speaker-field').hidden = !speakerChoiceSupported();
    this.fill($('set-speaker'), devices.audiooutput, s.sinkId || 'default', 'settings.speaker_n', 'settings.no_speaker');
  }

  fill(select, list, current, numbered, none) {
    select.replaceChildren();
    if (!list.length) {
      select.append(new Option(this.t(none), ''));
      select.disabled = true;
      return;
    }
    select.disabled = false;
    list.forEach((d, i) => select.append(new Option(d.label || this.t(numbered, { n: i + 1 }), d.deviceId, false, d.deviceId === current)));
  }
}
