import { from, type Observable, type ObservedValueOf } from 'rxjs';
import { checkGatherOptions, gather } from './gather';
import { fromTask } from './internal/fromTask';
import type { Task } from './internal/types';
import { fail } from './internal/validate';

/** What a task gives `gatherAll`: its last value (the value type of what a factory returns). */
type TaskResult<X> = X extends (signal: AbortSignal) => infer O ? ObservedValueOf<O> : ObservedValueOf<X>;

/**
 * Runs every task of `tasks` at once and, when all are done, emits one array of their results in
 * the order of `tasks`, typed as a tuple: `gatherAll([of(1), () => Promise.resolve('a')])` is an
 * `Observable<[number, string]>`. It is `from(tasks).pipe(gather(options))` for a list known up
 * front, as `forkJoin([...])` is for RxJS: the same rules, the same engine.
 *
 * - **Fail-fast.** The first error cancels every other task at once (a factory task's `AbortSignal`
 *   aborts) and is the output's error.
 * - **`returnErrors: true`** puts each error in its task's slot instead, and nothing is cancelled.
 *   Each slot is then typed `unknown`: it holds the task's result or whatever the task threw (any
 *   value can be thrown), and only a check at run time can tell which.
 * - **Always emits.** `[]` for no task, `undefined` for a task that completed without a value, where
 *   `forkJoin` completes silently (ReactiveX/rxjs#3246, #2816).
 * - **Cold.** Each subscription runs every task again: a factory is called again, an Observable
 *   resubscribed (a Promise, having started, only replays its outcome). Unsubscribing cancels them.
 *
 * @param tasks - an array of tasks (not a string, not another iterable); each is checked now
 * @param options.returnErrors - put each error in its task's slot instead of failing fast
 * @throws TypeError at call time when `tasks` is not an array, one of its elements is not a task
 *   (a string is not one), or `options` is bad
 *
 * @example
 * ```ts
 * import { gatherAll } from 'rxjs-concurrency';
 *
 * // user: User, posts: Post[]; if one request fails, the other is aborted.
 * gatherAll([
 *   (signal: AbortSignal) => fetchUser(id, signal),      // Promise<User>
 *   (signal: AbortSignal) => fetchPosts(id, signal),     // Promise<Post[]>
 * ]).subscribe(([user, posts]) => render(user, posts));
 * ```
 */
export function gatherAll<Tasks extends readonly Task<unknown>[] | []>(
  tasks: Tasks,
  options?: { returnErrors?: false | undefined },
): Observable<{ -readonly [K in keyof Tasks]: TaskResult<Tasks[K]> }>;
export function gatherAll<Tasks extends readonly Task<unknown>[] | []>(
  tasks: Tasks,
  options: { returnErrors?: boolean | undefined },
): Observable<{ -readonly [K in keyof Tasks]: unknown }>;
export function gatherAll(tasks: readonly Task<unknown>[], options?: { returnErrors?: boolean | undefined }): Observable<unknown[]> {
  if (!Array.isArray(tasks)) fail(TypeError, 'gatherAll', 'tasks', 'an array of tasks', tasks);
  const returnErrors = checkGatherOptions('gatherAll', options);
  // Array.from visits holes too: `[, task]` is refused here rather than failing at subscription.
  const works = Array.from(tasks, (task: Task<unknown>, i) => fromTask(task, 'gatherAll', `tasks[${i}]`));
  return from(works).pipe(gather<unknown>({ returnErrors }));
}
