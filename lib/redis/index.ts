// rxjs-concurrency/redis: the gates shared by every process that reaches one Redis server.
export { RedisSemaphore } from './semaphore';
export { RedisLock } from './lock';
export { RedisCapacityLimiter } from './capacityLimiter';
export { RedisRateLimiter, type RedisRateLimiterOptions, type RedisRatePermit } from './rateLimiter';
export { LeaseLostError } from './errors';
export type { RedisGateOptions, RedisLike, RedisPermit, RedisSubscriberLike } from './types';
export type { AcquireOptions, DeferredTask, GateLike, GateState, Permit } from '../internal/types';
