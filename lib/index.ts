// Gates
export type { AcquireOptions, DeferredTask, Gate, GateLike, GateState, Permit } from './internal/types';
export { Semaphore, type SemaphoreOptions } from './semaphore';
export { Lock } from './lock';
export { CapacityLimiter } from './capacityLimiter';
export { RateLimiter, type RateLimiterOptions } from './rateLimiter';
export { withPermit } from './withPermit';
export { ConcurrencyEvent } from './concurrencyEvent';
// Channels
export { Queue, type QueueState } from './queue';
// Structured concurrency and deadlines
export type { Task } from './internal/types';
export { taskGroup, type TaskGroup } from './taskGroup';
export { failAfter } from './failAfter';
export { moveOnAfter } from './moveOnAfter';
export { failAt } from './failAt';
export { moveOnAt } from './moveOnAt';
export { effectiveDeadline } from './effectiveDeadline';
export { isCancelled } from './isCancelled';
export { shield } from './shield';
// Operators
export { gather } from './gather';
export { gatherAll } from './gatherAll';
export { race } from './race';
export { asCompleted, type AsCompletedOptions } from './asCompleted';
export { boundedMap } from './boundedMap';
export { boundedMapFrom } from './boundedMapFrom';
export { boundedMapIterable } from './boundedMapIterable';
export type { BoundedMapOptions } from './internal/types';
export { retry, type RetryInfo, type RetryOptions } from './retry';
export { retrying } from './retrying';
// Errors
export { TaskGroupError, WouldBlockError, QueueClosedError, EndOfStreamError, BorrowerError } from './errors';
