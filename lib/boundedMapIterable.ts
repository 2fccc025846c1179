import type { ObservableInput } from 'rxjs';
import type { BoundedMapOptions } from './internal/types';
import { BoundedIterator } from './internal/boundedIterator';
import { boundedConfig } from './internal/boundedRunner';
import { iteratorRunner } from './internal/iteratorRunner';
import { checkIterable } from './internal/validate';

/**
 * `boundedMapFrom` for `for await`: maps each item of `input` to a task, at most `limit` at once,
 * and yields the results, pulled by the reader. A task starts only while fewer than `limit` results
 * and running tasks together are ahead of the reader, so a slow reader (a file, a socket, a
 * `Writable` that wants draining) holds back the tasks, and the next item is read from `input` only
 * when its task can start: backpressure all the way to the input, in O(limit) memory.
 *
 * ```
 * input ['a', 'b', 'c', 'd'], limit 2, tasks of 1 frame, next() called at frames 0, 5, 10, 15, 20:
 * project(a), project(b): ^!              started by the first next()
 * project(c):             -^!             A went to the next() waiting for it: room; B is kept
 * project(d):             -----^!         B and C wait unread until B is read at 5
 * next() gives:           -A---B----C----D----|
 * ```
 *
 * Everything `boundedMapFrom` says holds (values, `ordered` and its bounded `window`, `limiter`,
 * the cancellation signal, reading the input, `returnErrors`). In addition:
 * - **Laziness.** Nothing starts before the first `next()`; each `for await` (each call of
 *   `[Symbol.asyncIterator]()`) starts afresh, reading `input` anew.
 * - **Backpressure.** Unread results count against `limit` like running tasks (and against
 *   `window`, ordered): with one value per task, at most `limit` results are ever kept for the
 *   reader (`window` when ordered with a wider window). The count holds back the next task, not the
 *   values of one that runs: a task that emits many values at once has them all kept. With
 *   `limit: Infinity` nothing holds back: every item is read and started at once.
 * - **Stopping.** `break`, `return` or a `throw` out of the `for await` calls the iterator's
 *   `return()`: every running task is cancelled (its signal aborts), the input's `return()` is
 *   called (a generator's `finally` runs), and the results kept are dropped. A teardown that
 *   throws makes `return()` reject with an `UnsubscriptionError`, as `unsubscribe()` would throw.
 * - **Errors.** The first error (of a task, of `project`, of the input) cancels everything else at
 *   once; the results already kept are still read, then the error is thrown by the `next()` that
 *   comes to it; the iteration is then over. With `returnErrors: true` a task's error is a value in
 *   its place instead, and nothing is cancelled.
 * - **Async context.** Tasks start in the async context (Node's `AsyncLocalStorage`) of the
 *   `next()` that began the iteration, as `boundedMapFrom`'s start in that of the subscription,
 *   even those started later by a task ending elsewhere or by a `next()` called from elsewhere.
 *
 * @param input - an `Iterable` or an `AsyncIterable` (a generator, a `readline` interface, a stream...)
 * @param project - makes the task for an item: `(item, index, signal) => ObservableInput`
 * @param limit - tasks running plus results unread, at most: an integer >= 1, or `Infinity`
 * @param options - `ordered` (default `true`), `window`, `limiter` and `returnErrors`, as for `boundedMap`
 * @returns an `AsyncIterable` of the results; each iteration runs the whole pipeline anew
 * @throws RangeError or TypeError at call time for a bad argument
 *
 * @example
 * ```ts
 * // Enrich every line of a huge file, 8 lookups at a time, into a slow sink: lines are read only
 * // as fast as the sink drains, and memory stays flat.
 * const lines = readline.createInterface({ input: fs.createReadStream('ids.txt') });
 * const out = fs.createWriteStream('records.ndjson');
 * for await (const record of boundedMapIterable(lines, (id, _i, signal) => lookup(id, signal), 8)) {
 *   if (!out.write(JSON.stringify(record) + '\n')) await once(out, 'drain');
 * }
 * out.end();
 * ```
 */
export function boundedMapIterable<T, R>(
  input: Iterable<T> | AsyncIterable<T>,
  project: (value: T, index: number, signal: AbortSignal) => ObservableInput<R>,
  limit: number,
  options?: BoundedMapOptions,
): AsyncIterable<R> {
  checkIterable('boundedMapIterable', 'input', input);
  const config = boundedConfig('boundedMapIterable', project, limit, options);
  return {
    [Symbol.asyncIterator]: () => new BoundedIterator<T, R>((destination) => iteratorRunner(input, destination, config)),
  };
}
