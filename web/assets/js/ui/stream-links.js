// The hosts' "Stream links" dialog: the WHIP address and token for the council chamber's encoder
// (OBS, a hardware encoder) and the public live page, each with a copy button. The links come from
// the server (`stream_links`) each time the dialog opens; they work for 12 hours.

import { copyText } from './controls.js';

const $ = (id) => document.getElementById(id);
const FIELDS = ['stream-whip-url', 'stream-whip-token', 'stream-live-page'];

export class StreamLinks {
  /** session(): the current Session or null; announce(text): the polite live region. */
  constructor({ t, session, announce }) {
    this.t = t;
    this.session = session;
    this.announce = announce;
    this.dialog = $('stream-dialog');
    $('open-stream-links').addEventListener('click', () => this.open());
    $('stream-dialog-close').addEventListener('click', () => this.dialog.close());
    for (const id of FIELDS) $(`${id}-copy`).addEventListener('click', () => this.copy(id));
  }

  async open() {
    const err = $('stream-dialog-error');
    err.hidden = true;
    for (const id of FIELDS) $(id).value = '';
    $('stream-expires').textContent = '';
    this.dialog.showModal();
    try {
      const links = await this.session().request('stream_links', {});
      $('stream-whip-url').value = links.whip.url;
      $('stream-whip-token').value = links.whip.token;
      $('stream-live-page').value = links.live_page;
      const until = new Date(links.whip.expires * 1000);
      $('stream-expires').textContent = this.t('stream.expires', {
        time: until.toLocaleString(document.documentElement.lang || undefined, { dateStyle: 'short', timeStyle: 'short' }),
      });
    } catch (e) {
      err.textContent = this.t(e.code === 'rate_limited' ? 'stream.error.rate_limited' : 'stream.error.generic');
      err.hidden = false;
    }
  }

  async copy(id) {
    const field = $(id);
    if (!field.value) return;
    if (await copyText(field.value)) {
      this.announce(this.t('stream.copied'));
    } else {
      field.focus();
      field.select();
      this.announce(this.t('stream.copy_by_hand'));
    }
  }
}
