// The meeting stage and its layouts:
//  - grid: every tile as large as the stage allows at 16:9 (columns from the stage's size; past
//    25 tiles the stage scrolls),
//  - speaker: the active speaker large, everybody else in a strip,
//  - presentation: a shared screen large, the cameras in a strip.
// 'auto' is the grid, or the presentation while somebody shares a screen. The grid also reports
// every remote video's rendered height (for simulcast layers and last-N) through onVideoSizes.

import { Tile } from './tiles.js';

const GAP = 12;
const WIDE = 16 / 9;
const PAGE = 25;          // tiles fitted into one screenful; more scroll
// On a portrait stage (a phone held upright) squarer tiles use the space far better.
const PORTRAIT_ASPECTS = [16 / 9, 4 / 3, 1];

/** Best column count, tile width and aspect ratio for n tiles in a w x h box. */
export function fit(n, w, h, gap = GAP) {
  let best = { cols: 1, width: 0, aspect: WIDE, area: 0 };
  for (const aspect of h > w ? PORTRAIT_ASPECTS : [WIDE]) {
    for (let cols = 1; cols <= n; cols++) {
      const rows = Math.ceil(n / cols);
      const byWidth = (w - gap * (cols - 1)) / cols;
      const byHeight = ((h - gap * (rows - 1)) / rows) * aspect;
      const width = Math.floor(Math.min(byWidth, byHeight));
      const area = (width * width) / aspect;
      if (area > best.area * 1.15 || (area >= best.area && aspect === best.aspect)) {
        best = { cols, width, aspect, area };
      }
    }
  }
  return best;
}

const keyOf = (id, source = 'camera') => (id === null ? 'self' : String(id)) + (source === 'screen' ? ':screen' : '');

export class Grid {
  constructor(stage, { t, onAutoplayBlocked, onVideoSizes, onLayout, audioSink, onTile, onTileRemoved }) {
    this.stage = stage;
    this.t = t;
    this.onAutoplayBlocked = onAutoplayBlocked;
    this.onVideoSizes = onVideoSizes || (() => {});
    this.onLayout = onLayout || (() => {});
    this.audioSink = audioSink;
    this.onTile = onTile || (() => {});             // a tile was added (per-person options)
    this.onTileRemoved = onTileRemoved || (() => {});
    this.pinned = null;       // participant id shown large (and always received), or null
    this.hideSelf = false;    // one's own camera tile not shown
    this.pipWidth = 600;      // portrait stages up to this wide (phones) show one's own picture as an overlay
    this.tiles = new Map();   // key ('self', '12', '12:screen', 'self:screen') -> Tile
    this.mode = 'auto';       // the user's choice: auto | grid | speaker | presentation
    this.layoutName = 'grid'; // what is shown
    this.activeSpeaker = 0;
    this.audioOnly = false;
    this.sinkId = '';
    this.visible = new Map(); // tile element -> intersecting
    stage.replaceChildren();
    this.focusBox = document.createElement('div');
    this.focusBox.className = 'stage__focus';
    this.tileBox = document.createElement('div');
    this.tileBox.className = 'stage__tiles';
    stage.append(this.focusBox, this.tileBox);
    this.resizeObserver = new ResizeObserver(() => this.layoutSoon());
    this.resizeObserver.observe(stage);
    this.sizeObserver = new ResizeObserver(() => this.onVideoSizes());
    this.intersection = new IntersectionObserver((entries) => {
      for (const e of entries) this.visible.set(e.target, e.isIntersecting);
      this.onVideoSizes();
    }, { root: null, threshold: 0 });
  }

  get self() {
    return this.tiles.get('self') || null;
  }

  addTile(key, opts) {
    const tile = new Tile({ t: this.t, audioSink: this.audioSink, ...opts });
    if (tile.audio && this.sinkId) tile.audio.setSinkId?.(this.sinkId).catch(() => {});
    this.tiles.set(key, tile);
    this.tileBox.append(tile.el);
    this.sizeObserver.observe(tile.video);
    this.intersection.observe(tile.el);
    if (opts.source === 'screen') this.mode = 'auto'; // a new share comes to the front by itself
    this.onTile(tile);
    this.layout();
    return tile;
  }

  removeTile(key) {
    const tile = this.tiles.get(key);
    if (!tile) return;
    this.sizeObserver.unobserve(tile.video);
    this.intersection.unobserve(tile.el);
    this.visible.delete(tile.el);
    tile.remove();
    this.tiles.delete(key);
    this.onTileRemoved(tile);
    if (key === keyOf(this.pinned)) this.pinned = null;
    this.layout();
  }

  setSelf({ name, audioMuted, videoOff, track, host, hand }) {
    const tile = this.self || this.addTile('self', { self: true });
    const wasOff = tile.info.videoOff;
    tile.update({ name, audioMuted, videoOff, host, hand });
    if (track !== undefined) tile.setVideoTrack(track);
    if (videoOff !== undefined && videoOff !== wasOff) this.layoutSoon();  // phones: the overlay may change
  }

  /** The self view of one's own screen share (track or null). */
  setSelfScreen(track, name) {
    if (!track) return this.removeTile('self:screen');
    const tile = this.tiles.get('self:screen') || this.addTile('self:screen', { self: true, source: 'screen' });
    tile.update({ name, videoOff: false });
    tile.setVideoTrack(track);
  }

  upsert(p, hand = 0) {
    const key = keyOf(p.id);
    const tile = this.tiles.get(key) || this.addTile(key, { id: p.id });
    tile.update({ name: p.name, audioMuted: p.audio_muted, videoOff: p.video_muted || this.audioOnly, host: p.role === 'host', hand });
    const screen = this.tiles.get(keyOf(p.id, 'screen'));
    if (screen) screen.update({ name: p.name });
    return tile;
  }

  setMedia(id, { audio, video, screen }) {
    const tile = this.tiles.get(keyOf(id));
    if (!tile) return;
    tile.setVideoTrack(this.audioOnly ? null : video || null);
    tile.cameraTrack = video || null;
    tile.setAudioTrack(audio || null).catch((err) => {
      if (err && err.name === 'NotAllowedError') this.onAutoplayBlocked?.();
    });
    const skey = keyOf(id, 'screen');
    if (screen) {
      const st = this.tiles.get(skey) || this.addTile(skey, { id, source: 'screen' });
      st.update({ name: tile.info.name, videoOff: false });
      st.setVideoTrack(screen);
    } else {
      this.removeTile(skey);
    }
  }

  remove(id) {
    this.removeTile(keyOf(id));
    this.removeTile(keyOf(id, 'screen'));
  }

  /** Audio only: remote cameras are not shown (screens still are). */
  setAudioOnly(on) {
    this.audioOnly = on;
    for (const tile of this.tiles.values()) {
      if (tile.self || tile.source !== 'camera') continue;
      tile.setVideoTrack(on ? null : tile.cameraTrack || null);
      tile.update({ videoOff: on || undefined });
    }
    this.onVideoSizes();
  }

  setActiveSpeaker(id) {
    this.activeSpeaker = id || 0;
    for (const tile of this.tiles.values()) {
      tile.setSpeaking(tile.source === 'camera' && tile.id !== null && tile.id === this.activeSpeaker);
    }
    if (this.layoutName === 'speaker') this.layout();
  }

  showReaction(id, emoji) {
    const tile = id === null ? this.self : this.tiles.get(keyOf(id));
    tile?.showReaction(emoji);
  }

  setHands(queue, selfId) {
    for (const tile of this.tiles.values()) {
      if (tile.source !== 'camera') continue;
      const pid = tile.self ? selfId : tile.id;
      const pos = queue.indexOf(pid) + 1;
      tile.update({ hand: pos });
    }
  }

  async setSinkId(id) {
    this.sinkId = id;
    for (const tile of this.tiles.values()) {
      if (tile.audio?.setSinkId) await tile.audio.setSinkId(id);
    }
  }

  /** Plays every remote audio element again (after a click, when autoplay was blocked). */
  resumeAudio() {
    for (const tile of this.tiles.values()) if (tile.audioTrack) tile.audio.play().catch(() => {});
  }

  relabel() {
    for (const tile of this.tiles.values()) tile.relabel();
  }

  clear() {
    for (const key of [...this.tiles.keys()]) this.removeTile(key);
    this.resizeObserver.disconnect();
    this.sizeObserver.disconnect();
    this.intersection.disconnect();
  }

  /** Pins a participant's camera tile (shown large, received always) or unpins (null). */
  setPinned(id) {
    this.pinned = id !== null && this.tiles.has(keyOf(id)) ? id : null;
    this.layout();
  }

  setHideSelf(on) {
    this.hideSelf = on;
    this.layout();
  }

  /** Phones: own picture small in a corner with one other person, or with one's camera off. */
  wantsPip(tiles, name) {
    const self = this.self;
    const w = this.stage.clientWidth;
    if (!self || this.hideSelf || name !== 'grid' || w > this.pipWidth || this.stage.clientHeight <= w) return false;
    const others = tiles.filter((x) => x !== self);
    if (!others.length || others.some((x) => x.source === 'screen')) return false;
    return others.length === 1 || (self.info.videoOff && others.length <= 4);
  }

  setMode(mode) {
    this.mode = mode;
    this.layout();
  }

  /** The heights of the remote videos as shown, for set_video_prefs (0: not visible). */
  videoSizes() {
    const dpr = globalThis.devicePixelRatio || 1;
    const out = [];
    for (const tile of this.tiles.values()) {
      if (tile.self || tile.id === null) continue;
      const shown = this.visible.get(tile.el) !== false && !(this.audioOnly && tile.source === 'camera');
      const height = shown ? Math.min(2160, Math.round(tile.video.clientHeight * dpr)) : 0;
      out.push({ id: tile.id, source: tile.source, height });
    }
    return out;
  }

  /** The tile shown large in the speaker and presentation layouts. */
  focusTile(layout) {
    const tiles = [...this.tiles.values()];
    if (layout === 'presentation') {
      return tiles.find((x) => x.source === 'screen' && !x.self) || tiles.find((x) => x.source === 'screen');
    }
    const pinned = this.pinned !== null ? this.tiles.get(keyOf(this.pinned)) : null;
    if (pinned) return pinned;
    return this.tiles.get(keyOf(this.activeSpeaker || null)) && this.activeSpeaker
      ? this.tiles.get(keyOf(this.activeSpeaker))
      : tiles.find((x) => !x.self && x.source === 'camera') || this.self;
  }

  layoutSoon() {
    if (this.layoutFrame) return;
    this.layoutFrame = requestAnimationFrame(() => { this.layoutFrame = 0; this.layout(); });
  }

  layout() {
    const tiles = [...this.tiles.values()];
    if (!tiles.length) return;
    const hasScreen = tiles.some((x) => x.source === 'screen');
    const pinned = this.pinned !== null ? this.tiles.get(keyOf(this.pinned)) : null;
    let name = this.mode === 'auto' ? (hasScreen ? 'presentation' : (pinned ? 'speaker' : 'grid')) : this.mode;
    if (name === 'presentation' && !hasScreen) name = 'speaker';
    if (name === 'speaker' && tiles.length < 2) name = 'grid';
    const focus = name === 'grid' ? null : this.focusTile(name);
    if (!focus) name = 'grid';
    const changed = name !== this.layoutName;
    this.layoutName = name;
    this.stage.dataset.layout = name;

    // Place tiles: the focus tile in its box, the rest in order (screens, self, others).
    const order = [...tiles].sort((a, b) => rank(a) - rank(b));
    if (focus && focus.el.parentNode !== this.focusBox) this.focusBox.append(focus.el);
    const want = order.filter((x) => x !== focus).map((x) => x.el);
    const have = [...this.tileBox.children];
    if (want.length !== have.length || want.some((e, i) => e !== have[i])) {
      for (const e of want) this.tileBox.append(e);  // appending in order keeps the DOM order stable
    }
    // Moving a media element in the page pauses it in Chromium: play again.
    for (const tile of tiles) tile.resume();
    this.focusBox.hidden = !focus;
    for (const tile of tiles) tile.el.classList.toggle('tile--focus', tile === focus);

    const pip = this.wantsPip(tiles, name);
    this.stage.classList.toggle('stage--pip', pip);
    if (this.self) this.self.el.hidden = this.hideSelf;
    const floating = this.self && this.self !== focus && (pip || this.hideSelf) ? 1 : 0;
    const n = tiles.length - (focus ? 1 : 0) - floating;
    const box = this.tileBox;
    if (name === 'grid') {
      const cs = getComputedStyle(this.stage);
      const w = this.stage.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      const h = this.stage.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);
      if (w > 0 && h > 0) {
        const { width, aspect } = fit(Math.min(n, PAGE), w, h, parseFloat(getComputedStyle(box).columnGap) || GAP);
        box.style.setProperty('--tile-width', `${Math.max(width, 120)}px`);
        box.style.setProperty('--tile-aspect', String(aspect));
      }
    } else {
      box.style.removeProperty('--tile-width');
      box.style.removeProperty('--tile-aspect');
    }
    this.stage.dataset.count = String(tiles.length);
    if (changed) this.onLayout(name);
    this.onVideoSizes();
  }
}

function rank(tile) {
  if (tile.source === 'screen') return tile.self ? 1 : 0;
  return tile.self ? 2 : 3;
}
