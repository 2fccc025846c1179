import type { MonoTypeOperatorFunction, SchedulerLike } from 'rxjs';
import { deadlineScope } from './internal/deadlineScope';
import { checkTime } from './internal/validate';

/**
 * Limits the whole source to `ms` milliseconds from subscription: if it has not completed by then,
 * it is unsubscribed and the output errors with rxjs `TimeoutError`. Unlike `timeout({ each })` or
 * `timeout({ first })`, the limit is on the source's whole life, not between values; and the
 * deadline propagates: code subscribed under it reads it with `effectiveDeadline()`, and the
 * package's own operators keep it across later subscriptions (a gate grant, a retry).
 *
 * `ms <= 0` errors synchronously without subscribing the source; `Infinity` never fires. An
 * enclosing deadline that comes first acts instead of this one.
 *
 * @example
 * ```ts
 * // The whole save, queue time for the lock included, gets 5 s.
 * lock.run((signal) => save(doc, signal)).pipe(failAfter(5_000)).subscribe({
 *   error: (e) => { if (e instanceof TimeoutError) toast('Saving timed out'); },
 * });
 * ```
 * @param ms - milliseconds from subscription; any number but NaN (`RangeError`)
 * @param options.scheduler - its `now()` is the clock and its timer fires the deadline; default
 *   `asyncScheduler`; anything but a scheduler (`now` and `schedule`) throws `TypeError` at call time
 */
export function failAfter<T>(ms: number, options?: { scheduler?: SchedulerLike | undefined }): MonoTypeOperatorFunction<T> {
  checkTime('failAfter', 'ms', ms);
  return deadlineScope('failAfter', (now) => now + ms, true, options);
}
