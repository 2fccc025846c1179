// rxjs-concurrency/redis: the gates shared by every process that reaches one Redis server.
export { LeaseLostError } from './errors';
export type { RedisGateOptions, RedisLike, RedisPermit, RedisSubscriberLike } from './types';
