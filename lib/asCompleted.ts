import { Observable, type OperatorFunction } from 'rxjs';
import type { DeferredTask, Task } from './internal/types';
import { TaskPool } from './internal/taskPool';
import { checkBoolean, checkCount, checkObject } from './internal/validate';

class Completions<T> extends TaskPool<T, [index: number, result: T]> {
  protected settled(index: number, result: T): void {
    this.subscriber.next([index, result]);
  }

  protected finished(): void {
    this.subscriber.complete();
  }
}

/** Options of {@link asCompleted}. */
export interface AsCompletedOptions {
  /** Tasks running at once: an integer ≥ 1 or `Infinity` (the default). With a limit, a task must not have started yet: a Promise is refused. */
  limit?: number | undefined;
  /** Emit `[index, error]` for a failed task instead of failing fast. */
  returnErrors?: boolean | undefined;
}

/**
 * Starts the tasks of the source, at most `limit` at once, and emits `[index, result]` as each one
 * completes: `index` is the task's place in the source, `result` its last value (`undefined` if it
 * had none). Completes when the source and every task are done.
 *
 * ```
 * source:  -abc|                   limit: 2
 * a:        ----1|
 * b:         -2|
 * c:           --3|               (queued until b frees a slot)
 * result:  ----x-y(z|)             x = [1, '2'], y = [0, '1'], z = [2, '3']
 * ```
 *
 * The first error cancels every running task and the source, then is the output's error. With
 * `returnErrors: true` a failed task emits `[index, error]` instead and the others run on.
 * Unsubscribing early (`take(1)`, `takeUntil`, a component destroyed) cancels every task still
 * running and starts no queued one: the early-break leak of the design it ports does not exist
 * here. A factory task's `AbortSignal` aborts when it is cancelled.
 *
 * Unlike `mergeMap(task => task, limit)`, it takes tasks rather than mapping values, accepts
 * abortable factories, reports one result per task (not every value) tagged with its index, can
 * collect errors instead of failing, and starts queued tasks in a loop, so a million synchronous
 * tasks never overflow the stack (ReactiveX/rxjs#3609).
 *
 * @param options.limit - tasks running at once; an integer ≥ 1 or `Infinity` (the default). Under a
 *   limit a task waits before it starts, so an already-started Promise is refused (`TypeError`):
 *   pass `() => fetch(url)`, not `fetch(url)`
 * @param options.returnErrors - emit `[index, error]` for a failed task instead of failing fast
 *
 * @example
 * ```ts
 * // Three downloads at a time; show each as it lands; stop them all when the user leaves.
 * from(urls.map((url) => (signal: AbortSignal) => fetch(url, { signal }).then((r) => r.blob())))
 *   .pipe(asCompleted({ limit: 3 }), takeUntil(leave$))
 *   .subscribe(([i, blob]) => show(urls[i], blob));
 * ```
 */
export function asCompleted<T>(
  options: AsCompletedOptions & { limit: number },
): OperatorFunction<DeferredTask<T>, [index: number, result: T]>;
export function asCompleted<T>(options?: AsCompletedOptions): OperatorFunction<Task<T>, [index: number, result: T]>;
export function asCompleted<T>(options?: AsCompletedOptions): OperatorFunction<Task<T>, [index: number, result: T]> {
  if (options !== undefined) checkObject('asCompleted', 'options', options);
  const { limit = Infinity, returnErrors = false } = options ?? {};
  checkCount('asCompleted', 'limit', limit, 1, true);
  checkBoolean('asCompleted', 'returnErrors', returnErrors);
  return (source) =>
    new Observable((subscriber) => {
      new Completions<T>(subscriber, { where: 'asCompleted', limit, returnErrors }).run(source);
    });
}
