// A real nginx (Debian's) for browser tests, running a configuration made from the documented
// files by tests/proxy/nginx-site.sh (and nginx-stream.sh), with a test CA from
// tests/proxy/make-ca.sh. Everything nginx writes stays in the test's directory.
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { sleep, ROOT } from './lib-plenum.mjs';

const NGINX = process.env.NGINX_BIN || '/usr/sbin/nginx';

/** Runs one of the repository's scripts (or any command); throws with its output when it fails. */
export function runScript(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}\n${r.stdout}${r.stderr}`);
}

/**
 * A test CA and a certificate it signed for the names, in dir. Returns {cert, key, browserArgs}:
 * the Chromium flag that trusts that key and CA by SPKI hash (certificates are still checked for
 * their names).
 */
export function makeCa(dir, ...names) {
  runScript(join(ROOT, 'tests', 'proxy', 'make-ca.sh'), [dir, ...names]);
  const spki = ['server.spki', 'ca.spki'].map((f) => readFileSync(join(dir, f), 'utf8').trim()).join(',');
  return { cert: join(dir, 'server.pem'), key: join(dir, 'server.key'),
    browserArgs: [`--ignore-certificate-errors-spki-list=${spki}`] };
}

function canConnect(host, port) {
  return new Promise((res) => {
    const s = connect(port, host);
    s.on('connect', () => { s.destroy(); res(true); });
    s.on('error', () => res(false));
  });
}

/**
 * Starts nginx on dir/nginx.conf and waits until host:port accepts connections. Returns
 * {accessLog(), stop() → problems: a death during the test, no stop within 10 s, emerg/alert/crit
 * lines in its error log}.
 */
export async function startNginx(dir, { host = '127.0.0.1', port }) {
  assert.ok(existsSync(NGINX), `${NGINX} missing (scripts/deps.sh installs Debian's nginx)`);
  const errorLog = join(dir, 'error.log');
  const fd = openSync(join(dir, 'nginx.out'), 'w');
  const proc = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', errorLog, '-g', 'daemon off;'],
    { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise((res) => proc.on('exit', (code, sig) => res({ code, sig })));
  const deadline = Date.now() + 10000;
  while (!(await canConnect(host, port))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`nginx did not start\n${readFileSync(join(dir, 'nginx.out'), 'utf8')}`);
    }
    await sleep(50);
  }
  return {
    accessLog: () => readFileSync(join(dir, 'access.log'), 'utf8'),
    async stop() {
      const problems = [];
      if (proc.exitCode !== null) problems.push(`nginx died during the test (${proc.exitCode})`);
      else proc.kill('SIGTERM');
      const res = await Promise.race([exited, sleep(10000).then(() => null)]);
      if (res === null) { proc.kill('SIGKILL'); problems.push('nginx did not stop within 10 s of SIGTERM'); }
      const bad = readFileSync(errorLog, 'utf8').split('\n').filter((l) => /\[(emerg|alert|crit)\]/.test(l));
      if (bad.length) problems.push(`nginx error log:\n${bad.slice(-10).join('\n')}`);
      return problems;
    },
  };
}
