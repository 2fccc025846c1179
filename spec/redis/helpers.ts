import { Subscription, type SchedulerLike } from 'rxjs';
import type Redis from 'ioredis';
import { connect } from 'node:net';

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

/** A command as MONITOR showed it: its arguments, and the `ip:port` (or `lua`) that sent it. */
export interface MonitoredCommand {
  args: string[];
  source: string;
}

/** What `monitor` records, until `stop()`. */
export interface Recording {
  readonly commands: MonitoredCommand[];
  stop(): void;
}

/**
 * Starts recording the commands Redis executes (MONITOR), each as its argument list and the
 * `ip:port` (or `lua`) that sent it; resolves once Redis confirmed the MONITOR.
 *
 * A plain socket rather than ioredis's `monitor()`: ioredis enters its monitoring mode a microtask
 * after MONITOR's `+OK`, so a command Redis reports in the same packet as that `+OK` meets an empty
 * command queue and ioredis throws "Command queue state error" (redis/ioredis#1981). On a busy
 * server that failed one test in a few runs.
 */
export function monitor(port: number): Promise<Recording> {
  const commands: MonitoredCommand[] = [];
  const socket = connect({ port, host: '127.0.0.1' });
  return new Promise((resolve, reject) => {
    let buffered = '';
    let confirmed = false;
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('connect', () => socket.write('MONITOR\r\n'));
    socket.on('data', (chunk: string) => {
      const lines = (buffered + chunk).split('\r\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (confirmed) commands.push(monitorLine(line));
        else if (line === '+OK') {
          confirmed = true;
          resolve({ commands, stop: () => socket.destroy() });
        } else reject(new Error(`MONITOR was refused: ${line}`));
      }
    });
  });
}

const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b' };

/** One MONITOR line, `+1796470228.055696 [0 127.0.0.1:49576] "evalsha" "63f8..." ...`, its strings quoted as Redis's `sdscatrepr` does. */
function monitorLine(line: string): MonitoredCommand {
  const close = line.indexOf('] ');
  const source = line.slice(line.indexOf('[') + 1, close).split(' ')[1]!;
  const args: string[] = [];
  for (let i = line.indexOf('"', close); i !== -1; i = line.indexOf('"', i + 1)) {
    let arg = '';
    for (i++; i < line.length && line.charAt(i) !== '"'; i++) {
      const c = line.charAt(i);
      if (c !== '\\') arg += c;
      else if (line.charAt(++i) !== 'x') arg += escapes[line.charAt(i)] ?? line.charAt(i);
      else {
        arg += String.fromCharCode(parseInt(line.slice(i + 1, i + 3), 16));
        i += 2;
      }
    }
    args.push(arg);
  }
  return { args, source };
}

/** `ip:port` of the client's connection, as MONITOR and CLIENT KILL name it. */
export async function addressOf(redis: Redis): Promise<string> {
  const info = (await redis.call('CLIENT', 'INFO')) as string;
  return /addr=(\S+)/.exec(info)![1]!;
}
