import {
  Observable,
  TimeoutError,
  asyncScheduler,
  type MonoTypeOperatorFunction,
  type SchedulerAction,
  type SchedulerLike,
  type Subscriber,
} from 'rxjs';
import { getDeadline, withDeadline } from './context';
import { InnerSubscriber } from './innerSubscriber';
import { batch } from './trampoline';
import { checkObject, checkScheduler } from './validate';

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
 *
 * Called at the operator's call time, so `options` is checked then, in the name of `where`.
 * @internal
 */
export function deadlineScope<T>(
  where: string,
  deadlineFrom: (now: number) => number,
  fail: boolean,
  options: { scheduler?: SchedulerLike | undefined } | undefined,
): MonoTypeOperatorFunction<T> {
  if (options !== undefined) checkObject(where, 'options', options);
  if (options?.scheduler !== undefined) checkScheduler(where, 'options.scheduler', options.scheduler);
  const scheduler = options?.scheduler ?? asyncScheduler;
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
      const inner = new Forward(subscriber);
      // Timed before the source is subscribed: an inner operator's timer due in the same frame is
      // then scheduled after this one, so on a tie the outer acts.
      if (deadline !== Infinity) {
        subscriber.add(
          scheduler.schedule(function (this: SchedulerAction<undefined>) {
            const left = wait();
            if (left > 0) {
              this.schedule(undefined, left);
              return;
            }
            // One batch: a permit the source held is handed on only after our subscriber saw the end.
            batch(() => {
              inner.unsubscribe();
              end();
            });
          }, first),
        );
      }
      // Added before subscribing: a consumer that unsubscribes while a synchronous source is still
      // emitting (a downstream `take(1)`) stops it there.
      subscriber.add(inner);
      withDeadline(Math.min(deadline, getDeadline()), () => source.subscribe(inner));
    });
}

/** Mirrors the source to the output; being a Subscription, it is owned by the output before the source runs. */
class Forward<T> extends InnerSubscriber<T> {
  constructor(private readonly subscriber: Subscriber<T>) {
    super();
  }

  protected onNext(value: T): void {
    this.subscriber.next(value);
  }

  protected onError(error: unknown): void {
    this.subscriber.error(error);
  }

  protected onComplete(): void {
    this.subscriber.complete();
  }
}
