// Polls through the browser client: a host starts a secret poll, two guests vote in the panel
// (the poll is announced, "secret ballot" is said), the host shows the results and everyone
// sees the same numbers as text; no WCAG 2.1 AA violation in the panel; a screenshot of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPlenum, joined, recordAnnouncements, announced, assertNoAxeViolations, keepSockets, OUT } from './lib-plenum.mjs';

let env;
before(async () => { env = await startPlenum('polls'); });
after(async () => {
  const problems = env ? await env.stop() : [];
  assert.deepEqual(problems, []);
});

const close = (...pages) => Promise.all(pages.map((p) => p.context().close().catch(() => {})));
const bars = (page) => page.$$eval('#polls-list .poll__bar-row', (rows) => rows.map((r) =>
  `${r.querySelector('.poll__bar-label').textContent}: ${r.querySelector('.poll__bar-value').textContent}`));

async function openPolls(page) {
  if (await page.locator('#polls-panel').isHidden()) await page.click('#ctl-polls');
  await page.waitForSelector('#polls-panel:not([hidden])');
}

async function vote(page, answer) {
  await openPolls(page);
  await page.getByRole('radio', { name: answer, exact: true }).check();
  await page.getByRole('button', { name: 'Vote', exact: true }).click();
  await page.waitForSelector('#polls-list .poll__yours');
}

test('a secret poll: two guests vote, the host shows the results, everyone sees the numbers', async () => {
  const room = 'poll-room';
  const host = await env.open(room, 'Hanna', { bypassCSP: true });   // axe-core is injected below
  await joined(env, host);
  const g1 = await env.open(room, 'Gerd', { bypassCSP: true });
  await joined(env, g1);
  const g2 = await env.open(room, 'Grete');
  await joined(env, g2);
  await recordAnnouncements(g1);
  // guests see no form to ask
  await openPolls(g2);
  assert.ok(await g2.locator('#polls-host').isHidden(), 'a guest sees the form');

  await openPolls(host);
  await host.click('#polls-new');
  await host.fill('#poll-question', 'Soll das Sommerfest im Juli sein?');
  await host.getByRole('textbox', { name: 'Answer 1' }).fill('Ja');
  await host.getByRole('textbox', { name: 'Answer 2' }).fill('Nein');
  await host.click('#poll-add-answer');
  await host.getByRole('textbox', { name: 'Answer 3' }).fill('Egal');
  await host.getByRole('radio', { name: 'Secret ballot' }).check();
  await host.click('#poll-start');
  await env.waitFor(host, 'poll listed', () => document.querySelectorAll('#polls-list .poll').length === 1);
  assert.ok(await host.locator('#poll-form').isHidden());

  // A guest is told of it (a toast, read by screen readers) and sees that it is secret.
  // (the toasts are a polite live region: role status)
  await env.waitFor(g1, 'new poll announced', () => [...document.querySelectorAll('#toasts .toast__text')]
    .some((e) => /^New secret poll by Hanna: Soll das Sommerfest/.test(e.textContent)));
  assert.equal(await g1.getAttribute('#toasts', 'aria-live'), 'polite');
  assert.ok(!/New secret poll/.test(await host.textContent('#toasts')), 'the host is told of its own poll');
  await env.waitFor(g1, 'badge', () => document.getElementById('polls-badge').textContent === '1');
  await openPolls(g1);
  assert.match(await g1.textContent('#polls-list .poll__ballot'), /Secret ballot: nobody, not even the hosts/);
  assert.equal(await g1.locator('#polls-list .poll__results').count(), 0, 'a guest sees results before they are shown');

  await vote(g1, 'Ja');
  await vote(g2, 'Egal');
  assert.equal(await g1.textContent('#polls-list .poll__yours'), 'You have voted.');
  // the host sees the running tallies, marked as seen by hosts only
  await env.waitFor(host, 'two votes', () => /2 votes/.test(document.querySelector('#polls-list .poll__meta').textContent));
  assert.deepEqual(await bars(host), ['Ja: 1 vote (50 %)', 'Nein: 0 votes (0 %)', 'Egal: 1 vote (50 %)']);
  assert.match(await host.textContent('#polls-list .poll__results-title'), /only hosts/);
  assert.equal(await host.locator('#polls-list .poll__who').count(), 0, 'a secret poll lists who chose what');

  await host.getByRole('button', { name: 'Show results to everyone' }).click();
  await host.getByRole('button', { name: 'Close poll' }).click();
  for (const p of [host, g1, g2]) {
    await env.waitFor(p, 'results shown', () => /Closed/.test(document.querySelector('#polls-list .poll__meta')?.textContent || '')
      && document.querySelectorAll('#polls-list .poll__bar-row').length === 3
      && document.querySelector('#polls-list .poll__results-title').textContent === 'Results');
    assert.deepEqual(await bars(p), ['Ja: 1 vote (50 %)', 'Nein: 0 votes (0 %)', 'Egal: 1 vote (50 %)']);
  }
  await announced(env, g1, 'results announced', 'Results are shown: Soll das Sommerfest');

  // a late joiner sees the poll and its shown results
  const late = await env.open(room, 'Lutz');
  await joined(env, late);
  await openPolls(late);
  await env.waitFor(late, 'late joiner sees the poll', () => document.querySelectorAll('#polls-list .poll__bar-row').length === 3);
  assert.deepEqual(await bars(late), ['Ja: 1 vote (50 %)', 'Nein: 0 votes (0 %)', 'Egal: 1 vote (50 %)']);
  // the bars are drawn under the page's Content-Security-Policy (this page does not bypass it)
  const widths = await late.$$eval('#polls-list .poll__bar-fill', (els) => els.map((e) => Math.round(e.getBoundingClientRect().width)));
  const full = await late.$eval('#polls-list .poll__bar', (e) => e.clientWidth);
  assert.ok(widths[0] > 0 && Math.abs(widths[0] - full / 2) <= 2 && widths[1] === 0 && widths[2] === widths[0], `bar widths ${widths} of ${full}`);

  await assertNoAxeViolations(g1, 'polls panel (guest)');
  await host.click('#polls-new');
  await assertNoAxeViolations(host, 'polls panel with the form (host)');
  await host.screenshot({ path: join(OUT, 'polls-host.png') });
  await g1.screenshot({ path: join(OUT, 'polls-guest.png') });
  await close(host, g1, g2, late);
});

test('an open multiple-choice poll: the host sees who chose what, the form checks its input', async () => {
  const room = 'poll-open';
  const host = await env.open(room, 'Olga');
  await joined(env, host);
  const g = await env.open(room, 'Paul', { init: keepSockets });
  await joined(env, g);
  await openPolls(host);
  await host.click('#polls-new');
  await host.click('#poll-start');
  await env.waitFor(host, 'no question', () => /enter a question/.test(document.getElementById('poll-form-error').textContent));
  await host.fill('#poll-question', 'Welche Tage passen?');
  await host.getByRole('textbox', { name: 'Answer 1' }).fill('Montag');
  await host.click('#poll-start');
  await env.waitFor(host, 'two answers needed', () => /two answers/.test(document.getElementById('poll-form-error').textContent));
  await host.getByRole('textbox', { name: 'Answer 2' }).fill('Dienstag');
  await host.getByRole('radio', { name: 'Several answers possible' }).check();
  await host.click('#poll-start');
  await env.waitFor(host, 'poll listed', () => document.querySelectorAll('#polls-list .poll').length === 1);

  await openPolls(g);
  await g.getByRole('checkbox', { name: 'Montag' }).check();
  await g.getByRole('checkbox', { name: 'Dienstag' }).check();
  await g.getByRole('button', { name: 'Vote', exact: true }).click();
  await env.waitFor(g, 'own vote', () => document.querySelector('#polls-list .poll__yours')?.textContent === 'You voted: Montag, Dienstag');
  await env.waitFor(host, 'who chose what', () => document.querySelector('#polls-list .poll__who-list')?.textContent === 'Paul: Montag, Dienstag');
  assert.deepEqual(await bars(host), ['Montag: 1 vote (100 %)', 'Dienstag: 1 vote (100 %)']);
  // The connection drops and the client joins again (a new participant for the server): the page
  // still knows it voted and offers no second vote.
  const before = await g.evaluate(() => window.plenum.participantId);
  await g.evaluate(() => window.__sockets.filter((s) => s.readyState === 1).forEach((s) => s.close()));
  await env.waitFor(g, 'joined again', (id) => window.plenum.state === 'joined' && window.plenum.participantId !== id, before);
  await env.waitFor(g, 'poll again', () => document.querySelectorAll('#polls-list .poll').length === 1);
  assert.equal(await g.textContent('#polls-list .poll__yours'), 'You voted: Montag, Dienstag');
  assert.equal(await g.locator('#polls-list .poll__vote').count(), 0, 'a second vote is offered after a reconnect');
  await host.click('#polls-list .poll__who summary');
  await host.screenshot({ path: join(OUT, 'polls-host-open.png') });
  await close(host, g);
});

test('the control bar with "Polls" stays in view on narrow screens; on phones Polls is in "More"', async () => {
  for (const width of [521, 600, 760, 1000]) {
    const page = await env.open(`poll-bar-${width}`, 'Nora', { viewport: { width, height: 700 } });
    await joined(env, page);
    const bar = await page.evaluate(() => [...document.querySelectorAll('#controls .control')].filter((b) => b.offsetParent)
      .map((b) => { const r = b.getBoundingClientRect(); return { id: b.id, left: r.left, right: r.right }; }));
    assert.ok(bar.some((b) => b.id === 'ctl-polls'), `no Polls button at ${width} px`);
    for (const b of bar) assert.ok(b.left >= 0 && b.right <= width, `${b.id} outside the ${width} px view: ${b.left}..${b.right}`);
    if (width === 521) await page.screenshot({ path: join(OUT, 'polls-bar-521.png') });
    await close(page);
  }
  const phone = await env.open('poll-bar-phone', 'Nora', { viewport: { width: 390, height: 760 } });
  await joined(env, phone);
  await phone.click('#ctl-overflow');
  await phone.click('#overflow-menu [data-for="ctl-polls"]');
  await env.waitFor(phone, 'polls panel', () => !document.getElementById('polls-panel').hidden);
  await phone.screenshot({ path: join(OUT, 'polls-390.png') });
  await close(phone);
});
