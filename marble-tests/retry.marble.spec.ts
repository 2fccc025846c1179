import { Observable, TimeoutError, defer, throwError, type MonoTypeOperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { testScheduler } from '../spec/setup/test-scheduler';
import { failAfter, moveOnAfter, retry } from 'rxjs-concurrency';
import { getDeadline, withDeadline } from '../lib/internal/context';

/** A `random` that returns `values` in turn. */
const sequence = (...values: number[]): (() => number) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe('retry (marbles)', () => {
  it('the TSDoc diagram: backoff 10 then 20; replayed values are not emitted again; the last error after the last attempt', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--a--#');
      expectObservable(source.pipe(retry({ attempts: 3, baseDelay: 10, jitter: 0, scheduler }))).toBe('--a 42ms #');
      expectSubscriptions(source.subscriptions).toBe(['^----!', '15ms ^----!', '40ms ^----!']);
    });
  });

  it('delays are exact to the millisecond for a given random: min(maxDelay, base * factor^(n-1)) * (1 - jitter * random())', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#');
      const random = sequence(0.5, 0, 0.2, 0.6);
      // Delays: 20 * 0.75 = 15, 40 * 1 = 40, min(50, 80) * 0.9 = 45, min(50, 160) * 0.7 = 35.
      expectObservable(source.pipe(retry({ attempts: 5, baseDelay: 20, factor: 2, maxDelay: 50, jitter: 0.5, random, scheduler }))).toBe(
        '140ms #',
      );
      expectSubscriptions(source.subscriptions).toBe(['^!', '16ms ^!', '57ms ^!', '103ms ^!', '139ms ^!']);
    });
  });

  it('maxDelay caps every delay; with jitter 0 the delays are base * factor^(n-1) up to the cap', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('#');
      // 10, 30, 50 (cap of 90), 50 (cap of 270).
      expectObservable(source.pipe(retry({ attempts: 5, baseDelay: 10, factor: 3, maxDelay: 50, jitter: 0, scheduler }))).toBe('140ms #');
      expectSubscriptions(source.subscriptions).toBe(['(^!)', '10ms (^!)', '40ms (^!)', '90ms (^!)', '140ms (^!)']);
    });
  });

  it('baseDelay 0 stays 0 after factor^(n-1) overflows to Infinity (0 * Infinity would be NaN)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      // 10^(n-1) is Infinity from the 310th failure on; the 400th attempt succeeds.
      let failures = 0;
      const source = defer(() => (++failures < 400 ? throwError(() => 'e') : cold('a|')));
      expectObservable(source.pipe(retry({ attempts: Infinity, baseDelay: 0, factor: 10, jitter: 0, scheduler }))).toBe('a|');
    });
  });

  it('jitter 1 with random near 1 shortens a delay to almost nothing; it never lengthens one', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('#');
      expectObservable(source.pipe(retry({ attempts: 2, baseDelay: 100, jitter: 1, random: () => 0.75, scheduler }))).toBe('25ms #');
      expectSubscriptions(source.subscriptions).toBe(['(^!)', '25ms (^!)']);
    });
  });

  it('attempts exhausted: the error of the last attempt', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      let attempt = 0;
      const source = defer(() => throwError(() => new Error(`failure ${++attempt}`)));
      expectObservable(source.pipe(retry({ attempts: 3, baseDelay: 10, jitter: 0, scheduler }))).toBe(
        '30ms #',
        undefined,
        new Error('failure 3'),
      );
    });
  });

  it('attempts: 1 never retries', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-#');
      expectObservable(source.pipe(retry({ attempts: 1, scheduler }))).toBe('-a-#');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('a success after failures completes; values replayed by a new attempt are dropped, new ones emitted', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const attempts = [cold('a-b-#'), cold('a-b-c-#'), cold('a-b-c-d|')];
      let i = 0;
      const source = defer(() => attempts[i++]!);
      // Attempt 2 starts at 14 (its c at 18), attempt 3 at 40 (its d at 46).
      expectObservable(source.pipe(retry({ attempts: 3, baseDelay: 10, jitter: 0, scheduler }))).toBe('a-b 15ms c 27ms d|');
    });
  });

  it('deadline option: when now + delay is not before the deadline, the last error at once', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      let attempt = 0;
      const source = new Observable<never>((subscriber) => {
        const n = ++attempt;
        return scheduler.schedule(() => subscriber.error(new Error(`failure ${n}`)), 1);
      });
      // Fails at 1, retries at 11 (11 < 30), fails at 12: 12 + 20 is not before 30.
      expectObservable(source.pipe(retry({ attempts: 5, baseDelay: 10, jitter: 0, deadline: 30, scheduler }))).toBe(
        '12ms #',
        undefined,
        new Error('failure 2'),
      );
    });
  });

  it('deadline: now + delay equal to the deadline does not wait either', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#');
      expectObservable(source.pipe(retry({ attempts: 5, baseDelay: 10, jitter: 0, deadline: 11, scheduler }))).toBe('-#');
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('deadline: the enclosing deadline at subscription cuts retries short too, and every attempt runs under it', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const seen: number[] = [];
      const failing = cold('-#');
      const source = defer(() => {
        seen.push(getDeadline());
        return failing;
      });
      const output = source.pipe(retry({ attempts: 5, baseDelay: 10, jitter: 0, scheduler }));
      expectObservable(new Observable((subscriber) => withDeadline(30, () => output.subscribe(subscriber)))).toBe('12ms #');
      expectSubscriptions(failing.subscriptions).toBe(['^!', '11ms ^!']);
      scheduler.flush();
      expect(seen).toEqual([30, 30]);
    });
  });

  it('deadline: the earlier of the option and the enclosing deadline wins', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('-#');
      const output = source.pipe(retry({ attempts: 5, baseDelay: 10, jitter: 0, deadline: 100, scheduler }));
      expectObservable(new Observable((subscriber) => withDeadline(11, () => output.subscribe(subscriber)))).toBe('-#');
      const later = source.pipe(retry({ attempts: 5, baseDelay: 10, jitter: 0, deadline: 11, scheduler }));
      expectObservable(new Observable((subscriber) => withDeadline(100, () => later.subscribe(subscriber)))).toBe('-#');
    });
  });

  it('retryOn false: the error at once; retryOn sees the error and the number of the attempt that failed', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, 'fatal');
      const calls: [unknown, number][] = [];
      const retryOn = (error: unknown, attempt: number): boolean => {
        calls.push([error, attempt]);
        return attempt < 2;
      };
      expectObservable(source.pipe(retry({ attempts: 5, baseDelay: 10, jitter: 0, retryOn, scheduler }))).toBe(
        '12ms #',
        undefined,
        'fatal',
      );
      expectSubscriptions(source.subscriptions).toBe(['^!', '11ms ^!']);
      scheduler.flush();
      expect(calls).toEqual([
        ['fatal', 1],
        ['fatal', 2],
      ]);
    });
  });

  it('an error thrown by retryOn is the output error', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const thrown = new Error('retryOn failed');
      const retryOn = (): boolean => {
        throw thrown;
      };
      expectObservable(cold('-#').pipe(retry({ retryOn, scheduler }))).toBe('-#', undefined, thrown);
    });
  });

  it('cancellation errors are never retried, whatever retryOn says', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const abort = new DOMException('stopped', 'AbortError');
      const source = cold('-#', undefined, abort);
      let asked = 0;
      const retryOn = (): boolean => {
        asked++;
        return true;
      };
      expectObservable(source.pipe(retry({ attempts: 5, retryOn, scheduler }))).toBe('-#', undefined, abort);
      expectSubscriptions(source.subscriptions).toBe('^!');
      scheduler.flush();
      expect(asked).toBe(0);
    });
  });

  it('PITFALLS 13: unsubscribing mid-delay cancels the timer; no further attempt is subscribed', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a#');
      expectObservable(source.pipe(retry({ attempts: 5, baseDelay: 10, jitter: 0, scheduler })), '^----!').toBe('-a');
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });

  it('PITFALLS 13: unsubscribing in the frame the timer fires, before it: no attempt', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#');
      // The unsubscription (scheduled first) and the timer both land at frame 11.
      expectObservable(source.pipe(retry({ attempts: 5, baseDelay: 10, jitter: 0, scheduler })), '11ms !').toBe('');
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('unsubscribing during an attempt unsubscribes it, and nothing is scheduled', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-----#');
      expectObservable(source.pipe(retry({ attempts: 5, baseDelay: 10, jitter: 0, scheduler })), '17ms !').toBe('');
      expectSubscriptions(source.subscriptions).toBe(['^----!', '15ms ^-!']);
    });
  });

  it('attempts: Infinity with baseDelay 0 retries until a success', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      let attempt = 0;
      const source = defer(() => (++attempt < 50 ? throwError(() => new Error('not yet')) : [attempt]));
      expectObservable(source.pipe(retry({ attempts: Infinity, baseDelay: 0, scheduler }))).toBe('(a|)', { a: 50 });
    });
  });

  const scopes: [string, (ms: number, options: { scheduler: SchedulerLike }) => MonoTypeOperatorFunction<never>][] = [
    ['failAfter', failAfter],
    ['moveOnAfter', moveOnAfter],
  ];
  describe.each(scopes)('end to end under %s(30): the deadline reaches retry through the public operator', (_name, scope) => {
    it("the second failure at 12 has 12 + 20 not before 30: the source's error at once, not a TimeoutError", () => {
      const scheduler = testScheduler();
      const error = new Error('source failed');
      const caught: [unknown, number][] = [];
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const output = (source: Observable<never>): Observable<never> =>
          source.pipe(retry({ attempts: 5, baseDelay: 10, jitter: 0 }), scope(30, { scheduler }));
        // Attempt 1 fails at 1, waits 10 (11 < 30); attempt 2 at 11 fails at 12; 12 + 20 = 32 is not before 30.
        const source = cold<never>('-#', undefined, error);
        expectObservable(output(source)).toBe('12ms #', undefined, error);
        expectSubscriptions(source.subscriptions).toBe(['^!', '11ms ^!']);
        output(cold<never>('-#', undefined, error)).subscribe({ error: (e: unknown) => caught.push([e, scheduler.now()]) });
      });
      expect(caught).toHaveLength(1);
      expect(caught[0]![0]).toBe(error);
      expect(caught[0]![0]).not.toBeInstanceOf(TimeoutError);
      expect(caught[0]![1]).toBe(12);
    });
  });
});

/** `scheduler` as retry sees it, counting the timers set on it. */
function countingTimers(scheduler: SchedulerLike): { counted: SchedulerLike; scheduled: () => number } {
  let scheduled = 0;
  const schedule = (...args: Parameters<SchedulerLike['schedule']>): Subscription => {
    scheduled++;
    return scheduler.schedule(...args);
  };
  return { counted: { now: () => scheduler.now(), schedule }, scheduled: () => scheduled };
}

describe('retry: onRetry (issue 13.6)', () => {
  /** A source whose attempt `n` fails one frame after it is subscribed, with `failure n`. */
  const failingAfterOneFrame = (scheduler: SchedulerLike): Observable<never> => {
    let attempt = 0;
    return new Observable<never>((subscriber) => {
      const n = ++attempt;
      return scheduler.schedule(() => subscriber.error(new Error(`failure ${n}`)), 1);
    });
  };

  it('is told each failure, its attempt number and the delay, in the frame of the failure, before the delay; never after the last attempt', () => {
    const scheduler = testScheduler();
    const calls: [number, { error: unknown; attempt: number; delay: number }][] = [];
    scheduler.run(({ expectObservable }) => {
      // Delays: 20 * 0.75 = 15, 40 * 0.75 = 30, min(60, 80) * 0.75 = 45.
      const output = failingAfterOneFrame(scheduler).pipe(
        retry({
          attempts: 4,
          baseDelay: 20,
          maxDelay: 60,
          jitter: 0.5,
          random: () => 0.5,
          scheduler,
          onRetry: (info) => calls.push([scheduler.now(), info]),
        }),
      );
      // Attempt 1 fails at 1, attempt 2 runs from 16 and fails at 17, attempt 3 from 47 fails at 48,
      // attempt 4 from 93 fails at 94: the output's error is that last one, as it was thrown.
      expectObservable(output).toBe('94ms #', undefined, new Error('failure 4'));
    });
    expect(calls).toEqual([
      [1, { error: new Error('failure 1'), attempt: 1, delay: 15 }],
      [17, { error: new Error('failure 2'), attempt: 2, delay: 30 }],
      [48, { error: new Error('failure 3'), attempt: 3, delay: 45 }],
    ]);
  });

  it('is not called when no retry follows: retryOn false, a cancellation, the deadline, attempts 1', () => {
    const scheduler = testScheduler();
    const calls: unknown[] = [];
    const onRetry = (info: unknown): void => void calls.push(info);
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-#').pipe(retry({ retryOn: () => false, onRetry, scheduler }))).toBe('-#');
      const abort = new DOMException('stopped', 'AbortError');
      expectObservable(cold('-#', undefined, abort).pipe(retry({ onRetry, scheduler }))).toBe('-#', undefined, abort);
      expectObservable(cold('-#').pipe(retry({ baseDelay: 10, jitter: 0, deadline: 11, onRetry, scheduler }))).toBe('-#');
      expectObservable(cold('-#').pipe(retry({ attempts: 1, onRetry, scheduler }))).toBe('-#');
    });
    expect(calls).toEqual([]);
  });

  it('an error thrown by onRetry is the output error at once; no timer is set, no attempt follows', () => {
    const scheduler = testScheduler();
    const { counted, scheduled } = countingTimers(scheduler);
    const thrown = new Error('onRetry failed');
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-#', { a: 1 });
      const onRetry = (): void => {
        throw thrown;
      };
      expectObservable(source.pipe(retry({ attempts: 5, baseDelay: 10, jitter: 0, onRetry, scheduler: counted }))).toBe(
        '-a-#',
        { a: 1 },
        thrown,
      );
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(scheduled()).toBe(0);
  });

  it('onRetry or retryOn that unsubscribes the output: nothing more is delivered, no timer is set, no attempt follows', () => {
    for (const hook of ['onRetry', 'retryOn'] as const) {
      const scheduler = testScheduler();
      const { counted, scheduled } = countingTimers(scheduler);
      scheduler.run(({ cold, expectSubscriptions, flush }) => {
        const source = cold('-a-#', { a: 1 });
        const log: unknown[] = [];
        const leave = (): boolean => {
          subscription.unsubscribe();
          return true;
        };
        const subscription = source
          .pipe(retry({ attempts: 5, baseDelay: 1, jitter: 0, scheduler: counted, [hook]: leave }))
          .subscribe({ next: (v) => log.push(v), error: (e: unknown) => log.push(e), complete: () => log.push('complete') });
        flush();
        expect(log).toEqual([1]);
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
      expect([hook, scheduled()]).toEqual([hook, 0]);
    }
  });
});
