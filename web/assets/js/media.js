// Local media: camera and microphone capture, device lists, and why capture failed.
// No DOM apart from navigator.mediaDevices.

const VIDEO_CONSTRAINTS = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
const AUDIO_CONSTRAINTS = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
// Music mode: the instrument as it sounds, in stereo where the microphone has two channels.
const MUSIC_CONSTRAINTS = { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: { ideal: 2 } };

export function mediaSupported() {
  return !!(globalThis.navigator?.mediaDevices?.getUserMedia);
}

/** Maps a getUserMedia error onto a reason the UI has a message for. */
export function failureReason(err) {
  if (!mediaSupported()) return 'insecure';
  switch (err && err.name) {
    case 'NotAllowedError':
    case 'SecurityError': return 'denied';
    case 'NotFoundError':
    case 'OverconstrainedError': return 'missing';
    case 'NotReadableError':
    case 'AbortError': return 'busy';
    default: return 'failed';
  }
}

function constraint(base, deviceId) {
  return deviceId ? { ...base, deviceId: { exact: deviceId } } : base;
}

/**
 * Captures what is wanted and tolerates what is missing: asks for both, then each alone.
 * Returns {stream, audio: track|null, video: track|null, errors: {audio?, video?}} where the
 * errors are failureReason() values for a kind that was wanted but could not be captured.
 */
export async function capture({ audio = true, video = true, audioDeviceId, videoDeviceId, music = false, noiseSuppression = true } = {}) {
  const stream = new MediaStream();
  const result = { stream, audio: null, video: null, errors: {} };
  if (!audio && !video) return result;
  if (!mediaSupported()) {
    if (audio) result.errors.audio = 'insecure';
    if (video) result.errors.video = 'insecure';
    return result;
  }
  const want = {
    audio: audio ? constraint(music ? MUSIC_CONSTRAINTS : { ...AUDIO_CONSTRAINTS, noiseSuppression }, audioDeviceId) : false,
    video: video ? constraint(VIDEO_CONSTRAINTS, videoDeviceId) : false,
  };
  try {
    const s = await navigator.mediaDevices.getUserMedia(want);
    s.getTracks().forEach((t) => stream.addTrack(t));
  } catch (err) {
    if (!(audio && video)) {
      result.errors[audio ? 'audio' : 'video'] = failureReason(err);
    } else {
      // One of the two may still work alone (a laptop without camera, a camera in use elsewhere).
      for (const kind of ['audio', 'video']) {
        try {
          const s = await navigator.mediaDevices.getUserMedia({ [kind]: want[kind] });
          s.getTracks().forEach((t) => stream.addTrack(t));
        } catch (e) {
          result.errors[kind] = failureReason(e);
        }
      }
    }
  }
  result.audio = stream.getAudioTracks()[0] || null;
  result.video = stream.getVideoTracks()[0] || null;
  return result;
}

/** Stops every track of a stream (turns the camera light off). */
export function stopStream(stream) {
  stream?.getTracks().forEach((t) => t.stop());
}

/** Lists {audioinput, videoinput, audiooutput: [{deviceId, label}]}; labels are empty before permission. */
export async function listDevices() {
  const out = { audioinput: [], videoinput: [], audiooutput: [] };
  if (!globalThis.navigator?.mediaDevices?.enumerateDevices) return out;
  try {
    const devices = await navigator.mediaDevices.enumerateDevices();
    for (const d of devices) {
      if (out[d.kind] && d.deviceId) out[d.kind].push({ deviceId: d.deviceId, label: d.label });
    }
  } catch (err) {
    console.warn('plenum: cannot list devices', err);
  }
  return out;
}

/** Whether this browser can share a screen (desktop browsers; not phones). */
export function screenShareSupported() {
  return !!(globalThis.navigator?.mediaDevices?.getDisplayMedia);
}

/** Whether audio output can be chosen (HTMLMediaElement.setSinkId). */
export function speakerChoiceSupported() {
  return typeof globalThis.HTMLMediaElement?.prototype?.setSinkId === 'function';
}

/** Asks the user for a screen, window or tab; resolves to a video track, or null when cancelled. */
export async function captureScreen() {
  const stream = await navigator.mediaDevices.getDisplayMedia({
    video: { frameRate: { ideal: 15, max: 30 } }, audio: false,
  });
  const track = stream.getVideoTracks()[0] || null;
  if (track && 'contentHint' in track) track.contentHint = 'detail';
  return track;
}

/** Calls fn when devices are plugged in or removed; returns an unsubscribe function. */
export function onDeviceChange(fn) {
  const md = globalThis.navigator?.mediaDevices;
  if (!md?.addEventListener) return () => {};
  md.addEventListener('devicechange', fn);
  return () => md.removeEventListener('devicechange', fn);
}

/**
 * The user's own camera and microphone across pre-join and meeting. The camera is released while
 * switched off (its light goes out); the microphone is only disabled, so unmuting is instant.
 * Fields: audio, video (tracks or null), audioOn, videoOn, audioDeviceId, videoDeviceId,
 * errors {audio?, video?} (failureReason values from the last capture).
 */
export class LocalMedia {
  constructor({ audioOn = true, videoOn = true, audioDeviceId = '', videoDeviceId = '', music = false } = {}) {
    this.music = music;
    this.noiseSuppression = true;   // off: the settings' switch (music mode turns it off anyway)
    this.backgroundBlur = false;    // only where the camera offers it (ui/media-options.js)
    this.audio = null;
    this.video = null;
    this.audioOn = audioOn;
    this.videoOn = videoOn;
    this.audioDeviceId = audioDeviceId;
    this.videoDeviceId = videoDeviceId;
    this.errors = {};
  }

  /** Captures the microphone (always, if present) and the camera (if switched on). */
  async start() {
    const got = await capture({
      audio: true, video: this.videoOn, music: this.music, noiseSuppression: this.noiseSuppression,
      audioDeviceId: this.audioDeviceId, videoDeviceId: this.videoDeviceId,
    });
    this.errors = got.errors;
    this.setTrack('audio', got.audio);
    this.setTrack('video', got.video);
    if (!got.video) this.videoOn = false;
    if (!got.audio) this.audioOn = false;
    return this;
  }

  setTrack(kind, track) {
    const old = this[kind];
    if (old && old !== track) old.stop();
    this[kind] = track;
    if (track) {
      if (kind === 'audio') track.enabled = this.audioOn;
      if (kind === 'video' && this.backgroundBlur) track.applyConstraints({ backgroundBlur: true }).catch(() => {});
      const id = track.getSettings?.().deviceId;
      if (id) this[`${kind}DeviceId`] = id;
    }
  }

  /** Turns the microphone on or off; returns false when there is no microphone to turn on. */
  async setAudioOn(on) {
    if (on && !this.audio) {
      const got = await capture({ audio: true, video: false, audioDeviceId: this.audioDeviceId, music: this.music, noiseSuppression: this.noiseSuppression });
      this.errors.audio = got.errors.audio;
      if (!got.audio) return false;
      this.audioOn = true;
      this.setTrack('audio', got.audio);
      delete this.errors.audio;
      return true;
    }
    this.audioOn = on && !!this.audio;
    if (this.audio) this.audio.enabled = this.audioOn;
    return true;
  }

  /** Turns the camera on (capturing anew) or off (releasing it); false when it cannot start. */
  async setVideoOn(on) {
    if (!on) {
      this.videoOn = false;
      this.setTrack('video', null);
      return true;
    }
    if (this.video) { this.videoOn = true; return true; }
    const got = await capture({ audio: false, video: true, videoDeviceId: this.videoDeviceId });
    this.errors.video = got.errors.video;
    if (!got.video) return false;
    delete this.errors.video;
    this.videoOn = true;
    this.setTrack('video', got.video);
    return true;
  }

  /** Switches to another device of a kind; the new track replaces the old one. */
  async useDevice(kind, deviceId) {
    this[`${kind}DeviceId`] = deviceId;
    if (kind === 'video' && !this.videoOn) return true;
    const got = await capture({ audio: kind === 'audio', video: kind === 'video', [`${kind}DeviceId`]: deviceId, music: this.music, noiseSuppression: this.noiseSuppression });
    if (!got[kind]) {
      this.errors[kind] = got.errors[kind];
      return false;
    }
    delete this.errors[kind];
    this.setTrack(kind, got[kind]);
    return true;
  }

  /**
   * Music mode on or off: captures the microphone again with (or without) voice processing.
   * Returns false when no microphone could be captured; the old track then stays.
   */
  async setMusic(on) {
    this.music = on;
    const got = await capture({ audio: true, video: false, audioDeviceId: this.audioDeviceId, music: on, noiseSuppression: this.noiseSuppression });
    if (!got.audio) {
      this.errors.audio = got.errors.audio;
      return false;
    }
    delete this.errors.audio;
    this.setTrack('audio', got.audio);
    return true;
  }

  stop() {
    this.setTrack('audio', null);
    this.setTrack('video', null);
  }
}
