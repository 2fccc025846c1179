import type { Observable } from 'rxjs';
import { fromTask } from './internal/fromTask';
import type { DeferredTask } from './internal/types';
import { retryOperator, type RetryOptions } from './retry';

/**
 * Runs `task`, and on error runs it again with {@link retry}'s backoff, jitter and deadline: the
 * same options, the same delays, the last attempt's error as it was thrown.
 *
 * The point is the factory: `retrying(() => callApi())` calls `callApi` again for every attempt,
 * each time with a fresh `AbortSignal` (the failed attempt's signal has aborted by then). A Promise
 * is never re-run: `from(callApi()).pipe(retry())` made its one call before `retry` subscribed, and
 * resubscribing only replays its rejection. So `retrying` refuses a bare Promise with a `TypeError`:
 * pass `() => callApi()`. An Observable task (`http.get(url)`, a cold stream) is resubscribed per
 * attempt, which re-runs it: `retrying(obs)` is `obs.pipe(retry())`.
 *
 * Unsubscribing cancels the attempt running (its signal aborts) or the timer of the next one.
 *
 * @param task - a factory `(signal) => ObservableInput` called once per attempt, or an Observable
 *   that re-runs on each subscription; not a Promise, a string or another value
 * @param options - as for {@link retry}: attempts, baseDelay, factor, maxDelay, jitter, retryOn,
 *   deadline, scheduler, random, onRetry
 * @throws TypeError at call time for a Promise or anything else that is not a task, and for a bad
 *   option (RangeError for a number out of range)
 *
 * @example
 * ```ts
 * import { retrying } from 'rxjs-concurrency';
 *
 * // Up to 4 calls, each a new request with its own signal; unsubscribing aborts the one in flight.
 * retrying((signal) => fetch('/api/report', { signal }).then((r) => {
 *   if (!r.ok) throw new Error(`HTTP ${r.status}`);
 *   return r.json();
 * }), { attempts: 4, onRetry: ({ attempt, delay }) => console.warn(`attempt ${attempt} failed, next in ${delay} ms`) })
 *   .subscribe(render);
 * ```
 */
export function retrying<T>(task: DeferredTask<T>, options?: RetryOptions): Observable<T> {
  const source = fromTask(task, 'retrying', 'task', true);
  return source.pipe(retryOperator<T>('retrying', options));
}
