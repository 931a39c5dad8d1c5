// Breakout groups and polls with Firefox ESR. A Chromium host moves a Firefox guest and a Chromium
// guest into a group and back: Firefox's subscribe PeerConnection is renegotiated on each move (the
// old group's tracks go, the new group's come) while its publish PeerConnection and camera stay as
// they are; in the group Firefox decodes its group mate and no longer lists the host, back in the
// main room it decodes the host again. Then Firefox votes in the host's secret poll from the Polls
// panel and sees the result once shown. Skipped only where firefox-esr is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPlenum, joined, sleep, until, OUT, keepSockets, hostRequest } from './lib-plenum.mjs';
import { FIREFOX, firefoxInstalled, withFirefox, joinFirefox, fromParticipant } from './lib-firefox.mjs';

const ok = (r, what) => assert.ok(r.result, `${what}: ${JSON.stringify(r)}`);
const flowing = (x) => x.tileTrack && x.frameWidth > 0 && x.framesDecoded > 10;

test('Firefox ESR in breakout groups and polls', { timeout: 150000 }, async (t) => {
  if (!firefoxInstalled()) {
    t.skip(`${FIREFOX} not installed (Debian package firefox-esr)`);
    return;
  }
  const env = await startPlenum('firefox-groups-polls');
  await withFirefox(env, async (launch) => {
    const room = 'firefox-gruppen';
    const host = await env.open(room, 'Host', { init: keepSockets });
    const hostId = await joined(env, host);
    const { ff, id: ffId } = await joinFirefox(launch, `${env.base}/${room}?name=Fuchs&lang=en`, join(OUT, 'browser', 'firefox-groups-polls.log'));
    const guest = await env.open(room, 'Chrom');
    const chromId = await joined(env, guest);
    const publishUfrag = () => ff.bidi.evaluate(() => /a=ice-ufrag:(\S+)/.exec(window.plenum.publishPc.localDescription.sdp)[1]);
    const ufrag = await publishUfrag();
    const inFirefox = (id) => ff.bidi.evaluate(fromParticipant, id);
    await until('Firefox decodes the host', () => inFirefox(hostId), flowing, 30000);

    await t.test('in the group, Firefox decodes its group mate and no longer lists the host', async () => {
      ok(await hostRequest(host, 'breakout_setup', { names: ['Eins'] }), 'setup');
      ok(await hostRequest(host, 'breakout_assign', { assign: { [ffId]: 1, [chromId]: 1 } }), 'assign');
      ok(await hostRequest(host, 'breakout_open', {}), 'open');
      await ff.bidi.waitFor('in group 1', () => window.plenum.breakout?.yourGroup === 1);
      await ff.bidi.waitFor('the host gone from the list', (id) => !window.plenum.participants.has(id), hostId);
      const a = await until('Firefox decodes Chrom in the group', () => inFirefox(chromId), flowing, 30000);
      await sleep(2000);
      const b = await inFirefox(chromId);
      assert.ok(b.framesDecoded > a.framesDecoded + 10, `Chrom's frames in Firefox ${JSON.stringify({ a, b })}`);
      await env.waitFor(host, 'the host alone in the main room', () => window.plenum.participants.size === 0);
    });

    await t.test('back in the main room, Firefox decodes the host again; its publishing never restarted', async () => {
      ok(await hostRequest(host, 'breakout_close', { seconds: 0 }), 'close');
      await ff.bidi.waitFor('back in the main room', () => window.plenum.breakout?.yourGroup === 0 && window.plenum.breakout?.state === 'none');
      const a = await until('Firefox decodes the host again', () => inFirefox(hostId), (x) => flowing(x), 30000);
      await sleep(2000);
      const b = await inFirefox(hostId);
      assert.ok(b.framesDecoded > a.framesDecoded + 10, `the host's frames in Firefox ${JSON.stringify({ a, b })}`);
      assert.equal(await publishUfrag(), ufrag, 'the same publish PeerConnection (no ICE restart, no new one)');
      assert.equal(await ff.bidi.evaluate(() => window.plenum.publishPc.connectionState), 'connected');
      await env.waitFor(host, 'the host sees Firefox again', (id) => window.plenum.participants.has(id), ffId);
    });
    await t.test('Firefox votes in a secret poll from the Polls panel', async () => {
      const created = await hostRequest(host, 'poll_create', { question: 'Treffen wir uns im Juli?', answers: ['Ja', 'Nein'], secret: true });
      ok(created, 'poll_create');
      await ff.bidi.evaluate(() => { document.getElementById('ctl-polls').click(); return true; });
      await ff.bidi.waitFor('the poll in the panel', () => document.getElementById('polls-list')?.textContent.includes('Treffen wir uns im Juli?'));
      await ff.bidi.evaluate(() => {
        const label = [...document.querySelectorAll('#polls-list label')].find((l) => l.textContent.trim() === 'Ja');
        (label.querySelector('input') || document.getElementById(label.htmlFor)).click();
        [...document.querySelectorAll('#polls-list button')].find((b) => b.textContent.trim() === 'Vote').click();
        return true;
      });
      await ff.bidi.waitFor('voted', () => document.getElementById('polls-list').textContent.includes('You have voted'));
      ok(await hostRequest(host, 'poll_show_results', { poll_id: created.result.poll_id }), 'poll_show_results');
      await ff.bidi.waitFor('the result shown', () => /1 vote \(100 %\)/.test(document.getElementById('polls-list').textContent));
    });
    await guest.context().close();
    await host.context().close();
  });
});
