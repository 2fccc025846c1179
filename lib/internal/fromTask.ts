import { Observable, from, tap, type ObservableInput } from 'rxjs';
import type { Task } from './types';
import { fail } from './validate';

/** The reason this package gives every signal it aborts: an `AbortError`, so `isCancelled` holds. */
export function cancellation(): Error {
  return new DOMException('The task was cancelled', 'AbortError');
}

const TASK = 'an ObservableInput or a function (signal) => ObservableInput';

/**
 * The Observable that runs `task`. Throws a `TypeError` now, naming `where` and `name`, for
 * something that is not a task: not a function nor an ObservableInput, a string (RxJS would run it
 * as one task per character), or, when `deferred`, a Promise: it started before any limit let it in,
 * and it cannot be run again for a retry.
 */
export function fromTask<T>(task: Task<T>, where: string, name = 'task', deferred = false): Observable<T> {
  // The common case, and the cheapest to recognise: `from` would return it as it is.
  if (task instanceof Observable) return task;
  if (typeof task !== 'function') {
    if (typeof task === 'string') {
      fail(
        TypeError,
        where,
        name,
        `${TASK}, not a string (it would run as one task per character); for work pass a factory such as () => fetch(url)`,
        task,
      );
    }
    if (deferred && typeof (task as Partial<PromiseLike<T>> | null)?.then === 'function') {
      fail(
        TypeError,
        where,
        name,
        `${TASK} that has not started yet, not a Promise (its work began when it was made: it can neither wait for a permit nor run again); pass a factory such as () => fetch(url)`,
        task,
      );
    }
    try {
      return from(task);
    } catch {
      fail(TypeError, where, name, TASK, task);
    }
  }
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    let completed = false;
    const input: ObservableInput<T> = task(controller.signal);
    // Errors the subscription: a string would run as one value per character.
    if (typeof input === 'string') fail(TypeError, where, `what ${name}() returned`, 'an ObservableInput, not a string', input);
    // Subscribed with `subscriber` itself, so a downstream that unsubscribes during a synchronous
    // emission of the task stops it there, not after it ran to its end.
    from(input)
      .pipe(tap({ complete: () => (completed = true) }))
      .subscribe(subscriber);
    return () => {
      // A cancelled or failed task is aborted; one that completed has nothing left to stop.
      if (!completed) controller.abort(cancellation());
    };
  });
}
