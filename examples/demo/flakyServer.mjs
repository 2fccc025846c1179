// A local bulk API that misbehaves on purpose: some requests fail with 500/503, some stall far past
// any sensible timeout, the rest answer after a short random latency. It counts what it saw,
// including requests whose client went away before the answer (aborted), so the demo can show
// that cancelled work really stops.
import { createServer } from 'node:http';

/** A small seeded PRNG (mulberry32): runs differ only by the order requests arrive in. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROUTES = {
  // Enriches a batch of records: [{ id, value }] -> [{ id, score }].
  '/enrich': {
    fail500: 0.03,
    fail503: 0.06,
    stall: 0.015,
    latency: [100, 300],
    answer: (records) => records.map(({ id, value }) => ({ id, score: (value * 31 + id) % 1000 })),
  },
  // Stores a batch, idempotent per id: a store whose answer came too late is retried, and the
  // records it had already stored are counted as received again, not stored twice.
  '/store': { fail500: 0.01, fail503: 0.04, stall: 0.01, latency: [50, 150], answer: null },
};

/**
 * Starts the server on 127.0.0.1 (a random free port) and resolves once it listens.
 * @param {{ seed?: number, stallMs?: number }} [options]
 */
export async function startFlakyServer({ seed = 42, stallMs = 10_000 } = {}) {
  const random = seededRandom(seed);
  const stored = new Set();
  const stats = { requests: 0, failed: 0, stalled: 0, aborted: 0, open: 0, peakOpen: 0, stored: 0, receivedAgain: 0 };

  const server = createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(204).end();
      return;
    }
    const route = req.method === 'POST' ? ROUTES[req.url] : undefined;
    if (route === undefined) {
      res.writeHead(404).end();
      return;
    }
    stats.requests++;
    stats.peakOpen = Math.max(stats.peakOpen, ++stats.open);
    let timer;
    res.on('close', () => {
      stats.open--;
      clearTimeout(timer);
      if (!res.writableFinished) stats.aborted++;
    });
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const roll = random();
      const [min, max] = route.latency;
      if (roll < route.stall) {
        stats.stalled++;
        timer = setTimeout(() => res.writeHead(504).end(), stallMs);
        return;
      }
      timer = setTimeout(
        () => {
          if (roll < route.stall + route.fail500 + route.fail503) {
            stats.failed++;
            res.writeHead(roll < route.stall + route.fail500 ? 500 : 503).end();
            return;
          }
          const records = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          let body;
          if (route.answer !== null) {
            body = route.answer(records);
          } else {
            for (const { id } of records) {
              if (stored.has(id)) stats.receivedAgain++;
              else stored.add(id);
            }
            stats.stored = stored.size;
            body = { stored: records.length };
          }
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        },
        min + random() * (max - min),
      );
    });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    /** Closes the server and every connection still open (keep-alive ones included). */
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
