// A client network for browser tests: a second network namespace joined to the test's own by a
// veth pair (server side 198.18.N.1, client side 198.18.N.2, N of its own so that test files
// running at once do not share a subnet), nftables rules on the client side,
// and a Chromium wrapper that runs the browser there. Only inside the loopback-only namespace the
// test runner made (scripts/netns.sh); everything is removed when the client namespace's holder
// process ends (stop()).
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { OUT, sleep, inbound, joined } from './lib-plenum.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const run = (cmd, args, input) => execFileSync(cmd, args, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();

/**
 * Makes the client namespace. `firewall`: nftables rule lines for the client's output chain,
 * e.g. ['meta l4proto udp counter drop'] (loopback is always allowed). Returns
 * {serverIp, clientIp, chromium (wrapper path), exec(cmd, ...args), counters(), stop()}.
 */
export async function clientNetwork(name, { firewall = [] } = {}) {
  const holder = spawn('unshare', ['--net', 'sleep', 'infinity'], { stdio: 'ignore' });
  const pid = holder.pid;
  await sleep(100);
  const inClient = (cmd, ...args) => run('nsenter', ['-t', String(pid), '-n', cmd, ...args]);
  const srv = `pls${pid % 10000}`;
  const cli = `plc${pid % 10000}`;
  // RFC 2544's benchmarking range, not a private one: Chromium refuses ICE candidates on ports
  // below 1024 except 80 and 443, and those two only on addresses that are not private (10/8,
  // 172.16/12, 192.168/16) — a test of media on 443 needs an address a citizen would meet.
  const subnet = `198.18.${1 + (pid % 250)}`;
  const SERVER_IP = `${subnet}.1`;
  const CLIENT_IP = `${subnet}.2`;
  try {
    run('ip', ['link', 'add', srv, 'type', 'veth', 'peer', 'name', cli]);
    run('ip', ['link', 'set', cli, 'netns', String(pid)]);
    run('ip', ['addr', 'add', `${SERVER_IP}/24`, 'dev', srv]);
    // no IPv6 link-local addresses appearing later: Chromium would see a network change
    run('ip', ['link', 'set', srv, 'addrgenmode', 'none']);
    run('ip', ['link', 'set', srv, 'up']);
    inClient('ip', 'link', 'set', 'lo', 'up');
    inClient('ip', 'addr', 'add', `${CLIENT_IP}/24`, 'dev', cli);
    inClient('ip', 'link', 'set', cli, 'addrgenmode', 'none');
    inClient('ip', 'link', 'set', cli, 'up');
    const rules = ['table inet plenum_test {', ' chain out {', '  type filter hook output priority 0; policy accept;',
      '  oifname "lo" accept', ...firewall.map((r) => `  ${r}`), ' }', '}', ''].join('\n');
    run('nsenter', ['-t', String(pid), '-n', 'nft', '-f', '-'], rules);
  } catch (e) {
    holder.kill('SIGKILL');
    throw new Error(`client network: ${e.message}\n${e.stderr || ''}`);
  }
  await sleep(300);   // the link comes up before the browser looks at it
  mkdirSync(join(OUT, 'browser'), { recursive: true });
  const wrapper = join(OUT, 'browser', `${name}.chromium.sh`);
  writeFileSync(wrapper, `#!/bin/sh\nexec nsenter -t ${pid} -n ${CHROMIUM} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return {
    serverIp: SERVER_IP,
    clientIp: CLIENT_IP,
    chromium: wrapper,
    /** The nftables ruleset of the client side with its counters, as text. */
    counters: () => inClient('nft', 'list', 'table', 'inet', 'plenum_test'),
    /** Runs a command in the client namespace; returns its output. */
    exec: inClient,
    stop() {
      try { run('ip', ['link', 'del', srv]); } catch { /* gone with the namespace */ }
      holder.kill('SIGKILL');
    },
  };
}

/** The selected candidate pair of a PeerConnection: local and remote candidate details. */
export async function selectedPair(page, which) {
  return page.evaluate(async (w) => {
    const pc = w === 'publish' ? window.plenum.publishPc : window.plenum.subscribePc;
    if (!pc) return null;
    const stats = await pc.getStats();
    let pair = null;
    stats.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId); });
    if (!pair) stats.forEach((s) => { if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s; });
    if (!pair) return null;
    const l = stats.get(pair.localCandidateId) || {};
    const r = stats.get(pair.remoteCandidateId) || {};
    return { local: { type: l.candidateType, protocol: l.protocol, relayProtocol: l.relayProtocol, address: l.address },
      remote: { type: r.candidateType, protocol: r.protocol, address: r.address, port: r.port }, state: pair.state };
  }, which);
}

/** Waits until the page decoded more than `frames` remote video frames (its subscribe side). */
export async function videoDecoded(env, page, frames = 10, timeoutMs = 45000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await inbound(page);
    if (got.video.framesDecoded > frames) return got;
    if (Date.now() > deadline) {
      const pairs = await page.evaluate(async () => {
        const pc = window.plenum.publishPc;
        const out = [];
        if (pc) (await pc.getStats()).forEach((x) => { if (/candidate/.test(x.type)) out.push({ t: x.type, p: x.protocol, a: x.address, port: x.port, ct: x.candidateType, tcpType: x.tcpType, st: x.state, req: x.requestsSent, resp: x.responsesReceived }); });
        return { sig: pc?.iceConnectionState, remote: pc?.remoteDescription?.sdp.split('\r\n').filter((l) => l.startsWith('a=cand')), out };
      });
      throw new Error(`${page.label}: ${got.video.framesDecoded} video frames decoded in ${timeoutMs / 1000} s; pairs ${JSON.stringify(pairs)}\n`
        + `${page.consoleLines.slice(-10).join('\n')}\n--- server ---\n${env.logTail(10)}`);
    }
    await sleep(300);
  }
}

/**
 * Two pages join `room` and meet: each decodes the other's video and both keep receiving video
 * and audio; every selected candidate pair (publish and subscribe, both pages) is on TCP.
 * Returns {pages, pairs: [{label, which, pair}]}; the caller closes the pages.
 */
export async function meetOverTcp(env, room) {
  const pages = [];
  for (const name of ['Anke', 'Bodo']) {
    const p = await env.open(room, name);
    await joined(env, p);
    pages.push(p);
  }
  for (const p of pages) await videoDecoded(env, p);
  const first = await Promise.all(pages.map(inbound));
  await sleep(2000);
  const second = await Promise.all(pages.map(inbound));
  pages.forEach((p, i) => {
    assert.ok(second[i].video.framesDecoded > first[i].video.framesDecoded,
      `${p.label}: frames ${first[i].video.framesDecoded} -> ${second[i].video.framesDecoded}`);
    assert.ok(second[i].audio.packetsReceived > first[i].audio.packetsReceived, `${p.label}: audio keeps arriving`);
  });
  const pairs = [];
  for (const p of pages) {
    for (const which of ['publish', 'subscribe']) {
      const pair = await selectedPair(p, which);
      console.log(`${p.label} ${which}: ${JSON.stringify(pair)}`);
      assert.equal(pair?.local.protocol, 'tcp', `${p.label} ${which} pair: ${JSON.stringify(pair)}`);
      pairs.push({ label: p.label, which, pair });
    }
  }
  return { pages, pairs };
}

/** plenum_media_tcp_links from /metrics (the plenum_media_tcp_* lines are logged). */
export async function mediaTcpLinks(env) {
  const metrics = await (await fetch(`${env.base}/metrics`)).text();
  console.log(metrics.split('\n').filter((l) => l.startsWith('plenum_media_tcp')).join('\n'));
  return Number((metrics.match(/^plenum_media_tcp_links (\d+)/m) || [])[1]);
}
