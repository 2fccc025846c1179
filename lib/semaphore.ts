import type { Observable } from 'rxjs';
import { PermitGate, type Permit } from './gate';
import type { Task } from './task';
import { checkCount, checkObject } from './internal/validate';

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
   * @param options.maxValue - cap on held + available permits; `release` past it throws `RangeError`
   */
  constructor(initialValue: number, options?: { maxValue?: number | undefined }) {
    super(checkCount('Semaphore', 'initialValue', initialValue, 0));
    if (options !== undefined) checkObject('Semaphore', 'options', options);
    const maxValue = options?.maxValue;
    this.maxValue = maxValue === undefined ? Infinity : checkCount('Semaphore', 'options.maxValue', maxValue, Math.max(1, initialValue), true);
  }

  /** Permits free now. */
  get value(): number {
    return this.available;
  }

  /** Emits once when `weight` permits are granted; they are held while the subscription lives. */
  override acquire(weight = 1): Observable<void> {
    return this.acquireWeighted(this.checkWeight(weight));
  }

  /** Acquires `weight` permits, then runs `work`; releases when it completes, errors or is unsubscribed. */
  override run<T>(work: Task<T>, weight = 1): Observable<T> {
    return this.runWeighted(work, this.checkWeight(weight));
  }

  /** `weight` permits now, or `undefined` when they are not free or others wait before. */
  override tryAcquire(weight = 1): Permit | undefined {
    return this.tryWeighted(this.checkWeight(weight));
  }

  /**
   * Adds `count` permits without a matching acquire (the classic semaphore signal) and wakes
   * waiters. Throws `RangeError` if held + available would exceed `maxValue`.
   */
  release(count = 1): void {
    checkCount('Semaphore.release', 'count', count, 0);
    if (this.capacity + count > this.maxValue) {
      throw new RangeError(`Semaphore.release: count must keep the permits within maxValue ${this.maxValue}, received ${count} with ${this.capacity} permits in existence`);
    }
    this.capacity += count;
    this.grow();
  }

  private checkWeight(weight: number): number {
    checkCount('Semaphore', 'weight', weight, 1);
    if (weight > this.maxValue) {
      throw new RangeError(`Semaphore: weight must be <= maxValue ${this.maxValue}, received ${weight}`);
    }
    return weight;
  }
}
