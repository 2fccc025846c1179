import { asyncScheduler, defer, from, map, merge, mergeMap, type Observable, take, tap, throwError, timer, toArray } from 'rxjs';
import { testScheduler } from '../spec/setup/test-scheduler';
import { rateBreaches, type Grant } from '../spec/setup/rate';
import { CapacityLimiter, RateLimiter, asCompleted, boundedMap, boundedMapFrom, retry, withPermit, type GateState } from 'rxjs-concurrency';

/*
 * Within one frame, actions run in the order they were scheduled: the subscription and
 * unsubscription frames given to `expectObservable` come first, then the limiter's timer (armed
 * during the test). Marble time: each character, parentheses included, is one frame.
 */

/** `n` acquires subscribed at once, each emitting its letter when granted. */
function queued(rate: RateLimiter, n: number, weight = 1): Observable<string> {
  return merge(...Array.from({ length: n }, (_, i) => rate.acquire(weight).pipe(map(() => String.fromCharCode(97 + i)))));
}

describe('grant times', () => {
  it('3 per 1000 ms, burst 3: ten queued acquires at 0, 0, 0, 333, 667, 1000, 1333, 1667, 2000, 2333', () => {
    testScheduler().run(({ expectObservable }) => {
      const rate = new RateLimiter({ limit: 3, interval: 1000, burst: 3 });
      // 1000/3 ms is not a whole frame: each grant is given at the frame nearest its exact time.
      expectObservable(queued(rate, 10)).toBe('(abc) 328ms d 333ms e 332ms f 332ms g 333ms h 332ms i 332ms j');
    });
  });

  it('burst 1 spaces them evenly from the first: 0, 333, 667, 1000...', () => {
    testScheduler().run(({ expectObservable }) => {
      const rate = new RateLimiter({ limit: 3, interval: 1000, burst: 1 });
      expectObservable(queued(rate, 7)).toBe('a 332ms b 333ms c 332ms d 332ms e 333ms f 332ms g');
    });
  });

  it('a whole emission interval is exact: 4 per 1000 ms, burst 2, at 0, 0, 250, 500, 750', () => {
    testScheduler().run(({ expectObservable }) => {
      const rate = new RateLimiter({ limit: 4, interval: 1000, burst: 2 });
      expectObservable(queued(rate, 5)).toBe('(ab) 246ms c 249ms d 249ms e');
    });
  });

  it('more grants than milliseconds: 4 per 1 ms, burst 1; each frame grants those whose exact time rounds to it', () => {
    testScheduler().run(({ expectObservable }) => {
      const rate = new RateLimiter({ limit: 4, interval: 1, burst: 1 });
      // Exact times 0, 0.25 | 0.5, 0.75, 1, 1.25 | 1.5, 1.75, 2, 2.25; a half goes to the later frame.
      const frames = queued(rate, 10).pipe(
        map(() => asyncScheduler.now()),
        take(10),
        toArray(),
      );
      expectObservable(frames).toBe('--(x|)', { x: [0, 0, 1, 1, 1, 1, 2, 2, 2, 2] });
    });
  });

  it('a weight costs that many emission intervals: weights 2, 2, 1 at 0, 200, 300 with 10 per 1000 ms, burst 2', () => {
    testScheduler().run(({ expectObservable }) => {
      const rate = new RateLimiter({ limit: 10, interval: 1000, burst: 2 });
      const grants = merge(
        rate.acquire(2).pipe(map(() => 'a')),
        rate.acquire(2).pipe(map(() => 'b')),
        rate.acquire(1).pipe(map(() => 'c')),
      );
      expectObservable(grants).toBe('a 199ms b 99ms c');
    });
  });

  it('idle time refills up to burst, no more: after 5 s idle, 2 at once, then spaced again', () => {
    testScheduler().run(({ expectObservable }) => {
      const rate = new RateLimiter({ limit: 2, interval: 1000, burst: 2 });
      expectObservable(queued(rate, 3)).toBe('(ab) 496ms c');
      expectObservable(queued(rate, 3), '5000ms ^').toBe('5000ms (ab) 496ms c');
    });
  });

  it('a late arrival after part of a refill waits only for the rest of it', () => {
    testScheduler().run(({ expectObservable }) => {
      const rate = new RateLimiter({ limit: 1, interval: 1000, burst: 1 });
      expectObservable(queued(rate, 1)).toBe('a');
      // Subscribed at 400: the token it needs is due at 1000.
      expectObservable(queued(rate, 1), '400ms ^').toBe('1000ms a');
    });
  });

  it('strict FIFO: a heavy head blocks a light waiter behind it that would fit now', () => {
    testScheduler().run(({ expectObservable }) => {
      const rate = new RateLimiter({ limit: 10, interval: 1000, burst: 3 });
      expectObservable(rate.acquire(2).pipe(map(() => 'a'))).toBe('a');
      expectObservable(rate.acquire(3).pipe(map(() => 'b'))).toBe('200ms b');
      // One token is left at 0, but b is before it.
      expectObservable(rate.acquire(1).pipe(map(() => 'c'))).toBe('300ms c');
    });
  });

  it('state$: total is burst; available what could be granted at each change; waiting the line', () => {
    testScheduler().run(({ expectObservable }) => {
      const rate = new RateLimiter({ limit: 2, interval: 1000, burst: 2 });
      const values: Record<string, GateState> = {
        a: { total: 2, available: 2, waiting: 0 },
        b: { total: 2, available: 1, waiting: 0 },
        c: { total: 2, available: 0, waiting: 0 },
        d: { total: 2, available: 0, waiting: 1 },
      };
      // The third is granted at 500 and takes the token that refilled by then. Tokens refill
      // without an emission: the next change, a tryAcquire at 1500, shows 2 refilled, 1 taken.
      expectObservable(rate.state$).toBe('(abcd) 494ms c 999ms b', values);
      expectObservable(queued(rate, 3)).toBe('(ab) 496ms c');
      expectObservable(timer(1500).pipe(map(() => rate.tryAcquire() !== undefined))).toBe('1500ms (x|)', { x: true });
    });
  });

  it('takes its time from asyncScheduler by default, virtual under TestScheduler.run()', () => {
    testScheduler().run(({ expectObservable }) => {
      const rate = new RateLimiter({ limit: 1, interval: 50 });
      expectObservable(queued(rate, 3)).toBe('a 49ms b 49ms c');
    });
  });

  it('takes its time from the scheduler it was given', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const rate = new RateLimiter({ limit: 1, interval: 50, scheduler });
      expectObservable(queued(rate, 3)).toBe('a 49ms b 49ms c');
    });
  });
});

describe('one timer, for the head of the line', () => {
  it('arms one timer however many wait, and none once the line is empty', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, flush }) => {
      const rate = new RateLimiter({ limit: 1, interval: 100, scheduler });
      expectObservable(queued(rate, 5)).toBe('a 99ms b 99ms c 99ms d 99ms e');
      const schedule = jest.spyOn(scheduler, 'schedule');
      flush();
      // One per grant that waited: b, c, d, e.
      expect(schedule).toHaveBeenCalledTimes(4);
      expect(scheduler.actions).toHaveLength(0);
    });
  });

  it('a waiter that unsubscribes leaves no timer behind', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, flush }) => {
      const rate = new RateLimiter({ limit: 1, interval: 100, scheduler });
      rate.tryAcquire();
      expectObservable(rate.acquire(), '^ 9ms !').toBe('');
      flush();
      expect(scheduler.frame).toBe(10);
      expect(scheduler.actions).toHaveLength(0);
    });
  });
});

describe('cancellation', () => {
  it('a waiter cancelled before its grant is never granted and its place goes to the next, at the same time', () => {
    testScheduler().run(({ expectObservable }) => {
      const rate = new RateLimiter({ limit: 1, interval: 100, burst: 1 });
      expectObservable(rate.acquire().pipe(map(() => 'a'))).toBe('a');
      expectObservable(rate.acquire().pipe(map(() => 'b')), '^ 49ms !').toBe('');
      expectObservable(rate.acquire().pipe(map(() => 'c')), '10ms ^').toBe('100ms c');
      expectObservable(rate.acquire().pipe(map(() => 'd')), '20ms ^').toBe('200ms d');
    });
  });

  it('a heavy head that leaves re-times the timer for the lighter one behind it', () => {
    testScheduler().run(({ expectObservable }) => {
      const rate = new RateLimiter({ limit: 10, interval: 1000, burst: 2 });
      expectObservable(rate.acquire(2).pipe(map(() => 'a'))).toBe('a');
      // b needs 2, due at 200; it leaves at 50 and c, needing 1, is due at 100.
      expectObservable(rate.acquire(2).pipe(map(() => 'b')), '^ 49ms !').toBe('');
      expectObservable(rate.acquire(1).pipe(map(() => 'c'))).toBe('100ms c');
    });
  });

  it('unsubscribed in the frame of its grant, before it: never granted, the next one is', () => {
    testScheduler().run(({ expectObservable, cold, expectSubscriptions }) => {
      const rate = new RateLimiter({ limit: 1, interval: 100, burst: 1 });
      const b = cold('b|');
      const c = cold('c|');
      expectObservable(rate.acquire().pipe(map(() => 'a'))).toBe('a');
      // The unsubscription at 100 was scheduled before the timer armed for b at 100.
      expectObservable(rate.run(b), '^ 99ms !').toBe('');
      expectObservable(rate.run(c)).toBe('100ms c|');
      expectSubscriptions(b.subscriptions).toBe([]);
      expectSubscriptions(c.subscriptions).toBe('100ms ^!');
    });
  });

  it('unsubscribed in the frame of its grant, after it: the grant stands, the next waits its full interval', () => {
    testScheduler().run(({ expectObservable }) => {
      const rate = new RateLimiter({ limit: 1, interval: 100, burst: 1 });
      expectObservable(rate.acquire().pipe(map(() => 'a'))).toBe('a');
      expectObservable(
        rate.acquire().pipe(
          map(() => 'b'),
          take(1),
        ),
      ).toBe('100ms (b|)');
      expectObservable(rate.acquire().pipe(map(() => 'c'))).toBe('200ms c');
    });
  });

  it('unsubscribed while holding: run() stops the work and gives nothing back', () => {
    testScheduler().run(({ expectObservable, cold, expectSubscriptions }) => {
      const rate = new RateLimiter({ limit: 1, interval: 100, burst: 1 });
      const a = cold('-a-----');
      const b = cold('b|');
      expectObservable(rate.run(a), '^ 9ms !').toBe('-a');
      expectObservable(rate.run(b)).toBe('100ms b|');
      expectSubscriptions(a.subscriptions).toBe('^ 9ms !');
      expectSubscriptions(b.subscriptions).toBe('100ms ^!');
    });
  });

  it('a run() whose work ends early gives nothing back either', () => {
    testScheduler().run(({ expectObservable }) => {
      const rate = new RateLimiter({ limit: 1, interval: 100, burst: 1 });
      expectObservable(rate.run(() => throwError(() => 'boom'))).toBe('#', undefined, 'boom');
      expectObservable(rate.run(from(['b']))).toBe('100ms (b|)');
    });
  });
});

describe('composition', () => {
  /** Calls whose work lasts 500 ms and returns its index; counts how many run at once and logs each start. */
  function calls(): { work: (i: number) => Observable<number>; starts: Grant[]; most: () => number } {
    let running = 0;
    let most = 0;
    const starts: Grant[] = [];
    const work = (i: number) =>
      defer(() => {
        starts.push({ at: asyncScheduler.now(), weight: 1 });
        most = Math.max(most, ++running);
        // Counted down before the completion reaches the gates, which start the next call on it.
        return timer(500).pipe(
          map(() => i),
          tap({ complete: () => running-- }),
        );
      });
    return { work, starts, most: () => most };
  }

  // 10 per second with a burst of 2, and 4 at once; ten calls of 500 ms each. Alone, the rate
  // would start them at 0, 0, 100, 200, 300, 400...: 6 at once by 400. The capacity holds the
  // 5th and 6th until the first two end at 500, and the rate then spaces the rest again:
  // starts 0, 0, 100, 200, 500, 500, 600, 700, 1000, 1000 whichever gate is outside.
  const bound = { limit: 10, interval: 1000, burst: 2 };
  const ends = '500ms (ab) 96ms c 99ms d 299ms (ef) 96ms g 99ms h 299ms (ij|)';
  const letters = (i: number) => String.fromCharCode(97 + i);
  const indexes = Array.from({ length: 10 }, (_, i) => i);

  it.each([
    ['rate.run inside cap.run', (cap: CapacityLimiter, rate: RateLimiter, work: Observable<number>) => cap.run(() => rate.run(work))],
    ['cap.run inside rate.run', (cap: CapacityLimiter, rate: RateLimiter, work: Observable<number>) => rate.run(() => cap.run(work))],
    [
      'withPermit of each',
      (cap: CapacityLimiter, rate: RateLimiter, work: Observable<number>) => work.pipe(withPermit(rate), withPermit(cap)),
    ],
  ])('CapacityLimiter(4) and RateLimiter(10/s) on the same calls, %s: neither bound exceeded', (_name, both) => {
    testScheduler().run(({ expectObservable, flush }) => {
      const cap = new CapacityLimiter(4);
      const rate = new RateLimiter(bound);
      const { work, starts, most } = calls();
      expectObservable(merge(...indexes.map((i) => both(cap, rate, work(i)))).pipe(map(letters))).toBe(ends);
      flush();
      expect(most()).toBe(4);
      expect(rateBreaches(starts, bound)).toEqual([]);
      expect(starts.map((start) => start.at)).toEqual([0, 0, 100, 200, 500, 500, 600, 700, 1000, 1000]);
    });
  });

  it('boundedMap(project, 4, { limiter: RateLimiter(10/s) }): neither bound exceeded', () => {
    testScheduler().run(({ expectObservable, flush }) => {
      const rate = new RateLimiter(bound);
      const { work, starts, most } = calls();
      expectObservable(
        from(indexes).pipe(
          boundedMap((i) => work(i), 4, { limiter: rate }),
          map(letters),
        ),
      ).toBe(ends);
      flush();
      expect(most()).toBe(4);
      expect(rateBreaches(starts, bound)).toEqual([]);
      expect(starts.map((start) => start.at)).toEqual([0, 0, 100, 200, 500, 500, 600, 700, 1000, 1000]);
    });
  });

  it('boundedMap with a limit of 2 below the rate: the limit binds, the rate is never reached', () => {
    testScheduler().run(({ expectObservable, flush }) => {
      const rate = new RateLimiter({ limit: 100, interval: 1000 });
      const { work, most } = calls();
      expectObservable(
        from([0, 1, 2, 3]).pipe(
          boundedMap((i) => work(i), 2, { limiter: rate }),
          map(letters),
        ),
      ).toBe('500ms (ab) 496ms (cd|)');
      flush();
      expect(most()).toBe(2);
    });
  });

  it('boundedMapFrom over an iterable, with the limiter', () => {
    testScheduler().run(({ expectObservable }) => {
      const rate = new RateLimiter({ limit: 1, interval: 100 });
      expectObservable(boundedMapFrom(new Set(['a', 'b', 'c']), (v) => [v], 3, { limiter: rate })).toBe('a 99ms b 99ms (c|)');
    });
  });

  it('asCompleted over tasks that each take a grant', () => {
    testScheduler().run(({ expectObservable }) => {
      const rate = new RateLimiter({ limit: 1, interval: 100 });
      const tasks = ['a', 'b', 'c'].map((v) => rate.run(() => [v]));
      expectObservable(from(tasks).pipe(asCompleted({ limit: 2 }))).toBe('x 99ms y 99ms (z|)', { x: [0, 'a'], y: [1, 'b'], z: [2, 'c'] });
    });
  });

  it('retry under a RateLimiter takes a new grant for each attempt', () => {
    testScheduler().run(({ expectObservable, cold, expectSubscriptions }) => {
      const rate = new RateLimiter({ limit: 1, interval: 1000 });
      const flaky = cold('#', undefined, 'busy');
      // Each attempt's retry delay (10, then 20 ms) ends long before its next grant.
      expectObservable(flaky.pipe(withPermit(rate), retry({ attempts: 3, baseDelay: 10, jitter: 0 }))).toBe('2000ms #', undefined, 'busy');
      expectSubscriptions(flaky.subscriptions).toBe(['(^!)', '1000ms (^!)', '2000ms (^!)']);
    });
  });

  it('mergeMap of run(): a stream of requests spaced at the rate, each starting when granted', () => {
    testScheduler().run(({ expectObservable, hot }) => {
      const rate = new RateLimiter({ limit: 5, interval: 1000, burst: 1 });
      const requests = hot('(abc) 395ms d');
      expectObservable(requests.pipe(mergeMap((q) => rate.run(() => [q.toUpperCase()])))).toBe('A 199ms B 199ms C 199ms D');
    });
  });
});
