import { Observable, from, tap, type ObservableInput } from 'rxjs';
import { cancellation } from './isCancelled';

/**
 * Work that an API of this package starts. Either an `ObservableInput` (an Observable, a Promise, an
 * array, an iterable...) or a factory that receives an `AbortSignal` and returns one. A factory is
 * called at subscription time, once per subscription, and its signal aborts when that task is
 * cancelled, so `(signal) => fetch(url, { signal })` stops when its owner unsubscribes.
 *
 * A task's result is its last value, `undefined` when it completes without one.
 *
 * A bare `Promise` has already started and cannot be stopped: cancelling it only ignores its
 * outcome. Pass a factory when the work should really stop.
 */
export type Task<T> = ObservableInput<T> | ((signal: AbortSignal) => ObservableInput<T>);

/**
 * The Observable that runs `task`. Throws a `TypeError` now for something that is neither a
 * function nor an ObservableInput.
 * @internal
 */
export function fromTask<T>(task: Task<T>): Observable<T> {
  if (typeof task !== 'function') return from(task);
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    let settled = false;
    const settle = (): void => {
      settled = true;
    };
    // Subscribed with `subscriber` itself, so a downstream that unsubscribes during a synchronous
    // emission of the task stops it there, not after it ran to its end.
    from(task(controller.signal)).pipe(tap({ error: settle, complete: settle })).subscribe(subscriber);
    return () => {
      // Only a cancelled task is aborted: one that finished has nothing left to stop.
      if (!settled) controller.abort(cancellation());
    };
  });
}
