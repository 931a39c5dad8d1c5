// The breakout banner above the stage, for everyone while groups are open: "You are in Gruppe 1"
// with the time left (or the closing countdown in seconds), "Call the host", "Choose a group"
// where allowed, and for hosts "Manage groups". Below it the host's message to all groups, shown
// until dismissed and read out at once (an assertive live region that stays in the page).

import { groupName, secondsLeft } from '../room/breakout.js';
import { icon } from './icons.js';

const $ = (id) => document.getElementById(id);

export class BreakoutBanner {
  /** run(what, ...args): room/breakout.js; openPanel(): the breakout panel; isHost(): the session's; announce(text): a toast and the live region. */
  constructor({ t, run, openPanel, isHost, announce }) {
    Object.assign(this, { t, run, openPanel, isHost, announce });
    this.box = $('breakout-banner');
    this.where = $('breakout-where');
    this.time = $('breakout-time');
    this.call = $('breakout-call');
    this.choose = $('breakout-choose');
    this.manage = $('breakout-manage');
    this.news = $('breakout-broadcast');
    this.b = null;
    this.timer = 0;
    this.call.addEventListener('click', async () => {
      if (await this.run('callHost')) this.announce(this.t('breakout.host_called'));
    });
    this.choose.addEventListener('click', () => this.openPanel());
    this.manage.addEventListener('click', () => this.openPanel());
    this.onTick = null;   // the panel's countdown follows the same clock
  }

  render(b) {
    this.b = b;
    const t = this.t;
    const active = b.state === 'open' || b.state === 'closing';
    this.box.hidden = !active;
    clearInterval(this.timer);
    this.timer = 0;
    if (!active) return;
    const group = groupName(b, b.yourGroup);
    this.where.textContent = group ? t('breakout.you_in', { group }) : t('breakout.you_main');
    this.box.dataset.group = String(b.yourGroup);
    this.box.classList.toggle('is-closing', b.state === 'closing');
    const host = this.isHost();
    this.call.hidden = host || !b.yourGroup || b.state !== 'open';
    this.choose.hidden = host || !b.allowChoose || b.state !== 'open';
    this.manage.hidden = !host;
    this.tick();
    if (b.state === 'closing' || b.endsAtMs) this.timer = setInterval(() => this.tick(), 1000);
  }

  tick() {
    const b = this.b;
    const t = this.t;
    if (b.state === 'closing') {
      this.time.textContent = t('breakout.closing_in', { count: secondsLeft(b.closingAtMs) });
    } else if (b.endsAtMs) {
      const s = secondsLeft(b.endsAtMs);
      this.time.textContent = t('breakout.time_left_clock', { time: `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` });
    } else {
      this.time.textContent = '';
    }
    this.time.hidden = !this.time.textContent;
    this.onTick?.();
  }

  /** The host's message to all groups: visible until dismissed, read out at once. */
  message(text, from) {
    const t = this.t;
    const card = document.createElement('div');
    card.className = 'breakout-broadcast__card';
    card.append(icon('info', 'icon breakout-broadcast__icon'));
    const body = document.createElement('div');
    body.className = 'breakout-broadcast__body';
    const head = document.createElement('strong');
    head.textContent = from ? t('breakout.message_from', { name: from }) : t('breakout.message');
    const p = document.createElement('p');
    p.className = 'breakout-broadcast__text';
    p.textContent = text;
    body.append(head, p);
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'icon-button breakout-broadcast__close';
    close.setAttribute('aria-label', t('breakout.message_dismiss'));
    close.title = t('breakout.message_dismiss');
    close.append(icon('close'));
    close.addEventListener('click', () => card.remove());
    card.append(body, close);
    this.news.replaceChildren(card);
  }

  clear() {
    clearInterval(this.timer);
    this.timer = 0;
    this.news.replaceChildren();
    this.box.hidden = true;
  }
}
