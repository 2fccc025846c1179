import { of } from 'rxjs';
import { CapacityLimiter, Lock, Semaphore, withPermit, type Gate } from 'rxjs-concurrency';
import { thrown } from './setup/thrown';

/** The exact class (not a subclass) and the exact message. */
function expectError(fn: () => unknown, ErrorClass: typeof RangeError | typeof TypeError, message: string): void {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(ErrorClass);
  expect((error as Error).constructor).toBe(ErrorClass);
  expect((error as Error).message).toBe(message);
}

const bad = (value: unknown): never => value as never;

describe('Semaphore: constructor arguments', () => {
  it.each([
    [-1, RangeError, 'Semaphore: initialValue must be an integer >= 0, received -1'],
    [NaN, RangeError, 'Semaphore: initialValue must be an integer >= 0, received NaN'],
    [1.5, RangeError, 'Semaphore: initialValue must be an integer >= 0, received 1.5'],
    [Infinity, RangeError, 'Semaphore: initialValue must be an integer >= 0, received Infinity'],
    ['1', TypeError, 'Semaphore: initialValue must be an integer >= 0, received "1"'],
    [undefined, TypeError, 'Semaphore: initialValue must be an integer >= 0, received undefined'],
  ])('initialValue %p throws %p: %s', (value, ErrorClass, message) => {
    expectError(() => new Semaphore(bad(value)), ErrorClass, message);
  });

  it.each([
    [3, 2, RangeError, 'Semaphore: options.maxValue must be an integer >= 3 or Infinity, received 2'],
    [0, 0, RangeError, 'Semaphore: options.maxValue must be an integer >= 1 or Infinity, received 0'],
    [1, 1.5, RangeError, 'Semaphore: options.maxValue must be an integer >= 1 or Infinity, received 1.5'],
    [1, NaN, RangeError, 'Semaphore: options.maxValue must be an integer >= 1 or Infinity, received NaN'],
    [1, '2', TypeError, 'Semaphore: options.maxValue must be an integer >= 1 or Infinity, received "2"'],
  ])('initialValue %p with maxValue %p throws %p: %s', (initialValue, maxValue, ErrorClass, message) => {
    expectError(() => new Semaphore(initialValue, { maxValue: bad(maxValue) }), ErrorClass, message);
  });

  it('accepts 0, maxValue equal to initialValue, and maxValue Infinity', () => {
    expect(new Semaphore(0).value).toBe(0);
    expect(new Semaphore(0).maxValue).toBe(Infinity);
    expect(new Semaphore(2, { maxValue: 2 }).maxValue).toBe(2);
    expect(new Semaphore(0, { maxValue: 1 }).maxValue).toBe(1);
    expect(new Semaphore(2, { maxValue: Infinity }).maxValue).toBe(Infinity);
  });
});

describe('Semaphore: weights, at call time (nothing is queued)', () => {
  const calls: [string, (sem: Semaphore, weight: number) => unknown][] = [
    ['acquire', (sem, weight) => sem.acquire(weight)],
    ['run', (sem, weight) => sem.run(of(1), weight)],
    ['tryAcquire', (sem, weight) => sem.tryAcquire(weight)],
  ];
  const weights: [unknown, typeof RangeError | typeof TypeError, string][] = [
    [0, RangeError, 'Semaphore: weight must be an integer >= 1, received 0'],
    [-1, RangeError, 'Semaphore: weight must be an integer >= 1, received -1'],
    [NaN, RangeError, 'Semaphore: weight must be an integer >= 1, received NaN'],
    [1.5, RangeError, 'Semaphore: weight must be an integer >= 1, received 1.5'],
    [Infinity, RangeError, 'Semaphore: weight must be an integer >= 1, received Infinity'],
    ['2', TypeError, 'Semaphore: weight must be an integer >= 1, received "2"'],
    [3, RangeError, 'Semaphore: weight must be <= maxValue 2, received 3'],
  ];
  const table = calls.flatMap(([name, call]) =>
    weights.map(([weight, ErrorClass, message]) => [name, weight, ErrorClass, message, call] as const),
  );

  it.each(table)('%s(weight %p) throws %p: %s', (_name, weight, ErrorClass, message, call) => {
    const sem = new Semaphore(2, { maxValue: 2 });
    expectError(() => call(sem, bad(weight)), ErrorClass, message);
    expect([sem.value, sem.waiting]).toEqual([2, 0]);
  });

  it('a weight above the current value but within maxValue is accepted (it can be granted later)', () => {
    const sem = new Semaphore(0, { maxValue: 5 });
    expect(sem.tryAcquire(5)).toBeUndefined();
    const subscription = sem.acquire(5).subscribe();
    expect(sem.waiting).toBe(1);
    subscription.unsubscribe();
  });
});

describe('Semaphore.release(count)', () => {
  it.each([
    [-1, RangeError, 'Semaphore.release: count must be an integer >= 0, received -1'],
    [1.5, RangeError, 'Semaphore.release: count must be an integer >= 0, received 1.5'],
    [NaN, RangeError, 'Semaphore.release: count must be an integer >= 0, received NaN'],
    ['1', TypeError, 'Semaphore.release: count must be an integer >= 0, received "1"'],
  ])('count %p throws %p and adds nothing', (count, ErrorClass, message) => {
    const sem = new Semaphore(1);
    expectError(() => sem.release(bad(count)), ErrorClass, message);
    expect(sem.value).toBe(1);
  });

  it.each([
    [1, { maxValue: 1 }, 1, 'Semaphore.release: count must keep the permits within maxValue 1, received 1 with 1 permits in existence'],
    [1, { maxValue: 3 }, 3, 'Semaphore.release: count must keep the permits within maxValue 3, received 3 with 1 permits in existence'],
    [0, { maxValue: 2 }, 3, 'Semaphore.release: count must keep the permits within maxValue 2, received 3 with 0 permits in existence'],
  ])('past maxValue: Semaphore(%p, %p).release(%p) throws RangeError and adds nothing', (initialValue, options, count, message) => {
    const sem = new Semaphore(initialValue, options);
    expectError(() => sem.release(count), RangeError, message);
    expect(sem.value).toBe(initialValue);
  });

  it('past maxValue counts held permits too: a holder does not make room for a release', () => {
    const sem = new Semaphore(1, { maxValue: 1 });
    const permit = sem.tryAcquire()!;
    expectError(
      () => sem.release(),
      RangeError,
      'Semaphore.release: count must keep the permits within maxValue 1, received 1 with 1 permits in existence',
    );
    permit.release();
    expect(sem.value).toBe(1);
  });
});

describe('CapacityLimiter: totalTokens', () => {
  const values: [unknown, typeof RangeError | typeof TypeError, string][] = [
    [0, RangeError, 'CapacityLimiter: totalTokens must be an integer >= 1 or Infinity, received 0'],
    [-1, RangeError, 'CapacityLimiter: totalTokens must be an integer >= 1 or Infinity, received -1'],
    [NaN, RangeError, 'CapacityLimiter: totalTokens must be an integer >= 1 or Infinity, received NaN'],
    [1.5, RangeError, 'CapacityLimiter: totalTokens must be an integer >= 1 or Infinity, received 1.5'],
    [-Infinity, RangeError, 'CapacityLimiter: totalTokens must be an integer >= 1 or Infinity, received -Infinity'],
    ['2', TypeError, 'CapacityLimiter: totalTokens must be an integer >= 1 or Infinity, received "2"'],
  ];

  it.each(values)('constructor(%p) throws %p', (value, ErrorClass, message) => {
    expectError(() => new CapacityLimiter(bad(value)), ErrorClass, message);
  });

  it.each(values)('setter = %p throws %p and changes nothing', (value, ErrorClass, message) => {
    const limiter = new CapacityLimiter(2);
    const permit = limiter.tryAcquire()!;
    expectError(
      () => {
        limiter.totalTokens = bad(value);
      },
      ErrorClass,
      message,
    );
    expect([limiter.totalTokens, limiter.borrowedTokens, limiter.availableTokens]).toEqual([2, 1, 1]);
    permit.release();
  });

  it('accepts Infinity', () => {
    const limiter = new CapacityLimiter(Infinity);
    expect(limiter.availableTokens).toBe(Infinity);
    limiter.totalTokens = 1;
    limiter.totalTokens = Infinity;
    expect(limiter.totalTokens).toBe(Infinity);
  });
});

describe('CapacityLimiter.acquireOnBehalfOf(borrower)', () => {
  it.each([
    [null, 'CapacityLimiter.acquireOnBehalfOf: borrower must be an object, received null'],
    [undefined, 'CapacityLimiter.acquireOnBehalfOf: borrower must be an object, received undefined'],
    [42, 'CapacityLimiter.acquireOnBehalfOf: borrower must be an object, received 42'],
    ['me', 'CapacityLimiter.acquireOnBehalfOf: borrower must be an object, received "me"'],
  ])('%p throws TypeError at call time', (borrower, message) => {
    const limiter = new CapacityLimiter(1);
    expectError(() => limiter.acquireOnBehalfOf(bad(borrower)), TypeError, message);
    expect(limiter.borrowedTokens).toBe(0);
  });

  it('accepts any object, functions included', () => {
    const limiter = new CapacityLimiter(2);
    const a = limiter.acquireOnBehalfOf({}).subscribe();
    const b = limiter.acquireOnBehalfOf(() => undefined).subscribe();
    expect(limiter.borrowedTokens).toBe(2);
    a.unsubscribe();
    b.unsubscribe();
  });
});

describe('withPermit(gate, weight)', () => {
  it.each([
    ['Lock', 0, RangeError, 'withPermit: weight must be an integer >= 1, received 0', () => new Lock()],
    ['Lock', 2, RangeError, 'withPermit: weight must be 1 for a gate that is not a Semaphore, received 2', () => new Lock()],
    [
      'CapacityLimiter',
      2,
      RangeError,
      'withPermit: weight must be 1 for a gate that is not a Semaphore, received 2',
      () => new CapacityLimiter(4),
    ],
    ['Semaphore', 0, RangeError, 'withPermit: weight must be an integer >= 1, received 0', () => new Semaphore(4)],
    ['Semaphore', 1.5, RangeError, 'withPermit: weight must be an integer >= 1, received 1.5', () => new Semaphore(4)],
    ['Semaphore', NaN, RangeError, 'withPermit: weight must be an integer >= 1, received NaN', () => new Semaphore(4)],
    ['Semaphore', '1', TypeError, 'withPermit: weight must be an integer >= 1, received "1"', () => new Semaphore(4)],
  ] as [string, unknown, typeof RangeError, string, () => Gate][])(
    '%s with weight %p throws %p: %s',
    (_name, weight, ErrorClass, message, make) => {
      expectError(() => withPermit(make(), bad(weight)), ErrorClass, message);
    },
  );

  it('a weight above a Semaphore maxValue throws at call time, before anything is subscribed', () => {
    const sem = new Semaphore(2, { maxValue: 2 });
    expectError(() => withPermit<number>(sem, 3), RangeError, 'withPermit: weight must be <= maxValue 2, received 3');
    expect([sem.value, sem.waiting]).toEqual([2, 0]);
  });

  it('weight 1 is accepted on any gate', () => {
    const values: number[] = [];
    of(1)
      .pipe(withPermit(new Lock(), 1))
      .subscribe((v) => values.push(v));
    of(2)
      .pipe(withPermit(new CapacityLimiter(1), 1))
      .subscribe((v) => values.push(v));
    expect(values).toEqual([1, 2]);
  });
});

describe('run(work) with something that is not a task', () => {
  const message = (value: string): string =>
    `run: work must be an ObservableInput or a function (signal) => ObservableInput, received ${value}`;

  it.each([
    ['Lock', () => new Lock()],
    ['Semaphore', () => new Semaphore(1)],
    ['CapacityLimiter', () => new CapacityLimiter(1)],
  ] as [string, () => Gate][])('%s.run(123) is a TypeError at call time and queues nothing', (_name, make) => {
    const gate = make();
    expectError(() => gate.run(bad(123)), TypeError, message('123'));
    expectError(() => gate.run(bad(null)), TypeError, message('null'));
    expectError(() => gate.run(bad({})), TypeError, message('an object'));
    expect(gate.tryAcquire()?.released).toBe(false);
  });

  it('withPermit over a gate rejects the same way when piped', () => {
    expectError(() => withPermit(new Lock())(bad(123)), TypeError, message('123'));
  });
});

describe('acquireAsync with a bad signal', () => {
  it.each([
    [{ aborted: false }, 'an object'],
    ['signal', '"signal"'],
    [null, 'null'],
  ])('options.signal %p throws a TypeError at call time and queues nothing, so no permit is stranded', (signal, shown) => {
    const lock = new Lock();
    const holder = lock.tryAcquire()!;
    expectError(
      () => lock.acquireAsync({ signal: signal as unknown as AbortSignal }),
      TypeError,
      `acquireAsync: options.signal must be an AbortSignal, received ${shown}`,
    );
    expect(lock.waiting).toBe(0);
    holder.release();
    expect(lock.locked).toBe(false);
  });
});
