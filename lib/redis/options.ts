import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { checkCount, checkObject, checkScheduler, fail } from '../internal/validate';
import type { RedisGateOptions, RedisLike } from './types';

/** The options of a Redis gate, checked and with their defaults. @internal */
export interface GateSettings {
  readonly prefix: string;
  readonly leaseMs: number;
  readonly refreshMs: number;
  readonly scheduler: SchedulerLike;
}

/** Throws unless `redis` has the commands a gate sends. @internal */
export function checkRedis(where: string, redis: unknown): RedisLike {
  const client = redis as Partial<Record<keyof RedisLike, unknown>> | null;
  if (
    typeof client !== 'object' ||
    client === null ||
    typeof client.evalsha !== 'function' ||
    typeof client.eval !== 'function' ||
    typeof client.duplicate !== 'function'
  ) {
    fail(TypeError, where, 'redis', 'a Redis client with evalsha(), eval() and duplicate(), such as an ioredis Redis', redis);
  }
  return redis as RedisLike;
}

/** Throws unless `value` is a non-empty string. @internal */
export function checkName(where: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') fail(TypeError, where, name, 'a non-empty string', value);
  return value;
}

/** The options with their defaults; throws at the first bad one, naming it. @internal */
export function settings(where: string, options: RedisGateOptions | undefined): GateSettings {
  if (options !== undefined) checkObject(where, 'options', options);
  const prefix = options?.prefix === undefined ? 'rxc' : checkName(where, 'options.prefix', options.prefix);
  const leaseMs = options?.leaseMs === undefined ? 10_000 : checkCount(where, 'options.leaseMs', options.leaseMs, 100);
  let refreshMs = Math.floor(leaseMs / 3);
  if (options?.refreshMs !== undefined) {
    refreshMs = checkCount(where, 'options.refreshMs', options.refreshMs, 1);
    if (refreshMs >= leaseMs) fail(RangeError, where, 'options.refreshMs', `below options.leaseMs (${leaseMs})`, refreshMs);
  }
  const scheduler = options?.scheduler === undefined ? asyncScheduler : checkScheduler(where, 'options.scheduler', options.scheduler);
  return { prefix, leaseMs, refreshMs, scheduler };
}
