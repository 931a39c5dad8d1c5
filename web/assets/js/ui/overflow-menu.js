// "More" on phones: the control bar keeps the five most used controls (microphone, camera, hand,
// chat, leave) and this button; the others (screen share where the browser has it, reactions,
// people, polls, breakout groups when shown, settings) are buttons in this menu, with the same words as in the bar. Each item
// presses the bar's own button, so both do exactly the same. Escape or a click elsewhere closes
// it, focus back on "More". Just above phone width, "More" holds the groups and the layout settings;
// on wide screens the button is not shown (everything fits the bar).

import { icon } from './icons.js';

const $ = (id) => document.getElementById(id);
const ITEMS = ['ctl-screen', 'ctl-react', 'ctl-people', 'ctl-polls', 'ctl-breakout', 'ctl-more'];

export class OverflowMenu {
  constructor() {
    this.button = $('ctl-overflow');
    this.menu = $('overflow-menu');
    this.button.addEventListener('click', () => (this.menu.hidden ? this.open() : this.close()));
    this.menu.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') { ev.preventDefault(); ev.stopPropagation(); this.close(true); }
    });
    document.addEventListener('pointerdown', (ev) => {
      if (!this.menu.hidden && !this.menu.contains(ev.target) && !this.button.contains(ev.target)) this.close();
    });
    // A waiting person in the lobby shows on "More" too, since "People" is inside it.
    for (const id of ['people-badge', 'polls-badge']) {
      new MutationObserver(() => this.badge()).observe($(id), { attributes: true, childList: true, subtree: true });
    }
  }

  get isOpen() {
    return !this.menu.hidden;
  }

  build() {
    // what the bar does not show at this width (on phones all of ITEMS; just above, some)
    const items = ITEMS.map((id) => $(id)).filter((b) => b && !b.hidden && getComputedStyle(b).display === 'none');
    this.menu.replaceChildren(...items.map((orig) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'overflow-menu__item';
      b.dataset.for = orig.id;
      b.append(icon(orig.id === 'ctl-more' ? 'layout' : orig.querySelector('[data-icon]')?.dataset.icon || 'more'));
      const label = document.createElement('span');
      label.textContent = orig.querySelector('.control__label')?.textContent || '';
      b.append(label);
      const badge = orig.querySelector('.control__badge');
      if (badge && !badge.hidden) {
        const n = document.createElement('span');
        n.className = 'overflow-menu__badge';
        n.textContent = badge.textContent;
        b.append(n);
        b.setAttribute('aria-label', orig.getAttribute('aria-label') || label.textContent);
      }
      b.addEventListener('click', () => { this.close(); orig.click(); });
      return b;
    }));
  }

  open() {
    this.build();
    this.menu.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    this.menu.querySelector('button')?.focus();
  }

  close(focusButton = false) {
    if (this.menu.hidden) return;
    this.menu.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
    if (focusButton) this.button.focus();
  }

  badge() {
    const shown = ['people-badge', 'polls-badge'].map((id) => $(id)).filter((b) => !b.hidden);
    $('overflow-badge').hidden = !shown.length;
    $('overflow-badge').textContent = shown.length ? shown[0].textContent : '';
  }
}
