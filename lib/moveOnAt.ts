import type { MonoTypeOperatorFunction, SchedulerLike } from 'rxjs';
import { deadlineScope } from './internal/deadlineScope';
import { checkTime } from './internal/validate';

/**
 * `moveOnAfter` with an absolute deadline on the scheduler's clock (`scheduler.now()`): if the
 * source has not completed by `deadline`, it is unsubscribed and the output completes quietly. A
 * deadline already past completes synchronously without subscribing the source; `Infinity` never
 * fires.
 *
 * @example
 * ```ts
 * // Poll until the end of the maintenance window, whatever happens in between.
 * interval(5_000).pipe(switchMap(() => status$), moveOnAt(windowEnd)).subscribe(show);
 * ```
 * @param deadline - absolute time on the scheduler's clock; any number but NaN (`RangeError`)
 * @param options.scheduler - its `now()` is the clock and its timer fires the deadline; default
 *   `asyncScheduler`; anything but a scheduler (`now` and `schedule`) throws `TypeError` at call time
 */
export function moveOnAt<T>(deadline: number, options?: { scheduler?: SchedulerLike | undefined }): MonoTypeOperatorFunction<T> {
  checkTime('moveOnAt', 'deadline', deadline);
  return deadlineScope('moveOnAt', () => deadline, false, options);
}
