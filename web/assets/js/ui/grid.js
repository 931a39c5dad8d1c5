// The meeting stage: self view plus one tile per participant, laid out as large as the stage
// allows at 16:9 (columns chosen from the stage's size and the number of tiles).

import { Tile } from './tiles.js';

const GAP = 12;
const WIDE = 16 / 9;
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

export class Grid {
  constructor(stage, { t, onAutoplayBlocked }) {
    this.stage = stage;
    this.t = t;
    this.onAutoplayBlocked = onAutoplayBlocked;
    this.tiles = new Map();   // participant id -> Tile
    this.self = null;
    this.observer = new ResizeObserver(() => this.layout());
    this.observer.observe(stage);
  }

  setSelf({ name, audioMuted, videoOff, track }) {
    if (!this.self) {
      this.self = new Tile({ self: true, t: this.t });
      this.stage.prepend(this.self.el);
      this.layout();
    }
    this.self.update({ name, audioMuted, videoOff });
    if (track !== undefined) this.self.setVideoTrack(track);
  }

  upsert(p) {
    let tile = this.tiles.get(p.id);
    if (!tile) {
      tile = new Tile({ id: p.id, t: this.t });
      this.tiles.set(p.id, tile);
      this.stage.append(tile.el);
      this.layout();
    }
    tile.update({ name: p.name, audioMuted: p.audio_muted, videoOff: p.video_muted });
    return tile;
  }

  setMedia(id, { audio, video }) {
    const tile = this.tiles.get(id);
    if (!tile) return;
    tile.setVideoTrack(video || null);
    tile.setAudioTrack(audio || null).catch((err) => {
      if (err && err.name === 'NotAllowedError') this.onAutoplayBlocked?.();
    });
  }

  /** Plays every remote audio element again (after a click, when autoplay was blocked). */
  resumeAudio() {
    for (const tile of this.tiles.values()) if (tile.audioTrack) tile.audio.play().catch(() => {});
  }

  remove(id) {
    const tile = this.tiles.get(id);
    if (!tile) return;
    tile.remove();
    this.tiles.delete(id);
    this.layout();
  }

  clear() {
    for (const id of [...this.tiles.keys()]) this.remove(id);
    this.self?.remove();
    this.self = null;
  }

  layout() {
    const n = this.tiles.size + (this.self ? 1 : 0);
    if (!n) return;
    const cs = getComputedStyle(this.stage);
    const w = this.stage.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    const h = this.stage.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);
    if (w <= 0 || h <= 0) return;
    const { width, aspect } = fit(n, w, h, parseFloat(cs.columnGap) || GAP);
    this.stage.style.setProperty('--tile-width', `${Math.max(width, 120)}px`);
    this.stage.style.setProperty('--tile-aspect', String(aspect));
    this.stage.dataset.count = String(n);
  }
}
