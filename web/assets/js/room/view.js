// What the meeting shows of the session's state: the self tile, the control bar (toggles, share,
// hand, unread chat, open polls, host badge, breakout groups), the participant count, the people panel with the lobby, and the
// room dialog. Reads app.ui and the session; changes nothing but the DOM.

import { renderToggle } from '../ui/controls.js';
import { screenShareSupported } from '../media.js';

const $ = (id) => document.getElementById(id);

export function createView(app) {
  const { t, ui } = app;

  const handPos = (id) => (ui.session?.hands.indexOf(id) ?? -1) + 1;

  function self() {
    const m = ui.media;
    const s = ui.session;
    ui.grid?.setSelf({
      name: ui.name, audioMuted: !m.audioOn, videoOff: !m.videoOn, track: m.video,
      host: s?.isHost ?? false, hand: s ? handPos(s.participantId) : 0,
    });
  }

  /** A toggle named by its action (see renderToggle): the state shows in its colour, not in aria-pressed. */
  function pressed(button, on, labelKey, key) {
    button.removeAttribute('aria-pressed');
    button.dataset.on = String(on);
    button.classList.toggle('is-active', on);
    button.querySelector('.control__label').textContent = t(labelKey);
    button.title = t('controls.shortcut', { action: t(labelKey), key });
  }

  function controls() {
    const m = ui.media;
    const s = ui.session;
    if (!m) return;
    renderToggle($('ctl-mic'), 'audio', m.audioOn, t, !m.errors.audio);
    renderToggle($('ctl-cam'), 'video', m.videoOn, t, !m.errors.video);
    $('ctl-screen').hidden = !screenShareSupported();
    pressed($('ctl-screen'), !!ui.screen, ui.screen ? 'controls.screen_stop' : 'controls.screen', 'S');
    const raised = !!s && s.hands.includes(s.participantId);
    pressed($('ctl-hand'), raised, raised ? 'controls.hand_lower' : 'controls.hand', 'H');
    $('ctl-chat').title = t('controls.shortcut', { action: t('controls.chat_title'), key: 'C' });
    $('ctl-people').title = t('controls.shortcut', { action: t('controls.people_title'), key: 'P' });
    $('ctl-polls').title = t('controls.shortcut', { action: t('controls.polls_title'), key: 'O' });
    $('ctl-more').title = t('controls.more_title');
    $('ctl-react').title = t('controls.react_title');
    $('ctl-leave').title = t('controls.leave_title');
    $('role-badge').hidden = !(s?.isHost);
    // Breakout groups: hosts always (to plan them), the others while groups are open.
    const groups = ['open', 'closing'].includes(ui.breakout?.state);
    $('ctl-breakout').hidden = !(s?.isHost || groups);
    $('ctl-breakout').title = t('controls.breakout_title');
    unread(ui.chat?.unread ?? 0);
  }

  function unread(n) {
    const badge = $('chat-unread');
    badge.hidden = !n;
    badge.textContent = n > 99 ? '99+' : String(n);
    const label = t('controls.chat');
    $('ctl-chat').setAttribute('aria-label', n ? `${label}, ${t('chat.unread', { count: n })}` : label);
  }

  /** n: running polls this participant has not voted in. */
  function pollsBadge(n) {
    const badge = $('polls-badge');
    badge.hidden = !n;
    badge.textContent = String(n);
    const label = t('controls.polls');
    $('ctl-polls').setAttribute('aria-label', n ? `${label}, ${t('polls.open_count', { count: n })}` : label);
  }

  function count() {
    const n = (ui.session?.participants.size ?? 0) + 1;
    $('participant-count-text').textContent = t('meeting.participants', { count: n });
  }

  function people() {
    const s = ui.session;
    if (!s || !ui.people) return;
    const me = s.participantId !== null ? {
      ...(s.self || {}), id: s.participantId, name: ui.name, role: s.role,
      audio_muted: !ui.media.audioOn, video_muted: !ui.media.videoOn, screen: !!ui.screen,
      quality: app.quality?.ownLevel() ?? null,
    } : null;
    const participants = [...s.participants.values()];
    const lobby = s.isHost ? s.lobby : [];
    ui.people.render({ self: me, participants, hands: s.hands, lobby, isHost: s.isHost, roomState: s.roomState });
    ui.chat?.setParticipants(participants.map((p) => ({ id: p.id, name: p.name })));
    const badge = $('people-badge');
    badge.hidden = !lobby.length;
    badge.textContent = String(lobby.length);
    $('ctl-people').setAttribute('aria-label', lobby.length
      ? `${t('controls.people')}, ${t('lobby.waiting', { count: lobby.length })}` : t('controls.people'));
    $('role-badge').hidden = !s.isHost;
    self();
  }

  function all() {
    self();
    controls();
    count();
    people();
    app.roomDialog.render();
  }

  /** Says something at once (being muted by a host): the assertive live region. */
  function assertive(text) {
    const el = $('announcer-assertive');
    el.textContent = '';
    setTimeout(() => { el.textContent = text; }, 50);
  }

  return { handPos, self, controls, unread, pollsBadge, count, people, all, assertive };
}
