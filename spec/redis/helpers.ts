import { Subscription, type SchedulerLike } from 'rxjs';
import type Redis from 'ioredis';

/** Real time: the Redis suites run against a real server, whose clock cannot be virtual. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `predicate` holds (checked every 5 ms); rejects after `timeoutMs`. */
export async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * The scheduler of a process that froze: its clock runs, its timers never fire. A gate on it
 * stops refreshing, as a holder or waiter that died would, while its connection stays up.
 */
export const frozen: SchedulerLike = { now: () => Date.now(), schedule: () => new Subscription() };

/** The gate's keys as Redis has them: `{ key: ttl in ms }` (-1: no TTL). */
export async function keysOf(redis: Redis, prefix: string): Promise<Record<string, number>> {
  const keys = (await redis.keys(`${prefix}:*`)).sort();
  const ttls = await Promise.all(keys.map((key) => redis.pttl(key)));
  return Object.fromEntries(keys.map((key, i) => [key, ttls[i]!]));
}

/** `held` of a gate, from its meta hash (0 once the gate's keys are gone). */
export async function heldOf(redis: Redis, base: string): Promise<number> {
  return Number((await redis.hget(`${base}:m`, 'held')) ?? 0);
}

/** Nobody holds or waits: no lease left in Redis, nothing held. */
export async function idle(redis: Redis, base: string): Promise<boolean> {
  return (await redis.zcard(`${base}:x`)) === 0 && (await heldOf(redis, base)) === 0;
}

/** The waiting tokens of a gate, in line order. */
export function lineOf(redis: Redis, base: string): Promise<string[]> {
  return redis.zrange(`${base}:q`, 0, -1);
}

/** Starts recording the commands Redis executes (MONITOR), each as its argument list. */
export async function monitor(redis: Redis): Promise<{ commands: { args: string[]; source: string }[]; stop(): void }> {
  const connection = await redis.monitor();
  const commands: { args: string[]; source: string }[] = [];
  connection.on('monitor', (_time: string, args: string[], source: string) => commands.push({ args, source }));
  return { commands, stop: () => connection.disconnect() };
}

/** `ip:port` of the client's connection, as MONITOR and CLIENT KILL name it. */
export async function addressOf(redis: Redis): Promise<string> {
  const info = (await redis.call('CLIENT', 'INFO')) as string;
  return /addr=(\S+)/.exec(info)![1]!;
}
