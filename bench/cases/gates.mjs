// Gates against async-mutex, @henrygd/semaphore and p-limit. The workloads are fixed by the issue
// that asked for them; change them only with it, never to flatter the implementation.
import { getSemaphore } from '@henrygd/semaphore';
import { Mutex, Semaphore as AsyncMutexSemaphore } from 'async-mutex';
import pLimit from 'p-limit';
import { NEVER, Observable, of } from 'rxjs';
import { collect, heapUsed, now } from '../harness.mjs';
import pkg from '../subject.mjs';

const { Lock, Semaphore } = pkg;

function check(ok, what) {
  if (!ok) throw new Error(`bench: ${what}`);
}

// --- 1. Uncontended lock ----------------------------------------------------------------------
// One op = one acquire + work + release, nobody else waiting. Ours is subscribed synchronously
// (its whole life happens inside subscribe()); async-mutex's is awaited, one after the other.

const UNCONTENDED = 50_000;

function uncontendedOurs() {
  const lock = new Lock();
  let sum = 0;
  const observer = {
    next: (x) => {
      sum += x;
    },
  };
  for (let i = 0; i < UNCONTENDED; i++) lock.run(of(i)).subscribe(observer);
  check(sum === (UNCONTENDED * (UNCONTENDED - 1)) / 2 && !lock.locked, 'uncontended lock: ours');
}

async function uncontendedAsyncMutex() {
  const mutex = new Mutex();
  let sum = 0;
  for (let i = 0; i < UNCONTENDED; i++) sum += await mutex.runExclusive(() => i);
  check(sum === (UNCONTENDED * (UNCONTENDED - 1)) / 2 && !mutex.isLocked(), 'uncontended lock: async-mutex');
}

// --- 2. Contended async, @henrygd/semaphore's own shape ----------------------------------------
// `tasks` async functions are started at once on a semaphore of `permits`; each acquires, awaits
// once, and releases. One op = one acquire + release. `batches` such runs per measured call.

// Each side has its own loop (no shared helper): a call site shared by all sides would be
// megamorphic and charge every side for the others.
function contended(tasks, permits, batches) {
  return {
    ours: async () => {
      const sem = new Semaphore(permits);
      let done = 0;
      const task = async () => {
        const permit = await sem.acquireAsync();
        await null;
        done++;
        permit.release();
      };
      for (let b = 0; b < batches; b++) {
        const all = new Array(tasks);
        for (let i = 0; i < tasks; i++) all[i] = task();
        await Promise.all(all);
      }
      check(done === tasks * batches && sem.value === permits && sem.waiting === 0, 'contended: ours');
    },
    '@henrygd/semaphore': async () => {
      const sem = getSemaphore(Symbol(), permits);
      let done = 0;
      const task = async () => {
        await sem.acquire();
        await null;
        done++;
        sem.release();
      };
      for (let b = 0; b < batches; b++) {
        const all = new Array(tasks);
        for (let i = 0; i < tasks; i++) all[i] = task();
        await Promise.all(all);
      }
      check(done === tasks * batches && sem.size() === 0, 'contended: @henrygd/semaphore');
    },
    'async-mutex': async () => {
      const sem = new AsyncMutexSemaphore(permits);
      let done = 0;
      const task = async () => {
        const [, release] = await sem.acquire();
        await null;
        done++;
        release();
      };
      for (let b = 0; b < batches; b++) {
        const all = new Array(tasks);
        for (let i = 0; i < tasks; i++) all[i] = task();
        await Promise.all(all);
      }
      check(done === tasks * batches && sem.getValue() === permits, 'contended: async-mutex');
    },
    // The same tasks with no gate at all: what the awaits alone cost, the floor under every side.
    'no gate (floor)': async () => {
      let done = 0;
      const task = async () => {
        await undefined;
        await null;
        done++;
      };
      for (let b = 0; b < batches; b++) {
        const all = new Array(tasks);
        for (let i = 0; i < tasks; i++) all[i] = task();
        await Promise.all(all);
      }
      check(done === tasks * batches, 'contended: floor');
    },
    [`p-limit(${permits})`]: async () => {
      const limit = pLimit(permits);
      let done = 0;
      const work = async () => {
        await null;
        done++;
      };
      for (let b = 0; b < batches; b++) {
        const all = new Array(tasks);
        for (let i = 0; i < tasks; i++) all[i] = limit(work);
        await Promise.all(all);
      }
      check(done === tasks * batches && limit.activeCount === 0 && limit.pendingCount === 0, 'contended: p-limit');
    },
  };
}

const contendedTargets = (permits) => [
  { side: 'ours', vs: '@henrygd/semaphore', min: 1 },
  { side: 'ours', vs: 'async-mutex', min: 2 },
  { side: 'ours', vs: `p-limit(${permits})`, min: 2 },
];

// --- 2b. Cancel storm -------------------------------------------------------------------------
// 10,000 `sem.run(task)` subscriptions on Semaphore(4), the task an async function that awaits
// once. In the storm every other waiter unsubscribes before its grant; the rest run. Compared with
// the same run where nobody cancels.

const STORM = 10_000;
const STORM_PERMITS = 4;
const STORM_BATCHES = 3;

async function storm(cancel) {
  for (let b = 0; b < STORM_BATCHES; b++) {
    const sem = new Semaphore(STORM_PERMITS);
    let done = 0;
    let finish;
    const finished = new Promise((resolve) => {
      finish = resolve;
    });
    const expected = cancel ? STORM - (STORM - STORM_PERMITS) / 2 : STORM;
    const observer = {
      complete: () => {
        if (++done === expected) finish();
      },
    };
    const subscriptions = new Array(STORM);
    for (let i = 0; i < STORM; i++) {
      subscriptions[i] = sem
        .run(async () => {
          await null;
          return i;
        })
        .subscribe(observer);
    }
    // The first STORM_PERMITS were granted at subscribe; every other one of the waiters leaves.
    if (cancel) for (let i = STORM_PERMITS + 1; i < STORM; i += 2) subscriptions[i].unsubscribe();
    await finished;
    check(done === expected && sem.value === STORM_PERMITS && sem.waiting === 0, 'cancel storm: everything released');
  }
}

// --- 3. Hand-off scaling ----------------------------------------------------------------------
// n synchronous waiters `sem.run(of(i))` queue behind a held permit; the permit is released and the
// timed part is the chain of n hand-offs. Each call runs `batches` such chains (queueing 10^6
// waiters costs seconds, so the smaller sizes do 10^5 hand-offs per call, not 10^6).

function handoffs(n, batches) {
  return {
    ops: n * batches,
    run: () => {
      let ns = 0;
      for (let b = 0; b < batches; b++) {
        const sem = new Semaphore(1);
        const held = sem.tryAcquire();
        let count = 0;
        const observer = {
          next: () => {
            count++;
          },
        };
        for (let i = 0; i < n; i++) sem.run(of(i)).subscribe(observer);
        const start = now();
        held.release();
        ns += now() - start;
        check(count === n && sem.value === 1 && sem.waiting === 0, 'hand-offs: every waiter ran');
      }
      return { ns };
    },
  };
}

// --- 4. Memory per waiter (issue 14) ------------------------------------------------------------
// The heap a pending waiter holds: WAITERS of them on a Semaphore(0), the heap measured after a
// forced GC before and after (bench runs with --expose-gc), the delta divided by WAITERS. Beside
// them the floors RxJS and Promises impose on any waiter: a subscription with a teardown (how a
// waiter can leave), and a bare `new Promise` whose resolve is stored (how it can be woken). Each
// call makes its gate and its arrays before the first measure, so neither is counted.

const WAITERS = 100_000;

/**
 * Bytes per waiter `wait(gate, i, resolves)` leaves held (its result kept in a slot, a resolve in
 * `resolves`); `leave(gate, slots, resolves)` then ends them, unmeasured. Both arrays are used after
 * the second measure, so neither can be collected before it.
 */
function perWaiter(wait, leave) {
  return () => {
    const gate = new Semaphore(0);
    const slots = new Array(WAITERS);
    const resolves = new Array(WAITERS);
    collect();
    const before = heapUsed();
    for (let i = 0; i < WAITERS; i++) slots[i] = wait(gate, i, resolves);
    collect();
    const bytes = (heapUsed() - before) / WAITERS;
    leave(gate, slots, resolves);
    check(bytes > 0, 'memory per waiter: the waiters were kept');
    return { bytes };
  };
}

const sharedWork = of(0);
// Its teardown is made per subscription, as a waiter's must be: it has to know which waiter leaves.
const withTeardown = new Observable(() => () => {});

const unsubscribeAll = (gate, slots) => {
  for (const s of slots) s.unsubscribe();
  check(gate.waiting === 0, 'memory per waiter: every waiter left');
};

const memorySides = {
  'ours: run(shared work)': perWaiter((gate) => gate.run(sharedWork).subscribe(), unsubscribeAll),
  'ours: acquire()': perWaiter((gate) => gate.acquire().subscribe(), unsubscribeAll),
  'ours: acquireAsync()': perWaiter(
    (gate) => gate.acquireAsync(),
    // Without a signal a pending acquireAsync() cannot be withdrawn: it goes with its gate.
    (gate) => check(gate.waiting === WAITERS, 'memory: acquireAsync'),
  ),
  'RxJS floor: subscription + teardown': perWaiter(() => withTeardown.subscribe(), unsubscribeAll),
  'Promise floor: new Promise + stored resolve': perWaiter(
    (_, i, resolves) =>
      new Promise((resolve) => {
        resolves[i] = resolve;
      }),
    // A pending promise cannot be withdrawn: it goes with its resolve.
    (_gate, _slots, resolves) => check(typeof resolves[WAITERS - 1] === 'function', 'memory: promise floor'),
  ),
};

// --- 5. Enqueue 10^6 run() waiters (issue 14) --------------------------------------------------
// ENQUEUED `sem.run(work).subscribe()` on a Semaphore(0), the work shared, every subscription kept:
// the timed part is the loop that queues them. The floor is the same loop subscribing to RxJS's
// `NEVER`, a bare subscription to an Observable that never completes. The waiters then leave,
// untimed.

const ENQUEUED = 1_000_000;

// Each side has its own loop, as in the contended cases.
function enqueueRun(n) {
  return {
    ops: n,
    run: () => {
      const gate = new Semaphore(0);
      const subscriptions = new Array(n);
      const start = now();
      for (let i = 0; i < n; i++) subscriptions[i] = gate.run(sharedWork).subscribe();
      const ns = now() - start;
      check(gate.waiting === n, 'enqueue: every waiter queued');
      for (const s of subscriptions) s.unsubscribe();
      check(gate.waiting === 0, 'enqueue: every waiter left');
      return { ns };
    },
  };
}

function enqueueNever(n) {
  return {
    ops: n,
    run: () => {
      const subscriptions = new Array(n);
      const start = now();
      for (let i = 0; i < n; i++) subscriptions[i] = NEVER.subscribe();
      const ns = now() - start;
      check(!subscriptions[n - 1].closed, 'enqueue: the floor never completes');
      for (const s of subscriptions) s.unsubscribe();
      return { ns };
    },
  };
}

export default [
  {
    name: 'gate: uncontended lock',
    description: '`lock.run(of(x))` subscribed vs `mutex.runExclusive(() => x)` awaited; one op = acquire + work + release',
    metric: 'ops',
    ops: UNCONTENDED,
    rounds: 7,
    warmup: 2,
    sides: { ours: uncontendedOurs, 'async-mutex': uncontendedAsyncMutex },
    targets: [{ side: 'ours', vs: 'async-mutex', min: 3 }],
  },
  {
    name: 'gate: contended binary semaphore',
    description: '1,000 async tasks at once on a semaphore of 1 (`acquireAsync()`, `await`, release); one op = one acquire + release',
    metric: 'ops',
    ops: 1_000 * 20,
    rounds: 15,
    warmup: 3,
    sides: contended(1_000, 1, 20),
    targets: contendedTargets(1),
  },
  {
    name: 'gate: contended Semaphore(4)',
    description: '10,000 async tasks at once on a semaphore of 4 (`acquireAsync()`, `await`, release); one op = one acquire + release',
    metric: 'ops',
    ops: 10_000 * 2,
    rounds: 11,
    warmup: 3,
    sides: contended(10_000, 4, 2),
    targets: contendedTargets(4),
  },
  {
    name: 'gate: cancel storm',
    description:
      '10,000 `sem.run(async task)` on Semaphore(4); in the storm every other waiter unsubscribes before its grant. Time ratio storm ÷ nobody cancels',
    metric: 'time',
    ops: STORM * STORM_BATCHES,
    rounds: 7,
    warmup: 2,
    sides: { 'ours (storm)': () => storm(true), 'ours (uncancelled)': () => storm(false) },
    targets: [{ side: 'ours (storm)', vs: 'ours (uncancelled)', max: 1.3 }],
  },
  {
    name: 'gate: hand-off scaling',
    description: 'n synchronous waiters `sem.run(of(i))` on Semaphore(1) behind a held permit, then released; time per hand-off',
    metric: 'time',
    // A full round of 10^6 waiters is too dear to throw away: the JIT is warmed on 10^4 instead.
    setup: () => handoffs(10_000, 10).run(),
    warmup: 0,
    rounds: 3,
    sides: {
      'n = 10^4': handoffs(10_000, 10),
      'n = 10^5': handoffs(100_000, 1),
      'n = 10^6': handoffs(1_000_000, 1),
    },
    targets: [{ side: 'n = 10^6', vs: 'n = 10^4', max: 1.5 }],
  },
  {
    name: 'gate: memory per waiter',
    description:
      'heap per pending waiter on Semaphore(0), 10^5 of them, GC forced before and after: `run(work)` with one work for all, `acquire()`, `acquireAsync()`, beside the floors of RxJS and Promises',
    metric: 'memory',
    rounds: 5,
    warmup: 1,
    sides: memorySides,
    targets: [
      { side: 'ours: run(shared work)', max: 600 },
      { side: 'ours: acquire()', max: 500 },
      { side: 'ours: acquireAsync()', max: 250 },
      { side: 'ours: run(shared work)', vs: 'RxJS floor: subscription + teardown' },
      { side: 'ours: acquire()', vs: 'RxJS floor: subscription + teardown' },
      { side: 'ours: acquireAsync()', vs: 'Promise floor: new Promise + stored resolve' },
    ],
  },
  {
    name: 'gate: enqueue 10^6 run() waiters',
    description:
      '10^6 `sem.run(work).subscribe()` queued on Semaphore(0), every subscription kept, vs as many `NEVER.subscribe()`; time of the queueing loop per waiter',
    metric: 'time',
    timeUnit: 'µs',
    ops: ENQUEUED,
    // A round of 10^6 is too dear to throw away: the JIT is warmed on 10^4 instead.
    setup: () => {
      for (let b = 0; b < 10; b++) {
        enqueueRun(10_000).run();
        enqueueNever(10_000).run();
      }
    },
    warmup: 0,
    rounds: 5,
    sides: {
      ours: enqueueRun(ENQUEUED),
      'RxJS floor: NEVER.subscribe()': enqueueNever(ENQUEUED),
    },
    targets: [
      { side: 'ours', max: 1500 },
      { side: 'ours', vs: 'RxJS floor: NEVER.subscribe()' },
    ],
  },
];
