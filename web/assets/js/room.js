// The meeting page (/<room>) as a controller: pre-join (with the room password when asked), the
// lobby, the meeting and its end. It owns the page state (ui) and wires the session's events
// (room/events.js), the controls (room/actions.js), the views (room/view.js) and the dialogs (ui/).

import { initI18n, t, bindLanguageSelect, onLanguageChange } from './i18n.js';
import { SignalingClient, defaultUrl } from './protocol.js';
import { LocalMedia } from './media.js';
import { Session } from './session.js';
import { normalizeRoom, roomProblem, roomTitle, roomLink, titleFromHash } from './names.js';
import { takeLinkParams, takeToken, tokenClaims } from './link.js';
import { Prejoin } from './ui/prejoin.js';
import { Grid } from './ui/grid.js';
import { Toasts } from './ui/toasts.js';
import { Chat } from './ui/chat.js';
import { People } from './ui/people.js';
import { PollsPanel } from './ui/polls.js';
import { bindShortcuts, copyText } from './ui/controls.js';
import { applyIcons } from './ui/icons.js';
import { Screens } from './ui/screens.js';
import { Panels } from './ui/panels.js';
import { ReactionPicker } from './ui/reactions.js';
import { SettingsDialog } from './ui/settings-dialog.js';
import { RoomDialog } from './ui/room-dialog.js';
import { StreamLinks } from './ui/stream-links.js';
import { LobbyWait } from './ui/lobby-wait.js';
import { askPassword } from './ui/password-screen.js';
import { applySiteLinks, applyBrand, siteInfo } from './site.js';
import { createQuality } from './room/quality.js';
import { installDebugHook } from './room/debug-hook.js';
import { createView } from './room/view.js';
import { createActions } from './room/actions.js';
import { sessionListeners } from './room/events.js';
import { firstMeetingListeners } from './room/first-meeting.js';
import { InviteCard } from './ui/invite-card.js';
import { Notices } from './ui/notices.js';
import { MutedHint } from './ui/muted-hint.js';
import { LeaveDialog } from './ui/leave-dialog.js';
import { OverflowMenu } from './ui/overflow-menu.js';
import { TileMenu } from './ui/tile-menu.js';
import { SelfOverlay } from './ui/self-overlay.js';
import { MediaOptions } from './ui/media-options.js';
import { embed } from './embed.js';
import { embedCommands } from './room/embed-commands.js';
import { createOut } from './room/out.js';
import { createPolls } from './room/polls.js';
import { createBreakout } from './room/breakout.js';
import { BreakoutPanel } from './ui/breakout.js';
import { BreakoutBanner } from './ui/breakout-banner.js';
import { createE2ee } from './room/e2ee.js';

// An invitation link's token leaves the address bar first; it lives in this module's memory only.
const linkToken = takeToken();
const site = await siteInfo();
await initI18n(site.language, { site: site.name });
applyIcons(document);
for (const s of document.querySelectorAll('[data-lang-select]')) bindLanguageSelect(s);
applySiteLinks();
applyBrand();

const $ = (id) => document.getElementById(id);
const ui = {
  state: 'idle',      // idle | prejoin | joining | password | lobby | joined | left | ended | error
  room: roomFromPath(location.pathname),
  title: null,        // the room's name as typed ("Elternabend Klasse 3b"), from the link's #t=
  simulcast: true,
  name: '',
  password: null,
  media: null,
  session: null,
  grid: null,
  chat: null,
  people: null,
  prejoin: null,
  screen: null,       // own screen-share track
  audioOnly: false,
  everJoined: false,  // in this meeting: decides between "cannot reach" and "connection lost"
  quietUntil: 0,      // joins arriving right after our own join are summed up, not read one by one
  busy: { audio: false, video: false, screen: false, music: false },
  prefsTimer: 0,
  lastPrefs: '',
  offerMusic: true,
  handsBefore: [],
  lobbyBefore: [],
};

// The page's parts; each reaches the others through `app` when it runs, never at import.
const app = { t, ui, toasts: new Toasts($('toasts'), $('announcer')) };
app.e2ee = createE2ee(app);   // takes #e2ee= out of the address bar before anything else reads it
app.screens = new Screens({ t, room: () => ui.room });
app.view = createView(app);
app.actions = createActions(app);
app.quality = createQuality(app);
app.polls = createPolls(app);
app.panels = new Panels({
  onOpen: (which) => {
    if (which === 'chat') ui.chat?.opened();
    else if (which === 'polls') app.toasts.dismiss('poll');
    else if (which === 'breakout') app.breakout.render();
    else app.view.people();
  },
  onLayout: () => ui.grid?.layoutSoon(),
});
app.reactions = new ReactionPicker({ t, onPick: (emoji) => app.actions.react(emoji) });
app.settings = new SettingsDialog({
  t,
  state: () => ({
    mode: ui.grid?.mode ?? 'auto', music: !!ui.media?.music, audioOnly: ui.audioOnly,
    videoDeviceId: ui.media?.videoDeviceId, audioDeviceId: ui.media?.audioDeviceId, sinkId: ui.grid?.sinkId,
  }),
  actions: {
    layout: (mode) => ui.grid?.setMode(mode),
    device: (kind, id) => app.actions.useDevice(kind, id),
    speaker: (id) => app.actions.useSpeaker(id),
    music: (on) => app.actions.setMusic(on),
    audioOnly: (on) => app.actions.setAudioOnly(on),
  },
});
app.roomDialog = new RoomDialog({ t, session: () => ui.session, announce: (text) => app.toasts.announce(text) });
app.streamLinks = new StreamLinks({ t, session: () => ui.session, announce: (text) => app.toasts.announce(text) });
app.lobbyWait = new LobbyWait({
  t, screens: app.screens, toasts: app.toasts,
  cancel: () => ui.session?.leave(),
  onEnd: () => { teardownMeeting(); ui.state = 'left'; },
});
app.invite = new InviteCard({
  t, link: () => roomLink(location.origin, ui.room, ui.title, app.e2ee.passphrase), title: () => ui.title || ui.room,
  // a host alone in the main room while the others are in breakout groups is not alone
  alone: () => (ui.session?.participants.size ?? 0) === 0 && !['open', 'closing'].includes(ui.breakout?.state),
});
app.notices = new Notices({ container: $('notices'), openChat: () => app.panels.open('chat') });
app.mutedHint = new MutedHint({
  track: () => (ui.state === 'joined' && ui.media && !ui.media.audioOn ? ui.media.audio : null),
  show: () => app.toasts.show(t('muted_hint.text'), {
    kind: 'info', key: 'muted-hint', timeoutMs: 8000,
    action: { label: t('controls.mic_on'), run: () => { if (!ui.media?.audioOn) app.actions.toggle('audio'); } },
  }),
  hide: () => app.toasts.dismiss('muted-hint'),
});
app.leaveDialog = new LeaveDialog({ t, session: () => ui.session, leave: () => leave(), count: () => (ui.session?.participants.size ?? 0) + 1 });
app.overflow = new OverflowMenu();
app.tileMenu = new TileMenu({
  t, pinned: () => ui.grid?.pinned ?? null,
  pin: (id) => {
    ui.grid?.setPinned(id);
    app.tileMenu.relabel();
    app.actions.scheduleVideoPrefs(true);
    const name = id === null ? '' : ui.session?.participants.get(id)?.name;
    app.toasts.announce(id === null ? t('tile_menu.unpinned') : t('tile_menu.pinned', { name }));
  },
});
app.selfOverlay = new SelfOverlay($('stage'));
app.mediaOptions = new MediaOptions({
  t, media: () => ui.media, grid: () => ui.grid, announce: (text) => app.toasts.announce(text),
  replaced: async (kind) => { await ui.session?.replaceTrack(kind, ui.media[kind]); app.view.self(); },
});
app.out = createOut(app, { leave: () => leave() });
app.breakout = createBreakout(app);
app.breakoutPanel = new BreakoutPanel({
  t, run: app.breakout.run, isHost: () => !!ui.session?.isHost, selfId: () => ui.session?.participantId ?? null,
});
app.breakoutBanner = new BreakoutBanner({
  t, run: app.breakout.run, isHost: () => !!ui.session?.isHost, openPanel: () => app.panels.open('breakout'),
  announce: (text) => { app.toasts.show(text, { kind: 'ok', key: 'breakout', timeoutMs: 5000 }); app.toasts.announce(text); },
});
app.breakoutBanner.onTick = () => app.breakoutPanel.tick();
app.teardownMeeting = teardownMeeting;
app.fail = fail;
app.askPassword = onPasswordNeeded;

installDebugHook(ui);

/** The room's human name: the link's #t=, else the address as typed (/Elternabend Klasse 3b). */
function titleFromLocation() {
  let typed = '';
  try { typed = decodeURIComponent(location.pathname.slice(1)); } catch { /* malformed: none */ }
  return roomTitle(titleFromHash(location.hash) || typed, ui.room);
}

function roomFromPath(path) {
  try {
    return normalizeRoom(decodeURIComponent(path.slice(1)));
  } catch {
    return path.slice(1); // malformed escapes: roomProblem() reports it
  }
}

function fail(code) {
  ui.state = 'error';
  app.screens.failure(code);
}

// ---- pre-join -------------------------------------------------------------------------------

async function start() {
  ui.title = titleFromLocation();
  document.title = t('meeting.page_title', { room: ui.title || ui.room });
  $('meeting-room').textContent = ui.title || ui.room;
  if (roomProblem(ui.room)) {
    fail('room_name_invalid');
    return;
  }
  // A link only prefills the name: it never joins, never turns a device on by itself and never
  // brings a password; the query leaves the address bar here (the language was read already).
  const link = takeLinkParams(ui.room);
  ui.simulcast = link.simulcast;
  if (link.ignored.length) console.info('plenum: link parameters ignored:', link.ignored.join(', '));
  // The human name stays in the fragment (never sent to the server, so never in its logs).
  if (ui.title && titleFromHash(location.hash) !== ui.title) history.replaceState(null, '', roomLink('', ui.room, ui.title));
  ui.media = new LocalMedia();
  // A token's name is the one the server will use: the field shows it
  const tokenName = typeof tokenClaims(linkToken).name === 'string' ? tokenClaims(linkToken).name.trim() : '';
  await showPrejoin(tokenName || link.name || embed.params.name);
}

async function showPrejoin(name = '') {
  app.screens.show('prejoin');
  if (!ui.prejoin) {
    ui.prejoin = new Prejoin({ t, media: ui.media, room: ui.title || ui.room, name, onJoin: onPrejoinSubmit });
    app.e2ee.bind();
  }
  ui.prejoin.media = ui.media;
  app.out.watch(ui.room);   // the notice before "Join now": recorded or streamed now?
  await ui.prejoin.show();
  if (ui.state === 'idle') ui.state = 'prejoin';
  return ui.prejoin;
}

function onPrejoinSubmit(name, password) {
  const s = ui.session;
  if (!(s && s.state === 'password') && !app.e2ee.ready()) return;   // a passphrase first, or no way in
  ui.prejoin.hide();
  if (s && s.state === 'password') {
    // Answering the room's password question: the connection is open, try again.
    ui.name = name;
    ui.password = password;
    s.retryJoin({ password, name });
    ui.state = 'joining';
    app.screens.show('meeting');
    return;
  }
  enterMeeting(name, password);
}

async function onPasswordNeeded(code, message) {
  ui.state = 'password';
  await askPassword({
    prejoin: ui.prejoin, showPrejoin, screens: app.screens, toasts: app.toasts, name: ui.name, code, message,
  });
  ui.state = 'password';
}

// ---- the meeting ----------------------------------------------------------------------------

async function enterMeeting(name, password = null) {
  Object.assign(ui, { name, password: password || null, state: 'joining', everJoined: false, offerMusic: true });
  const e2ee = await app.e2ee.start();   // the room's key, derived here; null for a meeting in the clear
  app.screens.show('meeting');
  ui.grid = new Grid($('stage'), {
    t, onAutoplayBlocked, audioSink: $('audio-sink'),
    onVideoSizes: () => app.actions.scheduleVideoPrefs(),
    onLayout: (layout) => app.toasts.announce(t(`announce.layout_${layout}`)),
    onTile: (tile) => app.tileMenu.attach(tile),
    onTileRemoved: (tile) => app.tileMenu.detach(tile),
  });
  app.mediaOptions.apply();
  app.view.self();
  app.view.controls();
  app.view.count();

  const signaling = new SignalingClient(defaultUrl());
  const m = ui.media;
  const session = new Session({
    signaling, room: ui.room, name, password: ui.password, simulcast: ui.simulcast,
    token: linkToken || null, tokenExp: Number(tokenClaims(linkToken).exp) || null, e2ee,
    local: { audio: m.audio, video: m.video, audioMuted: !m.audioOn, videoMuted: !m.videoOn, music: m.music },
  });
  ui.session = session;
  app.quality.attach(session);
  ui.chat = new Chat({
    t,
    send: (text, to) => session.request('chat_send', to === null ? { text } : { text, to }),
    selfId: () => session.participantId,
    announce: (text) => app.toasts.announce(text),
    onUnread: app.view.unread,
  });
  ui.people = new People({
    t,
    act: (method, params) => session.request(method, params),
    toast: (text) => app.toasts.show(text, { kind: 'warn', key: 'host' }),
  });
  app.view.people();
  app.polls.attach(new PollsPanel({
    t, polls: app.polls,
    announce: (text) => app.toasts.announce(text),
    notify: (text, action) => app.toasts.show(text, { kind: 'info', key: 'poll', timeoutMs: action ? 12000 : 5000, action }),
    openPanel: () => app.panels.open('polls'),
  }));

  signaling.on('close', ({ delayMs }) => {
    if (ui.state === 'ended' || ui.state === 'left') return;
    const seconds = Math.max(1, Math.round(delayMs / 1000));
    app.toasts.show(t(ui.everJoined ? 'conn.lost' : 'conn.unreachable', { seconds }), { kind: 'warn', timeoutMs: 0, key: 'conn' });
  });
  for (const [event, handler] of Object.entries(sessionListeners(app, session))) session.on(event, handler);
  for (const [event, handler] of Object.entries(firstMeetingListeners(app, session))) session.on(event, handler);
  for (const [event, handler] of Object.entries(app.out.listeners())) session.on(event, handler);
  for (const [event, handler] of Object.entries(app.polls.listeners())) session.on(event, handler);
  for (const [event, handler] of Object.entries(app.breakout.listeners())) session.on(event, handler);
  session.on('room', (state) => app.e2ee.badge(state));
  app.mutedHint.start();
  embed.attach(session);
  session.start();
}

function onAutoplayBlocked() {
  app.toasts.show(t('audio.blocked'), {
    kind: 'info', timeoutMs: 0, key: 'autoplay',
    action: { label: t('audio.enable'), run: () => ui.grid?.resumeAudio() },
  });
}

// ---- leaving --------------------------------------------------------------------------------

function teardownMeeting() {
  clearTimeout(ui.prefsTimer);
  ui.lastPrefs = '';
  app.quality.detach();
  if (ui.screen) { ui.screen.stop(); ui.screen = null; }
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
  app.panels.open(null);
  app.polls.detach();
  app.reactions.close();
  app.overflow.close();
  app.tileMenu.close();
  app.mutedHint.stop();
  app.invite.reset();
  app.notices.clear();
  ui.grid?.clear();
  ui.grid = null;
  ui.media?.stop();
  ui.handsBefore = [];
  ui.lobbyBefore = [];
  app.toasts.clear();
  app.out.render();
  app.breakout.reset();
  app.e2ee.stop();
  app.e2ee.badge(null);
}

async function leave() {
  if (!ui.session) return;
  await ui.session.leave();
  teardownMeeting();
  ui.state = 'left';
  app.screens.message('left.title', 'left.text');
  $('rejoin').focus();
}

/** "Join again" after leaving: the same devices, switched as they were, and the same name. */
async function rejoin() {
  const before = ui.media;
  ui.media = new LocalMedia({
    audioOn: before?.audioOn ?? true, videoOn: before?.videoOn ?? true,
    audioDeviceId: before?.audioDeviceId, videoDeviceId: before?.videoDeviceId, music: before?.music ?? false,
  });
  await ui.media.start();
  enterMeeting(ui.name, ui.password);
}

// ---- wiring ---------------------------------------------------------------------------------

onLanguageChange(() => {
  document.title = t('meeting.page_title', { room: ui.title || ui.room });
  applyIcons(document);
  app.invite.relabel();
  app.tileMenu.relabel();
  app.reactions.build();
  ui.grid?.relabel();
  ui.chat?.relabel();
  app.polls.relabel();
  if (ui.session) app.view.all();
  app.quality.relabel();
  app.out.relabel();
  app.breakout.render();
  if (ui.prejoin && !$('prejoin').hidden) {
    ui.prejoin.render();
    app.e2ee.render();
  }
  app.screens.relabel();
});

const inMeeting = () => ui.state === 'joining' || ui.state === 'joined';
const a = app.actions;
$('ctl-mic').addEventListener('click', () => a.toggle('audio'));
$('ctl-cam').addEventListener('click', () => a.toggle('video'));
$('ctl-screen').addEventListener('click', () => a.toggleScreen());
$('ctl-hand').addEventListener('click', () => a.toggleHand());
$('ctl-leave').addEventListener('click', () => app.leaveDialog.request());
$('rejoin').addEventListener('click', rejoin);
$('retry').addEventListener('click', () => location.reload());
$('join-as-guest').addEventListener('click', () => location.reload());   // the token is gone from the address
$('ctl-invite').addEventListener('click', async () => {
  const link = roomLink(location.origin, ui.room, ui.title, app.e2ee.passphrase);
  const ok = await copyText(link);
  app.toasts.show(ok ? t('invite.copied') : t('invite.manual', { link }), { kind: ok ? 'ok' : 'info', key: 'invite', timeoutMs: ok ? 3000 : 15000 });
});
document.addEventListener('keydown', (ev) => {
  if (ev.key !== 'Escape' || document.querySelector('dialog[open]')) return;
  if (app.reactions.isOpen) app.reactions.close(true);
  else if (app.panels.current && inMeeting()) app.panels.closeToButton();
});
bindShortcuts(inMeeting, {
  m: () => a.toggle('audio'),
  v: () => a.toggle('video'),
  h: () => a.toggleHand(),
  c: () => app.panels.toggle('chat'),
  s: () => a.toggleScreen(),
  p: () => app.panels.toggle('people'),
  o: () => app.panels.toggle('polls'),
  '?': () => $('shortcuts-dialog').showModal(),
});
window.addEventListener('pagehide', () => ui.session?.stop());
// In another site's iframe (embed.js): its commands press the same buttons; joining stays the visitor's click.
embed.start(embedCommands(app, { leave, inMeeting }));

start().catch((err) => {
  console.error('plenum: start failed', err);
  fail('generic');
});
