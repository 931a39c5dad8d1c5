// The meeting page inside another site's iframe (web/api/plenum-embed.js, docs/embedding.md): a
// postMessage bridge to the embedding page. Active only when the page is framed, its fragment
// names the embedding origin (#embed=<origin>) and the tenant lists that origin in site.json's
// embed_origins (the server's frame-ancestors header admits the same ones). It hears only its
// parent window at that origin and posts only to that origin. Messages are
// {plenum: 1, type: 'command'|'event', name, data}; anything else is ignored, nothing throws.
// No DOM: the window (parent, location, message events) and the origin list are passed in.

export const COMMANDS = ['toggleMicrophone', 'toggleCamera', 'leave', 'setDisplayName'];
// After a reconnect, people not back in the re-join's snapshot by then have left.
const RECONNECT_SETTLE_MS = 5000;

/** value when it is exactly an http(s) origin ("https://www.buehl.de"), else ''. */
export function exactOrigin(value) {
  if (typeof value !== 'string' || !value) return '';
  try {
    const u = new URL(value);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === value ? value : '';
  } catch {
    return '';
  }
}

function normalOrigin(value) {
  try {
    const u = new URL(String(value));
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : '';
  } catch {
    return '';
  }
}

/**
 * What the embedding page put into the fragment: {origin, name, lang}. origin is '' unless
 * #embed= holds exactly an origin; name prefills the pre-join field (never joins by itself).
 * (The token, #jwt=, is the link module's: it reads and removes it.)
 */
export function embedParams(hash) {
  let p;
  try {
    p = new URLSearchParams(String(hash || '').replace(/^#/, ''));
  } catch {
    return { origin: '', name: '', lang: '' };
  }
  return {
    origin: exactOrigin(p.get('embed') || ''),
    name: (p.get('name') || '').trim().slice(0, 200),
    lang: p.get('lang') || '',
  };
}

// The tenant's list, fetched here rather than through site.js' siteInfo(): that one gives up
// after 3 s for the page's brand, and a late answer must not turn the bridge off for good.
// Relative to this module, so under /assets/v/<version>/ like the page's other assets.
async function siteEmbedOrigins() {
  const r = await fetch(new URL('../site.json', import.meta.url));
  const info = r.ok ? await r.json() : {};
  return Array.isArray(info?.embed_origins) ? info.embed_origins.filter((o) => typeof o === 'string') : [];
}

/**
 * The bridge of this page. win: the window; hash: its fragment as loaded (read before anything
 * rewrites the address); allowedOrigins: async () → the tenant's embed_origins; settleMs: how
 * long after a re-join people still missing count as gone.
 */
export function createEmbedBridge({ win = globalThis.window, hash = globalThis.location?.hash,
  allowedOrigins = siteEmbedOrigins, log = console, settleMs = RECONNECT_SETTLE_MS } = {}) {
  const params = embedParams(hash);
  const framed = (() => { try { return !!win && win.parent !== win && !!win.parent; } catch { return false; } })();
  let status = framed && params.origin ? 'pending' : 'off';   // pending | active | off
  let pendingEvents = [];
  let commands = {};

  function post(name, data) {
    if (status === 'off') return;
    if (status === 'pending') { pendingEvents.push([name, data]); return; }
    try {
      win.parent.postMessage({ plenum: 1, type: 'event', name, data: data ?? {} }, params.origin);
    } catch (err) {
      log.warn('plenum: embed event not delivered', name, err);
    }
  }

  function run(name, data) {
    const fn = commands[name];
    if (typeof fn !== 'function') return;
    try {
      Promise.resolve(fn(data)).catch((err) => log.warn('plenum: embed command failed', name, err));
    } catch (err) {
      log.warn('plenum: embed command failed', name, err);
    }
  }

  function onMessage(ev) {
    try {
      if (status !== 'active' || ev.source !== win.parent || ev.origin !== params.origin) return;
      const d = ev.data;
      if (!d || typeof d !== 'object' || d.plenum !== 1 || d.type !== 'command' || !COMMANDS.includes(d.name)) return;
      const data = d.data && typeof d.data === 'object' && !Array.isArray(d.data) ? d.data : {};
      run(d.name, data);
    } catch { /* a malformed message is no reason to fail */ }
  }

  /** Checks the origin against the tenant's list; then hears commands and says 'ready'. */
  async function start(handlers = {}) {
    commands = handlers;
    if (status !== 'pending') return false;
    let allowed = [];
    try { allowed = (await allowedOrigins()).map(normalOrigin); } catch { allowed = []; }
    if (!allowed.includes(params.origin)) {
      log.info('plenum: embedded by', params.origin, 'which is not in this site\'s embed_origins: no bridge');
      status = 'off';
      pendingEvents = [];
      return false;
    }
    status = 'active';
    win.addEventListener('message', onMessage);
    post('ready', {});
    const queued = pendingEvents;
    pendingEvents = [];
    for (const [name, data] of queued) post(name, data);
    return true;
  }

  /** Tells the embedding page what a session does; returns a function that stops it. */
  function attach(session) {
    if (status === 'off') return () => {};
    const known = new Set();     // participant ids told as joined
    const stale = new Set();     // dropped by our reconnect, not seen again yet
    let joinedOnce = false;
    let muted = { audio: null, video: null };
    let settleTimer = 0;
    let finished = false;
    let deniedInLobby = false;
    const settle = () => {
      for (const id of stale) { known.delete(id); post('participantLeft', { id }); }
      stale.clear();
    };
    const finish = (reason) => {
      if (finished) return;
      finished = true;
      clearTimeout(settleTimer);
      stale.clear();
      known.clear();
      if (joinedOnce) post('left', { reason });
      post('readyToClose', { reason });
    };
    const offs = [
      session.on('joined', ({ participantId, room, role }) => {
        if (joinedOnce) {                 // a re-join after a reconnect: the same meeting
          clearTimeout(settleTimer);
          settleTimer = setTimeout(settle, settleMs);
          return;
        }
        joinedOnce = true;
        post('joined', { participantId, room, role });
      }),
      session.on('participant-joined', (p) => {
        if (stale.delete(p.id) || known.has(p.id)) return;
        known.add(p.id);
        post('participantJoined', { id: p.id, name: p.name });
      }),
      session.on('participant-left', (p, reason) => {
        if (!known.has(p.id)) return;
        if (reason === 'reconnect') { stale.add(p.id); return; }
        known.delete(p.id);
        stale.delete(p.id);
        post('participantLeft', { id: p.id });
      }),
      session.on('local-media', (state) => {
        const audio = !!state.audio_muted;
        const video = !!state.video_muted;
        if (audio !== muted.audio) post('audioMuteChanged', { muted: audio });
        if (video !== muted.video) post('videoMuteChanged', { muted: video });
        muted = { audio, video };
      }),
      session.on('ended', (kind) => finish(kind === 'removed' ? 'removed' : 'ended')),
      // 'lobby-denied' follows the state change at once: the reason is settled a microtask later
      session.on('lobby-denied', () => { deniedInLobby = true; }),
      session.on('state', (state) => { if (state === 'left') queueMicrotask(() => finish(deniedInLobby ? 'denied' : 'left')); }),
    ];
    return () => { clearTimeout(settleTimer); offs.forEach((off) => off()); };
  }

  return {
    params,
    get active() { return status === 'active'; },
    get framed() { return framed; },
    start,
    attach,
    event: post,
  };
}

// This page's bridge; the fragment is read now, before the page rewrites its address.
export const embed = createEmbedBridge();
