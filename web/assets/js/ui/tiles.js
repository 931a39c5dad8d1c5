// One video tile: video, avatar initials when the camera is off, name label, muted-mic indicator.
// Remote tiles carry data-participant-id; audio plays from a separate <audio> element.

import { icon } from './icons.js';

const AVATAR_COLOURS = ['#3d5a80', '#5b4a8a', '#2f6b5a', '#8a4b3d', '#42657f', '#6d5a24', '#7a3f63', '#505a66'];

export function initials(name) {
  const words = String(name || '').trim().split(/\s+/).filter(Boolean);
  if (!words.length) return '?';
  const first = Array.from(words[0])[0] || '';
  const last = words.length > 1 ? Array.from(words[words.length - 1])[0] || '' : '';
  return (first + last).toLocaleUpperCase();
}

function colourFor(name) {
  let h = 0;
  for (const ch of String(name)) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return AVATAR_COLOURS[h % AVATAR_COLOURS.length];
}

export class Tile {
  /** id: participant id (null for the self view); t: string lookup. */
  constructor({ id = null, self = false, t }) {
    this.t = t;
    this.self = self;
    this.el = document.createElement('div');
    this.el.className = self ? 'tile tile--self' : 'tile';
    this.el.setAttribute('role', 'group');
    if (id !== null) this.el.dataset.participantId = String(id);

    this.video = document.createElement('video');
    this.video.autoplay = true;
    this.video.playsInline = true;
    this.video.muted = true; // sound comes from this.audio, so autoplay rules never block the picture
    this.avatar = document.createElement('div');
    this.avatar.className = 'tile__avatar';
    this.avatar.setAttribute('aria-hidden', 'true');
    this.avatarText = document.createElement('span');
    this.avatar.append(this.avatarText);

    this.label = document.createElement('div');
    this.label.className = 'tile__label';
    this.micIcon = document.createElement('span');
    this.micIcon.className = 'tile__mic';
    this.micIcon.append(icon('micOff'));
    this.micIcon.setAttribute('role', 'img');
    this.micIcon.setAttribute('aria-label', t('tile.mic_muted'));
    this.nameEl = document.createElement('span');
    this.nameEl.className = 'tile__name';
    this.label.append(this.micIcon, this.nameEl);
    this.el.append(this.video, this.avatar, this.label);

    this.audio = null;
    if (!self) {
      this.audio = document.createElement('audio');
      this.audio.autoplay = true;
      this.el.append(this.audio);
    }
    this.videoTrack = null;
    this.audioTrack = null;
    this.update({ name: '', audioMuted: false, videoOff: true });
  }

  update({ name, audioMuted, videoOff }) {
    if (name !== undefined) {
      const shown = this.self ? this.t('tile.you', { name }) : name;
      this.nameEl.textContent = shown;
      this.el.setAttribute('aria-label', shown);
      this.avatarText.textContent = initials(name);
      this.avatar.style.setProperty('--avatar-bg', colourFor(name));
    }
    if (audioMuted !== undefined) this.micIcon.hidden = !audioMuted;
    if (videoOff !== undefined) this.videoOff = videoOff;
    this.el.classList.toggle('tile--video-off', this.videoOff || !this.videoTrack);
  }

  setVideoTrack(track) {
    if (track === this.videoTrack) return;
    this.videoTrack = track;
    this.video.srcObject = track ? new MediaStream([track]) : null;
    this.update({});
  }

  /** Returns the play() promise so the caller can notice autoplay being blocked. */
  setAudioTrack(track) {
    if (!this.audio || track === this.audioTrack) return Promise.resolve();
    this.audioTrack = track;
    this.audio.srcObject = track ? new MediaStream([track]) : null;
    return track ? this.audio.play() : Promise.resolve();
  }

  remove() {
    this.video.srcObject = null;
    if (this.audio) this.audio.srcObject = null;
    this.el.remove();
  }
}
