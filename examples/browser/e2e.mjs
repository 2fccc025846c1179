// End-to-end test of the browser example in headless Chromium (Debian's, /usr/bin/chromium; see
// install-chromium.sh). No test framework: a list of steps run in order on one page, each with a
// time limit; the last line is `browser: N passed, N failed` and the exit code is 1 on any failure.
//
//   npm run test:browser        (builds the package first: the page is bundled from dist/index.mjs)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strict as assert } from 'node:assert';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const STEP_MS = 20_000;
const PERMITS = 3;

const steps = [];
const step = (name, run) => steps.push({ name, run });

let server;
let context;
let page;
const pageErrors = [];

step('page loads, with no script error', async () => {
  await page.goto(server.url);
  await page.locator('#permits', { hasText: String(PERMITS) }).waitFor();
});

step('typing cancels stale searches: the server saw them aborted', async () => {
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

step('"Load list" renders every item with at most 3 requests in flight', async () => {
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

step('"Load report" shows the retry banner, then the report', async () => {
  await page.locator('#report').click();
  const banner = page.locator('#banner');
  await banner.and(page.locator('.retrying')).waitFor();
  assert.match(await banner.textContent(), /^retrying… attempt 1 of 5 failed \(HTTP 503\)$/);
  await page.locator('#banner.retrying', { hasText: 'attempt 2 of 5' }).waitFor();
  await page.locator('#banner.ok').waitFor();
  assert.equal(await banner.textContent(), 'report loaded after 3 attempts: 65 fruits');
  assert.deepEqual(server.stats.report, { started: 3, failed: 2, answered: 1 });
});

step('no uncaught error on the page; screenshot saved', async () => {
  await page.locator('#search').fill('berry');
  await page.locator('#query', { hasText: /^berry$/ }).waitFor();
  await page.screenshot({ path: join(here, 'screenshot.png'), fullPage: true });
  assert.deepEqual(pageErrors, []);
});

async function waitFor(condition, ms = 5_000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((done) => setTimeout(done, 20));
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

let passed = 0;
let failed = 0;
const profile = await mkdtemp(join(tmpdir(), 'rxjs-concurrency-chromium-'));
try {
  server = await startServer();
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 900, height: 760 },
    timeout: 30_000,
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(STEP_MS);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // Chromium logs every 503 as "Failed to load resource": those are the retry step's, on purpose.
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
  });
  for (const { name, run } of steps) {
    try {
      await withTimeout(run(), STEP_MS + 1_000, name);
      passed++;
      console.log(`ok - ${name}`);
    } catch (error) {
      failed++;
      console.log(`FAIL - ${name}\n  ${String(error?.stack ?? error).split('\n').join('\n  ')}`);
    }
  }
} catch (error) {
  failed++;
  console.log(`FAIL - setup: ${error?.message ?? error}`);
} finally {
  await context?.close().catch(() => {});
  await server?.close();
  await rm(profile, { recursive: true, force: true });
}
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || passed !== steps.length ? 1 : 0;
