// A weak network for one subscriber (issue 9): plenum and a publisher browser in the test's own
// (loopback-only, scripts/netns.sh) namespace, a subscriber browser in a client namespace joined
// to it by a veth pair (lib-netlab). Only the subscriber's link is impaired:
//  - a rate cap on its downlink: `tc qdisc replace dev <server-side veth> root tbf rate R burst 4kb
//    latency 400ms` (a 400 ms buffer, about what a DSL or mobile modem holds; packets that would
//    wait longer are dropped), changed or lifted mid-test with shape();
//  - delay and random loss (no netem on this kernel): tests/browser/impair-relay.py sits between
//    the subscriber and plenum's media port; an nftables DNAT rule in the client namespace sends
//    the subscriber's UDP to plenum's media port to the relay instead, conntrack turns the replies'
//    source back, so the browser believes it talks to plenum and plenum is not changed.
// Media over UDP only (no --media-tcp-port). Everything (relay, namespaces, veth, plenum, both
// browsers) goes in stop().
import { spawn, execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startPlenum, freePort, sleep, ROOT, OUT, FLAGS } from './lib-plenum.mjs';
import { clientNetwork } from './lib-netlab.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
export const TBF = { burst: '4kb', latency: '400ms' };

/**
 * A person talking without pause, as the publisher's microphone (Chromium's own fake microphone
 * beeps once a second and is silent between: plenum forwards only the loudest speakers' audio, so
 * the subscriber would conceal the silences, and concealment would say nothing about the link).
 * Voiced syllables: a 110-190 Hz harmonic tone, four syllables a second, about -20 dBFS, never
 * quieter than -40 dBFS. Written once to tests/output/browser/weaknet-speech.wav (20 s, looped).
 */
export function speechWav() {
  const path = join(OUT, 'browser', 'weaknet-speech.wav');
  if (existsSync(path)) return path;
  execFileSync('/usr/bin/python3', ['-c', `
import math, struct, sys, wave
rate, secs = 48000, 20
w = wave.open(sys.argv[1], 'wb')
w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
out = bytearray(); ph = 0.0
for i in range(rate * secs):
    t = i / rate
    f0 = 150 + 40 * math.sin(2 * math.pi * 0.7 * t)
    ph += 2 * math.pi * f0 / rate
    env = 0.15 + 0.85 * abs(math.sin(2 * math.pi * 2 * t))
    v = sum(math.sin(k * ph) / k for k in range(1, 12)) * env * 0.12
    out += struct.pack('<h', max(-32767, min(32767, int(v * 32767))))
w.writeframes(bytes(out)); w.close()
`, path]);
  return path;
}

/**
 * Starts the weak-network setup. relay: null, or {delayMs (each way), loss (0..1, each way), seed}.
 * Returns {env (lib-plenum's, its browser is the subscriber's), net, serverIp, mediaPort,
 * openPublisher(room, name, opts), openSubscriber(room, name, opts), shape(kbit|null), qdisc(),
 * metrics(), relayStats(), stop()}.
 */
export async function weakNetwork(name, { relay = null } = {}) {
  const net = await clientNetwork(name);
  const serverIp = net.serverIp;
  const port = await freePort('tcp');
  let mediaPort = await freePort('udp');
  let relayPort = await freePort('udp');
  while (relayPort === mediaPort) relayPort = await freePort('udp');
  // the server-side veth: the one interface here that holds the server address
  const dev = run('ip', ['-o', '-4', 'addr', 'show', 'to', `${serverIp}/32`]).split(/\s+/)[1];
  let relayProc = null;
  let relayOut = [];
  let env = null;
  let publisherBrowser = null;
  const origin = `http://${serverIp}:${port}`;
  const browserArgs = [`--unsafely-treat-insecure-origin-as-secure=${origin}`];
  const stopAll = async () => {
    const problems = [];
    if (publisherBrowser) await publisherBrowser.close().catch(() => {});
    if (env) problems.push(...await env.stop());
    if (relayProc && relayProc.exitCode === null) {
      // its counters line comes on stdout as it ends: wait for both
      const ended = Promise.all([new Promise((res) => relayProc.on('exit', res)), new Promise((res) => relayProc.stdout.on('close', res))]);
      relayProc.kill('SIGTERM');
      if (await Promise.race([ended.then(() => true), sleep(3000).then(() => false)]) === false) {
        relayProc.kill('SIGKILL');
        problems.push('impair-relay did not stop within 3 s of SIGTERM');
      }
    }
    net.stop();
    return problems;
  };
  try {
    if (relay) {
      relayProc = spawn('/usr/bin/python3', [join(ROOT, 'tests', 'browser', 'impair-relay.py'),
        '--listen', `${serverIp}:${relayPort}`, '--target', `${serverIp}:${mediaPort}`,
        '--delay-ms', String(relay.delayMs || 0), '--loss', String(relay.loss || 0), '--seed', String(relay.seed ?? 1)],
      { stdio: ['ignore', 'pipe', 'inherit'] });
      const lines = createInterface({ input: relayProc.stdout });
      const ready = new Promise((res, rej) => {
        lines.on('line', (l) => { relayOut.push(l); if (l === 'ready') res(); });
        relayProc.on('exit', (c) => rej(new Error(`impair-relay exited (${c}) before it was ready`)));
      });
      await Promise.race([ready, sleep(5000).then(() => { throw new Error('impair-relay not ready within 5 s'); })]);
      net.exec('nft', 'add', 'table', 'ip', 'weaknet');
      net.exec('nft', 'add', 'chain', 'ip', 'weaknet', 'out', '{ type nat hook output priority -100 ; }');
      net.exec('nft', 'add', 'rule', 'ip', 'weaknet', 'out', 'ip', 'daddr', serverIp, 'udp', 'dport', String(mediaPort),
        'counter', 'dnat', 'to', `${serverIp}:${relayPort}`);
    }
    env = await startPlenum(name, {
      host: serverIp, port, mediaPort, chromium: net.chromium, browserArgs,
      extraArgs: ['--metrics-allow', `${serverIp}/32`],
    });
    publisherBrowser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
      args: [...FLAGS, ...browserArgs, `--use-file-for-fake-audio-capture=${speechWav()}`], timeout: 30000 });
  } catch (e) {
    await stopAll().catch(() => {});
    throw e;
  }

  /** A page in `browser` like lib-plenum's env.open: name prefilled, the join click a person makes. */
  async function openIn(browser, room, who, { viewport = { width: 1280, height: 720 }, lang = 'en', camera = true } = {}) {
    const context = await browser.newContext({ viewport, locale: lang === 'de' ? 'de-DE' : 'en-US' });
    const page = await context.newPage();
    const lines = [];
    page.on('console', (m) => lines.push(`${who} console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => lines.push(`${who} pageerror: ${e.message}`));
    page.consoleLines = lines;
    page.label = who;
    await page.goto(`${env.base}/${room}?${new URLSearchParams({ lang, name: who })}`);
    await env.waitFor(page, 'pre-join ready', () => window.plenum && window.plenum.state === 'prejoin');
    if (!camera) {
      await page.click('#pre-cam');
      await env.waitFor(page, 'camera off', () => !document.getElementById('pre-cam').disabled
        && !document.querySelector('#preview-video')?.srcObject?.getVideoTracks().some((t) => t.readyState === 'live'));
    }
    await page.click('#join-button');
    return page;
  }

  return {
    env, net, serverIp, mediaPort, dev,
    openPublisher: (room, who, opts) => openIn(publisherBrowser, room, who, opts),
    openSubscriber: (room, who, opts) => openIn(env.browser, room, who, opts),
    /** Caps the subscriber's downlink at `kbit` kbit/s, or lifts the cap (null). */
    shape(kbit) {
      if (kbit === null) run('tc', ['qdisc', 'del', 'dev', dev, 'root']);
      else run('tc', ['qdisc', 'replace', 'dev', dev, 'root', 'tbf', 'rate', `${kbit}kbit`, 'burst', TBF.burst, 'latency', TBF.latency]);
    },
    /** `tc -s qdisc` of the server-side veth (sent, dropped, overlimits). */
    qdisc: () => run('tc', ['-s', 'qdisc', 'show', 'dev', dev]),
    /** /metrics as {name: value} (labelled series summed under their bare name too). */
    async metrics() {
      const text = await (await fetch(`${env.direct}/metrics`)).text();
      const m = {};
      for (const line of text.split('\n')) {
        const g = line.match(/^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/);
        if (!g) continue;
        m[g[1] + (g[2] || '')] = Number(g[3]);
        if (g[2]) m[g[1]] = (m[g[1]] || 0) + Number(g[3]);
      }
      return m;
    },
    /** The relay's output: "ready", then (after stop) one JSON line of its counters. */
    relayOutput: () => relayOut.slice(),
    stop: stopAll,
  };
}

/**
 * Starts a once-a-second sampler in the subscriber page (in the page, so a slow test process does
 * not skew it): inbound video of the tile of participant `pid` (freezes, frames, height), inbound
 * audio (concealment), the selected pair's RTT and the tile's data-video-state. Read with samples().
 */
export async function startSampler(page, pid) {
  await page.evaluate((id) => {
    window.__weak = [];
    const tileSel = `.tile[data-participant-id="${id}"][data-source="camera"]`;
    const tick = async () => {
      const pc = window.plenum.subscribePc;
      if (!pc) return;
      const tile = document.querySelector(tileSel);
      const trackId = tile?.querySelector('video')?.srcObject?.getVideoTracks()[0]?.id;
      const stats = await pc.getStats();
      let video = null;
      let audio = null;
      let pair = null;
      const videos = [];
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') videos.push(s);
        if (s.type === 'inbound-rtp' && s.kind === 'audio' && (!audio || (s.totalSamplesReceived || 0) > (audio.totalSamplesReceived || 0))) audio = s;
        if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
      });
      video = videos.find((s) => s.trackIdentifier === trackId)
        || videos.sort((a, b) => (b.framesDecoded || 0) - (a.framesDecoded || 0))[0] || null;
      const prefs = window.plenum.videoPrefs;
      const want = prefs?.tiles?.find((x) => x.id === id && (x.source || 'camera') === 'camera');
      window.__weak.push({
        t: performance.now() / 1000,
        wall: Date.now(),
        framesDecoded: video?.framesDecoded || 0,
        framesReceived: video?.framesReceived || 0,
        freezeCount: video?.freezeCount || 0,
        freezeS: video?.totalFreezesDuration || 0,
        height: video?.frameHeight || 0,
        videoBytes: video?.bytesReceived || 0,
        videoLost: video?.packetsLost || 0,
        nacks: video?.nackCount || 0,
        concealed: audio?.concealedSamples || 0,
        silentConcealed: audio?.silentConcealedSamples || 0,
        audioPackets: audio?.packetsReceived || 0,
        audioCount: [...stats.values()].filter((s) => s.type === 'inbound-rtp' && s.kind === 'audio').length,
        samples: audio?.totalSamplesReceived || 0,
        audioLost: audio?.packetsLost || 0,
        rtt: pair?.currentRoundTripTime ?? null,
        state: tile?.dataset.videoState || '',
        text: tile?.textContent || '',
        want: want?.height ?? null,
      });
    };
    window.__weakTimer = setInterval(() => { tick().catch(() => {}); }, 1000);
    tick().catch(() => {});
  }, pid);
}

export const samples = (page) => page.evaluate(() => window.__weak.slice());

/**
 * The same once a second in the publisher's page: what each simulcast layer (rid) sends — frame
 * height, whether bytes went out since the last sample, Chromium's quality limitation. A layer the
 * publisher does not send (its CPU adaptation on a busy machine) is no layer plenum can forward.
 */
export async function startPublisherSampler(page) {
  await page.evaluate(() => {
    window.__pub = [];
    const last = new Map();
    const tick = async () => {
      const pc = window.plenum.publishPc;
      if (!pc) return;
      const layers = [];
      (await pc.getStats()).forEach((s) => {
        if (s.type !== 'outbound-rtp' || s.kind !== 'video') return;
        const key = s.rid || s.ssrc;
        const sent = (s.bytesSent || 0) > (last.get(key) || 0);
        last.set(key, s.bytesSent || 0);
        layers.push({ rid: s.rid || '', height: s.frameHeight || 0, sent, limit: s.qualityLimitationReason || '' });
      });
      window.__pub.push({ wall: Date.now(), layers });
    };
    window.__pubTimer = setInterval(() => { tick().catch(() => {}); }, 1000);
    tick().catch(() => {});
  });
}

export const publisherSamples = (page) => page.evaluate(() => window.__pub.slice());

/**
 * For each subscriber sample, the best layer the publisher was sending that the tile asks for
 * (plenum's rule: a layer fits a tile up to 5/4 of its height): `available`, set on the samples.
 */
export function markAvailable(list, pub) {
  for (const s of list) {
    let p = null;
    for (const x of pub) if (x.wall <= s.wall) p = x;
    p = p || pub[0];
    const fit = (s.want || 0) * 5 / 4;
    const hs = (p?.layers || []).filter((l) => l.sent && l.height > 0).map((l) => l.height);
    const fitting = hs.filter((h) => h <= fit);
    s.available = fitting.length ? Math.max(...fitting) : (hs.length ? Math.min(...hs) : 0);
    s.pubLayers = (p?.layers || []).map((l) => `${l.rid}:${l.sent ? l.height : 'off'}${l.limit && l.limit !== 'none' ? `(${l.limit})` : ''}`).join(',');
  }
  return list;
}

/**
 * Figures over samples [from, to) (indices into the sampler's list): freeze seconds (Chromium's
 * totalFreezesDuration) and freezes, stalled seconds (samples in which no frame was decoded), the
 * longest stall, audio concealment %, heights seen, share of samples at or above `minHeight`, RTT.
 */
export function figures(list, { minHeight = 360 } = {}) {
  const a = list[0];
  const b = list[list.length - 1];
  let stalled = 0;
  let run = 0;
  let longest = 0;
  for (let i = 1; i < list.length; i++) {
    if (list[i].framesDecoded > list[i - 1].framesDecoded) { run = 0; continue; }
    stalled += list[i].t - list[i - 1].t;
    run += list[i].t - list[i - 1].t;
    longest = Math.max(longest, run);
  }
  const heights = list.slice(1).map((s) => s.height);
  const hist = {};
  for (const h of heights) hist[h] = (hist[h] || 0) + 1;
  const rtts = list.map((s) => s.rtt).filter((x) => x !== null).map((x) => x * 1000).sort((x, y) => x - y);
  const samplesDelta = b.samples - a.samples;
  return {
    seconds: b.t - a.t,
    freezeS: b.freezeS - a.freezeS,
    freezes: b.freezeCount - a.freezeCount,
    stalledS: stalled,
    longestStallS: longest,
    frames: b.framesDecoded - a.framesDecoded,
    fps: (b.framesDecoded - a.framesDecoded) / (b.t - a.t),
    videoKbps: ((b.videoBytes - a.videoBytes) * 8) / 1000 / (b.t - a.t),
    videoLost: b.videoLost - a.videoLost,
    nacks: b.nacks - a.nacks,
    concealedPct: samplesDelta > 0 ? (100 * (b.concealed - a.concealed)) / samplesDelta : 100,
    audioLost: b.audioLost - a.audioLost,
    heights: hist,
    atLeastShare: heights.length ? heights.filter((h) => h >= minHeight).length / heights.length : 0,
    // received at least the best layer the publisher sent that fits the tile
    keptShare: list.length > 1 ? list.slice(1).filter((x) => x.available !== undefined && x.height >= x.available).length / (list.length - 1) : 0,
    available: (() => { const h = {}; for (const x of list.slice(1)) h[x.available] = (h[x.available] || 0) + 1; return h; })(),
    pubLayers: list[list.length - 1].pubLayers || '',
    medianHeight: heights.slice().sort((x, y) => x - y)[Math.floor(heights.length / 2)] || 0,
    rttMedianMs: rtts.length ? rtts[Math.floor(rtts.length / 2)] : null,
    rttMaxMs: rtts.length ? rtts[rtts.length - 1] : null,
    pausedShare: list.slice(1).filter((s) => s.state === 'paused').length / Math.max(1, list.length - 1),
    want: b.want,
  };
}

/** One line of the per-condition table. */
export function row(condition, f, extra = {}) {
  const hs = Object.entries(f.heights).sort((x, y) => Number(y[0]) - Number(x[0])).map(([h, n]) => `${h}p×${n}`).join(' ');
  const cells = [condition.padEnd(16), `freeze ${f.freezeS.toFixed(1)} s (${f.freezes})`.padEnd(18),
    `stalled ${f.stalledS.toFixed(0)}/${f.seconds.toFixed(0)} s`.padEnd(16), `concealed ${f.concealedPct.toFixed(2)} %`.padEnd(18),
    `layer ${f.medianHeight}p [${hs}] want ${f.want ?? '?'}`.padEnd(34), `kept ${(f.keptShare * 100).toFixed(0)} % (pub ${f.pubLayers})`, `fps ${f.fps.toFixed(1)}`, `video ${f.videoKbps.toFixed(0)} kbit/s`,
    `rtt ${f.rttMedianMs === null ? '?' : f.rttMedianMs.toFixed(0)} ms (max ${f.rttMaxMs === null ? '?' : f.rttMaxMs.toFixed(0)})`,
    `paused ${(f.pausedShare * 100).toFixed(0)} %`,
    ...Object.entries(extra).map(([k, v]) => `${k} ${v}`)];
  return `weaknet | ${cells.join(' | ')}`;
}
