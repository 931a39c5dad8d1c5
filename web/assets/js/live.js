// The public livestream page (/live/<room>#<token>, docs/protocol.md "The live page"): plays the
// room's WHEP programme without joining, says plainly why it cannot (not started, no meeting, an
// invalid link) and tries again by itself, with a countdown; window.plenumLive is the tests' view.

import { initI18n, t, bindLanguageSelect, onLanguageChange } from './i18n.js';
import { applySiteLinks, applyBrand, siteInfo } from './site.js';
import { WhepViewer, tokenFromFragment, refusal } from './whep.js';

const $ = (id) => document.getElementById(id);
const RETRYING = new Set(['not_started', 'no_meeting', 'busy', 'offline', 'ended']);

// the token stays in memory only: out of the address bar (and history, bookmarks, screenshots)
const token = tokenFromFragment(location.hash);
if (location.hash) history.replaceState(null, '', location.pathname + location.search);
const room = decodeURIComponent(location.pathname.replace(/^\/live\//, '')).slice(0, 80);

const site = await siteInfo();
await initI18n(site.language, { site: site.name });
for (const s of document.querySelectorAll('[data-lang-select]')) bindLanguageSelect(s);
applySiteLinks();
applyBrand();

const main = $('main');
const video = $('live-video');
const status = $('live-status');
const countdown = $('live-countdown');
const unmute = $('live-unmute');
const retryNow = $('live-retry');
const viewer = new WhepViewer(new URL(`/whep/${encodeURIComponent(room)}`, location.origin).href, token);
const page = { state: 'connecting', retryAt: 0, timer: null, tick: null, attempts: 0 };

function render() {
  document.title = t('live.page_title', { room });
  $('live-title').textContent = room;
  const s = page.state;
  let text = t(`live.${s}`);
  if (RETRYING.has(s)) text += ` ${t('live.will_retry')}`;
  if (status.textContent !== text) status.textContent = text;   // said once per change, not per try
  unmute.hidden = s !== 'playing' || !video.muted;
  retryNow.hidden = !RETRYING.has(s) && s !== 'failed';
  main.dataset.state = s;
  renderCountdown();
}

function renderCountdown() {
  const left = Math.max(0, Math.ceil((page.retryAt - Date.now()) / 1000));
  countdown.hidden = !page.retryAt && page.state !== 'invalid';
  countdown.textContent = page.state === 'invalid' ? t('live.invalid_help') : t('live.countdown', { count: left });
}

function setState(s) {
  page.state = s;
  render();
}

function clearRetry() {
  clearTimeout(page.timer);
  clearInterval(page.tick);
  page.retryAt = 0;
}

function retryIn(ms) {
  clearRetry();
  page.retryAt = Date.now() + ms;
  page.timer = setTimeout(connect, ms);
  page.tick = setInterval(renderCountdown, 1000);
  renderCountdown();
}

function onTrack(ev) {
  const stream = video.srcObject instanceof MediaStream ? video.srcObject : new MediaStream();
  stream.addTrack(ev.track);
  if (video.srcObject !== stream) video.srcObject = stream;
  video.play().catch(() => {});   // muted: autoplay is allowed
}

function watch(pc) {
  pc.addEventListener('connectionstatechange', () => {
    if (viewer.pc !== pc) return;
    if (pc.connectionState === 'connected') setState('playing');
    if (pc.connectionState === 'failed') {
      viewer.stop();
      video.srcObject = null;
      setState('ended');
      retryIn(refusal(503).retryMs);
    }
  });
}

async function connect() {
  clearRetry();
  if (!token) {
    setState('invalid');
    return;
  }
  page.attempts++;
  if (page.state !== 'connecting' && !RETRYING.has(page.state)) setState('connecting');
  video.srcObject = null;
  let r;
  try {
    r = await viewer.start(onTrack);
  } catch (err) {
    console.error('plenum: the livestream connection failed', err);
    viewer.stop();
    setState('failed');
    return;
  }
  if (r.ok) {
    watch(viewer.pc);
    if (viewer.pc.connectionState === 'connected') setState('playing');
    else if (!RETRYING.has(page.state)) setState('connecting');
    return;
  }
  const why = r.status === 0 ? { kind: 'offline', retryMs: refusal(503).retryMs } : refusal(r.status, r.retryAfter);
  setState(why.kind);
  if (why.retryMs) retryIn(why.retryMs);
  else render();
}

unmute.addEventListener('click', () => {
  video.muted = false;
  video.play().catch(() => {});
  render();
  video.focus();
});
video.addEventListener('volumechange', render);
retryNow.addEventListener('click', () => connect());
onLanguageChange(render);
window.addEventListener('pagehide', () => {
  clearRetry();
  viewer.stop();
});

Object.defineProperty(window, 'plenumLive', {
  value: Object.freeze(Object.defineProperties({}, {
    state: { get: () => page.state, enumerable: true },
    pc: { get: () => viewer.pc, enumerable: true },
    attempts: { get: () => page.attempts, enumerable: true },
    retryAt: { get: () => page.retryAt, enumerable: true },
  })),
  writable: false, configurable: false,
});

main.hidden = false;
render();
connect();
