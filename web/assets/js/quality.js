// Connection quality on the client (issue 9): the simulcast layers the server asks a publisher to
// send (publish_layers, applied to RTCRtpSender parameters one call at a time), the own
// connection's level from the server's downlink event and the publish side's getStats with
// hysteresis, the paused videos of the downlink event, and the rate limit for telling screen
// readers about them. No DOM: the PeerConnection's senders and the clock are passed in.

export const LEVELS = ['good', 'fair', 'poor'];
const RANK = { good: 0, fair: 1, poor: 2 };
const RIDS = ['q', 'h', 'f'];

/** A quality word from the server, or null for anything else. */
export function levelOf(v) {
  return Object.hasOwn(RANK, v) ? v : null;
}

/** The worse of the known levels (null when none is known). */
export function worst(...levels) {
  let out = null;
  for (const l of levels) if (levelOf(l) && (out === null || RANK[l] > RANK[out])) out = l;
  return out;
}

// ---- publish_layers -----------------------------------------------------------------------------

/**
 * The encodings to send: a copy of params.encodings where each simulcast encoding (rid q, h, f)
 * is active as `wanted` says; a rid `wanted` leaves out is active, as every layer starts (the
 * server's earlier wishes are merged into `wanted` by PublishLayers, so "left out" means "as
 * before"). With `saver` (data saver, camera only) the full layer f stays off, and a single
 * encoding without rid (no simulcast) is sent at half size and 500 kbit/s; `restore` puts such
 * a single encoding back to full size after the saver. Every other field (transactionId,
 * codecs, rtcp, …) is kept. Returns {params, changed}.
 */
export function layeredParameters(params, wanted = {}, { saver = false, restore = false } = {}) {
  let changed = false;
  const list = Array.isArray(params.encodings) ? params.encodings : [];
  const encodings = list.map((enc) => {
    const next = { ...enc };
    if (enc.rid && RIDS.includes(enc.rid)) {
      let on = typeof wanted[enc.rid] === 'boolean' ? wanted[enc.rid] : true;
      if (saver && enc.rid === 'f') on = false;
      if ((enc.active !== false) !== on) { next.active = on; changed = true; }
    } else if (!enc.rid && list.length === 1 && (saver || restore)) {
      const want = saver ? SINGLE_SAVER : SINGLE_FULL;
      for (const [k, v] of Object.entries(want)) {
        if (v === undefined ? k in next : next[k] !== v) {
          if (v === undefined) delete next[k]; else next[k] = v;
          changed = true;
        }
      }
    }
    return next;
  });
  return { params: { ...params, encodings }, changed };
}

// One camera layer (no simulcast: Firefox without it, ?simulcast=0) under data saver, and back.
export const SINGLE_SAVER = { scaleResolutionDownBy: 2, maxBitrate: 500000 };
const SINGLE_FULL = { scaleResolutionDownBy: 1, maxBitrate: undefined };

/**
 * The publisher's side of publish_layers: the server's latest wish per mid, merged over the
 * earlier ones (a layer it leaves out stays as it was), and the data saver for the camera.
 * apply() runs getParameters/setParameters on the sender of each mid, one call at a time and
 * always with the newest wishes; a mid without a sender (not negotiated yet, or gone) keeps its
 * wish for the next apply() (the session calls it after each publish answer). Failures (a
 * sender replaced or renegotiated meanwhile) are logged and retried by the next apply().
 * transceivers(): the publish PeerConnection's transceivers (or []); cameraMid(): the camera's mid.
 */
export class PublishLayers {
  constructor({ transceivers, cameraMid = () => null, log = console }) {
    this.transceivers = transceivers;
    this.cameraMid = cameraMid;
    this.log = log;
    this.wanted = new Map();   // mid -> {q?, h?, f?}
    this.saver = false;
    this.saverUsed = false;    // the saver was on once: a single layer may need restoring
    this.running = null;       // the promise of the apply loop
    this.again = false;
  }

  /** A publish_layers event: {mid, active: {q, h, f}}; junk is ignored. Returns apply()'s promise. */
  set(d) {
    if (!d || (typeof d.mid !== 'string' && typeof d.mid !== 'number') || !d.active || typeof d.active !== 'object') {
      return this.running || Promise.resolve();
    }
    const mid = String(d.mid);
    const merged = { ...(this.wanted.get(mid) || {}) };
    for (const rid of RIDS) if (typeof d.active[rid] === 'boolean') merged[rid] = d.active[rid];
    this.wanted.set(mid, merged);
    return this.apply();
  }

  /** Data saver on or off: the camera's full layer off (or its one layer at half size). */
  setSaver(on) {
    this.saver = !!on;
    if (on) this.saverUsed = true;
    return this.apply();
  }

  /** Forgets the server's wishes (a new join: a new publish PeerConnection). */
  reset() {
    this.wanted.clear();
  }

  /** Applies the newest wishes to every sender; resolves when they are set (errors are logged). */
  apply() {
    this.again = true;
    if (!this.running) {
      this.running = (async () => {
        try {
          while (this.again) {
            this.again = false;
            await this.applyOnce();
          }
        } finally {
          this.running = null;
        }
      })();
    }
    return this.running;
  }

  async applyOnce() {
    let list = [];
    try { list = this.transceivers() || []; } catch { list = []; }
    const camera = this.cameraMid();
    for (const tr of list) {
      const sender = tr && tr.sender;
      if (!sender || typeof sender.getParameters !== 'function' || tr.mid === null || tr.mid === undefined || tr.stopped) continue;
      const mid = String(tr.mid);
      const isCamera = camera !== null && camera !== undefined && mid === String(camera);
      const wanted = this.wanted.get(mid);
      if (!wanted && !(isCamera && this.saverUsed)) continue;
      try {
        const { params, changed } = layeredParameters(sender.getParameters(), wanted || {},
          { saver: isCamera && this.saver, restore: isCamera && this.saverUsed });
        if (changed) await sender.setParameters(params);
      } catch (err) {
        this.log.warn('plenum: setting simulcast layers failed', mid, err && err.name);
      }
    }
  }
}

// ---- own connection: getStats of the publish side -------------------------------------------

/**
 * What the publish PeerConnection's getStats says about sending: {bandwidthLimited, lossPct,
 * rttMs, availableKbps, sendingVideo}; fields are null where the browser did not report them.
 */
export function publishSample(report) {
  const out = { bandwidthLimited: false, lossPct: null, rttMs: null, availableKbps: null, sendingVideo: false };
  let pairRtt = null;
  // the transport's selected pair; without that entry (older browsers) the nominated one
  let selected = null;
  report.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) selected = s.selectedCandidatePairId; });
  report.forEach((s) => {
    if (s.type === 'outbound-rtp' && s.kind === 'video') {
      if (s.qualityLimitationReason === 'bandwidth') out.bandwidthLimited = true;
      if ((s.bytesSent || 0) > 0 && s.active !== false) out.sendingVideo = true;
    } else if (s.type === 'remote-inbound-rtp') {
      if (Number.isFinite(s.fractionLost)) out.lossPct = Math.max(out.lossPct ?? 0, s.fractionLost * 100);
      if (Number.isFinite(s.roundTripTime)) out.rttMs = Math.max(out.rttMs ?? 0, s.roundTripTime * 1000);
    } else if (s.type === 'candidate-pair' && (selected ? s.id === selected : s.nominated && s.state === 'succeeded')) {
      if (Number.isFinite(s.availableOutgoingBitrate)) out.availableKbps = s.availableOutgoingBitrate / 1000;
      if (Number.isFinite(s.currentRoundTripTime)) pairRtt = s.currentRoundTripTime * 1000;
    }
  });
  if (out.rttMs === null && pairRtt !== null) out.rttMs = pairRtt;
  return out;
}

/** The level of the publish side from one sample (null when it says nothing yet). */
export function uplinkLevel(s) {
  if (!s) return null;
  const known = s.lossPct !== null || s.rttMs !== null || s.availableKbps !== null || s.bandwidthLimited;
  if (!known) return null;
  const loss = s.lossPct ?? 0;
  const rtt = s.rttMs ?? 0;
  if (loss >= 10 || rtt >= 800) return 'poor';
  // The bandwidth estimate only speaks while a camera is sent (an idle link estimates low).
  if (s.sendingVideo && s.availableKbps !== null && s.availableKbps < 150) return 'poor';
  if (loss >= 3 || rtt >= 350 || s.bandwidthLimited) return 'fair';
  if (s.sendingVideo && s.availableKbps !== null && s.availableKbps < 400) return 'fair';
  return 'good';
}

/**
 * A level with hysteresis, fed one raw level per tick (the page ticks every 2 s): a worse level
 * is taken after `worseAfter` ticks in a row (so one bad sample does not flash a warning), a
 * better one after `betterAfter` ticks in a row; of such a run the mildest level is taken. The
 * first known level is taken at once unless it is poor (a link's first seconds often look worse
 * than it is: poor needs `worseAfter` ticks from the start too); null (unknown) ticks change nothing.
 */
export class QualityModel {
  constructor({ worseAfter = 2, betterAfter = 3 } = {}) {
    this.worseAfter = worseAfter;
    this.betterAfter = betterAfter;
    this.level = null;
    this.run = [];            // raw levels of the current run, all worse or all better than level
  }

  /** Returns true when the level changed. */
  push(raw) {
    raw = levelOf(raw);
    if (raw === null) return false;
    if (this.level === null && raw !== 'poor') { this.level = raw; this.run = []; return true; }
    const now = this.level ?? 'good';   // before anything is known, poor is a worsening from good
    if (raw === now) { this.run = []; return false; }
    const worse = RANK[raw] > RANK[now];
    if (this.run.length && (RANK[this.run[0]] > RANK[now]) !== worse) this.run = [];
    this.run.push(raw);
    if (this.run.length < (worse ? this.worseAfter : this.betterAfter)) return false;
    // the mildest of the run: the least worse, or the least better
    const ranks = this.run.map((l) => RANK[l]);
    this.level = LEVELS[worse ? Math.min(...ranks) : Math.max(...ranks)];
    this.run = [];
    return true;
  }

  reset() {
    this.level = null;
    this.run = [];
  }
}

// ---- downlink: paused videos -----------------------------------------------------------------

/** A downlink event's data, checked: {estimate_kbps, rtt_ms, loss_pct, quality, paused: [{participant_id, source}]}. */
/** [{participant_id, source}] from an event's list of videos, checked, without repeats, at most 512. */
function videoList(arr) {
  const out = [];
  const seen = new Set();
  for (const p of Array.isArray(arr) ? arr.slice(0, 512) : []) {
    if (!p || !Number.isInteger(p.participant_id) || (p.source !== 'camera' && p.source !== 'screen')) continue;
    const key = pausedKey(p.participant_id, p.source);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ participant_id: p.participant_id, source: p.source });
  }
  return out;
}

export function downlinkFrom(d) {
  const num = (v) => (Number.isFinite(v) && v >= 0 ? v : null);
  return {
    estimate_kbps: num(d?.estimate_kbps), rtt_ms: num(d?.rtt_ms), loss_pct: num(d?.loss_pct),
    quality: levelOf(d?.quality), paused: videoList(d?.paused),
    unsupported: videoList(d?.unsupported),   // videos in a codec this browser cannot decode (H.264)
  };
}

export const pausedKey = (id, source) => `${id}:${source}`;

/**
 * 'paused' or 'live' for a tile ({id, source, self, videoOff}) given the paused keys of the last
 * downlink event: the self view is never paused, nor a camera that is off or not received
 * (audio only), whatever an older event said.
 */
export function tileVideoState(tile, paused, { audioOnly = false } = {}) {
  if (tile.self || tile.id === null || tile.id === undefined) return 'live';
  if (tile.source === 'camera' && (tile.videoOff || audioOnly)) return 'live';
  return paused.has(pausedKey(tile.id, tile.source)) ? 'paused' : 'live';
}

/**
 * Says "videos paused" to screen readers when pausing starts, and "videos back" when it ends,
 * each at most once per `quietMs` (so a tile that flickers between paused and live is not read
 * out again and again). update(count) returns the i18n key to announce, or null.
 */
export class PauseAnnouncer {
  constructor({ now = () => Date.now(), quietMs = 60000 } = {}) {
    this.now = now;
    this.quietMs = quietMs;
    this.count = 0;
    this.lastAt = -Infinity;
    this.said = null;          // 'paused' after saying so, until 'resumed' was said
  }

  update(count) {
    const before = this.count;
    this.count = count;
    const t = this.now();
    if (before === 0 && count > 0 && this.said !== 'paused' && t - this.lastAt >= this.quietMs) {
      this.said = 'paused';
      this.lastAt = t;
      return 'quality.announce_paused';
    }
    if (before > 0 && count === 0 && this.said === 'paused' && t - this.lastAt >= this.quietMs) {
      this.said = null;
      this.lastAt = t;
      return 'quality.announce_resumed';
    }
    return null;
  }
}

/**
 * When the weak-connection notice is shown: the own level poor (after the model's hysteresis),
 * not already shown, not within `quietMs` of being dismissed or used, and not when there is
 * nothing left to offer (audio only already on).
 */
export class WeakNotice {
  constructor({ now = () => Date.now(), quietMs = 10 * 60000 } = {}) {
    this.now = now;
    this.quietMs = quietMs;
    this.visible = false;
    this.closedAt = -Infinity;
  }

  /** level: own level; audioOnly: bool. Returns 'show', 'hide' or null (no change). */
  update(level, { audioOnly = false } = {}) {
    if (this.visible) {
      if (level === 'good' || audioOnly) { this.visible = false; return 'hide'; }
      return null;
    }
    if (level === 'poor' && !audioOnly && this.now() - this.closedAt >= this.quietMs) {
      this.visible = true;
      return 'show';
    }
    return null;
  }

  /** Dismissed, or one of its switches used: quiet for a while. */
  close() {
    this.visible = false;
    this.closedAt = this.now();
  }
}

// ---- data saver: what set_video_prefs asks for -------------------------------------------------

export const DATA_SAVER = ['off', 'low', 'audio'];
export const SAVER_HEIGHT = 180;

/**
 * set_video_prefs params from the tiles' heights ([{id, source, height}]) and the mode:
 * 'off': every tile at its size; 'low': cameras at most SAVER_HEIGHT but the active speaker's,
 * which keeps its tile's size (screens keep theirs: text must stay readable); 'audio': no
 * cameras at all (last_n 0, height 0), screens as shown.
 */
export function videoPrefsFor(tiles, mode, activeSpeaker = 0) {
  if (mode === 'audio') {
    return { last_n: 0, tiles: tiles.map((x) => ({ ...x, height: x.source === 'screen' ? x.height : 0 })) };
  }
  if (mode === 'low') {
    return {
      last_n: 50,
      tiles: tiles.map((x) => (x.source === 'camera' && !(activeSpeaker && x.id === activeSpeaker)
        ? { ...x, height: Math.min(x.height, SAVER_HEIGHT) } : { ...x })),
    };
  }
  return { last_n: 50, tiles: tiles.map((x) => ({ ...x })) };
}
