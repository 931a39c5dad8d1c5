// Browser test: the meeting at 200 % zoom (a 1280 px window is 640 CSS px wide), in German with its
// longer labels: nothing scrolls sideways and every control of the bar is on screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPlenum, OUT } from './lib-plenum.mjs';

let env;
before(async () => { env = await startPlenum('zoom'); });
after(async () => {
  const problems = await env.stop();
  assert.deepEqual(problems, [], problems.join('\n'));
});

test('200 % zoom: the whole control bar stays in view, no sideways scrolling', async () => {
  const other = await env.open('zoom-room', 'Bernd');
  await env.waitFor(other, 'joined', () => window.plenum.state === 'joined');
  const context = await env.browser.newContext({ viewport: { width: 640, height: 400 }, deviceScaleFactor: 2, locale: 'de-DE' });
  const page = await context.newPage();
  page.label = 'Carla';
  page.consoleLines = [];
  await page.goto(`${env.base}/zoom-room?name=Carla&lang=de`);
  await env.clickJoin(page);
  await env.waitFor(page, 'joined', () => window.plenum.state === 'joined');
  const layout = await page.evaluate(() => ({
    overflow: document.documentElement.scrollWidth > document.documentElement.clientWidth,
    width: document.documentElement.clientWidth,
    controls: [...document.querySelectorAll('.controls .control')].filter((b) => b.offsetParent)
      .map((b) => { const r = b.getBoundingClientRect(); return { name: b.getAttribute('aria-label') || b.textContent.trim(), left: r.left, right: r.right }; }),
  }));
  assert.equal(layout.overflow, false, 'the page scrolls sideways');
  assert.ok(layout.controls.length >= 6, `controls found: ${JSON.stringify(layout.controls)}`);
  for (const c of layout.controls)
    assert.ok(c.left >= 0 && c.right <= layout.width, `${c.name} is outside the ${layout.width} px view: ${c.left}..${c.right}`);
  await page.screenshot({ path: join(OUT, 'meeting-200pct.png') });
  await context.close();
  await other.context().close();
});
