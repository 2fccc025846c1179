import type { RedisLike } from './types';

/** Hex SHA-1 of `text`, the name under which Redis caches a script. */
async function sha1(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function isNoScript(error: unknown): boolean {
  return String((error as { message?: unknown } | null)?.message ?? error).startsWith('NOSCRIPT');
}

/**
 * A Lua script sent by `EVALSHA`, one round trip. Its first run (before the hash is known) and any
 * run the server answers with `NOSCRIPT` (a restarted or flushed server) send the text by `EVAL`,
 * which also caches it again on the server.
 * @internal
 */
export class Script {
  private sha: string | null = null;
  private hashing = false;

  constructor(readonly text: string) {}

  run(redis: RedisLike, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const sha = this.sha;
    if (sha === null) {
      if (!this.hashing) {
        this.hashing = true;
        // Without Web Crypto the script is sent by EVAL every time: slower, still correct.
        sha1(this.text).then((hash) => (this.sha = hash), () => undefined);
      }
      return redis.eval(this.text, keys.length, ...keys, ...args);
    }
    return redis.evalsha(sha, keys.length, ...keys, ...args).catch((error: unknown) => {
      if (isNoScript(error)) return redis.eval(this.text, keys.length, ...keys, ...args);
      throw error;
    });
  }
}
