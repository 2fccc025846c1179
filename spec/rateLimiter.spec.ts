import { AsyncLocalStorage } from 'node:async_hooks';
import { getEventListeners } from 'node:events';
import { of } from 'rxjs';
import { RateLimiter, withPermit } from 'rxjs-concurrency';
import { recordStates, st } from './setup/gate-state';
import { ManualClock } from './setup/manual-clock';
import { scale } from './setup/scale';

const WAITERS = scale(100_000);

describe('RateLimiter', () => {
  it('burst defaults to limit; the options can be read back', () => {
    const rate = new RateLimiter({ limit: 5, interval: 1000 });
    expect([rate.limit, rate.interval, rate.burst, rate.waiting]).toEqual([5, 1000, 5, 0]);
  });

  it('tryAcquire: burst at once, then nothing until time refills it; a weight counts that many', () => {
    const clock = new ManualClock();
    const rate = new RateLimiter({ limit: 2, interval: 100, burst: 3, scheduler: clock });
    expect(rate.tryAcquire(2)).toBeDefined();
    expect(rate.tryAcquire(2)).toBeUndefined();
    expect(rate.tryAcquire()).toBeDefined();
    expect(rate.tryAcquire()).toBeUndefined();
    clock.advance(49);
    expect(rate.tryAcquire()).toBeUndefined();
    clock.advance(1);
    expect(rate.tryAcquire()).toBeDefined();
    expect(rate.tryAcquire()).toBeUndefined();
    clock.advance(150);
    expect(rate.tryAcquire(3)).toBeDefined();
  });

  it('a permit is never given back: release() and dispose mark it released and free nothing', () => {
    const clock = new ManualClock();
    const rate = new RateLimiter({ limit: 1, interval: 100, scheduler: clock });
    const { states } = recordStates(rate);
    const permit = rate.tryAcquire()!;
    permit.release();
    expect(permit.released).toBe(true);
    expect(rate.tryAcquire()).toBeUndefined();
    clock.advance(100);
    {
      using held = rate.tryAcquire()!;
      expect(held.released).toBe(false);
    }
    expect(rate.tryAcquire()).toBeUndefined();
    expect(states).toEqual([st(1, 1, 0), st(1, 0, 0)]);
  });

  it('tryAcquire fails while anyone waits, even when its weight would fit: strict FIFO', () => {
    const clock = new ManualClock();
    const rate = new RateLimiter({ limit: 10, interval: 1000, burst: 3, scheduler: clock });
    rate.tryAcquire(2);
    const heavy = rate.acquire(3).subscribe();
    expect(rate.tryAcquire(1)).toBeUndefined();
    heavy.unsubscribe();
    expect(rate.tryAcquire(1)).toBeDefined();
  });

  it('state$: total is burst, available never above it, even when more than one grant falls due per millisecond', () => {
    const clock = new ManualClock();
    const rate = new RateLimiter({ limit: 50, interval: 10, burst: 2, scheduler: clock });
    const { states, last } = recordStates(rate);
    expect(states).toEqual([st(2, 2, 0)]);
    // 5 grants per ms: the 3rd and 4th are due 0.2 and 0.4 ms after the burst, so in this millisecond.
    expect(
      [rate.tryAcquire(), rate.tryAcquire(), rate.tryAcquire(), rate.tryAcquire(), rate.tryAcquire()].map((p) => p !== undefined),
    ).toEqual([true, true, true, true, false]);
    expect(last()).toEqual(st(2, 0, 0));
    clock.advance(1);
    rate.acquire().subscribe().unsubscribe();
    expect(last()).toEqual(st(2, 2, 0));
  });

  it('one timer, for the head only, re-armed when the head leaves; none once nobody waits', () => {
    const clock = new ManualClock();
    const rate = new RateLimiter({ limit: 1, interval: 100, burst: 2, scheduler: clock });
    rate.tryAcquire(2);
    const heavy = rate.acquire(2).subscribe();
    const light = rate.acquire(1).subscribe();
    expect(clock.pending).toBe(1);
    heavy.unsubscribe();
    expect(clock.pending).toBe(1);
    light.unsubscribe();
    expect(clock.pending).toBe(0);
  });

  it('a timer that fires late grants the head, not the backlog: the ones behind it still wait their turn', () => {
    const clock = new ManualClock();
    const rate = new RateLimiter({ limit: 1, interval: 100, burst: 1, scheduler: clock });
    const granted: number[] = [];
    for (let i = 0; i < 4; i++) rate.acquire().subscribe(() => granted.push(clock.now()));
    expect(granted).toEqual([0]);
    // The timer for the second was due at 100; the event loop comes back at 1000.
    clock.late(1000);
    clock.fireDue();
    expect(granted).toEqual([0, 1000]);
    clock.advance(100);
    expect(granted).toEqual([0, 1000, 1100]);
  });

  it('a grant is counted when its work starts: a slow work delays the grants after it rather than bunching their starts', () => {
    const clock = new ManualClock();
    const rate = new RateLimiter({ limit: 1, interval: 10, burst: 3, scheduler: clock });
    rate.tryAcquire(3);
    const starts: number[] = [];
    for (const lasts of [30, 30, 0, 0, 0, 0]) {
      rate
        .run(() => {
          starts.push(clock.now());
          clock.late(lasts);
          return [lasts];
        })
        .subscribe();
    }
    clock.advance(100);
    // Counted when the work before them ended, at 70, the third to fifth start together: the
    // burst (3). Counted at 40, when the second was let through, the third and fourth would have
    // started at 70 with two more, 4 in one millisecond.
    expect(starts).toEqual([10, 40, 70, 70, 70, 80]);
  });

  it('a clock that goes back neither refills nor drains; time is counted again from there', () => {
    const clock = new ManualClock();
    const rate = new RateLimiter({ limit: 1, interval: 100, burst: 1, scheduler: clock });
    clock.late(10_000);
    rate.tryAcquire();
    clock.late(-5_000);
    expect(rate.tryAcquire()).toBeUndefined();
    clock.late(99);
    expect(rate.tryAcquire()).toBeUndefined();
    clock.late(1);
    expect(rate.tryAcquire()).toBeDefined();
  });

  describe('acquireAsync', () => {
    it('resolves when granted, in line with the others', async () => {
      const clock = new ManualClock();
      const rate = new RateLimiter({ limit: 1, interval: 100, burst: 1, scheduler: clock });
      const order: string[] = [];
      const first = rate.acquireAsync().then(() => order.push(`a@${clock.now()}`));
      rate.acquire().subscribe(() => order.push(`b@${clock.now()}`));
      const third = rate.acquireAsync({ signal: new AbortController().signal }).then(() => order.push(`c@${clock.now()}`));
      await first;
      clock.advance(100);
      clock.advance(100);
      await third;
      expect(order).toEqual(['a@0', 'b@100', 'c@200']);
    });

    it('aborted while waiting: rejects with signal.reason, leaves no listener, and the next takes its place', async () => {
      const clock = new ManualClock();
      const rate = new RateLimiter({ limit: 1, interval: 100, burst: 1, scheduler: clock });
      rate.tryAcquire();
      const controller = new AbortController();
      const aborted = rate.acquireAsync({ signal: controller.signal });
      const next = rate.acquireAsync();
      const reason = new Error('stop');
      controller.abort(reason);
      expect(rate.waiting).toBe(1);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      await expect(aborted).rejects.toBe(reason);
      clock.advance(100);
      const permit = await next;
      expect(permit.released).toBe(false);
      expect(clock.pending).toBe(0);
    });

    it('aborted before the call: rejects at once, takes nothing', async () => {
      const rate = new RateLimiter({ limit: 1, interval: 100, scheduler: new ManualClock() });
      await expect(rate.acquireAsync({ signal: AbortSignal.abort('gone') })).rejects.toBe('gone');
      expect(rate.tryAcquire()).toBeDefined();
    });

    it('many waiters on one signal share one listener, removed when the last is granted', async () => {
      const clock = new ManualClock();
      const rate = new RateLimiter({ limit: 1, interval: 10, burst: 1, scheduler: clock });
      rate.tryAcquire();
      const controller = new AbortController();
      const all = Array.from({ length: 20 }, () => rate.acquireAsync({ signal: controller.signal }));
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
      clock.advance(200);
      await Promise.all(all);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });
  });

  it('work that waited starts in the async context of its subscriber, not of whoever fired the timer', () => {
    const clock = new ManualClock();
    const rate = new RateLimiter({ limit: 1, interval: 100, burst: 1, scheduler: clock });
    const request = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    for (const id of ['a', 'b', 'c']) request.run(id, () => rate.run(() => of(request.getStore())).subscribe((store) => seen.push(store)));
    request.run('timer', () => clock.advance(200));
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  // 10^5: enough to overflow the stack of an implementation that recursed per waiter; the 10^6
  // hand-offs of the engine itself are in gates.stress.spec.ts.
  it('100,000 synchronous waiters granted by one timer: no recursion per waiter', () => {
    const clock = new ManualClock();
    // 4 grants per microsecond. The whole burst is spent; a waiter for a whole burst is due at 1 ms
    // and holds the line; the light ones behind it fall due within half a millisecond after it, so
    // the timer at 1 grants them all, and each one's work runs from the trampoline.
    const burst = 4 * WAITERS;
    const rate = new RateLimiter({ limit: burst, interval: 1, burst, scheduler: clock });
    rate.tryAcquire(burst);
    rate.acquire(burst).subscribe();
    let count = 0;
    const observer = { next: () => count++ };
    for (let i = 0; i < WAITERS; i++) rate.run(of(i)).subscribe(observer);
    expect([count, rate.waiting, clock.pending]).toEqual([0, WAITERS + 1, 1]);
    clock.advance(1);
    expect([count, rate.waiting, clock.pending]).toEqual([WAITERS, 0, 0]);
  });

  it('withPermit checks the weight against burst at the call', () => {
    const rate = new RateLimiter({ limit: 1, interval: 100, burst: 2 });
    expect(() => withPermit(rate, 2)).not.toThrow();
    expect(() => withPermit(rate, 3)).toThrow(new RangeError('withPermit: weight must be <= burst 2, received 3'));
  });
});
