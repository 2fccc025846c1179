import { NEVER } from 'rxjs';
import { CapacityLimiter, Lock, Semaphore, type GateState } from 'rxjs-concurrency';
import { recordStates, st } from './setup/gate-state';

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
      expect([limiter.totalTokens, limiter.borrowedTokens, limiter.availableTokens, limiter.waiting]).toEqual([
        total,
        borrowed,
        available,
        waiting,
      ]);
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
