// The people panel: who is here (with host badge, microphone and hand), the hand queue, the lobby
// (hosts admit or deny, one or all), and per participant the host's actions (mute microphone,
// stop camera, ask to unmute, make host, lower hand, remove) as a disclosure of plain buttons, so
// everything works with Tab, Enter and Space.

import { qualityBadge } from './quality.js';

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(text, className, onClick) {
  const b = el('button', `button button--small ${className}`, text);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

export class People {
  /** act(method, params) -> Promise (host methods); toast(text) shows an error. */
  constructor({ t, act, toast }) {
    this.t = t;
    this.act = act;
    this.toast = toast;
    this.list = document.getElementById('people-list');
    this.handsSection = document.getElementById('hands-section');
    this.handsList = document.getElementById('hands-list');
    this.lobbySection = document.getElementById('lobby-section');
    this.lobbyList = document.getElementById('lobby-list');
    this.lobbyTitle = document.getElementById('lobby-title');
    this.participantsTitle = document.getElementById('participants-title');
    this.hostSection = document.getElementById('host-section');
    this.roomStateText = document.getElementById('room-state-text');
    this.expanded = null;  // participant id whose host actions are open
    this.data = { self: null, participants: [], hands: [], lobby: [], isHost: false, roomState: {} };
    document.getElementById('lobby-admit-all').onclick = () => this.run('lobby_admit', { all: true });
    document.getElementById('lobby-deny-all').onclick = () => this.run('lobby_deny', { all: true });
  }

  async run(method, params) {
    try {
      await this.act(method, params);
    } catch (err) {
      const known = ['forbidden', 'not_found', 'rate_limited', 'disconnected'];
      this.toast(this.t(`host.error.${known.includes(err.code) ? err.code : 'generic'}`));
    }
  }

  /** data: {self: {id, name, role, audio_muted}, participants: [...], hands: [ids], lobby: [...], isHost, roomState}. */
  render(data = this.data) {
    this.data = data;
    const t = this.t;
    const { self, participants, hands, lobby, isHost, roomState } = data;
    const nameOf = (id) => (self && id === self.id ? t('people.you', { name: self.name }) : participants.find((p) => p.id === id)?.name ?? '?');

    // Lobby (hosts)
    this.lobbySection.hidden = !isHost || !lobby.length;
    this.lobbyTitle.textContent = t('lobby.waiting', { count: lobby.length });
    this.lobbyList.replaceChildren(...lobby.map((w) => {
      const li = el('li', 'people__row');
      li.append(el('span', 'people__name', w.name));
      const actions = el('span', 'people__actions');
      const admit = button(t('lobby.admit'), 'button--primary', () => this.run('lobby_admit', { lobby_id: w.lobby_id }));
      admit.setAttribute('aria-label', t('lobby.admit_name', { name: w.name }));
      const deny = button(t('lobby.deny'), 'button--secondary', () => this.run('lobby_deny', { lobby_id: w.lobby_id }));
      deny.setAttribute('aria-label', t('lobby.deny_name', { name: w.name }));
      actions.append(admit, deny);
      li.append(actions);
      return li;
    }));

    // Hands in queue order
    this.handsSection.hidden = !hands.length;
    this.handsList.replaceChildren(...hands.map((id) => {
      const li = el('li', 'people__row');
      li.append(el('span', 'people__name', nameOf(id)));
      if (isHost || (self && id === self.id)) {
        const lower = button(t('hands.lower'), 'button--secondary', () => this.run('lower_hand', self && id === self.id ? {} : { id }));
        lower.setAttribute('aria-label', t('hands.lower_name', { name: nameOf(id) }));
        li.append(lower);
      }
      return li;
    }));

    // Everybody
    const all = self ? [self, ...participants] : participants;
    this.participantsTitle.textContent = t('people.in_meeting', { count: all.length });
    const focusedAction = document.activeElement?.dataset?.personAction;
    this.list.replaceChildren(...all.map((p) => this.row(p, hands, isHost, self)));
    if (focusedAction) this.list.querySelector(`[data-person-action="${focusedAction}"]`)?.focus();

    // Room state (hosts)
    this.hostSection.hidden = !isHost;
    const bits = [];
    if (roomState.has_password) bits.push(t('host.state.password'));
    if (roomState.lobby) bits.push(t('host.state.lobby'));
    if (roomState.locked) bits.push(t('host.state.locked'));
    if (roomState.music) bits.push(t('host.state.music'));
    this.roomStateText.textContent = bits.length ? bits.join(' · ') : t('host.state.open');
  }

  row(p, hands, isHost, self) {
    const t = this.t;
    const isSelf = self && p.id === self.id;
    const li = el('li', 'people__person');
    const line = el('div', 'people__row');
    const name = el('span', 'people__name', isSelf ? t('people.you', { name: p.name }) : p.name);
    line.append(name);
    const tags = el('span', 'people__tags');
    if (p.role === 'host') tags.append(el('span', 'badge', t('tile.host')));
    const pos = hands.indexOf(p.id) + 1;
    if (pos) tags.append(el('span', 'badge badge--hand', t('people.hand', { position: pos })));
    if (p.audio_muted) tags.append(el('span', 'badge badge--muted', t('people.muted')));
    if (p.screen) tags.append(el('span', 'badge', t('people.sharing')));
    if (p.quality) tags.append(qualityBadge(p.quality, t));
    line.append(tags);
    li.append(line);
    if (isHost && !isSelf) {
      const open = this.expanded === p.id;
      const toggle = button(t('host.manage'), 'button--secondary', () => {
        this.expanded = open ? null : p.id;
        this.render();
      });
      toggle.dataset.personAction = `${p.id}:toggle`;
      toggle.setAttribute('aria-expanded', String(open));
      toggle.setAttribute('aria-label', t('host.manage_name', { name: p.name }));
      const menuId = `host-actions-${p.id}`;
      toggle.setAttribute('aria-controls', menuId);
      line.append(toggle);
      const menu = el('div', 'people__menu');
      menu.id = menuId;
      menu.hidden = !open;
      const actions = [
        ['mute', t('host.mute_mic'), { id: p.id, source: 'microphone' }, !p.audio_muted],
        ['mute', t('host.stop_camera'), { id: p.id, source: 'camera' }, !p.video_muted],
        ['mute', t('host.stop_screen'), { id: p.id, source: 'screen' }, p.screen],
        ['ask_unmute', t('host.ask_unmute'), { id: p.id }, p.audio_muted],
        ['lower_hand', t('hands.lower'), { id: p.id }, pos > 0],
        ['make_host', t('host.make_host'), { id: p.id }, p.role !== 'host'],
        ['remove', t('host.remove'), { id: p.id }, true],
      ];
      for (const [method, label, params, show] of actions) {
        if (!show) continue;
        const b = button(label, method === 'remove' ? 'button--danger' : 'button--secondary', () => this.run(method, params));
        b.dataset.personAction = `${p.id}:${method}:${params.source || ''}`;
        b.setAttribute('aria-label', `${label}: ${p.name}`);
        menu.append(b);
      }
      li.append(menu);
    }
    return li;
  }
}
