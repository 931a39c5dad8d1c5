// The meeting page (/<room>): pre-join (with the room password when asked), the lobby, the
// meeting itself (layouts, chat, people and host controls, hands, reactions, screen sharing,
// music mode, devices), leaving, removal and the end of a meeting, and the read-only debug hook
// window.plenum for automated tests.

import { initI18n, t, bindLanguageSelect, onLanguageChange, language } from './i18n.js';
import { SignalingClient, defaultUrl } from './protocol.js';
import { LocalMedia, listDevices, captureScreen, screenShareSupported, speakerChoiceSupported, onDeviceChange } from './media.js';
import { Session } from './session.js';
import { normalizeRoom, roomProblem } from './names.js';
import { takeLinkParams } from './link.js';
import { Prejoin, deviceMessage } from './ui/prejoin.js';
import { Grid } from './ui/grid.js';
import { Toasts } from './ui/toasts.js';
import { Chat } from './ui/chat.js';
import { People } from './ui/people.js';
import { renderToggle, bindShortcuts, copyText } from './ui/controls.js';
import { applyIcons } from './ui/icons.js';
import { applySiteLinks } from './site.js';

await initI18n();
applyIcons(document);
for (const s of document.querySelectorAll('[data-lang-select]')) bindLanguageSelect(s);
applySiteLinks();

const REACTIONS = [['👍', 'thumbs_up'], ['👏', 'clap'], ['❤️', 'heart'], ['😂', 'laugh'], ['😮', 'surprised'], ['🎉', 'party']];
const $ = (id) => document.getElementById(id);
const toasts = new Toasts($('toasts'), $('announcer'));
const ui = {
  state: 'idle',      // idle | prejoin | joining | password | lobby | joined | left | ended | error
  room: roomFromPath(location.pathname),
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
  panel: null,        // 'chat' | 'people' | null
  leftKeys: null,     // {title, text, vars, rejoin} of the message screen, for a language switch
  failedCode: null,
  prefsTimer: 0,
  lastPrefs: '',
  offerMusic: true,
  chatCount: 0,
};

installDebugHook();

function roomFromPath(path) {
  try {
    return normalizeRoom(decodeURIComponent(path.slice(1)));
  } catch {
    return path.slice(1); // malformed escapes: roomProblem() reports it
  }
}

function installDebugHook() {
  const hook = {};
  const get = (fn) => ({ get: fn, enumerable: true });
  const s = () => ui.session;
  Object.defineProperties(hook, {
    state: get(() => ui.state),
    room: get(() => s()?.room ?? ui.room),
    participantId: get(() => s()?.participantId ?? null),
    participants: get(() => new Map([...(s()?.participants ?? new Map())].map(([id, p]) => [id, { ...p }]))),
    publishPc: get(() => s()?.publishPc ?? null),
    subscribePc: get(() => s()?.subscribePc ?? null),
    role: get(() => s()?.role ?? null),
    roomState: get(() => ({ ...(s()?.roomState ?? {}) })),
    hands: get(() => [...(s()?.hands ?? [])]),
    lobby: get(() => (s()?.lobby ?? []).map((w) => ({ ...w }))),
    layout: get(() => ui.grid?.layoutName ?? null),
    activeSpeaker: get(() => s()?.activeSpeaker ?? 0),
    videoPrefs: get(() => (s()?.videoPrefs ? JSON.parse(JSON.stringify(s().videoPrefs)) : null)),
    simulcast: get(() => s()?.simulcast ?? false),
    music: get(() => !!ui.media?.music),
    audioOnly: get(() => ui.audioOnly),
    sharing: get(() => !!ui.screen),
    language: get(() => language()),
  });
  Object.freeze(hook);
  Object.defineProperty(window, 'plenum', { value: hook, writable: false, configurable: false });
}

function showScreen(id) {
  for (const el of document.querySelectorAll('main.screen')) el.hidden = el.id !== id;
  document.body.dataset.screen = id;
  document.body.classList.toggle('page--dark', id === 'meeting');
  document.body.classList.toggle('page--light', id !== 'meeting');
  $('meeting-info').hidden = id !== 'meeting';
}

function showFailure(code) {
  ui.state = 'error';
  ui.failedCode = code;
  const known = ['room_name_invalid', 'display_name_invalid', 'room_full', 'unsupported_version', 'room_locked'];
  const key = known.includes(code) ? code : 'generic';
  $('failed-title').textContent = t(`failed.${key}.title`);
  $('failed-text').textContent = t(`failed.${key}.text`, { room: ui.room });
  $('retry').hidden = code !== 'room_full' && code !== 'room_locked';
  showScreen('failed');
  $('failed-title').focus?.();
}

/** The message screen after leaving, removal, the end of the meeting or a lobby refusal. */
function showMessage(title, text, { rejoin = true } = {}) {
  ui.leftKeys = { title, text, rejoin };
  $('left-title').textContent = t(title);
  $('left-text').textContent = t(text, { room: ui.room });
  $('rejoin').hidden = !rejoin;
  showScreen('left');
  $('left-title').focus();
}

// ---- pre-join -------------------------------------------------------------------------------

async function start() {
  document.title = t('meeting.page_title', { room: ui.room });
  $('meeting-room').textContent = ui.room;
  if (roomProblem(ui.room)) {
    showFailure('room_name_invalid');
    return;
  }
  // A link only prefills the name: it never joins, never turns a device on by itself and never
  // brings a password; the query leaves the address bar here (the language was read already).
  const link = takeLinkParams(ui.room);
  ui.simulcast = link.simulcast;
  if (link.ignored.length) console.info('plenum: link parameters ignored:', link.ignored.join(', '));
  ui.media = new LocalMedia();
  await showPrejoin(link.name);
}

async function showPrejoin(name = '') {
  showScreen('prejoin');
  if (!ui.prejoin) {
    ui.prejoin = new Prejoin({
      t, media: ui.media, room: ui.room, name,
      onJoin: (n, password) => onPrejoinSubmit(n, password),
    });
  }
  ui.prejoin.media = ui.media;
  await ui.prejoin.show();
  if (ui.state === 'idle') ui.state = 'prejoin';
}

function onPrejoinSubmit(name, password) {
  ui.prejoin.hide();
  const s = ui.session;
  if (s && s.state === 'password') {
    // Answering the room's password question: the connection is open, try again.
    ui.name = name;
    ui.password = password;
    s.retryJoin({ password, name });
    ui.state = 'joining';
    showScreen('meeting');
    return;
  }
  enterMeeting(name, password);
}

// ---- the meeting ----------------------------------------------------------------------------

function enterMeeting(name, password = null) {
  ui.name = name;
  ui.password = password || null;
  ui.state = 'joining';
  ui.everJoined = false;
  ui.offerMusic = true;
  showScreen('meeting');
  ui.grid = new Grid($('stage'), {
    t, onAutoplayBlocked, audioSink: $('audio-sink'),
    onVideoSizes: () => scheduleVideoPrefs(),
    onLayout: (name) => toasts.announce(t(`announce.layout_${name}`)),
  });
  renderSelf();
  renderControls();
  renderCount();

  const signaling = new SignalingClient(defaultUrl());
  const m = ui.media;
  const session = new Session({
    signaling, room: ui.room, name, password: ui.password, simulcast: ui.simulcast !== false,
    local: { audio: m.audio, video: m.video, audioMuted: !m.audioOn, videoMuted: !m.videoOn, music: m.music },
  });
  ui.session = session;
  ui.chat = new Chat({
    t,
    send: (text, to) => session.request('chat_send', to === null ? { text } : { text, to }),
    selfId: () => session.participantId,
    announce: (text) => toasts.announce(text),
    onUnread: renderUnread,
  });
  ui.people = new People({
    t,
    act: (method, params) => session.request(method, params),
    toast: (text) => toasts.show(text, { kind: 'warn', key: 'host' }),
  });
  renderPeople();

  signaling.on('close', ({ delayMs }) => {
    if (ui.state === 'ended' || ui.state === 'left') return;
    const seconds = Math.max(1, Math.round(delayMs / 1000));
    const text = ui.everJoined ? t('conn.lost', { seconds }) : t('conn.unreachable', { seconds });
    toasts.show(text, { kind: 'warn', timeoutMs: 0, key: 'conn' });
  });
  session.on('state', (s) => {
    if (['joining', 'joined', 'password', 'lobby'].includes(s)) ui.state = s;
  });
  session.on('password', (code, message) => onPasswordNeeded(code, message));
  session.on('lobby-waiting', () => {
    ui.state = 'lobby';
    toasts.clear();
    showScreen('lobby-wait');
    $('lobby-wait-title').focus();
    toasts.announce(t('lobby.wait_title'));
  });
  session.on('lobby-admitted', () => toasts.announce(t('lobby.admitted')));
  session.on('lobby-denied', (reason) => {
    teardownMeeting();
    ui.state = 'left';
    const key = ['denied', 'room_ended', 'room_locked'].includes(reason) ? reason : 'denied';
    showMessage(`lobby.denied.${key}.title`, `lobby.denied.${key}.text`, { rejoin: key !== 'room_ended' });
  });
  session.on('joined', ({ room }) => {
    ui.room = room;
    $('meeting-room').textContent = room;
    if (document.body.dataset.screen !== 'meeting') showScreen('meeting');
    if (ui.everJoined) toasts.show(t('conn.restored'), { kind: 'ok', key: 'conn', timeoutMs: 3000 });
    else toasts.dismiss('conn');
    const first = !ui.everJoined;
    ui.everJoined = true;
    ui.quietUntil = Date.now() + 1000;
    if (ui.screen) session.local.screen = ui.screen;
    setTimeout(() => {
      const count = (ui.session?.participants.size ?? 0) + 1;
      if (first) toasts.announce(t('announce.self_joined', { room: ui.room, count }));
    }, 1000);
    renderAll();
    scheduleVideoPrefs(true);
  });
  session.on('reconnecting', () => {
    toasts.show(t('conn.reconnecting'), { kind: 'warn', timeoutMs: 0, key: 'conn' });
  });
  session.on('participant-joined', (p) => {
    ui.grid.upsert(p, handPos(p.id));
    ui.grid.setMedia(p.id, session.tracksOf(p.id));
    renderCount();
    renderPeople();
    if (Date.now() > ui.quietUntil) toasts.announce(t('announce.joined', { name: p.name }));
  });
  session.on('participant-updated', (p, before) => {
    ui.grid.upsert(p, handPos(p.id));
    renderPeople();
    if (before && before.role !== 'host' && p.role === 'host') toasts.announce(t('announce.now_host', { name: p.name }));
  });
  session.on('participant-left', (p, reason) => {
    ui.grid.remove(p.id);
    renderCount();
    renderPeople();
    // Only joins right after our own are summed up; a departure is always read out.
    if (reason === 'reconnect') return;
    const key = reason === 'removed' ? 'announce.removed_other' : 'announce.left';
    toasts.announce(t(key, { name: p.name }));
  });
  session.on('self-updated', (self, before) => {
    if (before && before.role !== self.role) {
      const text = t(self.role === 'host' ? 'announce.you_host' : 'announce.you_guest');
      toasts.show(text, { kind: 'info', key: 'role' });
      toasts.announce(text);
    }
    renderAll();
  });
  session.on('media', (id, tracks) => ui.grid.setMedia(id, tracks));
  session.on('media-problem', (which) => {
    toasts.show(t(`media_problem.${which}`), { kind: 'warn', key: 'media', timeoutMs: 10000 });
  });
  session.on('room', (state) => {
    renderPeople();
    renderRoomDialog();
    if (state.music && ui.offerMusic && !ui.media?.music && ui.state !== 'lobby') {
      ui.offerMusic = false;
      toasts.show(t('music.offer'), {
        kind: 'info', key: 'music', timeoutMs: 20000,
        action: { label: t('music.turn_on'), run: () => setMusic(true) },
      });
    }
  });
  session.on('hands', (queue) => {
    const before = ui.handsBefore || [];
    for (const id of queue) {
      if (!before.includes(id)) {
        const who = id === session.participantId ? t('people.you_plain') : session.participants.get(id)?.name;
        if (who && id !== session.participantId) toasts.announce(t('announce.hand_raised', { name: who, position: queue.indexOf(id) + 1 }));
      }
    }
    if (before.includes(session.participantId) && !queue.includes(session.participantId)) toasts.announce(t('announce.hand_lowered_self'));
    ui.handsBefore = [...queue];
    ui.grid.setHands(queue, session.participantId);
    renderControls();
    renderPeople();
  });
  session.on('lobby', (waiting) => {
    const before = ui.lobbyBefore || [];
    const fresh = waiting.filter((w) => !before.some((b) => b.lobby_id === w.lobby_id));
    ui.lobbyBefore = waiting.map((w) => ({ ...w }));
    if (fresh.length && session.isHost) {
      const text = fresh.length === 1 ? t('announce.knock', { name: fresh[0].name }) : t('announce.knock_many', { count: fresh.length });
      toasts.show(text, {
        kind: 'info', key: 'lobby', timeoutMs: 15000,
        action: { label: t('lobby.show'), run: () => openPanel('people') },
      });
      toasts.announce(text);
    }
    renderPeople();
  });
  session.on('chat', (msg) => ui.chat.add(msg));
  session.on('reaction', ({ id, emoji }) => {
    const self = id === session.participantId;
    ui.grid.showReaction(self ? null : id, emoji);
    const name = self ? t('people.you_plain') : session.participants.get(id)?.name;
    const entry = REACTIONS.find(([e]) => e === emoji);
    if (name && entry && !self) toasts.announce(t('announce.reaction', { name, reaction: t(`reactions.${entry[1]}`) }));
  });
  session.on('active-speaker', (id) => ui.grid.setActiveSpeaker(id));
  session.on('muted-by-host', (source) => onMutedByHost(source));
  session.on('unmute-requested', (by) => {
    const host = session.participants.get(by)?.name || t('role.host');
    const text = t('moderation.unmute_requested', { name: host });
    toasts.show(text, {
      kind: 'info', key: 'unmute', timeoutMs: 30000,
      action: { label: t('controls.mic_on'), run: () => { if (!ui.media.audioOn) toggle('audio'); } },
    });
    toasts.announce(text);
  });
  session.on('ended', (kind) => {
    teardownMeeting();
    ui.state = 'ended';
    if (kind === 'removed') showMessage('ended.removed.title', 'ended.removed.text', { rejoin: false });
    else showMessage('ended.ended.title', 'ended.ended.text', { rejoin: false });
    toasts.announce($('left-title').textContent);
  });
  session.on('fatal', (code) => {
    teardownMeeting();
    showFailure(code);
  });
  session.start();
}

async function onPasswordNeeded(code, message) {
  ui.state = 'password';
  toasts.dismiss('conn');
  if (!ui.prejoin) {
    await showPrejoin();
  } else {
    showScreen('prejoin');
    ui.prejoin.root.hidden = false;
    ui.prejoin.render();
  }
  ui.state = 'password';
  ui.prejoin.nameInput.value = ui.name;
  ui.prejoin.askPassword(code, message);
  if (code !== 'password_required') toasts.announce($('password-error').textContent);
}

function onMutedByHost(source) {
  const s = ui.session;
  const m = ui.media;
  if (source === 'microphone' && m.audioOn) {
    m.setAudioOn(false).then(() => { s.setAudioMuted(true); renderSelf(); renderControls(); });
  } else if (source === 'camera' && m.videoOn) {
    toggle('video');
  } else if (source === 'screen' && ui.screen) {
    stopScreen();
  }
  const text = t(`moderation.muted.${source}`);
  toasts.show(text, { kind: 'warn', key: `muted-${source}`, timeoutMs: 8000 });
  assertive(text);
}

function assertive(text) {
  const el = $('announcer-assertive');
  el.textContent = '';
  setTimeout(() => { el.textContent = text; }, 50);
}

function handPos(id) {
  return (ui.session?.hands.indexOf(id) ?? -1) + 1;
}

function renderSelf() {
  const m = ui.media;
  const s = ui.session;
  ui.grid?.setSelf({
    name: ui.name, audioMuted: !m.audioOn, videoOff: !m.videoOn, track: m.video,
    host: s?.isHost ?? false, hand: s ? handPos(s.participantId) : 0,
  });
}

function renderControls() {
  const m = ui.media;
  const s = ui.session;
  if (!m) return;
  renderToggle($('ctl-mic'), 'audio', m.audioOn, t, !m.errors.audio);
  renderToggle($('ctl-cam'), 'video', m.videoOn, t, !m.errors.video);
  const share = $('ctl-screen');
  share.hidden = !screenShareSupported();
  share.setAttribute('aria-pressed', String(!!ui.screen));
  share.classList.toggle('is-active', !!ui.screen);
  share.querySelector('.control__label').textContent = t(ui.screen ? 'controls.screen_stop' : 'controls.screen');
  share.title = t('controls.shortcut', { action: t(ui.screen ? 'controls.screen_stop' : 'controls.screen'), key: 'S' });
  const raised = !!s && s.hands.includes(s.participantId);
  const hand = $('ctl-hand');
  hand.setAttribute('aria-pressed', String(raised));
  hand.classList.toggle('is-active', raised);
  hand.querySelector('.control__label').textContent = t(raised ? 'controls.hand_lower' : 'controls.hand');
  hand.title = t('controls.shortcut', { action: t(raised ? 'controls.hand_lower' : 'controls.hand'), key: 'H' });
  $('ctl-chat').title = t('controls.shortcut', { action: t('controls.chat_title'), key: 'C' });
  $('ctl-people').title = t('controls.shortcut', { action: t('controls.people_title'), key: 'P' });
  $('ctl-more').title = t('controls.more_title');
  $('ctl-react').title = t('controls.react_title');
  $('ctl-leave').title = t('controls.leave_title');
  $('role-badge').hidden = !(s?.isHost);
  renderUnread(ui.chat?.unread ?? 0);
}

function renderUnread(n) {
  const badge = $('chat-unread');
  badge.hidden = !n;
  badge.textContent = n > 99 ? '99+' : String(n);
  const label = t('controls.chat');
  $('ctl-chat').setAttribute('aria-label', n ? `${label}, ${t('chat.unread', { count: n })}` : label);
}

function renderCount() {
  const count = (ui.session?.participants.size ?? 0) + 1;
  $('participant-count-text').textContent = t('meeting.participants', { count });
}

function renderPeople() {
  const s = ui.session;
  if (!s || !ui.people) return;
  const self = s.participantId !== null ? {
    ...(s.self || {}), id: s.participantId, name: ui.name, role: s.role,
    audio_muted: !ui.media.audioOn, video_muted: !ui.media.videoOn, screen: !!ui.screen,
  } : null;
  const participants = [...s.participants.values()];
  ui.people.render({ self, participants, hands: s.hands, lobby: s.isHost ? s.lobby : [], isHost: s.isHost, roomState: s.roomState });
  ui.chat?.setParticipants(participants.map((p) => ({ id: p.id, name: p.name })));
  const badge = $('people-badge');
  const waiting = s.isHost ? s.lobby.length : 0;
  badge.hidden = !waiting;
  badge.textContent = String(waiting);
  $('ctl-people').setAttribute('aria-label', waiting ? `${t('controls.people')}, ${t('lobby.waiting', { count: waiting })}` : t('controls.people'));
  $('role-badge').hidden = !s.isHost;
  renderSelf();
}

function renderAll() {
  renderSelf();
  renderControls();
  renderCount();
  renderPeople();
  renderRoomDialog();
}

// ---- video preferences (simulcast layer and last-N per tile) ---------------------------------

function scheduleVideoPrefs(now = false) {
  clearTimeout(ui.prefsTimer);
  ui.prefsTimer = setTimeout(sendVideoPrefs, now ? 0 : 300);
}

function sendVideoPrefs() {
  const s = ui.session;
  if (!s || !ui.grid || s.participantId === null) return;
  const tiles = ui.grid.videoSizes();
  const prefs = ui.audioOnly
    ? { last_n: 0, tiles: tiles.map((x) => ({ ...x, height: x.source === 'screen' ? x.height : 0 })) }
    : { last_n: 50, tiles };
  const key = JSON.stringify(prefs);
  if (key === ui.lastPrefs) return;
  ui.lastPrefs = key;
  s.setVideoPrefs(prefs);
}

// ---- toggles --------------------------------------------------------------------------------

async function toggle(kind) {
  const m = ui.media;
  const s = ui.session;
  if (!m || !s || ui.busy[kind]) return;
  ui.busy[kind] = true;
  try {
    if (kind === 'audio') {
      const before = m.audio;
      const ok = await m.setAudioOn(!m.audioOn);
      if (m.audio !== before) await s.replaceTrack('audio', m.audio);
      s.setAudioMuted(!m.audioOn);
      if (!ok) toasts.show(deviceMessage({ audio: m.errors.audio || 'missing' }, t), { kind: 'warn', key: 'device' });
      toasts.announce(t(m.audioOn ? 'announce.mic_on' : 'announce.mic_off'));
    } else if (m.videoOn) {
      s.setVideoMuted(true);
      await m.setVideoOn(false);
      await s.replaceTrack('video', null);
      toasts.announce(t('announce.cam_off'));
    } else {
      const ok = await m.setVideoOn(true);
      if (ok) {
        await s.replaceTrack('video', m.video);
        s.setVideoMuted(false);
        toasts.announce(t('announce.cam_on'));
      } else {
        toasts.show(deviceMessage({ video: m.errors.video || 'missing' }, t), { kind: 'warn', key: 'device' });
      }
    }
  } finally {
    ui.busy[kind] = false;
  }
  renderSelf();
  renderControls();
  renderPeople();
}

async function toggleScreen() {
  const s = ui.session;
  if (!s || ui.busy.screen || !screenShareSupported()) return;
  if (ui.screen) return stopScreen();
  ui.busy.screen = true;
  let track = null;
  try {
    track = await captureScreen();
  } catch (err) {
    if (err && err.name !== 'NotAllowedError' && err.name !== 'AbortError') {
      toasts.show(t('screen.failed'), { kind: 'warn', key: 'screen' });
    }
  }
  if (!track) { ui.busy.screen = false; return; }
  ui.screen = track;
  track.addEventListener('ended', () => { if (ui.screen === track) stopScreen(); });
  ui.grid.setSelfScreen(track, ui.name);
  renderControls();
  try {
    await s.setScreen(track);
    toasts.announce(t('announce.screen_on'));
  } catch (err) {
    console.error('plenum: screen share failed', err);
    toasts.show(t('screen.failed'), { kind: 'warn', key: 'screen' });
    await stopScreen(true);
  } finally {
    ui.busy.screen = false;
  }
  renderPeople();
}

async function stopScreen(quiet = false) {
  const track = ui.screen;
  if (!track) return;
  ui.screen = null;
  track.stop();
  ui.grid?.setSelfScreen(null);
  renderControls();
  renderPeople();
  await ui.session?.setScreen(null).catch((err) => console.warn('plenum: stopping the share failed', err));
  if (!quiet) toasts.announce(t('announce.screen_off'));
}

async function toggleHand() {
  const s = ui.session;
  if (!s || s.participantId === null) return;
  const raised = s.hands.includes(s.participantId);
  try {
    await s.request(raised ? 'lower_hand' : 'raise_hand', {});
    toasts.announce(t(raised ? 'announce.hand_lowered_self' : 'announce.hand_raised_self'));
  } catch (err) {
    toasts.show(t('hands.failed'), { kind: 'warn', key: 'hand' });
  }
}

async function react(emoji) {
  const s = ui.session;
  if (!s || s.participantId === null) return;
  try {
    await s.request('reaction', { emoji });
  } catch (err) {
    toasts.show(t(err.code === 'rate_limited' ? 'reactions.rate_limited' : 'reactions.failed'), { kind: 'warn', key: 'reaction' });
  }
}

async function setMusic(on) {
  const m = ui.media;
  const s = ui.session;
  if (!m || ui.busy.music) return;
  ui.busy.music = true;
  try {
    const ok = await m.setMusic(on);
    if (!ok) {
      toasts.show(deviceMessage({ audio: m.errors.audio || 'missing' }, t), { kind: 'warn', key: 'device' });
    }
    if (s) {
      if (m.audio) m.audio.enabled = m.audioOn;
      await s.setMusic(on, m.audio);
    }
    toasts.announce(t(on ? 'announce.music_on' : 'announce.music_off'));
  } catch (err) {
    console.error('plenum: music mode failed', err);
    toasts.show(t('music.failed'), { kind: 'warn', key: 'music' });
  } finally {
    ui.busy.music = false;
  }
  $('set-music').checked = !!m.music;
  renderSelf();
}

async function setAudioOnly(on) {
  ui.audioOnly = on;
  ui.grid?.setAudioOnly(on);
  if (on && ui.media?.videoOn) await toggle('video');
  scheduleVideoPrefs(true);
  toasts.announce(t(on ? 'announce.audio_only_on' : 'announce.audio_only_off'));
}

// ---- panels and dialogs ---------------------------------------------------------------------

const PANELS = { chat: ['chat-panel', 'ctl-chat'], people: ['people-panel', 'ctl-people'] };

function openPanel(which) {
  for (const [name, [panelId, buttonId]] of Object.entries(PANELS)) {
    const open = name === which;
    $(panelId).hidden = !open;
    $(buttonId).setAttribute('aria-expanded', String(open));
    $(buttonId).classList.toggle('is-active', open);
  }
  ui.panel = which;
  document.body.classList.toggle('has-panel', !!which);
  if (which === 'chat') {
    ui.chat?.opened();
    $('chat-input').focus();
  } else if (which === 'people') {
    renderPeople();
    $('people-title').setAttribute('tabindex', '-1');
    $('people-title').focus();
  }
  ui.grid?.layoutSoon();
}

function togglePanel(which) {
  if (ui.panel === which) {
    openPanel(null);
    $(PANELS[which][1]).focus();
  } else {
    openPanel(which);
  }
}

function closeReactions(focusButton = false) {
  $('reactions').hidden = true;
  $('ctl-react').setAttribute('aria-expanded', 'false');
  if (focusButton) $('ctl-react').focus();
}

function buildReactions() {
  const box = $('reactions');
  box.replaceChildren(...REACTIONS.map(([emoji, key]) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'reactions__button';
    b.textContent = emoji;
    b.dataset.emoji = emoji;
    b.setAttribute('aria-label', t(`reactions.${key}`));
    b.title = t(`reactions.${key}`);
    b.addEventListener('click', () => { react(emoji); closeReactions(true); });
    return b;
  }));
}

async function openSettings() {
  const dlg = $('settings-dialog');
  for (const r of document.querySelectorAll('input[name="layout"]')) r.checked = r.value === (ui.grid?.mode ?? 'auto');
  $('set-music').checked = !!ui.media?.music;
  $('set-audio-only').checked = ui.audioOnly;
  await fillDeviceSelects();
  dlg.showModal();
}

async function fillDeviceSelects() {
  const devices = await listDevices();
  const m = ui.media;
  const fill = (select, list, current, numbered, none) => {
    select.replaceChildren();
    if (!list.length) {
      select.append(new Option(t(none), ''));
      select.disabled = true;
      return;
    }
    select.disabled = false;
    list.forEach((d, i) => select.append(new Option(d.label || t(numbered, { n: i + 1 }), d.deviceId, false, d.deviceId === current)));
  };
  fill($('set-cam'), devices.videoinput, m?.videoDeviceId, 'prejoin.camera_n', 'prejoin.no_camera');
  fill($('set-mic'), devices.audioinput, m?.audioDeviceId, 'prejoin.microphone_n', 'prejoin.no_microphone');
  $('set-speaker-field').hidden = !speakerChoiceSupported();
  fill($('set-speaker'), devices.audiooutput, ui.grid?.sinkId || 'default', 'settings.speaker_n', 'settings.no_speaker');
}

async function useDevice(kind, deviceId) {
  const m = ui.media;
  const s = ui.session;
  if (!m) return;
  const ok = await m.useDevice(kind, deviceId);
  if (!ok) {
    toasts.show(deviceMessage({ [kind]: m.errors[kind] || 'failed' }, t), { kind: 'warn', key: 'device' });
    return;
  }
  if (s) await s.replaceTrack(kind, m[kind]);  // replaceTrack: no renegotiation
  renderSelf();
  toasts.announce(t('announce.device_changed'));
}

function renderRoomDialog() {
  const s = ui.session;
  if (!s) return;
  const st = s.roomState;
  $('room-password-state').textContent = t(st.has_password ? 'host.password_on' : 'host.password_off');
  $('room-password-set').textContent = t(st.has_password ? 'host.password_change' : 'host.password_set');
  $('room-password-remove').hidden = !st.has_password;
  $('room-lobby').checked = !!st.lobby;
  $('room-locked').checked = !!st.locked;
  $('room-music').checked = !!st.music;
  if (!s.isHost && $('room-dialog').open) $('room-dialog').close();
}

async function hostRequest(method, params, after) {
  const err = $('room-dialog-error');
  err.hidden = true;
  try {
    await ui.session.request(method, params);
    if (after) after();
    return true;
  } catch (e) {
    const known = ['forbidden', 'not_found', 'rate_limited', 'bad_request', 'disconnected'];
    err.textContent = t(`host.error.${known.includes(e.code) ? e.code : 'generic'}`);
    err.hidden = false;
    renderRoomDialog();
    return false;
  }
}

function bindRoomDialog() {
  const dlg = $('room-dialog');
  $('open-room-settings').addEventListener('click', () => {
    renderRoomDialog();
    $('room-end-confirm').hidden = true;
    $('room-dialog-error').hidden = true;
    $('room-password-error').hidden = true;
    dlg.showModal();
  });
  $('room-dialog-close').addEventListener('click', () => dlg.close());
  $('room-password-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const pw = $('room-password').value;
    const perr = $('room-password-error');
    const len = new TextEncoder().encode(pw).length;
    if (len < 1 || len > 128) {
      perr.textContent = t('host.password_invalid');
      perr.hidden = false;
      $('room-password').focus();
      return;
    }
    perr.hidden = true;
    await hostRequest('set_password', { password: pw }, () => {
      $('room-password').value = '';
      toasts.announce(t('host.password_saved'));
    });
  });
  $('room-password-remove').addEventListener('click', () => hostRequest('set_password', { password: null },
    () => { toasts.announce(t('host.password_removed')); $('room-password').focus(); }));
  $('room-lobby').addEventListener('change', (e) => hostRequest('set_lobby', { enabled: e.target.checked }));
  $('room-locked').addEventListener('change', (e) => hostRequest('set_locked', { locked: e.target.checked }));
  $('room-music').addEventListener('change', (e) => hostRequest('set_room_music', { enabled: e.target.checked }));
  $('room-mute-all').addEventListener('click', () => hostRequest('mute_all', {}, () => toasts.announce(t('host.muted_all'))));
  $('room-end').addEventListener('click', () => { $('room-end-confirm').hidden = false; $('room-end-yes').focus(); });
  $('room-end-no').addEventListener('click', () => { $('room-end-confirm').hidden = true; $('room-end').focus(); });
  $('room-end-yes').addEventListener('click', async () => {
    const ok = await hostRequest('end_meeting', {});
    if (ok) dlg.close();
  });
}

function bindSettings() {
  const dlg = $('settings-dialog');
  for (const r of document.querySelectorAll('input[name="layout"]')) {
    r.addEventListener('change', () => { if (r.checked) ui.grid?.setMode(r.value); });
  }
  $('set-cam').addEventListener('change', (e) => useDevice('video', e.target.value));
  $('set-mic').addEventListener('change', (e) => useDevice('audio', e.target.value));
  $('set-speaker').addEventListener('change', async (e) => {
    try {
      await ui.grid?.setSinkId(e.target.value);
      toasts.announce(t('announce.device_changed'));
    } catch {
      toasts.show(t('settings.speaker_failed'), { kind: 'warn', key: 'device' });
    }
  });
  $('set-music').addEventListener('change', (e) => setMusic(e.target.checked));
  $('set-audio-only').addEventListener('change', (e) => setAudioOnly(e.target.checked));
  $('open-shortcuts').addEventListener('click', () => { dlg.close(); $('shortcuts-dialog').showModal(); });
  $('ctl-more').addEventListener('click', openSettings);
}

// ---- leaving --------------------------------------------------------------------------------

function onAutoplayBlocked() {
  toasts.show(t('audio.blocked'), {
    kind: 'info', timeoutMs: 0, key: 'autoplay',
    action: { label: t('audio.enable'), run: () => ui.grid?.resumeAudio() },
  });
}

function teardownMeeting() {
  clearTimeout(ui.prefsTimer);
  ui.lastPrefs = '';
  if (ui.screen) { ui.screen.stop(); ui.screen = null; }
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
  openPanel(null);
  closeReactions();
  ui.grid?.clear();
  ui.grid = null;
  ui.media?.stop();
  ui.handsBefore = [];
  ui.lobbyBefore = [];
  toasts.clear();
}

async function leave() {
  const s = ui.session;
  if (!s) return;
  await s.leave();
  teardownMeeting();
  ui.state = 'left';
  showMessage('left.title', 'left.text');
  $('rejoin').focus();
}

async function rejoin() {
  const before = ui.media;
  ui.media = new LocalMedia({
    audioOn: before?.audioOn ?? true, videoOn: before?.videoOn ?? true,
    audioDeviceId: before?.audioDeviceId, videoDeviceId: before?.videoDeviceId, music: before?.music ?? false,
  });
  await ui.media.start();
  enterMeeting(ui.name, ui.password);
}

// ---- language switch ------------------------------------------------------------------------

onLanguageChange(() => {
  document.title = t('meeting.page_title', { room: ui.room });
  applyIcons(document);
  buildReactions();
  ui.grid?.relabel();
  ui.chat?.relabel();
  if (ui.session) renderAll();
  if (ui.prejoin && !$('prejoin').hidden) ui.prejoin.render();
  if (ui.leftKeys && !$('left').hidden) {
    $('left-title').textContent = t(ui.leftKeys.title);
    $('left-text').textContent = t(ui.leftKeys.text, { room: ui.room });
  }
  if (ui.failedCode && !$('failed').hidden) {
    const code = ui.failedCode;
    showFailure(code);
  }
});

// ---- wiring ---------------------------------------------------------------------------------

const inMeeting = () => ui.state === 'joining' || ui.state === 'joined';
$('ctl-mic').addEventListener('click', () => toggle('audio'));
$('ctl-cam').addEventListener('click', () => toggle('video'));
$('ctl-screen').addEventListener('click', toggleScreen);
$('ctl-hand').addEventListener('click', toggleHand);
$('ctl-chat').addEventListener('click', () => togglePanel('chat'));
$('ctl-people').addEventListener('click', () => togglePanel('people'));
$('chat-close').addEventListener('click', () => { openPanel(null); $('ctl-chat').focus(); });
$('people-close').addEventListener('click', () => { openPanel(null); $('ctl-people').focus(); });
$('ctl-react').addEventListener('click', () => {
  const box = $('reactions');
  const open = box.hidden;
  box.hidden = !open;
  $('ctl-react').setAttribute('aria-expanded', String(open));
  if (open) box.querySelector('button')?.focus();
});
$('reactions').addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape') { ev.preventDefault(); closeReactions(true); }
});
$('ctl-leave').addEventListener('click', leave);
$('lobby-cancel').addEventListener('click', async () => {
  await ui.session?.leave();
  teardownMeeting();
  ui.state = 'left';
  showMessage('lobby.cancelled.title', 'lobby.cancelled.text');
});
$('rejoin').addEventListener('click', rejoin);
$('ctl-invite').addEventListener('click', async () => {
  const link = `${location.origin}/${encodeURIComponent(ui.room)}`;
  const ok = await copyText(link);
  toasts.show(ok ? t('invite.copied') : t('invite.manual', { link }), { kind: ok ? 'ok' : 'info', key: 'invite', timeoutMs: ok ? 3000 : 15000 });
});
$('retry').addEventListener('click', () => location.reload());
document.addEventListener('keydown', (ev) => {
  if (ev.key !== 'Escape' || document.querySelector('dialog[open]')) return;
  if (!$('reactions').hidden) { closeReactions(true); return; }
  if (ui.panel && inMeeting()) {
    const which = ui.panel;
    openPanel(null);
    $(PANELS[which][1]).focus();
  }
});
buildReactions();
bindSettings();
bindRoomDialog();
bindShortcuts(inMeeting, {
  m: () => toggle('audio'),
  v: () => toggle('video'),
  h: () => toggleHand(),
  c: () => togglePanel('chat'),
  s: () => toggleScreen(),
  p: () => togglePanel('people'),
  '?': () => $('shortcuts-dialog').showModal(),
});
onDeviceChange(() => { if ($('settings-dialog').open) fillDeviceSelects(); });
window.addEventListener('pagehide', () => ui.session?.stop());

start().catch((err) => {
  console.error('plenum: start failed', err);
  showFailure('generic');
});
