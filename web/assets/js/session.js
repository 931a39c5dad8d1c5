// A meeting session: join over signaling, the publish PeerConnection (browser offers) and the
// subscribe PeerConnection (server offers), remote participants and their tracks (by mid).
// No DOM: the UI listens to the events below.
//
// Events: 'state' (state), 'fatal' (code), 'reconnecting' (), 'participant-joined' (p),
// 'participant-updated' (p), 'participant-left' (p, reason), 'media' (participantId, {audio, video}),
// 'media-problem' (what), 'joined' ({participantId, room}).

import { Emitter } from './emitter.js';

const PC_CONFIG = { iceServers: [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };
const FATAL_JOIN_ERRORS = new Set([
  'room_name_invalid', 'display_name_invalid', 'room_full', 'unsupported_version', 'bad_request',
]);

export class Session extends Emitter {
  /**
   * signaling: a SignalingClient; room, name: strings;
   * local: {audio: MediaStreamTrack|null, video: MediaStreamTrack|null, audioMuted, videoMuted}.
   */
  constructor({ signaling, room, name, local }) {
    super();
    this.signaling = signaling;
    this.room = room;
    this.name = name;
    this.local = { audio: null, video: null, audioMuted: false, videoMuted: false, ...local };
    this.state = 'idle';             // idle | joining | joined | left | error
    this.participantId = null;
    this.participants = new Map();   // id -> {id, name, audio_muted, video_muted}
    this.remoteTracks = new Map();   // id -> {audio, video}
    this.publishPc = null;
    this.subscribePc = null;
    this.publishTransceivers = { audio: null, video: null };
    this.offers = [];                // subscribe_offer queue, applied in order
    this.applyingOffers = false;
    this.generation = 0;             // bumps on every (re)join, to drop work of an old one
    this.off = [];
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }

  /** Connects and joins; reconnects and re-joins by itself until leave(). */
  start() {
    const s = this.signaling;
    this.off.push(
      s.on('open', () => this.join()),
      s.on('down', () => this.lostConnection()),
      s.on('participant_joined', (d) => this.onParticipantJoined(d)),
      s.on('participant_updated', (d) => this.onParticipantUpdated(d)),
      s.on('participant_left', (d) => this.onParticipantLeft(d)),
      s.on('subscribe_offer', (d) => this.onSubscribeOffer(d)),
      s.on('dropped', () => this.onDropped()),
    );
    this.setState('joining');
    if (s.ready) this.join();
    else s.open();
  }

  async join() {
    if (this.state !== 'joining') return;
    const gen = ++this.generation;
    let result;
    try {
      result = await this.signaling.request('join', { room: this.room, name: this.name });
    } catch (err) {
      if (gen !== this.generation) return;
      if (FATAL_JOIN_ERRORS.has(err.code)) {
        this.fail(err.code);
      } else if (err.code === 'already_joined') {
        // The server still holds us from before a reconnect hiccup: leave, then join afresh.
        await this.signaling.request('leave').catch(() => {});
        if (gen === this.generation) this.join();
      } else if (err.code !== 'disconnected') {
        console.error('plenum: join failed', err);
        this.signaling.reconnectNow();
      }
      return;
    }
    if (gen !== this.generation) return;
    this.participantId = result.participant_id;
    if (result.room) this.room = result.room;
    this.emit('joined', { participantId: this.participantId, room: this.room });
    this.sendMediaState();
    try {
      await this.publish(gen);
    } catch (err) {
      if (gen !== this.generation) return;
      console.error('plenum: publish failed', err);
      this.emit('media-problem', 'publish');
    }
    if (gen === this.generation && this.state === 'joining') this.setState('joined');
  }

  async publish(gen) {
    const pc = new RTCPeerConnection(PC_CONFIG);
    this.publishPc = pc;
    // Audio first, then video: the server relies on this order. A missing device still gets its
    // transceiver, so a camera switched on later needs no renegotiation (replaceTrack).
    this.publishTransceivers.audio = pc.addTransceiver(this.local.audio || 'audio', { direction: 'sendonly' });
    this.publishTransceivers.video = pc.addTransceiver(this.local.video || 'video', { direction: 'sendonly' });
    this.watchPc(pc, 'publish', gen);
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const { sdp } = await this.signaling.request('publish', { sdp: pc.localDescription.sdp });
    if (gen !== this.generation) return;
    await pc.setRemoteDescription({ type: 'answer', sdp });
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

  onParticipantJoined(d) {
    if (this.participantId === null || d.id === this.participantId) return;
    const p = { id: d.id, name: d.name, audio_muted: !!d.audio_muted, video_muted: !!d.video_muted };
    const known = this.participants.has(d.id);
    this.participants.set(d.id, p);
    this.emit(known ? 'participant-updated' : 'participant-joined', p);
  }

  onParticipantUpdated(d) {
    if (this.participantId === null || d.id === this.participantId) return;
    if (!this.participants.has(d.id)) return this.onParticipantJoined(d);
    const p = this.participants.get(d.id);
    Object.assign(p, { name: d.name ?? p.name, audio_muted: !!d.audio_muted, video_muted: !!d.video_muted });
    this.emit('participant-updated', p);
  }

  onParticipantLeft(d) {
    const p = this.participants.get(d.id);
    if (!p) return;
    this.participants.delete(d.id);
    this.remoteTracks.delete(d.id);
    this.emit('participant-left', p, d.reason);
  }

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
      this.subscribePc = new RTCPeerConnection(PC_CONFIG);
      this.watchPc(this.subscribePc, 'subscribe', gen);
    }
    const pc = this.subscribePc;
    await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    if (gen !== this.generation) return;
    this.mapTracks(offer.tracks || []);
    await this.signaling.request('subscribe_answer', { version: offer.version, sdp: pc.localDescription.sdp });
  }

  /** Rebuilds participant -> tracks from the transceivers' mids and the offer's tracks list. */
  mapTracks(tracks) {
    const byMid = new Map(tracks.map((t) => [String(t.mid), t]));
    const next = new Map();
    for (const tr of this.subscribePc.getTransceivers()) {
      const t = tr.mid !== null && byMid.get(tr.mid);
      if (!t || !t.active || (t.kind !== 'audio' && t.kind !== 'video')) continue;
      if (!next.has(t.participant_id)) next.set(t.participant_id, { audio: null, video: null });
      next.get(t.participant_id)[t.kind] = tr.receiver.track;
    }
    const ids = new Set([...this.remoteTracks.keys(), ...next.keys()]);
    for (const id of ids) {
      const before = this.remoteTracks.get(id) || { audio: null, video: null };
      const after = next.get(id) || { audio: null, video: null };
      if (before.audio !== after.audio || before.video !== after.video) this.emit('media', id, after);
    }
    this.remoteTracks = next;
  }

  tracksOf(id) {
    return this.remoteTracks.get(id) || { audio: null, video: null };
  }

  sendMediaState() {
    if (this.participantId === null) return;
    this.signaling.request('media_state', {
      audio_muted: !!this.local.audioMuted || !this.local.audio,
      video_muted: !!this.local.videoMuted || !this.local.video,
    }).catch((err) => {
      if (err.code !== 'disconnected') console.warn('plenum: media_state failed', err);
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

  /** Forgets everything bound to the current join (PCs, participants) before joining again. */
  reset() {
    this.generation++;
    this.offers = [];
    for (const pc of [this.publishPc, this.subscribePc]) if (pc) pc.close();
    this.publishPc = null;
    this.subscribePc = null;
    this.publishTransceivers = { audio: null, video: null };
    this.participantId = null;
    for (const p of [...this.participants.values()]) {
      this.participants.delete(p.id);
      this.emit('participant-left', p, 'reconnect');
    }
    this.remoteTracks.clear();
  }

  lostConnection() {
    if (this.state !== 'joined' && this.state !== 'joining') return;
    this.reset();
    this.setState('joining');
    this.emit('reconnecting');
  }

  onDropped() {
    if (this.state !== 'joined' && this.state !== 'joining') return;
    this.lostConnection();
    this.join();
  }

  fail(code) {
    this.reset();
    this.stop();
    this.setState('error');
    this.emit('fatal', code);
  }

  stop() {
    this.off.forEach((off) => off());
    this.off = [];
    this.signaling.close();
  }

  /** Leaves the room and closes the connection. */
  async leave() {
    if (this.state === 'left') return;
    if (this.signaling.ready && this.participantId !== null) {
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
