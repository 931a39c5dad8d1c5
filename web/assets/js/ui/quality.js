// What the page shows of connection quality (issue 9): a signal-bars indicator per participant
// (on the tile and in the people list; the bars' count and a text alternative say the level, not
// colour alone), a tile's "video paused" state when the server pauses its video for a weak
// downlink (data-video-state="paused" | "live"), the weak-connection notice with its one-click
// switches, and the data-saver choice in the settings dialog.

import { icon } from './icons.js';

const NS = 'http://www.w3.org/2000/svg';
const BARS = { good: 3, fair: 2, poor: 1 };

/** Three bars of rising height, `level`'s count of them filled; decorative (the label says it). */
export function barsIcon(level, className = 'icon quality__bars') {
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', className);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const filled = BARS[level] || 0;
  [[3, 15, 6], [10, 10, 11], [17, 4, 17]].forEach(([x, y, h], i) => {
    const r = document.createElementNS(NS, 'rect');
    r.setAttribute('x', String(x));
    r.setAttribute('y', String(y));
    r.setAttribute('width', '4.5');
    r.setAttribute('height', String(h));
    r.setAttribute('rx', '1');
    r.setAttribute('class', i < filled ? 'quality__bar quality__bar--on' : 'quality__bar');
    svg.append(r);
  });
  return svg;
}

/** The people list's badge: bars and the level in words. */
export function qualityBadge(level, t) {
  const b = document.createElement('span');
  b.className = `badge badge--quality quality--${level}`;
  b.dataset.quality = level;
  b.append(barsIcon(level), document.createTextNode(t(`quality.level.${level}`)));
  return b;
}

/**
 * A tile's indicator (top right): the bars with the level as its accessible name and tooltip;
 * null hides it (nothing known yet, or a screen-share tile).
 */
export function setTileQuality(tile, level, t) {
  let el = tile.el.querySelector(':scope > .tile__quality');
  if (!level) {
    if (el) el.hidden = true;
    delete tile.el.dataset.quality;
    return;
  }
  if (!el) {
    el = document.createElement('span');
    el.className = 'tile__quality';
    el.setAttribute('role', 'img');
    tile.el.append(el);
  }
  if (el.dataset.level !== level) {
    el.dataset.level = level;
    el.className = `tile__quality quality--${level}`;
    el.replaceChildren(barsIcon(level));
  }
  const text = t(`quality.level.${level}`);
  el.setAttribute('aria-label', text);
  el.title = text;
  el.hidden = false;
  tile.el.dataset.quality = level;
}

/**
 * Paused (the server does not send this video for now, our downlink cannot carry it) or live:
 * a paused tile shows the avatar and the reason instead of a frozen frame.
 */
export function setTilePaused(tile, paused, t) {
  tile.el.dataset.videoState = paused ? 'paused' : 'live';
  let el = tile.el.querySelector(':scope > .tile__paused');
  if (!paused) {
    if (el) el.hidden = true;
    return;
  }
  if (!el) {
    el = document.createElement('p');
    el.className = 'tile__paused';
    tile.el.append(el);
  }
  el.textContent = t('quality.paused');
  el.hidden = false;
}

/**
 * The notice shown when one's own connection stays weak: what it means and two switches (data
 * saver, audio only), and a close button. It is not a live region itself (the page's polite
 * announcer reads its text once) and never takes the focus.
 */
export class WeakNoticeView {
  constructor({ t, host, onSaver, onAudioOnly, onDismiss }) {
    this.t = t;
    this.el = document.createElement('section');
    this.el.className = 'weak-notice';
    this.el.id = 'weak-notice';
    this.el.hidden = true;
    this.el.setAttribute('aria-labelledby', 'weak-notice-title');
    const head = document.createElement('div');
    head.className = 'weak-notice__head';
    this.title = document.createElement('h3');
    this.title.className = 'weak-notice__title';
    this.title.id = 'weak-notice-title';
    this.close = document.createElement('button');
    this.close.type = 'button';
    this.close.className = 'icon-button weak-notice__close';
    this.close.id = 'weak-notice-close';
    this.close.append(icon('close'));
    this.close.addEventListener('click', onDismiss);
    head.append(barsIcon('poor', 'icon quality__bars quality--poor'), this.title, this.close);
    this.text = document.createElement('p');
    this.text.className = 'weak-notice__text';
    const row = document.createElement('div');
    row.className = 'weak-notice__actions';
    this.saver = document.createElement('button');
    this.saver.type = 'button';
    this.saver.className = 'button button--primary button--small';
    this.saver.id = 'weak-notice-saver';
    this.saver.addEventListener('click', onSaver);
    this.audio = document.createElement('button');
    this.audio.type = 'button';
    this.audio.className = 'button button--secondary button--small';
    this.audio.id = 'weak-notice-audio';
    this.audio.addEventListener('click', onAudioOnly);
    row.append(this.saver, this.audio);
    this.el.append(head, this.text, row);
    // before the stage: read before the tiles, and it pushes them down instead of covering them
    host.insertBefore(this.el, host.querySelector('#stage'));
  }

  get visible() {
    return !this.el.hidden;
  }

  /** saverOn: the data saver is on already, so only audio only is offered. */
  render({ saverOn = false } = {}) {
    const t = this.t;
    this.title.textContent = t('quality.weak_title');
    this.text.textContent = t(saverOn ? 'quality.weak_text_saver_on' : 'quality.weak_text');
    this.saver.textContent = t('quality.weak_saver');
    this.saver.hidden = saverOn;
    this.audio.textContent = t('quality.weak_audio_only');
    this.audio.className = `button ${saverOn ? 'button--primary' : 'button--secondary'} button--small`;
    this.close.setAttribute('aria-label', t('quality.weak_dismiss'));
    this.close.title = t('quality.weak_dismiss');
  }

  show(opts) {
    this.render(opts);
    this.el.hidden = false;
  }

  hide() {
    // Closing the notice must not drop the focus to the page's start.
    const hadFocus = this.el.contains(document.activeElement);
    this.el.hidden = true;
    if (hadFocus) document.getElementById('ctl-more')?.focus();
  }
}

/** The data-saver radios of the settings dialog (name="data-saver": off, low, audio). */
export function bindDataSaverChoice(onChoose) {
  for (const r of document.querySelectorAll('input[name="data-saver"]')) {
    r.addEventListener('change', () => { if (r.checked) onChoose(r.value); });
  }
}

/** Shows `mode` in the settings dialog's radios and keeps the audio-only switch in step. */
export function showDataSaverChoice(mode) {
  for (const r of document.querySelectorAll('input[name="data-saver"]')) r.checked = r.value === mode;
  const audioOnly = document.getElementById('set-audio-only');
  if (audioOnly) audioOnly.checked = mode === 'audio';
}
