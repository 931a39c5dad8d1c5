// Debian's Firefox ESR for plenum's browser tests. playwright-core cannot drive it (it needs
// Playwright's patched Firefox), so Firefox runs as a plain process: a fresh profile whose user.js
// fakes camera and microphone, skips the permission prompt, lets ICE use 127.0.0.1 and switches off
// background traffic; the meeting page is opened by URL (direct join). Firefox's own WebDriver BiDi
// endpoint (--remote-debugging-port, built in, nothing to download) evaluates scripts in the page,
// so a test can read window.plenum there too. Run inside `unshare -n` (scripts/netns.sh).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

export const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';

export const firefoxInstalled = () => existsSync(FIREFOX);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Names checked against firefox-esr 153 (they are in its libxul/omni.ja).
export const PREFS = {
  // media: fake devices, no prompt, host candidates on loopback, no mDNS-obfuscated candidates
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.peerconnection.ice.default_address_only': false,
  // gUM under media.navigator.permission.disabled does not count as a granted permission, and
  // without one Firefox gathers only its "default address" (found by connecting a UDP socket
  // towards the internet, which fails in a loopback-only namespace): no candidate at all. Granting
  // camera and microphone by default lifts that, so every interface, lo included, is gathered.
  'permissions.default.camera': 1,
  'permissions.default.microphone': 1,
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  'network.dns.disableIPv6': true,
  // no background traffic, no first-run pages
  'app.update.enabled': false,
  'app.update.auto': false,
  'app.normandy.enabled': false,
  'app.shield.optoutstudies.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'browser.startup.page': 0,
  'browser.aboutwelcome.enabled': false,
  'browser.newtabpage.enabled': false,
  'browser.newtabpage.activity-stream.feeds.system.topstories': false,
  'browser.newtabpage.activity-stream.feeds.section.topstories': false,
  'browser.newtabpage.activity-stream.default.sites': '',
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'browser.search.geoSpecificDefaults': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.downloads.remote.enabled': false,
  'browser.safebrowsing.provider.google.updateURL': '',
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'browser.ping-centre.telemetry': false,
  'browser.tabs.warnOnClose': false,
  'browser.sessionstore.resume_from_crash': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.server': '',
  'toolkit.startup.max_resumed_crashes': -1,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.prefetch-next': false,
  'network.dns.disablePrefetch': true,
  'network.http.speculative-parallel-limit': 0,
  'extensions.update.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'extensions.blocklist.enabled': false,
  'services.settings.server': 'http://127.0.0.1:9/',
  'services.sync.enabled': false,
  'media.gmp-manager.updateEnabled': false,
  'media.gmp-gmpopenh264.autoupdate': false,
  'signon.rememberSignons': false,
  'dom.disable_open_during_load': false,
};

const prefLine = ([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`;

/**
 * Starts Firefox ESR headless on `url` with a fresh profile, in its own process group, with the
 * WebDriver BiDi endpoint on a free loopback port. Returns {pid, bidi, log(), stop()}.
 */
export async function launchFirefox(url, { logPath, prefs = {} } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'plenum-firefox-'));
  writeFileSync(join(profile, 'user.js'), Object.entries({ ...PREFS, ...prefs }).map(prefLine).join('\n') + '\n');
  const fd = openSync(logPath, 'w');
  const child = spawn(FIREFOX, ['--headless', '--no-remote', '--profile', profile, '--remote-debugging-port', '0', url], {
    detached: true,  // own process group: stop() kills Firefox and every child process it started
    stdio: ['ignore', fd, fd],
    env: { ...process.env, HOME: profile, MOZ_HEADLESS: '1', MOZ_CRASHREPORTER_DISABLE: '1',
      MOZ_DISABLE_AUTO_SAFE_MODE: '1', MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
  });
  closeSync(fd);
  const exited = new Promise((res) => child.on('exit', (code, sig) => res({ code, sig })));
  const log = (n = 20) => { try { return readFileSync(logPath, 'utf8').split('\n').slice(-n).join('\n'); } catch { return ''; } };
  const group = (sig) => { try { process.kill(-child.pid, sig); return true; } catch { return false; } };
  let stopped = false;
  const ff = {
    pid: child.pid, log, exited, bidi: null,
    /** Ends the BiDi session, kills the process group (TERM, then KILL), removes the profile. */
    async stop() {
      if (stopped) return;
      stopped = true;
      if (ff.bidi) ff.bidi.close();
      group('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
      // content and utility processes may outlive the parent for a moment; the group goes down hard
      group('SIGKILL');
      for (let i = 0; i < 50 && livingInGroup(child.pid).length; i++) await sleep(100);
      rmSync(profile, { recursive: true, force: true });
    },
    /** Pids of Firefox's process group still running (zombies left out). */
    alive: () => livingInGroup(child.pid),
  };
  // "WebDriver BiDi listening on ws://127.0.0.1:NNNN"
  const deadline = Date.now() + 20000;
  let wsUrl = null;
  while (!wsUrl) {
    const m = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(log(200));
    if (m) wsUrl = m[1].replace('localhost', '127.0.0.1');
    else if (child.exitCode !== null) { await ff.stop(); throw new Error(`firefox exited (${child.exitCode}) at start\n${log()}`); }
    else if (Date.now() > deadline) { await ff.stop(); throw new Error(`firefox: no WebDriver BiDi endpoint within 20 s\n${log()}`); }
    else await sleep(100);
  }
  try {
    ff.bidi = await Bidi.connect(`${wsUrl.replace(/\/$/, '')}/session`);
  } catch (e) {
    await ff.stop();
    throw new Error(`firefox: WebDriver BiDi session: ${e.message}\n${log()}`);
  }
  return ff;
}

// Processes of process group `pgid` that are not zombies. Under a PID namespace whose init does not
// reap orphans (node as PID 1), killed content processes linger as zombies; they hold nothing.
function livingInGroup(pgid) {
  const pids = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat;
    try { stat = readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');  // state ppid pgrp ...
    if (Number(f[2]) === pgid && f[0] !== 'Z' && f[0] !== 'X') pids.push(Number(d));
  }
  return pids;
}

// WebSocket: node >= 22 has one built in; node 20 gets the `ws` bundled with playwright-core.
function webSocketClass() {
  if (globalThis.WebSocket) return globalThis.WebSocket;
  return createRequire(import.meta.url)('playwright-core/lib/utilsBundle').ws;
}

/** A minimal WebDriver BiDi client: session.new, then script.evaluate in the first tab. */
class Bidi {
  static async connect(url) {
    const WS = webSocketClass();
    const ws = new WS(url);
    await new Promise((res, rej) => {
      ws.onopen = res;
      ws.onerror = (e) => rej(new Error(`websocket ${url}: ${e.message || 'error'}`));
    });
    const b = new Bidi(ws);
    await b.send('session.new', { capabilities: {} });
    await b.send('session.subscribe', { events: ['log.entryAdded'] });
    return b;
  }

  constructor(ws) {
    this.ws = ws;
    this.next = 1;
    this.pending = new Map();
    this.consoleLines = [];  // the page's console and uncaught errors, for failure messages
    ws.onmessage = (ev) => {
      const msg = JSON.parse(typeof ev.data === 'string' ? ev.data : ev.data.toString());
      if (msg.type === 'event' && msg.method === 'log.entryAdded') {
        const e = msg.params;
        this.consoleLines.push(`firefox ${e.type === 'javascript' ? 'pageerror' : `console.${e.level}`}: ${e.text}`);
        if (this.consoleLines.length > 200) this.consoleLines.shift();
        return;
      }
      const p = msg.id !== undefined && this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.type === 'error') p.rej(new Error(`${msg.error}: ${msg.message}`));
      else p.res(msg.result);
    };
    ws.onclose = () => { for (const p of this.pending.values()) p.rej(new Error('bidi connection closed')); this.pending.clear(); };
  }

  send(method, params, timeout = 10000) {
    const id = this.next++;
    return new Promise((res, rej) => {
      const timer = setTimeout(() => { this.pending.delete(id); rej(new Error(`bidi ${method}: no answer in ${timeout} ms`)); }, timeout);
      this.pending.set(id, { res: (v) => { clearTimeout(timer); res(v); }, rej: (e) => { clearTimeout(timer); rej(e); } });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  async context() {
    if (!this.ctx) this.ctx = (await this.send('browsingContext.getTree', {})).contexts[0].context;
    return this.ctx;
  }

  /** Evaluates `(fn)(arg)` in the page (awaits promises); returns the JSON-serialised result. */
  async evaluate(fn, arg) {
    const r = await this.send('script.evaluate', {
      expression: `(async () => JSON.stringify(await (${fn})(${JSON.stringify(arg ?? null)})))()`,
      target: { context: await this.context() }, awaitPromise: true, resultOwnership: 'none',
    });
    if (r.type === 'exception') throw new Error(`firefox page: ${r.exceptionDetails.text}`);
    return r.result.value === undefined ? undefined : JSON.parse(r.result.value);
  }

  /** Polls `fn(arg)` in the page every 200 ms until it returns something truthy; returns that. */
  async waitFor(what, fn, arg, timeout = 20000) {
    const deadline = Date.now() + timeout;
    let last;
    for (;;) {
      try {
        last = await this.evaluate(fn, arg);
        if (last) return last;
      } catch (e) { last = e.message; }
      if (Date.now() > deadline) {
        const state = await this.evaluate(() => window.plenum && ({ state: window.plenum.state, id: window.plenum.participantId,
          pub: window.plenum.publishPc?.connectionState, sub: window.plenum.subscribePc?.connectionState })).catch((e) => e.message);
        throw new Error(`firefox: ${what}: not within ${timeout} ms (last ${JSON.stringify(last)})\nstate ${JSON.stringify(state)}\n`
          + this.consoleLines.slice(-15).join('\n'));
      }
      await sleep(200);
    }
  }

  close() { try { this.ws.close(); } catch { /* gone */ } }
}

/**
 * Runs body(launch) against a started plenum `env`, where launch(url, opts) is launchFirefox that
 * remembers the Firefox it started: a failure gets Firefox's page console and log added; Firefox
 * and the server are stopped after, and the server must have stopped cleanly.
 */
export async function withFirefox(env, body) {
  let ff = null;
  try {
    return await body(async (url, opts) => (ff = await launchFirefox(url, opts)));
  } catch (e) {
    if (ff) e.message += `\n--- firefox page ---\n${ff.bidi?.consoleLines.slice(-15).join('\n') ?? ''}\n--- firefox ---\n${ff.log(15)}`;
    throw e;
  } finally {
    if (ff) await ff.stop();
    const problems = await env.stop();
    assert.deepEqual(problems, [], `server: ${problems.join('; ')}\n${env.logTail()}`);
  }
}

/**
 * Firefox as a participant: opens `url` (a meeting page with ?name=…), presses "Join" as a person
 * does and waits until it is in and publishing; launch is withFirefox's (or launchFirefox).
 * Returns {ff, id}.
 */
export async function joinFirefox(launch, url, logPath) {
  const ff = await launch(url, { logPath });
  await ff.bidi.waitFor('pre-join ready', () => window.plenum && window.plenum.state === 'prejoin');
  await ff.bidi.evaluate(() => { document.getElementById('join-button').click(); return true; });
  const id = await ff.bidi.waitFor('joined', () => window.plenum && window.plenum.state === 'joined' && window.plenum.participantId);
  await ff.bidi.waitFor('publish PeerConnection connected', () => window.plenum.publishPc?.connectionState === 'connected');
  return { ff, id };
}

// What a subscriber gets from participant `id`: inbound video of the track in their tile (frames
// decoded, frame width, the element's size) and inbound audio of the subscribe PeerConnection (the
// meetings here have one other participant; audio plays from elements outside the tiles). Runs in
// either browser (the same web client), so it is passed to page.evaluate / bidi.evaluate.
export async function fromParticipant(id) {
  const pc = window.plenum.subscribePc;
  const video = document.querySelector(`.tile[data-participant-id="${id}"] video`);
  const track = video && video.srcObject ? video.srcObject.getVideoTracks()[0] : null;
  const out = { framesDecoded: 0, frameWidth: 0, audioPackets: 0, tileTrack: !!track,
    videoWidth: video ? video.videoWidth : 0, videoHeight: video ? video.videoHeight : 0 };
  out.receivers = [];   // [mid, kind, the tile's?, packets, frames decoded], for failure messages
  if (!pc) return out;
  for (const tr of pc.getTransceivers()) {
    const r = tr.receiver;
    const mine = r.track.kind === 'audio' || (track && r.track.id === track.id);
    (await r.getStats()).forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      out.receivers.push([tr.mid, s.kind, !!mine, s.packetsReceived || 0, s.framesDecoded ?? null]);
      if (!mine) return;
      if (s.kind === 'video') {
        out.framesDecoded += s.framesDecoded || 0;
        out.frameWidth = Math.max(out.frameWidth, s.frameWidth || 0);
      } else out.audioPackets += s.packetsReceived || 0;
    });
  }
  return out;
}

