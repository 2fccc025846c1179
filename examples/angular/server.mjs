// The Angular example's server: the built app (dist/browser; any other page path gets index.html,
// so that the router's URLs load) and the JSON API it calls, slow on purpose. It counts what the
// app did, so that e2e.mjs can check it from outside: the requests the browser aborted before their
// answer, and how many were open at once, which the app's Semaphore(2) keeps at 2.
//
// `peakOpen` counts a request as open until its connection closes. An aborted one closes a moment
// after the browser cancelled it and gave its permit back, so a request started with that permit
// can overlap it here: `peakAnswered()` is the peak over answered requests only, each of which held
// its permit (in the browser) for at least as long as it was open here.
//
//   bash examples/angular/run.sh --serve     # builds, then serves on the printed URL
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FRUITS, hold, json, listen, priceOf } from '../harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const app = join(here, 'dist', 'browser');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
const LIST_SIZE = 16;

const product = (id) => ({ id, name: FRUITS[id], price: priceOf(id) });
const PANELS = {
  sales: () => [200, { name: 'sales', title: 'Sales today', value: '$12,480' }],
  stock: () => [200, { name: 'stock', title: 'Fruit in stock', value: `${FRUITS.length} kinds` }],
  // The first request fails with 503, as a busy server does: the app retries it.
  visitors: (attempt) => (attempt === 1 ? [503, { error: 'busy, try again' }] : [200, { name: 'visitors', title: 'Visitors', value: '1,204' }]),
  // Always 404: the app must not retry it.
  forecast: () => [404, { error: 'no forecast yet' }],
};

/** The most of these [start, end] spans that overlap; one ending when another starts does not overlap it. */
function peakOf(spans) {
  const edges = spans.flatMap(([start, end]) => [[start, +1], [end, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let peak = 0;
  for (const [, change] of edges) peak = Math.max(peak, (open += change));
  return peak;
}

/** Every file of the build, by URL path, read once: nothing outside dist/browser can be served. */
async function readApp() {
  if (!existsSync(join(app, 'index.html'))) throw new Error(`${app} is missing: build the app first (bash examples/angular/run.sh)`);
  const files = new Map();
  for (const entry of await readdir(app, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(`/${relative(app, path).split('\\').join('/')}`, { type: TYPES[extname(path)] ?? 'application/octet-stream', body: await readFile(path) });
  }
  return files;
}

/**
 * Starts the server on 127.0.0.1 (port 0: a free one). `latency` (ms) can be changed while it runs.
 * @param {{ port?: number, latency?: { search: number, list: number, product: [number, number], panel: number } }} [options]
 */
export async function startServer({ port = 0, latency = { search: 600, list: 100, product: [150, 300], panel: 150 } } = {}) {
  const files = await readApp();
  const counter = () => ({ started: 0, answered: 0, aborted: 0 });
  const stats = { open: 0, peakOpen: 0, ...counter(), search: counter(), list: counter(), product: counter(), panel: {} };
  const answeredSpans = [];

  /** Answers `answer()` = [status, body] after `ms`, counting the request in `count` and overall. */
  async function api(res, count, ms, answer) {
    count.started++;
    stats.started++;
    stats.peakOpen = Math.max(stats.peakOpen, ++stats.open);
    const start = performance.now();
    const gone = await hold(res, ms);
    stats.open--;
    if (gone) {
      count.aborted++;
      stats.aborted++;
      return;
    }
    count.answered++;
    stats.answered++;
    answeredSpans.push([start, performance.now()]);
    json(res, ...answer());
  }

  const routes = [
    [/^\/api\/search$/, (res, url) => {
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      const found = FRUITS.flatMap((name, id) => (name.includes(q) ? [product(id)] : [])).slice(0, 8);
      return api(res, stats.search, latency.search, () => [200, found]);
    }],
    [/^\/api\/products$/, (res) => api(res, stats.list, latency.list, () => [200, FRUITS.slice(0, LIST_SIZE).map((name, id) => ({ id, name }))])],
    [/^\/api\/products\/(\d+)$/, (res, url, [, id]) => {
      const [min, max] = latency.product;
      return api(res, stats.product, min + Math.random() * (max - min), () =>
        Number(id) < LIST_SIZE ? [200, product(Number(id))] : [404, { error: 'no such product' }]);
    }],
    [/^\/api\/panels\/(\w+)$/, (res, url, [, name]) => {
      const count = (stats.panel[name] ??= counter());
      const panel = PANELS[name] ?? (() => [404, { error: 'no such panel' }]);
      const attempt = count.started + 1;
      return api(res, count, latency.panel, () => panel(attempt));
    }],
  ];

  const server = await listen((req, res, url) => {
    if (req.method !== 'GET') return res.writeHead(405).end();
    for (const [pattern, route] of routes) {
      const match = pattern.exec(url.pathname);
      if (match) return route(res, url, match);
    }
    if (url.pathname.startsWith('/api/')) return json(res, 404, { error: 'no such endpoint' });
    if (url.pathname === '/favicon.ico') return res.writeHead(204).end();
    const { type, body } = files.get(url.pathname) ?? files.get('/index.html');
    return res.writeHead(200, { 'content-type': type }).end(body);
  }, port);
  return { ...server, stats, latency, peakAnswered: () => peakOf(answeredSpans) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await startServer({ port: Number(process.argv[2] ?? 0) });
  process.stdout.write(`Angular example on ${url} (Ctrl-C to stop)\n`);
}
