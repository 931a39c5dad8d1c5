// Browser test: the meeting page over the wire (issue 9, item 5). A citizen opens a meeting link,
// then opens it again later in the same browser: the first visit gets the client compressed, the
// second costs almost nothing (the page revalidated with a 304, every asset from the cache under its
// versioned URL). Bytes on the wire from the DevTools protocol: Network.loadingFinished's
// encodedDataLength (headers and body as received) for every request the page made.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlenum } from './lib-plenum.mjs';

let env;
before(async () => { env = await startPlenum('static-cache'); });
after(async () => {
  const problems = await env.stop();
  assert.deepEqual(problems, [], problems.join('\n'));
});

/** Opens url in a new page of context and waits for the pre-join screen; bytes and responses seen. */
async function visit(context, url) {
  const page = await context.newPage();
  page.label = 'visitor';
  page.consoleLines = [];
  page.on('console', (m) => page.consoleLines.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => page.consoleLines.push(`pageerror: ${e.message}`));
  const cdp = await context.newCDPSession(page);
  const responses = new Map();   // requestId → {url, status, encoding, cached}
  let bytes = 0, headerBytes = 0;
  cdp.on('Network.responseReceived', (e) => {
    headerBytes += e.response.encodedDataLength || 0;   // what had arrived with the headers
    const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    responses.set(e.requestId, { url: e.response.url, status: e.response.status, encoding: h['content-encoding'] || '',
      cacheControl: h['cache-control'] || '', cached: e.response.fromDiskCache || e.response.fromPrefetchCache || false });
  });
  // the status as sent on the wire (responseReceived shows a revalidated response as its cached 200)
  const wire = new Map();
  cdp.on('Network.responseReceivedExtraInfo', (e) => wire.set(e.requestId, e.statusCode));
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
  await cdp.send('Network.enable');
  await page.goto(url);
  await env.waitFor(page, 'pre-join screen', () => window.plenum && window.plenum.state === 'prejoin'
    && document.body.dataset.screen === 'prejoin');
  await page.waitForLoadState('networkidle');
  const title = await page.evaluate(() => document.querySelector('#join-button')?.textContent?.trim());
  await cdp.detach();
  await page.close();
  for (const [id, r] of responses) r.wireStatus = wire.get(id);
  return { bytes, headerBytes, responses: [...responses.values()], title };
}

test('a second visit to a meeting page transfers under a tenth of the first', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'en-US' });
  const url = `${env.base}/wire-room?lang=en`;
  const first = await visit(context, url);
  const second = await visit(context, url);
  await context.close();
  console.log(`meeting page on the wire: first visit ${first.bytes} bytes (${first.responses.length} responses, `
    + `${first.headerBytes} of them headers), second visit ${second.bytes} bytes (${second.responses.length} responses, `
    + `${second.headerBytes} of them headers)`);
  for (const r of second.responses) console.log(`  second visit: ${r.wireStatus ?? 'cache'} ${r.url}`);

  assert.ok(first.title, 'the first visit shows the join button');
  assert.equal(second.title, first.title, 'the second visit shows the same page, with its strings');
  const scripts = first.responses.filter((r) => /\.js$/.test(r.url));
  assert.ok(scripts.length >= 10, `the meeting page loads its modules: ${scripts.map((r) => r.url)}`);
  for (const r of scripts) {
    assert.match(r.url, /\/assets\/v\/[0-9a-f]{12}\/js\//, `modules load under the versioned prefix: ${r.url}`);
    assert.ok(['br', 'gzip'].includes(r.encoding), `${r.url} came compressed (${r.encoding || 'identity'})`);
    assert.match(r.cacheControl, /immutable/, `${r.url}: ${r.cacheControl}`);
  }
  const i18n = first.responses.find((r) => /\/i18n\/en\.json$/.test(r.url));
  assert.ok(i18n && /\/assets\/v\//.test(i18n.url), `the strings load under the versioned prefix: ${i18n?.url}`);
  const page = second.responses.find((r) => /\/wire-room/.test(r.url));
  assert.ok(page && page.wireStatus === 304, `the page itself is revalidated: ${JSON.stringify(page)}`);
  const fetched = second.responses.filter((r) => r.wireStatus !== undefined).map((r) => r.url);
  assert.deepEqual(fetched, [page.url], 'nothing but the page goes over the wire the second time');
  assert.ok(first.bytes > 20000, `the first visit downloads the client (${first.bytes} bytes)`);
  assert.ok(second.bytes < first.bytes / 10, `second visit ${second.bytes} bytes, first ${first.bytes}`);
});
