// Connection quality in the meeting (issue 9): the own level (the server's downlink event and
// this page's publish-side getStats, every 2 s, with hysteresis), the others' levels (their
// participant `quality`), paused videos on their tiles, the weak-connection notice, and the data
// saver (set_video_prefs sizes, the own camera without its full layer). room.js attaches it to
// each session and detaches it when the meeting is torn down.

import {
  QualityModel, PauseAnnouncer, WeakNotice, publishSample, uplinkLevel, worst, pausedKey, tileVideoState, DATA_SAVER,
} from '../quality.js';
import {
  setTileQuality, setTilePaused, WeakNoticeView, bindDataSaverChoice, showDataSaverChoice,
} from '../ui/quality.js';

const TICK_MS = 2000;
const SAVER_KEY = 'plenum.dataSaver';

function storedSaver() {
  try { return localStorage.getItem(SAVER_KEY) === 'low' ? 'low' : 'off'; } catch { return 'off'; }
}

function storeSaver(mode) {
  try {
    if (mode === 'low') localStorage.setItem(SAVER_KEY, 'low'); else localStorage.removeItem(SAVER_KEY);
  } catch { /* private mode: for this page only */ }
}

export function createQuality(app) {
  const { t, ui, toasts } = app;
  ui.dataSaver = storedSaver();     // 'off' | 'low'; audio only is ui.audioOnly on top of it
  const model = new QualityModel();
  const pauses = new PauseAnnouncer();
  const notice = new WeakNotice();
  let session = null;
  let off = [];
  let timer = 0;
  let serverDown = null;            // the downlink event's quality
  let paused = new Set();           // pausedKey(id, source)
  let ticking = false;

  const view = new WeakNoticeView({
    t,
    host: document.querySelector('.meeting__stage'),
    onSaver: () => { closeNotice(); setDataSaver('low'); },
    onAudioOnly: () => { closeNotice(); setDataSaver('audio'); },
    onDismiss: () => closeNotice(),
  });
  bindDataSaverChoice((mode) => setDataSaver(mode));
  // the audio-only switch of the settings dialog: the radios follow it (it acts by itself)
  document.getElementById('set-audio-only')?.addEventListener('change', (e) => {
    showDataSaverChoice(e.target.checked ? 'audio' : ui.dataSaver);
    setTimeout(render, 0);
  });
  showDataSaverChoice(mode());

  /** What the data-saver choice shows: off, low or audio (audio only wins). */
  function mode() {
    return ui.audioOnly ? 'audio' : ui.dataSaver;
  }

  function closeNotice() {
    notice.close();
    view.hide();
  }

  async function setDataSaver(next) {
    if (!DATA_SAVER.includes(next)) return;
    if (next !== 'audio') {
      const before = ui.dataSaver;
      ui.dataSaver = next;
      storeSaver(next);
      ui.session?.setDataSaver(next === 'low');
      if (before !== next) toasts.announce(t(next === 'low' ? 'quality.announce_saver_on' : 'quality.announce_saver_off'));
    }
    const audio = next === 'audio';
    if (audio !== ui.audioOnly) await app.actions.setAudioOnly(audio);
    else app.actions.scheduleVideoPrefs(true);
    render();
    showDataSaverChoice(mode());
    if (notice.visible) view.show({ saverOn: ui.dataSaver === 'low' });
  }

  /** Applies paused states and levels to every tile, and the people list. */
  function render() {
    const grid = ui.grid;
    if (!grid || !session) return;
    for (const tile of grid.tiles.values()) {
      const state = tileVideoState({ id: tile.id, source: tile.source, self: tile.self, videoOff: tile.info.videoOff },
        paused, { audioOnly: ui.audioOnly });
      setTilePaused(tile, state === 'paused', t);
      if (tile.self) {
        setTileQuality(tile, tile.source === 'camera' ? model.level : null, t);
        continue;
      }
      const p = session.participants.get(tile.id);
      setTileQuality(tile, tile.source === 'camera' ? p?.quality ?? null : null, t);
    }
  }

  function onDownlink(d) {
    serverDown = d ? d.quality : null;
    paused = new Set((d ? d.paused : []).map((p) => pausedKey(p.participant_id, p.source)));
    ui.pausedVideos = [...paused];
    ui.unsupportedVideos = (d ? d.unsupported : []).map((p) => pausedKey(p.participant_id, p.source));
    const say = pauses.update(paused.size);
    if (say) toasts.announce(t(say));
    render();
  }

  async function tick() {
    const s = session;
    if (!s || s.participantId === null || ticking) return;
    ticking = true;
    let up = null;
    try {
      const pc = s.publishPc;
      if (pc && pc.connectionState === 'connected') up = uplinkLevel(publishSample(await pc.getStats()));
    } catch { up = null; } finally { ticking = false; }
    if (s !== session) return;
    if (model.push(worst(serverDown, up, s.self?.quality))) {
      ui.ownQuality = model.level;
      render();
      app.view.people();
    }
    const change = notice.update(model.level, { audioOnly: ui.audioOnly });
    if (change === 'show') {
      view.show({ saverOn: ui.dataSaver === 'low' });
      toasts.announce(`${t('quality.weak_title')}. ${t(ui.dataSaver === 'low' ? 'quality.weak_text_saver_on' : 'quality.weak_text')}`);
    } else if (change === 'hide') {
      view.hide();
    }
  }

  function attach(s) {
    detach();
    session = s;
    s.setDataSaver(ui.dataSaver === 'low');
    // after the page's own listeners (room/events.js) have made or changed the tiles
    const re = () => queueMicrotask(render);
    off = [
      s.on('downlink', onDownlink),
      s.on('participant-joined', re),
      s.on('participant-updated', re),
      s.on('media', re),
      s.on('joined', () => { model.reset(); ui.ownQuality = null; re(); }),
      s.on('self-updated', re),
      s.on('active-speaker', () => { if (ui.dataSaver === 'low' && !ui.audioOnly) app.actions.scheduleVideoPrefs(); }),
    ];
    timer = setInterval(tick, TICK_MS);
  }

  function detach() {
    off.forEach((fn) => fn());
    off = [];
    clearInterval(timer);
    session = null;
    serverDown = null;
    paused = new Set();
    ui.pausedVideos = [];
    ui.unsupportedVideos = [];
    model.reset();
    ui.ownQuality = null;
    pauses.update(0);
    view.hide();
    notice.visible = false;
  }

  return {
    attach, detach, render, setDataSaver,
    /** The own level after hysteresis (null before anything is known). */
    ownLevel: () => model.level,
    paused: () => [...paused],
    mode,
    relabel: () => { render(); if (view.visible) view.render({ saverOn: ui.dataSaver === 'low' }); },
  };
}
