import { Observable, type ObservableInput } from 'rxjs';
import type { BoundedMapOptions } from './internal/types';
import { boundedConfig } from './internal/boundedRunner';
import { iteratorRunner } from './internal/iteratorRunner';
import { checkIterable } from './internal/validate';

/**
 * `boundedMap` over a pull source: maps each item of `input` to a task, at most `limit` at once,
 * and reads the next item only when there is room for its task. An endless or huge iterable, sync or
 * async, is processed in O(limit) memory.
 *
 * ```
 * input:                            [a, b, c]
 * project(a):                       ---A|
 * project(b):                       -B|
 * project(c):                       --C|          read and started when there is room
 * boundedMapFrom(input, project, 2): ---AB-C|      ordered: c is read once A and B are emitted
 * ordered: false:                   -B-AC|        c is read at frame 2, when b is done
 * ```
 *
 * Everything `boundedMap` says holds (values, ordering and its bounded `window`, fail fast or
 * `returnErrors`, `limiter`, the cancellation signal, the deadline). In addition:
 * - **Reading.** The iterator is obtained at subscription (each subscription reads afresh) and
 *   `next()` is called only when a task can start, so at most `limit` items (ordered: `window`,
 *   by default `limit`) are read and not yet emitted, plus the one being read. An async iterator
 *   never has more than one `next()` in flight.
 * - **Stopping.** Unsubscribing, or an error, stops reading and calls the iterator's `return()` at
 *   once (a generator's `finally` runs), even with a `next()` in flight: an async generator answers
 *   that `next()` first anyway, and an iterator whose `next()` waits for what may never come (a
 *   `Queue`, a socket) can withdraw it only if told now. What that `next()` brings later is dropped.
 *   A rejection of `return()` has no one left to go to: it goes to RxJS's `config.onUnhandledError`.
 * - **Errors.** An error thrown (or rejected) by the iterator is the output's error; its `return()`
 *   is then not called (it is already done).
 *
 * How it differs from `from(input).pipe(mergeMap(project, limit))`: `from` reads a sync iterable to
 * the end at once, queueing every item in `mergeMap`'s unbounded buffer, and reads an async iterable
 * as fast as it yields; here reading is paced by the tasks.
 *
 * @param input - an `Iterable` or an `AsyncIterable` (a generator, a `readline` interface, a stream...)
 * @param project - makes the task for an item: `(item, index, signal) => ObservableInput`
 * @param limit - tasks running at once: an integer >= 1, or `Infinity`
 * @param options - `ordered` (default `true`), `window`, `limiter` and `returnErrors`, as for `boundedMap`
 * @throws RangeError or TypeError at call time for a bad argument
 *
 * @example
 * ```ts
 * // Every line of a huge file, 8 lookups at a time, in file order; memory stays flat.
 * const lines = readline.createInterface({ input: fs.createReadStream('ids.txt') });
 * boundedMapFrom(lines, (id, _i, signal) => fetch(`${api}/${id}`, { signal }).then((r) => r.json()), 8)
 *   .subscribe((record) => out.write(JSON.stringify(record) + '\n'));
 * ```
 */
export function boundedMapFrom<T, R>(
  input: Iterable<T> | AsyncIterable<T>,
  project: (value: T, index: number, signal: AbortSignal) => ObservableInput<R>,
  limit: number,
  options?: BoundedMapOptions,
): Observable<R> {
  checkIterable('boundedMapFrom', 'input', input);
  const config = boundedConfig('boundedMapFrom', project, limit, options);
  return new Observable<R>((subscriber) => {
    const runner = iteratorRunner(input, subscriber, config);
    subscriber.add(runner);
    // Tasks after the first ones start when a slot frees, in whatever call stack freed it: they
    // start in the async context of this subscription instead.
    runner.keepContext();
    runner.pump();
  });
}
