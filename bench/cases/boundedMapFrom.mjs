// boundedMapFrom over an async generator: heap growth and throughput against
// `from(gen).pipe(mergeMap(f, 16))` and p-map's `pMapIterable`. The workloads are fixed by the issue
// that asked for them; change them only with it, never to flatter the implementation.
import { pMapIterable } from 'p-map';
import { from, mergeMap } from 'rxjs';
import { collect, heapUsed } from '../harness.mjs';
import pkg from '../subject.mjs';

const { boundedMapFrom } = pkg;

function check(ok, what) {
  if (!ok) throw new Error(`bench: ${what}`);
}

async function* generate(n) {
  for (let i = 0; i < n; i++) yield i;
}

const LIMIT = 16;
const sumTo = (n) => (n * (n - 1)) / 2;

// --- 6. Memory ---------------------------------------------------------------------------------
// The heap in use after a full GC, taken every 2^18 items while the items flow (from inside the
// mapper) and once at the end, minus the heap after a full GC before the run: what the pipeline
// retains, the peak of it (negative when the run freed more than it kept). `from(gen)` reads the generator as fast as it yields, whatever
// `mergeMap` can take, and may buffer without bound: it runs 10^6 items only, so it cannot exhaust
// the machine, and its figure is for 10^6 items, not 10^7. pMapIterable runs 10^6 items too, to
// keep the bench within its time budget (it bounds its buffer, so its figure does not grow with n).

const MEMORY_ITEMS = 10_000_000;
const MERGEMAP_ITEMS = 1_000_000;
const SAMPLE_MASK = (1 << 18) - 1;

/** `run(f)` drives one pipeline with the mapper `f` and resolves with the sum of its output. */
function heapGrowth(items, run, what) {
  return async () => {
    collect();
    const base = heapUsed();
    let peak = -Infinity;
    const sample = () => {
      collect();
      peak = Math.max(peak, heapUsed() - base);
    };
    const f = (x) => {
      if ((x & SAMPLE_MASK) === 0) sample();
      return Promise.resolve(x);
    };
    const sum = await run(items, f);
    sample();
    check(sum === sumTo(items), `memory: ${what}`);
    return { bytes: peak };
  };
}

const viaOurs = (items, f) =>
  new Promise((resolve, reject) => {
    let sum = 0;
    boundedMapFrom(generate(items), f, LIMIT).subscribe({
      next: (x) => {
        sum += x;
      },
      error: reject,
      complete: () => resolve(sum),
    });
  });

const viaMergeMap = (items, f) =>
  new Promise((resolve, reject) => {
    let sum = 0;
    from(generate(items))
      .pipe(mergeMap(f, LIMIT))
      .subscribe({
        next: (x) => {
          sum += x;
        },
        error: reject,
        complete: () => resolve(sum),
      });
  });

const viaPMapIterable = async (items, f) => {
  let sum = 0;
  for await (const x of pMapIterable(generate(items), f, { concurrency: LIMIT })) sum += x;
  return sum;
};

// --- 6b. Throughput ----------------------------------------------------------------------------
// The same pipelines, timed, over 10^6 items a round (10^7 a round would not fit the bench's
// time budget).

const THROUGHPUT_ITEMS = 1_000_000;

function timed(run, what) {
  const f = (x) => Promise.resolve(x);
  return async () => {
    check((await run(THROUGHPUT_ITEMS, f)) === sumTo(THROUGHPUT_ITEMS), `throughput: ${what}`);
  };
}

export default [
  {
    name: 'boundedMapFrom: memory',
    description:
      'async generator through `boundedMapFrom(gen, f, 16)` (10^7 items), `from(gen).pipe(mergeMap(f, 16))` (10^6 items: it may buffer without bound) and `pMapIterable(gen, f, { concurrency: 16 })` (10^6 items), `f = (x) => Promise.resolve(x)`; peak heap growth after GC',
    metric: 'memory',
    // One round of 10^7 items is ~10 s a side: the JIT is warmed on 10^5 items instead.
    setup: async () => {
      const f = (x) => Promise.resolve(x);
      await viaOurs(100_000, f);
      await viaMergeMap(100_000, f);
      await viaPMapIterable(100_000, f);
    },
    warmup: 0,
    rounds: 1,
    sides: {
      'ours (10^7 items)': heapGrowth(MEMORY_ITEMS, viaOurs, 'ours'),
      'from + mergeMap (10^6 items, capped)': heapGrowth(MERGEMAP_ITEMS, viaMergeMap, 'mergeMap'),
      'pMapIterable (10^6 items)': heapGrowth(MERGEMAP_ITEMS, viaPMapIterable, 'pMapIterable'),
      // The absolute bound, as a side so that the table can hold ours against it.
      'budget (8 MiB)': () => ({ bytes: 8 * 2 ** 20 }),
    },
    targets: [{ side: 'ours (10^7 items)', vs: 'budget (8 MiB)', max: 1 }],
  },
  {
    name: 'boundedMapFrom: throughput',
    description:
      '10^6 items of an async generator mapped to `Promise.resolve(x)`, 16 at a time: `boundedMapFrom` vs `pMapIterable`; one op = one item',
    metric: 'ops',
    ops: THROUGHPUT_ITEMS,
    // Warmed by the memory case just before.
    rounds: 3,
    warmup: 0,
    sides: {
      ours: timed(viaOurs, 'ours'),
      pMapIterable: timed(viaPMapIterable, 'pMapIterable'),
    },
    targets: [{ side: 'ours', vs: 'pMapIterable', min: 1 }],
  },
];
