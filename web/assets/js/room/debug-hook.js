// window.plenum: the read-only view of the meeting that automated tests read (state, ids, roles,
// PeerConnections, hands, lobby, layout, preferences, breakout groups). Copies only; nothing in it changes the page.

import { language } from '../i18n.js';

export function installDebugHook(ui) {
  const hook = {};
  const get = (fn) => ({ get: fn, enumerable: true });
  const s = () => ui.session;
  Object.defineProperties(hook, {
    state: get(() => ui.state),
    room: get(() => s()?.room ?? ui.room),
    participantId: get(() => s()?.participantId ?? null),
    participants: get(() => new Map([...(s()?.participants ?? new Map())].map(([id, p]) => [id, { ...p }]))),
    publishPc: get(() => s()?.publishPc ?? null),
    subscribePc: get(() => s()?.subscribePc ?? null),
    role: get(() => s()?.role ?? null),
    roomState: get(() => ({ ...(s()?.roomState ?? {}) })),
    hands: get(() => [...(s()?.hands ?? [])]),
    lobby: get(() => (s()?.lobby ?? []).map((w) => ({ ...w }))),
    passwordGuard: get(() => (s()?.passwordGuard ? { ...s().passwordGuard } : null)),
    layout: get(() => ui.grid?.layoutName ?? null),
    activeSpeaker: get(() => s()?.activeSpeaker ?? 0),
    videoPrefs: get(() => (s()?.videoPrefs ? JSON.parse(JSON.stringify(s().videoPrefs)) : null)),
    simulcast: get(() => s()?.simulcast ?? false),
    music: get(() => !!ui.media?.music),
    audioOnly: get(() => ui.audioOnly),
    sharing: get(() => !!ui.screen),
    language: get(() => language()),
    dataSaver: get(() => ui.dataSaver ?? 'off'),
    ownQuality: get(() => ui.ownQuality ?? null),
    pausedVideos: get(() => [...(ui.pausedVideos ?? [])]),
    breakout: get(() => JSON.parse(JSON.stringify(ui.breakout ?? null))),
    // end-to-end encryption: the worker's totals {sealed, opened, failed, sealMs, openMs}, failing, mode
    e2ee: get(() => (s()?.e2ee ? { ...s().e2ee.totals, failing: s().e2ee.failing, mode: s().e2ee.mode } : null)),
    unsupportedVideos: get(() => [...(ui.unsupportedVideos ?? [])]),
    videoCodec: get(() => s()?.videoCodec ?? null),
  });
  Object.freeze(hook);
  Object.defineProperty(window, 'plenum', { value: hook, writable: false, configurable: false });
}
