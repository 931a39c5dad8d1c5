// The meeting page (/<room>): pre-join, the meeting itself, leaving and rejoining, and the
// read-only debug hook window.plenum for automated tests.

import { initI18n, t } from './i18n.js';
import { SignalingClient, defaultUrl } from './protocol.js';
import { LocalMedia } from './media.js';
import { Session } from './session.js';
import { normalizeRoom, roomProblem, displayNameProblem } from './names.js';
import { Prejoin, deviceMessage, rememberName } from './ui/prejoin.js';
import { Grid } from './ui/grid.js';
import { Toasts } from './ui/toasts.js';
import { renderToggle, bindShortcuts, copyText } from './ui/controls.js';
import { applyIcons } from './ui/icons.js';

await initI18n();
applyIcons(document);

const $ = (id) => document.getElementById(id);
const toasts = new Toasts($('toasts'), $('announcer'));
const ui = {
  state: 'idle',      // idle | prejoin | joining | joined | left | error
  room: roomFromPath(location.pathname),
  name: '',
  media: null,
  session: null,
  grid: null,
  everJoined: false,  // in this meeting: decides between "cannot reach" and "connection lost"
  quietUntil: 0,      // joins arriving right after our own join are summed up, not read one by one
  busy: { audio: false, video: false },
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
  Object.defineProperties(hook, {
    state: get(() => ui.state),
    room: get(() => ui.session?.room ?? ui.room),
    participantId: get(() => ui.session?.participantId ?? null),
    participants: get(() => new Map([...(ui.session?.participants ?? new Map())].map(([id, p]) => [id, { ...p }]))),
    publishPc: get(() => ui.session?.publishPc ?? null),
    subscribePc: get(() => ui.session?.subscribePc ?? null),
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
  const known = ['room_name_invalid', 'display_name_invalid', 'room_full', 'unsupported_version'];
  const key = known.includes(code) ? code : 'generic';
  $('failed-title').textContent = t(`failed.${key}.title`);
  $('failed-text').textContent = t(`failed.${key}.text`, { room: ui.room });
  $('retry').hidden = code !== 'room_full';
  showScreen('failed');
  $('failed-title').focus?.();
}

// ---- pre-join -------------------------------------------------------------------------------

async function start() {
  document.title = t('meeting.page_title', { room: ui.room });
  $('meeting-room').textContent = ui.room;
  if (roomProblem(ui.room)) {
    showFailure('room_name_invalid');
    return;
  }
  if (location.pathname !== `/${ui.room}`) {
    // Show the canonical name ("/Grüne-Wiese" becomes "/gruene-wiese"), keeping the query.
    history.replaceState(null, '', `/${ui.room}${location.search}`);
  }
  const params = new URLSearchParams(location.search);
  const name = (params.get('name') || '').trim();
  if (params.get('join') === '1' && name && !displayNameProblem(name)) {
    // Direct join for portals and automated tests: camera and microphone on, no questions.
    ui.media = new LocalMedia({ audioOn: true, videoOn: true });
    await ui.media.start();
    const msg = deviceMessage(ui.media.errors, t);
    enterMeeting(name);
    if (msg) toasts.show(msg, { kind: 'warn', timeoutMs: 10000 });
    return;
  }
  if (name) rememberName(name);
  ui.state = 'prejoin';
  showScreen('prejoin');
  ui.media = new LocalMedia();
  const prejoin = new Prejoin({
    t, media: ui.media, room: ui.room,
    onJoin: (n) => { prejoin.hide(); enterMeeting(n); },
  });
  await prejoin.show();
}

// ---- the meeting ----------------------------------------------------------------------------

function enterMeeting(name) {
  ui.name = name;
  ui.state = 'joining';
  ui.everJoined = false;
  showScreen('meeting');
  ui.grid = new Grid($('stage'), { t, onAutoplayBlocked });
  renderSelf();
  renderControls();
  renderCount();

  const signaling = new SignalingClient(defaultUrl());
  const m = ui.media;
  const session = new Session({
    signaling, room: ui.room, name,
    local: { audio: m.audio, video: m.video, audioMuted: !m.audioOn, videoMuted: !m.videoOn },
  });
  ui.session = session;

  signaling.on('close', ({ delayMs }) => {
    const seconds = Math.max(1, Math.round(delayMs / 1000));
    const text = ui.everJoined ? t('conn.lost', { seconds }) : t('conn.unreachable', { seconds });
    toasts.show(text, { kind: 'warn', timeoutMs: 0, key: 'conn' });
  });
  session.on('state', (s) => {
    if (s === 'joining' || s === 'joined') ui.state = s;
  });
  session.on('joined', ({ room }) => {
    ui.room = room;
    $('meeting-room').textContent = room;
    if (ui.everJoined) toasts.show(t('conn.restored'), { kind: 'ok', key: 'conn', timeoutMs: 3000 });
    else toasts.dismiss('conn');
    ui.everJoined = true;
    ui.quietUntil = Date.now() + 1000;
    setTimeout(() => {
      const count = (ui.session?.participants.size ?? 0) + 1;
      toasts.announce(t('announce.self_joined', { room: ui.room, count }));
    }, 1000);
  });
  session.on('reconnecting', () => {
    toasts.show(t('conn.reconnecting'), { kind: 'warn', timeoutMs: 0, key: 'conn' });
  });
  session.on('participant-joined', (p) => {
    ui.grid.upsert(p);
    ui.grid.setMedia(p.id, session.tracksOf(p.id));
    renderCount();
    if (Date.now() > ui.quietUntil) toasts.announce(t('announce.joined', { name: p.name }));
  });
  session.on('participant-updated', (p) => ui.grid.upsert(p));
  session.on('participant-left', (p, reason) => {
    ui.grid.remove(p.id);
    renderCount();
    if (reason !== 'reconnect' && Date.now() > ui.quietUntil) toasts.announce(t('announce.left', { name: p.name }));
  });
  session.on('media', (id, tracks) => ui.grid.setMedia(id, tracks));
  session.on('media-problem', (which) => {
    toasts.show(t(`media_problem.${which}`), { kind: 'warn', key: 'media', timeoutMs: 10000 });
  });
  session.on('fatal', (code) => {
    teardownMeeting();
    showFailure(code);
  });
  session.start();
}

function renderSelf() {
  const m = ui.media;
  ui.grid.setSelf({ name: ui.name, audioMuted: !m.audioOn, videoOff: !m.videoOn, track: m.video });
}

function renderControls() {
  const m = ui.media;
  renderToggle($('ctl-mic'), 'audio', m.audioOn, t, !m.errors.audio);
  renderToggle($('ctl-cam'), 'video', m.videoOn, t, !m.errors.video);
  $('ctl-invite').title = t('controls.invite_title');
  $('ctl-leave').title = t('controls.leave_title');
}

function renderCount() {
  const count = (ui.session?.participants.size ?? 0) + 1;
  $('participant-count-text').textContent = t('meeting.participants', { count });
}

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
}

function onAutoplayBlocked() {
  toasts.show(t('audio.blocked'), {
    kind: 'info', timeoutMs: 0, key: 'autoplay',
    action: { label: t('audio.enable'), run: () => ui.grid?.resumeAudio() },
  });
}

function teardownMeeting() {
  ui.grid?.clear();
  ui.grid = null;
  ui.media?.stop();
  toasts.clear();
}

async function leave() {
  const s = ui.session;
  if (!s) return;
  await s.leave();
  teardownMeeting();
  ui.state = 'left';
  $('left-text').textContent = t('left.text', { room: ui.room });
  showScreen('left');
  $('rejoin').focus();
}

async function rejoin() {
  const before = ui.media;
  ui.media = new LocalMedia({
    audioOn: before?.audioOn ?? true, videoOn: before?.videoOn ?? true,
    audioDeviceId: before?.audioDeviceId, videoDeviceId: before?.videoDeviceId,
  });
  await ui.media.start();
  enterMeeting(ui.name);
}

$('ctl-mic').addEventListener('click', () => toggle('audio'));
$('ctl-cam').addEventListener('click', () => toggle('video'));
$('ctl-leave').addEventListener('click', leave);
$('rejoin').addEventListener('click', rejoin);
$('retry').addEventListener('click', () => location.reload());
$('ctl-invite').addEventListener('click', async () => {
  const link = `${location.origin}/${encodeURIComponent(ui.room)}`;
  const ok = await copyText(link);
  toasts.show(ok ? t('invite.copied') : t('invite.manual', { link }), { kind: ok ? 'ok' : 'info', key: 'invite', timeoutMs: ok ? 3000 : 15000 });
});
bindShortcuts(() => ui.state === 'joining' || ui.state === 'joined', toggle);
window.addEventListener('pagehide', () => ui.session?.stop());

start().catch((err) => {
  console.error('plenum: start failed', err);
  showFailure('generic');
});
