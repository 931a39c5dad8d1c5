// The invite card on the stage while nobody else is in the meeting: the link (readonly, to read
// or select), "Copy link" and, where the browser has a system share sheet (phones),
// "Share link". Copying that fails selects the link and says how to copy it by hand. The card
// goes away when somebody joins and comes back when one is alone again, unless it was closed.

import { copyText } from './controls.js';

const $ = (id) => document.getElementById(id);

export class InviteCard {
  /** link(): the meeting link; alone(): whether nobody else is here; title(): the room's name. */
  constructor({ t, link, alone, title }) {
    this.t = t;
    this.link = link;
    this.alone = alone;
    this.title = title;
    this.root = $('invite-card');
    this.field = $('invite-link');
    this.status = $('invite-status');
    this.share = $('invite-share');
    this.closed = false;
    this.active = false;
    $('invite-copy').addEventListener('click', () => this.copy());
    this.share.addEventListener('click', () => this.shareLink());
    $('invite-close').addEventListener('click', () => {
      this.closed = true;
      this.update();
      $('ctl-chat').focus();
    });
  }

  /** Shows or hides the card for the meeting's state (active: in the meeting and joined). */
  update(active = this.active) {
    this.active = active;
    const show = active && !this.closed && this.alone();
    if (show && this.root.hidden) {
      this.field.value = this.link();
      this.status.textContent = '';
    }
    this.root.hidden = !show;
    this.share.hidden = typeof navigator.share !== 'function';
  }

  /** A new meeting: the card may show again. */
  reset() {
    this.closed = false;
    this.update(false);
  }

  async copy() {
    const link = this.link();
    this.field.value = link;
    if (await copyText(link)) {
      this.say(this.t('invite.copied'));
      return;
    }
    // No clipboard: the link is selected, ready for Ctrl+C or the phone's own copy menu.
    this.field.focus();
    this.field.select();
    this.say(this.t('invite.select_hint'));
  }

  async shareLink() {
    try {
      await navigator.share({ title: this.title(), text: this.t('invite.share_text', { room: this.title() }), url: this.link() });
    } catch (err) {
      if (err?.name !== 'AbortError') this.copy();
    }
  }

  say(text) {
    this.status.textContent = '';
    setTimeout(() => { this.status.textContent = text; }, 50);
  }

  relabel() {
    if (!this.root.hidden) this.field.value = this.link();
  }
}
