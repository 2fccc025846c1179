import { of, type Subscription } from 'rxjs';
import { CapacityLimiter, Lock, Semaphore, type Gate, type Permit } from 'rxjs-concurrency';
import { recordStates, st } from './setup/gate-state';

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
