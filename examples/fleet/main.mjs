// `npm run example:fleet`: four worker processes share one limit, "at most 5 calls at once to the
// partner API across the fleet", through a RedisSemaphore on a redis-server started here.
//
//   worker 1 ─┐                                   ┌─▶ partner API (the demo's flaky local server:
//   worker 2 ─┤  RedisSemaphore('partner-api', 5) ─┤   failures, stalls, random latency)
//   worker 3 ─┤      (redis-server, loopback)      │
//   worker 4 ─┘                                   └─ each call: failAfter(1 s), retry with backoff
//
// One live line shows each worker's calls in flight, the fleet's (from the gate's state$, which
// every process sees), and the hand-offs: permits a finished call passed straight to a waiting one.
// Each worker asks for all its batches at once, so FIFO across the fleet serves them roughly one
// worker's burst after another, in the order Redis queued them.
//
// Options (flags or environment variables):
//   --batches N   FLEET_BATCHES   batches per worker (default 150)
//   --limit N     FLEET_LIMIT     calls at once across the fleet (default 5)
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import { RedisSemaphore } from 'rxjs-concurrency/redis';
import { startFlakyServer } from '../demo/flakyServer.mjs';

const { values: flags } = parseArgs({ options: { batches: { type: 'string' }, limit: { type: 'string' } } });
const BATCHES = positiveInt('batches', flags.batches ?? process.env.FLEET_BATCHES ?? '150');
const LIMIT = positiveInt('limit', flags.limit ?? process.env.FLEET_LIMIT ?? '5');
const WORKERS = 4;
// Short, so that the gate's wait after a fresh server start (see below) is short too.
const LEASE_MS = 2_000;

function positiveInt(name, text) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`fleet: --${name} must be a positive integer, got ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return value;
}

// --- redis-server, on a free loopback port, without persistence -----------------------------------
const port = await new Promise((resolve, reject) => {
  const probe = createServer();
  probe.on('error', reject);
  probe.listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const dir = mkdtempSync(join(tmpdir(), 'rxjs-concurrency-fleet-'));
const redisServer = spawn(
  'redis-server',
  ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
process.on('exit', () => {
  redisServer.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
await new Promise((resolve, reject) => {
  let output = '';
  redisServer.on('error', (error) =>
    reject(new Error(`redis-server could not start (${error.message}): install it, e.g. apt-get install redis-server`)),
  );
  redisServer.stdout.on('data', (chunk) => {
    output += chunk;
    if (output.includes('Ready to accept connections')) resolve();
  });
});
redisServer.stdout.resume();
const api = await startFlakyServer({ stallMs: 3_000 });
console.log(
  `redis-server on 127.0.0.1:${port}, partner API at ${api.url}; ${WORKERS} workers x ${BATCHES} batches, at most ${LIMIT} calls at once across the fleet`,
);
// A Redis gate grants nothing on a server younger than a lease: a server that just restarted may
// have forgotten holders that are still at work. This one is new, so the first grants wait ~3 s.
console.log(`(a gate waits until the server is a lease old: ${LEASE_MS / 1000 + 1} s after its start)`);

// --- the fleet as Redis sees it: this process only watches ------------------------------------------
const redis = new Redis({ port, host: '127.0.0.1' });
const gate = new RedisSemaphore(redis, 'partner-api', LIMIT, { leaseMs: LEASE_MS });
const fleet = { inFlight: 0, waiting: 0, peak: 0, handOffs: 0 };
const watching = gate.state$.subscribe(({ total, available, waiting }) => {
  // A waiter that left the line while no permit came free was handed one by a finished call.
  if (available === 0 && waiting < fleet.waiting) fleet.handOffs += fleet.waiting - waiting;
  fleet.inFlight = total - available;
  fleet.waiting = waiting;
  fleet.peak = Math.max(fleet.peak, fleet.inFlight);
});

// --- the workers ------------------------------------------------------------------------------------
const started = performance.now();
const workers = Array.from({ length: WORKERS }, (_, i) => {
  const id = `w${i + 1}`;
  const child = fork(fileURLToPath(new URL('./worker.mjs', import.meta.url)), [
    JSON.stringify({ id, redisPort: port, api: api.url, limit: LIMIT, batches: BATCHES, leaseMs: LEASE_MS }),
  ]);
  const worker = { id, inFlight: 0, calls: 0, ok: 0, failed: 0, done: false };
  child.on('message', (message) => {
    if (message.event === 'start') worker.calls++;
    if (message.event === 'start' || message.event === 'end') worker.inFlight = message.inFlight;
    if (message.event === 'done') Object.assign(worker, { ok: message.ok, failed: message.failed, done: true });
  });
  worker.exited = new Promise((resolve) => child.on('exit', resolve));
  return worker;
});

const tty = process.stdout.isTTY;
const line = () => {
  const each = workers.map((w) => `${w.id} ${'▮'.repeat(w.inFlight)}${' '.repeat(Math.max(0, LIMIT - w.inFlight))}`).join(' │ ');
  const done = workers.reduce((n, w) => n + w.ok + w.failed, 0);
  const calls = workers.reduce((n, w) => n + w.calls, 0);
  return `${each} ║ fleet ${fleet.inFlight}/${LIMIT} in flight, ${fleet.waiting} waiting │ hand-offs ${fleet.handOffs} │ calls ${calls} │ ${((performance.now() - started) / 1000).toFixed(1)} s${done > 0 ? ` │ done ${done}` : ''}`;
};
const ticker = setInterval(() => process.stdout.write(tty ? `\r${line()}\x1b[K` : `${line()}\n`), tty ? 100 : 1_000);
await Promise.all(workers.map((w) => w.exited));
clearInterval(ticker);
process.stdout.write(tty ? `\r${line()}\x1b[K\n` : `${line()}\n`);

watching.unsubscribe();
await redis.quit();
await api.close();
const ok = workers.reduce((n, w) => n + w.ok, 0);
const failed = workers.reduce((n, w) => n + w.failed, 0);
console.log(
  [
    `done in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    `  batches:     ${ok + failed} of ${WORKERS * BATCHES} (${ok} enriched, ${failed} failed after 4 attempts)`,
    `  per worker:  ${workers.map((w) => `${w.id} ${w.calls} calls`).join(', ')}`,
    `  fleet:       at most ${fleet.peak} of ${LIMIT} permits held at once (the gate's state$), ${fleet.handOffs} hand-offs`,
    `  partner API: ${api.stats.requests} requests, at most ${api.stats.peakOpen} open at once, ${api.stats.stalled} stalled, ${api.stats.aborted} aborted by the client`,
  ].join('\n'),
);
// Exiting stops redis-server too (see its 'exit' handler above).
process.exit(ok + failed === WORKERS * BATCHES && fleet.peak <= LIMIT ? 0 : 1);
