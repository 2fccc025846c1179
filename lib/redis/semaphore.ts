import { checkCount, fail } from '../internal/validate';
import { RedisGate } from './redisGate';
import type { RedisGateOptions, RedisLike } from './types';

/**
 * A counting semaphore shared by every process that uses the same Redis, `name` and `prefix`:
 * at most `permits` held at once across all of them, granted in the order Redis queued the
 * waiters (strict FIFO, a heavy waiter at the head blocks the lighter ones behind it). Leases
 * keep a crashed process from holding a permit forever.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis';
 * import { RedisSemaphore } from 'rxjs-concurrency/redis';
 *
 * const partnerApi = new RedisSemaphore(new Redis(), 'partner-api', 20);
 * ids$.pipe(mergeMap((id) => partnerApi.run((signal) => fetch(`${url}/${id}`, { signal }))));
 * ```
 */
export class RedisSemaphore extends RedisGate {
  /** The permits of the gate, as this process was told (every process should say the same). */
  readonly permits: number;

  /**
   * @param redis - the client whose commands the gate sends (an ioredis `Redis`, or see {@link RedisLike})
   * @param name - the gate: processes that pass the same name (and prefix) share it
   * @param permits - held at most at once across all processes; an integer ≥ 1
   * @param options - key prefix, lease, refresh period, scheduler
   */
  constructor(redis: RedisLike, name: string, permits: number, options?: RedisGateOptions) {
    super('RedisSemaphore', redis, name, checkCount('RedisSemaphore', 'permits', permits, 1), options);
    this.permits = permits;
  }

  /** @internal */
  checkWeight(where: string, weight: number, name = 'weight'): void {
    checkCount(where, name, weight, 1);
    if (weight > this.permits) fail(RangeError, where, name, `<= permits (${this.permits})`, weight);
  }
}
