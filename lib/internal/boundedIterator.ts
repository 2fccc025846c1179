import type { Observer } from 'rxjs';
import type { BoundedRunner } from './boundedRunner';
import { Fifo } from './fifo';

/** A `next()` waiting for a result. */
interface Reader<R> {
  resolve(result: IteratorResult<R, undefined>): void;
  reject(error: unknown): void;
}

const DONE: IteratorResult<never, undefined> = Object.freeze({ done: true, value: undefined });

/**
 * `boundedMapIterable`'s iterator: the destination of a `BoundedRunner`, turned from pushed to
 * pulled. A result goes straight to a `next()` that waits for it; with none waiting it is kept,
 * and counts as the runner's `unread` until read, so the runner starts no task while `limit`
 * results and running tasks are ahead of the reader: a slow reader holds back the tasks, and
 * through them the reading of input.
 *
 * Nothing starts before the first `next()`, which obtains the input's iterator; tasks start in
 * the async context of that call. What is read is what `boundedMapFrom` emits: results kept before
 * an error are read first, then the error rejects one `next()`, then the iterator is done.
 * `return()` cancels the running tasks and the input, and drops what is kept.
 * @internal
 */
export class BoundedIterator<T, R> implements AsyncIterator<R, undefined> {
  private runner: BoundedRunner<T, R> | null = null;
  private readonly results = new Fifo<R>();
  private readonly readers = new Fifo<Reader<R>>();
  /** The error, until a `next()` has been told it. */
  private failure: { readonly error: unknown } | null = null;
  /** No result will come any more: the runner completed or failed, or `return()` was called. */
  private ended = false;

  /** @param begin - makes the runner, its results going to the destination given */
  constructor(private readonly begin: (destination: Observer<R>) => BoundedRunner<T, R>) {}

  next(): Promise<IteratorResult<R, undefined>> {
    if (this.runner === null && !this.ended) this.start();
    if (this.results.length > 0) {
      const value = this.results.take();
      this.runner!.consumed();
      return Promise.resolve({ done: false, value });
    }
    const { failure } = this;
    if (failure !== null) {
      this.failure = null;
      return Promise.reject(failure.error);
    }
    if (this.ended) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => this.readers.push({ resolve, reject }));
  }

  /** Cancels every running task and the input (its `return()`), and drops the results kept. */
  return(): Promise<IteratorResult<R, undefined>> {
    this.ended = true;
    this.failure = null;
    this.results.clear();
    this.endReaders();
    try {
      // What a teardown threw goes to whoever stopped the iteration, as an unsubscribe's would.
      this.runner?.unsubscribe();
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.resolve(DONE);
  }

  private start(): void {
    // An Observer of its own: the iterator's `next` is the reader's.
    const runner = this.begin({ next: (value) => this.push(value), error: (error) => this.fail(error), complete: () => this.complete() });
    this.runner = runner;
    // Tasks after the first ones start when room frees, in the call stack of a task that ended or
    // of a later next(): they start in the async context of the call that began the iteration.
    runner.keepContext();
    runner.pump();
  }

  private push(value: R): void {
    if (this.readers.length > 0) {
      this.readers.take().resolve({ done: false, value });
    } else {
      this.results.push(value);
      this.runner!.unread++;
    }
  }

  private fail(error: unknown): void {
    this.ended = true;
    // A reader waits only when nothing is kept: the error is next in line.
    if (this.readers.length > 0) {
      this.readers.take().reject(error);
      this.endReaders();
    } else {
      this.failure = { error };
    }
  }

  private complete(): void {
    this.ended = true;
    this.endReaders();
  }

  private endReaders(): void {
    while (this.readers.length > 0) this.readers.take().resolve(DONE);
  }
}
