// A real coturn (Debian's turnserver, use-auth-secret) for browser tests, on loopback:
// scripts/coturn-test.sh writes its configuration; TURN over TLS too when given a certificate.
// Every coturn started here is stopped by stopAll() (call it from after()).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { chmodSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, ROOT } from './lib-plenum.mjs';

const started = [];

/** A port free for both TCP and UDP on 127.0.0.1 (coturn listens on both). */
export async function freeTcpUdpPort() {
  for (;;) {
    const tcp = createServer();
    await new Promise((res, rej) => { tcp.once('error', rej); tcp.listen(0, '127.0.0.1', res); });
    const port = tcp.address().port;
    const udp = createSocket('udp4');
    const ok = await new Promise((res) => { udp.once('error', () => res(false)); udp.bind(port, '127.0.0.1', () => res(true)); });
    await new Promise((res) => tcp.close(res));
    if (ok) await new Promise((res) => udp.close(res));
    if (ok) return port;
  }
}

/** Writes `secret` as a one-line file of mode 0600 in dir; returns its path. */
export function secretFile(dir, name, secret) {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

/**
 * Starts coturn with `secret` under dir/coturn; `tls`: {port, cert, key} adds a TLS listener on
 * 127.0.0.1:port. Returns {port, log(), secretPath, stop()} once its listeners are open.
 */
export async function startCoturn(dir, secret, { tls = null } = {}) {
  const port = await freeTcpUdpPort();
  const cdir = join(dir, 'coturn');
  mkdirSync(cdir, { recursive: true });
  const secretPath = secretFile(dir, 'coturn-secret', secret);
  const logPath = join(cdir, 'turnserver.log');
  const fd = openSync(logPath, 'w');
  const args = [cdir, String(port), secretPath, ...(tls ? [String(tls.port), tls.cert, tls.key] : [])];
  const proc = spawn(join(ROOT, 'scripts', 'coturn-test.sh'), args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise((res) => proc.on('exit', res));
  const log = () => { try { return readFileSync(logPath, 'utf8'); } catch { return ''; } };
  const c = {
    port, log, secretPath,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      if (await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]) === false) proc.kill('SIGKILL');
    },
  };
  started.push(c);
  const ready = tls ? ['UDP listener opened', 'TLS/TCP listener opened'] : ['UDP listener opened'];
  const deadline = Date.now() + 10000;
  while (!ready.every((line) => log().includes(line))) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`coturn did not start\n${log().slice(-3000)}`);
    await sleep(100);
  }
  return c;
}

export async function stopAll() {
  for (const c of started.splice(0)) await c.stop();
}
