import { testScheduler } from '../spec/setup/test-scheduler';
import {
  NEVER,
  Observable,
  TimeoutError,
  config,
  defer,
  of,
  switchMap,
  tap,
  type MonoTypeOperatorFunction,
  type SchedulerAction,
  type SchedulerLike,
} from 'rxjs';
import {
  ConcurrencyEvent,
  Lock,
  Queue,
  Semaphore,
  effectiveDeadline,
  failAfter,
  failAt,
  moveOnAfter,
  moveOnAt,
  shield,
} from 'rxjs-concurrency';
import { reportsDelivered, takeEscapedErrors } from '../spec/setup/no-unhandled-errors';
import { thrown } from '../spec/setup/thrown';

type Limit = <T>(limit: number, options?: { scheduler?: SchedulerLike }) => MonoTypeOperatorFunction<T>;

const timeout = new TimeoutError();

/** Emits the effective deadline seen while it is subscribed. */
const probe = defer(() => of(effectiveDeadline()));

describe('failAfter / moveOnAfter / failAt / moveOnAt', () => {
  // Subscribed at frame 0, `limit(n)` ends at frame n for all four: after n ms, or at time n.
  const operators: [name: string, limit: Limit, end: string][] = [
    ['failAfter', failAfter, '#'],
    ['moveOnAfter', moveOnAfter, '|'],
    ['failAt', failAt, '#'],
    ['moveOnAt', moveOnAt, '|'],
  ];

  describe.each(operators)('%s', (name, limit, end) => {
    it('mirrors a source that completes before the limit', () => {
      const ts = testScheduler();
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-|');
        expectObservable(source.pipe(limit(5, { scheduler: ts }))).toBe('-a-|');
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('in the frame of the limit, acts before a source subscribed under it (its timer was scheduled first)', () => {
      const ts = testScheduler();
      ts.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const source = cold('-a---(b|)');
        expectObservable(source.pipe(limit(5, { scheduler: ts }))).toBe(`-a---${end}`, undefined, timeout);
        expectSubscriptions(source.subscriptions).toBe('^----!');
        // A hot source's end was scheduled before the subscription: it comes first.
        expectObservable(hot('-a---(b|)').pipe(limit(5, { scheduler: ts }))).toBe('-a---(b|)');
      });
    });

    it('unsubscribes a source still running at the limit, then ends the output', () => {
      const ts = testScheduler();
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-----c-|');
        expectObservable(source.pipe(limit(5, { scheduler: ts }))).toBe(`-a-b-${end}`, undefined, timeout);
        expectSubscriptions(source.subscriptions).toBe('^----!');
      });
    });

    it('the source is unsubscribed before the output ends', () => {
      const ts = testScheduler();
      ts.run(({ flush }) => {
        const order: string[] = [];
        const source = new Observable<never>(() => () => order.push('source unsubscribed'));
        source
          .pipe(limit(2, { scheduler: ts }))
          .subscribe({ error: () => order.push('output ended'), complete: () => order.push('output ended') });
        flush();
        expect(order).toEqual(['source unsubscribed', 'output ended']);
      });
    });

    it('forwards an error of the source before the limit', () => {
      const ts = testScheduler();
      ts.run(({ cold, expectObservable }) => {
        expectObservable(cold('-a#', undefined, new Error('boom')).pipe(limit(5, { scheduler: ts }))).toBe(
          '-a#',
          undefined,
          new Error('boom'),
        );
      });
    });

    it.each([0, -5, -Infinity])('with a limit of %p already reached, never subscribes the source and ends synchronously', (n) => {
      const ts = testScheduler();
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-|');
        expectObservable(source.pipe(limit(n, { scheduler: ts }))).toBe(end, undefined, timeout);
        expectSubscriptions(source.subscriptions).toBe([]);
      });
      const seen: string[] = [];
      NEVER.pipe(limit(n, { scheduler: ts })).subscribe({ error: () => seen.push('ended'), complete: () => seen.push('ended') });
      expect(seen).toEqual(['ended']);
    });

    it('never fires for Infinity and schedules no timer', () => {
      const ts = testScheduler();
      ts.run(({ cold, expectObservable }) => {
        const never: SchedulerLike = {
          now: () => ts.now(),
          schedule: () => {
            throw new Error('no timer may be scheduled');
          },
        };
        expectObservable(cold('-a 10s b|').pipe(limit(Infinity, { scheduler: never }))).toBe('-a 10s b|');
        expectObservable(NEVER.pipe(limit(Infinity, { scheduler: never }))).toBe('');
        expectObservable(probe.pipe(limit(Infinity, { scheduler: never }))).toBe('(x|)', { x: Infinity });
      });
    });

    it('throws RangeError for NaN and TypeError for a non-number, at call time', () => {
      const param = name.endsWith('After') ? 'ms' : 'deadline';
      const nan = thrown(() => limit(NaN));
      expect(nan).toBeInstanceOf(RangeError);
      expect((nan as Error).message).toBe(`${name}: ${param} must be a number, not NaN, received NaN`);
      const text = thrown(() => limit('5' as unknown as number));
      expect(text).toBeInstanceOf(TypeError);
      expect((text as Error).message).toBe(`${name}: ${param} must be a number, received "5"`);
    });

    it(end === '#' ? 'errors with an instance of rxjs TimeoutError' : 'completes quietly, keeping the values emitted', () => {
      const ts = testScheduler();
      const seen: unknown[] = [];
      ts.run(({ cold }) => {
        cold('a-b')
          .pipe(limit(1, { scheduler: ts }))
          .subscribe({
            next: (v) => seen.push(v),
            error: (e: unknown) => seen.push(e),
            complete: () => seen.push('complete'),
          });
      });
      expect(seen).toHaveLength(2);
      expect(seen[0]).toBe('a');
      if (end === '#') {
        expect(seen[1]).toBeInstanceOf(TimeoutError);
        expect((seen[1] as TimeoutError).name).toBe('TimeoutError');
      } else {
        expect(seen[1]).toBe('complete');
      }
    });

    it('publishes its deadline as effectiveDeadline() while subscribing to the source, and only then', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        expectObservable(probe.pipe(limit(7, { scheduler: ts }))).toBe('(x|)', { x: 7 });
        expectObservable(probe).toBe('(x|)', { x: Infinity });
      });
      expect(effectiveDeadline()).toBe(Infinity);
    });
  });

  it('failAfter and moveOnAfter count from subscription; failAt and moveOnAt use the absolute clock', () => {
    const ts = testScheduler();
    const scheduler = { scheduler: ts };
    ts.run(({ cold, expectObservable }) => {
      const source = cold('-a-----b-|');
      expectObservable(source.pipe(failAfter(3, scheduler)), '--^').toBe('---a-#', undefined, timeout);
      expectObservable(source.pipe(moveOnAfter(3, scheduler)), '--^').toBe('---a-|');
      expectObservable(source.pipe(failAt(3, scheduler)), '--^').toBe('---#', undefined, timeout);
      expectObservable(source.pipe(moveOnAt(3, scheduler)), '--^').toBe('---|');
      // A deadline already past when subscribed: nothing is subscribed, the output ends at once.
      expectObservable(source.pipe(failAt(3, scheduler)), '----^').toBe('----#', undefined, timeout);
      expectObservable(source.pipe(moveOnAt(3, scheduler)), '----^').toBe('----|');
      expectObservable(probe.pipe(failAfter(3, scheduler)), '--^').toBe('--(x|)', { x: 5 });
      expectObservable(probe.pipe(failAt(3, scheduler)), '--^').toBe('--(x|)', { x: 3 });
    });
  });

  it('uses asyncScheduler by default (virtualised inside run)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-----|').pipe(failAfter(4))).toBe('-a--#', undefined, timeout);
      expectObservable(cold('-a-----|').pipe(moveOnAt(4))).toBe('-a--|');
    });
  });

  it('reaches a deadline beyond the longest timer a host allows (2^31 - 1 ms) in steps', () => {
    const ts = testScheduler();
    const delays: number[] = [];
    const recording: SchedulerLike = {
      now: () => ts.now(),
      schedule<S>(work: (this: SchedulerAction<S>, state?: S) => void, delay?: number, state?: S) {
        delays.push(delay ?? 0);
        return ts.schedule(work, delay, state);
      },
    };
    ts.run(({ expectObservable }) => {
      expectObservable(NEVER.pipe(failAt(2 ** 31 + 9, { scheduler: recording }))).toBe(`${2 ** 31 + 9}ms #`, undefined, timeout);
    });
    expect(delays).toEqual([2 ** 31 - 1]);
  });

  it('unsubscribing from the output cancels the source and the timer', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-|');
      expectObservable(source.pipe(failAfter(5, { scheduler: ts })), '^--!').toBe('-a-');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(ts.actions).toEqual([]);
  });

  describe('nested deadlines', () => {
    it('an inner deadline longer than the outer is capped, and the outer acts first', () => {
      const ts = testScheduler();
      const seen: number[] = [];
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a--------|');
        const probed = defer(() => {
          seen.push(effectiveDeadline());
          return source;
        });
        // moveOnAfter is the outer operator: it is subscribed first.
        expectObservable(probed.pipe(failAfter(8, { scheduler: ts }), moveOnAfter(4, { scheduler: ts }))).toBe('-a--|');
        expectSubscriptions(source.subscriptions).toBe('^---!');
      });
      expect(seen).toEqual([4]);
    });

    it('an inner deadline shorter than the outer acts at its own time', () => {
      const ts = testScheduler();
      const seen: number[] = [];
      ts.run(({ cold, expectObservable }) => {
        const probed = defer(() => {
          seen.push(effectiveDeadline());
          return cold('-a--------|');
        });
        expectObservable(probed.pipe(failAfter(2, { scheduler: ts }), moveOnAfter(4, { scheduler: ts }))).toBe('-a#', undefined, timeout);
      });
      expect(seen).toEqual([2]);
    });

    it('on a tie the outer acts (as in AnyIO, the outer scope gets the exception)', () => {
      const ts = testScheduler();
      const scheduler = { scheduler: ts };
      ts.run(({ cold, expectObservable }) => {
        expectObservable(cold('-a------|').pipe(failAfter(3, scheduler), moveOnAfter(3, scheduler))).toBe('-a-|');
        expectObservable(cold('-a------|').pipe(moveOnAt(3, scheduler), failAt(3, scheduler))).toBe('-a-#', undefined, timeout);
      });
    });

    it('effectiveDeadline() reaches a source subscribed later, inside a Semaphore.run granted later', () => {
      const ts = testScheduler();
      const scheduler = { scheduler: ts };
      const seen: [frame: number, deadline: number][] = [];
      ts.run(({ cold, expectObservable }) => {
        const sem = new Semaphore(1);
        const late = sem.run(
          defer(() => {
            seen.push([ts.now(), effectiveDeadline()]);
            return cold('--x|');
          }),
        );
        expectObservable(sem.run(cold('----|'))).toBe('----|');
        expectObservable(late.pipe(failAfter(10, scheduler))).toBe('------x|');
        // Times out while still waiting: it leaves the line and its work is never subscribed.
        expectObservable(late.pipe(moveOnAfter(5, scheduler))).toBe('-----|');
        expectObservable(late.pipe(moveOnAt(20, scheduler))).toBe('---------x|');
        expectObservable(probe, '----^').toBe('----(x|)', { x: Infinity });
      });
      expect(seen).toEqual([
        [4, 10],
        [7, 20],
      ]);
    });
  });

  it('PITFALLS 5: a failAfter around sem.run(factory) releases the permit and aborts the signal in the same frame', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const sem = new Semaphore(1);
      let signal: AbortSignal | undefined;
      const slow = sem.run((s) => {
        signal = s;
        return cold('----------x|');
      });
      // The next waiter is granted in the frame of the timeout and sees the first work already aborted.
      const next = sem.run(() => of([signal?.aborted, sem.value]));
      expectObservable(slow.pipe(failAfter(3, { scheduler: ts }))).toBe('---#', undefined, timeout);
      expectObservable(next).toBe('---(x|)', { x: [true, 0] });
      expectObservable(
        defer(() => of(sem.value)),
        '----^',
      ).toBe('----(x|)', { x: 1 });
    });
  });

  it('PITFALLS 5: the timed-out subscriber sees its end before the next holder of the permit starts', () => {
    const ts = testScheduler();
    const order: string[] = [];
    ts.run(({ cold }) => {
      const sem = new Semaphore(1);
      sem
        .run(cold('-----|'))
        .pipe(failAfter(2, { scheduler: ts }))
        .subscribe({ error: () => order.push('timed out') });
      sem
        .run(() => {
          order.push('next started');
          return of(1);
        })
        .subscribe();
    });
    expect(order).toEqual(['timed out', 'next started']);
  });

  it('PITFALLS 16: a run nested in a run of the same Lock waits for itself forever; moveOnAfter frees it', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const lock = new Lock();
      const nested = lock.run(lock.run(of('inner')).pipe(moveOnAfter(5, { scheduler: ts })));
      expectObservable(nested).toBe('-----|');
      expectObservable(
        defer(() => of(lock.locked)),
        '------^',
      ).toBe('------(x|)', { x: false });
    });
  });
});

describe('shield', () => {
  it('unsubscribing from the output does not cancel the source; it runs to completion, later values dropped', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c|');
      expectObservable(source.pipe(shield()), '^--!').toBe('-a-');
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
  });

  it('mirrors the source while subscribed, errors included', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-|').pipe(shield())).toBe('-a-|');
      expectObservable(cold('-a-#').pipe(shield())).toBe('-a-#');
    });
  });

  it('under failAfter: the output times out, the shielded source still completes', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const save = cold('---a--|');
      expectObservable(save.pipe(shield(), failAfter(2, { scheduler: ts }))).toBe('--#', undefined, timeout);
      expectSubscriptions(save.subscriptions).toBe('^-----!');
    });
  });

  // Unlike a shielded block in AnyIO, the subscriber does not wait for the source: a gate around
  // the shielded source lets go at once, a gate inside shield() is held until the source ends.
  it('keeps a gate permit only when the gate is inside it: gate.run(w).pipe(shield()), not gate.run(w.pipe(shield()))', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const outside = new Lock();
      const inside = new Lock();
      const a = cold('-----a|');
      const b = cold('-----b|');
      expectObservable(outside.run(a.pipe(shield())), '^-!').toBe('--');
      expectObservable(inside.run(b).pipe(shield()), '^-!').toBe('--');
      expectSubscriptions(a.subscriptions).toBe('^-----!');
      expectSubscriptions(b.subscriptions).toBe('^-----!');
      const locked = defer(() => of([outside.locked, inside.locked]));
      expectObservable(locked, '--^').toBe('--(x|)', { x: [false, true] });
      expectObservable(locked, '-------^').toBe('-------(x|)', { x: [false, false] });
    });
  });

  it('is outside every enclosing deadline, unless it sets its own', () => {
    const ts = testScheduler();
    const scheduler = { scheduler: ts };
    ts.run(({ expectObservable }) => {
      expectObservable(probe.pipe(shield(), failAfter(5, scheduler))).toBe('(x|)', { x: Infinity });
      expectObservable(probe.pipe(failAfter(9, scheduler), shield(), failAfter(5, scheduler))).toBe('(x|)', { x: 9 });
      expectObservable(probe.pipe(failAfter(3, scheduler), shield(), failAfter(5, scheduler))).toBe('(x|)', { x: 3 });
    });
  });

  it('reports an error that comes after unsubscription through config.onUnhandledError', async () => {
    const reported: unknown[] = [];
    const guard = config.onUnhandledError;
    config.onUnhandledError = (error) => reported.push(error);
    try {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-a--#', undefined, new Error('late')).pipe(shield()), '^-!').toBe('-a');
      });
      await reportsDelivered();
    } finally {
      config.onUnhandledError = guard;
    }
    expect(reported).toEqual([new Error('late')]);
    expect(takeEscapedErrors()).toEqual([]);
  });

  it('the late error reaches the default guard too (taken here so the test does not fail)', async () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('--#', undefined, new Error('late')).pipe(shield()), '^!').toBe('');
    });
    await reportsDelivered();
    expect(takeEscapedErrors()).toEqual([new Error('late')]);
  });
});

describe('a hand-off that only emits runs in the scope of the subscriber that waited', () => {
  // The grant of acquire(), a ConcurrencyEvent's wake-up and a Queue delivery: what the subscriber
  // does with it (a switchMap subscribing the work) sees its own deadline, not the releaser's.
  const cases: [string, (deadline$: (waiting: Observable<unknown>) => Observable<number>) => () => void][] = [
    [
      'Lock.acquire()',
      (under) => {
        const lock = new Lock();
        const holder = lock.tryAcquire()!;
        // The permit stays held, so failAfter fires later: that error is expected.
        under(lock.acquire()).subscribe({ error: () => {} });
        return () => holder.release();
      },
    ],
    [
      'ConcurrencyEvent.wait()',
      (under) => {
        const event = new ConcurrencyEvent();
        under(event.wait()).subscribe();
        return () => event.set();
      },
    ],
    [
      'Queue.get()',
      (under) => {
        const queue = new Queue<number>(1);
        under(queue.get()).subscribe();
        return () => queue.putNowait(1);
      },
    ],
  ];

  it.each(cases)('%s: effectiveDeadline() in the subscriber is its own failAfter, though the releaser has none', (_name, arrange) => {
    testScheduler().run(({ flush }) => {
      const seen: number[] = [];
      const release = arrange((waiting) =>
        waiting.pipe(
          switchMap(() => defer(() => of(effectiveDeadline()))),
          tap((deadline) => seen.push(deadline)),
          failAfter(100),
        ),
      );
      expect(seen).toEqual([]);
      release();
      expect(seen).toEqual([100]);
      flush();
    });
  });
});
