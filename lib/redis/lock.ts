import { checkCount, fail } from '../internal/validate';
import { RedisGate } from './redisGate';
import type { RedisGateOptions, RedisLike } from './types';

/**
 * A mutual-exclusion lock across processes: a `RedisSemaphore` of one. "One migration at a time",
 * whichever worker gets there first; a worker that dies holding it frees it when its lease ends.
 *
 * @example
 * ```ts
 * const migration = new RedisLock(redis, 'migrate-orders', { leaseMs: 30_000 });
 * await lastValueFrom(migration.run((signal) => migrate(signal)));
 * ```
 */
export class RedisLock extends RedisGate {
  /**
   * @param redis - the client whose commands the gate sends (an ioredis `Redis`, or see {@link RedisLike})
   * @param name - the lock: processes that pass the same name (and prefix) share it
   * @param options - key prefix, lease, refresh period, scheduler
   */
  constructor(redis: RedisLike, name: string, options?: RedisGateOptions) {
    super('RedisLock', redis, name, 1, options);
  }

  /** @internal */
  checkWeight(where: string, weight: number, name = 'weight'): void {
    checkCount(where, name, weight, 1);
    if (weight !== 1) fail(RangeError, where, name, '1 for a gate that is not a Semaphore', weight);
  }
}
