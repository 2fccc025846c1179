// End-to-end test of the browser example in headless Chromium (see ../harness.mjs): the last line
// is `browser: N passed, M failed` and the exit code is 1 on any failure.
//
//   npm run test:browser        (builds the package first: the page is bundled from dist/index.mjs)
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strict as assert } from 'node:assert';
import { runInChromium, waitFor } from '../harness.mjs';
import { startServer } from './server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const PERMITS = 3;

const steps = [];
const step = (name, run) => steps.push({ name, run });

step('page loads, with no script error', async ({ page, server }) => {
  await page.goto(server.url);
  await page.locator('#permits', { hasText: String(PERMITS) }).waitFor();
});

step('typing cancels stale searches: the server saw them aborted', async ({ page, server }) => {
  // One keystroke every 150 ms against a 350 ms search: every search but the last goes stale.
  await page.locator('#search').pressSequentially('blueberry', { delay: 150 });
  await page.locator('#query', { hasText: /^blueberry$/ }).waitFor();
  assert.deepEqual(await page.locator('#results li').allTextContents(), ['blueberry']);
  const searches = Number(await page.locator('#searches').textContent());
  const abortedOnPage = Number(await page.locator('#aborted').textContent());
  // Typically 9 searches, 8 aborted; a slow machine can let a keystroke wait past an answer, so
  // the bound is looser than that, but stale searches must have been aborted, not answered.
  assert.ok(searches >= 5, `searches started: ${searches}`);
  assert.ok(abortedOnPage >= searches / 2, `aborted on the page: ${abortedOnPage} of ${searches}`);
  // The server's view: every search was either answered or saw its client go away.
  await waitFor(() => server.stats.search.started === server.stats.search.answered + server.stats.search.aborted);
  assert.equal(server.stats.search.started, searches);
  assert.ok(server.stats.search.aborted >= searches / 2, JSON.stringify(server.stats.search));
});

step('"Load list" renders every item with at most 3 requests in flight', async ({ page, server }) => {
  await page.locator('#load').click();
  await page.locator('#total', { hasText: '24' }).waitFor();
  await page.locator('#loaded', { hasText: /^24$/ }).waitFor();
  const texts = await page.locator('#items li').allTextContents();
  assert.equal(texts.length, 24);
  assert.equal(await page.locator('#items li.loading').count(), 0);
  assert.match(texts[0], /^apple \$\d+\.\d\d$/);
  const peak = Number(await page.locator('#peak').textContent());
  assert.ok(peak >= 2 && peak <= PERMITS, `peak concurrency on the page: ${peak}`);
  assert.equal(Number(await page.locator('#inflight').textContent()), 0);
  assert.equal(server.stats.items.answered, 24);
  assert.ok(server.stats.items.peakOpen <= PERMITS, `peak open on the server: ${server.stats.items.peakOpen}`);
});

step('"Load report" shows the retry banner, then the report', async ({ page, server }) => {
  await page.locator('#report').click();
  const banner = page.locator('#banner');
  await banner.and(page.locator('.retrying')).waitFor();
  assert.match(await banner.textContent(), /^retrying… attempt 1 of 5 failed \(HTTP 503\)$/);
  await page.locator('#banner.retrying', { hasText: 'attempt 2 of 5' }).waitFor();
  await page.locator('#banner.ok').waitFor();
  assert.equal(await banner.textContent(), 'report loaded after 3 attempts: 65 fruits');
  assert.deepEqual(server.stats.report, { started: 3, failed: 2, answered: 1 });
});

step('no uncaught error on the page; screenshot saved', async ({ page, errors }) => {
  await page.locator('#search').fill('berry');
  await page.locator('#query', { hasText: /^berry$/ }).waitFor();
  await page.screenshot({ path: join(here, 'screenshot.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

await runInChromium({ title: 'browser', start: startServer, steps });
