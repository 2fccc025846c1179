import { Observable, defer, lastValueFrom, of, take, toArray } from 'rxjs';
import { testScheduler } from './setup/test-scheduler';
import { CapacityLimiter, boundedMapFrom } from 'rxjs-concurrency';
import { reportsDelivered, takeEscapedErrors } from './setup/no-unhandled-errors';
import { MILLION } from './property/params';
import { settle } from './setup/promises';

/** Resolves after `ticks` microtasks: an asynchronous task that costs no timer. */
const after = async <T>(ticks: number, value: T): Promise<T> => {
  // eslint-disable-next-line @typescript-eslint/await-thenable -- one microtask turn each
  for (let i = 0; i < ticks; i++) await null;
  return value;
};

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}
const deferred = <T>(): Deferred<T> => {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

/** An async iterator whose `next()` calls are answered by the test; counts calls and overlap. */
class ManualIterator implements AsyncIterableIterator<number> {
  readonly pending: Deferred<IteratorResult<number>>[] = [];
  inFlight = 0;
  maxInFlight = 0;
  returned = 0;
  returnResult: Promise<IteratorResult<number>> = Promise.resolve({ done: true, value: undefined });

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<number>> {
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    const d = deferred<IteratorResult<number>>();
    this.pending.push(d);
    return d.promise.finally(() => this.inFlight--);
  }

  return(): Promise<IteratorResult<number>> {
    this.returned++;
    return this.returnResult;
  }

  /** Answers the oldest pending `next()`. */
  answer(result: IteratorResult<number> | Error): void {
    const d = this.pending.shift()!;
    if (result instanceof Error) d.reject(result);
    else d.resolve(result);
  }
}

describe('boundedMapFrom', () => {
  it('the TSDoc diagram: a sync iterable, read only when there is room (ordered and not)', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = cold('---A|');
      const b = cold('-B|');
      const c = cold('--C|');
      const tasks: Record<string, Observable<string>> = { a, b, c };
      expectObservable(boundedMapFrom(['a', 'b', 'c'], (v) => tasks[v]!, 2)).toBe('---AB-C|');
      expectObservable(boundedMapFrom(['a', 'b', 'c'], (v) => tasks[v]!, 2, { ordered: false })).toBe('-B-AC|');
      expectSubscriptions(a.subscriptions).toBe(['^---!', '^---!']);
      expectSubscriptions(b.subscriptions).toBe(['^-!', '^-!']);
      // Logged in time order: the unordered map (second) reads c at frame 2, the ordered one at 4.
      expectSubscriptions(c.subscriptions).toBe(['--^--!', '----^--!']);
    });
  });

  it('reads an item only when a slot frees: a sync iterator is never read ahead of the tasks', () => {
    testScheduler().run(({ cold, flush }) => {
      let pulled = 0;
      let emitted = 0;
      let maxAhead = 0;
      function* items(): Generator<number> {
        for (let i = 0; i < 50; i++) {
          pulled++;
          maxAhead = Math.max(maxAhead, pulled - emitted);
          yield i;
        }
      }
      boundedMapFrom(items(), (i) => cold(i % 3 === 0 ? '----(x|)' : '-(x|)'), 4).subscribe(() => emitted++);
      flush();
      expect(emitted).toBe(50);
      expect(maxAhead).toBe(4);
    });
  });

  it('an async generator of 1,000,000 items, limit 16: at most 16 + 1 items pulled ahead of what was emitted, in order', async () => {
    const N = MILLION;
    let pulled = 0;
    let emitted = 0;
    let maxAhead = 0;
    let outOfOrder = 0;
    async function* items(): AsyncGenerator<number> {
      for (let i = 0; i < N; i++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - emitted);
        yield i;
      }
    }
    // Every task waits for the next macrotask, when all those started meanwhile finish together: the
    // reads (microtasks) fill every slot first, so the bound is reached on every turn. Odd items take
    // one more turn, so tasks also finish out of input order.
    let turn = deferred<undefined>();
    let done = false;
    const tick = (): void => {
      const current = turn;
      turn = deferred<undefined>();
      current.resolve(undefined);
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    const output = boundedMapFrom(items(), (i) => (i % 2 === 0 ? turn.promise : turn.promise.then(() => turn.promise)).then(() => i), 16);
    try {
      await new Promise<void>((resolve, reject) =>
        output.subscribe({
          next: (i) => {
            if (i !== emitted) outOfOrder++;
            emitted++;
          },
          error: reject,
          complete: resolve,
        }),
      );
    } finally {
      done = true;
    }
    expect(emitted).toBe(N);
    expect(outOfOrder).toBe(0);
    expect(maxAhead).toBeLessThanOrEqual(16 + 1);
    expect(maxAhead).toBe(16);
    // A few seconds on an idle machine; the margin is for a loaded CI runner.
  }, 300_000);

  it("an endless sync generator with take(100): 100 values, and the generator's finally runs", () => {
    let finallyRan = false;
    let pulled = 0;
    function* naturals(): Generator<number> {
      try {
        for (let i = 0; ; i++) {
          pulled++;
          yield i;
        }
      } finally {
        finallyRan = true;
      }
    }
    const values: number[] = [];
    boundedMapFrom(naturals(), (i) => of(i * 2), 4)
      .pipe(take(100))
      .subscribe((v) => values.push(v));
    expect(values).toEqual([...Array(100).keys()].map((i) => i * 2));
    expect(finallyRan).toBe(true);
    expect(pulled).toBeLessThanOrEqual(100 + 4);
  });

  it("an endless async generator with take(100): 100 values, and the generator's finally runs", async () => {
    let finallyRan = false;
    async function* naturals(): AsyncGenerator<number> {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        finallyRan = true;
      }
    }
    const values = await lastValueFrom(boundedMapFrom(naturals(), (i) => after(i % 3, i), 4).pipe(take(100), toArray()));
    expect(values).toEqual([...Array(100).keys()]);
    await settle();
    expect(finallyRan).toBe(true);
  });

  it('a sync iterable: each subscription reads it afresh', async () => {
    const input = new Set([3, 1, 2]);
    const output = boundedMapFrom(input, (x, index) => of(`${index}:${x}`), 2);
    expect(await lastValueFrom(output.pipe(toArray()))).toEqual(['0:3', '1:1', '2:2']);
    expect(await lastValueFrom(output.pipe(toArray()))).toEqual(['0:3', '1:1', '2:2']);
  });

  it('an empty iterable completes at once', () => {
    let completed = false;
    boundedMapFrom([], () => of(1), 2).subscribe({ complete: () => (completed = true) });
    expect(completed).toBe(true);
  });

  it('a sync iterator that throws: the values before it, then its error; return() is not called', () => {
    let returned = false;
    const failure = new Error('iterator broke');
    const input: Iterable<number> = {
      [Symbol.iterator]: () => {
        let i = 0;
        return {
          next: () => {
            if (i === 2) throw failure;
            return { done: false, value: i++ };
          },
          return: () => {
            returned = true;
            return { done: true, value: undefined };
          },
        };
      },
    };
    const values: number[] = [];
    let error: unknown;
    boundedMapFrom(input, (x) => of(x), 4).subscribe({ next: (x) => values.push(x), error: (e: unknown) => (error = e) });
    expect(values).toEqual([0, 1]);
    expect(error).toBe(failure);
    expect(returned).toBe(false);
  });

  it('an async generator that throws: its error is the output error', async () => {
    async function* items(): AsyncGenerator<number> {
      yield 1;
      yield 2;
      throw new Error('async iterator broke');
    }
    const values: number[] = [];
    await expect(lastValueFrom(boundedMapFrom(items(), (x) => of(x), 2).pipe(toArray()))).rejects.toThrow('async iterator broke');
    await expect(
      new Promise((resolve, reject) =>
        boundedMapFrom(items(), (x) => of(x), 2).subscribe({
          next: (x) => values.push(x),
          error: reject,
          complete: () => resolve(undefined),
        }),
      ),
    ).rejects.toThrow('async iterator broke');
    expect(values).toEqual([1, 2]);
  });

  it('an iterator result that is not an object errors the output', async () => {
    const input: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve(undefined as unknown as IteratorResult<number>) }),
    };
    await expect(lastValueFrom(boundedMapFrom(input, (x) => of(x), 2))).rejects.toBeInstanceOf(TypeError);
  });

  it("a task that fails stops reading and calls return(): the generator's finally runs", async () => {
    let finallyRan = false;
    let pulled = 0;
    async function* items(): AsyncGenerator<number> {
      try {
        for (let i = 0; ; i++) {
          pulled++;
          yield i;
        }
      } finally {
        finallyRan = true;
      }
    }
    const output = boundedMapFrom(items(), (i) => (i === 5 ? Promise.reject(new Error('task 5 failed')) : after(3, i)), 2);
    await expect(lastValueFrom(output)).rejects.toThrow('task 5 failed');
    await settle();
    expect(finallyRan).toBe(true);
    expect(pulled).toBeLessThanOrEqual(8);
  });

  it('never more than one next() in flight on an async iterator', async () => {
    const iterator = new ManualIterator();
    const values: number[] = [];
    let completed = false;
    boundedMapFrom(iterator, (x) => after(2, x), 8, { ordered: false }).subscribe({
      next: (x) => values.push(x),
      complete: () => (completed = true),
    });
    for (let i = 0; i < 5; i++) {
      expect(iterator.pending).toHaveLength(1);
      iterator.answer({ done: false, value: i });
      await settle();
    }
    iterator.answer({ done: true, value: undefined });
    await settle();
    expect(iterator.maxInFlight).toBe(1);
    expect(values).toEqual([0, 1, 2, 3, 4]);
    expect(completed).toBe(true);
    expect(iterator.returned).toBe(0);
  });

  it('unsubscribing while no next() is in flight calls return() at once', async () => {
    const iterator = new ManualIterator();
    const subscription = boundedMapFrom(iterator, () => new Observable<number>(() => {}), 1).subscribe();
    iterator.answer({ done: false, value: 0 });
    await settle();
    expect(iterator.pending).toHaveLength(0);
    subscription.unsubscribe();
    expect(iterator.returned).toBe(1);
  });

  it('unsubscribing while a next() is in flight calls return() at once; the item that next() brings later is dropped, nothing escapes', async () => {
    const iterator = new ManualIterator();
    const projected: number[] = [];
    const subscription = boundedMapFrom(
      iterator,
      (x) => {
        projected.push(x);
        return of(x);
      },
      2,
    ).subscribe();
    expect(iterator.pending).toHaveLength(1);
    subscription.unsubscribe();
    // Told now: an iterator whose next() waits for what may never come can withdraw it.
    expect(iterator.returned).toBe(1);
    iterator.answer({ done: false, value: 42 });
    await settle();
    expect(iterator.returned).toBe(1);
    expect(projected).toEqual([]);
    expect(iterator.pending).toHaveLength(0);
  });

  it('a next() that rejects after unsubscribe: nothing escapes, and return() is not called again', async () => {
    const iterator = new ManualIterator();
    const subscription = boundedMapFrom(iterator, (x) => of(x), 2).subscribe();
    subscription.unsubscribe();
    iterator.answer(new Error('late failure'));
    await settle();
    expect(iterator.returned).toBe(1);
  });

  it('a return() that rejects after unsubscribe goes to config.onUnhandledError', async () => {
    const iterator = new ManualIterator();
    const failure = new Error('return failed');
    iterator.returnResult = Promise.reject(failure);
    const subscription = boundedMapFrom(iterator, (x) => of(x), 2).subscribe();
    subscription.unsubscribe();
    iterator.answer({ done: false, value: 1 });
    await settle();
    // Reported as RxJS reports such errors: on a later job, not in the rejection's own.
    await reportsDelivered();
    expect(takeEscapedErrors()).toEqual([failure]);
  });

  it('an async iterator whose next() throws synchronously: its error is the output error', async () => {
    const failure = new Error('next threw');
    const input: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () => {
          throw failure;
        },
      }),
    };
    await expect(lastValueFrom(boundedMapFrom(input, (x) => of(x), 2))).rejects.toBe(failure);
  });

  it('an async iterator whose return() throws after unsubscribe: the error goes to config.onUnhandledError', () => {
    const failure = new Error('return threw');
    const iterator = new ManualIterator();
    iterator.return = () => {
      throw failure;
    };
    const subscription = boundedMapFrom(iterator, () => new Observable<number>(() => {}), 1).subscribe();
    iterator.answer({ done: false, value: 0 });
    return settle().then(async () => {
      subscription.unsubscribe();
      await reportsDelivered();
      expect(takeEscapedErrors()).toEqual([failure]);
    });
  });

  it('limiter: shared by two boundedMapFrom, never more than its tokens at once', async () => {
    const limiter = new CapacityLimiter(3);
    let active = 0;
    let max = 0;
    const task = (x: number): Observable<number> =>
      defer(async () => {
        max = Math.max(max, ++active);
        await after(3, null);
        active--;
        return x;
      });
    const [one, two] = await Promise.all([
      lastValueFrom(boundedMapFrom([...Array(20).keys()], task, 3, { limiter }).pipe(toArray())),
      lastValueFrom(boundedMapFrom([...Array(20).keys()], task, 3, { limiter, ordered: false }).pipe(toArray())),
    ]);
    expect(one).toEqual([...Array(20).keys()]);
    expect([...two].sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(max).toBe(3);
    expect(limiter.borrowedTokens).toBe(0);
  });

  it('returnErrors: a failed task is a value in its place, reading goes on to the end, and the iterator ends by itself (no return())', async () => {
    let finallyRan = false;
    let returned = false;
    async function* items(): AsyncGenerator<number> {
      try {
        for (let i = 0; i < 6; i++) yield i;
      } finally {
        finallyRan = true;
      }
    }
    const input: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => {
        const generator = items();
        return {
          next: () => generator.next(),
          return: () => {
            returned = true;
            return generator.return(undefined);
          },
        };
      },
    };
    const failure = new Error('task 2 failed');
    const output = boundedMapFrom(input, (i) => (i === 2 ? Promise.reject(failure) : after(6 - i, i)), 2, { returnErrors: true });
    expect(await lastValueFrom(output.pipe(toArray()))).toEqual([0, 1, failure, 3, 4, 5]);
    expect(finallyRan).toBe(true);
    expect(returned).toBe(false);
  });
});
