// What the browser and Angular examples share: their fake API's data and HTTP plumbing, and the
// end-to-end runner that drives headless Chromium (Debian's, /usr/bin/chromium; see
// browser/install-chromium.sh) through a list of steps. No test framework: the steps run in order on
// one page, each with a time limit; the last line is `<title>: N passed, M failed`, and the exit
// code is 1 on any failure.
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const FRUITS = (
  'apple apricot avocado banana bilberry blackberry blackcurrant blueberry boysenberry cantaloupe cherry ' +
  'clementine cloudberry coconut cranberry currant damson date dragonfruit durian elderberry feijoa fig gooseberry grape ' +
  'grapefruit guava honeydew huckleberry jackfruit jujube kiwi kumquat lemon lime lingonberry loquat lychee mandarin ' +
  'mango mangosteen melon mulberry nectarine olive orange papaya passionfruit peach pear persimmon pineapple plum ' +
  'pomegranate pomelo quince raspberry redcurrant salak satsuma strawberry tamarillo tamarind tangerine watermelon'
).split(' ');

/** A made-up but stable price for the fruit at `id`. */
export const priceOf = (id) => ((id * 37) % 90) / 10 + 1;

export const json = (res, status, body) =>
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));

/**
 * Waits `ms` before an answer, unless the client goes away first (an aborted fetch closes its
 * connection): resolves true when it did, and the caller then counts an aborted request.
 */
export const hold = (res, ms) =>
  new Promise((done) => {
    const timer = setTimeout(() => done(false), ms);
    res.once('close', () => {
      clearTimeout(timer);
      done(true);
    });
  });

/**
 * Serves `handle(req, res, url)` on 127.0.0.1 (port 0: a free one); a handler that throws answers 500.
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function listen(handle, port = 0) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    Promise.resolve()
      .then(() => handle(req, res, url))
      .catch((error) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(error));
      });
  });
  await new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', done);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** Polls `condition` every 20 ms; throws after `ms`. For what the server counts, outside the page. */
export async function waitFor(condition, ms = 5_000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms: ${condition}`);
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

/**
 * Starts the server (`start()`, which resolves to an object with `close()`), opens one page in a
 * fresh headless Chromium profile, and runs each step as `run({ page, server, errors })` within
 * `stepMs`. `errors` collects the page's uncaught errors and console errors, except Chromium's
 * "Failed to load resource" lines for /api/ answers: the examples' APIs fail on purpose.
 * @param {{ title: string, start: () => Promise<{ close(): Promise<void> }>, steps: { name: string, run: Function }[], viewport?: { width: number, height: number }, stepMs?: number }} options
 */
export async function runInChromium({ title, start, steps, viewport = { width: 900, height: 760 }, stepMs = 20_000 }) {
  let passed = 0;
  let failed = 0;
  let server;
  let context;
  const errors = [];
  const profile = await mkdtemp(join(tmpdir(), 'rxjs-concurrency-chromium-'));
  try {
    server = await start();
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport,
      timeout: 30_000,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(stepMs);
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const api = new URL(message.location().url, 'http://127.0.0.1/').pathname.startsWith('/api/');
      if (!(api && message.text().startsWith('Failed to load resource'))) errors.push(message.text());
    });
    for (const { name, run } of steps) {
      try {
        await withTimeout(run({ page, server, errors }), stepMs + 1_000, name);
        passed++;
        console.log(`ok - ${name}`);
      } catch (error) {
        failed++;
        console.log(
          `FAIL - ${name}\n  ${String(error?.stack ?? error)
            .split('\n')
            .join('\n  ')}`,
        );
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
  console.log(`${title}: ${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || passed !== steps.length ? 1 : 0;
}
