// A worker process of the RedisRateLimiter fleet test (spec/redis/redisRateLimiter.spec.ts), forked
// with one JSON argument. It loads rxjs-concurrency/redis from the bundle the parent built from lib/
// (RXC_REDIS_ENTRY), asks one RedisRateLimiter shared with the other workers for every grant at
// once, and reports the Redis time of each grant (the permit's grantedAt, from the script's reply).
import Redis from 'ioredis';

const { RedisRateLimiter } = await import(process.env.RXC_REDIS_ENTRY);
const config = JSON.parse(process.argv[2]);
const redis = new Redis({ port: config.port, host: '127.0.0.1', connectionName: config.id });
redis.on('error', () => undefined);
const rate = new RedisRateLimiter(redis, config.name, { limit: config.limit, interval: config.interval, burst: config.burst });
const report = (event) => process.send({ id: config.id, ...event });

process.on('message', async (message) => {
  if (message.do === 'grants') {
    try {
      const grants = await Promise.all(
        Array.from({ length: message.count }, async (_, i) => {
          const weight = message.weights[i % message.weights.length];
          const permit = await rate.acquireAsync({ weight });
          return { at: permit.grantedAt, weight };
        }),
      );
      report({ event: 'done', grants });
    } catch (error) {
      report({ event: 'error', name: error?.name, message: error?.message });
    }
  } else if (message.do === 'quit') {
    await redis.quit();
    process.disconnect();
  }
});
report({ event: 'ready' });
