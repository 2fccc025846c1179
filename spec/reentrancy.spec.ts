import { NEVER, Observable, Subject, finalize, from, of, take, type Subscription } from 'rxjs';
import { testScheduler } from './setup/test-scheduler';
import { CapacityLimiter, Lock, Queue, Semaphore, TaskGroupError, boundedMap, retry, taskGroup, type GateState } from 'rxjs-concurrency';
import { reportsDelivered, takeEscapedErrors } from './setup/no-unhandled-errors';
import { record } from './setup/record';

/*
 * Re-entrancy: user code called by a primitive (a grant callback, a teardown, `project`, `retryOn`,
 * a state$ subscriber) calls back into it, or throws. Each case has one defined result, asserted
 * exactly, and the primitive is intact afterwards: counters exact, a later acquire granted.
 */

/** The gate still works: a free permit now, none left over. */
function expectIntact(gate: Semaphore | Lock | CapacityLimiter, free: number): void {
  const permits = [];
  for (let i = 0; i < free; i++) permits.push(gate.tryAcquire());
  expect(permits.every((p) => p !== undefined)).toBe(true);
  expect(gate.tryAcquire()).toBeUndefined();
  for (const p of permits) p!.release();
  expect(gate.waiting).toBe(0);
}

describe('re-entrancy: a release inside a grant callback', () => {
  it('a waiter that releases its own permit in its grant callback hands it on at once, after its callback returns', () => {
    const lock = new Lock();
    const log: string[] = [];
    const holder = lock.tryAcquire()!;
    const a = lock.acquire().subscribe(() => {
      log.push(`A granted, locked=${lock.locked}, waiting=${lock.waiting}`);
      a.unsubscribe();
      log.push(`A released, locked=${lock.locked}, waiting=${lock.waiting}`);
    });
    lock.acquire().subscribe(() => log.push(`B granted, locked=${lock.locked}, waiting=${lock.waiting}`));
    holder.release();
    expect(log).toEqual([
      'A granted, locked=true, waiting=1',
      // B is already counted as holding (bookkeeping first), its callback runs once A's returns.
      'A released, locked=true, waiting=0',
      'B granted, locked=true, waiting=0',
    ]);
    expect([lock.locked, lock.waiting]).toEqual([true, 0]);
  });

  it('a free grant released synchronously in its callback (take(1)) leaves the gate free', () => {
    const sem = new Semaphore(2);
    const { events } = record(sem.acquire(2).pipe(take(1)));
    expect(events).toEqual([['next', undefined], ['complete']]);
    expect([sem.value, sem.waiting]).toEqual([2, 0]);
    expectIntact(sem, 2);
  });

  it('a grant callback that releases another holder and Semaphore.release()s grants the next waiters in FIFO order, once', () => {
    const sem = new Semaphore(1, { maxValue: 3 });
    const log: string[] = [];
    const first = sem.tryAcquire()!;
    sem.acquire().subscribe(() => {
      log.push('A');
      first.release(); // the permit that granted A, already released: a no-op
      sem.release(2);
      log.push(`A done: value=${sem.value}, waiting=${sem.waiting}`);
    });
    sem.acquire(2).subscribe(() => log.push(`B(2): value=${sem.value}`));
    sem.acquire().subscribe(() => log.push(`C: value=${sem.value}`));
    first.release();
    expect(log).toEqual(['A', 'A done: value=0, waiting=1', 'B(2): value=0']);
    expect([sem.value, sem.waiting]).toEqual([0, 1]);
    expect(() => sem.release(1)).toThrow(RangeError);
  });

  it('a run() whose work completes inside the grant of the run before it: each work runs once, in order', () => {
    const lock = new Lock();
    const log: string[] = [];
    const gate = new Subject<void>();
    lock.run(gate).subscribe({ complete: () => log.push('first done') });
    lock
      .run(
        defer0(() => {
          log.push('second runs');
          lock.run(of('third')).subscribe((v) => log.push(v));
          return of('second');
        }),
      )
      .subscribe((v) => log.push(v));
    gate.complete();
    expect(log).toEqual(['first done', 'second runs', 'second', 'third']);
    expect([lock.locked, lock.waiting]).toEqual([false, 0]);
  });

  it('a grant callback that throws: the error goes to config.onUnhandledError, the permit stays held until unsubscribed', async () => {
    const lock = new Lock();
    const boom = new Error('in grant');
    const holder = lock.tryAcquire()!;
    const a = lock.acquire().subscribe(() => {
      throw boom;
    });
    const b = record(lock.acquire());
    holder.release();
    expect([lock.locked, lock.waiting, b.events]).toEqual([true, 1, []]);
    await reportsDelivered();
    expect(takeEscapedErrors()).toEqual([boom]);
    a.unsubscribe();
    expect([lock.locked, lock.waiting, b.events]).toEqual([true, 0, [['next', undefined]]]);
    b.subscription.unsubscribe();
    expectIntact(lock, 1);
  });

  it('a run() inside a run() of the same Lock waits for itself (not re-entrant, PITFALLS 16); unsubscribing frees both', () => {
    const lock = new Lock();
    const log: string[] = [];
    const outer = lock.run(defer0(() => lock.run(of('inner')))).subscribe((v) => log.push(v));
    expect([log, lock.locked, lock.waiting]).toEqual([[], true, 1]);
    outer.unsubscribe();
    expect([lock.locked, lock.waiting]).toEqual([false, 0]);
    expectIntact(lock, 1);
  });
});

describe('re-entrancy: cancel() inside a child teardown', () => {
  it('a child that completes and calls tg.cancel() in its teardown: the group completes, its siblings are cancelled', () => {
    let sibling: AbortSignal | undefined;
    const { events } = record(
      taskGroup((tg) => {
        tg.startSoon((signal) => {
          sibling = signal;
          return NEVER;
        });
        tg.startSoon(of(1).pipe(finalize(() => tg.cancel())));
        expect(tg.size).toBe(1);
      }),
    );
    expect(events).toEqual([['complete']]);
    expect(sibling!.aborted).toBe(true);
  });

  it('tg.cancel() in a teardown that runs because a sibling failed is a no-op: the group errors with the failure alone', () => {
    const boom = new Error('boom');
    const work = new Subject<number>();
    let tg!: Parameters<Parameters<typeof taskGroup>[0]>[0];
    const { events } = record(
      taskGroup((group) => {
        tg = group;
        group.startSoon(NEVER.pipe(finalize(() => group.cancel())));
        group.startSoon(work);
      }),
    );
    work.error(boom);
    expect(events).toHaveLength(1);
    const [kind, error] = events[0] as [string, TaskGroupError];
    expect(kind).toBe('error');
    expect(error).toBeInstanceOf(TaskGroupError);
    expect(error.errors).toEqual([boom]);
    expect([tg.size, tg.signal.aborted]).toEqual([0, true]);
  });

  it('tg.cancel() in a teardown that runs because tg.cancel() was called, or the group unsubscribed: one end, no error', () => {
    const teardowns: string[] = [];
    const a = record(
      taskGroup((tg) => {
        tg.startSoon(
          NEVER.pipe(
            finalize(() => {
              teardowns.push('a1');
              tg.cancel();
            }),
          ),
        );
        tg.startSoon(NEVER.pipe(finalize(() => teardowns.push('a2'))));
        tg.cancel();
      }),
    );
    let group!: Parameters<Parameters<typeof taskGroup>[0]>[0];
    const b = record(
      taskGroup((tg) => {
        group = tg;
        tg.startSoon(
          NEVER.pipe(
            finalize(() => {
              teardowns.push('b1');
              tg.cancel();
            }),
          ),
        );
        tg.startSoon(NEVER.pipe(finalize(() => teardowns.push('b2'))));
      }),
    );
    b.subscription.unsubscribe();
    expect([a.events, b.events, teardowns]).toEqual([[['complete']], [], ['a1', 'a2', 'b1', 'b2']]);
    expect(group.signal.aborted).toBe(true);
  });

  it('a gate permit held by a child is back once a child teardown cancelled the group', () => {
    const lock = new Lock();
    const { events } = record(
      taskGroup((tg) => {
        tg.startSoon(lock.run(NEVER));
        tg.startSoon(of(0).pipe(finalize(() => tg.cancel())));
      }),
    );
    expect(events).toEqual([['complete']]);
    expectIntact(lock, 1);
  });
});

describe('re-entrancy: an error thrown inside project (boundedMap)', () => {
  it('ordered, synchronous source: values before it are emitted, then the error; running tasks cancelled, limiter intact', () => {
    const limiter = new CapacityLimiter(3);
    const boom = new Error('project');
    const running: AbortSignal[] = [];
    const { events } = record(
      from([0, 1, 2, 3]).pipe(
        boundedMap(
          (v: number, _i: number, signal: AbortSignal) => {
            if (v === 2) throw boom;
            if (v === 0) return of('zero');
            running.push(signal);
            return NEVER;
          },
          3,
          { limiter },
        ),
      ),
    );
    expect(events).toEqual([
      ['next', 'zero'],
      ['error', boom],
    ]);
    expect(running.map((s) => s.aborted)).toEqual([true]);
    expect([limiter.borrowedTokens, limiter.waiting]).toEqual([0, 0]);
    expectIntact(limiter, 3);
  });

  it('project that throws after re-entering the output (a synchronous next that unsubscribes): no error is delivered', () => {
    const boom = new Error('project');
    const source = new Subject<number>();
    const log: unknown[] = [];
    const subscription: Subscription = source
      .pipe(
        boundedMap((v: number) => {
          if (v === 1) {
            subscription.unsubscribe();
            throw boom;
          }
          return of(v);
        }, 2),
      )
      .subscribe({ next: (v) => log.push(v), error: (e: unknown) => log.push(e) });
    source.next(0);
    source.next(1);
    expect(log).toEqual([0]);
    expect(source.observed).toBe(false);
  });
});

describe('re-entrancy: an error thrown inside retryOn (retry)', () => {
  it('is the output error, at once: no timer, the source is not subscribed again', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions, time }) => {
      const thrown = new Error('retryOn failed');
      const source = cold('-a-#', { a: 1 }, new Error('first'));
      let calls = 0;
      const retryOn = (): boolean => {
        calls++;
        if (calls === 2) throw thrown;
        return true;
      };
      const delay = time('----|');
      // Attempt 1 fails at 3 (retryOn: true), attempt 2 starts at 7 and fails at 10 (retryOn throws).
      expectObservable(source.pipe(retry({ attempts: 5, baseDelay: delay, factor: 1, jitter: 0, retryOn }))).toBe(
        '-a--------#',
        { a: 1 },
        thrown,
      );
      expectSubscriptions(source.subscriptions).toBe(['^--!', '-------^--!']);
    });
  });

  it('a retryOn that unsubscribes the output then throws: nothing is delivered, no timer is left', () => {
    testScheduler().run(({ cold, expectSubscriptions, flush }) => {
      const source = cold('-a-#', { a: 1 });
      const log: unknown[] = [];
      const subscription: Subscription = source
        .pipe(
          retry({
            attempts: 5,
            baseDelay: 1,
            jitter: 0,
            retryOn: () => {
              subscription.unsubscribe();
              throw new Error('late');
            },
          }),
        )
        .subscribe({ next: (v) => log.push(v), error: (e: unknown) => log.push(e) });
      flush();
      expect(log).toEqual([1]);
      expectSubscriptions(source.subscriptions).toBe(['^--!']);
    });
  });
});

describe('re-entrancy: a state$ subscriber', () => {
  it('that throws: the error goes to config.onUnhandledError once per throw; the gate and the other subscribers are unaffected', async () => {
    const sem = new Semaphore(2);
    const boom = new Error('subscriber');
    const seen: GateState[] = [];
    let throwing = 0;
    const bad = sem.state$.subscribe((s) => {
      if (s.available === 1) {
        throwing++;
        throw boom;
      }
    });
    const good = sem.state$.subscribe((s) => seen.push(s));
    const permit = sem.tryAcquire()!;
    permit.release();
    expect([sem.value, sem.waiting, throwing]).toEqual([2, 0, 1]);
    expect(seen).toEqual([
      { total: 2, available: 2, waiting: 0 },
      { total: 2, available: 1, waiting: 0 },
      { total: 2, available: 2, waiting: 0 },
    ]);
    await reportsDelivered();
    expect(takeEscapedErrors()).toEqual([boom]);
    bad.unsubscribe();
    good.unsubscribe();
    expectIntact(sem, 2);
  });

  it('that acquires and releases inside its callback: every subscriber sees exact states and never the same twice', () => {
    const sem = new Semaphore(1);
    const first: string[] = [];
    const second: string[] = [];
    const fmt = (s: GateState): string => `${s.available}/${s.waiting}`;
    let reentered = false;
    const a = sem.state$.subscribe((s) => {
      first.push(fmt(s));
      if (s.available === 0 && !reentered) {
        reentered = true;
        // Queue a waiter, then withdraw it, from inside the notification.
        sem.acquire().subscribe().unsubscribe();
      }
    });
    const b = sem.state$.subscribe((s) => second.push(fmt(s)));
    const permit = sem.tryAcquire()!;
    permit.release();
    expect(first).toEqual(['1/0', '0/0', '0/1', '0/0', '1/0']);
    // The second subscriber reads the state at delivery: by the time the change of tryAcquire reaches
    // it, the first subscriber has queued and withdrawn a waiter. It sees those two states, and the
    // stale 0/0 of tryAcquire is dropped as a repeat: never a state that is not current.
    expect(second).toEqual(['1/0', '0/1', '0/0', '1/0']);
    a.unsubscribe();
    b.unsubscribe();
    expectIntact(sem, 1);
  });

  it('a Queue state$ subscriber that gets an item as soon as one is buffered: the item is taken exactly once', () => {
    const queue = new Queue<number>(2);
    const got: number[] = [];
    const sizes: number[] = [];
    const sub = queue.state$.subscribe((s) => {
      sizes.push(s.size);
      if (s.size > 0) queue.get().subscribe((v) => got.push(v));
    });
    queue.putNowait(1);
    queue.putNowait(2);
    expect([got, queue.size]).toEqual([[1, 2], 0]);
    expect(sizes).toEqual([0, 1, 0, 1, 0]);
    sub.unsubscribe();
  });
});

function defer0<T>(factory: () => Observable<T>): Observable<T> {
  return new Observable<T>((subscriber) => factory().subscribe(subscriber));
}
