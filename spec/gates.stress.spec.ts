import { EMPTY, defer, of, type Subscription } from 'rxjs';
import { Lock, Semaphore } from 'rxjs-concurrency';

// Sizes are the point of these tests; they assert outcomes only, never durations. The generous
// jest timeouts only keep a slow CI machine from failing them.
const N = 1_000_000;

/** The first index where `values` differs from `expected(i)`, or -1. */
function firstMismatch(values: readonly number[], length: number, expected: (i: number) => number): number {
  if (values.length !== length) return Math.min(values.length, length);
  for (let i = 0; i < length; i++) if (values[i] !== expected(i)) return i;
  return -1;
}

describe('PITFALLS 9 (gate part): synchronous hand-offs never overflow the stack', () => {
  it('1,000,000 waiters on Semaphore(1) with synchronous work all run, in FIFO order', () => {
    const sem = new Semaphore(1);
    const held = sem.tryAcquire()!;
    const seen: number[] = [];
    const next = (v: number): void => {
      seen.push(v);
    };
    for (let i = 0; i < N; i++) sem.run(of(i)).subscribe(next);
    expect([sem.value, sem.waiting, seen.length]).toEqual([0, N, 0]);
    held.release();
    expect(firstMismatch(seen, N, (i) => i)).toBe(-1);
    expect([sem.value, sem.waiting]).toEqual([1, 0]);
  }, 300_000);

  it('1,000,000 synchronous hand-offs through Lock.run, each waiter queued by the work before it', () => {
    const lock = new Lock();
    const seen: number[] = [];
    // Work i queues run i + 1 while it holds the lock, then completes: every grant is a hand-off.
    const step = (i: number): Subscription =>
      lock
        .run(
          defer(() => {
            seen.push(i);
            if (i + 1 < N) step(i + 1);
            return EMPTY;
          }),
        )
        .subscribe();
    step(0);
    expect(firstMismatch(seen, N, (i) => i)).toBe(-1);
    expect([lock.locked, lock.waiting]).toEqual([false, 0]);
  }, 300_000);
});

describe('PITFALLS 8: cancelling from the middle of 10^5 waiters', () => {
  it('unsubscribing every other waiter leaves exactly the others, granted in order', () => {
    const n = 100_000;
    const lock = new Lock();
    const held = lock.tryAcquire()!;
    const seen: number[] = [];
    const subscriptions: Subscription[] = [];
    for (let i = 0; i < n; i++) subscriptions.push(lock.run(defer(() => (seen.push(i), EMPTY))).subscribe());
    for (let i = 1; i < n; i += 2) subscriptions[i]!.unsubscribe();
    expect(lock.waiting).toBe(n / 2);
    held.release();
    expect(firstMismatch(seen, n / 2, (i) => 2 * i)).toBe(-1);
    expect([lock.locked, lock.waiting]).toEqual([false, 0]);
    expect(subscriptions.filter((subscription) => !subscription.closed)).toHaveLength(0);
  }, 120_000);

  it('weighted: cancelling the heavy waiters from the middle lets the light ones behind them through', () => {
    const n = 100_000;
    const sem = new Semaphore(1);
    const held = sem.tryAcquire()!;
    const seen: number[] = [];
    const subscriptions: Subscription[] = [];
    // Odd waiters need 2 permits out of 1 (with no maxValue they are accepted and would block forever).
    for (let i = 0; i < n; i++)
      subscriptions.push(
        sem
          .run(
            defer(() => (seen.push(i), EMPTY)),
            i % 2 === 0 ? 1 : 2,
          )
          .subscribe(),
      );
    for (let i = 1; i < n; i += 2) subscriptions[i]!.unsubscribe();
    held.release();
    expect(firstMismatch(seen, n / 2, (i) => 2 * i)).toBe(-1);
    expect([sem.value, sem.waiting]).toEqual([1, 0]);
  }, 120_000);
});
