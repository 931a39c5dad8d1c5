// The meeting's session listeners as one table (session event → handler): joins and leaves,
// roles, hands, the lobby for hosts, chat and reactions, moderation, the password guard, rate
// limits, reconnects and the ends of a meeting. room.js subscribes each entry.

import { reactionKey } from '../ui/reactions.js';

// Which notice a rate_limited answer gets; chat shows its own error under the input.
const RATE_LIMITED = { raise_hand: 'hand', lower_hand: 'hand', reaction: 'reaction', media_state: 'media', set_music: 'music' };

export function sessionListeners(app, session) {
  const { t, ui, toasts, view } = app;
  const nameOf = (id) => (id === session.participantId ? t('people.you_plain') : session.participants.get(id)?.name);

  function joined({ room }) {
    ui.room = room;
    document.getElementById('meeting-room').textContent = ui.title || room;
    if (app.screens.current !== 'meeting') app.screens.show('meeting');
    if (ui.everJoined) toasts.show(t('conn.restored'), { kind: 'ok', key: 'conn', timeoutMs: 3000 });
    else toasts.dismiss('conn');
    const first = !ui.everJoined;
    ui.everJoined = true;
    ui.quietUntil = Date.now() + 1000;
    if (ui.screen) session.local.screen = ui.screen;
    setTimeout(() => {
      const count = (ui.session?.participants.size ?? 0) + 1;
      if (first) toasts.announce(t('announce.self_joined', { room: ui.title || ui.room, count }));
    }, 1000);
    view.all();
    app.actions.scheduleVideoPrefs(true);
  }

  function participantLeft(p, reason) {
    // A mover hears "moved" for everyone of the old group, then a join for everyone of the new one.
    if (reason === 'moved') ui.quietUntil = Date.now() + 1500;
    ui.grid.remove(p.id);
    view.count();
    view.people();
    // Only joins right after our own are summed up; a departure is always read out. Someone moved
    // to another breakout group did not leave the meeting: the breakout banner tells the mover.
    if (reason === 'reconnect' || reason === 'moved') return;
    toasts.announce(t(reason === 'removed' ? 'announce.removed_other' : 'announce.left', { name: p.name }));
  }

  function hands(queue) {
    const before = ui.handsBefore || [];
    for (const id of queue) {
      const who = nameOf(id);
      if (!before.includes(id) && who && id !== session.participantId) {
        toasts.announce(t('announce.hand_raised', { name: who, position: queue.indexOf(id) + 1 }));
      }
    }
    if (before.includes(session.participantId) && !queue.includes(session.participantId)) toasts.announce(t('announce.hand_lowered_self'));
    ui.handsBefore = [...queue];
    ui.grid.setHands(queue, session.participantId);
    view.controls();
    view.people();
  }

  /** The lobby list changed (snapshot, knock or departure); new knocks are told to hosts. */
  function lobby(waiting) {
    const before = ui.lobbyBefore || [];
    const fresh = waiting.filter((w) => !before.some((b) => b.lobby_id === w.lobby_id));
    ui.lobbyBefore = waiting.map((w) => ({ ...w }));
    if (fresh.length && session.isHost) {
      const text = fresh.length === 1 ? t('announce.knock', { name: fresh[0].name }) : t('announce.knock_many', { count: fresh.length });
      toasts.show(text, {
        kind: 'info', key: 'lobby', timeoutMs: 15000,
        action: { label: t('lobby.show'), run: () => app.panels.open('people') },
      });
      toasts.announce(text);
    }
    view.people();
  }

  function roomState(state) {
    view.people();
    app.roomDialog.render();
    if (state.music && ui.offerMusic && !ui.media?.music && ui.state !== 'lobby') {
      ui.offerMusic = false;
      toasts.show(t('music.offer'), {
        kind: 'info', key: 'music', timeoutMs: 20000,
        action: { label: t('music.turn_on'), run: () => app.actions.setMusic(true) },
      });
    }
  }

  function reaction({ id, emoji }) {
    const self = id === session.participantId;
    ui.grid.showReaction(self ? null : id, emoji);
    const key = reactionKey(emoji);
    const name = nameOf(id);
    if (name && key && !self) toasts.announce(t('announce.reaction', { name, reaction: t(`reactions.${key}`) }));
  }

  function unmuteRequested(by) {
    const text = t('moderation.unmute_requested', { name: session.participants.get(by)?.name || t('role.host') });
    toasts.show(text, {
      kind: 'info', key: 'unmute', timeoutMs: 30000,
      action: { label: t('controls.mic_on'), run: () => { if (!ui.media.audioOn) app.actions.toggle('audio'); } },
    });
    toasts.announce(text);
  }

  /** Hosts: wrong room passwords. The first guesses after none get a toast (a polite live region). */
  function passwordGuard(g) {
    app.roomDialog.render();
    if (!app.roomDialog.guard.isNews(g)) return;
    toasts.show(t('guard.alert', { count: g.failures }), {
      kind: 'warn', key: 'guard', timeoutMs: 15000,
      action: { label: t('guard.show'), run: () => app.roomDialog.open() },
    });
  }

  function rateLimited(method) {
    const what = RATE_LIMITED[method];
    if (what) toasts.show(t(`rate_limited.${what}`), { kind: 'info', key: 'rate-limited', timeoutMs: 6000 });
  }

  function ended(kind) {
    app.teardownMeeting();
    ui.state = 'ended';
    const key = kind === 'removed' ? 'removed' : 'ended';
    app.screens.message(`ended.${key}.title`, `ended.${key}.text`, { rejoin: false });
    toasts.announce(document.getElementById('left-title').textContent);
  }

  return {
    state: (s) => { if (['joining', 'joined', 'password', 'lobby'].includes(s)) ui.state = s; },
    password: (code, message) => app.askPassword(code, message),
    'lobby-waiting': (lobbyId, reason) => { ui.state = 'lobby'; app.lobbyWait.show(reason); },
    'lobby-admitted': () => toasts.announce(t('lobby.admitted')),
    'lobby-denied': (reason) => app.lobbyWait.denied(reason),
    joined,
    reconnecting: () => toasts.show(t('conn.reconnecting'), { kind: 'warn', timeoutMs: 0, key: 'conn' }),
    'participant-joined': (p) => {
      ui.grid.upsert(p, view.handPos(p.id));
      ui.grid.setMedia(p.id, session.tracksOf(p.id));
      view.count();
      view.people();
      if (Date.now() > ui.quietUntil) toasts.announce(t('announce.joined', { name: p.name }));
    },
    'participant-updated': (p, before) => {
      ui.grid.upsert(p, view.handPos(p.id));
      view.people();
      if (before && before.role !== 'host' && p.role === 'host') toasts.announce(t('announce.now_host', { name: p.name }));
    },
    'participant-left': participantLeft,
    'self-updated': (self, before) => {
      if (before && before.role !== self.role) {
        const text = t(self.role === 'host' ? 'announce.you_host' : 'announce.you_guest');
        toasts.show(text, { kind: 'info', key: 'role' });
        toasts.announce(text);
      }
      view.all();
    },
    media: (id, tracks) => ui.grid.setMedia(id, tracks),
    'media-problem': (which) => toasts.show(t(`media_problem.${which}`), { kind: 'warn', key: 'media', timeoutMs: 10000 }),
    room: roomState,
    hands,
    lobby,
    chat: (msg) => ui.chat.add(msg),
    reaction,
    'active-speaker': (id) => ui.grid.setActiveSpeaker(id),
    'muted-by-host': (source) => app.actions.mutedByHost(source),
    'unmute-requested': unmuteRequested,
    'password-guard': passwordGuard,
    'rate-limited': rateLimited,
    ended,
    fatal: (code) => { app.teardownMeeting(); app.fail(code); },
  };
}
