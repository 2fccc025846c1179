import { Observable, from, of, take, throwError } from 'rxjs';
import { testScheduler } from '../spec/setup/test-scheduler';
import { asCompleted, isCancelled, type DeferredTask, type Task } from 'rxjs-concurrency';
import { getDeadline, withDeadline } from '../lib/internal/context';

/** Counts the subscriptions to the wrapped tasks that are live at once. */
function tracker() {
  const counts = { active: 0, max: 0 };
  const track = <T>(inner: Observable<T>): Observable<T> =>
    new Observable<T>((subscriber) => {
      counts.max = Math.max(counts.max, ++counts.active);
      const subscription = inner.subscribe(subscriber);
      return () => {
        counts.active--;
        subscription.unsubscribe();
      };
    });
  return { counts, track };
}

describe('asCompleted (marbles)', () => {
  it('emits [index, result] in completion order, the result being the last value', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const a = cold('-1---2|');
      const b = cold('-3|');
      const c = cold('--|');
      const source = hot('-abc----|', { a, b, c });
      expectObservable(source.pipe(asCompleted<string>())).toBe('----xy-z|', { x: [1, '3'], y: [2, undefined], z: [0, '2'] });
      expectSubscriptions(a.subscriptions).toBe('-^-----!');
      expectSubscriptions(b.subscriptions).toBe('--^-!');
      expectSubscriptions(source.subscriptions).toBe('^-------!');
    });
  });

  it('behaves as the diagram in its TSDoc', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const c = cold('--3|');
      const source = hot('-abc|', { a: cold('----1|'), b: cold('-2|'), c });
      expectObservable(source.pipe(asCompleted<string>({ limit: 2 }))).toBe('----x-y(z|)', { x: [1, '2'], y: [0, '1'], z: [2, '3'] });
      expectSubscriptions(c.subscriptions).toBe('----^--!');
    });
  });

  it('runs at most `limit` tasks; a queued task starts in the frame a slot frees, in source order', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = cold('---1|');
      const b = cold('-2|');
      const c = cold('------3|');
      const d = cold('(4|)');
      const e = cold('-------5|');
      const source = cold('(abcde|)', { a, b, c, d, e });
      expectObservable(source.pipe(asCompleted<string>({ limit: 2 }))).toBe('--x-(yz)-v--(w|)', {
        x: [1, '2'],
        y: [0, '1'],
        z: [3, '4'],
        v: [2, '3'],
        w: [4, '5'],
      });
      expectSubscriptions(a.subscriptions).toBe('^---!');
      expectSubscriptions(b.subscriptions).toBe('^-!');
      expectSubscriptions(c.subscriptions).toBe('--^------!');
      expectSubscriptions(d.subscriptions).toBe('----(^!)');
      expectSubscriptions(e.subscriptions).toBe('----^-------!');
    });
  });

  it.each([1, 3, 5])('never has more than limit = %i tasks subscribed at once', (limit) => {
    const { counts, track } = tracker();
    const results: number[] = [];
    testScheduler().run(({ cold }) => {
      const durations = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 0, 2, 3, 8, 4];
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-arguments -- inferred from the context, T would be undefined, not the default
      const tasks = durations.map((n) => track(cold<string>(`${'-'.repeat(n)}(x|)`)));
      from(tasks)
        .pipe(asCompleted<string>({ limit }))
        .subscribe(([index]) => results.push(index));
    });
    expect(counts.max).toBe(limit);
    expect(counts.active).toBe(0);
    expect([...results].sort((x, y) => x - y)).toEqual([...Array(20).keys()]);
  });

  it('fails fast: the first error cancels running tasks and the source in that frame; queued ones never start', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const error = new Error('boom');
      const a = cold('------1|');
      const b = cold('--#', undefined, error);
      const c = cold('-1|');
      const source = hot('-abc----|', { a, b, c });
      expectObservable(source.pipe(asCompleted<string>({ limit: 2 }))).toBe('----#', undefined, error);
      expectSubscriptions(a.subscriptions).toBe('-^--!');
      expectSubscriptions(b.subscriptions).toBe('--^-!');
      expectSubscriptions(c.subscriptions).toBe([]);
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('returnErrors: a failed task emits [index, error] and the others run on', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const error = new Error('boom');
      const a = cold('----1|');
      const b = cold('-#', undefined, error);
      const c = cold('-2|');
      const source = hot('-abc|', { a, b, c });
      expectObservable(source.pipe(asCompleted<string>({ limit: 2, returnErrors: true }))).toBe('---x-y(z|)', {
        x: [1, error],
        y: [2, '2'],
        z: [0, '1'],
      });
      expectSubscriptions(a.subscriptions).toBe('-^----!');
      expectSubscriptions(c.subscriptions).toBe('---^-!');
    });
  });

  it('take(1) cancels every running task and the source in that frame; queued tasks never start', () => {
    const scheduler = testScheduler();
    const aborted: number[] = [];
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const a = cold('------1|');
      const b = cold('--2|');
      const c = cold('-------3|');
      const d = cold('-4|');
      const factory: Task<string> = (signal) => {
        signal.addEventListener('abort', () => {
          aborted.push(scheduler.now());
          expect(isCancelled(signal.reason)).toBe(true);
        });
        return c;
      };
      const source = hot<DeferredTask<string>>('-abcd---|', { a, b, c: factory, d });
      expectObservable(source.pipe(asCompleted<string>({ limit: 3 }), take(1))).toBe('-----(x|)', { x: [1, '2'] });
      expectSubscriptions(a.subscriptions).toBe('-^---!');
      expectSubscriptions(b.subscriptions).toBe('--^--!');
      expectSubscriptions(c.subscriptions).toBe('---^-!');
      expectSubscriptions(d.subscriptions).toBe([]);
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
    expect(aborted).toEqual([5]);
  });

  it('take(1) when two tasks complete in the same frame: the second is cancelled in that frame, never reported', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const a = cold('---1|');
      const b = cold('--2|');
      const source = hot('-ab--|', { a, b });
      expectObservable(source.pipe(asCompleted<string>(), take(1))).toBe('-----(x|)', { x: [0, '1'] });
      expectSubscriptions(b.subscriptions).toBe('--^--!');
    });
  });

  it('take(1) on synchronous tasks: the tasks after the first never start', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const later = cold('-1|');
      expectObservable(from<Task<string>[]>([of('a'), later]).pipe(asCompleted<string>(), take(1))).toBe('(x|)', { x: [0, 'a'] });
      expectSubscriptions(later.subscriptions).toBe([]);
    });
  });

  it('unsubscribing in the frame a task completes cancels it and starts no queued task', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const a = cold('---1|');
      const b = cold('-2|');
      const source = hot('-ab|', { a, b });
      expectObservable(source.pipe(asCompleted<string>({ limit: 1 })), '^---!').toBe('-');
      expectSubscriptions(a.subscriptions).toBe('-^--!');
      expectSubscriptions(b.subscriptions).toBe([]);
    });
  });

  it('an empty source completes without a value', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot<Task<string>>('---|').pipe(asCompleted<string>())).toBe('---|');
    });
  });

  it('a source error cancels running tasks; queued ones never start', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const a = cold('-----1|');
      const b = cold('-1|');
      const source = hot('-ab-#', { a, b });
      expectObservable(source.pipe(asCompleted<string>({ limit: 1 }))).toBe('----#');
      expectSubscriptions(a.subscriptions).toBe('-^--!');
      expectSubscriptions(b.subscriptions).toBe([]);
    });
  });

  it('a task that errors synchronously fails the output at once; later tasks never start', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = new Error('sync');
      const a = cold('--1|');
      const c = cold('-1|');
      expectObservable(from<Task<string>[]>([a, throwError(() => error), c]).pipe(asCompleted<string>())).toBe('#', undefined, error);
      expectSubscriptions(a.subscriptions).toBe('(^!)');
      expectSubscriptions(c.subscriptions).toBe([]);
    });
  });

  it('returnErrors: a task that errors synchronously is reported and the next queued one starts', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = new Error('sync');
      const c = cold('-1|');
      const source = from<DeferredTask<string>[]>([throwError(() => error), c]);
      expectObservable(source.pipe(asCompleted<string>({ limit: 1, returnErrors: true }))).toBe('x-(y|)', { x: [0, error], y: [1, '1'] });
      expectSubscriptions(c.subscriptions).toBe('^-!');
    });
  });

  it('a queued task starts later under the deadline in force when the output was subscribed', () => {
    const scheduler = testScheduler();
    const seen: [number, number][] = [];
    scheduler.run(({ cold }) => {
      const task: Task<string> = () => {
        seen.push([scheduler.now(), getDeadline()]);
        return cold('--1|');
      };
      withDeadline(42, () =>
        from([task, task, task])
          .pipe(asCompleted<string>({ limit: 1 }))
          .subscribe(),
      );
      expect(getDeadline()).toBe(Infinity);
    });
    expect(seen).toEqual([
      [0, 42],
      [3, 42],
      [6, 42],
    ]);
  });
});
