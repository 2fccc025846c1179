import { Observable, type OperatorFunction } from 'rxjs';
import type { Task } from './internal/types';
import { TaskPool } from './internal/taskPool';
import { checkBoolean, checkObject } from './internal/validate';

class Gathering<T> extends TaskPool<T, T[]> {
  private readonly results: T[] = [];

  protected settled(index: number, result: T): void {
    this.results[index] = result;
  }

  protected finished(): void {
    this.subscriber.next(this.results);
    this.subscriber.complete();
  }
}

/**
 * Starts every task of the source at once, as it is emitted, and when the source and every task are
 * done emits one array of their results in source order: each task's last value, `undefined` for a
 * task that had none. An empty source emits `[]`.
 *
 * ```
 * source:  -a-b-|
 * a:        ----1-2|
 * b:          -3|
 * result:  --------(x|)             x = ['2', '3']
 * ```
 *
 * Fail-fast: the first error cancels every other task and the source at once (a factory task's
 * `AbortSignal` aborts) and is the output's error. With `returnErrors: true` each error takes its
 * task's slot instead and nothing is cancelled. Unsubscribing cancels every task.
 *
 * Unlike `forkJoin`, it takes a stream of tasks (abortable factories included) rather than a fixed
 * list, and it always emits: `[]` for no task and `undefined` for a task with no value, where
 * `forkJoin` completes silently (ReactiveX/rxjs#3246, #2816).
 *
 * @param options.returnErrors - put each error in its task's slot instead of failing fast
 *
 * @example
 * ```ts
 * // Load a page's three parts together; if one fails the other requests are aborted.
 * from([
 *   (signal: AbortSignal) => fetchUser(id, signal),
 *   (signal: AbortSignal) => fetchPosts(id, signal),
 *   (signal: AbortSignal) => fetchFriends(id, signal),
 * ]).pipe(gather()).subscribe(([user, posts, friends]) => render(user, posts, friends));
 * ```
 */
export function gather<T>(options?: { returnErrors?: boolean | undefined }): OperatorFunction<Task<T>, T[]> {
  const returnErrors = checkGatherOptions('gather', options);
  return (source) =>
    new Observable((subscriber) => {
      new Gathering<T>(subscriber, { where: 'gather', limit: Infinity, returnErrors }).run(source);
    });
}

/** `returnErrors` of gather's options, checked under the name `where` (`gather`, `gatherAll`). @internal */
export function checkGatherOptions(where: string, options: { returnErrors?: boolean | undefined } | undefined): boolean {
  if (options !== undefined) checkObject(where, 'options', options);
  return checkBoolean(where, 'returnErrors', options?.returnErrors ?? false);
}
