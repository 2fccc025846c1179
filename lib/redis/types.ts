import type { SchedulerLike } from 'rxjs';
import type { Permit } from '../internal/types';

/**
 * The commands a Redis gate sends, all of them atomic Lua scripts. ioredis's `Redis` (5 and 6)
 * has this surface as it is; for another client, write an object that forwards these three
 * calls (docs/redis.md shows one for node-redis).
 */
export interface RedisLike {
  /** Runs a cached script: `EVALSHA sha numKeys ...keysAndArgs`; rejects with `NOSCRIPT ...` when the server does not know it. */
  evalsha(sha: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  /** Runs a script by its text (the fallback after `NOSCRIPT`; the server caches it). */
  eval(script: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  /**
   * A second connection to the same server for pub/sub. A gate opens it only while it has
   * something waiting, and disconnects it when the last waiter or holder of the client is gone.
   */
  duplicate(): RedisSubscriberLike;
  /**
   * ioredis's `'end'` (the client was closed for good): the gates close the pub/sub connection
   * they made with `duplicate()`. Optional: without it, that connection stays open until it is
   * closed by whoever made it.
   */
  on?(event: 'end', listener: () => void): unknown;
}

/** The pub/sub connection made by `RedisLike.duplicate()`. */
export interface RedisSubscriberLike {
  /** `SUBSCRIBE channel...`; resolves once subscribed. */
  subscribe(...channels: string[]): Promise<unknown>;
  /** `UNSUBSCRIBE channel...`. */
  unsubscribe(...channels: string[]): Promise<unknown>;
  /** A publication on a subscribed channel. */
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  /** Connected, or connected again and subscribed again to its channels (ioredis resubscribes itself). */
  on(event: 'ready', listener: () => void): unknown;
  /** A connection error; the client reconnects by itself. */
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Closes the connection at once. */
  disconnect(): void;
}

/** Options of the Redis gates. Every process sharing a gate should pass the same values. */
export interface RedisGateOptions {
  /** Namespace of the gate's keys and channels: `<prefix>:<name>:...`. Default `'rxc'`. */
  prefix?: string | undefined;
  /**
   * How long a permit (or a place in line) survives without a refresh, in ms: a holder or waiter
   * that dies frees its place this long after its last refresh. Default 10 000.
   */
  leaseMs?: number | undefined;
  /** How often the leases of a process are refreshed, in ms; below `leaseMs`. Default `leaseMs / 3`. */
  refreshMs?: number | undefined;
  /** Clock and timers of the refreshes, lease checks and lease-expiry wake-ups. Default `asyncScheduler`. */
  scheduler?: SchedulerLike | undefined;
}

/**
 * A permit of a Redis gate. `signal` aborts with a `LeaseLostError` if the lease is lost while
 * it is held: work done under an `acquireAsync()` permit should watch it.
 */
export type RedisPermit = Permit & {
  /** Aborts, with a `LeaseLostError`, when the lease is lost before `release()`. */
  readonly signal: AbortSignal;
};
