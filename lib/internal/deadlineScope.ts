import { Observable, TimeoutError, asyncScheduler, type MonoTypeOperatorFunction, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { getDeadline, withDeadline } from './deadline';
import { batch } from './trampoline';

// Browsers and Node fire a longer timer at once; a far deadline is reached in steps instead.
const MAX_TIMER = 2 ** 31 - 1;

/**
 * The one core behind `failAfter`, `moveOnAfter`, `failAt` and `moveOnAt`. At subscription the
 * deadline is fixed (`deadlineFrom(now)`); the source is subscribed under the effective deadline
 * (the nearer of this one and the enclosing one), and when this deadline is reached the source is
 * unsubscribed, then the output errors with rxjs `TimeoutError` (`fail`) or completes.
 *
 * Only this operator's own deadline is timed: an enclosing operator whose deadline comes first
 * acts by itself, and on a tie it acts first because it scheduled its timer first. In the frame
 * of the deadline, the deadline and the source's own end act in the order they were scheduled.
 * @internal
 */
export function deadlineScope<T>(
  deadlineFrom: (now: number) => number,
  fail: boolean,
  scheduler: SchedulerLike = asyncScheduler,
): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      const deadline = deadlineFrom(scheduler.now());
      const end = (): void => (fail ? subscriber.error(new TimeoutError()) : subscriber.complete());
      const wait = (): number => Math.min(deadline - scheduler.now(), MAX_TIMER);
      const first = wait();
      if (first <= 0) {
        end();
        return undefined;
      }
      let inner: Subscription | undefined;
      // Timed before the source is subscribed: an inner operator's timer due in the same frame is
      // then scheduled after this one, so on a tie the outer acts.
      const timer =
        deadline === Infinity
          ? undefined
          : scheduler.schedule(function (this: SchedulerAction<undefined>) {
              const left = wait();
              if (left > 0) {
                this.schedule(undefined, left);
                return;
              }
              // One batch: a permit the source held is handed on only after our subscriber saw the end.
              batch(() => {
                inner?.unsubscribe();
                end();
              });
            }, first);
      inner = withDeadline(Math.min(deadline, getDeadline()), () =>
        source.subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        }),
      );
      return () => {
        timer?.unsubscribe();
        inner.unsubscribe();
      };
    });
}
