// One video tile: video, avatar initials when the camera is off, name label, host badge, raised
// hand with its place in the queue, muted-mic indicator, reactions, active-speaker highlight.
// Remote camera tiles carry data-participant-id (and data-source="camera"); a shared screen is a
// tile of its own with data-source="screen". Sound plays from an <audio> element kept outside the
// tiles (in the audio sink), so moving a tile between layouts never interrupts it.

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

function el(tag, className) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  return e;
}

export class Tile {
  /** id: participant id (null for the self view); source: 'camera' | 'screen'; t: string lookup. */
  constructor({ id = null, self = false, source = 'camera', t, audioSink = null }) {
    this.t = t;
    this.id = id;
    this.self = self;
    this.source = source;
    this.el = el('div', `tile${self ? ' tile--self' : ''}${source === 'screen' ? ' tile--screen' : ''}`);
    this.el.setAttribute('role', 'group');
    this.el.dataset.videoState = 'live';   // 'paused' while the server holds the video back (ui/quality.js)
    if (id !== null) {
      this.el.dataset.participantId = String(id);
      this.el.dataset.source = source;
    }

    this.video = el('video');
    this.video.autoplay = true;
    this.video.playsInline = true;
    this.video.muted = true; // sound comes from this.audio, so autoplay rules never block the picture
    this.avatar = el('div', 'tile__avatar');
    this.avatar.setAttribute('aria-hidden', 'true');
    this.avatarText = el('span');
    this.avatar.append(this.avatarText);

    this.label = el('div', 'tile__label');
    this.micIcon = el('span', 'tile__mic');
    this.micIcon.append(icon('micOff'));
    this.micIcon.setAttribute('role', 'img');
    this.nameEl = el('span', 'tile__name');
    this.hostBadge = el('span', 'tile__badge');
    this.hostBadge.hidden = true;
    this.label.append(this.micIcon, this.nameEl, this.hostBadge);

    this.handEl = el('div', 'tile__hand');
    this.handEl.hidden = true;
    this.reactionEl = el('div', 'tile__reaction');
    this.reactionEl.setAttribute('aria-hidden', 'true');
    this.el.append(this.video, this.avatar, this.label, this.handEl, this.reactionEl);

    this.audio = null;
    if (!self && source === 'camera') {
      this.audio = el('audio');
      this.audio.autoplay = true;
      this.audio.dataset.participantId = String(id);
      (audioSink || this.el).append(this.audio);
    }
    this.videoTrack = null;
    this.audioTrack = null;
    this.info = { name: '', audioMuted: false, videoOff: true, host: false, hand: 0 };
    this.update({ name: '', audioMuted: false, videoOff: true });
  }

  update(info) {
    Object.assign(this.info, Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined)));
    const { name, audioMuted, host, hand } = this.info;
    const t = this.t;
    let shown = this.self ? t('tile.you', { name }) : name;
    if (this.source === 'screen') shown = this.self ? t('tile.your_screen') : t('tile.screen_of', { name });
    this.nameEl.textContent = shown;
    this.el.setAttribute('aria-label', shown);
    this.avatarText.textContent = initials(name);
    this.avatar.style.setProperty('--avatar-bg', colourFor(name));
    this.micIcon.hidden = !audioMuted || this.source === 'screen';
    this.micIcon.setAttribute('aria-label', t('tile.mic_muted'));
    this.hostBadge.hidden = !host || this.source === 'screen';
    this.hostBadge.textContent = t('tile.host');
    this.handEl.hidden = !hand || this.source === 'screen';
    this.handEl.replaceChildren();
    if (hand) this.handEl.append(icon('hand'), String(hand));
    this.handEl.setAttribute('aria-label', hand ? t('tile.hand', { position: hand }) : '');
    this.handEl.setAttribute('role', 'img');
    this.el.classList.toggle('tile--video-off', this.info.videoOff || !this.videoTrack);
  }

  /** Re-renders every string (after a language switch). */
  relabel() {
    this.update({});
  }

  setSpeaking(on) {
    this.el.classList.toggle('tile--speaking', on);
  }

  showReaction(emoji) {
    const bubble = el('span', 'tile__reaction-item');
    bubble.textContent = emoji;
    this.reactionEl.append(bubble);
    setTimeout(() => bubble.remove(), 4000);
  }

  setVideoTrack(track) {
    if (track === this.videoTrack) return;
    this.videoTrack = track;
    this.video.srcObject = track ? new MediaStream([track]) : null;
    this.update({});
  }

  /** Plays the video again after the tile moved in the page (moving pauses a media element). */
  resume() {
    if (this.videoTrack && this.video.paused) this.video.play().catch(() => {});
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
    if (this.audio) {
      this.audio.srcObject = null;
      this.audio.remove();
    }
    this.el.remove();
  }
}
