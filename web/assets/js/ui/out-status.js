// What everyone sees of recording and the livestream: the indicator in the header on every
// screen ("● Recording", "● Live", in words, with who started it and since when, and the last
// change, in its details) and the pre-join notice. Renders; decides nothing.

import { formatTime } from '../i18n.js';

const $ = (id) => document.getElementById(id);
export const OUT_LABEL = { recording: 'out.recording', streaming: 'out.live' };

/** A line of the details: who started a running one and since when, or how the last one ended. */
export function outLine(t, what, o) {
  if (o.active) {
    const time = o.since ? formatTime(o.since) : '';
    return o.started_by ? t(`out.since_by.${what}`, { name: o.started_by, time }) : t(`out.since.${what}`, { time });
  }
  if (!o.stopped_at) return '';
  const time = formatTime(o.stopped_at);
  if (o.stopped_by) return t(`out.stopped_by.${what}`, { name: o.stopped_by, time });
  const reason = o.reason === 'disk_full' || o.reason === 'empty' ? o.reason : 'failed';
  return t(`out.ended.${reason}.${what}`, { time });
}

export class OutStatus {
  constructor({ t }) {
    this.t = t;
    this.root = $('out-status');
    this.summary = $('out-status-summary');
    this.details = $('out-status-details');
    this.notice = $('prejoin-out-notice');
    this.noticeText = $('prejoin-out-text');
  }

  /**
   * states: {recording, streaming} as session.js outFrom gives them (in the meeting), or flags
   * {recording: bool, streaming: bool} from room_status (before joining, no names).
   */
  render(states) {
    const t = this.t;
    const on = (what) => states && (states[what] === true || states[what]?.active === true);
    const active = Object.keys(OUT_LABEL).filter(on);
    this.root.hidden = !active.length;
    this.summary.replaceChildren(...active.map((what) => {
      const item = document.createElement('span');
      item.className = `out-status__item out-status__item--${what}`;
      const dot = document.createElement('span');
      dot.className = 'out-status__dot';
      dot.setAttribute('aria-hidden', 'true');
      dot.textContent = '●';
      item.append(dot, ` ${t(OUT_LABEL[what])}`);
      return item;
    }));
    this.summary.title = t('out.details');
    const lines = Object.keys(OUT_LABEL)
      .map((what) => (states && typeof states[what] === 'object' ? outLine(t, what, states[what]) : ''))
      .filter(Boolean);
    if (!lines.length && active.length) lines.push(t('out.prejoin_details'));
    this.details.replaceChildren(...lines.map((text) => {
      const p = document.createElement('p');
      p.textContent = text;
      return p;
    }));
    if (!active.length) this.root.open = false;
  }

  /** The pre-join screen's notice, before "Join now": {recording, streaming} flags. */
  renderNotice(flags) {
    const rec = !!flags?.recording;
    const live = !!flags?.streaming;
    const key = rec && live ? 'out.notice_both' : rec ? 'out.notice_recording' : live ? 'out.notice_streaming' : '';
    this.notice.hidden = !key;
    this.noticeText.textContent = key ? this.t(key) : '';
  }
}
