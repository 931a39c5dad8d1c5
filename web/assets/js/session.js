// A meeting session: join (password, lobby), the publish PeerConnection (browser offers, and
// offers again to add or remove a screen share or switch music mode) and the subscribe
// PeerConnection (server offers), remote participants and their tracks (by mid and source),
// roles, hands, chat, reactions and the host's moderation. No DOM: the UI listens to events.
//
// Events: 'state' (state), 'fatal' (code), 'reconnecting' (), 'joined' ({participantId, room, role}),
// 'password' (code, message), 'lobby-waiting' (lobbyId, reason: 'lobby'|'not_started'), 'lobby-denied' (reason), 'ended' ('removed'|'ended'),
// 'participant-joined' (p), 'participant-updated' (p, before), 'participant-left' (p, reason),
// 'self-updated' (self, before), 'media' (participantId, {audio, video, screen}), 'media-problem' (what),
// 'room' (roomState), 'hands' (queue), 'lobby' (waiting, change), 'chat' (msg), 'reaction' ({id, emoji}),
// 'active-speaker' (id), 'muted-by-host' (source), 'unmute-requested' (hostId),
// 'password-guard' ({failures, delay_s}), 'rate-limited' (method), 'poll' (poll event data), 'poll-removed' (pollId),
// 'out' (what: 'recording'|'streaming', change: 'started'|'stopped'|'failed', state) after out_updated,
// 'out-report' ({what, status: 'failed'|'render_failed'|'ready', reason, file}) (hosts only), 'downlink' ({quality, paused, …}
// as quality.js downlinkFrom checks it; null after a reset). publish_layers is applied by
// this.layers (quality.js PublishLayers) to the publish PeerConnection's senders.
// Only PeerConnections come from the browser (createPeerConnection), so node's tests run it.
// An end-to-end encrypted meeting (e2ee: e2ee/crypto.js FrameCrypto, or anything with sender(),
// receiver() and pcConfig) joins with e2ee: true and puts a transform on every sender and receiver.

import { preferVideoCodec } from './codecs.js';
import { Emitter } from './emitter.js';
import { PublishLayers, downlinkFrom, levelOf } from './quality.js';

const PC_CONFIG = { iceServers: [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };
const ICE_SERVERS_MAX = 8;
const ICE_TEXT_MAX = 512;

/**
 * The RTCConfiguration for a join result: its ice_servers (TURN with credentials, from the
 * server's --turn) and, only when the server says so (its test switch --test-force-relay),
 * iceTransportPolicy "relay". Nothing in the page's URL can change either. Malformed entries are
 * left out.
 */
export function pcConfigFrom(result) {
  const text = (v) => typeof v === 'string' && v.length > 0 && v.length <= ICE_TEXT_MAX;
  const servers = [];
  const list = result && Array.isArray(result.ice_servers) ? result.ice_servers.slice(0, ICE_SERVERS_MAX) : [];
  for (const e of list) {
    if (!e || typeof e !== 'object') continue;
    const urls = (Array.isArray(e.urls) ? e.urls : [e.urls])
      .filter((u) => text(u) && /^turns?:/.test(u)).slice(0, ICE_SERVERS_MAX);
    if (!urls.length || !text(e.username) || !text(e.credential)) continue;
    servers.push({ urls, username: e.username, credential: e.credential });
  }
  const config = { ...PC_CONFIG, iceServers: servers };
  if (result && result.ice_transport_policy === 'relay' && servers.length) config.iceTransportPolicy = 'relay';
  return config;
}
// A link's token that the server refuses (docs/protocol.md, "Tokens"): each is told as it is.
export const TOKEN_ERRORS = ['token_malformed', 'token_algorithm', 'token_signature', 'token_expired',
  'token_not_yet_valid', 'token_wrong_tenant', 'token_wrong_room', 'token_claims'];
const FATAL_JOIN_ERRORS = new Set([
  'room_name_invalid', 'display_name_invalid', 'room_full', 'unsupported_version', 'bad_request', 'room_locked', 'lobby_full',
  'e2ee_required', 'e2ee_off', ...TOKEN_ERRORS,
]);
// A token is sent again when re-joining after a drop only while it has this long to run (its own
// `exp`, unverified); after that the seat's rejoin_token alone brings the role back.
const TOKEN_REUSE_MARGIN_S = 60;
// Join failures without a known cause in a row (timeouts, odd codes) before the session gives up
// instead of asking again and again.
export const JOIN_TRIES = 3;
const PASSWORD_ERRORS = new Set(['password_required', 'password_wrong', 'rate_limited']);
// Three simulcast layers for the camera (Chromium); the server picks one per subscriber and tile.
export const SIMULCAST = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500000 },
  { rid: 'f', maxBitrate: 1500000 },
];
// What leaves the meeting (docs/protocol.md, "Recording and streaming"): the consent record.
export const OUTS = ['recording', 'streaming'];
const OUT_CHANGES = ['started', 'stopped', 'failed', 'empty'];
const EMPTY_OUT = { active: false, started_by: null, since: null, stopped_by: null, stopped_at: null, reason: null };
const EMPTY_ROOM = { locked: false, lobby: false, has_password: false, music: false, e2ee: false, hosts: [],
  recording: { ...EMPTY_OUT }, streaming: { ...EMPTY_OUT } };

/** One feature's record from the server, with only the fields and types it may have. */
export function outFrom(d) {
  const text = (v) => (typeof v === 'string' && v ? v.slice(0, NAME_MAX) : null);
  const ms = (v) => (Number.isFinite(v) && v > 0 ? v : null);
  if (!d || typeof d !== 'object') return { ...EMPTY_OUT };
  return {
    active: d.active === true, started_by: text(d.started_by), since: ms(d.since),
    stopped_by: text(d.stopped_by), stopped_at: ms(d.stopped_at), reason: text(d.reason),
  };
}
// Requests the server budgets per participant because they fan out to everyone: a rate_limited
// answer is shown once (event 'rate-limited') and never retried by a timer.
export const FAN_OUT = new Set(['raise_hand', 'lower_hand', 'media_state', 'set_music', 'reaction', 'chat_send']);
// The lobby list a host keeps from the snapshot and the deltas; the server caps the lobby too.
export const LOBBY_MAX = 500;
const NAME_MAX = 200;

function participantFrom(d, before = {}) {
  return {
    id: d.id,
    name: d.name ?? before.name ?? '',
    audio_muted: d.audio_muted ?? before.audio_muted ?? false,
    video_muted: d.video_muted ?? before.video_muted ?? false,
    role: d.role ?? before.role ?? 'guest',
    hand_raised: d.hand_raised ?? before.hand_raised ?? false,
    music: d.music ?? before.music ?? false,
    screen: d.screen ?? before.screen ?? false,
    quality: levelOf(d.quality) ?? before.quality ?? null,
  };
}

export class Session extends Emitter {
  /**
   * signaling: a SignalingClient; room, name: strings; password: string or null; simulcast: false for one layer;
   * local: {audio, video, screen: MediaStreamTrack|null, audioMuted, videoMuted, music};
   * token: the link's JWT or null; tokenExp: its `exp` (seconds) as the link says, or null.
   */
  constructor({ signaling, room, name, password = null, local, simulcast = true, token = null, tokenExp = null,
    e2ee = null, createPeerConnection = (config) => new RTCPeerConnection(config) }) {
    super();
    this.e2ee = e2ee;
    this.simulcastWanted = simulcast;
    this.createPeerConnection = createPeerConnection;
    this.joinFailures = 0;           // unexplained join failures in a row (JOIN_TRIES)
    this.rejoinToken = null;         // from the last join; memory only, sent once when rejoining after a drop
    this.passwordGuard = null;       // {failures, delay_s} (hosts only)
    this.signaling = signaling;
    this.room = room;
    this.name = name;
    this.password = password;
    this.token = typeof token === 'string' && token ? token : null;   // memory only, sent in join alone
    this.tokenExp = Number.isFinite(tokenExp) ? tokenExp : null;
    this.everJoined = false;
    this.local = { audio: null, video: null, screen: null, audioMuted: false, videoMuted: false, music: false, ...local };
    this.state = 'idle';             // idle | joining | password | lobby | joined | left | ended | error
    this.participantId = null;
    this.role = 'guest';
    this.self = null;                // own participant record as the server reports it
    this.roomState = { ...EMPTY_ROOM };
    this.features = { recording: false, streaming: false };   // what this server offers the room's hosts
    this.participants = new Map();   // id -> {id, name, audio_muted, video_muted, role, hand_raised, music, screen}
    this.remoteTracks = new Map();   // id -> {audio, video, screen}
    this.hands = [];                 // participant ids in queue order
    this.lobby = [];                 // [{lobby_id, name}] (hosts only)
    this.activeSpeaker = 0;
    this.videoPrefs = null;          // the last set_video_prefs params, sent again after a re-join
    this.pcConfig = pcConfigFrom(null); // from the last join result: TURN servers, transport policy
    this.publishPc = null;
    this.subscribePc = null;
    this.publishTransceivers = { audio: null, video: null, screen: null };
    this.simulcast = false;
    this.negotiation = Promise.resolve();
    this.offers = [];                // subscribe_offer queue, applied in order
    this.applyingOffers = false;
    this.generation = 0;             // bumps on every (re)join, to drop work of an old one
    this.off = [];
    this.downlink = null;            // the last downlink event (quality.js downlinkFrom), null before one
    this.layers = new PublishLayers({
      transceivers: () => (this.publishPc && this.publishPc.signalingState !== 'closed' ? this.publishPc.getTransceivers() : []),
      cameraMid: () => this.publishTransceivers.video?.mid ?? null,
    });
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }

  get isHost() {
    return this.role === 'host';
  }

  /** Connects and joins; reconnects and re-joins by itself until leave(). */
  start() {
    const s = this.signaling;
    const handlers = {
      open: () => this.join(),
      down: () => this.lostConnection(),
      participant_joined: (d) => this.onParticipantJoined(d),
      participant_updated: (d) => this.onParticipantUpdated(d),
      participant_left: (d) => this.onParticipantLeft(d),
      subscribe_offer: (d) => this.onSubscribeOffer(d),
      dropped: () => this.onDropped(),
      joined: (d) => this.onLobbyJoined(d),
      lobby_admitted: () => this.emit('lobby-admitted'),
      lobby_denied: (d) => this.onLobbyDenied(d),
      lobby_updated: (d) => this.onLobbySnapshot(d),
      lobby_knock: (d) => this.onLobbyKnock(d),
      lobby_left: (d) => this.onLobbyLeft(d),
      password_guard: (d) => this.onPasswordGuard(d),
      room_updated: (d) => this.onRoomState(d),
      hands_updated: (d) => this.onHands(d),
      chat: (d) => this.emit('chat', d),
      poll: (d) => this.emit('poll', d),
      poll_removed: (d) => this.emit('poll-removed', d?.poll_id),
      // breakout groups (room/breakout.js reads them; the media stays as it is on a move)
      breakout: (d) => { if (this.participantId !== null && d && typeof d === 'object') this.emit('breakout', d); },
      breakout_message: (d) => { if (this.participantId !== null && d && typeof d.text === 'string') this.emit('breakout-message', d); },
      breakout_help: (d) => { if (this.isHost && d && typeof d === 'object') this.emit('breakout-help', d); },
      reaction: (d) => this.emit('reaction', d),
      active_speaker: (d) => { this.activeSpeaker = d.id || 0; this.emit('active-speaker', this.activeSpeaker); },
      muted_by_host: (d) => this.emit('muted-by-host', d.source || 'microphone'),
      unmute_requested: (d) => this.emit('unmute-requested', d.by),
      removed: () => this.onEnded('removed'),
      meeting_ended: () => this.onEnded('ended'),
      downlink: (d) => this.onDownlink(d),
      out_updated: (d) => this.onOutUpdated(d),
      out_report: (d) => { if (this.isHost && d && OUTS.includes(d.what)) this.emit('out-report', d); },
      publish_layers: (d) => { if (this.participantId !== null) this.layers.set(d); },
    };
    for (const [name, fn] of Object.entries(handlers)) this.off.push(s.on(name, fn));
    this.setState('joining');
    if (s.ready) this.join();
    else s.open();
  }

  async join() {
    if (this.state !== 'joining') return;
    const gen = ++this.generation;
    const params = { room: this.room, name: this.name };
    if (this.password !== null && this.password !== '') params.password = this.password;
    if (this.token && (!this.everJoined || this.tokenExp === null || this.tokenExp - Date.now() / 1000 > TOKEN_REUSE_MARGIN_S)) {
      params.token = this.token;
    }
    params.camera = !!this.local.video && !this.local.videoMuted;
    if (this.e2ee) params.e2ee = true;
    if (this.rejoinToken) {
      // Single use: the seat kept since the drop is claimed now; a new token comes with the result.
      params.rejoin_token = this.rejoinToken;
      this.rejoinToken = null;
    }
    let result;
    try {
      result = await this.signaling.request('join', params);
    } catch (err) {
      if (gen !== this.generation) return;
      if (err.code === 'rate_limited' && !params.password) {
        this.fail('rate_limited');   // knocking or joining too often: no password question, no retry
      } else if (PASSWORD_ERRORS.has(err.code)) {
        this.setState('password');
        this.emit('password', err.code, err.message);
      } else if (FATAL_JOIN_ERRORS.has(err.code)) {
        this.fail(err.code);
      } else if (err.code === 'disconnected') {
        // the next hello joins again
      } else if (++this.joinFailures >= JOIN_TRIES) {
        console.error('plenum: join failed', JOIN_TRIES, 'times, last', err.code);
        this.fail(err.code);
      } else if (err.code === 'already_joined') {
        // The server still holds us from before a reconnect hiccup: leave, then join afresh.
        await this.signaling.request('leave').catch(() => {});
        if (gen === this.generation) this.join();
      } else {
        console.warn('plenum: join failed', err.code);
        this.signaling.reconnectNow();
      }
      return;
    }
    if (gen !== this.generation) return;
    this.joinFailures = 0;
    if (result.waiting) {
      this.setState('lobby');
      this.emit('lobby-waiting', result.lobby_id, result.reason === 'not_started' ? 'not_started' : 'lobby');
      return;
    }
    await this.completeJoin(result, gen);
  }

  /** After a password prompt: tries again with this password (and maybe another name). */
  retryJoin({ password, name } = {}) {
    if (this.state !== 'password') return;
    if (password !== undefined) this.password = password;
    if (name) this.name = name;
    this.setState('joining');
    if (this.signaling.ready) this.join();
  }

  onLobbyJoined(d) {
    if (this.state !== 'lobby') return;
    this.setState('joining');
    this.completeJoin(d, this.generation);
  }

  onLobbyDenied(d) {
    if (this.state !== 'lobby') return;
    this.reset();
    this.stop();
    this.setState('left');
    this.emit('lobby-denied', d.reason || 'denied');
  }

  async completeJoin(result, gen) {
    this.participantId = result.participant_id;
    this.everJoined = true;
    // A token's name replaces the typed one (the server says which, when it says)
    if (typeof result.name === 'string' && result.name) this.name = result.name.slice(0, NAME_MAX);
    this.rejoinToken = typeof result.rejoin_token === 'string' && result.rejoin_token ? result.rejoin_token : null;
    // Fresh TURN credentials come with every join; both PeerConnections of this join use them.
    this.pcConfig = pcConfigFrom(result);
    this.role = result.role || 'guest';
    this.self = participantFrom({ id: this.participantId, name: this.name, role: this.role });
    if (result.room) this.room = result.room;
    const f = result.features || {};
    this.features = { recording: f.recording === true, streaming: f.streaming === true };
    if (result.room_state) this.onRoomState(result.room_state);
    this.emit('joined', { participantId: this.participantId, room: this.room, role: this.role });
    this.sendMediaState();
    if (this.local.music) this.request('set_music', { enabled: true }).catch(() => {});
    if (this.videoPrefs) this.setVideoPrefs(this.videoPrefs);
    try {
      await this.publish(gen);
    } catch (err) {
      if (gen !== this.generation) return;
      console.error('plenum: publish failed', err);
      this.emit('media-problem', 'publish');
    }
    if (gen === this.generation && this.state === 'joining') this.setState('joined');
  }

  onRoomState(d) {
    this.roomState = { ...EMPTY_ROOM, ...this.roomState, ...d };
    for (const what of OUTS) this.roomState[what] = outFrom(d[what] ?? this.roomState[what]);
    if (Array.isArray(d.hosts) && this.participantId !== null) {
      const role = d.hosts.includes(this.participantId) ? 'host' : 'guest';
      if (role !== this.role) this.setOwnRole(role);
    }
    this.emit('room', this.roomState);
  }

  onOutUpdated(d) {
    if (!d || !OUTS.includes(d.what) || this.participantId === null) return;
    const state = outFrom(d);
    this.roomState = { ...this.roomState, [d.what]: state };
    this.emit('out', d.what, OUT_CHANGES.includes(d.change) ? d.change : 'stopped', state);
  }

  setOwnRole(role) {
    const before = { ...this.self };
    this.role = role;
    if (this.self) this.self.role = role;
    if (role !== 'host') {
      this.lobby = [];
      this.passwordGuard = null;
      this.emit('lobby', this.lobby, { snapshot: true });
      this.emit('password-guard', null);
    }
    this.emit('self-updated', this.self, before);
  }

  onHands(d) {
    this.hands = Array.isArray(d.queue) ? d.queue : [];
    for (const p of this.participants.values()) p.hand_raised = this.hands.includes(p.id);
    if (this.self) this.self.hand_raised = this.hands.includes(this.participantId);
    this.emit('hands', this.hands);
  }

  // ---- lobby (hosts): a snapshot once, then deltas ----------------------------------------------

  onLobbySnapshot(d) {
    const list = Array.isArray(d.waiting) ? d.waiting : [];
    this.lobby = [];
    for (const w of list) this.addWaiting(w);
    this.emit('lobby', this.lobby, { snapshot: true });
  }

  onLobbyKnock(d) {
    const w = this.addWaiting(d);
    if (w) this.emit('lobby', this.lobby, { knocked: w });
  }

  onLobbyLeft(d) {
    const i = this.lobby.findIndex((w) => w.lobby_id === d.lobby_id);
    if (i < 0) return;
    const [gone] = this.lobby.splice(i, 1);
    this.emit('lobby', this.lobby, { left: gone });
  }

  /** Adds or renames one waiting person; returns the entry, or null for junk or a full list. */
  addWaiting(d) {
    if (!d || (typeof d.lobby_id !== 'number' && typeof d.lobby_id !== 'string')) return null;
    const w = { lobby_id: d.lobby_id, name: String(d.name ?? '').slice(0, NAME_MAX) };
    const i = this.lobby.findIndex((x) => x.lobby_id === w.lobby_id);
    if (i >= 0) this.lobby[i] = w;
    else if (this.lobby.length >= LOBBY_MAX) return null;
    else this.lobby.push(w);
    return w;
  }

  onPasswordGuard(d) {
    if (!this.isHost) return;
    const n = (x) => (Number.isFinite(x) && x > 0 ? Math.floor(x) : 0);
    this.passwordGuard = { failures: n(d.failures), delay_s: n(d.delay_s) };
    this.emit('password-guard', this.passwordGuard);
  }

  // ---- requests -----------------------------------------------------------------------------

  /**
   * Any protocol request (host methods, chat, hands, reactions); rejects with ProtocolError.
   * A rate_limited answer to a fan-out request is also reported once as 'rate-limited'.
   */
  request(method, params = {}) {
    const p = this.signaling.request(method, params);
    if (!FAN_OUT.has(method)) return p;
    return p.catch((err) => {
      if (err.code === 'rate_limited') this.emit('rate-limited', method);
      throw err;
    });
  }

  setVideoPrefs(prefs) {
    this.videoPrefs = prefs;
    if (this.participantId === null) return Promise.resolve();
    return this.request('set_video_prefs', prefs).catch((err) => {
      if (err.code !== 'disconnected') console.warn('plenum: set_video_prefs failed', err.code);
    });
  }

  // ---- publishing -----------------------------------------------------------------------------

  /** A PeerConnection with this join's configuration (and what encryption needs). */
  newPc() {
    return this.createPeerConnection(this.e2ee ? { ...this.pcConfig, ...this.e2ee.pcConfig } : this.pcConfig);
  }

  async publish(gen) {
    const pc = this.newPc();
    this.publishPc = pc;
    // Audio first, then video: the server relies on this order. A missing device still gets its
    // transceiver, so a camera switched on later needs no renegotiation (replaceTrack).
    this.publishTransceivers.audio = pc.addTransceiver(this.local.audio || 'audio', { direction: 'sendonly' });
    try {
      if (!this.simulcastWanted) throw new Error('simulcast off');
      this.publishTransceivers.video = pc.addTransceiver(this.local.video || 'video',
        { direction: 'sendonly', sendEncodings: SIMULCAST.map((e) => ({ ...e })) });
      this.simulcast = true;
    } catch (err) {
      console.info('plenum: no simulcast here, one layer', err && err.name);
      this.publishTransceivers.video = pc.addTransceiver(this.local.video || 'video', { direction: 'sendonly' });
      this.simulcast = false;
    }
    this.videoCodec = preferVideoCodec(this.publishTransceivers.video) ?? 'vp8';
    if (this.local.screen) {
      this.publishTransceivers.screen = pc.addTransceiver(this.local.screen, { direction: 'sendonly' });
      preferVideoCodec(this.publishTransceivers.screen);
    }
    this.sealSenders();
    this.watchPc(pc, 'publish', gen);
    await this.negotiate(pc, gen);
  }

  /** Encrypted meetings: every publish transceiver's frames leave sealed. */
  sealSenders() {
    if (!this.e2ee) return;
    for (const [kind, tr] of Object.entries(this.publishTransceivers)) {
      if (tr) this.e2ee.sender(tr.sender, kind === 'audio' ? 'audio' : 'video');
    }
  }

  /** The labels of our m-lines for the server: microphone, camera, screen. */
  trackLabels() {
    const out = [];
    const sources = { audio: 'microphone', video: 'camera', screen: 'screen' };
    for (const [kind, tr] of Object.entries(this.publishTransceivers)) {
      if (tr && tr.mid !== null && !tr.stopped) out.push({ mid: tr.mid, source: sources[kind] });
    }
    return out;
  }

  negotiate(pc, gen) {
    const run = async () => {
      if (gen !== this.generation || pc.signalingState === 'closed') return;
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      let answer;
      try {
        answer = await this.request('publish', {
          sdp: pc.localDescription.sdp, tracks: this.trackLabels(), music: !!this.local.music,
        });
      } catch (err) {
        if (pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
        throw err;
      }
      if (gen !== this.generation || pc.signalingState === 'closed') return;
      await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
      // publish_layers wishes for mids that only now have a sender, and the data saver
      await this.layers.apply();
    };
    const p = this.negotiation.catch(() => {}).then(run);
    this.negotiation = p;
    return p;
  }

  /** Offers again on the publish PeerConnection (screen share added or removed, music mode). */
  renegotiate() {
    if (!this.publishPc || this.participantId === null) return Promise.resolve();
    return this.negotiate(this.publishPc, this.generation);
  }

  /** Starts (track) or stops (null) sending a screen share; renegotiates. */
  async setScreen(track) {
    this.local.screen = track;
    const pc = this.publishPc;
    if (!pc || this.participantId === null) return;
    let tr = this.publishTransceivers.screen;
    if (track) {
      if (tr) {
        await tr.sender.replaceTrack(track);
        tr.direction = 'sendonly';
      } else {
        tr = pc.addTransceiver(track, { direction: 'sendonly' });
        preferVideoCodec(tr);
        this.publishTransceivers.screen = tr;
        this.sealSenders();
      }
    } else if (tr) {
      await tr.sender.replaceTrack(null);
      tr.direction = 'inactive';
    } else {
      return;
    }
    await this.renegotiate();
  }

  /** Music mode: the new microphone track is already captured; tells the server and re-offers. */
  async setMusic(on, audioTrack) {
    this.local.music = on;
    if (audioTrack !== undefined) await this.replaceTrack('audio', audioTrack);
    if (this.participantId === null) return;
    await this.request('set_music', { enabled: on }).catch((err) => console.warn('plenum: set_music failed', err.code));
    await this.renegotiate();
  }

  watchPc(pc, which, gen) {
    let connected = false;
    pc.addEventListener('connectionstatechange', () => {
      if (gen !== this.generation) return;
      if (pc.connectionState === 'connected') connected = true;
      if (pc.connectionState === 'failed') {
        // A path that worked and broke is worth a fresh join; one that never worked is reported.
        if (connected) this.signaling.reconnectNow();
        else this.emit('media-problem', which);
      }
    });
  }

  /** Data saver on or off for the own camera: no full layer (or one layer at half size). */
  setDataSaver(on) {
    return this.layers.setSaver(on);
  }

  onDownlink(d) {
    if (this.participantId === null || !d || typeof d !== 'object') return;
    this.downlink = downlinkFrom(d);
    this.emit('downlink', this.downlink);
  }

  // ---- participants ---------------------------------------------------------------------------

  onParticipantJoined(d) {
    if (this.participantId === null) return;
    if (d.id === this.participantId) return this.onSelfUpdated(d);
    const before = this.participants.get(d.id);
    const p = participantFrom(d, before);
    this.participants.set(d.id, p);
    if (before) this.emit('participant-updated', p, before);
    else this.emit('participant-joined', p);
  }

  onParticipantUpdated(d) {
    if (this.participantId === null) return;
    if (d.id === this.participantId) return this.onSelfUpdated(d);
    const before = this.participants.get(d.id);
    if (!before) return this.onParticipantJoined(d);
    const snapshot = { ...before };
    Object.assign(before, participantFrom(d, before));
    this.emit('participant-updated', before, snapshot);
  }

  onSelfUpdated(d) {
    const role = participantFrom(d, this.self || {}).role;
    if (role !== this.role) this.setOwnRole(role);
    const before = { ...this.self };
    this.self = participantFrom(d, this.self || {});
    this.emit('self-updated', this.self, before);
  }

  onParticipantLeft(d) {
    const p = this.participants.get(d.id);
    if (!p) return;
    this.participants.delete(d.id);
    if (this.remoteTracks.has(d.id)) {
      this.remoteTracks.delete(d.id);
    }
    this.hands = this.hands.filter((id) => id !== d.id);
    this.emit('participant-left', p, d.reason);
  }

  // ---- subscribing ----------------------------------------------------------------------------

  onSubscribeOffer(d) {
    if (this.participantId === null) return;
    this.offers.push(d);
    if (!this.applyingOffers) this.applyOffers();
  }

  async applyOffers() {
    this.applyingOffers = true;
    const gen = this.generation;
    while (this.offers.length && gen === this.generation) {
      const offer = this.offers.shift();
      // A newer offer already waiting supersedes this one.
      if (this.offers.some((o) => o.version > offer.version)) continue;
      try {
        await this.applyOffer(offer, gen);
      } catch (err) {
        if (gen !== this.generation) break;
        if (err.code === 'stale_answer' || err.code === 'disconnected') continue;
        console.error('plenum: subscribe offer failed', err);
        this.emit('media-problem', 'subscribe');
      }
    }
    this.applyingOffers = false;
    // Offers that arrived for a new join while the old loop was winding down.
    if (this.offers.length && gen !== this.generation) this.applyOffers();
  }

  async applyOffer(offer, gen) {
    if (!this.subscribePc) {
      this.subscribePc = this.newPc();
      this.watchPc(this.subscribePc, 'subscribe', gen);
    }
    const pc = this.subscribePc;
    await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    // encrypted meetings: each receiver opens its frames (one key for all senders of the room)
    if (this.e2ee) for (const tr of pc.getTransceivers()) this.e2ee.receiver(tr.receiver, tr.receiver.track?.kind);
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    if (gen !== this.generation) return;
    this.mapTracks(offer.tracks || []);
    await this.signaling.request('subscribe_answer', { version: offer.version, sdp: pc.localDescription.sdp });
  }

  /** Rebuilds participant -> {audio, video, screen} from the transceivers' mids and the offer's tracks. */
  mapTracks(tracks) {
    const byMid = new Map(tracks.map((t) => [String(t.mid), t]));
    const next = new Map();
    for (const tr of this.subscribePc.getTransceivers()) {
      const t = tr.mid !== null && byMid.get(tr.mid);
      if (!t || !t.active || (t.kind !== 'audio' && t.kind !== 'video')) continue;
      const slot = t.kind === 'audio' ? 'audio' : (t.source === 'screen' ? 'screen' : 'video');
      if (!next.has(t.participant_id)) next.set(t.participant_id, { audio: null, video: null, screen: null });
      next.get(t.participant_id)[slot] = tr.receiver.track;
    }
    const ids = new Set([...this.remoteTracks.keys(), ...next.keys()]);
    for (const id of ids) {
      const before = this.remoteTracks.get(id) || { audio: null, video: null, screen: null };
      const after = next.get(id) || { audio: null, video: null, screen: null };
      if (before.audio !== after.audio || before.video !== after.video || before.screen !== after.screen) {
        this.remoteTracks.set(id, after);
        this.emit('media', id, after);
      }
    }
    this.remoteTracks = next;
  }

  tracksOf(id) {
    return this.remoteTracks.get(id) || { audio: null, video: null, screen: null };
  }

  // ---- local media state ----------------------------------------------------------------------

  sendMediaState() {
    if (this.participantId === null) return;
    const state = {
      audio_muted: !!this.local.audioMuted || !this.local.audio,
      video_muted: !!this.local.videoMuted || !this.local.video,
    };
    this.emit('local-media', state);   // what the others are told (the embedding page hears it too)
    this.request('media_state', state).catch((err) => {
      if (err.code !== 'disconnected' && err.code !== 'rate_limited') console.warn('plenum: media_state failed', err.code);
    });
  }

  setAudioMuted(muted) {
    this.local.audioMuted = muted;
    if (this.local.audio) this.local.audio.enabled = !muted;
    this.sendMediaState();
  }

  setVideoMuted(muted) {
    this.local.videoMuted = muted;
    if (this.local.video) this.local.video.enabled = !muted;
    this.sendMediaState();
  }

  /** Swaps the local track of a kind (device change, camera switched back on, or null). */
  async replaceTrack(kind, track) {
    this.local[kind] = track;
    const tr = this.publishTransceivers[kind];
    if (tr && this.publishPc && this.publishPc.signalingState !== 'closed') {
      await tr.sender.replaceTrack(track);
    }
  }

  // ---- leaving --------------------------------------------------------------------------------

  /** Forgets everything bound to the current join (PCs, participants) before joining again. */
  reset() {
    this.generation++;
    this.offers = [];
    this.negotiation = Promise.resolve();
    for (const pc of [this.publishPc, this.subscribePc]) if (pc) pc.close();
    this.publishPc = null;
    this.subscribePc = null;
    this.publishTransceivers = { audio: null, video: null, screen: null };
    this.participantId = null;
    this.layers.reset();
    if (this.downlink) {
      this.downlink = null;
      this.emit('downlink', null);
    }
    for (const p of [...this.participants.values()]) {
      this.participants.delete(p.id);
      this.emit('participant-left', p, 'reconnect');
    }
    this.remoteTracks.clear();
    this.hands = [];
    this.lobby = [];
    this.passwordGuard = null;
    this.activeSpeaker = 0;
    this.emit('hands', this.hands);
    this.emit('lobby', this.lobby, { snapshot: true });
    this.emit('password-guard', null);
  }

  lostConnection() {
    if (!['joined', 'joining', 'lobby'].includes(this.state)) return;
    this.reset();
    this.setState('joining');
    this.emit('reconnecting');
  }

  onDropped() {
    if (!['joined', 'joining', 'lobby'].includes(this.state)) return;
    this.lostConnection();
    this.join();
  }

  onEnded(kind) {
    if (this.state === 'left' || this.state === 'ended') return;
    this.reset();
    this.stop();
    this.setState('ended');
    this.emit('ended', kind);
  }

  fail(code) {
    this.rejoinToken = null;
    this.reset();
    this.stop();
    this.setState('error');
    this.emit('fatal', code);
  }

  stop() {
    this.rejoinToken = null;
    this.off.forEach((off) => off());
    this.off = [];
    this.signaling.close();
  }

  /** Leaves the room (or the lobby) and closes the connection. */
  async leave() {
    if (this.state === 'left' || this.state === 'ended') return;
    if (this.signaling.ready && (this.participantId !== null || this.state === 'lobby')) {
      await Promise.race([
        this.signaling.request('leave').catch(() => {}),
        new Promise((r) => setTimeout(r, 1000)),
      ]);
    }
    this.reset();
    this.stop();
    this.setState('left');
  }
}
