// What the meeting's controls do: microphone and camera, screen share, hand, reactions, music
// mode, audio only, device and speaker changes, a host muting us, and the video preferences
// (tile sizes for the simulcast layer and last-N) sent when the stage changes.

import { captureScreen, screenShareSupported } from '../media.js';
import { deviceMessage } from '../ui/prejoin.js';
import { videoPrefsFor } from '../quality.js';

export function createActions(app) {
  const { t, ui, toasts } = app;
  const deviceToast = (errors) => toasts.show(deviceMessage(errors, t), { kind: 'warn', key: 'device' });
  const rerender = () => { app.view.self(); app.view.controls(); app.view.people(); };

  async function toggleAudio(m, s) {
    const before = m.audio;
    const ok = await m.setAudioOn(!m.audioOn);
    if (m.audio !== before) await s.replaceTrack('audio', m.audio);
    s.setAudioMuted(!m.audioOn);
    if (!ok) deviceToast({ audio: m.errors.audio || 'missing' });
    toasts.announce(t(m.audioOn ? 'announce.mic_on' : 'announce.mic_off'));
  }

  async function toggleVideo(m, s) {
    if (m.videoOn) {
      s.setVideoMuted(true);
      await m.setVideoOn(false);
      await s.replaceTrack('video', null);
      toasts.announce(t('announce.cam_off'));
    } else if (await m.setVideoOn(true)) {
      await s.replaceTrack('video', m.video);
      s.setVideoMuted(false);
      toasts.announce(t('announce.cam_on'));
    } else {
      deviceToast({ video: m.errors.video || 'missing' });
    }
  }

  /** Microphone ('audio') or camera ('video') on or off; one change at a time per kind. */
  async function toggle(kind) {
    const m = ui.media;
    const s = ui.session;
    if (!m || !s || ui.busy[kind]) return;
    ui.busy[kind] = true;
    try {
      await (kind === 'audio' ? toggleAudio(m, s) : toggleVideo(m, s));
    } finally {
      ui.busy[kind] = false;
    }
    rerender();
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
      if (err && err.name !== 'NotAllowedError' && err.name !== 'AbortError') toasts.show(t('screen.failed'), { kind: 'warn', key: 'screen' });
    }
    if (!track) { ui.busy.screen = false; return; }
    ui.screen = track;
    track.addEventListener('ended', () => { if (ui.screen === track) stopScreen(); });
    ui.grid.setSelfScreen(track, ui.name);
    app.view.controls();
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
    app.view.people();
  }

  async function stopScreen(quiet = false) {
    const track = ui.screen;
    if (!track) return;
    ui.screen = null;
    track.stop();
    ui.grid?.setSelfScreen(null);
    app.view.controls();
    app.view.people();
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
      // rate_limited has its own polite notice (the session's 'rate-limited' event)
      if (err.code !== 'rate_limited') toasts.show(t('hands.failed'), { kind: 'warn', key: 'hand' });
    }
  }

  async function react(emoji) {
    const s = ui.session;
    if (!s || s.participantId === null) return;
    try {
      await s.request('reaction', { emoji });
    } catch (err) {
      if (err.code !== 'rate_limited') toasts.show(t('reactions.failed'), { kind: 'warn', key: 'reaction' });
    }
  }

  async function setMusic(on) {
    const m = ui.media;
    const s = ui.session;
    if (!m || ui.busy.music) return;
    ui.busy.music = true;
    try {
      if (!(await m.setMusic(on))) deviceToast({ audio: m.errors.audio || 'missing' });
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
    app.settings.showMusic(!!m.music);
    app.view.self();
  }

  async function setAudioOnly(on) {
    ui.audioOnly = on;
    ui.grid?.setAudioOnly(on);
    if (on && ui.media?.videoOn) await toggle('video');
    scheduleVideoPrefs(true);
    toasts.announce(t(on ? 'announce.audio_only_on' : 'announce.audio_only_off'));
  }

  async function useDevice(kind, deviceId) {
    const m = ui.media;
    if (!m) return;
    if (!(await m.useDevice(kind, deviceId))) {
      deviceToast({ [kind]: m.errors[kind] || 'failed' });
      return;
    }
    if (ui.session) await ui.session.replaceTrack(kind, m[kind]);  // replaceTrack: no renegotiation
    app.view.self();
    toasts.announce(t('announce.device_changed'));
  }

  async function useSpeaker(sinkId) {
    try {
      await ui.grid?.setSinkId(sinkId);
      toasts.announce(t('announce.device_changed'));
    } catch {
      toasts.show(t('settings.speaker_failed'), { kind: 'warn', key: 'device' });
    }
  }

  /** A host turned our microphone, camera or screen share off. */
  function mutedByHost(source) {
    const m = ui.media;
    if (source === 'microphone' && m.audioOn) {
      m.setAudioOn(false).then(() => { ui.session?.setAudioMuted(true); app.view.self(); app.view.controls(); });
    } else if (source === 'camera' && m.videoOn) {
      toggle('video');
    } else if (source === 'screen' && ui.screen) {
      stopScreen();
    }
    const text = t(`moderation.muted.${source}`);
    toasts.show(text, { kind: 'warn', key: `muted-${source}`, timeoutMs: 8000 });
    app.view.assertive(text);
  }

  function scheduleVideoPrefs(now = false) {
    clearTimeout(ui.prefsTimer);
    ui.prefsTimer = setTimeout(sendVideoPrefs, now ? 0 : 300);
  }

  function sendVideoPrefs() {
    const s = ui.session;
    if (!s || !ui.grid || s.participantId === null) return;
    // the data saver: small cameras but the speaker's (room/quality.js)
    const tiles = videoPrefsFor(ui.grid.videoSizes(), ui.dataSaver === 'low' ? 'low' : 'off', s.activeSpeaker).tiles;
    const prefs = ui.audioOnly
      ? { last_n: 0, tiles: tiles.map((x) => ({ ...x, height: x.source === 'screen' ? x.height : 0 })) }
      : { last_n: 50, tiles };
    prefs.pinned = ui.grid.pinned !== null ? [ui.grid.pinned] : [];   // a pinned tile's video always comes
    const key = JSON.stringify(prefs);
    if (key === ui.lastPrefs) return;
    ui.lastPrefs = key;
    s.setVideoPrefs(prefs);
  }

  return {
    toggle, toggleScreen, stopScreen, toggleHand, react, setMusic, setAudioOnly, useDevice, useSpeaker,
    mutedByHost, scheduleVideoPrefs,
  };
}
