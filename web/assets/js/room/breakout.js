// Breakout groups as the client knows them: the server's `breakout` event made safe to render
// (breakoutFrom), the limits the server applies (checked here first, so a host sees why at once),
// the requests of hosts and guests, and the meeting's listeners that tell a person about their
// moves (createBreakout). No DOM: ui/breakout.js and ui/breakout-banner.js draw it.

export const GROUPS_MAX = 20;
export const NAME_BYTES_MAX = 64;
export const TEXT_BYTES_MAX = 2000;
export const MINUTES_MAX = 480;
export const CLOSE_SECONDS_MAX = 300;
const STATES = ['none', 'planned', 'open', 'closing'];
const MEMBERS_MAX = 1000;
const PERSON_NAME_MAX = 200;

export const NO_BREAKOUT = Object.freeze({
  state: 'none', allowChoose: false, endsAtMs: 0, closingAtMs: 0, yourGroup: 0, groups: [], main: null,
});

const bytes = (s) => new TextEncoder().encode(s).length;
const whole = (v, max) => (Number.isInteger(v) && v >= 0 && v <= max ? v : 0);
const wall = (v) => (Number.isFinite(v) && v > 0 ? v : 0);

function membersFrom(list) {
  if (!Array.isArray(list)) return null;
  const out = [];
  for (const m of list.slice(0, MEMBERS_MAX)) {
    if (!m || typeof m !== 'object' || (typeof m.id !== 'number' && typeof m.id !== 'string')) continue;
    out.push({ id: m.id, name: String(m.name ?? '').slice(0, PERSON_NAME_MAX) });
  }
  return out;
}

/**
 * The `breakout` event as {state, allowChoose, endsAtMs, closingAtMs, yourGroup,
 * groups: [{id, name, count, members|null}], main: [{id, name}]|null}; junk becomes NO_BREAKOUT's values.
 * members and main are null where the server sends none (guests see counts only).
 */
export function breakoutFrom(d) {
  if (!d || typeof d !== 'object' || !STATES.includes(d.state)) return { ...NO_BREAKOUT };
  const groups = [];
  for (const g of Array.isArray(d.groups) ? d.groups.slice(0, GROUPS_MAX) : []) {
    if (!g || !Number.isInteger(g.id) || g.id < 1 || g.id > GROUPS_MAX || groups.some((x) => x.id === g.id)) continue;
    const members = membersFrom(g.members);
    groups.push({
      id: g.id, name: String(g.name ?? '').slice(0, NAME_BYTES_MAX) || String(g.id),
      count: whole(g.count, MEMBERS_MAX) || (members ? members.length : 0), members,
    });
  }
  const yourGroup = whole(d.your_group, GROUPS_MAX);
  return {
    state: d.state, allowChoose: d.allow_choose === true, endsAtMs: wall(d.ends_at_ms), closingAtMs: wall(d.closing_at_ms),
    yourGroup: groups.some((g) => g.id === yourGroup) ? yourGroup : 0, groups, main: membersFrom(d.main),
  };
}

/** Why these group names cannot be set up (an i18n key under breakout.error.), or '' when they can. */
export function namesProblem(names) {
  if (!Array.isArray(names) || names.length < 1 || names.length > GROUPS_MAX) return 'count';
  if (names.some((n) => typeof n !== 'string' || !n.trim())) return 'name_empty';
  if (names.some((n) => bytes(n.trim()) > NAME_BYTES_MAX)) return 'name_long';
  if (new Set(names.map((n) => n.trim())).size !== names.length) return 'name_twice';
  return '';
}

/** Why a broadcast cannot be sent (an i18n key under breakout.error.), or ''. */
export function textProblem(text) {
  const s = String(text ?? '').trim();
  if (!s) return 'text_empty';
  return bytes(s) > TEXT_BYTES_MAX ? 'text_long' : '';
}

/** Whole seconds left until a wall-clock time (0 when it is passed or none). */
export function secondsLeft(atMs, nowMs = Date.now()) {
  return atMs > 0 ? Math.max(0, Math.ceil((atMs - nowMs) / 1000)) : 0;
}

/** The group's name, or null for the main room (0) and unknown ids. */
export function groupName(b, id) {
  return b.groups.find((g) => g.id === id)?.name ?? null;
}

/** Everybody a host sees, each with the group they are (or are planned) in: [{id, name, group}]. */
export function everyone(b) {
  const out = (b.main || []).map((m) => ({ ...m, group: 0 }));
  for (const g of b.groups) for (const m of g.members || []) out.push({ ...m, group: g.id });
  return out;
}

/** The requests; request(method, params) is the session's (rejects with ProtocolError). */
export function breakoutRequests(request) {
  const clamp = (v, max) => Math.min(max, Math.max(0, Math.floor(Number(v) || 0)));
  return {
    setup: (names, allowChoose) => request('breakout_setup', { names: names.map((n) => n.trim()), allow_choose: !!allowChoose }),
    assign: (id, group) => request('breakout_assign', { assign: { [String(id)]: group } }),
    random: () => request('breakout_assign', { random: true }),
    open: (minutes) => request('breakout_open', { minutes: clamp(minutes, MINUTES_MAX) }),
    move: (id, group) => request('breakout_move', { participant_id: id, group }),
    broadcast: (text) => request('breakout_broadcast', { text: String(text).trim() }),
    close: (seconds) => request('breakout_close', { seconds: clamp(seconds, CLOSE_SECONDS_MAX) }),
    join: (group) => request('breakout_join', { group }),
    callHost: () => request('breakout_call_host', {}),
    cancel: () => request('breakout_cancel', {}),
  };
}

const ERRORS = ['invalid_state', 'busy', 'forbidden', 'rate_limited', 'not_found', 'bad_request', 'disconnected'];

/**
 * The meeting's breakout part: the state (app.ui.breakout), what a change tells the person (a
 * toast and the live region), the requests with their errors shown, and the session listeners
 * room.js subscribes. app.breakoutPanel and app.breakoutBanner render (render(b)); a move never
 * touches the local media: the server renegotiates the subscribe side and nothing else.
 */
export function createBreakout(app) {
  const { t, ui, toasts } = app;
  ui.breakout = { ...NO_BREAKOUT };
  const req = breakoutRequests((method, params) => ui.session.request(method, params));
  const nameOf = (b, id) => groupName(b, id) ?? t('breakout.main_room');

  function render() {
    app.view.controls();
    app.invite.update();
    app.breakoutPanel.render(ui.breakout);
    app.breakoutBanner.render(ui.breakout);
  }

  function tell(text, kind = 'info') {
    toasts.show(text, { kind, key: 'breakout', timeoutMs: 6000 });
    toasts.announce(text);
  }

  /** What the person is told when the state changes: their own move, opening, closing, the end. */
  function changed(before, b) {
    const active = (s) => s === 'open' || s === 'closing';
    if (before.yourGroup !== b.yourGroup) {
      ui.quietUntil = Date.now() + 1500;   // the new group's people arrive at once: no join per person
      if (b.yourGroup) tell(t('breakout.now_in', { group: nameOf(b, b.yourGroup) }), 'ok');
      else tell(t('breakout.back_main'), 'ok');
    } else if (active(before.state) && b.state === 'none') {
      tell(t('breakout.closed'), 'ok');
    } else if (!active(before.state) && b.state === 'open') {
      tell(t('breakout.opened'));
    }
    if (before.state !== 'closing' && b.state === 'closing') {
      toasts.announce(t('breakout.closing_in', { count: secondsLeft(b.closingAtMs) }));
    }
  }

  /** Runs one request; a refusal becomes a notice. Resolves true when the server said yes. */
  async function run(what, ...args) {
    try {
      await req[what](...args);
      return true;
    } catch (err) {
      const code = ERRORS.includes(err.code) ? err.code : 'generic';
      const key = what === 'callHost' && code === 'rate_limited' ? 'call_wait' : code;
      toasts.show(t(`breakout.error.${key}`), { kind: 'warn', key: 'breakout-error', timeoutMs: 8000 });
      return false;
    }
  }

  function onHelp(d) {
    const group = whole(d.group, GROUPS_MAX);
    const name = String(d.name ?? '').slice(0, PERSON_NAME_MAX) || '?';
    const text = t('breakout.help', { name, group: nameOf(ui.breakout, group) });
    toasts.show(text, {
      kind: 'info', key: `breakout-help-${group}`, timeoutMs: 30000,
      action: group ? { label: t('breakout.join_named', { group: nameOf(ui.breakout, group) }), run: () => run('join', group) } : undefined,
    });
    app.view.assertive(text);
  }

  function listeners() {
    return {
      breakout: (d) => {
        const before = ui.breakout;
        ui.breakout = breakoutFrom(d);
        changed(before, ui.breakout);
        render();
      },
      'breakout-message': (d) => {
        const from = d.from && typeof d.from === 'object' ? String(d.from.name ?? '').slice(0, PERSON_NAME_MAX) : '';
        app.breakoutBanner.message(String(d.text).slice(0, TEXT_BYTES_MAX), from);
      },
      'breakout-help': onHelp,
      'self-updated': render,   // a new host gets the host's panel
      joined: render,
    };
  }

  /** After leaving: nothing of the groups stays on screen. */
  function reset() {
    ui.breakout = { ...NO_BREAKOUT };
    app.breakoutBanner.clear();
    render();
  }

  return { run, listeners, reset, render, requests: req };
}
