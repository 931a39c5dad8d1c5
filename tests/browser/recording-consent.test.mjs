// Consent for recording and the livestream through the browser client, with plenum's real
// recorder (--recording-dir in a temporary directory): the host confirms and starts, a
// participant gets the dialog, the announcement and the indicator, a late joiner the pre-join
// notice, a phone the same at 390 px, and "Leave meeting" in the dialog leaves. axe-core on each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startPlenum, joined, OUT, recordAnnouncements, announced, assertNoAxeViolations, openRoomSettings,
  closePages as close } from './lib-plenum.mjs';

const SHOTS = join(OUT, 'browser', 'recording-consent');
const WIDE = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

let env, recDir;
before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  recDir = mkdtempSync(join(tmpdir(), 'plenum-consent-'));
  env = await startPlenum('recording-consent', { extraArgs: ['--recording-dir', recDir] });
});
after(async () => {
  const problems = env ? await env.stop() : [];
  if (recDir) rmSync(recDir, { recursive: true, force: true });
  assert.deepEqual(problems, []);
});


/** The host starts `what` (its button, then the confirmation). */
async function hostStarts(host, what, label) {
  await openRoomSettings(host);
  const button = host.locator(`#room-${what}`);
  assert.equal(await button.textContent(), `Start ${label}`);
  await button.click();
  await host.locator('#room-out-confirm').waitFor({ state: 'visible' });
  assert.match(await host.textContent('#room-out-question'), /Everyone will be told/);
  await host.click('#room-out-yes');
  await env.waitFor(host, `${what} on`, (w) => window.plenum.roomState[w]?.active === true, what);
  assert.equal(await button.textContent(), `Stop ${label}`);
  assert.equal(await host.locator('#out-dialog').isVisible(), false, 'the host who started it gets no dialog');
  await host.click('#room-dialog-close');
}

test('host starts recording: participant consents, late joiner is told before joining, phone too', async () => {
  const room = 'ratssitzung';
  const host = await env.open(room, 'Hanna', { viewport: WIDE, bypassCSP: true });
  await joined(env, host);
  const guest = await env.open(room, 'Paul', { viewport: WIDE, bypassCSP: true });
  await joined(env, guest);
  await recordAnnouncements(guest);
  assert.equal(await guest.locator('#out-status').isVisible(), false, 'nothing is recorded yet');

  // the host's controls: in the room settings, the action named, a confirmation first
  await openRoomSettings(host);
  await host.locator('#room-out').waitFor({ state: 'visible' });
  await host.click('#room-recording');
  await host.locator('#room-out-confirm').waitFor({ state: 'visible' });
  await shot(host, 'host-confirm-1366');
  await host.click('#room-out-no');
  assert.equal(await host.evaluate(() => window.plenum.roomState.recording.active), false, 'cancel starts nothing');
  await host.click('#room-dialog-close');
  await hostStarts(host, 'recording', 'recording');

  // the participant: a modal dialog naming who and when, said at once, and the indicator
  await guest.locator('#out-dialog').waitFor({ state: 'visible' });
  assert.equal(await guest.textContent('#out-dialog-title'), 'This meeting is now being recorded');
  assert.match(await guest.textContent('#out-dialog-text'), /^Hanna started the recording at .+ you can leave the meeting\.$/);
  await announced(env, guest, 'start said at once', 'This meeting is now being recorded');
  assert.equal(await guest.evaluate(() => document.activeElement.id), 'out-dialog-ok');
  await assertNoAxeViolations(guest, 'consent dialog');
  await shot(guest, 'participant-dialog-1366');
  await guest.click('#out-dialog-ok');
  const indicator = guest.locator('#out-status');
  await indicator.waitFor({ state: 'visible' });
  assert.match(await guest.textContent('#out-status-summary'), /Recording/);
  await guest.click('#out-status-summary');
  assert.match(await guest.textContent('#out-status-details'), /Recording since .+, started by Hanna\./);
  await assertNoAxeViolations(guest, 'indicator with its details');
  await shot(guest, 'participant-indicator-1366');
  assert.equal(await guest.locator('#host-section').isVisible(), false, 'a guest has no controls');

  // a late joiner: told on the pre-join screen, before the join button
  const late = await env.open(room, 'Lena', { viewport: WIDE, join: false, bypassCSP: true });
  await env.waitFor(late, 'pre-join notice', () => window.plenum?.state === 'prejoin'
    && !document.getElementById('prejoin-out-notice').hidden);
  assert.match(await late.textContent('#prejoin-out-notice'), /This meeting is being recorded\. By joining you agree/);
  assert.ok(await late.evaluate(() => {
    const notice = document.getElementById('prejoin-out-notice');
    return notice.compareDocumentPosition(document.getElementById('join-button')) & Node.DOCUMENT_POSITION_FOLLOWING;
  }), 'the notice comes before "Join now"');
  assert.equal(await late.locator('#out-status').isVisible(), true, 'the indicator shows before joining too');
  await assertNoAxeViolations(late, 'pre-join notice');
  await shot(late, 'prejoin-notice-1366');
  await late.fill('#name-input', 'Lena');
  await late.click('#join-button');
  await joined(env, late);
  assert.equal(await late.locator('#out-dialog').isVisible(), false, 'told already: no dialog after joining');
  await late.locator('#out-status').waitFor({ state: 'visible' });

  // the phone: the pre-join notice, then the livestream's dialog and both indicators at 390 px
  const phone = await env.open(room, 'Mia', { viewport: PHONE, join: false, bypassCSP: true });
  await env.waitFor(phone, 'phone pre-join notice', () => window.plenum?.state === 'prejoin'
    && !document.getElementById('prejoin-out-notice').hidden);
  assert.ok(await phone.locator('#prejoin-out-notice').isVisible());
  await shot(phone, 'prejoin-notice-390');
  await phone.fill('#name-input', 'Mia');
  await phone.click('#join-button');
  await joined(env, phone);
  await hostStarts(host, 'streaming', 'livestream');
  await phone.locator('#out-dialog').waitFor({ state: 'visible' });
  assert.equal(await phone.textContent('#out-dialog-title'), 'This meeting is now live to the public');
  await assertNoAxeViolations(phone, 'consent dialog on a phone');
  await shot(phone, 'participant-dialog-390');
  await phone.click('#out-dialog-ok');
  const summary = await phone.locator('#out-status-summary');
  assert.match(await summary.textContent(), /Recording.*Live/);
  const box = await summary.boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, `the indicator fits the phone: ${JSON.stringify(box)}`);
  await shot(phone, 'participant-indicator-390');

  // the host stops the recording: everyone is told who and when, the indicator keeps "Live"
  await openRoomSettings(host);
  await host.click('#room-recording');
  await env.waitFor(host, 'recording off', () => window.plenum.roomState.recording.active === false);
  await host.click('#room-dialog-close');
  await announced(env, guest, 'stop said', 'Hanna stopped the recording at');
  await env.waitFor(guest, 'indicator says Live only', () => {
    const t = document.getElementById('out-status-summary').textContent;
    return /Live/.test(t) && !/Recording/.test(t);
  });

  // "Leave meeting" in the dialog leaves
  await hostStarts(host, 'recording', 'recording');
  await phone.locator('#out-dialog').waitFor({ state: 'visible' });
  await phone.click('#out-dialog-leave');
  await env.waitFor(phone, 'left the meeting', () => document.body.dataset.screen === 'left');
  assert.equal(await phone.locator('#out-status').isVisible(), false, 'no indicator after leaving');
  await close(host, guest, late, phone);
});
