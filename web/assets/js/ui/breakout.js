// The breakout panel. Hosts: the groups (how many, their names, whether participants choose),
// who goes where (a select per person, or at random), a time limit and "Open"; while open each
// group with its members (move by a select, join, back to the main room), a message to all and
// "Close" with a countdown. Guests: their group, the groups to choose from, "Call the host".
// Plain labelled controls only, so Tab, Enter and Space do everything.

import { GROUPS_MAX, NAME_BYTES_MAX, MINUTES_MAX, CLOSE_SECONDS_MAX, TEXT_BYTES_MAX, everyone, groupName,
  namesProblem, textProblem, secondsLeft } from '../room/breakout.js';

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(text, className, onClick, key) {
  const b = el('button', `button button--small ${className}`, text);
  b.type = 'button';
  b.dataset.focusKey = key;
  b.addEventListener('click', onClick);
  return b;
}

/** A labelled field: <label for> and the control; key names it for focus after a re-render. */
function field(label, control, key, hint) {
  const wrap = el('div', 'breakout__field');
  control.id = `breakout-${key}`;
  control.dataset.focusKey = key;
  const l = el('label', 'breakout__label', label);
  l.htmlFor = control.id;
  wrap.append(l, control);
  if (hint) {
    const h = el('p', 'breakout__hint', hint);
    h.id = `${control.id}-hint`;
    control.setAttribute('aria-describedby', h.id);
    wrap.append(h);
  }
  return wrap;
}

function numberInput(value, min, max, onInput) {
  const i = el('input', 'input input--small breakout__number');
  Object.assign(i, { type: 'number', min: String(min), max: String(max), step: '1', value: String(value) });
  i.inputMode = 'numeric';
  i.addEventListener('input', () => onInput(i.value));
  return i;
}

function section(title, key) {
  const s = el('section', 'breakout__section');
  const h = el('h3', 'people__heading', title);
  h.id = `breakout-h-${key}`;
  s.setAttribute('aria-labelledby', h.id);
  s.append(h);
  return s;
}

export class BreakoutPanel {
  /** t: strings; run(what, ...args) -> Promise<bool> (room/breakout.js); isHost(), selfId(): the session's. */
  constructor({ t, run, isHost, selfId }) {
    Object.assign(this, { t, run, isHost, selfId });
    this.body = document.getElementById('breakout-body');
    this.b = null;
    // What the host is typing survives the re-renders that every change of the groups brings.
    this.draft = { count: 2, names: [], allowChoose: false, minutes: 15, closeSeconds: 30, text: '', fromServer: '' };
    this.error = '';
  }

  /** The group names in the form: the host's own, else the server's, else "Gruppe n" / "Room n". */
  names() {
    const d = this.draft;
    return Array.from({ length: d.count }, (_, i) => d.names[i] ?? this.t('breakout.default_name', { n: i + 1 }));
  }

  /** Takes the server's groups into the form while the host has not changed it since. */
  adopt(b) {
    const key = JSON.stringify([b.groups.map((g) => g.name), b.allowChoose]);
    if (!b.groups.length || key === this.draft.fromServer) return;
    this.draft.fromServer = key;
    this.draft.count = b.groups.length;
    this.draft.names = b.groups.map((g) => g.name);
    this.draft.allowChoose = b.allowChoose;
  }

  render(b = this.b) {
    if (!b) return;
    if (this.b && this.b.state !== b.state) this.error = '';
    this.b = b;
    const inside = this.body.contains(document.activeElement);
    const focused = inside ? document.activeElement.dataset.focusKey : undefined;
    const caret = inside ? document.activeElement.selectionStart ?? null : null;
    this.adopt(b);
    const host = this.isHost();
    const active = b.state === 'open' || b.state === 'closing';
    const parts = host ? (active ? this.hostOpen(b) : this.hostPlan(b)) : this.guest(b);
    this.body.replaceChildren(...parts);
    if (!inside) return;
    const again = focused && this.body.querySelector(`[data-focus-key="${focused}"]`);
    if (again) {
      again.focus();
      if (caret !== null && typeof again.setSelectionRange === 'function' && again.type !== 'number') {
        try { again.setSelectionRange(caret, caret); } catch { /* not a text field */ }
      }
    } else {
      // The control is gone with the view (Open, Join): the panel's heading keeps the place.
      const title = document.getElementById('breakout-title');
      title.setAttribute('tabindex', '-1');
      title.focus();
    }
  }

  /** Only the countdowns change each second; the rest of the panel stays as it is. */
  tick() {
    const b = this.b;
    const out = this.body.querySelector('[data-breakout-time]');
    if (b && out) out.textContent = this.timeText(b);
  }

  timeText(b) {
    const t = this.t;
    if (b.state === 'closing') return t('breakout.closing_in', { count: secondsLeft(b.closingAtMs) });
    if (b.endsAtMs) return t('breakout.time_left', { count: Math.ceil(secondsLeft(b.endsAtMs) / 60) });
    return t('breakout.no_limit');
  }

  errorLine() {
    const p = el('p', 'field__error breakout__error', this.error ? this.t(`breakout.error.${this.error}`) : '');
    p.id = 'breakout-form-error';
    p.setAttribute('role', 'alert');
    p.hidden = !this.error;
    return p;
  }

  // ---- hosts, before opening ----------------------------------------------------------------

  hostPlan(b) {
    const t = this.t;
    const d = this.draft;
    const groups = section(t('breakout.groups_title'), 'groups');
    groups.append(field(t('breakout.count_label'), numberInput(d.count, 1, GROUPS_MAX, (v) => {
      const n = Math.floor(Number(v));
      if (n >= 1 && n <= GROUPS_MAX && n !== d.count) { d.count = n; this.render(); }
    }), 'count'));
    this.names().forEach((name, i) => {
      const input = el('input', 'input input--small');
      Object.assign(input, { type: 'text', value: name, maxLength: NAME_BYTES_MAX, autocomplete: 'off' });
      input.addEventListener('input', () => { d.names = this.names(); d.names[i] = input.value; });
      groups.append(field(t('breakout.name_label', { n: i + 1 }), input, `name-${i}`));
    });
    const choose = el('input');
    choose.type = 'checkbox';
    choose.checked = d.allowChoose;
    choose.addEventListener('change', () => { d.allowChoose = choose.checked; });
    const row = field(t('breakout.allow_choose'), choose, 'allow-choose');
    row.classList.add('breakout__check');
    groups.append(row, this.errorLine(),
      button(t(b.state === 'planned' ? 'breakout.update' : 'breakout.create'), 'button--secondary', () => this.setup(), 'setup'));
    if (b.state !== 'planned') return [el('p', 'breakout__intro', t('breakout.intro')), groups];
    return [groups, this.assignSection(b), this.openSection()];
  }

  async setup() {
    const names = this.names().map((n) => n.trim());
    this.error = namesProblem(names);
    if (!this.error && await this.run('setup', names, this.draft.allowChoose)) this.draft.fromServer = '';
    this.render();
  }

  /** A select "group for NAME": the main room and each group; change() gets the group's id. */
  groupSelect(b, person, labelKey, change) {
    const t = this.t;
    const s = el('select', 'input select input--small');
    const options = [[0, t('breakout.main_room')], ...b.groups.map((g) => [g.id, g.name])];
    for (const [id, name] of options) {
      const o = el('option', '', name);
      o.value = String(id);
      o.selected = id === person.group;
      s.append(o);
    }
    s.addEventListener('change', () => change(Number(s.value)));
    return field(t(labelKey, { name: person.name }), s, `${labelKey}-${person.id}`);
  }

  assignSection(b) {
    const t = this.t;
    const s = section(t('breakout.assign_title'), 'assign');
    const people = everyone(b);
    s.append(button(t('breakout.random'), 'button--secondary', () => this.run('random'), 'random'));
    if (!people.length) s.append(el('p', 'breakout__hint', t('breakout.nobody')));
    for (const p of people) s.append(this.groupSelect(b, p, 'breakout.group_for', (g) => this.run('assign', p.id, g)));
    return s;
  }

  openSection() {
    const t = this.t;
    const d = this.draft;
    const s = section(t('breakout.open_title'), 'open');
    s.append(field(t('breakout.minutes_label'), numberInput(d.minutes, 0, MINUTES_MAX, (v) => { d.minutes = v; }), 'minutes',
      t('breakout.minutes_hint')));
    s.append(button(t('breakout.open'), 'button--primary', () => this.run('open', d.minutes), 'open'),
      button(t('breakout.cancel'), 'button--secondary', () => this.run('cancel'), 'cancel'));
    return s;
  }

  // ---- hosts, while open ----------------------------------------------------------------------

  hostOpen(b) {
    const t = this.t;
    const d = this.draft;
    const status = el('p', 'breakout__status', this.timeText(b));
    status.dataset.breakoutTime = '';
    const parts = [status];
    const me = this.selfId();
    const people = everyone(b);
    for (const g of [{ id: 0, name: t('breakout.main_room') }, ...b.groups]) {
      const members = people.filter((p) => p.group === g.id);
      const s = section(t('breakout.group_count', { group: g.name, count: members.length }), `group-${g.id}`);
      if (g.id !== b.yourGroup) {
        const join = button(g.id ? t('breakout.join') : t('breakout.return'), 'button--secondary', () => this.run('join', g.id), `join-${g.id}`);
        join.setAttribute('aria-label', g.id ? t('breakout.join_named', { group: g.name }) : t('breakout.return'));
        s.append(join);
      } else {
        s.append(el('p', 'breakout__hint', t('breakout.you_here')));
      }
      const list = el('ul', 'people__list');
      for (const p of members) {
        const li = el('li', 'breakout__member');
        if (p.id === me) li.append(el('span', 'people__name', t('people.you', { name: p.name })));
        else li.append(this.groupSelect(b, p, 'breakout.move_name', (to) => this.run('move', p.id, to)));
        list.append(li);
      }
      s.append(list);
      parts.push(s);
    }
    const msg = section(t('breakout.broadcast_title'), 'broadcast');
    const text = el('textarea', 'input chat__input');
    text.rows = 2;
    text.value = d.text;
    text.maxLength = TEXT_BYTES_MAX;
    text.addEventListener('input', () => { d.text = text.value; });
    msg.append(field(t('breakout.broadcast_label'), text, 'text'), this.errorLine(),
      button(t('breakout.broadcast_send'), 'button--primary', () => this.broadcast(), 'send'));
    parts.push(msg);
    if (b.state === 'open') {
      const close = section(t('breakout.close_title'), 'close');
      close.append(field(t('breakout.close_label'), numberInput(d.closeSeconds, 0, CLOSE_SECONDS_MAX, (v) => { d.closeSeconds = v; }),
        'seconds', t('breakout.close_hint')));
      close.append(button(t('breakout.close'), 'button--danger', () => this.run('close', d.closeSeconds), 'close'));
      parts.push(close);
    }
    return parts;
  }

  async broadcast() {
    this.error = textProblem(this.draft.text);
    if (!this.error && await this.run('broadcast', this.draft.text)) this.draft.text = '';
    this.render();
  }

  // ---- guests ---------------------------------------------------------------------------------

  guest(b) {
    const t = this.t;
    if (b.state !== 'open' && b.state !== 'closing') return [el('p', 'breakout__intro', t('breakout.none_open'))];
    const status = el('p', 'breakout__status', this.timeText(b));
    status.dataset.breakoutTime = '';
    const where = el('p', 'breakout__where', b.yourGroup ? t('breakout.you_in', { group: groupName(b, b.yourGroup) }) : t('breakout.you_main'));
    const parts = [where, status];
    if (b.yourGroup && b.state === 'open') parts.push(button(t('breakout.call_host'), 'button--primary', () => this.run('callHost'), 'call'));
    if (b.allowChoose && b.state === 'open') {
      const s = section(t('breakout.choose_title'), 'choose');
      const list = el('ul', 'people__list');
      for (const g of [{ id: 0, name: t('breakout.main_room'), count: null }, ...b.groups]) {
        const li = el('li', 'people__row');
        li.append(el('span', 'people__name', g.count === null ? g.name : t('breakout.group_count', { group: g.name, count: g.count })));
        if (g.id === b.yourGroup) li.append(el('span', 'badge', t('breakout.you_here')));
        else {
          const join = button(t('breakout.join'), 'button--secondary', () => this.run('join', g.id), `join-${g.id}`);
          join.setAttribute('aria-label', g.id ? t('breakout.join_named', { group: g.name }) : t('breakout.return'));
          li.append(join);
        }
        list.append(li);
      }
      s.append(list);
      parts.push(s);
    }
    return parts;
  }
}
