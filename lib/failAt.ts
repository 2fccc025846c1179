import type { MonoTypeOperatorFunction, SchedulerLike } from 'rxjs';
import { deadlineScope } from './internal/deadlineScope';
import { checkTime } from './internal/validate';

/**
 * `failAfter` with an absolute deadline on the scheduler's clock (`scheduler.now()`): if the source
 * has not completed by `deadline`, it is unsubscribed and the output errors with rxjs
 * `TimeoutError`. A deadline already past errors synchronously without subscribing the source;
 * `Infinity` never fires. Handy to give several steps one shared budget.
 *
 * @example
 * ```ts
 * const deadline = asyncScheduler.now() + 10_000;
 * login$.pipe(failAt(deadline), switchMap(() => loadProfile$.pipe(failAt(deadline))));
 * ```
 * @param deadline - absolute time on the scheduler's clock; any number but NaN (`RangeError`)
 * @param options.scheduler - its `now()` is the clock and its timer fires the deadline; default
 *   `asyncScheduler`; anything but a scheduler (`now` and `schedule`) throws `TypeError` at call time
 */
export function failAt<T>(deadline: number, options?: { scheduler?: SchedulerLike | undefined }): MonoTypeOperatorFunction<T> {
  checkTime('failAt', 'deadline', deadline);
  return deadlineScope('failAt', () => deadline, true, options);
}
