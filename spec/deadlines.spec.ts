import {
  NEVER,
  Observable,
  Subject,
  Subscription,
  TimeoutError,
  config,
  defer,
  firstValueFrom,
  of,
  timeout,
  type SchedulerAction,
  type SchedulerLike,
} from 'rxjs';
import { effectiveDeadline, failAfter, failAt, moveOnAfter, moveOnAt, shield } from 'rxjs-concurrency';
import { testScheduler } from './setup/test-scheduler';

/**
 * A scheduler driven by hand: `now` is set by the test and `fire()` runs what is due, so a timer
 * that a host fires early (its clock and the scheduler's disagreeing) can be simulated.
 */
class ManualScheduler implements SchedulerLike {
  now_ = 0;
  private pending: { work: (this: SchedulerAction<unknown>, state?: unknown) => void; delay: number; subscription: Subscription }[] = [];
  readonly delays: number[] = [];

  now(): number {
    return this.now_;
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0): Subscription {
    this.delays.push(delay);
    const subscription = new Subscription();
    const entry = { work: work as (this: SchedulerAction<unknown>, state?: unknown) => void, delay, subscription };
    this.pending.push(entry);
    subscription.add(() => (this.pending = this.pending.filter((p) => p !== entry)));
    return subscription;
  }

  /** Runs every pending action now, whatever its delay (a host timer firing early). */
  fire(): void {
    const due = this.pending;
    this.pending = [];
    for (const { work, subscription } of due) {
      if (subscription.closed) continue;
      const action = {
        schedule: (_state?: unknown, delay?: number) => {
          const next = this.schedule(work, delay);
          subscription.add(next);
          return next;
        },
      } as unknown as SchedulerAction<unknown>;
      work.call(action);
    }
  }

  get size(): number {
    return this.pending.length;
  }
}

describe('deadline operators outside virtual time', () => {
  it('effectiveDeadline() is Infinity outside any deadline', () => {
    expect(effectiveDeadline()).toBe(Infinity);
  });

  it('never end before scheduler.now() reaches the deadline, even when the timer fires early', () => {
    const scheduler = new ManualScheduler();
    const events: string[] = [];
    NEVER.pipe(failAfter(100, { scheduler })).subscribe({
      error: (e: unknown) => events.push(e instanceof TimeoutError ? 'timeout' : 'other'),
    });
    expect(scheduler.delays).toEqual([100]);
    scheduler.now_ = 60;
    scheduler.fire();
    expect(events).toEqual([]);
    expect(scheduler.delays).toEqual([100, 40]);
    scheduler.now_ = 100;
    scheduler.fire();
    expect(events).toEqual(['timeout']);
    expect(scheduler.size).toBe(0);
  });

  it('unsubscribing cancels a rescheduled timer too', () => {
    const scheduler = new ManualScheduler();
    const subscription = NEVER.pipe(moveOnAt(100, { scheduler })).subscribe();
    scheduler.now_ = 50;
    scheduler.fire();
    expect(scheduler.size).toBe(1);
    subscription.unsubscribe();
    expect(scheduler.size).toBe(0);
  });

  it('a source that completes synchronously leaves no timer behind', () => {
    const scheduler = new ManualScheduler();
    const events: unknown[] = [];
    of(1, 2)
      .pipe(failAfter(100, { scheduler }))
      .subscribe({ next: (v) => events.push(v), complete: () => events.push('complete') });
    expect(events).toEqual([1, 2, 'complete']);
    expect(scheduler.size).toBe(0);
  });

  it('ms <= 0 and past deadlines end synchronously with no scheduler activity', () => {
    const scheduler = new ManualScheduler();
    scheduler.now_ = 10;
    const events: string[] = [];
    const observer = { error: () => events.push('error'), complete: () => events.push('complete') };
    NEVER.pipe(failAfter(0, { scheduler })).subscribe(observer);
    NEVER.pipe(moveOnAfter(-1, { scheduler })).subscribe(observer);
    NEVER.pipe(failAt(10, { scheduler })).subscribe(observer);
    NEVER.pipe(moveOnAt(3, { scheduler })).subscribe(observer);
    expect(events).toEqual(['error', 'complete', 'error', 'complete']);
    expect(scheduler.delays).toEqual([]);
  });

  it('e instanceof TimeoutError holds for timeout() and failAfter() alike', async () => {
    const fromTimeout = await firstValueFrom(NEVER.pipe(timeout(0))).catch((e: unknown) => e);
    const fromFailAfter = await firstValueFrom(NEVER.pipe(failAfter(0))).catch((e: unknown) => e);
    expect(fromTimeout).toBeInstanceOf(TimeoutError);
    expect(fromFailAfter).toBeInstanceOf(TimeoutError);
    expect((fromFailAfter as TimeoutError).message).toBe((fromTimeout as TimeoutError).message);
  });

  it('the effective deadline is restored even when subscribing to the source throws', () => {
    const scheduler = new ManualScheduler();
    const throwing = new Observable<never>(() => {
      throw new Error('subscribe failed');
    });
    const errors: unknown[] = [];
    throwing.pipe(failAfter(100, { scheduler })).subscribe({ error: (e: unknown) => errors.push(e) });
    expect(errors).toEqual([new Error('subscribe failed')]);
    expect(effectiveDeadline()).toBe(Infinity);
    expect(scheduler.size).toBe(0);
  });
});

describe('shield outside virtual time', () => {
  it('a shielded source runs on to completion after unsubscription; its values no longer reach the subscriber', () => {
    const source = new Subject<number>();
    const seen: unknown[] = [];
    const subscription = source.pipe(shield()).subscribe({ next: (v) => seen.push(v), complete: () => seen.push('complete') });
    source.next(1);
    subscription.unsubscribe();
    expect(source.observed).toBe(true);
    source.next(2);
    source.complete();
    expect(seen).toEqual([1]);
    expect(source.observed).toBe(false);
  });

  it('drops what a source sends after its subscriber left, instead of handing it to config.onStoppedNotification', () => {
    const stopped: string[] = [];
    // Under run(), RxJS's stopped notifications are scheduled in virtual time, and flush() delivers them.
    testScheduler().run(({ flush }) => {
      config.onStoppedNotification = (notification) => stopped.push(notification.kind);
      try {
        const source = new Subject<number>();
        source.pipe(shield()).subscribe().unsubscribe();
        source.next(1);
        source.complete();
        flush();
      } finally {
        config.onStoppedNotification = null;
      }
    });
    expect(stopped).toEqual([]);
  });

  it('effectiveDeadline() inside a shielded source is Infinity, under any deadline', () => {
    const scheduler = new ManualScheduler();
    const seen: number[] = [];
    defer(() => {
      seen.push(effectiveDeadline());
      return of(1);
    })
      .pipe(shield(), failAfter(100, { scheduler }))
      .subscribe();
    expect(seen).toEqual([Infinity]);
  });
});
