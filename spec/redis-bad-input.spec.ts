import { RedisCapacityLimiter, RedisLock, RedisRateLimiter, RedisSemaphore, type RedisLike } from 'rxjs-concurrency/redis';
import { itThrowsAsTheRowSays, type Row } from './setup/bad-input-rows';

/*
 * Bad input to the Redis gates throws at the call, naming the parameter, before any command is
 * sent: the client here has the right shape and never runs. (Outside spec/redis/, so it runs where
 * no redis-server is installed.)
 */

const never = (): Promise<unknown> => new Promise(() => undefined);
const client: RedisLike = {
  evalsha: never,
  eval: never,
  duplicate: () => {
    throw new Error('not used');
  },
};
const any = (v: unknown): never => v as never;
const sem = (): RedisSemaphore => new RedisSemaphore(client, 'jobs', 3);
const rate = (): RedisRateLimiter => new RedisRateLimiter(client, 'api', { limit: 10, interval: 1000, burst: 3 });

// One row a line, as in spec/bad-input.spec.ts.
// prettier-ignore
const rows: Row[] = [
  ['new RedisSemaphore(redis)', 'null', () => new RedisSemaphore(any(null), 'jobs', 1), TypeError, 'RedisSemaphore: redis must be a Redis client with evalsha(), eval() and duplicate(), such as an ioredis Redis, received null'],
  ['new RedisSemaphore(redis)', '{ eval, duplicate } (no evalsha)', () => new RedisSemaphore(any({ eval: never, duplicate: never }), 'jobs', 1), TypeError, 'RedisSemaphore: redis must be a Redis client with evalsha(), eval() and duplicate(), such as an ioredis Redis, received an object'],
  ['new RedisLock(redis)', "'redis://localhost' (a URL)", () => new RedisLock(any('redis://localhost'), 'jobs'), TypeError, 'RedisLock: redis must be a Redis client with evalsha(), eval() and duplicate(), such as an ioredis Redis, received "redis://localhost"'],
  ['new RedisSemaphore(redis, name)', "''", () => new RedisSemaphore(client, '', 1), TypeError, 'RedisSemaphore: name must be a non-empty string, received ""'],
  ['new RedisSemaphore(redis, name)', '42', () => new RedisSemaphore(client, any(42), 1), TypeError, 'RedisSemaphore: name must be a non-empty string, received 42'],
  ['new RedisLock(redis, name)', 'undefined', () => new RedisLock(client, any(undefined)), TypeError, 'RedisLock: name must be a non-empty string, received undefined'],
  ['new RedisSemaphore(redis, name, permits)', '0', () => new RedisSemaphore(client, 'jobs', 0), RangeError, 'RedisSemaphore: permits must be an integer >= 1, received 0'],
  ['new RedisSemaphore(redis, name, permits)', '2.5', () => new RedisSemaphore(client, 'jobs', 2.5), RangeError, 'RedisSemaphore: permits must be an integer >= 1, received 2.5'],
  ['new RedisSemaphore(redis, name, permits)', 'Infinity', () => new RedisSemaphore(client, 'jobs', Infinity), RangeError, 'RedisSemaphore: permits must be an integer >= 1, received Infinity'],
  ['new RedisSemaphore(redis, name, permits)', "'3'", () => new RedisSemaphore(client, 'jobs', any('3')), TypeError, 'RedisSemaphore: permits must be an integer >= 1, received "3"'],
  ['new RedisCapacityLimiter(redis, name, totalTokens)', '0', () => new RedisCapacityLimiter(client, 'jobs', 0), RangeError, 'RedisCapacityLimiter: totalTokens must be an integer >= 1 or Infinity, received 0'],
  ['new RedisCapacityLimiter(redis, name, totalTokens)', 'NaN', () => new RedisCapacityLimiter(client, 'jobs', NaN), RangeError, 'RedisCapacityLimiter: totalTokens must be an integer >= 1 or Infinity, received NaN'],
  ['new RedisCapacityLimiter(redis, name, totalTokens)', 'null', () => new RedisCapacityLimiter(client, 'jobs', any(null)), TypeError, 'RedisCapacityLimiter: totalTokens must be an integer >= 1 or Infinity, received null'],
  ['RedisCapacityLimiter.totalTokens = v', '-1', () => { new RedisCapacityLimiter(client, 'jobs', 2).totalTokens = -1; }, RangeError, 'RedisCapacityLimiter: totalTokens must be an integer >= 1 or Infinity, received -1'],
  ['RedisCapacityLimiter.totalTokens = v', "'4'", () => { new RedisCapacityLimiter(client, 'jobs', 2).totalTokens = any('4'); }, TypeError, 'RedisCapacityLimiter: totalTokens must be an integer >= 1 or Infinity, received "4"'],
  ['RedisCapacityLimiter.acquire(weight)', '2', () => new RedisCapacityLimiter(client, 'jobs', 2).acquire(2), RangeError, 'RedisCapacityLimiter: weight must be 1 for a gate that is not a Semaphore, received 2'],
  ['new RedisSemaphore(..., options)', "'fast'", () => new RedisSemaphore(client, 'jobs', 1, any('fast')), TypeError, 'RedisSemaphore: options must be an object, received "fast"'],
  ['new RedisSemaphore(..., { leaseMs })', '50', () => new RedisSemaphore(client, 'jobs', 1, { leaseMs: 50 }), RangeError, 'RedisSemaphore: options.leaseMs must be an integer >= 100, received 50'],
  ['new RedisSemaphore(..., { leaseMs })', 'NaN', () => new RedisSemaphore(client, 'jobs', 1, { leaseMs: NaN }), RangeError, 'RedisSemaphore: options.leaseMs must be an integer >= 100, received NaN'],
  ['new RedisLock(..., { leaseMs })', 'Infinity', () => new RedisLock(client, 'jobs', { leaseMs: Infinity }), RangeError, 'RedisLock: options.leaseMs must be an integer >= 100, received Infinity'],
  ['new RedisSemaphore(..., { leaseMs })', "'10s'", () => new RedisSemaphore(client, 'jobs', 1, { leaseMs: any('10s') }), TypeError, 'RedisSemaphore: options.leaseMs must be an integer >= 100, received "10s"'],
  ['new RedisSemaphore(..., { refreshMs })', '0', () => new RedisSemaphore(client, 'jobs', 1, { refreshMs: 0 }), RangeError, 'RedisSemaphore: options.refreshMs must be an integer >= 1, received 0'],
  ['new RedisSemaphore(..., { refreshMs })', 'not below leaseMs', () => new RedisSemaphore(client, 'jobs', 1, { leaseMs: 1_000, refreshMs: 1_000 }), RangeError, 'RedisSemaphore: options.refreshMs must be below options.leaseMs (1000), received 1000'],
  ['new RedisSemaphore(..., { prefix })', "''", () => new RedisSemaphore(client, 'jobs', 1, { prefix: '' }), TypeError, 'RedisSemaphore: options.prefix must be a non-empty string, received ""'],
  ['new RedisSemaphore(..., { scheduler })', '{}', () => new RedisSemaphore(client, 'jobs', 1, { scheduler: any({}) }), TypeError, 'RedisSemaphore: options.scheduler must be a SchedulerLike (with now() and schedule()), received an object'],
  ['RedisSemaphore.acquire / run(weight)', '0', () => sem().acquire(0), RangeError, 'RedisSemaphore: weight must be an integer >= 1, received 0'],
  ['RedisSemaphore.acquire / run(weight)', 'above permits', () => sem().run(() => [1], 4), RangeError, 'RedisSemaphore: weight must be <= permits (3), received 4'],
  ['RedisSemaphore.acquire / run(weight)', "'1'", () => sem().acquire(any('1')), TypeError, 'RedisSemaphore: weight must be an integer >= 1, received "1"'],
  ['RedisLock.acquire(weight)', '2', () => new RedisLock(client, 'jobs').acquire(2), RangeError, 'RedisLock: weight must be 1 for a gate that is not a Semaphore, received 2'],
  ['gate.run(work)', 'a started Promise', () => sem().run(any(Promise.resolve(1))), TypeError, 'run: work must be an ObservableInput or a function (signal) => ObservableInput that has not started yet, not a Promise (its work began when it was made: it can neither wait for a permit nor run again); pass a factory such as () => fetch(url), received an object'],
  ['gate.acquireAsync({ weight })', '1.5', () => sem().acquireAsync({ weight: 1.5 }), RangeError, 'acquireAsync: options.weight must be an integer >= 1, received 1.5'],
  ['gate.acquireAsync({ signal })', "'stop'", () => sem().acquireAsync({ signal: any('stop') }), TypeError, 'acquireAsync: options.signal must be an AbortSignal, received "stop"'],
  ['gate.tryAcquireAsync(weight)', '5', () => sem().tryAcquireAsync(5), RangeError, 'tryAcquireAsync: weight must be <= permits (3), received 5'],
  // RedisRateLimiter: RateLimiter's option checks (the same code), the Redis gates' for the rest
  ['new RedisRateLimiter(redis)', 'null', () => new RedisRateLimiter(any(null), 'api', { limit: 1, interval: 1000 }), TypeError, 'RedisRateLimiter: redis must be a Redis client with evalsha(), eval() and duplicate(), such as an ioredis Redis, received null'],
  ['new RedisRateLimiter(redis, name)', "''", () => new RedisRateLimiter(client, '', { limit: 1, interval: 1000 }), TypeError, 'RedisRateLimiter: name must be a non-empty string, received ""'],
  ['new RedisRateLimiter(redis, name, options)', 'missing', () => new RedisRateLimiter(client, 'api', any(undefined)), TypeError, 'RedisRateLimiter: options must be an object, received undefined'],
  ['new RedisRateLimiter(..., { limit })', '0', () => new RedisRateLimiter(client, 'api', { limit: 0, interval: 1000 }), RangeError, 'RedisRateLimiter: options.limit must be an integer >= 1, received 0'],
  ['new RedisRateLimiter(..., { limit })', "'10'", () => new RedisRateLimiter(client, 'api', { limit: any('10'), interval: 1000 }), TypeError, 'RedisRateLimiter: options.limit must be an integer >= 1, received "10"'],
  ['new RedisRateLimiter(..., { interval })', '0.5', () => new RedisRateLimiter(client, 'api', { limit: 1, interval: 0.5 }), RangeError, 'RedisRateLimiter: options.interval must be an integer >= 1, received 0.5'],
  ['new RedisRateLimiter(..., { interval })', 'missing', () => new RedisRateLimiter(client, 'api', any({ limit: 1 })), TypeError, 'RedisRateLimiter: options.interval must be an integer >= 1, received undefined'],
  ['new RedisRateLimiter(..., { burst })', '0', () => new RedisRateLimiter(client, 'api', { limit: 1, interval: 1000, burst: 0 }), RangeError, 'RedisRateLimiter: options.burst must be an integer >= 1, received 0'],
  ['new RedisRateLimiter(..., { burst })', 'Infinity', () => new RedisRateLimiter(client, 'api', { limit: 1, interval: 1000, burst: Infinity }), RangeError, 'RedisRateLimiter: options.burst must be an integer >= 1, received Infinity'],
  ['new RedisRateLimiter(..., { scheduler })', '{}', () => new RedisRateLimiter(client, 'api', { limit: 1, interval: 1000, scheduler: any({}) }), TypeError, 'RedisRateLimiter: options.scheduler must be a SchedulerLike (with now() and schedule()), received an object'],
  ['new RedisRateLimiter(..., { prefix })', "''", () => new RedisRateLimiter(client, 'api', { limit: 1, interval: 1000, prefix: '' }), TypeError, 'RedisRateLimiter: options.prefix must be a non-empty string, received ""'],
  ['RedisRateLimiter.acquire / run(weight)', '0', () => rate().acquire(0), RangeError, 'RedisRateLimiter: weight must be an integer >= 1, received 0'],
  ['RedisRateLimiter.acquire / run(weight)', 'above burst', () => rate().run(() => [1], 4), RangeError, 'RedisRateLimiter: weight must be <= burst 3, received 4'],
  ['RedisRateLimiter.run(work)', 'a started Promise', () => rate().run(any(Promise.resolve(1))), TypeError, 'run: work must be an ObservableInput or a function (signal) => ObservableInput that has not started yet, not a Promise (its work began when it was made: it can neither wait for a permit nor run again); pass a factory such as () => fetch(url), received an object'],
  ['RedisRateLimiter.acquireAsync({ weight })', 'above burst', () => rate().acquireAsync({ weight: 4 }), RangeError, 'acquireAsync: options.weight must be <= burst 3, received 4'],
  ['RedisRateLimiter.acquireAsync({ signal })', "'stop'", () => rate().acquireAsync({ signal: any('stop') }), TypeError, 'acquireAsync: options.signal must be an AbortSignal, received "stop"'],
  ['RedisRateLimiter.tryAcquireAsync(weight)', '1.5', () => rate().tryAcquireAsync(1.5), RangeError, 'tryAcquireAsync: weight must be an integer >= 1, received 1.5'],
];

describe('Redis gates: bad input throws at the call with the class and message of the table', () => {
  itThrowsAsTheRowSays(rows);

  it('good values of the same parameters do not throw, and send nothing until subscribed', () => {
    let sent = 0;
    const counting: RedisLike = { evalsha: () => (sent++, never()), eval: () => (sent++, never()), duplicate: () => client.duplicate() };
    expect(() => [
      new RedisSemaphore(counting, 'jobs', 1, { prefix: 'app', leaseMs: 100, refreshMs: 99 }),
      new RedisLock(counting, 'x', {}),
      new RedisSemaphore(counting, 'jobs', 3, { leaseMs: undefined, refreshMs: undefined, scheduler: undefined }).acquire(3),
      new RedisLock(counting, 'x').run(() => [1]),
      new RedisCapacityLimiter(counting, 'x', Infinity),
      new RedisCapacityLimiter(counting, 'x', 1).acquire(1),
      new RedisRateLimiter(counting, 'x', { limit: 1, interval: 1, burst: undefined, scheduler: undefined, prefix: undefined }).acquire(1),
      new RedisRateLimiter(counting, 'x', { limit: 5, interval: 1000, burst: 5, prefix: 'app' }).run(() => [1], 5),
    ]).not.toThrow();
    expect(sent).toBe(0);
  });
});
