// Phones: one's own picture as a small overlay in a corner of the stage (one-to-one calls, and
// whenever one's camera is off), so the other person gets the whole screen. The grid decides when
// (stage--pip); this moves it: drag it with a finger or the mouse and it settles in the nearest
// corner, remembered for the meeting. Dragging is an extra: nothing needs it.

const CORNERS = ['br', 'bl', 'tr', 'tl'];

export class SelfOverlay {
  constructor(stage) {
    this.stage = stage;
    this.corner = 'br';
    this.drag = null;
    stage.dataset.pipCorner = this.corner;
    stage.addEventListener('pointerdown', (ev) => this.down(ev));
    stage.addEventListener('pointermove', (ev) => this.move(ev));
    stage.addEventListener('pointerup', (ev) => this.up(ev));
    stage.addEventListener('pointercancel', (ev) => this.up(ev));
  }

  tileOf(ev) {
    if (!this.stage.classList.contains('stage--pip')) return null;
    const tile = ev.target.closest?.('.tile--self:not(.tile--screen)');
    return tile && this.stage.contains(tile) ? tile : null;
  }

  down(ev) {
    const tile = this.tileOf(ev);
    if (!tile || ev.button > 0) return;
    const r = tile.getBoundingClientRect();
    this.drag = { tile, id: ev.pointerId, dx: ev.clientX - r.left, dy: ev.clientY - r.top, moved: false };
    tile.setPointerCapture?.(ev.pointerId);
  }

  move(ev) {
    const d = this.drag;
    if (!d || ev.pointerId !== d.id) return;
    const box = this.stage.getBoundingClientRect();
    const x = ev.clientX - box.left - d.dx;
    const y = ev.clientY - box.top - d.dy;
    d.moved = true;
    d.tile.classList.add('is-dragging');
    d.tile.style.left = `${Math.max(0, Math.min(x, box.width - d.tile.offsetWidth))}px`;
    d.tile.style.top = `${Math.max(0, Math.min(y, box.height - d.tile.offsetHeight))}px`;
    ev.preventDefault();
  }

  up(ev) {
    const d = this.drag;
    if (!d || ev.pointerId !== d.id) return;
    this.drag = null;
    if (!d.moved) return;
    const box = this.stage.getBoundingClientRect();
    const r = d.tile.getBoundingClientRect();
    const right = r.left + r.width / 2 > box.left + box.width / 2;
    const bottom = r.top + r.height / 2 > box.top + box.height / 2;
    this.corner = `${bottom ? 'b' : 't'}${right ? 'r' : 'l'}`;
    if (!CORNERS.includes(this.corner)) this.corner = 'br';
    this.stage.dataset.pipCorner = this.corner;
    d.tile.classList.remove('is-dragging');
    d.tile.style.left = '';
    d.tile.style.top = '';
  }
}
