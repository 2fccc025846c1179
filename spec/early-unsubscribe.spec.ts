import { NEVER, Observable, VirtualTimeScheduler, from, of, take, throwError, type ObservableInput } from 'rxjs';
import {
  Lock,
  asCompleted,
  boundedMap,
  failAfter,
  failAt,
  gather,
  moveOnAfter,
  moveOnAt,
  race,
  taskGroup,
  type Task,
} from 'rxjs-concurrency';
import { counting } from './setup/counting';

/** A scheduler whose timers never fire here: the deadline operators are not what ends these sources. */
const idle = (): VirtualTimeScheduler => new VirtualTimeScheduler();

describe('a synchronous source stops as soon as its consumer unsubscribes', () => {
  it('asCompleted + take(1) reads one task from an endless synchronous source, and closes its iterator', () => {
    const src = counting((n) => of(n));
    const out: unknown[] = [];
    from(src.input)
      .pipe(asCompleted(), take(1))
      .subscribe((v) => out.push(v));
    expect(out).toEqual([[0, 1]]);
    expect(src.read()).toBe(1);
    expect(src.returned()).toBe(true);
  });

  it('asCompleted + take(5) reads exactly five tasks, with a limit too', () => {
    const src = counting((n) => of(n));
    const out: unknown[] = [];
    from(src.input)
      .pipe(asCompleted({ limit: 2 }), take(5))
      .subscribe((v) => out.push(v));
    expect(out).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 5],
    ]);
    expect(src.read()).toBe(5);
  });

  it('asCompleted: a task that fails synchronously stops the source at that task (fail-fast)', () => {
    const error = new Error('boom');
    const src = counting((n): ObservableInput<number> => (n === 3 ? throwError(() => error) : of(n)));
    const out: unknown[] = [];
    from(src.input)
      .pipe(asCompleted())
      .subscribe({ next: (v) => out.push(v), error: (e: unknown) => out.push(e) });
    expect(out).toEqual([[0, 1], [1, 2], error]);
    expect(src.read()).toBe(3);
  });

  it('race reads one task from an endless synchronous source', () => {
    const src = counting((n) => of(n));
    const out: unknown[] = [];
    from(src.input)
      .pipe(race())
      .subscribe({ next: (v) => out.push(v), complete: () => out.push('done') });
    expect(out).toEqual([1, 'done']);
    expect(src.read()).toBe(1);
    expect(src.returned()).toBe(true);
  });

  it('gather: a task that fails synchronously stops the source at that task', () => {
    const error = new Error('boom');
    const src = counting((n): ObservableInput<number> => (n === 4 ? throwError(() => error) : of(n)));
    const out: unknown[] = [];
    from(src.input)
      .pipe(gather())
      .subscribe({ next: (v) => out.push(v), error: (e: unknown) => out.push(e) });
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
    from(src.input)
      .pipe(operator(), take(1))
      .subscribe({ next: (v) => out.push(v), complete: () => out.push('done') });
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
    from(a.input)
      .pipe(
        boundedMap((n) => of(n), 2),
        take(1),
      )
      .subscribe();
    expect(a.read()).toBe(1);
    const b = counting((n) => n);
    new Lock().run(from(b.input)).pipe(take(1)).subscribe();
    expect(b.read()).toBe(1);
  });
});

describe('race cancels the losers before delivering the winner', () => {
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
      .subscribe((value) =>
        seen.push(
          value,
          signals.map((s) => s.aborted),
          [...live],
        ),
      );
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
      .subscribe({
        error: (e: unknown) =>
          seen.push(
            e,
            signals.map((s) => s.aborted),
          ),
      });
    expect(seen).toEqual([error, [true]]);
  });
});
