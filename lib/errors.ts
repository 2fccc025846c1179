/**
 * Thrown by a `TaskGroup` when one or more of its children (or its host) failed. `errors` holds every
 * failure, in the order they happened; cancellation echoes (`isCancelled(e)`) are left out.
 *
 * The message names the first failure, so that a toast, a log line or an error tracker's title shows
 * the cause and not only a count: `1 task failed: cannot process job 13`, or
 * `3 tasks failed; the first: cannot process job 13`.
 *
 * @example
 * ```ts
 * group$.subscribe({ error: (e) => toast(e.message) });   // "2 tasks failed; the first: quota exceeded"
 * ```
 */
export class TaskGroupError extends AggregateError {
  /** Always `'TaskGroupError'`. */
  override readonly name: string = 'TaskGroupError';
  constructor(errors: readonly unknown[], message = summary(errors)) {
    super(errors, message);
  }
}

function summary(errors: readonly unknown[]): string {
  const [first] = errors;
  if (errors.length === 0) return '0 tasks failed';
  if (errors.length === 1) return `1 task failed: ${describeFailure(first)}`;
  return `${errors.length} tasks failed; the first: ${describeFailure(first)}`;
}

/**
 * A failure as one line of text. Anything can be thrown, and a `TaskGroupError` must still be
 * constructed whatever it holds (a circular object, a getter that throws).
 */
function describeFailure(error: unknown): string {
  try {
    if (typeof error === 'object' && error !== null) {
      const { message, name } = error as { message?: unknown; name?: unknown };
      if (typeof message === 'string' && message !== '') return message;
      if (typeof name === 'string' && name !== '') return name;
      // A thrown plain object (`{ status: 503 }`, an HTTP client's response body) reads better as JSON than as [object Object].
      const json = JSON.stringify(error) as string | undefined;
      if (json !== undefined) return json;
    }
    return String(error);
  } catch {
    return 'a value that cannot be shown as text';
  }
}

/** Thrown by a `...Nowait` call (`Queue.putNowait`, `Queue.getNowait`) that would have to wait. */
export class WouldBlockError extends Error {
  /** Always `'WouldBlockError'`. */
  override readonly name: string = 'WouldBlockError';
  constructor(message = 'the operation would block') {
    super(message);
  }
}

/** A put on a closed `Queue`, or a put that was still waiting when the queue was closed. */
export class QueueClosedError extends Error {
  /** Always `'QueueClosedError'`. */
  override readonly name: string = 'QueueClosedError';
  constructor(message = 'the queue is closed') {
    super(message);
  }
}

/** A get on a `Queue` that is closed and drained: no item will ever come. */
export class EndOfStreamError extends Error {
  /** Always `'EndOfStreamError'`. */
  override readonly name: string = 'EndOfStreamError';
  constructor(message = 'the queue is closed and empty') {
    super(message);
  }
}

/** A second `CapacityLimiter.acquireOnBehalfOf` for a borrower that already holds (or waits for) a token. */
export class BorrowerError extends Error {
  /** Always `'BorrowerError'`. */
  override readonly name: string = 'BorrowerError';
  constructor(message = 'this borrower already holds a token of the limiter') {
    super(message);
  }
}
