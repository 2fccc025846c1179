import { Observable, from, tap, type ObservableInput } from 'rxjs';
import { cancellation } from './isCancelled';
import { fail } from './internal/validate';

/**
 * Work that an API of this package starts. Either an `ObservableInput` (an Observable, a Promise, an
 * array, an iterable...) or a factory that receives an `AbortSignal` and returns one. A factory is
 * called at subscription time, once per subscription, and its signal aborts when that task is
 * cancelled, so `(signal) => fetch(url, { signal })` stops when its owner unsubscribes. It also
 * aborts when the task errors: whatever the task left running (the fetch behind a `failAfter` that
 * fired inside the factory) is orphaned by then, and should stop too. It never aborts after the
 * task completed.
 *
 * A task's result is its last value, `undefined` when it completes without one.
 *
 * A bare `Promise` has already started and cannot be stopped: cancelling it only ignores its
 * outcome. Pass a factory when the work should really stop.
 */
export type Task<T> = ObservableInput<T> | ((signal: AbortSignal) => ObservableInput<T>);

/**
 * The Observable that runs `task`. Throws a `TypeError` now, naming `where` and `name`, for
 * something that is neither a function nor an ObservableInput.
 * @internal
 */
export function fromTask<T>(task: Task<T>, where: string, name = 'task'): Observable<T> {
  if (typeof task !== 'function') {
    try {
      return from(task);
    } catch {
      fail(TypeError, where, name, 'an ObservableInput or a function (signal) => ObservableInput', task);
    }
  }
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    let completed = false;
    // Subscribed with `subscriber` itself, so a downstream that unsubscribes during a synchronous
    // emission of the task stops it there, not after it ran to its end.
    from(task(controller.signal))
      .pipe(tap({ complete: () => (completed = true) }))
      .subscribe(subscriber);
    return () => {
      // A cancelled or failed task is aborted; one that completed has nothing left to stop.
      if (!completed) controller.abort(cancellation());
    };
  });
}
