import { EMPTY, Observable, from, throwError } from 'rxjs';
import { testScheduler } from '../spec/setup/test-scheduler';
import { gather, isCancelled, type Task } from 'rxjs-concurrency';
import { getDeadline, withDeadline } from '../lib/internal/context';

describe('gather (marbles)', () => {
  it('starts each task as the source emits it and emits one array of last values in source order', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const a = cold('-----1-2|');
      const b = cold('-3|');
      const c = cold('--|');
      const source = hot('-a-b-c-|', { a, b, c });
      expectObservable(source.pipe(gather<string>())).toBe('---------(r|)', { r: ['2', '3', undefined] });
      expectSubscriptions(a.subscriptions).toBe('-^-------!');
      expectSubscriptions(b.subscriptions).toBe('---^-!');
      expectSubscriptions(c.subscriptions).toBe('-----^-!');
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
  });

  it('behaves as the diagram in its TSDoc', () => {
    testScheduler().run(({ cold, hot, expectObservable }) => {
      const source = hot('-a-b-|', { a: cold('----1-2|'), b: cold('-3|') });
      expectObservable(source.pipe(gather<string>())).toBe('--------(x|)', { x: ['2', '3'] });
    });
  });

  it('waits for the source to complete even when every task is done', () => {
    testScheduler().run(({ cold, hot, expectObservable }) => {
      const a = cold('(1|)');
      const source = hot('-a-----|', { a });
      expectObservable(source.pipe(gather<string>())).toBe('-------(r|)', { r: ['1'] });
    });
  });

  it('PITFALLS 14: an empty source emits [] when it completes', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot<Task<string>>('---|');
      expectObservable(source.pipe(gather<string>())).toBe('---(r|)', { r: [] });
    });
  });

  it('PITFALLS 14: a task that completes without a value contributes undefined', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const a = cold('--|');
      const b = cold('-x|');
      const source = cold('(abc|)', { a, b, c: EMPTY });
      expectObservable(source.pipe(gather<string>())).toBe('--(r|)', { r: [undefined, 'x', undefined] });
    });
  });

  it('fails fast: the first error cancels every other task and the source in the same frame', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const error = new Error('boom');
      const a = cold('------1|');
      const b = cold('--#', undefined, error);
      const c = cold('-----1|');
      const d = cold('1|');
      const source = hot('-a-bc----d|', { a, b, c, d });
      expectObservable(source.pipe(gather<string>())).toBe('-----#', undefined, error);
      expectSubscriptions(a.subscriptions).toBe('-^---!');
      expectSubscriptions(b.subscriptions).toBe('---^-!');
      expectSubscriptions(c.subscriptions).toBe('----^!');
      expectSubscriptions(d.subscriptions).toBe([]);
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('aborts the signals of the failed task and of cancelled ones in the frame of the error, not of one that completed', () => {
    const scheduler = testScheduler();
    const aborted: Record<string, number> = {};
    scheduler.run(({ cold, hot, expectObservable }) => {
      const factory =
        (name: string, inner: Observable<string>): Task<string> =>
        (signal) => {
          signal.addEventListener('abort', () => {
            aborted[name] = scheduler.now();
            expect(isCancelled(signal.reason)).toBe(true);
          });
          return inner;
        };
      const source = hot('-abc|', {
        a: factory('a', cold('-1|')),
        b: factory('b', cold('------1|')),
        c: factory('c', cold('---#')),
      });
      expectObservable(source.pipe(gather<string>())).toBe('------#');
    });
    expect(aborted).toEqual({ b: 6, c: 6 });
  });

  it('a source error cancels every running task', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const a = cold('------1|');
      const source = hot('-a--#', { a });
      expectObservable(source.pipe(gather<string>())).toBe('----#');
      expectSubscriptions(a.subscriptions).toBe('-^--!');
    });
  });

  it('a task that errors synchronously fails the output at once; later tasks never start', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = new Error('sync');
      const a = cold('--1|');
      const c = cold('-1|');
      const source = from<Task<string>[]>([a, throwError(() => error), c]);
      expectObservable(source.pipe(gather<string>())).toBe('#', undefined, error);
      expectSubscriptions(a.subscriptions).toBe('(^!)');
      expectSubscriptions(c.subscriptions).toBe([]);
    });
  });

  it('a factory that throws is a failed task', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const error = new Error('factory');
      const a = cold('--1|');
      const source = hot<Task<string>>('-ab|', {
        a,
        b: () => {
          throw error;
        },
      });
      expectObservable(source.pipe(gather<string>())).toBe('--#', undefined, error);
      expectSubscriptions(a.subscriptions).toBe('-^!');
    });
  });

  it("returnErrors: each error takes its task's slot and nothing is cancelled", () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const error = new Error('boom');
      const a = cold('--#', undefined, error);
      const b = cold('----x|');
      const source = hot('-ab-|', { a, b });
      expectObservable(source.pipe(gather<string>({ returnErrors: true }))).toBe('-------(r|)', { r: [error, 'x'] });
      expectSubscriptions(b.subscriptions).toBe('--^----!');
    });
  });

  it('unsubscribing cancels every task and the source in the same frame', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const a = cold('------1|');
      const b = cold('--1|');
      const c = cold('-----1|');
      const source = hot('-abc----|', { a, b, c });
      expectObservable(source.pipe(gather<string>()), '^---!').toBe('-');
      expectSubscriptions(a.subscriptions).toBe('-^--!');
      expectSubscriptions(b.subscriptions).toBe('--^-!');
      expectSubscriptions(c.subscriptions).toBe('---^!');
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('starts a task emitted later under the deadline in force when the output was subscribed', () => {
    const scheduler = testScheduler();
    const seen: number[] = [];
    scheduler.run(({ cold, hot }) => {
      const task: Task<string> = () => {
        seen.push(getDeadline());
        return cold('-1|');
      };
      const source = hot('-a--a|', { a: task });
      withDeadline(42, () => source.pipe(gather<string>()).subscribe());
    });
    expect(seen).toEqual([42, 42]);
  });
});
