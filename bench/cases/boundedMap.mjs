// boundedMap against mergeMap (synchronous inners), p-limit (Promise work) and p-map (effective
// concurrency behind a slow head). The workloads are fixed by the issues that asked for them;
// change them only with those, never to flatter the implementation.
import pLimit from 'p-limit';
import pMap, { pMapIterable } from 'p-map';
import { from, mergeMap, of, range } from 'rxjs';
import pkg from '../subject.mjs';

const { boundedMap, boundedMapIterable } = pkg;

function check(ok, what) {
  if (!ok) throw new Error(`bench: ${what}`);
}

// --- 4. Synchronous inners ---------------------------------------------------------------------
// 10^6 values of a synchronous source, each mapped to `of(x)`, 8 at a time. One op = one value in
// and out. Each side has its own closure (no shared call site: see gates.mjs).

const SYNC = 1_000_000;
const SYNC_SUM = (SYNC * (SYNC - 1)) / 2;

function syncSide(operator, what) {
  return () => {
    let sum = 0;
    let completed = false;
    range(0, SYNC)
      .pipe(operator)
      .subscribe({
        next: (x) => {
          sum += x;
        },
        complete: () => {
          completed = true;
        },
      });
    check(completed && sum === SYNC_SUM, `sync inners: ${what}`);
  };
}

// --- 5. Promise work ---------------------------------------------------------------------------
// 10^5 items, each mapped to a resolved Promise, 16 at a time, until all are done. One op = one item.

const ASYNC = 100_000;
const ASYNC_SUM = (ASYNC * (ASYNC - 1)) / 2;
const items = Array.from({ length: ASYNC }, (_, i) => i);

function promiseOurs(ordered) {
  return () =>
    new Promise((resolve, reject) => {
      let sum = 0;
      range(0, ASYNC)
        .pipe(boundedMap((x) => Promise.resolve(x), 16, { ordered }))
        .subscribe({
          next: (x) => {
            sum += x;
          },
          error: reject,
          complete: () => {
            check(sum === ASYNC_SUM, 'promise work: ours');
            resolve();
          },
        });
    });
}

async function promisePLimit() {
  const limit = pLimit(16);
  const work = (x) => Promise.resolve(x);
  const results = await Promise.all(items.map((x) => limit(work, x)));
  let sum = 0;
  for (const x of results) sum += x;
  check(sum === ASYNC_SUM && limit.activeCount === 0, 'promise work: p-limit');
}

// --- 7. Effective concurrency behind a slow head (issue 13) --------------------------------------
// 201 items, 4 at a time, results in input order: the first takes 200 time units, every other one
// 10. Time is simulated, so the figure is exact and the same on any machine: a task sleeps on a
// simulated clock, which moves to the next wake-up only once every callback due has run (one
// setImmediate turn), so starting a task costs no simulated time on any side. The figure is the
// time-weighted mean of tasks running, from the first start to the last end (4 at best). An
// ordered map whose window is full waits for the slow head with its other slots idle: the default
// window (= limit) and pMapIterable's default backpressure (= concurrency) do; a window of 64 (or a
// backpressure of 64) keeps the 4 running until 63 results wait behind the head. pMap keeps every
// result until the end (memory O(n)) and is never held back.

const HEAD = 200;
const REST = 10;
const ITEMS = 201;
const CONCURRENCY = 4;
const WIDE = 64;

/** A simulated clock, and tasks on it that count how many run at once (integrated over time). */
function simulation() {
  let now = 0;
  let running = 0;
  let since = 0;
  let area = 0;
  let last = 0;
  let seq = 0;
  const timers = []; // [at, seq, wake], sorted
  const account = (delta) => {
    area += running * (now - since);
    since = now;
    running += delta;
  };
  const sleep = (ms) =>
    new Promise((wake) => {
      const timer = [now + ms, seq++, wake];
      let i = timers.length;
      while (i > 0 && (timers[i - 1][0] > timer[0] || (timers[i - 1][0] === timer[0] && timers[i - 1][1] > timer[1]))) i--;
      timers.splice(i, 0, timer);
    });
  const task = async (i) => {
    account(+1);
    await sleep(i === 0 ? HEAD : REST);
    account(-1);
    last = now;
    return i;
  };
  /** Runs `work` to its end on the simulated clock; resolves with the mean of tasks running. */
  const drive = async (work) => {
    let done = false;
    const finished = work().finally(() => (done = true));
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (done || timers.length === 0) break;
      now = timers[0][0];
      while (timers.length > 0 && timers[0][0] === now) timers.shift()[2]();
    }
    const results = await finished;
    check(running === 0 && results.length === ITEMS && results.every((r, i) => r === i), 'slow head: results');
    return { value: area / last };
  };
  return { task, drive };
}

const headItems = Array.from({ length: ITEMS }, (_, i) => i);

function ours(window) {
  return () => {
    const { task, drive } = simulation();
    return drive(
      () =>
        new Promise((resolve, reject) => {
          const results = [];
          from(headItems)
            .pipe(boundedMap(task, CONCURRENCY, window === undefined ? {} : { window }))
            .subscribe({ next: (r) => results.push(r), error: reject, complete: () => resolve(results) });
        }),
    );
  };
}

function oursIterable(window) {
  return () => {
    const { task, drive } = simulation();
    return drive(async () => {
      const results = [];
      for await (const r of boundedMapIterable(headItems, task, CONCURRENCY, window === undefined ? {} : { window })) results.push(r);
      return results;
    });
  };
}

function pMapIterableSide(backpressure) {
  return () => {
    const { task, drive } = simulation();
    return drive(async () => {
      const results = [];
      for await (const r of pMapIterable(
        headItems,
        task,
        backpressure === undefined ? { concurrency: CONCURRENCY } : { concurrency: CONCURRENCY, backpressure },
      ))
        results.push(r);
      return results;
    });
  };
}

function pMapSide() {
  const { task, drive } = simulation();
  return drive(() => pMap(headItems, task, { concurrency: CONCURRENCY }));
}

export default [
  {
    name: 'boundedMap: synchronous inners',
    description: '`range(0, 10^6)` through `boundedMap((x) => of(x), 8, { ordered })` vs `mergeMap((x) => of(x), 8)`; one op = one value',
    metric: 'time',
    ops: SYNC,
    rounds: 3,
    warmup: 1,
    sides: {
      'ours (ordered: false)': syncSide(
        boundedMap((x) => of(x), 8, { ordered: false }),
        'ours unordered',
      ),
      'ours (ordered: true)': syncSide(
        boundedMap((x) => of(x), 8, { ordered: true }),
        'ours ordered',
      ),
      mergeMap: syncSide(
        mergeMap((x) => of(x), 8),
        'mergeMap',
      ),
    },
    targets: [
      { side: 'ours (ordered: false)', vs: 'mergeMap', max: 1.15 },
      { side: 'ours (ordered: true)', vs: 'mergeMap', max: 1.5 },
    ],
  },
  {
    name: 'boundedMap: Promise work',
    description:
      '10^5 items mapped to `Promise.resolve(x)`, 16 at a time: `range(...).pipe(boundedMap(f, 16))` vs `Promise.all` over `p-limit(16)`; one op = one item',
    metric: 'ops',
    ops: ASYNC,
    rounds: 5,
    warmup: 1,
    sides: {
      'ours (ordered: false)': promiseOurs(false),
      'ours (ordered: true)': promiseOurs(true),
      'p-limit(16)': promisePLimit,
    },
    targets: [
      { side: 'ours (ordered: false)', vs: 'p-limit(16)', min: 1.2 },
      { side: 'ours (ordered: true)', vs: 'p-limit(16)', min: 1.2 },
    ],
  },
  {
    name: 'boundedMap: effective concurrency behind a slow head',
    description: `${ITEMS} items, ${CONCURRENCY} at a time, in order, the first taking ${HEAD} simulated time units and the others ${REST}: the time-weighted mean of tasks running (${CONCURRENCY} at best). Default window (= limit) and window ${WIDE}, boundedMap and boundedMapIterable, against pMap (keeps every result) and pMapIterable (backpressure = concurrency by default, and ${WIDE})`,
    metric: 'value',
    unit: 'tasks running (mean)',
    // Simulated time: every round gives the same figure.
    rounds: 1,
    warmup: 0,
    sides: {
      'ours (default window)': ours(undefined),
      [`ours (window: ${WIDE})`]: ours(WIDE),
      'ours, boundedMapIterable (default window)': oursIterable(undefined),
      [`ours, boundedMapIterable (window: ${WIDE})`]: oursIterable(WIDE),
      pMap: pMapSide,
      'pMapIterable (default backpressure)': pMapIterableSide(undefined),
      [`pMapIterable (backpressure: ${WIDE})`]: pMapIterableSide(WIDE),
    },
    targets: [
      { side: `ours (window: ${WIDE})`, vs: 'pMap', min: 0.99 },
      { side: `ours, boundedMapIterable (window: ${WIDE})`, vs: `pMapIterable (backpressure: ${WIDE})`, min: 0.99 },
      { side: 'ours (default window)', vs: 'pMapIterable (default backpressure)', min: 0.99 },
    ],
  },
];
