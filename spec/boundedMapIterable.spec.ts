import { AsyncLocalStorage } from 'node:async_hooks';
import { Observable, Subject, UnsubscriptionError, of } from 'rxjs';
import { CapacityLimiter, boundedMapIterable, isCancelled } from 'rxjs-concurrency';
import { scale } from './setup/scale';
import { drainInto } from './setup/slow-sink';
import { testScheduler } from './setup/test-scheduler';

/** Lets pending promise callbacks run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

/** Everything an async iterable yields. */
async function collect<R>(results: AsyncIterable<R>): Promise<R[]> {
  const out: R[] = [];
  for await (const result of results) out.push(result);
  return out;
}

/** A task the test ends by hand: `tasks[i].next(v)`, `.complete()`, `.error(e)`; counts live subscriptions. */
class Tasks {
  readonly subjects: Subject<string>[] = [];
  readonly signals: AbortSignal[] = [];
  live = 0;

  readonly project = (i: number, _index: number, signal: AbortSignal): Observable<string> => {
    const subject = new Subject<string>();
    this.subjects[i] = subject;
    this.signals[i] = signal;
    return new Observable<string>((subscriber) => {
      this.live++;
      const inner = subject.subscribe(subscriber);
      return () => {
        this.live--;
        inner.unsubscribe();
      };
    });
  };

  /** The task of item `i` emits `value` and completes. */
  finish(i: number, value = `r${i}`): void {
    this.subjects[i]!.next(value);
    this.subjects[i]!.complete();
  }

  get started(): number {
    return this.subjects.length;
  }
}

/** A sync input that counts reads and tells whether its `return()` ran (a generator's `finally`). */
function counted(n: number): { input: Iterable<number>; read: () => number; returned: () => boolean } {
  let read = 0;
  let returned = false;
  function* items(): Generator<number> {
    try {
      for (let i = 0; i < n; i++) {
        read++;
        yield i;
      }
    } finally {
      returned = true;
    }
  }
  return { input: { [Symbol.iterator]: items }, read: () => read, returned: () => returned };
}

describe('boundedMapIterable', () => {
  it('yields the results in input order (ordered) or as they come (ordered: false)', async () => {
    // Item i takes durations[i] macrotask turns.
    const durations = [3, 1, 2];
    const delayed = async (i: number): Promise<number> => {
      for (let t = 0; t < durations[i]!; t++) await new Promise((resolve) => setImmediate(resolve));
      return i;
    };
    expect(await collect(boundedMapIterable([0, 1, 2], delayed, 3))).toEqual([0, 1, 2]);
    expect(await collect(boundedMapIterable([0, 1, 2], delayed, 3, { ordered: false }))).toEqual([1, 2, 0]);
  });

  it('is lazy: nothing is read or started before the first next(); each iteration reads the input afresh', async () => {
    const { input, read } = counted(3);
    let projected = 0;
    const results = boundedMapIterable(input, (i) => (projected++, of(i * 2)), 2);
    const iterator = results[Symbol.asyncIterator]();
    expect([read(), projected]).toEqual([0, 0]);
    expect(await iterator.next()).toEqual({ done: false, value: 0 });
    expect(await collect({ [Symbol.asyncIterator]: () => iterator })).toEqual([2, 4]);
    expect(await collect(results)).toEqual([0, 2, 4]);
    expect(projected).toBe(6);
  });

  it('backpressure (virtual time): a task starts only while fewer than limit results and running tasks are ahead of the reader', async () => {
    const scheduler = testScheduler();
    const reads: Promise<IteratorResult<string, undefined>>[] = [];
    scheduler.run(({ cold, expectSubscriptions }) => {
      const [a, b, c, d] = [cold('-(A|)'), cold('-(B|)'), cold('-(C|)'), cold('-(D|)')];
      const tasks: Record<string, Observable<string>> = { a, b, c, d };
      const iterator = boundedMapIterable(['a', 'b', 'c', 'd'], (v) => tasks[v]!, 2)[Symbol.asyncIterator]();
      // The reader asks at 0, then takes a result every 5 frames.
      for (const frame of [0, 5, 10, 15, 20]) scheduler.schedule(() => void reads.push(iterator.next()), frame);
      // 0: a and b start; 1: A goes to the waiting reader, so c starts, and B is kept; 2: C is kept:
      // 2 results unread, d waits. 5: the reader takes B, d starts.
      expectSubscriptions(a.subscriptions).toBe('^!');
      expectSubscriptions(b.subscriptions).toBe('^!');
      expectSubscriptions(c.subscriptions).toBe('-^!');
      expectSubscriptions(d.subscriptions).toBe('-----^!');
    });
    expect(await Promise.all(reads)).toEqual([
      { done: false, value: 'A' },
      { done: false, value: 'B' },
      { done: false, value: 'C' },
      { done: false, value: 'D' },
      { done: true, value: undefined },
    ]);
  });

  it('backpressure (virtual time), ordered: false: the same count, results in completion order', async () => {
    const scheduler = testScheduler();
    const reads: Promise<IteratorResult<string, undefined>>[] = [];
    scheduler.run(({ cold, expectSubscriptions }) => {
      const [a, b, c, d] = [cold('---(A|)'), cold('-(B|)'), cold('-(C|)'), cold('-(D|)')];
      const tasks: Record<string, Observable<string>> = { a, b, c, d };
      const iterator = boundedMapIterable(['a', 'b', 'c', 'd'], (v) => tasks[v]!, 2, { ordered: false })[Symbol.asyncIterator]();
      for (const frame of [0, 6, 12, 18, 24]) scheduler.schedule(() => void reads.push(iterator.next()), frame);
      // 1: B to the reader, c starts; 2: C kept; 3: A kept: 2 unread, d waits until the reader takes C at 6.
      expectSubscriptions(c.subscriptions).toBe('-^!');
      expectSubscriptions(d.subscriptions).toBe('------^!');
    });
    expect((await Promise.all(reads)).map((r) => r.value)).toEqual(['B', 'C', 'A', 'D', undefined]);
  });

  it('a slow Writable sink: over 10^4 items, results ahead of the reader stay at limit, the input is read at most limit + 1 ahead, the sink holds at most its highWaterMark', async () => {
    const LIMIT = 8;
    const HWM = 4;
    const N = 10_000;
    let pulled = 0;
    let started = 0;
    let received = 0;
    let maxAhead = 0;
    let maxPulledAhead = 0;
    async function* items(): AsyncGenerator<number> {
      for (let i = 0; i < N; i++) {
        pulled++;
        maxPulledAhead = Math.max(maxPulledAhead, pulled - received);
        yield i;
      }
    }
    const results = boundedMapIterable(
      items(),
      (i) => {
        started++;
        maxAhead = Math.max(maxAhead, started - received);
        return Promise.resolve(i);
      },
      LIMIT,
    );
    let inOrder = true;
    const report = await drainInto(results, HWM, (i) => {
      if (i !== received) inOrder = false;
      received++;
    });
    expect([report.written, received, inOrder]).toEqual([N, N, true]);
    // Tasks running plus results unread (`started - received`) never pass limit, and reach it.
    expect(maxAhead).toBe(LIMIT);
    // The item read for a task that is about to start.
    expect(maxPulledAhead).toBe(LIMIT + 1);
    expect(report.maxWritableLength).toBe(HWM);
  }, 60_000);

  it('break: running tasks are cancelled (their signals abort), the input is returned (its finally runs), nothing more starts', async () => {
    const tasks = new Tasks();
    const { input, read, returned } = counted(100);
    const seen: string[] = [];
    const loop = (async () => {
      for await (const result of boundedMapIterable(input, tasks.project, 3, { ordered: false })) {
        seen.push(result);
        break;
      }
    })();
    await settle();
    expect([tasks.started, tasks.live, read()]).toEqual([3, 3, 3]);
    tasks.finish(1);
    await loop;
    expect(seen).toEqual(['r1']);
    expect(tasks.live).toBe(0);
    expect(tasks.signals.map((s) => s.aborted)).toEqual([true, false, true, true]);
    expect(isCancelled(tasks.signals[0]!.reason)).toBe(true);
    expect(returned()).toBe(true);
    // The task that started when r1 went to the reader was cancelled too; nothing was read after.
    expect([tasks.started, read()]).toEqual([4, 4]);
  });

  it('break on an async generator input: its finally runs', async () => {
    let finallyRan = false;
    async function* naturals(): AsyncGenerator<number> {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        finallyRan = true;
      }
    }
    const seen: number[] = [];
    for await (const i of boundedMapIterable(naturals(), (i) => Promise.resolve(i), 4)) {
      seen.push(i);
      if (i === 9) break;
    }
    await settle();
    expect(seen).toEqual([...Array(10).keys()]);
    expect(finallyRan).toBe(true);
  });

  it('return() before the first next() starts nothing and reads nothing', async () => {
    const { input, read, returned } = counted(3);
    let projected = 0;
    const iterator = boundedMapIterable(input, (i) => (projected++, of(i)), 2)[Symbol.asyncIterator]();
    expect(await iterator.return!()).toEqual({ done: true, value: undefined });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect([read(), projected, returned()]).toEqual([0, 0, false]);
  });

  it('return() drops the results kept, ends the next() calls waiting, and later next() calls are done', async () => {
    const tasks = new Tasks();
    const iterator = boundedMapIterable([0, 1, 2], tasks.project, 3, { ordered: false })[Symbol.asyncIterator]();
    const first = iterator.next();
    tasks.finish(0);
    expect(await first).toEqual({ done: false, value: 'r0' });
    tasks.finish(1); // kept
    const waiting = [iterator.next(), iterator.next()]; // r1, then one that waits
    expect(await waiting[0]).toEqual({ done: false, value: 'r1' });
    expect(await iterator.return!()).toEqual({ done: true, value: undefined });
    expect(await waiting[1]).toEqual({ done: true, value: undefined });
    expect(tasks.live).toBe(0);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('next() calls made without waiting are answered in order', async () => {
    const tasks = new Tasks();
    const iterator = boundedMapIterable([0, 1, 2], tasks.project, 3, { ordered: false })[Symbol.asyncIterator]();
    const reads = [iterator.next(), iterator.next(), iterator.next(), iterator.next()];
    tasks.finish(2);
    tasks.finish(0);
    tasks.finish(1);
    expect(await Promise.all(reads)).toEqual([
      { done: false, value: 'r2' },
      { done: false, value: 'r0' },
      { done: false, value: 'r1' },
      { done: true, value: undefined },
    ]);
  });

  it('a task error cancels the rest at once and returns the input; the results kept before it are read first, then next() throws it, once', async () => {
    const tasks = new Tasks();
    const { input, returned } = counted(10);
    const iterator = boundedMapIterable(input, tasks.project, 3, { ordered: false })[Symbol.asyncIterator]();
    const first = iterator.next();
    tasks.finish(0);
    expect(await first).toEqual({ done: false, value: 'r0' });
    tasks.finish(1); // kept
    const failure = new Error('task 2 failed');
    tasks.subjects[2]!.error(failure);
    // At once, before anyone reads: the others are cancelled and the input returned.
    expect(tasks.live).toBe(0);
    expect(tasks.signals[3]!.aborted).toBe(true);
    expect(returned()).toBe(true);
    expect(await iterator.next()).toEqual({ done: false, value: 'r1' });
    await expect(iterator.next()).rejects.toBe(failure);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('an error rejects the next() that waits for it; the other waiting next() calls are done', async () => {
    const tasks = new Tasks();
    const iterator = boundedMapIterable([0, 1], tasks.project, 2)[Symbol.asyncIterator]();
    const reads = [iterator.next(), iterator.next()];
    const failure = new Error('task 0 failed');
    tasks.subjects[0]!.error(failure);
    await expect(reads[0]).rejects.toBe(failure);
    expect(await reads[1]).toEqual({ done: true, value: undefined });
  });

  it('for await: a failure is thrown out of the loop after the results before it', async () => {
    const failure = new Error('item 3 failed');
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const i of boundedMapIterable([0, 1, 2, 3, 4, 5], (i) => (i === 3 ? Promise.reject(failure) : Promise.resolve(i)), 2))
          seen.push(i);
      })(),
    ).rejects.toBe(failure);
    expect(seen).toEqual([0, 1, 2]);
  });

  it('a project that throws and an input that throws are errors too', async () => {
    const bad = new Error('bad project');
    await expect(
      collect(
        boundedMapIterable(
          [0, 1],
          (i) =>
            i === 1
              ? (() => {
                  throw bad;
                })()
              : of(i),
          2,
        ),
      ),
    ).rejects.toBe(bad);
    async function* broken(): AsyncGenerator<number> {
      yield 1;
      throw new Error('input broke');
    }
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const i of boundedMapIterable(broken(), (i) => of(i), 2)) seen.push(i);
      })(),
    ).rejects.toThrow('input broke');
    expect(seen).toEqual([1]);
  });

  it('returnErrors: a failed task is a value in its place, nothing is cancelled, the input is read to its end', async () => {
    const failure = new Error('item 1 failed');
    const { input, read, returned } = counted(4);
    const results = await collect(
      boundedMapIterable(input, (i) => (i === 1 ? Promise.reject(failure) : Promise.resolve(i)), 2, { returnErrors: true }),
    );
    expect(results).toEqual([0, failure, 2, 3]);
    expect([read(), returned()]).toEqual([4, true]);
  });

  it('returnErrors: a task that emitted values then failed gives them, then its error, all in its place', async () => {
    const failure = new Error('late');
    const tasks: Record<number, Observable<string>> = {
      0: new Observable<string>((subscriber) => {
        subscriber.next('x');
        subscriber.next('y');
        setImmediate(() => subscriber.error(failure));
      }),
      1: of('p'),
    };
    expect(await collect(boundedMapIterable([0, 1], (i) => tasks[i]!, 2, { returnErrors: true }))).toEqual(['x', 'y', failure, 'p']);
  });

  it('window: ordered, with a wider window a slow head does not stop the other slots', async () => {
    for (const [window, startedBehindHead] of [
      [undefined, 1],
      [5, 4],
    ] as const) {
      const run = new Tasks();
      const iterator = boundedMapIterable([0, 1, 2, 3, 4, 5], run.project, 2, window === undefined ? {} : { window })[
        Symbol.asyncIterator
      ]();
      const first = iterator.next();
      // Item 0 is slow; every other task ends as soon as it started.
      for (let i = 1; i < run.started; i++) run.finish(i);
      expect(run.started - 1).toBe(startedBehindHead);
      run.finish(0);
      expect(await first).toEqual({ done: false, value: 'r0' });
      await iterator.return!();
    }
  });

  it('limiter: two iterations sharing one CapacityLimiter never run more than its tokens together', async () => {
    const limiter = new CapacityLimiter(3);
    let active = 0;
    let max = 0;
    const task = async (x: number): Promise<number> => {
      max = Math.max(max, ++active);
      await new Promise((resolve) => setImmediate(resolve));
      active--;
      return x;
    };
    const [one, two] = await Promise.all([
      collect(boundedMapIterable([...Array(20).keys()], task, 3, { limiter })),
      collect(boundedMapIterable([...Array(20).keys()], task, 3, { limiter, ordered: false })),
    ]);
    expect(one).toEqual([...Array(20).keys()]);
    expect([...two].sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(max).toBe(3);
    expect(limiter.borrowedTokens).toBe(0);
  });

  it('10^5 synchronous tasks: every result, in order, at constant stack depth', async () => {
    const n = scale(100_000);
    let count = 0;
    let sum = 0;
    for await (const x of boundedMapIterable(
      {
        [Symbol.iterator]: function* () {
          for (let i = 0; i < n; i++) yield i;
        },
      },
      (x) => of(x),
      8,
    )) {
      if (x !== count) throw new Error(`out of order at ${count}`);
      count++;
      sum += x;
    }
    expect([count, sum]).toEqual([n, (n * (n - 1)) / 2]);
  });

  it('a teardown that throws on return(): return() rejects with it (an UnsubscriptionError), as an unsubscribe would throw it', async () => {
    const failure = new Error('teardown failed');
    const stubborn = new Observable<number>(() => () => {
      throw failure;
    });
    const iterator = boundedMapIterable([0, 1], () => stubborn, 2)[Symbol.asyncIterator]();
    void iterator.next();
    const error: unknown = await iterator.return!().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnsubscriptionError);
    expect((error as UnsubscriptionError).errors).toEqual([failure, failure]);
  });

  describe('async context (AsyncLocalStorage)', () => {
    it('tasks start in the context of the next() that began the iteration, even when started by a task ending, or by a next(), elsewhere', async () => {
      const als = new AsyncLocalStorage<string>();
      const tasks = new Tasks();
      const contexts: (string | undefined)[] = [];
      const project = (i: number, index: number, signal: AbortSignal): Observable<string> => {
        contexts[i] = als.getStore();
        return tasks.project(i, index, signal);
      };
      const iterator = boundedMapIterable([0, 1, 2, 3], project, 2, { ordered: false })[Symbol.asyncIterator]();
      const first = als.run('iteration', () => iterator.next());
      expect(contexts).toEqual(['iteration', 'iteration']);
      // Task 0 ends in another context: its result goes to the waiting reader, and task 2 starts.
      als.run('a task ending', () => tasks.finish(0));
      expect(await first).toEqual({ done: false, value: 'r0' });
      // Task 1 ends: its result is kept, so nothing starts; a next() from a third context takes it
      // and makes room for task 3.
      tasks.finish(1);
      expect(tasks.started).toBe(3);
      const second = als.run('another reader', () => iterator.next());
      expect(await second).toEqual({ done: false, value: 'r1' });
      expect(contexts).toEqual(['iteration', 'iteration', 'iteration', 'iteration']);
      await iterator.return!();
    });
  });
});
