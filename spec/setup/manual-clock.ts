import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';

/**
 * A clock the test moves by hand, and whose timers fire only when told: `advance(ms)` fires
 * those due on the way, in order; `late(ms)` moves the clock without firing anything, as a busy
 * event loop or a suspended process would.
 */
export class ManualClock implements SchedulerLike {
  private time = 0;
  private timers: { at: number; fire: () => void; cancelled: boolean }[] = [];

  now(): number {
    return this.time;
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    const timer = { at: this.time + delay, fire: () => work.call(undefined as never, state), cancelled: false };
    this.timers.push(timer);
    return new Subscription(() => {
      timer.cancelled = true;
    });
  }

  /** Timers armed and not cancelled nor fired. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => !t.cancelled && t.at <= until).sort((x, y) => x.at - y.at)[0];
      if (due === undefined) break;
      this.time = Math.max(this.time, due.at);
      due.cancelled = true;
      due.fire();
    }
    // A timer's work may have moved the clock past `until` (see `late`).
    this.time = Math.max(this.time, until);
  }

  /** Moves the clock, firing nothing: also what a timer's work calls to take time as it runs. */
  late(ms: number): void {
    this.time += ms;
  }

  /** Fires what is due now. */
  fireDue(): void {
    this.advance(0);
  }
}
