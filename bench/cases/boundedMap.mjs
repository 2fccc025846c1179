// boundedMap against mergeMap (synchronous inners) and p-limit (Promise work). The workloads are
// fixed by the issue that asked for them; change them only with it, never to flatter the
// implementation.
import pLimit from 'p-limit';
import { mergeMap, of, range } from 'rxjs';
import pkg from '../subject.mjs';

const { boundedMap } = pkg;

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
      .subscribe({ next: (x) => { sum += x; }, complete: () => { completed = true; } });
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
          next: (x) => { sum += x; },
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

export default [
  {
    name: 'boundedMap: synchronous inners',
    description: '`range(0, 10^6)` through `boundedMap((x) => of(x), 8, { ordered })` vs `mergeMap((x) => of(x), 8)`; one op = one value',
    metric: 'time',
    ops: SYNC,
    rounds: 3,
    warmup: 1,
    sides: {
      'ours (ordered: false)': syncSide(boundedMap((x) => of(x), 8, { ordered: false }), 'ours unordered'),
      'ours (ordered: true)': syncSide(boundedMap((x) => of(x), 8, { ordered: true }), 'ours ordered'),
      mergeMap: syncSide(mergeMap((x) => of(x), 8), 'mergeMap'),
    },
    targets: [
      { side: 'ours (ordered: false)', vs: 'mergeMap', max: 1.15 },
      { side: 'ours (ordered: true)', vs: 'mergeMap', max: 1.5 },
    ],
  },
  {
    name: 'boundedMap: Promise work',
    description: '10^5 items mapped to `Promise.resolve(x)`, 16 at a time: `range(...).pipe(boundedMap(f, 16))` vs `Promise.all` over `p-limit(16)`; one op = one item',
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
];
