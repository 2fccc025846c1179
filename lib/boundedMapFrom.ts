import { Observable, type ObservableInput, type Subscriber } from 'rxjs';
import type { BoundedMapOptions } from './internal/types';
import { BoundedRunner, boundedConfig, type BoundedConfig } from './internal/boundedRunner';
import { reportUnhandled } from './internal/report';
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
 * Everything `boundedMap` says holds (values, ordering and its bounded window, fail fast, `limiter`,
 * the cancellation signal, the deadline). In addition:
 * - **Reading.** The iterator is obtained at subscription (each subscription reads afresh) and
 *   `next()` is called only when a task can start, so at most `limit` items are read and not yet
 *   emitted, plus the one being read. An async iterator never has more than one `next()` in flight.
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
 * @param options - `ordered` (default `true`) and `limiter`, as for `boundedMap`
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
    const runner = isAsyncIterable(input)
      ? new AsyncIteratorRunner(subscriber, config, input[Symbol.asyncIterator]())
      : new IteratorRunner(subscriber, config, input[Symbol.iterator]());
    subscriber.add(runner);
    // Tasks after the first ones start when a slot frees, in whatever call stack freed it: they
    // start in the async context of this subscription instead.
    runner.keepContext();
    runner.pump();
  });
}

function isAsyncIterable<T>(input: Iterable<T> | AsyncIterable<T>): input is AsyncIterable<T> {
  return typeof (input as Partial<AsyncIterable<T>>)[Symbol.asyncIterator] === 'function';
}

/** A synchronous iterator, read in the start loop itself. */
class IteratorRunner<T, R> extends BoundedRunner<T, R> {
  constructor(
    destination: Subscriber<R>,
    config: BoundedConfig<T, R>,
    /** `null` once done, failed or returned: nothing more to read or to close. */
    private iterator: Iterator<T> | null,
  ) {
    super(destination, config);
  }

  protected feed(): boolean {
    const iterator = this.iterator;
    if (iterator === null) return false;
    let result: IteratorResult<T>;
    try {
      result = iterator.next();
      if (result.done) {
        this.iterator = null;
        return false;
      }
    } catch (error) {
      this.iterator = null;
      this.fail(error);
      return false;
    }
    this.start(result.value);
    return true;
  }

  protected get exhausted(): boolean {
    return this.iterator === null;
  }

  protected stopInput(): void {
    const iterator = this.iterator;
    this.iterator = null;
    iterator?.return?.();
  }
}

/** An async iterator: one `next()` in flight at most; the item it brings waits in `ready`. */
class AsyncIteratorRunner<T, R> extends BoundedRunner<T, R> {
  constructor(
    destination: Subscriber<R>,
    config: BoundedConfig<T, R>,
    /** `null` once done, failed or returned. */
    private iterator: AsyncIterator<T> | null,
  ) {
    super(destination, config);
  }

  private reading = false;
  private hasReady = false;
  private ready: T | undefined = undefined;

  // Made once: a read costs no closure.
  private readonly onRead = (result: IteratorResult<T>): void => {
    this.reading = false;
    // Returned while this read was in flight: what it brings is dropped.
    if (this.iterator === null) return;
    try {
      if (result.done) {
        this.iterator = null;
      } else {
        this.hasReady = true;
        this.ready = result.value;
      }
    } catch (error) {
      // `result` was not an iterator result object.
      this.iterator = null;
      this.fail(error);
      return;
    }
    this.pump();
  };

  private readonly onReadError = (error: unknown): void => {
    this.reading = false;
    if (this.iterator === null) return;
    this.iterator = null;
    this.fail(error);
  };

  protected feed(): boolean {
    if (this.hasReady) {
      const value = this.ready as T;
      this.hasReady = false;
      this.ready = undefined;
      this.start(value);
      return true;
    }
    // Read only when the item can start at once: nothing is read ahead of the tasks.
    if (!this.reading && this.iterator !== null) this.read(this.iterator);
    return false;
  }

  protected get exhausted(): boolean {
    return this.iterator === null;
  }

  protected stopInput(): void {
    this.hasReady = false;
    this.ready = undefined;
    const iterator = this.iterator;
    if (iterator === null) return;
    this.iterator = null;
    closeLater(iterator);
  }

  private read(iterator: AsyncIterator<T>): void {
    this.reading = true;
    let next: PromiseLike<IteratorResult<T>> | IteratorResult<T>;
    try {
      next = iterator.next();
    } catch (error) {
      this.onReadError(error);
      return;
    }
    Promise.resolve(next).then(this.onRead, this.onReadError);
  }
}

/** Calls an async iterator's `return()`; its failure has no subscriber left to go to. */
function closeLater(iterator: AsyncIterator<unknown>): void {
  try {
    const done = iterator.return?.();
    if (done !== undefined) Promise.resolve(done).then(undefined, reportUnhandled);
  } catch (error) {
    reportUnhandled(error);
  }
}
