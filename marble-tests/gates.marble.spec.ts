import { Observable, defer, map, merge, mergeMap, of, take, takeUntil, tap, timeout, timer } from 'rxjs';
import { testScheduler } from '../spec/setup/test-scheduler';
import { CapacityLimiter, ConcurrencyEvent, Lock, Semaphore, withPermit, type GateState } from 'rxjs-concurrency';

/*
 * Reading these tests: within one frame, actions run in the order they were scheduled. The
 * subscription and unsubscription frames given to `expectObservable` are scheduled before the test
 * starts, so they come before anything a cold observable schedules once subscribed (its values, its
 * completion); a `timer` or `timeout` is scheduled when the pipe it is in is subscribed.
 */

/** Marble values for `state$`: each letter is a `[total, available, waiting]`. */
function states(values: Record<string, [number, number, number]>): Record<string, GateState> {
  const out: Record<string, GateState> = {};
  for (const [key, [total, available, waiting]] of Object.entries(values)) out[key] = { total, available, waiting };
  return out;
}

describe('grant order under contention', () => {
  it('Semaphore(1): one at a time, in subscription order, each subscribed in the frame the previous ended', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const sem = new Semaphore(1);
      const a = cold('---a|');
      const b = cold('-b|');
      const c = cold('c|');
      expectObservable(sem.state$).toBe(
        'abcd-e-fg',
        states({ a: [1, 1, 0], b: [1, 0, 0], c: [1, 0, 1], d: [1, 0, 2], e: [1, 0, 1], f: [1, 0, 0], g: [1, 1, 0] }),
      );
      expectObservable(sem.run(a), '-^').toBe('----a|');
      expectObservable(sem.run(b), '--^').toBe('------b|');
      expectObservable(sem.run(c), '---^').toBe('-------c|');
      expectSubscriptions(a.subscriptions).toBe('-^---!');
      expectSubscriptions(b.subscriptions).toBe('-----^-!');
      expectSubscriptions(c.subscriptions).toBe('-------^!');
    });
  });

  it('Semaphore(2): two at a time; each freed permit goes to the longest waiter', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const sem = new Semaphore(2);
      const a = cold('----a|');
      const b = cold('--b|');
      const c = cold('-c|');
      const d = cold('d|');
      expectObservable(sem.state$).toBe(
        'abcdefg(hi)',
        states({
          a: [2, 2, 0],
          b: [2, 1, 0],
          c: [2, 0, 0],
          d: [2, 0, 1],
          e: [2, 0, 2],
          f: [2, 0, 1],
          g: [2, 0, 0],
          h: [2, 1, 0],
          i: [2, 2, 0],
        }),
      );
      expectObservable(sem.run(a), '-^').toBe('-----a|');
      expectObservable(sem.run(b), '--^').toBe('----b|');
      expectObservable(sem.run(c), '---^').toBe('------c|');
      expectObservable(sem.run(d), '----^').toBe('------d|');
      expectSubscriptions(a.subscriptions).toBe('-^----!');
      expectSubscriptions(b.subscriptions).toBe('--^--!');
      expectSubscriptions(c.subscriptions).toBe('-----^-!'); // b's permit
      expectSubscriptions(d.subscriptions).toBe('------^!'); // a's permit
    });
  });

  it('Lock: run() releases on error and on unsubscribe, and the next work starts in that frame', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const lock = new Lock();
      const a = cold('--#');
      const b = cold('-b--');
      const c = cold('c|');
      expectObservable(lock.state$).toBe(
        'abcde-fg',
        states({ a: [1, 1, 0], b: [1, 0, 0], c: [1, 0, 1], d: [1, 0, 0], e: [1, 0, 1], f: [1, 0, 0], g: [1, 1, 0] }),
      );
      expectObservable(lock.run(a), '-^').toBe('---#');
      expectObservable(lock.run(b), '--^---!').toBe('----b-');
      expectObservable(lock.run(c), '----^').toBe('------c|');
      expectSubscriptions(a.subscriptions).toBe('-^-!');
      expectSubscriptions(b.subscriptions).toBe('---^--!');
      expectSubscriptions(c.subscriptions).toBe('------^!');
    });
  });

  it('run() on complete releases before the next work is subscribed, in the same frame', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const limiter = new CapacityLimiter(1);
      const a = cold('-a|');
      const b = cold('-b|');
      const seen: boolean[] = [];
      expectObservable(limiter.run(a).pipe(tap({ complete: () => seen.push(limiter.borrowedTokens === 1) }))).toBe('-a|');
      expectObservable(limiter.run(b)).toBe('---b|');
      expectSubscriptions(a.subscriptions).toBe('^-!');
      expectSubscriptions(b.subscriptions).toBe('--^-!');
      // When `a`'s subscriber saw its completion, the permit had already passed to `b`.
      expectObservable(timer(3).pipe(map(() => seen))).toBe('---(x|)', { x: [true] });
    });
  });
});

describe('cancellation of a waiter', () => {
  it('PITFALLS 3: unsubscribed while waiting: gone at once, its work never subscribed, the next in line served', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const lock = new Lock();
      const a = cold('----|');
      const b = cold('b|');
      const c = cold('c|');
      expectObservable(lock.state$).toBe(
        'abcdefg',
        states({ a: [1, 1, 0], b: [1, 0, 0], c: [1, 0, 1], d: [1, 0, 2], e: [1, 0, 1], f: [1, 0, 0], g: [1, 1, 0] }),
      );
      expectObservable(lock.run(a), '-^').toBe('-----|');
      expectObservable(lock.run(b), '--^-!').toBe('-');
      expectObservable(lock.run(c), '---^').toBe('-----c|');
      expectSubscriptions(b.subscriptions).toBe([]);
      expectSubscriptions(c.subscriptions).toBe('-----^!');
    });
  });

  it('PITFALLS 3: removed by a timeout: gone synchronously, the counters exact when the timeout fires', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const lock = new Lock();
      const a = cold('-----|');
      const b = cold('b|');
      expectObservable(lock.state$).toBe('abc-d-e', states({ a: [1, 1, 0], b: [1, 0, 0], c: [1, 0, 1], d: [1, 0, 0], e: [1, 1, 0] }));
      expectObservable(lock.run(a), '-^').toBe('------|');
      const timedOut = lock.run(b).pipe(timeout({ first: 2, with: () => of(`waiting ${lock.waiting}, locked ${lock.locked}`) }));
      expectObservable(timedOut, '--^').toBe('----(t|)', { t: 'waiting 0, locked true' });
      expectSubscriptions(b.subscriptions).toBe([]);
    });
  });

  it('PITFALLS 4: unsubscribed while holding: its work is unsubscribed and the next work subscribed in that frame', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const sem = new Semaphore(1);
      const a = cold('-a------');
      const b = cold('-b|');
      expectObservable(sem.state$).toBe('abc-d-e', states({ a: [1, 1, 0], b: [1, 0, 0], c: [1, 0, 1], d: [1, 0, 0], e: [1, 1, 0] }));
      expectObservable(sem.run(a), '-^--!').toBe('--a');
      expectObservable(sem.run(b), '--^').toBe('-----b|');
      expectSubscriptions(a.subscriptions).toBe('-^--!');
      expectSubscriptions(b.subscriptions).toBe('----^-!');
    });
  });

  describe('PITFALLS 1 and 2: cancelled at every step of the grant; exactly one outcome, the permit always restored', () => {
    const cases: [string, (lock: Lock) => Observable<string>, string, string, string][] = [
      // [name, the waiter, its subscription marble, its output, state$]
      ['before the release', (lock) => lock.acquire().pipe(map(() => 'g')), '--^!', '-', 'abcde'],
      ['in the frame of the release, before it', (lock) => lock.acquire().pipe(map(() => 'g')), '--^-!', '-', 'abc-(de)'],
      [
        'in the frame of the release, after the grant',
        (lock) =>
          lock.acquire().pipe(
            map(() => 'g'),
            takeUntil(timer(2)),
          ),
        '--^',
        '----(g|)',
        'abc-(de)',
      ],
      [
        'during the grant (take(1) in the grant callback)',
        (lock) =>
          lock.acquire().pipe(
            map(() => 'g'),
            take(1),
          ),
        '--^',
        '----(g|)',
        'abc-(de)',
      ],
    ];

    it.each(cases)('acquire() cancelled %s', (_name, waiter, subscription, output, stateMarbles) => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const lock = new Lock();
        const a = cold('---|');
        // In the 'before' case the lock is free at 3 and taken again by nobody: e is [1,1,0] at 4.
        const values = states({ a: [1, 1, 0], b: [1, 0, 0], c: [1, 0, 1], d: [1, 0, 0], e: [1, 1, 0] });
        expectObservable(lock.state$).toBe(stateMarbles, values);
        expectObservable(lock.run(a), '-^').toBe('----|');
        expectObservable(waiter(lock), subscription).toBe(output);
        expectSubscriptions(a.subscriptions).toBe('-^--!');
      });
    });

    it('run() cancelled in the frame of the release, before it: its work never runs, the next waiter gets the permit', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const lock = new Lock();
        const a = cold('---|');
        const b = cold('b');
        const c = cold('----c|');
        expectObservable(lock.state$).toBe(
          'abcd(ef)-g',
          states({ a: [1, 1, 0], b: [1, 0, 0], c: [1, 0, 1], d: [1, 0, 2], e: [1, 0, 1], f: [1, 0, 0], g: [1, 1, 0] }),
        );
        expectObservable(lock.run(a), '-^').toBe('----|');
        expectObservable(lock.run(b), '--^-!').toBe('-');
        expectObservable(lock.run(c), '---^').toBe('--------c|');
        expectSubscriptions(a.subscriptions).toBe('-^--!');
        expectSubscriptions(b.subscriptions).toBe([]);
        expectSubscriptions(c.subscriptions).toBe('----^----!');
      });
    });

    it('run() cancelled in the frame of the release, after its grant: its work is subscribed and unsubscribed in that frame, then the next is served', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const lock = new Lock();
        const a = cold('---|');
        const b = cold('b');
        const c = cold('----c|');
        expectObservable(lock.state$).toBe(
          'abcd(ef)-g',
          states({ a: [1, 1, 0], b: [1, 0, 0], c: [1, 0, 1], d: [1, 0, 2], e: [1, 0, 1], f: [1, 0, 0], g: [1, 1, 0] }),
        );
        expectObservable(lock.run(a), '-^').toBe('----|');
        expectObservable(lock.run(b).pipe(takeUntil(timer(2))), '--^').toBe('----|');
        expectObservable(lock.run(c), '---^').toBe('--------c|');
        expectSubscriptions(b.subscriptions).toBe('----(^!)');
        expectSubscriptions(c.subscriptions).toBe('----^----!');
      });
    });

    it('run() cancelled by its own work while it subscribes: released at once, the next served in that frame', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const lock = new Lock();
        const a = cold('---|');
        const c = cold('---c|');
        let cancelNow: () => void = () => undefined;
        const b = lock.run(defer(() => (cancelNow(), cold('b|'))));
        const cancelled = new Observable<string>((subscriber) => {
          cancelNow = () => subscriber.complete();
          return b.subscribe(subscriber);
        });
        expectObservable(lock.state$).toBe(
          'abcd(ef)g',
          states({ a: [1, 1, 0], b: [1, 0, 0], c: [1, 0, 1], d: [1, 0, 2], e: [1, 0, 1], f: [1, 0, 0], g: [1, 1, 0] }),
        );
        expectObservable(lock.run(a), '-^').toBe('----|');
        expectObservable(cancelled, '--^').toBe('----|');
        expectObservable(lock.run(c), '---^').toBe('-------c|');
        expectSubscriptions(c.subscriptions).toBe('----^---!');
      });
    });
  });
});

describe('weights: strict head-of-line', () => {
  it('a heavy head blocks lighter waiters behind it even when enough is free for them', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const sem = new Semaphore(3);
      const a = cold('---|');
      const heavy = cold('--|');
      const light = cold('----|');
      const seen: (boolean | undefined)[] = [];
      expectObservable(sem.state$).toBe(
        'abcde-f-g',
        states({ a: [3, 3, 0], b: [3, 1, 0], c: [3, 1, 1], d: [3, 1, 2], e: [3, 0, 0], f: [3, 2, 0], g: [3, 3, 0] }),
      );
      expectObservable(sem.run(a, 2), '-^').toBe('----|');
      expectObservable(sem.run(heavy, 2), '--^').toBe('------|');
      expectObservable(sem.run(light, 1), '---^').toBe('--------|');
      // One permit is free at 3, but the heavy head waits before it: no barging.
      expectObservable(timer(3).pipe(map(() => (seen.push(sem.tryAcquire()?.released), seen)))).toBe('---(x|)', { x: [undefined] });
      expectSubscriptions(heavy.subscriptions).toBe('----^-!');
      expectSubscriptions(light.subscriptions).toBe('----^---!');
    });
  });

  it('PITFALLS 7: a weight-2 waiter is served under a steady stream of weight-1 requests', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const sem = new Semaphore(2);
      const heavyWork = cold('-H|');
      const lightWork: Record<string, ReturnType<typeof cold>> = {};
      // A request every frame; each holds its permit for 4 frames, so without head-of-line
      // blocking two lights would always overlap and the heavy request would wait forever.
      const lights = cold('abcdefghij|').pipe(mergeMap((x) => sem.run((lightWork[x] = cold('----(x|)', { x })))));
      expectObservable(lights).toBe('----ab-----(cd)(ef)(gh)(ij|)');
      expectObservable(sem.run(heavyWork, 2), '--^').toBe('------H|');
      expectSubscriptions(heavyWork.subscriptions).toBe('-----^-!');
      // `a` ended at 4, yet `c` (queued behind the heavy request) did not take the free permit.
      expectObservable(timer(30).pipe(map(() => [sem.value, sem.waiting]))).toBe('30ms (x|)', { x: [2, 0] });
      expectObservable(timer(29).pipe(map(() => lightWork.c?.subscriptions))).toBe('29ms (x|)', {
        x: [{ subscribedFrame: 7, unsubscribedFrame: 11 }],
      });
    });
  });
});

describe('PITFALLS 18: CapacityLimiter.totalTokens changed with waiters queued', () => {
  it('raising wakes waiters at once in FIFO order; lowering revokes nothing and grants nothing until borrowed < total', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const limiter = new CapacityLimiter(1);
      const a = cold('-----------|');
      const b = cold('b-|');
      const c = cold('c---|');
      const d = cold('-|');
      const at = (frame: number, fn: () => void): void => void timer(frame).subscribe(fn);
      at(7, () => (limiter.totalTokens = 3));
      at(8, () => (limiter.totalTokens = 1)); // 3 borrowed: the state does not change, nothing is emitted
      expectObservable(limiter.state$).toBe(
        'ab(cd)ef-g-hij',
        states({
          a: [1, 1, 0],
          b: [1, 0, 0],
          c: [1, 0, 1],
          d: [1, 0, 2],
          e: [1, 0, 3],
          f: [3, 0, 1],
          g: [2, 0, 1],
          h: [1, 0, 1],
          i: [1, 0, 0],
          j: [1, 1, 0],
        }),
      );
      expectObservable(limiter.run(a), '-^').toBe('------------|');
      // b and c are granted in one hand-off at 7, in order: merged, b comes first.
      expectObservable(merge(limiter.run(b), limiter.run(c)), '--^').toBe('-------(bc)|');
      expectObservable(limiter.run(d), '------^').toBe('-------------|');
      expectSubscriptions(b.subscriptions).toBe('-------^-!');
      expectSubscriptions(c.subscriptions).toBe('-------^---!');
      // Lowered to 1 at 8 with 3 borrowed: nobody loses a token; at 9 and 11 (2, then 1 borrowed)
      // d still waits; only when a ends at 12 is borrowed < total.
      expectSubscriptions(d.subscriptions).toBe('------------^!');
      expectObservable(
        timer(10).pipe(map(() => [limiter.totalTokens, limiter.borrowedTokens, limiter.availableTokens, limiter.waiting])),
      ).toBe('----------(x|)', { x: [1, 2, 0, 1] });
    });
  });
});

describe('withPermit', () => {
  it('source.pipe(withPermit(gate)) behaves as gate.run(source), weighted on a Semaphore', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const sem = new Semaphore(2);
      const a = cold('-a|');
      const b = cold('--b|');
      const c = cold('c|');
      expectObservable(a.pipe(withPermit(sem))).toBe('-a|');
      expectObservable(b.pipe(withPermit(sem, 2))).toBe('----b|');
      expectObservable(c.pipe(withPermit(sem)), '-^').toBe('-----c|');
      expectSubscriptions(a.subscriptions).toBe('^-!');
      expectSubscriptions(b.subscriptions).toBe('--^--!');
      expectSubscriptions(c.subscriptions).toBe('-----^!');
    });
  });

  it('unsubscribing a withPermit pipe while waiting never subscribes the source', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const lock = new Lock();
      const a = cold('----|');
      const b = cold('b|');
      expectObservable(a.pipe(withPermit(lock))).toBe('----|');
      expectObservable(b.pipe(withPermit(lock)), '^-!').toBe('-');
      expectSubscriptions(b.subscriptions).toBe([]);
      expectObservable(lock.state$, '-----^').toBe('-----a', states({ a: [1, 1, 0] }));
    });
  });
});

describe('ConcurrencyEvent', () => {
  it('wait() emits and completes when set(); after set() at once; an unsubscribed waiter never emits', () => {
    testScheduler().run(({ expectObservable }) => {
      const event = new ConcurrencyEvent();
      timer(3).subscribe(() => event.set());
      timer(4).subscribe(() => event.set()); // idempotent
      const wait = event.wait().pipe(map(() => 'x'));
      expectObservable(wait).toBe('---(x|)');
      expectObservable(wait, '-^').toBe('---(x|)');
      expectObservable(wait, '-^!').toBe('-');
      expectObservable(wait, '-----^').toBe('-----(x|)');
      expectObservable(timer(2).pipe(map(() => [event.isSet, event.waiting]))).toBe('--(x|)', { x: [false, 2] });
      expectObservable(timer(3).pipe(map(() => [event.isSet, event.waiting]))).toBe('---(x|)', { x: [true, 0] });
    });
  });
});

describe('PITFALLS 16: a run nested in a run of the same Lock', () => {
  it('waits forever; unsubscribing frees the inner waiter and then the lock', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const lock = new Lock();
      const inner = cold('a|');
      const nested = lock.run(defer(() => lock.run(inner)));
      // `moveOnAfter(10)` would do this; here `takeUntil(timer(10))` stands in for it.
      expectObservable(nested.pipe(takeUntil(timer(9))), '-^').toBe('----------|');
      expectSubscriptions(inner.subscriptions).toBe([]);
      expectObservable(lock.state$).toBe(
        'a(bc)-----(de)fg',
        states({ a: [1, 1, 0], b: [1, 0, 0], c: [1, 0, 1], d: [1, 0, 0], e: [1, 1, 0], f: [1, 0, 0], g: [1, 1, 0] }),
      );
      expectObservable(lock.run(cold('z|')), '--------------^').toBe('--------------z|');
    });
  });
});
