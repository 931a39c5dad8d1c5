// "You are muted": noticed when somebody speaks into a switched-off microphone. The microphone
// stays captured while off (its track is only disabled), so a clone of that track, enabled, feeds
// a WebAudio AnalyserNode here and nowhere else; nothing of it is sent. Sound above a speaking
// level in 3 of the last 20 readings (2 s; a reading covers 85 ms of
// the last 100) shows the hint, with "Turn microphone on".
// Not nagging: nothing in the first 2 s after switching off, then at most once a minute, and not
// at all after the hint was shown three times in a meeting.

const READ_MS = 100;
const WINDOW = 20;
const NEEDED = 3;
const LEVEL = 0.015;           // RMS of the signal, full scale 1 (about -36 dBFS)
const GRACE_MS = 2000;
const COOLDOWN_MS = 60000;
const MAX_HINTS = 3;

export class MutedHint {
  /** track(): the microphone track when it is switched off (else null); show(): the hint. */
  constructor({ track, show, hide }) {
    this.track = track;
    this.showHint = show;
    this.hideHint = hide;
    this.source = null;      // the track being listened to
    this.clone = null;
    this.ctx = null;
    this.analyser = null;
    this.buf = null;
    this.readings = [];
    this.mutedSince = 0;
    this.lastShown = -Infinity;
    this.shown = 0;
    this.timer = 0;
  }

  start() {
    this.stop();
    this.shown = 0;
    this.lastShown = -Infinity;
    this.timer = setInterval(() => this.tick(), READ_MS);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = 0;
    this.release();
  }

  release() {
    this.clone?.stop();
    this.clone = null;
    this.source = null;
    this.analyser = null;
    this.readings = [];
    this.ctx?.close().catch(() => {});
    this.ctx = null;
  }

  listen(track) {
    this.release();
    const Ctx = globalThis.AudioContext || globalThis.webkitAudioContext;
    if (!Ctx || !track || track.readyState === 'ended') return;
    try {
      this.clone = track.clone();
      this.clone.enabled = true;
      this.ctx = new Ctx();
      this.ctx.resume?.().catch(() => {});
      const src = this.ctx.createMediaStreamSource(new MediaStream([this.clone]));
      this.analyser = this.ctx.createAnalyser();
      this.analyser.fftSize = 4096;
      this.buf = new Float32Array(this.analyser.fftSize);
      src.connect(this.analyser);
      this.source = track;
    } catch (err) {
      console.warn('plenum: cannot listen to the muted microphone', err);
      this.release();
      this.source = track;   // do not try again for this track
    }
  }

  level() {
    this.analyser.getFloatTimeDomainData(this.buf);
    let sum = 0;
    for (const v of this.buf) sum += v * v;
    return Math.sqrt(sum / this.buf.length);
  }

  tick() {
    const track = this.track();
    if (!track) {
      if (this.source) { this.release(); this.hideHint(); }
      this.mutedSince = 0;
      return;
    }
    const now = performance.now();
    if (!this.mutedSince) this.mutedSince = now;
    if (track !== this.source) this.listen(track);
    if (!this.analyser || this.shown >= MAX_HINTS) return;
    this.readings.push(this.level() > LEVEL);
    if (this.readings.length > WINDOW) this.readings.shift();
    const loud = this.readings.filter(Boolean).length;
    if (loud >= NEEDED && now - this.mutedSince > GRACE_MS && now - this.lastShown > COOLDOWN_MS) {
      this.lastShown = now;
      this.shown += 1;
      this.readings = [];
      this.showHint();
    }
  }
}
