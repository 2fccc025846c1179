// RateLimiter against bottleneck and p-throttle. The workloads are fixed by the issue that asked
// for them (issue 15); change them only with it, never to flatter the implementation.
import Bottleneck from 'bottleneck';
import pThrottle from 'p-throttle';
import { EMPTY, VirtualTimeScheduler, of } from 'rxjs';
import { collect, heapUsed, now } from '../harness.mjs';
import pkg from '../subject.mjs';

const { Lock, RateLimiter, Semaphore } = pkg;

function check(ok, what) {
  if (!ok) throw new Error(`bench: ${what}`);
}

// --- a. Accuracy with real timers ------------------------------------------------------------
// 10^4 requests queued at once on "1000 per 100 ms"; each side logs Date.now() as each one is let
// through. The count is the most let through in any sliding window of 100 ms of that clock: the one
// every side decides by (asyncScheduler's now() for ours, Date.now() in bottleneck and p-throttle).
// Measured with performance.now() instead, a window of 100 real ms can span 101 values of a
// millisecond clock, and ours let 2,004 through against 2,000 (a limiter can be no finer than its
// clock: pass a `scheduler` with a finer now() for that). The bound of
// every side but two is burst + limit = 2000: the rate limiter's burst is its limit by default,
// bottleneck's reservoir and p-throttle's default windows refill a whole limit at each window's
// start. With a burst of 1, and p-throttle `strict`, it is the limit: 1000.

const REQUESTS = 10_000;
const LIMIT = 1000;
const INTERVAL = 100;

function mostInWindow(times) {
  let most = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j] - times[i] >= INTERVAL) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

/**
 * Resolves with the count once `start(record)` has let all REQUESTS through; `record` logs one.
 * `start` may return what stops the side's own timers.
 */
function accuracy(what, start) {
  return () =>
    new Promise((resolve) => {
      const times = [];
      let stop;
      const record = () => {
        times.push(Date.now());
        if (times.length === REQUESTS) {
          check(
            times.every((t, i) => i === 0 || t >= times[i - 1]),
            `accuracy: ${what} in order`,
          );
          // After the current call returns: bottleneck is still inside the last job.
          setImmediate(() => {
            stop?.();
            resolve({ count: mostInWindow(times) });
          });
        }
      };
      stop = start(record);
    });
}

const accuracySides = {
  'ours (burst = limit)': accuracy('ours', (record) => {
    const rate = new RateLimiter({ limit: LIMIT, interval: INTERVAL });
    const work = () => (record(), EMPTY);
    for (let i = 0; i < REQUESTS; i++) rate.run(work).subscribe();
  }),
  'ours (burst 1)': accuracy('ours burst 1', (record) => {
    const rate = new RateLimiter({ limit: LIMIT, interval: INTERVAL, burst: 1 });
    const work = () => (record(), EMPTY);
    for (let i = 0; i < REQUESTS; i++) rate.run(work).subscribe();
  }),
  'bottleneck (reservoir)': accuracy('bottleneck', (record) => {
    const limiter = new Bottleneck({ reservoir: LIMIT, reservoirRefreshAmount: LIMIT, reservoirRefreshInterval: INTERVAL });
    for (let i = 0; i < REQUESTS; i++) limiter.schedule(async () => record());
    // Its refresh timer runs for as long as the limiter lives.
    return () => limiter.disconnect();
  }),
  'p-throttle': accuracy('p-throttle', (record) => {
    const throttled = pThrottle({ limit: LIMIT, interval: INTERVAL })(record);
    for (let i = 0; i < REQUESTS; i++) throttled();
  }),
  'p-throttle (strict)': accuracy('p-throttle strict', (record) => {
    const throttled = pThrottle({ limit: LIMIT, interval: INTERVAL, strict: true })(record);
    for (let i = 0; i < REQUESTS; i++) throttled();
  }),
  // Not measured: what the sides above are held to.
  'bound: burst + limit': () => ({ count: 2 * LIMIT }),
  'bound: limit': () => ({ count: LIMIT }),
};

// --- b. Overhead when not limited --------------------------------------------------------------
// A limit far above demand: 10^4 calls at once, each let through at once, awaited together (5
// batches a round, 1 for bottleneck, whose calls cost 10^3 times more); one op = one call let
// through and its work (`i => i`) done. Ours awaited
// (`acquireAsync().then(work)`, the shape of the other two: a promise per call) and subscribed
// (`rate.run(of(i))`, the Rx way, synchronous); `lock.run(of(i))` is what a gate's run costs when
// nothing waits, the floor under the second.

const CALLS = 10_000;
const BATCHES = 5;
const HUGE = 1e9;
const work = (i) => i;
const sumOf = (batches) => (batches * CALLS * (CALLS - 1)) / 2;
const SUM = sumOf(BATCHES);

async function awaitAll(call, batches = BATCHES) {
  let sum = 0;
  for (let b = 0; b < batches; b++) {
    const all = new Array(CALLS);
    for (let i = 0; i < CALLS; i++) all[i] = call(i);
    for (const x of await Promise.all(all)) sum += x;
  }
  return sum;
}

function subscribeAll(gate) {
  let sum = 0;
  const observer = {
    next: (x) => {
      sum += x;
    },
  };
  for (let b = 0; b < BATCHES; b++) for (let i = 0; i < CALLS; i++) gate.run(of(i)).subscribe(observer);
  return sum;
}

const overheadSides = {
  'ours (acquireAsync)': async () => {
    const rate = new RateLimiter({ limit: HUGE, interval: 1000 });
    check((await awaitAll((i) => rate.acquireAsync().then(() => work(i)))) === SUM && rate.waiting === 0, 'overhead: ours acquireAsync');
  },
  'ours (run)': () => {
    const rate = new RateLimiter({ limit: HUGE, interval: 1000 });
    check(subscribeAll(rate) === SUM && rate.waiting === 0, 'overhead: ours run');
  },
  'p-throttle': async () => {
    const throttled = pThrottle({ limit: HUGE, interval: 1000 })(work);
    check((await awaitAll(throttled)) === SUM && throttled.queueSize === 0, 'overhead: p-throttle');
  },
  bottleneck: {
    ops: CALLS,
    run: async () => {
      const limiter = new Bottleneck({ reservoir: HUGE });
      check(
        (await awaitAll((i) => limiter.schedule(async () => work(i)), 1)) === sumOf(1) && limiter.counts().QUEUED === 0,
        'overhead: bottleneck',
      );
    },
  },
  'lock.run (reference)': () => {
    const lock = new Lock();
    check(subscribeAll(lock) === SUM && !lock.locked, 'overhead: lock');
  },
};

// --- c. 10^5 queued waiters --------------------------------------------------------------------
// n `rate.run(of(i))` waiters queued on 1 per ms, then let through one per virtual millisecond (a
// VirtualTimeScheduler: one timer each, as with real timers, without the wait). The timed part is
// the n grants. And the heap each waiter takes while it waits, against a Semaphore(0) waiter.

function grants(n, batches) {
  return {
    ops: n * batches,
    run: () => {
      let ns = 0;
      for (let b = 0; b < batches; b++) {
        const scheduler = new VirtualTimeScheduler();
        const rate = new RateLimiter({ limit: 1, interval: 1, burst: 1, scheduler });
        rate.tryAcquire();
        let count = 0;
        const observer = {
          next: () => {
            count++;
          },
        };
        for (let i = 0; i < n; i++) rate.run(of(i)).subscribe(observer);
        const start = now();
        scheduler.flush();
        ns += now() - start;
        check(count === n && rate.waiting === 0 && scheduler.frame === n, 'grants: every waiter ran, one per ms');
      }
      return { ns };
    },
  };
}

const WAITERS = 100_000;

/** Heap per waiting `run()`, on a gate where every one waits. */
function perWaiter(gate, what) {
  return () => {
    const subscriptions = new Array(WAITERS);
    const work = of(0);
    collect();
    const before = heapUsed();
    for (let i = 0; i < WAITERS; i++) subscriptions[i] = gate().run(work).subscribe();
    collect();
    const bytes = (heapUsed() - before) / WAITERS;
    for (const s of subscriptions) s.unsubscribe();
    check(bytes > 0, `memory: ${what}`);
    return { bytes };
  };
}

export default [
  {
    name: 'rate: accuracy with real timers',
    description:
      '10^4 requests at once on 1000 per 100 ms; the most let through in any sliding 100 ms of Date.now(), the clock every side decides by; the bounds are not measured',
    metric: 'count',
    rounds: 3,
    warmup: 0,
    sides: accuracySides,
    targets: [
      { side: 'ours (burst = limit)', vs: 'bound: burst + limit', max: 1 },
      { side: 'ours (burst 1)', vs: 'bound: limit', max: 1 },
    ],
  },
  {
    name: 'rate: overhead when not limited',
    description: '10^4 calls at once on a limit far above them, awaited together, 5 times; one op = one call let through and its work',
    metric: 'ops',
    ops: CALLS * BATCHES,
    rounds: 11,
    warmup: 3,
    sides: overheadSides,
    targets: [
      { side: 'ours (acquireAsync)', vs: 'p-throttle', min: 1 },
      { side: 'ours (acquireAsync)', vs: 'bottleneck', min: 2 },
      { side: 'ours (run)', vs: 'p-throttle', min: 1 },
      { side: 'ours (run)', vs: 'bottleneck', min: 2 },
    ],
  },
  {
    name: 'rate: grant scaling',
    description: 'n `rate.run(of(i))` waiters on 1 per ms, let through by one virtual timer each; time per grant',
    metric: 'time',
    setup: () => grants(10_000, 2).run(),
    rounds: 5,
    warmup: 1,
    sides: {
      'n = 10^4': grants(10_000, 10),
      'n = 10^5': grants(100_000, 1),
    },
    targets: [{ side: 'n = 10^5', vs: 'n = 10^4', max: 1.5 }],
  },
  {
    name: 'rate: memory per waiter',
    description: 'heap per waiting `run(of(0))`, 10^5 of them: RateLimiter (its burst spent) vs Semaphore(0)',
    metric: 'memory',
    rounds: 5,
    warmup: 1,
    sides: {
      ours: perWaiter(() => spent, 'ours'),
      Semaphore: perWaiter(() => empty, 'Semaphore'),
    },
    // The same objects wait on both (a RateLimiter is a PermitGate): 1% is the heap figure's noise.
    targets: [{ side: 'ours', vs: 'Semaphore', max: 1.01 }],
  },
];

// One gate each for the memory case, made before it is measured; their waiters leave each round.
const spent = new RateLimiter({ limit: 1, interval: 3_600_000, burst: 1 });
spent.tryAcquire();
const empty = new Semaphore(0);
