// A client network for browser tests: a second network namespace joined to the test's own by a
// veth pair (server side 10.99.0.1, client side 10.99.0.2), nftables rules on the client side,
// and a Chromium wrapper that runs the browser there. Only inside the loopback-only namespace the
// test runner made (scripts/netns.sh); everything is removed when the client namespace's holder
// process ends (stop()).
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, sleep } from './lib-plenum.mjs';

export const SERVER_IP = '10.99.0.1';
export const CLIENT_IP = '10.99.0.2';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const run = (cmd, args, input) => execFileSync(cmd, args, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();

/**
 * Makes the client namespace. `firewall`: nftables rule lines for the client's output chain,
 * e.g. ['meta l4proto udp counter drop'] (loopback is always allowed). Returns
 * {chromium (wrapper path), nsenter(args), counters(), stop()}.
 */
export async function clientNetwork(name, { firewall = [] } = {}) {
  const holder = spawn('unshare', ['--net', 'sleep', 'infinity'], { stdio: 'ignore' });
  const pid = holder.pid;
  await sleep(100);
  const inClient = (cmd, ...args) => run('nsenter', ['-t', String(pid), '-n', cmd, ...args]);
  const srv = `pls${pid % 10000}`;
  const cli = `plc${pid % 10000}`;
  try {
    run('ip', ['link', 'add', srv, 'type', 'veth', 'peer', 'name', cli]);
    run('ip', ['link', 'set', cli, 'netns', String(pid)]);
    run('ip', ['addr', 'add', `${SERVER_IP}/24`, 'dev', srv]);
    run('ip', ['link', 'set', srv, 'up']);
    inClient('ip', 'link', 'set', 'lo', 'up');
    inClient('ip', 'addr', 'add', `${CLIENT_IP}/24`, 'dev', cli);
    inClient('ip', 'link', 'set', cli, 'up');
    const rules = ['table inet plenum_test {', ' chain out {', '  type filter hook output priority 0; policy accept;',
      '  oifname "lo" accept', ...firewall.map((r) => `  ${r}`), ' }', '}', ''].join('\n');
    run('nsenter', ['-t', String(pid), '-n', 'nft', '-f', '-'], rules);
  } catch (e) {
    holder.kill('SIGKILL');
    throw new Error(`client network: ${e.message}\n${e.stderr || ''}`);
  }
  mkdirSync(join(OUT, 'browser'), { recursive: true });
  const wrapper = join(OUT, 'browser', `${name}.chromium.sh`);
  writeFileSync(wrapper, `#!/bin/sh\nexec nsenter -t ${pid} -n ${CHROMIUM} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return {
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
