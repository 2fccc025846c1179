import type { MonoTypeOperatorFunction, SchedulerLike } from 'rxjs';
import { deadlineScope } from './internal/deadlineScope';
import { checkTime } from './internal/validate';

/**
 * Limits the whole source to `ms` milliseconds from subscription: if it has not completed by then,
 * it is unsubscribed and the output completes quietly, keeping the values already emitted. Like
 * `takeUntil(timer(ms))`, except that the deadline propagates (`effectiveDeadline()`) and an
 * enclosing deadline that comes first acts instead of this one.
 *
 * `ms <= 0` completes synchronously without subscribing the source; `Infinity` never fires.
 *
 * @example
 * ```ts
 * // Show whatever suggestions arrived within 300 ms, then stop asking.
 * suggestions(query).pipe(moveOnAfter(300), toArray()).subscribe(render);
 * ```
 * @param ms - milliseconds from subscription; any number but NaN (`RangeError`)
 * @param options.scheduler - its `now()` is the clock and its timer fires the deadline; default
 *   `asyncScheduler`; anything but a scheduler (`now` and `schedule`) throws `TypeError` at call time
 */
export function moveOnAfter<T>(ms: number, options?: { scheduler?: SchedulerLike | undefined }): MonoTypeOperatorFunction<T> {
  checkTime('moveOnAfter', 'ms', ms);
  return deadlineScope('moveOnAfter', (now) => now + ms, false, options);
}
