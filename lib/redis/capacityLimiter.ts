import { checkCount, fail } from '../internal/validate';
import { RedisGate } from './redisGate';
import type { RedisGateOptions, RedisLike } from './types';

/**
 * A pool of tokens shared by every process on the same Redis, `name` and `prefix`, whose size is
 * kept in Redis: set `totalTokens` in one process and all of them see it. Raising it lets waiters
 * in at once, in order; lowering it revokes nothing (holders keep their tokens, new grants wait
 * until fewer than the total are borrowed). A total that was set is kept for a day after the
 * gate's last use; until one is set, the total is the one each process passed to the constructor.
 *
 * @example
 * ```ts
 * const gpu = new RedisCapacityLimiter(redis, 'gpu-jobs', 8);
 * jobs$.pipe(mergeMap((job) => gpu.run((signal) => train(job, signal))));
 * gpu.totalTokens = 4;   // every process of the fleet now lets in at most 4
 * ```
 */
export class RedisCapacityLimiter extends RedisGate {
  /**
   * @param redis - the client whose commands the gate sends (an ioredis `Redis`, or see {@link RedisLike})
   * @param name - the limiter: processes that pass the same name (and prefix) share it
   * @param totalTokens - tokens borrowed at most at once until a total is set in Redis; an integer ≥ 1, or `Infinity`
   * @param options - key prefix, lease, refresh period, scheduler
   */
  constructor(redis: RedisLike, name: string, totalTokens: number, options?: RedisGateOptions) {
    super('RedisCapacityLimiter', redis, name, checkCount('RedisCapacityLimiter', 'totalTokens', totalTokens, 1, true), options, true);
  }

  /** The total as Redis last reported it to this process (or as this process last set it). */
  get totalTokens(): number {
    return this.total;
  }

  /**
   * Stores a new total in Redis for every process: raising it wakes waiters at once, in order;
   * lowering it revokes nothing. Integer ≥ 1 or `Infinity`. A failure to reach Redis goes to
   * RxJS's `config.onUnhandledError`; `state$` shows the total once Redis has it.
   */
  set totalTokens(value: number) {
    this.resize(checkCount('RedisCapacityLimiter', 'totalTokens', value, 1, true));
  }

  /** @internal */
  checkWeight(where: string, weight: number, name = 'weight'): void {
    checkCount(where, name, weight, 1);
    if (weight !== 1) fail(RangeError, where, name, '1 for a gate that is not a Semaphore', weight);
  }
}
