// A worker process of the fleet tests (spec/redis/fleet.spec.ts), forked with one JSON argument.
// It loads rxjs-concurrency/redis from the bundle the parent built from lib/ (RXC_REDIS_ENTRY),
// shares a RedisSemaphore with the other workers, and reports every event to the parent.
//
// Each task increments an audit counter in Redis right after its grant and decrements it before it
// ends (so before its release): the counter's highest value is the most permits ever in use at once,
// across processes, as Redis itself saw it.
import Redis from 'ioredis';
import { lastValueFrom } from 'rxjs';

const { RedisSemaphore, LeaseLostError } = await import(process.env.RXC_REDIS_ENTRY);
const config = JSON.parse(process.argv[2]);
const redis = new Redis({ port: config.port, host: '127.0.0.1', connectionName: config.id });
const audit = new Redis({ port: config.auditPort ?? config.port, host: '127.0.0.1' });
for (const client of [redis, audit]) client.on('error', () => undefined);
const gate = new RedisSemaphore(redis, config.name, config.permits, { leaseMs: config.leaseMs });
const report = (event) => process.send({ id: config.id, ...event });
const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/** One task: holds a permit for `ms` (or until its signal aborts); retried after a lost lease when `retry`. */
async function task(index, ms) {
  for (;;) {
    try {
      await lastValueFrom(
        gate.run(async (signal) => {
          const inUse = await audit.incr(`audit:${config.name}`);
          report({ event: 'start', index, inUse });
          try {
            await sleep(ms, signal);
          } finally {
            await audit.decr(`audit:${config.name}`);
          }
          if (signal.aborted) report({ event: 'aborted', index, reason: signal.reason?.name, message: signal.reason?.message });
          else report({ event: 'end', index });
          return index;
        }),
      );
      return;
    } catch (error) {
      report({ event: 'error', index, name: error?.name, message: error?.message });
      if (!(config.retry && error instanceof LeaseLostError)) return;
    }
  }
}

process.on('message', async (message) => {
  if (message.do === 'tasks') {
    await Promise.all(Array.from({ length: message.count }, (_, i) => task(i, message.ms)));
    report({ event: 'done' });
  } else if (message.do === 'quit') {
    await Promise.all([redis.quit(), audit.quit()]);
    process.disconnect();
  }
});
report({ event: 'ready' });
