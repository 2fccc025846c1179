/**
 * Thrown by a `TaskGroup` when one or more of its children (or its host) failed. `errors` holds every
 * failure, in the order they happened; cancellation echoes (`isCancelled(e)`) are left out.
 */
export class TaskGroupError extends AggregateError {
  /** Always `'TaskGroupError'`. */
  override readonly name: string = 'TaskGroupError';
  constructor(errors: readonly unknown[], message = `${errors.length} task(s) in the group failed`) {
    super(errors, message);
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
