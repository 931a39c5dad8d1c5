// Recording and the livestream on the meeting page (consent): before joining, room_status on a
// short-lived connection feeds the pre-join notice and the indicator; in the meeting, every start
// brings everyone a dialog (OK / Leave meeting) and an assertive announcement, every end a notice;
// hosts start (after a confirmation) and stop them in the room settings and hear the media
// side's reports.

import { SignalingClient, defaultUrl } from '../protocol.js';
import { OUTS } from '../session.js';
import { OutStatus, outLine } from '../ui/out-status.js';
import { formatTime } from '../i18n.js';

const $ = (id) => document.getElementById(id);
const POLL_MS = 30000;       // room_status again while the pre-join screen stays open
const REASONS = ['disk_full', 'encoder_failed'];

export function createOut(app, { leave }) {
  const { t, ui, toasts } = app;
  const status = new OutStatus({ t });
  let flags = null;            // room_status before the first join: {recording, streaming}
  let probe = null;
  let timer = 0;
  const told = { recording: null, streaming: null };   // `since` of the run the person was told about
  const mine = { recording: null, streaming: null };   // `since` of a run this page's host started
  let asking = null;           // the feature the host is asked to confirm

  const inMeeting = () => ui.session?.participantId != null && ['joining', 'joined'].includes(ui.session.state);
  const beforeMeeting = () => (ui.session ? ['idle', 'joining', 'password', 'lobby'].includes(ui.session.state)
    : ['idle', 'prejoin'].includes(ui.state));

  function render() {
    status.render(inMeeting() ? ui.session.roomState : beforeMeeting() ? flags : null);
    renderHost();
  }

  // ---- before joining -------------------------------------------------------------------------

  function watch(room) {
    if (probe) return;
    probe = new SignalingClient(defaultUrl());
    const ask = () => probe?.request('room_status', { room }).then((r) => {
      flags = { recording: r.recording === true, streaming: r.streaming === true };
      app.e2ee?.status(r.e2ee === true);
      status.renderNotice(flags);
      render();
    }).catch(() => { /* rate-limited or offline: the last answer stands */ });
    probe.on('open', ask);
    timer = setInterval(ask, POLL_MS);
    probe.open();
  }

  function unwatch() {
    clearInterval(timer);
    probe?.close();
    probe = null;
  }

  // ---- everyone in the meeting ----------------------------------------------------------------

  function tell(what, state) {
    told[what] = state.since;
    const title = t(`out.started_title.${what}`);
    const text = t(`out.started_text.${what}`, { name: state.started_by || '?', time: formatTime(state.since || Date.now()) });
    $('out-dialog-title').textContent = title;
    $('out-dialog-text').textContent = text;
    const dialog = $('out-dialog');
    if (!dialog.open) dialog.showModal();
    $('out-dialog-ok').focus();
    app.view.assertive(`${title}. ${text}`);
  }

  function joined() {
    const s = ui.session;
    for (const what of OUTS) {
      const st = s.roomState[what];
      if (!st.active || told[what] === st.since) continue;
      // the pre-join notice said so before this person chose to join; else (a re-join, or it
      // started meanwhile) the dialog says it now
      if (flags?.[what]) told[what] = st.since;
      else tell(what, st);
    }
    flags = null;
    unwatch();
    status.renderNotice(null);
    render();
  }

  function changed(what, change, state) {
    if (change === 'started') {
      if (mine[what] !== null && mine[what] === state.since) told[what] = state.since;
      else tell(what, state);
    } else {
      const text = outLine(t, what, state);
      toasts.show(text, { kind: change === 'stopped' ? 'info' : 'warn', key: `out-${what}`, timeoutMs: 10000 });
      toasts.announce(text);
    }
    render();
  }

  // ---- hosts ----------------------------------------------------------------------------------

  function report(d) {
    const what = d.what;
    const reason = t(`out.reason.${REASONS.includes(d.reason) ? d.reason : 'failed'}`);
    if (d.status === 'ready') {
      const text = t(`out.report.ready.${what}`, { file: typeof d.file === 'string' ? d.file : '' });
      // the recordings page: a signed link that expires, asked for when the host wants it
      const open = () => ui.session?.request('recordings_link').then((r) => {
        window.open(r.url, '_blank', 'noopener');
      }).catch(() => toasts.show(t('out.recordings_failed'), { kind: 'error', key: 'out-recordings' }));
      toasts.show(text, { kind: 'ok', timeoutMs: 0, key: `out-report-${what}`,
        action: what === 'recording' ? { label: t('out.recordings_open'), run: open } : undefined });
      toasts.announce(text);
      return;
    }
    const key = d.status === 'render_failed' ? 'render_failed' : 'failed';
    const text = t(`out.report.${key}.${what}`, { reason });
    toasts.show(text, { kind: 'error', timeoutMs: 0, key: `out-report-${what}` });
    app.view.assertive(text);
  }

  function renderHost() {
    const s = ui.session;
    const offered = !!s && s.isHost && inMeeting() && OUTS.some((w) => s.features[w]);
    $('room-out').hidden = !offered;
    if (!offered) {
      asking = null;
      $('room-out-confirm').hidden = true;
      return;
    }
    for (const what of OUTS) {
      const b = $(`room-${what}`);
      const on = s.roomState[what].active;
      b.hidden = !s.features[what];
      b.textContent = t(`out.${on ? 'stop' : 'start'}.${what}`);
      b.classList.toggle('button--danger', on);
      b.classList.toggle('button--secondary', !on);
    }
    if (asking && s.roomState[asking].active) asking = null;
    $('room-out-confirm').hidden = !asking;
    if (asking) {
      $('room-out-question').textContent = t(`out.confirm.${asking}`);
      $('room-out-yes').textContent = t(`out.start.${asking}`);
    }
  }

  function press(what) {
    const s = ui.session;
    if (s.roomState[what].active) {
      app.roomDialog.hostRequest(`${what}_stop`, {}, () => render());
      return;
    }
    asking = what;
    renderHost();
    $('room-out-yes').focus();
  }

  async function confirm() {
    const what = asking;
    if (!what) return;
    const ok = await app.roomDialog.hostRequest(`${what}_start`, {}, (res) => {
      mine[what] = res?.since ?? null;
      told[what] = mine[what];
      toasts.announce(t(`out.started_self.${what}`));
    });
    if (ok) {
      asking = null;
      render();
      $(`room-${what}`).focus();
    }
  }

  function cancel() {
    const what = asking;
    asking = null;
    renderHost();
    if (what) $(`room-${what}`).focus();
  }

  $('out-dialog-ok').addEventListener('click', () => $('out-dialog').close());
  $('out-dialog-leave').addEventListener('click', () => { $('out-dialog').close(); leave(); });
  for (const what of OUTS) $(`room-${what}`).addEventListener('click', () => press(what));
  $('room-out-yes').addEventListener('click', confirm);
  $('room-out-no').addEventListener('click', cancel);
  $('open-room-settings').addEventListener('click', () => { asking = null; renderHost(); });

  /** The session events this part listens to (room.js subscribes them). */
  function listeners() {
    return {
      joined, out: changed, 'out-report': report,
      room: render, 'self-updated': render, state: render,
    };
  }

  function relabel() {
    status.renderNotice(flags);
    render();
  }

  return { watch, unwatch, render, relabel, listeners };
}
