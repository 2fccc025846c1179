// The browser example's server: serves the page and app.js (app.ts bundled with esbuild from the
// package's ESM build, dist/index.mjs) and fakes the API it calls, with latency and failures.
// It counts what the page did, so the e2e test can check it from outside: requests the page
// aborted (closed before the answer) and the peak of item requests open at once.
//
//   npm run build && node examples/browser/server.mjs [port]    # then open the printed URL
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const esmBuild = resolve(here, '../../dist/index.mjs');

const FRUITS = ('apple apricot avocado banana bilberry blackberry blackcurrant blueberry boysenberry cantaloupe cherry '
  + 'clementine cloudberry coconut cranberry currant damson date dragonfruit durian elderberry feijoa fig gooseberry grape '
  + 'grapefruit guava honeydew huckleberry jackfruit jujube kiwi kumquat lemon lime lingonberry loquat lychee mandarin '
  + 'mango mangosteen melon mulberry nectarine olive orange papaya passionfruit peach pear persimmon pineapple plum '
  + 'pomegranate pomelo quince raspberry redcurrant salak satsuma strawberry tamarillo tamarind tangerine watermelon').split(' ');

/** app.ts and the package, as one browser script. */
async function bundle() {
  if (!existsSync(esmBuild)) throw new Error(`${esmBuild} is missing: run \`npm run build\` first`);
  const result = await build({
    entryPoints: [join(here, 'app.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    // The page uses the package exactly as published: its ESM build.
    alias: { 'rxjs-concurrency': esmBuild },
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/**
 * Starts the server on 127.0.0.1 (port 0: a free one).
 * @param {{ port?: number, searchLatency?: number, itemLatency?: [number, number], reportFailures?: number }} [options]
 */
export async function startServer({ port = 0, searchLatency = 350, itemLatency = [120, 320], reportFailures = 2 } = {}) {
  const [html, appJs] = await Promise.all([readFile(join(here, 'index.html'), 'utf8'), bundle()]);
  const stats = {
    search: { started: 0, answered: 0, aborted: 0 },
    items: { started: 0, answered: 0, open: 0, peakOpen: 0 },
    report: { started: 0, failed: 0, answered: 0 },
  };
  const reportAttempts = new Map();

  /** Answers after `ms` unless the client went away first; true when it did. */
  const wait = (res, ms) =>
    new Promise((done) => {
      const timer = setTimeout(() => done(false), ms);
      res.once('close', () => {
        clearTimeout(timer);
        done(true);
      });
    });
  const json = (res, status, body) =>
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));

  const routes = {
    '/': (req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html),
    '/app.js': (req, res) => res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(appJs),
    '/favicon.ico': (req, res) => res.writeHead(204).end(),
    '/api/stats': (req, res) => json(res, 200, stats),
    // Slow on purpose, so that typing starts a request per keystroke and the stale ones get aborted.
    '/api/search': async (req, res, url) => {
      stats.search.started++;
      if (await wait(res, searchLatency)) {
        stats.search.aborted++;
        return;
      }
      stats.search.answered++;
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      json(res, 200, { q, results: FRUITS.filter((fruit) => fruit.includes(q)).slice(0, 8) });
    },
    '/api/items': (req, res) => json(res, 200, FRUITS.slice(0, 24).map((name, id) => ({ id, name }))),
    '/api/item': async (req, res, url) => {
      const id = Number(url.searchParams.get('id'));
      stats.items.started++;
      stats.items.peakOpen = Math.max(stats.items.peakOpen, ++stats.items.open);
      const [min, max] = itemLatency;
      const gone = await wait(res, min + Math.random() * (max - min));
      stats.items.open--;
      if (gone) return;
      stats.items.answered++;
      const name = FRUITS[id] ?? `item ${id}`;
      json(res, 200, { id, name, price: ((id * 37) % 90) / 10 + 1 });
    },
    // Fails the first `reportFailures` attempts of each page session with 503, then answers.
    '/api/report': async (req, res, url) => {
      const session = url.searchParams.get('session') ?? '';
      const attempt = (reportAttempts.get(session) ?? 0) + 1;
      reportAttempts.set(session, attempt);
      stats.report.started++;
      await sleep(100);
      if (attempt <= reportFailures) {
        stats.report.failed++;
        json(res, 503, { error: 'busy, try again' });
        return;
      }
      stats.report.answered++;
      json(res, 200, { attempts: attempt, fruits: FRUITS.length });
    },
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = req.method === 'GET' ? routes[url.pathname] : undefined;
    if (route === undefined) {
      res.writeHead(404).end();
      return;
    }
    Promise.resolve(route(req, res, url)).catch((error) => {
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
    stats,
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await startServer({ port: Number(process.argv[2] ?? 0) });
  process.stdout.write(`browser example on ${url} (Ctrl-C to stop)\n`);
}
