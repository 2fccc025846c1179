// The browser example's server: serves the page and app.js (app.ts bundled with esbuild from the
// package's ESM build, dist/index.mjs) and fakes the API it calls, with latency and failures.
// It counts what the page did, so the e2e test can check it from outside: requests the page
// aborted (closed before the answer) and the peak of item requests open at once.
//
//   npm run build && node examples/browser/server.mjs [port]    # then open the printed URL
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { FRUITS, hold, json, listen, priceOf } from '../harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const esmBuild = resolve(here, '../../dist/index.mjs');

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

  const routes = {
    '/': (req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html),
    '/app.js': (req, res) => res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(appJs),
    '/favicon.ico': (req, res) => res.writeHead(204).end(),
    '/api/stats': (req, res) => json(res, 200, stats),
    // Slow on purpose, so that typing starts a request per keystroke and the stale ones get aborted.
    '/api/search': async (req, res, url) => {
      stats.search.started++;
      if (await hold(res, searchLatency)) {
        stats.search.aborted++;
        return;
      }
      stats.search.answered++;
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      json(res, 200, { q, results: FRUITS.filter((fruit) => fruit.includes(q)).slice(0, 8) });
    },
    '/api/items': (req, res) =>
      json(
        res,
        200,
        FRUITS.slice(0, 24).map((name, id) => ({ id, name })),
      ),
    '/api/item': async (req, res, url) => {
      const id = Number(url.searchParams.get('id'));
      stats.items.started++;
      stats.items.peakOpen = Math.max(stats.items.peakOpen, ++stats.items.open);
      const [min, max] = itemLatency;
      const gone = await hold(res, min + Math.random() * (max - min));
      stats.items.open--;
      if (gone) return;
      stats.items.answered++;
      const name = FRUITS[id] ?? `item ${id}`;
      json(res, 200, { id, name, price: priceOf(id) });
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

  const server = await listen((req, res, url) => {
    const route = req.method === 'GET' ? routes[url.pathname] : undefined;
    return route === undefined ? res.writeHead(404).end() : route(req, res, url);
  }, port);
  return { ...server, stats };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await startServer({ port: Number(process.argv[2] ?? 0) });
  process.stdout.write(`browser example on ${url} (Ctrl-C to stop)\n`);
}
