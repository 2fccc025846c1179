import { NEVER, Observable, Subject, Subscription, defer, lastValueFrom, of, range, take, toArray } from 'rxjs';
import { testScheduler } from './setup/test-scheduler';
import { CapacityLimiter, boundedMap, isCancelled, retry } from 'rxjs-concurrency';
import { MILLION } from './property/params';
import { scale } from './setup/scale';

/** A synchronous source that emits 0, 1, 2... until it is unsubscribed. */
const endless = (): Observable<number> =>
  new Observable<number>((subscriber) => {
    for (let i = 0; !subscriber.closed; i++) subscriber.next(i);
  });

describe('boundedMap: synchronous tasks', () => {
  it.each([true, false])('PITFALLS 9: 10^6 synchronous inners (ordered: %p) never overflow the stack', (ordered) => {
    let count = 0;
    let sum = 0;
    let completed = false;
    range(0, MILLION)
      .pipe(boundedMap((x) => of(x), 8, { ordered }))
      .subscribe({ next: (x) => ((count += 1), (sum += x)), complete: () => (completed = true) });
    expect(count).toBe(MILLION);
    expect(sum).toBe(((MILLION - 1) * MILLION) / 2);
    expect(completed).toBe(true);
  });

  it('PITFALLS 9: 10^5 synchronous inners through a shared limiter never overflow the stack', () => {
    const n = scale(100_000);
    const limiter = new CapacityLimiter(3);
    let count = 0;
    range(0, n)
      .pipe(boundedMap((x) => of(x), 8, { limiter }))
      .subscribe(() => count++);
    expect(count).toBe(n);
    expect(limiter.borrowedTokens).toBe(0);
  });

  it.each([
    [true, 3],
    [false, 3],
    [true, 1],
    [false, Infinity],
  ])(
    'PITFALLS 10 (ReactiveX/rxjs#7334): 1000 synchronous inners (ordered: %p, limit %p): the output completes, every inner subscription is closed',
    (ordered, limit) => {
      const inners: Subscription[] = [];
      let finalized = 0;
      const task = (x: number): Observable<number> =>
        new Observable<number>((subscriber) => {
          inners.push(subscriber);
          subscriber.next(x);
          subscriber.complete();
          return () => finalized++;
        });
      const values: number[] = [];
      let completed = false;
      const subscription = range(0, 1000)
        .pipe(boundedMap(task, limit, { ordered }))
        .subscribe({ next: (x) => values.push(x), complete: () => (completed = true) });
      expect(completed).toBe(true);
      expect(subscription.closed).toBe(true);
      expect(values).toHaveLength(1000);
      if (ordered) expect(values).toEqual([...Array(1000).keys()]);
      expect(finalized).toBe(1000);
      expect(inners.every((s) => s.closed)).toBe(true);
    },
  );

  it('take(n) downstream stops an endless synchronous source', () => {
    const values: number[] = [];
    endless()
      .pipe(
        boundedMap((x) => of(x), 4),
        take(5),
      )
      .subscribe((x) => values.push(x));
    expect(values).toHaveLength(5);
  });

  it('take(n) downstream stops an endless synchronous task', () => {
    const values: number[] = [];
    of(1, 2)
      .pipe(
        boundedMap(() => endless(), 2, { ordered: false }),
        take(5),
      )
      .subscribe((x) => values.push(x));
    expect(values).toEqual([0, 1, 2, 3, 4]);
  });

  it('a project that returns something that is not an ObservableInput errors the output', () => {
    let error: unknown;
    of(1)
      .pipe(boundedMap(() => null as unknown as Observable<number>, 2))
      .subscribe({ error: (e: unknown) => (error = e) });
    expect(error).toBeInstanceOf(TypeError);
  });

  it('each subscription starts afresh', async () => {
    const doubled = of(1, 2, 3).pipe(boundedMap((x) => Promise.resolve(x * 2), 2));
    expect(await lastValueFrom(doubled.pipe(toArray()))).toEqual([2, 4, 6]);
    expect(await lastValueFrom(doubled.pipe(toArray()))).toEqual([2, 4, 6]);
  });
});

describe('boundedMap: the cancellation signal', () => {
  it('is made for a project that declares it; aborts with a cancellation reason on unsubscribe, only for unfinished tasks', () => {
    const signals: AbortSignal[] = [];
    const never = new Observable<number>(() => {});
    const subscription = of(0, 1, 2)
      .pipe(
        boundedMap((x: number, _index: number, signal: AbortSignal) => {
          signals.push(signal);
          return x === 0 ? of(x) : never;
        }, 3),
      )
      .subscribe();
    expect(signals).toHaveLength(3);
    expect(signals.map((s) => s.aborted)).toEqual([false, false, false]);
    subscription.unsubscribe();
    expect(signals.map((s) => s.aborted)).toEqual([false, true, true]);
    expect(isCancelled(signals[1]!.reason)).toBe(true);
  });

  it('aborts when a sibling fails (fail fast), and a fetch-like task sees it', async () => {
    const seen: unknown[] = [];
    const slow = (signal: AbortSignal): Promise<number> =>
      new Promise<number>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    const output = of(0, 1).pipe(
      boundedMap((x: number, _i: number, signal: AbortSignal) => {
        if (x === 0) {
          const promise = slow(signal);
          promise.catch((e: unknown) => seen.push(e));
          return promise;
        }
        return Promise.reject(new Error('sibling failed'));
      }, 2),
    );
    await expect(lastValueFrom(output)).rejects.toThrow('sibling failed');
    expect(seen).toHaveLength(1);
    expect(isCancelled(seen[0])).toBe(true);
  });

  it('a project written without the parameter gets no signal (none is made)', () => {
    const lengths: number[] = [];
    of(1)
      .pipe(
        boundedMap(function (this: unknown, x: number) {
          lengths.push(arguments.length);
          return of(x);
        }, 1),
      )
      .subscribe();
    expect(lengths).toEqual([2]);
  });

  it('a project that declares no parameter (a wrapper) gets a signal, aborted when its task is cancelled', () => {
    const signals: (AbortSignal | undefined)[] = [];
    const wrap =
      (f: (value: number, index: number, signal: AbortSignal) => Observable<number>) =>
      (...args: [number, number, AbortSignal]) =>
        f(...args);
    const subscription = of(1, 2)
      .pipe(
        boundedMap(
          wrap((_v, _i, signal) => (signals.push(signal), NEVER)),
          2,
        ),
      )
      .subscribe();
    expect(signals.map((s) => s?.aborted)).toEqual([false, false]);
    subscription.unsubscribe();
    expect(signals.map((s) => s?.aborted)).toEqual([true, true]);
  });
});

describe('boundedMap: re-entrancy and limiter cancellation', () => {
  it('a consumer that feeds the source from its next handler: 10^5 round trips, in order, constant stack', () => {
    const n = scale(100_000);
    const subject = new Subject<number>();
    const values: number[] = [];
    let completed = false;
    subject.pipe(boundedMap((x) => of(x), 2)).subscribe({
      next: (x) => {
        values.push(x);
        if (x < n) subject.next(x + 1);
        else subject.complete();
      },
      complete: () => (completed = true),
    });
    subject.next(0);
    expect(values).toHaveLength(n + 1);
    expect(values[n]).toBe(n);
    expect(completed).toBe(true);
  });

  it('limiter: unsubscribing cancels running tasks (signal aborted) and waiting ones (project never called); tokens come back', () => {
    const limiter = new CapacityLimiter(1);
    const signals: AbortSignal[] = [];
    const never = new Observable<number>(() => {});
    const subscription = of(0, 1, 2)
      .pipe(
        boundedMap(
          (_x: number, _i: number, signal: AbortSignal) => {
            signals.push(signal);
            return never;
          },
          3,
          { limiter },
        ),
      )
      .subscribe();
    // All three started; only the first holds the limiter's token, the others wait for it.
    expect(signals).toHaveLength(1);
    expect(limiter.borrowedTokens).toBe(1);
    subscription.unsubscribe();
    expect(signals[0]!.aborted).toBe(true);
    expect(isCancelled(signals[0]!.reason)).toBe(true);
    expect(signals).toHaveLength(1);
    expect(limiter.borrowedTokens).toBe(0);
    let waiting = -1;
    limiter.state$.pipe(take(1)).subscribe((state) => (waiting = state.waiting));
    expect(waiting).toBe(0);
  });
});

describe('boundedMap / retry: a misbehaving source', () => {
  const rude = (): Observable<number> =>
    new Observable<number>((subscriber) => {
      subscriber.next(1);
      subscriber.complete();
      subscriber.next(2);
      subscriber.error(new Error('after complete'));
      subscriber.complete();
    });

  it('as a task: nothing after its completion is delivered', () => {
    const values: number[] = [];
    let completions = 0;
    of(0, 1)
      .pipe(boundedMap(() => rude(), 1))
      .subscribe({ next: (x) => values.push(x), complete: () => completions++ });
    expect(values).toEqual([1, 1]);
    expect(completions).toBe(1);
  });

  it('as the source of boundedMap and of retry: nothing after its completion is delivered', () => {
    const values: number[] = [];
    let completions = 0;
    rude()
      .pipe(
        boundedMap((x) => of(x), 1),
        retry(),
      )
      .subscribe({ next: (x) => values.push(x), complete: () => completions++ });
    expect(values).toEqual([1]);
    expect(completions).toBe(1);
  });
});

describe('boundedMap: the FIFO of source values waiting for a slot', () => {
  it('keeps 5,000 queued values in order while it drains (and compacts)', () => {
    testScheduler().run(({ cold, flush }) => {
      const values: number[] = [];
      range(0, 5000)
        .pipe(boundedMap((x) => cold('-(x|)', { x }), 1, { ordered: false }))
        .subscribe((x) => values.push(x));
      flush();
      expect(values).toEqual([...Array(5000).keys()]);
    });
  });
});

describe('boundedMap: fail fast behind a limiter', () => {
  it('a task that fails hands its permit to no task of the same map: their projects never run', () => {
    const limiter = new CapacityLimiter(1);
    const first = new Subject<number>();
    const projected: number[] = [];
    let error: unknown;
    of(0, 1, 2)
      .pipe(
        boundedMap(
          (x: number) => {
            projected.push(x);
            return x === 0 ? first : of(x);
          },
          3,
          { limiter },
        ),
      )
      .subscribe({ error: (e: unknown) => (error = e) });
    expect(projected).toEqual([0]);
    first.error('first failed');
    expect(error).toBe('first failed');
    expect(projected).toEqual([0]);
    expect(limiter.borrowedTokens).toBe(0);
  });
});

describe('retry: synchronous sources', () => {
  it('a first-try success mirrors the source', () => {
    const values: number[] = [];
    let completed = false;
    range(0, 5)
      .pipe(retry())
      .subscribe({ next: (x) => values.push(x), complete: () => (completed = true) });
    expect(values).toEqual([0, 1, 2, 3, 4]);
    expect(completed).toBe(true);
  });

  it('take(n) downstream stops an endless synchronous source', () => {
    const values: number[] = [];
    endless()
      .pipe(retry(), take(3))
      .subscribe((x) => values.push(x));
    expect(values).toEqual([0, 1, 2]);
  });

  it('an endless synchronous source unsubscribed during a later attempt stops too', async () => {
    let attempt = 0;
    const source = defer(() => (++attempt === 1 ? Promise.reject(new Error('first')) : endless()));
    const values = await lastValueFrom(source.pipe(retry({ baseDelay: 0 }), take(3), toArray()));
    expect(values).toEqual([0, 1, 2]);
    expect(attempt).toBe(2);
  });
});
