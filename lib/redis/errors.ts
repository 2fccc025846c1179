/**
 * A Redis gate could not keep a permit (or a place in line) alive: a refresh found it gone, or
 * could not reach Redis before the lease ran out (a long pause, a partition, a Redis restart).
 * By then another process may hold it, so the work must stop: the work's `AbortSignal` aborts
 * with this error, `run()` errors with it, an `acquire()` subscriber receives it.
 */
export class LeaseLostError extends Error {
  /** Always `'LeaseLostError'`. */
  override readonly name: string = 'LeaseLostError';
  constructor(message = 'the lease on the Redis permit was lost', options?: ErrorOptions) {
    super(message, options);
  }
}
