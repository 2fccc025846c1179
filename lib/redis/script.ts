import { sha1 } from './sha1';
import type { RedisLike } from './types';

function isNoScript(error: unknown): boolean {
  return String((error as { message?: unknown } | null)?.message ?? error).startsWith('NOSCRIPT');
}

/**
 * A Lua script sent by `EVALSHA`, one round trip. A run the server answers with `NOSCRIPT` (its
 * first ever, or after a restart or `SCRIPT FLUSH`) sends the text by `EVAL`, which also caches it
 * on the server again.
 * @internal
 */
export class Script {
  private hash: string | null = null;

  constructor(readonly text: string) {}

  /** Runs the script with `keysAndArgs`, its `numKeys` keys first. */
  run(redis: RedisLike, numKeys: number, keysAndArgs: readonly (string | number)[]): Promise<unknown> {
    const sha = (this.hash ??= sha1(this.text));
    return redis.evalsha(sha, numKeys, ...keysAndArgs).catch((error: unknown) => {
      if (isNoScript(error)) return redis.eval(this.text, numKeys, ...keysAndArgs);
      throw error;
    });
  }
}
