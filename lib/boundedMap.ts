import { Observable, type ObservableInput, type OperatorFunction } from 'rxjs';
import type { BoundedMapOptions } from './internal/types';
import { BoundedRunner, boundedConfig } from './internal/boundedRunner';
import { captureAsync, type AsyncSnapshot } from './internal/context';
import { Fifo } from './internal/fifo';
import { InnerSubscriber } from './internal/innerSubscriber';

/**
 * Maps each source value to a task and runs at most `limit` of them at once, emitting their values
 * in input order (`ordered`, the default) or as they come (`ordered: false`).
 *
 * ```
 * source:           a-b-c--|
 * project(a):       -----A|          subscribed at frame 0
 * project(b):         B|             subscribed at frame 2
 * project(c):       --C|             subscribed when there is room
 * boundedMap(p, 2): -----AB-C|       B waits for A; c waits until a is emitted
 * ordered: false:   --B--AC|         c starts at frame 4, once b is done
 * ```
 *
 * - **Values.** Every value a task emits is forwarded, as with `mergeMap`; for the usual one-value
 *   task (an HTTP call, a promise) that is its result. `ordered` emits all of a task's values before
 *   any of the next task's: the values of a task ahead of the head are buffered until it is the head.
 * - **Bounded reorder window.** Ordered, a task starts only while fewer than `limit` tasks run and
 *   fewer than `window` (default `limit`) are started but not yet fully emitted, so memory stays
 *   O(window) tasks. With the default, a slow head task holds back at most `limit - 1` others,
 *   which finish and then wait for it: meanwhile fewer than `limit` tasks run (head-of-line
 *   blocking). A wider `window` lets the others go on: `limit` tasks keep running until `window - 1`
 *   tasks have started behind the slow head. Source values waiting for room are queued (FIFO).
 * - **Fail fast.** The first error (of a task, of `project`, or of the source) cancels every running
 *   task and the source, in the same frame, then is the output's error. Unsubscribing cancels
 *   everything too.
 * - **`returnErrors: true`.** A task that fails (its `limiter` failing included) gives its error as
 *   a value instead, in its place (ordered: where its result would have been), and nothing is
 *   cancelled: a task that emitted values and then failed gives those values, then its error. As
 *   with `gather`, the error object itself stands in for a result, so the output's type does not
 *   show it: tell them apart with `instanceof`. A `project` that throws (or returns something that
 *   is not an ObservableInput) and a failing source are bugs, not results: still the output's
 *   error, failing fast.
 * - **Cancellation signal.** `project(value, index, signal)`: `signal` aborts (with an `AbortError`,
 *   see `isCancelled`) when that task is cancelled or fails, never once it completed. An AbortSignal costs
 *   microseconds in Node, so none is made for a `project` that declares exactly one or two
 *   parameters (`(value) => ...`, `(value, index) => ...`): it could not read it. A `project` that
 *   declares three, or none (a wrapper `(...args) => f(...args)`), gets one.
 * - **`limiter`.** Any `GateLike` (a `CapacityLimiter`, a `Semaphore`, a `RateLimiter`, a Redis gate...) is also acquired for each task,
 *   after its slot: several maps sharing one limiter share one budget. `project` is called once the
 *   permit is granted.
 * - **Deadline.** Tasks started later still run under the deadline in force when the output was
 *   subscribed (`effectiveDeadline()` inside `project`).
 * - Synchronous tasks run in a loop: 10⁶ of them never overflow the stack, and the output completes.
 *
 * How it differs from `mergeMap(project, limit)`: `mergeMap` has no ordered mode (`concatMap` is
 * ordered but one at a time), no cancellation signal, no shared limiter, and with synchronous inners
 * it recurses once per inner (ReactiveX/rxjs#3609) and can fail to complete (ReactiveX/rxjs#7334).
 * `boundedMap(project, limit, { ordered: false })` is otherwise `mergeMap(project, limit)`.
 *
 * @param project - makes the task for a value: `(value, index, signal) => ObservableInput`
 * @param limit - tasks running at once: an integer >= 1, or `Infinity`
 * @param options - `ordered` (default `true`): emit in input order; `window` (ordered: tasks started
 *   but not yet emitted, an integer `>= limit` or `Infinity`, default `limit`); `limiter`: a
 *   `GateLike` each task also holds while it runs; `returnErrors` (default `false`): a failed task's
 *   error is a value in its place
 * @throws RangeError or TypeError at call time for a bad `limit`, `project` or `options`
 *
 * @example
 * ```ts
 * // Load every page, 4 requests at a time, in page order; leaving the page cancels them all.
 * ids$.pipe(
 *   boundedMap((id, _index, signal) => fetch(`/api/items/${id}`, { signal }).then((r) => r.json()), 4),
 *   takeUntilDestroyed(),
 * ).subscribe((item) => this.items.push(item));
 *
 * // Thumbnails in upload order, 4 at a time; one huge image does not stall the other 3 workers
 * // until up to 32 finished thumbnails are waiting behind it.
 * files$.pipe(boundedMap((file) => makeThumbnail(file), 4, { window: 32 })).subscribe(show);
 *
 * // Check every link, 8 at a time; a dead one is reported in its place, the others go on.
 * links$.pipe(
 *   boundedMap((url, _i, signal) => fetch(url, { method: 'HEAD', signal }).then((r) => r.status), 8, { returnErrors: true }),
 * ).subscribe((status: unknown) => report(status instanceof Error ? `dead: ${status.message}` : status));
 * ```
 */
export function boundedMap<T, R>(
  project: (value: T, index: number, signal: AbortSignal) => ObservableInput<R>,
  limit: number,
  options?: BoundedMapOptions,
): OperatorFunction<T, R> {
  const config = boundedConfig('boundedMap', project, limit, options);
  return (source) =>
    new Observable<R>((subscriber) => {
      const runner = new SourceRunner(subscriber, config);
      // Registered before subscribing: a consumer that unsubscribes while a synchronous source is
      // still emitting stops it there.
      subscriber.add(runner);
      runner.run(source);
    });
}

/**
 * Input pushed by a source Observable; values that find no room wait in a FIFO, each with the async
 * context it arrived in, so that its task starts there and not in that of the task that made room.
 */
class SourceRunner<T, R> extends BoundedRunner<T, R> {
  private readonly queue = new Fifo<T>();
  /** In step with `queue`: the async context each value waited in. */
  private readonly contexts = new Fifo<AsyncSnapshot | null>();
  private source: SourceSubscriber<T, R> | null = null;
  private sourceDone = false;

  run(source: Observable<T>): void {
    this.source = new SourceSubscriber(this);
    source.subscribe(this.source);
  }

  /** @internal */
  push(value: T): void {
    if (this.busy) {
      // The loop under way, or the next free slot, starts it: in the async context it arrived in.
      this.queue.push(value);
      this.contexts.push(captureAsync());
    } else {
      // Room and no loop: nothing waits before it, since the loop empties the queue while it has room.
      this.admit(value);
    }
  }

  /** @internal */
  sourceComplete(): void {
    this.sourceDone = true;
    this.pump();
  }

  protected feed(): boolean {
    if (this.queue.length === 0) return false;
    this.start(this.queue.take(), this.contexts.take());
    return true;
  }

  protected get exhausted(): boolean {
    return this.sourceDone && this.queue.length === 0;
  }

  protected stopInput(): void {
    this.source?.unsubscribe();
    this.queue.clear();
    this.contexts.clear();
  }
}

class SourceSubscriber<T, R> extends InnerSubscriber<T> {
  constructor(private readonly runner: SourceRunner<T, R>) {
    super();
  }

  protected onNext(value: T): void {
    this.runner.push(value);
  }

  protected onError(error: unknown): void {
    this.runner.fail(error);
  }

  protected onComplete(): void {
    this.runner.sourceComplete();
  }
}
