import { EMPTY, NEVER, of } from 'rxjs';
import { CapacityLimiter, Lock, Semaphore, withPermit } from 'rxjs-concurrency';

describe('withPermit', () => {
  it('source.pipe(withPermit(gate)) is gate.run(source)', () => {
    const lock = new Lock();
    const held = lock.tryAcquire()!;
    const values: number[] = [];
    of(1, 2)
      .pipe(withPermit(lock))
      .subscribe((v) => values.push(v));
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
