import { getEventListeners } from 'node:events';
import { Lock, Semaphore, type Permit } from 'rxjs-concurrency';
import { recordStates, st } from './setup/gate-state';
import { outcome } from './setup/promises';
import { scale } from './setup/scale';

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
    const n = scale(100_000);
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
    const n = scale(100_000);
    const lock = new Lock();
    const { signal } = new AbortController();
    let held = lock.tryAcquire()!;
    for (let i = 0; i < n; i++) {
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
