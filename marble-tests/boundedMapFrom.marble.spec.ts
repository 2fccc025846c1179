import { EMPTY, Observable, defer, finalize, map, timer } from 'rxjs';
import { testScheduler } from '../spec/setup/test-scheduler';
import { boundedMapFrom } from 'rxjs-concurrency';

describe('boundedMapFrom (marbles)', () => {
  it('fails fast: the first error unsubscribes every other running task in that frame; the next item never starts', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = new Error('b failed');
      const a = cold('-----A|');
      const b = cold('---#', undefined, error);
      const c = cold('-C----|');
      const d = cold('-D|');
      const tasks: Record<string, Observable<string>> = { a, b, c, d };
      // Ordered, C waits behind a and is lost with it; unordered, C is out at frame 1.
      expectObservable(boundedMapFrom(['a', 'b', 'c', 'd'], (v) => tasks[v]!, 3)).toBe('---#', undefined, error);
      expectObservable(boundedMapFrom(['a', 'b', 'c', 'd'], (v) => tasks[v]!, 3, { ordered: false })).toBe('-C-#', undefined, error);
      expectSubscriptions(a.subscriptions).toBe(['^--!', '^--!']);
      expectSubscriptions(b.subscriptions).toBe(['^--!', '^--!']);
      expectSubscriptions(c.subscriptions).toBe(['^--!', '^--!']);
      expectSubscriptions(d.subscriptions).toBe([]);
    });
  });

  it('fails fast: reading stops; the iterator is returned in the frame of the error and d is never read', () => {
    const scheduler = testScheduler();
    const log: string[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const error = new Error('b failed');
      const tasks: Record<string, Observable<string>> = {
        a: cold('-----A|'),
        b: cold('---#', undefined, error),
        c: cold('-C----|'),
        d: cold('-D|'),
      };
      function* input(): Generator<string> {
        try {
          for (const item of ['a', 'b', 'c', 'd']) {
            log.push(`read ${item} at ${scheduler.now()}`);
            yield item;
          }
        } finally {
          log.push(`return at ${scheduler.now()}`);
        }
      }
      expectObservable(boundedMapFrom(input(), (v) => tasks[v]!, 3)).toBe('---#', undefined, error);
    });
    expect(log).toEqual(['read a at 0', 'read b at 0', 'read c at 0', 'return at 3']);
  });

  describe('limit respected with no limiter: active inner subscriptions reach exactly limit, never more', () => {
    // Item i takes durations[i] frames and emits letters[i] as it completes.
    const durations = [5, 1, 9, 2, 2, 7, 1, 1, 3, 8, 1, 4];
    const letters = 'abcdefghijkl';

    const runWith = (ordered: boolean): { max: number; active: number; events: string[] } => {
      const scheduler = testScheduler();
      let active = 0;
      let max = 0;
      const events: string[] = [];
      scheduler.run(({ flush }) => {
        boundedMapFrom(
          durations.map((_, i) => i),
          (i) =>
            defer(() => {
              max = Math.max(max, ++active);
              return timer(durations[i]!).pipe(map(() => letters[i]!));
            }).pipe(finalize(() => active--)),
          4,
          { ordered },
        ).subscribe({
          next: (v) => events.push(`${scheduler.now()}:${v}`),
          complete: () => events.push(`${scheduler.now()}:|`),
        });
        flush();
      });
      return { max, active, events };
    };

    it('ordered (default): input order, a task starting only when the window of 4 has room', () => {
      const { max, active, events } = runWith(true);
      expect(max).toBe(4);
      expect(active).toBe(0);
      // 0..3 start at 0; b, d wait for a (5); then e, f start; c at 9 lets d, e out and g, h, i in;
      // f at 12 lets g, h out, then i is out and j, k, l start; j at 20 lets k, l out.
      expect(events).toEqual(['5:a', '5:b', '9:c', '9:d', '9:e', '12:f', '12:g', '12:h', '12:i', '20:j', '20:k', '20:l', '20:|']);
    });

    it('ordered: false: completion order, a task starting as soon as one of the 4 slots frees', () => {
      const { max, active, events } = runWith(false);
      expect(max).toBe(4);
      expect(active).toBe(0);
      expect(events).toEqual(['1:b', '2:d', '3:e', '4:g', '5:a', '5:h', '8:i', '9:c', '9:f', '9:k', '13:j', '13:l', '13:|']);
    });
  });

  it('a task with no value contributes nothing to the output, and the window moves past it', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = cold('---|');
      const b = cold('-B|');
      const d = cold('-D|');
      const tasks: Record<string, Observable<string>> = { a, b, c: EMPTY, d };
      // Ordered: B waits for a, which ends at 3 with no value; then c (EMPTY) starts and ends at once,
      // and d starts in that same frame.
      expectObservable(boundedMapFrom(['a', 'b', 'c', 'd'], (v) => tasks[v]!, 2)).toBe('---BD|');
      // Unordered: b ends at 2, c and d start then.
      expectObservable(boundedMapFrom(['a', 'b', 'c', 'd'], (v) => tasks[v]!, 2, { ordered: false })).toBe('-B-D|');
      expectSubscriptions(a.subscriptions).toBe(['^--!', '^--!']);
      expectSubscriptions(b.subscriptions).toBe(['^-!', '^-!']);
      // Logged in the order subscribed: the unordered run's d (frame 2) before the ordered run's (frame 3).
      expectSubscriptions(d.subscriptions).toBe(['--^-!', '---^-!']);
    });
  });

  it('window: an item is read once a slot frees while its result has room to wait, not once the head is out', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = cold('---------(A|)');
      const b = cold('-(B|)');
      const c = cold('-(C|)');
      const d = cold('------(D|)');
      const tasks: Record<string, Observable<string>> = { a, b, c, d };
      // Limit 2, window 3: b ends at 1 and c starts; c ends at 2 with b and c waiting for a, so d
      // must wait too (3 started, none emitted) until A is out at 9.
      expectObservable(boundedMapFrom(['a', 'b', 'c', 'd'], (v) => tasks[v]!, 2, { window: 3 })).toBe('---------(ABC)-(D|)');
      expectSubscriptions(c.subscriptions).toBe('-^!');
      expectSubscriptions(d.subscriptions).toBe('---------^-----!');
    });
  });
});
