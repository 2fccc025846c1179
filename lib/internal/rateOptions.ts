import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { checkCount, checkObject, checkScheduler, fail } from './validate';

/** Options of `new RateLimiter()` (and, with a key prefix, of `new RedisRateLimiter()`). */
export interface RateLimiterOptions {
  /** Grants per `interval`, weights summed: an integer ≥ 1. */
  limit: number;
  /** The period `limit` is counted over, in ms of the scheduler's clock: an integer ≥ 1. */
  interval: number;
  /** Weight that may be granted at once after idle time: an integer ≥ 1. Default `limit`. */
  burst?: number | undefined;
  /** The clock and the timer. Default `asyncScheduler`, so `TestScheduler.run()` makes it virtual. */
  scheduler?: SchedulerLike | undefined;
}

/** The options of a rate limiter, checked and with their defaults. @internal */
export interface RateSettings {
  readonly limit: number;
  readonly interval: number;
  readonly burst: number;
  readonly scheduler: SchedulerLike;
}

/**
 * Checks the options of a rate limiter in the name of `where`, throwing at the first bad one: one
 * set of checks and messages for the in-process and the Redis limiter. @internal
 */
export function rateSettings(where: string, options: RateLimiterOptions): RateSettings {
  checkObject(where, 'options', options);
  const limit = checkCount(where, 'options.limit', options.limit, 1);
  const interval = checkCount(where, 'options.interval', options.interval, 1);
  const burst = options.burst === undefined ? limit : checkCount(where, 'options.burst', options.burst, 1);
  const scheduler = options.scheduler === undefined ? asyncScheduler : checkScheduler(where, 'options.scheduler', options.scheduler);
  return { limit, interval, burst, scheduler };
}

/** Throws unless `weight` is an integer a rate limiter of `burst` can ever grant. @internal */
export function checkRateWeight(where: string, name: string, weight: number, burst: number): void {
  checkCount(where, name, weight, 1);
  if (weight > burst) fail(RangeError, where, name, `<= burst ${burst}`, weight);
}
