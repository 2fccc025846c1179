// A process of the Redis bench cases (bench/cases/redis.mjs), forked with one JSON argument:
// `{ lib: 'ours' | 'redis-semaphore', port, name, permits, leaseMs, mode, ... }`. It reports one
// message and exits. Both libraries get the same lease, the same client and the same work.
import Redis from 'ioredis';
import { Semaphore } from 'redis-semaphore';
import { redisSubject } from './subject.mjs';

const config = JSON.parse(process.argv[2]);
const redis = new Redis({ port: config.port, host: '127.0.0.1' });
const now = () => Number(process.hrtime.bigint());
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// One acquire + release API over both: `acquire()` resolves with a release function.
let acquire;
if (config.lib === 'ours') {
  const gate = new redisSubject.RedisSemaphore(redis, config.name, config.permits, { leaseMs: config.leaseMs });
  acquire = async () => {
    const permit = await gate.acquireAsync();
    return () => permit.release();
  };
} else {
  acquire = async () => {
    // One instance per acquisition: an instance is one holder (its identifier). It polls every
    // retryInterval (its default, 10 ms) until the permit is free.
    const semaphore = new Semaphore(redis, config.name, config.permits, { lockTimeout: config.leaseMs, acquireTimeout: 600_000 });
    await semaphore.acquire();
    return () => semaphore.release();
  };
}

if (config.mode === 'pingpong') {
  // Two such processes share a semaphore of 1: each holds it 20 ms, releases, and stays away 5 ms
  // before asking again. So when one releases, the other has been waiting for some 15 ms (for
  // redis-semaphore: has polled at least once), and every grant is a hand-off from the other.
  await sleep(config.startMs);
  const events = [];
  for (let i = 0; i < config.count; i++) {
    const release = await acquire();
    const granted = now();
    await sleep(20);
    const released = now();
    await release();
    events.push([granted, released]);
    await sleep(5);
  }
  process.send({ events });
} else if (config.mode === 'tasks') {
  // `count` tasks of `ms` each, all started at once: every one waits for its permit.
  await Promise.all(
    Array.from({ length: config.count }, async () => {
      const release = await acquire();
      await sleep(config.ms);
      await release();
    }),
  );
  process.send({ done: true });
}
await redis.quit();
