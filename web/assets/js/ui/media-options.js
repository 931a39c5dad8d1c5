// Three switches of the settings dialog about one's own media:
//  - noise suppression of the microphone (applyConstraints on the track; where the browser cannot
//    change it on a running track, the microphone is captured again with the new setting). Music
//    mode has it off already, so there the switch is off and cannot be changed.
//  - one's own picture shown or hidden on the stage (the others still see the camera).
//  - background blur, only where the camera track itself offers it (MediaStreamTrack
//    getCapabilities().backgroundBlur, done by the system or the camera, no downloaded model);
//    elsewhere the switch is not shown at all.

const $ = (id) => document.getElementById(id);

/** Whether the camera track can blur its background by itself. */
export function blurSupported(track) {
  const caps = track?.getCapabilities?.();
  const b = caps?.backgroundBlur;
  return Array.isArray(b) ? b.includes(true) : b === true;
}

export class MediaOptions {
  /**
   * media(): LocalMedia; replaced(kind): a new track to send; grid(): the stage;
   * announce(text): the polite live region.
   */
  constructor({ t, media, replaced, grid, announce }) {
    this.t = t;
    this.media = media;
    this.replaced = replaced;
    this.grid = grid;
    this.announce = announce;
    this.noise = true;
    this.showSelf = true;
    $('set-noise').addEventListener('change', (e) => this.setNoise(e.target.checked));
    $('set-self-view').addEventListener('change', (e) => this.setShowSelf(e.target.checked));
    $('set-blur').addEventListener('change', (e) => this.setBlur(e.target.checked));
    $('settings-dialog').addEventListener('toggle', () => this.render());
    $('ctl-more').addEventListener('click', () => this.render());
  }

  /** A meeting starts: the choices made before stay. */
  apply() {
    const m = this.media();
    if (m) m.noiseSuppression = this.noise;
    this.grid()?.setHideSelf(!this.showSelf);
    this.render();
  }

  render() {
    const m = this.media();
    const music = !!m?.music;
    $('set-noise').checked = !music && this.noise;
    $('set-noise').disabled = music;
    $('set-noise-music').hidden = !music;
    $('set-self-view').checked = this.showSelf;
    const blur = blurSupported(m?.video);
    $('set-blur-field').hidden = !blur;
    $('set-blur').checked = !!m?.backgroundBlur;
  }

  async setNoise(on) {
    const m = this.media();
    this.noise = on;
    if (!m) return;
    m.noiseSuppression = on;
    const track = m.audio;
    if (track && !m.music) {
      try {
        await track.applyConstraints({ ...track.getConstraints(), noiseSuppression: on });
      } catch { /* checked below */ }
      if (track.getSettings().noiseSuppression !== on) {
        // The browser keeps the running track as it is (Chromium shares one processing setup per
        // device): release it, then capture the microphone again with the new setting.
        m.setTrack('audio', null);
        await m.useDevice('audio', m.audioDeviceId);
        await this.replaced('audio');
      }
    }
    this.announce(this.t(on ? 'media_options.noise_on' : 'media_options.noise_off'));
    this.render();
  }

  setShowSelf(on) {
    this.showSelf = on;
    this.grid()?.setHideSelf(!on);
    this.announce(this.t(on ? 'media_options.self_shown' : 'media_options.self_hidden'));
  }

  async setBlur(on) {
    const m = this.media();
    if (!m?.video) return;
    try {
      await m.video.applyConstraints({ backgroundBlur: on });
      m.backgroundBlur = on;
    } catch {
      $('set-blur').checked = m.backgroundBlur;
    }
  }
}
