// End-to-end test of the Angular example in headless Chromium (see ../harness.mjs), against the
// built app (dist/browser) and server.mjs's slow API: the last line is `angular: N passed, M failed`
// and the exit code is 1 on any failure. What the app did is checked from the server's side too:
// the requests it saw open at once, and the ones the browser aborted.
//
//   npm run test:angular     (packs the package, installs and builds the app: run.sh)
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strict as assert } from 'node:assert';
import { FRUITS, runInChromium, waitFor } from '../harness.mjs';
import { startServer } from './server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const PERMITS = 2;
const LIST_SIZE = 16;
const PANEL_LATENCY = 150;

const steps = [];
const step = (name, run) => steps.push({ name, run });
const go = (page, name) => page.getByRole('link', { name, exact: true }).click();
const sum = (counts, key) => Object.values(counts).reduce((total, count) => total + count[key], 0);

/** The shell shows the semaphore through toSignal(state$): nothing held, nobody waiting. */
async function permitsAllBack(page) {
  await page.locator('.gate .in-flight', { hasText: /^0$/ }).waitFor();
  assert.equal(await page.locator('.gate .waiting').textContent(), '0');
}

step('the app starts on /search, zoneless', async ({ page, server }) => {
  await page.goto(server.url);
  await page.waitForURL(/\/search$/);
  await page.locator('app-search input').waitFor();
  assert.equal(await page.locator('.gate').textContent().then((text) => text.replace(/\s+/g, ' ').trim()),
    `requests in flight: 0 / ${PERMITS} · waiting for a permit: 0`);
  assert.equal(await page.evaluate(() => typeof globalThis.Zone), 'undefined', 'zone.js is loaded');
});

step('search as you type: results shown, stale searches aborted', async ({ page, server }) => {
  // A keystroke every 300 ms outlasts the 150 ms debounce, so each starts a search, and comes
  // before that search's 600 ms answer, so switchMap cancels it: 5 searches, 4 aborted.
  await page.locator('app-search input').pressSequentially('berry', { delay: 300 });
  await page.locator('.query', { hasText: /^berry$/ }).waitFor();
  const names = (await page.locator('.results li').allTextContents()).map((text) => text.split(' ')[0]);
  assert.deepEqual(names, FRUITS.filter((name) => name.includes('berry')).slice(0, 8));
  await waitFor(() => server.stats.open === 0);
  const { started, answered, aborted } = server.stats.search;
  // A slow machine can let a keystroke wait past an answer, so the bounds are looser than 5 and 4,
  // but stale searches must have been aborted, not answered.
  assert.ok(started >= 3, `searches started: ${started}`);
  assert.equal(answered + aborted, started);
  assert.ok(aborted >= started / 2, JSON.stringify(server.stats.search));
});

step('the dashboard: panels (gather, retry), the list (boundedMap), never more than 2 requests open', async ({ page, server }) => {
  // Counted from here: this load aborts nothing, so no request lingers after its permit (server.mjs).
  server.stats.peakOpen = server.stats.open;
  await go(page, 'Dashboard');
  await page.locator('.progress', { hasText: `loaded ${LIST_SIZE} / ${LIST_SIZE}` }).waitFor();
  await page.locator('[data-panel]').nth(3).waitFor();
  const panel = (name, part) => page.locator(`[data-panel="${name}"] ${part}`).textContent();
  assert.equal(await panel('sales', '.value'), '$12,480');
  assert.equal(await panel('stock', '.value'), `${FRUITS.length} kinds`);
  assert.equal(await panel('visitors', '.value'), '1,204');
  assert.equal(await panel('forecast', '.error'), 'unavailable (HTTP 404)');
  // visitors answered 503 once and was retried; forecast's 404 was not.
  assert.deepEqual(server.stats.panel, {
    sales: { started: 1, answered: 1, aborted: 0 },
    stock: { started: 1, answered: 1, aborted: 0 },
    visitors: { started: 2, answered: 2, aborted: 0 },
    forecast: { started: 1, answered: 1, aborted: 0 },
  });
  const products = await page.locator('.products li').allTextContents();
  assert.deepEqual(products.map((text) => text.split(' ')[0]).sort(), FRUITS.slice(0, LIST_SIZE).sort());
  assert.equal(server.stats.product.answered, LIST_SIZE);
  // boundedMap starts 3 at a time, the semaphore lets 2 through: the server saw exactly 2 at once.
  assert.equal(server.stats.peakOpen, PERMITS);
  await permitsAllBack(page);
});

step('leaving the dashboard mid-load aborts its requests (takeUntilDestroyed)', async ({ page, server }) => {
  await go(page, 'Search');
  const before = { ...server.stats.product };
  await go(page, 'Dashboard');
  await waitFor(() => server.stats.product.answered >= before.answered + 3);
  await go(page, 'Search');
  await page.locator('app-search input').waitFor();
  await waitFor(() => server.stats.open === 0);
  const { started, answered, aborted } = server.stats.product;
  assert.ok(aborted > before.aborted, `product requests aborted: ${aborted - before.aborted}`);
  assert.ok(answered - before.answered < LIST_SIZE, `the whole list loaded: ${answered - before.answered}`);
  // Nothing starts after the component is gone: wait longer than a product request takes, recount.
  await new Promise((done) => setTimeout(done, 1_000));
  assert.equal(server.stats.product.started, started);
  await permitsAllBack(page);
});

step('panels slower than the 3 s deadline: failAfter aborts them and the list loads after', async ({ page, server }) => {
  server.latency.panel = 10_000;
  try {
    const before = structuredClone(server.stats.panel);
    const start = Date.now();
    await go(page, 'Dashboard');
    await page.locator('.panels .error', { hasText: 'The panels did not load within 3 s.' }).waitFor();
    const elapsed = Date.now() - start;
    assert.ok(elapsed >= 2_950 && elapsed < 8_000, `timed out after ${elapsed} ms`);
    // sales and stock held the 2 permits and were aborted at the deadline; visitors and forecast
    // were still waiting for a permit and never reached the server.
    const delta = (name, key) => server.stats.panel[name][key] - before[name][key];
    assert.deepEqual(['sales', 'stock', 'visitors', 'forecast'].map((name) => [delta(name, 'started'), delta(name, 'aborted')]),
      [[1, 1], [1, 1], [0, 0], [0, 0]]);
    // The list was queued behind the panels for the permits, and gets them now.
    await page.locator('.progress', { hasText: `loaded ${LIST_SIZE} / ${LIST_SIZE}` }).waitFor();
  } finally {
    server.latency.panel = PANEL_LATENCY;
  }
});

step('the dashboard loads in full again; no console error; screenshot saved', async ({ page, server, errors }) => {
  await go(page, 'Search');
  await go(page, 'Dashboard');
  await page.locator('[data-panel="sales"] .value').waitFor();
  await page.locator('.progress', { hasText: `loaded ${LIST_SIZE} / ${LIST_SIZE}` }).waitFor();
  await page.screenshot({ path: join(here, 'screenshot.png'), fullPage: true });
  assert.equal(server.peakAnswered(), PERMITS, `peak of answered requests open at once over the run (of all: ${server.stats.peakOpen})`);
  assert.equal(sum(server.stats.panel, 'started'), sum(server.stats.panel, 'answered') + sum(server.stats.panel, 'aborted'));
  assert.deepEqual(errors, []);
});

await runInChromium({ title: 'angular', start: () => startServer({ latency: { search: 600, list: 100, product: [150, 300], panel: PANEL_LATENCY } }), steps });
