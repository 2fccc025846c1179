import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

/*
 * Worker processes for the fleet tests. The workers are plain .mjs: they load rxjs-concurrency/redis
 * from a bundle of lib/redis/ built here with esbuild (jest's transform does not reach a forked
 * process), with rxjs and ioredis left to node_modules.
 */

const ROOT = join(__dirname, '..', '..');

let entry: string | null = null;

/** Bundles lib/redis/index.ts into node_modules/.cache (once per test file); returns its path. */
export function redisEntry(): string {
  if (entry !== null) return entry;
  const dir = join(ROOT, 'node_modules', '.cache', 'rxjs-concurrency-spec');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `redis-${process.pid}.mjs`);
  buildSync({
    entryPoints: [join(ROOT, 'lib', 'redis', 'index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['rxjs', 'ioredis'],
    outfile,
    logLevel: 'warning',
  });
  return (entry = outfile);
}

export interface WorkerEvent {
  id: string;
  event: string;
  index?: number;
  inUse?: number;
  reason?: string;
  name?: string;
  message?: string;
  /** A rate worker's grants: the Redis time each was made at, and its weight. */
  grants?: { at: number; weight: number }[];
  /** Local receive time in the parent, ms. */
  at: number;
}

export interface WorkerConfig {
  id: string;
  port: number;
  auditPort?: number;
  name: string;
  permits: number;
  leaseMs: number;
  /** Run a task again after a LeaseLostError. */
  retry?: boolean;
}

/** A worker of spec/redis/rateWorker.mjs: one RedisRateLimiter with these options. */
export interface RateWorkerConfig {
  id: string;
  port: number;
  name: string;
  limit: number;
  interval: number;
  burst: number;
}

/** A forked worker (spec/redis/worker.mjs, or the `script` given) and everything it reported. */
export class Worker {
  readonly events: WorkerEvent[] = [];
  readonly process: ChildProcess;
  private readonly waiters: { predicate: (e: WorkerEvent) => boolean; resolve: (e: WorkerEvent) => void }[] = [];

  constructor(config: RateWorkerConfig, script: 'rateWorker.mjs');
  constructor(config: WorkerConfig);
  constructor(
    readonly config: WorkerConfig | RateWorkerConfig,
    script = 'worker.mjs',
  ) {
    this.process = fork(join(__dirname, script), [JSON.stringify(config)], {
      env: { ...process.env, RXC_REDIS_ENTRY: redisEntry() },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.process.on('message', (message: Omit<WorkerEvent, 'at'>) => {
      const event = { ...message, at: Date.now() };
      this.events.push(event);
      for (const waiter of [...this.waiters]) {
        if (waiter.predicate(event)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    });
  }

  /** The first event (already reported or to come) for which `predicate` holds. */
  next(predicate: (e: WorkerEvent) => boolean, timeoutMs = 20_000): Promise<WorkerEvent> {
    const seen = this.events.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`worker ${this.config.id}: no such event within ${timeoutMs} ms; got ${JSON.stringify(this.events.slice(-5))}`)),
        timeoutMs,
      );
      this.waiters.push({
        predicate,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  send(message: object): void {
    this.process.send(message);
  }

  /** Asks the worker to close its connections and exit; kills it if it does not within 2 s. */
  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    if (this.process.connected) this.send({ do: 'quit' });
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 2_000);
    await exited;
    clearTimeout(timer);
  }
}
