import {
  EMPTY,
  Subject,
  firstValueFrom,
  forkJoin,
  from,
  lastValueFrom,
  map,
  of,
  range,
  take,
  tap,
  toArray,
  type Observable,
  type OperatorFunction,
} from 'rxjs';
import { asCompleted, gather, isCancelled, race, type DeferredTask, type Task } from 'rxjs-concurrency';
import { MILLION } from './property/params';
import { scale } from './setup/scale';

describe('operators gather / race / asCompleted', () => {
  describe('PITFALLS 14 (forkJoin completes silently on an empty source)', () => {
    it('gather of an empty source emits [] where forkJoin emits nothing', () => {
      const gathered: unknown[] = [];
      EMPTY.pipe(gather()).subscribe((v) => gathered.push(v));
      expect(gathered).toEqual([[]]);
      const joined: unknown[] = [];
      forkJoin([]).subscribe((v) => joined.push(v));
      expect(joined).toEqual([]);
    });

    it('a task with no value contributes undefined, where forkJoin would emit nothing', () => {
      const gathered: unknown[][] = [];
      from<Task<unknown>[]>([of(1), EMPTY, Promise.resolve(), []])
        .pipe(gather())
        .subscribe((v) => gathered.push(v));
      return Promise.resolve().then(() => {
        expect(gathered).toEqual([[1, undefined, undefined, undefined]]);
        expect(gathered[0]).toHaveLength(4);
      });
    });
  });

  describe('tasks of every kind', () => {
    it('gather takes promises, arrays and factories', async () => {
      const tasks: Task<number>[] = [Promise.resolve(1), [5, 2], (signal) => (signal.aborted ? [] : of(3))];
      await expect(lastValueFrom(from(tasks).pipe(gather()))).resolves.toEqual([1, 2, 3]);
    });

    it('something that is not a task is a failed task: a TypeError, or its slot with returnErrors', async () => {
      const bad = 42 as unknown as Task<number>;
      await expect(lastValueFrom(from([of(1), bad]).pipe(gather()))).rejects.toThrow(TypeError);
      const [first, second] = await lastValueFrom(from([of(1), bad]).pipe(gather({ returnErrors: true })));
      expect(first).toBe(1);
      expect(second).toBeInstanceOf(TypeError);
    });

    it.each([
      ['gather', gather<number>()],
      ['race', race<number>()],
      ['asCompleted', asCompleted<number>()],
    ] as const)('%s names itself in the TypeError of a value that is not a task', async (name, operator) => {
      const bad = 42 as unknown as Task<number>;
      await expect(lastValueFrom(from([bad]).pipe(operator as OperatorFunction<Task<number>, unknown>))).rejects.toThrow(
        new TypeError(`${name}: task must be an ObservableInput or a function (signal) => ObservableInput, received 42`),
      );
    });

    it('race aborts the losing fetch-like factories when the winner settles', async () => {
      const reasons: unknown[] = [];
      const slow: Task<string> = (signal) =>
        new Promise<string>((_, reject) => {
          signal.addEventListener('abort', () => {
            reasons.push(signal.reason);
            reject(signal.reason);
          });
        });
      await expect(firstValueFrom(from([slow, Promise.resolve('fast'), slow]).pipe(race()))).resolves.toBe('fast');
      expect(reasons).toHaveLength(2);
      expect(reasons.every(isCancelled)).toBe(true);
    });

    it('asCompleted with take(1) aborts every factory still running and never calls a queued one', async () => {
      const signals: AbortSignal[] = [];
      const never: Task<string> = (signal) => {
        signals.push(signal);
        return new Promise<string>(() => {});
      };
      const first = await firstValueFrom(from([never, never, () => Promise.resolve('done'), never]).pipe(asCompleted({ limit: 3 })));
      expect(first).toEqual([2, 'done']);
      expect(signals).toHaveLength(2);
      expect(signals.every((s) => s.aborted && isCancelled(s.reason))).toBe(true);
    });
  });

  describe('scale: loops, not recursion (PITFALLS 9)', () => {
    it('10^6 synchronous tasks through asCompleted({ limit: 8 }) without stack overflow', () => {
      let count = 0;
      let sum = 0;
      let completed = false;
      range(0, MILLION)
        .pipe(
          map((i) => of(i)),
          asCompleted<number>({ limit: 8 }),
        )
        .subscribe({
          next: ([index, value]) => {
            if (index !== value) throw new Error(`index ${index} got ${value}`);
            count++;
            sum += value;
          },
          complete: () => (completed = true),
        });
      expect(completed).toBe(true);
      expect(count).toBe(MILLION);
      expect(sum).toBe(((MILLION - 1) * MILLION) / 2);
    });

    it('10^6 synchronous tasks queued behind limit: 8 start in a loop when a slot frees, without stack overflow', () => {
      const gates = Array.from({ length: 8 }, () => new Subject<number>());
      let count = 0;
      let lastIndex = 7;
      let inOrder = true;
      let completed = false;
      const source = new Subject<DeferredTask<number>>();
      source.pipe(asCompleted<number>({ limit: 8 })).subscribe({
        next: ([index]) => {
          if (index >= 8) {
            inOrder &&= index === lastIndex + 1;
            lastIndex = index;
          }
          count++;
        },
        complete: () => (completed = true),
      });
      for (const gate of gates) source.next(gate);
      for (let i = 0; i < MILLION; i++) source.next(of(i));
      source.complete();
      expect(count).toBe(0);
      gates[0]!.complete();
      expect(count).toBe(MILLION + 1);
      expect(inOrder).toBe(true);
      for (const gate of gates) gate.complete();
      expect(completed).toBe(true);
      expect(count).toBe(MILLION + 8);
    });

    it('gather of 10^5 synchronous tasks', () => {
      const n = scale(100_000);
      const results: number[][] = [];
      range(0, n)
        .pipe(
          map((i) => of(i)),
          gather<number>(),
        )
        .subscribe((r) => results.push(r));
      expect(results).toHaveLength(1);
      expect(results[0]).toHaveLength(n);
      expect(results[0]!.every((v, i) => v === i)).toBe(true);
    });

    it('race over 10^5 tasks cancels every loser', () => {
      const source = new Subject<Task<number>>();
      const losers: Subject<number>[] = [];
      const won: number[] = [];
      source.pipe(race<number>()).subscribe((v) => won.push(v));
      const n = scale(100_000);
      for (let i = 0; i < n; i++) {
        const loser = new Subject<number>();
        losers.push(loser);
        source.next(loser);
      }
      source.next(of(7));
      expect(won).toEqual([7]);
      expect(losers.every((l) => !l.observed)).toBe(true);
      expect(source.observed).toBe(false);
    });

    it('asCompleted emits each index once over a mixed synchronous and asynchronous run', async () => {
      const tasks = Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? () => Promise.resolve(i) : of(i)));
      const pairs = await lastValueFrom(from(tasks).pipe(asCompleted<number>({ limit: 4 }), take(1000), toArray()));
      expect(pairs.map(([i]) => i).sort((a, b) => a - b)).toEqual([...Array(1000).keys()]);
      expect(pairs.every(([i, v]) => i === v)).toBe(true);
    });
  });
});

describe('a task cancelled while it is still being subscribed stops there', () => {
  it('gather: a sibling failing during the synchronous run of a task stops that task, and its signal aborts in that frame', () => {
    const a = new Subject<string>();
    const seen: unknown[] = [];
    let signal!: AbortSignal;
    const b: Task<number> = (s) => {
      signal = s;
      return range(1, 3).pipe(
        tap((v) => {
          seen.push(v);
          if (v === 1) a.error(new Error('A failed'));
        }),
      );
    };
    from<Task<unknown>[]>([a, b])
      .pipe(gather())
      .subscribe({ error: (e: Error) => seen.push(e.message) });
    // The task's own subscribe was under way: its signal aborts once that returns, still in this frame.
    expect([seen, signal.aborted]).toEqual([[1, 'A failed'], true]);
  });

  it.each([
    ['race()', race<unknown>()],
    ['asCompleted() + take(1)', (source: Observable<Task<unknown>>) => source.pipe(asCompleted<unknown>(), take(1))],
  ])(
    '%s: a loser decided during its own synchronous run emits no further value',
    (_name, operator: OperatorFunction<Task<unknown>, unknown>) => {
      const a = new Subject<string>();
      const seen: number[] = [];
      const b = range(1, 5).pipe(
        tap((v) => {
          seen.push(v);
          if (v === 1) {
            a.next('A');
            a.complete();
          }
        }),
      );
      const results: unknown[] = [];
      from<Task<unknown>[]>([a, b])
        .pipe(operator)
        .subscribe((r) => results.push(r));
      expect(seen).toEqual([1]);
      expect(results).toEqual([_name === 'race()' ? 'A' : [0, 'A']]);
    },
  );
});
