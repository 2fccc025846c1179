import { getEventListeners } from 'node:events';
import { EMPTY, NEVER, Observable, catchError, defer, map, merge, of, take, takeUntil, throwError, timeout, timer, type Subscription } from 'rxjs';
import { testScheduler } from './setup/test-scheduler';
import { BorrowerError, CapacityLimiter, ConcurrencyEvent, Lock, Semaphore, withPermit, type Gate, type GateState, type Permit } from 'rxjs-concurrency';
import { reportsDelivered, takeEscapedErrors } from './setup/no-unhandled-errors';

const st = (total: number, available: number, waiting: number): GateState => ({ total, available, waiting });

/** Every state `state$` emits, synchronously as they come. */
function recordStates(gate: Gate): { states: GateState[]; last: () => GateState | undefined; subscription: Subscription } {
  const states: GateState[] = [];
  const subscription = gate.state$.subscribe((s) => states.push(s));
  return { states, last: () => states[states.length - 1], subscription };
}

/** A settled promise's outcome, read after the microtasks it needs have run. */
async function outcome<T>(promise: Promise<T>): Promise<{ value: T } | { reason: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (reason: unknown) => ({ reason }),
  );
}

const gates: [string, () => Gate][] = [
  ['Lock', () => new Lock()],
  ['Semaphore(1)', () => new Semaphore(1)],
  ['CapacityLimiter(1)', () => new CapacityLimiter(1)],
];

describe('tryAcquire and Permit', () => {
  it.each(gates)('%s: a permit when free, undefined when taken; release is idempotent and sets released', (_name, make) => {
    const gate = make();
    const { states } = recordStates(gate);
    const permit = gate.tryAcquire()!;
    expect(permit.released).toBe(false);
    expect(gate.tryAcquire()).toBeUndefined();
    permit.release();
    expect(permit.released).toBe(true);
    permit.release();
    permit[Symbol.dispose]();
    expect(permit.released).toBe(true);
    expect(states).toEqual([st(1, 1, 0), st(1, 0, 0), st(1, 1, 0)]);
    const again = gate.tryAcquire()!;
    expect(gate.tryAcquire()).toBeUndefined();
    again.release();
  });

  it('`using` releases the permit when the block ends, also on throw', () => {
    const lock = new Lock();
    {
      using permit = lock.tryAcquire();
      expect(permit?.released).toBe(false);
      expect(lock.locked).toBe(true);
    }
    expect(lock.locked).toBe(false);

    let inside: Permit | undefined;
    expect(() => {
      using permit = lock.tryAcquire();
      inside = permit;
      throw new Error('boom');
    }).toThrow('boom');
    expect(inside?.released).toBe(true);
    expect(lock.locked).toBe(false);
  });

  it('`using` tolerates undefined (the gate was busy) and releases nothing then', () => {
    const lock = new Lock();
    const held = lock.tryAcquire()!;
    {
      using permit = lock.tryAcquire();
      expect(permit).toBeUndefined();
    }
    expect(lock.locked).toBe(true);
    held.release();
  });

  it('Symbol.dispose releases, and is idempotent with release()', () => {
    const sem = new Semaphore(2);
    const permit = sem.tryAcquire(2)!;
    permit[Symbol.dispose]();
    expect(permit.released).toBe(true);
    expect(sem.value).toBe(2);
    permit[Symbol.dispose]();
    permit.release();
    expect(sem.value).toBe(2);
  });

  it('never barges: tryAcquire fails while someone waits, even with enough permits free for it', () => {
    const sem = new Semaphore(3);
    const held = sem.tryAcquire(2)!;
    const heavy = sem.acquire(2).subscribe();
    expect(sem.value).toBe(1);
    expect(sem.tryAcquire()).toBeUndefined();
    expect(sem.waiting).toBe(1);
    heavy.unsubscribe();
    const light = sem.tryAcquire()!;
    expect(sem.value).toBe(0);
    light.release();
    held.release();
    expect(sem.value).toBe(3);
  });

  it('a weighted permit gives back its whole weight, once', () => {
    const sem = new Semaphore(5);
    const permit = sem.tryAcquire(3)!;
    expect(sem.value).toBe(2);
    permit.release();
    permit.release();
    expect(sem.value).toBe(5);
  });
});

describe('PITFALLS 6: double release never inflates capacity', () => {
  it.each(gates)('%s: releasing a permit twice, or after its acquire ended, leaves total at 1', (_name, make) => {
    const gate = make();
    const { states } = recordStates(gate);
    const permit = gate.tryAcquire()!;
    permit.release();
    permit.release();
    const subscription = gate.acquire().subscribe();
    subscription.unsubscribe();
    subscription.unsubscribe();
    expect(gate.tryAcquire()).toBeDefined();
    expect(gate.tryAcquire()).toBeUndefined();
    expect(states.every((s) => s.total === 1 && s.available <= s.total)).toBe(true);
  });

  it('a permit from acquireAsync released twice gives back one permit', async () => {
    const sem = new Semaphore(2);
    const permit = await sem.acquireAsync();
    permit.release();
    permit.release();
    expect(sem.value).toBe(2);
  });

  it('capacity never exceeds its total under any mix of releases and cancellations', () => {
    const sem = new Semaphore(3, { maxValue: 3 });
    const { states } = recordStates(sem);
    const permits: Permit[] = [];
    const subscriptions: Subscription[] = [];
    for (let round = 0; round < 50; round++) {
      const weight = 1 + (round % 3);
      const permit = sem.tryAcquire(weight);
      if (permit) permits.push(permit);
      subscriptions.push(sem.acquire(1 + ((round * 7) % 3)).subscribe());
      sem.run(of(round), weight).subscribe();
      if (round % 2 === 0) permits[round % permits.length]?.release();
      if (round % 3 === 0) subscriptions[(round * 5) % subscriptions.length]?.unsubscribe();
      permits[(round * 3) % Math.max(1, permits.length)]?.release();
      expect(sem.value).toBeLessThanOrEqual(3);
    }
    for (const permit of permits) permit.release();
    for (const subscription of subscriptions) subscription.unsubscribe();
    expect(states.every((s) => s.total === 3 && s.available >= 0 && s.available <= 3)).toBe(true);
    expect([sem.value, sem.waiting]).toEqual([3, 0]);
    for (const permit of permits) permit.release();
    expect(sem.value).toBe(3);
  });

  it('Semaphore.release past maxValue throws and adds nothing; within maxValue it adds', () => {
    const sem = new Semaphore(1, { maxValue: 2 });
    sem.release();
    expect(sem.value).toBe(2);
    expect(() => sem.release()).toThrow(RangeError);
    expect(sem.value).toBe(2);
    const permit = sem.tryAcquire(2)!;
    expect(() => sem.release()).toThrow(RangeError);
    permit.release();
    expect(sem.value).toBe(2);
  });

  it('Semaphore.release(0) is a no-op', () => {
    const sem = new Semaphore(1, { maxValue: 1 });
    const { states } = recordStates(sem);
    sem.release(0);
    expect(states).toEqual([st(1, 1, 0)]);
  });
});

describe('PITFALLS 17: every counter and state$ is exact synchronously after each call', () => {
  it('Semaphore: value, waiting and state$', () => {
    const sem = new Semaphore(2);
    const { states, last } = recordStates(sem);
    const check = (value: number, waiting: number, state: GateState): void => {
      expect([sem.value, sem.waiting]).toEqual([value, waiting]);
      expect(last()).toEqual(state);
    };
    check(2, 0, st(2, 2, 0));
    const p1 = sem.tryAcquire()!;
    check(1, 0, st(2, 1, 0));
    const heavy = sem.acquire(2).subscribe();
    check(1, 1, st(2, 1, 1));
    const light = sem.acquire().subscribe();
    check(1, 2, st(2, 1, 2));
    expect(sem.tryAcquire()).toBeUndefined();
    check(1, 2, st(2, 1, 2));
    p1.release();
    check(0, 1, st(2, 0, 1));
    sem.release();
    check(0, 0, st(3, 0, 0));
    heavy.unsubscribe();
    check(2, 0, st(3, 2, 0));
    light.unsubscribe();
    check(3, 0, st(3, 3, 0));
    const zero = new Semaphore(0);
    const z = recordStates(zero);
    const waiter = zero.acquire().subscribe();
    expect([zero.value, zero.waiting]).toEqual([0, 1]);
    zero.release();
    expect([zero.value, zero.waiting]).toEqual([0, 0]);
    waiter.unsubscribe();
    expect(z.states).toEqual([st(0, 0, 0), st(0, 0, 1), st(1, 0, 0), st(1, 1, 0)]);
    expect(states).toEqual([st(2, 2, 0), st(2, 1, 0), st(2, 1, 1), st(2, 1, 2), st(2, 0, 1), st(3, 0, 0), st(3, 2, 0), st(3, 3, 0)]);
  });

  it('Lock: locked, waiting and state$', () => {
    const lock = new Lock();
    const { states } = recordStates(lock);
    const check = (locked: boolean, waiting: number): void => expect([lock.locked, lock.waiting]).toEqual([locked, waiting]);
    check(false, 0);
    const a = lock.acquire().subscribe();
    check(true, 0);
    const b = lock.acquire().subscribe();
    check(true, 1);
    const c = lock.run(NEVER).subscribe();
    check(true, 2);
    b.unsubscribe();
    check(true, 1);
    a.unsubscribe();
    check(true, 0);
    c.unsubscribe();
    check(false, 0);
    expect(states).toEqual([st(1, 1, 0), st(1, 0, 0), st(1, 0, 1), st(1, 0, 2), st(1, 0, 1), st(1, 0, 0), st(1, 1, 0)]);
  });

  it('CapacityLimiter: totalTokens, borrowedTokens, availableTokens, waiting and state$', () => {
    const limiter = new CapacityLimiter(2);
    const { states } = recordStates(limiter);
    const check = (total: number, borrowed: number, available: number, waiting: number): void =>
      expect([limiter.totalTokens, limiter.borrowedTokens, limiter.availableTokens, limiter.waiting]).toEqual([total, borrowed, available, waiting]);
    check(2, 0, 2, 0);
    const a = limiter.acquire().subscribe();
    const b = limiter.acquireOnBehalfOf({}).subscribe();
    check(2, 2, 0, 0);
    const c = limiter.acquire().subscribe();
    check(2, 2, 0, 1);
    limiter.totalTokens = 1; // below borrowed: nothing revoked, and state$ has nothing new to say
    check(1, 2, 0, 1);
    a.unsubscribe(); // borrowed 1, not < 1: c still waits
    check(1, 1, 0, 1);
    limiter.totalTokens = 3; // raising wakes c at once
    check(3, 2, 1, 0);
    b.unsubscribe();
    c.unsubscribe();
    check(3, 0, 3, 0);
    limiter.totalTokens = 3; // unchanged: no duplicate
    expect(states).toEqual([st(2, 2, 0), st(2, 1, 0), st(2, 0, 0), st(2, 0, 1), st(1, 0, 1), st(3, 1, 0), st(3, 2, 0), st(3, 3, 0)]);
  });

  it('state$ gives a late subscriber the current state, and several subscribers the same sequence', () => {
    const sem = new Semaphore(1);
    const first = recordStates(sem);
    const held = sem.tryAcquire()!;
    const second = recordStates(sem);
    held.release();
    expect(first.states).toEqual([st(1, 1, 0), st(1, 0, 0), st(1, 1, 0)]);
    expect(second.states).toEqual([st(1, 0, 0), st(1, 1, 0)]);
    first.subscription.unsubscribe();
    second.subscription.unsubscribe();
    // Nobody listens: changes still count, and a new subscriber sees them.
    const again = sem.tryAcquire()!;
    expect(recordStates(sem).states).toEqual([st(1, 0, 0)]);
    again.release();
  });
});

describe('acquireAsync', () => {
  it('a free permit: resolves, and the counters moved before the promise settled', async () => {
    const sem = new Semaphore(2);
    const promise = sem.acquireAsync();
    expect(sem.value).toBe(1);
    const permit = await promise;
    expect(permit.released).toBe(false);
    permit.release();
    expect(sem.value).toBe(2);
  });

  it('queued, then granted when a holder releases; using releases it at block end', async () => {
    const lock = new Lock();
    const held = lock.tryAcquire()!;
    const promise = lock.acquireAsync();
    expect([lock.locked, lock.waiting]).toEqual([true, 1]);
    held.release();
    expect([lock.locked, lock.waiting]).toEqual([true, 0]);
    {
      using permit = await promise;
      expect(permit.released).toBe(false);
      expect(lock.locked).toBe(true);
    }
    expect(lock.locked).toBe(false);
  });

  it('aborted while waiting: rejects with signal.reason and the waiter is gone at once', async () => {
    const lock = new Lock();
    const { last } = recordStates(lock);
    const held = lock.tryAcquire()!;
    const controller = new AbortController();
    const promise = lock.acquireAsync({ signal: controller.signal });
    expect(lock.waiting).toBe(1);
    const reason = new Error('stop');
    controller.abort(reason);
    expect(lock.waiting).toBe(0);
    expect(last()).toEqual(st(1, 0, 0));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await expect(promise).rejects.toBe(reason);
    held.release();
    expect(lock.locked).toBe(false);
  });

  it('aborted before the call: rejects with signal.reason, takes nothing, queues nothing', async () => {
    const sem = new Semaphore(1);
    const { states } = recordStates(sem);
    const signal = AbortSignal.abort(new Error('already'));
    const promise = sem.acquireAsync({ signal });
    expect([sem.value, sem.waiting]).toEqual([1, 0]);
    await expect(promise).rejects.toEqual(new Error('already'));
    expect(states).toEqual([st(1, 1, 0)]);
  });

  it('with a signal that never aborts, granted at once, leaves no listener', async () => {
    const lock = new Lock();
    const controller = new AbortController();
    const permit = await lock.acquireAsync({ signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    controller.abort();
    expect(permit.released).toBe(false);
    permit.release();
  });

  describe('PITFALLS 11: aborted in the same tick as the grant: exactly one outcome', () => {
    it('abort, then the release that would have granted it: rejected, the permit stays free', async () => {
      const lock = new Lock();
      const held = lock.tryAcquire()!;
      const controller = new AbortController();
      const promise = lock.acquireAsync({ signal: controller.signal });
      controller.abort('late');
      held.release();
      expect([lock.locked, lock.waiting]).toEqual([false, 0]);
      expect(await outcome(promise)).toEqual({ reason: 'late' });
      expect(lock.locked).toBe(false);
    });

    it('release, then abort: resolved with a held permit; the abort changes nothing', async () => {
      const lock = new Lock();
      const held = lock.tryAcquire()!;
      const controller = new AbortController();
      const promise = lock.acquireAsync({ signal: controller.signal });
      held.release();
      controller.abort('late');
      expect([lock.locked, lock.waiting]).toEqual([true, 0]);
      const result = await outcome(promise);
      expect('value' in result && result.value.released).toBe(false);
      expect(lock.locked).toBe(true);
      if ('value' in result) result.value.release();
      expect(lock.locked).toBe(false);
    });

    it('aborted by a grant delivered just before its own in the same hand-off: rejected, its permit returned', async () => {
      const sem = new Semaphore(0);
      const controller = new AbortController();
      const first = sem.acquire().subscribe(() => controller.abort('by the first grant'));
      const promise = sem.acquireAsync({ signal: controller.signal });
      const third = sem.acquire().subscribe();
      expect(sem.waiting).toBe(3);
      sem.release(2); // grants the first and the promise together; the first's grant aborts the promise
      // The promise's permit went back and was handed to the third waiter, in order.
      expect([sem.value, sem.waiting]).toEqual([0, 0]);
      expect(await outcome(promise)).toEqual({ reason: 'by the first grant' });
      first.unsubscribe();
      third.unsubscribe();
      expect(sem.value).toBe(2);
    });

    it('aborting after the grant was delivered leaves the permit with its owner', async () => {
      const sem = new Semaphore(0);
      const controller = new AbortController();
      const promise = sem.acquireAsync({ signal: controller.signal });
      const after = sem.acquire().subscribe(() => controller.abort('too late'));
      sem.release(2);
      expect(sem.value).toBe(0);
      const result = await outcome(promise);
      expect('value' in result && result.value.released).toBe(false);
      if ('value' in result) result.value.release();
      after.unsubscribe();
      expect(sem.value).toBe(2);
    });
  });

  it('PITFALLS 12: 10^5 acquireAsync({ signal }) calls against one long-lived signal leave no listener on it', async () => {
    const n = 100_000;
    const sem = new Semaphore(0);
    const controller = new AbortController();
    const { signal } = controller;
    const promises: Promise<Permit>[] = [];
    for (let i = 0; i < n; i++) promises.push(sem.acquireAsync({ signal }));
    // The count works, and the waiters share one listener (a listener each costs O(n) per add in
    // Node's EventTarget, and warns past ten).
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    sem.release(n - 1);
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    sem.release();
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    const permits = await Promise.all(promises);
    for (const permit of permits) permit.release();
    expect([sem.value, sem.waiting]).toEqual([n, 0]);
    // Granted at once: never listens at all.
    for (let i = 0; i < n; i++) (await sem.acquireAsync({ signal })).release();
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  }, 60_000);

  it('PITFALLS 12: 10^5 calls one after another, each queued then granted, leave no listener', async () => {
    const lock = new Lock();
    const { signal } = new AbortController();
    let held = lock.tryAcquire()!;
    for (let i = 0; i < 100_000; i++) {
      const next = lock.acquireAsync({ signal });
      held.release();
      held = await next;
    }
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    held.release();
    expect([lock.locked, lock.waiting]).toEqual([false, 0]);
  }, 60_000);

  it('waiters of several gates sharing one signal are all withdrawn by its abort, each gate exact', async () => {
    const lock = new Lock();
    const sem = new Semaphore(0);
    const controller = new AbortController();
    const held = lock.tryAcquire()!;
    const a = outcome(lock.acquireAsync({ signal: controller.signal }));
    const b = outcome(sem.acquireAsync({ signal: controller.signal }));
    const behind = sem.acquire().subscribe();
    const c = outcome(sem.acquireAsync({ signal: controller.signal }));
    expect([lock.waiting, sem.waiting]).toEqual([1, 3]);
    sem.release(); // granted to b: b no longer listens
    expect([sem.value, sem.waiting]).toEqual([0, 2]);
    controller.abort('gone');
    expect([lock.waiting, sem.waiting, sem.value]).toEqual([0, 1, 0]);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(await a).toEqual({ reason: 'gone' });
    expect(await c).toEqual({ reason: 'gone' });
    const granted = await b;
    expect('value' in granted && granted.value.released).toBe(false);
    if ('value' in granted) granted.value.release(); // hands the permit to `behind`
    expect([sem.value, sem.waiting]).toEqual([0, 0]);
    behind.unsubscribe();
    held.release();
    expect([lock.locked, sem.value]).toEqual([false, 1]);
  });

  it('PITFALLS 12: aborted waiters leave no listener behind either', async () => {
    const lock = new Lock();
    const held = lock.tryAcquire()!;
    const controller = new AbortController();
    const promises = Array.from({ length: 1000 }, () => outcome(lock.acquireAsync({ signal: controller.signal })));
    controller.abort('bye');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(lock.waiting).toBe(0);
    expect(new Set((await Promise.all(promises)).map((r) => ('reason' in r ? r.reason : 'granted')))).toEqual(new Set(['bye']));
    held.release();
  });
});

describe('PITFALLS 4: cancelling queued and running work at once', () => {
  it('counters reach zero at once and new work runs', () => {
    const sem = new Semaphore(2);
    const { last } = recordStates(sem);
    const subscribed: number[] = [];
    const unsubscribed: number[] = [];
    const work = (i: number): Observable<never> =>
      new Observable<never>(() => {
        subscribed.push(i);
        return () => unsubscribed.push(i);
      });
    const all = merge(...[0, 1, 2, 3, 4, 5].map((i) => sem.run(work(i)))).subscribe();
    expect([sem.value, sem.waiting, subscribed]).toEqual([0, 4, [0, 1]]);
    all.unsubscribe();
    expect([sem.value, sem.waiting]).toEqual([2, 0]);
    expect(last()).toEqual(st(2, 2, 0));
    // Cancelling in subscription order hands each freed permit to the next waiter in line, whose
    // cancellation follows in the same call: every work that started was stopped.
    expect(unsubscribed.slice().sort()).toEqual(subscribed.slice().sort());
    const values: number[] = [];
    sem.run(of(7)).subscribe((v) => values.push(v));
    expect(values).toEqual([7]);
    expect(sem.value).toBe(2);
  });

  it('cancelling the waiters before the holders starts no queued work', () => {
    const lock = new Lock();
    const started: number[] = [];
    const work = (i: number): Observable<never> => defer(() => (started.push(i), NEVER));
    const running = lock.run(work(0)).subscribe();
    const queued = merge(lock.run(work(1)), lock.run(work(2))).subscribe();
    queued.unsubscribe();
    running.unsubscribe();
    expect(started).toEqual([0]);
    expect([lock.locked, lock.waiting]).toEqual([false, 0]);
  });
});

describe('PITFALLS 5: a run() whose subscription ends early releases its permit and aborts its signal in the same frame', () => {
  it.each([
    ['timeout', (source: Observable<string>) => source.pipe(timeout(5), catchError(() => of('timed out')))],
    ['unsubscribe', (source: Observable<string>) => source.pipe(takeUntil(timer(5)))],
  ] as [string, (source: Observable<string>) => Observable<string>][])('ended by %s', (_name, end) => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const lock = new Lock();
      let firstSignal: AbortSignal | undefined;
      const firstWork = cold<string>('---------a|');
      const nextWork = cold('a|');
      const seen: boolean[] = [];
      const first = lock.run((signal) => {
        firstSignal = signal;
        return firstWork;
      });
      const next = lock.run((signal) => {
        // The timed-out work was stopped and told so before this one started.
        seen.push(firstSignal!.aborted, signal.aborted);
        return nextWork;
      });
      expectObservable(end(first)).toBe(_name === 'timeout' ? '-----(t|)' : '-----|', { t: 'timed out' });
      expectObservable(next).toBe('-----a|');
      expectSubscriptions(firstWork.subscriptions).toBe('^----!');
      expectSubscriptions(nextWork.subscriptions).toBe('-----^!');
      expectObservable(timer(5).pipe(map(() => firstSignal?.aborted))).toBe('-----(x|)', { x: true });
      expectObservable(timer(7).pipe(map(() => [lock.locked, seen]))).toBe('-------(x|)', { x: [false, [true, false]] });
    });
  });

  it('a synchronous unsubscribe during the work\'s first emission stops the work there (and aborts it)', () => {
    const lock = new Lock();
    const held = lock.tryAcquire()!;
    let emitted = 0;
    let signal: AbortSignal | undefined;
    const values: number[] = [];
    lock
      .run((s) => {
        signal = s;
        return new Observable<number>((subscriber) => {
          for (let i = 0; i < 1000 && !subscriber.closed; i++) {
            emitted++;
            subscriber.next(i);
          }
        });
      })
      .pipe(take(2))
      .subscribe((v) => values.push(v));
    held.release();
    expect(values).toEqual([0, 1]);
    expect(emitted).toBe(2);
    expect(signal?.aborted).toBe(true);
    expect(lock.locked).toBe(false);
  });

  it('the same when the permit is granted synchronously on subscribe', () => {
    const lock = new Lock();
    let emitted = 0;
    let signal: AbortSignal | undefined;
    lock
      .run((s) => {
        signal = s;
        return new Observable<number>((subscriber) => {
          for (let i = 0; i < 1000 && !subscriber.closed; i++) {
            emitted++;
            subscriber.next(i);
          }
        });
      })
      .pipe(take(1))
      .subscribe();
    expect(emitted).toBe(1);
    expect(signal?.aborted).toBe(true);
    expect(lock.locked).toBe(false);
  });

  it('work that completes is not aborted; work that fails is, so nothing it started runs on', () => {
    const lock = new Lock();
    const signals: AbortSignal[] = [];
    lock.run((signal) => (signals.push(signal), of(1))).subscribe();
    lock.run((signal) => (signals.push(signal), throwError(() => new Error('x')))).subscribe({ error: () => undefined });
    expect(signals.map((s) => s.aborted)).toEqual([false, true]);
  });
});

describe('run()', () => {
  it('mirrors values, completion and errors, releasing before the end is forwarded', () => {
    const lock = new Lock();
    const log: unknown[] = [];
    lock.run(of(1, 2)).subscribe({ next: (v) => log.push(v), complete: () => log.push(['complete', lock.locked]) });
    lock.run(throwError(() => 'e')).subscribe({ error: (e: unknown) => log.push(['error', e, lock.locked]) });
    expect(log).toEqual([1, 2, ['complete', false], ['error', 'e', false]]);
  });

  it('a factory that throws errors the run and releases', () => {
    const lock = new Lock();
    const errors: unknown[] = [];
    lock.run(() => {
      throw new Error('factory');
    }).subscribe({ error: (e: unknown) => errors.push(e) });
    expect(errors).toEqual([new Error('factory')]);
    expect(lock.locked).toBe(false);
  });

  it('a factory is called once per subscription, at subscription, not at call', () => {
    const lock = new Lock();
    let calls = 0;
    const work = lock.run(() => (calls++, of(calls)));
    expect(calls).toBe(0);
    const values: number[] = [];
    work.subscribe((v) => values.push(v));
    work.subscribe((v) => values.push(v));
    expect(values).toEqual([1, 2]);
  });

  it('accepts any ObservableInput: an array, a promise', async () => {
    const sem = new Semaphore(1);
    const values: number[] = [];
    sem.run([1, 2, 3]).subscribe((v) => values.push(v));
    await new Promise<void>((resolve) => sem.run(Promise.resolve(4)).subscribe({ next: (v) => values.push(v), complete: resolve }));
    expect(values).toEqual([1, 2, 3, 4]);
    expect(sem.value).toBe(1);
  });
});

describe('borrowers: CapacityLimiter.acquireOnBehalfOf', () => {
  it('a borrower holds at most one token; a second acquire for it errors with BorrowerError; after release it works again', () => {
    const limiter = new CapacityLimiter(3);
    const borrower = {};
    const grants: string[] = [];
    const first = limiter.acquireOnBehalfOf(borrower).subscribe(() => grants.push('first'));
    expect(limiter.borrowedTokens).toBe(1);
    const errors: unknown[] = [];
    limiter.acquireOnBehalfOf(borrower).subscribe({ next: () => grants.push('second'), error: (e: unknown) => errors.push(e) });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(BorrowerError);
    expect((errors[0] as Error).message).toBe('this borrower already holds a token of the limiter');
    expect((errors[0] as Error).name).toBe('BorrowerError');
    expect(limiter.borrowedTokens).toBe(1);
    const other = limiter.acquireOnBehalfOf({}).subscribe(() => grants.push('other'));
    expect(limiter.borrowedTokens).toBe(2);
    first.unsubscribe();
    expect(limiter.borrowedTokens).toBe(1);
    const third = limiter.acquireOnBehalfOf(borrower).subscribe(() => grants.push('third'));
    expect(grants).toEqual(['first', 'other', 'third']);
    expect(limiter.borrowedTokens).toBe(2);
    third.unsubscribe();
    other.unsubscribe();
    expect(limiter.borrowedTokens).toBe(0);
  });

  it('a borrower that is still waiting counts as holding: the second acquire errors; unsubscribing the waiter frees the borrower', () => {
    const limiter = new CapacityLimiter(1);
    const held = limiter.tryAcquire()!;
    const borrower = {};
    const waiting = limiter.acquireOnBehalfOf(borrower).subscribe();
    expect(limiter.waiting).toBe(1);
    const errors: unknown[] = [];
    limiter.acquireOnBehalfOf(borrower).subscribe({ error: (e: unknown) => errors.push(e) });
    expect(errors.map((e) => e instanceof BorrowerError)).toEqual([true]);
    expect(limiter.waiting).toBe(1);
    waiting.unsubscribe();
    expect(limiter.waiting).toBe(0);
    const again = limiter.acquireOnBehalfOf(borrower).subscribe();
    expect(limiter.waiting).toBe(1);
    held.release();
    expect([limiter.borrowedTokens, limiter.waiting]).toEqual([1, 0]);
    again.unsubscribe();
    expect(limiter.borrowedTokens).toBe(0);
  });

  it('the check is made at subscription: one Observable can be subscribed again after it was released', () => {
    const limiter = new CapacityLimiter(1);
    const borrower = {};
    const acquire = limiter.acquireOnBehalfOf(borrower);
    acquire.pipe(take(1)).subscribe();
    acquire.pipe(take(1)).subscribe();
    expect(limiter.borrowedTokens).toBe(0);
  });
});

describe('borrowers: a release frees the borrower before its token is handed on', () => {
  it('a borrower asking again from inside the grant its own release caused waits in line, not BorrowerError', () => {
    const limiter = new CapacityLimiter(1);
    const borrower = {};
    const log: string[] = [];
    const held = limiter.acquireOnBehalfOf(borrower).subscribe(() => log.push('borrower'));
    limiter.acquireOnBehalfOf({}).subscribe(() => {
      log.push('next holder');
      limiter.acquireOnBehalfOf(borrower).subscribe({ next: () => log.push('borrower again'), error: (e: Error) => log.push(e.name) });
    });
    held.unsubscribe();
    expect(log).toEqual(['borrower', 'next holder']);
    expect([limiter.borrowedTokens, limiter.waiting]).toEqual([1, 1]);
  });
});

describe('re-entrancy: user code run by the gate never corrupts it', () => {
  it('a release inside a grant callback hands the permit on, in order', () => {
    const lock = new Lock();
    const order: string[] = [];
    const held = lock.tryAcquire()!;
    lock.acquire().pipe(take(1)).subscribe(() => order.push('a'));
    const b = lock.acquire().subscribe(() => order.push('b'));
    expect(lock.waiting).toBe(2);
    held.release();
    expect(order).toEqual(['a', 'b']);
    expect([lock.locked, lock.waiting]).toEqual([true, 0]);
    b.unsubscribe();
    expect(lock.locked).toBe(false);
  });

  it('a grant callback that releases another permit and queues a new waiter keeps FIFO order', () => {
    const sem = new Semaphore(2);
    const order: string[] = [];
    const p1 = sem.tryAcquire()!;
    const p2 = sem.tryAcquire()!;
    const subs: Subscription[] = [];
    subs.push(
      sem.acquire().subscribe(() => {
        order.push('a');
        subs.push(sem.acquire().subscribe(() => order.push('d')));
        p2.release();
      }),
    );
    subs.push(sem.acquire().subscribe(() => order.push('b')));
    subs.push(sem.acquire().subscribe(() => order.push('c')));
    p1.release(); // a; a releases p2: b; c and d wait
    expect(order).toEqual(['a', 'b']);
    expect([sem.value, sem.waiting]).toEqual([0, 2]);
    subs[0]!.unsubscribe();
    expect(order).toEqual(['a', 'b', 'c']);
    subs[1]!.unsubscribe();
    expect(order).toEqual(['a', 'b', 'c', 'd']);
    for (const s of subs) s.unsubscribe();
    expect([sem.value, sem.waiting]).toEqual([2, 0]);
  });

  it('unsubscribing a later waiter from an earlier one\'s grant callback, in the same hand-off: it is never granted', () => {
    const sem = new Semaphore(0);
    const order: string[] = [];
    let second: Subscription | undefined;
    const first = sem.acquire().subscribe(() => {
      order.push('first');
      second!.unsubscribe();
    });
    second = sem.acquire().subscribe(() => order.push('second'));
    const third = sem.acquire().subscribe(() => order.push('third'));
    sem.release(2); // grants first and second together; first cancels second, whose permit goes to third
    expect(order).toEqual(['first', 'third']);
    expect([sem.value, sem.waiting]).toEqual([0, 0]);
    first.unsubscribe();
    third.unsubscribe();
    expect(sem.value).toBe(2);
  });

  it('a state$ subscriber that re-enters the gate leaves every subscriber with the true state', () => {
    const sem = new Semaphore(1);
    const other: GateState[] = [];
    let reacted = false;
    let extra: Subscription | undefined;
    sem.state$.subscribe((s) => {
      if (s.waiting === 1 && !reacted) {
        reacted = true;
        extra = sem.acquire().subscribe();
      }
    });
    sem.state$.subscribe((s) => other.push(s));
    const held = sem.tryAcquire()!;
    const waiter = sem.acquire().subscribe();
    expect(sem.waiting).toBe(2);
    expect(other[other.length - 1]).toEqual(st(1, 0, 2));
    held.release();
    waiter.unsubscribe();
    extra!.unsubscribe();
    expect(other[other.length - 1]).toEqual(st(1, 1, 0));
    for (let i = 1; i < other.length; i++) expect(other[i]).not.toEqual(other[i - 1]);
  });

  it('an error thrown in a state$ subscriber is reported, and the gate and its other subscribers carry on', async () => {
    const lock = new Lock();
    const other: GateState[] = [];
    testScheduler().run(({ flush }) => {
      lock.state$.subscribe((s) => {
        if (s.available === 0) throw new Error('subscriber bug');
      });
      lock.state$.subscribe((s) => other.push(s));
      const values: number[] = [];
      lock.run(of(1)).subscribe((v) => values.push(v));
      const p = lock.tryAcquire()!;
      p.release();
      expect(values).toEqual([1]);
      expect(lock.locked).toBe(false);
      flush();
    });
    expect(other).toEqual([st(1, 1, 0), st(1, 0, 0), st(1, 1, 0), st(1, 0, 0), st(1, 1, 0)]);
    await reportsDelivered();
    expect(takeEscapedErrors()).toEqual([new Error('subscriber bug'), new Error('subscriber bug')]);
  });

  it('an error thrown in a grant callback is reported and the permit stays held until unsubscribed', async () => {
    const lock = new Lock();
    let subscription: Subscription | undefined;
    testScheduler().run(({ flush }) => {
      subscription = lock.acquire().subscribe(() => {
        throw new Error('callback bug');
      });
      flush();
    });
    await reportsDelivered();
    expect(takeEscapedErrors()).toEqual([new Error('callback bug')]);
    expect(lock.locked).toBe(true);
    subscription!.unsubscribe();
    expect(lock.locked).toBe(false);
  });
});

describe('withPermit', () => {
  it('source.pipe(withPermit(gate)) is gate.run(source)', () => {
    const lock = new Lock();
    const held = lock.tryAcquire()!;
    const values: number[] = [];
    of(1, 2).pipe(withPermit(lock)).subscribe((v) => values.push(v));
    expect([values, lock.waiting]).toEqual([[], 1]);
    held.release();
    expect([values, lock.locked]).toEqual([[1, 2], false]);
  });

  it('takes its weight from a Semaphore', () => {
    const sem = new Semaphore(3);
    const subscription = NEVER.pipe(withPermit(sem, 2)).subscribe();
    expect(sem.value).toBe(1);
    subscription.unsubscribe();
    expect(sem.value).toBe(3);
    EMPTY.pipe(withPermit(new CapacityLimiter(1), 1)).subscribe();
  });
});

describe('ConcurrencyEvent', () => {
  it('wait() waits until set(), then every waiter emits once and completes, in order', () => {
    const event = new ConcurrencyEvent();
    const log: string[] = [];
    const waiter = (name: string): Subscription => event.wait().subscribe({ next: () => log.push(name), complete: () => log.push(`${name}|`) });
    waiter('a');
    const b = waiter('b');
    waiter('c');
    expect([event.isSet, event.waiting, log]).toEqual([false, 3, []]);
    b.unsubscribe();
    expect(event.waiting).toBe(2);
    event.set();
    expect([event.isSet, event.waiting, log]).toEqual([true, 0, ['a', 'a|', 'c', 'c|']]);
    event.set();
    waiter('d');
    expect(log).toEqual(['a', 'a|', 'c', 'c|', 'd', 'd|']);
    expect(event.waiting).toBe(0);
  });

  it('a waiter unsubscribed by an earlier waiter during set() is not woken', () => {
    const event = new ConcurrencyEvent();
    const log: string[] = [];
    let second: Subscription | undefined;
    event.wait().subscribe(() => {
      log.push('first');
      second!.unsubscribe();
    });
    second = event.wait().subscribe(() => log.push('second'));
    event.set();
    expect(log).toEqual(['first']);
  });

  it('set() from inside a waiter of another event, and waits subscribed during set(), behave', () => {
    const a = new ConcurrencyEvent();
    const b = new ConcurrencyEvent();
    const log: string[] = [];
    b.wait().subscribe(() => log.push('b'));
    a.wait().subscribe(() => {
      log.push('a');
      b.set();
      a.wait().subscribe(() => log.push('a again'));
    });
    a.set();
    expect(log).toEqual(['a', 'a again', 'b']);
  });
});
