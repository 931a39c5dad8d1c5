// Per-person options from the person's own tile: "Pin" (the tile shown large, its video always
// received: set_video_prefs `pinned`) or "Unpin", and the volume of that person (the volume of
// their <audio> element, 0–100 %, a native slider: arrow keys, Page Up/Down, Home/End). One
// options button per remote camera tile opens one shared popup next to it; Escape or a click
// elsewhere closes it, focus back on the button. Volumes are kept per person for this page.

import { icon } from './icons.js';

const $ = (id) => document.getElementById(id);

export class TileMenu {
  /** pinned(): the pinned participant id or null; pin(id|null): pins or unpins. */
  constructor({ t, pinned, pin }) {
    this.t = t;
    this.pinned = pinned;
    this.pin = pin;
    this.popup = $('tile-menu');
    this.title = $('tile-menu-title');
    this.pinButton = $('tile-menu-pin');
    this.volume = $('tile-menu-volume');
    this.volumeOut = $('tile-menu-volume-value');
    this.volumes = new Map();   // participant id -> 0..1
    this.tiles = new Map();     // participant id -> Tile
    this.current = null;        // {tile, button}
    this.pinButton.addEventListener('click', () => {
      const id = this.current?.tile.id;
      if (id === undefined) return;
      this.pin(this.pinned() === id ? null : id);
      this.close(true);
    });
    this.volume.addEventListener('input', () => {
      const tile = this.current?.tile;
      if (!tile) return;
      const v = Number(this.volume.value) / 100;
      this.volumes.set(tile.id, v);
      if (tile.audio) tile.audio.volume = v;
      this.renderVolume(v);
    });
    this.popup.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') { ev.preventDefault(); ev.stopPropagation(); this.close(true); }
    });
    document.addEventListener('pointerdown', (ev) => {
      if (this.current && !this.popup.contains(ev.target) && !this.current.button.contains(ev.target)) this.close();
    });
  }

  /** A new tile in the grid: remote cameras get the options button. */
  attach(tile) {
    if (tile.self || tile.source !== 'camera' || tile.id === null) return;
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'tile__options';
    b.setAttribute('aria-haspopup', 'dialog');
    b.setAttribute('aria-expanded', 'false');
    b.setAttribute('aria-controls', 'tile-menu');
    b.append(icon('more'));
    b.addEventListener('click', () => (this.current?.tile === tile ? this.close(true) : this.open(tile, b)));
    tile.el.append(b);
    tile.optionsButton = b;
    this.tiles.set(tile.id, tile);
    const v = this.volumes.get(tile.id);
    if (v !== undefined && tile.audio) tile.audio.volume = v;
    queueMicrotask(() => this.label(tile));   // the grid names the tile right after adding it
  }

  detach(tile) {
    if (this.tiles.get(tile.id) === tile) this.tiles.delete(tile.id);
    if (this.current?.tile === tile) this.close();
  }

  label(tile) {
    const b = tile.optionsButton;
    if (!b) return;
    const name = tile.info.name;
    b.setAttribute('aria-label', this.t('tile_menu.open', { name }));
    b.title = this.t('tile_menu.open', { name });
    tile.el.classList.toggle('tile--pinned', this.pinned() === tile.id);
  }

  relabel() {
    for (const tile of this.tiles.values()) this.label(tile);
    if (this.current) this.render();
  }

  open(tile, button) {
    this.close();
    this.current = { tile, button };
    button.setAttribute('aria-expanded', 'true');
    this.render();
    this.popup.hidden = false;
    this.place(button);
    this.pinButton.focus();
  }

  render() {
    const { tile } = this.current;
    const name = tile.info.name;
    this.title.textContent = name;
    this.pinButton.textContent = this.t(this.pinned() === tile.id ? 'tile_menu.unpin' : 'tile_menu.pin');
    const v = this.volumes.get(tile.id) ?? (tile.audio ? tile.audio.volume : 1);
    this.volume.value = String(Math.round(v * 100));
    this.volume.setAttribute('aria-label', this.t('tile_menu.volume_of', { name }));
    this.renderVolume(v);
  }

  renderVolume(v) {
    const pct = `${Math.round(v * 100)} %`;
    this.volumeOut.textContent = pct;
    this.volume.setAttribute('aria-valuetext', pct);
  }

  /** Next to the button, kept inside the window. */
  place(button) {
    const r = button.getBoundingClientRect();
    const w = this.popup.offsetWidth;
    const h = this.popup.offsetHeight;
    const left = Math.max(8, Math.min(r.right - w, innerWidth - w - 8));
    const below = r.bottom + 6;
    const top = below + h <= innerHeight - 8 ? below : Math.max(8, r.top - h - 6);
    this.popup.style.left = `${left}px`;
    this.popup.style.top = `${top}px`;
  }

  close(focusButton = false) {
    if (!this.current) return;
    const { button } = this.current;
    this.current = null;
    this.popup.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (focusButton && button.isConnected) button.focus();
  }
}
