import { NEVER, Observable, VirtualTimeScheduler, from, of, take, throwError, type ObservableInput } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  Lock,
  Semaphore,
  asCompleted,
  boundedMap,
  boundedMapFrom,
  failAfter,
  failAt,
  gather,
  moveOnAfter,
  moveOnAt,
  race,
  taskGroup,
  withPermit,
  type Gate,
  type Task,
} from 'rxjs-concurrency';

/** Defeats the parameter types, to pass what a JavaScript caller could. */
const any = <T>(value: unknown): T => value as T;

/**
 * An endless synchronous source that counts the values read from it. A hard cap ends it, so that a
 * regression (a source that keeps running after its owner left) fails on the count instead of hanging.
 */
const CAP = 100_000;
function counting<T>(make: (n: number) => T): { readonly input: Iterable<T>; readonly read: () => number; readonly returned: () => boolean } {
  let read = 0;
  let returned = false;
  function* endless(): Generator<T> {
    try {
      while (read < CAP) yield make(++read);
    } finally {
      returned = true;
    }
  }
  return { input: { [Symbol.iterator]: endless }, read: () => read, returned: () => returned };
}

/** A scheduler whose timers never fire here: the deadline operators are not what ends these sources. */
const idle = (): VirtualTimeScheduler => new VirtualTimeScheduler();

describe('review finding 2: a synchronous source stops as soon as its consumer unsubscribes', () => {
  it('asCompleted + take(1) reads one task from an endless synchronous source, and closes its iterator', () => {
    const src = counting((n) => of(n));
    const out: unknown[] = [];
    from(src.input).pipe(asCompleted(), take(1)).subscribe((v) => out.push(v));
    expect(out).toEqual([[0, 1]]);
    expect(src.read()).toBe(1);
    expect(src.returned()).toBe(true);
  });

  it('asCompleted + take(5) reads exactly five tasks, with a limit too', () => {
    const src = counting((n) => of(n));
    const out: unknown[] = [];
    from(src.input).pipe(asCompleted({ limit: 2 }), take(5)).subscribe((v) => out.push(v));
    expect(out).toEqual([[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]]);
    expect(src.read()).toBe(5);
  });

  it('asCompleted: a task that fails synchronously stops the source at that task (fail-fast)', () => {
    const error = new Error('boom');
    const src = counting((n): ObservableInput<number> => (n === 3 ? throwError(() => error) : of(n)));
    const out: unknown[] = [];
    from(src.input).pipe(asCompleted()).subscribe({ next: (v) => out.push(v), error: (e: unknown) => out.push(e) });
    expect(out).toEqual([[0, 1], [1, 2], error]);
    expect(src.read()).toBe(3);
  });

  it('race reads one task from an endless synchronous source', () => {
    const src = counting((n) => of(n));
    const out: unknown[] = [];
    from(src.input).pipe(race()).subscribe({ next: (v) => out.push(v), complete: () => out.push('done') });
    expect(out).toEqual([1, 'done']);
    expect(src.read()).toBe(1);
    expect(src.returned()).toBe(true);
  });

  it('gather: a task that fails synchronously stops the source at that task', () => {
    const error = new Error('boom');
    const src = counting((n): ObservableInput<number> => (n === 4 ? throwError(() => error) : of(n)));
    const out: unknown[] = [];
    from(src.input).pipe(gather()).subscribe({ next: (v) => out.push(v), error: (e: unknown) => out.push(e) });
    expect(out).toEqual([error]);
    expect(src.read()).toBe(4);
  });

  it('gather: a consumer that unsubscribes from inside a synchronous source stops it there', () => {
    let consumer: { unsubscribe(): void } | undefined;
    const src = counting((n) => {
      if (n === 6) consumer?.unsubscribe();
      return of(n);
    });
    // The consumer's subscriber is reachable before the source runs, as a takeUntil's would be.
    new Observable<number[]>((subscriber) => {
      consumer = subscriber;
      return from(src.input).pipe(gather()).subscribe(subscriber);
    }).subscribe();
    expect(src.read()).toBe(6);
    expect(src.returned()).toBe(true);
  });

  it.each([
    ['failAfter', () => failAfter<number>(1_000, { scheduler: idle() })],
    ['moveOnAfter', () => moveOnAfter<number>(1_000, { scheduler: idle() })],
    ['failAt', () => failAt<number>(1_000, { scheduler: idle() })],
    ['moveOnAt', () => moveOnAt<number>(1_000, { scheduler: idle() })],
  ])('%s + take(1) reads one value from an endless synchronous source', (_name, operator) => {
    const src = counting((n) => n);
    const out: unknown[] = [];
    from(src.input).pipe(operator(), take(1)).subscribe({ next: (v) => out.push(v), complete: () => out.push('done') });
    expect(out).toEqual([1, 'done']);
    expect(src.read()).toBe(1);
    expect(src.returned()).toBe(true);
  });

  it('nested deadlines + take(3) read exactly three values', () => {
    const src = counting((n) => n);
    const out: unknown[] = [];
    from(src.input)
      .pipe(failAfter(1_000, { scheduler: idle() }), moveOnAt(5_000, { scheduler: idle() }), take(3))
      .subscribe((v) => out.push(v));
    expect(out).toEqual([1, 2, 3]);
    expect(src.read()).toBe(3);
  });

  it('taskGroup + take(1): the host, an endless synchronous source, is read once', () => {
    const src = counting((n) => n);
    const out: unknown[] = [];
    taskGroup(() => from(src.input))
      .pipe(take(1))
      .subscribe({ next: (v) => out.push(v), complete: () => out.push('done') });
    expect(out).toEqual([1, 'done']);
    expect(src.read()).toBe(1);
    expect(src.returned()).toBe(true);
  });

  it('taskGroup + take(1): a start() child that is an endless synchronous source is read once', () => {
    const src = counting((n) => n);
    const out: unknown[] = [];
    taskGroup((tg) => tg.start(from(src.input)))
      .pipe(take(1))
      .subscribe({ next: (v) => out.push(v), complete: () => out.push('done') });
    expect(out).toEqual([1, 'done']);
    expect(src.read()).toBe(1);
    expect(src.returned()).toBe(true);
  });

  it('taskGroup: tg.cancel() from inside a synchronous startSoon child stops that child there', () => {
    let cancel = (): void => undefined;
    const src = counting((n) => {
      if (n === 3) cancel();
      return n;
    });
    const out: unknown[] = [];
    taskGroup((tg) => {
      cancel = () => tg.cancel();
      tg.startSoon(from(src.input));
    }).subscribe({ next: (v) => out.push(v), error: (e: unknown) => out.push(e), complete: () => out.push('done') });
    expect(out).toEqual(['done']);
    expect(src.read()).toBe(3);
    expect(src.returned()).toBe(true);
  });

  it('boundedMap and Gate.run, which already stopped at once, still read one value', () => {
    const a = counting((n) => n);
    from(a.input).pipe(boundedMap((n) => of(n), 2), take(1)).subscribe();
    expect(a.read()).toBe(1);
    const b = counting((n) => n);
    new Lock().run(from(b.input)).pipe(take(1)).subscribe();
    expect(b.read()).toBe(1);
  });
});

describe('review finding 6: race cancels the losers before delivering the winner', () => {
  it('in the consumer’s next, every loser’s signal has aborted and its inner is unsubscribed', () => {
    const signals: AbortSignal[] = [];
    const live = new Set<number>();
    const loser = (id: number) => (signal: AbortSignal) => {
      signals.push(signal);
      return new Observable<never>(() => {
        live.add(id);
        return () => live.delete(id);
      });
    };
    const seen: unknown[] = [];
    from<Task<string>[]>([loser(0), loser(1), () => of('win'), loser(3)])
      .pipe(race())
      .subscribe((value) => seen.push(value, signals.map((s) => s.aborted), [...live]));
    // The source was cancelled too: the task after the winner was never started.
    expect(seen).toEqual(['win', [true, true], []]);
    expect(signals).toHaveLength(2);
  });

  it('the error path is unchanged: losers are cancelled before the error arrives', () => {
    const signals: AbortSignal[] = [];
    const error = new Error('boom');
    const seen: unknown[] = [];
    from([
      (signal: AbortSignal) => {
        signals.push(signal);
        return NEVER;
      },
      throwError(() => error),
    ])
      .pipe(race())
      .subscribe({ error: (e: unknown) => seen.push(e, signals.map((s) => s.aborted)) });
    expect(seen).toEqual([error, [true]]);
  });
});

describe('review finding 9: bad options throw at call time', () => {
  const project = (n: number) => of(n);
  it.each<[string, () => unknown, typeof TypeError, string]>([
    ['withPermit(null)', () => withPermit(any<Gate>(null)), TypeError, 'withPermit: gate must be an object, received null'],
    ['withPermit(undefined)', () => withPermit(any<Gate>(undefined)), TypeError, 'withPermit: gate must be an object, received undefined'],
    ['withPermit(null, 1)', () => withPermit(any<Gate>(null), 1), TypeError, 'withPermit: gate must be an object, received null'],
    ['failAfter options null', () => failAfter(10, any(null)), TypeError, 'failAfter: options must be an object, received null'],
    ['failAfter options.scheduler {}', () => failAfter(10, { scheduler: any({}) }), TypeError, 'failAfter: options.scheduler must be a SchedulerLike (with now() and schedule()), received an object'],
    ['moveOnAfter options.scheduler 42', () => moveOnAfter(10, { scheduler: any(42) }), TypeError, 'moveOnAfter: options.scheduler must be a SchedulerLike (with now() and schedule()), received 42'],
    ['failAt options.scheduler null', () => failAt(10, { scheduler: any(null) }), TypeError, 'failAt: options.scheduler must be a SchedulerLike (with now() and schedule()), received null'],
    ['moveOnAt options.scheduler { now }', () => moveOnAt(10, { scheduler: any({ now: () => 0 }) }), TypeError, 'moveOnAt: options.scheduler must be a SchedulerLike (with now() and schedule()), received an object'],
    ['moveOnAt options "fast"', () => moveOnAt(10, any('fast')), TypeError, 'moveOnAt: options must be an object, received "fast"'],
    ['gather returnErrors "yes"', () => gather({ returnErrors: any('yes') }), TypeError, 'gather: returnErrors must be a boolean, received "yes"'],
    ['gather options 1', () => gather(any(1)), TypeError, 'gather: options must be an object, received 1'],
    ['asCompleted returnErrors 1', () => asCompleted({ returnErrors: any(1) }), TypeError, 'asCompleted: returnErrors must be a boolean, received 1'],
    ['asCompleted options null', () => asCompleted(any(null)), TypeError, 'asCompleted: options must be an object, received null'],
    ['boundedMap ordered "no"', () => boundedMap(project, 2, { ordered: any('no') }), TypeError, 'boundedMap: options.ordered must be a boolean, received "no"'],
    ['boundedMapFrom ordered 0', () => boundedMapFrom([1], project, 2, { ordered: any(0) }), TypeError, 'boundedMapFrom: options.ordered must be a boolean, received 0'],
    ['new Semaphore(1, 5)', () => new Semaphore(1, any(5)), TypeError, 'Semaphore: options must be an object, received 5'],
    ['new Semaphore(1, null)', () => new Semaphore(1, any(null)), TypeError, 'Semaphore: options must be an object, received null'],
  ])('%s', (_name, call, ErrorClass, message) => {
    expect(call).toThrow(ErrorClass);
    expect(call).toThrow(message);
  });

  it('accepts every valid form: a real or duck-typed scheduler, booleans, undefined fields', () => {
    const scheduler = new TestScheduler(() => undefined);
    const duck = { now: () => 0, schedule: () => ({ unsubscribe: () => undefined }) };
    expect(() => failAfter(10, { scheduler })).not.toThrow();
    expect(() => moveOnAt(10, { scheduler: any(duck) })).not.toThrow();
    expect(() => failAt(10, {})).not.toThrow();
    expect(() => moveOnAfter(10, { scheduler: undefined })).not.toThrow();
    expect(() => gather({ returnErrors: true })).not.toThrow();
    expect(() => asCompleted({ returnErrors: false, limit: undefined })).not.toThrow();
    expect(() => boundedMap(project, 2, { ordered: false, limiter: undefined })).not.toThrow();
    expect(() => new Semaphore(1, { maxValue: undefined })).not.toThrow();
    expect(() => withPermit(new Lock())).not.toThrow();
  });
});
