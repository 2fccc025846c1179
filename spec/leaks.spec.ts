import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { NEVER, Subject, of, throwError } from 'rxjs';
import { CapacityLimiter, Lock, Queue, Semaphore, boundedMapIterable, taskGroup } from 'rxjs-concurrency';
import { drainInto } from './setup/slow-sink';

/*
 * Memory: long runs of the package's primitives leave the heap where it was. Each test warms the
 * code path up (so JIT code and inline caches are not counted), measures `heapUsed` after two full
 * GCs, runs the workload, measures again, and asserts the growth stays under 2 MB.
 *
 * `npm test` needs no `--expose-gc`: the flag is turned on at run time and a context created after
 * that exposes `gc` (the flag is read when a context is made).
 */
setFlagsFromString('--expose-gc');
const gc = (globalThis.gc ?? runInNewContext('gc')) as () => void;

const MB = 1024 * 1024;
const LIMIT = 2 * MB;

/**
 * `heapUsed` after full GCs, repeated until it stops falling. Two would collect all garbage; more
 * also let V8 flush the bytecode of functions that stopped running (jest's, the compiler's, and
 * the coverage-instrumented code of every test file this worker ran before), which would otherwise
 * be freed during the workload and hide a leak of that size: 74 MB of it once, after 20 files.
 */
function heapAfterGc(): number {
  let heap = Infinity;
  for (let i = 0; i < 100; i++) {
    for (let j = 0; j < 5; j++) gc();
    const now = process.memoryUsage().heapUsed;
    if (now > heap - 64 * 1024) return now;
    heap = now;
  }
  return heap;
}

/** Heap growth in bytes after `cycles` runs of `cycle`, once warmed up with a tenth as many. */
function growth(cycles: number, cycle: (i: number) => void): number {
  for (let i = 0; i < cycles / 10; i++) cycle(i);
  const before = heapAfterGc();
  for (let i = 0; i < cycles; i++) cycle(i);
  return heapAfterGc() - before;
}

/** Compared as text, so a failure shows the size; `LEAK_REPORT=1` prints every figure. */
const mb = (bytes: number): string => {
  const text = `${(bytes / MB).toFixed(3)} MB`;
  if (process.env.LEAK_REPORT && bytes !== Math.min(bytes, LIMIT) + 1)
    process.stdout.write(`${expect.getState().currentTestName}: ${text}\n`);
  return text;
};

const TIMEOUT = 120_000;

describe('leaks (heap growth after GC stays under 2 MB)', () => {
  it(
    'the measure sees a real leak: 10^5 semaphores kept alive grow the heap past 2 MB',
    () => {
      const kept: Semaphore[] = [];
      const bytes = growth(100_000, () => void kept.push(new Semaphore(1)));
      expect(bytes).toBeGreaterThan(LIMIT);
      expect(kept.length).toBe(110_000);
    },
    TIMEOUT,
  );

  it(
    '10^6 acquire/release cycles on a Semaphore (free grant, hand-off to a waiter, permit), with a withdrawn waiter each time',
    () => {
      const sem = new Semaphore(1);
      const noop = (): void => {};
      // Three acquire/release cycles per iteration, and a waiter that leaves without a grant.
      const bytes = growth(Math.ceil(1_000_000 / 3), () => {
        const holder = sem.acquire().subscribe(noop);
        const waiter = sem.acquire().subscribe(noop);
        sem.acquire().subscribe(noop).unsubscribe();
        holder.unsubscribe(); // hands the permit to `waiter`
        waiter.unsubscribe();
        sem.tryAcquire()!.release();
      });
      expect([sem.value, sem.waiting]).toEqual([1, 0]);
      expect(mb(bytes)).toBe(mb(Math.min(bytes, LIMIT)));
    },
    TIMEOUT,
  );

  it(
    '10^5 run() cycles on a Lock and a CapacityLimiter, with waiting and cancelled work',
    () => {
      const lock = new Lock();
      const limiter = new CapacityLimiter(2);
      const noop = (): void => {};
      const bytes = growth(100_000, (i) => {
        const first = lock.run(NEVER).subscribe(noop);
        const second = lock.run(of(i)).subscribe(noop);
        first.unsubscribe(); // `second` runs synchronously and releases
        const a = limiter.run(NEVER).subscribe(noop);
        limiter.run(of(i)).subscribe(noop);
        a.unsubscribe();
        second.unsubscribe();
      });
      expect([lock.locked, lock.waiting, limiter.borrowedTokens, limiter.waiting]).toEqual([false, 0, 0, 0]);
      expect(mb(bytes)).toBe(mb(Math.min(bytes, LIMIT)));
    },
    TIMEOUT,
  );

  it(
    '10^5 task groups: completed, failed, cancelled and unsubscribed',
    () => {
      const noop = (): void => {};
      const observer = { next: noop, error: noop, complete: noop };
      const failure = new Error('fail');
      const bytes = growth(100_000, (i) => {
        const subscription = taskGroup<number>((tg) => {
          tg.startSoon(of(i));
          tg.start(of(1)).subscribe(noop);
          if (i % 4 === 1) tg.startSoon(NEVER);
          else if (i % 4 === 2) tg.cancel();
          else if (i % 16 === 3) tg.startSoon(throwError(() => failure));
          return i % 4 === 0 ? of(i) : undefined;
        }).subscribe(observer);
        subscription.unsubscribe();
      });
      expect(mb(bytes)).toBe(mb(Math.min(bytes, LIMIT)));
    },
    TIMEOUT,
  );

  it(
    '10^5 queue round trips: buffered, rendezvous with a waiting getter, withdrawn put and get',
    () => {
      const buffered = new Queue<number>(4);
      const rendezvous = new Queue<number>(0);
      const noop = (): void => {};
      const bytes = growth(100_000, (i) => {
        buffered.put(i).subscribe(noop);
        buffered.get().subscribe(noop);
        const getter = rendezvous.get().subscribe(noop);
        rendezvous.put(i).subscribe(noop); // accepted by the waiting getter
        getter.unsubscribe();
        rendezvous.put(i).subscribe(noop).unsubscribe(); // withdrawn
        rendezvous.get().subscribe(noop).unsubscribe(); // withdrawn
      });
      expect([buffered.size, rendezvous.size]).toEqual([0, 0]);
      expect(mb(bytes)).toBe(mb(Math.min(bytes, LIMIT)));
    },
    TIMEOUT,
  );

  it(
    '10^5 state$ subscribers of a gate and of a queue, unsubscribed, leave nothing behind',
    () => {
      const sem = new Semaphore(1);
      const queue = new Queue<number>(1);
      const noop = (): void => {};
      const bytes = growth(100_000, () => {
        const a = sem.state$.subscribe(noop);
        const b = queue.state$.subscribe(noop);
        sem.tryAcquire()!.release();
        a.unsubscribe();
        b.unsubscribe();
      });
      expect(mb(bytes)).toBe(mb(Math.min(bytes, LIMIT)));
    },
    TIMEOUT,
  );

  it(
    'a gate with 10^5 withdrawn waiters and a Subject-driven run keeps no reference to them',
    () => {
      const sem = new Semaphore(0);
      const work = new Subject<number>();
      const noop = (): void => {};
      const bytes = growth(100_000, () => {
        sem.run(work).subscribe(noop).unsubscribe();
      });
      expect([sem.value, sem.waiting, work.observed]).toEqual([0, 0, false]);
      expect(mb(bytes)).toBe(mb(Math.min(bytes, LIMIT)));
    },
    TIMEOUT,
  );

  describe('boundedMapIterable into a slow Writable: the heap after GC stays where it was before the pipeline, at item 10^3 and at item 10^4', () => {
    /**
     * The most the heap grew, from before the pipeline to the 10^3rd and to the last of 10^4 results
     * of 1 KiB each, read from an async generator and written into a slow sink, measured while the
     * pipeline runs (a pipeline that buffers ahead of its reader would hold the most early on). With
     * `keep` every result is also kept: that must show, or the measure could not see a leak.
     * Without `measure` it only runs, to warm up: compiled code is not counted.
     */
    async function pipelineGrowth(keep: boolean, measure = true): Promise<number> {
      const N = 10_000;
      async function* items(): AsyncGenerator<number> {
        for (let i = 0; i < N; i++) yield i;
      }
      const kept: number[][] = [];
      let read = 0;
      const heap: number[] = [];
      const results = boundedMapIterable(items(), (i) => Promise.resolve(new Array<number>(128).fill(i)), 8);
      const before = measure ? heapAfterGc() : 0;
      await drainInto(results, 4, (result) => {
        if (keep) kept.push(result);
        read++;
        if (measure && (read === 1_000 || read === N)) heap.push(heapAfterGc() - before);
      });
      expect([read, heap.length]).toEqual([N, measure ? 2 : 0]);
      return Math.max(...heap);
    }

    it(
      'the measure sees a pipeline that keeps its results: 10^4 results of 1 KiB grow the heap past 2 MB',
      async () => {
        await pipelineGrowth(false, false);
        expect(await pipelineGrowth(true)).toBeGreaterThan(LIMIT);
      },
      TIMEOUT,
    );

    it(
      'flat: a pipeline that keeps nothing grows the heap by less than 2 MB',
      async () => {
        await pipelineGrowth(false, false);
        const bytes = await pipelineGrowth(false);
        expect(mb(bytes)).toBe(mb(Math.min(bytes, LIMIT)));
      },
      TIMEOUT,
    );
  });
});
