// The Redis gates (rxjs-concurrency/redis) against redis-semaphore 5.8, the most used distributed
// semaphore for Node, which polls (every 10 ms by default) until a permit is free. Both on one
// redis-server started here on loopback (Debian's redis-server on the PATH), with the same ioredis
// client, lease and process layout. The workloads are fixed by the issue that asked for them.
//
// Every case here waits on the network, so sides time themselves on the wall clock ({ ns }),
// whatever BENCH_CLOCK says; the round-trip case counts commands ({ count }).
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Redis from 'ioredis';
import { Semaphore } from 'redis-semaphore';
import { redisSubject } from '../subject.mjs';

const { RedisSemaphore } = redisSubject;
const LEASE = 2_000;
const WORKER = fileURLToPath(new URL('../redis-worker.mjs', import.meta.url));
const wall = () => Number(process.hrtime.bigint());

function check(ok, what) {
  if (!ok) throw new Error(`bench: ${what}`);
}

// --- the server -----------------------------------------------------------------------------------

let server = null;

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts redis-server once for all the cases (killed when the bench exits); resolves with its port. */
async function redisServer() {
  if (server !== null) return server.port;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rxc-bench-redis-'));
  const child = spawn('redis-server', ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.on('exit', () => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  await new Promise((resolve, reject) => {
    let output = '';
    child.on('error', (error) =>
      reject(new Error(`bench: redis-server could not start (${error.message}); install it: apt-get install redis-server`)),
    );
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) resolve();
    });
  });
  child.stdout.resume();
  server = { port, client: new Redis({ port, host: '127.0.0.1' }) };
  // Our gates grant nothing on a server younger than a lease (it may have forgotten holders).
  for (;;) {
    const uptime = Number(/uptime_in_seconds:(\d+)/.exec(await server.client.info('server'))[1]);
    if (uptime * 1000 >= LEASE + 1000) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return port;
}

let names = 0;
const fresh = (what) => `bench-${what}-${++names}`;

function worker(config) {
  const child = fork(WORKER, [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`bench: redis worker exited with ${code}`))));
  });
}

// --- 1. Uncontended acquire + release ----------------------------------------------------------
// One op = one acquire awaited and its release, nobody else on the gate, one process. Ours:
// `release()` returns at once (its script goes down the same connection before the next acquire);
// redis-semaphore's release is awaited, as its API asks.

const UNCONTENDED = 500;
let clients = null;

async function uncontendedSetup() {
  const port = await redisServer();
  clients = { ours: new Redis({ port }), theirs: new Redis({ port }) };
}

async function uncontendedOurs() {
  const gate = new RedisSemaphore(clients.ours, fresh('uncontended'), 3, { leaseMs: LEASE });
  const start = wall();
  for (let i = 0; i < UNCONTENDED; i++) (await gate.acquireAsync()).release();
  return { ns: wall() - start };
}

async function uncontendedTheirs() {
  const name = fresh('uncontended');
  const start = wall();
  for (let i = 0; i < UNCONTENDED; i++) {
    const semaphore = new Semaphore(clients.theirs, name, 3, { lockTimeout: LEASE });
    await semaphore.acquire();
    await semaphore.release();
  }
  return { ns: wall() - start };
}

// --- 2. Hand-off latency across processes -----------------------------------------------------
// Two processes share a semaphore of 1 and pass it back and forth (bench/redis-worker.mjs,
// 'pingpong'): latency = from a release in one process to the grant in the other, on the
// machine's monotonic clock. One experiment gives both percentiles; the p99 case reuses the
// experiment of the p50 case's round when it ran just before.

const HANDOFFS = 100;
const experiments = { ours: [], 'redis-semaphore': [] };

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function handoffs(lib) {
  const port = await redisServer();
  const name = fresh('handoff');
  const base = { lib, port, name, permits: 1, leaseMs: LEASE, mode: 'pingpong', count: HANDOFFS };
  const [a, b] = await Promise.all([worker({ ...base, startMs: 0 }), worker({ ...base, startMs: 5 })]);
  const events = [
    ...a.events.map(([granted, released]) => ({ who: 'a', granted, released })),
    ...b.events.map(([granted, released]) => ({ who: 'b', granted, released })),
  ].sort((x, y) => x.granted - y.granted);
  const latencies = [];
  for (let i = 1; i < events.length; i++) {
    const [previous, next] = [events[i - 1], events[i]];
    check(next.granted >= previous.released, `${lib}: a grant before the previous release`);
    if (previous.who !== next.who) latencies.push(next.granted - previous.released);
  }
  check(latencies.length >= HANDOFFS, `${lib}: only ${latencies.length} hand-offs`);
  latencies.sort((x, y) => x - y);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

function latencySide(lib, which) {
  return async () => {
    const experiment = which === 'p99' && experiments[lib].length > 0 ? experiments[lib].shift() : await handoffs(lib);
    if (which === 'p50') experiments[lib].push(experiment);
    return { ns: experiment[which] };
  };
}

// --- 3. Throughput: 4 processes x 1,000 tasks of 1 ms on a semaphore of 3 ---------------------
// Each process starts its 1,000 tasks at once; every task acquires, sleeps 1 ms, releases.

const PROCESSES = 4;
const TASKS = 1_000;

function fleetSide(lib) {
  return async () => {
    const port = await redisServer();
    const name = fresh('fleet');
    const start = wall();
    await Promise.all(
      Array.from({ length: PROCESSES }, () => worker({ lib, port, name, permits: 3, leaseMs: LEASE, mode: 'tasks', count: TASKS, ms: 1 })),
    );
    return { ns: wall() - start };
  };
}

// --- 4. Round trips per uncontended acquire + release --------------------------------------------
// From INFO commandstats, which counts the commands the scripts run inside Redis too: so for each
// side, the commands its client sends and its scripts never run. Ours sends only scripts (and
// (UN)SUBSCRIBE when it waits); redis-semaphore sends a script to acquire and a plain ZREM to
// release (its scripts use ZREMRANGEBYSCORE, never ZREM).

const ROUND_TRIPS = 200;
const SENT = { ours: ['evalsha', 'eval', 'subscribe', 'unsubscribe'], 'redis-semaphore': ['evalsha', 'eval', 'zrem'] };

async function commandsSent(side) {
  const stats = await server.client.info('commandstats');
  let calls = 0;
  for (const name of SENT[side]) calls += Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
  return calls;
}

async function roundTripsOurs() {
  const gate = new RedisSemaphore(clients.ours, fresh('trips'), 3, { leaseMs: LEASE });
  (await gate.acquireAsync()).release();
  await new Promise((resolve) => setTimeout(resolve, 10));
  const before = await commandsSent('ours');
  for (let i = 0; i < ROUND_TRIPS; i++) (await gate.acquireAsync()).release();
  await new Promise((resolve) => setTimeout(resolve, 10));
  return { count: (await commandsSent('ours')) - before };
}

async function roundTripsTheirs() {
  const name = fresh('trips');
  const before = await commandsSent('redis-semaphore');
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const semaphore = new Semaphore(clients.theirs, name, 3, { lockTimeout: LEASE });
    await semaphore.acquire();
    await semaphore.release();
  }
  return { count: (await commandsSent('redis-semaphore')) - before };
}

export default [
  {
    name: 'redis: uncontended acquire + release',
    description: `${UNCONTENDED} acquire + release in a row on a RedisSemaphore(3), nobody else on it`,
    metric: 'time',
    ops: UNCONTENDED,
    rounds: 5,
    warmup: 1,
    setup: uncontendedSetup,
    sides: { ours: uncontendedOurs, 'redis-semaphore': uncontendedTheirs },
    targets: [{ side: 'ours', vs: 'redis-semaphore', max: 1.2 }],
  },
  {
    name: 'redis: hand-off latency p50',
    description: `release in one process -> grant in the other, two processes passing a RedisSemaphore(1) back and forth (${HANDOFFS} each way per round)`,
    metric: 'time',
    rounds: 3,
    warmup: 0,
    sides: { ours: latencySide('ours', 'p50'), 'redis-semaphore': latencySide('redis-semaphore', 'p50') },
    targets: [
      { side: 'ours', max: 2e6 },
      { side: 'ours', vs: 'redis-semaphore', max: 0.2 },
    ],
  },
  {
    name: 'redis: hand-off latency p99',
    description: 'the same experiments: the 99th percentile',
    metric: 'time',
    rounds: 3,
    warmup: 0,
    sides: { ours: latencySide('ours', 'p99'), 'redis-semaphore': latencySide('redis-semaphore', 'p99') },
    targets: [{ side: 'ours', max: 5e6 }],
  },
  {
    name: 'redis: 4 processes x 1,000 tasks of 1 ms on a semaphore of 3',
    description: 'tasks per second across the fleet: each process starts its 1,000 tasks at once',
    metric: 'ops',
    ops: PROCESSES * TASKS,
    rounds: 3,
    warmup: 0,
    sides: { ours: fleetSide('ours'), 'redis-semaphore': fleetSide('redis-semaphore') },
    targets: [{ side: 'ours', vs: 'redis-semaphore', min: 3 }],
  },
  {
    name: 'redis: round trips per uncontended acquire + release',
    description: 'the commands each client sent, from INFO commandstats',
    metric: 'count',
    ops: ROUND_TRIPS,
    rounds: 3,
    warmup: 0,
    setup: async () => {
      if (clients === null) await uncontendedSetup();
    },
    sides: { ours: roundTripsOurs, 'redis-semaphore': roundTripsTheirs },
    targets: [{ side: 'ours', max: 3 }],
  },
];
