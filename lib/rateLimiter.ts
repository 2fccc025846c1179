import type { SchedulerLike, Subscription } from 'rxjs';
import { PermitGate } from './internal/permitGate';
import { checkRateWeight, rateSettings, type RateLimiterOptions } from './internal/rateOptions';
import type { GateState } from './internal/types';

export type { RateLimiterOptions } from './internal/rateOptions';

/**
 * "`limit` per `interval` ms" as a gate: it bounds how many calls *start* per unit of time, where
 * the other gates bound how many run at once. Up to `burst` (default `limit`) is available at once
 * after idle time; then grants are spaced `interval / limit` ms apart.
 *
 * It is GCRA: one stored timestamp, exact and O(1) per grant, not a log of past grants. A grant is
 * given at the millisecond nearest its exact time (a half goes later): 3 per 1000 ms with a burst
 * of 1 grants at 0, 333, 667, 1000, 1333... So in any `w` whole milliseconds the weight granted is
 * at most `burst + limit * w / interval`: with the default burst the first `interval` after a pause
 * may see nearly twice `limit`, and with `burst: 1` no `interval` ms ever holds more than `limit`.
 * When `limit > interval`, each millisecond grants what falls due in it. Waiters are let through
 * one at a time, each once the work of the one before has started, so a grant is counted when its
 * work starts: a slow synchronous start delays the grants after it rather than bunching them.
 *
 * It has the gate surface (`acquire`, `run`, `tryAcquire`, `acquireAsync`, `state$`), works with
 * `withPermit` and the `limiter` option of `boundedMap`, and keeps their rules: strict FIFO (a
 * heavy waiter at the head blocks the ones behind it), a waiter that unsubscribes leaves in O(1)
 * and is never granted, work that waited starts in the async context of its subscriber. One
 * difference: **a grant is never given back**. Releasing a permit or ending a `run()` frees nothing;
 * only time does. Time comes only from `scheduler`: one timer at a time, for the head of the line.
 *
 * `state$`: `total` is `burst`, `available` the weight that could be granted now (at most `burst`),
 * `waiting` the waiters in line. It emits when a grant is made or the line changes, not as tokens
 * refill between those moments.
 *
 * @example
 * ```ts
 * // A partner API that allows 100 requests in any minute, shared by every call site.
 * const partner = new RateLimiter({ limit: 100, interval: 60_000, burst: 1 });
 * ids$.pipe(boundedMap((id, _i, signal) => fetchItem(id, signal), 8, { limiter: partner }));
 * const order = await firstValueFrom(partner.run((signal) => fetchOrder(42, signal)));
 * ```
 */
export class RateLimiter extends PermitGate {
  /** Grants per `interval`. */
  readonly limit: number;
  /** The period of `limit`, in ms. */
  readonly interval: number;
  /** Weight available at once after idle time; also the largest weight one call may ask for. */
  readonly burst: number;
  private readonly scheduler: SchedulerLike;
  // GCRA's one timestamp, the theoretical arrival time, kept as how far it was ahead of the clock
  // at `last` (`debt`), in units of 1/limit ms: a grant of weight w then costs w * interval of them
  // exactly, so 1000/3 ms is never rounded and a long run never drifts, and the numbers stay small
  // however far the clock is from 0.
  private last = 0;
  private debt = 0;
  /** The one timer, armed for the head of the line, and the time it fires at. */
  private timer: Subscription | null = null;
  private due = 0;

  /**
   * @param options.limit - grants per `interval`: an integer ≥ 1
   * @param options.interval - ms: an integer ≥ 1
   * @param options.burst - weight available at once after idle time: an integer ≥ 1, default `limit`
   * @param options.scheduler - the clock and the timer, default `asyncScheduler`
   */
  constructor(options: RateLimiterOptions) {
    const { limit, interval, burst, scheduler } = rateSettings('RateLimiter', options);
    super('RateLimiter', burst, true);
    this.limit = limit;
    this.interval = interval;
    this.burst = burst;
    this.scheduler = scheduler;
  }

  /** @internal */
  override checkWeight(where: string, weight: number, name = 'weight'): void {
    checkRateWeight(where, name, weight, this.burst);
  }

  protected override get available(): number {
    // The largest w with 2 * (ahead + (w - burst) * interval) < limit (see `claim`), at most burst.
    const room = 2 * this.burst * this.interval + this.limit - 2 * Math.max(0, this.ahead(this.scheduler.now()));
    return Math.max(0, Math.min(this.burst, Math.floor((room - 1) / (2 * this.interval))));
  }

  protected override snapshot(): GateState {
    return { total: this.burst, available: this.available, waiting: this.waiting };
  }

  protected override claim(weight: number, waited: boolean): boolean {
    const now = this.scheduler.now();
    const ahead = this.ahead(now);
    // The grant's exact time is (ahead + (weight - burst) * interval) / limit ms from now: it is
    // given when that rounds to now, i.e. is less than half a millisecond away.
    if (2 * (ahead + (weight - this.burst) * this.interval) >= this.limit) return false;
    // One that arrives now, after idle time, starts the count from now. One that waited was due
    // at its exact time, up to half a millisecond before now: counted from then, so that rounding
    // never drifts the schedule (3 per s, burst 1: 1333, not 1334). Never from earlier, or a timer
    // that fired late would let the backlog through at once.
    this.debt = Math.max(waited ? -this.limit / 2 : 0, ahead) + weight * this.interval;
    this.last = now;
    return true;
  }

  protected override giveBack(): boolean {
    // Only time gives a grant back.
    return false;
  }

  protected override blocked(weight: number | null): void {
    if (weight === null) {
      this.timer?.unsubscribe();
      this.timer = null;
      return;
    }
    const now = this.scheduler.now();
    // Positive: the head is not due within half a millisecond, so the theoretical arrival time
    // is ahead of now and `ahead` needs no clamping.
    const excess = 2 * (this.ahead(now) + (weight - this.burst) * this.interval) - this.limit;
    // The first whole millisecond at which `claim` will say yes.
    const delay = Math.floor(excess / (2 * this.limit)) + 1;
    // A head that left for one needing as much keeps the timer: no re-arm per cancelled waiter.
    if (this.timer !== null && this.due === now + delay) return;
    this.timer?.unsubscribe();
    this.due = now + delay;
    this.timer = this.scheduler.schedule(() => {
      this.timer = null;
      this.grow();
    }, delay);
  }

  /**
   * How far the theoretical arrival time is ahead of `now` (negative: behind), in units of 1/limit
   * ms. A clock that went back (a wall clock set back) counts as no time passing, and time is
   * counted again from where it went back to, rather than frozen until it catches up.
   */
  private ahead(now: number): number {
    if (now < this.last) this.last = now;
    return this.debt - (now - this.last) * this.limit;
  }
}
