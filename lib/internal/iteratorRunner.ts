import type { Observer } from 'rxjs';
import { reportUnhandled } from './report';
import { BoundedRunner, type BoundedConfig } from './boundedRunner';

/**
 * The runner that reads `input` (sync or async): `boundedMapFrom`'s and `boundedMapIterable`'s, which
 * differ only in `destination`. The iterator is obtained now, so each call reads afresh.
 * @internal
 */
export function iteratorRunner<T, R>(
  input: Iterable<T> | AsyncIterable<T>,
  destination: Observer<R>,
  config: BoundedConfig<T, R>,
): BoundedRunner<T, R> {
  return isAsyncIterable(input)
    ? new AsyncIteratorRunner(destination, config, input[Symbol.asyncIterator]())
    : new IteratorRunner(destination, config, input[Symbol.iterator]());
}

function isAsyncIterable<T>(input: Iterable<T> | AsyncIterable<T>): input is AsyncIterable<T> {
  return typeof (input as Partial<AsyncIterable<T>>)[Symbol.asyncIterator] === 'function';
}

/** A synchronous iterator, read in the start loop itself. */
class IteratorRunner<T, R> extends BoundedRunner<T, R> {
  constructor(
    destination: Observer<R>,
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
    destination: Observer<R>,
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
    // At once, even with a next() in flight: an async generator answers that next() first anyway,
    // and an iterator whose next() waits for what may never come (a Queue, a socket) can withdraw
    // it only if told now.
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
