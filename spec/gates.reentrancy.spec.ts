import { of, take, type Subscription } from 'rxjs';
import { testScheduler } from './setup/test-scheduler';
import { Lock, Semaphore, type GateState } from 'rxjs-concurrency';
import { reportsDelivered, takeEscapedErrors } from './setup/no-unhandled-errors';
import { st } from './setup/gate-state';

describe('re-entrancy: user code run by the gate never corrupts it', () => {
  it('a release inside a grant callback hands the permit on, in order', () => {
    const lock = new Lock();
    const order: string[] = [];
    const held = lock.tryAcquire()!;
    lock
      .acquire()
      .pipe(take(1))
      .subscribe(() => order.push('a'));
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

  it("unsubscribing a later waiter from an earlier one's grant callback, in the same hand-off: it is never granted", () => {
    const sem = new Semaphore(0);
    const order: string[] = [];
    const first = sem.acquire().subscribe(() => {
      order.push('first');
      second.unsubscribe();
    });
    const second = sem.acquire().subscribe(() => order.push('second'));
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
