// Cross-browser: Firefox ESR (Debian's firefox-esr, fake camera and microphone, no driver but its
// built-in WebDriver BiDi endpoint) and Chromium (playwright-core) meet through plenum. Chromium
// decodes Firefox's video and receives its audio; Firefox decodes Chromium's; the server counts
// Firefox's RTP. Skipped only where firefox-esr is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPlenum, joined, sleep, until, OUT } from './lib-plenum.mjs';
import { FIREFOX, firefoxInstalled, withFirefox, joinFirefox, fromParticipant } from './lib-firefox.mjs';

async function rtpReceived(base) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = /^plenum_rtp_packets_received_total(?:\{[^}]*\})? (\d+)/m.exec(text);
  assert.ok(m, 'plenum_rtp_packets_received_total missing from /metrics');
  return Number(m[1]);
}

test('Firefox ESR publishes into a meeting and Chromium decodes it (and the other way)', { timeout: 90000 }, async (t) => {
  if (!firefoxInstalled()) {
    t.skip(`${FIREFOX} not installed (Debian package firefox-esr)`);
    return;
  }
  const started = Date.now();
  const env = await startPlenum('firefox');
  await withFirefox(env, async (launch) => {
    const room = 'firefox-meeting';
    const rtp0 = await rtpReceived(env.base);
    const { ff, id: ffId } = await joinFirefox(launch, `${env.base}/${room}?name=Fuchs&lang=en`, join(OUT, 'browser', 'firefox.log'));

    const page = await env.open(room, 'Chrom');
    const chromId = await joined(env, page);
    // Firefox's participant, as Chromium's client lists it
    const listed = await (await env.waitFor(page, 'Fuchs listed', () => {
      const p = [...window.plenum.participants.values()].find((x) => x.name === 'Fuchs');
      return p && p.id;
    })).jsonValue();
    assert.equal(listed, ffId, 'Chromium lists Fuchs under the id Firefox was given');

    const inChromium = () => page.evaluate(fromParticipant, ffId);
    const inFirefox = () => ff.bidi.evaluate(fromParticipant, chromId);
    const flowing = (x) => x.tileTrack && x.videoWidth > 0 && x.frameWidth > 0 && x.framesDecoded > 10 && x.audioPackets > 10;

    await t.test('Chromium decodes Firefox\'s video and receives its audio', async () => {
      await until('Chromium: Firefox\'s video decoded and audio received', inChromium, flowing);
      const a = { got: await inChromium(), rtp: await rtpReceived(env.base) };
      await sleep(2000);
      const b = { got: await inChromium(), rtp: await rtpReceived(env.base) };
      const show = JSON.stringify({ a, b });
      assert.ok(b.got.framesDecoded > a.got.framesDecoded + 10, `Firefox's frames decoded in Chromium ${show}`);
      assert.ok(b.got.audioPackets > a.got.audioPackets + 25, `Firefox's audio packets in Chromium ${show}`);
      assert.ok(flowing(b.got), `Firefox's video in Chromium ${show}`);
      // Firefox's audio alone is 50 packets/s
      assert.ok(a.rtp > rtp0 && b.rtp > a.rtp + 100, `server RTP packets received ${rtp0} -> ${a.rtp} -> ${b.rtp}`);
      await page.screenshot({ path: join(OUT, 'browser', 'firefox-in-chromium.png') });
    });

    // Chromium publishes three simulcast layers; the server picks the one for Firefox's tile.
    await t.test('Firefox decodes Chromium\'s video and receives its audio', async () => {
      await until('Firefox: Chromium\'s video decoded and audio received', inFirefox, flowing);
      const a = await inFirefox();
      await sleep(2000);
      const b = await inFirefox();
      const show = JSON.stringify({ a, b });
      assert.ok(b.framesDecoded > a.framesDecoded + 10, `Chromium's frames decoded in Firefox ${show}`);
      assert.ok(b.audioPackets > a.audioPackets + 25, `Chromium's audio packets in Firefox ${show}`);
    });

    await t.test('Firefox leaves: its processes end, Chromium sees Fuchs go', async () => {
      await ff.stop();
      assert.deepEqual(ff.alive(), [], 'Firefox processes left after stop');
      await env.waitFor(page, 'Fuchs gone', (id) => !window.plenum.participants.has(id), ffId);
    });
    await page.context().close();
    t.diagnostic(`firefox test: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});
