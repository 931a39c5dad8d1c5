// Browser test of WHIP ingest (issue 11): a host in Chromium asks for stream links; an aiortc encoder
// (whip-publisher.py, the chamber's OBS in real life) POSTs with the WHIP token and joins the meeting:
// the host's page decodes its video, receives its audio and names its tile; DELETE ends it and the
// tile goes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startPlenum, joined, inbound, sleep, ROOT, OUT, keepSockets, hostRequest } from './lib-plenum.mjs';

const ENCODER = 'Ratssaal Kamera 1';

let env;
before(async () => { env = await startPlenum('whip'); });
after(async () => {
  const problems = env ? await env.stop() : [];
  assert.deepEqual(problems, [], `${problems.join('\n')}\n${env?.logTail()}`);
});

/** Starts the aiortc encoder; resolves {proc, next(re) → the next stdout line matching re}. */
function startEncoder(url, token) {
  const proc = spawn('/usr/bin/python3', [join(ROOT, 'tests', 'browser', 'whip-publisher.py'), url, token],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = [];
  const waiters = [];
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  createInterface({ input: proc.stdout }).on('line', (line) => {
    lines.push(line);
    for (const w of waiters.splice(0)) w();
  });
  const next = async (re, timeout = 20000) => {
    const end = Date.now() + timeout;
    for (;;) {
      const hit = lines.find((l) => re.test(l));
      if (hit) return hit;
      if (proc.exitCode !== null) throw new Error(`encoder exited ${proc.exitCode}: ${lines.join('\n')}\n${stderr}`);
      if (Date.now() > end) throw new Error(`encoder: no ${re} within ${timeout} ms: ${lines.join('\n')}\n${stderr}`);
      await Promise.race([new Promise((r) => waiters.push(r)), sleep(200)]);
    }
  };
  return { proc, next };
}

test('an encoder publishes into the meeting over WHIP; the host sees and hears it; DELETE ends it', async () => {
  const host = await env.open('ratssaal-whip', 'Bürgermeisterin', { init: keepSockets });
  await joined(env, host);
  const links = await hostRequest(host, 'stream_links', { name: ENCODER });
  assert.ok(links.result, JSON.stringify(links));
  const { url, token } = links.result.whip;
  assert.equal(url, `${env.base}/whip/ratssaal-whip`);

  const enc = startEncoder(url, token);
  try {
    const loc = await enc.next(/^(LOCATION|REFUSED) /);
    assert.match(loc, /^LOCATION \/whip\/ratssaal-whip\/[0-9a-f]{32}$/);
    const joinedAs = await env.waitFor(host, 'the encoder joined',
      (name) => [...window.plenum.participants].find(([, p]) => p.name === name)?.[0] ?? false, ENCODER);
    const encId = await joinedAs.jsonValue();
    await env.waitFor(host, 'the encoder\'s video decoded and audio received', async () => {
      let frames = 0, audio = 0;
      (await window.plenum.subscribePc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded || 0;
        if (s.type === 'inbound-rtp' && s.kind === 'audio') audio += s.packetsReceived || 0;
      });
      return frames > 10 && audio > 10;
    });
    const a = await inbound(host);
    await sleep(2000);
    const b = await inbound(host);
    assert.ok(b.video.framesDecoded > a.video.framesDecoded + 10, `frames ${a.video.framesDecoded} -> ${b.video.framesDecoded}`);
    assert.ok(b.audio.packetsReceived > a.audio.packetsReceived + 25, `audio ${a.audio.packetsReceived} -> ${b.audio.packetsReceived}`);
    await env.waitFor(host, 'the encoder\'s tile shows its video and name', ([pid, name]) => {
      const tile = document.querySelector(`.tile[data-participant-id="${pid}"]`);
      const v = tile?.querySelector('video');
      return !!tile && tile.textContent.includes(name) && v && v.videoWidth > 0;
    }, [encId, ENCODER]);
    await host.screenshot({ path: join(OUT, 'browser', 'whip-encoder-tile.png') });

    enc.proc.stdin.write('delete\n');
    assert.equal(await enc.next(/^DELETED /), 'DELETED 200');
    await env.waitFor(host, 'the encoder left', (pid) => !window.plenum.participants.has(pid), encId);
    await env.waitFor(host, 'its tile gone', (pid) => !document.querySelector(`.tile[data-participant-id="${pid}"]`), encId);
  } finally {
    if (enc.proc.exitCode === null) enc.proc.kill('SIGTERM');
  }
  await host.context().close();
});
