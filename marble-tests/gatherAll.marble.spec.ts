import { EMPTY, type Observable } from 'rxjs';
import { testScheduler } from '../spec/setup/test-scheduler';
import { gatherAll, isCancelled } from 'rxjs-concurrency';

/* gatherAll([tasks], options) (issue 17.5): gather over a list known up front, as forkJoin([...]). */
describe('gatherAll (marbles)', () => {
  it('subscribes to every task at once and emits their last values in list order when the last one completes', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = cold('----1-2|');
      const b = cold('-3|');
      const c = cold('--|');
      expectObservable(gatherAll([a, b, c])).toBe('-------(r|)', { r: ['2', '3', undefined] });
      expectSubscriptions(a.subscriptions).toBe('^------!');
      expectSubscriptions(b.subscriptions).toBe('^-!');
      expectSubscriptions(c.subscriptions).toBe('^-!');
    });
  });

  it('PITFALLS 14: an empty list emits [] at once; tasks without a value give undefined', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(gatherAll([])).toBe('(r|)', { r: [] });
      expectObservable(gatherAll([cold('--|'), EMPTY])).toBe('--(r|)', { r: [undefined, undefined] });
    });
  });

  it("fails fast: the first error cancels every other task in its frame, and is the output's error", () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = new Error('boom');
      const a = cold('------1|');
      const b = cold('--#', undefined, error);
      const c = cold('---#', undefined, new Error('later'));
      expectObservable(gatherAll([a, b, c])).toBe('--#', undefined, error);
      expectSubscriptions(a.subscriptions).toBe('^-!');
      expectSubscriptions(b.subscriptions).toBe('^-!');
      expectSubscriptions(c.subscriptions).toBe('^-!');
    });
  });

  it("a factory task's signal aborts in the frame another task fails; a completed one's never does", () => {
    const scheduler = testScheduler();
    const aborted: Record<string, number> = {};
    scheduler.run(({ cold, expectObservable }) => {
      const watched = (name: string, inner: Observable<string>) => (signal: AbortSignal) => {
        signal.addEventListener('abort', () => {
          expect(isCancelled(signal.reason)).toBe(true);
          aborted[name] = scheduler.now();
        });
        return inner;
      };
      const tasks = [watched('done', cold('-1|')), watched('running', cold('------1|')), cold('----#', undefined, 'fatal')] as const;
      expectObservable(gatherAll(tasks)).toBe('----#', undefined, 'fatal');
    });
    expect(aborted).toEqual({ running: 4 });
  });

  it("returnErrors: each error takes its task's slot; nothing is cancelled", () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = cold('-----1|');
      const b = cold('--#', undefined, 'b failed');
      expectObservable(gatherAll([a, b], { returnErrors: true })).toBe('------(r|)', { r: ['1', 'b failed'] });
      expectSubscriptions(a.subscriptions).toBe('^-----!');
    });
  });

  it('cold: nothing runs until subscribed, and each subscription calls a factory again', () => {
    let calls = 0;
    testScheduler().run(({ cold, expectObservable }) => {
      const output = gatherAll([
        () => {
          calls++;
          return cold('-x|');
        },
      ]);
      expect(calls).toBe(0);
      expectObservable(output).toBe('--(r|)', { r: ['x'] });
      expectObservable(output, '---^').toBe('-----(r|)', { r: ['x'] });
    });
    expect(calls).toBe(2);
  });

  it('unsubscribing cancels every task', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = cold('-----1|');
      const b = cold('------1|');
      expectObservable(gatherAll([a, b]), '--!').toBe('');
      expectSubscriptions(a.subscriptions).toBe('^-!');
      expectSubscriptions(b.subscriptions).toBe('^-!');
    });
  });
});
