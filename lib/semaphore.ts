import { PermitGate } from './internal/permitGate';
import { checkCount, checkObject } from './internal/validate';

/** Options of `new Semaphore()`. */
export interface SemaphoreOptions {
  /** Cap on held + available permits; `release` past it throws `RangeError`. Default `Infinity`. */
  maxValue?: number | undefined;
}

/**
 * A counting semaphore as an Observable gate: `initialValue` permits, handed out in strict FIFO
 * order, optionally weighted. A waiter that needs more permits than are free blocks the ones behind
 * it, so heavy requests are never starved.
 *
 * @example
 * ```ts
 * const uploads = new Semaphore(3);
 * files$.pipe(mergeMap((file) => uploads.run((signal) => upload(file, signal))));
 * ```
 */
export class Semaphore extends PermitGate {
  /** The most permits that may ever exist at once (held + available); `Infinity` when unset. */
  readonly maxValue: number;

  /**
   * @param initialValue - permits available at first; an integer ≥ 0 (0: every acquire waits for `release`)
   * @param options.maxValue - cap on held + available permits; `release` past it throws `RangeError`,
   *   and a weight above it, which could never be granted, throws `RangeError` at the call
   */
  constructor(initialValue: number, options?: SemaphoreOptions) {
    super('Semaphore', checkCount('Semaphore', 'initialValue', initialValue, 0));
    if (options !== undefined) checkObject('Semaphore', 'options', options);
    const maxValue = options?.maxValue;
    this.maxValue =
      maxValue === undefined ? Infinity : checkCount('Semaphore', 'options.maxValue', maxValue, Math.max(1, initialValue), true);
  }

  /** Permits free now. */
  get value(): number {
    return this.available;
  }

  /**
   * Adds `count` permits without a matching acquire (the classic semaphore signal) and wakes
   * waiters. Throws `RangeError` if held + available would exceed `maxValue`.
   */
  release(count = 1): void {
    checkCount('Semaphore.release', 'count', count, 0);
    if (this.capacity + count > this.maxValue) {
      throw new RangeError(
        `Semaphore.release: count must keep the permits within maxValue ${this.maxValue}, received ${count} with ${this.capacity} permits in existence`,
      );
    }
    this.capacity += count;
    this.grow();
  }

  /** @internal */
  override checkWeight(where: string, weight: number, name = 'weight'): void {
    checkCount(where, name, weight, 1);
    if (weight > this.maxValue) throw new RangeError(`${where}: ${name} must be <= maxValue ${this.maxValue}, received ${weight}`);
  }
}
