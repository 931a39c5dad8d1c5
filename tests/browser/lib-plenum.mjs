// Shared helpers for plenum's browser tests: start ./build/plenum on free loopback ports (run the
// tests inside `unshare -n` so nothing leaves 127.0.0.1), launch Debian's Chromium through
// playwright-core, open meeting pages, wait with useful diagnostics, read getStats().
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { mkdirSync, openSync, readFileSync, closeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const OUT = join(ROOT, 'tests', 'output');
const BIN = resolve(ROOT, process.env.PLENUM_BIN || 'build/plenum');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
  '--auto-select-desktop-capture-source=Entire screen', '--enable-usermedia-screen-capturing',
  '--autoplay-policy=no-user-gesture-required'];
const SANITIZER = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: \w+Sanitizer/;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls get() every 250 ms until ok(value); fails with the last value after `timeout` ms. */
export async function until(what, get, ok, timeout = 20000) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await get();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeout} ms; last ${JSON.stringify(last)}`);
    await sleep(250);
  }
}

export function freePort(kind) {
  return new Promise((res, rej) => {
    const s = kind === 'udp' ? createSocket('udp4') : createServer();
    s.on('error', rej);
    const done = () => { const p = s.address().port; s.close(() => res(p)); };
    if (kind === 'udp') s.bind(0, '127.0.0.1', done); else s.listen(0, '127.0.0.1', done);
  });
}

/**
 * Starts plenum and Chromium; returns {base, browser, stop(), logTail(), open(...)}.
 * host: the address plenum listens on and announces (default 127.0.0.1); port, mediaPort: fixed
 * ports instead of free ones; chromium: another executable (e.g. a wrapper that enters a client
 * network namespace); browserArgs: more Chromium flags. `front`, when given, starts something in
 * front of plenum (a reverse proxy): async ({ port }) → { base, browserArgs, stop() → problems };
 * pages then open at its base.
 */
export async function startPlenum(name, { extraArgs = [], host = '127.0.0.1', port: fixedPort, mediaPort,
  chromium: chromiumPath = CHROMIUM, browserArgs = [], scheme = 'http', front = null } = {}) {
  mkdirSync(join(OUT, 'browser'), { recursive: true });
  const port = fixedPort || await freePort('tcp');
  let mport = mediaPort || await freePort('udp');
  while (mport === port) mport = await freePort('udp');
  const base = `${scheme}://${host}:${port}`;
  const logPath = join(OUT, 'browser', `${name}.server.log`);
  const fd = openSync(logPath, 'w');
  const server = spawn(BIN, ['--listen', `${host}:${port}`, '--media-port', String(mport), '--public-ip', host,
    '--log-level', 'debug', ...extraArgs], { cwd: ROOT, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise((res) => server.on('exit', (code, sig) => res({ code, sig })));
  const logTail = (n = 30) => { try { return readFileSync(logPath, 'utf8').split('\n').slice(-n).join('\n'); } catch { return ''; } };
  const deadline = Date.now() + 15000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`server exited (${server.exitCode}) before answering /healthz\n${logTail()}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.status === 200) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`server did not answer /healthz within 15 s\n${logTail()}`);
    await sleep(100);
  }
  let proxy = null;
  try {
    proxy = front ? await front({ port }) : null;
  } catch (e) {
    server.kill('SIGTERM');
    throw e;
  }
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true,
    args: [...FLAGS, ...browserArgs, ...(proxy ? proxy.browserArgs : [])], timeout: 30000 });
  const env = {
    base: proxy ? proxy.base : base, direct: base, browser, logTail, logPath,
    /** Stops Chromium, the front and plenum; returns problems found (non-zero exit, sanitizer reports). */
    async stop() {
      await browser.close().catch(() => {});
      const problems = proxy ? await proxy.stop() : [];
      if (server.exitCode === null) server.kill('SIGTERM');
      const res = await Promise.race([exited, sleep(10000).then(() => null)]);
      if (res === null) server.kill('SIGKILL');
      const log = readFileSync(logPath, 'utf8');
      if (res === null) problems.push('server did not stop within 10 s of SIGTERM');
      else if (res.code !== 0) problems.push(`server exit ${JSON.stringify(res)}`);
      if (SANITIZER.test(log)) problems.push(`sanitizer report in ${logPath}`);
      return problems;
    },
    /**
     * Opens a page. With name and join (default): /<room>?name=… (the name prefilled), then the
     * click on "Join" a person makes; links never join by themselves.
     * Options: viewport, lang ('de'|'en'), query (extra search params), join (false: pre-join),
     * init (a function run in the page before its scripts, as page.addInitScript takes it),
     * hash (the link's fragment without '#', as an invitation carries #t= and #e2ee=).
     */
    async open(room, name, { viewport = { width: 1280, height: 720 }, lang = 'en', join = true, query = {}, requests, bypassCSP = false, init, hash = '' } = {}) {
      const context = await browser.newContext({ viewport, locale: lang === 'de' ? 'de-DE' : 'en-US', bypassCSP });
      const page = await context.newPage();
      if (init) await page.addInitScript(init);
      const lines = [];
      page.on('console', (m) => lines.push(`${name} console.${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => lines.push(`${name} pageerror: ${e.message}`));
      if (requests) {
        page.on('request', (r) => requests.push(r.url()));
        page.on('websocket', (ws) => requests.push(ws.url().replace(/^ws/, 'http')));
      }
      page.consoleLines = lines;
      page.label = name;
      const q = new URLSearchParams({ lang, ...query });
      if (join && name) q.set('name', name);
      await page.goto(`${env.base}/${room}?${q}${hash ? `#${hash}` : ''}`);
      if (join && name) await env.clickJoin(page);
      return page;
    },
    /** Waits for the pre-join screen (devices asked for) and clicks its join button. */
    async clickJoin(page) {
      await env.waitFor(page, 'pre-join ready', () => window.plenum && window.plenum.state === 'prejoin');
      await page.click('#join-button');
    },
    /** waitForFunction with the page's state, console and the server log on failure. */
    async waitFor(page, what, fn, arg, timeout = 20000) {
      try {
        return await page.waitForFunction(fn, arg, { timeout, polling: 200 });
      } catch (e) {
        const state = await page.evaluate(() => window.plenum && ({ state: window.plenum.state, id: window.plenum.participantId,
          role: window.plenum.role, pub: window.plenum.publishPc?.connectionState, sub: window.plenum.subscribePc?.connectionState,
          screen: document.body.dataset.screen, layout: window.plenum.layout, prefs: window.plenum.videoPrefs,
          focus: [...document.querySelectorAll('.stage__focus .tile')].map((e) => e.dataset.participantId ?? 'self'),
          menu: document.getElementById('tile-menu')?.hidden === false })).catch(() => null);
        throw new Error(`${page.label}: ${what}: ${e.message.split('\n')[0]}\nstate ${JSON.stringify(state)}\n`
          + `${page.consoleLines.slice(-15).join('\n')}\n--- server ---\n${logTail(15)}`);
      }
    },
  };
  return env;
}

/** Closes the pages' browser contexts (errors of ones already closed are ignored). */
export const closePages = (...pages) => Promise.all(pages.map((p) => p.context().close().catch(() => {})));

/** A host's room settings dialog, through the people panel. */
export async function openRoomSettings(page) {
  if (await page.locator('#people-panel').isHidden()) await page.click('#ctl-people');
  await page.click('#open-room-settings');
  await page.locator('#room-dialog').waitFor({ state: 'visible' });
}

export async function joined(env, page) {
  await env.waitFor(page, 'joined', () => window.plenum && window.plenum.state === 'joined');
  return page.evaluate(() => window.plenum.participantId);
}

/** Waits until participant id's camera tile plays video of min..max lines (30 s). */
export function cameraPlays(env, page, what, id, { min = 1, max = 100000 } = {}) {
  return env.waitFor(page, what, ([pid, lo, hi]) => {
    const v = document.querySelector(`.tile[data-participant-id="${pid}"][data-source="camera"] video`);
    return !!v && v.videoHeight >= lo && v.videoHeight <= hi;
  }, [id, min, max], 30000);
}

/** Picks a layout ('auto', 'grid', 'speaker', 'presentation') in the settings and closes them. */
export async function chooseLayout(page, layout) {
  await page.click('#ctl-more');
  await page.check(`input[name="layout"][value="${layout}"]`);
  await page.keyboard.press('Escape');
}

/** inbound-rtp totals of the subscribe PeerConnection, per kind, plus per-stream video entries. */
export async function inbound(page) {
  return page.evaluate(async () => {
    const pc = window.plenum.subscribePc;
    const out = { video: { framesDecoded: 0, packetsReceived: 0, frameHeight: 0, streams: [] }, audio: { packetsReceived: 0 } };
    if (!pc) return out;
    const mids = new Map(pc.getTransceivers().map((tr) => [tr.receiver.track.id, tr.mid]));
    (await pc.getStats()).forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      const o = out[s.kind];
      o.packetsReceived += s.packetsReceived || 0;
      if (s.kind === 'video') {
        o.framesDecoded += s.framesDecoded || 0;
        o.frameHeight = Math.max(o.frameHeight, s.frameHeight || 0);
        o.streams.push({ mid: s.mid ?? mids.get(s.trackIdentifier), framesDecoded: s.framesDecoded || 0, frameHeight: s.frameHeight || 0 });
      }
    });
    return out;
  });
}

/** outbound-rtp audio packetsSent of the publish PeerConnection. */
export async function outboundAudio(page) {
  return page.evaluate(async () => {
    const pc = window.plenum.publishPc;
    let sent = 0;
    if (pc) (await pc.getStats()).forEach((s) => { if (s.type === 'outbound-rtp' && s.kind === 'audio') sent += s.packetsSent || 0; });
    return sent;
  });
}

/** Whether the server knows a method yet (asked over a fresh WebSocket from the page). */
export async function serverHas(page, method) {
  return page.evaluate((m) => new Promise((res) => {
    const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/ws`, 'plenum.v1');
    const timer = setTimeout(() => { ws.close(); res(false); }, 3000);
    ws.onopen = () => {
      ws.send(JSON.stringify({ id: 1, method: 'hello', params: { version: 1 } }));
      ws.send(JSON.stringify({ id: 2, method: m, params: {} }));
    };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data);
      if (msg.id !== 2) return;
      clearTimeout(timer);
      ws.close();
      res(!(msg.error && msg.error.code === 'unknown_method'));
    };
    ws.onerror = () => { clearTimeout(timer); res(false); };
  }), method);
}

/** Records everything said in the live regions (the announcer is reused, so texts replace each other). */
export async function recordAnnouncements(page) {
  await page.evaluate(() => {
    if (window.__said) return;
    window.__said = [];
    for (const id of ['announcer', 'announcer-assertive']) {
      const el = document.getElementById(id);
      new MutationObserver(() => { if (el.textContent) window.__said.push(el.textContent); })
        .observe(el, { childList: true, characterData: true, subtree: true });
    }
  });
}

/** Waits until something matching re (a RegExp source string) was announced. */
export function announced(env, page, what, re) {
  return env.waitFor(page, what, (src) => (window.__said || []).some((s) => new RegExp(src).test(s)), re);
}

/**
 * For hostRequest: keeps the page's WebSockets in window.__sockets (pass as open()'s `init`), so
 * that a test can send a request on the page's own signaling connection, as its participant.
 */
export function keepSockets() {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.__sockets.push(this);
    }
  };
}

/**
 * Sends {method, params} on the page's open signaling WebSocket (see keepSockets) with an id of
 * its own, which the page's client ignores; resolves {result} or {error}.
 */
export function hostRequest(page, method, params = {}) {
  return page.evaluate(([m, p]) => new Promise((res) => {
    const ws = window.__sockets.filter((s) => s.readyState === 1).at(-1);
    if (!ws) { res({ error: { code: 'no_socket' } }); return; }
    const id = 1000000 + Math.floor(Math.random() * 1000000);
    const timer = setTimeout(() => res({ error: { code: 'no_answer' } }), 5000);
    const on = (ev) => {
      const msg = JSON.parse(ev.data);
      if (msg.id !== id) return;
      ws.removeEventListener('message', on);
      clearTimeout(timer);
      res(msg.error ? { error: msg.error } : { result: msg.result });
    };
    ws.addEventListener('message', on);
    ws.send(JSON.stringify({ id, method: m, params: p }));
  }), [method, params]);
}

const AXE = join(ROOT, 'tests', 'browser', 'node_modules', 'axe-core', 'axe.min.js');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Fails unless axe-core finds no WCAG 2.1 A/AA violation on the page (up to 5 nodes each listed). */
export async function assertNoAxeViolations(page, what) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary.split('\n').slice(0, 3).join(' ')}`) }));
  }, WCAG_TAGS);
  if (result.length) throw new Error(`${what}: axe violations\n${JSON.stringify(result, null, 2)}`);
}
